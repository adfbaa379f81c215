"""What kg makes of a file: document, curated assertions, reference data, or something it skips.

Suffixes decide, except for ``.jsonl/.ndjson/.json/.csv/.tsv`` (articles only when the first row
has a text column and no ``stance`` key) and ``.xml`` (a document only when it is a feed).
kg/documents.py re-exports everything here; kg/build.py sorts its inputs with :func:`document_kind`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.model.errors import InputError
from kg.ingest.metadata import ROW_FIELDS
from kg.ingest.tables import COLLECTION_SUFFIXES, first_row_keys, is_article_rows

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
PDF_SUFFIXES = {".pdf"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
# Every suffix a document may have; .jsonl, .json, .csv/.tsv and .xml files are documents only when
# their content says so (see document_kind).
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | COLLECTION_SUFFIXES | FEED_SUFFIXES
CURATED_SUFFIXES = {".yaml", ".yml"}
REFERENCE_SUFFIXES = {".ttl"}
# Files of a corpus folder that are about it, not in it: never reported as skipped.
_ABOUT = re.compile(r"(readme|licen[cs]e|copying|changelog|changes|notice|authors|contributing)\b", re.I)


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


def walk_inputs(paths: Iterable[str | Path], columns: dict[str, str] | None = None) -> Iterator[tuple[Path, str, bool]]:
    """Every file under ``paths`` (one walk, sorted as :func:`iter_files`) as (path, kind, named).

    ``kind`` is :func:`document_kind`'s; ``named`` is True for a file named in ``paths`` rather than
    found in a folder. Hidden files and folders are left out; so are "ignored" files found in folders.
    """
    for p in map(Path, paths):
        if not p.exists():
            raise InputError("no such file or folder", p)
        if p.is_file():
            yield p, document_kind(p, columns), True
            continue
        for f in iter_files([p], _ANY):
            kind = document_kind(f, columns)
            if kind != "ignored":
                yield f, kind, False


class _Any(set):
    """Every suffix (``iter_files`` filters by membership)."""

    def __contains__(self, item: object) -> bool:
        return True


_ANY = _Any()


def is_article_collection(path: str | Path, columns: dict[str, str] | None = None) -> bool:
    """Whether a ``.jsonl/.ndjson/.json/.csv/.tsv`` file holds articles, judged by its first non-empty row.

    An article row has a text column (text, body, content, full_text, story_text, ...; or
    ``columns["text"]``) and no ``stance`` key: curated/gold assertion rows (doc, actor, stance,
    target, ...) are not articles.
    """
    path = Path(path)
    if path.suffix.lower() not in COLLECTION_SUFFIXES:
        return False
    return is_article_rows(first_row_keys(path), columns)


def document_kind(path: str | Path, columns: dict[str, str] | None = None) -> str:
    """What kg makes of a file, from its name and, for collections and ``.xml``, its first bytes.

    - ``"document"``: one or more documents (iter_documents reads it);
    - ``"curated"``: curated assertions (``.yaml``/``.yml``, and a ``.jsonl`` that is not an article
      collection);
    - ``"reference"``: Turtle reference data (``.ttl``);
    - ``"ignored"``: a folder's README, LICENSE and the like without a document suffix (``README.md``
      is a document, as it always was);
    - ``"unsupported"``: anything else (``.docx``, ``.png``, a JSON or CSV without article rows, XML
      that is not a feed); :func:`unsupported_reason` says why.

    Hidden files and folders are left out by the folder walk (:func:`iter_files`, :func:`walk_inputs`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES and _written_by_kg(path):
        return "unsupported"  # "kg viz --out x.html" in the corpus folder: our page, not an article
    if suffix in TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | (FEED_SUFFIXES - {".xml"}):
        return "document"
    if suffix in CURATED_SUFFIXES:
        return "curated"
    if suffix in REFERENCE_SUFFIXES:
        return "reference"
    if suffix in COLLECTION_SUFFIXES:
        if is_article_collection(path, columns):
            return "document"
        return "curated" if suffix == ".jsonl" else "unsupported"
    if suffix == ".xml":
        from kg.ingest.formats import is_feed

        try:
            with open(path, "rb") as f:
                head = f.read(4096)
        except OSError:
            return "document"  # reading it says why it cannot be read
        return "document" if is_feed(head) else "unsupported"
    if _ABOUT.match(path.name):
        return "ignored"
    return "unsupported"


_KG_PAGE = re.compile(rb'<meta name="generator" content="kg[ "]')


def _written_by_kg(path: Path) -> bool:
    """Whether an HTML file is a page kg wrote (its generator tag, near the top)."""
    try:
        with open(path, "rb") as f:
            return bool(_KG_PAGE.search(f.read(2048)))
    except OSError:
        return False  # reading it says why it cannot be read


def unsupported_reason(path: str | Path) -> str:
    """Why :func:`document_kind` found ``path`` unsupported, in a few words for the skipped list."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES and _written_by_kg(path):
        return "a page kg wrote (kg viz), not an article"
    if suffix in COLLECTION_SUFFIXES:
        names = ", ".join(ROW_FIELDS["text"][:5])
        return (f"no article rows: the first row has no text column ({names}, ...; name it with --columns text=COLUMN) "
                "or has a 'stance' key")
    if suffix == ".xml":
        return "XML that is not an RSS or Atom feed"
    if suffix in CURATED_SUFFIXES:
        return "curated assertions, not a document"
    if suffix in REFERENCE_SUFFIXES:
        return "reference data (Turtle), not a document"
    if _ABOUT.match(path.name):
        return "a file about the corpus (README, LICENSE, ...), not a document"
    return (f"unsupported file type {suffix or '(no suffix)'} (documents are {', '.join(sorted(DOCUMENT_SUFFIXES))})")

