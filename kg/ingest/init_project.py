"""Start a project for a new debate: a folder kg builds as it is, with commented examples.

``init_project("farm")`` creates ``farm/articles/`` (for the texts) and three YAML
files kg reads without any Turtle: ``topics.yaml`` (the codebook), ``actors.yaml``
(the gazetteer) and ``curated.yaml`` (hand-coded assertions, none yet). The
examples are a small debate on EU farm policy; the comments say what every key
means. Existing files are never overwritten unless ``force``.
"""

from __future__ import annotations

from pathlib import Path

from kg.model.errors import InputError
from kg.model.files import write_atomic

TEMPLATES = Path(__file__).parent / "templates" / "project"
FILES = ("topics.yaml", "actors.yaml", "curated.yaml")
ARTICLES = "articles"


def init_project(directory: str | Path, force: bool = False) -> list[Path]:
    """Create the project folder ``directory``; return what was written (the articles folder first
    when it was created, then the files).

    Raises InputError, before writing anything, when ``directory`` is a file or one of the
    files exists (unless ``force``).
    """
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise InputError("exists and is not a folder", root)
    targets = [root / name for name in FILES]
    if not force:
        for t in targets:
            if t.exists():
                raise InputError("already exists; kg init does not overwrite it (--force does)", t)
    if (root / ARTICLES).exists() and not (root / ARTICLES).is_dir():
        raise InputError("exists and is not a folder", root / ARTICLES)
    written: list[Path] = []
    try:
        root.mkdir(parents=True, exist_ok=True)
        if not (root / ARTICLES).is_dir():
            (root / ARTICLES).mkdir()
            written.append(root / ARTICLES)
        for t in targets:
            write_atomic(t, (TEMPLATES / t.name).read_bytes())
            written.append(t)
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror or e}", e.filename or root) from None
    return written
