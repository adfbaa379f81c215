"""DNA's network options (kg/dna_networks.py, kg/dna_windows.py), checked against hand-worked examples.

The formulas are those of DNA's dna/src/main/java/dna/export/Exporter.java and Polarization.java.
"""

from __future__ import annotations

import pytest

from kg.analysis import dna_networks as dn
from kg.analysis import dna_windows as dw
from kg.model.errors import UnknownNameError
from kg.analysis.rows import Row


def row(i: int, actor: str, stance: str, target: str, doc: str = "d1", date: str | None = "2020-01-06") -> Row:
    return Row(f"ex:a{i:02d}", f"ex:{actor}", actor, "State", stance, f"ex:{target}", target, "topic", target,
               "certain", None, None, f"quote {i}", doc, doc, None, date, "curated", None)


def five() -> list[Row]:
    """The worked example. Agreement: supports = 1, opposes = 0.

    A: X=1, Y=0     B: X=1     C: X=0, Y=0     (and one neutral row, left out)
    """
    return [
        row(1, "A", "supports", "X", "d1", "2020-01-06"),
        row(2, "B", "supports", "X", "d1", "2020-01-06"),
        row(3, "C", "opposes", "X", "d2", "2020-01-07"),
        row(4, "A", "opposes", "Y", "d2", "2020-01-07"),
        row(5, "C", "opposes", "Y", "d3", "2020-01-08"),
        row(6, "B", "neutral", "Y", "d3", "2020-01-08"),
    ]


def one_mode(qualifier: str, normalization: str = "none", rows=None) -> dict:
    st, dropped = dn.statements_from_rows(rows or five())
    net = dn.dna_network(st, qualifier=qualifier, normalization=normalization, dropped=dropped)
    lab = net.row_labels
    return {(lab[i], lab[j]): round(float(net.matrix[i, j]), 6)
            for i in range(len(lab)) for j in range(len(lab)) if i < j}


def two_mode(aggregation: str, normalization: str = "none") -> dict:
    st, _ = dn.statements_from_rows(five())
    net = dn.dna_network(st, two_mode=True, aggregation=aggregation, normalization=normalization)
    return {(a, c): round(float(net.matrix[i, j]), 6)
            for i, a in enumerate(net.row_labels) for j, c in enumerate(net.column_labels)}


def test_stances_map_to_the_agreement_qualifier():
    st, dropped = dn.statements_from_rows(five())
    assert dropped == 1  # B neutral on Y: no place on a boolean scale
    assert [(s.actor_label, s.concept_label, s.qualifier) for s in st] == [
        ("A", "X", 1), ("B", "X", 1), ("C", "X", 0), ("A", "Y", 0), ("C", "Y", 0)]
    assert dn.qualifier_levels(st) == [0, 1]


# ------------------------------------------------------------ one-mode: qualifier aggregation


def test_congruence():
    # sum over concepts j and levels k of a[i1][j][k] * a[i2][j][k]
    # A-B: X at level 1: 1*1 = 1.   A-C: Y at level 0: 1*1 = 1 (X: A=1, C=0 differ).   B-C: 0
    assert one_mode("congruence") == {("A", "B"): 1.0, ("A", "C"): 1.0, ("B", "C"): 0.0}


def test_conflict():
    # boolean qualifier: sum of a[i1][j][k1] * a[i2][j][k2] * |q1 - q2| / range, range = 1
    # A-B: 0.   A-C: X (1 vs 0) = 1.   B-C: X (1 vs 0) = 1
    assert one_mode("conflict") == {("A", "B"): 0.0, ("A", "C"): 1.0, ("B", "C"): 1.0}


def test_subtract():
    # congruence - conflict: A-B 1 - 0 = 1;  A-C 1 - 1 = 0;  B-C 0 - 1 = -1
    assert one_mode("subtract") == {("A", "B"): 1.0, ("A", "C"): 0.0, ("B", "C"): -1.0}


def test_integer_scale_weights_proximity():
    # opposes -1, neutral 0, supports 1: levels [-1, 0, 1], range 2
    rows = [row(1, "A", "supports", "X"), row(2, "B", "neutral", "X"), row(3, "C", "opposes", "X")]
    st, dropped = dn.statements_from_rows(rows, "integer")
    assert dropped == 0
    net = dn.dna_network(st, qualifier="congruence", scale="integer")
    # A-B: 1 - |1 - 0|/2 = 0.5;  A-C: 1 - 2/2 = 0;  B-C: 0.5
    assert net.matrix.round(6).tolist() == [[0, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0]]
    conf = dn.dna_network(st, qualifier="conflict", scale="integer").matrix
    assert conf.round(6).tolist() == [[0, 0.5, 1], [0.5, 0, 0.5], [1, 0.5, 0]]
    sub = dn.dna_network(st, qualifier="subtract", scale="integer").matrix
    assert sub.round(6).tolist() == [[0, 0, -1], [0, 0, 0], [-1, 0, 0]]
    # two-mode subtract, integer: q * count: A +1, B 0, C -1
    two = dn.dna_network(st, two_mode=True, aggregation="subtract", scale="integer").matrix
    assert two.round(6).tolist() == [[1], [0], [-1]]


# ------------------------------------------------------------ one-mode: normalisation


def test_average_activity():
    # statements: A 2, B 1, C 2.  norm = (n1 + n2) / 2
    # A-B: 1 / 1.5 = 0.666667;  A-C: 1 / 2 = 0.5;  B-C: 0
    assert one_mode("congruence", "average") == {("A", "B"): 0.666667, ("A", "C"): 0.5, ("B", "C"): 0.0}


def test_jaccard():
    # cells (concept, level): A {(X,1), (Y,0)}, B {(X,1)}, C {(X,0), (Y,0)}
    # A-B: m11 = 1 (X,1), m10 = 1 (A's (Y,0)), m01 = 0 → 1 / 2 = 0.5
    # A-C: m11 = 1 (Y,0), m10 = 1 (A's (X,1)), m01 = 1 (C's (X,0)) → 1 / 3
    assert one_mode("congruence", "jaccard") == {("A", "B"): 0.5, ("A", "C"): 0.333333, ("B", "C"): 0.0}
    # conflict with Jaccard: B-C conflict 1; m11 = 0, m10 = 1, m01 = 2 → 1 / 3
    assert one_mode("conflict", "jaccard")[("B", "C")] == 0.333333


def test_cosine_as_dna_computes_it():
    # Exporter: norm = sqrt(n1^2) * sqrt(n2^2) = n1 * n2
    # A-B: 1 / (2 * 1) = 0.5;  A-C: 1 / (2 * 2) = 0.25
    assert one_mode("congruence", "cosine") == {("A", "B"): 0.5, ("A", "C"): 0.25, ("B", "C"): 0.0}
    # subtract, cosine: B-C -1 / (1 * 2) = -0.5
    assert one_mode("subtract", "cosine")[("B", "C")] == -0.5


# ------------------------------------------------------------ two-mode


def test_two_mode_combine():
    # lexRank of (level 0 used, level 1 used): supports only 01 → 1, opposes only 10 → 2, both → 3, none → 0
    assert two_mode("combine") == {("A", "X"): 1, ("A", "Y"): 2, ("B", "X"): 1, ("B", "Y"): 0,
                                   ("C", "X"): 2, ("C", "Y"): 2}
    both = [row(1, "A", "supports", "X"), row(2, "A", "opposes", "X", "d2")]
    st, _ = dn.statements_from_rows(both)
    assert dn.dna_network(st, two_mode=True, aggregation="combine").matrix.tolist() == [[3.0]]


def test_two_mode_subtract_and_normalisation():
    # subtract: + supports - opposes
    sub = two_mode("subtract")
    assert sub == {("A", "X"): 1, ("A", "Y"): -1, ("B", "X"): 1, ("B", "Y"): 0, ("C", "X"): -1, ("C", "Y"): -1}
    # activity: divide by the actor's statements (A 2, B 1, C 2)
    assert two_mode("subtract", "activity") == {("A", "X"): 0.5, ("A", "Y"): -0.5, ("B", "X"): 1.0,
                                                ("B", "Y"): 0.0, ("C", "X"): -0.5, ("C", "Y"): -0.5}
    # prominence: divide by the concept's statements (X 3, Y 2)
    assert two_mode("subtract", "prominence") == {("A", "X"): 0.333333, ("A", "Y"): -0.5, ("B", "X"): 0.333333,
                                                  ("B", "Y"): 0.0, ("C", "X"): -0.333333, ("C", "Y"): -0.5}
    # none leaves the counts
    assert two_mode("subtract", "none") == sub


def test_bad_options_name_the_choices():
    st, _ = dn.statements_from_rows(five())
    with pytest.raises(UnknownNameError):
        dn.dna_network(st, normalization="activity")  # a two-mode normalisation
    with pytest.raises(UnknownNameError):
        dn.dna_network(st, two_mode=True, normalization="jaccard")
    with pytest.raises(UnknownNameError):
        dn.dna_network(st, duplicates="day")
    assert dn.check_choice("normalization", "no", dn.ONE_MODE_NORMALIZATIONS) == "none"  # DNA's spelling


# ------------------------------------------------------------ duplicates


def repeated() -> list[Row]:
    """A supports X again and again; one opposes (another qualifier value: never a duplicate)."""
    return [
        row(1, "A", "supports", "X", "d1", "2020-01-06"),  # Monday, ISO week 2020-W02
        row(2, "A", "supports", "X", "d1", "2020-01-06"),  # same document
        row(3, "A", "supports", "X", "d2", "2020-01-12"),  # Sunday, still W02, January
        row(4, "A", "supports", "X", "d3", "2020-01-13"),  # W03, January
        row(5, "A", "supports", "X", "d4", "2020-02-03"),  # February
        row(6, "A", "supports", "X", "d5", "2021-01-04"),  # next year (January again: another month)
        row(7, "A", "opposes", "X", "d1", "2020-01-06"),
    ]


@pytest.mark.parametrize("mode,kept", [
    ("all", 6),  # every statement
    ("document", 5),  # d1 twice → once
    ("week", 4),  # W02 (rows 1-3), W03, 2020-W06, 2021-W01
    ("month", 3),  # 2020-01 (rows 1-4), 2020-02, 2021-01
    ("year", 2),  # 2020, 2021
    ("acrossrange", 1),  # once in the whole range
])
def test_duplicates(mode, kept):
    st, _ = dn.statements_from_rows(repeated())
    out = dn.drop_duplicates(st, mode)
    assert sum(1 for s in out if s.qualifier == 1) == kept
    assert sum(1 for s in out if s.qualifier == 0) == 1
    # the kept statement is the earliest one
    assert out[0].id == "ex:a01"


def test_duplicates_change_the_weights():
    rows = repeated() + [row(10, "B", "supports", "X", "d9", "2020-03-02")]
    st, _ = dn.statements_from_rows(rows)
    # congruence A-B = (A's supports of X) * (B's 1): all 6, once per document 5, per year 2
    assert dn.dna_network(st, duplicates="all").matrix[0, 1] == 6
    assert dn.dna_network(st, duplicates="document").matrix[0, 1] == 5
    assert dn.dna_network(st, duplicates="year").matrix[0, 1] == 2


# ------------------------------------------------------------ time windows


def test_window_bounds_follow_dna():
    # size 5: addition = round((5 - 1) / 2) = 2; windows [t-2, t+2] wholly within 01..10: t = 03..08
    b = dw.window_bounds("2020-01-01", "2020-01-10", 5)
    assert len(b) == 6 and b[0] == ("2020-01-01", "2020-01-03", "2020-01-05") and b[-1][2] == "2020-01-10"
    # size 4: round(1.5) = 2 (half up), so also 5 days; size 30: round(14.5) = 15 → 31 days
    assert dw.window_bounds("2020-01-01", "2020-01-10", 4) == b
    w30 = dw.window_bounds("2020-01-01", "2020-03-01", 30)
    assert w30[0] == ("2020-01-01", "2020-01-16", "2020-01-31")
    # step 3: mid-points 01, 04, 07, 10; kept 04 (02..06) and 07 (05..09)
    assert dw.window_bounds("2020-01-01", "2020-01-10", 5, 3) == [
        ("2020-01-02", "2020-01-04", "2020-01-06"), ("2020-01-05", "2020-01-07", "2020-01-09")]
    assert dw.parse_days("30d") == 30 and dw.parse_days("2w") == 14 and dw.parse_days(7) == 7


def test_time_windows_series():
    st, _ = dn.statements_from_rows(five())
    # 06..08, size 1: addition 0 → one window per day
    nets = dw.time_windows(st, 1, qualifier="congruence")
    assert [(n.mid, n.statements) for n in nets] == [("2020-01-06", 2), ("2020-01-07", 2), ("2020-01-08", 1)]
    assert nets[0].edges() == [{"source": "A", "target": "B", "weight": 1.0}]  # A, B support X on the 6th
    # size 3 around the 7th: all five statements, the whole network
    (whole,) = dw.time_windows(st, 3)
    assert whole.statements == 5 and whole.matrix.tolist() == dn.dna_network(st).matrix.tolist()


# ------------------------------------------------------------ polarisation (Polarization.java)


def camps():
    import numpy as np

    # A, B support X; C, D oppose it. Congruence A-B, C-D = 1; conflict A-C, A-D, B-C, B-D = 1
    cong = np.zeros((4, 4))
    conf = np.zeros((4, 4))
    for i, j in ((0, 1), (2, 3)):
        cong[i, j] = cong[j, i] = 1
    for i in (0, 1):
        for j in (2, 3):
            conf[i, j] = conf[j, i] = 1
    return cong, conf


def test_quality_absdiff_by_hand():
    cong, conf = camps()
    # norms (both triangles): congruence 4, conflict 8
    # split {A,B} {C,D}: within dyads 2 + 2 = 4, expected within congruence (2/4) * (4/4) = 0.5;
    #   A-B, C-D: |1 - 0.5| twice each = 2; no conflict within.
    #   between dyads 12 - 4 = 8, expected conflict (2*2/8) * (8/8) = 0.5: 4 pairs |1 - 0.5| twice = 4
    #   absdiff = 6; normalised 6 / (2 * (4 + 8)) = 0.25; raw 6 * 0.5 = 3
    assert dw.quality_absdiff([0, 0, 1, 1], cong, conf, True) == pytest.approx(0.25)
    assert dw.quality_absdiff([0, 0, 1, 1], cong, conf, False) == pytest.approx(3.0)
    # split {A,C} {B,D}: within: A-C, B-D congruence |0 - 0.5| and conflict 1, twice each = 6;
    #   between: A-B, C-D congruence 1 twice = 4; conflict |1 - .5| (A-D, B-C) and |0 - .5| (A-B, C-D) twice = 4
    #   absdiff 14 → 14 / 24
    assert dw.quality_absdiff([0, 1, 0, 1], cong, conf, True) == pytest.approx(14 / 24)
    # DNA's greedy search keeps the split with the higher score (q2 > q1)
    p = dw.dna_polarisation(cong, conf)
    assert p.score == pytest.approx(round(14 / 24, 6)) and p.raw == pytest.approx(7.0)
    assert dw.dna_polarisation(cong[:1, :1], conf[:1, :1]).score == 0.0  # fewer nodes than clusters


def test_polarisation_scores_average_normalised_networks_as_dna():
    """Polarization.java's Exporter normalises by average activity; fewer than k + 1 actors score 0."""
    import numpy as np

    # A supports X and Y, B supports X, C opposes X. Statements per actor: A 2, B 1, C 1.
    st, _ = dn.statements_from_rows([
        row(1, "A", "supports", "X"), row(2, "A", "supports", "Y"), row(3, "B", "supports", "X"),
        row(4, "C", "opposes", "X")])
    levels = dn.qualifier_levels(st)
    cong, conf = dw.polarisation_networks(dn.statement_array(st, levels)[0], levels)
    # average: a tie divided by (count_i + count_j) / 2 — congruence A-B 1 / 1.5 = 2/3;
    # conflict A-C 1 / 1.5 = 2/3, B-C 1 / 1 = 1
    assert np.allclose(cong, [[0, 2 / 3, 0], [2 / 3, 0, 0], [0, 0, 0]])
    assert np.allclose(conf, [[0, 0, 2 / 3], [0, 0, 1], [2 / 3, 1, 0]])
    # norms (both triangles): congruence 4/3, conflict 10/3; 2 × (4/3 + 10/3) = 28/3.
    # Three actors: clusters of 2 and 1 (swaps keep the sizes); 2 within-cluster dyads, 4 between.
    # Expected within congruence (2/2) × (4/3 / 2) = 2/3; expected between conflict (2/4) × (10/3 / 4) = 5/12.
    # {A, B} | {C}: within A-B |2/3 - 2/3| = 0; between A-C |2/3 - 5/12| = 1/4, B-C |1 - 5/12| = 7/12,
    #   twice each (ordered pairs): absdiff 5/3, normalised (5/3) / (28/3) = 5/28
    assert dw.quality_absdiff([0, 0, 1], cong, conf) == pytest.approx(5 / 28)
    # {A, C} | {B}: within A-C |0 - 2/3| + 2/3 = 4/3; between A-B 2/3 + |0 - 5/12| = 13/12,
    #   B-C 0 + |1 - 5/12| = 7/12; twice each: absdiff 6, normalised 6 / (28/3) = 9/14
    assert dw.quality_absdiff([0, 1, 0], cong, conf) == pytest.approx(9 / 14)
    # {B, C} | {A}: within B-C 2/3 + 1 = 5/3; between A-B 13/12, A-C 1/4; twice each: 6 again
    assert dw.quality_absdiff([1, 0, 0], cong, conf) == pytest.approx(9 / 14)
    # DNA keeps the higher score: 9/14, raw 6 × 0.5 = 3 (without normalisation it would be 2/3, raw 4)
    p = dw.polarisation_of(st)
    assert p.score == pytest.approx(round(9 / 14, 6)) and p.raw == pytest.approx(3.0)
    # two actors for two clusters: 0, as DNA's genetic algorithm returns (its greedy one would give 0 / 0)
    two, _ = dn.statements_from_rows([row(1, "A", "supports", "X"), row(2, "B", "opposes", "X")])
    assert dw.polarisation_of(two).score == 0.0 and dw.polarisation_of(two).raw == 0.0


def test_window_measures():
    st, _ = dn.statements_from_rows(five())
    (m,) = dw.window_measures(st, 3)
    assert (m.start, m.stop, m.statements, m.nodes) == ("2020-01-06", "2020-01-08", 5, 3)
    # congruence edges A-B, A-C of 3 possible pairs
    assert m.edges == 2 and m.density == pytest.approx(0.6667)
    assert 0 <= m.polarisation <= 1 and m.to_dict()["mid"] == "2020-01-07"


# ------------------------------------------------------------ kg network with DNA's options


@pytest.fixture
def cli_rows(monkeypatch):
    """`kg network` reads the five rows (the store itself is empty)."""
    from kg.analysis import rows
    monkeypatch.setattr(rows, "fetch_rows", lambda store, filters=None: five())


def run(*args: str):
    from typer.testing import CliRunner

    from kg.cli import app

    return CliRunner().invoke(app, ["network", "--store", ":memory:", *args], env={"COLUMNS": "160"})


def test_cli_one_mode(cli_rows):
    import json

    r = run("--qualifier", "congruence", "--normalization", "average", "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["mode"] == "one-mode" and d["rows"] == ["A", "B", "C"] and d["dropped"] == 1
    assert d["matrix"][0] == [0.0, 0.666667, 0.5]  # as in test_average_activity
    table = run("--qualifier", "subtract")
    assert table.exit_code == 0 and "one-mode network: qualifier subtract" in table.output
    assert "1 assertion with stances the agreement scale has no level for was left out" in table.output
    csv_out = run("--qualifier", "conflict", "--format", "csv").output.splitlines()
    assert csv_out == ["source,target,weight", "A,C,1.0", "B,C,1.0"]


def test_cli_two_mode_matrix(cli_rows):
    r = run("--two-mode", "--aggregation", "combine", "--matrix", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["actor,X,Y", "A,1.0,2.0", "B,1.0,0.0", "C,2.0,2.0"]
    r = run("--two-mode", "--normalization", "prominence", "--format", "json")
    assert r.exit_code == 0 and '"aggregation": "subtract"' in r.output


def test_cli_windows(cli_rows):
    import json

    r = run("--window", "3d", "--step", "1d", "--format", "json")
    assert r.exit_code == 0, r.output
    (w,) = json.loads(r.output)
    assert (w["start"], w["stop"], w["statements"], w["edges"]) == ("2020-01-06", "2020-01-08", 5, 2)
    table = run("--window", "1d", "--duplicates", "document")
    assert table.exit_code == 0 and "2020-01-08" in table.output and "polarisation" in table.output
    none = run("--window", "30d")
    assert none.exit_code == 0 and "No window of 30 days fits" in none.output


def test_cli_rejects_options_of_the_other_mode(cli_rows):
    r = run("--normalization", "activity")
    assert r.exit_code != 0 and "one-mode normalization" in r.output
    r = run("--aggregation", "combine")
    assert r.exit_code != 0 and "--two-mode" in r.output
    r = run("--window", "soon")
    assert r.exit_code != 0 and "bad duration" in r.output


def test_fast_greedy_swaps_equal_dna_loop():
    import random

    import numpy as np

    rng = np.random.default_rng(3)
    for n in (2, 3, 5, 8, 11, 33, 40):  # 33, 40: more rows than one block of candidate swaps
        a = rng.integers(0, 4, (n, n)).astype(float)
        c = rng.integers(0, 3, (n, n)).astype(float)
        cong, conf = a + a.T, c + c.T
        np.fill_diagonal(cong, 0)
        np.fill_diagonal(conf, 0)
        start = dw._random_memberships(n, 2, random.Random(n))
        assert dw._greedy_swaps(list(start), cong, conf, 2) == dw._greedy_swaps_slow(list(start), cong, conf, 2)
    # three clusters take DNA's loop as written
    p = dw.dna_polarisation(cong, conf, k=3)
    assert 0 <= p.score <= 1 and set(p.memberships) == {0, 1, 2}


def test_store_network_agrees_with_kg_congruence(seeds_store):
    """On the seeds (undated), DNA's congruence counting each statement once is kg's congruence view
    restricted to supports/opposes: the number of (target, stance) pairs two actors share."""
    from kg.analysis.actor_pairs import congruence_edges
    from kg.analysis.holdings import as_holdings
    from kg.analysis.rows import fetch_rows

    rows = [r for r in fetch_rows(seeds_store) if r.stance in ("supports", "opposes")]
    kg_edges = {frozenset((u, v)): w for u, v, w in congruence_edges(as_holdings(rows)).edges(data="weight")}
    net = dn.network_from_store(seeds_store, duplicates="year")
    g = net.to_graph()
    assert {frozenset((u, v)): w for u, v, w in g.edges(data="weight")} == kg_edges
    assert net.dropped == len(fetch_rows(seeds_store)) - len(rows) > 0


def test_modularity_matches_networkx():
    import networkx as nx
    import numpy as np

    g = nx.karate_club_graph()
    nodes = list(g)
    adj = nx.to_numpy_array(g, nodelist=nodes, weight="weight")
    groups = [list(c) for c in nx.community.louvain_communities(g, seed=1)]
    assert dw._modularity(adj, nodes, groups) == pytest.approx(nx.community.modularity(g, groups))
    assert dw._modularity(np.zeros((2, 2)), [0, 1], [[0, 1]]) == 0.0


@pytest.fixture(scope="module")
def dated_store(tmp_path_factory):
    """tests/data/fresh: three articles dated 2024-03-04, 03-11 and 03-15, with curated assertions."""
    import shutil
    from pathlib import Path

    from kg.graph.build import build

    corpus = tmp_path_factory.mktemp("dna") / "corpus"
    shutil.copytree(Path(__file__).resolve().parent / "data" / "fresh", corpus)
    store = corpus.parent / "fresh.kg"
    build([corpus], store)
    return store


def test_cli_windows_on_a_dated_store(dated_store):
    import json

    from typer.testing import CliRunner

    from kg.cli import app

    def net(*args):
        r = CliRunner().invoke(app, ["network", "--store", str(dated_store), *args, "--format", "json"])
        assert r.exit_code == 0, r.output
        return json.loads(r.output)

    whole = net("--qualifier", "congruence")
    windows = net("--window", "7d", "--step", "1d")
    # 03-04 .. 03-15 with 7-day windows (addition 3): mid-points 03-07 .. 03-12, six windows
    assert [w["mid"] for w in windows] == [f"2024-03-{d:02d}" for d in range(7, 13)]
    assert windows[0]["start"] == "2024-03-04" and windows[-1]["stop"] == "2024-03-15"
    assert all(w["statements"] <= whole["statements"] for w in windows)
    # a window covering the whole range holds every statement: 13 days (addition 6) from 03-04 to 03-16;
    # 12d would also take 13 days (round(5.5) = 6) and not fit between 03-04 and 03-15
    assert net("--window", "12d") == []
    (full,) = net("--window", "13d", "--since", "2024-03-04", "--until", "2024-03-16")
    assert full["statements"] == whole["statements"]


def test_isolates_keep_every_actor_in_every_window(cli_rows):
    import json

    st, _ = dn.statements_from_rows(five())
    nets = dw.time_windows(st, 1, isolates=True)
    # every window is 3 × 3 (A, B, C); on the 8th only C speaks, so A and B are isolates
    assert [n.matrix.shape for n in nets] == [(3, 3)] * 3 and nets[2].row_labels == ["A", "B", "C"]
    assert [n.statements for n in nets] == [2, 2, 1]
    plain = dw.time_windows(st, 1)
    assert [n.matrix.shape for n in plain] == [(2, 2), (2, 2), (1, 1)]
    # density counts the isolates' possible ties; nodes and polarisation only the active actors
    (m8,) = [m for m in dw.window_measures(st, 1, isolates=True) if m.mid == "2020-01-08"]
    assert m8.nodes == 1 and m8.polarisation == 0.0
    (m6,) = [m for m in dw.window_measures(st, 1, isolates=True) if m.mid == "2020-01-06"]
    assert m6.edges == 1 and m6.density == pytest.approx(0.3333)  # A-B of 3 pairs
    r = run("--window", "1d", "--isolates", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output)[0]["density"] == pytest.approx(0.3333)
    r = run("--isolates")
    assert r.exit_code != 0 and "--window" in r.output


@pytest.mark.parametrize("scale", ["agreement", "integer"])
def test_statements_from_the_projection_are_those_of_the_rows(seeds_store, scale):
    """store_statements reads the row projection's columns a statement needs, filtering as filter_rows does."""
    from kg.analysis.rows import Filters, fetch_rows, filter_rows

    topic = next(r.target_label for r in fetch_rows(seeds_store) if r.target_kind == "topic")
    for f in (None, Filters(), Filters.make(topic=topic), Filters.make(certainty="probable"),
              Filters.make(stance="supports,neutral"), Filters.make(since="2024-03-10"),
              Filters.make(until="2024-03-10", certainty="certain")):
        fast = dn.projection_statements(seeds_store, f, scale)
        assert fast is not None
        assert fast == dn.statements_from_rows(filter_rows(fetch_rows(seeds_store, f), f), scale)
    assert dn.projection_statements(seeds_store, Filters.make(source="Reuters"), scale) is None  # rows decide
