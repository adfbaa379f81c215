"""The congruence page's network (nodes, edge weights, what an edge shares, its quotes) against a
straightforward reference over generated holdings: every pair of actors compared, the edge cut by
:func:`kg.analysis.pruning.strongest_edges`, each edge's quotes picked as the view documents it. And the
page drawn from a view in a SmallGraph (``kg viz``) is the page drawn from it in a networkx Graph."""

from __future__ import annotations

import random
from collections import defaultdict
from itertools import combinations
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.analysis import actor_pairs
from kg.analysis.actor_views import actor_view
from kg.analysis.holdings import Holdings
from kg.analysis.pruning import assign_communities, strongest_edges
from kg.analysis.rows import Row, _quote_order
from kg.analysis.stance_view import _certainty
from kg.analysis.small_graph import SmallGraph
from kg.analysis.view_spec import ViewSpec
from kg.web.pages import page, page_data

STANCES = ["supports", "opposes", "hesitant", "neutral"]
CERTAINTIES = ["possible", "probable", "certain"]


@st.composite
def generated_rows(draw) -> list[Row]:
    n_actors = draw(st.integers(1, 14))
    n_targets = draw(st.integers(1, 4))
    n = draw(st.integers(0, 90))
    out = []
    for i in range(n):
        a = draw(st.integers(0, n_actors - 1))
        t = draw(st.integers(0, n_targets - 1))
        stance = draw(st.sampled_from(STANCES))
        certainty = draw(st.sampled_from(CERTAINTIES))
        date = draw(st.sampled_from([None, "2022-01-03", "2022-02-01", "2023-05-05"]))
        doc = f"d{draw(st.integers(0, 3))}"
        label = draw(st.sampled_from([f"A{a}", "Same", f"a{a % 3}"]))  # repeated labels: ties broken by IRI
        out.append(Row(f"ex:s{i}", f"ex:A{a:02d}", label, draw(st.sampled_from(["State", "Actor", "Person"])),
                       stance, f"ex:T{t}", f"T{t}", "topic", f"T{t}", certainty, None, None, f"quote {i}", doc, doc,
                       None, date, "curated", None))
    return out


def reference(rows: list[Row], max_nodes: int | None, max_edges: int | None, max_quotes: int):
    """(nodes with label/type/community/activity, {(a, b): (weight, shared, stance, certainty, quote ids,
    n_quotes)}, the edges in networkx's order, omitted) computed pair by pair."""
    hs = Holdings.from_rows(rows)
    items = hs.items
    actors = {h.actor for h in items}
    if max_nodes is not None and len(actors) > max_nodes:
        pairs_held, n, label = defaultdict(int), defaultdict(int), {}
        for h in items:
            pairs_held[h.actor] += 1
            n[h.actor] += h.count
            label[h.actor] = h.actor_label
        keep = set(sorted(actors, key=lambda a: (-pairs_held[a], -n[a], label[a], a))[:max_nodes])
        items = [h for h in items if h.actor in keep]
    held: dict[str, set] = defaultdict(set)
    for h in items:
        held[h.actor].add((h.target, h.stance))
    edges = {}
    for a, b in combinations(sorted(held), 2):
        shared = sorted(held[a] & held[b])
        if shared:
            edges[(a, b)] = shared
    cut = 0
    if max_edges is not None and len(edges) > max_edges:
        kept = strongest_edges([(p, p[0], p[1], len(s), 0) for p, s in edges.items()], max_edges)
        cut = len(edges) - len(kept)
        edges = {p: s for p, s in edges.items() if p in kept}
    rank = {(h.actor, (h.target, h.stance)): h.rank for h in items}
    count = {(h.actor, (h.target, h.stance)): h.count for h in items}
    tl = {h.target: h.target_label for h in items}
    by: dict[tuple, list[Row]] = defaultdict(list)
    for r in rows:
        by[(r.actor, (r.target, r.stance))].append(r)
    top = {k: sorted(rs, key=_quote_order)[:5] for k, rs in by.items()}
    out = {}
    for (a, b), shared in edges.items():
        stances = {k[1] for k in shared}
        pairs = sorted(((x, k) for k in shared for x in (a, b)), key=lambda p: (-rank[p], p))
        got: list[Row] = []
        for p in pairs:
            got += top[p]
            if len(got) >= max_quotes:
                break
        got = sorted(got, key=_quote_order)[:max_quotes]
        out[(a, b)] = (len(shared), sorted(f"{s} {tl[t]}" for t, s in shared),
                       stances.pop() if len(stances) == 1 else "mixed",
                       _certainty(max(min(rank[(a, k)], rank[(b, k)]) for k in shared)),
                       [r.assertion for r in got], sum(count[p] for p in pairs))
    # nodes: every actor kept, label of its first holding in (label, IRI) order; communities of the edges
    import networkx as nx

    g = nx.Graph()
    for h in sorted(items, key=lambda h: (h.actor_label, h.actor)):
        if h.actor in g:
            if g.nodes[h.actor]["type"] in (None, "Actor"):
                g.nodes[h.actor]["type"] = h.actor_type
        else:
            g.add_node(h.actor, label=h.actor_label, type=h.actor_type)
    g.add_edges_from((a, b, {"weight": e[0]}) for (a, b), e in sorted(out.items()))
    assign_communities(g)
    activity = defaultdict(int)
    for h in items:
        activity[h.actor] += h.count
    nodes = [(x, d["label"], d["type"], d["community"], activity[x]) for x, d in g.nodes(data=True)]
    return nodes, out, list(g.edges()), {"nodes": len(actors) - len(held), "edges": cut}


@settings(max_examples=150, deadline=None)
@given(generated_rows(), st.sampled_from([None, 1, 3, 6, 40]), st.sampled_from([None, 0, 1, 4, 15, 200]),
       st.sampled_from([1, 3, 12]), st.booleans())
def test_congruence_view_is_the_pairwise_reference(rows, max_nodes, max_edges, max_quotes, matrix):
    """With the actor pairs from a matrix, and enumerated (too many actors for a matrix)."""
    spec = ViewSpec("congruence", max_nodes=max_nodes, max_edges=max_edges, max_quotes=max_quotes)
    with mock.patch.object(actor_pairs, "MATRIX_MAX_ACTORS", actor_pairs.MATRIX_MAX_ACTORS if matrix else -1):
        g = actor_view(Holdings.from_rows(rows), spec)
        small = actor_view(Holdings.from_rows(rows), spec, graph=SmallGraph)
    nodes, edges, order, omitted = reference(rows, max_nodes, max_edges, max_quotes)
    assert [(x, d["label"], d["type"], d["community"], d["activity"]) for x, d in g.nodes(data=True)] == nodes
    got = {(a, b) if a < b else (b, a): (d["weight"], d["shared"], d["stance"], d["certainty"],
                                         [q["id"] for q in d["quotes"]], d["n_quotes"])
           for a, b, d in g.edges(data=True)}
    assert got == edges
    assert all(type(d["weight"]) is int for *_, d in g.edges(data=True))
    assert list(g.edges()) == order  # each node's neighbours in the order of their IRIs
    assert {k: g.graph["omitted"][k] for k in ("nodes", "edges")} == omitted
    same_graphs(small, g)


def same_graphs(small, g) -> None:
    """A view in a SmallGraph is the view in a networkx Graph, and makes the same page."""
    assert small.graph == g.graph
    assert small.nodes(data=True) == list(g.nodes(data=True))
    assert small.edges(data=True) == list(g.edges(data=True))
    assert small.degree(weight="weight") == list(g.degree(weight="weight"))
    assert (small.number_of_nodes(), small.number_of_edges()) == (g.number_of_nodes(), g.number_of_edges())
    assert page_data(page(small)) == page_data(page(g))


@pytest.mark.parametrize("view", ["congruence", "conflict"])
@pytest.mark.parametrize("seed", range(3))
def test_a_page_of_a_small_graph_is_the_page_of_the_networkx_graph(view, seed):
    rng = random.Random(seed)
    rows = [Row(f"ex:s{i}", f"ex:A{rng.randrange(40)}", f"A{rng.randrange(30)}", "State",
                rng.choice(STANCES[:3]), f"ex:T{rng.randrange(6)}", "T", "topic", "T", rng.choice(CERTAINTIES),
                None, None, f"quote {i}", "d1", "d1", None, None, "curated", None) for i in range(400)]
    for max_nodes, max_edges in ((None, None), (25, 60)):
        spec = ViewSpec(view, max_nodes=max_nodes, max_edges=max_edges)
        same_graphs(actor_view(Holdings.from_rows(rows), spec, graph=SmallGraph),
                    actor_view(Holdings.from_rows(rows), spec))


@pytest.mark.parametrize("seed", range(20))
def test_the_edge_cut_on_arrays_is_strongest_edges(seed):
    import numpy as np

    rng = random.Random(seed)
    n = rng.randrange(2, 60)
    pairs = sorted({tuple(sorted(rng.sample(range(n), 2))) for _ in range(rng.randrange(1, 400))})
    u = np.array([a for a, _ in pairs], dtype=np.int64)
    v = np.array([b for _, b in pairs], dtype=np.int64)
    w = np.array([rng.choice([1, 1, 2, 3, 5]) for _ in pairs], dtype=np.int64)
    for max_edges in (0, 1, 5, len(pairs) // 3, len(pairs) - 1, len(pairs)):
        kept = strongest_edges([(i, a, b, int(x), 0) for i, (a, b, x) in enumerate(zip(u, v, w))], max_edges)
        assert actor_pairs._strongest(u, v, w, max_edges).tolist() == sorted(kept)
