"""Network analyses of a view: centrality, communities, polarisation (export: :mod:`kg.analysis.network_export`).

Polarisation
    Coalitions are the Leiden communities of the *congruence* network of the
    same assertions (actors who share (target, stance) pairs). Polarisation is
    the share of the *conflict* network's weight (pairs of actors with opposite
    stances on a target, weighted by the number of such targets) that runs
    between two different coalitions: 1.0 means every conflict opposes
    coalitions, 0.0 that all conflict is inside coalitions; undefined (None)
    when there is no conflict. We also report the modularity of the coalition
    partition on the congruence network: how cleanly the coalitions separate.

>>> report = network_report(store, "congruence")       # doctest: +SKIP
>>> report.polarisation.polarisation                    # doctest: +SKIP

Networks as the Discourse Network Analyzer (DNA) computes them — qualifier aggregation,
normalisation, duplicates, moving time windows and DNA's own polarisation score — are in
:mod:`kg.analysis.dna_networks` and :mod:`kg.analysis.dna_windows` (``kg network --qualifier … --window …``,
:func:`kg.analysis.dna_report.network_from_store`, :func:`kg.analysis.dna_report.windows_from_store`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from kg.analysis.pruning import communities, undirected_simple
from kg.analysis.rows import Filters, Row, fetch_rows, filter_rows
from kg.analysis.view_spec import ACTOR_VIEWS, resolve_spec
from kg.analysis.views import build_view

if TYPE_CHECKING:
    import networkx as nx

    from kg.analysis.holdings import Holding
    from kg.analysis.graph_analysis import IGraph
    from kg.store import Store

# Exact betweenness costs about nodes × edges; above this budget it is estimated from a
# seeded sample of source nodes (at least BETWEENNESS_SAMPLE of them).
BETWEENNESS_BUDGET = 10_000_000
BETWEENNESS_SAMPLE = 64
POLARISATION_DEFINITION = (
    "share of conflict-edge weight (opposite stances on a shared target) that runs between different coalitions "
    "(Leiden communities of the congruence network): 1 = all conflict is between coalitions, 0 = all within"
)


@dataclass(frozen=True)
class NodeMetrics:
    """Centralities of one node; ``community`` is the node's community in the view (1 = largest)."""

    node: str
    label: str
    type: str
    community: int
    degree: int
    weighted_degree: float
    degree_centrality: float
    betweenness: float


@dataclass(frozen=True)
class Community:
    """One community of the view: its members (by label) and how much weight stays inside it."""

    community: int
    size: int
    members: tuple[str, ...]
    internal_weight: float
    external_weight: float


@dataclass(frozen=True)
class Polarisation:
    """See the module docstring for the definition."""

    coalitions: int
    conflict_within: float
    conflict_between: float
    polarisation: float | None
    congruence_modularity: float | None
    definition: str = POLARISATION_DEFINITION


@dataclass(frozen=True)
class NetworkReport:
    """What ``kg network`` prints."""

    view: str
    nodes: int
    edges: int
    density: float
    assertions: int
    metrics: tuple[NodeMetrics, ...]
    communities: tuple[Community, ...]
    polarisation: Polarisation
    betweenness_sample: int | None = None  # sources sampled, when estimated
    note: str = ""
    filters: str = "none"

    def node_rows(self) -> list[dict]:
        return [asdict(m) for m in self.metrics]

    def community_rows(self) -> list[dict]:
        return [{**asdict(c), "members": "; ".join(c.members)} for c in self.communities]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["metrics"] = self.node_rows()
        d["communities"] = [asdict(c) | {"members": list(c.members)} for c in self.communities]
        return d


def _label(g, n) -> str:
    return str(g.nodes[n].get("label", n))


def analyse(g: nx.Graph, rows: Sequence[Row | Holding] | None = None, *,
            congruence: nx.Graph | None = None) -> NetworkReport:
    """Degree and betweenness centrality, communities and (given the view's ``rows``) polarisation.

    Directed and multi-edges are merged into one undirected weighted edge; betweenness
    treats ``1 / weight`` as the length of an edge, so strong ties are short. ``congruence``:
    the congruence network of ``rows``, coloured with its communities, when the caller has it.
    """
    from kg.analysis.graph_analysis import betweenness, to_igraph

    simple = undirected_simple(g)
    nodes = list(simple)
    n = len(nodes)
    m = simple.number_of_edges()
    sample = _betweenness_sample(n, m)
    # One igraph copy for betweenness (igraph's C core, the same numbers as networkx's); the
    # degrees are sums over the edge list, in its order.
    h = to_igraph(simple) if n else None
    between = betweenness(simple, k=sample, seed=0, graph=h) if n else {}
    index = {k: i for i, k in enumerate(nodes)}
    src, dst, weights = [], [], []
    for u, v, w in simple.edges(data="weight", default=1):  # the order of to_igraph's edges
        src.append(index[u])
        dst.append(index[v])
        weights.append(float(w))
    community = [int(c) for c in (g.nodes[k].get("community", 0) for k in nodes)]
    pol = (polarisation(rows, congruence, graph=h if congruence is simple else None) if rows is not None
           else Polarisation(0, 0.0, 0.0, None, None))
    return _report(nodes, [_label(g, k) for k in nodes], [str(g.nodes[k].get("type", "")) for k in nodes],
                   community, src, dst, weights, between, sample, pol, view=str(g.graph.get("view", "")),
                   edges=g.number_of_edges(), assertions=int(g.graph.get("assertions", 0)),
                   note=str(g.graph.get("note", "")), filters=str(g.graph.get("filters", "none")))


def _betweenness_sample(n: int, m: int) -> int | None:
    """Sources to sample for betweenness on ``n`` nodes and ``m`` edges; None: exact."""
    sample = None
    if n * m > BETWEENNESS_BUDGET:
        sample = min(n, max(BETWEENNESS_SAMPLE, BETWEENNESS_BUDGET // max(m, 1)))
    if sample is not None and sample >= n:
        sample = None
    return sample


def _report(nodes: list, labels: list[str], types: list[str], community: Sequence[int], src, dst, weights,
            between: dict, sample: int | None, pol: Polarisation, *, view: str, edges: int, assertions: int,
            note: str, filters: str) -> NetworkReport:
    """The report of a simple undirected graph given as arrays: ``nodes[i]`` with ``labels[i]``, ``types[i]``
    and ``community[i]``; edge e from ``src[e]`` to ``dst[e]`` (node indices) of weight ``weights[e]``.

    Degrees and the weight inside and between communities are summed edge by edge in the given order (with
    numpy's bincount, which adds in input order), as a loop over the edges would: a loop counts twice in the
    degree and half its weight inside (once per end), as networkx counts it.
    """
    import numpy as np

    n = len(nodes)
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    comm = np.asarray(community, dtype=np.int64)
    m = len(w)
    loop = src == dst
    # both ends of each edge, edge by edge: (u, w), (v, w); a loop (u, 2w), (u, 0)
    ends = np.column_stack((src, dst)).ravel()
    end_w = np.column_stack((np.where(loop, 2 * w, w), np.where(loop, 0.0, w))).ravel()
    deg = np.bincount(ends, minlength=n).tolist() if n else []  # a loop's ends are (u, u): 2
    wdeg = np.bincount(ends, weights=end_w, minlength=n).tolist() if n else []
    cu, cv = comm[src], comm[dst]
    same = cu == cv
    size = int(comm.max()) + 1 if n else 0
    internal = np.bincount(cu[same], weights=np.where(loop, w / 2, w)[same], minlength=size).tolist()
    between_ends = np.column_stack((cu[~same], cv[~same])).ravel()
    external = np.bincount(between_ends, weights=np.repeat(w[~same], 2), minlength=size).tolist()
    metrics = [
        NodeMetrics(str(k), labels[i], types[i], int(comm[i]), int(deg[i]), round(wdeg[i], 4),
                    round(deg[i] / (n - 1), 4) if n > 1 else 0.0, round(between.get(k, 0.0), 4))
        for i, k in enumerate(nodes)
    ]
    metrics.sort(key=lambda x: (-x.betweenness, -x.weighted_degree, x.label, x.node))
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(comm.tolist()):
        groups.setdefault(c, []).append(i)
    comms = [Community(c, len(members), tuple(sorted(labels[i] for i in members)),
                       round(internal[c], 4), round(external[c], 4))
             for c, members in sorted(groups.items())]
    return NetworkReport(
        view=view, nodes=n, edges=edges, density=round(2 * m / (n * (n - 1)), 4) if n > 1 else 0.0,
        assertions=assertions, metrics=tuple(metrics), communities=tuple(comms), polarisation=pol,
        betweenness_sample=sample, note=note, filters=filters,
    )


def polarisation(rows: Sequence[Row | Holding], congruence: nx.Graph | None = None, *,
                 graph: IGraph | None = None) -> Polarisation:
    """Conflict between vs within the congruence coalitions of ``rows`` (or their holdings; see the module
    docstring). ``congruence``: their congruence network with its ``community`` node attribute, if at hand;
    ``graph``: its igraph copy (:func:`kg.analysis.graph_analysis.to_igraph`), if made already."""
    from kg.analysis.actor_pairs import conflict_weights, congruence_edges
    from kg.analysis.holdings import as_holdings
    from kg.analysis.graph_analysis import modularity as graph_modularity

    items = as_holdings(rows)
    if congruence is None:
        # Weights are all we need: the projections without their quotes.
        cong = congruence_edges(items)
        groups = communities(cong)
    else:  # the same network and partition, not computed twice (community detection is the costly part)
        cong = congruence
        by_id: dict[int, list[str]] = {}
        for n, c in cong.nodes(data="community"):
            by_id.setdefault(c, []).append(n)
        groups = [by_id[c] for c in sorted(by_id)]
    member = {a: i for i, c in enumerate(groups) for a in c}
    within = between = 0.0
    for (u, v), w in conflict_weights(items).items():  # the conflict network's weights, without its graph
        if member.get(u, -1) == member.get(v, -2):
            within += w
        else:
            between += w
    total = within + between
    modularity = None
    if cong.number_of_edges():
        modularity = round(graph_modularity(cong, groups, graph=graph if congruence is not None else None), 4)
    coalitions = sum(1 for c in groups if len(c) >= 2)
    return Polarisation(coalitions, within, between, round(between / total, 4) if total else None, modularity)


def network_report(store: Store, view: str = "congruence", name: str | None = None, *, depth: int = 2,
                   filters: Filters | None = None, max_nodes: int | None = None, max_edges: int | None = None,
                   rows: list[Row] | None = None) -> NetworkReport:
    """:func:`analyse` the view of the store; polarisation uses the same filtered assertions
    (for the topic view, those on the topic; with ``max_nodes``, those of the actors kept)."""
    spec = resolve_spec(store, view, name, depth=depth, filters=filters, max_nodes=max_nodes, max_edges=max_edges)
    spec = replace(spec, quotes=False)  # analyses need weights, not quotes
    if spec.view in ACTOR_VIEWS:
        from kg.analysis.actor_views import actor_view
        from kg.analysis.holdings import Holdings, open_holdings

        with (open_holdings(store, spec.filters) if rows is None
              else contextlib.nullcontext(Holdings.from_rows(filter_rows(rows, spec.filters)))) as hs:
            if spec.view == "congruence" and spec.max_edges is None:
                report = _congruence_report(hs, spec)
                if report is not None:
                    return report
            g = actor_view(hs, spec, details=False)  # weights are what the analyses read
        kept = hs.items
    else:
        rows = fetch_rows(store, spec.filters) if rows is None else rows
        g = build_view(rows, spec)
        kept = filter_rows(rows, spec.filters)
        if spec.view == "topic":
            kept = [r for r in kept if r.target == spec.focus]
    if max_nodes is not None:  # polarisation among the actors analysed, not all of them
        kept = [r for r in kept if r.actor in g]
    # A congruence view with every edge is the congruence network of `kept`, communities included.
    whole = spec.view == "congruence" and not g.graph["omitted"]["edges"]
    return analyse(g, kept, congruence=g if whole else None)



FAST_MAX_NODES = 3000  # the congruence report from matrices up to this many actors (n × n of them)


class _Shape:
    """What :func:`kg.analysis.view_notes.finish_view` reads of a graph: its size, and ``graph`` to fill."""

    def __init__(self, nodes: int, edges: int):
        self.graph: dict = {}
        self._nodes, self._edges = nodes, edges

    def number_of_nodes(self) -> int:
        return self._nodes

    def number_of_edges(self) -> int:
        return self._edges


def _congruence_report(hs, spec) -> NetworkReport | None:
    """:func:`analyse` of the congruence view of the holdings ``hs`` (``spec.max_edges`` None), made from
    matrices instead of a networkx graph: the same report.

    The view's graph, as :func:`kg.analysis.actor_views.actor_view` makes it, has the actors kept (the
    ``max_nodes`` most active) as nodes in label order, and an edge between two actors weighted by the
    (target, stance) pairs they share, edges added in the order of their actor IRIs. Here the weights are
    B Bᵀ of the actors × pairs incidence matrix, and the igraph graph gets the edges in the order
    :func:`kg.analysis.graph_analysis.to_igraph` would read them from that graph's adjacency (for each
    node in turn, its later neighbours in IRI order), so that Leiden, the sampled betweenness and the
    sums come out the same. Conflict weights (for polarisation) are S Oᵀ + O Sᵀ - (S∘O)(S∘O)ᵀ over
    targets (S: supports, O: opposes; an actor holding both on a target is counted once per pair).
    None when igraph is missing, or there are more than :data:`FAST_MAX_NODES` actors or too many for
    :func:`kg.analysis.actor_pairs.shared_counts`.
    """
    import numpy as np

    from kg.analysis.actor_pairs import _top_actors, shared_counts
    from kg.analysis.graph_analysis import _igraph, _leiden, igraph_betweenness, igraph_from_edges
    from kg.analysis.view_notes import finish_view

    items = hs.items
    all_actors = {h.actor for h in items}
    shown = items
    if spec.max_nodes is not None and len(all_actors) > spec.max_nodes:
        keep = _top_actors(items, spec.max_nodes)
        shown = [h for h in items if h.actor in keep]
    # nodes as kg.analysis.actor_pairs._actor_nodes adds them: label of the first holding in (label, IRI)
    # order; its type, unless that is Actor and a later holding's is more specific
    label: dict[str, str] = {}
    kind: dict[str, str] = {}
    for h in sorted(shown, key=lambda h: (h.actor_label, h.actor)):
        if h.actor in label:
            if kind[h.actor] in (None, "Actor"):
                kind[h.actor] = h.actor_type
        else:
            label[h.actor], kind[h.actor] = h.actor_label, h.actor_type
    nodes = list(label)
    n = len(nodes)
    if n > FAST_MAX_NODES or _igraph() is None:
        return None
    w = shared_counts(nodes, shown)  # the weights the page's graph has (actor_pairs.congruence_edges)
    if w is None:
        return None
    index = {a: i for i, a in enumerate(nodes)}
    by_iri = np.asarray(sorted(range(n), key=nodes.__getitem__), dtype=np.int64)
    wp = w[:, by_iri]
    ii, kk = np.nonzero((wp > 0) & (by_iri[None, :] > np.arange(n)[:, None]))
    jj = by_iri[kk]
    weights = wp[ii, kk]
    m = len(weights)
    h = igraph_from_edges(nodes, ii, jj, weights)
    # communities as kg.analysis.pruning.communities orders them: 1 = the largest
    if m:
        found: dict[int, list[int]] = {}
        for i, c in enumerate(_leiden(h, 0)):
            found.setdefault(c, []).append(i)
        groups = list(found.values())
    else:
        groups = [[i] for i in range(n)]
    ordered = [sorted(c, key=lambda i: (label[nodes[i]], nodes[i])) for c in groups]
    ordered.sort(key=lambda c: (-len(c), label[nodes[c[0]]], nodes[c[0]]))
    community = np.zeros(n, dtype=np.int64)
    for c, members in enumerate(ordered, start=1):
        community[members] = c
    sample = _betweenness_sample(n, m)
    between = igraph_betweenness(h, sample, 0) if n else {}
    # polarisation: conflict weight between and within the coalitions, and their modularity
    targets = {t: j for j, t in enumerate(sorted({h.target for h in shown}))}
    sup = np.zeros((n, max(len(targets), 1)))
    opp = np.zeros_like(sup)
    for x in shown:
        if x.stance == "supports":
            sup[index[x.actor], targets[x.target]] = 1.0
        elif x.stance == "opposes":
            opp[index[x.actor], targets[x.target]] = 1.0
    both = sup * opp
    conflict = np.triu(sup @ opp.T + opp @ sup.T - both @ both.T, 1)
    same = community[:, None] == community[None, :]
    within, across = float(conflict[same].sum()), float(conflict[~same].sum())
    total = within + across
    modularity = None
    if m:
        modularity = round(h.graph.modularity((community - 1).tolist(), weights=h.weights, directed=False), 4)
    pol = Polarisation(sum(1 for c in ordered if len(c) >= 2), within, across,
                       round(across / total, 4) if total else None, modularity)
    drawn = set(nodes)
    omitted = {"nodes": len(all_actors) - n, "edges": 0,
               "assertions": sum(x.count for x in items if x.actor not in drawn)}
    shape = finish_view(_Shape(n, m), spec, hs.assertions, omitted)
    return _report(nodes, [label[a] for a in nodes], [str(kind[a]) for a in nodes], community, ii, jj, weights,
                   between, sample, pol, view=spec.view, edges=m, assertions=int(shape.graph["assertions"]),
                   note=str(shape.graph["note"]), filters=str(shape.graph["filters"]))
