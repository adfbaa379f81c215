"""Bounded YAML: alias bombs, deep nesting and self-containing aliases are one error naming file and line."""

from __future__ import annotations

import pytest

from kg.ingest.curated import load_curated
from kg.model.errors import InputError
from kg.ingest.reference import Reference
from kg.ingest.safe_yaml import MAX_ALIAS_NODES, MAX_DEPTH, compose_yaml, load_yaml

LAUGHS = "".join(
    f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9 if i else ["lol"] * 9) + "]\n" for i in range(10))


def _refused(text: str, path: str = "x.yaml") -> InputError:
    with pytest.raises(InputError) as e:
        load_yaml(text, path)
    assert "\n" not in str(e.value) and str(e.value).startswith(f"{path}:")
    return e.value


def test_alias_bomb_is_refused_by_its_line():
    e = _refused(LAUGHS)
    assert f"aliases repeat more than {MAX_ALIAS_NODES:,} nodes" in str(e)
    assert e.line and 3 <= e.line <= 10  # where the budget runs out, not at the end


def test_nesting_beyond_the_limit_is_refused():
    assert "nested deeper than" in str(_refused("[" * 5000 + "]" * 5000))
    assert _refused("- " * (MAX_DEPTH + 1) + "x").line == 1
    # ... and the limit leaves room for any sane file
    assert load_yaml("- " * (MAX_DEPTH - 1) + "x", "ok.yaml") is not None


def test_an_alias_inside_its_own_anchor_is_refused():
    assert "refers to a node that contains it" in str(_refused("a: &a [1, *a]\n"))


def test_ordinary_aliases_and_bad_yaml():
    assert load_yaml("base: &b {type: State}\nx: *b\n", "ok.yaml") == {"base": {"type": "State"}, "x": {"type": "State"}}
    assert compose_yaml("", "empty.yaml") is None
    e = _refused("a: [1, 2\nb: 3\n")
    assert "bad YAML" in str(e)


def test_curated_yaml_nested_500_deep_is_one_clear_error(tmp_path):
    path = tmp_path / "curated.yaml"
    path.write_text("assertions:\n" + "".join("  " * i + "-\n" for i in range(1, 500)), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_curated(path, {}, Reference())
    assert str(e.value) == f"{path}:{MAX_DEPTH + 1}: YAML refused: nested deeper than {MAX_DEPTH} levels"


def test_curated_alias_bomb_and_duplicate_key(tmp_path):
    path = tmp_path / "curated.yaml"
    path.write_text(LAUGHS + "assertions: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="aliases repeat"):
        load_curated(path, {}, Reference())
    path.write_text("assertions: []\nreject: []\nassertions: []\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"curated.yaml:3: duplicate key 'assertions' \(first on line 1\)"):
        load_curated(path, {}, Reference())
