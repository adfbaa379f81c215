"""Watching ``kg serve``'s query worker processes: the pool's handle on one (:class:`Worker`: starting,
retiring, killing it), its CPU and memory as /proc tells them, and the watchdog half of
:class:`kg.web.serve_pool.WorkerPool`.

The watchdog (:class:`Watchdog`, one thread per pool) lowers the priority of a
query that has used more than ``DEMOTE_AFTER`` seconds of CPU; when the
workers' memory together passes the pool's ``max_memory`` it kills the running
worker whose query has allocated the most, if that is more than
``KILL_GROWTH``; it takes back a timed-out worker that replied within its grace
time and kills one that did not; and it replaces an idle worker grown past its
share of memory.  Once a second it also hands the server's freed heap back to
the system (the request threads' bodies and replies).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from kg.model.errors import StoreError
from kg.web.serve_worker import heap_trimmer
from kg.web.serve_zygote import ForkedProcess, Zygote

GROWTH = 16 << 20  # bytes a worker may always grow past its size at start before it is replaced
START_TIMEOUT = 60.0  # seconds a new worker may take to open the store
DEMOTE_AFTER = 0.1  # seconds of CPU after which a query runs at a lower priority
WATCH_EVERY = 0.05  # seconds between the watchdog's rounds (a join can allocate 500 MB a second)
TRIM_EVERY = 1.0  # seconds between two hand-backs of the server's freed heap to the system
SERVER_ARENAS = 2  # malloc arenas the server's threads share (each keeps its freed memory until trimmed)
KILL_GROWTH = 32 << 20  # bytes a query must have added to its worker to be stopped when memory runs short
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return 0.0


def memory_bytes(pid: int) -> tuple[int, int]:
    """Resident memory of a process, and the anonymous part of it (what it allocated); (0, 0) when it is gone.

    A freshly forked worker's resident memory also grows as it first touches its
    libraries' pages (file-backed, shared, free to drop); only the anonymous
    part tells what a query took.
    """
    try:
        with open(f"/proc/{pid}/statm") as f:
            fields = f.read().split()
        resident, shared = int(fields[1]) * _PAGE, int(fields[2]) * _PAGE
        return resident, resident - shared
    except (OSError, ValueError, IndexError):
        return 0, 0


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (0 when it is gone)."""
    return memory_bytes(pid)[0]


@dataclass(eq=False)
class Worker:
    proc: ForkedProcess
    conn: Connection
    pid: int
    sandboxed: bool
    started: float = 0.0  # when the current job was sent (0: idle)
    cpu: float = 0.0  # its CPU seconds then
    anon: int = 0  # and its anonymous memory then
    kill_at: float = 0.0  # abandoned after a time-out: killed then unless it replied
    niced: bool = False
    share: int = 0  # bytes of anonymous memory past which it is replaced
    killed_for: str = ""  # why the watchdog killed it
    lock: threading.Lock = field(default_factory=threading.Lock)

    def kill(self, why: str) -> None:
        with self.lock:
            if not self.killed_for:
                self.killed_for = why
            self.proc.kill()  # Popen checks that the process is not reaped yet: no stray signal

    def ended(self) -> str:
        """Why the process ended, in a few words."""
        try:
            code = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        if self.killed_for:
            return self.killed_for
        if code < 0:
            try:
                return f"ended by {signal.Signals(-code).name}"
            except ValueError:
                return f"ended by signal {-code}"
        return f"exited with status {code}"

    def retire(self) -> None:
        """Ask the worker to end (it ends after its current job), killing it if it has not within a moment."""
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        try:
            self.proc.wait(0.2)
        except subprocess.TimeoutExpired:
            self.kill("retired")
            self.proc.wait()
        self.conn.close()


def start_worker(zygote: Zygote, location: str) -> Worker:
    """A new worker forked by ``zygote``, once it has opened the store at ``location``; :class:`StoreError` if not."""
    try:
        proc, conn = zygote.spawn(START_TIMEOUT)
    except OSError as e:
        raise StoreError(f"cannot start a query worker: {e}") from None
    hello = None
    try:
        if conn.poll(START_TIMEOUT):
            hello = conn.recv()
    except (EOFError, OSError):
        pass
    if not hello or hello[0] != "ready":
        proc.kill()
        code = proc.wait()
        conn.close()
        raise StoreError(hello[1] if hello else f"a query worker could not start over {location} "
                                               f"(exit status {code})")
    worker = Worker(proc, conn, proc.pid, hello[2])
    worker.share = memory_bytes(proc.pid)[1] + GROWTH
    return worker


class Watchdog:
    """The watchdog half of :class:`kg.web.serve_pool.WorkerPool` (which it is mixed into, and which starts
    :meth:`_watch` on a thread of its own); it uses the pool's worker lists and its ways to retire, replace
    and take back a worker (``_give_back``, ``_lost``, ``_replace_later``)."""

    _closed: bool
    _cond: threading.Condition
    _idle: list[Worker]
    _running: set[Worker]
    _abandoned: list[Worker]
    _zygote: Zygote | None
    max_memory: int
    timeout: float

    def _watch(self) -> None:
        trim, trimmed = heap_trimmer(SERVER_ARENAS), time.monotonic()
        while not self._closed:
            time.sleep(WATCH_EVERY)
            now = time.monotonic()
            if now - trimmed > TRIM_EVERY:  # the request threads' bodies and replies, freed but kept by malloc
                trim()
                trimmed = now
            with self._cond:
                running, abandoned, idle = list(self._running), list(self._abandoned), list(self._idle)
            for w in running:
                if w.started and not w.niced and cpu_seconds(w.pid) - w.cpu > DEMOTE_AFTER:
                    try:
                        os.setpriority(os.PRIO_PROCESS, w.pid, 10)
                        w.niced = True
                    except OSError:
                        pass
            sizes = {w: memory_bytes(w.pid) for w in (*running, *abandoned, *idle)}
            zygote = self._zygote
            total = sum(rss for rss, _ in sizes.values()) + (rss_bytes(zygote.proc.pid) if zygote else 0)
            if total > self.max_memory and (running or abandoned):
                w = max((*running, *abandoned), key=lambda w: sizes[w][1] - w.anon)  # the query that took the most
                took = sizes[w][1] - w.anon
                if took > KILL_GROWTH:
                    w.kill(f"needed more memory than the query workers have ({took >> 20} MiB more; "
                           f"they may use {self.max_memory >> 20} MiB together)")
            for w in abandoned:
                replied = False
                try:
                    replied = w.conn.poll()
                    if replied:
                        w.conn.recv()  # the worker stopped by itself: keep it
                except (EOFError, OSError):
                    replied = False
                if replied or now > w.kill_at or w.proc.poll() is not None:
                    with self._cond:
                        self._abandoned.remove(w)
                        if replied:
                            self._running.add(w)
                    if replied:
                        self._give_back(w)
                    else:
                        w.kill(f"killed after its time-out ({self.timeout:g} s)")
                        self._lost(w)
            for w in idle:
                if sizes[w][1] > w.share:
                    with self._cond:
                        if w not in self._idle:
                            continue
                        self._idle.remove(w)
                    w.retire()
                    self._replace_later()
