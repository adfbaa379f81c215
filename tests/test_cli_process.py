"""The ``kg`` process itself: it leaves with ``os._exit`` once a command is done (kg.cli._app._leave), so what
it printed, its exit code and its exit handlers must survive that, and a build must be on disk after it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg.cli import main


def kg(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_long_output_arrives_whole_through_a_pipe(seeds_store_path):
    # Far more than a pipe's buffer: everything written must be flushed before the process leaves.
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    r = kg("query", q, "--format", "csv", "--store", str(seeds_store_path))
    assert r.returncode == 0, r.stderr
    rows = r.stdout.splitlines()
    assert rows[0] == "s,p,o"
    assert len(r.stdout) > 200_000 and len(rows) > 1000
    assert rows[-1].count(",") >= 2  # the last line is whole


@pytest.mark.parametrize("args, code", [
    (("stance", "Nobody-at-all"), 1),  # a library error: one line, exit 1
    (("stance",), 2),  # a usage error (typer's)
    (("--version",), 0),
])
def test_exit_codes_survive(seeds_store_path, args, code):
    extra = ("--store", str(seeds_store_path)) if args[0] == "stance" else ()
    r = kg(*args, *extra)
    assert r.returncode == code, r.stderr
    if code == 1:
        assert r.stderr.strip().splitlines() == ["error: unknown actor 'Nobody-at-all' (kg actors lists the known ones)"]
    if code == 0:
        assert r.stdout.startswith("kg ")


def test_a_build_is_on_disk_when_the_process_has_left(seeds_dir, tmp_path):
    store = tmp_path / "store"
    r = kg("build", str(seeds_dir), "--no-extract", "--store", str(store))
    assert r.returncode == 0, r.stderr
    again = kg("stance", "Poland", "--format", "json", "--store", str(store))
    assert again.returncode == 0, again.stderr
    assert '"supports"' in again.stdout


def test_in_process_callers_get_system_exit(seeds_store_path, capsys):
    # Only the console entry point leaves with os._exit; a caller passing argv keeps its process.
    with pytest.raises(SystemExit) as e:
        main(["stance", "Poland", "--format", "json", "--store", str(seeds_store_path)])
    assert e.value.code == 0
    assert "supports" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["stance", "Nobody-at-all", "--store", str(seeds_store_path)])
    assert e.value.code == 1


def test_exit_handlers_still_run(seeds_store_path, tmp_path):
    mark = tmp_path / "ran"
    script = ("import atexit, pathlib, sys\n"
              f"atexit.register(pathlib.Path({str(mark)!r}).write_text, 'yes')\n"
              f"sys.argv = ['kg', 'stance', 'Poland', '--store', {str(seeds_store_path)!r}]\n"
              "from kg.cli import main\nmain()\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert mark.read_text() == "yes"


def test_a_bug_is_one_line_and_exit_70_not_a_traceback(monkeypatch):
    from typer.testing import CliRunner

    from kg.cli import app
    import kg.store.memory as memory

    args = ["query", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "--store", ":memory:"]
    monkeypatch.delenv("KG_DEBUG", raising=False)
    assert CliRunner().invoke(app, args).exit_code == 0  # the command itself works

    def broken(*a, **kw):
        raise RuntimeError("something kg did not expect")

    monkeypatch.setattr(memory.MemoryStore, "query", broken)
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 70
    assert res.stderr.count("\n") == 1 and "internal error (RuntimeError: something kg did not expect)" in res.stderr
    assert "Traceback" not in res.output
    monkeypatch.setenv("KG_DEBUG", "1")  # the traceback, for whoever fixes it
    assert isinstance(CliRunner().invoke(app, args).exception, RuntimeError)
