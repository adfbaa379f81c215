"""Which view to draw, of what, and how much of it: the view names and :class:`ViewSpec`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.analysis.rows import Filters
from kg.model.errors import InputError, UnknownNameError

if TYPE_CHECKING:
    from kg.store import Store

VIEWS = ("stance", "congruence", "conflict", "actor", "topic")
ACTOR_VIEWS = ("congruence", "conflict")  # actor–actor projections
MAX_QUOTES = 50  # per edge; n_quotes keeps the full count
TITLES = {
    "stance": "Stances: actors → targets",
    "congruence": "Congruence: actors who share (target, stance) pairs",
    "conflict": "Conflict: actors with opposite stances on the same target",
    "actor": "Ego network",
    "topic": "Who stands where",
}


@dataclass(frozen=True)
class ViewSpec:
    """Which view to draw, of what, and how much of it."""

    view: str = "stance"
    focus: str | None = None  # actor IRI (actor view) or target IRI (topic view)
    focus_label: str | None = None
    depth: int = 2
    filters: Filters = field(default_factory=Filters)
    max_nodes: int | None = None
    max_edges: int | None = None
    quotes: bool = True  # False: edges carry n_quotes but no quotes (analyses need none)
    max_quotes: int = MAX_QUOTES  # per edge (a page embeds fewer)


def check_view(view: str) -> str:
    v = (view or "").strip().lower()
    if v not in VIEWS:
        raise UnknownNameError("view", view, difflib.get_close_matches(v, VIEWS) or list(VIEWS))
    return v


def _check_spec(spec: ViewSpec) -> str:
    view = check_view(spec.view)
    if spec.depth < 1:
        raise InputError(f"--depth must be at least 1 (got {spec.depth})")
    if spec.max_nodes is not None and spec.max_nodes < 1:
        raise InputError(f"--max-nodes must be at least 1 (got {spec.max_nodes})")
    return view


def resolve_spec(store: Store, view: str, name: str | None = None, *, depth: int = 2,
                 filters: Filters | None = None, max_nodes: int | None = None,
                 max_edges: int | None = None) -> ViewSpec:
    """A :class:`ViewSpec` with ``name`` resolved to an actor (actor view) or target (topic view)."""
    from kg.ingest.reference import Reference

    view = check_view(view)
    focus = label = None
    if view in ("actor", "topic"):
        if not name:
            raise InputError(f"the {view} view needs a name (of the {'actor' if view == 'actor' else 'topic or target'} "
                             "at its centre)")
        ref = Reference.from_store(store)
        if view == "actor":
            a = ref.resolve_actor(name)
            focus, label = a.iri, a.label
        else:
            t = ref.resolve_target(name)
            focus, label = t.iri, t.label
    elif name:
        raise InputError(f"the {view} view takes no name (got {name!r}); did you mean --view actor or --view topic?")
    return ViewSpec(view, focus, label, depth, filters or Filters(), max_nodes, max_edges)
