"""Query evaluation on a ``pyoxigraph.Store`` for ``kg serve``: the solutions read lazily, cut at the row limit,
stopping at the request's deadline (the worker processes' engine, :mod:`kg.web.serve_worker`; the in-process
query runner, :mod:`kg.web.serve_runner`, also uses it on an Oxigraph store)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kg.model.errors import KgError, QueryError, StoreError
from kg.model.namespaces import PREFIXES
from kg.store import Result, Term


class QueryTimeout(KgError):
    """The query ran past its deadline."""


class Cancelled(Exception):
    """Raised inside an evaluation whose request has already been answered."""


@dataclass
class Answer:
    """A query's result, cut at the row limit: tabular rows in ``result``, graphs as ``triples``."""

    result: Result
    triples: list[tuple[Term, Term, Term]] | None = None
    truncated: bool = False

    @property
    def kind(self) -> str:
        return self.result.kind


def one_line(e: object) -> str:
    return " ".join(str(e).split())[:500]


def timeout_message(timeout: float) -> str:
    return f"query timed out after {timeout:g} s (the server's time-out); narrow it down or add a LIMIT"


# --- evaluation -----------------------------------------------------------------------------------

def from_ox(t: object) -> Term | None:
    import pyoxigraph as ox

    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return Term("iri", t.value)
    if isinstance(t, ox.Literal):
        return Term("literal", t.value, None if t.language else t.datatype.value, t.language)
    if isinstance(t, ox.BlankNode):
        return Term("bnode", t.value)
    return Term("literal", str(t))  # an RDF-star triple term, shown as text


def take(items, convert, max_rows: int, should_stop) -> tuple[list, bool]:
    """Up to ``max_rows`` converted items, and whether more were left; stops when ``should_stop()`` says so."""
    out: list = []
    for item in items:
        if should_stop():
            raise Cancelled()
        if len(out) >= max_rows:
            return out, True
        out.append(convert(item))
    return out, False


def evaluate_oxigraph(inner, text: str, max_rows: int, should_stop: Callable[[], bool],
                      default_graphs: list[str], named_graphs: list[str]) -> Answer:
    """Run a read-only query on a ``pyoxigraph.Store``, keeping at most ``max_rows`` rows (or triples);
    ``should_stop`` is asked before each solution is read."""
    import pyoxigraph as ox

    kwargs: dict[str, object] = {"prefixes": PREFIXES}
    if default_graphs or named_graphs:
        try:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        except ValueError as e:
            raise QueryError(f"bad graph IRI: {one_line(e)}") from None
    else:
        kwargs["use_default_graph_as_union"] = True
    try:
        res = inner.query(text, **kwargs)
        if isinstance(res, ox.QueryBoolean):
            return Answer(Result("ask", boolean=bool(res)))
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            width = range(len(names))
            rows, truncated = take(res, lambda sol: tuple(from_ox(sol[i]) for i in width), max_rows, should_stop)
            return Answer(Result("select", names, rows), truncated=truncated)
        triples, truncated = take(res, lambda t: (from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)),
                                  max_rows, should_stop)
        return Answer(Result("graph"), triples, truncated)
    except SyntaxError as e:
        raise QueryError(f"malformed SPARQL: {one_line(e)}") from None
    except (RuntimeError, ValueError, TypeError) as e:
        raise QueryError(f"query failed: {one_line(e)}") from None
    except OSError as e:
        raise StoreError(f"query failed: {one_line(e)}") from None
