"""The typer application, shared options and the error boundary."""

from __future__ import annotations

import functools
import gc
import inspect
import os
import sys
from typing import Optional

import typer

from kg.model.errors import KgError

app = typer.Typer(
    name="kg",
    help="A knowledge graph of political actors and their positions: who holds which stance on what, "
    "according to whom, and how surely.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

StoreOpt = typer.Option(None, "--store", "-s", help="Store folder, :memory:, or sparql+http://… (default $KG_STORE or ./.kg).")
RawOpt = typer.Option(False, "--raw", help="CSV: write cells as they are; by default a cell that would start a "
                      "spreadsheet formula (= + - @) gets a leading apostrophe.")
FormatOpt = typer.Option("table", "--format", "-f", help="Output format: table, json or csv.")


def write_lock_for(store: Optional[str], *, enabled: bool = True, wait: bool = False):
    """The writer lock of the store named by ``--store`` (or ``KG_STORE``) when it is an on-disk folder."""
    from contextlib import nullcontext
    from pathlib import Path

    from kg.store.locking import write_lock
    from kg.store import MEMORY, store_location

    loc = store_location(store)
    if not enabled or loc == MEMORY or "://" in loc:
        return nullcontext()
    return write_lock(Path(loc), wait=wait)


def open_store_for(store: Optional[str], read_only: bool = True):
    """The store named by ``--store`` (or ``KG_STORE``), read-only unless a command writes."""
    from kg.store import open_store

    return open_store(store, read_only=read_only)


def fail(message: str, code: int = 1) -> None:
    """Print a one-line error and exit non-zero."""
    typer.echo(f"error: {' '.join(str(message).split())}", err=True)
    raise typer.Exit(code)


def check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json", "csv")) -> str:
    if fmt not in allowed:
        fail(f"unknown format {fmt!r} (choose from {', '.join(allowed)})", 2)
    return fmt


# One example per command, shown at the end of its --help; a command may pass its own (command(example=…)).
EXAMPLES = {
    "build": "kg build seeds/ --no-extract",
    "remove": "kg remove 000_33a90556ae30723f",
    "stance": "kg stance Poland --target troop-deployment --format csv",
    "who": "kg who troop-deployment",
    "actors": "kg actors --format json",
    "topics": "kg topics",
    "query": "kg query 'SELECT ?actor WHERE { ?actor kg:supports ?topic }' --format csv",
    "export": "kg export --format gexf --view congruence --out debate.gexf",
    "validate": "kg validate --store .kg",
    "serve": "kg serve --port 7878",
}


def command(*args, example: str | None = None, **kwargs):
    """Register a command whose library errors print as one line and exit with their code.

    ``example``: one command line shown at the end of its help (default: :data:`EXAMPLES`).
    """

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*a, **kw):
            _check_text_arguments(kw)
            raw = kw.pop("raw_csv", False) if takes_raw else False
            from kg.analysis.output import RAW_CSV

            token = RAW_CSV.set(bool(raw))
            try:
                return fn(*a, **kw)
            except KgError as e:
                fail(str(e), e.exit_code)
            except KeyboardInterrupt:
                fail("interrupted", 130)
            except Exception as e:  # noqa: BLE001 - a bug: one line, not a traceback, unless asked for
                if isinstance(e, (typer.Exit, typer.Abort, BrokenPipeError)) \
                        or type(e).__module__.startswith(("typer", "click")) or os.environ.get("KG_DEBUG"):
                    raise
                fail(f"internal error ({type(e).__name__}: {e}); this is a bug in kg: please report it with the "
                     "command (KG_DEBUG=1 shows where it happened)", 70)
            finally:
                RAW_CSV.reset(token)

        # Every command that can write CSV takes --raw: cells as they are, formulas included.
        sig = inspect.signature(fn)
        takes_raw = "fmt" in sig.parameters
        if takes_raw:
            wrapper.__signature__ = sig.replace(parameters=[*sig.parameters.values(), inspect.Parameter(
                "raw_csv", inspect.Parameter.KEYWORD_ONLY, default=RawOpt, annotation=bool)])

        name = kwargs.get("name") or (args[0] if args else fn.__name__.replace("_", "-"))
        shown = example or EXAMPLES.get(name)
        if shown and "epilog" not in kwargs:
            kwargs["epilog"] = f"Example: {shown}"
        return app.command(*args, **kwargs)(wrapper)

    return decorate


def _check_text_arguments(values: dict) -> None:
    """Names, queries and paths arrive from the shell as text; undecodable bytes come as surrogates,
    which no store, file or page can hold: one line naming the argument, before anything runs."""
    for name, value in values.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, (str, os.PathLike)):
                text = os.fspath(item)
                if isinstance(text, str) and any("\ud800" <= c <= "\udfff" for c in text):
                    try:  # the bytes the shell passed, where they came as surrogate escapes
                        shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                    except UnicodeEncodeError:
                        shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
                    fail(f"argument {name!r} is not valid UTF-8: {shown[:80]}", 2)


def version() -> str:
    """The installed distribution's version, else the package's own."""
    from importlib.metadata import PackageNotFoundError, version as dist_version

    try:
        return dist_version("kg")
    except PackageNotFoundError:
        from kg import __version__
        return __version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"kg {version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: bool = typer.Option(False, "--version", "-V", callback=_print_version, is_eager=True,
                                      help="Print the version and exit."),
) -> None:
    # No docstring: the app's help= above is the one description.
    return None


def main(argv: Optional[list[str]] = None, *, leave_fast: Optional[bool] = None) -> None:
    """Console entry point: run the app, turning library errors into one-line messages.

    Run as the ``kg`` command (``argv`` None) the process then leaves without tearing itself down:
    see :func:`_leave`. ``leave_fast=False`` raises :class:`SystemExit` as usual (in-process callers)."""
    # A command allocates hundreds of thousands of small objects that live until it ends (rows, holdings):
    # with the default thresholds the collector walks them again and again (0.1 s of a 1.5 s page at 1M).
    # The older generations keep their default ratios, so a long-running server still collects them.
    gc.set_threshold(100_000, 10, 10)
    code: object = 0
    try:
        app(args=argv, prog_name="kg", standalone_mode=True)
    except SystemExit as e:
        code = e.code
    except KgError as e:  # pragma: no cover - typer handles most via errors() below
        typer.echo(f"error: {e}", err=True)
        code = e.exit_code
    if leave_fast if leave_fast is not None else argv is None:
        _leave(code)
    sys.exit(code)


def _leave(code: object) -> None:
    """End the process once the command is done: flush, run the exit handlers, then ``os._exit``.

    Tearing down the interpreter (freeing every object, finalising numpy, igraph and the rest) took
    0.1-0.2 s after every command, as Instagram found for its workers. Every store is closed by then
    (commands open them in ``with``), and the exit handlers (logging, temporary folders, Dask) still
    run. Threads still running (a server's) get the ordinary exit, which waits for them."""
    import atexit
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if not isinstance(code, int) and code is not None:
        print(code, file=sys.stderr)  # what sys.exit prints for a message
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (kg … | head) or stream: nothing more can be said
            pass
    atexit._run_exitfuncs()  # what interpreter shutdown would run first (undocumented, there since 3.0)
    os._exit(status)
