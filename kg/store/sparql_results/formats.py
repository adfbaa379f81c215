"""The result formats by name and media type, the IRIs they share, and content negotiation (HTTP Accept)."""

from __future__ import annotations

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
