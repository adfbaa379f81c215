"""``kg serve``: a read-only SPARQL endpoint over the store."""

from __future__ import annotations

import signal
import threading
from typing import Optional

import typer

from ._app import StoreOpt, command


@command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(7878, "--port", "-p", min=0, max=65535, help="TCP port (0 picks a free one)."),
    store: Optional[str] = StoreOpt,
    timeout: float = typer.Option(10.0, "--timeout", min=0.001,
                                  help="Seconds a query may run before it gets HTTP 503."),
    max_rows: int = typer.Option(10000, "--max-rows", min=1, help="Rows (or triples) returned at most; more are cut "
                                 "and the response says X-KG-Truncated: true."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Queries evaluated at once, each in a worker "
                                          "process (over an on-disk store; default: cores + 1, at most 4); a query "
                                          "past its time-out is killed with its worker."),
    max_depth: int = typer.Option(64, "--max-depth", min=1, help="Deepest nesting of braces, brackets and "
                                  "parentheses a query may have; deeper ones get HTTP 400."),
    max_query_bytes: int = typer.Option(128 * 1024, "--max-query-bytes", min=16,
                                        help="Largest query text in bytes; larger ones get HTTP 400."),
    max_memory: Optional[int] = typer.Option(None, "--max-memory", min=32, help="MiB of memory the query workers "
                                             "may use together (default 48 per worker); a query that needs more is "
                                             "stopped with HTTP 503."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No access log on standard error."),
) -> None:
    """Serve the store as a read-only SPARQL 1.1 endpoint (GET/POST /sparql) with a query form at /."""
    from kg.web.serve import make_server, serve_forever, stderr_log
    from kg.store import store_location

    location = store_location(store)
    from kg.web.serve import DEFAULT_WORKERS

    server = make_server(location, host, port, timeout=timeout, max_rows=max_rows, workers=workers or DEFAULT_WORKERS,
                         max_depth=max_depth, max_query_bytes=max_query_bytes, max_memory=None if max_memory is None else max_memory << 20,
                         log=None if quiet else stderr_log)

    def stop(signum, frame):  # SIGTERM stops like Ctrl-C
        raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if main else None
    try:
        typer.echo(f"kg serve: SPARQL endpoint {server.endpoint} (query form {server.url}) over {location}, "
                   f"read-only; time-out {timeout:g} s, at most {max_rows} rows; {server.describe()}. Ctrl-C stops.")
        serve_forever(server)
    except KeyboardInterrupt:  # before serving began
        server.server_close()
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    typer.echo("kg serve: stopped", err=True)
