"""RDF stores behind one small interface: Oxigraph on disk (default) and rdflib in memory.

Library code talks to :class:`Store`; results come back as plain
:class:`Term` rows so that callers need not import rdflib or pyoxigraph.

>>> store = open_store(":memory:")
>>> store.load_nquads('<http://a> <http://b> "c" <http://g> .\\n')
>>> store.query("SELECT ?o WHERE { ?s ?p ?o }").rows[0][0].value
'c'
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from kg.model.errors import QueryError, StoreError
from kg.model.namespaces import PREFIXES, XSD, sparql_prologue

DEFAULT_STORE = ".kg"
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


class OxigraphStore(Store):
    """pyoxigraph, on disk (a folder) or in memory (``path=None``)."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False):
        import pyoxigraph as ox

        self._ox = ox
        self.read_only = read_only
        self.location = str(path) if path else MEMORY
        self._reader = None
        if path is not None:
            from kg.store.dirs import active_dir, hold_for_reading

            path = active_dir(Path(path))  # the version in use (see kg.store.dirs)
            if read_only:
                # Held until close: a writer deletes an old version only once nobody reads it.
                self._reader = hold_for_reading(path)
        self.path = Path(path) if path else None
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                self._store = ox.Store(str(path))
        except OSError as e:
            self._release()
            raise StoreError(f"cannot open store {path}: {_one_line(e)}") from None

    # conversions between pyoxigraph terms and Term
    def _term(self, t: object) -> Term | None:
        ox = self._ox
        if t is None:
            return None
        if isinstance(t, ox.NamedNode):
            return Term("iri", t.value)
        if isinstance(t, ox.Literal):
            dt = t.datatype.value if t.datatype is not None else None
            return Term("literal", t.value, None if t.language else dt, t.language)
        return Term("bnode", str(getattr(t, "value", t)))

    def _ox_term(self, t: Term):
        ox = self._ox
        if t.kind == "iri":
            return ox.NamedNode(t.value)
        if t.kind == "bnode":
            return ox.BlankNode(t.value)
        if t.lang:
            return ox.Literal(t.value, language=t.lang)
        return ox.Literal(t.value, datatype=ox.NamedNode(t.datatype)) if t.datatype else ox.Literal(t.value)

    def _changed(self) -> None:
        # Any write outdates the row projection kept in the store's folder (kg/projection.py);
        # builds write a new one after their last write.
        if self.path is not None:
            (self.path / PROJECTION_FILE).unlink(missing_ok=True)

    def objects(self, subject: str, predicates: set[str]) -> Iterator[tuple[str, str]]:
        """(predicate, object value) of ``subject`` in any graph, for the given predicates."""
        # One lookup per predicate: an actor is the subject of a direct stance triple per assertion.
        s = self._ox.NamedNode(subject)
        for p in sorted(predicates):
            for q in self._store.quads_for_pattern(s, self._ox.NamedNode(p), None, None):
                yield p, q.object.value

    def load_nquads(self, data: str | bytes) -> None:
        self._changed()
        try:
            self._store.bulk_load(data, format=self._ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"cannot load N-Quads: {_one_line(e)}") from None

    def load_nquads_file(self, path: str | Path) -> None:
        self._changed()
        try:
            self._store.bulk_load(path=str(path), format=self._ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError) as e:
            raise StoreError(f"cannot load N-Quads from {path}: {_one_line(e)}") from None

    def _query(self, sparql: str, bindings: dict[str, Term]) -> Result:
        ox = self._ox
        subs = {ox.Variable(k): self._ox_term(v) for k, v in bindings.items()}
        try:
            res = self._store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True,
                                    substitutions=subs or None)
        except SyntaxError as e:
            from kg.store.sparql_errors import syntax_error

            raise syntax_error(sparql, PREFIXES, engine=str(e)) from None
        except OSError as e:
            raise StoreError(f"query failed on {self.location}: {_one_line(e)}") from None
        if isinstance(res, ox.QueryBoolean):
            return Result("ask", boolean=bool(res))
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            rows = [tuple(self._term(sol[i]) for i in range(len(names))) for sol in res]
            return Result("select", names, rows)
        text = ox.serialize(res, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        return Result("graph", graph=text.decode("utf-8") if isinstance(text, bytes) else text)

    def _update(self, sparql: str) -> None:
        prologue = sparql_prologue()
        self._changed()
        try:
            self._store.update(prologue + sparql)
        except SyntaxError as e:
            from kg.store.sparql_errors import syntax_error

            raise syntax_error(sparql, PREFIXES, update=True, engine=str(e),
                               skip_lines=prologue.count("\n")) from None

    def dump(self, fmt: str) -> bytes:
        ox = self._ox
        formats = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
        if fmt in formats:
            kwargs = {"prefixes": PREFIXES} if fmt == "trig" else {}
            return self._store.dump(format=formats[fmt], **kwargs)
        if fmt in ("turtle", "ntriples"):
            # Triple formats have no graphs: write the union, each triple once.
            triples = {(q.subject, q.predicate, q.object) for q in self._store}
            out = ox.serialize((ox.Triple(*t) for t in triples),
                               format=ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES,
                               **({"prefixes": PREFIXES} if fmt == "turtle" else {}))
            return out
        raise QueryError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")

    def dump_to(self, fmt: str, output: BinaryIO) -> None:
        ox = self._ox
        formats = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
        if fmt not in formats:
            return super().dump_to(fmt, output)
        self._store.dump(output, format=formats[fmt], **({"prefixes": PREFIXES} if fmt == "trig" else {}))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def remove_graph(self, graph: str) -> None:
        g = self._ox.NamedNode(graph)
        if self._store.contains_named_graph(g):
            self._changed()
            self._store.remove_graph(g)

    def __len__(self) -> int:
        return len(self._store)

    def backup(self, target: str | Path) -> None:
        self._store.backup(str(target))

    def close(self) -> None:
        if self.location != MEMORY and not self.read_only and hasattr(self, "_store"):
            self._store.flush()
        self.__dict__.pop("_store", None)
        self._release()

    def _release(self) -> None:
        if getattr(self, "_reader", None) is not None:
            os.close(self._reader)
            self._reader = None


class MemoryStore(Store):
    """rdflib's in-memory Dataset, for tests and notebooks (``store.dataset`` is the rdflib object)."""

    def __init__(self) -> None:
        from rdflib import Dataset

        self.dataset = Dataset(default_union=True)
        for p, i in PREFIXES.items():
            self.dataset.bind(p, i, replace=True)

    def load_nquads(self, data: str | bytes) -> None:
        self.dataset.parse(data=data.decode("utf-8") if isinstance(data, bytes) else data, format="nquads")

    @staticmethod
    def _term(t: object) -> Term | None:
        from rdflib import BNode, Literal

        if t is None:
            return None
        if isinstance(t, Literal):
            dt = str(t.datatype) if t.datatype else (None if t.language else XSD + "string")
            return Term("literal", str(t), dt, t.language)
        if isinstance(t, BNode):
            return Term("bnode", str(t))
        return Term("iri", str(t))

    @staticmethod
    def _rdflib_term(t: Term):
        from rdflib import BNode, Literal, URIRef

        if t.kind == "iri":
            return URIRef(t.value)
        if t.kind == "bnode":
            return BNode(t.value)
        return Literal(t.value, lang=t.lang, datatype=t.datatype if not t.lang else None)

    def _query(self, sparql: str, bindings: dict[str, Term]) -> Result:
        from pyparsing import ParseException

        from kg.store.sparql_errors import syntax_error

        try:
            res = self.dataset.query(sparql, initNs=PREFIXES,
                                     initBindings={k: self._rdflib_term(v) for k, v in bindings.items()})
        except ParseException as e:
            raise syntax_error(sparql, PREFIXES, engine=str(e.msg), line=e.lineno, column=e.col) from None
        except Exception as e:  # rdflib raises a bare Exception for an undeclared prefix
            if not str(e).startswith("Unknown namespace prefix"):
                raise
            raise syntax_error(sparql, PREFIXES, engine=str(e)) from None
        if res.type == "ASK":
            return Result("ask", boolean=bool(res.askAnswer))
        if res.type == "SELECT":
            names = [str(v) for v in res.vars]
            return Result("select", names, [tuple(self._term(x) for x in row) for row in res])
        return Result("graph", graph=res.graph.serialize(format="turtle"))

    def _update(self, sparql: str) -> None:
        from pyparsing import ParseException

        from kg.store.sparql_errors import syntax_error

        try:
            self.dataset.update(sparql, initNs=PREFIXES)
        except ParseException as e:
            raise syntax_error(sparql, PREFIXES, update=True, engine=str(e.msg), line=e.lineno, column=e.col) from None
        except Exception as e:  # rdflib raises a bare Exception for an undeclared prefix
            if not str(e).startswith("Unknown namespace prefix"):
                raise
            raise syntax_error(sparql, PREFIXES, update=True, engine=str(e)) from None

    def dump(self, fmt: str) -> bytes:
        names = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld", "ntriples": "nt"}
        if fmt not in names:
            raise QueryError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
        if fmt in ("turtle", "ntriples"):
            from rdflib import Graph

            g = Graph()
            for p, i in PREFIXES.items():
                g.bind(p, i, replace=True)
            for s, p, o, _ in self.dataset.quads((None, None, None, None)):
                g.add((s, p, o))
            return g.serialize(format=names[fmt], encoding="utf-8")
        return self.dataset.serialize(format=names[fmt], encoding="utf-8")

    def graphs(self) -> list[str]:
        return sorted(str(g.identifier) for g in self.dataset.graphs() if len(g) and not str(g.identifier).startswith("urn:x-rdflib:"))

    def remove_graph(self, graph: str) -> None:
        from rdflib import URIRef

        self.dataset.remove_graph(URIRef(graph))

    def __len__(self) -> int:
        return sum(1 for _ in self.dataset.quads((None, None, None, None)))


def store_location(store: str | Path | None = None) -> str:
    """The store to use: the argument, else ``$KG_STORE``, else ``./.kg``."""
    return str(store or os.environ.get("KG_STORE") or DEFAULT_STORE)


def open_store(location: str | Path | None = None, *, create: bool = False, read_only: bool = False) -> Store:
    """Open the store at ``location`` (see :func:`store_location`); ``:memory:`` is rdflib's memory store.

    Opening a folder that holds no store is an error unless ``create``.
    """
    loc = store_location(location)
    if loc == MEMORY:
        return MemoryStore()
    if loc.startswith(("sparql+http://", "sparql+https://")):
        from kg.store.remote import RemoteStore

        return RemoteStore(loc)
    path = Path(loc)
    from kg.store.locking import recover_if_idle

    recover_if_idle(path)
    if not create and not path.exists():
        raise StoreError(f"no store at {loc}; run `kg build` first (or set --store / KG_STORE)")
    if path.exists() and not path.is_dir():
        raise StoreError(f"store location {loc} is a file, not a folder")
    return OxigraphStore(path, read_only=read_only and path.exists())


def replace_store(built: Path, target: Path) -> None:
    """Make the version ``built`` (a folder inside ``target``) the store's active one, atomically."""
    from kg.store.dirs import activate

    activate(built, target)
