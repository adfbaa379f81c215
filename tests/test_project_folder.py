"""A user's project folder as it really gets used: a first build that fails, a page written into the corpus,
a folder that holds no store. Each gives one clear line and leaves nothing that breaks the next command."""

from __future__ import annotations

import json
import random

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.ingest.file_kinds import document_kind
from kg.store.dirs import holds_store

runner = CliRunner()

ARTICLE = ("---\ntitle: Tolls\ndate: 2024-03-03\n---\n"
           "Poland supports military aid to Ukraine, its president said on Monday.\n")


def kg(*args: str):
    return runner.invoke(app, list(args))


def test_a_failed_first_build_leaves_no_store_behind(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "articles" / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    store = tmp_path / ".kg"
    res = kg("build", str(tmp_path / "articles"), "--store", str(store))
    assert res.exit_code == 1 and "bin.txt" in res.stderr, res.output
    assert not store.exists()
    # the same message as before any build, not an I/O error of an empty folder
    res = kg("stance", "Poland", "--store", str(store))
    assert res.exit_code == 1 and "no store at" in res.stderr and "IO error" not in res.output
    (tmp_path / "articles" / "bin.txt").unlink()
    res = kg("build", str(tmp_path / "articles"), "--store", str(store))
    assert res.exit_code == 0, res.output
    assert holds_store(store)


@pytest.mark.parametrize("seed", range(6))
def test_a_folder_with_leftovers_but_no_active_version_is_no_store(tmp_path, seed):
    # what a kill during a first build, or an older failed one, may leave: an empty folder, stray versions,
    # lock files; none of it is a store, and a build makes one
    rng = random.Random(seed)
    store = tmp_path / ".kg"
    store.mkdir()
    for i in range(rng.randrange(0, 3)):
        v = store / f"v-{rng.randrange(10**9)}-{i}"
        v.mkdir()
        if rng.random() < 0.5:
            (v / "half-written").write_bytes(rng.randbytes(rng.randrange(1, 64)))
    if rng.random() < 0.5:
        (store / ".kg-readers.lock").write_bytes(b"")
    assert not holds_store(store)
    res = kg("who", "road-tolls", "--store", str(store))
    assert res.exit_code == 1 and "no store at" in res.stderr, res.output
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    res = kg("build", str(tmp_path / "a.txt"), "--store", str(store))
    assert res.exit_code == 0, res.output
    assert holds_store(store)
    res = kg("stance", "Poland", "--store", str(store))
    assert res.exit_code == 0 and "supports" in res.stdout, res.output


def test_a_page_kg_wrote_is_not_read_as_an_article(tmp_path, seeds_store_path):
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    page = corpus / "network.html"
    res = kg("viz", "--out", str(page), "--store", str(seeds_store_path))
    assert res.exit_code == 0, res.output
    assert document_kind(page) == "unsupported"
    store = tmp_path / ".kg"
    res = kg("build", str(corpus), "--store", str(store))
    assert res.exit_code == 0, res.output
    assert "network.html" in res.output and "a page kg wrote" in res.output
    assert "documents: 1 " in res.stdout
    # an ordinary HTML article is still one
    (corpus / "news.html").write_text("<html><head><title>News</title></head><body><article><p>"
                                      + "The Greens support road tolls, their leader said on Monday. " * 5
                                      + "</p></article></body></html>", encoding="utf-8")
    assert document_kind(corpus / "news.html") == "document"


TOPICS = """language: en
topics:
  - notation: road-tolls
    label: Road tolls
    aliases: [road tolls, tolls on roads]
"""
ACTORS = """language: en
gazetteer:
  title: "One actor"
actors:
  - label: Ruritania
    type: State
    aliases: [Ruritanian government, Strelsau]
"""


@pytest.mark.parametrize("named", ["articles", "project", "file"])
def test_extract_uses_the_project_s_topics_and_actors(tmp_path, named):
    project = tmp_path / "p"
    assert kg("init", str(project)).exit_code == 0
    (project / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    (project / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    article = project / "articles" / "a.txt"
    article.write_text("Strelsau strongly supports road tolls, the minister said on Monday.\n", encoding="utf-8")
    path = {"articles": project / "articles", "project": project, "file": article}[named]
    res = kg("extract", str(path))
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert {(r["actor"]["label"], r["stance"], r["target"]["topic"]) for r in rows} == {
        ("Ruritania", "supports", "road-tolls")}, rows
    assert "topics.yaml" in res.stderr and "actors.yaml" in res.stderr
    # named files win over the project's
    shipped = kg("extract", str(path), "--codebook", str(project / "topics.yaml"))
    assert "reference data" not in shipped.stderr


def test_extract_outside_a_project_uses_the_shipped_reference(tmp_path):
    (tmp_path / "a.txt").write_text("Warsaw strongly supports military aid to Ukraine.\n", encoding="utf-8")
    res = kg("extract", str(tmp_path / "a.txt"))
    assert res.exit_code == 0, res.output
    assert "reference data" not in res.stderr
    assert any(json.loads(line)["actor"]["label"] == "Poland" for line in res.stdout.splitlines())


def test_an_actor_who_only_speaks_is_told_so(tmp_path):
    (tmp_path / "a.txt").write_text("Poland strongly supports military aid to Ukraine, Jens Stoltenberg said on "
                                    "Monday.\n", encoding="utf-8")
    store = tmp_path / ".kg"
    assert kg("build", str(tmp_path / "a.txt"), "--store", str(store)).exit_code == 0
    res = kg("stance", "Stoltenberg", "--store", str(store))
    assert res.exit_code == 0 and "(no results)" in res.stdout
    assert "speaker of 1 assertion " in res.stderr, res.output
    res = kg("stance", "Poland", "--store", str(store))
    assert "Jens Stoltenberg" in res.stdout and "speaker of" not in res.stderr


def test_extract_uses_a_debate_folder_s_codebook_and_gazetteer(tmp_path, data_dir):
    # the dev-set layout (docs/ beside codebook.ttl and gazetteer.ttl), as kg evaluate DIR reads it
    import shutil

    debate = tmp_path / "trade"
    (debate / "docs").mkdir(parents=True)
    for name in ("codebook.ttl", "gazetteer.ttl"):
        shutil.copy(data_dir / "extract" / name, debate / name)
    (debate / "docs" / "a.txt").write_text("Germany strongly supports tariffs on steel imports.\n", encoding="utf-8")
    res = kg("extract", str(debate / "docs"))
    assert res.exit_code == 0, res.output
    assert {(r["actor"]["label"], r["target"]["topic"]) for r in map(json.loads, res.stdout.splitlines())} == {
        ("Germany", "steel-tariffs")}
    assert "codebook.ttl" in res.stderr and "gazetteer.ttl" in res.stderr
