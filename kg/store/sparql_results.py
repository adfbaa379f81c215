"""SPARQL 1.1 result formats for a :class:`kg.store.oxigraph.Result`: write and read, standard library only.

Tabular results (SELECT rows, ASK booleans) are written as SPARQL 1.1 Query
Results JSON, XML, CSV or TSV; graphs (CONSTRUCT, DESCRIBE) as Turtle or
N-Triples from plain :class:`~kg.store.oxigraph.Term` triples.  JSON, XML and TSV can be
read back into a :class:`~kg.store.oxigraph.Result` (CSV drops term types, so it is
write-only here).

>>> from kg.store.oxigraph import Result, Term
>>> r = Result("select", ["x"], [(Term.iri("http://a"),), (None,)])
>>> to_json(r)
'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"uri","value":"http://a"}},{}]}}'
>>> parse_json(to_json(r)) == r
True
>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "select")
'xml'
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from xml.etree import ElementTree
from xml.sax.saxutils import escape as _xml_escape, quoteattr as _xml_attr

from kg.store.oxigraph import Result, Term

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SRX = "http://www.w3.org/2005/sparql-results#"

#: Format name -> media type.
MEDIA_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
}
#: Formats for SELECT/ASK results and for CONSTRUCT/DESCRIBE graphs, preferred first.
TABULAR_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "ntriples")

# Other spellings accepted in Accept headers and ``format=`` values.
_ALIASES: dict[str, str] = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",
    "text/plain": "ntriples",
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "tab": "tsv",
}


def format_name(name_or_media_type: str) -> str | None:
    """``json``/``csv``/… for a format name, file extension or media type; None when unknown."""
    key = name_or_media_type.split(";")[0].strip().lower()
    if key in MEDIA_TYPES:
        return key
    for fmt, media in MEDIA_TYPES.items():
        if key == media:
            return fmt
    return _ALIASES.get(key)


def formats_for(kind: str) -> tuple[str, ...]:
    """The formats a result of ``kind`` (select, ask, graph) can be written in."""
    return GRAPH_FORMATS if kind == "graph" else TABULAR_FORMATS


def content_type(fmt: str) -> str:
    """The Content-Type header value for a format (text formats carry charset=utf-8)."""
    return MEDIA_TYPES[fmt] + "; charset=utf-8"


def _accept_ranges(accept: str) -> list[tuple[str, float, int]]:
    ranges = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, i))
    return ranges


def negotiate(accept: str | None, kind: str) -> str | None:
    """The best format for a result of ``kind`` under an HTTP Accept header; None when nothing fits.

    No header (or ``*/*``) gives JSON for SELECT/ASK and Turtle for graphs.  Among
    equally weighted types the more specific range wins, then the server's order.
    """
    candidates = formats_for(kind)
    if not accept or not accept.strip():
        return candidates[0]
    best: tuple[float, int, int] | None = None
    choice = None
    for rank, fmt in enumerate(candidates):
        media = MEDIA_TYPES[fmt]
        names = {media} | {a for a, f in _ALIASES.items() if f == fmt and "/" in a}
        top = None  # (q, specificity) of the most specific matching range
        for rng, q, _ in _accept_ranges(accept):
            if rng in names:
                spec = 2
            elif rng.endswith("/*") and media.startswith(rng[:-1]):
                spec = 1
            elif rng == "*/*":
                spec = 0
            else:
                continue
            if top is None or spec > top[1]:
                top = (q, spec)
        if top is None or top[0] <= 0:
            continue
        key = (top[0], top[1], -rank)
        if best is None or key > best:
            best, choice = key, fmt
    return choice


# --- terms -------------------------------------------------------------------------------------

_NT_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NT_ESC_RE = re.compile(r'[\\"\n\r\t\b\f]')
_IRI_BAD_RE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_NUMBER_RE = {
    XSD + "integer": re.compile(r"[+-]?\d+\Z"),
    XSD + "decimal": re.compile(r"[+-]?\d*\.\d+\Z"),
    XSD + "double": re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)[eE][+-]?\d+\Z"),
    XSD + "boolean": re.compile(r"(true|false)\Z"),
}


def _nt_string(value: str) -> str:
    return '"' + _NT_ESC_RE.sub(lambda m: _NT_ESC[m.group()], value) + '"'


def _nt_iri(value: str) -> str:
    return "<" + _IRI_BAD_RE.sub(lambda m: "\\u%04X" % ord(m.group()), value) + ">"


def term_to_nt(term: Term, *, short_numbers: bool = False) -> str:
    """A term in N-Triples syntax (Turtle's bare numbers and booleans with ``short_numbers``)."""
    if term.kind == "iri":
        return _nt_iri(term.value)
    if term.kind == "bnode":
        return "_:" + (re.sub(r"[^A-Za-z0-9_]", "_", term.value) or "b")
    if term.lang:
        return f"{_nt_string(term.value)}@{term.lang}"
    if term.datatype and term.datatype not in (XSD_STRING, RDF_LANGSTRING):
        pattern = _NUMBER_RE.get(term.datatype)
        if short_numbers and pattern and pattern.match(term.value):
            return term.value
        return f"{_nt_string(term.value)}^^{_nt_iri(term.datatype)}"
    return _nt_string(term.value)


def _json_term(term: Term) -> dict[str, str]:
    if term.kind == "iri":
        return {"type": "uri", "value": term.value}
    if term.kind == "bnode":
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.lang:
        out["xml:lang"] = term.lang
    elif term.datatype and term.datatype != XSD_STRING:
        out["datatype"] = term.datatype
    return out


# --- writers -----------------------------------------------------------------------------------

def _check_tabular(result: Result, fmt: str) -> None:
    if result.kind == "graph":
        raise ValueError(f"a graph result cannot be written as {fmt}; use turtle or ntriples")


def to_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    _check_tabular(result, "json")
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}, separators=(",", ":"))
    bindings = [{v: _json_term(t) for v, t in zip(result.vars, row) if t is not None} for row in result.rows]
    return json.dumps({"head": {"vars": list(result.vars)}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":"))


# XML 1.0 cannot carry most C0 controls, even escaped; they become U+FFFD.
_XML_BAD_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _xml_escape(_XML_BAD_RE.sub("\ufffd", value))


def to_xml(result: Result) -> str:
    """SPARQL Query Results XML."""
    _check_tabular(result, "xml")
    out = ['<?xml version="1.0" encoding="utf-8"?>\n', f'<sparql xmlns="{SRX}">\n']
    if result.kind == "ask":
        out.append(f"<head/>\n<boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n")
        return "".join(out)
    out.append("<head>")
    out.extend(f"<variable name={_xml_attr(v)}/>" for v in result.vars)
    out.append("</head>\n<results>\n")
    for row in result.rows:
        out.append("<result>")
        for v, t in zip(result.vars, row):
            if t is None:
                continue
            out.append(f"<binding name={_xml_attr(v)}>")
            if t.kind == "iri":
                out.append(f"<uri>{_xml_text(t.value)}</uri>")
            elif t.kind == "bnode":
                out.append(f"<bnode>{_xml_text(t.value)}</bnode>")
            elif t.lang:
                out.append(f"<literal xml:lang={_xml_attr(t.lang)}>{_xml_text(t.value)}</literal>")
            elif t.datatype and t.datatype != XSD_STRING:
                out.append(f"<literal datatype={_xml_attr(t.datatype)}>{_xml_text(t.value)}</literal>")
            else:
                out.append(f"<literal>{_xml_text(t.value)}</literal>")
            out.append("</binding>")
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out)


def to_csv(result: Result) -> str:
    """SPARQL 1.1 Query Results CSV (plain values, CRLF); ASK is one ``_askResult`` column."""
    _check_tabular(result, "csv")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if result.kind == "ask":
        w.writerows([["_askResult"], ["true" if result.boolean else "false"]])
        return buf.getvalue()
    w.writerow(result.vars)
    for row in result.rows:
        w.writerow(["" if t is None else ("_:" + t.value if t.kind == "bnode" else t.value) for t in row])
    return buf.getvalue()


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV (terms in Turtle syntax, ``?var`` header)."""
    _check_tabular(result, "tsv")
    if result.kind == "ask":
        return "?_askResult\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join("?" + v for v in result.vars)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else term_to_nt(t, short_numbers=True) for t in row))
    return "\n".join(lines) + "\n"


def ntriples(triples: Iterable[tuple[Term, Term, Term]]) -> str:
    """Triples of :class:`Term` as N-Triples."""
    return "".join(f"{term_to_nt(s)} {term_to_nt(p)} {term_to_nt(o)} .\n" for s, p, o in triples)


_PN_LOCAL_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?\Z")


def turtle(triples: Iterable[tuple[Term, Term, Term]], prefixes: Mapping[str, str] | None = None) -> str:
    """Triples of :class:`Term` as Turtle, subjects grouped, IRIs shortened with ``prefixes`` where safe."""
    prefixes = dict(prefixes or {})
    by_len = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
    used: set[str] = set()

    def node(t: Term, predicate: bool = False) -> str:
        if t.kind == "iri":
            if predicate and t.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
                return "a"
            for name, ns in by_len:
                if t.value.startswith(ns) and _PN_LOCAL_RE.match(t.value[len(ns):]):
                    used.add(name)
                    return f"{name}:{t.value[len(ns):]}"
        if t.kind == "literal" and t.datatype and not t.lang and t.datatype != XSD_STRING:
            if _NUMBER_RE.get(t.datatype) and _NUMBER_RE[t.datatype].match(t.value):
                return t.value
            return _nt_string(t.value) + "^^" + node(Term.iri(t.datatype))
        return term_to_nt(t)

    body: list[str] = []
    subject = None
    for s, p, o in triples:
        if s != subject:
            if subject is not None:
                body.append(" .\n")
            body.append(f"{node(s)} {node(p, True)} {node(o)}")
            subject = s
        else:
            body.append(f" ;\n    {node(p, True)} {node(o)}")
    if subject is not None:
        body.append(" .\n")
    head = "".join(f"@prefix {name}: {_nt_iri(prefixes[name])} .\n" for name in sorted(used))
    return head + ("\n" if head and body else "") + "".join(body)


def serialize(result: Result, fmt: str) -> str:
    """A SELECT/ASK result as ``json``, ``xml``, ``csv`` or ``tsv``; a graph result as ``turtle`` (its text)."""
    fmt = format_name(fmt) or fmt
    if result.kind == "graph":
        if fmt == "turtle":
            return result.graph or ""
        raise ValueError(f"a graph result cannot be written as {fmt}; use turtle")
    writers = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}
    if fmt not in writers:
        raise ValueError(f"unknown result format {fmt!r} (choose from {', '.join(writers)})")
    return writers[fmt](result)


# --- readers -----------------------------------------------------------------------------------

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
