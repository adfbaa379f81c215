"""The store interface: :class:`Store`, the plain :class:`Term` rows and :class:`Result` it answers with,
and the checks every backend runs before a query reaches its engine.

Library code talks to :class:`Store`; results come back as plain
:class:`Term` rows so that callers need not import rdflib or pyoxigraph.
The backends: :mod:`kg.store.oxigraph` (on disk or in memory),
:mod:`kg.store.memory` (rdflib) and :mod:`kg.store.remote` (SPARQL endpoints);
:mod:`kg.store.opening` picks one for an address.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from kg.model.errors import QueryError
from kg.model.namespaces import XSD

PROJECTION_FILE = "kg-rows.sqlite"  # the row projection inside an on-disk store (kg/projection.py)
MEMORY = ":memory:"
EXPORT_FORMATS = ("turtle", "trig", "nquads", "jsonld", "ntriples")
_UPDATE_RE = re.compile(
    r"^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Term:
    """An RDF term as plain data: ``kind`` is ``iri``, ``literal`` or ``bnode``."""

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    @classmethod
    def iri(cls, value: str) -> Term:
        return cls("iri", value)

    @classmethod
    def literal(cls, value: object, datatype: str | None = None, lang: str | None = None) -> Term:
        return cls("literal", str(value), datatype, lang)

    def to_python(self) -> object:
        """Numbers and booleans as Python values, everything else as its string."""
        if self.kind == "literal" and self.datatype:
            if self.datatype in (XSD + "integer", XSD + "int", XSD + "long"):
                return int(self.value)
            if self.datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
                return float(self.value)
            if self.datatype == XSD + "boolean":
                return self.value == "true"
        return self.value

    def n3(self) -> str:
        from kg.model.nquads import iri, literal

        if self.kind == "iri":
            return iri(self.value)
        if self.kind == "bnode":
            return f"_:{self.value}"
        return literal(self.value, None if self.datatype == XSD + "string" else self.datatype, self.lang)


@dataclass
class Result:
    """A query result: rows for SELECT, a boolean for ASK, serialised triples for CONSTRUCT/DESCRIBE."""

    kind: str  # "select" | "ask" | "graph"
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: str | None = None  # Turtle text

    def dicts(self) -> list[dict[str, object]]:
        """SELECT rows as dicts of Python values (unbound variables are None)."""
        return [{v: (t.to_python() if t is not None else None) for v, t in zip(self.vars, row)} for row in self.rows]


# Comments are dropped before matching, but a '#' inside an IRI or a string is not a comment.
_COMMENT_RE = re.compile(r'(<[^<>"{}|^`\\\x00-\x20]*>)|("(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')|#[^\n]*')


def is_update(sparql: str) -> bool:
    """True when the text is a SPARQL Update rather than a query."""
    return bool(_UPDATE_RE.match(_COMMENT_RE.sub(lambda m: m.group(1) or m.group(2) or "", sparql)))


class Store(ABC):
    """The operations kg needs from a quad store; every query sees the union of all graphs."""

    location: str = MEMORY

    @abstractmethod
    def load_nquads(self, data: str | bytes) -> None: ...

    def load_nquads_file(self, path: str | Path) -> None:
        """Load an N-Quads file (backends may stream it)."""
        self.load_nquads(Path(path).read_bytes())

    def load_file(self, path: str | Path, graph: str) -> None:
        """Load a Turtle (or other RDF) file into the named graph ``graph``, blank nodes skolemised.

        Blank nodes get IRIs derived from the file's content and their order, so
        loading the same file twice adds nothing and rebuilds give identical quads.
        """
        from kg.model.nquads import skolemised_nquads

        self.load_nquads(skolemised_nquads(path, graph))

    @abstractmethod
    def _query(self, sparql: str, bindings: dict[str, Term]) -> Result: ...

    @abstractmethod
    def _update(self, sparql: str) -> None: ...

    @abstractmethod
    def dump(self, fmt: str) -> bytes: ...

    def dump_to(self, fmt: str, output: BinaryIO) -> None:
        """Write the store in ``fmt`` to a binary file (backends that can stream do, keeping memory flat)."""
        output.write(self.dump(fmt))

    @abstractmethod
    def graphs(self) -> list[str]: ...

    @abstractmethod
    def remove_graph(self, graph: str) -> None: ...

    @abstractmethod
    def __len__(self) -> int: ...

    def close(self) -> None:
        """Release the store (flush to disk where there is one)."""

    def batch(self):
        """A context in which writes form one change (remote stores send them together)."""
        import contextlib

        return contextlib.nullcontext(self)

    def query(self, sparql: str, bindings: dict[str, Term | str] | None = None, *, allow_update: bool = False) -> Result:
        """Run SPARQL with the project prefixes predeclared and ``bindings`` substituted as values.

        A bound variable must appear in the SELECT projection (Oxigraph's rule).

        Bindings are passed to the engine as RDF terms, never spliced into the text;
        a plain ``str`` binding is a literal.
        """
        terms = {k: (v if isinstance(v, Term) else Term.literal(v)) for k, v in (bindings or {}).items()}
        for what, text in (("query", sparql), *((f"value of ?{k}", t.value) for k, t in terms.items())):
            if _has_surrogates(text):  # undecodable bytes from a shell: no engine can take them
                raise QueryError(f"the {what} is not valid UTF-8")
        _check_nesting(sparql)
        try:
            if is_update(sparql):
                if not allow_update:
                    from kg.store.sparql_errors import UpdateRefusedError

                    raise UpdateRefusedError()
                self._update(sparql)
                return Result("ask", boolean=True)
            return self._query(sparql, terms)
        except OSError as e:  # a SERVICE or LOAD whose endpoint refused, or a file the engine could not read
            raise QueryError(f"the query could not reach what it names: {_one_line(e)}") from None
        except RecursionError:  # rdflib's parser recurses about 40 Python frames per nesting level
            raise QueryError("the query is nested too deep for the SPARQL parser of this store") from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


MAX_QUERY_DEPTH = 256  # Oxigraph's parser recurses: 3,000 nested braces overflow its stack (SIGSEGV)


def _check_nesting(sparql: str) -> None:
    """Refuse a query nested deeper than the engine's parser can recurse, before it parses it."""
    if sum(sparql.count(c) for c in "{[(!") <= MAX_QUERY_DEPTH:
        return  # cannot be that deep: the common query pays for one count
    from kg.store.sparql_scan import scan

    depth = scan(sparql, MAX_QUERY_DEPTH).depth
    if depth > MAX_QUERY_DEPTH:
        raise QueryError(f"the query is nested more than {MAX_QUERY_DEPTH} deep (braces, brackets, parentheses "
                         f"or '!'); kg refuses it rather than let the SPARQL parser overflow")


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())[:300]
