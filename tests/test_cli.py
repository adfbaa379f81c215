"""The command line, through typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()


def kg(*args: str, store=None):
    argv = list(args) + (["--store", str(store)] if store is not None else [])
    return runner.invoke(app, argv)


def test_stance_poland_json(seeds_store_path):
    res = kg("stance", "Poland", "--format", "json", store=seeds_store_path)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert all(set(r) == {"actor", "stance", "target", "certainty", "attributed_to", "quote", "doc"} for r in rows)
    assert {r["actor"] for r in rows} == {"Poland"}
    # Poland supports Ukraine, in both sources.
    ukraine = [r for r in rows if r["target"] == "Ukraine"]
    assert {(r["stance"], r["doc"]) for r in ukraine} == {("supports", "000_33a90556ae30723f"),
                                                          ("supports", "004_a00d91becb0c72f2")}
    # Troop deployment, as Rasmussen put it: "may be ready" (possible) and "very likely" (probable).
    troop_rows = json.loads(kg("stance", "Poland", "--target", "troop-deployment", "--format", "json",
                               store=seeds_store_path).stdout)
    troops = {(r["doc"], r["certainty"]) for r in troop_rows
              if r["attributed_to"] == "Anders Fogh Rasmussen"
              and r["stance"] == "supports"}
    assert troops == {("000_33a90556ae30723f", "possible"), ("004_a00d91becb0c72f2", "probable")}
    quotes = {r["certainty"]: r["quote"] for r in troop_rows}
    assert "may be ready" in quotes["possible"] and "very likely" in quotes["probable"]


@pytest.mark.parametrize("name", ["poland", "Warsaw", "POLES"])
def test_names_resolve_through_aliases(seeds_store_path, name):
    res = kg("stance", name, "--format", "csv", store=seeds_store_path)
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows and {r["actor"] for r in rows} == {"Poland"}


def test_stance_by_alias_and_target(seeds_store_path):
    res = kg("stance", "rasmussen", "--target", "security-guarantees", "--format", "json", store=seeds_store_path)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows and all(r["target"] == rows[0]["target"] and r["actor"] == "Anders Fogh Rasmussen" for r in rows)


def test_stance_table_has_headers(seeds_store_path):
    res = kg("stance", "Poland", store=seeds_store_path)
    assert res.exit_code == 0
    header = res.stdout.splitlines()[0].split()
    assert header == ["actor", "stance", "target", "certainty", "attributed_to", "quote", "doc"]


def test_unknown_actor_is_one_line_with_suggestions(seeds_store_path):
    res = kg("stance", "Polan", store=seeds_store_path)
    assert res.exit_code == 1
    assert res.stderr.strip().count("\n") == 0
    assert "unknown actor 'Polan'" in res.stderr and "Poland" in res.stderr
    assert "Traceback" not in res.output


def test_who_on_topic(seeds_store_path):
    res = kg("who", "ukraine-nato-membership", "--format", "json", store=seeds_store_path)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    hesitant = {r["actor"] for r in rows if r["stance"] == "hesitant"}
    assert {"United States", "Jens Stoltenberg"} <= hesitant
    assert any(r["stance"] == "divided" for r in rows)


def test_actors_and_topics(seeds_store_path):
    actors = json.loads(kg("actors", "--format", "json", store=seeds_store_path).stdout)
    assert {"Poland", "NATO", "Anders Fogh Rasmussen"} <= {a["actor"] for a in actors}
    topics = json.loads(kg("topics", "--format", "json", store=seeds_store_path).stdout)
    assert {"ukraine-nato-membership", "security-guarantees", "troop-deployment", "military-aid",
            "membership-action-plan", "sweden-nato-membership"} <= {t["notation"] for t in topics}


def test_query_select_ask_construct(seeds_store_path):
    res = kg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?a a kg:Assertion }", "--format", "json", store=seeds_store_path)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == [{"n": 23}]
    res = kg("query", "ASK { kgr:actor\\/poland kg:supports kgr:topic\\/troop-deployment }", store=seeds_store_path)
    assert res.stdout.strip() == "true"
    res = kg("query", "CONSTRUCT { ?a kg:supports ?t } WHERE { ?a kg:supports ?t }", store=seeds_store_path)
    assert res.exit_code == 0 and "kg:supports" in res.stdout
    res = kg("query", "DESCRIBE kgr:actor\\/poland", store=seeds_store_path)
    assert res.exit_code == 0 and "Poland" in res.stdout


def test_query_from_file_and_shipped_name(seeds_store_path, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text("SELECT ?l WHERE { kgr:actor\\/poland skos:prefLabel ?l }", encoding="utf-8")
    res = kg("query", str(f), "--format", "csv", store=seeds_store_path)
    assert res.stdout.splitlines() == ["l", "Poland"]
    res = kg("query", "by_source", "--format", "json", store=seeds_store_path)
    assert res.exit_code == 0 and len(json.loads(res.stdout)) == 23


def test_malformed_sparql_and_refused_update(store_copy):
    res = kg("query", "SELECT ?x WHERE { ?x ", store=store_copy)
    assert res.exit_code == 1 and res.stderr.startswith("error: SPARQL syntax error at line 1, column 21")
    assert res.stderr.strip().count("\n") == 0
    res = kg("query", "DELETE WHERE { ?s ?p ?o }", store=store_copy)
    assert res.exit_code == 1 and "refusing a SPARQL update" in res.stderr
    n = kg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv", store=store_copy).stdout
    assert int(n.splitlines()[1]) > 0
    res = kg("query", "INSERT DATA { kgr:x kg:supports kgr:y }", "--update", store=store_copy)
    assert res.exit_code == 0, res.output
    assert kg("query", "ASK { kgr:x kg:supports kgr:y }", store=store_copy).stdout.strip() == "true"


def test_build_summary_and_bad_path(tmp_path, seeds_dir):
    store = tmp_path / "s.kg"
    res = kg("build", str(seeds_dir), "--no-extract", store=store)
    assert res.exit_code == 0, res.output
    for word in ("documents: 2", "actors:", "assertions: 23", "triples:", "seconds:"):
        assert word in res.stdout
    before = kg("export", "--format", "nquads", store=store).stdout
    res = kg("build", str(tmp_path / "missing"), "--no-extract", store=store)
    assert res.exit_code == 1 and "no such file or folder" in res.stderr and "missing" in res.stderr
    assert kg("export", "--format", "nquads", store=store).stdout == before


def test_store_from_environment(seeds_store_path, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(seeds_store_path))
    res = runner.invoke(app, ["stance", "Poland", "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout)


def test_missing_store_is_one_line(tmp_path):
    res = kg("stance", "Poland", store=tmp_path / "none")
    assert res.exit_code == 1 and "no store at" in res.stderr


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads", "jsonld"])
def test_export_formats_parse_back(seeds_store_path, fmt):
    import rdflib

    res = kg("export", "--format", fmt, store=seeds_store_path)
    assert res.exit_code == 0, res.output
    if fmt == "turtle":
        g = rdflib.Graph().parse(data=res.stdout, format="turtle")
        assert len(g) > 100
    else:
        ds = rdflib.Dataset().parse(data=res.stdout, format={"trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}[fmt])
        assert len(list(ds.quads((None, None, None, None)))) > 100


def test_validate_passes_on_seeds(seeds_store_path):
    res = kg("validate", store=seeds_store_path)
    assert res.exit_code == 0, res.output
    assert "Conforms: True" in res.stdout


def test_update_detected_despite_hash_in_prefix_iri(store_copy):
    res = kg("query", "PREFIX ex: <http://example.org/x#>\nINSERT DATA { ex:a ex:b ex:c }", store=store_copy)
    assert res.exit_code == 1 and "refusing a SPARQL update" in res.stderr


def test_export_to_an_unwritable_place_is_one_line_and_leaves_nothing(seeds_store_path, tmp_path):
    out = tmp_path / "missing" / "graph.nq"
    res = runner.invoke(app, ["export", "--format", "nquads", "--out", str(out), "--store", str(seeds_store_path)])
    assert res.exit_code == 1
    assert res.output.strip().startswith("error: cannot write") and str(out) in res.output
    assert not out.parent.exists()


def test_json_listing_is_one_row_per_line_and_round_trips():
    from kg.analysis.output import render

    rows = [{"actor": "Zelenskyy", "quote": 'He said "no"\nthen <left>', "doc": None},
            {"actor": "Łukasz", "quote": "ü", "doc": "d1"}]
    text = render(rows, "json", ["actor", "quote", "doc"])
    assert json.loads(text) == rows
    lines = text.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 4  # a newline in a value stays escaped
    assert "Łukasz" in text  # not \u-escaped
    assert render([], "json") == "[]" and json.loads(render([], "json")) == []
