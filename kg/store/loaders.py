"""Where a build's N-Quads go: spooled to a file and loaded at the end, or piped into one
Oxigraph bulk load while they are being written."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from kg.model.errors import StoreError
from kg.store.base import Store
from kg.store.oxigraph import OxigraphStore

# progress(stage, done, total) — the CLI draws bars with it; the library stays silent.
Progress = Callable[[str, int, int], None]


class _QuadSink:
    """Where a build writes its N-Quads: ``write``/``writelines`` text, ``close_input`` when done; a context."""

    def __enter__(self):
        return self

    def writelines(self, lines: Iterable[str]) -> None:
        for text in lines:  # a line, or several (rdf.assertion_quads joins its fixed ones)
            self.write(text)


class _SpoolLoader(_QuadSink):
    """N-Quads spooled to a temporary file and loaded once every quad is written (stores other than
    Oxigraph: nothing reaches them before all inputs were turned into quads). ``clear`` runs right
    before the load."""

    def __init__(self, store: Store, clear: Callable[[], None], tmp_dir: str | Path | None,
                 progress: Progress | None):
        self.store, self.clear, self.progress = store, clear, progress
        fd, self.name = tempfile.mkstemp(suffix=".nq", dir=tmp_dir)
        self.file = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, text: str) -> None:
        self.file.write(text)

    def close_input(self) -> None:
        self.file.close()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.file.close()
        try:
            if exc_type is None:
                self.clear()
                self.store.load_nquads_file(self.name)
                if self.progress:
                    self.progress("loading", 1, 1)
        finally:
            Path(self.name).unlink(missing_ok=True)


class _PipeLoader(_QuadSink):
    """N-Quads piped into one bulk load of an Oxigraph store while they are being written.

    Oxigraph's bulk loader reads a path natively and releases the GIL, so through a
    named pipe it parses and indexes on one core while Python writes on the other.
    One load, not one per chunk: loading 14M quads in 1.5M-line chunks into a growing
    store took 1.45 times as long per quad as a single load (every chunk overlaps all
    that is stored, so RocksDB compacts it again), and Python had to wait for it.
    ``clear`` runs right before the first quad is written.
    """

    def __init__(self, store: OxigraphStore, clear: Callable[[], None], tmp_dir: str | Path | None,
                 progress: Progress | None):
        self.store, self.clear = store, clear
        self.dir = tempfile.mkdtemp(prefix=".kg-load-", dir=tmp_dir)
        self.fifo = os.path.join(self.dir, "quads.nq")
        os.mkfifo(self.fifo)
        self.file = None
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def _work(self) -> None:
        try:
            self.store.load_nquads_file(self.fifo)
        except BaseException as e:  # reported in the main thread
            self.error = e

    def _start(self) -> None:
        self.clear()
        self.thread = threading.Thread(target=self._work, name="kg-loader", daemon=True)
        self.thread.start()
        # Open the writing end once the loader has opened the reading end; never wait on a loader that died.
        while True:
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as e:
                if e.errno != errno.ENXIO:
                    raise
                if not self.thread.is_alive():
                    self._raise_loader_error()
                time.sleep(0.005)
        os.set_blocking(fd, True)
        self.file = os.fdopen(fd, "w", encoding="utf-8", buffering=1 << 20)

    def _release_reader(self) -> None:
        """Open and close the writing end, so that a loader waiting to open the pipe reads nothing and ends."""
        while self.thread.is_alive():
            try:
                os.close(os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK))
                return
            except OSError:
                time.sleep(0.005)

    def _raise_loader_error(self) -> None:
        if self.thread is not None:
            self.thread.join()
        raise self.error or StoreError("the store's bulk loader stopped reading")

    def write(self, text: str) -> None:
        if self.file is None:
            self._start()
        try:
            self.file.write(text)
        except BrokenPipeError:  # the loader failed and closed its end
            self._raise_loader_error()

    def close_input(self) -> None:
        """No more quads (the loader finishes what it has read; the caller may work on meanwhile)."""
        if self.file is None:
            self._start()
        if not self.file.closed:
            try:
                self.file.close()
            except BrokenPipeError:
                self._raise_loader_error()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.close_input()
            elif self.file is not None:
                with contextlib.suppress(OSError):
                    self.file.close()  # the loader reads to the end and stops; the scratch store is dropped
            elif self.thread is not None:
                self._release_reader()  # interrupted before the writing end was open
            if self.thread is not None:
                self.thread.join()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
        if exc_type is None and self.error is not None:
            raise self.error


def _loader(store: Store, clear: Callable[[], None], tmp_dir: str | Path | None,
            progress: Progress | None) -> _QuadSink:
    if isinstance(store, OxigraphStore) and hasattr(os, "mkfifo"):
        return _PipeLoader(store, clear, tmp_dir, progress)
    return _SpoolLoader(store, clear, tmp_dir, progress)
