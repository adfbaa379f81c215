"""Sources compared (kg compare) and an actor's timeline (kg timeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg import queries
from kg.graph.build import build
from kg.cli import app
from kg.analysis.compare import compare, compare_rows, timeline
from kg.model.errors import UnknownNameError
from kg.store import Term, open_store

TROOPS = "https://w3id.org/kg/id/topic/troop-deployment"


def by_pair(comparisons, actor: str, target_contains: str):
    (c,) = [c for c in comparisons if c.actor_label == actor and target_contains in c.target_label.lower()]
    return c


def test_compare_reports_the_seeds_certainty_disagreement(seeds_store):
    c = by_pair(compare(seeds_store, actor="Poland"), "Poland", "troop")
    assert c.flags == ("certainty",)
    assert [(s.source, s.stances, s.certainties("supports")) for s in c.sources] == [
        ("000_33a90556ae30723f", ("supports",), ("possible",)),
        ("004_a00d91becb0c72f2", ("supports",), ("probable",)),
    ]
    quotes = [q["quote"] for s in c.sources for q in s.quotes]
    assert any("may be ready to send troops" in q for q in quotes)
    assert any("very likely" in q for q in quotes)
    assert "possible (000_33a90556ae30723f) vs probable (004_a00d91becb0c72f2)" in c.details[0]
    # Poland on Ukraine: both sources agree.
    (ukraine,) = [c for c in compare(seeds_store, actor="Poland") if c.target_label == "Ukraine"]
    assert ukraine.flags == ()


def test_compare_by_topic_and_agreements(seeds_store):
    cs = compare(seeds_store, topic="troop deployment")
    assert {c.actor_label for c in cs} == {"Poland", "Baltic states", "NATO allies"}
    assert by_pair(cs, "Baltic states", "troop").flags == ()
    only = compare(seeds_store, topic="troop deployment", disagreements_only=True)
    assert [c.actor_label for c in only] == ["Poland"]
    rows = compare_rows(only)
    assert [r["certainty"] for r in rows] == ["possible", "probable"] and rows[0]["flags"] == "certainty"


def test_compare_unknown_names(seeds_store):
    with pytest.raises(UnknownNameError):
        compare(seeds_store, actor="Atlantis")
    with pytest.raises(UnknownNameError):
        compare(seeds_store, topic="moon landing")


@pytest.fixture(scope="module")
def two_outlets(tmp_path_factory) -> Path:
    """Two outlets on Hungary: one names the speaker and says "opposes", the other drops him and says "supports"."""
    root = tmp_path_factory.mktemp("outlets")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "---\nsource: Evil News\ndate: 2023-07-01\n---\n"
        "Hungary opposes the deployment of troops to Ukraine, Viktor Orbán said. "
        "Hungary backs security guarantees, Orbán added.\n", encoding="utf-8")
    (corpus / "b.md").write_text(
        "---\nsource: Daily Example\ndate: 2023-07-20\n---\n"
        "Hungary now supports sending troops. Hungary supports security guarantees for Ukraine.\n", encoding="utf-8")
    (corpus / "curated.yaml").write_text(
        "assertions:\n"
        "- {doc: a, actor: Hungary, stance: opposes, target: troop-deployment, attributed_to: Viktor Orbán,"
        " certainty: probable, quote: Hungary opposes the deployment of troops to Ukraine}\n"
        "- {doc: a, actor: Hungary, stance: supports, target: security-guarantees, attributed_to: Viktor Orbán,"
        " certainty: certain, quote: Hungary backs security guarantees}\n"
        "- {doc: b, actor: Hungary, stance: supports, target: troop-deployment, attributed_to: null,"
        " certainty: possible, quote: Hungary now supports sending troops}\n"
        "- {doc: b, actor: Hungary, stance: supports, target: security-guarantees, attributed_to: null,"
        " certainty: certain, quote: Hungary supports security guarantees for Ukraine}\n", encoding="utf-8")
    path = root / "outlets.kg"
    build([corpus], path)
    return path


def test_compare_flags_stance_and_dropped_attribution(two_outlets):
    with open_store(two_outlets, read_only=True) as store:
        cs = compare(store, actor="Hungary")
    troops = by_pair(cs, "Hungary", "troop")
    assert troops.flags == ("stance",)
    assert [s.source for s in troops.sources] == ["Daily Example", "Evil News"]  # outlets, not document ids
    guarantees = by_pair(cs, "Hungary", "guarantee")
    assert guarantees.flags == ("attribution",)
    assert guarantees.details == ("attribution of 'supports': Viktor Orbán in Evil News; dropped in Daily Example",)
    d = guarantees.to_dict()
    assert json.loads(json.dumps(d))["sources"][1]["speakers"] == {"supports": ["Viktor Orbán"]}


def test_timeline_flags_changes_by_date(seeds_store, two_outlets):
    seeds = timeline(seeds_store, "Poland")
    troops = [e for e in seeds if "troop" in e.target.lower()]
    assert [e.certainty for e in troops] == ["possible", "probable"]
    assert [e.change for e in troops] == ["first", "certainty possible → probable"]
    with open_store(two_outlets, read_only=True) as store:
        entries = timeline(store, "hungary")
    assert [e.date for e in entries] == ["2023-07-01", "2023-07-01", "2023-07-20", "2023-07-20"]
    changes = {(e.date, e.target.split()[0]): e.change for e in entries}
    assert "stance opposes → supports" in changes.values()
    assert [e.change for e in entries].count("first") == 2
    assert entries[0].source == "Evil News"


def test_shipped_queries_take_bound_iris(seeds_store):
    assert {"compare", "timeline"} <= set(queries.names())
    rows = seeds_store.query(queries.load("compare"), {"target": Term.iri(TROOPS)}).dicts()
    assert {r["actorLabel"] for r in rows} == {"Poland", "Baltic states", "NATO allies"}
    rows = seeds_store.query(queries.load("timeline"),
                             {"actor": Term.iri("https://w3id.org/kg/id/actor/poland")}).dicts()
    assert len(rows) == 4 and [r["doc"] for r in rows] == sorted(r["doc"] for r in rows)


def test_compare_works_on_the_memory_store(memory_store):
    c = by_pair(compare(memory_store, actor="Poland"), "Poland", "troop")
    assert c.flags == ("certainty",)


runner = CliRunner()


def test_cli_compare_and_timeline(seeds_store_path):
    res = runner.invoke(app, ["compare", "--actor", "Poland", "--store", str(seeds_store_path)])
    assert res.exit_code == 0, res.output
    assert "certainty of 'supports': possible (000_33a90556ae30723f) vs probable (004_a00d91becb0c72f2)" in res.output
    res = runner.invoke(app, ["compare", "--topic", "troop-deployment", "--format", "json",
                              "--store", str(seeds_store_path)])
    data = json.loads(res.output)
    assert {c["actor"] for c in data} == {"Poland", "Baltic states", "NATO allies"}
    res = runner.invoke(app, ["timeline", "Poland", "--format", "json", "--store", str(seeds_store_path)])
    assert res.exit_code == 0
    assert "certainty possible → probable" in [e["change"] for e in json.loads(res.output)]
    res = runner.invoke(app, ["timeline", "Atlantis", "--store", str(seeds_store_path)])
    assert res.exit_code == 1 and res.output.startswith("error: unknown actor")


def test_an_outlet_shared_by_documents_does_not_repeat_rows(tmp_path):
    # The outlet is described in each document's graph; over the union of graphs a naive
    # join on its label would return every assertion once per document of that outlet.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3):
        (corpus / f"d{i}.md").write_text(f"---\nsource: Same Outlet\ndate: 2023-07-0{i + 1}\n---\n"
                                         "Poland supports troop deployment.\n", encoding="utf-8")
    (corpus / "curated.yaml").write_text("assertions:\n" + "".join(
        f"- {{doc: d{i}, actor: Poland, stance: supports, target: troop-deployment, attributed_to: null,"
        f" certainty: certain, quote: Poland supports troop deployment}}\n" for i in range(3)), encoding="utf-8")
    build([corpus], tmp_path / "s.kg")
    with open_store(tmp_path / "s.kg", read_only=True) as store:
        assert len(store.query(queries.load("compare")).rows) == 3
        rows = store.query(queries.load("timeline"), {"actor": Term.iri("https://w3id.org/kg/id/actor/poland")}).rows
        assert len(rows) == 3
        (c,) = compare(store)
        assert [s.source for s in c.sources] == ["Same Outlet"] and len(c.sources[0].quotes) == 3
