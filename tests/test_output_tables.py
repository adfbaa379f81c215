"""Tables a person reads: they fit the terminal and wrap long cells; nothing is cut. `kg --version`, examples."""

from __future__ import annotations

import csv
import io
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kg import __version__
from kg.cli import app
from kg.analysis.output import DEFAULT_WIDTH, cell_width, column_widths, render, terminal_width, wrap

QUOTE = ("countries like Poland and the Baltic states may be ready to send troops to Ukraine, "
         "said the former NATO Secretary General in an interview with a Danish newspaper on Tuesday")
ROWS = [
    {"actor": "Poland", "stance": "supports", "target": "Deployment of foreign troops to Ukraine",
     "quote": QUOTE, "doc": "000_33a90556ae30723f"},
    {"actor": "Anders Fogh Rasmussen", "stance": "opposes", "target": "Ukraine", "quote": "no", "doc": "d2"},
]
COLUMNS = ["actor", "stance", "target", "quote", "doc"]


def words(text: str) -> str:
    """The text with every space and line break removed: what must survive wrapping."""
    return re.sub(r"\s+", "", text)


def columns_of(text: str) -> list[str]:
    """Each column's text read back from a rendered table (every body line's slice of it, spaces removed)."""
    lines = text.splitlines()
    widths = [len(d) for d in lines[1].split("  ")]
    out = ["" for _ in widths]
    starts = [sum(w + 2 for w in widths[:i]) for i in range(len(widths))]
    for line in lines[2:]:
        used, k = 0, 0
        for ch in line:
            while k + 1 < len(starts) and used >= starts[k + 1]:
                k += 1
            out[k] += ch
            used += cell_width(ch)
    return [words(c) for c in out]


@pytest.mark.parametrize("width", [60, 80, 100, 160, 400])
def test_table_fits_the_width_and_keeps_every_character(width):
    text = render(ROWS, "table", COLUMNS, width=width)
    lines = text.splitlines()
    assert max(cell_width(line) for line in lines) <= width
    assert lines[0].split() == COLUMNS and set(lines[1]) <= {"-", " "}
    # Nothing truncated: each column holds every character of its cells, in order.
    assert columns_of(text) == ["".join(words(r[c]) for r in ROWS) for c in COLUMNS]
    assert "…" not in text
    if width >= 400:  # wide enough: one line per row, as before
        assert len(lines) == 2 + len(ROWS)
    else:
        assert "" in lines  # rows that take several lines are set apart by a blank line
    if width >= 80:  # prose wraps; ids stay whole while the table can afford them
        assert "000_33a90556ae30723f" in text


def test_long_quotes_are_not_cut_at_70_characters():
    text = render([{"quote": QUOTE}], "table", width=300)
    assert QUOTE in text
    text = render([{"quote": QUOTE}], "table", width=50)
    assert " ".join(line.strip() for line in text.splitlines()[2:]) == QUOTE


def test_width_comes_from_columns_env_else_a_default(monkeypatch):
    monkeypatch.setenv("COLUMNS", "57")
    assert terminal_width() == 57
    text = render(ROWS, "table", COLUMNS)
    assert max(map(cell_width, text.splitlines())) <= 57
    monkeypatch.delenv("COLUMNS")

    def no_terminal(*_):
        raise OSError("not a terminal")

    monkeypatch.setattr(os, "get_terminal_size", no_terminal)
    assert terminal_width() == DEFAULT_WIDTH


def test_json_and_csv_are_not_wrapped():
    rows = [{"a": "x, y", "b": QUOTE, "c": None}]
    assert list(csv.reader(io.StringIO(render(rows, "csv"), newline=""))) == [["a", "b", "c"], ["x, y", QUOTE, ""]]
    assert render(rows, "json") == '[\n  {"a": "x, y", "b": "' + QUOTE + '", "c": null}\n]'
    assert render([], "table") == "(no results)"


def test_wrap_folds_words_longer_than_a_line_and_counts_wide_characters():
    assert wrap("abcdefghijkl mn", 5) == ["abcde", "fghij", "kl mn"]
    assert wrap("日本語のテキスト", 6) == ["日本語", "のテキ", "スト"]
    assert all(cell_width(line) <= 6 for line in wrap("日本語のテキスト", 6))
    assert cell_width("Orbán") == 5 and cell_width("Orba\u0301n") == 5


cells = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=60)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({"a": cells, "b": cells, "c": cells}), min_size=1, max_size=5),
       width=st.integers(min_value=20, max_value=200))
def test_any_table_keeps_its_text_and_fits_when_it_can(rows, width):
    text = render(rows, "table", ["a", "b", "c"], width=width)
    assert columns_of(text) == ["".join(words(r[c]) for r in rows) for c in "abc"]
    # Floors: a header, 8 columns, or a word of up to 24: three such columns and two gutters fit in 20 + 60.
    if width >= 80:
        assert max(map(cell_width, text.splitlines())) <= width


def test_column_widths_share_the_room_by_need():
    assert column_widths([10, 20], [8, 8], 40) == [10, 20]  # fits: natural widths
    w = column_widths([10, 200, 40], [8, 8, 8], 80)
    assert sum(w) + 2 * 2 == 80 and 8 <= w[0] <= 10 and w[1] > w[2] > w[0]
    assert column_widths([30, 30], [20, 20], 30) == [20, 20]  # floors win over the width


runner = CliRunner()


def test_version_prints_and_exits_zero():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"kg {__version__}"


def test_every_command_shows_an_example():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"build", "stance", "query", "viz", "extract", "serve"} <= set(names)
    for name in names:
        res = runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"})
        assert res.exit_code == 0, name
        assert re.search(rf"Example: kg {name}\b", res.stdout), f"{name} --help shows no example"
