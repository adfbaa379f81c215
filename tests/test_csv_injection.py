"""CSV that a spreadsheet would execute: cells starting a formula are neutralised unless --raw (OWASP)."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kg.graph.build import build
from kg.cli import app
from kg.analysis.output import render, spreadsheet_safe

runner = CliRunner()
FORMULA = '=HYPERLINK("http://127.0.0.1/?leak="&A1,"x")'
ACTOR = "@SUM(1+1)*cmd|' /C calc'!A0"


def _corpus(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(f"Opening. {FORMULA} said the text.\n", encoding="utf-8")
    (tmp_path / "in" / "curated.yaml").write_text(
        f"actors:\n- {{label: {ACTOR!r}, type: Actor}}\n"
        f"assertions:\n- {{doc: a, actor: {ACTOR!r}, stance: supports, target: 'text:-2+3', certainty: certain,"
        f" quote: {FORMULA!r}}}\n", encoding="utf-8")
    store = tmp_path / "s.kg"
    build([tmp_path / "in"], store)
    return store


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]


def test_listings_and_exports_neutralise_formulas(tmp_path):
    store = _corpus(tmp_path)
    res = runner.invoke(app, ["stance", ACTOR, "-f", "csv", "--store", str(store)])
    assert res.exit_code == 0, res.output
    cells = _cells(res.stdout)
    assert "'" + FORMULA in cells and "'" + ACTOR in cells and "'-2+3" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    raw = _cells(runner.invoke(app, ["stance", ACTOR, "-f", "csv", "--raw", "--store", str(store)]).stdout)
    assert FORMULA in raw and ACTOR in raw

    out = tmp_path / "net"
    res = runner.invoke(app, ["export", "--format", "csv", "--view", "stance", "--out", str(out), "--store", str(store)])
    assert res.exit_code == 0, res.output
    for name in ("nodes.csv", "edges.csv"):
        cells = _cells((out / name).read_text(encoding="utf-8"))
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells), (name, cells)
    assert "'" + ACTOR in _cells((out / "nodes.csv").read_text(encoding="utf-8"))


@given(st.text(max_size=30))
def test_no_cell_starts_a_formula(value):
    text = render([{"a": value}], "csv", ["a"])
    (cell,) = [c for row in list(csv.reader(io.StringIO(text, newline="")))[1:] for c in row] or [""]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (value, "'" + value)
    assert spreadsheet_safe(3) == 3 and spreadsheet_safe(-1.5) == -1.5
