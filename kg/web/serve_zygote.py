"""The zygote: one process that has imported the query worker's code and forks a worker on request.

A fresh interpreter costs ``kg serve`` about 0.2 s of CPU (mostly imports); a
fork of the zygote costs a few milliseconds, which matters when workers are
killed often (queries past their time-out or over the memory budget).  The
zygote opens no store and starts no thread, so forking it is safe; each child
runs :func:`kg.web.serve_worker.serve` on a socket the server passed along with
its request.  The zygote reaps its children and reports their exit codes.

Memory.  Pages a worker inherits count in its resident memory as well as in
the zygote's, so the zygote keeps only what every worker needs before its
first query: the kg modules, not the Oxigraph extension (about 11 MiB
resident once imported, and imported by a worker in about 10 ms).  The zygote
and its workers run with at most ``MALLOC_ARENAS`` malloc arenas (unless
``MALLOC_ARENA_MAX`` is set): the engine's threads would otherwise each keep
freed memory in an arena of their own; and allocations from 256 KiB up (a
large result's serialisation) are mapped on their own, so that they go back
to the system once freed.

Server side, :class:`Zygote` starts the process and asks for workers;
:class:`ForkedProcess` stands for one worker with the part of
:class:`subprocess.Popen` the pool uses (``kill``, ``poll``, ``wait``); it
signals through a pidfd, so a reused pid is never signalled.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from kg.web.serve_worker import MMAP_THRESHOLD

_KG_PARENT = str(Path(__file__).resolve().parents[2])
MALLOC_ARENAS = "2"


# --- the zygote process ---------------------------------------------------------------------------------

def main() -> None:
    """``python -c "from kg.web.serve_zygote import main; main()" FD SETTINGS``: fork a worker per request on FD."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ctl = socket.socket(fileno=int(sys.argv[1]))
    settings = json.loads(sys.argv[2])
    from kg.web import serve_worker
    from kg.web.serve_check import Limits

    limits = Limits(**settings["limits"])
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    parent = os.getppid()

    def say(message: dict) -> None:
        ctl.sendall(json.dumps(message).encode() + b"\n")

    while True:
        try:
            ready, _, _ = select.select([ctl, wake_r], [], [], 1.0)
        except InterruptedError:
            ready = []
        if wake_r in ready:
            os.read(wake_r, 4096)
        while True:  # reap, and tell the server how each child ended
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            say({"exit": pid, "code": os.waitstatus_to_exitcode(status)})
        if os.getppid() != parent:
            os._exit(0)
        if ctl not in ready:
            continue
        try:
            msg, fds, _, _ = socket.recv_fds(ctl, 64, 16)
        except OSError:
            os._exit(0)
        if not msg:  # the server closed its end
            os._exit(0)
        for fd in fds:
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    for own in (ctl.fileno(), wake_r, wake_w):
                        os.close(own)
                    serve_worker.serve(Connection(fd), settings["location"], settings["max_rows"],
                                       settings["timeout"], limits)
                    code = 0
                finally:
                    os._exit(code)
            os.close(fd)
            say({"spawned": pid})


# --- the server's side -------------------------------------------------------------------------------------

class Zygote:
    """A running zygote process (see the module's docstring); ``alive`` is False once it has ended."""

    def __init__(self, settings: dict):
        ours, theirs = socket.socketpair()
        env = dict(os.environ)  # the zygote imports this very kg, wherever it was imported from
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_KG_PARENT, env.get("PYTHONPATH")) if p)
        env.setdefault("MALLOC_ARENA_MAX", MALLOC_ARENAS)
        env.setdefault("MALLOC_MMAP_THRESHOLD_", str(MMAP_THRESHOLD))
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from kg.web.serve_zygote import main; main()", str(theirs.fileno()),
                 json.dumps(settings)],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        finally:
            theirs.close()
        self.sock = ours
        self.alive = True
        self._asking = threading.Lock()  # one request in flight, so replies match requests
        self._cond = threading.Condition()
        self._spawned: list[int] = []
        self._exits: dict[int, int] = {}
        threading.Thread(target=self._read, name="kg-sparql-zygote", daemon=True).start()

    def _read(self) -> None:
        try:
            with self.sock.makefile("rb") as lines:
                for line in lines:
                    message = json.loads(line)
                    with self._cond:
                        if "spawned" in message:
                            self._spawned.append(message["spawned"])
                        else:
                            self._exits[message["exit"]] = message["code"]
                        self._cond.notify_all()
        except (OSError, ValueError):
            pass
        with self._cond:
            self.alive = False
            self._cond.notify_all()

    def spawn(self, timeout: float) -> tuple[ForkedProcess, Connection]:
        """A new worker process and the server's end of its socket; OSError when the zygote cannot make one."""
        ours, theirs = socket.socketpair()
        try:
            with self._asking:
                socket.send_fds(self.sock, [b"s"], [theirs.fileno()])
                end = time.monotonic() + timeout
                with self._cond:
                    while not self._spawned and self.alive and time.monotonic() < end:
                        self._cond.wait(end - time.monotonic())
                    if not self._spawned:
                        raise OSError("the worker zygote did not answer")
                    pid = self._spawned.pop(0)
        except OSError:
            ours.close()
            raise
        finally:
            theirs.close()
        return ForkedProcess(pid, self), Connection(ours.detach())

    def exit_code(self, pid: int, timeout: float) -> int | None:
        """The child's exit code (negative: the signal that ended it), waiting up to ``timeout`` seconds."""
        end = time.monotonic() + timeout
        with self._cond:
            while pid not in self._exits and self.alive:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return self._exits.get(pid, -int(signal.SIGKILL))  # the zygote ended: so did its children

    def forget(self, pid: int) -> None:
        with self._cond:
            self._exits.pop(pid, None)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class ForkedProcess:
    """A worker forked by a :class:`Zygote`, with ``pid``, ``returncode``, ``kill``, ``poll`` and ``wait``."""

    def __init__(self, pid: int, zygote: Zygote):
        self.pid = pid
        self.zygote = zygote
        self.returncode: int | None = None
        self._lock = threading.RLock()  # the pidfd is never signalled after it is closed
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):  # no pidfds here (or already gone): plain pid signals
            self._pidfd = None

    def kill(self) -> None:
        with self._lock:
            if self.poll() is not None:
                return
            try:
                if self._pidfd is not None:
                    signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
                else:
                    os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass

    def poll(self) -> int | None:
        return self.wait(0, _raise=False)

    def wait(self, timeout: float | None = None, _raise: bool = True) -> int | None:
        if self.returncode is None:
            code = self.zygote.exit_code(self.pid, 3600.0 if timeout is None else timeout)
            if code is None:
                if _raise:
                    raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0)
                return None
            self.returncode = code
            self.zygote.forget(self.pid)
            if self._pidfd is not None and self._lock.acquire(timeout=5):
                try:
                    os.close(self._pidfd)
                    self._pidfd = None
                finally:
                    self._lock.release()
        return self.returncode
