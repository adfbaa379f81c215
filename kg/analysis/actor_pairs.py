"""Pairs of actors from holdings: who shares a (target, stance) pair (congruence), who holds opposite
stances on one target (conflict), as graphs with weights only; the edges' details are added in
:mod:`kg.analysis.actor_views`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from kg.analysis.holdings import Holding, Key
from kg.analysis.pruning import strongest_edges
from kg.analysis.stance_view import _add_actor, _nx

if TYPE_CHECKING:
    import networkx as nx


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
