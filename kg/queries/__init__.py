"""Named SPARQL queries shipped as ``.rq`` files; the project prefixes are predeclared."""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


def names() -> list[str]:
    """Names of the shipped queries (file names without ``.rq``)."""
    return sorted(p.stem for p in HERE.glob("*.rq"))


@cache
def load(name: str) -> str:
    """The text of the named query, e.g. ``load("stance")``."""
    path = HERE / f"{name}.rq"
    if not path.is_file():
        raise KeyError(f"no shipped query named {name!r} (have: {', '.join(names())})")
    return path.read_text(encoding="utf-8")
