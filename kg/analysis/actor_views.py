"""Actor–actor views (congruence, conflict) from holdings (:mod:`kg.analysis.holdings`): project, prune,
colour, quote.

>>> with open_holdings(store, Filters(topic="troop-deployment")) as hs:   # doctest: +SKIP
...     g = actor_view(hs, ViewSpec("congruence", max_nodes=300))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from kg.analysis.actor_pairs import _shared, _top_actors, conflict_edges, congruence_edges
from kg.analysis.holdings import Holding, Holdings, Key
from kg.analysis.pruning import assign_communities, communities
from kg.analysis.rows import Row, _quote_order
from kg.analysis.stance_view import _certainty
from kg.analysis.view_notes import finish_view
from kg.analysis.view_spec import MAX_QUOTES, ViewSpec

if TYPE_CHECKING:
    import networkx as nx


class _Evidence:
    """Per (actor, (target, stance)): the highest certainty rank, the number of assertions and the
    best few rows, so that each of the (many) actor pairs costs little."""

    def __init__(self, items: Iterable[Holding], top: dict[tuple[str, Key], list[Row]] | None,
                 max_quotes: int = MAX_QUOTES):
        self.rank: dict[tuple[str, Key], int] = {}
        self.count: dict[tuple[str, Key], int] = {}
        self.target_label: dict[str, str] = {}
        for h in items:
            k = (h.actor, (h.target, h.stance))
            self.rank[k], self.count[k] = h.rank, h.count
            self.target_label[h.target] = h.target_label
        self.top = top or {}
        self.quoted = top is not None
        self.max_quotes = max_quotes
        self._dicts: dict[str, dict] = {}  # one dict per row, however many edges quote it

    def quotes(self, pairs: list[tuple[str, Key]]) -> tuple[list[dict], int]:
        """The best ``max_quotes`` quotes behind ``pairs`` of (actor, key), and how many there are."""
        n = sum(self.count.get(p, 0) for p in pairs)
        if not self.quoted:
            return [], n
        # Visit the strongest evidence first and stop once there is enough of it.
        pairs = sorted(pairs, key=lambda p: (-self.rank.get(p, 0), p))
        got: list[Row] = []
        for p in pairs:
            got.extend(self.top.get(p, ()))
            if len(got) >= self.max_quotes:
                break
        got.sort(key=_quote_order)
        out = []
        for r in got[: self.max_quotes]:
            d = self._dicts.get(r.assertion)
            if d is None:
                d = self._dicts[r.assertion] = r.quote_dict()
            out.append(d)
        return out, n


def _finish_edges(g, ev: _Evidence, view: str) -> None:
    """Decode each edge's ``_keys`` into ``shared`` labels, ``certainty``, ``stance``, ``quotes``, ``n_quotes``."""
    tl = ev.target_label
    rank = ev.rank
    all_keys = g.graph.pop("_keys", [])
    g.graph.pop("_cut", None)
    for a, b, d in g.edges(data=True):
        keys = _shared(d.pop("_keys"), all_keys)
        if view == "congruence":
            best = max(min(rank[(a, k)], rank[(b, k)]) for k in keys)
            stances = {k[1] for k in keys}
            d["stance"] = stances.pop() if len(stances) == 1 else "mixed"
            pairs = [(x, k) for k in keys for x in (a, b)]
            d["shared"] = sorted(f"{s} {tl[t]}" for t, s in keys)
        else:
            # Only an opposed pair of stances counts towards the certainty of a conflict.
            best = max(min(rank.get((x, (t, "supports")), 0), rank.get((y, (t, "opposes")), 0))
                       for t in keys for x, y in ((a, b), (b, a)))
            d["stance"] = "conflict"
            pairs = [(x, (t, s)) for t in keys for x in (a, b) for s in ("supports", "opposes")]
            d["shared"] = sorted(tl[t] for t in keys)
        d["certainty"] = _certainty(best)
        d["quotes"], d["n_quotes"] = ev.quotes([p for p in pairs if p in ev.count])


def _activity(g, items: Iterable[Holding]) -> None:
    count: Counter = Counter()
    for h in items:
        count[h.actor] += h.count
        if h.target != h.actor:
            count[h.target] += h.count
    for n, data in g.nodes(data=True):
        data["activity"] = count.get(n, 0)


# ---------------------------------------------------------------- views


def actor_view(holdings: Holdings, spec: ViewSpec, *, details: bool = True) -> nx.Graph:
    """The congruence or conflict view of ``holdings``: project, prune, colour, quote.

    A ``max_nodes`` limit first keeps the most active actors, so that the
    projection stays cheap; then the nodes of highest weighted degree and the
    heaviest edges (see :func:`~kg.analysis.pruning.reduce_graph`). Quotes are fetched for
    the actors drawn only. ``details=False`` (for analyses, which need weights
    only) leaves out what an edge shares, its stance, certainty and quotes: on a
    busy topic at 1M assertions that is half the time of ``kg network``.
    """
    view = spec.view
    omitted = {"nodes": 0, "edges": 0, "assertions": 0}
    all_actors = holdings.actors()
    shown = holdings
    if spec.max_nodes is not None and len(all_actors) > spec.max_nodes:
        shown = holdings.only(_top_actors(holdings.items, spec.max_nodes))
    # No more actors than max_nodes are left, so of reduce_graph only the edge cut would apply: done
    # while the edges are made.
    g = (congruence_edges if view == "congruence" else conflict_edges)(shown.items, spec.max_edges)
    omitted["nodes"] = len(all_actors) - len(shown.actors())
    omitted["edges"] = g.graph["_cut"]
    drawn = set(g)
    # Coalitions of what is drawn (on a pruned view: among the edges kept; `kg network` analyses
    # the whole). Conflict nodes are coloured by the agreement among them.
    if view == "congruence":
        assign_communities(g)
    else:
        assign_communities(g, communities(congruence_edges([h for h in shown.items if h.actor in drawn])))
    if details:
        evidence = [h for h in shown.items
                    if h.actor in drawn and (view == "congruence" or h.stance in ("supports", "opposes"))]
        _finish_edges(g, _Evidence(evidence, shown.quotes(drawn) if spec.quotes else None, spec.max_quotes), view)
    else:  # weights only: the pair masks go with the key list that decodes them
        g.graph.pop("_keys", None)
        g.graph.pop("_cut", None)
        for _a, _b, d in g.edges(data=True):
            d.pop("_keys", None)
    _activity(g, shown.items)
    omitted["assertions"] = sum(h.count for h in holdings.items if h.actor not in drawn)
    return finish_view(g, spec, holdings.assertions, omitted)


def congruence_graph(rows: Sequence[Row]) -> nx.Graph:
    """Actor–actor: an edge when two actors hold the same stance on the same target.

    ``weight`` is the number of (target, stance) pairs they share, listed in
    ``shared`` as ``"<stance> <target label>"``; ``certainty`` is the highest
    certainty at which both hold one of them; ``stance`` is the shared stance
    (``mixed`` when they agree in several ways). Every actor is a node, sharing or not.
    """
    hs = Holdings.from_rows(rows)
    g = congruence_edges(hs.items)
    _finish_edges(g, _Evidence(hs.items, hs.quotes(hs.actors())), "congruence")
    _activity(g, hs.items)
    return g


def conflict_graph(rows: Sequence[Row]) -> nx.Graph:
    """Actor–actor: an edge when one actor supports a target the other opposes.

    ``weight`` is the number of such targets (listed in ``shared``); ``certainty``
    the highest certainty at which both sides hold their stances on one of them.
    Only actors in at least one conflict are nodes.
    """
    hs = Holdings.from_rows(rows)
    g = conflict_edges(hs.items)
    opposed = [h for h in hs.items if h.stance in ("supports", "opposes")]
    _finish_edges(g, _Evidence(opposed, hs.quotes(hs.actors())), "conflict")
    _activity(g, hs.items)
    return g
