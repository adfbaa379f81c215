"""Read source documents: UTF-8 text with optional YAML front matter.

A document's id is its file name without extension; character offsets are
relative to its body (the text after the front matter).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .model import Document

DOCUMENT_SUFFIXES = {".txt", ".md", ".text"}
CURATED_SUFFIXES = {".yaml", ".yml"}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_FRONT_KEYS = {"title", "source", "url", "date", "language"}


@dataclass(frozen=True)
class Skipped:
    """A file that was reported and skipped, with the reason."""

    path: str
    reason: str


def iter_files(paths: Iterable[str | Path], suffixes: set[str]) -> Iterator[Path]:
    """Files under ``paths`` (folders recursively, sorted) whose suffix is in ``suffixes``.

    A path that does not exist raises InputError; a file named explicitly is
    yielded whatever its suffix.
    """
    for p in map(Path, paths):
        if not p.exists():
            raise InputError("no such file or folder", p)
        if p.is_file():
            if p.suffix.lower() in suffixes:
                yield p
        else:
            # os.walk and string keys rather than Path.rglob and Path ordering: a corpus
            # of 10^5 files spent seconds comparing Path objects. Same order (by path parts).
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found += [os.path.join(root, f) for f in files
                          if not f.startswith(".") and os.path.splitext(f)[1].lower() in suffixes]
            for f in sorted(found, key=lambda f: f.split(os.sep)):
                if os.path.isfile(f):
                    yield Path(f)


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


def _front_matter(text: str, path: Path) -> tuple[dict, int]:
    """Parse ``---`` YAML front matter; return (fields, body offset)."""
    if not text.startswith("---"):
        return {}, 0
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].strip() != "---":
        return {}, 0
    end = text.find("\n---", first_nl)
    if end < 0:
        raise InputError("front matter opened with '---' is never closed", path, 1)
    import yaml  # only documents with front matter pay for it

    try:
        # libyaml's C loader when present: front matter is parsed once per document.
        meta = yaml.load(text[first_nl + 1 : end], Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise InputError(f"bad front matter: {getattr(e, 'problem', e)}", path, mark.line + 2 if mark else 1) from None
    if not isinstance(meta, dict):
        raise InputError("front matter must be a mapping of key: value", path, 2)
    unknown = set(meta) - _FRONT_KEYS
    if unknown:
        raise InputError(f"unknown front matter key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(_FRONT_KEYS))})", path, 2)
    body = text.find("\n", end + 1)
    return meta, (len(text) if body < 0 else body + 1)


def _date(value: object, path: Path) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    try:
        return _dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise InputError(f"date {value!r} is not an ISO date (YYYY-MM-DD)", path) from None


def read_document(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one document; raise InputError for missing, empty, binary, oversized or non-UTF-8 files."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"document is {size} bytes, over the limit of {max_bytes}", path)
        data = path.read_bytes()
    except OSError as e:
        raise InputError(e.strerror or "cannot read", path) from None
    text = _decode(data, path)
    meta, offset = _front_matter(text, path)
    body = text[offset:]
    if not body.strip():
        raise InputError("document has no text after its front matter", path)
    return Document(
        id=path.stem,
        text=body,
        path=str(path),
        title=str(meta["title"]) if meta.get("title") else None,
        source=str(meta["source"]) if meta.get("source") else None,
        url=str(meta["url"]) if meta.get("url") else None,
        date=_date(meta.get("date"), path),
        language=str(meta["language"]) if meta.get("language") else None,
        body_offset=offset,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def read_documents(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES,
                   strict: bool = True) -> tuple[list[Document], list[Skipped]]:
    """Read every document under ``paths``.

    With ``strict`` the first bad file raises InputError (``kg build`` keeps the
    store as it was); otherwise bad files are reported in the skipped list.
    Two files with the same id are an error either way.
    """
    skipped: list[Skipped] = []
    return list(iter_documents(paths, max_bytes, strict, skipped)), skipped


def iter_documents(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES, strict: bool = True,
                   skipped: list[Skipped] | None = None) -> Iterator[Document]:
    """:func:`read_documents` one document at a time; skipped files are appended to ``skipped``."""
    seen: dict[str, str] = {}
    for f in iter_files(paths, DOCUMENT_SUFFIXES):
        try:
            doc = read_document(f, max_bytes)
        except InputError as e:
            if strict or skipped is None:
                raise
            skipped.append(Skipped(str(f), e.message + (f" (line {e.line})" if e.line else "")))
            continue
        if doc.id in seen:
            raise InputError(f"document id {doc.id!r} also used by {seen[doc.id]}", f)
        seen[doc.id] = doc.path
        yield doc
