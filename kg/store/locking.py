"""One writer at a time on an on-disk store, and a store left by a killed writer put right.

A writer (build, remove, ``kg query --update``, the review app) holds an exclusive
``flock`` on ``<store>.lock`` beside the store. The kernel releases it when the
process dies, however it dies, so a lock left by a killed process is simply taken
over. Under the lock the writer first deletes what a killed writer left: the
versions it was building (see :mod:`kg.store.dirs`; old versions too, once no
reader holds them) and its scratch beside the store (``<store>.rows.building``,
``<store>.tmp``). No writer is using them, since we hold the lock.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.model.errors import StoreError
from kg.store.dirs import sweep, unused_versions

ROWS_SCRATCH, LOAD_SCRATCH = ".rows.building", ".tmp"  # a build's projection and its loader's pipe or spool
SCRATCH_SUFFIXES = (ROWS_SCRATCH, LOAD_SCRATCH)


class StoreLockedError(StoreError):
    """Another process is writing the store."""


def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


def scratch_path(store: Path, suffix: str) -> Path:
    return store.with_name(store.name + suffix)


def scratch_paths(store: Path) -> list[Path]:
    return [scratch_path(store, s) for s in SCRATCH_SUFFIXES]


@contextmanager
def write_lock(store: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the store's writer lock (waiting for it when ``wait``), after recovering a killed writer's leftovers."""
    store.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(store), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise StoreLockedError(f"store {store} is locked by {holder}; wait for it, or pass --wait") from None
        stamp = f"PID {os.getpid()} since {_dt.datetime.now().isoformat(timespec='seconds')}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, stamp.encode(), 0)
        recover(store)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


def recover_if_idle(store: Path) -> None:
    """What every command that opens the store does first: if no writer holds it, put right what a
    killed writer left. A reader never waits, and never touches the scratch of a running build."""
    if not (any(p.exists() for p in scratch_paths(store)) or unused_versions(store)):
        return  # the common case costs a few stat calls
    try:
        fd = os.open(lock_path(store), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return  # a store we may only read
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return
    try:
        recover(store)
    finally:
        os.close(fd)


def recover(store: Path) -> None:
    """Put right what a killed writer left (call only while holding the lock)."""
    for p in scratch_paths(store):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        elif p.exists():
            p.unlink()
    sweep(store)  # versions a killed writer was building, and old ones no reader holds any more
