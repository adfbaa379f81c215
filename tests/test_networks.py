"""Analyses (centrality, communities, polarisation), export for Gephi/igraph, and the CLI commands."""

from __future__ import annotations

import csv
import json

import networkx as nx
import pytest
from typer.testing import CliRunner

from kg.analysis import network_export, networks

from kg.analysis import views
from kg.cli import app
from kg.model.errors import UnknownNameError
from kg.analysis.rows import Row
from kg.analysis.view_spec import ViewSpec
from kg.analysis.views import build_view

POLAND = "https://w3id.org/kg/id/actor/poland"
BALTICS = "https://w3id.org/kg/id/actor/baltic-states"


def row(i: int, actor: str, stance: str, target: str) -> Row:
    return Row(f"ex:a{i}", f"ex:{actor}", actor, "State", stance, f"ex:{target}", target, "topic", target,
               "certain", None, None, f"quote {i}", "d1", "d1", None, None, "curated", None)


def two_camps() -> list[Row]:
    """Camp 1 (A, B, C) supports X and Y; camp 2 (D, E) opposes both."""
    rs, i = [], 0
    for actor, stance in (("A", "supports"), ("B", "supports"), ("C", "supports"), ("D", "opposes"), ("E", "opposes")):
        for t in ("X", "Y"):
            rs.append(row(i, actor, stance, t))
            i += 1
    return rs


def test_network_report_on_the_seeds(seeds_store):
    r = networks.network_report(seeds_store, "congruence")
    assert r.view == "congruence" and r.nodes == len(r.metrics) == 8 and r.edges == 11
    top = r.metrics[0]
    assert top.label == "NATO allies" and top.betweenness > 0.5  # the broker between the coalitions
    assert all(0.0 <= m.degree_centrality <= 1.0 and 0.0 <= m.betweenness <= 1.0 for m in r.metrics)
    assert sum(c.size for c in r.communities) == r.nodes
    poland = next(c for c in r.communities if "Poland" in c.members)
    assert "Baltic states" in poland.members
    # The seeds hold no opposite stances: polarisation is undefined, modularity is not.
    assert r.polarisation.polarisation is None and r.polarisation.congruence_modularity is not None
    d = r.to_dict()
    assert json.loads(json.dumps(d))["polarisation"]["definition"].startswith("share of conflict-edge weight")


def test_polarisation_is_conflict_between_coalitions():
    p = networks.polarisation(two_camps())
    assert p.coalitions == 2
    assert p.conflict_between == 6 * 2 and p.conflict_within == 0  # 3 x 2 pairs, 2 targets each
    assert p.polarisation == 1.0 and p.congruence_modularity > 0.3
    # Conflict inside a coalition lowers it: C also opposes Z, which A supports.
    rs = two_camps() + [row(100, "A", "supports", "Z"), row(101, "C", "opposes", "Z")]
    assert 0 < networks.polarisation(rs).polarisation < 1


def test_report_reuses_the_views_coalitions_only_where_they_are_the_same():
    """network_report hands the congruence view (and its communities) to polarisation instead of
    projecting and clustering again: the figures must equal a fresh computation, pruned or not."""
    import random

    rng = random.Random(3)
    rs = []  # two camps, each for its own targets and against the other's, with a few defectors
    for i in range(400):
        a, t = rng.randrange(30), rng.randrange(6)
        stance = "supports" if (t % 2 == a % 2) != (rng.random() < 0.1) else "opposes"
        rs.append(row(i, f"A{a}", stance, f"T{t}"))
    for max_nodes, max_edges in ((None, None), (12, None), (12, 20)):
        spec = ViewSpec("congruence", max_nodes=max_nodes, max_edges=max_edges, quotes=False)
        g = build_view(rs, spec)
        kept = [r for r in rs if r.actor in g]
        r = networks.network_report(None, "congruence", rows=rs, max_nodes=max_nodes, max_edges=max_edges)
        assert r.polarisation == networks.polarisation(kept)
        assert 0 < r.polarisation.polarisation < 1


def test_analyse_merges_stance_multi_edges(seeds_store):
    g = views.view_graph(seeds_store, "stance")
    r = networks.analyse(g)
    assert r.nodes == g.number_of_nodes() and r.edges == g.number_of_edges()
    assert {m.node for m in r.metrics} == set(g)


def readback(fmt: str, paths):
    if fmt == "graphml":
        return nx.read_graphml(paths[0])
    if fmt == "gexf":
        return nx.read_gexf(paths[0])
    nodes_path, edges_path = paths
    with nodes_path.open(encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with edges_path.open(encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    directed = edges and edges[0]["Type"] == "Directed"
    h = nx.MultiDiGraph() if directed else nx.Graph()
    for n in nodes:
        h.add_node(n["Id"], label=n["Label"], **{k: v for k, v in n.items() if k not in ("Id", "Label")})
    for e in edges:
        attrs = {k: v for k, v in e.items() if k not in ("Source", "Target", "Type", "Weight")}
        h.add_edge(e["Source"], e["Target"], weight=e["Weight"], **attrs)
    return h


def edge_set(g):
    if g.is_multigraph():
        return sorted((u, v, d["stance"]) for u, v, d in g.edges(data=True))
    return sorted(tuple(sorted((u, v))) for u, v in g.edges())


@pytest.mark.parametrize("fmt", network_export.EXPORT_FORMATS)
@pytest.mark.parametrize("view", ["congruence", "stance"])
def test_exports_read_back_with_the_same_nodes_edges_and_attributes(seeds_store, tmp_path, fmt, view):
    g = views.view_graph(seeds_store, view)
    out = tmp_path / ("net" if fmt == "csv" else f"net.{fmt}")
    paths = network_export.export_graph(g, fmt, out)
    assert all(p.is_file() for p in paths)
    h = readback(fmt, paths)
    assert set(h) == set(g)
    assert edge_set(h) == edge_set(g)
    for n, d in g.nodes(data=True):
        got = h.nodes[n]
        assert got["label"] == d["label"] and got["type"] == d["type"]
        assert int(got["community"]) == d["community"] and int(got["activity"]) == d["activity"]
    for u, v, d in (g.edges(data=True)):
        if g.is_multigraph():
            (got,) = [x for x in h.get_edge_data(u, v).values() if x["stance"] == d["stance"]]
        else:
            got = h.get_edge_data(u, v)
        assert float(got["weight"]) == d["weight"]
        assert got["stance"] == d["stance"] and got["certainty"] == d["certainty"]
        assert int(got["n_quotes"]) == d["n_quotes"]
        assert json.loads(got["quotes"]) == d["quotes"]
        if "shared" in d:
            assert got["shared"] == "; ".join(d["shared"])


def test_csv_prefix_and_export_network_with_filters(seeds_store, tmp_path):
    paths = network_export.export_network(seeds_store, "csv", "congruence", tmp_path / "seeds.csv", certainty="possible")
    assert [p.name for p in paths] == ["seeds.nodes.csv", "seeds.edges.csv"]
    with paths[1].open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header[:4] == ["Source", "Target", "Type", "Weight"]  # what Gephi's spreadsheet import expects
    (p,) = network_export.export_network(seeds_store, "gexf", "actor", tmp_path / "poland.gexf", name="Poland", depth=1)
    assert set(nx.read_gexf(p)) == {POLAND, "https://w3id.org/kg/id/actor/ukraine",
                                     "https://w3id.org/kg/id/topic/troop-deployment"}
    with pytest.raises(UnknownNameError, match="export format"):
        network_export.export_network(seeds_store, "pajek", "congruence", tmp_path / "x")


def test_large_view_analysis_uses_sampled_betweenness(monkeypatch):
    monkeypatch.setattr(networks, "BETWEENNESS_BUDGET", 100)
    monkeypatch.setattr(networks, "BETWEENNESS_SAMPLE", 5)
    rs = [row(i, f"A{i % 25}", "supports", f"T{i % 6}") for i in range(200)]
    r = networks.analyse(build_view(rs, ViewSpec("congruence")), rs)
    assert r.betweenness_sample == 5 and r.nodes == 25


# ---------------------------------------------------------------- CLI

runner = CliRunner()


def kg(*args, store):
    return runner.invoke(app, [*args, "--store", str(store)])


def test_cli_network_prints_table_and_json(seeds_store_path):
    res = kg("network", store=seeds_store_path)
    assert res.exit_code == 0, res.output
    assert "betweenness" in res.output and "NATO allies" in res.output and "polarisation:" in res.output
    res = kg("network", "--view", "stance", "--format", "json", store=seeds_store_path)
    assert res.exit_code == 0
    assert json.loads(res.output)["view"] == "stance"


def test_cli_viz_writes_a_page(seeds_store_path, tmp_path):
    out = tmp_path / "p.html"
    res = kg("viz", "--view", "actor", "Poland", "--depth", "1", "--out", str(out), store=seeds_store_path)
    assert res.exit_code == 0, res.output
    assert out.is_file() and "3 nodes" in res.output
    res = kg("viz", "--view", "congruence", "--certainty", "probable", "--out", str(out), store=seeds_store_path)
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("args, message", [
    (["viz", "--view", "bogus"], "unknown view 'bogus'"),
    (["viz", "--view", "actor", "Atlantis"], "unknown actor 'Atlantis'"),
    (["viz", "--since", "yesterday"], "bad date"),
    (["network", "--certainty", "sure"], "unknown certainty"),
    (["viz", "--source", "Pravda"], "unknown source"),
])
def test_cli_bad_input_is_one_line_and_non_zero(seeds_store_path, args, message):
    res = kg(*args, store=seeds_store_path)
    assert res.exit_code != 0
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_kg_export_graphml_cli_reads_back(seeds_store_path, tmp_path):
    import networkx as nx
    from typer.testing import CliRunner

    from kg.cli import app

    out = tmp_path / "congruence.graphml"
    res = CliRunner().invoke(app, ["export", "-f", "graphml", "--view", "congruence", "--out", str(out),
                                   "--store", str(seeds_store_path)])
    assert res.exit_code == 0, res.output
    g = nx.read_graphml(out)
    labels = {d.get("label") for _, d in g.nodes(data=True)}
    assert {"Poland", "Baltic states"} <= labels


@pytest.mark.parametrize("seed", range(4))
def test_congruence_report_from_matrices_is_the_graphs(monkeypatch, seed):
    """`kg network` on the congruence view builds no networkx graph (kg.analysis.networks._congruence_report):
    the report is the one analyse() gives on the view's graph, node for node, with and without pruning."""
    import random

    rng = random.Random(seed)
    rows = []
    for i in range(400):
        a, t = rng.randrange(40), rng.randrange(6)
        stance = rng.choice(["supports", "supports", "opposes", "opposes", "hesitant", "neutral"])
        typ = rng.choice(["Actor", "State", "Person"])
        # labels not in IRI order, and two actors with one label, so both orders matter
        rows.append(Row(f"ex:a{i}", f"ex:A{a:02d}", f"L{(a * 7) % 40 // 2}", typ, stance, f"ex:T{t}", f"T{t}",
                        "topic", f"T{t}", "certain", None, None, f"quote {i}", "d1", "d1", None, None, "curated",
                        None))
    rows += [row(900, "Lone", "supports", "Z")]  # an actor who shares nothing
    for max_nodes in (None, 12, 3):
        fast = networks.network_report(None, "congruence", rows=rows, max_nodes=max_nodes)
        monkeypatch.setattr(networks, "FAST_MAX_NODES", -1)  # the networkx path
        slow = networks.network_report(None, "congruence", rows=rows, max_nodes=max_nodes)
        monkeypatch.undo()
        assert fast.to_dict() == slow.to_dict()
        assert fast.polarisation.conflict_between + fast.polarisation.conflict_within > 0
    empty = [row(1, "A", "supports", "X"), row(2, "B", "opposes", "X")]  # no congruence edge
    fast = networks.network_report(None, "congruence", rows=empty)
    monkeypatch.setattr(networks, "FAST_MAX_NODES", -1)
    assert fast.to_dict() == networks.network_report(None, "congruence", rows=empty).to_dict()
