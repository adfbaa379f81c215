"""Running a query for ``kg serve``: on the pool of worker processes (:mod:`kg.web.serve_pool`), or on
threads in this process (:class:`QueryRunner`, for stores that are not on disk), and the HTTP status each
outcome answers with (:func:`answer`).
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.model.errors import KgError, QueryError
from kg.model.namespaces import PREFIXES
from kg.store import OxigraphStore, Result, Store
from kg.web.serve_check import Limits, Refusal, check_service
from kg.web.serve_engine import Answer, Cancelled, QueryTimeout, evaluate_oxigraph, from_ox, timeout_message
from kg.web.serve_negotiation import HttpError, respond
from kg.web.serve_pool import ServerBusy, WorkerLost, WorkerPool
from kg.web.serve_worker import Job

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
# One worker per core plus one, at most four: on 2 cores a fourth worker only adds memory (each worker
# holds its own copy of the engine's caches) and queueing, not throughput.
DEFAULT_WORKERS = min(4, (os.cpu_count() or 1) + 1)
MEMORY_PER_WORKER = 48 << 20  # default bytes of resident memory per query worker process (all share the total)


class ServeError(KgError):
    """The server cannot start (address in use, bad host, bad settings)."""


def check_limits(timeout: float, max_rows: int, workers: int, limits: Limits = Limits(),
                 max_memory: int = MEMORY_PER_WORKER) -> None:
    """Raise :class:`ServeError` for a time-out, row limit, worker count or query limit that makes no sense."""
    if limits.max_depth < 1:
        raise ServeError(f"the nesting depth limit must be at least 1 (got {limits.max_depth})")
    if limits.max_query_bytes < 16:
        raise ServeError(f"the query size limit must be at least 16 bytes (got {limits.max_query_bytes})")
    if max_memory < 32 << 20:
        raise ServeError(f"the query workers need at least 32 MiB of memory (got {max_memory >> 20} MiB)")
    if not timeout > 0:
        raise ServeError(f"the time-out must be positive (got {timeout})")
    if max_rows < 1:
        raise ServeError(f"the row limit must be at least 1 (got {max_rows})")
    if workers < 1:
        raise ServeError(f"there must be at least one query worker (got {workers})")


def evaluate(store: Store, text: str, *, max_rows: int, should_stop: Callable[[], bool] = lambda: False,
             default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> Answer:
    """Run a read-only query, keeping at most ``max_rows`` rows (or triples).

    On an Oxigraph store the solutions are read lazily and ``should_stop`` is
    asked before each one; other stores answer in full through
    :meth:`Store.query` and are cut afterwards.
    """
    default_graphs, named_graphs = list(default_graphs), list(named_graphs)
    inner = getattr(store, "_store", None)
    if isinstance(store, OxigraphStore) and inner is not None:
        return evaluate_oxigraph(inner, text, max_rows, should_stop, default_graphs, named_graphs)
    if default_graphs or named_graphs:
        raise QueryError("default-graph-uri and named-graph-uri need an Oxigraph store")
    res = store.query(text)
    if should_stop():
        raise Cancelled()
    if res.kind == "graph":
        import pyoxigraph as ox

        triples = []
        for t in ox.parse((res.graph or "").encode("utf-8"), format=ox.RdfFormat.TURTLE):
            triples.append((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return Answer(res, triples[:max_rows], len(triples) > max_rows)
    if res.kind == "select" and len(res.rows) > max_rows:
        return Answer(Result("select", res.vars, res.rows[:max_rows]), truncated=True)
    return Answer(res)



@dataclass
class _Job:
    text: str
    default_graphs: list[str]
    named_graphs: list[str]
    deadline: float
    cancel: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    answer: Answer | None = None
    error: BaseException | None = None

    def should_stop(self) -> bool:
        return self.cancel.is_set() or time.monotonic() > self.deadline


class QueryRunner:
    """Evaluates queries on ``workers`` threads, each query answered or abandoned at its deadline.

    A request takes a worker (waiting for one no longer than its own time-out),
    hands it the query and waits; at the deadline it gives up and flags the job,
    which a streaming evaluation notices at its next row.  A worker is only
    handed a new job once its last one has finished, so an abandoned query
    that the engine is still chewing on holds exactly one worker.
    """

    def __init__(self, store: Store, *, timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                 workers: int = DEFAULT_WORKERS):
        check_limits(timeout, max_rows, workers)
        self.store = store
        self.timeout = float(timeout)
        self.max_rows = int(max_rows)
        self.workers = int(workers)
        self._slots = threading.BoundedSemaphore(self.workers)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._busy = 0
        self._threads = [threading.Thread(target=self._loop, name=f"kg-sparql-worker-{i}", daemon=True)
                         for i in range(self.workers)]
        for t in self._threads:
            t.start()

    @property
    def busy(self) -> int:
        """Workers still evaluating (including abandoned, timed-out queries)."""
        with self._lock:
            return self._busy

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no worker is evaluating; False when some still are after ``timeout`` seconds."""
        end = time.monotonic() + timeout
        while self.busy:
            if time.monotonic() > end:
                return False
            time.sleep(0.02)
        return True

    def close(self) -> None:
        """Let the worker threads end (each after its current query)."""
        for _ in self._threads:
            self._jobs.put(None)

    def run(self, text: str, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> Answer:
        """Evaluate ``text``; raises :class:`QueryTimeout`, :class:`ServerBusy` or the query's own error."""
        deadline = time.monotonic() + self.timeout
        if not self._slots.acquire(timeout=self.timeout):
            raise ServerBusy(f"server busy: all {self.workers} query workers stayed occupied for "
                             f"{self.timeout:g} s (timed-out queries may still be finishing); try again later")
        job = _Job(text, list(default_graphs), list(named_graphs), deadline)
        with self._lock:
            self._busy += 1
        self._jobs.put(job)
        if not job.done.wait(max(0.0, deadline - time.monotonic())):
            job.cancel.set()
            raise QueryTimeout(self._timeout_message())
        if job.error is not None:
            raise job.error
        assert job.answer is not None
        return job.answer

    def _timeout_message(self) -> str:
        return timeout_message(self.timeout)

    @property
    def location(self) -> str:
        return self.store.location

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job.answer = evaluate(self.store, job.text, max_rows=self.max_rows, should_stop=job.should_stop,
                                      default_graphs=job.default_graphs, named_graphs=job.named_graphs)
            except Cancelled:  # past the deadline: the request thread may already have answered
                job.error = QueryTimeout(self._timeout_message())
            except BaseException as e:  # handed to the waiting request thread
                job.error = e
            finally:
                with self._lock:
                    self._busy -= 1
                self._slots.release()
                job.done.set()


def answer(runner: WorkerPool | QueryRunner, text: str, fmt: str | None, accept: str | None,
           default_graphs: list[str], named_graphs: list[str], limits: Limits) -> tuple[str, bytes, dict[str, str]]:
    """Content type, body and headers of a query's answer; :class:`HttpError` with the status of any failure."""
    try:
        if isinstance(runner, WorkerPool):
            reply = runner.run(Job(text, fmt, accept, runner.timeout, default_graphs, named_graphs))
            if reply[0] == "error":
                raise HttpError(reply[1], reply[2], reply[3])
            return reply[1], reply[2], reply[3]
        check_service(text, PREFIXES, limits)
        result = runner.run(text, default_graphs=default_graphs, named_graphs=named_graphs)
        return respond(result, fmt, accept, runner.max_rows)
    except Refusal as e:
        raise HttpError(e.status, e.message, e.headers) from None
    except (QueryTimeout, ServerBusy) as e:
        raise HttpError(503, str(e), {"Retry-After": "5"}) from None
    except WorkerLost as e:
        raise HttpError(e.status, str(e)) from None
    except QueryError as e:
        raise HttpError(400, str(e)) from None
    except KgError as e:
        raise HttpError(500, str(e)) from None
