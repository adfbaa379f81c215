"""The igraph analyses give networkx's numbers: centralities within 1e-9, communities of equal modularity."""

from __future__ import annotations

import random
import subprocess
import sys
from fractions import Fraction

import networkx as nx
import pytest

from kg.analysis.graph_analysis import betweenness, communities, modularity, sample_sources, to_igraph
from kg.analysis.networks import analyse
from kg.analysis.pruning import communities as view_communities

TOL = 1e-9


def weighted(g: nx.Graph, seed: int, choices=(1, 2, 4, 8)) -> nx.Graph:
    rng = random.Random(seed)
    for _u, _v, d in g.edges(data=True):
        d["weight"] = rng.choice(choices)
    return g


def nx_betweenness(g: nx.Graph, exact_lengths: bool = False, **kw) -> dict:
    """networkx's betweenness with the length 1 / weight kg uses; ``exact_lengths``: as fractions, so that
    ties between paths are not broken by floating-point rounding."""
    h = g.copy()
    for _u, _v, d in h.edges(data=True):
        w = d.get("weight", 1)
        d["_length"] = Fraction(1, w) if exact_lengths else 1.0 / w
    return nx.betweenness_centrality(h, weight="_length", **kw)


GRAPHS = {
    "karate, binary weights": lambda: weighted(nx.karate_club_graph(), 1),
    "random, binary weights": lambda: weighted(nx.gnp_random_graph(40, 0.2, seed=2), 3),
    "disconnected": lambda: weighted(nx.disjoint_union(nx.path_graph(6), nx.cycle_graph(7)), 4),
    "unweighted grid": lambda: nx.convert_node_labels_to_integers(nx.grid_2d_graph(5, 6)),
    "dense": lambda: weighted(nx.complete_graph(30), 5),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_exact_betweenness_equals_networkx(name):
    g = GRAPHS[name]()
    ours = betweenness(g)
    theirs = nx_betweenness(g)
    assert ours.keys() == theirs.keys()
    assert max(abs(ours[n] - theirs[n]) for n in g) < TOL


@pytest.mark.parametrize("name", list(GRAPHS))
@pytest.mark.parametrize("k", [1, 2, 7, 20])
def test_sampled_betweenness_equals_networkx_with_the_same_seed(name, k):
    g = GRAPHS[name]()
    k = min(k, len(g))  # networkx refuses more sources than nodes; k = n is exact
    ours = betweenness(g, k=k, seed=0)
    theirs = nx_betweenness(g, k=k, seed=0)
    for n in g:  # k = 1: networkx leaves its one source undefined (nan), as do we
        assert ours[n] == pytest.approx(theirs[n], abs=TOL, nan_ok=True)


def test_sample_sources_are_networkxs():
    g = nx.karate_club_graph()
    assert sample_sources(list(g), 5, seed=7) == random.Random(7).sample(list(g), 5)


def test_betweenness_with_weights_whose_lengths_round_counts_tied_paths():
    """Lengths such as 1/3 + 1/6 and 1/2 differ by a rounding error: networkx's exact float comparison
    then misses a tie that igraph sees. With exact lengths (fractions) networkx agrees with igraph."""
    g = nx.karate_club_graph()  # weights 1..7
    ours = betweenness(g)
    assert max(abs(ours[n] - v) for n, v in nx_betweenness(g, exact_lengths=True).items()) < TOL
    sampled = betweenness(g, k=10, seed=0)
    assert max(abs(sampled[n] - v)
               for n, v in nx_betweenness(g, exact_lengths=True, k=10, seed=0).items()) < TOL


def test_betweenness_of_tiny_graphs():
    assert betweenness(nx.Graph()) == {}
    one = nx.Graph()
    one.add_node("a")
    assert betweenness(one) == {"a": 0.0}
    two = nx.Graph([("a", "b")])
    assert betweenness(two) == {"a": 0.0, "b": 0.0}
    assert betweenness(nx.path_graph(3), k=3) == pytest.approx(nx.betweenness_centrality(nx.path_graph(3)))


@pytest.mark.parametrize("name", list(GRAPHS))
def test_modularity_equals_networkx(name):
    g = GRAPHS[name]()
    g.add_edge(0, 0, weight=3)  # a loop counts as networkx counts it
    for part in (nx.community.louvain_communities(g, weight="weight", seed=1),
                 [set(g)], [{n} for n in g], [set(list(g)[::2]), set(list(g)[1::2])]):
        assert modularity(g, part) == pytest.approx(nx.community.modularity(g, part, weight="weight"), abs=TOL)


def planted(seed: int) -> nx.Graph:
    g = nx.planted_partition_graph(5, 12, 0.7, 0.08, seed=seed)
    return weighted(g, seed, choices=(1, 2, 3, 5))


COMMUNITY_GRAPHS = {
    **{k: v for k, v in GRAPHS.items() if k != "dense"},
    "planted 1": lambda: planted(1),
    "planted 2": lambda: planted(2),
    "les miserables": nx.les_miserables_graph,
    "dense random weights": lambda: weighted(nx.complete_graph(40), 6, choices=range(1, 30)),
}


@pytest.mark.parametrize("name", list(COMMUNITY_GRAPHS))
def test_communities_are_a_partition_as_modular_as_louvains(name):
    g = COMMUNITY_GRAPHS[name]()
    ours = communities(g, seed=0)
    assert sorted(n for c in ours for n in c) == sorted(g)
    assert all(ours)
    q_ours = nx.community.modularity(g, ours, weight="weight")
    # networkx's Louvain, seeded as kg seeded it; both are heuristics, neither always ahead
    q_louvain = nx.community.modularity(g, nx.community.louvain_communities(g, weight="weight", seed=0),
                                        weight="weight")
    assert q_ours >= q_louvain - 0.01, (q_ours, q_louvain)
    assert modularity(g, ours) == pytest.approx(q_ours, abs=TOL)


def test_planted_coalitions_are_found():
    g = nx.planted_partition_graph(4, 10, 0.9, 0.02, seed=3)
    found = sorted(sorted(c) for c in communities(g))
    assert found == [list(range(i * 10, i * 10 + 10)) for i in range(4)]


def test_communities_are_deterministic_and_keep_isolated_nodes_apart():
    g = planted(4)
    g.add_nodes_from(["lonely", "alone"])
    first = communities(g, seed=0)
    assert first == communities(g, seed=0)
    assert {"lonely"} in first and {"alone"} in first
    empty = nx.Graph()
    empty.add_nodes_from("abc")
    assert sorted(map(sorted, communities(empty))) == [["a"], ["b"], ["c"]]
    assert communities(nx.Graph()) == []


def test_view_communities_are_sorted_largest_first():
    g = nx.planted_partition_graph(3, 5, 1.0, 0.0, seed=0)
    g.add_edge(100, 101)
    for n in g:
        g.nodes[n]["label"] = f"n{n:03d}"
    groups = view_communities(g)
    assert [len(c) for c in groups] == [5, 5, 5, 2]
    assert groups[0] == [0, 1, 2, 3, 4]


def test_view_communities_merge_multigraph_edges():
    g = nx.MultiDiGraph()
    for u, v in [("a", "b"), ("b", "a"), ("a", "b"), ("c", "d"), ("d", "c")]:
        g.add_edge(u, v, weight=1)
    assert sorted(map(sorted, view_communities(g))) == [["a", "b"], ["c", "d"]]


def test_to_igraph_keeps_node_order_and_weights():
    g = nx.Graph()
    g.add_edge("x", "y", weight=2.5)
    g.add_edge("y", "z")
    h = to_igraph(g)
    assert h.nodes == ["x", "y", "z"]
    assert h.weights == [2.5, 1.0]
    assert sorted(h.graph.get_edgelist()) == [(0, 1), (1, 2)]


def old_analyse_metrics(g: nx.Graph) -> dict:
    """What kg computed with networkx before igraph: degree, weighted degree, degree centrality."""
    dc = nx.degree_centrality(g)
    return {n: (g.degree(n), g.degree(n, weight="weight"), dc[n]) for n in g}


def old_community_weights(g: nx.Graph, members: list) -> tuple[float, float]:
    """The weight inside a community and leaving it, as kg summed it with networkx (a loop counts half)."""
    inside = set(members)
    internal = external = 0.0
    for u in members:
        for v, d in g[u].items():
            if v in inside:
                internal += d.get("weight", 1) / 2
            else:
                external += d.get("weight", 1)
    return internal, external


@pytest.mark.parametrize("name", ["karate, binary weights", "random, binary weights", "disconnected"])
def test_analyse_reports_networkxs_centralities(name):
    g = GRAPHS[name]()
    g.add_edge(1, 1, weight=2)  # a loop: twice in the degree, as networkx counts it
    groups = nx.community.louvain_communities(g, weight="weight", seed=0)
    for i, c in enumerate(groups, start=1):
        for n in c:
            g.nodes[n]["community"] = i
            g.nodes[n]["label"] = f"actor {n}"
    report = analyse(g)
    old = old_analyse_metrics(g)
    bc = nx_betweenness(g)
    assert report.nodes == g.number_of_nodes() and report.edges == g.number_of_edges()
    assert report.density == round(nx.density(g), 4)
    assert len(report.metrics) == g.number_of_nodes()
    for m in report.metrics:
        n = int(m.node)
        assert (m.degree, m.weighted_degree, m.degree_centrality) == (old[n][0], round(old[n][1], 4),
                                                                      round(old[n][2], 4))
        assert m.betweenness == pytest.approx(round(bc[n], 4), abs=1e-4 + TOL)
        assert m.community == g.nodes[n]["community"]
    assert report.betweenness_sample is None
    for c in report.communities:
        internal, external = old_community_weights(g, [n for n in g if g.nodes[n]["community"] == c.community])
        assert (c.internal_weight, c.external_weight) == (round(internal, 4), round(external, 4))


def test_analyse_samples_betweenness_above_the_budget(monkeypatch):
    import kg.analysis.networks as networks

    monkeypatch.setattr(networks, "BETWEENNESS_BUDGET", 100)
    monkeypatch.setattr(networks, "BETWEENNESS_SAMPLE", 5)
    g = GRAPHS["karate, binary weights"]()
    report = analyse(g)
    k = max(5, 100 // g.number_of_edges())
    assert report.betweenness_sample == k
    bc = nx_betweenness(g, k=k, seed=0)
    for m in report.metrics:
        assert m.betweenness == pytest.approx(round(bc[int(m.node)], 4), abs=1e-4 + TOL)


def test_igraph_is_not_imported_with_kg():
    code = ("import sys, kg, kg.analysis.networks, kg.analysis.views, kg.analysis.graph_analysis, kg.cli; "
            "print('igraph' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_without_igraph_the_same_functions_use_networkx(monkeypatch):
    import kg.analysis.graph_analysis as ga

    monkeypatch.setattr(ga, "_igraph", lambda: None)
    g = GRAPHS["random, binary weights"]()
    assert ga.to_igraph(g) is None
    ours = ga.betweenness(g)
    assert max(abs(ours[n] - v) for n, v in nx_betweenness(g).items()) < TOL
    sampled = ga.betweenness(g, k=7, seed=0)
    assert max(abs(sampled[n] - v) for n, v in nx_betweenness(g, k=7, seed=0).items()) < TOL
    part = ga.communities(g)
    assert sorted(n for c in part for n in c) == sorted(g)
    assert ga.modularity(g, part) == pytest.approx(nx.community.modularity(g, part, weight="weight"), abs=TOL)


def test_communities_leave_pythons_random_state_alone():
    random.seed(42)
    expected = random.random()
    random.seed(42)
    communities(planted(5), seed=3)
    assert random.random() == expected


@pytest.mark.parametrize("view", ["congruence", "conflict"])
def test_the_analysis_graph_is_the_views_graph_without_edge_details(view):
    """``kg network`` builds the view without what an edge shares, its stance and quotes: the same
    nodes, weights and coalitions as the page draws, so the same report."""
    from kg.analysis.actor_views import actor_view
    from kg.analysis.holdings import Holdings
    from kg.analysis.rows import Row
    from kg.analysis.view_spec import ViewSpec

    rng = random.Random(5)
    rows = []
    for i in range(300):
        a, t = rng.randrange(25), rng.randrange(5)
        stance = rng.choice(["supports", "supports", "opposes", "hesitant"])
        rows.append(Row(f"ex:a{i}", f"ex:A{a}", f"A{a}", "State", stance, f"ex:T{t}", f"T{t}", "topic", f"T{t}",
                        "certain", None, None, f"quote {i}", "d1", "d1", None, None, "curated", None))
    for max_nodes in (None, 10):
        spec = ViewSpec(view, max_nodes=max_nodes, quotes=False)
        full = actor_view(Holdings.from_rows(rows), spec)
        lean = actor_view(Holdings.from_rows(rows), spec, details=False)
        assert dict(lean.nodes(data=True)) == dict(full.nodes(data=True))
        weights = sorted((u, v, {"weight": d["weight"]}) for u, v, d in full.edges(data=True))
        assert sorted(lean.edges(data=True)) == weights
        assert lean.graph == full.graph
        assert "stance" in next(iter(full.edges(data=True)))[2]
        assert analyse(lean, rows) == analyse(full, rows)


@pytest.mark.parametrize("seed", range(3))
def test_matrix_communities_are_those_of_the_networkx_graph_of_the_ties(seed):
    import numpy as np

    from kg.analysis.graph_analysis import matrix_communities

    rng = np.random.default_rng(seed)
    n = 60
    m = np.triu(rng.integers(0, 4, (n, n)).astype(float), 1)
    m = m + m.T
    m[:3, :] = m[:, :3] = 0  # actors without a positive tie
    m[5, 7] = m[7, 5] = -2  # negative ties are no ties
    membership, q = matrix_communities(m)
    ii, jj = np.nonzero(np.triu(m, 1) > 0)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from((int(i), int(j), float(m[i, j])) for i, j in zip(ii, jj))
    expected = view_communities(g)
    assert {frozenset(v for v in range(n) if membership[v] == c) for c in set(membership)} == \
        {frozenset(c) for c in expected}
    assert q == pytest.approx(nx.community.modularity(g, [set(c) for c in expected], weight="weight"), abs=TOL)
    assert matrix_communities(np.zeros((4, 4))) == ([0, 1, 2, 3], None)


def test_to_igraph_lists_edges_as_networkx_does():
    for name, make in GRAPHS.items():
        g = make()
        g.add_edge(3, 3, weight=2)
        h = to_igraph(g)
        index = h.index
        assert h.graph.get_edgelist() == [(index[u], index[v]) for u, v in g.edges()], name
        assert h.weights == [float(w) for _u, _v, w in g.edges(data="weight", default=1)], name


def test_matrix_communities_without_igraph(monkeypatch):
    import numpy as np

    import kg.analysis.graph_analysis as ga

    m = np.zeros((6, 6))
    for i, j in [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]:
        m[i, j] = m[j, i] = 1.0
    with_igraph = ga.matrix_communities(m)
    monkeypatch.setattr(ga, "_igraph", lambda: None)
    membership, q = ga.matrix_communities(m)
    assert membership[0] == membership[1] == membership[2] != membership[3] == membership[4] == membership[5]
    assert q == pytest.approx(with_igraph[1], abs=TOL) and q == pytest.approx(5 / 14, abs=TOL)


def test_conflict_weights_are_the_conflict_graphs():
    from kg.analysis.actor_pairs import conflict_edges, conflict_weights
    from kg.analysis.holdings import Holdings
    from kg.analysis.rows import Row

    rng = random.Random(8)
    rows = [Row(f"ex:a{i}", f"ex:A{a}", f"A{a}", "State", rng.choice(["supports", "opposes", "neutral"]),
                f"ex:T{t}", f"T{t}", "topic", f"T{t}", "certain", None, None, f"q{i}", "d1", "d1", None, None,
                "curated", None)
            for i, a, t in ((i, rng.randrange(30), rng.randrange(6)) for i in range(400))]
    items = Holdings.from_rows(rows).items
    g = conflict_edges(items)
    assert conflict_weights(items) == {tuple(sorted((u, v))): w for u, v, w in g.edges(data="weight")}
    assert g.number_of_edges() > 50
