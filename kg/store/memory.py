"""rdflib's in-memory Dataset as a :class:`~kg.store.base.Store` (``:memory:``), for tests and notebooks."""

from __future__ import annotations

from kg.model.errors import QueryError
from kg.model.namespaces import PREFIXES, XSD
from kg.store.base import EXPORT_FORMATS, Result, Store, Term


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
