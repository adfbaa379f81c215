"""Collections of articles: CSV/TSV tables, JSON Lines and JSON arrays, one article a row.

Columns are matched by the names news databases and Media Cloud exports use
(:data:`kg.ingest.metadata.ROW_FIELDS`: ``text``/``body``/``story_text``, ``title``/``headline``,
``publish_date``, ``media_name``, ``url``, ``author``, ``stories_id`` ...) or by an explicit
``columns`` mapping (field -> column as written), e.g. ``{"text": "story_text"}``. Other
columns are kept as document metadata. Files are read row by row (JSON arrays whole).
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from kg.model.errors import InputError
from kg.ingest.metadata import ROW_FIELDS, norm_key
from kg.model.namespaces import digest

TABLE_SUFFIXES = {".csv", ".tsv"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
COLLECTION_SUFFIXES = TABLE_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES
_TEXT_KEYS = frozenset(ROW_FIELDS["text"])
_WRAPPERS = ("stories", "articles", "items", "data", "results", "documents", "docs", "records")
_SNIFF_BYTES = 1 << 20


class RowError(Exception):
    """One bad row of a collection; the reader goes on with the next."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message, self.line = message, line


Row = tuple[int, "int | None", "list[tuple[str, object, int | None]] | RowError"]


def _delimiter(header: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _utf8_lines(f, path: Path) -> Iterator[str]:
    """Lines of a binary file decoded as UTF-8, an error naming the line otherwise."""
    for n, raw in enumerate(f, 1):
        try:
            yield raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f"not UTF-8 (byte 0x{raw[e.start]:02x})", path, n) from None


def _table_rows(path: Path, max_bytes: int) -> Iterator[Row]:
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes + 1))
    with open(path, "rb") as f:
        lines = _utf8_lines(f, path)
        first = next(lines, "")
        reader = csv.reader(_chain(first, lines), delimiter=_delimiter(first, path.suffix.lower()))
        try:
            header = [h.strip() for h in next(reader, [])]
        except csv.Error as e:
            raise InputError(f"bad CSV header: {e}", path, 1) from None
        if not any(header):
            raise InputError("empty table (no header row)", path, 1)
        n, line = 0, reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                n += 1
                yield n, line, RowError(f"bad CSV row: {e}", line)
                line = reader.line_num + 1
                continue
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            n += 1
            if len(cells) != len(header):
                yield n, start, RowError(f"{len(cells)} fields where the header has {len(header)}", start)
            else:
                yield n, start, [(k, v, start) for k, v in zip(header, cells) if k]


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _object_items(obj: object, line: int | None) -> list[tuple[str, object, int | None]] | RowError:
    if not isinstance(obj, dict):
        return RowError(f"a row must be a JSON object, not {type(obj).__name__}", line)
    return [(str(k), v, line) for k, v in obj.items()]


def _jsonl_rows(path: Path) -> Iterator[Row]:
    n = 0
    with open(path, "rb") as f:
        for line, text in enumerate(_utf8_lines(f, path), 1):
            if not text.strip():
                continue
            n += 1
            try:
                obj = json.loads(text)
            except (ValueError, RecursionError) as e:
                yield n, line, RowError(f"bad JSON: {e}", line)
                continue
            yield n, line, _object_items(obj, line)


def _json_array(text: str, path: Path) -> Iterator[tuple[object, int]]:
    """Elements of a JSON array with the line each starts on, decoded one by one."""
    decoder = json.JSONDecoder()
    ws = re.compile(r"[ \t\r\n]*")
    pos = ws.match(text, 1).end()
    line = 1 + text.count("\n", 0, pos)
    if text.startswith("]", pos):
        return
    while True:
        try:
            obj, end = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError) as e:
            raise InputError(f"bad JSON: {e}", path, line) from None
        yield obj, line
        after = ws.match(text, end).end()
        if text.startswith("]", after):
            return
        if not text.startswith(",", after):
            raise InputError("bad JSON: expected ',' or ']' after an element", path,
                             1 + text.count("\n", 0, after))
        start, pos = pos, ws.match(text, after + 1).end()
        line += text.count("\n", start, pos)


def _json_rows(path: Path, limit: int) -> Iterator[Row]:
    size = path.stat().st_size
    if size > limit:
        raise InputError(f"JSON file is {size} bytes, over the limit of {limit} (JSON Lines are read row by row)",
                         path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 (byte offset {e.start})", path) from None
    text = text.strip()
    if text.startswith("["):
        for n, (obj, line) in enumerate(_json_array(text, path), 1):
            yield n, line, _object_items(obj, line)
        return
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise InputError(f"bad JSON: {e}", path) from None
    rows = _wrapped(obj)
    if rows is None:
        raise InputError("JSON that is not an array of articles (nor an object with one, such as "
                         "{\"stories\": [...]})", path)
    for n, row in enumerate(rows, 1):
        yield n, None, _object_items(row, None)


def _wrapped(obj: object) -> list | None:
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict):
        for key in _WRAPPERS:
            if isinstance(obj.get(key), list):
                return obj[key]
    return None


def iter_rows(path: str | Path, max_bytes: int, limit: int) -> Iterator[Row]:
    """(row number from 1, file line or None, [(key, value, line)] or RowError) for each row.

    A file that cannot be read at all (no header, not JSON, not UTF-8 before the first row) raises
    InputError; a bad row is a RowError in the stream.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in TABLE_SUFFIXES:
            yield from _table_rows(path, max_bytes)
        elif suffix in JSONL_SUFFIXES:
            yield from _jsonl_rows(path)
        else:
            yield from _json_rows(path, limit)
    except OSError as e:
        raise InputError(e.strerror or "cannot read", path) from None


def first_row_keys(path: str | Path) -> set[str] | None:
    """Keys of the first non-empty row (CSV header, first JSON object), or None when there is none."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
            complete = not f.read(1)
    except OSError:
        return None
    text = codecs.decode(head, "utf-8-sig", errors="replace")
    if suffix in TABLE_SUFFIXES:
        try:
            first = next(csv.reader(text.splitlines()[:1] or [""], delimiter=_delimiter(text.split("\n", 1)[0],
                                                                                          suffix)), [])
        except csv.Error:
            return None
        return {h.strip() for h in first if h.strip()} or None
    if suffix in JSONL_SUFFIXES:
        for line in text.splitlines():
            if line.strip():
                try:
                    obj = json.loads(line)
                except ValueError:
                    return None
                return set(obj) if isinstance(obj, dict) else None
        return None
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            obj, _ = json.JSONDecoder().raw_decode(stripped, re.match(r"\[\s*", stripped).end())
            return set(obj) if isinstance(obj, dict) else None
        if stripped.startswith("{") and complete:
            rows = _wrapped(json.loads(stripped))
            return set(rows[0]) if rows and isinstance(rows[0], dict) else None
    except (ValueError, RecursionError):
        return None
    return None


def is_article_rows(keys: set[str] | None, columns: dict[str, str] | None = None) -> bool:
    """A row of articles has a text column (by name or per ``columns``) and no ``stance`` key."""
    if not keys:
        return False
    norm = {norm_key(k) for k in keys}
    if "stance" in norm:
        return False
    text = {norm_key(columns["text"])} if columns and "text" in columns else _TEXT_KEYS
    return bool(norm & text)


def slug_id(value: str, size: int = 80) -> str | None:
    """An id value as a document id: ASCII letters, digits, ``.``, ``_`` and ``-`` (case kept)."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")
    if not text:
        return None
    return text if len(text) <= size else f"{text[:size].rstrip('-._')}-{digest(value, size=8)}"


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def url_id(url: str) -> str | None:
    """``https://www.example.org/world/a?id=1`` -> ``example.org-world-a-id-1``."""
    return slug_id(re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://(www\.)?", "", url.strip()))


def row_id(fields: dict, stem: str, n: int) -> str:
    """A row's document id: its id column, else its URL, else ``<file stem>-<row number>``."""
    for value, make in ((fields.get("id"), slug_id), (fields.get("url"), url_id)):
        if value:
            found = (url_id if _URL.match(str(value)) else make)(str(value))  # a guid may be a URL
            if found:
                return found
    return f"{stem}-{n}"
