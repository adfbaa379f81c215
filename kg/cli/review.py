"""``kg review``: review suggestions and code statements in the browser (a local web app)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Optional

import typer

from kg.model.errors import InputError
from ._app import StoreOpt, command


@command(example="kg review --coder ana seeds/curated.yaml")
def review(
    curated_file: Optional[Path] = typer.Argument(None, help="The curated YAML file decisions go to "
                                                  "(default ./curated.yaml)."),
    port: int = typer.Option(7879, "--port", "-p", min=0, max=65535, help="TCP port on 127.0.0.1 (0 picks a free one)."),
    coder: Optional[str] = typer.Option(None, "--coder", help="Your name, written with each decision "
                                        "(default $USER)."),
    store: Optional[str] = StoreOpt,
    extract: Optional[bool] = typer.Option(None, "--extract/--no-extract", help="Run the extractor when a decision "
                                           "rebuilds a document (default: when the store holds suggestions, "
                                           "so they are kept)."),
    model: Optional[str] = typer.Option(None, "--model", help="spaCy pipeline for extraction, as given to kg build."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0,
                                         help="As given to kg build (the extractor's settings must match the "
                                         "build's, or a decision re-extracts every document)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No access log on standard error."),
) -> None:
    """Open a local page to read documents, accept, reject or edit suggestions and add statements."""
    import os

    from kg.web.review_app import make_server
    from kg.web.review_store import ReviewStore
    from kg.store import open_store, store_location

    path = curated_file or Path("curated.yaml")
    if not path.is_file():
        raise InputError("no curated file here; name one (kg review path/to/curated.yaml)", path)
    location = store_location(store)
    if extract is None:
        with open_store(location, read_only=True) as s:
            extract = bool(s.query("ASK { ?a kg:method kg:Extracted }").boolean)
    extractor = None
    if extract:
        from kg.extraction import make_extractor

        extractor = make_extractor(model=model, min_confidence=min_confidence)
    name = coder or os.environ.get("USER") or "anonymous"
    server = make_server(ReviewStore(location, path, name, extractor=extractor), "127.0.0.1", port, quiet=quiet)

    def stop(signum, frame):  # SIGTERM stops like Ctrl-C
        raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if main else None
    typer.echo(f"kg review: {server.url} — coder {name}, decisions go to {path}, store {location}. Ctrl-C stops.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if main:
            signal.signal(signal.SIGTERM, previous)
    typer.echo("kg review: stopped", err=True)
