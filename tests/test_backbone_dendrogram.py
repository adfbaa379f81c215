"""rDNA's dendrogram of the nested backbone (kg/web/dendrogram.py, ``kg network --plot``): the hclust object as
rDNA's plot.dna_backbone builds it, worked out by hand; its promises and the SVG's on generated results; the CLI."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_backbone_methods import EXAMPLE, NOT_MONOTONE, PLAIN, said

from kg.analysis import backbone_nested as bn
from kg.analysis.backbone_nested import NestedBackboneResult
from kg.model.errors import InputError, KgError
from kg.web import dendrogram as dg

SVG = "{http://www.w3.org/2000/svg}"


def result(labels, losses, statements=0) -> NestedBackboneResult:
    steps = [{"i": i, "concept": f"c{i}", "label": label, "backbone_size": len(labels) - i, "backbone_loss": loss,
              "redundant_loss": 0.0, "statements": 0} for i, (label, loss) in enumerate(zip(labels, losses), 1)]
    return NestedBackboneResult(steps, ["A"], ["A"], statements, dict(PLAIN, scale="agreement"))


# ---------------------------------------------------------------- the hclust object, by hand


def test_hclust_by_hand_from_the_r_code():
    # rDNA, nrow(x) = 4, entity a b c d (removal order), backboneLoss .1 .3 .2 1:
    #   merges_clust[1,] = (-4, -3); i = 2: (-(4-2), 2-1) = (-2, 1); i = 3: (-(4-3), 3-1) = (-1, 2)
    #   height = backboneLoss[1:4 - 1] = backboneLoss[c(0,1,2,3)] = .1 .3 .2 (index 0 selects nothing)
    #   order = 1:4; labels = rev(entity) = d c b a
    h = dg.hclust(result(["a", "b", "c", "d"], [0.1, 0.3, 0.2, 1.0]))
    assert h.merge == [(-4, -3), (-2, 1), (-1, 2)]
    assert h.height == [0.1, 0.3, 0.2]  # not monotone: drawn as given
    assert h.order == [1, 2, 3, 4]
    assert h.labels == ["d", "c", "b", "a"]
    assert h.to_dict() == {"merge": [[-4, -3], [-2, 1], [-1, 2]], "height": [0.1, 0.3, 0.2], "order": [1, 2, 3, 4],
                           "labels": ["d", "c", "b", "a"]}


def test_hclust_of_a_computed_nested_backbone():
    # test_backbone_methods: the example's steps x (1/15), y (0.2), z (1); n = 3 → (-3, -2), (-1, 1)
    h = dg.hclust(bn.nested_backbone(EXAMPLE, **PLAIN))
    assert h.merge == [(-3, -2), (-1, 1)] and h.labels == ["z", "y", "x"] and h.order == [1, 2, 3]
    assert h.height == pytest.approx([1 / 15, 0.2])
    # the losses that do not grow (0.128, then 0.05) stay as they are
    assert dg.hclust(bn.nested_backbone(NOT_MONOTONE, **PLAIN)).height == pytest.approx(
        [2 * (math.sqrt(7) / 14 - 0.125), 0.05])


def test_hclust_of_two_concepts_and_bad_input():
    # rDNA's loop 2:(2-1) runs backwards and fails; kg gives the one merge
    h = dg.hclust(result(["a", "b"], [0.0, 1.0]))
    assert h.merge == [(-2, -1)] and h.height == [0.0] and h.labels == ["b", "a"]
    with pytest.raises(InputError, match="at least two concepts"):
        dg.hclust(result(["a"], [1.0]))
    with pytest.raises(InputError, match="finite"):
        dg.hclust(result(["a", "b", "c"], [0.1, math.nan, 1.0]))


# ---------------------------------------------------------------- reading the SVG back


def leaf_labels(svg: str) -> list[str]:
    """The leaf labels, top to bottom."""
    root = ET.fromstring(svg)
    texts = [t for t in root.iter(f"{SVG}text") if t.get("class") == "label"]
    return [t.text or "" for t in sorted(texts, key=lambda t: float(t.get("y")))]


def merge_heights(svg: str) -> list[float]:
    """The loss at each bracket, read back through the axis's ticks (x of a tick ↔ its value)."""
    root = ET.fromstring(svg)
    ticks = [(float(t.get("x")), float(t.text)) for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    (xa, va), (xb, vb) = ticks[0], ticks[-1]
    out = []
    for path in root.iter(f"{SVG}path"):
        x = float(path.get("d").split("H")[1].split("V")[0])  # M x y H <merge x> V y H x
        out.append(va + (x - xa) / (xb - xa) * (vb - va))
    return out


def test_svg_of_the_example_by_hand():
    svg = dg.dendrogram_svg(bn.nested_backbone(EXAMPLE, **PLAIN))
    assert leaf_labels(svg) == ["x", "y", "z"]  # removal order, the first removed at the top (coord_flip)
    assert merge_heights(svg) == pytest.approx([1 / 15, 0.2], abs=1e-3)
    root = ET.fromstring(svg)
    texts = {t.get("class"): t.text for t in root.iter(f"{SVG}text")}
    assert texts["title"] == "DNA nested backbone" and texts["axis-title"].startswith("Backbone loss")
    assert "3 concepts" in texts["subtitle"] and "qualifier congruence" in texts["subtitle"]
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"] == [
        "0.00", "0.05", "0.10", "0.15", "0.20"]
    # the leaves hang at loss 0: every circle on the axis's 0
    zero = next(float(t.get("x")) for t in root.iter(f"{SVG}text") if t.get("class") == "tick")
    assert {float(c.get("cx")) for c in root.iter(f"{SVG}circle")} == {zero}


def test_svg_is_self_contained_and_deterministic():
    r = bn.nested_backbone(NOT_MONOTONE, **PLAIN)
    svg = dg.dendrogram_svg(r)
    assert svg == dg.dendrogram_svg(bn.nested_backbone(NOT_MONOTONE, **PLAIN))
    assert svg.count("http") == 1 and 'xmlns="http://www.w3.org/2000/svg"' in svg  # the namespace, no request
    assert not any(s in svg for s in ("href", "url(", "@import", "<script", "<style", "@font-face"))
    html = dg.dendrogram_html(r)
    assert svg in html and "default-src 'none'" in html and html.count("http") == 2  # xmlns, http-equiv


labels_alphabet = st.sampled_from(list("<>&\"' ;aZé中\n\t\r\x00\x1f\ud800\ufffe]]>")) | st.characters()
label_lists = st.integers(2, 15).flatmap(lambda n: st.lists(st.text(labels_alphabet, min_size=1, max_size=12),
                                                            min_size=n, max_size=n, unique_by=dg.display_label))
loss = st.floats(-10, 10, allow_nan=False) | st.sampled_from([0.0, 1.0, 1e-300])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(label_lists, st.data())
@example(['a<b', 'c & d', '"quoted"', "it's", "</text>"], None)
def test_hclust_and_svg_promises(labels, data):
    n = len(labels)
    losses = [0.3, 0.1, 0.2, 0.5, 1.0][:n] if data is None else data.draw(st.lists(loss, min_size=n, max_size=n))
    r = result(labels, losses)
    h = dg.hclust(r)
    # a valid hclust merge: n − 1 rows, each leaf once, each earlier row once, only earlier rows
    assert len(h.merge) == n - 1 == len(h.height)
    leaves = [-m for row in h.merge for m in row if m < 0]
    clusters = [m for row in h.merge for m in row if m > 0]
    assert sorted(leaves) == list(range(1, n + 1))
    assert sorted(clusters) == list(range(1, n - 1))
    assert all(m < j for j, row in enumerate(h.merge, 1) for m in row)
    assert h.height == losses[:n - 1] and h.order == list(range(1, n + 1))
    assert h.labels == labels[::-1] and Counter(h.labels) == Counter(labels)
    # the SVG parses, holds each label once as a leaf's text (top to bottom in removal order), reads back its heights
    svg = dg.dendrogram_svg(r)
    shown = [dg.display_label(s) for s in labels]
    assert leaf_labels(svg) == shown
    texts = list(ET.fromstring(svg).iter(f"{SVG}text"))
    others = [t.text for t in texts if t.get("class") != "label"]  # title, subtitle, ticks, axis title
    assert all([t.text for t in texts].count(s) == 1 for s in shown if s not in others)
    spread = max(0.0, *losses[:n - 1]) - min(0.0, *losses[:n - 1])
    assert merge_heights(svg) == pytest.approx(losses[:n - 1], abs=max(spread * 2e-3, 1e-9))
    assert all(dg.display_label(s) == s for s in labels if s.isprintable())  # printable labels as they are
    assert dg.dendrogram_svg(result(list(labels), list(losses))) == svg


def test_display_label_and_plot_format():
    assert dg.display_label("a\nb\tc\x00d\ud800e\uffff f\r\ng") == "a b c\ufffdd\ufffde\ufffd f  g"
    assert dg.plot_format("x/y.SVG") == "svg" and dg.plot_format("z.html") == "html"
    with pytest.raises(InputError, match=r"\.svg or \.html"):
        dg.plot_format("plot.png")


def test_write_dendrogram(tmp_path):
    r = bn.nested_backbone(EXAMPLE, **PLAIN)
    path = dg.write_dendrogram(r, tmp_path / "sub" / "d.svg")
    assert leaf_labels(path.read_text(encoding="utf-8")) == ["x", "y", "z"]
    (tmp_path / "file").write_text("")
    with pytest.raises(KgError, match="cannot write"):
        dg.write_dendrogram(r, tmp_path / "file" / "d.svg")


# ---------------------------------------------------------------- kg network --plot


@pytest.fixture
def example_rows(monkeypatch):
    from kg.analysis import dna_networks

    monkeypatch.setattr(dna_networks, "store_statements", lambda store, filters=None, scale="agreement": (EXAMPLE, 0))


def run(*args: str):
    from typer.testing import CliRunner

    from kg.cli import app

    return CliRunner().invoke(app, ["network", "--store", ":memory:", *args], env={"COLUMNS": "160"})


NESTED = ("--backbone", "--backbone-method", "nested", "--qualifier", "congruence", "--normalization", "none",
          "--duplicates", "all")


def test_cli_writes_the_dendrogram_and_still_prints(example_rows, tmp_path):
    out = tmp_path / "bb.svg"
    r = run(*NESTED, "--plot", str(out))
    assert r.exit_code == 0, r.output
    assert r.stdout == run(*NESTED).stdout  # the table as without --plot
    assert r.stderr.strip() == f"wrote {out}: the dendrogram of 3 concepts"
    svg = out.read_text(encoding="utf-8")
    assert leaf_labels(svg) == ["x", "y", "z"] and merge_heights(svg) == pytest.approx([1 / 15, 0.2], abs=1e-3)
    html = tmp_path / "bb.html"
    j = run(*NESTED, "--format", "json", "--plot", str(html))
    assert j.exit_code == 0 and [s["concept"] for s in json.loads(j.stdout)["steps"]] == ["x", "y", "z"]
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") and svg in html.read_text(encoding="utf-8")


def test_cli_on_a_built_store(seeds_store_path, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    out = tmp_path / "seeds.svg"
    r = CliRunner().invoke(app, ["network", "--store", str(seeds_store_path), "--backbone", "--backbone-method",
                                 "nested", "--format", "json", "--plot", str(out)])
    assert r.exit_code == 0, r.output
    steps = json.loads(r.stdout)["steps"]
    svg = out.read_text(encoding="utf-8")
    assert leaf_labels(svg) == [s["label"] for s in steps]
    assert merge_heights(svg) == pytest.approx([s["backbone_loss"] for s in steps[:-1]], abs=2e-3)


@pytest.mark.parametrize("args, says", [
    (("--backbone", "--plot", "{tmp}/p.svg"), "--backbone-method nested"),
    (("--backbone", "--backbone-method", "fixed", "--backbone-size", "2", "--plot", "{tmp}/p.svg"),
     "--backbone-method nested"),
    (("--plot", "{tmp}/p.svg"), "go with --backbone"),
    ((*NESTED, "--plot", "{tmp}/p.png"), ".svg or .html"),
    ((*NESTED, "--plot", "{tmp}/p"), ".svg or .html"),
    ((*NESTED, "--plot", "{tmp}/file/p.svg"), "cannot write"),
    ((*NESTED, "--plot", "{tmp}/dir.svg"), "cannot write"),
])
def test_cli_bad_plot(example_rows, tmp_path, args, says):
    (tmp_path / "file").write_text("")
    (tmp_path / "dir.svg").mkdir()
    r = run(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert r.exit_code != 0
    assert r.stdout == "" and len(r.output.splitlines()) == 1 and r.output.startswith("error: ")
    assert says in r.output and "Traceback" not in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.svg", "file"]  # nothing written


def test_cli_one_concept_has_no_dendrogram(monkeypatch, tmp_path):
    from kg.analysis import dna_networks

    one = said("A", "x") + said("B", "x")
    monkeypatch.setattr(dna_networks, "store_statements", lambda store, filters=None, scale="agreement": (one, 0))
    r = run(*NESTED, "--plot", str(tmp_path / "p.svg"))
    assert r.exit_code != 0 and r.output.strip() == "error: a dendrogram needs at least two concepts; this nested " \
                                                    "backbone has 1"
    assert not (tmp_path / "p.svg").exists()
