"""``kg viz --window``: DNA's moving time windows as one self-contained, offline HTML page with a time slider.

The windows are those of :func:`kg.analysis.dna_windows.time_windows` (DNA's Exporter.computeTimeWindowMatrices):
one one-mode actor network per window. Every actor of any window keeps one position (laid out once, on the
network of all windows together), so that moving the slider changes ties, not places. As with the other pages
(:mod:`kg.web.pages`), vis-network is inlined, a Content-Security-Policy forbids every request, the data travel as
one inert JSON block, and the page's script puts names, concepts and quotes in with ``textContent`` only.

>>> data = window_page_from_store(store, "30d", "7d", qualifier="congruence")   # doctest: +SKIP
>>> write_window_page(data, "kg-windows.html")                                 # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.model.errors import KgError
from kg.web.layout import FONT_PX
from kg.web.pages import ASSETS, PAGE_QUOTES, _json_for_html, layout, vis_network_js

if TYPE_CHECKING:
    from kg.analysis.dna_networks import DnaNetwork
    from kg.analysis.rows import Filters
    from kg.store import Store

POSITIVE, NEGATIVE, NEUTRAL = "#1a9850", "#d73027", "#7f8c8d"
NODE_COLOUR = "#4e79a7"
# the agreement qualifier's levels as stances (kg.analysis.dna_networks.AGREEMENT / INTEGER, inverted)
STANCE_OF = {"agreement": {1: "supports", 0: "opposes"}, "integer": {1: "supports", -1: "opposes", 0: "neutral"}}
MAX_TOPICS = 20  # concepts listed per edge


def _edge_colour(weight: float, qualifier: str) -> str:
    if qualifier == "conflict":
        return NEGATIVE
    if qualifier == "ignore":
        return NEUTRAL
    return POSITIVE if weight > 0 else NEGATIVE  # congruence; subtract by its sign


def window_page(windows: Sequence[DnaNetwork], *, quotes: Mapping[str, dict] | None = None, title: str = "",
                note: str = "", filters: str = "none", window: str = "", step: str = "",
                max_nodes: int | None = 300, max_edges: int | None = 3000, max_quotes: int = PAGE_QUOTES) -> dict:
    """The data of the page: ``nodes`` (every actor of any window, with one position), ``windows`` (per window: its
    dates, the actors active in it and its ties, each tie with the concepts both actors spoke on and up to
    ``max_quotes`` quotes), ``quotes`` (each stored once; ties refer to them by index), ``options`` and ``meta``.
    ``quotes`` maps a statement's id (the assertion) to its quote (:meth:`kg.analysis.rows.Row.quote_dict`).
    ``max_nodes``: the most active actors over all windows; ``max_edges``: the heaviest ties per window."""
    import networkx as nx

    quotes = quotes or {}
    opts = dict(windows[0].options) if windows else {}
    qualifier, scale = opts.get("qualifier", "congruence"), opts.get("scale", "agreement")
    stance_of = STANCE_OF.get(scale, {})
    labels: dict[str, str] = {}
    activity: dict[str, int] = defaultdict(int)
    for net in windows:
        for s in net.window_statements:
            labels.setdefault(s.actor, s.actor_label or s.actor)
            activity[s.actor] += 1
        for k, lab in zip(net.rows, net.row_labels):
            labels.setdefault(k, lab)
    keep = sorted(labels, key=lambda k: (-activity[k], labels[k].casefold(), k))
    omitted_nodes = 0
    if max_nodes and len(keep) > max_nodes:
        omitted_nodes = len(keep) - max_nodes
        keep = keep[:max_nodes]
    keep.sort(key=lambda k: (labels[k].casefold(), k))
    index = {k: i for i, k in enumerate(keep)}
    top_activity = max((activity[k] for k in keep), default=1) or 1

    union = nx.Graph()
    for k in keep:
        union.add_node(k, label=labels[k])
    page_windows, quote_list, quote_index = [], [], {}
    omitted_edges, top_weight = 0, 0.0
    for net in windows:
        by_actor: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        concept_label = {}
        for s in net.window_statements:
            by_actor[s.actor][s.concept].append(s)
            concept_label.setdefault(s.concept, s.concept_label or s.concept)
        ties = []
        n = len(net.rows)
        for i in range(n):
            for j in range(i + 1, n):
                w = float(net.matrix[i, j])
                a, b = net.rows[i], net.rows[j]
                if w != 0 and a in index and b in index:
                    ties.append((abs(w), a, b, w))
        ties.sort(key=lambda t: (-t[0], labels[t[1]].casefold(), labels[t[2]].casefold()))
        if max_edges and len(ties) > max_edges:
            omitted_edges += len(ties) - max_edges
            ties = ties[:max_edges]
        edges = []
        for _, a, b, w in ties:
            top_weight = max(top_weight, abs(w))
            old = union.get_edge_data(a, b, {}).get("weight", 0.0)
            union.add_edge(a, b, weight=old + abs(w))
            shared = sorted(set(by_actor[a]) & set(by_actor[b]), key=lambda c: concept_label[c].casefold())
            topics, refs = [], []
            for c in shared[:MAX_TOPICS]:
                topics.append({"concept": concept_label[c],
                               "a": sorted({stance_of.get(s.qualifier, str(s.qualifier)) for s in by_actor[a][c]}),
                               "b": sorted({stance_of.get(s.qualifier, str(s.qualifier)) for s in by_actor[b][c]})})
            n_quotes = 0
            for c in shared:
                for s in by_actor[a][c] + by_actor[b][c]:
                    q = quotes.get(s.id)
                    if q is None:
                        continue
                    n_quotes += 1
                    if len(refs) < max_quotes:
                        if s.id not in quote_index:
                            quote_index[s.id] = len(quote_list)
                            quote_list.append({k: v for k, v in q.items() if k != "id"})
                        refs.append(quote_index[s.id])
            edges.append({"id": f"e{index[a]}-{index[b]}", "from": f"n{index[a]}", "to": f"n{index[b]}",
                          "weight": round(w, 6), "topics": topics, "n_topics": len(shared), "quotes": refs,
                          "n_quotes": n_quotes})
        active = sorted({s.actor for s in net.window_statements if s.actor in index}, key=index.get)
        window_activity = defaultdict(int)
        for s in net.window_statements:
            window_activity[s.actor] += 1
        page_windows.append({"start": net.start, "mid": net.mid, "stop": net.stop,
                             "statements": len(net.window_statements),
                             "nodes": [{"id": f"n{index[k]}", "activity": window_activity[k]} for k in active],
                             "edges": edges})
    for w in page_windows:
        for e in w["edges"]:
            e["width"] = round(1.0 + 7.0 * abs(e["weight"]) / top_weight, 2) if top_weight else 1.0
            e["color"] = _edge_colour(e["weight"], qualifier)
        for node in w["nodes"]:
            node["size"] = round(8 + 20 * math.sqrt(node["activity"] / top_activity), 1)
    radius = {k: 28.0 for k in keep}  # room for the largest a node can be in any window
    pos = layout(union, sizes=radius) if keep else {}
    if pos is None:  # no numpy: a circle
        pos = {k: (400 * math.cos(2 * math.pi * i / len(keep)), 400 * math.sin(2 * math.pi * i / len(keep)))
               for i, k in enumerate(keep)}
    nodes = [{"id": f"n{i}", "iri": k, "label": labels[k], "x": pos[k][0], "y": pos[k][1], "activity": activity[k]}
             for i, k in enumerate(keep)]
    notes = [note] if note else []
    if omitted_nodes:
        notes.append(f"Showing the {len(keep)} most active actors; {omitted_nodes} less active left out "
                     f"(--max-nodes).")
    if omitted_edges:
        notes.append(f"{omitted_edges} weaker ties left out over all windows (at most {max_edges} per window, "
                     f"--max-edges).")
    if not windows and not note:
        notes.append("No window to show.")
    meta = {"title": title or f"{qualifier} network in moving time windows", "window": window, "step": step,
            "options": opts, "filters": filters, "note": " ".join(notes), "windows": len(page_windows),
            "nodes": len(nodes), "qualifier": qualifier,
            "legend": _legend(qualifier, opts.get("normalization", "none"), top_weight)}
    options = {
        "autoResize": True,
        "nodes": {"shape": "dot", "color": {"background": NODE_COLOUR, "border": "#2b4a6b",
                                            "highlight": {"background": NODE_COLOUR, "border": "#000"}},
                  "font": {"size": FONT_PX, "face": "system-ui, sans-serif", "strokeWidth": 3,
                           "strokeColor": "#ffffff"}, "labelHighlightBold": False, "borderWidth": 1},
        "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 1.5, "color": {"inherit": False}},
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": False},
        "physics": {"enabled": False},
        "layout": {"randomSeed": 7, "improvedLayout": False},
    }
    return {"meta": meta, "nodes": nodes, "windows": page_windows, "quotes": quote_list, "options": options}


def _legend(qualifier: str, normalization: str, top: float) -> list[dict]:
    colours = {"congruence": [("agreement (congruence)", POSITIVE)], "conflict": [("disagreement (conflict)", NEGATIVE)],
               "subtract": [("more agreement than disagreement", POSITIVE),
                            ("more disagreement than agreement", NEGATIVE)],
               "ignore": [("spoke on the same concept", NEUTRAL)]}[qualifier]
    unit = "" if normalization == "none" else f" ({normalization} normalisation)"
    return [{"title": "Line colour", "items": [{"label": lab, "color": c} for lab, c in colours]},
            {"title": f"Line width: tie weight{unit}", "items": [
                {"label": f"weight {round(top, 3):g}, the heaviest tie of all windows", "color": "#555"}]},
            {"title": "Node size", "items": [{"label": "statements of the actor in the window", "color": NODE_COLOUR}]}]


def render_window_html(data: dict) -> str:
    """The page as a string (the same data give the same bytes)."""
    import html

    template = (ASSETS / "window.html").read_text(encoding="utf-8")
    parts = {
        "%%TITLE%%": html.escape(str(data["meta"]["title"])),
        "%%CSS%%": (ASSETS / "viz.css").read_text(encoding="utf-8") + (ASSETS / "window.css").read_text(encoding="utf-8"),
        "%%DATA%%": _json_for_html(data),
        "%%VIS%%": vis_network_js(),
        "%%JS%%": (ASSETS / "window.js").read_text(encoding="utf-8"),
    }
    # one pass: a placeholder inside the data is never substituted
    return re.sub("|".join(map(re.escape, parts)), lambda m: parts[m.group(0)], template)


def write_window_page(data: dict, path: str | Path) -> Path:
    """Write the page of :func:`window_page` as one offline HTML file; returns the path."""
    path = Path(path)
    text = render_window_html(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise KgError(f"cannot write {path}: {e.strerror or e}") from None
    return path


def window_page_from_store(store: Store, window: str | int, step: str | int = 1, filters: Filters | None = None, *,
                           isolates: bool = False, max_nodes: int | None = 300, max_edges: int | None = 3000,
                           max_quotes: int = PAGE_QUOTES, **options) -> dict:
    """:func:`window_page` of the store's assertions that pass ``filters``: DNA's one-mode networks (``options`` as
    for :func:`kg.analysis.dna_networks.dna_network`) in windows of ``window`` days moving by ``step``, from
    ``filters.since`` / ``until`` when given, else from the first to the last statement date."""
    from kg.analysis.dna_networks import statements_from_rows
    from kg.analysis.dna_windows import parse_days, time_windows
    from kg.analysis.rows import fetch_rows, filter_rows

    rows = filter_rows(fetch_rows(store, filters), filters)
    scale = options.get("scale", "agreement")
    statements, dropped = statements_from_rows(rows, scale)
    size, every = parse_days(window), parse_days(step)
    start, stop = (filters.since, filters.until) if filters else (None, None)
    nets = time_windows(statements, size, every, start=start, stop=stop, isolates=isolates, **options)
    notes = []
    undated = sum(1 for s in statements if not s.date)
    if undated:
        notes.append(f"{undated} of {len(statements)} statements have no document date and are in no window.")
    if dropped:
        notes.append(f"{dropped} assertion{'s' if dropped != 1 else ''} with stances the {scale} scale has no level "
                     f"for {'were' if dropped != 1 else 'was'} left out.")
    if not nets:
        dates = sorted(s.date[:10] for s in statements if s.date)
        notes.append(f"No window of {size} days fits between {start or dates[0]} and {stop or dates[-1]} (DNA keeps "
                     "only windows wholly inside the time range)." if dates else "No dated statements: no windows.")
    quotes = {r.assertion: r.quote_dict() for r in rows}
    data = window_page(nets, quotes=quotes, note=" ".join(notes), filters=filters.describe() if filters else "none",
                       window=f"{size} days", step=f"{every} day{'s' if every != 1 else ''}", max_nodes=max_nodes,
                       max_edges=max_edges, max_quotes=max_quotes)
    data["meta"]["statements"] = len(statements)
    return data
