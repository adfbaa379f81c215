"""kg agreement: Krippendorff's alpha between coders, worked out by hand on a small example."""

from __future__ import annotations

import json
import math
from pathlib import Path

import krippendorff
import pytest
from typer.testing import CliRunner

from kg.analysis.agreement import agreement, align, load_coders, reliability_data
from kg.cli import app
from kg.ingest.documents import read_documents
from kg.model.errors import InputError
from kg.ingest.reference_files import ReferenceFiles

runner = CliRunner()

D1 = ("Poland supports more military aid. Germany is hesitant about troop deployment. "
      "France opposes Ukraine joining NATO.\n")
D2 = "Hungary opposes sanctions on Russia. Italy supports more military aid.\n"


def row(doc: str, actor: str, stance: str, target: str, quote: str, certainty: str = "certain") -> str:
    return (f"  - {{doc: {doc}, actor: {actor}, stance: {stance}, target: {target}, "
            f"certainty: {certainty}, quote: \"{quote}\"}}\n")


# Five statements; B coded a shorter span of the second (it overlaps A's and C's: the same unit),
# left out the third and the fifth; C did not code d2 at all (missing there, not "none").
CODERS = {
    "anna": [
        row("d1", "Poland", "supports", "military-aid", "Poland supports more military aid"),
        row("d1", "Germany", "hesitant", "troop-deployment", "Germany is hesitant about troop deployment"),
        row("d1", "France", "opposes", "ukraine-nato-membership", "France opposes Ukraine joining NATO"),
        row("d2", "Hungary", "opposes", "sanctions-on-russia", "Hungary opposes sanctions on Russia"),
        row("d2", "Italy", "supports", "military-aid", "Italy supports more military aid", "probable"),
    ],
    "ben": [
        row("d1", "Poland", "supports", "military-aid", "Poland supports more military aid"),
        row("d1", "Germany", "opposes", "troop-deployment", "hesitant about troop deployment"),
        row("d2", "Hungary", "opposes", "sanctions-on-russia", "Hungary opposes sanctions on Russia"),
    ],
    "cleo": [
        row("d1", "Poland", "supports", "military-aid", "Poland supports more military aid", "probable"),
        row("d1", "Germany", "hesitant", "troop-deployment", "Germany is hesitant about troop deployment"),
        row("d1", "France", "opposes", "ukraine-nato-membership", "France opposes Ukraine joining NATO"),
    ],
}


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("agreement")
    (folder / "docs").mkdir()
    (folder / "docs" / "d1.txt").write_text(D1, encoding="utf-8")
    (folder / "docs" / "d2.txt").write_text(D2, encoding="utf-8")
    for name, rows in CODERS.items():
        (folder / f"{name}.yaml").write_text("assertions:\n" + "".join(rows), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reference():
    return ReferenceFiles.resolve().reference()


def files(case: Path) -> list[Path]:
    return [case / f"{name}.yaml" for name in CODERS]


def documents(case: Path):
    return read_documents([case / "docs"])[0]


def test_units_overlap_and_omissions_are_none_or_missing(case, reference):
    coders = load_coders(files(case), {d.id: d for d in documents(case)}, reference)
    assert [c.name for c in coders] == ["anna", "ben", "cleo"]
    units, shared = align(coders)
    assert shared == ["d1", "d2"] and len(units) == 5
    matrix = reliability_data(coders, units, "stance")
    # codes in order of first appearance: supports 0, hesitant 1, opposes 2, none 3
    assert matrix[0] == [0, 1, 2, 2, 0]
    assert matrix[1] == [0, 2, 3, 2, 3]  # ben: no row for France or Italy, though he coded both documents
    assert matrix[2][:3] == [0, 1, 2] and all(math.isnan(v) for v in matrix[2][3:])  # cleo never coded d2


def test_alpha_worked_out_by_hand(case, reference):
    # Stance per unit (s supports, h hesitant, o opposes, n none; "." missing):
    #   unit     anna ben cleo   values m   ordered pairs, each weighted 1/(m-1)
    #   Poland    s    s   s       3        s-s 6 × 1/2          -> o_ss += 3
    #   Germany   h    o   h       3        h-h 2, h-o 2, o-h 2  -> o_hh += 1, o_ho += 1, o_oh += 1
    #   France    o    n   o       3        o-o 2, o-n 2, n-o 2  -> o_oo += 1, o_on += 1, o_no += 1
    #   Hungary   o    o   .       2        o-o 2 × 1            -> o_oo += 2
    #   Italy     s    n   .       2        s-n, n-s × 1         -> o_sn += 1, o_ns += 1
    # Coincidence matrix           s   h   o   n  | n_c
    #                         s    3   0   0   1  |  4
    #                         h    0   1   1   0  |  2
    #                         o    0   1   3   1  |  5
    #                         n    1   0   1   0  |  2       n = 13 pairable values
    # D_o = off-diagonal / n = (1+1+1+1+1+1)/13 = 6/13
    # D_e = (n² − Σ n_c²) / (n(n−1)) = (169 − (16+4+25+4)) / 156 = 120/156
    # alpha = 1 − D_o/D_e = 1 − (6/13)(156/120) = 1 − 72/120 = 0.4
    #
    # "statement" (coded c or none n): the units give c,c,c | c,c,c | c,n,c | c,c | c,n
    #   o_cc = 3 + 3 + 1 + 2 = 9, o_cn = o_nc = 1 + 1 = 2, o_nn = 0; n_c = 11, n_n = 2, n = 13
    #   D_o = 4/13, D_e = 2·11·2/156 = 44/156, alpha = 1 − (4/13)(156/44) = 1 − 48/44 = −1/11
    #
    # actor: every unit agrees except where ben has none (France, Italy): P P P | G G G | F n F | H H | I n
    #   o_PP = 3, o_GG = 3, o_FF = 1, o_Fn = o_nF = 1, o_HH = 2, o_In = o_nI = 1
    #   n_P = 3, n_G = 3, n_F = 2, n_H = 2, n_I = 1, n_n = 2; n = 13, Σ n_c² = 9+9+4+4+1+4 = 31
    #   D_o = 4/13, D_e = (169 − 31)/156 = 138/156, alpha = 1 − (4/13)(156/138) = 1 − 48/138 = 15/23
    rows = agreement(files(case), documents(case), reference)
    got = {(r["group"], r["variable"], r["level"]): r for r in rows}
    assert got["coders", "stance", "nominal"]["alpha"] == pytest.approx(0.4, abs=1e-4)
    assert got["coders", "statement", "nominal"]["alpha"] == pytest.approx(-1 / 11, abs=1e-4)
    assert got["coders", "actor", "nominal"]["alpha"] == pytest.approx(15 / 23, abs=1e-4)
    assert got["coders", "stance", "nominal"]["units"] == 5 and got["coders", "stance", "nominal"]["documents"] == 2
    # The same figure straight from the package, on the hand-written reliability data.
    nan = float("nan")
    s, h, o, n = 0, 1, 2, 3
    by_hand = [[s, h, o, o, s], [s, o, n, o, n], [s, h, o, nan, nan]]
    assert krippendorff.alpha(reliability_data=by_hand, level_of_measurement="nominal") == pytest.approx(0.4)
    # three coders: every pair is reported too
    assert {"anna ~ ben", "anna ~ cleo", "ben ~ cleo"} <= {r["group"] for r in rows}


def test_extractor_is_a_coder_of_the_shared_documents(case, reference):
    docs = documents(case)
    by_id = {d.id: d for d in docs}
    anna = load_coders([case / "anna.yaml"], by_id, reference)[0].assertions
    ran_on = []

    def extract(document, ref):  # finds exactly what anna coded
        ran_on.append(document.id)
        return [a for a in anna if a.doc == document.id]

    rows = agreement([case / "anna.yaml", case / "cleo.yaml"], docs, reference, extract=extract)
    got = {(r["group"], r["variable"], r["level"]): r["alpha"] for r in rows}
    assert sorted(ran_on) == ["d1", "d2"]  # every document some coder coded
    assert got["extractor ~ anna", "stance", "nominal"] == 1.0
    assert got["extractor ~ anna", "certainty", "ordinal"] == 1.0
    assert {"coders", "extractor ~ cleo", "extractor ~ coders"} <= {r["group"] for r in rows}


def test_cli_table_json_csv(case):
    args = ["agreement", *map(str, files(case)), "--docs", str(case / "docs")]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "stance" in table.output and "0.4" in table.output
    out = runner.invoke(app, [*args, "--format", "json"])
    data = json.loads(out.output)
    assert {"group": "coders", "variable": "stance", "level": "nominal", "alpha": 0.4, "units": 5,
            "documents": 2, "coders": 3} in data
    csv = runner.invoke(app, [*args, "--format", "csv"])
    assert csv.output.splitlines()[0] == "group,variable,level,alpha,units,documents,coders"


@pytest.mark.parametrize(("extra", "message"), [
    (["--format", "xml"], "unknown format 'xml'"),
    (["only-one"], "at least two curated files"),
    (["missing.yaml", "x"], "missing.yaml: no such file"),
    (["bad"], "unknown stance 'loves'"),
])
def test_bad_input_is_one_line(case, extra, message):
    (case / "bad.yaml").write_text("assertions:\n" + row("d1", "Poland", "loves", "military-aid",
                                                          "Poland supports more military aid"), encoding="utf-8")
    paths = {"only-one": [str(case / "anna.yaml")], "bad": [str(case / "anna.yaml"), str(case / "bad.yaml")],
             "x": [str(case / "anna.yaml")]}
    args = ["agreement", "--docs", str(case / "docs")]
    for e in extra:
        args += paths.get(e, [e])
    if extra[0] == "--format":
        args += [str(p) for p in files(case)]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], result.output


def test_two_files_naming_one_coder_are_refused(case, reference, tmp_path):
    other = tmp_path / "anna.yaml"
    other.write_text((case / "anna.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError, match="named by two files"):
        load_coders([case / "anna.yaml", other], {d.id: d for d in documents(case)}, reference)


def test_the_coder_is_the_one_kg_review_noted(case, reference, tmp_path):
    noted = tmp_path / "curated.yaml"
    noted.write_text("assertions:\n" + "".join(r.replace("}\n", ", note: 'coder: dora; time: 2026-12-02T07:30:00Z'}\n")
                                               for r in CODERS["ben"]), encoding="utf-8")
    coders = load_coders([case / "anna.yaml", noted], {d.id: d for d in documents(case)}, reference)
    assert [c.name for c in coders] == ["anna", "dora"]
