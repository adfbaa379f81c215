"""Network analyses of a view (centrality, communities, polarisation) and export for Gephi and igraph.

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
import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kg.model.errors import InputError, KgError, UnknownNameError
from kg.analysis.pruning import communities, undirected_simple
from kg.analysis.rows import Filters, Row, fetch_rows, filter_rows
from kg.analysis.view_spec import ACTOR_VIEWS, resolve_spec
from kg.analysis.views import build_view, spec_graph

if TYPE_CHECKING:
    import networkx as nx

    from kg.analysis.holdings import Holding
    from kg.analysis.graph_analysis import IGraph
    from kg.store import Store

EXPORT_FORMATS = ("graphml", "gexf", "csv")
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
    n = simple.number_of_nodes()
    sample = None
    m = simple.number_of_edges()
    if n * m > BETWEENNESS_BUDGET:
        sample = min(n, max(BETWEENNESS_SAMPLE, BETWEENNESS_BUDGET // max(m, 1)))
    if sample is not None and sample >= n:
        sample = None
    # One igraph copy for betweenness (igraph's C core, the same numbers as networkx's); the
    # degrees are sums over the edge list, in one pass.
    h = to_igraph(simple) if n else None
    between = betweenness(simple, k=sample, seed=0, graph=h) if n else {}
    deg = dict.fromkeys(simple, 0)
    wdeg = dict.fromkeys(simple, 0.0)
    community = {k: int(c) for k, c in g.nodes(data="community", default=0)}
    internal: dict[int, float] = {}
    external: dict[int, float] = {}
    for u, v, w in simple.edges(data="weight", default=1):
        w = float(w)
        if u == v:  # as networkx counts a loop: twice in the degree, half its weight inside (once per end)
            deg[u] += 2
            wdeg[u] += 2 * w
            internal[community[u]] = internal.get(community[u], 0.0) + w / 2
            continue
        deg[u] += 1
        deg[v] += 1
        wdeg[u] += w
        wdeg[v] += w
        cu, cv = community[u], community[v]
        if cu == cv:
            internal[cu] = internal.get(cu, 0.0) + w
        else:
            external[cu] = external.get(cu, 0.0) + w
            external[cv] = external.get(cv, 0.0) + w
    metrics = [
        NodeMetrics(str(k), _label(g, k), str(g.nodes[k].get("type", "")), community[k],
                    deg[k], round(wdeg[k], 4), round(deg[k] / (n - 1), 4) if n > 1 else 0.0,
                    round(between.get(k, 0.0), 4))
        for k in simple
    ]
    metrics.sort(key=lambda m: (-m.betweenness, -m.weighted_degree, m.label, m.node))
    groups: dict[int, list] = {}
    for k in simple:
        groups.setdefault(community[k], []).append(k)
    comms = [Community(c, len(members), tuple(sorted(_label(g, m) for m in members)),
                       round(internal.get(c, 0.0), 4), round(external.get(c, 0.0), 4))
             for c, members in sorted(groups.items())]
    return NetworkReport(
        view=str(g.graph.get("view", "")), nodes=n, edges=g.number_of_edges(),
        density=round(2 * m / (n * (n - 1)), 4) if n > 1 else 0.0, assertions=int(g.graph.get("assertions", 0)),
        metrics=tuple(metrics), communities=tuple(comms),
        polarisation=(polarisation(rows, congruence, graph=h if congruence is simple else None) if rows is not None
                      else Polarisation(0, 0.0, 0.0, None, None)),
        betweenness_sample=sample, note=str(g.graph.get("note", "")), filters=str(g.graph.get("filters", "none")),
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


# ---------------------------------------------------------------- export


def _scalar_graph(g: nx.Graph) -> nx.Graph:
    """A copy whose attributes GraphML and GEXF can hold: lists become JSON strings, None is dropped."""
    h = g.__class__()
    for k, v in g.graph.items():
        if isinstance(v, (str, int, float, bool)):
            h.graph[k] = v
        elif v is not None:
            h.graph[k] = json.dumps(v, ensure_ascii=False, sort_keys=True)

    def conv(d: dict) -> dict:
        out = {}
        for k, v in d.items():
            if v is None:
                continue
            if isinstance(v, bool) or isinstance(v, (str, int, float)):
                out[k] = v
            elif k == "shared":
                out[k] = "; ".join(map(str, v))
            else:
                out[k] = json.dumps(v, ensure_ascii=False, sort_keys=True)
        return out

    for n, d in g.nodes(data=True):
        h.add_node(n, **conv(d))
    if g.is_multigraph():
        for u, v, k, d in g.edges(keys=True, data=True):
            h.add_edge(u, v, key=k, **conv(d))
    else:
        for u, v, d in g.edges(data=True):
            h.add_edge(u, v, **conv(d))
    return h


NODE_COLUMNS = ("label", "type", "kind", "community", "activity")
EDGE_COLUMNS = ("stance", "certainty", "n_quotes", "shared", "quotes")


def _write_csv(h: nx.Graph, out: Path) -> list[Path]:
    """Gephi's spreadsheet import (Id/Label, Source/Target/Type/Weight) and igraph's ``Graph.DataFrame``;
    cells that would start a spreadsheet formula are neutralised (unless ``--raw``)."""
    from kg.analysis.output import csv_cells

    if out.suffix.lower() == ".csv":  # a prefix: net.csv → net.nodes.csv, net.edges.csv
        nodes_path, edges_path = out.with_suffix(".nodes.csv"), out.with_suffix(".edges.csv")
    else:
        out.mkdir(parents=True, exist_ok=True)
        nodes_path, edges_path = out / "nodes.csv", out / "edges.csv"
    nodes_path.parent.mkdir(parents=True, exist_ok=True)
    kind = "Directed" if h.is_directed() else "Undirected"
    with nodes_path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "Label", *NODE_COLUMNS[1:]])
        for n, d in h.nodes(data=True):
            w.writerow(csv_cells([n, d.get("label", n), *(d.get(c, "") for c in NODE_COLUMNS[1:])]))
    with edges_path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Source", "Target", "Type", "Weight", *EDGE_COLUMNS])
        for u, v, d in h.edges(data=True):
            w.writerow(csv_cells([u, v, kind, d.get("weight", 1), *(d.get(c, "") for c in EDGE_COLUMNS)]))
    return [nodes_path, edges_path]


def export_graph(g: nx.Graph, fmt: str, out: str | Path) -> list[Path]:
    """Write a view graph as GraphML, GEXF or CSV (``out`` is a folder, or a ``.csv`` prefix); the paths written."""
    import networkx as nx

    fmt = fmt.strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise UnknownNameError("network export format", fmt, list(EXPORT_FORMATS))
    out = Path(out)
    h = _scalar_graph(g)
    try:
        if fmt == "csv":
            return _write_csv(h, out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "graphml":
            nx.write_graphml(h, out, encoding="utf-8", prettyprint=True)
        else:
            nx.write_gexf(h, out, encoding="utf-8", prettyprint=True)
    except OSError as e:
        raise KgError(f"cannot write {out}: {e.strerror or e}") from None
    return [out]


def default_export_path(fmt: str, view: str) -> Path:
    return Path(f"kg-{view}" if fmt == "csv" else f"kg-{view}.{fmt}")


def export_network(store: Store, fmt: str, view: str = "congruence", out: str | Path | None = None, *,
                   name: str | None = None, depth: int = 2, max_nodes: int | None = None,
                   source: str | None = None, certainty: str | None = None, stance: str | None = None,
                   since: str | None = None, until: str | None = None) -> list[Path]:
    """Export one view of the store for Gephi or igraph (``fmt``: graphml, gexf or csv); the paths written.

    The graph keeps every node and edge attribute: lists (quotes) as JSON strings,
    ``shared`` as a ``; ``-separated string.
    """
    fmt = (fmt or "").strip().lower()
    if fmt not in EXPORT_FORMATS:
        raise UnknownNameError("network export format", fmt, list(EXPORT_FORMATS))
    filters = Filters.make(source=source, certainty=certainty, stance=stance, since=since, until=until)
    spec = resolve_spec(store, view, name, depth=depth, filters=filters, max_nodes=max_nodes)
    g = spec_graph(store, spec)
    if out is None:
        out = default_export_path(fmt, spec.view)
    if Path(out).is_dir() and fmt != "csv":
        raise InputError(f"{out} is a folder; give a file name for {fmt}")
    return export_graph(g, fmt, out)
