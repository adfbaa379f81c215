"""Read source documents: text with YAML front matter, web pages, PDFs, article collections, feeds.

A text document's id is its file name without extension; character offsets are
relative to its body (the text after the front matter), which is ``Document.text``
whatever the input. Formats (by suffix):

- ``.txt .md .text .markdown``: UTF-8 text with optional front matter (kg/front_matter.py);
- ``.html .htm .xhtml``: saved web pages, main text and metadata (kg/formats.py);
- ``.pdf``: the text of every page (kg/formats.py);
- ``.csv .tsv .jsonl .ndjson .json``: one article a row (kg/tables.py); a ``.jsonl`` whose
  first row has a ``stance`` key or no text column holds curated assertions instead;
- ``.rss .atom`` and ``.xml`` feeds: one article an entry (kg/formats.py).

:func:`document_kind` tells what kg makes of any file, for callers that sort inputs.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.model.errors import InputError
from kg.ingest.file_kinds import (  # re-exported: callers sort their inputs with these
    CURATED_SUFFIXES, DOCUMENT_SUFFIXES, FEED_SUFFIXES, HTML_SUFFIXES, PDF_SUFFIXES, REFERENCE_SUFFIXES,
    TEXT_SUFFIXES, document_kind, is_article_collection, iter_files, unsupported_reason, walk_inputs,
)
from kg.ingest.metadata import ROW_FIELDS, ReadWarning, check_columns, map_fields
from kg.model.records import Document
from kg.ingest.tables import COLLECTION_SUFFIXES, RowError, is_article_rows, iter_rows, row_id

__all__ = ["CURATED_SUFFIXES", "DEFAULT_MAX_BYTES", "DOCUMENT_SUFFIXES", "REFERENCE_SUFFIXES", "ReadWarning",
           "Skipped", "content_digest", "document_kind", "is_article_collection", "iter_documents", "iter_files",
           "read_collection", "read_document", "read_documents", "unsupported_reason", "walk_inputs"]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Pages, PDFs, JSON arrays and feeds carry markup: their files may be this many times max_bytes
# (their text, like a text file, at most max_bytes).
MARKUP_FACTOR = 20
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Skipped:
    """A file that was reported and skipped, with the reason."""

    path: str
    reason: str


def _decode(data: bytes, path: Path) -> str:
    if not data.strip():
        raise InputError("empty document", path)
    if b"\x00" in data[:8192]:
        raise InputError("binary file, not a text document", path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})", path, line) from None
    return text.removeprefix("\ufeff")


def _read_bytes(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"document is {size} bytes, over the limit of {limit}", path)
        return path.read_bytes()
    except OSError as e:
        raise InputError(e.strerror or "cannot read", path) from None


def _warner(path: Path, warnings: list[ReadWarning] | None, prefix: str = "") -> Callable[..., None]:
    """warn(message, line): to ``warnings`` when given, else to this module's logger."""
    def warn(message: str, line: int | None = None) -> None:
        w = ReadWarning(str(path), line, prefix + message)
        if warnings is None:
            _log.warning("warning: %s", w)
        else:
            warnings.append(w)
    return warn


_CONTENT = ("id", "text", "title", "source", "url", "date", "language", "authors", "keywords", "meta")
_FIELDS = _CONTENT[1:]


def content_digest(fields: dict) -> str:
    """SHA-256 of a canonical serialisation of what becomes a document (its id, text and metadata).

    A page, PDF, row or feed entry is digested this way rather than by its file's bytes, so that a
    collection's rows change independently and a reader that extracts differently rebuilds.
    """
    canonical = json.dumps({k: fields.get(k) or None for k in _CONTENT}, ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check_text(text: str, max_bytes: int, path: Path, line: int | None = None) -> None:
    size = len(text.encode("utf-8", "replace"))
    if size > max_bytes:
        raise InputError(f"document text is {size} bytes, over the limit of {max_bytes}", path, line)


def _clean(value):
    """Strings a reader returned, made writable as UTF-8 (a PDF's font may yield lone surrogates)."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, tuple):
        return tuple(_clean(v) for v in value)
    return value


def _derived(doc_id: str, path: Path, fields: dict, **where) -> Document:
    """A Document from reader fields (a page, PDF, row or entry), digested by its content."""
    kwargs = {k: _clean(fields[k]) for k in _FIELDS if fields.get(k) is not None}
    return Document(id=doc_id, path=str(path), sha256=content_digest({**kwargs, "id": doc_id}), **kwargs, **where)


def _text_document(path: Path, max_bytes: int, warn) -> Document:
    from kg.ingest.front_matter import parse_front_matter

    data = _read_bytes(path, max_bytes)
    text = _decode(data, path)
    items, offset = parse_front_matter(text, path, warn)
    body = text[offset:]
    if not body.strip():
        raise InputError("document has no text after its front matter", path)
    fields = map_fields(items, path, warn) if items else {}
    return Document(id=path.stem, text=body, path=str(path), body_offset=offset,
                    sha256=hashlib.sha256(data).hexdigest(), **fields)


def read_document(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, *,
                  warnings: list[ReadWarning] | None = None) -> Document:
    """Read one text document, web page or PDF (a collection or feed: :func:`read_collection`).

    Raises InputError naming the file (and line) for missing, empty, binary, oversized, non-UTF-8,
    encrypted or textless files and bad front matter. Things read anyway (a date kg cannot read, a
    repeated key) are appended to ``warnings`` as :class:`ReadWarning`; without a list they are
    logged on the ``kg.ingest.documents`` logger.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    warn = _warner(path, warnings)
    if suffix in TEXT_SUFFIXES:
        return _text_document(path, max_bytes, warn)
    if suffix in HTML_SUFFIXES | PDF_SUFFIXES:
        from kg.ingest.formats import read_html, read_pdf

        data = _read_bytes(path, max_bytes * MARKUP_FACTOR)
        if not data.strip():
            raise InputError("empty document", path)
        fields = (read_html if suffix in HTML_SUFFIXES else read_pdf)(data, path, warn)
        _check_text(fields["text"], max_bytes, path)
        return _derived(path.stem, path, fields)
    if suffix in COLLECTION_SUFFIXES | FEED_SUFFIXES:
        raise InputError(f"a {suffix} file holds several articles: read it with read_collection or iter_documents",
                         path)
    raise InputError(unsupported_reason(path), path)


def read_collection(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, *, columns: dict[str, str] | None = None,
                    strict: bool = True, skipped: list[Skipped] | None = None,
                    warnings: list[ReadWarning] | None = None) -> Iterator[Document]:
    """The documents of an article collection (CSV/TSV, JSON Lines, JSON array) or an RSS/Atom feed.

    One document a row or entry, in file order, with ``Document.path`` the file, ``row`` the row or
    entry number (from 1) and ``line`` the file line where the row starts (when known). Ids: the id
    column (``id``, ``stories_id``, ``guid``, ...; slugified), else one made from the URL, else
    ``<file stem>-<row>``; an id used twice is an InputError naming file and row. ``columns`` maps
    fields (text, title, date, source, url, authors, id, language, keywords) to column names as
    written, e.g. ``{"text": "story_text"}``; other columns become metadata (``Document.meta``).

    Rows and entries without text are reported in ``skipped`` (logged without a list) and passed
    over; a malformed row raises InputError with ``strict``, else is reported likewise. A file that
    cannot be read at all (not UTF-8, no text column, not a feed) raises InputError.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    check_columns(columns)
    report = skipped if skipped is not None else _LogList()

    def bad(n: int, line: int | None, message: str, always_skip: bool = False) -> None:
        if strict and not always_skip:
            raise InputError(f"row {n}: {message}", path, line)
        report.append(Skipped(str(path), f"row {n}: {message}" + (f" (line {line})" if line else "")))

    seen: dict[str, Document] = {}
    n = 0
    for n, line, fields in _collection_fields(path, suffix, max_bytes, columns, warnings):
        if isinstance(fields, RowError):
            bad(n, fields.line, fields.message)
            continue
        text = fields.get("text")
        if not isinstance(text, str) or not text.strip():
            bad(n, line, "no text", always_skip=True)
            continue
        try:
            _check_text(text, max_bytes, path)
        except InputError as e:
            bad(n, line, e.message)
            continue
        doc = _derived(row_id(fields, path.stem, n), path, fields, row=n, line=line)
        _unique(doc, seen)
        yield doc
    if not n:
        report.append(Skipped(str(path), "no rows" if suffix not in FEED_SUFFIXES else "a feed without entries"))


class _LogList(list):
    """A skipped list nobody asked for: each entry goes to the log instead."""

    def append(self, s: Skipped) -> None:
        super().append(s)
        _log.warning("skipped %s: %s", s.path, s.reason)


class DuplicateIdError(InputError):
    """Two documents with one id: an error even when bad files are skipped."""


def _unique(doc: Document, seen: dict[str, Document]) -> None:
    other = seen.get(doc.id)
    if other is not None:
        here = f"row {doc.row}: " if doc.row else ""
        there = f"{other.path} row {other.row}" if other.row else other.path
        raise DuplicateIdError(f"{here}document id {doc.id!r} also used by {there}", doc.path, doc.line)
    seen[doc.id] = doc


def _collection_fields(path: Path, suffix: str, max_bytes: int, columns: dict[str, str] | None,
                       warnings: list[ReadWarning] | None) -> Iterator[tuple[int, int | None, dict | RowError]]:
    """(row, line, Document fields plus ``id``, or RowError) of each row or feed entry."""
    if suffix in FEED_SUFFIXES:
        from kg.ingest.formats import iter_feed

        data = _read_bytes(path, max_bytes * MARKUP_FACTOR)
        for n, fields in iter_feed(data, path, _warner(path, warnings)):
            yield n, None, fields
        return
    what = "column" if suffix in {".csv", ".tsv"} else "key"
    first = True
    for n, line, items in iter_rows(path, max_bytes, max_bytes * MARKUP_FACTOR):
        if isinstance(items, RowError):
            yield n, line, items
            continue
        if first:
            _check_first_row(path, 1 if what == "column" else line, [k for k, _, _ in items], columns, what)
            first = False
        try:
            yield n, line, map_fields(items, path, _warner(path, warnings, f"row {n}: "), ROW_FIELDS, columns, what)
        except InputError as e:
            yield n, line, RowError(e.message, e.line)


def _check_first_row(path: Path, line: int | None, keys: list[str], columns: dict[str, str] | None,
                     what: str) -> None:
    from kg.ingest.metadata import norm_key

    have = {norm_key(k) for k in keys}
    for field, column in (columns or {}).items():
        if norm_key(column) not in have:
            raise InputError(f"no {what} {column!r} (columns: {field}={column!r}); the first row has: "
                             f"{', '.join(keys)}", path, line)
    if not is_article_rows(set(keys), columns):
        raise InputError(unsupported_reason(path), path, line)


def read_documents(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES, strict: bool = True, *,
                   columns: dict[str, str] | None = None,
                   warnings: list[ReadWarning] | None = None) -> tuple[list[Document], list[Skipped]]:
    """Read every document under ``paths``: (documents, skipped files and rows).

    With ``strict`` the first bad file raises InputError (``kg build`` keeps the
    store as it was); otherwise bad files are reported in the skipped list.
    Two documents with the same id are an error either way. See :func:`iter_documents`.
    """
    skipped: list[Skipped] = []
    return list(iter_documents(paths, max_bytes, strict, skipped, columns=columns, warnings=warnings)), skipped


def iter_documents(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES, strict: bool = True,
                   skipped: list[Skipped] | None = None, *, columns: dict[str, str] | None = None,
                   warnings: list[ReadWarning] | None = None) -> Iterator[Document]:
    """:func:`read_documents` one document at a time, in path order (a collection's in row order).

    Files found in folders that kg does not read (``.docx``, ``.png``, a JSON without articles, an
    XML that is no feed) are appended to ``skipped`` with the reason; so are files named explicitly
    that are not documents, and collection rows without text. Curated (``.yaml``, gold ``.jsonl``)
    and reference (``.ttl``) files, hidden files and a folder's README/LICENSE files are passed over
    in silence. A bad document raises InputError with ``strict`` (and whenever ``skipped`` is None),
    else is appended to ``skipped``. If nothing under ``paths`` is a document but something was
    skipped, InputError "no documents found under ..." ends the iteration.
    ``columns`` and ``warnings``: as for :func:`read_collection` and :func:`read_document`.
    """
    paths = list(paths)
    check_columns(columns)
    report = skipped if skipped is not None else _LogList()
    before = len(report)
    count = 0
    seen: dict[str, Document] = {}
    for f, kind, named in walk_inputs(paths, columns):
        if kind != "document":
            if named or kind == "unsupported":
                report.append(Skipped(str(f), unsupported_reason(f)))
            continue
        if f.suffix.lower() in COLLECTION_SUFFIXES | FEED_SUFFIXES:
            docs = read_collection(f, max_bytes, columns=columns, strict=strict, skipped=report, warnings=warnings)
        else:
            docs = _one(f, max_bytes, warnings)
        while True:
            try:
                doc = next(docs)
            except StopIteration:
                break
            except InputError as e:
                if strict or skipped is None or isinstance(e, DuplicateIdError):
                    raise
                report.append(Skipped(str(f), e.message + (f" (line {e.line})" if e.line else "")))
                break
            _unique(doc, seen)
            count += 1
            yield doc
    if not count and len(report) > before:
        first = report[before]
        more = len(report) - before - 1
        raise InputError(f"no documents found under {', '.join(map(str, paths))}: skipped {first.path} "
                         f"({first.reason}){f' and {more} more' if more else ''}")


def _one(path: Path, max_bytes: int, warnings: list[ReadWarning] | None) -> Iterator[Document]:
    yield read_document(path, max_bytes, warnings=warnings)
