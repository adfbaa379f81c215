"""A new debate end to end: YAML codebooks and gazetteers build the same graph as the Turtle they were
written from, on each debate of the dev set; the shipped (Ukraine) reference stays out of a user's debate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.graph.build import build
from kg.extraction import shared_extractor
from kg.graph.manifest import INPUT_FILE
from kg.ingest.reference_export import turtle_to_yaml
from kg.store import open_store

DEVSET = Path(__file__).resolve().parents[2] / "shared" / "devset"
DEBATES = ["nato-ukraine-2023", "cop28-fossil-fuels", "chips-export-controls"]
# What names the files a store was built from (their paths and bytes), not what they say.
BOOKKEEPING = (INPUT_FILE, "https://w3id.org/kg/ns#fingerprint", "https://w3id.org/kg/ns#referenceDigest",
               "https://w3id.org/kg/ns#projectionStamp", "https://w3id.org/kg/ns#codebookFile",
               "https://w3id.org/kg/ns#gazetteerFile")


def _graph(store) -> list[str]:
    with open_store(store, read_only=True) as s:
        lines = s.dump("nquads").decode("utf-8").splitlines()
    return sorted(line for line in lines if not any(f"<{p}>" in line for p in BOOKKEEPING))


@pytest.mark.parametrize("debate", DEBATES)
def test_yaml_reference_builds_the_graph_the_turtle_builds(debate, tmp_path):
    src = DEVSET / debate
    assert src.is_dir(), f"the dev set is missing: {src}"
    docs = sorted((src / "docs").glob("*.txt"))[:4]
    for name in ("codebook", "gazetteer"):
        (tmp_path / f"{name}.yaml").write_text(turtle_to_yaml(src / f"{name}.ttl"), encoding="utf-8")
    extractor = shared_extractor()
    build(docs, tmp_path / "ttl.kg", codebooks=[src / "codebook.ttl"], gazetteers=[src / "gazetteer.ttl"],
          extractor=extractor)
    report = build(docs, tmp_path / "yaml.kg", codebooks=[tmp_path / "codebook.yaml"],
                   gazetteers=[tmp_path / "gazetteer.yaml"], extractor=extractor)
    assert report.assertions > 0
    assert _graph(tmp_path / "ttl.kg") == _graph(tmp_path / "yaml.kg")


def test_yaml_reference_among_the_inputs_replaces_the_shipped_one(tmp_path):
    """Found among the build's inputs (as kg init lays them out), a YAML codebook and gazetteer are the
    debate's reference data: the shipped Ukraine topics (a 'truce' is not the 'ceasefire') stay out,
    and later builds of new articles keep using them."""
    src = DEVSET / "cop28-fossil-fuels"
    project = tmp_path / "project"
    (project / "articles").mkdir(parents=True)
    (project / "topics.yaml").write_text(turtle_to_yaml(src / "codebook.ttl"), encoding="utf-8")
    (project / "actors.yaml").write_text(turtle_to_yaml(src / "gazetteer.ttl"), encoding="utf-8")
    (project / "articles" / "a.txt").write_text("The farmers' union called for a truce with the ministry.\n",
                                                encoding="utf-8")
    store = tmp_path / "s.kg"
    build([project], store)
    with open_store(store, read_only=True) as s:
        assert not s.query("ASK { ?t skos:notation 'ceasefire-negotiations' }").boolean
        assert s.query("ASK { ?t a kg:Topic ; skos:notation 'fossil-fuel-phase-out' }").boolean
    more = tmp_path / "more.txt"
    more.write_text("Another article.\n", encoding="utf-8")
    report = build([more], store)
    assert (report.added, report.unchanged) == (1, 1)
    with open_store(store, read_only=True) as s:
        assert not s.query("ASK { ?t skos:notation 'ceasefire-negotiations' }").boolean
    shutil.rmtree(store)
    build([project], store, with_shipped=True)
    with open_store(store, read_only=True) as s:
        assert s.query("ASK { ?t skos:notation 'ceasefire-negotiations' }").boolean


def test_a_folder_with_nothing_readable_is_an_error_not_zero_documents(tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.docx").write_bytes(b"PK\x03\x04")
    res = CliRunner().invoke(app, ["build", str(tmp_path / "in"), "--store", str(tmp_path / "s.kg"), "--no-extract"])
    assert res.exit_code == 1
    assert "no documents found" in res.stderr and "notes.docx" in res.stderr and "Traceback" not in res.output


def test_the_readme_walk_through(tmp_path, monkeypatch):
    """README 'Your own debate': init, HTML/PDF/CSV articles, build, edit, build again, stance, who, viz."""
    from test_formats import make_pdf
    from typer.testing import CliRunner

    from kg.cli import app

    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init", "farm"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "farm")
    art = tmp_path / "farm" / "articles"
    (art / "brief.pdf").write_bytes(make_pdf(["Farmers block Brussels.", "France supports suspending the green "
                                                                         "rules, the minister said."]))
    (art / "page.html").write_text(
        "<html><head><title>Grain</title><meta name='author' content='A. Nowak'></head><body><nav>Home | World</nav>"
        "<article><h1>Grain</h1><p>Poland opposes duty-free imports of Ukrainian grain, the agriculture minister "
        "said on Tuesday, as farmers blocked border crossings for a third week.</p><p>The unions said they would "
        "continue the blockade until the government acts on the imports.</p></article></body></html>",
        encoding="utf-8")
    (art / "wire.csv").write_text(
        "stories_id,title,publish_date,media_name,url,story_text\n"
        '101,Dutch farmers,"February 1, 2024",Agri Wire,https://example.org/101,"The Netherlands backs the green '
        'rules."\n', encoding="utf-8")
    curated = (tmp_path / "farm" / "curated.yaml")
    curated.write_text(curated.read_text(encoding="utf-8").replace("\nassertions:\n", (
        "\nassertions:\n- {doc: brief, actor: France, stance: opposes, target: green-rules, certainty: certain,\n"
        "   quote: 'France supports suspending the green rules'}\n")), encoding="utf-8")
    res = runner.invoke(app, ["build", ".", "--no-extract"])
    assert res.exit_code == 0, res.output
    assert "3 added, 0 updated, 0 unchanged, 0 removed" in res.output
    with (art / "wire.csv").open("a", encoding="utf-8") as f:
        f.write('102,Madrid,2024-02-09,Agri Wire,https://example.org/102,"Spain opposes the green rules."\n')
    (art / "page.html").write_text((art / "page.html").read_text(encoding="utf-8").replace("third", "fourth"),
                                   encoding="utf-8")
    res = runner.invoke(app, ["build", "--no-extract"])
    assert res.exit_code == 0, res.output
    assert "1 added, 1 updated, 2 unchanged, 0 removed" in res.output
    res = runner.invoke(app, ["stance", "France", "-f", "json"])
    assert res.exit_code == 0 and "green rules" in res.stdout, res.output
    assert runner.invoke(app, ["who", "green-rules"]).exit_code == 0
    res = runner.invoke(app, ["viz", "--out", "farm.html"])
    assert res.exit_code == 0 and (tmp_path / "farm" / "farm.html").stat().st_size > 10_000, res.output


def test_columns_named_once_are_remembered(tmp_path):
    """--columns maps an export's own column names; later builds (no paths) read it the same way."""
    from typer.testing import CliRunner

    from kg.cli import app

    runner = CliRunner()
    (tmp_path / "in").mkdir()
    export = tmp_path / "in" / "export.csv"
    export.write_text("guid,headline,story_body,outlet\nA1,One,Poland supports sanctions on Russia.,Wire\n",
                      encoding="utf-8")
    store = str(tmp_path / "s.kg")
    res = runner.invoke(app, ["build", str(tmp_path / "in"), "--store", store, "--no-extract", "--columns", "text"])
    assert res.exit_code == 2 and "not FIELD=COLUMN" in res.stderr
    res = runner.invoke(app, ["build", str(tmp_path / "in"), "--store", store, "--no-extract",
                              "--columns", "text=story_body,id=guid,title=headline,source=outlet"])
    assert res.exit_code == 0 and "1 added" in res.output, res.output
    with export.open("a", encoding="utf-8") as f:
        f.write("A2,Two,France opposes sanctions on Russia.,Wire\n")
    res = runner.invoke(app, ["build", "--store", store, "--no-extract"])
    assert res.exit_code == 0 and "1 added, 0 updated, 1 unchanged" in res.output, res.output
    res = runner.invoke(app, ["query", "SELECT ?id WHERE { ?d dct:identifier ?id } ORDER BY ?id", "-f", "csv",
                              "--store", store])
    assert res.stdout.split() == ["id", "A1", "A2"]
