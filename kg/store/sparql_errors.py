"""SPARQL syntax errors in words: where (line, column, the text there) and what is wrong.

The engines' own messages are hard to act on: Oxigraph reports the farthest
point any grammar alternative reached followed by the token set it expected
there, pyparsing the start of the clause that failed to match. When an engine
rejects a query, :func:`syntax_error` looks at the query text for the usual
mistakes — a mistyped keyword, a prefix that is not declared, an unclosed
brace, a triple without its object, an unterminated string — and says which
and where, in one line::

    SPARQL syntax error at line 1, column 1 near "SELEC * WHE…": expected a query form such as
    SELECT, ASK, CONSTRUCT or DESCRIBE (did you mean SELECT?)

When it finds none of them it falls back to the position the engine gave.
It never runs the query.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from kg.model.errors import QueryError
from kg.store.sparql_scan import IRIREF, STRING

NEAR = 11  # characters of the query quoted after the position (then "…")
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
# Every bare word SPARQL 1.1 (query and update) knows, with Oxigraph's extensions (LATERAL, RDF-star
# functions); matched case-insensitively, except 'a'.
KEYWORDS = frozenset("""
BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED FROM NAMED WHERE ORDER BY ASC DESC LIMIT OFFSET
VALUES UNDEF GRAPH OPTIONAL SERVICE SILENT BIND MINUS UNION FILTER GROUP HAVING AS LATERAL
LOAD CLEAR DROP CREATE ADD MOVE COPY TO INTO DEFAULT ALL INSERT DELETE DATA WITH USING TRUE FALSE
COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR
STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE
ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ
NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK
ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE EXISTS NOT IN
TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR HASLANG HASLANGDIR STRLANGDIR ADJUST
""".split())
_PN_CHARS = r"\w\u00B7\u00C0-\uFFFF"
_TOKEN_RE = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>{STRING})
  | (?P<badstring>\"\"\"|'''|["'])
  | (?P<iri>{IRIREF})
  | (?P<badiri><[A-Za-z][A-Za-z0-9+.\-]*:[^>\s]*\s[^>\n]*>)
  | (?P<var>[?$][{_PN_CHARS}]+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF_][{_PN_CHARS}.\-]*)?:(?:\\[_~.\-!$&'()*+,;=/?#@%]|[{_PN_CHARS}:%\-]|\.(?=[{_PN_CHARS}:%\\]))*)
  | (?P<word>[A-Za-z_][{_PN_CHARS}]*)
  | (?P<open>[{{(\[])
  | (?P<close>[}})\]])
  | (?P<op>\^\^|&&|\|\||!=|<=|>=|[.,;*=<>!+\-/|^?])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_PAIRS = {"{": "}", "(": ")", "[": "]"}
_NAMES = {"{": "brace", "(": "parenthesis", "[": "bracket", "}": "brace", ")": "parenthesis", "]": "bracket"}
_TERMS = ("var", "iri", "pname", "string", "number")
_BINARY = ("=", "!=", "<", ">", "<=", ">=", "&&", "||", "!")


class SparqlSyntaxError(QueryError):
    """A query the engine could not parse, located: ``line`` and ``column`` count from 1; ``near`` is the text there."""

    def __init__(self, reason: str, line: int, column: int, near: str, context: str = ""):
        self.reason, self.line, self.column, self.near = reason, line, column, near
        text = f'SPARQL syntax error at line {line}, column {column} near "{near}": {reason}'
        super().__init__(f"{context}: {text}" if context else text)


class UpdateRefusedError(QueryError):
    """A SPARQL update sent where only queries are allowed."""

    def __init__(self) -> None:
        super().__init__("refusing a SPARQL update: it would change the store (kg query --update allows it)")


class _Found(Exception):
    def __init__(self, at: int, reason: str):
        self.at, self.reason = at, reason


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of every token but whitespace and comments."""
    return [(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN_RE.finditer(text)
            if m.lastgroup not in ("ws", "comment")]


def locate(text: str, at: int) -> tuple[int, int, str]:
    """Line and column (from 1) of offset ``at`` in ``text``, and the text there (what precedes it at the end)."""
    at = max(0, min(at, len(text)))
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    rest = text[at:].split("\n", 1)[0]
    if not rest.strip():  # at the end of a line or of the query: quote what leads up to it
        start = text.rfind("\n", 0, at) + 1
        before = text[start:at].rstrip()
        near = ("…" + before[-NEAR:]) if len(before) > NEAR else before
        return line, column, near
    return line, column, rest[:NEAR] + ("…" if len(rest) > NEAR else "")


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word.upper(), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _complete(statement: list[str] | None, at: int, need: int) -> None:
    """Raise when the plain terms of ``statement`` are fewer than a triple pattern needs there."""
    if statement and len(statement) < need:
        what = {3: "a subject, a predicate and an object", 2: "a predicate and an object after ';'",
                1: "an object after ','"}[need]
        raise _Found(at, f"incomplete triple pattern: {what} are needed, got {' '.join(statement)}")


def _check(text: str, prefixes: Mapping[str, str], update: bool) -> None:
    """Raise :class:`_Found` at the first mistake in ``text``; return when none of the usual ones is there."""
    toks = _tokens(text)
    if not toks:
        raise _Found(0, "the query is empty")
    declared = {p.rstrip(":") for p in prefixes}
    stack: list[tuple[str, int, bool]] = []  # open brackets: (bracket, offset, is a VALUES data block)
    i = 0
    # The prologue: PREFIX name: <iri> and BASE <iri>, in any number.
    while i < len(toks) and toks[i][0] == "word" and toks[i][1].upper() in ("PREFIX", "BASE"):
        kw = toks[i][1].upper()
        if kw == "PREFIX":
            if i + 1 >= len(toks) or toks[i + 1][0] != "pname" or not toks[i + 1][1].endswith(":"):
                raise _Found(toks[i + 1][2] if i + 1 < len(toks) else len(text),
                             "expected a prefix name ending in ':' after PREFIX (PREFIX ex: <http://example.org/>)")
            if i + 2 >= len(toks) or toks[i + 2][0] != "iri":
                raise _Found(toks[i + 2][2] if i + 2 < len(toks) else len(text),
                             f"expected an IRI in <…> after PREFIX {toks[i + 1][1]}")
            declared.add(toks[i + 1][1][:-1])
            i += 3
        else:
            if i + 1 >= len(toks) or toks[i + 1][0] != "iri":
                raise _Found(toks[i + 1][2] if i + 1 < len(toks) else len(text), "expected an IRI in <…> after BASE")
            i += 2
    if i >= len(toks):
        raise _Found(len(text), "the query has a prologue but no query form (SELECT, ASK, CONSTRUCT or DESCRIBE)")
    kind, word, at = toks[i]
    forms = UPDATE_FORMS if update else FORMS
    if not (kind == "word" and word.upper() in forms):
        what = ("an update operation such as INSERT, DELETE, LOAD or CLEAR" if update
                else "a query form such as SELECT, ASK, CONSTRUCT or DESCRIBE")
        raise _Found(at, f"expected {what}" + (_suggest(word, forms) if kind == "word" else ""))
    # A triple pattern needs a subject, a predicate and an object: "{ ?s ?p }" and "?s ?p ." are caught.
    # Only plain patterns of terms are checked; paths, lists, brackets, keywords and VALUES data are left
    # to the engine. `statement` holds the terms since the last '{', '.' or '}' (None: not checkable).
    statement: list[str] | None = []
    need = 3  # terms a statement needs: 3 after '{' or '.', 2 after ';' (predicate, object), 1 after ','
    values = False  # a VALUES keyword is waiting for its data block
    rest = toks[i:]
    for n, (kind, tok, at) in enumerate(rest):
        after = rest[n + 1] if n + 1 < len(rest) else ("end", "", len(text))
        if kind == "word" and tok.upper() in ("GROUP", "ORDER") and after[1].upper() != "BY":
            raise _Found(after[2], f"expected BY after {tok.upper()}")
        if kind == "word" and tok.upper() in ("LIMIT", "OFFSET") and after[0] != "number":
            raise _Found(after[2], f"expected a whole number after {tok.upper()}")
        if kind == "op" and tok in _BINARY and (after[0] == "end" or after[1] in (")", "}", ",", ";")):
            raise _Found(after[2], f"missing operand after '{tok}'")
        if kind == "badstring":
            raise _Found(at, f"unterminated string: the {tok} that opens it is never closed on its line")
        if kind == "badiri":
            raise _Found(at, "an IRI cannot contain spaces (write them as %20)")
        if kind == "other":
            raise _Found(at, f"unexpected character {tok!r}")
        if kind == "pname" and re.match(r"/[\w-]+(?![\w-]*:)", text[at + len(tok):]):
            # "kgr:topic/congestion-charge": read as a property path, it fails on the word after '/'
            end = re.match(r"[^\s{}();,.]*", text[at:]).end()
            raise _Found(at, f"a prefixed name cannot contain '/': write {text[at:at + end].replace('/', chr(92) + '/')} "
                             f"or the whole IRI in <…>")
        if kind == "word" and tok.upper() not in KEYWORDS and tok != "a":
            raise _Found(at, f"unknown keyword '{tok}'" + _suggest(tok, KEYWORDS))
        if kind == "pname":
            prefix = tok.split(":", 1)[0]
            if prefix != "_" and prefix not in declared:
                raise _Found(at, f"unknown prefix '{prefix}:' (declare it: PREFIX {prefix}: <…>)")
        group = bool(stack) and stack[-1][0] == "{" and not stack[-1][2]
        if kind == "open":
            stack.append((tok, at, values and tok == "{"))
            values = values and tok != "{"
            statement, need = ([] if tok == "{" else None), 3
        elif kind == "close":
            if not stack:
                raise _Found(at, f"unexpected '{tok}': no {_NAMES[tok]} is open here")
            opener, where, _data = stack.pop()
            if _PAIRS[opener] != tok:
                line, column, _ = locate(text, where)
                raise _Found(at, f"'{tok}' does not match the '{opener}' at line {line}, column {column} "
                                 f"(expected '{_PAIRS[opener]}')")
            if tok == "}" and group:
                _complete(statement, at, need)
            statement, need = ([] if tok == "}" else None), 3
        elif group:
            if kind == "op" and tok in ".;,":
                _complete(statement, at, need)
                statement, need = [], {".": 3, ";": 2, ",": 1}[tok]
            elif statement is not None and (kind in _TERMS or (kind == "word" and tok == "a")):
                statement.append(tok)
            else:
                statement = None
        if kind == "word" and tok.upper() == "VALUES":
            values = True
    if stack:
        opener, where, _data = stack[-1]
        line, column, _ = locate(text, where)
        raise _Found(len(text.rstrip()), f"missing closing {_NAMES[opener]} '{_PAIRS[opener]}' for the '{opener}' "
                                         f"at line {line}, column {column}")


_OXIGRAPH_AT = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?:\s*(.*)", re.DOTALL)


def _expected(message: str) -> str:
    """The engine's 'expected …' list in words when it is short and readable, else ''."""
    m = re.match(r"expected (?:one of )?(.*)", message.strip(), re.DOTALL)
    if not m:
        return ""
    items = [x.strip().strip('"') for x in re.split(r",\s*", m.group(1)) if x.strip()]
    items = [x for x in items if x != "[_]"]
    if not items or len(items) > 4 or not all(re.fullmatch(r"[A-Za-z]+|[^\sA-Za-z0-9\[\]']{1,2}", x) for x in items):
        return ""
    shown = [x if x.isalpha() else f"'{x}'" for x in items]
    return "expected " + (shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1])


def _offset(text: str, line: int, column: int) -> int:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    line = max(1, min(line, len(starts)))
    return min(starts[line - 1] + max(column, 1) - 1, len(text))


def syntax_error(text: str, prefixes: Mapping[str, str] | None = None, *, update: bool = False,
                 engine: str = "", line: int | None = None, column: int | None = None,
                 skip_lines: int = 0, clause: bool = True) -> QueryError:
    """The error to raise for ``text``, which an engine rejected with message ``engine``.

    ``prefixes`` are those declared for the query besides its own (default: the
    project's); ``line`` and ``column`` (from 1) the engine's position when it
    gives one (Oxigraph's "error at L:C" is read from ``engine``), counted in a
    text that had ``skip_lines`` lines (a prologue) before ``text``. When none of
    the usual mistakes is found, the position is where rdflib's grammar stops
    (unless ``clause`` is false), else the engine's.
    """
    from kg.model.namespaces import PREFIXES

    try:
        _check(text, PREFIXES if prefixes is None else prefixes, update)
    except _Found as f:
        return SparqlSyntaxError(f.reason, *locate(text, f.at))
    # None of the usual mistakes: fall back to a parser's position. pyparsing's (rdflib's parser, run
    # here without evaluating anything) is the start of the clause that fails; Oxigraph's is often the end.
    detail = engine
    m = _OXIGRAPH_AT.search(engine)
    if m:
        detail = m.group(3)
    if line is None and clause:
        line, column = _clause_position(text, update) or (None, None)
    if m and (line, column) != (int(m.group(1)) - skip_lines, int(m.group(2))):
        if line is None:
            line, column = int(m.group(1)) - skip_lines, int(m.group(2))
        else:
            detail = ""  # what Oxigraph expected was at another place
    if line is None or line < 1:
        return QueryError(f"SPARQL syntax error: {' '.join(engine.split())[:200] or 'the query cannot be parsed'}")
    at = _offset(text, line, column or 1)
    reason = "the query ends too early" if not text[at:].strip() else "the clause that starts here cannot be parsed"
    hint = _expected(detail)
    return SparqlSyntaxError(reason + (f"; {hint}" if hint else ""), *locate(text, at))


def _clause_position(text: str, update: bool) -> tuple[int, int] | None:
    """Where rdflib's SPARQL grammar stops matching ``text`` (line, column from 1), or None."""
    try:
        from pyparsing import ParseException
        from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    except ImportError:  # pragma: no cover - rdflib is a dependency
        return None
    try:
        (parseUpdate if update else parseQuery)(text)
    except ParseException as e:
        return e.lineno, e.col
    except Exception:  # noqa: BLE001 - any other failure: no position to give
        return None
    return None
