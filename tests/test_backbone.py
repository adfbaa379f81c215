"""DNA's backbone, penalty method (kg/analysis/backbone.py), on a network worked out by hand, and its promises
on random ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.analysis import backbone as bb
from kg.analysis.dna_networks import Statement
from kg.model.errors import InputError, UnknownNameError

PLAIN = {"qualifier": "congruence", "normalization": "none", "duplicates": "all"}


def said(actor: str, concept: str, times: int = 1, qualifier: int = 1) -> list[Statement]:
    return [Statement(actor, concept, qualifier, f"{actor}-{concept}-{i}", "2024-01-01") for i in range(times)]


# Three actors A, B, C and three concepts, every statement "supports" (congruence, no normalisation, all duplicates):
#   z: A twice, B once, C once  → A–B 2·1 = 2, A–C 2·1 = 2, B–C 1·1 = 1
#   x: B once, C once           → B–C 1
#   y: B twice, C twice         → B–C 2·2 = 4
# Full network: A–B 2, A–C 2, B–C 6. Laplacian [[4,-2,-2],[-2,8,-6],[-2,-6,8]]: (1,1,1) → 0,
# (0,1,-1) → (0, 14, -14) = 14·v, (2,-1,-1) → (12, -6, -6) = 6·v; eigenvalues {14, 6, 0}, sum 20 → {.7, .3, 0}.
# Every backbone (1 or 2 concepts: neither set may be empty) and its unpenalised loss Σ|λ_full − λ_B|:
#   {z}    A–B 2, A–C 2, B–C 1: L (0,1,-1) → 4, (2,-1,-1) → 6; {6,4,0}/10 = {.6,.4,0}: .1 + .1 = 0.2
#   {x}, {y}, {x,y}   B–C only: one edge, {2w, 0, 0} → {1,0,0}: .3 + .3 = 0.6
#   {x,z}  A–B 2, A–C 2, B–C 2: equal triangle {6,6,0}/12 = {.5,.5,0}: .2 + .2 = 0.4
#   {y,z}  A–B 2, A–C 2, B–C 5: (0,1,-1) → 12, (2,-1,-1) → 6; {12,6,0}/18 = {2/3,1/3,0}: 1/30 + 1/30 = 1/15
# Penalised, loss · exp(−p (3 − |B|) / 3): {z} 0.2 e^(−2p/3) against {y,z} (1/15) e^(−p/3) (the other sets lose
# to one of them for every p ≥ 0). {z} wins when e^(−p/3) < 1/3, i.e. p > 3 ln 3 = 3.2958…:
#   p = 0:   {y,z} 1/15 = 0.0667 < {z} 0.2
#   p = 3.5: {z} 0.2 e^(−7/3) = 0.01939 < {y,z} (1/15) e^(−7/6) = 0.02076
EXAMPLE = said("A", "z", 2) + said("B", "z") + said("C", "z") + said("B", "x") + said("C", "x") \
    + said("B", "y", 2) + said("C", "y", 2)


def test_normalized_eigenvalues_by_hand():
    full = np.array([[0, 2, 2], [2, 0, 6], [2, 6, 0]], dtype=float)
    assert bb.normalized_eigenvalues(full) == pytest.approx([0.7, 0.3, 0.0])
    # subtract's negative ties count as 0; an empty network keeps its zero eigenvalues (sum 0: not divided)
    assert bb.normalized_eigenvalues(np.array([[0, -3, 1], [-3, 0, 0], [1, 0, 0]])) == pytest.approx([1, 0, 0])
    assert bb.normalized_eigenvalues(np.zeros((3, 3))) == pytest.approx([0, 0, 0])
    assert bb.spectral_loss([0.7, 0.3, 0], [0.6, 0.4, 0]) == pytest.approx(0.2)
    assert bb.penalized_loss([0.7, 0.3, 0], [0.6, 0.4, 0], 3.5, 1, 3) == pytest.approx(0.2 * math.exp(-7 / 3))
    # DNA's temperature: 1 − 1 / (1 + e^(−(−5 + 12 t / T))); at t = 5T/12 it is one half
    assert bb.temperature(5, 12) == pytest.approx(0.5)
    assert bb.temperature(1, 10_000) == pytest.approx(1 - 1 / (1 + math.exp(5 - 12 / 10_000)))


def test_every_backbone_of_the_example_by_hand():
    expected = {("z",): 0.2, ("x",): 0.6, ("y",): 0.6, ("x", "y"): 0.6, ("x", "z"): 0.4, ("y", "z"): 1 / 15}
    for b, loss in expected.items():
        backbone_loss, _ = bb.evaluate_backbone(EXAMPLE, b, **PLAIN)
        assert backbone_loss == pytest.approx(loss), b
    # the complement's loss, and the penalty applied to the given set's size
    assert bb.evaluate_backbone(EXAMPLE, ["y", "z"], **PLAIN) == pytest.approx((1 / 15, 0.6))
    assert bb.evaluate_backbone(EXAMPLE, ["z"], penalty=3.5, **PLAIN) == pytest.approx(
        (0.2 * math.exp(-3.5 * 2 / 3), 0.6 * math.exp(-3.5 / 3)))


@pytest.mark.parametrize("penalty, backbone, redundant, loss, penalised", [
    (0.0, ["y", "z"], ["x"], 1 / 15, 1 / 15),
    (3.0, ["y", "z"], ["x"], 1 / 15, (1 / 15) * math.exp(-1.0)),  # below 3 ln 3
    (3.5, ["z"], ["x", "y"], 0.2, 0.2 * math.exp(-7 / 3)),  # above 3 ln 3
])
def test_penalty_backbone_of_the_example(penalty, backbone, redundant, loss, penalised):
    for seed in range(3):
        r = bb.backbone(EXAMPLE, penalty=penalty, iterations=500, seed=seed, **PLAIN)
        assert (r.backbone, r.redundant) == (backbone, redundant)
        assert r.backbone_loss == pytest.approx(loss)
        assert r.redundant_loss == pytest.approx(0.6)  # B–C only in either redundant set
        assert r.penalized_loss == pytest.approx(penalised)
    assert r.actors == ["A", "B", "C"]
    assert r.full_network.tolist() == [[0, 2, 2], [2, 0, 6], [2, 6, 0]]
    assert len(r.diagnostics["temperature"]) == 500


def test_same_seed_same_result_and_rdna_defaults():
    a = bb.backbone(EXAMPLE, iterations=300, seed=7)
    b = bb.backbone(EXAMPLE, iterations=300, seed=7)
    assert a.to_dict(diagnostics=True) == b.to_dict(diagnostics=True)
    assert a.options == {"qualifier": "subtract", "normalization": "average", "duplicates": "document",
                         "scale": "agreement"}
    assert a.penalty == 3.5


def test_bad_input():
    with pytest.raises(InputError, match="two concepts"):
        bb.backbone(said("A", "x") + said("B", "x"), **PLAIN)
    with pytest.raises(InputError, match="penalty"):
        bb.backbone(EXAMPLE, penalty=-1)
    with pytest.raises(InputError, match="iterations"):
        bb.backbone(EXAMPLE, iterations=0)
    with pytest.raises(UnknownNameError):
        bb.backbone(EXAMPLE, qualifier="sideways")


def test_two_concepts_only_swap():
    # DNA could add the second concept and leave the redundant set empty; kg keeps one in each
    s = said("A", "x") + said("B", "x") + said("A", "y") + said("C", "y")
    r = bb.backbone(s, iterations=200, **PLAIN)
    assert len(r.backbone) == 1 and len(r.redundant) == 1


statements = st.lists(
    st.builds(lambda a, c, q, d: Statement(f"a{a}", f"c{c}", q, f"d{d}", "2024-01-01"),
              st.integers(0, 4), st.integers(0, 5), st.integers(0, 1), st.integers(0, 3)),
    min_size=1, max_size=30)


@settings(max_examples=40, deadline=None)
@given(statements, st.floats(0, 12), st.integers(1, 120), st.integers(0, 2**16),
       st.sampled_from(["congruence", "conflict", "subtract", "ignore"]),
       st.sampled_from(["none", "average", "jaccard", "cosine"]))
def test_backbone_promises(stmts, penalty, iterations, seed, qualifier, normalization):
    concepts = {s.concept for s in stmts}
    if len(concepts) < 2:
        return
    opts = {"qualifier": qualifier, "normalization": normalization, "duplicates": "all"}
    r = bb.backbone(stmts, penalty=penalty, iterations=iterations, seed=seed, **opts)
    # a partition of the concepts, neither set empty
    assert set(r.backbone) | set(r.redundant) == concepts
    assert not set(r.backbone) & set(r.redundant)
    assert 1 <= len(r.backbone) <= len(concepts) - 1
    # the reported losses are those of the reported sets
    assert bb.evaluate_backbone(stmts, r.backbone, **opts) == pytest.approx((r.backbone_loss, r.redundant_loss))
    assert bb.evaluate_backbone(stmts, r.backbone, penalty=penalty, **opts)[0] == pytest.approx(r.penalized_loss)
    # the result is the best set the search saw: no proposal had a lower penalised loss
    assert r.penalized_loss <= min(r.diagnostics["penalized_backbone_loss"]) + 1e-12
    # losses of normalised spectra: each set of eigenvalues sums to 1 (or 0), so a loss is at most 2
    assert 0 <= r.backbone_loss <= 2 + 1e-9 and 0 <= r.redundant_loss <= 2 + 1e-9
    # the three networks: the backbone's and the redundant set's statements together are all statements
    if qualifier != "ignore" and normalization == "none":
        assert np.allclose(r.backbone_network + r.redundant_network, r.full_network)
    d = r.diagnostics
    assert all(len(v) == iterations for v in d.values())
    assert all(1 <= s <= len(concepts) - 1 for s in d["proposed_backbone_size"])


def test_backbone_matches_brute_force_on_small_networks():
    """With four concepts there are 14 admissible backbones: enough iterations find the best one."""
    import itertools
    import random

    rng = random.Random(5)
    for trial in range(5):
        stmts = [Statement(f"a{rng.randrange(5)}", f"c{rng.randrange(4)}", rng.randrange(2), f"d{i}", "2024-01-01")
                 for i in range(25)]
        concepts = sorted({s.concept for s in stmts})
        if len(concepts) < 3:
            continue
        best = min(bb.evaluate_backbone(stmts, b, penalty=2.0, **PLAIN)[0]
                   for k in range(1, len(concepts)) for b in itertools.combinations(concepts, k))
        r = bb.backbone(stmts, penalty=2.0, iterations=3000, seed=trial, **PLAIN)
        assert r.penalized_loss == pytest.approx(best)


# ---------------------------------------------------------------- kg network --backbone


@pytest.fixture
def example_rows(monkeypatch):
    """`kg network` reads the example's statements (the store itself is empty)."""
    from kg.analysis import dna_networks

    monkeypatch.setattr(dna_networks, "store_statements", lambda store, filters=None, scale="agreement": (EXAMPLE, 0))


def run(*args: str):
    from typer.testing import CliRunner

    from kg.cli import app

    return CliRunner().invoke(app, ["network", "--store", ":memory:", *args], env={"COLUMNS": "160"})


def test_cli_backbone(example_rows):
    import json

    r = run("--backbone", "--penalty", "3.5", "--iterations", "500", "--qualifier", "congruence",
            "--normalization", "none", "--duplicates", "all")
    assert r.exit_code == 0, r.output
    assert "Backbone set (loss: 0.2000)" in r.output and "Redundant set (loss: 0.6000)" in r.output
    assert "Penalty: 3.5. Iterations: 500." in r.output
    j = run("--backbone", "--penalty", "0", "--iterations", "500", "--qualifier", "congruence",
            "--normalization", "none", "--duplicates", "all", "--format", "json")
    d = json.loads(j.output)
    assert [c["concept"] for c in d["backbone"]] == ["y", "z"] and d["unpenalized_backbone_loss"] == 0.066667
    # rDNA's defaults when no option is given
    dflt = json.loads(run("--backbone", "--iterations", "50", "--format", "json").output)
    assert dflt["options"] == {"qualifier": "subtract", "normalization": "average", "duplicates": "document",
                               "scale": "agreement"}
    csv = run("--backbone", "--iterations", "50", "--format", "csv")
    assert csv.output.splitlines()[0] == "set,concept"
    bad = run("--backbone", "--two-mode")
    assert bad.exit_code != 0 and "--backbone" in bad.output
    neg = run("--backbone", "--penalty", "-2")
    assert neg.exit_code != 0 and "penalty" in neg.output
