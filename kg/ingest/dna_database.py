"""Reading a DNA 3 database (SQLite): open and check it, and decode DNA's values (dates, agreement,
attributes, variables). The schema and what kg reads of it: :mod:`kg.ingest.dna_import`."""

from __future__ import annotations

import datetime as _dt
import sqlite3
from pathlib import Path

from kg.model.errors import InputError

DNA_STATEMENT = "DNA Statement"
# Tables kg reads (Sql.java, createTables); a database lacking one is not a DNA 3 database.
REQUIRED_TABLES = ("DOCUMENTS", "STATEMENTS", "STATEMENTTYPES", "VARIABLES", "ENTITIES", "DATASHORTTEXT",
                   "DATABOOLEAN", "DATAINTEGER", "CODERS")


def _open(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise InputError("no such DNA database file", path)
    with path.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise InputError("not a DNA database: not an SQLite file", path)
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        tables = {r[0].upper() for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as e:
        raise InputError(f"not a DNA database: {e}", path) from None
    if [t for t in REQUIRED_TABLES if t not in tables]:
        con.close()
        raise InputError(f"not a DNA 3 database: no table {', '.join(sorted(set(REQUIRED_TABLES) - tables))}", path)
    return con


def _iso(seconds) -> tuple[str | None, str | None]:
    """DNA's Date (seconds since the epoch, UTC; Sql.java) as (YYYY-MM-DD, HH:MM:SS or None at midnight)."""
    try:
        t = _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=int(seconds))
    except (TypeError, ValueError, OverflowError):
        return None, None
    return t.date().isoformat(), (t.time().isoformat() if t.time() != _dt.time(0) else None)


def _attributes(con: sqlite3.Connection) -> dict[int, dict[str, str]]:
    """Entity id → {attribute name (lower case): value} from ATTRIBUTEVARIABLES/ATTRIBUTEVALUES."""
    out: dict[int, dict[str, str]] = {}
    try:
        rows = con.execute("SELECT v.EntityId, a.AttributeVariable, v.AttributeValue FROM ATTRIBUTEVALUES v "
                           "JOIN ATTRIBUTEVARIABLES a ON a.ID = v.AttributeVariableId").fetchall()
    except sqlite3.Error:  # an older file without attribute tables
        return out
    for entity, name, value in rows:
        if value is not None and str(value).strip():
            out.setdefault(entity, {})[str(name).strip().lower()] = str(value).strip()
    return out


def _variables(con: sqlite3.Connection, type_id: int, path: Path) -> dict[str, tuple[int, str]]:
    rows = con.execute("SELECT Variable, ID, DataType FROM VARIABLES WHERE StatementTypeId = ?", (type_id,))
    found = {str(name).lower(): (vid, dtype) for name, vid, dtype in rows}
    missing = [v for v in ("person", "organization", "concept", "agreement") if v not in found]
    if missing:
        raise InputError(f"statement type {DNA_STATEMENT!r} lacks the variable(s) {', '.join(missing)}", path)
    return found


def _stance(value, dtype: str) -> str:
    """DNA's agreement qualifier as a kg stance (see the module docstring)."""
    if value is None:
        return "neutral"
    value = int(value)
    if dtype != "integer":
        return "supports" if value else "opposes"
    return "supports" if value > 0 else "opposes" if value < 0 else "neutral"
