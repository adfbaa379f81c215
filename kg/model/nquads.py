"""N-Quads, the interchange every store backend loads: terms and quads as text, and RDF
files (Turtle) as N-Quads with their blank nodes replaced by stable IRIs."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kg.model.namespaces import KGR

_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_ESC_RE = re.compile(r'[\\"\n\r]')
# Characters N-Quads forbids inside an IRI; untrusted IRIs (e.g. a front-matter url) are percent-encoded.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri(value: str) -> str:
    """An IRI term in N-Quads syntax, percent-encoding characters N-Quads forbids."""
    return "<" + _BAD_IRI.sub(lambda m: "%%%02X" % ord(m.group()), value) + ">"


def literal(value: object, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal term in N-Quads syntax, escaped."""
    text = _ESC_RE.sub(lambda m: _ESC[m.group()], str(value))
    if lang:
        return f'"{text}"@{lang}'
    if datatype:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


def quad(s: str, p: str, o: str, g: str) -> str:
    """One N-Quads line from already serialised subject/object terms and a graph IRI."""
    return f"{s} <{p}> {o} <{g}> .\n"



def skolemised_nquads(path: str | Path, graph: str) -> bytes:
    """An RDF file as N-Quads in ``graph``, its blank nodes replaced by stable IRIs."""
    from kg.model.errors import InputError

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(e.strerror or "cannot read", path) from None
    return _skolemised(data, str(path), graph)


@lru_cache(maxsize=32)
def _skolemised(data: bytes, path_text: str, graph: str) -> bytes:
    # Cached on the content: a build parses each reference file once, not once per store.
    import hashlib

    import pyoxigraph as ox

    from kg.model.errors import InputError

    path = Path(path_text)
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    base = f"{KGR}genid/{hashlib.sha256(data).hexdigest()[:16]}/"
    names: dict[str, object] = {}
    g = ox.NamedNode(graph)

    def skolem(t):
        if isinstance(t, ox.BlankNode):
            if t.value not in names:
                names[t.value] = ox.NamedNode(base + str(len(names)))
            return names[t.value]
        return t

    try:
        quads = [ox.Quad(skolem(t.subject), t.predicate, skolem(t.object), g)
                 for t in ox.parse(data, format=fmt, base_iri=path.resolve().as_uri())]
    except SyntaxError as e:
        raise InputError(f"bad RDF: {_one_line(e)}", path) from None
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)



def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())[:300]
