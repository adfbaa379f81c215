"""Assertion rows → networkx graphs, one per view, with the filters every view shares.

The rows come from the shipped ``assertions`` query (or the store's row
projection), fetched once; filtering, projection and pruning happen in Python,
so the actor–actor projections never become a SPARQL self-join (which does not
scale to a million assertions). Those two views are built in
:mod:`kg.analysis.actor_views` from per-(actor, target, stance) summaries, which a row
projection computes in SQLite without fetching every assertion.

Views
    ``stance``      actors → targets (MultiDiGraph, one edge per actor, target and stance)
    ``congruence``  actor–actor; weight = number of (target, stance) pairs both hold
    ``conflict``    actor–actor; weight = number of targets one supports and the other opposes
                    (hesitant, divided and neutral contradict nothing)
    ``actor``       the ego network of one actor in the stance view (``depth`` hops, either direction)
    ``topic``       the stance view restricted to one target

Every edge carries ``stance``, ``certainty``, ``weight``, ``n_quotes`` and
``quotes`` (a list of :data:`~kg.analysis.rows.QUOTE_KEYS` dicts, at most :data:`~kg.analysis.view_spec.MAX_QUOTES`);
every node ``label``, ``type``, ``kind``, ``activity`` (assertions it takes part in) and
``community`` (1 = the largest Leiden community, 0 = none).

The parts: rows and filters in :mod:`kg.analysis.rows`, the view spec in
:mod:`kg.analysis.view_spec`, the stance graph in :mod:`kg.analysis.stance_view`,
communities and pruning in :mod:`kg.analysis.pruning`, the notes a view carries in
:mod:`kg.analysis.view_notes`; this module puts them together.

>>> g = view_graph(store, "congruence")                      # doctest: +SKIP
>>> g.edges[poland, baltic_states]["shared"]                  # doctest: +SKIP
['supports Deployment of foreign troops to Ukraine']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from kg.analysis.actor_views import actor_view
from kg.analysis.holdings import Holdings, open_holdings
from kg.analysis.pruning import assign_communities, reduce_graph
from kg.analysis.rows import Filters, Row, fetch_rows, filter_rows
from kg.analysis.stance_view import _activity, _finish_stance_edges, _nx, _stance_edges
from kg.analysis.view_notes import finish_view
from kg.analysis.view_spec import ACTOR_VIEWS, MAX_QUOTES, ViewSpec, _check_spec, resolve_spec

if TYPE_CHECKING:  # networkx is imported lazily: the CLI must start fast
    import networkx as nx

    from kg.store import Store


def build_view(rows: Sequence[Row], spec: ViewSpec, *, networkx: bool = True) -> nx.Graph:
    """The graph of one view over ``rows`` (already fetched): filter, project, prune, colour.

    The actor–actor views are drawn from the rows' holdings (see :mod:`kg.analysis.actor_views`);
    the others keep the nodes of highest weighted degree and the heaviest edges.
    ``graph.graph`` says what was left out (``omitted``, ``note``). ``networkx=False``: an actor–actor
    view may come as a :class:`~kg.analysis.small_graph.SmallGraph`, what a page reads of a networkx
    graph, without importing networkx.
    """
    view = _check_spec(spec)
    rows = filter_rows(rows, spec.filters)
    if view in ACTOR_VIEWS:
        return actor_view(Holdings.from_rows(rows), spec, graph=_graph_type(networkx))
    if view == "topic":
        rows = [r for r in rows if r.target == spec.focus]
    n_rows = len(rows)  # the assertions this view draws from (for an ego network: set below)
    omitted = {"nodes": 0, "edges": 0, "assertions": 0}
    g = _stance_edges(rows)
    _activity(g, rows)
    if view == "actor":
        if spec.focus not in g:
            g.add_node(spec.focus, label=spec.focus_label or spec.focus, type="Actor", kind="actor", activity=0)
        nx = _nx()
        g = nx.MultiDiGraph(nx.ego_graph(g, spec.focus, radius=spec.depth, undirected=True))
    elif view == "topic" and spec.focus not in g:
        g.add_node(spec.focus, label=spec.focus_label or spec.focus, type="Topic", kind="topic", activity=0)
    total = sum(d["weight"] for *_, d in g.edges(keys=True, data=True))
    if view == "actor":
        n_rows = total
    left = reduce_graph(g, spec.max_nodes, spec.max_edges, keep=[spec.focus] if spec.focus else [])
    omitted["nodes"] += left["nodes"]
    omitted["edges"] += left["edges"]
    omitted["assertions"] = total - sum(d["weight"] for *_, d in g.edges(keys=True, data=True))
    _finish_stance_edges(g, spec.quotes, spec.max_quotes)
    assign_communities(g)
    return finish_view(g, spec, n_rows, omitted)


def view_graph(store: Store, view: str = "stance", name: str | None = None, *, depth: int = 2,
               filters: Filters | None = None, max_nodes: int | None = None, max_edges: int | None = None,
               rows: Sequence[Row] | None = None, max_quotes: int = MAX_QUOTES, networkx: bool = True) -> nx.Graph:
    """The graph of ``view`` over the store's assertions (``rows`` when already fetched); ``networkx``: as
    for :func:`build_view`."""
    spec = resolve_spec(store, view, name, depth=depth, filters=filters, max_nodes=max_nodes, max_edges=max_edges)
    spec = replace(spec, max_quotes=max_quotes)
    if rows is not None:
        return build_view(rows, spec, networkx=networkx)
    return spec_graph(store, spec, networkx=networkx)


def spec_graph(store: Store, spec: ViewSpec, *, networkx: bool = True) -> nx.Graph:
    """The graph of a resolved view over the store; actor–actor views read holdings, not rows."""
    if _check_spec(spec) in ACTOR_VIEWS:
        with open_holdings(store, spec.filters) as hs:
            return actor_view(hs, spec, graph=_graph_type(networkx))
    return build_view(fetch_rows(store, spec.filters), spec)


def _graph_type(networkx: bool):
    """What an actor–actor view is built in: networkx's Graph (None, the default), or a SmallGraph."""
    if networkx:
        return None
    from kg.analysis.small_graph import SmallGraph

    return SmallGraph
