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
  or any actor, or whose span is blank or outside the text (:class:`~kg.ingest.dna_files.ImportSummary` says how many).

Each statement's id, DNA offsets and coder also go into its document's front matter, which the
graph keeps (``dna_statements``: ``"ID START-STOP CODER-ID NOTATION ACTOR-SLUG CODER-NAME"``;
``dna_repeats``: ``"ID FIRST-ID"`` for one equal to an earlier statement, which kg holds as one
assertion), so ``kg export --format dna-csv`` (:mod:`kg.analysis.dna_export`) gives them back.

Reading the database is :mod:`kg.ingest.dna_database`; writing the project files and the
summary, :mod:`kg.ingest.dna_files`; this module runs the import.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kg.ingest.dna_database import DNA_STATEMENT, _attributes, _open, _stance, _variables
from kg.ingest.dna_files import _FILES, ImportSummary, _dump, _write, _write_actors, _write_document, _write_topics
from kg.model.errors import InputError
from kg.model.namespaces import slug


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
