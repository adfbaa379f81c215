"""pyoxigraph as a :class:`~kg.store.base.Store`: on disk (a versioned folder, see :mod:`kg.store.dirs`)
or in memory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from kg.model.errors import QueryError, StoreError
from kg.model.namespaces import PREFIXES, sparql_prologue
from kg.store.base import EXPORT_FORMATS, MEMORY, PROJECTION_FILE, Result, Store, Term, _one_line


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
