"""`kg evaluate`: matching extracted assertions to hand-coded ones, and the extractor's quality on the seeds.

tests/data/extract/gold/ is a copy of the development gold (../shared/gold):
seeds.jsonl (hand-coded rows for seeds/articles) and aliases.json.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.model.errors import InputError
from kg.extraction.gold import Names, load_aliases, load_gold_jsonl, read_extracted_jsonl
from kg.extraction.scoring import evaluate, evaluate_paths
from kg.extraction import default_reference, shared_extractor

runner = CliRunner()
DOC = "000_33a90556ae30723f"


@pytest.fixture(scope="module")
def gold_dir(data_dir):
    return data_dir / "extract" / "gold"


@pytest.fixture(scope="module")
def reference():
    return default_reference()


def test_seed_quality(gold_dir, seeds_dir, reference):
    """The development set: F1 >= 0.85, attribution and certainty accuracy >= 0.9."""
    ev = evaluate_paths(gold_dir / "seeds.jsonl", [seeds_dir / "articles"], aliases=gold_dir / "aliases.json",
                        reference=reference, extractor=shared_extractor())
    assert ev.f1 >= 0.85, ev.summary()
    assert ev.attribution_accuracy >= 0.9, ev.rows()["wrong_attribution_or_certainty"]
    assert ev.certainty_accuracy >= 0.9, ev.rows()["wrong_attribution_or_certainty"]
    assert ev.tp + len(ev.misses) == 23  # the non-optional gold statements


def _row(doc, actor, stance, target, speaker=None, certainty="certain", **kw):
    """One line of `kg extract` JSONL, as far as evaluation reads it."""
    target_row = ({"id": f"https://w3id.org/kg/id/topic/{target}", "label": target, "topic": target}
                  if not target.startswith("actor:") else
                  {"id": f"https://w3id.org/kg/id/actor/{target[6:].lower()}", "label": target[6:], "topic": None})
    return {"doc": doc, "actor": {"id": f"https://w3id.org/kg/id/actor/{actor.lower()}", "label": actor, **kw},
            "stance": stance, "target": target_row,
            "attributed_to": {"id": "x", "label": speaker} if speaker else None, "certainty": certainty,
            "quote": "q", "start": 0, "end": 1, "confidence": 0.5, "method": "rules@0.1.0", "id": actor + stance}


@pytest.fixture
def small_case(tmp_path):
    gold = [
        {"doc": DOC, "actor": "Poland", "stance": "supports", "target": "troop-deployment",
         "attributed_to": "Anders Fogh Rasmussen", "certainty": "possible", "quote": "Poland", "optional": False},
        {"doc": DOC, "actor": "NATO allies (group)", "stance": "supports", "target": "security-guarantees",
         "attributed_to": None, "certainty": "certain", "quote": "allies", "optional": False},
        {"doc": DOC, "actor": "Germany", "stance": "hesitant", "target": "actor:Ukraine",
         "attributed_to": None, "certainty": "certain", "quote": "x", "optional": False},
        {"doc": DOC, "actor": "Ukraine", "stance": "supports", "target": "ukraine-nato-membership",
         "attributed_to": None, "certainty": "certain", "quote": "y", "optional": True},
    ]
    extracted = [
        _row(DOC, "Poland", "supports", "troop-deployment", "Rasmussen", "possible"),  # matched, via alias
        _row(DOC, "Poland", "supports", "troop-deployment", None, "certain"),  # same statement again
        _row(DOC, "some allies", "supports", "security-guarantees", "Jens Stoltenberg", "probable", new=True),
        _row(DOC, "Ukraine", "supports", "ukraine-nato-membership"),  # optional: no false alarm
        _row(DOC, "France", "opposes", "actor:Russia"),  # false alarm
        _row("other_doc", "France", "opposes", "actor:Russia"),  # a document without gold: ignored
    ]
    g = tmp_path / "gold.jsonl"
    g.write_text("\n".join(json.dumps(r) for r in gold) + "\n", encoding="utf-8")
    e = tmp_path / "extracted.jsonl"
    e.write_text("\n".join(json.dumps(r) for r in extracted) + "\n", encoding="utf-8")
    return g, e


def test_matching_counts(small_case, gold_dir, reference):
    g, e = small_case
    names = Names(reference, load_aliases(gold_dir / "aliases.json"))
    ev = evaluate(load_gold_jsonl(g, names), read_extracted_jsonl(e, names))
    assert (ev.tp, len(ev.misses), len(ev.false_alarms), ev.optional_hits) == (2, 1, 1, 1)
    assert ev.precision == pytest.approx(2 / 3) and ev.recall == pytest.approx(2 / 3)
    assert ev.f1 == pytest.approx(2 / 3)
    # Poland's match agrees on speaker and certainty; the allies' match on neither.
    assert ev.attribution_accuracy == 0.5 and ev.certainty_accuracy == 0.5
    assert ev.misses[0].actor == "Germany" and ev.false_alarms[0].actor == "France"


def test_cli_prints_scores_misses_and_false_alarms(small_case, gold_dir, seeds_dir):
    g, e = small_case
    res = runner.invoke(app, ["evaluate", str(seeds_dir / "articles"), "--gold", str(g),
                              "--aliases", str(gold_dir / "aliases.json"), "--extracted", str(e)])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "precision 0.667  recall 0.667  F1 0.667" in out
    assert "attribution accuracy 0.500  certainty accuracy 0.500" in out
    misses = out[out.index("misses (1):"):out.index("false alarms (1):")]
    assert "Germany" in misses and "hesitant" in misses
    alarms = out[out.index("false alarms (1):"):]
    assert "France" in alarms and "opposes" in alarms

    res = runner.invoke(app, ["evaluate", str(seeds_dir / "articles"), "--gold", str(g), "--extracted", str(e),
                              "--aliases", str(gold_dir / "aliases.json"), "--format", "json", "--fail-under", "0.9"])
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["f1"] == pytest.approx(0.6667, abs=1e-4) and len(data["misses"]) == 1
    assert "F1 0.667 is below 0.9" in res.stderr


def test_cli_runs_the_extractor_on_the_seeds(gold_dir, seeds_dir):
    res = runner.invoke(app, ["evaluate", str(seeds_dir / "articles"), "--gold", str(gold_dir / "seeds.jsonl"),
                              "--aliases", str(gold_dir / "aliases.json"), "--fail-under", "0.85"])
    assert res.exit_code == 0, res.output
    assert "precision" in res.stdout and "recall" in res.stdout and "F1" in res.stdout


def test_curated_file_doubles_as_gold(seeds_dir, reference):
    ev = evaluate_paths(seeds_dir / "curated.yaml", [seeds_dir / "articles"], reference=reference,
                        extractor=shared_extractor())
    assert ev.gold_rows == 23 and ev.gold_optional == 0
    assert ev.recall >= 0.85 and ev.f1 >= 0.8


def test_bad_gold_is_located(tmp_path, reference):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"doc": "d", "actor": "Poland", "stance": "supports", "target": "x", "certainty": "certain"}\n'
                   '{"doc": "d", "actor": "Poland", "stance": "loves", "target": "x", "certainty": "certain"}\n',
                   encoding="utf-8")
    with pytest.raises(InputError, match=r"gold\.jsonl:2: unknown stance 'loves'"):
        load_gold_jsonl(bad, Names(reference))
    res = runner.invoke(app, ["evaluate", "--gold", str(bad)])
    assert res.exit_code == 1 and "unknown stance" in res.stderr


def test_a_folder_without_gold_is_one_clear_error(tmp_path):
    (tmp_path / "docs").mkdir()
    res = runner.invoke(app, ["evaluate", str(tmp_path)])
    assert res.exit_code == 2 and "has no gold.jsonl" in res.stderr and "--gold" in res.stderr


def test_errors_by_kind_and_confidence_bands(small_case, gold_dir, reference):
    g, e = small_case
    names = Names(reference, load_aliases(gold_dir / "aliases.json"))
    ev = evaluate(load_gold_jsonl(g, names), read_extracted_jsonl(e, names))
    # Germany's miss and France's false alarm share nothing: one missed, one spurious.
    assert ev.error_counts() == {"missed": 1, "spurious": 1, "wrong_holder": 0, "wrong_target": 0, "wrong_stance": 0}
    bands = ev.confidence_bands()
    assert sum(b["extracted"] for b in bands) == 3  # two matched, one false alarm (all at 0.5)
    assert [b["precision"] for b in bands if b["extracted"]] == [pytest.approx(2 / 3, abs=1e-3)]
