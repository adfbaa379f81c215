"""kg: a knowledge graph of political actors and their positions.

The public Python API (each name is loaded on first use, so ``import kg`` stays light)::

    import kg

    store = kg.MemoryStore()                   # or kg.open_store(".kg")
    kg.build(["seeds/"], store)                # curated + extracted assertions -> RDF
    kg.stance(store, "Poland")                 # rows: stance, target, certainty, speaker, quote, doc
    kg.who(store, "ukraine-membership")        # actors by stance on a topic
    g = kg.view(store, "congruence")           # a networkx graph of one view
    html = kg.render_html(kg.to_pyvis(g))      # a self-contained, offline page
    run = kg.extract(["articles/"])            # assertions found in texts, without a store
    kg.evaluate("gold.jsonl", ["articles/"])   # P, R, F1 as ../shared/gold/score.py counts them
"""

from __future__ import annotations

__version__ = "0.1.0"

# name -> (module, attribute): the library's one public face; everything else is internal.
_API = {
    "build": ("kg.graph.build", "build"),
    "remove": ("kg.graph.build", "remove"),
    "open_store": ("kg.store", "open_store"),
    "MemoryStore": ("kg.store", "MemoryStore"),
    "OxigraphStore": ("kg.store", "OxigraphStore"),
    "stance": ("kg.analysis.positions", "stance"),
    "who": ("kg.analysis.positions", "who"),
    "view": ("kg.analysis.views", "view_graph"),
    "to_pyvis": ("kg.web.pages", "to_pyvis"),
    "render_html": ("kg.web.pages", "render_html"),
    "extract": ("kg.extraction", "extract_paths"),
    "evaluate": ("kg.extraction.scoring", "evaluate_paths"),
    "PREFIXES": ("kg.model.namespaces", "PREFIXES"),
}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    from importlib import import_module

    module, attr = _API[name]
    value = getattr(import_module(module), attr)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
