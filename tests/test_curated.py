"""Curated YAML: offsets computed on load, and every mistake named by file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.graph.build import prepare
from kg.model.errors import InputError


def _write_case(tmp_path: Path, data_dir: Path, curated_text: str) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    shutil.copy(data_dir / "tiny" / "brief.md", folder / "brief.md")
    (folder / "curated.yaml").write_text(curated_text, encoding="utf-8")
    return folder


def test_offsets_point_at_the_quote(data_dir):
    prepared = prepare([data_dir / "tiny"])
    docs = {d.id: d for d in prepared.documents}
    assert len(prepared.assertions) == 2
    for a in prepared.assertions:
        assert docs[a.doc].text[a.start:a.end] == a.quote
    germany = next(a for a in prepared.assertions if a.actor.label == "Germany")
    assert germany.attributed_to.label == "Example Trade Council"
    assert germany.target.topic == "military-aid"
    assert germany.origin == "curated.yaml:13"


def test_front_matter_is_read_and_offsets_are_body_relative(data_dir):
    doc = prepare([data_dir / "tiny"]).documents[0]
    assert (doc.title, doc.source, doc.date, doc.language) == ("Tariff talks stall", "Example Wire", "2024-03-05", "en")
    assert doc.text.startswith("Poland said")


ROW = """assertions:
  - doc: brief
    actor: {actor}
    stance: {stance}
    target: {target}
    attributed_to: null
    certainty: {certainty}
    quote: {quote}
"""


@pytest.mark.parametrize(
    ("field", "value", "line", "message"),
    [
        ("quote", "Poland said it opposes sanctions.", 8, "does not occur verbatim"),
        ("stance", "loves", 4, "unknown stance 'loves'"),
        ("certainty", "definitely", 7, "unknown certainty 'definitely'"),
        ("actor", "Polnd", 3, "unknown actor 'Polnd'; did you mean: Poland"),
        ("target", "trade-war", 5, "unknown target 'trade-war'"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path, data_dir, field, value, line, message):
    values = {"actor": "Poland", "stance": "supports", "target": "actor:Ukraine", "certainty": "certain",
              "quote": "Poland said it backs new sanctions on Russia."}
    values[field] = value
    folder = _write_case(tmp_path, data_dir, ROW.format(**values))
    with pytest.raises(InputError) as err:
        prepare([folder])
    text = str(err.value)
    assert text.startswith(f"{folder / 'curated.yaml'}:{line}: ")
    assert message in text
    assert "\n" not in text


def test_unknown_document_and_missing_key(tmp_path, data_dir):
    folder = _write_case(tmp_path, data_dir, "assertions:\n  - doc: nope\n    actor: Poland\n    stance: supports\n"
                         "    target: actor:Ukraine\n    certainty: certain\n    quote: x\n")
    with pytest.raises(InputError, match=r"curated.yaml:2: unknown document 'nope'"):
        prepare([folder])
    (folder / "curated.yaml").write_text("assertions:\n  - doc: brief\n    actor: Poland\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"curated.yaml:2: assertion is missing 'stance'"):
        prepare([folder])


def test_bad_yaml_names_line(tmp_path, data_dir):
    folder = _write_case(tmp_path, data_dir, "assertions:\n  - doc: brief\n    actor: [unclosed\n")
    with pytest.raises(InputError, match=r"curated.yaml:\d+: bad YAML"):
        prepare([folder])


def test_declared_actor_must_be_new(tmp_path, data_dir):
    folder = _write_case(tmp_path, data_dir, "actors:\n  - label: Poland\n    type: State\n")
    with pytest.raises(InputError, match=r"curated.yaml:2: actor 'Poland' is already known"):
        prepare([folder])
