"""The RDF store: one interface (``Store``) over Oxigraph on disk or in memory, rdflib in
memory and remote SPARQL endpoints (Oxigraph server, Virtuoso), with SPARQL result formats,
the versioned on-disk layout and the writer lock. It knows RDF and SPARQL, not the debate.

Inside: ``base`` (the interface, ``Term``, ``Result``), ``oxigraph``, ``memory`` and ``remote/``
(the backends), ``opening`` (an address to a store), ``sparql_results/`` (result formats),
``sparql_errors`` and ``sparql_scan`` (checks on query text), ``dirs``, ``locking`` and ``loaders``
(the on-disk store's versions, writer lock and bulk loads)."""

from __future__ import annotations

# What the other layers use; they import it from here, never from a module of this package,
# so the package's inside can be rearranged freely.
_FACE = {
    "kg.store.base": {"EXPORT_FORMATS", "MEMORY", "PROJECTION_FILE", "Result", "Store", "Term", "is_update"},
    "kg.store.oxigraph": {"OxigraphStore"},
    "kg.store.memory": {"MemoryStore"},
    "kg.store.opening": {"open_store", "replace_store", "store_location"},
}


def __getattr__(name: str):
    # Lazily, so importing kg.store.dirs (say) does not load Oxigraph.
    for module, names in _FACE.items():
        if name in names:
            from importlib import import_module

            return getattr(import_module(module), name)
    raise AttributeError(f"module 'kg.store' has no attribute {name!r}")
