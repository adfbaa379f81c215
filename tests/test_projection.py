"""The row projection answers exactly as SPARQL does, and never outlives the store state it describes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.analysis import positions
from kg.graph.build import build, remove_documents
from kg.store.dirs import active_dir
from kg.cli import app
from kg.graph.projection import FILE, Projection
from kg.store import open_store
from kg.analysis.networks import network_report
from kg.analysis.rows import Filters, fetch_rows
from kg.analysis.views import view_graph

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def graph_data(g) -> tuple:
    return list(g.nodes(data=True)), list(g.edges(data=True)), g.graph


def actor_views(s, rows) -> dict:
    """Congruence and conflict pages and analyses under every filter the projection answers in SQL (and source)."""
    targets = sorted({r.target_label for r in rows if r.target_kind == "topic"})
    dates = sorted(r.date for r in rows if r.date) or ["2023-07-11"]
    cases = [
        dict(), dict(topic=targets[0]), dict(topic=targets[-1]), dict(certainty="probable"),
        dict(stance="supports,opposes"), dict(since=dates[len(dates) // 3], until=dates[2 * len(dates) // 3]),
        dict(topic=targets[1], certainty="certain", stance="supports"), dict(source=rows[0].source),
        dict(since="2999-01-01"),
    ]
    out = {}
    for i, kw in enumerate(cases):
        filters = Filters.make(**kw)
        for view in ("congruence", "conflict"):
            for limits in ((None, None), (6, 9)):
                g = view_graph(s, view, filters=filters, max_nodes=limits[0], max_edges=limits[1])
                out[(i, view, limits)] = graph_data(g)
            out[(i, view, "analysis")] = network_report(s, view, filters=filters, max_nodes=8).to_dict()
    return out


def answers(store_path: Path, views: bool = False) -> dict:
    """Everything the projection serves: all rows, per-topic rows, stance per actor, who per target,
    and (with ``views``) the actor–actor views."""
    with open_store(store_path, read_only=True) as s:
        rows = fetch_rows(s)
        actors = sorted({r.actor_label for r in rows})
        targets = sorted({r.target_label for r in rows if r.target_kind == "topic"})
        return {
            "rows": rows,
            "topic rows": {t: fetch_rows(s, Filters(topic=t)) for t in targets[:15]},
            "stance": {a: positions.stance(s, a) for a in actors},
            "who": {t: positions.who(s, t) for t in targets},
            **({"views": actor_views(s, rows)} if views else {}),
        }


def assert_same_as_sparql(store_path: Path, monkeypatch, views: bool = False) -> dict:
    with open_store(store_path, read_only=True) as s:
        assert Projection.of(s) is not None, "the build left a valid projection"
    projected = answers(store_path, views)
    monkeypatch.setenv("KG_NO_PROJECTION", "1")
    sparql = answers(store_path, views)
    monkeypatch.delenv("KG_NO_PROJECTION")
    for key in projected:
        assert projected[key] == sparql[key], key
    return projected


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A small synthetic corpus: outlets, dates, speakers, several sources per claim."""
    out = tmp_path_factory.mktemp("gen") / "corpus"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--assertions", "600", "--actors", "80",
                    "--topics", "25", "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


def test_seeds_projection_equals_sparql(store_copy, monkeypatch):
    got = assert_same_as_sparql(store_copy, monkeypatch, views=True)
    assert len(got["rows"]) == 23
    assert {r["target"] for r in got["stance"]["Poland"]} >= {"Ukraine", "Deployment of foreign troops to Ukraine"}


def test_generated_corpus_projection_equals_sparql(corpus, tmp_path, monkeypatch):
    store = tmp_path / "gen.kg"
    report = build([corpus], store)
    got = assert_same_as_sparql(store, monkeypatch, views=True)
    assert len(got["rows"]) == report.assertions > 500
    assert any(r.speaker for r in got["rows"]) and any(r.outlet for r in got["rows"])
    pages = [v for k, v in got["views"].items() if k[2] != "analysis"]
    assert all(nodes for nodes, _, _ in pages[:4]) and any(not nodes for nodes, _, _ in pages)  # not all empty
    assert any(d["quotes"] for _, edges, _ in pages for *_, d in edges)


def test_incremental_build_and_remove_keep_it_in_step(corpus, tmp_path, monkeypatch):
    work = tmp_path / "corpus"
    shutil.copytree(corpus, work)
    docs = sorted((work / "articles").iterdir())
    curated = work / "curated.jsonl"
    held_doc, held_rows = docs[-1].read_text(encoding="utf-8"), curated.read_text(encoding="utf-8")
    docs[-1].unlink()
    curated.write_text("".join(line for line in held_rows.splitlines(keepends=True)
                               if f'"{docs[-1].stem}"' not in line), encoding="utf-8")
    store = tmp_path / "s.kg"
    build([work], store)
    docs[-1].write_text(held_doc, encoding="utf-8")
    curated.write_text(held_rows, encoding="utf-8")
    assert build([work], store).processed == 1
    full = assert_same_as_sparql(store, monkeypatch)

    with open_store(store) as s:
        gone = remove_documents(s, [docs[0].stem]).removed
    after = assert_same_as_sparql(store, monkeypatch)
    assert gone == [docs[0].stem]
    lost = [r for r in full["rows"] if r.doc == docs[0].stem]
    assert lost and len(after["rows"]) == len(full["rows"]) - len(lost)


def test_a_sparql_update_drops_the_projection(store_copy):
    res = runner.invoke(app, ["query", "--update", "--store", str(store_copy),
                              'DELETE { GRAPH ?g { ?a ?p ?o } } '
                              'WHERE { GRAPH ?g { ?a kg:actor <https://w3id.org/kg/id/actor/poland> ; ?p ?o } }'])
    assert res.exit_code == 0, res.output
    assert not (active_dir(store_copy) / FILE).exists()
    # Answers now come from SPARQL and reflect the update.
    res = runner.invoke(app, ["stance", "Poland", "--store", str(store_copy), "--format", "json"])
    assert res.exit_code == 0 and res.output.strip() == "[]"


def test_a_stale_projection_is_ignored_and_rebuilt(store_copy, tmp_path, seeds_dir, monkeypatch):
    # A projection from another store state (here: an empty copy of the file) is never used.
    with open_store(store_copy, read_only=True) as s:
        rows = fetch_rows(s)
    other = tmp_path / "other.kg"
    build([seeds_dir / "articles" / "000_33a90556ae30723f.txt"], other, strict=False)
    shutil.copyfile(active_dir(other) / FILE, active_dir(store_copy) / FILE)
    with open_store(store_copy, read_only=True) as s:
        assert Projection.of(s) is None
        assert fetch_rows(s) == rows
    # A build with nothing to do reads the rows back from the store.
    (active_dir(store_copy) / FILE).unlink()
    report = build([seeds_dir], store_copy)
    assert report.processed == 0
    assert assert_same_as_sparql(store_copy, monkeypatch)["rows"] == rows



def test_a_projection_of_another_schema_is_ignored_and_rebuilt(store_copy, seeds_dir, monkeypatch):
    import sqlite3

    db = sqlite3.connect(active_dir(store_copy) / FILE)
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")  # as written by an older kg
    db.commit()
    db.close()
    with open_store(store_copy, read_only=True) as s:
        assert Projection.of(s) is None
    report = build([seeds_dir], store_copy)
    assert report.processed == 0
    assert len(assert_same_as_sparql(store_copy, monkeypatch)["rows"]) == 23

def test_interrupted_build_leaves_store_and_projection_together(store_copy, seeds_dir, tmp_path, monkeypatch):
    import kg.graph.build as kb

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(kb.Writer, "finish", boom)
    work = tmp_path / "corpus"
    shutil.copytree(seeds_dir, work)
    (work / "articles" / "extra.txt").write_text("Hungary opposes sanctions on Russia.", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build([work], store_copy)
    monkeypatch.undo()
    assert not list(store_copy.parent.glob("*.building"))
    assert_same_as_sparql(store_copy, monkeypatch)
