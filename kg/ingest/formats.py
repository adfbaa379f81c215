"""Documents from saved web pages, PDF files and RSS/Atom feeds, read offline.

Each reader takes the file's bytes and returns :class:`~kg.model.records.Document` keyword
arguments (``text``, ``title``, ``source``, ``url``, ``date``, ``language``,
``authors``, ``keywords``, ``meta``); kg/documents.py adds id, path and digest.
trafilatura, pypdf and feedparser are imported when a file of theirs is read,
never at import time, and none of them is ever given anything to fetch.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from kg.model.errors import InputError
from kg.ingest.metadata import Warn, meta_values, parse_date

# Libraries that log their complaints about malformed files: without a handler of their own,
# Python prints those on standard error in the middle of a build report.
for _name in ("pypdf", "trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

MIN_FALLBACK_CHARS = 200
_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)", re.I)


def _date(value: object, what: str, path: str | Path, warn: Warn, line: int | None = None) -> str | None:
    if value in (None, ""):
        return None
    date = parse_date(value)
    if date is None:
        warn(f"{what} {str(value)!r} is not a date kg can read; the document is kept without a date", line)
    return date


def read_html(data: bytes, path: str | Path, warn: Warn) -> dict:
    """A saved web page: its main text (navigation, adverts and footers left out) and metadata.

    Title, author, publication date (from the page's metadata, not guessed from its text), site
    name (-> source), canonical URL, section, tags and description, via trafilatura.
    """
    import trafilatura

    def extract(**options):
        try:
            found = trafilatura.bare_extraction(
                data, with_metadata=True, include_comments=False, include_tables=True,
                date_extraction_params={"extensive_search": False, "original_date": True}, **options)
        except Exception as e:  # noqa: BLE001 - lxml and trafilatura fail in many ways on broken pages
            raise InputError(f"not a readable HTML page ({type(e).__name__}: {e})", path) from None
        return found, (getattr(found, "text", None) or "").strip() if found is not None else ""

    # The main-content extractor alone first; its fallbacks (readability, jusText, the whole body)
    # only when it finds nothing, and then only a paragraph's worth: a menu is not an article.
    found, text = extract(favor_precision=True, fast=True)
    if not text:
        found, text = extract(favor_precision=True)
        if len(text) < MIN_FALLBACK_CHARS:
            text = ""
    if not text:
        raise InputError("HTML page with no main text (empty, or only navigation and scripts)", path)
    lang = _LANG.search(data[:4096])
    meta = [("section", c) for c in found.categories or [] if c]
    meta += [(k, v) for k in ("description", "license", "image") for v in meta_values(getattr(found, k, None))]
    return {
        "text": text,
        "title": found.title or None,
        "source": found.sitename or None,
        "url": found.url or None,
        "date": _date(found.date, "page date", path, warn),
        "language": (found.language or (lang.group(1).decode("ascii") if lang else None)),
        "authors": tuple(a.strip() for a in re.split(r";", found.author or "") if a.strip()),
        "keywords": tuple(k.strip() for t in found.tags or [] for k in t.split(",") if k.strip()),
        "meta": tuple(meta),
    }


def _pdf_date(raw: object) -> str | None:
    """A PDF date string ``D:20230705101500+02'00'`` as ISO, or None."""
    m = re.match(r"\s*(?:D:)?([0-9]{4})([0-9]{2})([0-9]{2})", str(raw or ""))
    return parse_date(f"{m.group(1)}-{m.group(2)}-{m.group(3)}") if m else None


# What a browser prints around a saved page ("12/2/26, 10:30 PM Title", "file:///a.html 1/1",
# "https://example.org/a 2 of 3") and what repeats at the edge of every page (running headers, page
# numbers) is not the article.
_PRINT_FURNITURE = re.compile(
    r"^\s*(?:\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}(?:\s?[AP]M)?\b.*"
    r"|(?:file|https?)://\S+(?:\s+\d+\s*(?:/|of)\s*\d+)?"
    r"|(?:page\s+)?\d+\s*(?:/|of)\s*\d+)\s*$", re.I)
_EDGE = 2  # lines at the top and at the bottom of a page that may be furniture
# A date as a dateline writes it: the month named, with day and year ("20 March 2024",
# "March 20, 2024"), or ISO. A numeric "12/2/26" is left out: browsers print the day of printing so.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATELINE = re.compile(rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
                       rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b", re.I)
_OPENING_LINES = 12


def _without_furniture(pages: list[str]) -> list[str]:
    """The pages without the lines printed around them: browser headers and footers, and lines that
    repeat at the edge of most pages (digits aside: page numbers differ)."""
    split = [[unicodedata.normalize("NFKC", line) for line in p.splitlines()] for p in pages]
    edges: dict[str, int] = {}
    for lines in split:
        for key in {_edge_key(line) for line in lines[:_EDGE] + lines[-_EDGE:] if line.strip()}:
            edges[key] = edges.get(key, 0) + 1
    running = {k for k, n in edges.items() if len(split) >= 2 and n >= max(2, (len(split) + 1) // 2)}
    out = []
    for lines in split:
        edge = set(range(min(_EDGE, len(lines)))) | set(range(max(0, len(lines) - _EDGE), len(lines)))
        out.append("\n".join(line for i, line in enumerate(lines) if not (i in edge and (
            _PRINT_FURNITURE.match(line) or _edge_key(line) in running))).strip())
    return out


def _edge_key(line: str) -> str:
    """A line at a page's edge as it repeats: short ones with their numbers aside ("Herald 3 May page 4")."""
    line = line.strip()
    return re.sub(r"\d+", "#", line) if len(line.split()) <= 6 else line


def _dateline(text: str) -> str | None:
    """The date of an article's dateline: the first date written out in its opening lines."""
    lines = [line for line in text.splitlines() if line.strip()][:_OPENING_LINES]
    for line in lines:
        if len(line) <= 120:  # a dateline or a byline, not a sentence of the story
            m = _DATELINE.search(line)
            if m and parse_date(m.group(0)):
                return parse_date(m.group(0))
    return None


def read_pdf(data: bytes, path: str | Path, warn: Warn) -> dict:
    """A PDF's text, page by page joined with blank lines, and its title, author and date.

    An encrypted PDF (one that needs a password), an unreadable one and one without text (a scan)
    are InputErrors.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # owner-password-only PDFs open without one
            except Exception:  # noqa: BLE001 - missing crypto backends and unknown handlers alike
                opened = 0
            if not opened:
                raise InputError("encrypted PDF: it needs a password, kg cannot read its text", path)
        pages = _without_furniture([(page.extract_text() or "").strip() for page in reader.pages])
        info = reader.metadata or {}
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            OSError, UnicodeError, ZeroDivisionError) as e:
        raise InputError(f"not a readable PDF ({type(e).__name__}: {e})", path) from None
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise InputError(f"PDF without text ({len(pages)} page{'s' if len(pages) != 1 else ''}; "
                         "a scan needs OCR first)", path)

    def field(name: str) -> str | None:
        try:
            value = info.get(name)
        except Exception:  # noqa: BLE001 - broken metadata objects
            return None
        value = str(value).strip() if value is not None else ""
        return value or None

    # The file's creation date is when it was made (saved, printed, downloaded), often not when the
    # article appeared: the dateline in the text comes first.
    raw_date = field("/CreationDate")
    date = _dateline(text)
    if date is None:
        date = _pdf_date(raw_date)
        if raw_date and date is None:
            warn(f"PDF creation date {raw_date!r} is not a date kg can read; the document is kept without a date",
                 None)
        elif date is not None:
            warn(f"no date in the PDF's opening lines; its creation date {date} is used (when the file was made, "
                 "which may not be when the article appeared)", None)
    keywords = field("/Keywords")
    meta = [(k, v) for k, name in (("description", "/Subject"), ("producer", "/Producer"))
            for v in [field(name)] if v]
    return {
        "text": text,
        "title": field("/Title"),
        "authors": (field("/Author"),) if field("/Author") else (),
        "date": date,
        "keywords": tuple(k.strip() for k in re.split(r"[,;]", keywords or "") if k.strip()),
        "meta": tuple(meta),
    }


_FEED_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)\b")


def is_feed(head: bytes) -> bool:
    """Whether the first bytes of an XML file open an RSS, Atom or RSS 1.0 (RDF) feed."""
    head = re.sub(rb"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>]*>", b"", head, flags=re.S)
    m = _FEED_ROOT.search(head)
    return bool(m) and not head[: m.start()].strip(b" \t\r\n\xef\xbb\xbf")


class _Text(HTMLParser):
    """Plain text of an HTML fragment: blocks on their own lines, scripts and styles dropped."""

    BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr",
              "table", "section", "article", "pre", "hr", "dd", "dt", "figcaption"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))  # line breaks in HTML source are spaces


def html_text(fragment: str) -> str:
    """An HTML fragment (a feed entry's content) as plain text, one paragraph a line."""
    if "<" not in fragment and "&" not in fragment:
        lines = fragment.splitlines()
    else:
        parser = _Text()
        parser.feed(fragment)
        parser.close()
        lines = "".join(parser.parts).splitlines()
    return "\n".join(s for s in (" ".join(line.split()) for line in lines) if s)


def iter_feed(data: bytes, path: str | Path, warn: Warn) -> Iterator[tuple[int, dict]]:
    """(entry number from 1, Document keyword arguments plus ``id``) for each entry of an RSS/Atom feed.

    The text is the entry's content, else its summary, as plain text (it may be empty: the caller
    skips such entries). The feed's title is the source of entries that name none.
    """
    import feedparser

    # A stream, never a string: feedparser fetches a string that looks like a URL.
    feed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False, sanitize_html=True)
    if feed.bozo and not feed.entries:
        raise InputError(f"not a readable RSS or Atom feed ({feed.get('bozo_exception', 'no entries')})", path)
    channel = feed.feed
    for n, e in enumerate(feed.entries, 1):
        content = "\n".join(c.get("value", "") for c in e.get("content", []) if c.get("value"))
        text = html_text(content or e.get("summary", "") or "")
        source = (e.get("source") or {}).get("title") or channel.get("title")
        authors = [a.get("name") for a in e.get("authors", []) if a.get("name")] or (
            [e.author] if e.get("author") else [])
        raw_date = e.get("published") or e.get("updated") or e.get("created")
        yield n, {
            "id": e.get("id") or None,
            "text": text,
            "title": html_text(e.get("title", "")) or None,
            "source": html_text(source) if source else None,
            "url": e.get("link") or None,
            "date": _date(raw_date, f"entry {n}: date", path, warn),
            "language": e.get("language") or channel.get("language") or None,
            "authors": tuple(dict.fromkeys(a.strip() for a in authors if a.strip())),
            "keywords": tuple(dict.fromkeys(t.get("term", "").strip() for t in e.get("tags", [])
                                            if (t.get("term") or "").strip())),
            "meta": (),
        }
