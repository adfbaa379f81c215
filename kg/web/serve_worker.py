"""The worker processes that evaluate ``kg serve``'s queries over an on-disk store.

A worker (:func:`serve`, in a process forked by :mod:`kg.web.serve_zygote`) forbids
itself IPv4/IPv6 sockets (a seccomp filter, where the kernel has one: the
engine's HTTP client for SERVICE then cannot connect anywhere, whatever the
query), opens the store read-only and answers jobs from its socket: the
SERVICE check on the parsed query, the evaluation (stopping by itself at the
deadline when the results stream) and the serialisation, so that the server
process only moves bytes.  A crash in the engine (a stack overflow on a deep
query) ends the worker, not the server; :mod:`kg.web.serve_pool` replaces it.
Nothing a worker does reaches the server's standard error (the zygote runs
with /dev/null there): failures travel as one-line messages.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.model.errors import KgError, QueryError
from kg.model.namespaces import PREFIXES
from kg.web.serve_check import Limits, Refusal, check_service
from kg.web.serve_engine import Cancelled, evaluate_oxigraph, one_line, timeout_message
from kg.web.serve_negotiation import respond


# --- the worker process ---------------------------------------------------------------------------

@dataclass
class Job:
    """One query for a worker; ``seconds`` is what is left of the request's time-out."""

    text: str
    fmt: str | None
    accept: str | None
    seconds: float
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


# A worker's reply: ("ok", content type, body, headers) or ("error", status, message, headers).
Reply = tuple


def run_job(store, job: Job, *, max_rows: int, timeout: float, limits: Limits) -> Reply:
    """Check, evaluate and serialise one job on a ``pyoxigraph.Store``; every failure is an ("error", …) reply."""
    deadline = time.monotonic() + job.seconds
    try:
        check_service(job.text, PREFIXES, limits)
        answer = evaluate_oxigraph(store, job.text, max_rows, lambda: time.monotonic() > deadline,
                                   job.default_graphs, job.named_graphs)
        ctype, body, headers = respond(answer, job.fmt, job.accept, max_rows)
        return ("ok", ctype, body, headers)
    except Refusal as e:
        return ("error", e.status, e.message, e.headers)
    except Cancelled:
        return ("error", 503, timeout_message(timeout), {"Retry-After": "5"})
    except QueryError as e:
        return ("error", 400, str(e), {})
    except RecursionError:
        return ("error", 400, "query too deeply nested to be read", {})
    except MemoryError:
        return ("error", 503, "query needed more memory than this endpoint allows", {})
    except KgError as e:
        return ("error", 500, str(e), {})
    except BaseException as e:  # noqa: BLE001 - a panic in the engine, a bug: one line to the client
        return ("error", 500, f"internal error: {one_line(repr(e))}", {})


# seccomp: the numbers of the Linux ABI (linux/audit.h, linux/filter.h, linux/seccomp.h, asm/unistd.h)
_ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}  # AUDIT_ARCH_*, __NR_socket
_NR_IO_URING_SETUP = 425  # the same on both
_LD_ABS, _JEQ, _AND, _RET = 0x20, 0x15, 0x54, 0x06
_ALLOW, _DENY = 0x7FFF0000, 0x00050000 | errno.EACCES  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EACCES


def block_network() -> bool:
    """Forbid this process IPv4, IPv6 and packet sockets (and io_uring), through a seccomp filter.

    Applies to the calling thread and every thread it starts afterwards, so it
    is called before the store (and its threads) is opened.  Returns False
    where that cannot be done (not Linux, another architecture, no seccomp).
    """
    import ctypes
    import platform
    import socket

    arch = _ARCHES.get(platform.machine())
    if not sys.platform.startswith("linux") or arch is None:
        return False
    audit, nr_socket = arch
    program = [
        (_LD_ABS, 0, 0, 4),                   # 0: A = arch
        (_JEQ, 1, 0, audit),                  # 1: our ABI? -> 3
        (_RET, 0, 0, _DENY),                  # 2: no other ABI (int 0x80 and the like)
        (_LD_ABS, 0, 0, 0),                   # 3: A = syscall number
        (_AND, 0, 0, 0xBFFFFFFF),             # 4: x32 numbers are the same with bit 30 set
        (_JEQ, 6, 0, _NR_IO_URING_SETUP),     # 5: -> 12
        (_JEQ, 0, 4, nr_socket),              # 6: not socket() -> 11
        (_LD_ABS, 0, 0, 16),                  # 7: A = low word of args[0], the address family
        (_JEQ, 3, 0, socket.AF_INET),         # 8: -> 12
        (_JEQ, 2, 0, socket.AF_INET6),        # 9: -> 12
        (_JEQ, 1, 0, getattr(socket, "AF_PACKET", 17)),  # 10: -> 12
        (_RET, 0, 0, _ALLOW),                 # 11
        (_RET, 0, 0, _DENY),                  # 12
    ]

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]

    filters = (Filter * len(program))(*[Filter(*f) for f in program])
    prog = Program(len(program), filters)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return False
        return libc.prctl(22, 2, ctypes.byref(prog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    except (OSError, AttributeError):
        return False


MMAP_THRESHOLD = 256 << 10  # bytes from which an allocation is mapped on its own (and unmapped when freed)


def heap_trimmer(arenas: int | None = None) -> Callable[[], None]:
    """A function that hands freed heap back to the system (glibc's malloc_trim), or does nothing.

    With ``arenas``, this process's threads share at most that many malloc
    arenas from now on (glibc's M_ARENA_MAX), so that fewer of them keep freed
    memory between trims, and an allocation of ``MMAP_THRESHOLD`` bytes or more
    (a reply's body) is mapped on its own and goes back to the system when it is
    freed (glibc would otherwise raise that threshold, up to 32 MiB, after the
    first such free, and keep the next large bodies in its heap).
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
        if arenas is not None:
            libc.mallopt(-8, arenas)  # M_ARENA_MAX
            libc.mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD (setting it ends glibc's raising it)
    except (OSError, AttributeError):
        return lambda: None
    return lambda: trim(0)


def _exit_with_parent() -> None:
    """End this process soon after the server's (a worker deep in a query would not notice otherwise)."""
    import threading

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()


def serve(conn, location: str, max_rows: int, timeout: float, limits: Limits) -> None:
    """Open ``location`` read-only, say ("ready", pid, sandboxed) on ``conn``, then answer jobs until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when its workers end
    sandboxed = block_network()  # before the store starts its threads: they inherit the filter
    _exit_with_parent()
    import pyoxigraph as ox

    from kg.store import dirs

    def open_active():
        """The store's active version, read-only, with a reader's lock on it (kg.store.dirs)."""
        path = dirs.active_dir(Path(location))
        lock = dirs.hold_for_reading(path)
        try:
            return path, lock, ox.Store.read_only(str(path))
        except BaseException:
            if lock is not None:
                os.close(lock)
            raise

    try:
        path, lock, store = open_active()
    except (OSError, ValueError) as e:
        conn.send(("failed", f"cannot open store {location}: {one_line(e)}"))
        return
    sys.setrecursionlimit(max(sys.getrecursionlimit(), limits.recursion_limit()))
    trim = heap_trimmer()
    conn.send(("ready", os.getpid(), sandboxed))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        if dirs.active_dir(Path(location)) != path:  # a build swapped a new version in: answer from it
            try:
                new = open_active()
            except (OSError, ValueError):
                pass  # keep answering from the version we have
            else:
                del store
                if lock is not None:
                    os.close(lock)  # the old version may go once every reader has let it go
                path, lock, store = new
        reply = run_job(store, job, max_rows=max_rows, timeout=timeout, limits=limits)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        del reply
        trim()
