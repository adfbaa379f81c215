"""Typed exceptions raised by the library; the CLI maps them to one-line errors."""

from __future__ import annotations


class KgError(Exception):
    """Base class of every error a user can cause; its message is one line."""

    exit_code = 1


class InputError(KgError):
    """Bad input file or value, located by file and (where known) line."""

    def __init__(self, message: str, path: object = None, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}")


class UnknownNameError(KgError):
    """A name (actor, topic) that resolves to nothing; carries close matches."""

    def __init__(self, kind: str, name: str, suggestions: list[str] | tuple[str, ...] = ()):
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)
        lists = {"actor": "kg actors", "topic": "kg topics", "target": "kg topics and kg actors"}
        hint = (f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions
                else f" ({lists[kind]} list{'s' if kind != 'target' else ''} the known ones)" if kind in lists else "")
        super().__init__(f"unknown {kind} {name!r}{hint}")


class QueryError(KgError):
    """Malformed or refused SPARQL."""


class StoreError(KgError):
    """The store cannot be opened, read or written (missing, locked, unreachable)."""


class PipelineError(KgError):
    """An extraction pipeline (spaCy model) that cannot be loaded."""
