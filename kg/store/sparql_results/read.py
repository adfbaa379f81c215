"""Results read back into a :class:`~kg.store.base.Result`: SPARQL 1.1 Query Results JSON, XML and TSV
(CSV drops term types, so it is write-only)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from xml.etree import ElementTree

from kg.store.base import Result, Term
from kg.store.sparql_results.formats import SRX, XSD, XSD_STRING, format_name


def _from_json_term(d: Mapping[str, str]) -> Term:
    kind = d.get("type")
    if kind == "uri":
        return Term("iri", d["value"])
    if kind == "bnode":
        return Term("bnode", d["value"])
    if kind in ("literal", "typed-literal"):
        lang = d.get("xml:lang") or d.get("lang")  # "lang": some endpoints' older spelling
        return Term("literal", d["value"], None if lang else d.get("datatype") or XSD_STRING, lang or None)
    raise ValueError(f"unsupported SPARQL JSON term type {kind!r}")


def parse_json(text: str | bytes) -> Result:
    """Read SPARQL 1.1 Query Results JSON (plain literals get datatype xsd:string, as the store gives)."""
    data = json.loads(text)
    if "boolean" in data:
        return Result("ask", boolean=bool(data["boolean"]))
    names = list(data.get("head", {}).get("vars", []))
    rows = []
    for b in data.get("results", {}).get("bindings", []):
        for extra in b.keys() - set(names):
            names.append(extra)
        rows.append(tuple(_from_json_term(b[v]) if v in b else None for v in names))
    width = len(names)
    return Result("select", names, [r + (None,) * (width - len(r)) for r in rows])


def parse_xml(text: str | bytes) -> Result:
    """Read SPARQL Query Results XML."""
    root = ElementTree.fromstring(text)
    ns = f"{{{SRX}}}"
    boolean = root.find(f"{ns}boolean")
    if boolean is not None:
        return Result("ask", boolean=(boolean.text or "").strip() == "true")
    names = [v.get("name") for v in root.iterfind(f"{ns}head/{ns}variable")]
    rows = []
    for res in root.iterfind(f"{ns}results/{ns}result"):
        values: dict[str, Term] = {}
        for b in res.iterfind(f"{ns}binding"):
            el = b[0]
            tag = el.tag[len(ns):] if el.tag.startswith(ns) else el.tag
            value = el.text or ""
            if tag == "uri":
                values[b.get("name")] = Term("iri", value)
            elif tag == "bnode":
                values[b.get("name")] = Term("bnode", value)
            else:
                lang = el.get("{http://www.w3.org/XML/1998/namespace}lang")
                values[b.get("name")] = Term("literal", value, None if lang else el.get("datatype", XSD_STRING), lang)
        rows.append(tuple(values.get(v) for v in names))
    return Result("select", names, rows)


_TSV_TERM_RE = re.compile(
    r'<(?P<iri>[^>]*)>'
    r'|_:(?P<bnode>\S+)'
    r'|"(?P<lit>(?:[^"\\]|\\.)*)"(?:@(?P<lang>[A-Za-z0-9\-]+)|\^\^<(?P<dt>[^>]*)>)?'
    r'|(?P<num>[+-]?(?:\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?))'
    r'|(?P<bool>true|false)\Z'
)
_UNESC = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(s: str) -> str:
    def one(m: re.Match) -> str:
        e = m.group(1)
        if e[0] in "uU":
            return chr(int(e[1:], 16))
        return _UNESC.get(e, e)

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", one, s)


def _tsv_term(field: str) -> Term | None:
    if field == "":
        return None
    m = _TSV_TERM_RE.fullmatch(field)
    if not m:
        raise ValueError(f"cannot read TSV term {field[:60]!r}")
    if m.group("iri") is not None:
        return Term("iri", _unescape(m.group("iri")))
    if m.group("bnode") is not None:
        return Term("bnode", m.group("bnode"))
    if m.group("lit") is not None:
        lang = m.group("lang")
        dt = m.group("dt")
        return Term("literal", _unescape(m.group("lit")), None if lang else (_unescape(dt) if dt else XSD_STRING), lang)
    if m.group("bool") is not None:
        return Term("literal", field, XSD + "boolean")
    num = m.group("num")
    dt = "integer" if re.fullmatch(r"[+-]?\d+", num) else ("double" if "e" in num.lower() else "decimal")
    return Term("literal", num, XSD + dt)


def parse_tsv(text: str | bytes) -> Result:
    """Read SPARQL 1.1 Query Results TSV (an ``?_askResult`` column reads as an ASK result)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    if not lines:
        return Result("select")
    names = [v[1:] if v[:1] in "?$" else v for v in lines[0].split("\t")] if lines[0] else []
    if names == ["_askResult"] and len(lines) == 2:
        return Result("ask", boolean=lines[1].strip() == "true")
    rows = []
    for ln in lines[1:]:
        fields = ln.split("\t") if names else []
        fields += [""] * (len(names) - len(fields))
        rows.append(tuple(_tsv_term(f) for f in fields[: len(names)]))
    return Result("select", names, rows)


PARSERS = {"json": parse_json, "xml": parse_xml, "tsv": parse_tsv}


def parse(text: str | bytes, fmt: str) -> Result:
    """Read a SELECT/ASK result in ``json``, ``xml`` or ``tsv`` (a format name or media type)."""
    name = format_name(fmt)
    if name not in PARSERS:
        raise ValueError(f"cannot read SPARQL results as {fmt!r} (readable: {', '.join(PARSERS)})")
    return PARSERS[name](text)
