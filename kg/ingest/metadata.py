"""Document metadata, whatever the input: field names people use, written dates, warnings.

Front matter keys, table columns, JSON keys and feed fields all go through
:func:`map_fields`: the names kg knows (``title``, ``author``, ``tags``, ...)
become :class:`~kg.model.records.Document` fields, everything else is kept as
``Document.meta`` (key, value) pairs that kg/rdf.py writes as ``kg:meta``.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.model.errors import InputError


@dataclass(frozen=True)
class ReadWarning:
    """Something odd in a document that was read anyway (e.g. a date kg cannot read)."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


Warn = Callable[[str, "int | None"], None]

# Document field -> the names it goes by (normalised: lower case, "_" for spaces and dashes).
# The first present wins for single-valued fields; authors and keywords gather every one.
FRONT_MATTER_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "source": ("source", "publisher", "outlet", "site_name", "sitename", "media_name"),
    "url": ("url", "link", "canonical_url"),
    "date": ("date", "publish_date", "date_published", "publication_date", "pubdate"),
    "language": ("language", "lang"),
    "authors": ("author", "authors", "byline", "creator"),
    "keywords": ("keywords", "tags"),
}
# Rows of article tables (CSV, JSON) as news databases and Media Cloud export them.
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "full_text", "fulltext", "story_text", "article_text", "maintext",
             "main_text", "article_body", "articlebody"),
    "id": ("id", "stories_id", "story_id", "guid", "article_id", "doc_id", "document_id", "uuid"),
    **FRONT_MATTER_FIELDS,
    "date": ("date", "publish_date", "published", "publication_date", "pub_date", "pubdate", "published_at",
             "date_published", "datepublished", "publish_time"),
    "source": ("source", "outlet", "media_name", "publisher", "media", "site_name", "sitename", "source_name"),
    "url": ("url", "link", "permalink", "canonical_url", "web_url"),
}
SINGLE = ("text", "id", "title", "source", "url", "date", "language")
MULTI = ("authors", "keywords")


def norm_key(key: str) -> str:
    """``"Publish Date"`` -> ``"publish_date"``: how field names are compared."""
    return re.sub(r"[\s\-]+", "_", str(key).strip().lower())


_ISO = re.compile(r"\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt\s]|$)")
_DOTTED = re.compile(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}\b")


def parse_date(value: object) -> str | None:
    """A written date as ISO ``YYYY-MM-DD``, or None when it is not a whole, possible date.

    Reads ISO dates and timestamps (``2023-07-05``, ``2023-07-05T10:00Z``: the date as written, no
    time-zone shift) and dates as people write them (``July 5, 2023``, ``5 July 2023``, RFC 822 as in
    RSS). Numeric ``5/7/2023`` is read month first, dotted ``05.07.2023`` day first. A date lacking
    its day, month or year, an impossible one (``2023-02-30``, month 13) or anything else gives None;
    it never raises.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(value).strip()
    if not text or len(text) > 100:
        return None
    m = _ISO.match(text)
    if m:
        try:
            return _dt.date(*map(int, m.groups())).isoformat()
        except ValueError:
            return None
    from dateutil import parser  # only for dates that are not ISO

    try:
        # Parsed against two different defaults: a missing day, month or year shows as a difference.
        dayfirst = bool(_DOTTED.match(text))  # 05.07.2023 is day first wherever it is written
        a = parser.parse(text, default=_dt.datetime(2000, 1, 1), dayfirst=dayfirst)
        b = parser.parse(text, default=_dt.datetime(2001, 2, 2), dayfirst=dayfirst)
    except Exception:  # noqa: BLE001 - dateutil raises ValueError, OverflowError and the odd others
        return None
    if a.date() != b.date():
        return None
    return a.date().isoformat()


def _scalar(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def meta_values(value: object) -> list[str]:
    """The strings a metadata value stands for: a list gives one per item, a mapping its JSON."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [s for v in value if v is not None for s in [_scalar(v).strip()] if s]
    if isinstance(value, (_dt.date, _dt.datetime)):
        value = value.isoformat()
    s = _scalar(value).strip()
    return [s] if s else []


def _many(field: str, value: object) -> list[str]:
    values = meta_values(value)
    if field == "keywords" and not isinstance(value, (list, tuple)):
        values = [k.strip() for v in values for k in re.split(r"[,;]", v)]
    return [v for v in values if v]


def map_fields(items: Iterable[tuple[str, object, int | None]], path: str | Path, warn: Warn,
               fields: dict[str, tuple[str, ...]] = FRONT_MATTER_FIELDS,
               columns: dict[str, str] | None = None, what: str = "front matter key") -> dict:
    """Map (key, value, line) items to Document keyword arguments.

    ``fields`` names the accepted keys of each field; ``columns`` (field -> key as written) overrides
    them. Keys that map to no field are kept in ``meta``. A single-valued field given a list or
    mapping is an InputError at its line; a date kg cannot read is a warning and no date.
    """
    items = list(items)
    by_norm: dict[str, list[int]] = {}
    for n, (key, _, _) in enumerate(items):
        by_norm.setdefault(norm_key(key), []).append(n)
    chosen: dict[str, list[int]] = {}
    used: set[int] = set()
    explicit = {f: (norm_key(c),) for f, c in (columns or {}).items()}
    for field, names in [*explicit.items(), *((f, n) for f, n in fields.items() if f not in explicit)]:
        hits = [n for name in names for n in by_norm.get(name, []) if n not in used]
        if hits:
            chosen[field] = sorted(hits) if field in MULTI else hits[:1]  # several: in file order
            used.update(chosen[field])
    out: dict = {}
    for field, hits in chosen.items():
        key, value, line = items[hits[0]]
        if field in MULTI:
            out[field] = tuple(v for n in hits for v in _many(field, items[n][1]))
            continue
        if isinstance(value, (list, tuple, dict)):
            kind = "mapping" if isinstance(value, dict) else "list"
            raise InputError(f"{what} {key!r} must be one value, not a {kind}", path, line)
        text = meta_values(value)
        if not text:
            continue
        if field == "date":
            date = parse_date(value)
            if date is None:
                warn(f"{what} {key!r}: {text[0]!r} is not a date kg can read (e.g. 2023-07-05 or July 5, 2023); "
                     "the document is kept without a date", line)
                continue
            out["date"] = date
        elif field == "text":
            out["text"] = value if isinstance(value, str) else text[0]  # the body exactly as given
        else:
            out[field] = text[0]
    out["meta"] = tuple((key.strip(), v) for n, (key, value, _) in enumerate(items)
                        if n not in used and key.strip() for v in meta_values(value))
    return out


def check_columns(columns: dict[str, str] | None) -> None:
    """A ``columns`` mapping names known fields (text, title, date, ...) only."""
    for field in columns or {}:
        if field not in ROW_FIELDS:
            raise InputError(f"columns: unknown field {field!r} (fields: {', '.join(ROW_FIELDS)})")
