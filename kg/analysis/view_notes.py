"""What a view records about itself: its title and filters, why it is empty, what pruning left out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.analysis.view_spec import ACTOR_VIEWS, TITLES, ViewSpec

if TYPE_CHECKING:
    import networkx as nx


def finish_view(g, spec: ViewSpec, n_rows: int, omitted: dict) -> nx.Graph:
    """Record on ``g.graph`` what the view shows: title, focus, filters, assertions, what was left out."""
    view = spec.view
    title = TITLES[view] + (f": {spec.focus_label}" if spec.focus_label else "")
    empty = empty_note(g, spec, n_rows, omitted)
    left_out = omission_note(g, omitted, n_rows, view)
    g.graph.update(view=view, title=title, focus=spec.focus or "", focus_label=spec.focus_label or "",
                   depth=spec.depth if view == "actor" else 0, filters=spec.filters.describe(),
                   assertions=n_rows, omitted=omitted, empty=empty,
                   note=" ".join(t for t in (empty, left_out) if t))
    return g


def empty_note(g, spec: ViewSpec, n_rows: int, omitted: dict | None = None) -> str:
    """Why a view draws nothing (an actor–actor view: no edge), in one sentence; '' when it draws something.

    >>> empty_note(nx.Graph(), ViewSpec("conflict"), 12)            # doctest: +SKIP
    'No two actors hold opposite stances on one target, so there is no conflict to draw.'
    """
    filters = spec.filters
    under = f" match the filters ({filters.describe()})" if filters else " are in the store"
    if n_rows == 0:
        if spec.view == "topic" and spec.focus_label:
            return f"No assertions on {spec.focus_label}{under}."
        if spec.view == "actor" and spec.focus_label:
            return f"No assertions by or about {spec.focus_label}{under}."
        return f"No assertions{under}."
    pruned = bool(omitted and (omitted.get("nodes") or omitted.get("edges")))
    who = f"of the {g.number_of_nodes():,} actors shown " if pruned else ""
    among = f" among the assertions that match the filters ({filters.describe()})" if filters else ""
    if spec.view == "congruence" and g.number_of_edges() == 0:
        return f"No two actors {who}share a (target, stance) pair{among}, so there is no congruence to draw."
    if spec.view == "conflict" and g.number_of_edges() == 0:
        return f"No two actors {who}hold opposite stances on one target{among}, so there is no conflict to draw."
    return ""


def omission_note(g, omitted: dict, n_rows: int, view: str) -> str:
    """One sentence saying what a pruned view leaves out (empty when nothing is)."""
    if n_rows == 0:
        return ""
    if not (omitted["nodes"] or omitted["edges"]):
        return ""
    what = "actors" if view in ACTOR_VIEWS else "nodes"
    parts = []
    if omitted["nodes"]:
        parts.append(f"showing {g.number_of_nodes():,} {what}; {omitted['nodes']:,} less connected {what} left out")
    if omitted["edges"]:
        parts.append(f"{omitted['edges']:,} lighter edges hidden")
    if omitted["assertions"]:
        parts.append(f"{omitted['assertions']:,} of {n_rows:,} assertions not shown")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + ". Narrow the view with filters or raise --max-nodes to see more."
