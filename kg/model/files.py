"""Files written whole or not at all: beside the target, then renamed into place.

Every file ``kg`` writes for a user (pages, plots, exports, the curated YAML a review edits, a new
project's templates) goes through :func:`atomic_open`, so that a failure or an interrupted run leaves
the old file or the new one, never half of one, and no stray temporary file.

>>> with atomic_open("out.nq", "wb") as f:       # doctest: +SKIP
...     store.dump_to("nquads", f)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_open(path: str | Path, mode: str = "w", *, fsync: bool = False, **kwargs) -> Iterator[IO]:
    """A file to write ``path``'s new content into; it replaces ``path`` when the block ends without
    an exception, and is removed otherwise. ``mode`` is "w" (text, UTF-8 unless ``encoding`` says
    otherwise) or "wb". The new file keeps the old one's permissions, or gets those ``open()`` would
    give. ``fsync``: on disk before the rename (for a file a user edits by hand, as the curated YAML).
    OSError from the system is raised as it is: callers say which file in their own words."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes ('w' or 'wb'), not {mode!r}")
    path = Path(path)
    if mode == "w":
        kwargs.setdefault("encoding", "utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(path))  # mkstemp's file is private
        os.replace(tmp, path)
    except BaseException:  # failed or interrupted (Ctrl-C): the half-written file goes
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: str | bytes, *, fsync: bool = False, **kwargs) -> Path:
    """Write ``data`` (text or bytes) to ``path`` through :func:`atomic_open`; returns the path."""
    with atomic_open(path, "wb" if isinstance(data, bytes) else "w", fsync=fsync, **kwargs) as f:
        f.write(data)
    return Path(path)


def _mode_for(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
