"""Turning checked YAML fields into RDF terms: the pieces :mod:`kg.ingest.reference_yaml` builds from.

:class:`Triples` collects triples once each, in order, with literals in the file's
language; the functions read IRIs, dates, headers and references from fields as
:func:`kg.ingest.safe_yaml.mapping` returns them, raising InputError at the value's line.
"""

from __future__ import annotations

import datetime
import difflib
import re

from kg.model.errors import InputError
from kg.model.namespaces import DCT, PREFIXES, SKOS
from kg.ingest.reference import normalise
from kg.ingest.safe_yaml import check_keys, is_null, line, mapping, scalar, value

LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ABSOLUTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|urn:)\S+$")
# Keys whose value is a text (a literal in the file's language), and their predicates.
TEXT = {"title": DCT + "title", "description": DCT + "description", "definition": SKOS + "definition",
        "scope_note": SKOS + "scopeNote", "note": SKOS + "note"}


class Triples:
    """Collects triples in order, once each, with literals in the file's language."""

    def __init__(self, path: object):
        self.path, self.lang, self.triples, self._seen = path, "en", [], set()

    def iri(self, value: str, at: int):
        import pyoxigraph as ox

        try:
            return ox.NamedNode(value)
        except ValueError:
            raise InputError(f"not a valid IRI: {value!r}", self.path, at) from None

    def add(self, s: str, p: str, o, at: int = 0) -> None:
        import pyoxigraph as ox

        if isinstance(o, str):
            o = self.iri(o, at)
        t = (self.iri(s, at), ox.NamedNode(p), o)
        if t not in self._seen:
            self._seen.add(t)
            self.triples.append(t)

    def text(self, s: str, p: str, value: str) -> None:
        import pyoxigraph as ox

        self.add(s, p, ox.Literal(value, language=self.lang) if self.lang else ox.Literal(value))

    def plain(self, s: str, p: str, value: str, datatype: str | None = None) -> None:
        import pyoxigraph as ox

        self.add(s, p, ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value))


def language(top: dict, out: Triples, path: object) -> None:
    """Take the file's ``language:`` (a tag such as en or pt-BR, or null for untagged literals)."""
    if "language" in top:
        lang = scalar(top["language"][1], path, "language", allow_null=True)
        if lang is not None and not LANGUAGE.match(lang):
            raise InputError(f"bad language tag {lang!r} (e.g. en, de, pt-BR)", path, line(top["language"][1]))
        out.lang = lang


def as_iri(value: str) -> str | None:
    """An IRI written in full or with a kg prefix (``kgr:actor/x``, ``wd:Q36``), else None."""
    if ABSOLUTE.match(value):
        return value
    prefix, sep, rest = value.partition(":")
    if sep and prefix in PREFIXES and rest and not any(c.isspace() for c in rest):
        return PREFIXES[prefix] + rest
    return None


def iri_of(fields: dict, path: object, default: str) -> str:
    """The IRI the ``id`` field gives, else ``default``."""
    if "id" not in fields:
        return default
    text = scalar(fields["id"][1], path, "id")
    iri = as_iri(text)
    if iri is None:
        raise InputError(f"'id' must be an IRI (https://…, urn:…, kgr:…, wd:…), not {text!r}", path,
                         line(fields["id"][1]))
    return iri


def header_fields(top: dict, key: str, keys: tuple[str, ...], path: object) -> dict | None:
    """The fields of the header ``key`` (``codebook:``, ``gazetteer:``), None if absent or empty."""
    if key not in top or is_null(top[key][1]):
        return None
    fields = mapping(top[key][1], path, f"'{key}' header")
    check_keys(fields, keys, f"the '{key}' header", path)
    return fields or None


def describe(out: Triples, s: str, fields: dict, path: object, keys=("title", "description")) -> None:
    """The text ``keys`` present in ``fields`` as literals of ``s`` (see :data:`TEXT`)."""
    for k in keys:
        if k in fields:
            out.text(s, TEXT[k], value(fields, k, path))


def claim(names: dict, name: str, iri: str, at: int, what: str, path: object) -> None:
    """Record that ``name`` names ``iri``; a name of two different things is an error."""
    key = normalise(name)
    other = names.setdefault(key, (iri, at))
    if other[0] != iri:
        raise InputError(f"the name {name!r} already names another {what} (line {other[1]})", path, at)


def resolver(names: dict, labels: list[str], what: str, path: object):
    """``resolve(name, key, line)``: the IRI a reference names (a name of this file, or an IRI)."""

    def resolve(name: str, key: str, at: int) -> str:
        hit = names.get(normalise(name))
        iri = hit[0] if hit else as_iri(name)
        if iri is None:
            close = difflib.get_close_matches(name, labels, n=3)
            raise InputError(f"unknown {what} {name!r} in {key!r}" + (f"; did you mean: {', '.join(close)}?" if close
                             else f" (a {what} of this file by any of its names, or an IRI)"), path, at)
        return iri

    return resolve


def date(fields: dict, key: str, path: object) -> str | None:
    """A YYYY-MM-DD date (a real one), or None when the key is absent."""
    if key not in fields:
        return None
    text = scalar(fields[key][1], path, key)
    try:
        if not DATE.match(text):
            raise ValueError
        datetime.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"bad date {text!r} for {key!r} (expected YYYY-MM-DD)", path, line(fields[key][1])) from None
    return text
