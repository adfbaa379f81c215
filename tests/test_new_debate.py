"""A new debate without Turtle: kg init, kg actors --new, and uncoded (free-text) targets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kg.graph.build import build, prepare
from kg.cli import app
from kg.ingest.curated import load_curated
from kg.model.errors import InputError
from kg.model.records import Assertion
from kg.model.namespaces import GRAPH_CODEBOOK, GRAPH_GAZETTEER, GRAPH_ONTOLOGY, target_iri
from kg.ingest.reference import Reference, new_actor, uncoded_target
from kg.ingest.reference_export import append_actors
from kg.ingest.reference_yaml import reference_kind, reference_nquads
from kg.model.nquads import skolemised_nquads
from kg.store import MemoryStore

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def kg(*args: str, store=None):
    return runner.invoke(app, list(args) + (["--store", str(store)] if store is not None else []))


# -- kg init ---------------------------------------------------------------------------------------

def test_init_writes_a_project_and_never_overwrites(tmp_path):
    project = tmp_path / "farm"
    res = kg("init", str(project))
    assert res.exit_code == 0, res.output
    for name in ("articles/", "topics.yaml", "actors.yaml", "curated.yaml"):
        assert f"created {project / name.rstrip('/')}{'/' if name.endswith('/') else ''}" in res.stdout
    assert "kg build ." in res.stdout and "kg actors --new --yaml actors.yaml" in res.stdout
    assert (project / "articles").is_dir() and not list((project / "articles").iterdir())
    assert reference_kind(project / "topics.yaml") == "codebook"
    assert reference_kind(project / "actors.yaml") == "gazetteer"
    assert reference_kind(project / "curated.yaml") is None

    (project / "actors.yaml").write_text("gazetteer: {}\nactors: []\n", encoding="utf-8")
    again = kg("init", str(project))
    assert again.exit_code == 1
    assert again.stderr.strip() == (f"error: {project / 'topics.yaml'}: already exists; "
                                    "kg init does not overwrite it (--force does)")
    assert (project / "actors.yaml").read_text(encoding="utf-8") == "gazetteer: {}\nactors: []\n"
    forced = kg("init", str(project), "--force")
    assert forced.exit_code == 0 and f"created {project / 'articles'}" not in forced.stdout  # it was there
    assert "Copa-Cogeca" in (project / "actors.yaml").read_text(encoding="utf-8")

    (tmp_path / "file").write_text("x")
    assert kg("init", str(tmp_path / "file")).exit_code == 1


def test_the_example_project_is_valid_as_it_is(tmp_path):
    """The templates load as codebook, gazetteer and curated file, and the reference data conforms to the
    SHACL shapes (what `kg build` of a fresh project reads)."""
    from kg.ingest.init_project import init_project
    from kg.graph.validate import validate

    init_project(tmp_path)
    nquads = (skolemised_nquads(ROOT / "ontology" / "kg.ttl", GRAPH_ONTOLOGY)
              + reference_nquads(tmp_path / "topics.yaml", GRAPH_CODEBOOK)
              + reference_nquads(tmp_path / "actors.yaml", GRAPH_GAZETTEER))
    store = MemoryStore()
    store.load_nquads(nquads)
    ref = Reference.from_store(store)
    assert {t.notation for t in ref.topics.values()} == {
        "green-rules", "pesticide-reduction", "mercosur-trade-deal", "ukraine-farm-imports"}
    assert ref.find_actor("the Commission").label == "European Commission"
    assert any(r.title == "European Commissioner for Agriculture" and r.end == "2024-11-30" for r in ref.roles)
    assert load_curated(tmp_path / "curated.yaml", {}, ref).assertions == []
    conforms, report = validate(store)
    assert conforms, report


def test_the_commented_example_rows_are_valid_once_uncommented(tmp_path):
    """The rows in curated.yaml's comments name real topics and actors of the example files."""
    from kg.ingest.init_project import init_project
    from kg.model.records import Document

    init_project(tmp_path)
    text = (tmp_path / "curated.yaml").read_text(encoding="utf-8")
    rows = "\n".join(line.replace("  # ", "  ", 1) if line.startswith("  # ") or line == "  #" else line
                     for line in text.splitlines())
    (tmp_path / "curated.yaml").write_text(rows.replace("\n  #\n", "\n\n"), encoding="utf-8")
    quotes = [r["quote"] for r in yaml.safe_load(rows)["assertions"]]
    doc = Document("2024-01-26-paris-tractors", " ".join(quotes))
    store = MemoryStore()
    store.load_nquads(reference_nquads(tmp_path / "topics.yaml", GRAPH_CODEBOOK)
                      + reference_nquads(tmp_path / "actors.yaml", GRAPH_GAZETTEER))
    got = load_curated(tmp_path / "curated.yaml", {doc.id: doc}, Reference.from_store(store)).assertions
    assert [(a.actor.label, a.target.kind, a.target.label) for a in got] == [
        ("France", "topic", "EU-Mercosur trade agreement"),
        ("Copa-Cogeca", "uncoded", "cutting red tape for small farms")]


# -- a store with actors and targets the reference data lacks --------------------------------------

def _extractor(doc, reference):
    found = []
    for quote, actor, type_, target in [
            ("Germany remains hesitant", "Grain Council", "ActorGroup", "ban on grain imports"),
            ("Poland said", "Grain Council", "ActorGroup", "Ban on grain imports from Ukraine"),
            ("sanctions on Russia", "Jan Kowalski", "Person", "grain")]:
        start = doc.text.find(quote)
        found.append(Assertion(doc=doc.id, actor=new_actor(actor, type_),
                               stance="opposes", target=uncoded_target(target), certainty="certain", quote=quote,
                               start=start, end=start + len(quote), method="extracted", confidence=0.5,
                               method_version="test@1"))
    return found


_extractor.version = "test@1"


@pytest.fixture(scope="module")
def uncoded_store(tmp_path_factory, data_dir):
    path = tmp_path_factory.mktemp("uncoded") / "store.kg"
    build([data_dir / "tiny"], path, extractor=_extractor)
    return path


@pytest.fixture(params=["projection", "sparql"])
def answered_by(request, monkeypatch):
    if request.param == "sparql":
        monkeypatch.setenv("KG_NO_PROJECTION", "1")
    return request.param


@pytest.mark.parametrize(("name", "actors"), [
    ("ban on grain imports", {"Grain Council"}),                # exact, though another label contains it
    ("BAN ON GRAIN IMPORTS FROM UKRAINE", {"Grain Council"}),   # case-insensitive
    ("from ukraine", {"Grain Council"}),                        # contained in one label only
    ("text:grain", {"Jan Kowalski"}),                             # exact among uncoded targets
])
def test_who_finds_uncoded_targets_by_label(uncoded_store, answered_by, name, actors):
    res = kg("who", name, "--format", "json", store=uncoded_store)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["actor"] for r in rows} == actors and {r["stance"] for r in rows} == {"opposes"}


def test_who_on_an_ambiguous_or_unknown_uncoded_target(uncoded_store):
    res = kg("who", "imports", store=uncoded_store)
    assert res.exit_code == 1 and res.stderr.count("\n") == 1
    assert "matches 2 uncoded targets" in res.stderr and "'ban on grain imports'" in res.stderr
    res = kg("who", "text:tariffs", store=uncoded_store)
    assert res.exit_code == 1 and "unknown target 'text:tariffs'" in res.stderr


def test_stance_prints_labels_of_uncoded_targets(uncoded_store, answered_by):
    res = kg("stance", "Grain Council", "--format", "json", store=uncoded_store)
    assert res.exit_code == 0, res.output
    assert sorted(r["target"] for r in json.loads(res.stdout)) == ["Ban on grain imports from Ukraine",
                                                                  "ban on grain imports"]
    only = kg("stance", "Grain Council", "--target", "from ukraine", "--format", "json", store=uncoded_store)
    assert [r["target"] for r in json.loads(only.stdout)] == ["Ban on grain imports from Ukraine"]
    table = kg("stance", "Grain Council", store=uncoded_store).stdout
    assert "ban on grain imports" in table and "https://" not in table


def test_actors_new_lists_what_the_gazetteer_lacks(uncoded_store):
    res = kg("actors", "--new", "--format", "json", store=uncoded_store)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [(r["actor"], r["type"], r["assertions"], r["documents"], r["doc"]) for r in rows] == [
        ("Grain Council", "ActorGroup", 2, 1, "brief"), ("Jan Kowalski", "Person", 1, 1, "brief")]
    assert rows[0]["quote"] == "Poland said"  # the first in the document
    assert rows[0]["id"] == "https://w3id.org/kg/id/actor/grain-council"
    table = kg("actors", "--new", store=uncoded_store).stdout.splitlines()
    assert table[0].split() == ["actor", "type", "assertions", "documents", "quote", "doc"]
    csv = kg("actors", "--new", "--format", "csv", store=uncoded_store).stdout.splitlines()
    assert csv[0] == "actor,type,assertions,documents,quote,doc,id" and len(csv) == 3
    assert kg("actors", "--yaml", "x.yaml", store=uncoded_store).exit_code == 2  # --yaml needs --new


def test_actors_new_yaml_appends_entries_without_clobbering(uncoded_store, tmp_path):
    gazetteer = tmp_path / "actors.yaml"
    gazetteer.write_text("# my actors\ngazetteer: {title: Grain}\nactors:\n  - label: Poland  # keep me\n"
                         "    type: State\n    aliases: [Warsaw]\n", encoding="utf-8")
    before = gazetteer.read_text(encoding="utf-8")
    res = kg("actors", "--new", "--yaml", str(gazetteer), store=uncoded_store)
    assert res.exit_code == 0, res.output
    assert "added 2 actor(s)" in res.stderr and "Grain Council" in res.stdout
    after = gazetteer.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert '# found by the extractor: 2 assertion(s) in 1 document(s), e.g. brief: "Poland said"' in after
    entries = yaml.safe_load(after)["actors"]
    assert [(e["label"], e["type"]) for e in entries] == [
        ("Poland", "State"), ("Grain Council", "ActorGroup"), ("Jan Kowalski", "Person")]
    assert reference_kind(gazetteer) == "gazetteer"
    reference_nquads(gazetteer, GRAPH_GAZETTEER)  # still a valid gazetteer
    again = kg("actors", "--new", "--yaml", str(gazetteer), store=uncoded_store)
    assert "added 0 actor(s)" in again.stderr and gazetteer.read_text(encoding="utf-8") == after
    fresh = tmp_path / "new" / "found.yaml"
    fresh.parent.mkdir()
    assert kg("actors", "--new", "--yaml", str(fresh), store=uncoded_store).exit_code == 0
    assert [e["label"] for e in yaml.safe_load(fresh.read_text())["actors"]] == ["Grain Council", "Jan Kowalski"]


def test_append_actors_refuses_a_curated_file(tmp_path):
    curated = tmp_path / "curated.yaml"
    curated.write_text("assertions: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a YAML gazetteer"):
        append_actors(curated, [{"actor": "X", "type": "Actor"}])
    assert curated.read_text(encoding="utf-8") == "assertions: []\n"


def test_declared_actors_are_no_longer_new(tmp_path, data_dir):
    corpus = tmp_path / "corpus"
    shutil.copytree(data_dir / "tiny", corpus)
    text = (corpus / "curated.yaml").read_text(encoding="utf-8")
    declared = text.replace("actors:\n", "actors:\n  - {label: Grain Council, type: ActorGroup}\n", 1)
    (corpus / "curated.yaml").write_text(declared, encoding="utf-8")
    store = MemoryStore()
    build([corpus], store, extractor=_extractor)
    from kg.analysis.positions import new_actors

    assert [r["actor"] for r in new_actors(store)] == ["Jan Kowalski"]


# -- free-text targets in curated files -----------------------------------------------------------

CURATED = """assertions:
  - doc: brief
    actor: Poland
    stance: supports
    target: {target}
    attributed_to: null
    certainty: certain
    quote: Poland said it backs new sanctions on Russia.
"""


def _case(tmp_path: Path, data_dir: Path, target: str) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    shutil.copy(data_dir / "tiny" / "brief.md", folder / "brief.md")
    (folder / "curated.yaml").write_text(CURATED.format(target=target), encoding="utf-8")
    return folder


def test_a_text_target_is_uncoded(tmp_path, data_dir):
    prepared = prepare([_case(tmp_path, data_dir, '"text: new sanctions "')])
    (a,) = prepared.assertions
    assert (a.target.kind, a.target.label, a.target.iri) == ("uncoded", "new sanctions", target_iri("new sanctions"))
    store = MemoryStore()
    build([tmp_path / "case"], store)
    from kg.analysis.positions import stance, who

    assert [r["actor"] for r in who(store, "text:New Sanctions")] == ["Poland"]
    assert [r["target"] for r in stance(store, "Poland")] == ["new sanctions"]


@pytest.mark.parametrize(("target", "message"), [
    ("new sanctions", "unknown target 'new sanctions'"),
    ("sanctions-on-rusia", "did you mean: sanctions-on-russia"),
    ('"text:"', "needs the target's words after it"),
])
def test_an_unknown_target_without_the_prefix_stays_an_error(tmp_path, data_dir, target, message):
    with pytest.raises(InputError) as e:
        prepare([_case(tmp_path, data_dir, target)])
    assert str(e.value).startswith(f"{tmp_path / 'case' / 'curated.yaml'}:5: ") and message in str(e.value)
    if "text:" not in target:
        assert f"write 'text:{target}'" in str(e.value)


def test_curated_actor_with_gazetteer_keys_points_to_a_gazetteer(tmp_path):
    path = tmp_path / "curated.yaml"
    path.write_text("actors:\n  - label: Kaja Kallas\n    roles: []\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"curated.yaml:3: unknown key 'roles' in a curated actor.*'gazetteer:'"):
        load_curated(path, {}, Reference())
