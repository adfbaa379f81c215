"""A view's network written for other tools: GraphML and GEXF (Gephi, R's igraph), or CSV node
and edge tables (spreadsheets; cells a spreadsheet would run as formulas are neutralised)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from kg.analysis.rows import Filters
from kg.analysis.view_spec import resolve_spec
from kg.analysis.views import spec_graph
from kg.model.errors import InputError, KgError, UnknownNameError
from kg.model.files import atomic_open

if TYPE_CHECKING:
    import networkx as nx

    from kg.store import Store

EXPORT_FORMATS = ("graphml", "gexf", "csv")


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
    with atomic_open(nodes_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Id", "Label", *NODE_COLUMNS[1:]])
        for n, d in h.nodes(data=True):
            w.writerow(csv_cells([n, d.get("label", n), *(d.get(c, "") for c in NODE_COLUMNS[1:])]))
    with atomic_open(edges_path, "w", newline="") as f:
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
        with atomic_open(out, "wb") as f:  # whole or not at all
            (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(h, f, encoding="utf-8", prettyprint=True)
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
