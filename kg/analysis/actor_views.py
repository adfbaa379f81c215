"""Actor–actor views (congruence, conflict) from holdings: who holds which stance on what, how often, how surely.

An actor–actor network depends on the assertions only through their (actor,
target, stance) groups: how many assertions each has, the highest certainty
among them, and the best few quotes. :class:`Holdings` is those groups. It is
summarised from rows in Python, or, on a store with a row projection, by
SQLite (:meth:`kg.graph.projection.Projection.holdings`), which then fetches the
quotes of only the actors a pruned view keeps. One busy topic of a
million-assertion store has 10^5 assertions but a few thousand holdings, so its
congruence page never turns every assertion into a Python object.

>>> with open_holdings(store, Filters(topic="troop-deployment")) as hs:   # doctest: +SKIP
...     g = actor_view(hs, ViewSpec("congruence", max_nodes=300))
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.model.namespaces import CERTAINTY_RANK
from kg.analysis.views import (
    MAX_QUOTES, Filters, Row, ViewSpec, _add_actor, _certainty, _nx, _quote_order, assign_communities,
    communities, fetch_rows, filter_rows, finish_view, row_from_dict, strongest_edges,
)

if TYPE_CHECKING:
    import networkx as nx

    from kg.store import Store

TOP = 5  # quotes kept per (actor, target, stance): an edge shows the best of its pairs' best
Key = tuple[str, str]  # (target, stance)


@dataclass(frozen=True)
class Holding:
    """One actor's stance on one target, summarised over the assertions that state it."""

    actor: str
    actor_label: str
    actor_type: str
    target: str
    target_label: str
    stance: str
    count: int  # assertions
    rank: int  # the highest certainty rank among them


# actors → (actor, (target, stance)) → the best TOP rows, in quote order
QuoteSource = Callable[[set[str]], dict[tuple[str, Key], list[Row]]]


class Holdings:
    """The holdings a view is drawn from, with the quotes behind them fetched on demand."""

    def __init__(self, items: Iterable[Holding], quotes: QuoteSource):
        self.items = sorted(items, key=lambda h: (h.actor, h.target, h.stance))
        self._quotes = quotes

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> Holdings:
        """Holdings summarised from rows (already filtered)."""
        by: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
        for r in rows:
            by[(r.actor, r.target, r.stance)].append(r)
        items = [Holding(a, rs[0].actor_label, rs[0].actor_type, t, rs[0].target_label, s, len(rs),
                         max(r.rank for r in rs)) for (a, t, s), rs in by.items()]

        def quotes(actors: set[str]) -> dict[tuple[str, Key], list[Row]]:
            return {(a, (t, s)): sorted(rs, key=_quote_order)[:TOP] for (a, t, s), rs in by.items() if a in actors}

        return cls(items, quotes)

    def only(self, actors: set[str]) -> Holdings:
        return Holdings((h for h in self.items if h.actor in actors), self._quotes)

    def actors(self) -> set[str]:
        return {h.actor for h in self.items}

    @property
    def assertions(self) -> int:
        return sum(h.count for h in self.items)

    def quotes(self, actors: set[str]) -> dict[tuple[str, Key], list[Row]]:
        """The best :data:`TOP` rows of each holding of ``actors``."""
        return self._quotes(actors) if actors else {}


def as_holdings(items: Iterable[Holding | Row]) -> list[Holding]:
    """Holdings as given, or summarised from rows."""
    items = list(items)
    if items and isinstance(items[0], Row):
        return Holdings.from_rows(items).items
    return items


@contextlib.contextmanager
def open_holdings(store: Store, filters: Filters | None = None) -> Iterator[Holdings]:
    """The holdings of the store's assertions that pass ``filters``: from its row projection where it has one.

    A ``source`` filter matches outlet names case-insensitively against the rows
    and says which names exist when none matches, so it is applied in Python.
    """
    from kg.graph.projection import Projection

    filters = filters or Filters()
    # With a source filter the rows are read anyway (below): do not open the projection twice.
    with contextlib.nullcontext() if filters.source else Projection.opened(store) as proj:
        if proj is not None:
            target = None
            if filters.topic:
                from kg.analysis.positions import target_iri

                target = target_iri(store, filters.topic)
            certainties = None
            if filters.certainty:
                floor = CERTAINTY_RANK[filters.certainty]
                certainties = sorted(c for c, r in CERTAINTY_RANK.items() if r >= floor)
            where = dict(target=target, stances=filters.stance, certainties=certainties, since=filters.since,
                         until=filters.until)
            items = [Holding(d["actor"], d["actorLabel"], d["actorType"], d["target"], d["targetLabel"], d["stance"],
                             d["n"], max(CERTAINTY_RANK.get(c, 0) for c in d["certainties"].split(",")))
                     for d in proj.holdings(**where)]

            def quotes(actors: set[str]) -> dict[tuple[str, Key], list[Row]]:
                out: dict[tuple[str, Key], list[Row]] = defaultdict(list)
                held = [(h.actor, h.target, h.stance) for h in items if h.actor in actors]
                for d in proj.best_rows(held, TOP, CERTAINTY_RANK, certainties=certainties, since=filters.since,
                                        until=filters.until):
                    r = row_from_dict(d)
                    out[(r.actor, (r.target, r.stance))].append(r)
                return {k: sorted(rs, key=_quote_order) for k, rs in out.items()}

            yield Holdings(items, quotes)
            return
    yield Holdings.from_rows(filter_rows(fetch_rows(store, filters), filters))


# ---------------------------------------------------------------- pairs of actors


def _top_actors(items: Sequence[Holding], limit: int) -> set[str]:
    """The ``limit`` actors holding the most distinct (target, stance) pairs (ties: more assertions, label, IRI).

    Within one topic every actor holds one to five pairs, so the assertion count decides most places.
    """
    pairs: Counter = Counter()
    n: Counter = Counter()
    label: dict[str, str] = {}
    for h in items:
        pairs[h.actor] += 1
        n[h.actor] += h.count
        label[h.actor] = h.actor_label
    ranked = sorted(pairs, key=lambda a: (-pairs[a], -n[a], label[a], a))
    return set(ranked[:limit])


def _pairs(groups: dict, n_actors: int, across: bool) -> tuple[dict[tuple[str, str], object], list]:
    """Actor pairs co-occurring in ``groups`` → what they share, and the key list to decode it with.

    ``groups`` maps a key to one set of actors (pairs within it) or, with ``across``,
    to two sets (pairs across them). Enumerating pairs group by group costs the
    sum of the group sizes squared; comparing every pair of actors with bit sets
    costs ``n_actors`` squared. We take the cheaper, so that a handful of huge
    groups (one topic everyone supports) cannot blow up. What a pair shares is a
    sorted list of keys, or a bit mask over the returned key list: decode it with
    :func:`_shared` only for the edges that survive pruning.
    """
    if across:
        cost = sum(len(a) * len(b) for a, b in groups.values())
    else:
        cost = sum(len(a) * (len(a) - 1) // 2 for a in groups.values())
    keys = sorted(groups)
    if cost <= n_actors * (n_actors - 1) // 2:
        out: dict[tuple[str, str], list] = defaultdict(list)
        for key in keys:  # in order, so that each pair's list comes out sorted
            members = groups[key]
            if across:
                left, right = members
                for a in left:
                    for b in right:
                        if a != b:
                            out[(a, b) if a < b else (b, a)].append(key)
            else:
                ms = sorted(members)
                for i, a in enumerate(ms):
                    for b in ms[i + 1:]:
                        out[(a, b)].append(key)
        if across:  # an actor on both sides of one key would count it twice
            return {p: sorted(set(ks)) for p, ks in out.items()}, keys
        return dict(out), keys
    masks: dict[tuple[str, str], int] = {}
    if across:
        left: dict[str, int] = defaultdict(int)
        right: dict[str, int] = defaultdict(int)
        for i, k in enumerate(keys):
            for a in groups[k][0]:
                left[a] |= 1 << i
            for b in groups[k][1]:
                right[b] |= 1 << i
        actors = sorted(set(left) | set(right))
        for i, a in enumerate(actors):
            la, ra = left.get(a, 0), right.get(a, 0)
            for b in actors[i + 1:]:
                x = (la & right.get(b, 0)) | (ra & left.get(b, 0))
                if x:
                    masks[(a, b)] = x
    else:
        bits: dict[str, int] = defaultdict(int)
        for i, k in enumerate(keys):
            for a in groups[k]:
                bits[a] |= 1 << i
        actors = sorted(bits)
        for i, a in enumerate(actors):
            ma = bits[a]
            for b in actors[i + 1:]:
                x = ma & bits[b]
                if x:
                    masks[(a, b)] = x
    return masks, keys


def _count(shared: object) -> int:
    return shared.bit_count() if isinstance(shared, int) else len(shared)


def _shared(shared: object, keys: list) -> list:
    """The keys behind a value of :func:`_pairs` (a list already, or a bit mask over ``keys``)."""
    if not isinstance(shared, int):
        return shared
    out = []
    x = shared
    while x:
        low = x & -x
        out.append(keys[low.bit_length() - 1])
        x ^= low
    return out


def _actor_nodes(g, items: Iterable[Holding]) -> None:
    for h in sorted(items, key=lambda h: (h.actor_label, h.actor)):
        _add_actor(g, h)


def _add_edges(g, pairs: dict, keys: list, max_edges: int | None) -> None:
    """Add the pairs as weighted edges, only the ``max_edges`` strongest when given (as reduce_graph keeps
    them: the projection can have millions of pairs, and most would be cut at once)."""
    g.graph["_keys"], g.graph["_cut"] = keys, 0
    if max_edges is not None and len(pairs) > max_edges:
        kept = strongest_edges((((a, b), a, b, _count(x), 0) for (a, b), x in pairs.items()), max_edges)
        g.graph["_cut"] = len(pairs) - len(kept)
        pairs = {p: x for p, x in pairs.items() if p in kept}
    g.add_edges_from((a, b, {"weight": _count(x), "_keys": x}) for (a, b), x in sorted(pairs.items()))


def congruence_edges(items: Sequence[Holding], max_edges: int | None = None) -> nx.Graph:
    """The congruence graph with weights only: each edge keeps what it shares in ``_keys``."""
    g = _nx().Graph()
    _actor_nodes(g, items)
    groups: dict[Key, set[str]] = defaultdict(set)
    for h in items:
        groups[(h.target, h.stance)].add(h.actor)
    pairs, keys = _pairs(groups, g.number_of_nodes(), across=False)
    _add_edges(g, pairs, keys, max_edges)
    return g


def _conflict_pairs(items: Sequence[Holding]) -> tuple[dict[tuple[str, str], object], list]:
    groups: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for h in items:
        if h.stance in ("supports", "opposes"):
            groups[h.target][0 if h.stance == "supports" else 1].add(h.actor)
    return _pairs({t: s for t, s in groups.items() if s[0] and s[1]}, len({h.actor for h in items}), across=True)


def conflict_weights(items: Sequence[Holding]) -> dict[tuple[str, str], int]:
    """The conflict graph's edge weights, {(a, b): weight} with a < b, without making the graph."""
    pairs, _keys = _conflict_pairs(items)
    return {p: _count(x) for p, x in pairs.items()}


def conflict_edges(items: Sequence[Holding], max_edges: int | None = None) -> nx.Graph:
    """The conflict graph with weights only: each edge keeps its targets in ``_keys``."""
    g = _nx().Graph()
    pairs, keys = _conflict_pairs(items)
    involved = {a for p in pairs for a in p}
    _actor_nodes(g, [h for h in items if h.actor in involved])
    _add_edges(g, pairs, keys, max_edges)
    return g


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
    heaviest edges (see :func:`~kg.analysis.views.reduce_graph`). Quotes are fetched for
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
