"""Communities and pruning of view graphs: colour the nodes by coalition, and cut a large graph to its
strongest nodes and edges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kg.analysis.stance_view import _nx
from kg.model.namespaces import CERTAINTY_RANK

if TYPE_CHECKING:
    import networkx as nx

BACKBONE = 2  # when edges are cut, each node keeps at least its strongest few


def communities(g) -> list[list[str]]:
    """Communities of ``g`` (undirected, weighted) maximising modularity, largest first; deterministic
    (Leiden seeded with 0, in igraph's C core: :func:`kg.analysis.graph_analysis.communities`)."""
    from kg.analysis.graph_analysis import communities as leiden

    groups = leiden(undirected_simple(g), seed=0)
    label = lambda n: str(g.nodes[n].get("label", n))  # noqa: E731
    ordered = [sorted(c, key=lambda n: (label(n), n)) for c in groups]
    ordered.sort(key=lambda c: (-len(c), label(c[0]), c[0]))
    return ordered


def undirected_simple(g) -> nx.Graph:
    """``g`` as a simple undirected graph, parallel edges merged by summing ``weight``."""
    if not g.is_multigraph() and not g.is_directed():
        return g
    h = _nx().Graph()
    h.add_nodes_from(g.nodes(data=True))
    for u, v, d in g.edges(data=True):
        w = d.get("weight", 1)
        if h.has_edge(u, v):
            h[u][v]["weight"] += w
        elif u != v:
            h.add_edge(u, v, weight=w)
    return h


def assign_communities(g, groups: list[list[str]] | None = None) -> None:
    """Set node attribute ``community`` (1 = the largest; 0 = none) from ``groups`` or :func:`communities`."""
    groups = communities(g) if groups is None else groups
    for n in g:
        g.nodes[n]["community"] = 0
    for i, c in enumerate(groups, start=1):
        for n in c:
            if n in g:
                g.nodes[n]["community"] = i


def weighted_degree(g) -> dict[str, float]:
    return {n: float(d) for n, d in g.degree(weight="weight")}


def reduce_graph(g, max_nodes: int | None = None, max_edges: int | None = None, keep: Iterable[str] = ()) -> dict:
    """Keep the ``max_nodes`` nodes of highest weighted degree and ``max_edges`` edges, in place.

    The edges kept are each node's :data:`BACKBONE` strongest, then the heaviest of
    the rest. Nodes in ``keep`` (an ego network's centre) always stay. Returns what
    was left out.
    """
    left = {"nodes": 0, "edges": 0}
    keep = {k for k in keep if k in g}
    if max_nodes is not None and g.number_of_nodes() > max_nodes:
        deg = weighted_degree(g)
        ranked = sorted(g, key=lambda n: (n not in keep, -deg[n], str(g.nodes[n].get("label", n)), n))
        drop = ranked[max(max_nodes, len(keep)):]
        before = g.number_of_edges()
        g.remove_nodes_from(drop)
        left["nodes"] += len(drop)
        left["edges"] += before - g.number_of_edges()
    if max_edges is not None and g.number_of_edges() > max_edges:
        multi = g.is_multigraph()
        edges = list(g.edges(keys=True, data=True) if multi else g.edges(data=True))
        kept = strongest_edges([(e[:-1], e[0], e[1], e[-1].get("weight", 1),
                                 CERTAINTY_RANK.get(e[-1].get("certainty"), 0)) for e in edges], max_edges)
        drop = [e[:-1] for e in edges if e[:-1] not in kept]
        g.remove_edges_from(drop)
        left["edges"] += len(drop)
    return left


def strongest_edges(edges: Iterable[tuple], max_edges: int) -> set:
    """Of ``edges`` given as (id, u, v, weight, certainty rank), the ids of the ``max_edges`` to keep.

    A backbone first: every node keeps its :data:`BACKBONE` strongest edges, so that
    cutting the long tail of light edges does not leave kept nodes floating alone;
    then the heaviest of the rest. Ties: more certain, then by id.
    """
    ranked = sorted(edges, key=lambda e: (-e[3], -e[4], e[0]))
    per_node: dict[str, int] = defaultdict(int)
    backbone, rest = [], []
    for e in ranked:
        u, v = e[1], e[2]
        if per_node[u] < BACKBONE or per_node[v] < BACKBONE:
            per_node[u] += 1
            per_node[v] += 1
            backbone.append(e)
        else:
            rest.append(e)
    keep = (backbone + rest)[:max_edges] if len(backbone) < max_edges else backbone[:max_edges]
    return {e[0] for e in keep}
