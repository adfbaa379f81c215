"""Pairs of actors from holdings: who shares a (target, stance) pair (congruence), who holds opposite
stances on one target (conflict), as graphs with weights only; the edges' details are added in
:mod:`kg.analysis.actor_views`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from kg.analysis.holdings import Holding, Key
from kg.analysis.pruning import BACKBONE, strongest_edges
from kg.analysis.stance_view import _add_actor, _nx

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

MATRIX_MAX_ACTORS = 3000  # actor pairs from an actors × actors matrix up to this many actors
MATRIX_MAX_CELLS = 30_000_000  # and actors × (target, stance) pairs


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


def shared_counts(nodes: Sequence[str], items: Iterable[Holding]) -> np.ndarray | None:
    """``w[i, j]``: how many (target, stance) pairs ``nodes[i]`` and ``nodes[j]`` both hold (0 on the
    diagonal), as B Bᵀ of the actors × pairs incidence matrix B; None past :data:`MATRIX_MAX_ACTORS` actors
    or :data:`MATRIX_MAX_CELLS` cells of B, where the pairs are better enumerated (:func:`_pairs`)."""
    import numpy as np

    items = list(items)
    keys = {k: j for j, k in enumerate(sorted({(h.target, h.stance) for h in items}))}
    n = len(nodes)
    if n > MATRIX_MAX_ACTORS or n * len(keys) > MATRIX_MAX_CELLS:
        return None
    index = {a: i for i, a in enumerate(nodes)}
    b = np.zeros((n, max(len(keys), 1)))
    b[[index[h.actor] for h in items], [keys[(h.target, h.stance)] for h in items]] = 1.0
    w = b @ b.T  # pairs shared: whole numbers, exact in floating point
    np.fill_diagonal(w, 0.0)
    return w


def _strongest(u: np.ndarray, v: np.ndarray, weights: np.ndarray, max_edges: int) -> np.ndarray:
    """:func:`kg.analysis.pruning.strongest_edges` of the edges ``(u[e], v[e])`` (node indices; ``e`` their
    id, whose order breaks ties), all equally certain: the positions of the edges to keep, in order."""
    import numpy as np

    order = np.argsort(-weights, kind="stable")
    n = int(max(u.max(), v.max())) + 1 if len(u) else 0
    # A node's first BACKBONE edges (all of them, if fewer) make it part of the backbone; once every node
    # has had them, no later edge can join the backbone, and the rest follow in order.
    cap = np.minimum(np.bincount(np.concatenate([u, v]), minlength=n), BACKBONE).tolist()
    open_nodes = sum(1 for c in cap if c)
    per_node = [0] * n
    backbone: list[int] = []
    rest: list[int] = []
    ranked = order.tolist()
    for at, (e, a, b) in enumerate(zip(ranked, u[order].tolist(), v[order].tolist())):
        if per_node[a] < BACKBONE or per_node[b] < BACKBONE:
            per_node[a] += 1
            per_node[b] += 1
            open_nodes -= (per_node[a] == cap[a]) + (per_node[b] == cap[b])
            backbone.append(e)
            if len(backbone) == max_edges:
                break
            if not open_nodes:
                rest += ranked[at + 1: at + 1 + max_edges - len(rest)]
                break
        elif len(rest) < max_edges:
            rest.append(e)
    return np.sort(np.asarray((backbone + rest)[:max_edges], dtype=np.int64))


def congruence_edges(items: Sequence[Holding], max_edges: int | None = None,
                     graph: Callable[[], nx.Graph] | None = None) -> nx.Graph:
    """The congruence graph with weights only: each edge keeps what it shares in ``_keys``.

    The weights are :func:`shared_counts` (as ``kg network`` computes them), the edges added in the order
    of their actors' IRIs; only the ``max_edges`` strongest when given (as ``reduce_graph`` keeps them).
    ``graph`` makes the empty graph (default :class:`networkx.Graph`; a page's view takes
    :class:`kg.analysis.small_graph.SmallGraph`)."""
    import numpy as np

    g = (graph or _nx().Graph)()
    _actor_nodes(g, items)
    nodes = list(g)
    w = shared_counts(nodes, items)
    if w is None:
        groups: dict[Key, set[str]] = defaultdict(set)
        for h in items:
            groups[(h.target, h.stance)].add(h.actor)
        pairs, keys = _pairs(groups, g.number_of_nodes(), across=False)
        _add_edges(g, pairs, keys, max_edges)
        return g
    keys = sorted({(h.target, h.stance) for h in items})
    bit = {k: 1 << i for i, k in enumerate(keys)}
    masks: dict[str, int] = defaultdict(int)
    for h in items:
        masks[h.actor] |= bit[(h.target, h.stance)]
    by_iri = sorted(range(len(nodes)), key=nodes.__getitem__)
    wi = w[np.ix_(by_iri, by_iri)]
    u, v = np.nonzero(np.triu(wi, 1))  # row by row: the pairs (a, b), a < b, in order
    weights = wi[u, v].astype(np.int64)
    g.graph["_keys"], g.graph["_cut"] = keys, 0
    if max_edges is not None and len(weights) > max_edges:
        kept = _strongest(u, v, weights, max_edges)
        g.graph["_cut"] = len(weights) - len(kept)
        u, v, weights = u[kept], v[kept], weights[kept]
    iri = [nodes[i] for i in by_iri]
    g.add_edges_from((iri[a], iri[b], {"weight": x, "_keys": masks[iri[a]] & masks[iri[b]]})
                     for a, b, x in zip(u.tolist(), v.tolist(), weights.tolist()))
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


def conflict_edges(items: Sequence[Holding], max_edges: int | None = None,
                   graph: Callable[[], nx.Graph] | None = None) -> nx.Graph:
    """The conflict graph with weights only: each edge keeps its targets in ``_keys`` (``graph``: as for
    :func:`congruence_edges`)."""
    g = (graph or _nx().Graph)()
    pairs, keys = _conflict_pairs(items)
    involved = {a for p in pairs for a in p}
    _actor_nodes(g, [h for h in items if h.actor in involved])
    _add_edges(g, pairs, keys, max_edges)
    return g
