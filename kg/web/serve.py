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

This module is the server and its routing; the protocol's request and
answer formats are :mod:`kg.web.serve_negotiation`, running a query is
:mod:`kg.web.serve_runner` (evaluation itself :mod:`kg.web.serve_engine`),
and the query form :mod:`kg.web.serve_page`.
"""

from __future__ import annotations

import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from kg import __version__
from kg.store import OxigraphStore, Store, is_update, open_store
from kg.web.serve_check import DEFAULT_MAX_DEPTH, DEFAULT_MAX_QUERY_BYTES, Limits, Refusal, check_text, query_shape
from kg.web.serve_engine import one_line
from kg.web.serve_negotiation import HttpError, check_acceptable, format_param, read_params
from kg.web.serve_page import ENDPOINT, PAGE_CSP, render_page
from kg.web.serve_pool import WorkerPool
from kg.web.serve_runner import (DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, DEFAULT_WORKERS, MEMORY_PER_WORKER,  # noqa: F401
                                 QueryRunner, ServeError, answer, check_limits)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
MAX_BODY = 1 << 20  # bytes of a POST body, at least (a form-encoded query can be three times its size)

_COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


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
                self._error(500, f"internal server error: {one_line(repr(e))}")
            else:
                self.log_message("internal error: %s", one_line(repr(e)))

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
        params = read_params(self.command, self.headers, self.rfile, url.query, self.server.max_body)
        self._sparql(params)

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
        fmt = format_param(params)
        accept = self.headers.get("Accept")
        check_acceptable(fmt, accept)
        default_graphs = [v for k, v in params if k == "default-graph-uri"]
        named_graphs = [v for k, v in params if k == "named-graph-uri"]
        ctype, body, headers = answer(server.runner, text, fmt, accept, default_graphs, named_graphs, server.limits)
        self._send(200, body, ctype, headers)


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

        reason = "address already in use" if e.errno == errno.EADDRINUSE else one_line(e.strerror or e)
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


def stderr_log(line: str) -> None:
    """An access log on standard error, one line per request."""
    print(line, file=sys.stderr, flush=True)
