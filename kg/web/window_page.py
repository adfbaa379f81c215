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
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.web.layout import FONT_PX
from kg.web.pages import PAGE_QUOTES, fill_page, layout, save_page

if TYPE_CHECKING:
    from kg.analysis.dna_networks import DnaNetwork
    from kg.analysis.rows import Filters
    from kg.store import Store

POSITIVE, NEGATIVE, NEUTRAL = "#1a9850", "#d73027", "#7f8c8d"
NODE_COLOUR = "#4e79a7"
# the agreement qualifier's levels as stances (kg.analysis.dna_networks.AGREEMENT / INTEGER, inverted)
STANCE_OF = {"agreement": {1: "supports", 0: "opposes"}, "integer": {1: "supports", -1: "opposes", 0: "neutral"}}
MAX_TOPICS = 20  # concepts listed per edge


def _colours(qualifier: str) -> dict[str, str]:
    """The colours of positive and negative ties: congruence agrees, conflict disagrees, subtract by its sign."""
    if qualifier == "conflict":
        return {"positive": NEGATIVE, "negative": NEGATIVE}
    if qualifier == "ignore":
        return {"positive": NEUTRAL, "negative": NEUTRAL}
    return {"positive": POSITIVE, "negative": NEGATIVE}


def window_page(windows: Sequence[DnaNetwork], *, quotes: Mapping[str, dict] | None = None, title: str = "",
                note: str = "", filters: str = "none", window: str = "", step: str = "",
                max_nodes: int | None = 300, max_edges: int | None = 3000, max_quotes: int = PAGE_QUOTES) -> dict:
    """The data of the page: ``nodes`` (every actor of any window, with one position), ``windows`` (per window: its
    dates, its ties, and the actors active in it with the concepts they spoke on, their stances and up to
    ``max_quotes`` quotes per concept), ``concepts`` and ``quotes`` (each stored once; the windows refer to them by
    index), ``options`` and ``meta``.
    ``quotes`` maps a statement's id (the assertion) to its quote (:meth:`kg.analysis.rows.Row.quote_dict`).
    ``max_nodes``: the most active actors over all windows; ``max_edges``: the heaviest ties per window."""
    import networkx as nx
    import numpy as np

    quotes = quotes or {}
    opts = dict(windows[0].options) if windows else {}
    qualifier, scale = opts.get("qualifier", "congruence"), opts.get("scale", "agreement")
    stance_of = STANCE_OF.get(scale, {})
    labels: dict[str, str] = {}
    activity: dict[str, int] = defaultdict(int)  # statements in any window (windows overlap: each counted once)
    seen: set[int] = set()
    for net in windows:
        for s in net.window_statements:
            labels.setdefault(s.actor, s.actor_label or s.actor)
            if id(s) not in seen:
                seen.add(id(s))
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

    concepts: list[str] = []  # concept labels, each once; the windows refer to them by index
    concept_index: dict[str, int] = {}
    union: dict[tuple[int, int], float] = defaultdict(float)  # by index of the ends
    page_windows, quote_list, quote_index = [], [], {}
    omitted_edges, top_weight = 0, 0.0

    def quote_ref(sid: str) -> int:
        if sid not in quote_index:
            quote_index[sid] = len(quote_list)
            quote_list.append({k: v for k, v in quotes[sid].items() if k != "id"})
        return quote_index[sid]

    for net in windows:
        # per actor and concept in the window: its stances and its quoted statements; the page works out what
        # two actors share when a tie is opened (a tie's concepts would repeat these many times over)
        levels: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        quoted: dict[tuple[str, str], list[str]] = defaultdict(list)
        window_activity: dict[str, int] = defaultdict(int)
        for s in net.window_statements:
            window_activity[s.actor] += 1
            if s.actor not in index:
                continue
            if s.concept not in concept_index:
                concept_index[s.concept] = len(concepts)
                concepts.append(s.concept_label or s.concept)
            levels[s.actor][s.concept].add(stance_of.get(s.qualifier, str(s.qualifier)))
            if s.id in quotes:
                quoted[s.actor, s.concept].append(s.id)
        # the ties between kept actors, heaviest first (then by the ends' label order): at most max_edges
        rank = np.array([index.get(k, -1) for k in net.rows], dtype=int)
        ii, jj = np.nonzero(np.triu(net.matrix, 1))
        inside = (rank[ii] >= 0) & (rank[jj] >= 0)
        ii, jj = ii[inside], jj[inside]
        ws = net.matrix[ii, jj]
        lo, hi = np.minimum(rank[ii], rank[jj]), np.maximum(rank[ii], rank[jj])
        order = np.lexsort((hi, lo, -np.abs(ws)))
        if max_edges and len(order) > max_edges:
            omitted_edges += len(order) - max_edges
            order = order[:max_edges]
        if len(order):
            top_weight = max(top_weight, float(np.abs(ws[order]).max()))
        edges = []
        for a, b, w in zip(lo[order].tolist(), hi[order].tolist(), ws[order].tolist()):
            union[a, b] += abs(w)
            edges.append({"id": f"e{a}-{b}", "from": f"n{a}", "to": f"n{b}", "weight": round(w, 6)})
        nodes_of_window = []
        for k in sorted((k for k in window_activity if k in index), key=index.get):
            # [concept, stances ("supports/opposes"), quoted statements, the first max_quotes of them]
            said = [[concept_index[c], "/".join(sorted(v)), len(quoted.get((k, c), ())),
                     [quote_ref(sid) for sid in quoted.get((k, c), ())[:max_quotes]]]
                    for c, v in sorted(levels[k].items(), key=lambda cv: concept_index[cv[0]])]
            nodes_of_window.append({"id": f"n{index[k]}", "activity": window_activity[k], "said": said})
        page_windows.append({"start": net.start, "mid": net.mid, "stop": net.stop,
                             "statements": len(net.window_statements), "nodes": nodes_of_window, "edges": edges})
    top_activity = max((n["activity"] for w in page_windows for n in w["nodes"]), default=1)
    g = nx.Graph()  # every window's ties together, for one layout
    g.add_nodes_from((k, {"label": labels[k]}) for k in keep)
    g.add_weighted_edges_from((keep[a], keep[b], w) for (a, b), w in union.items())
    radius = {k: 28.0 for k in keep}  # room for the largest a node can be in any window
    pos = layout(g, sizes=radius) if keep else {}
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
            "nodes": len(nodes), "qualifier": qualifier, "topWeight": top_weight, "topActivity": top_activity,
            "maxQuotes": max_quotes, "maxTopics": MAX_TOPICS, "colours": _colours(qualifier),
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
    return {"meta": meta, "nodes": nodes, "windows": page_windows, "concepts": concepts, "quotes": quote_list,
            "options": options}


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
    return fill_page(data, css=("viz.css", "window.css"), js="window.js", generator="kg viz --window",
                     bar="timebar.html")


def write_window_page(data: dict, path: str | Path) -> Path:
    """Write the page of :func:`window_page` as one offline HTML file; returns the path."""
    return save_page(render_window_html(data), path)


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
