"""What ``kg serve`` checks before a query reaches the engine: size, nesting depth, the query form (an
update is refused), and SERVICE.

Size and depth are measured on the text with a small scanner (:mod:`kg.store.sparql_scan`), so that a query
nested deeper than the engine's parser can recurse (3,000 braces crash
Oxigraph's; so do 10,000 '!' in a row, which count as depth too) is refused
before anything parses it.  The scanner skips strings
and comments; it counts brackets inside IRIs too, and it reads the text both
as sent and with ``\\uXXXX`` escapes expanded, keeping the deeper count, so
that a mismatch with the engine's reading can only over-count.

SERVICE is refused on the parsed query (rdflib's SPARQL 1.1 parser and
algebra), never on its text: a query whose algebra holds a ServiceGraphPattern
anywhere (a subquery, EXISTS, a VALUES-driven ``SERVICE ?s``) is refused; so
is a query the parser cannot read in which a word outside strings, IRIs and
comments starts with "service" (Oxigraph reads ``SERVICEsvc:x`` as SERVICE
followed by ``svc:x``).  A text
in which the letters "service" occur nowhere (in any case, escapes expanded)
cannot hold the keyword, so it needs no parse; that keeps the common query
free of a parse that costs more than the engine's own evaluation.

>>> scan("ASK { FILTER((1)) } # {{{{").depth
3
>>> mentions_service('SELECT * { ?s ?p "x" }')
False
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from kg.store import sparql_scan

SCAN_RE, Scan, expand_escapes, scan = (sparql_scan.SCAN_RE, sparql_scan.Scan, sparql_scan.expand_escapes,
                                      sparql_scan.scan)  # Scan, scan: for the endpoint's callers

DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_QUERY_BYTES = 128 * 1024

UPDATE_VERBS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
SERVICE_REFUSED = "federated queries (SERVICE) are not allowed: this endpoint never fetches other URLs"


class Refusal(Exception):
    """A query the endpoint will not run, with the HTTP status and one-line message to answer with."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Limits:
    """Per-query limits checked on the text before it is parsed."""

    max_depth: int = DEFAULT_MAX_DEPTH
    max_query_bytes: int = DEFAULT_MAX_QUERY_BYTES

    def recursion_limit(self) -> int:
        """A Python recursion limit at which rdflib's parser reads any query within ``max_depth``."""
        return 40 * self.max_depth + 2000


def check_text(text: str, limits: Limits) -> Scan:
    """Raise :class:`Refusal` (400) for a query over the size or depth limit."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_query_bytes:
        raise Refusal(400, f"query of {size} bytes is over this endpoint's limit of {limits.max_query_bytes} bytes")
    result = scan(text, limits.max_depth)
    if result.depth > limits.max_depth:
        raise Refusal(400, f"query nested more than {limits.max_depth} deep (braces, brackets and parentheses "
                           f"outside strings and comments); that is this endpoint's limit")
    return result


# --- looking at query text (never changing it) --------------------------------------------------

_LEX_RE = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$]\w+)
  | (?P<pname>(?:[A-Za-z_][\w.\-]*)?:(?:[\w.\-:%]|\\.)*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class QueryShape:
    """What the server needs to know about a query before running it."""

    form: str  # the first keyword after the prologue: SELECT, ASK, CONSTRUCT, DESCRIBE, INSERT, …

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_VERBS


def query_shape(text: str) -> QueryShape:
    """The query form, ignoring comments, strings and IRIs (SERVICE is found on the parsed query instead).

    >>> query_shape('PREFIX a: <urn:x#> # INSERT\\nSELECT ("INSERT" AS ?s) {}')
    QueryShape(form='SELECT')
    >>> query_shape("PREFIX a: <urn:x#>\\ninsert data { <urn:a> <urn:b> <urn:c> }").is_update
    True
    """
    words = (m.group("word").upper() for m in _LEX_RE.finditer(text) if m.lastgroup == "word")
    return QueryShape(next((w for w in words if w not in ("PREFIX", "BASE")), ""))


# --- SERVICE, on the parsed query ---------------------------------------------------------------------

def mentions_service(text: str) -> bool:
    """Whether the letters "service" occur anywhere, in any case, as sent or with escapes expanded."""
    return "service" in text.casefold() or "service" in expand_escapes(text).casefold()


_WORD_RE = re.compile(r"[A-Za-z_][\w.\-:]*")


def _service_like_token(text: str) -> bool:
    """Whether a word outside strings, IRIs and comments starts with "service" (how a parser could read it),
    in the text as sent or with its escapes expanded."""
    for variant in {text, expand_escapes(text)}:
        for m in SCAN_RE.finditer(variant):
            if m.lastgroup == "other" and any(w.group().casefold().startswith("service")
                                              for w in _WORD_RE.finditer(m.group())):
                return True
    return False


def _holds_service(node: object) -> bool:
    """Whether a parse tree or algebra (rdflib CompValues, lists, dicts) holds a ServiceGraphPattern."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack, seen = [node], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                return True
            stack.extend(dict.values(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)) or type(item).__name__ == "ParseResults":
            stack.extend(item)
    return False


def _one_line(e: object) -> str:
    return " ".join(str(e).split())[:300]


def check_service(text: str, prefixes: dict[str, str], limits: Limits) -> None:
    """Raise :class:`Refusal` (400) when the query uses SERVICE, or mentions it and cannot be parsed.

    Updates parsed here are refused with 403, like every other update.
    """
    if not mentions_service(text):
        return
    from pyparsing import ParseException
    from rdflib.plugins.sparql import algebra, parser

    if sys.getrecursionlimit() < limits.recursion_limit():
        sys.setrecursionlimit(limits.recursion_limit())
    try:
        tree = parser.parseQuery(text)
    except (ParseException, RecursionError, ValueError, TypeError):
        try:
            parser.parseUpdate(text)
        except Exception:  # noqa: BLE001 - neither a query nor an update
            pass
        else:
            raise Refusal(403, "SPARQL Update is not allowed: this endpoint is read-only") from None
        if _service_like_token(text):
            raise Refusal(400, SERVICE_REFUSED) from None
        return  # "service" only inside strings, IRIs or comments; the engine reports any syntax error
    if _holds_service(tree):
        raise Refusal(400, SERVICE_REFUSED)
    try:
        query = algebra.translateQuery(tree, initNs=prefixes)
    except Exception:  # noqa: BLE001 - e.g. an undeclared prefix: the engine says so; the parse tree held no SERVICE
        return
    if _holds_service(query.algebra):
        raise Refusal(400, SERVICE_REFUSED)
