"""The folder of an on-disk store: whole versions, one of them active, swapped in one atomic step.

``.kg/`` holds versions (``v-<time>-<pid>/``, each an Oxigraph store with its row
projection) and a symbolic link ``active`` naming the one in use. A writer builds
a new version beside the active one and swaps the link with one ``rename``: a
reader that opens the store before the swap reads the old version to its end, one
that opens it after reads the new one, and nobody ever sees half of either (nor
finds no store). A reader holds a shared lock on the version it opened, so the
writer deletes an old version only once no reader uses it; ``kg serve`` follows
the link to the new version within a second of a swap.

A store made before versions (the Oxigraph files directly in ``.kg/``) is read as
it is, and becomes a version at its next build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from pathlib import Path

ACTIVE = "active"
READERS_LOCK = ".kg-readers.lock"
_TMP_LINK = ".active-tmp"


def active_dir(store: Path) -> Path:
    """The folder holding the store's data now: the active version, or ``store`` itself (older layout)."""
    link = store / ACTIVE
    if link.is_symlink():
        return store / os.readlink(link)
    if link.is_dir():  # a copy made by following the link (shutil.copytree's default)
        return link
    return store


def holds_store(store: Path) -> bool:
    """Whether ``store`` holds a store: an active version, or the Oxigraph files of the older layout. A
    folder left by a first build that failed (empty, or with a half-written version) holds none."""
    link = store / ACTIVE
    return link.is_symlink() or link.is_dir() or (store / "CURRENT").is_file()


def active_name(store: Path) -> str | None:
    link = store / ACTIVE
    return os.readlink(link) if link.is_symlink() else None


def new_version(store: Path) -> Path:
    """A fresh folder name for the next version (not created: Oxigraph creates it)."""
    store.mkdir(parents=True, exist_ok=True)
    return store / f"v-{time.time_ns()}-{os.getpid()}"


def activate(version: Path, store: Path) -> None:
    """Make ``version`` (a folder inside ``store``) the active one, atomically; then drop what is unused."""
    tmp = store / _TMP_LINK
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(version.name, tmp)
    link = store / ACTIVE
    legacy = not link.is_symlink() and (store / "CURRENT").is_file()
    if link.is_dir() and not link.is_symlink():  # a copy that followed the link: make it a version again
        link.rename(store / f"v-{time.time_ns()}-copied")
    os.replace(tmp, link)  # the swap: one rename
    if legacy:  # the store made before versions: its files sit beside the versions now
        for p in store.iterdir():
            if p.name != ACTIVE and not p.name.startswith("v-") and p.name != READERS_LOCK:
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    sweep(store)


def sweep(store: Path) -> list[str]:
    """Delete versions that are not active and that no reader holds (a writer's leftovers included)."""
    if not store.is_dir():
        return []
    keep = active_name(store)
    tmp = store / _TMP_LINK
    if tmp.is_symlink():
        tmp.unlink()
    gone = []
    for v in store.glob("v-*"):
        if v.name == keep or not v.is_dir():
            continue
        fd = _open_lock(v)
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a reader still reads it: the next writer deletes it
        finally:
            if fd is not None:
                os.close(fd)
        shutil.rmtree(v, ignore_errors=True)
        gone.append(v.name)
    return gone


def _open_lock(version: Path) -> int | None:
    try:
        return os.open(version / READERS_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return None


def hold_for_reading(version: Path) -> int | None:
    """A shared lock on a version, held while it is read (the fd; close it to release), or None."""
    fd = _open_lock(version)
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def unused_versions(store: Path) -> bool:
    """Whether a sweep would find anything to consider (cheap: used to skip the lock in readers)."""
    if not store.is_dir():
        return False
    keep = active_name(store)
    return (store / _TMP_LINK).is_symlink() or any(v.name != keep for v in store.glob("v-*"))
