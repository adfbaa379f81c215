"""Actor–actor views (congruence, conflict) from holdings (:mod:`kg.analysis.holdings`): project, prune,
colour, quote.

>>> with open_holdings(store, Filters(topic="troop-deployment")) as hs:   # doctest: +SKIP
...     g = actor_view(hs, ViewSpec("congruence", max_nodes=300))
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from kg.analysis.actor_pairs import _shared, _top_actors, conflict_edges, congruence_edges
from kg.analysis.holdings import TOP, Holding, Holdings, Key, QuoteSource
from kg.analysis.pruning import assign_communities, communities
from kg.analysis.rows import Row, _quote_order
from kg.analysis.stance_view import _certainty
from kg.analysis.view_notes import finish_view
from kg.analysis.view_spec import MAX_QUOTES, ViewSpec

if TYPE_CHECKING:
    import networkx as nx


class _Evidence:
    """Per (actor, (target, stance)): the highest certainty rank, the number of assertions and the
    best few rows, so that each of the (many) actor pairs costs little.

    The holdings are numbered strongest evidence first (the order in which an edge takes their quotes):
    ``held[actor][key]`` is the number. ``source`` (:meth:`kg.analysis.holdings.Holdings.quotes_of`, None:
    no quotes) is asked for the rows of those holdings only that some edge quotes: :meth:`prefetch` finds
    them from the counts."""

    def __init__(self, items: Iterable[Holding], source: QuoteSource | None, max_quotes: int = MAX_QUOTES):
        rank: dict[tuple[str, Key], int] = {}
        count: dict[tuple[str, Key], int] = {}
        self.target_label: dict[str, str] = {}
        for h in items:
            k = (h.actor, (h.target, h.stance))
            rank[k], count[k] = h.rank, h.count
            self.target_label[h.target] = h.target_label
        self.pairs = sorted(rank, key=lambda p: (-rank[p], p))
        self.rank = [rank[p] for p in self.pairs]
        self.count = [count[p] for p in self.pairs]
        self.held: dict[str, dict[Key, int]] = defaultdict(dict)
        for i, (actor, key) in enumerate(self.pairs):
            self.held[actor][key] = i
        self._source = source
        self.quoted = source is not None
        self.max_quotes = max_quotes
        self._fetched: set[int] = set()
        self._rows: list[Row] = []  # every row fetched, in quote order
        self._top: dict[int, list[int]] = {}  # a holding's best rows, as positions in _rows
        self._dicts: dict[int, dict] = {}  # one dict per row, however many edges quote it

    def prefetch(self, edges: Iterable[list[int]]) -> None:
        """Fetch the rows of the holdings that the edges' quotes come from (``edges``: each edge's holdings
        in order)."""
        if not self.quoted:
            return
        wanted = set()
        count = self.count
        for ids in edges:
            n = 0
            for i in ids:
                wanted.add(i)
                n += min(count[i], TOP)
                if n >= self.max_quotes:
                    break
        self._fetch(wanted)

    def _fetch(self, wanted: set[int]) -> None:
        wanted = wanted - self._fetched
        if not wanted:
            return
        self._fetched |= wanted
        top = {self.pairs[i]: [self._rows[r] for r in rows] for i, rows in self._top.items()}
        top.update(self._source({self.pairs[i] for i in wanted}))
        rows = sorted((r for rs in top.values() for r in rs), key=_quote_order)
        pos = {r.assertion: i for i, r in enumerate(rows)}
        self._dicts = {pos[self._rows[i].assertion]: d for i, d in self._dicts.items()}
        self._rows = rows
        self._top = {self.held[a][k]: [pos[r.assertion] for r in rs] for (a, k), rs in top.items()}

    def quotes(self, ids: list[int]) -> tuple[list[dict], int]:
        """The best ``max_quotes`` quotes behind the holdings ``ids`` (in order), and how many there are."""
        count = self.count
        n = sum(count[i] for i in ids)
        if not self.quoted:
            return [], n
        # Visit the strongest evidence first and stop once there is enough of it.
        got: list[int] = []
        for i in ids:
            if i not in self._fetched:
                self._fetch({i})
            got.extend(self._top.get(i, ()))
            if len(got) >= self.max_quotes:
                break
        got.sort()  # positions in quote order
        out = []
        for r in got[: self.max_quotes]:
            d = self._dicts.get(r)
            if d is None:
                d = self._dicts[r] = self._rows[r].quote_dict()
            out.append(d)
        return out, n


def _finish_edges(g, ev: _Evidence, view: str) -> None:
    """Decode each edge's ``_keys`` into ``shared`` labels, ``certainty``, ``stance``, ``quotes``, ``n_quotes``."""
    tl = ev.target_label
    rank, held = ev.rank, ev.held
    all_keys = g.graph.pop("_keys", [])
    g.graph.pop("_cut", None)
    quoted = []
    decoded: dict = {}  # what edges sharing the same keys have in common, decoded once
    for a, b, d in g.edges(data=True):
        shared = d.pop("_keys")
        ha, hb = held[a], held[b]
        memo = decoded.get(shared) if isinstance(shared, int) else None
        if memo is None:
            keys = _shared(shared, all_keys)
            if view == "congruence":
                stances = {k[1] for k in keys}
                memo = (keys, stances.pop() if len(stances) == 1 else "mixed",
                        sorted(f"{s} {tl[t]}" for t, s in keys))
            else:
                memo = (keys, "conflict", sorted(tl[t] for t in keys))
            if isinstance(shared, int):
                decoded[shared] = memo
        keys, d["stance"], labels = memo
        d["shared"] = list(labels)
        if view == "congruence":
            ids = [h[k] for k in keys for h in (ha, hb)]
            best = max(min(rank[ha[k]], rank[hb[k]]) for k in keys)
        else:
            # Only an opposed pair of stances counts towards the certainty of a conflict.
            best = max(min(rank[x[(t, "supports")]] if (t, "supports") in x else 0,
                           rank[y[(t, "opposes")]] if (t, "opposes") in y else 0)
                       for t in keys for x, y in ((ha, hb), (hb, ha)))
            ids = [h[(t, s)] for t in keys for h in (ha, hb) for s in ("supports", "opposes") if (t, s) in h]
        d["certainty"] = _certainty(best)
        ids.sort()  # the strongest evidence first
        quoted.append((d, ids))
    ev.prefetch(ids for _d, ids in quoted)
    for d, ids in quoted:
        d["quotes"], d["n_quotes"] = ev.quotes(ids)


def _activity(g, items: Iterable[Holding]) -> None:
    count: Counter = Counter()
    for h in items:
        count[h.actor] += h.count
        if h.target != h.actor:
            count[h.target] += h.count
    for n, data in g.nodes(data=True):
        data["activity"] = count.get(n, 0)


# ---------------------------------------------------------------- views


def actor_view(holdings: Holdings, spec: ViewSpec, *, details: bool = True,
               graph: Callable[[], nx.Graph] | None = None) -> nx.Graph:
    """The congruence or conflict view of ``holdings``: project, prune, colour, quote.

    A ``max_nodes`` limit first keeps the most active actors, so that the
    projection stays cheap; then the nodes of highest weighted degree and the
    heaviest edges (see :func:`~kg.analysis.pruning.reduce_graph`). Quotes are fetched for
    the holdings the edges drawn quote only. ``details=False`` (for analyses, which need weights
    only) leaves out what an edge shares, its stance, certainty and quotes: on a
    busy topic at 1M assertions that is half the time of ``kg network``. ``graph`` makes the empty
    graph: default :class:`networkx.Graph`; a page needs no more than
    :class:`kg.analysis.small_graph.SmallGraph`, which spares importing networkx.
    """
    view = spec.view
    omitted = {"nodes": 0, "edges": 0, "assertions": 0}
    all_actors = holdings.actors()
    shown = holdings
    if spec.max_nodes is not None and len(all_actors) > spec.max_nodes:
        shown = holdings.only(_top_actors(holdings.items, spec.max_nodes))
    # No more actors than max_nodes are left, so of reduce_graph only the edge cut would apply: done
    # while the edges are made.
    g = (congruence_edges if view == "congruence" else conflict_edges)(shown.items, spec.max_edges, graph)
    omitted["nodes"] = len(all_actors) - len(shown.actors())
    omitted["edges"] = g.graph["_cut"]
    drawn = set(g)
    # Coalitions of what is drawn (on a pruned view: among the edges kept; `kg network` analyses
    # the whole). Conflict nodes are coloured by the agreement among them.
    if view == "congruence":
        assign_communities(g)
    else:
        assign_communities(g, communities(congruence_edges([h for h in shown.items if h.actor in drawn],
                                                           graph=graph)))
    if details:
        evidence = [h for h in shown.items
                    if h.actor in drawn and (view == "congruence" or h.stance in ("supports", "opposes"))]
        _finish_edges(g, _Evidence(evidence, shown.quotes_of if spec.quotes else None, spec.max_quotes), view)
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
    _finish_edges(g, _Evidence(hs.items, hs.quotes_of), "congruence")
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
    _finish_edges(g, _Evidence(opposed, hs.quotes_of), "conflict")
    _activity(g, hs.items)
    return g
