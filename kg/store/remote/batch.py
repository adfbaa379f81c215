"""Writes held back and sent together: each write on its own, or all the writes of a batch as one change."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from kg.model.errors import StoreError
from kg.store.remote.dialect import STAGING
from kg.store.remote.protocol import _one_line


class BatchedWrites:
    """The write methods of ``RemoteStore``: loads and drops queue up in a batch (``with store:``) and go,
    when it ends or before the next query, to :meth:`~kg.store.remote.commit.AllOrNothingCommit._commit`."""

    def load_nquads(self, data: str | bytes) -> None:
        self._write(("load", data.encode("utf-8") if isinstance(data, str) else bytes(data)))

    def load_nquads_file(self, path: str | Path) -> None:
        fd, copy = tempfile.mkstemp(suffix=".nq", prefix="kg-remote-")
        os.close(fd)
        self._tmp.append(copy)
        try:
            shutil.copyfile(path, copy)
        except OSError as e:
            raise StoreError(f"cannot read {path}: {e.strerror or e}") from None
        self._write(("load", Path(copy)))

    def remove_graph(self, graph: str) -> None:
        self._write(("drop", graph))

    def _write(self, op: tuple[str, object]) -> None:
        if self._pending is not None:
            self._pending.append(op)
        else:
            self._graph_cache = None
            try:
                self._commit([op])
            finally:
                self._cleanup_tmp()

    def _begin(self) -> None:
        if self._pending is None:
            self._pending = []
        self._batch_depth += 1

    def _end(self, ok: bool) -> None:
        self._batch_depth -= 1
        if self._batch_depth:
            return
        try:
            if ok:
                self._flush()
        finally:
            self._pending = None
            self._graph_cache = None
            self._cleanup_tmp()

    @contextlib.contextmanager
    def batch(self) -> Iterator[BatchedWrites]:
        """Defer writes and send them as one all-or-nothing change.

        The change is sent when the batch ends, or before the next query (so
        queries see earlier writes; ``graphs()`` needs no sending); an
        exception inside drops whatever is still pending. ``with store:``
        is a batch too.
        """
        self._begin()
        ok = False
        try:
            yield self
            ok = True
        finally:
            self._end(ok)

    def __enter__(self) -> BatchedWrites:
        self._begin()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._end(exc_type is None)

    def _flush(self) -> None:
        if self._pending:
            ops = list(self._pending)
            self._pending.clear()
            self._graph_cache = None
            self._commit(ops)

    def _cleanup_tmp(self) -> None:
        if self._pending:
            return
        for p in self._tmp:
            with contextlib.suppress(OSError):
                os.unlink(p)
        self._tmp.clear()

    def graphs(self) -> list[str]:
        """Named graphs, as they will be once pending writes are sent (sending nothing)."""
        names = set(self._server_graphs())
        for kind, x in self._pending or []:
            if kind == "drop":
                names.discard(x)
            else:
                names.update(_load_graphs(x))
        return sorted(g for g in names
                      if not g.startswith(STAGING) and (self.scope is None or g.startswith(self.scope)))

    def _server_graphs(self) -> list[str]:
        """Named graphs on the server now (kept for a few seconds inside a batch)."""
        if self._graph_cache is None or not self._batch_depth or time.monotonic() - self._graph_time > 10:
            self._graph_time = time.monotonic()
            self._graph_cache = self._list_graphs()
        return self._graph_cache


def _load_graphs(src: object) -> set[str]:
    """The named graphs an N-Quads payload (bytes or a file) writes to."""
    import pyoxigraph as ox

    try:
        parsed = (ox.parse(src, format=ox.RdfFormat.N_QUADS) if isinstance(src, bytes)
                  else ox.parse(path=str(src), format=ox.RdfFormat.N_QUADS))
        return {q.graph_name.value for q in parsed if hasattr(q.graph_name, "value")}
    except SyntaxError as e:
        raise StoreError(f"cannot load N-Quads: {_one_line(e)}") from None
