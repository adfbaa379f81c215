"""Import a DNA 3 database (Discourse Network Analyzer, SQLite ``.dna``) as a kg project folder.

The schema is DNA's own: the ``CREATE TABLE`` statements of ``Sql.createTables`` and the
default statement types of ``Sql`` (``dna/src/main/java/sql/Sql.java`` in leifeld/dna,
now leifeld-lab/dna). What is read:

- ``DOCUMENTS`` (ID, Title, Text, Coder, Author, Source, Section, Notes, Type, Date: seconds
  since 1970-01-01 UTC) → ``articles/<ID>.txt``, YAML front matter and the text exactly as
  stored. DNA takes a statement's text with ``SUBSTRING(DOCUMENTS.Text, Start + 1, Stop - Start)``
  (Sql.java), i.e. Start/Stop count characters from 0, as Python's ``text[start:stop]`` does.
- ``STATEMENTS`` of the ``STATEMENTTYPES`` row "DNA Statement" (``VARIABLES`` person,
  organization, concept: ``DATASHORTTEXT.Entity`` → ``ENTITIES.Value``; agreement: boolean in
  ``DATABOOLEAN`` or integer in ``DATAINTEGER``) → rows of ``curated.yaml``. actor: the
  organisation (``actor="person"``: the person), else the other one; attributed_to: the person
  (the speaker) when it is not the actor; target: the concept's notation; stance:
  agreement, boolean 1 → supports, 0 → opposes, integer > 0 → supports, < 0 → opposes,
  0 or missing → neutral; certainty: certain; quote: ``Text[Start:Stop]`` verbatim; note:
  ``coder: NAME; DNA statement ID`` (a curated row has no coder key).
- ``ENTITIES`` of ``concept`` → ``topics.yaml`` (notation: a slug of the value, label: the value;
  ``ATTRIBUTEVALUES`` Alias → aliases, Notes and Type → note); of ``organization`` and ``person``
  → ``actors.yaml`` (persons typed Person; organisations Actor, or the kg type their Type
  attribute names: state, country, government → State; international organisation →
  InternationalOrganisation; group, coalition → ActorGroup; Alias → aliases, Notes and an
  unmapped Type → note).
- Statements of other types are counted by type and skipped; so are statements without a concept
  or any actor, or whose span is blank or outside the text (:class:`ImportSummary` says how many).

Each statement's id, DNA offsets and coder also go into its document's front matter, which the
graph keeps (``dna_statements``: ``"ID START-STOP CODER-ID NOTATION ACTOR-SLUG CODER-NAME"``;
``dna_repeats``: ``"ID FIRST-ID"`` for one equal to an earlier statement, which kg holds as one
assertion), so ``kg export --format dna-csv`` (:mod:`kg.analysis.dna_export`) gives them back.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.ingest.reference_export import write_text
from kg.model.errors import InputError
from kg.model.namespaces import slug
from kg.ingest.reference import normalise

DNA_STATEMENT = "DNA Statement"
# Tables kg reads (Sql.java, createTables); a database lacking one is not a DNA 3 database.
REQUIRED_TABLES = ("DOCUMENTS", "STATEMENTS", "STATEMENTTYPES", "VARIABLES", "ENTITIES", "DATASHORTTEXT",
                   "DATABOOLEAN", "DATAINTEGER", "CODERS")
# DNA's Type attribute (free text) → kg actor type, when it says one of these.
_TYPE_MAP = {"state": "State", "country": "State", "government": "State",
             "international organisation": "InternationalOrganisation",
             "international organization": "InternationalOrganisation", "io": "InternationalOrganisation",
             "group": "ActorGroup", "coalition": "ActorGroup", "person": "Person", "actor": "Actor"}
_FILES = ("topics.yaml", "actors.yaml", "curated.yaml")


@dataclass
class ImportSummary:
    """What :func:`import_dna` wrote and what it skipped (and why)."""

    database: str
    outdir: str
    documents: int = 0
    statements: int = 0
    persons: int = 0
    organisations: int = 0
    concepts: int = 0
    coders: int = 0
    other_types: dict[str, int] = field(default_factory=dict)  # statement type label → statements skipped
    skipped: dict[str, int] = field(default_factory=dict)  # reason → statements (or documents) skipped
    shifted: int = 0  # quotes that also occur earlier in their document: kg places them there
    repeated: int = 0  # statements equal to an earlier one of their document: kg keeps one assertion
    no_agreement: int = 0  # statements without an agreement value: imported as neutral
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"imported {self.database} into {self.outdir}: documents: {self.documents}, statements: "
               f"{self.statements}, concepts: {self.concepts}, organisations: {self.organisations}, "
               f"persons: {self.persons}, coders: {self.coders}"]
        for label, n in sorted(self.other_types.items()):
            out.append(f"skipped {n} statement(s) of type {label!r} (only {DNA_STATEMENT!r} becomes assertions)")
        for reason, n in sorted(self.skipped.items()):
            out.append(f"skipped {n}: {reason}")
        out += [f"note: {n} {text}" for n, text in (
            (self.shifted, "quote(s) also occur earlier in their document; kg's offsets point to the first "
                           "occurrence (the dna-csv export gives DNA's own back)"),
            (self.repeated, "statement(s) repeat another of their document (same text, actor, speaker, concept "
                            "and agreement): kg keeps one assertion for each such group"),
            (self.no_agreement, "statement(s) have no agreement value: imported as neutral")) if n]
        out.extend(self.notes)
        out.append(f"next: kg build {self.outdir} --no-extract   (DNA's statements only; without --no-extract "
                   "kg's extractor adds its own assertions)")
        return out


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


_BREAKS = ("\r", "\n", "\x85", "\u2028", "\u2029")


@lru_cache(maxsize=2)
def _dumper(fast: bool):
    """The YAML dumper: the project's style (block lists indented), or libyaml's emitter (``fast``, for
    thousands of front matters). Either writes a string with line breaks double-quoted, breaks as escapes."""
    import yaml

    from kg.ingest.reference_export import _dumper as styled

    base = getattr(yaml, "CSafeDumper", None) if fast else None
    dumper = type("Dumper", (base,), {}) if base else styled()
    dumper.add_representer(str, lambda d, v: d.represent_scalar(
        "tag:yaml.org,2002:str", v, style='"' if any(b in v for b in _BREAKS) else None))
    return dumper


def _dump(data, width: int = 100, fast: bool = False, check: bool = True) -> str:
    """``data`` as YAML (see :func:`_dumper`); with ``check``, loaded back and compared."""
    import yaml

    text = yaml.dump(data, Dumper=_dumper(fast), sort_keys=False, allow_unicode=True, width=width,
                     default_flow_style=False)
    if check and yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) != data:
        raise InputError("a value cannot be written as YAML exactly")  # pragma: no cover
    return text


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


def import_dna(database: str | Path, outdir: str | Path, *, actor: str = "organization",
               force: bool = False) -> ImportSummary:
    """Write ``outdir`` (articles/, topics.yaml, actors.yaml, curated.yaml) from a DNA 3 database.

    ``actor``: ``"organization"`` (default) or ``"person"``, the variable that becomes the actor.
    Existing YAML files in ``outdir`` are an error unless ``force``. Bad input (not SQLite, not a
    DNA database, missing tables) raises InputError naming the file.
    """
    database, outdir = Path(database), Path(outdir)
    if actor not in ("organization", "organisation", "person"):
        raise InputError(f"--actor must be organization or person, not {actor!r}")
    by_person = actor == "person"
    con = _open(database)
    try:
        return _import(con, database, outdir, by_person, force)
    except sqlite3.Error as e:
        raise InputError(f"cannot read the DNA database: {e}", database) from None
    except OSError as e:
        raise InputError(f"cannot write {e.filename or outdir}: {e.strerror or e}") from None
    finally:
        con.close()


def _import(con, database: Path, outdir: Path, by_person: bool, force: bool) -> ImportSummary:
    summary = ImportSummary(str(database), str(outdir))
    existing = [n for n in _FILES if (outdir / n).exists()]
    if existing and not force:
        raise InputError(f"{outdir / existing[0]} exists (use --force to overwrite the imported files)")
    outdir.mkdir(parents=True, exist_ok=True)
    types = con.execute("SELECT ID, Label FROM STATEMENTTYPES").fetchall()
    dna_type = next((tid for tid, label in types if label == DNA_STATEMENT), None)
    if dna_type is None:
        raise InputError(f"no statement type {DNA_STATEMENT!r} in this DNA database", database)
    counts = dict(con.execute("SELECT StatementTypeId, COUNT(*) FROM STATEMENTS GROUP BY StatementTypeId"))
    for tid, label in types:
        if tid != dna_type and counts.get(tid):
            summary.other_types[label] = counts[tid]
    var = _variables(con, dna_type, database)
    coders = {cid: name for cid, name in con.execute("SELECT ID, Name FROM CODERS")}
    attrs = _attributes(con)

    # Entities of the three short-text variables: values, attributes.
    entities: dict[str, list[tuple[int, str]]] = {}
    for name in ("concept", "organization", "person"):
        rows = con.execute("SELECT ID, Value FROM ENTITIES WHERE VariableId = ? ORDER BY ID", (var[name][0],))
        entities[name] = [(eid, str(v).strip()) for eid, v in rows if v is not None and str(v).strip()]
    notation = _write_topics(outdir, entities["concept"], attrs, summary)
    actor_label = _write_actors(outdir, entities["organization"], entities["person"], attrs, summary)

    # Statement values, by statement.
    values: dict[int, dict[str, object]] = {}
    for name in ("person", "organization", "concept"):
        for sid, value in con.execute("SELECT d.StatementId, e.Value FROM DATASHORTTEXT d JOIN ENTITIES e "
                                      "ON e.ID = d.Entity WHERE d.VariableId = ?", (var[name][0],)):
            values.setdefault(sid, {})[name] = (str(value).strip() if value is not None else "")
    agreement_id, agreement_type = var["agreement"]
    table = "DATAINTEGER" if agreement_type == "integer" else "DATABOOLEAN"
    for sid, value in con.execute(f"SELECT StatementId, Value FROM {table} WHERE VariableId = ?", (agreement_id,)):
        values.setdefault(sid, {})["agreement"] = value

    docs = con.execute("SELECT ID, Title, Text, Coder, Author, Source, Section, Notes, Type, Date "
                       "FROM DOCUMENTS ORDER BY ID").fetchall()
    statements: dict[int, list[tuple]] = {}
    for row in con.execute("SELECT ID, DocumentId, Start, Stop, Coder FROM STATEMENTS WHERE StatementTypeId = ? "
                           "ORDER BY DocumentId, Start, ID", (dna_type,)):
        statements.setdefault(row[1], []).append(row)

    def skip(reason: str, n: int = 1) -> None:
        summary.skipped[reason] = summary.skipped.get(reason, 0) + n

    articles = outdir / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    used_coders: set[str] = set()
    seen: dict[tuple, int] = {}  # a statement's content → the first statement with it
    for doc_id, title, text, coder, author, source, section, notes, dtype, date in docs:
        text = text or ""
        if not text.strip():
            skip("documents without text (kg needs a text)")
            if statements.get(doc_id):
                skip("statements in a document without text", len(statements[doc_id]))
            continue
        kept: list[str] = []
        repeats: list[str] = []
        for sid, _, start, stop, s_coder in statements.get(doc_id, ()):
            v = values.get(sid, {})
            if not (isinstance(start, int) and isinstance(stop, int) and 0 <= start < stop <= len(text)):
                skip("statements whose Start/Stop lie outside their document's text")
                continue
            quote = text[start:stop]
            if not quote.strip():
                skip("statements whose text is blank")
                continue
            org, person, concept = (v.get(k) or "" for k in ("organization", "person", "concept"))
            if not concept or concept not in notation:
                skip("statements without a concept")
                continue
            who = (person or org) if by_person else (org or person)
            if not who:
                skip("statements without an organisation or a person")
                continue
            speaker = person if person and person != who else None
            coder_name = coders.get(s_coder, str(s_coder) if s_coder is not None else "")
            used_coders.add(coder_name)
            row = {"doc": str(doc_id), "actor": actor_label[who], "stance": _stance(v.get("agreement"),
                                                                                       agreement_type),
                   "target": notation[concept]}
            if speaker and actor_label[speaker] != row["actor"]:
                row["attributed_to"] = actor_label[speaker]
            row.update(certainty="certain", quote=quote, note=f"coder: {coder_name}; DNA statement {sid}")
            summary.no_agreement += v.get("agreement") is None
            if text.find(quote) != start:
                summary.shifted += 1
            key = (doc_id, row["actor"], row["stance"], row["target"], row.get("attributed_to"), quote)
            if key in seen:
                summary.repeated += 1
                repeats.append(f"{sid} {seen[key]}")
            seen.setdefault(key, sid)
            rows.append(row)
            kept.append(f"{sid} {start}-{stop} {s_coder if s_coder is not None else '-'} {row['target']} "
                        f"{slug(row['actor'])} {coder_name}".rstrip())
            summary.statements += 1
        _write_document(articles / f"{doc_id}.txt", doc_id, title, text, coders.get(coder), author, source,
                        section, notes, dtype, date, kept, repeats)
        summary.documents += 1
    doc_ids = {d[0] for d in docs}
    orphans = sum(len(v) for k, v in statements.items() if k not in doc_ids)
    if orphans:
        skip("statements whose document is missing", orphans)
    summary.coders = len(used_coders)
    _write(outdir / "curated.yaml",
           f"# Statements of type {DNA_STATEMENT!r} imported from {database.name} (kg import dna).\n"
           "# actor: the organisation (or the person); attributed_to: the person; target: the concept;\n"
           "# stance: DNA's agreement; note: DNA's coder and statement id.\n"
           # Checked to load back unless large (kg build checks every quote against its text anyway).
           + (_dump({"assertions": rows}, fast=True, check=len(rows) <= 5000) if rows else "assertions: []\n"))
    return summary


def _stance(value, dtype: str) -> str:
    """DNA's agreement qualifier as a kg stance (see the module docstring)."""
    if value is None:
        return "neutral"
    value = int(value)
    if dtype != "integer":
        return "supports" if value else "opposes"
    return "supports" if value > 0 else "opposes" if value < 0 else "neutral"


def _write(path: Path, text: str) -> None:
    write_text(text, path)  # written beside and renamed; no newline translation


def _write_document(path: Path, doc_id, title, text: str, coder, author, source, section, notes, dtype, date,
                    statements: list[str], repeats: list[str]) -> None:
    day, time = _iso(date)
    front = {"title": title, "date": day, "time": time, "source": source, "author": author, "section": section,
             "type": dtype, "notes": notes, "coder": coder, "dna_id": str(doc_id)}
    front = {k: str(v) for k, v in front.items() if v is not None and str(v).strip()}
    if statements:
        front["dna_statements"] = statements
    if repeats:
        front["dna_repeats"] = repeats
    # Bytes as stored: no newline translation, so DNA's character offsets index the body unchanged.
    with open(path, "w", encoding="utf-8", newline="") as f:  # an item a line, the text as it is
        f.write("---\n" + _dump(front, width=10_000, fast=True, check=False) + "---\n" + text)


def _note(attributes: dict[str, str], mapped: bool = False) -> str:
    """DNA's Notes attribute, and its Type unless it became the kg type."""
    parts = [attributes["notes"]] if attributes.get("notes") else []
    if attributes.get("type") and not mapped:
        parts.append(f"DNA type: {attributes['type']}")
    return "; ".join(parts)


def _write_topics(outdir: Path, concepts: list[tuple[int, str]], attrs: dict, summary: ImportSummary) -> dict[str, str]:
    """topics.yaml from DNA's concepts; returns concept value → notation."""
    names: dict[str, str] = {}  # every name (normalised as kg compares them) → its topic's notation
    notations: set[str] = set()
    out: dict[str, str] = {}
    topics = []
    for eid, value in concepts:
        if normalise(value) in names:
            out[value] = names[normalise(value)]
            summary.notes.append(f"note: concept {value!r} has a name of topic {out[value]!r} (case, punctuation "
                                 "or an alias); its statements go to that topic")
            continue
        base = n = slug(value)
        k = 2
        while n in notations:
            n, k = f"{base}-{k}", k + 1
        notations.add(n)
        names[normalise(value)] = n
        entry: dict = {"notation": n, "label": value}
        a = attrs.get(eid, {})
        if a.get("alias") and normalise(a["alias"]) not in names:
            names[normalise(a["alias"])] = n
            entry["aliases"] = [a["alias"]]
        note = _note(a)
        if note:
            entry["note"] = note
        topics.append(entry)
        out[value] = n
    summary.concepts = len(topics)
    head = ("# Codebook: DNA's concepts, imported by kg import dna. Refine labels, add definitions and\n"
            "# broader topics; keep each notation (curated.yaml names topics by it).\n")
    _write(outdir / "topics.yaml", head + (_dump({"topics": topics}) if topics else "topics: []\n"))
    return out


def _write_actors(outdir: Path, orgs: list[tuple[int, str]], persons: list[tuple[int, str]], attrs: dict,
                  summary: ImportSummary) -> dict[str, str]:
    """actors.yaml from DNA's organisations and persons; returns entity value → the label written."""
    from kg.ingest.curated import ACTOR_TYPES

    names: dict[str, str] = {}  # every name (normalised as kg compares them) → its actor's label
    label_of: dict[str, str] = {}
    entries = []
    for kind, items in (("organisation", orgs), ("person", persons)):
        for eid, value in items:
            if normalise(value) in names:
                label_of[value] = names[normalise(value)]
                summary.notes.append(f"note: {kind} {value!r} has a name of {label_of[value]!r} (case, punctuation "
                                     "or an alias); both are one actor")
                continue
            names[normalise(value)] = value
            a = attrs.get(eid, {})
            entry: dict = {"label": value, "type": "Person" if kind == "person" else "Actor"}
            dna_type = a.get("type")
            mapped = _TYPE_MAP.get(normalise(dna_type)) if dna_type else None
            if kind == "organisation" and mapped in ACTOR_TYPES and mapped != "Person":
                entry["type"] = mapped
            if a.get("alias") and normalise(a["alias"]) not in names:
                names[normalise(a["alias"])] = value
                entry["aliases"] = [a["alias"]]
            note = _note(a, mapped=entry["type"] != "Actor" and kind == "organisation")
            if note:
                entry["note"] = note
            entries.append(entry)
            label_of[value] = value
            summary.persons += kind == "person"
            summary.organisations += kind != "person"
    head = ("# Gazetteer: DNA's organisations (type Actor, or State/InternationalOrganisation/ActorGroup when\n"
            "# DNA's Type attribute says so) and persons (type Person), imported by kg import dna.\n"
            "# Refine types, add aliases, member_of and roles; keep each label (curated.yaml names actors by it).\n"
            "gazetteer: {}\n")
    _write(outdir / "actors.yaml", head + (_dump({"actors": entries}) if entries else "actors: []\n"))
    return label_of
