"""The nesting depth and size of a SPARQL text, measured without parsing it.

Parsers recurse on nesting: 3,000 braces overflow Oxigraph's parser's stack
(SIGSEGV), and rdflib's parser runs out of Python frames far sooner. Every
place that hands a query to an engine (the stores, ``kg serve``) measures it
here first. The scanner skips strings and comments; it counts brackets inside
IRIs too, and it reads the text both as sent and with ``\\uXXXX`` escapes
expanded, keeping the deeper count, so that a mismatch with the engine's
reading can only over-count.

>>> scan("ASK { FILTER((1)) } # {{{{").depth
3
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

_UCHAR_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# Pieces of the grammar the SPARQL tokenizers share (this scanner, kg.store.sparql_errors and
# kg.store.remote.bindings): a string in any of its four quotings, and an IRI without escapes.
STRING = r"""\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*'"""
IRIREF = r'<[^<>"{}|^`\\\x00-\x20]*>'

# Strings and comments are skipped; an IRI (escapes allowed, as Oxigraph allows them) is matched only
# so that a '#' inside it is no comment; a backslash escape outside them ('\#', "\'" in a local name)
# is taken with its character.  Runs of anything else are taken whole, so that the loop below turns
# once per bracket run, not once per character.
SCAN_RE = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<string>""" + STRING + r""")
  | (?P<open>[{\[(]+)
  | (?P<close>[}\])]+)
  | (?P<escape>\\.)
  | (?P<bang>!(?:\s*!)+)
  | (?P<other>[^#<"'{}\[\]()\\!]+|.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Scan:
    depth: int  # deepest nesting of {}, [] and () outside strings and comments
    size: int  # bytes of UTF-8


def _depth(text: str, stop: int) -> int:
    depth = deepest = 0
    for m in SCAN_RE.finditer(text):
        if deepest > stop:  # past the limit: how much deeper does not matter
            break
        kind = m.lastgroup
        if kind == "open":
            depth += len(m.group())
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - len(m.group()))
        elif kind == "bang":  # Oxigraph reads '!!!x' as nested negations, each one a level deeper
            deepest = max(deepest, depth + m.group().count("!"))
        elif kind in ("iri", "escape"):
            token = m.group()  # brackets inside count too: more depth, never less
            opens = sum(token.count(c) for c in "[(")
            deepest = max(deepest, depth + opens)
            depth = max(0, depth + opens - sum(token.count(c) for c in "])"))
    return deepest


def expand_escapes(text: str) -> str:
    """``\\uXXXX`` and ``\\UXXXXXXXX`` replaced by their characters (invalid code points kept as written)."""

    def one(m: re.Match) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group()

    return _UCHAR_RE.sub(one, text) if "\\" in text else text


def scan(text: str, stop: int = sys.maxsize) -> Scan:
    """The nesting depth and size of a query text (see the module's docstring); counting ends past ``stop``."""
    depth = _depth(text, stop)
    expanded = expand_escapes(text)
    if expanded != text and depth <= stop:
        depth = max(depth, _depth(expanded, stop))
    return Scan(depth, len(text.encode("utf-8", "surrogatepass")))
