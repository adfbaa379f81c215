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
