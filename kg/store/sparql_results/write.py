"""Results written out: SELECT/ASK as SPARQL 1.1 Query Results JSON, XML, CSV or TSV; graphs of
:class:`~kg.store.base.Term` triples as Turtle or N-Triples."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape as _xml_escape, quoteattr as _xml_attr

from kg.store.base import Result, Term
from kg.store.sparql_results.formats import RDF_LANGSTRING, SRX, XSD, XSD_STRING, format_name


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
