"""One writer at a time; a killed writer's leftovers are put right by the next one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from kg.build import build, remove
from kg.locking import StoreLockedError, write_lock
from kg.store import open_store


def _nquads(store):
    with open_store(store, read_only=True) as s:
        return sorted(s.dump("nquads").decode().splitlines())


def test_a_second_writer_is_refused_with_the_holder_named(seeds_dir, tmp_path):
    store = tmp_path / "s.kg"
    build([seeds_dir], store)
    with write_lock(store):
        with pytest.raises(StoreLockedError, match=rf"locked by PID {os.getpid()} since"):
            build([seeds_dir], store)


def test_a_killed_holder_releases_the_lock(seeds_dir, tmp_path):
    store = tmp_path / "s.kg"
    build([seeds_dir], store)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from kg.locking import write_lock\n"
        f"with write_lock(Path({str(store)!r})):\n    print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(StoreLockedError):
        build([seeds_dir], store)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert build([seeds_dir], store).unchanged == 2  # taken over


def test_a_swap_cut_between_its_renames_is_undone(seeds_dir, tmp_path):
    store = tmp_path / "s.kg"
    build([seeds_dir], store)
    before = _nquads(store)
    store.rename(store.with_name("s.kg.old"))  # killed after the first rename
    (tmp_path / "s.kg.building").mkdir()  # and a scratch copy left behind
    (tmp_path / "s.kg.tmp").mkdir()
    assert _nquads(store) == before  # readers find the old store meanwhile
    report = build([seeds_dir], store)  # the next writer recovers first: nothing to redo
    assert report.unchanged == 2 and report.added == 0
    assert _nquads(store) == before
    assert not any(p.name != "s.kg" and p.name != "s.kg.lock" for p in tmp_path.iterdir()), list(tmp_path.iterdir())


def test_killed_builds_leave_old_or_new_and_no_scratch_after_the_next_command(seeds_dir, tmp_path):
    """SIGKILL at seeded random moments of a build; each time the store is the old or the new one."""
    import random

    rng = random.Random(7)
    work = tmp_path / "work"
    shutil.copytree(seeds_dir, work)
    store = tmp_path / "s.kg"
    build([work], store)
    old = _nquads(store)
    extra = work / "articles" / "extra.txt"
    extra.write_text("Hungary opposes sanctions on Russia.\n", encoding="utf-8")
    probe = tmp_path / "probe.kg"
    build([work], probe)
    new = _nquads(probe)
    script = ("import sys; from kg.build import build\n"
              f"build([{str(work)!r}], {str(store)!r})")
    seen = set()
    for _ in range(20):
        proc = subprocess.Popen([sys.executable, "-c", script])
        time.sleep(rng.uniform(0.05, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = _nquads(store)
        assert state in (old, new)
        seen.add("new" if state == new else "old")
        with write_lock(store):  # what the next command does first
            pass
        assert sorted(p.name for p in tmp_path.iterdir()) == ["probe.kg", "probe.kg.lock", "s.kg", "s.kg.lock", "work"]
        if state == new:  # back to the old state for the next round (kg remove is all or nothing too)
            assert remove(["extra"], store).removed == ["extra"]
            assert _nquads(store) == old
    assert seen == {"old", "new"}  # the kills hit both before and after the swap


def test_any_command_clears_a_killed_runs_scratch(store_copy):
    from typer.testing import CliRunner

    from kg.cli import app

    for suffix in (".building", ".tmp"):
        (store_copy.with_name(store_copy.name + suffix)).mkdir()
    res = CliRunner().invoke(app, ["stance", "Poland", "--store", str(store_copy)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in store_copy.parent.iterdir() if p.name.startswith(store_copy.name)) == \
        [store_copy.name, store_copy.name + ".lock"]


def test_an_update_during_a_build_is_refused_not_lost(store_copy):
    from typer.testing import CliRunner

    from kg.cli import app

    with write_lock(store_copy):  # a build in progress
        res = CliRunner().invoke(app, ["query", "--update", "--store", str(store_copy),
                                       "INSERT DATA { <urn:a> <urn:b> <urn:c> }"])
    assert res.exit_code != 0 and "locked by PID" in res.stderr and "update applied" not in res.output


def _kill_at_rename(script: str, n: int) -> int:
    """Run ``script`` in a process that SIGKILLs itself at its ``n``-th rename (the swap renames twice)."""
    hook = ("import os, signal, pathlib\n"
            "_real, _count = pathlib.Path.rename, [0]\n"
            "def _rename(self, target):\n"
            f"    _count[0] += 1\n    if _count[0] == {n}: os.kill(os.getpid(), signal.SIGKILL)\n"
            "    return _real(self, target)\n"
            "pathlib.Path.rename = _rename\n")
    return subprocess.run([sys.executable, "-c", hook + script]).returncode


@pytest.mark.parametrize("n", [1, 2])
def test_a_kill_at_each_rename_of_the_swap_leaves_old_or_new(seeds_dir, tmp_path, n):
    work = tmp_path / "work"
    shutil.copytree(seeds_dir, work)
    store = tmp_path / "s.kg"
    build([work], store)
    old = _nquads(store)
    (work / "articles" / "extra.txt").write_text("Hungary opposes sanctions on Russia.\n", encoding="utf-8")
    code = _kill_at_rename(f"from kg.build import build\nbuild([{str(work)!r}], {str(store)!r})", n)
    assert code == -signal.SIGKILL
    assert _nquads(store) in (old, _nquads_of_fresh(work, tmp_path))  # readers see a whole store meanwhile
    build([work], store)  # the next writer recovers, then finishes the job
    assert _nquads(store) == _nquads_of_fresh(work, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("s.kg")) == ["s.kg", "s.kg.lock"]


def _nquads_of_fresh(work, tmp_path):
    fresh = tmp_path / "fresh.kg"
    if not fresh.exists():
        build([work], fresh)
    return _nquads(fresh)


def test_killed_removes_leave_old_or_new(seeds_dir, tmp_path):
    """SIGKILL at seeded random moments of kg remove; each time the store is the old or the new one, and
    running the same command again finishes the job."""
    import random

    rng = random.Random(11)
    store = tmp_path / "s.kg"
    build([seeds_dir], store)
    old = _nquads(store)
    probe = tmp_path / "probe.kg"
    shutil.copytree(store, probe)
    remove(["000_33a90556ae30723f"], probe)
    new = _nquads(probe)
    seen = set()
    for _ in range(20):
        proc = subprocess.Popen([sys.executable, "-c",
                                 f"from kg.build import remove\nremove(['000_33a90556ae30723f'], {str(store)!r})"])
        time.sleep(rng.uniform(0.05, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = _nquads(store)  # opening it clears what the killed run left
        assert state in (old, new)
        seen.add("new" if state == new else "old")
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("s.kg")) == ["s.kg", "s.kg.lock"]
        res = remove(["000_33a90556ae30723f"], store)  # the same command again: done, or a warning
        assert _nquads(store) == new and (res.removed or res.unknown)
        shutil.rmtree(store)
        build([seeds_dir], store)
    assert seen == {"old", "new"}
