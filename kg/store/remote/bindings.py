"""Binding variables in a query sent to an endpoint: a VALUES block at the start of the outermost WHERE group.

The SPARQL protocol has no way to pass bindings, so they become data, each value
written as an escaped RDF term (never raw user text).
"""

from __future__ import annotations

import re

from kg.model.errors import QueryError
from kg.model.namespaces import XSD
from kg.store.base import Term
from kg.store.sparql_scan import IRIREF, STRING

_LANG_RE = re.compile(r"^[A-Za-z]+(?:-[A-Za-z0-9]+)*$")
_VAR_RE = re.compile(r"^[A-Za-z0-9_\u00B7\u00C0-\uFFFF]+$")

# Only braces and names matter here. kg.store.sparql_errors' tokenizer is not used: it also reads
# broken pieces (an IRI with a space, say) as one token, which could hide a brace from bind_values.
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>""" + STRING + r""")
  | (?P<iri>""" + IRIREF + r""")
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<var>[?$][\w\u00B7\u00C0-\uFFFF]+)
  | (?P<name>[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*(?::[\w.\-:%\\\u00B7\u00C0-\uFFFF]*)?
           |:[\w.\-:%\u00B7\u00C0-\uFFFF]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def _tokens(sparql: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) for every token but whitespace and comments."""
    out = []
    for m in _TOKEN_RE.finditer(sparql):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            out.append((kind, m.group(), m.start(), m.end()))
    return out


def _match_close(toks: list, i: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``toks[i]``."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j][0] == "open":
            depth += 1
        elif toks[j][0] == "close":
            depth -= 1
            if depth == 0:
                return j
    raise QueryError("malformed SPARQL: unbalanced braces")


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword outside any group."""
    for kind, text, *_ in _tokens(sparql):
        if kind == "name" and text.upper() in _FORMS:
            return text.upper()
        if kind == "open":
            break
    raise QueryError("malformed SPARQL: no SELECT, ASK, CONSTRUCT or DESCRIBE")


def sparql_term(t: Term) -> str:
    """A term as SPARQL text, every character of its value escaped (never raw user text)."""
    from kg.model.nquads import iri, literal

    if t.kind == "iri":
        return iri(t.value)
    if t.kind == "bnode":
        raise QueryError("a blank node cannot be bound in a query sent to a SPARQL endpoint")
    if t.lang:
        if not _LANG_RE.match(t.lang):
            raise QueryError(f"invalid language tag {t.lang!r}")
        return literal(t.value) + "@" + t.lang
    if t.datatype and t.datatype != XSD + "string":
        return literal(t.value) + "^^" + iri(t.datatype)
    return literal(t.value)


def values_clause(bindings: dict[str, Term]) -> str:
    names = list(bindings)
    for n in names:
        if not _VAR_RE.match(n):
            raise QueryError(f"invalid variable name {n!r}")
    head = " ".join("?" + n for n in names)
    row = " ".join(sparql_term(bindings[n]) for n in names)
    return f"VALUES ({head}) {{ ({row}) }}"


def bind_values(sparql: str, bindings: dict[str, Term]) -> str:
    """The query with ``bindings`` joined in as a VALUES block opening its outermost WHERE group.

    The protocol has no way to pass bindings, so they become data: each value
    is written as an escaped RDF term, and the block goes where the query's
    own patterns start, so the result is what Oxigraph's substitution gives.
    """
    if not bindings:
        return sparql
    values = values_clause(bindings)
    toks = _tokens(sparql)
    form_at = next((i for i, t in enumerate(toks) if t[0] == "name" and t[1].upper() in _FORMS), None)
    if form_at is None:
        raise QueryError("malformed SPARQL: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    form = toks[form_at][1].upper()
    i = form_at + 1
    if form == "CONSTRUCT":
        if i < len(toks) and toks[i][0] == "open":  # skip the template
            i = _match_close(toks, i) + 1
        else:  # CONSTRUCT WHERE { triples }: spell out the template
            j = next((k for k in range(i, len(toks)) if toks[k][0] == "open"), None)
            if j is None:
                raise QueryError("malformed SPARQL: CONSTRUCT without a WHERE group")
            end = _match_close(toks, j)
            body = sparql[toks[j][3]:toks[end][2]]
            return (sparql[:toks[form_at][3]] + " {" + body + "} WHERE { " + values + " " + body + "}"
                    + sparql[toks[end][3]:])
    j = next((k for k in range(i, len(toks)) if toks[k][0] == "open"), None)
    if j is None:
        if form == "DESCRIBE":
            return sparql.rstrip() + f" WHERE {{ {values} }}"
        raise QueryError(f"malformed SPARQL: {form} without a WHERE group")
    at = toks[j][3]
    if j + 1 < len(toks) and toks[j + 1][0] == "name" and toks[j + 1][1].upper() == "SELECT":
        end = _match_close(toks, j)  # { SELECT … } : wrap the sub-select in its own group
        return sparql[:at] + f" {values} {{" + sparql[at:toks[end][2]] + "} " + sparql[toks[end][2]:]
    return sparql[:at] + f" {values} " + sparql[at:]
