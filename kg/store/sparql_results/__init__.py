"""SPARQL 1.1 result formats for a :class:`kg.store.base.Result`: write and read, standard library only.

Tabular results (SELECT rows, ASK booleans) are written as SPARQL 1.1 Query
Results JSON, XML, CSV or TSV; graphs (CONSTRUCT, DESCRIBE) as Turtle or
N-Triples from plain :class:`~kg.store.base.Term` triples.  JSON, XML and TSV can be
read back into a :class:`~kg.store.base.Result` (CSV drops term types, so it is
write-only here).

The parts: :mod:`~kg.store.sparql_results.formats` (names, media types, negotiation),
:mod:`~kg.store.sparql_results.write` and :mod:`~kg.store.sparql_results.read`; the names
below are theirs, gathered for callers outside the store package.

>>> from kg.store.base import Result, Term
>>> r = Result("select", ["x"], [(Term.iri("http://a"),), (None,)])
>>> to_json(r)
'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"uri","value":"http://a"}},{}]}}'
>>> parse_json(to_json(r)) == r
True
>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "select")
'xml'
"""

from __future__ import annotations

from kg.store.sparql_results.formats import (
    GRAPH_FORMATS,
    MEDIA_TYPES,
    RDF_LANGSTRING,
    SRX,
    TABULAR_FORMATS,
    XSD,
    XSD_STRING,
    content_type,
    format_name,
    formats_for,
    negotiate,
)
from kg.store.sparql_results.read import PARSERS, parse, parse_json, parse_tsv, parse_xml
from kg.store.sparql_results.write import (
    ntriples,
    serialize,
    term_to_nt,
    to_csv,
    to_json,
    to_tsv,
    to_xml,
    turtle,
)

__all__ = [
    "GRAPH_FORMATS",
    "MEDIA_TYPES",
    "PARSERS",
    "RDF_LANGSTRING",
    "SRX",
    "TABULAR_FORMATS",
    "XSD",
    "XSD_STRING",
    "content_type",
    "format_name",
    "formats_for",
    "negotiate",
    "ntriples",
    "parse",
    "parse_json",
    "parse_tsv",
    "parse_xml",
    "serialize",
    "term_to_nt",
    "to_csv",
    "to_json",
    "to_tsv",
    "to_xml",
    "turtle",
]
