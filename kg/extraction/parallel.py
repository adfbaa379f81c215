"""Spread per-document work over processes or a Dask cluster, keeping input order.

>>> list(map_documents(len, ["ab", "c"], workers=1))
[2, 1]

``fn`` must be a picklable top-level function; anything expensive it needs
(a spaCy pipeline) should be cached per process inside it, so each worker
loads it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from kg.model.errors import KgError

T = TypeVar("T")
R = TypeVar("R")


def map_documents(fn: Callable[[T], R], items: Iterable[T], *, workers: int = 1, dask: str | None = None,
                  initializer: Callable[..., None] | None = None, initargs: tuple = (),
                  chunksize: int = 4) -> Iterator[R]:
    """Apply ``fn`` to every item, in order: in this process, over ``workers`` processes, or on Dask."""
    items = list(items)
    if dask:
        yield from _dask_map(fn, items, dask, initializer, initargs)
    elif workers <= 1 or len(items) <= 1:
        if initializer is not None:
            initializer(*initargs)
        yield from map(fn, items)
    else:
        import multiprocessing as mp

        # spawn, not fork: spaCy and RocksDB threads do not survive a fork safely.
        ctx = mp.get_context("spawn")
        with ctx.Pool(min(workers, len(items)), initializer=initializer, initargs=initargs) as pool:
            yield from pool.imap(fn, items, chunksize=chunksize)


def _dask_map(fn, items, address, initializer, initargs):
    try:
        from distributed import Client
    except ImportError:
        raise KgError("--dask needs the Dask distributed package: pip install 'dask[distributed]'") from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as e:
        raise KgError(f"cannot reach the Dask scheduler at {address}: {' '.join(str(e).split())[:200]}") from None
    with client:
        if initializer is not None:
            client.run(initializer, *initargs)
        futures = client.map(fn, items, pure=False)
        for fut in futures:  # in submission order
            yield fut.result()
