"""One writer at a time; a killed writer's leftovers are put right by the next one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from kg.graph.build import build, remove
from kg.store.locking import StoreLockedError, write_lock
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
        "import sys, time; from pathlib import Path; from kg.store.locking import write_lock\n"
        f"with write_lock(Path({str(store)!r})):\n    print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(StoreLockedError):
        build([seeds_dir], store)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert build([seeds_dir], store).unchanged == 2  # taken over


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
    script = ("import sys; from kg.graph.build import build\n"
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

    for suffix in (".rows.building", ".tmp"):
        (store_copy.with_name(store_copy.name + suffix)).mkdir()
    (store_copy / "v-1-1").mkdir()  # a version a killed build was writing
    res = CliRunner().invoke(app, ["stance", "Poland", "--store", str(store_copy)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in store_copy.parent.iterdir() if p.name.startswith(store_copy.name)) == \
        [store_copy.name, store_copy.name + ".lock"]
    assert not (store_copy / "v-1-1").exists()


def test_an_update_during_a_build_is_refused_not_lost(store_copy):
    from typer.testing import CliRunner

    from kg.cli import app

    with write_lock(store_copy):  # a build in progress
        res = CliRunner().invoke(app, ["query", "--update", "--store", str(store_copy),
                                       "INSERT DATA { <urn:a> <urn:b> <urn:c> }"])
    assert res.exit_code != 0 and "locked by PID" in res.stderr and "update applied" not in res.output


# Each step of the swap (kg.store.dirs.activate): the new link made, the link renamed over the active one,
# the old version deleted.
_STEPS = {
    "link": ("os", "symlink", "True"),
    "swap": ("os", "replace", "str(a[1]).endswith('/active')"),
    "sweep": ("shutil", "rmtree", "'/v-' in str(a[0])"),
}


def _kill_at(step: str, script: str) -> int:
    """Run ``script`` in a process that SIGKILLs itself right before ``step`` of the swap."""
    module, name, when = _STEPS[step]
    hook = (f"import os, signal, shutil\n_real = {module}.{name}\n"
            f"def _hooked(*a, **k):\n    if {when}: os.kill(os.getpid(), signal.SIGKILL)\n    return _real(*a, **k)\n"
            f"{module}.{name} = _hooked\n")
    return subprocess.run([sys.executable, "-c", hook + script]).returncode


@pytest.mark.parametrize("step", list(_STEPS))
def test_a_kill_at_each_step_of_the_swap_leaves_old_or_new(seeds_dir, tmp_path, step):
    work = tmp_path / "work"
    shutil.copytree(seeds_dir, work)
    store = tmp_path / "s.kg"
    build([work], store)
    build([work], store)  # a second version, so that the sweep has an old one to delete
    old = _nquads(store)
    (work / "articles" / "extra.txt").write_text("Hungary opposes sanctions on Russia.\n", encoding="utf-8")
    code = _kill_at(step, f"from kg.graph.build import build\nbuild([{str(work)!r}], {str(store)!r})")
    assert code == -signal.SIGKILL
    state = _nquads(store)  # readers see a whole store meanwhile
    assert state == (old if step != "sweep" else _nquads_of_fresh(work, tmp_path))
    build([work], store)  # the next writer recovers, then finishes the job
    assert _nquads(store) == _nquads_of_fresh(work, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("s.kg")) == ["s.kg", "s.kg.lock"]
    assert len(list(store.glob("v-*"))) == 1


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
    shutil.copytree(store, probe, symlinks=True)
    remove(["000_33a90556ae30723f"], probe)
    new = _nquads(probe)
    seen = set()
    for _ in range(20):
        proc = subprocess.Popen([sys.executable, "-c",
                                 f"from kg.graph.build import remove\nremove(['000_33a90556ae30723f'], {str(store)!r})"])
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


def _kg(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_two_builds_at_once_never_corrupt_the_store(seeds_dir, tmp_path):
    """The second of two concurrent builds, started at varied offsets, is refused (naming the holder) or,
    with --wait, runs after the first; the store always ends equal to a fresh build."""
    import random

    rng = random.Random(5)
    work = tmp_path / "work"
    shutil.copytree(seeds_dir, work)
    (work / "articles" / "extra.txt").write_text("Hungary opposes sanctions on Russia.\n", encoding="utf-8")
    fresh = tmp_path / "fresh.kg"
    build([work], fresh)
    want = _nquads(fresh)
    outcomes = set()
    for i in range(6):
        store = tmp_path / f"s{i}.kg"
        wait = ["--wait"] if i % 2 else []
        first = _kg("build", str(work), "--store", str(store), "--no-extract", "-q")
        time.sleep(rng.uniform(0.0, 1.0))
        second = _kg("build", str(work), "--store", str(store), "--no-extract", "-q", *wait)
        out1, out2 = first.communicate(timeout=120), second.communicate(timeout=120)
        assert first.returncode == 0, out1
        if second.returncode:
            assert not wait and "locked by PID" in out2[1] and "Traceback" not in out2[1], out2
            outcomes.add("refused")
        else:
            outcomes.add("after")
        assert _nquads(store) == want
    assert "after" in outcomes


def test_reads_during_builds_see_the_old_or_the_new_store(seeds_dir, tmp_path):
    """kg stance while builds swap stores in and out: every answer is the old one or the new one."""
    import json

    from typer.testing import CliRunner

    from kg.cli import app

    work = tmp_path / "work"
    shutil.copytree(seeds_dir, work)
    store = tmp_path / "s.kg"
    build([work], store)
    runner = CliRunner()

    def rows():
        res = runner.invoke(app, ["stance", "Poland", "-f", "json", "--store", str(store)])
        assert res.exit_code == 0, res.output
        return sorted(r["quote"] for r in json.loads(res.stdout))

    old = rows()
    extra = work / "articles" / "extra.txt"
    extra.write_text("---\nsource: X\n---\nPoland supports sanctions on Russia, said the minister.\n",
                     encoding="utf-8")
    seen = set()
    for i in range(4):
        sync = ["--sync"] if i % 2 else []
        if i % 2:
            extra.unlink()
        else:
            extra.write_text(f"---\nsource: X\n---\nPoland supports sanctions on Russia ({i}).\n", encoding="utf-8")
        proc = _kg("build", str(work), "--store", str(store), "-q", *sync)
        while proc.poll() is None:
            got = rows()
            seen.add(len(got))
        assert proc.wait() == 0, proc.stderr.read()
    assert len(seen) >= 2 and old  # reads ran across swaps, and every one of them answered
