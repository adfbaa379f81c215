"""Incremental builds: only new or changed documents are processed; removed ones leave no trace."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from kg.graph.build import build
from kg.cli import app
from kg.store import open_store


def _count(store_path, sparql):
    with open_store(store_path, read_only=True) as s:
        return s.query(sparql).rows[0][0].to_python()


ASSERTIONS = "SELECT (COUNT(*) AS ?n) WHERE { ?a a kg:Assertion }"


@pytest.fixture
def corpus(tmp_path, seeds_dir):
    work = tmp_path / "corpus"
    shutil.copytree(seeds_dir, work)
    return work


def test_unchanged_documents_are_skipped(corpus, tmp_path):
    store = tmp_path / "s.kg"
    first = build([corpus], store)
    assert (first.processed, first.unchanged) == (2, 0)
    again = build([corpus], store)
    assert (again.processed, again.unchanged, again.removed) == (0, 2, 0)
    assert again.triples == first.triples


def test_changed_document_is_rebuilt(corpus, tmp_path):
    store = tmp_path / "s.kg"
    build([corpus], store)
    doc = corpus / "articles" / "004_a00d91becb0c72f2.txt"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nPoland backs sanctions.\n", encoding="utf-8")
    report = build([corpus], store)
    assert (report.processed, report.unchanged) == (1, 1)
    assert report.assertions == 23


def test_new_document_is_added_and_a_deleted_file_is_kept_until_sync(corpus, tmp_path):
    store = tmp_path / "s.kg"
    build([corpus], store)
    (corpus / "articles" / "extra.txt").write_text("Hungary opposes sanctions on Russia.", encoding="utf-8")
    report = build([corpus], store)
    assert (report.processed, report.unchanged) == (1, 2)
    (corpus / "articles" / "004_a00d91becb0c72f2.txt").unlink()
    cur = corpus / "curated.yaml"
    text = cur.read_text(encoding="utf-8")
    rows = text.split("\n- doc: ")
    cur.write_text("\n- doc: ".join(r for r in rows if not r.startswith("004_")), encoding="utf-8")
    report = build([corpus], store)
    # A file that is gone is not a removal: its document stays as built, and the summary says so.
    assert report.removed == 0 and report.kept == ["004_a00d91becb0c72f2"] and report.assertions == 23
    assert "this file is gone" in report.summary() and "004_a00d91becb0c72f2.txt" in report.summary()
    report = build([corpus], store, sync=True)
    assert report.removed == 1 and report.removed_ids == ["004_a00d91becb0c72f2"] and report.assertions == 10
    with open_store(store, read_only=True) as s:
        assert s.query("ASK { GRAPH kgr:graph\\/doc\\/004_a00d91becb0c72f2 { ?s ?p ?o } }").boolean is False
        assert s.query("ASK { ?d dct:identifier '004_a00d91becb0c72f2' }").boolean is False


def test_kg_remove_command(store_copy):
    runner = CliRunner()
    res = runner.invoke(app, ["remove", "000_33a90556ae30723f", "--store", str(store_copy)])
    assert res.exit_code == 0, res.output
    rows = json.loads(runner.invoke(app, ["stance", "Poland", "-f", "json", "--store", str(store_copy)]).stdout)
    assert {r["doc"] for r in rows} == {"004_a00d91becb0c72f2"}
    # Running it again is a warning, not an error: the same command can be repeated.
    res = runner.invoke(app, ["remove", "000_33a90556ae30723f", "--store", str(store_copy)])
    assert res.exit_code == 0 and "no document '000_33a90556ae30723f'" in res.stderr


def test_interrupted_build_leaves_previous_store_readable(corpus, tmp_path):
    store = tmp_path / "s.kg"
    build([corpus], store)
    before = _count(store, ASSERTIONS)
    (corpus / "articles" / "extra.txt").write_text("Hungary opposes sanctions on Russia.", encoding="utf-8")

    def interrupt(stage, done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build([corpus], store, progress=interrupt)
    assert _count(store, ASSERTIONS) == before
    assert not (tmp_path / "s.kg.building").exists()
