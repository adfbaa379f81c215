"""Bad input is one clear line and a non-zero exit code, never a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()


def _one_line_error(res, code: int) -> str:
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and res.exception is None or isinstance(res.exception, SystemExit)
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    return lines[0]


@pytest.mark.parametrize("args", [
    ["stance", "Pol\udcffand"],
    ["who", "\udce9troop"],
    ["query", 'SELECT * WHERE { ?s ?p "\udcff" }'],
    ["stance", "Poland", "--target", "tro\udcffop"],
])
def test_undecodable_arguments_are_named(store_copy, args):
    line = _one_line_error(runner.invoke(app, [*args, "--store", str(store_copy)]), 2)
    assert "is not valid UTF-8" in line


def test_a_long_query_is_text_not_a_file_name(store_copy):
    for query in ("ASK { ?s ?p ?o } #" + "x" * 300, "ASK { ?s ?p ?o } #" + "x" * 20_000):
        res = runner.invoke(app, ["query", query, "--store", str(store_copy)])
        assert res.exit_code == 0 and res.stdout.strip() == "true", res.output


def test_a_missing_query_file_is_named(store_copy):
    line = _one_line_error(runner.invoke(app, ["query", "nosuch.rq", "--store", str(store_copy)]), 1)
    assert "nosuch.rq: no such query file" in line


def test_a_refused_service_is_one_line(store_copy):
    line = _one_line_error(runner.invoke(app, ["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                                               "--store", str(store_copy)]), 1)
    assert "could not reach" in line
