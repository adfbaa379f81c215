"""The RDF store: one interface (``Store``) over Oxigraph on disk or in memory, rdflib in
memory and remote SPARQL endpoints (Oxigraph server, Virtuoso), with SPARQL result formats,
the versioned on-disk layout and the writer lock. It knows RDF and SPARQL, not the debate."""

from __future__ import annotations

_FACE = {"Store", "OxigraphStore", "MemoryStore", "Result", "Term", "open_store", "store_location"}


def __getattr__(name: str):
    # Lazily, so importing kg.store.dirs (say) does not load Oxigraph.
    if name in _FACE:
        from kg.store import oxigraph

        return getattr(oxigraph, name)
    raise AttributeError(name)
