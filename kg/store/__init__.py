"""The RDF store: one interface (``Store``) over Oxigraph on disk or in memory, rdflib in
memory and remote SPARQL endpoints (Oxigraph server, Virtuoso), with SPARQL result formats,
the versioned on-disk layout and the writer lock. It knows RDF and SPARQL, not the debate."""

from __future__ import annotations

# What the other layers use; they import it from here, never from a module of this package,
# so the package's inside can be rearranged freely.
_FACE = {
    "kg.store.oxigraph": {"EXPORT_FORMATS", "MEMORY", "MemoryStore", "OxigraphStore", "PROJECTION_FILE", "Result",
                          "Store", "Term", "is_update", "open_store", "replace_store", "store_location"},
}


def __getattr__(name: str):
    # Lazily, so importing kg.store.dirs (say) does not load Oxigraph.
    for module, names in _FACE.items():
        if name in names:
            from importlib import import_module

            return getattr(import_module(module), name)
    raise AttributeError(f"module 'kg.store' has no attribute {name!r}")
