"""Render rows as a table, JSON or CSV (the ``--format`` of every listing command)."""

from __future__ import annotations

import csv
import io
import json

FORMATS = ("table", "json", "csv")


def _cell(v: object, width: int | None) -> str:
    s = "" if v is None else str(v)
    s = " ".join(s.split())
    if width and len(s) > width:
        s = s[: width - 1] + "…"
    return s


def render(rows: list[dict], fmt: str = "table", columns: list[str] | None = None, max_width: int = 70) -> str:
    """Rows of dicts as text; ``columns`` fixes their order (default: keys of the first row)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == "json":
        # One row per line: indent= switches json to its pure-Python encoder (0.2 s on a 1.6 MB answer).
        encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
        if not rows:
            return "[]"
        return "[\n" + ",\n".join("  " + encode({c: r.get(c) for c in columns}) for r in rows) + "\n]"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return buf.getvalue().rstrip("\n")
    if not rows:
        return "(no results)"
    cells = [[_cell(r.get(c), max_width) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)
