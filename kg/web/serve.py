"""A read-only SPARQL 1.1 Protocol endpoint over a kg store, on the standard library's HTTP server.

>>> server = make_server(open_store(".kg", read_only=True), port=0)   # doctest: +SKIP
>>> thread = start_in_thread(server)                                  # doctest: +SKIP
>>> server.url                                                        # doctest: +SKIP
'http://127.0.0.1:40123/'

``GET /sparql?query=…`` and ``POST /sparql`` (``application/x-www-form-urlencoded``
with ``query=``, or an ``application/sparql-query`` body) answer with SPARQL
results chosen by the Accept header or a ``format=`` parameter; ``GET /`` is a
query form; ``/query`` is an alias of ``/sparql`` (Oxigraph's layout, so that
``--store sparql+http://HOST:PORT`` reads through it).  Updates (``update=``,
``application/sparql-update``, ``/update``, or update text as a query) get 403.
``SERVICE``, which would make the server fetch URLs, gets 400: it is found on
the parsed query (:mod:`kg.web.serve_check`), and the processes that evaluate
queries cannot open network sockets anyway.  The query text reaches the engine
unchanged; the project prefixes are passed alongside it, so a query's own
``PREFIX`` declarations still win.

Limits.  A query over ``max_query_bytes`` or nested deeper than ``max_depth``
(braces, brackets, parentheses, counted on the text) gets 400 before anything
parses it.

Isolation.  Over an on-disk Oxigraph store, queries run in a pool of worker
processes (:mod:`kg.web.serve_pool`, :mod:`kg.web.serve_worker`), each with the store
open read-only: a crash in the engine is a 500 for that request and a new
worker; a query past its time-out gets 503 and its worker, unless it stops by
itself within a moment, is killed (the engine cannot be interrupted otherwise)
and replaced, so it stops using CPU and memory; a worker whose memory passes
``max_memory`` is killed too (503).  Other stores (rdflib in memory, a remote
endpoint) are queried on worker threads in this process, where a query that
produces nothing until it has done all its work keeps its thread until the
engine finishes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import queue
import re
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from kg import __version__
from kg.store import sparql_results as sr
from kg.model.errors import KgError, QueryError
from kg.model.namespaces import PREFIXES
from kg.web.serve_check import DEFAULT_MAX_DEPTH, DEFAULT_MAX_QUERY_BYTES, Limits, Refusal, check_service, check_text
from kg.web.serve_pool import ServerBusy, WorkerLost, WorkerPool
from kg.web.serve_worker import Answer, Job, QueryTimeout, _Cancelled, evaluate, respond, timeout_message
from kg.store import MEMORY, OxigraphStore, Store, is_update, open_store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
# One worker per core plus one, at most four: on 2 cores a fourth worker only adds memory (each worker
# holds its own copy of the engine's caches) and queueing, not throughput.
DEFAULT_WORKERS = min(4, (os.cpu_count() or 1) + 1)
MEMORY_PER_WORKER = 48 << 20  # default bytes of resident memory per query worker process (all share the total)
MAX_BODY = 1 << 20  # bytes of a POST body, at least (a form-encoded query can be three times its size)
DRAIN_BODY = 16 << 20  # a body over the limit but under this is read (and dropped) before the 413
ENDPOINT = "/sparql"

UPDATE_VERBS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})


class ServeError(KgError):
    """The server cannot start (address in use, bad host, bad settings)."""


# --- looking at query text (never changing it) --------------------------------------------------

_LEX_RE = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$]\w+)
  | (?P<pname>(?:[A-Za-z_][\w.\-]*)?:(?:[\w.\-:%]|\\.)*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class QueryShape:
    """What the server needs to know about a query before running it."""

    form: str  # the first keyword after the prologue: SELECT, ASK, CONSTRUCT, DESCRIBE, INSERT, …

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_VERBS


def query_shape(text: str) -> QueryShape:
    """The query form, ignoring comments, strings and IRIs (SERVICE is found on the parsed query instead).

    >>> query_shape('PREFIX a: <urn:x#> # INSERT\\nSELECT ("INSERT" AS ?s) {}')
    QueryShape(form='SELECT')
    >>> query_shape("PREFIX a: <urn:x#>\\ninsert data { <urn:a> <urn:b> <urn:c> }").is_update
    True
    """
    words = (m.group("word").upper() for m in _LEX_RE.finditer(text) if m.lastgroup == "word")
    return QueryShape(next((w for w in words if w not in ("PREFIX", "BASE")), ""))


# --- evaluation (kg/serve_worker.py), checks (kg/serve_check.py), worker processes (kg/serve_pool.py) -------

def _one_line(e: object) -> str:
    return " ".join(str(e).split())[:500]


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
            except _Cancelled:  # past the deadline: the request thread may already have answered
                job.error = QueryTimeout(self._timeout_message())
            except BaseException as e:  # handed to the waiting request thread
                job.error = e
            finally:
                with self._lock:
                    self._busy -= 1
                self._slots.release()
                job.done.set()


# --- HTTP -----------------------------------------------------------------------------------------

class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None, close: bool = False):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.close = close


_COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _media(header: str | None) -> tuple[str, dict[str, str]]:
    """``text/plain; charset=UTF-8`` -> ("text/plain", {"charset": "UTF-8"})."""
    parts = (header or "").split(";")
    params = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].strip().lower(), params


class SparqlHandler(BaseHTTPRequestHandler):
    """One HTTP connection (keep-alive) to the endpoint."""

    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = f"kg-sparql/{__version__}"
    sys_version = ""
    timeout = 60  # seconds an idle keep-alive connection is kept
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stalls

    # --- plumbing ---
    def version_string(self) -> str:
        return self.server_version

    def log_request(self, code: object = "-", size: object = "-") -> None:
        pass  # _send logs, with the time taken

    def log_message(self, format: str, *args: object) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} - {format % args}")

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None,
              note: str = "") -> None:
        self._responded = True
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        for k, v in {**_COMMON_HEADERS, **(headers or {})}.items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.server.log is not None:  # before the body, so the line is out once the client has it
            took = (time.monotonic() - getattr(self, "_t0", time.monotonic())) * 1000
            line = self.requestline if len(self.requestline) <= 160 else self.requestline[:157] + "..."
            self.server.log(f'{self.address_string()} - "{line}" {status} {len(body)} {took:.1f}ms'
                            + (f" - {note[:200]}" if note else ""))
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        line = " ".join(message.split())
        body = f"error: {line}\n".encode("utf-8")
        self._send(status, body, "text/plain; charset=utf-8", headers, note=line if status >= 500 else "")

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        self._t0 = time.monotonic()
        self._responded = False
        try:
            self._route()
        except HttpError as e:
            if e.close:
                self.close_connection = True
            self._error(e.status, e.message, e.headers)
        except (ConnectionError, socket.timeout):
            self.close_connection = True
        except Exception as e:  # a bug: answer 500 (unless a response is already under way) and log it, one line
            self.close_connection = True
            if not self._responded:
                self._error(500, f"internal server error: {_one_line(repr(e))}")
            else:
                self.log_message("internal error: %s", _one_line(repr(e)))

    def _route(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            if self.command == "POST":
                raise HttpError(405, "POST queries to /sparql", {"Allow": "GET, HEAD"}, close=True)
            self._send(200, self.server.page, "text/html; charset=utf-8",
                       {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"})
            return
        if url.path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
            return
        if url.path == "/update":
            raise HttpError(403, "SPARQL Update is not allowed: this endpoint is read-only",
                            close=self.command == "POST")
        if url.path not in (ENDPOINT, "/query"):  # /query: Oxigraph's layout, for sparql+http://host:port stores
            raise HttpError(404, f"no such resource {url.path[:100]!r}; the SPARQL endpoint is {ENDPOINT} "
                                 "and the query form is at /", close=self.command == "POST")
        params = self._params(url.query)
        self._sparql(params)

    def _params(self, url_query: str) -> list[tuple[str, str]]:
        """The protocol parameters, from the URL and, for POST, the body."""
        params = self._parse_qs(url_query)
        if self.command != "POST":
            return params
        ctype, opts = _media(self.headers.get("Content-Type"))
        if ctype == "application/sparql-update":
            raise HttpError(403, "SPARQL Update is not allowed: this endpoint is read-only", close=True)
        if ctype not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise HttpError(415, "POST a query as application/x-www-form-urlencoded (query=…) or "
                                 "application/sparql-query", close=True)
        body = self._body()
        if ctype == "application/x-www-form-urlencoded":
            try:
                return params + self._parse_qs(body.decode("utf-8"))
            except UnicodeDecodeError:
                raise HttpError(400, "a form body must be URL-encoded (or UTF-8) text") from None
        charset = opts.get("charset", "utf-8")
        try:
            text = body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise HttpError(400, f"the query body is not valid {charset}") from None
        if any(k == "query" for k, _ in params):
            raise HttpError(400, "give the query either in the body or as query=, not both")
        return params + [("query", text)]

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise HttpError(411, "chunked request bodies are not supported; send a Content-Length", close=True)
        length = self.headers.get("Content-Length")
        if length is None:
            raise HttpError(411, "a POST needs a Content-Length", close=True)
        try:
            n = int(length)
            if n < 0:
                raise ValueError
        except ValueError:
            raise HttpError(400, f"bad Content-Length {length[:20]!r}", close=True) from None
        if n > self.server.max_body:
            if n <= DRAIN_BODY:  # read it first, so that a client still sending sees the answer, not a reset
                while n > 0 and (chunk := self.rfile.read(min(n, 1 << 16))):
                    n -= len(chunk)
            raise HttpError(413, f"request body over {self.server.max_body} bytes", close=True)
        body = self.rfile.read(n)
        if len(body) < n:
            raise HttpError(400, "request body shorter than its Content-Length", close=True)
        return body

    @staticmethod
    def _parse_qs(qs: str) -> list[tuple[str, str]]:
        if not qs:
            return []
        try:
            return parse_qsl(qs, keep_blank_values=True, errors="strict", max_num_fields=200)
        except (ValueError, UnicodeDecodeError) as e:
            raise HttpError(400, f"bad request parameters: {_one_line(e)}") from None

    def _sparql(self, params: list[tuple[str, str]]) -> None:
        names = {k for k, _ in params}
        if "update" in names:
            raise HttpError(403, "SPARQL Update is not allowed: this endpoint is read-only")
        queries = [v for k, v in params if k == "query"]
        if not queries:
            if self.command in ("GET", "HEAD") and "text/html" in (self.headers.get("Accept") or ""):
                self._send(200, self.server.page, "text/html; charset=utf-8",
                           {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"})
                return
            raise HttpError(400, f"missing query: use GET {ENDPOINT}?query=… or POST; the query form is at /")
        if len(queries) > 1:
            raise HttpError(400, "more than one query parameter")
        text = queries[0]
        if not text.strip():
            raise HttpError(400, "empty query")
        server = self.server
        try:
            check_text(text, server.limits)  # size and depth, before anything parses the text
        except Refusal as e:
            raise HttpError(e.status, e.message) from None
        if query_shape(text).is_update or is_update(text):
            raise HttpError(403, "SPARQL Update is not allowed: this endpoint is read-only")
        fmt = self._format_param(params)
        accept = self.headers.get("Accept")
        if fmt is None and sr.negotiate(accept, "select") is None and sr.negotiate(accept, "graph") is None:
            raise HttpError(406, f"cannot answer with {accept[:100]!r}; results are available as "
                                 + ", ".join(sr.MEDIA_TYPES.values()))
        default_graphs = [v for k, v in params if k == "default-graph-uri"]
        named_graphs = [v for k, v in params if k == "named-graph-uri"]
        try:
            if isinstance(server.runner, WorkerPool):
                reply = server.runner.run(Job(text, fmt, accept, server.runner.timeout, default_graphs, named_graphs))
                if reply[0] == "error":
                    raise HttpError(reply[1], reply[2], reply[3])
                ctype, body, headers = reply[1:]
            else:
                check_service(text, PREFIXES, server.limits)
                answer = server.runner.run(text, default_graphs=default_graphs, named_graphs=named_graphs)
                ctype, body, headers = respond(answer, fmt, accept, server.runner.max_rows)
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
        self._send(200, body, ctype, headers)

    @staticmethod
    def _format_param(params: list[tuple[str, str]]) -> str | None:
        values = [v for k, v in params if k == "format"]
        if len(values) > 1:
            raise HttpError(400, "more than one format parameter")
        if not values or values[0].strip().lower() in ("", "auto"):
            return None
        fmt = sr.format_name(values[0])
        if fmt is None:
            raise HttpError(400, f"unknown format {values[0][:60]!r} (choose from {', '.join(sr.MEDIA_TYPES)})")
        return fmt


class SparqlServer(ThreadingHTTPServer):
    """The endpoint: a threading HTTP server holding a :class:`WorkerPool` or a :class:`QueryRunner`."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], runner: WorkerPool | QueryRunner, *, page: bytes,
                 log: Callable[[str], None] | None = None, limits: Limits = Limits(), owns_store: bool = False):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.runner = runner
        self.page = page
        self.log = log
        self.limits = limits
        self.max_body = max(MAX_BODY, 3 * limits.max_query_bytes + 4096)
        self.owns_store = owns_store
        super().__init__(address, SparqlHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look up the host's FQDN, which can stall on a bad resolver.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        """The form page's URL (the endpoint is ``url + "sparql"``)."""
        host = self.server_address[0]
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    @property
    def endpoint(self) -> str:
        return self.url + ENDPOINT.lstrip("/")

    def describe(self) -> str:
        """How queries run, in a few words for the start-up line."""
        runner = self.runner
        if isinstance(runner, WorkerPool):
            net = "without network access" if runner.sandboxed else "network access not blocked on this system"
            return f"queries run in {runner.workers} worker processes, {net}"
        return f"queries run on {runner.workers} threads"

    def server_close(self) -> None:
        super().server_close()
        self.runner.close()
        if self.owns_store and isinstance(self.runner, QueryRunner):
            self.runner.store.close()


def make_server(store: Store | str | Path | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                workers: int = DEFAULT_WORKERS, log: Callable[[str], None] | None = None,
                max_depth: int = DEFAULT_MAX_DEPTH, max_query_bytes: int = DEFAULT_MAX_QUERY_BYTES,
                max_memory: int | None = None, processes: bool | None = None) -> SparqlServer:
    """A bound (not yet serving) endpoint over ``store``: a :class:`Store`, or a location opened read-only.

    Over an on-disk Oxigraph store queries run in ``workers`` worker processes
    (``processes=False`` keeps them on threads); other stores always use threads.  ``max_memory`` is
    the resident memory of all worker processes together (default 48 MiB per worker).
    ``port=0`` picks a free port (see ``server.url``).  ``log`` receives one line
    per request.  Raises :class:`ServeError` when the address cannot be bound.
    """
    limits = Limits(max_depth, max_query_bytes)
    if max_memory is None:
        max_memory = MEMORY_PER_WORKER * workers
    check_limits(timeout, max_rows, workers, limits, max_memory)
    owns = not isinstance(store, Store)
    opened: Store = open_store(store, read_only=True) if owns else store  # type: ignore[arg-type,assignment]
    # The store's folder, not its active version: workers follow the version a build swaps in.
    folder = Path(opened.location) if isinstance(opened, OxigraphStore) and opened.path is not None else None
    if processes and folder is None:
        raise ServeError("query worker processes need an on-disk Oxigraph store")
    runner: WorkerPool | QueryRunner
    if folder is not None and processes is not False:
        if owns:
            opened.close()  # the workers open it themselves
        runner = WorkerPool(str(folder), size=workers, timeout=timeout, max_rows=max_rows, limits=limits,
                            max_memory=max_memory, log=log)
    else:
        runner = QueryRunner(opened, timeout=timeout, max_rows=max_rows, workers=workers)
    try:
        return SparqlServer((host, port), runner, page=render_page(runner), log=log, limits=limits,
                            owns_store=owns)
    except OSError as e:
        runner.close()
        if owns and isinstance(runner, QueryRunner):
            runner.store.close()
        import errno

        reason = "address already in use" if e.errno == errno.EADDRINUSE else _one_line(e.strerror or e)
        raise ServeError(f"cannot listen on {host}:{port}: {reason}") from None


def start_in_thread(server: SparqlServer) -> threading.Thread:
    """Serve in a daemon thread (tests, notebooks); stop with ``server.shutdown(); server.server_close()``."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="kg-sparql-server", daemon=True)
    thread.start()
    return thread


def serve_forever(server: SparqlServer) -> None:
    """Serve until Ctrl-C (KeyboardInterrupt), then close the server and return normally."""
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# --- the query form ---------------------------------------------------------------------------------

_SAMPLE_QUERY = """\
# Poland's positions. The project prefixes (kg:, kgr:, skos:, prov:, dct:, ...) are predeclared.
SELECT ?stance ?target ?certainty ?quote ?doc WHERE {
  ?a kg:actor <https://w3id.org/kg/id/actor/poland> ;
     kg:stance/skos:notation ?stance ;
     kg:target ?t ;
     kg:certainty/skos:notation ?certainty ;
     kg:quote ?quote ;
     prov:wasDerivedFrom/dct:identifier ?doc .
  OPTIONAL { ?t skos:prefLabel ?tl }
  OPTIONAL { ?t rdfs:label ?trl }
  BIND(COALESCE(?tl, ?trl, STR(?t)) AS ?target)
}
ORDER BY ?target ?doc
"""

_STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
p.meta { color: #666; margin: 0 0 1rem; font-size: .9rem; }
textarea { width: 100%; box-sizing: border-box; font: 13px/1.4 ui-monospace, monospace; min-height: 16rem; }
.bar { display: flex; gap: .8rem; align-items: center; margin: .5rem 0 1rem; }
#status { color: #555; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.iri { color: #0645ad; }
td.bnode { color: #777; }
span.tag { color: #888; margin-left: .25rem; font-size: .8em; }
pre { background: #f7f7f7; padding: .6rem; overflow: auto; white-space: pre-wrap; }
pre.error { background: #fff0f0; color: #900; }
details { margin-top: 1rem; color: #555; font-size: .9rem; }
"""

_SCRIPT = """
"use strict";
const PREFIXES = %(prefixes)s;
const ACCEPT = %(accept)s;
const form = document.getElementById("form");
const out = document.getElementById("out");
const status = document.getElementById("status");
function shorten(iri) {
  for (const [p, ns] of PREFIXES) {
    if (iri.startsWith(ns) && iri.length > ns.length) return p + ":" + iri.slice(ns.length);
  }
  return iri;
}
function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    td.textContent = shorten(term.value);
    td.title = term.value;
    td.className = "iri";
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
    td.className = "bnode";
  } else {
    td.textContent = term.value;
    if (term["xml:lang"]) {
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = "@" + term["xml:lang"];
      td.appendChild(tag);
    } else if (term.datatype) {
      td.title = shorten(term.datatype);
    }
  }
  return td;
}
function table(data) {
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  for (const v of data.head.vars) {
    const th = document.createElement("th");
    th.textContent = "?" + v;
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const b of data.results.bindings) {
    const tr = body.insertRow();
    for (const v of data.head.vars) tr.appendChild(cell(b[v]));
  }
  return t;
}
function show(text, cls) {
  const pre = document.createElement("pre");
  if (cls) pre.className = cls;
  pre.textContent = text;
  out.appendChild(pre);
}
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const fmt = form.elements.format.value;
  const body = new URLSearchParams();
  body.set("query", form.elements.query.value);
  out.replaceChildren();
  status.textContent = "running\\u2026";
  const t0 = performance.now();
  let resp, text;
  try {
    resp = await fetch("sparql", {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT[fmt] || ACCEPT.auto},
      body: body,
    });
    text = await resp.text();
  } catch (e) {
    status.textContent = "request failed: " + e;
    return;
  }
  const ms = Math.round(performance.now() - t0);
  let note = "HTTP " + resp.status + ", " + ms + " ms";
  if (!resp.ok) {
    status.textContent = note;
    show(text, "error");
    return;
  }
  if (resp.headers.get("X-KG-Truncated") === "true") {
    note += ", truncated at " + resp.headers.get("X-KG-Row-Limit") + " rows";
  }
  const ctype = resp.headers.get("Content-Type") || "";
  if (ctype.startsWith("application/sparql-results+json")) {
    const data = JSON.parse(text);
    if ("boolean" in data) {
      show(String(data.boolean));
    } else {
      note += ", " + data.results.bindings.length + " rows";
      out.appendChild(table(data));
    }
  } else {
    show(text);
  }
  status.textContent = note;
});
form.elements.query.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    form.requestSubmit();
  }
});
"""


def _script() -> str:
    prefixes = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
    accept = {"auto": "application/sparql-results+json, text/turtle;q=0.9", **sr.MEDIA_TYPES}
    # JSON is valid JavaScript; "<" is escaped so no value can close the script element.
    js = lambda v: json.dumps(v).replace("<", "\\u003c")  # noqa: E731
    return _SCRIPT % {"prefixes": js(prefixes), "accept": js(accept)}


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


SCRIPT = _script()
PAGE_CSP = (f"default-src 'none'; script-src {_csp_hash(SCRIPT)}; style-src {_csp_hash(_STYLE)}; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def render_page(runner: WorkerPool | QueryRunner) -> bytes:
    """The self-contained query form (inline style and script, allowed by hash in the page's CSP)."""
    store = runner.location
    name = store if store == MEMORY or "://" in store else Path(store).name
    options = "".join(f'<option value="{f}">{html.escape(f)} ({html.escape(sr.MEDIA_TYPES[f])})</option>'
                      for f in sr.MEDIA_TYPES)
    prefixes = "\n".join(f"PREFIX {p}: <{i}>" for p, i in PREFIXES.items())
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kg SPARQL endpoint</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>kg SPARQL endpoint</h1>
<p class="meta">Store {html.escape(name)} &middot; read-only &middot; time-out {runner.timeout:g} s &middot;
at most {runner.max_rows} rows &middot; endpoint <code>{ENDPOINT}</code> (GET or POST, SPARQL 1.1 Protocol)</p>
<form id="form" method="get" action="sparql">
<textarea name="query" spellcheck="false" aria-label="SPARQL query">{html.escape(_SAMPLE_QUERY)}</textarea>
<div class="bar">
<label>Format <select name="format"><option value="auto" selected>auto (JSON table / Turtle)</option>
{options}</select></label>
<button type="submit">Run query</button> <span id="status">Ctrl+Enter runs the query.</span>
</div>
</form>
<div id="out"></div>
<details><summary>Predeclared prefixes</summary><pre>{html.escape(prefixes)}</pre></details>
<script>{SCRIPT}</script>
</body>
</html>
"""
    return page.encode("utf-8")


def stderr_log(line: str) -> None:
    """An access log on standard error, one line per request."""
    print(line, file=sys.stderr, flush=True)
