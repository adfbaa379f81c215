"""The pool of query worker processes behind ``kg serve`` (the worker's side is :mod:`kg.web.serve_worker`).

Workers are forked by a zygote process (:mod:`kg.web.serve_zygote`, in a session of
its own, so that a Ctrl-C on the terminal reaches only the server) and talk
over a socket pair; a new worker costs a fork and a read-only store opening.
A request takes an idle worker (waiting no longer than its own time-out),
sends it the job and waits for the reply, the worker's death, or the deadline:

* a reply is the answer, and the worker goes back to the idle list;
* a death (SIGSEGV from a stack overflow, an abort, an out-of-memory kill) is
  a 500 for that request (503 when the watchdog killed it for its memory); the
  worker is replaced at once, but the answer waits for the request's deadline,
  so that a client repeating such a query cannot keep the server busy;
* at the deadline the request answers 503 and the worker is abandoned to the
  watchdog, which takes it back if it replies within ``GRACE`` seconds (a
  streaming query stops by itself at its deadline) and otherwise kills it
  (SIGKILL: the engine cannot be interrupted) and starts a replacement.

The watchdog (:mod:`kg.web.serve_watchdog`) also lowers the priority of a query that has used more than
``DEMOTE_AFTER`` seconds of CPU (nice 10), so that a few slow queries cannot
take the CPU from the many quick ones.

Memory.  ``max_memory`` bytes is the resident memory of all workers together
(and the zygote's).
A worker whose allocated (anonymous) memory has grown ``GROWTH`` (:mod:`kg.web.serve_watchdog`) past what it
had at start (the engine's caches fill up as it serves) is replaced when it
finishes a query; when the total passes ``max_memory``, the watchdog kills the
running worker whose query has allocated the most, if that is more than
``KILL_GROWTH``, and its request gets 503.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict

from kg.model.errors import KgError
from kg.web.serve_check import Limits
from kg.web.serve_engine import QueryTimeout, timeout_message
from kg.web.serve_watchdog import Watchdog, Worker, cpu_seconds, memory_bytes, start_worker
from kg.web.serve_worker import Job, Reply
from kg.web.serve_zygote import Zygote

GRACE = 0.5  # seconds a timed-out worker may take to stop by itself before it is killed


class ServerBusy(KgError):
    """Every query worker stayed busy until the request's deadline."""


class WorkerLost(KgError):
    """The worker running the query ended (a crash in the engine, or killed for its memory)."""

    def __init__(self, message: str, status: int = 500):
        super().__init__(message)
        self.status = status


class WorkerPool(Watchdog):
    """``size`` worker processes over the on-disk store at ``location``; :meth:`run` answers one job."""

    def __init__(self, location: str, *, size: int, timeout: float, max_rows: int, limits: Limits,
                 max_memory: int, log=None):
        self.location = location
        self.workers = size
        self.timeout = timeout
        self.max_rows = max_rows
        self.limits = limits
        self.max_memory = max_memory
        self.log = log
        self.sandboxed = False
        self._zygote: Zygote | None = None
        self._zygote_lock = threading.Lock()
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._running: set[Worker] = set()  # owned by a request thread
        self._abandoned: list[Worker] = []  # timed out, owned by the watchdog
        self._starting = 0
        self._spawn_lock = threading.Lock()
        self._closed = False
        first = self._spawn()  # in this thread, so that a store that cannot be opened is an error now
        self.sandboxed = first.sandboxed
        self._add_idle(first)
        for _ in range(size - 1):
            self._replace_later()
        self._watchdog = threading.Thread(target=self._watch, name="kg-sparql-watchdog", daemon=True)
        self._watchdog.start()

    # --- workers coming and going ---
    def _zygote_now(self) -> Zygote:
        with self._zygote_lock:
            if self._zygote is None or not self._zygote.alive:
                if self._zygote is not None:
                    self._zygote.close()
                    self._say("the worker zygote ended; starting a new one")
                self._zygote = Zygote({"location": self.location, "max_rows": self.max_rows,
                                       "timeout": self.timeout, "limits": asdict(self.limits)})
            return self._zygote

    def _spawn(self) -> Worker:
        return start_worker(self._zygote_now(), self.location)

    def _add_idle(self, worker: Worker) -> None:
        with self._cond:
            if self._closed:
                worker.retire()
                return
            self._idle.append(worker)
            self._cond.notify()

    def _replace_later(self) -> None:
        with self._cond:
            self._starting += 1
        threading.Thread(target=self._start_one, name="kg-sparql-spawn", daemon=True).start()

    def _start_one(self) -> None:
        delay = 0.5
        try:
            while not self._closed:
                try:
                    worker = self._spawn()
                except (KgError, OSError, EOFError) as e:
                    if self._closed:
                        return
                    self._say(f"{e}; retrying in {delay:g} s")
                    time.sleep(delay)
                    delay = min(delay * 2, 10.0)
                    continue
                self._add_idle(worker)
                return
        finally:
            with self._cond:
                self._starting -= 1
                self._cond.notify_all()

    def _lost(self, worker: Worker) -> str:
        """Reap a dead (or to-be-killed) worker, start its replacement, and say why it ended."""
        worker.kill(worker.killed_for or "")
        why = worker.ended()
        worker.conn.close()
        self._replace_later()
        return why

    def _say(self, line: str) -> None:
        if self.log is not None:
            self.log(f"kg serve: {line}")

    # --- answering ---
    def run(self, job: Job) -> Reply:
        """Run ``job`` on a worker: its reply, or :class:`QueryTimeout`, :class:`ServerBusy`, :class:`WorkerLost`."""
        deadline = time.monotonic() + job.seconds
        worker = self._take(deadline)
        worker.started, worker.cpu, worker.kill_at = time.monotonic(), cpu_seconds(worker.pid), 0.0
        worker.anon = memory_bytes(worker.pid)[1]
        try:
            worker.conn.send(job)
        except (OSError, ValueError):
            self._drop(worker)
            raise WorkerLost(f"the query worker ended ({self._lost(worker)}); try again") from None
        if worker.conn.poll(max(0.0, deadline - time.monotonic())):
            try:
                reply = worker.conn.recv()
            except (EOFError, OSError):  # the process ended (its end of the socket closed)
                reply = None
            if reply is not None:
                self._give_back(worker)
                return reply
            self._drop(worker)
            why = self._lost(worker)
            # Answered at the deadline, like a time-out: the worker is gone already, but a client that
            # repeats such a query at once would otherwise keep the server forking and filling memory.
            time.sleep(max(0.0, deadline - time.monotonic()))
            if why.startswith("needed more memory"):
                raise WorkerLost(f"query stopped: it {why}", 503)
            raise WorkerLost(f"the query crashed the query engine (worker {why}); the server goes on")
        with self._cond:  # past the deadline: the watchdog takes the worker back or kills it
            self._running.discard(worker)
            worker.kill_at = time.monotonic() + GRACE
            self._abandoned.append(worker)
        raise QueryTimeout(timeout_message(self.timeout))

    def _take(self, deadline: float) -> Worker:
        with self._cond:
            while not self._idle:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise ServerBusy(f"server busy: all {self.workers} query workers stayed occupied for "
                                     f"{self.timeout:g} s; try again later")
                self._cond.wait(left)
            worker = self._idle.pop()
            self._running.add(worker)
            return worker

    def _drop(self, worker: Worker) -> None:
        with self._cond:
            self._running.discard(worker)

    def _give_back(self, worker: Worker) -> None:
        worker.started = 0.0
        fresh = memory_bytes(worker.pid)[1] <= worker.share
        if fresh and worker.niced:
            try:
                os.setpriority(os.PRIO_PROCESS, worker.pid, 0)
                worker.niced = False
            except OSError:  # lowering a nice value needs privileges: a fresh worker instead
                fresh = False
        if not fresh:  # past its share of memory (or stuck at a low priority): replace it
            with self._cond:
                self._running.discard(worker)
            worker.retire()
            self._replace_later()
            return
        with self._cond:
            self._running.discard(worker)
            if self._closed:
                worker.retire()
                return
            self._idle.append(worker)
            self._cond.notify()

    # --- the server's view ---
    @property
    def busy(self) -> int:
        """Workers not ready for a query: running one, finishing a timed-out one, or starting."""
        with self._cond:
            return self.workers - len(self._idle)

    def pids(self) -> list[int]:
        """The worker processes' ids (running, idle and abandoned)."""
        with self._cond:
            return [w.pid for w in (*self._idle, *self._running, *self._abandoned)]

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every worker is idle (or the pool closed); False when some still are not after ``timeout`` s."""
        end = time.monotonic() + timeout
        with self._cond:
            while len(self._idle) < self.workers and not self._closed:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.1))
        return True

    def close(self) -> None:
        """Stop every worker (a running query is killed)."""
        with self._cond:
            self._closed = True
            workers = [*self._idle, *self._running, *self._abandoned]
            self._idle.clear()
            self._cond.notify_all()
        for w in workers:
            w.retire()
        with self._zygote_lock:
            if self._zygote is not None:
                self._zygote.close()
