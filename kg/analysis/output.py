"""Render rows as a table, JSON or CSV (the ``--format`` of every listing command)."""

from __future__ import annotations

import contextvars
import csv
import io
import json
import re
import shutil
import unicodedata

FORMATS = ("table", "json", "csv")
# Cells a spreadsheet would run as a formula (OWASP, CSV injection): = + - @ and tab or carriage return.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Whether CSV cells go out as they are (``--raw``); the CLI sets it for one command.
RAW_CSV: contextvars.ContextVar[bool] = contextvars.ContextVar("kg_raw_csv", default=False)


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that Excel, LibreOffice and Sheets show as text: one that would start a formula gets a
    leading apostrophe (OWASP's advice). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_cells(values, raw: bool | None = None):
    """``values`` as CSV cells: neutralised unless ``raw`` (default: :data:`RAW_CSV`)."""
    if raw if raw is not None else RAW_CSV.get():
        return list(values)
    return [spreadsheet_safe(v) for v in values]


DEFAULT_WIDTH = 120  # columns when the output is no terminal (a pipe, a file) and $COLUMNS is unset
MIN_COLUMN = 8  # a squeezed column keeps at least this many characters (or its header's width)
LONG_WORD = 24  # ... and its longest word up to this many: ids and names stay whole, prose wraps
PROSE = 24  # a column of long texts (quotes) keeps at least this many
GUTTER = 2  # spaces between columns


def terminal_width(default: int = DEFAULT_WIDTH) -> int:
    """Columns to fit a table into: ``$COLUMNS``, else the terminal's width, else ``default``."""
    return max(20, shutil.get_terminal_size((default, 24)).columns or default)


def _cell(v: object) -> str:
    return "" if v is None else " ".join(str(v).split())


def cell_width(s: str) -> int:
    """Columns ``s`` takes in a terminal: wide East Asian characters take two, combining marks none."""
    if s.isascii():
        return len(s)
    return sum(0 if unicodedata.combining(c) else (2 if unicodedata.east_asian_width(c) in "WF" else 1) for c in s)


def _fold(word: str, width: int) -> list[str]:
    """A word longer than ``width`` cut into pieces of at most ``width`` columns: after a hyphen or slash
    where it can (``troop-`` ``deployment``), else anywhere."""
    pieces, cur, used = [], "", 0
    for part in re.findall(r"[^-/]*[-/]+|[^-/]+", word):
        w = cell_width(part)
        if cur and used + w <= width:
            cur, used = cur + part, used + w
            continue
        if cur:
            pieces.append(cur)
            cur, used = "", 0
        for c in part:
            cw = cell_width(c)
            if cur and used + cw > width:
                pieces.append(cur)
                cur, used = "", 0
            cur += c
            used += cw
    return pieces + [cur] if cur else pieces


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken between words (inside a word only when it is
    longer than a line). Nothing is dropped."""
    if cell_width(text) <= width:
        return [text]
    lines: list[str] = []
    cur, used = "", 0
    for word in text.split(" "):
        w = cell_width(word)
        if cur and used + 1 + w <= width:
            cur, used = cur + " " + word, used + 1 + w
            continue
        if cur:
            lines.append(cur)
        if w > width:
            *full, cur = _fold(word, width)
            lines.extend(full)
            used = cell_width(cur)
        else:
            cur, used = word, w
    lines.append(cur)
    return lines


def column_widths(natural: list[int], floors: list[int], total: int) -> list[int]:
    """Widths of columns that would like ``natural`` widths, in ``total`` columns all told (gutters included).

    Every column gets its floor, and what is left is shared in proportion to how
    much more each would like: a long quote gets more room than a short name.
    When even the floors do not fit, the floors are returned: the table is then
    wider than asked.
    """
    n = len(natural)
    avail = total - GUTTER * (n - 1)
    if sum(natural) <= avail:
        return list(natural)
    floors = [min(f, w) for f, w in zip(floors, natural)]
    spare = avail - sum(floors)
    if spare <= 0:
        return floors
    want = [w - f for w, f in zip(natural, floors)]
    # A column that needs only a little more gets it first (a whole id or name beats two more letters of
    # prose); the rest is shared.
    floors = list(floors)
    for i in sorted(range(n), key=lambda i: (want[i], i)):
        if 0 < want[i] <= spare // 4:
            floors[i] += want[i]
            spare -= want[i]
            want[i] = 0
    if not any(want):
        return floors
    share = [spare * x // sum(want) for x in want]
    widths = [f + s for f, s in zip(floors, share)]
    spare -= sum(share)
    for i in sorted(range(n), key=lambda i: (share[i] - spare * want[i] / sum(want), i)):  # the rounding
        if spare <= 0:
            break
        if widths[i] < natural[i]:
            widths[i] += 1
            spare -= 1
    return widths


def _table(rows: list[dict], columns: list[str], max_width: int | None, width: int | None) -> str:
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    natural = [max(cell_width(c), *(cell_width(row[i]) for row in cells)) for i, c in enumerate(columns)]
    if max_width:
        natural = [min(w, max(max_width, cell_width(c))) for w, c in zip(natural, columns)]
    # A column keeps room for its header and its longest word (up to LONG_WORD: ids, names), so that
    # squeezing wraps prose rather than cutting words.
    # When those floors do not fit, the longest words kept whole get shorter (down to none): words are
    # folded rather than the table made too wide.
    total = width or terminal_width()
    words = [max((cell_width(w) for row in cells for w in row[i].split(" ")), default=0) for i in range(len(columns))]

    def floors_for(cap: int, prose: int) -> list[int]:
        # Prose (a column wider than two long words) keeps `prose` columns: it is what a person reads.
        return [min(max(cell_width(c), MIN_COLUMN, min(w, cap), prose if n > 2 * LONG_WORD else 0), n)
                for c, w, n in zip(columns, words, natural)]

    def fits(floors: list[int]) -> bool:
        return sum(floors) + GUTTER * (len(columns) - 1) <= total

    cap, prose = LONG_WORD, PROSE
    while cap > 0 and not fits(floors_for(cap, prose)):
        cap -= 1
    while prose > 0 and not fits(floors_for(cap, prose)):
        prose -= 1
    widths = column_widths(natural, floors_for(cap, prose), total)

    def lines(values: list[str]) -> list[str]:
        parts = [wrap(v, w) for v, w in zip(values, widths)]
        out = []
        for k in range(max(map(len, parts))):
            texts = [p[k] if k < len(p) else "" for p in parts]
            out.append((" " * GUTTER).join(t + " " * (w - cell_width(t)) for t, w in zip(texts, widths)).rstrip())
        return out

    body = [lines(row) for row in cells]
    out = lines(list(columns)) + [(" " * GUTTER).join("-" * w for w in widths)]
    # A blank line between rows once some row takes several lines, so that each row reads as one.
    spaced = any(len(b) > 1 for b in body)
    for i, b in enumerate(body):
        if spaced and i:
            out.append("")
        out += b
    return "\n".join(out)


def render(rows: list[dict], fmt: str = "table", columns: list[str] | None = None, max_width: int | None = None,
           width: int | None = None) -> str:
    """Rows of dicts as text; ``columns`` fixes their order (default: keys of the first row).

    A table fits ``width`` columns (default: the terminal's, see :func:`terminal_width`):
    cells too long for their column wrap onto further lines, nothing is cut.
    ``max_width`` caps how wide any one column grows before it wraps.
    """
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
        # RFC 4180's CRLF: with "\n" alone the csv module leaves a cell holding "\r" unquoted.
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(csv_cells(columns))
        w.writerows(csv_cells(r.get(c, "") for c in columns) for r in rows)
        return buf.getvalue().removesuffix("\r\n")
    if not rows:
        return "(no results)"
    return _table(rows, columns, max_width, width)
