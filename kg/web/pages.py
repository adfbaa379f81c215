"""Views as self-contained interactive HTML: a pyvis ``Network`` in, one offline file out.

pyvis's own templates fetch Bootstrap and vis-network from CDNs, so we keep
pyvis as the data structure only and render with our template (``kg/assets``):
vis-network is inlined from the copy pyvis ships, a Content-Security-Policy
forbids every request, and all node and edge data travel as one JSON block in
which ``<``, ``>`` and ``&`` are escaped. The page builds tooltips, legend and
panels with ``textContent``, so text from articles is never parsed as HTML.

>>> net = to_pyvis(view_graph(store, "congruence"))      # doctest: +SKIP
>>> write_html(net, "kg-congruence.html")                # doctest: +SKIP
"""

from __future__ import annotations

import html as _html
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from kg.model.errors import KgError
from kg.web.layout import FONT_PX
from kg.model.namespaces import CERTAINTY_RANK, STANCES

if TYPE_CHECKING:
    import networkx as nx
    from pyvis.network import Network

ASSETS = Path(__file__).parent / "assets"
STANCE_COLOURS = {
    "supports": "#1a9850", "opposes": "#d73027", "hesitant": "#f39c12", "divided": "#8e44ad",
    "neutral": "#7f8c8d", "mixed": "#2c7bb6", "conflict": "#d73027",
}
# vis-network dash patterns: solid = certain, dashed = probable, dotted = possible.
CERTAINTY_DASHES = {"certain": False, "probable": [10, 6], "possible": [2, 5]}
TYPE_COLOURS = {
    "State": "#4e79a7", "Person": "#f28e2b", "InternationalOrganisation": "#76b7b2", "ActorGroup": "#b07aa1",
    "Actor": "#9c755f", "Topic": "#edc948", "Uncoded": "#d3d3d3",
}
TYPE_NAMES = {"InternationalOrganisation": "international organisation", "ActorGroup": "group of actors",
              "Actor": "actor (untyped)", "Uncoded": "uncoded target"}
SHAPES = {"actor": "dot", "topic": "diamond", "uncoded": "square"}
COMMUNITY_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948",
                     "#ff9da7", "#9c755f", "#1f77b4", "#8c564b", "#17becf")
NO_COMMUNITY = "#c7c7c7"
DEFAULT_MAX_NODES = 300
DEFAULT_MAX_EDGES = 3000
PAGE_QUOTES = 12  # quotes per edge embedded in the page; the panel says how many there are in all


def _community_sizes(g) -> dict[int, int]:
    sizes: dict[int, int] = defaultdict(int)
    for _, c in g.nodes(data="community", default=0):
        sizes[c] += 1
    return sizes


def _community_colour(c: int, sizes: dict[int, int]) -> str:
    # Singletons are no coalition; the palette cycles past twelve communities.
    if c < 1 or sizes.get(c, 0) < 2 or c > len(COMMUNITY_COLOURS):
        return NO_COMMUNITY
    return COMMUNITY_COLOURS[c - 1]


def node_sizes(g) -> dict:
    """Each node's radius in px: its area grows with its weighted degree, relative to the largest (8 to 36 px)."""
    deg = dict(g.degree(weight="weight"))
    top = max(deg.values(), default=1.0) or 1.0
    return {n: round(8 + 28 * math.sqrt(float(deg.get(n, 0)) / top), 1) for n in g}


def layout(g, seed: int = 7, sizes: dict | None = None) -> dict[str, tuple[float, float]] | None:
    """Pixel positions in which no two nodes (shape and label) overlap and every edge is long enough to click
    (see :func:`kg.web.layout.pack`: each component laid out on its own, the components packed in rows), or None
    when numpy (or, past 500 nodes in one component, scipy) is missing: the page then lays the graph out
    itself and freezes it once stable."""
    from kg.web.layout import node_box, pack
    from kg.analysis.pruning import undirected_simple

    if g.number_of_nodes() == 0:
        return {}
    sizes = node_sizes(g) if sizes is None else sizes
    boxes = {n: node_box(str(d.get("label", n)), sizes.get(n, 8.0)) for n, d in g.nodes(data=True)}
    # Logarithmic weights: coalitions pull together without heavy edges collapsing their ends.
    edges = [(u, v, 1.0 + math.log2(max(float(w), 1.0)))
             for u, v, w in undirected_simple(g).edges(data="weight", default=1)]
    try:
        pos = pack(list(g), edges, boxes, seed=seed)
    except ImportError:
        return None
    return {k: (round(x, 1), round(y, 1)) for k, (x, y) in pos.items()}


def _legend(g, colour_by: str, sizes: dict[int, int], stances: list[str], certainties: list[str],
            directed: bool) -> list[dict]:
    view = g.graph.get("view", "stance")
    sections = []
    if view == "conflict":
        sections.append({"title": "Edge: opposite stances on a shared target", "kind": "line",
                         "items": [{"label": "conflict", "color": STANCE_COLOURS["conflict"]}]})
    else:
        title = "Edge colour: shared stance" if view == "congruence" else "Edge colour: stance"
        sections.append({"title": title, "kind": "line",
                         "items": [{"label": s, "color": STANCE_COLOURS[s]} for s in stances]})
    sections.append({"title": "Line style: certainty", "kind": "line", "items": [
        {"label": c + {"certain": " (solid)", "probable": " (dashed)", "possible": " (dotted)"}[c],
         "color": "#555", "dashes": CERTAINTY_DASHES[c] or None} for c in certainties]})
    unit = {"congruence": ("shared (target, stance) pair", "shared pairs"),
            "conflict": ("disputed target", "disputed targets")}.get(view, ("assertion", "assertions"))
    sections.append({"title": "Line width: weight", "kind": "line", "items": [
        {"label": f"1 {unit[0]}", "color": "#555", "width": 1},
        {"label": f"8 {unit[1]}", "color": "#555", "width": 1 + 1.6 * 3}]})
    if colour_by == "community":
        items = []
        members: dict[int, list[str]] = defaultdict(list)
        for n, d in g.nodes(data=True):
            members[d.get("community", 0)].append(str(d.get("label", n)))
        for c in sorted(k for k in sizes if 1 <= k <= len(COMMUNITY_COLOURS) and sizes[k] >= 2):
            names = members[c][:3]
            more = f" +{sizes[c] - 3}" if sizes[c] > 3 else ""
            items.append({"label": f"coalition {c}: {', '.join(names)}{more}", "color": _community_colour(c, sizes)})
        if any(sizes[k] < 2 or k < 1 or k > len(COMMUNITY_COLOURS) for k in sizes):
            items.append({"label": "no coalition / small coalitions", "color": NO_COMMUNITY})
        sections.append({"title": "Node colour: coalition (Leiden community)", "kind": "dot", "items": items})
    else:
        order = list(TYPE_COLOURS)
        present = sorted({d.get("type", "Actor") if d.get("type") in TYPE_COLOURS else "Actor"
                          for _, d in g.nodes(data=True)}, key=order.index)
        sections.append({"title": "Node colour: type", "kind": "dot", "items": [
            {"label": TYPE_NAMES.get(t, t.lower()), "color": TYPE_COLOURS[t],
             "shape": "diamond" if t == "Topic" else ("square" if t == "Uncoded" else "")} for t in present]})
    return sections


@dataclass
class Page:
    """The fields of a pyvis ``Network`` that a page is drawn from, without importing pyvis
    (which imports IPython: about a second of every ``kg viz``)."""

    heading: str
    directed: bool
    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    kg_meta: dict = field(default_factory=dict)


def to_pyvis(g: nx.Graph, *, title: str | None = None, positions: dict | None | bool = True) -> Network:
    """A pyvis ``Network`` of a view graph (see :mod:`kg.analysis.views`), styled and laid out.

    Nodes and edges are pyvis-style dicts (vis-network options at the top level)
    whose kg data sit under ``"kg"``; ``net.kg_meta`` holds title, legend and notes.
    ``positions``: True computes a layout, False leaves it to the browser, a dict gives it.
    """
    from pyvis.network import Network

    p = page(g, title=title, positions=positions)
    net = Network(height="100%", width="100%", directed=p.directed, heading=p.heading, cdn_resources="in_line")
    for node in p.nodes:
        net.nodes.append(node)
        net.node_ids.append(node["id"])
        net.node_map[node["id"]] = node
    net.edges.extend(p.edges)
    net.options = p.options
    net.kg_meta = p.kg_meta
    return net


def page(g: nx.Graph, *, title: str | None = None, positions: dict | None | bool = True) -> Page:
    """What :func:`to_pyvis` holds, as a :class:`Page` that :func:`write_html` takes as well."""
    directed = g.is_directed()
    view = g.graph.get("view", "stance")
    colour_by = "community" if view in ("congruence", "conflict") else "type"
    net = Page(heading=title or g.graph.get("title", ""), directed=directed)
    radius = node_sizes(g)
    pos = layout(g, sizes=radius) if positions is True else (positions or None)
    sizes = _community_sizes(g)
    deg = dict(g.degree(weight="weight"))
    focus = g.graph.get("focus")
    ids = {}
    for i, (n, d) in enumerate(g.nodes(data=True)):
        nid = f"n{i}"
        ids[n] = nid
        kind = d.get("kind", "actor")
        typ = d.get("type", "Actor")
        colour = (TYPE_COLOURS.get(typ, TYPE_COLOURS["Actor"]) if colour_by == "type" or kind != "actor"
                  else _community_colour(d.get("community", 0), sizes))
        node = {
            "id": nid, "label": str(d.get("label", n)), "shape": SHAPES.get(kind, "dot"),
            "color": {"background": colour, "border": "#333" if n == focus else "#555",
                      "highlight": {"background": colour, "border": "#000"}},
            "size": radius[n],
            "borderWidth": 4 if n == focus else 1,
            "kg": {"iri": str(n), "type": typ, "kind": kind, "community": int(d.get("community", 0)),
                   "activity": int(d.get("activity", 0)), "degree": round(float(deg.get(n, 0)), 3)},
        }
        if pos is not None and n in pos:
            node["x"], node["y"] = pos[n]
        net.nodes.append(node)
    # Parallel edges (one per stance) and reciprocal ones get distinct curves; the rest stay straight (fast).
    by_pair: dict[frozenset, int] = defaultdict(int)
    edge_iter = g.edges(keys=True, data=True) if g.is_multigraph() else ((u, v, None, d) for u, v, d in g.edges(data=True))
    edges = list(edge_iter)
    for u, v, _k, _d in edges:
        by_pair[frozenset((u, v))] += 1
    seen: dict[frozenset, int] = defaultdict(int)
    stances, certainties = set(), set()
    # Many overlapping edges read better when each is faint.
    opacity = 0.85 if len(edges) <= 300 else (0.55 if len(edges) <= 1500 else 0.4)
    for i, (u, v, _k, d) in enumerate(edges):
        stance = d.get("stance", "supports")
        certainty = d.get("certainty", "certain")
        stances.add(stance)
        certainties.add(certainty)
        colour = STANCE_COLOURS.get(stance, "#888")
        w = float(d.get("weight", 1))
        edge = {
            "id": f"e{i}", "from": ids[u], "to": ids[v],
            "color": {"color": colour, "highlight": colour, "hover": colour, "opacity": opacity},
            "dashes": CERTAINTY_DASHES.get(certainty, False),
            "width": round(1.0 + 1.6 * math.log2(max(w, 1.0)), 2),
            "kg": {"stance": stance, "certainty": certainty, "weight": d.get("weight", 1),
                   "n_quotes": int(d.get("n_quotes", len(d.get("quotes", [])))),
                   "quotes": list(d.get("quotes", [])), "shared": list(d.get("shared", []))},
        }
        pair = frozenset((u, v))
        if by_pair[pair] > 1:
            k = seen[pair]
            seen[pair] += 1
            edge["smooth"] = {"enabled": True, "type": "curvedCW" if k % 2 == 0 else "curvedCCW",
                              "roundness": round(0.15 + 0.12 * (k // 2), 2)}
        net.edges.append(edge)
    n_edges = len(net.edges)
    net.options = {
        "autoResize": True,
        # Labels keep the width the layout made room for (no bold when selected).
        "nodes": {"font": {"size": FONT_PX, "face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "labelHighlightBold": False},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": directed, "scaleFactor": 0.6}},
                  "selectionWidth": 2, "hoverWidth": 1.5, "color": {"inherit": False}},
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": False,
                        "hideEdgesOnDrag": n_edges > 1500, "hideEdgesOnZoom": n_edges > 3000},
        "physics": ({"enabled": False} if pos is not None else
                    {"enabled": True, "solver": "forceAtlas2Based",
                     "stabilization": {"enabled": True, "iterations": 250, "updateInterval": 50}}),
        "layout": {"randomSeed": 7, "improvedLayout": g.number_of_nodes() <= 150},
    }
    order = [s for s in (*STANCES, "mixed", "conflict") if s in stances]
    cert = sorted(certainties or {"certain"}, key=lambda c: -CERTAINTY_RANK.get(c, 0))
    net.kg_meta = {
        "title": title or g.graph.get("title", "kg network"), "view": view, "directed": directed,
        "colourBy": colour_by, "physics": pos is None, "note": g.graph.get("note", ""),
        "empty": g.graph.get("empty", ""),
        "filters": g.graph.get("filters", "none"), "assertions": int(g.graph.get("assertions", 0)),
        "omitted": g.graph.get("omitted", {}), "nodes": len(net.nodes), "edges": n_edges,
        "legend": _legend(g, colour_by, sizes, order, cert, directed),
        "stanceColours": STANCE_COLOURS,
    }
    return net


@cache
def vis_network_js() -> str:
    """vis-network's standalone build, licence header included: ours under kg/assets, else pyvis's copy."""
    candidates = [ASSETS / "vis-network.min.js"]
    import importlib.util

    spec = importlib.util.find_spec("pyvis")  # found, not imported
    for root in map(Path, (spec.submodule_search_locations or []) if spec else []):
        candidates += sorted(root.glob("templates/lib/vis-*/vis-network.min.js"), reverse=True)
        candidates += sorted(root.glob("lib/vis-*/vis-network.min.js"), reverse=True)
    for p in candidates:
        if p.is_file():
            text = p.read_text(encoding="utf-8")
            if "</script" in text.lower():  # would end our inline <script> early
                continue
            return text
    raise KgError("vis-network is missing: reinstall pyvis, or put vis-network.min.js in kg/assets/")


def _json_for_html(obj: object) -> str:
    """JSON that is inert inside <script>: no ``<``, ``>`` or ``&`` survive, nor JS line separators."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def page_data(net: Network | Page, max_quotes: int = PAGE_QUOTES) -> dict:
    """The JSON the page embeds: ``nodes`` and ``edges`` as kg data plus their vis options, ``quotes``
    (each edge lists indices into it, at most ``max_quotes``), ``options`` and ``meta``."""
    def split(item: dict, keys: tuple[str, ...]) -> dict:
        data = {k: item[k] for k in keys if k in item}
        data.update(item.get("kg", {}))
        data["vis"] = {k: v for k, v in item.items() if k not in keys and k not in ("kg", "title")}
        return data

    options = net.options if isinstance(net.options, dict) else json.loads(net.options.to_json())
    meta = dict(getattr(net, "kg_meta", {}) or {})
    meta.setdefault("title", net.heading or "kg network")
    meta.setdefault("directed", bool(net.directed))
    meta.setdefault("physics", True)
    meta.setdefault("legend", [])
    meta.setdefault("stanceColours", STANCE_COLOURS)
    meta.setdefault("colourBy", "type")
    meta.setdefault("note", "")
    meta.setdefault("empty", "")
    meta.setdefault("assertions", 0)
    meta["nodes"], meta["edges"] = len(net.nodes), len(net.edges)
    nodes = []
    for n in net.nodes:
        d = split(n, ("id", "label"))
        d.setdefault("label", str(d["id"]))
        for k, v in (("type", "Actor"), ("kind", "actor"), ("community", 0), ("activity", 0)):
            d.setdefault(k, v)
        d["label"] = str(d["label"])
        nodes.append(d)
    # Quotes are stored once and referenced by index: in an actor–actor view the same
    # quote backs many edges, and repeating it would multiply the page's size.
    quotes: list[dict] = []
    index: dict[str, int] = {}
    edges = []
    for i, e in enumerate(net.edges):
        d = split(e, ("id", "from", "to"))
        d.setdefault("id", f"e{i}")
        for k, v in (("stance", ""), ("certainty", ""), ("weight", 1), ("quotes", []), ("shared", [])):
            d.setdefault(k, v)
        d.setdefault("n_quotes", len(d["quotes"]))
        refs = []
        for q in d["quotes"][:max_quotes]:
            key = str(q.get("id")) if q.get("id") else json.dumps(q, sort_keys=True)
            if key not in index:
                index[key] = len(quotes)
                quotes.append({k: v for k, v in q.items() if k != "id"})
            refs.append(index[key])
        d["quotes"] = refs
        edges.append(d)
    return {"meta": meta, "nodes": nodes, "edges": edges, "quotes": quotes, "options": options}


def render_html(net: Network | Page, max_quotes: int = PAGE_QUOTES) -> str:
    """The whole page as a string (deterministic: the same network gives the same bytes)."""
    data = page_data(net, max_quotes)
    return fill_page(data, css=("viz.css",), js="viz.js", generator="kg viz", tools="search.html")


def fill_page(data: dict, *, css: tuple[str, ...], js: str, generator: str, tools: str = "", bar: str = "") -> str:
    """The page template (``assets/template.html``) with its data, styles, script and the controls of one
    kind of page (``tools`` in the header, ``bar`` beneath it), all inline: the page fetches nothing."""
    def asset(name: str) -> str:
        return (ASSETS / name).read_text(encoding="utf-8") if name else ""

    parts = {
        "%%TITLE%%": _html.escape(str(data["meta"]["title"])),
        "%%GENERATOR%%": generator,
        "%%TOOLS%%": asset(tools),
        "%%BAR%%": asset(bar),
        "%%CSS%%": "".join(asset(name) for name in css),
        "%%DATA%%": _json_for_html(data),
        "%%VIS%%": vis_network_js(),
        "%%JS%%": asset("common.js") + asset(js),
    }
    # One pass, so that a placeholder inside the data can never be substituted again.
    import re

    return re.sub("|".join(map(re.escape, parts)), lambda m: parts[m.group(0)], asset("template.html"))


def write_html(net: Network | Page, path: str | Path, *, max_quotes: int = PAGE_QUOTES) -> Path:
    """Write ``net`` as one offline HTML file (at most ``max_quotes`` quotes per edge); returns the path."""
    return save_page(render_html(net, max_quotes), path)


def save_page(text: str, path: str | Path) -> Path:
    """Write a page (or plot) to ``path``, its folder made if need be; returns the path. Whole or not at
    all (:func:`kg.model.files.atomic_open`: a browser may have the old page open); :class:`KgError` if it
    cannot be written."""
    from kg.model.files import write_atomic

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_atomic(path, text)
    except OSError as e:
        raise KgError(f"cannot write {path}: {e.strerror or e}") from None
