"""DNA's data in and out: a small DNA 3 database (the schema of DNA's Sql.java) imported as a kg project,
built, and exported back as DNA's event-list CSV and UCINET DL, compared field by field with the database."""

from __future__ import annotations

import csv
import io
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.graph.build import build
from kg.cli import app
from kg.ingest.dna_import import import_dna
from kg.model.errors import InputError
from kg.ingest.reference_yaml import reference_nquads
from kg.store import open_store

# The SQLite CREATE TABLE statements of DNA 3, as Sql.createTables writes them
# (leifeld/dna, dna/src/main/java/sql/Sql.java); CODERS without its permission columns.
SCHEMA = """
CREATE TABLE SETTINGS(Property TEXT PRIMARY KEY, Value TEXT NOT NULL);
CREATE TABLE CODERS(ID INTEGER NOT NULL PRIMARY KEY, Name TEXT NOT NULL CHECK (LENGTH(Name) < 191),
  Red INTEGER NOT NULL DEFAULT 0, Green INTEGER NOT NULL DEFAULT 0, Blue INTEGER NOT NULL DEFAULT 0,
  Password TEXT NOT NULL DEFAULT '');
CREATE TABLE DOCUMENTS(ID INTEGER NOT NULL PRIMARY KEY, Title TEXT NOT NULL CHECK (LENGTH(Title) < 191),
  Text TEXT NOT NULL, Coder INTEGER, Author TEXT NOT NULL DEFAULT '' CHECK (LENGTH(Author) < 191),
  Source TEXT NOT NULL DEFAULT '' CHECK (LENGTH(Source) < 191), Section TEXT NOT NULL DEFAULT ''
  CHECK (LENGTH(Section) < 191), Notes TEXT NOT NULL DEFAULT '', Type TEXT NOT NULL DEFAULT ''
  CHECK (LENGTH(Type) < 191), Date INTEGER NOT NULL, FOREIGN KEY(Coder) REFERENCES CODERS(ID) ON DELETE CASCADE);
CREATE TABLE STATEMENTTYPES(ID INTEGER NOT NULL PRIMARY KEY, Label TEXT NOT NULL CHECK (LENGTH(Label) < 191),
  Red INTEGER NOT NULL DEFAULT 0, Green INTEGER NOT NULL DEFAULT 0, Blue INTEGER NOT NULL DEFAULT 0);
CREATE TABLE VARIABLES(ID INTEGER NOT NULL PRIMARY KEY, Variable TEXT NOT NULL CHECK (LENGTH(Variable) < 191),
  DataType TEXT NOT NULL CHECK (DataType = 'boolean' OR DataType = 'integer' OR DataType = 'long text' OR
  DataType = 'short text') DEFAULT 'short text', StatementTypeId INTEGER,
  FOREIGN KEY(StatementTypeId) REFERENCES STATEMENTTYPES(ID) ON DELETE CASCADE, UNIQUE (Variable, StatementTypeId));
CREATE TABLE STATEMENTS(ID INTEGER NOT NULL PRIMARY KEY, StatementTypeId INTEGER, DocumentId INTEGER,
  Start INTEGER NOT NULL CHECK(Start >= 0), Stop INTEGER NOT NULL CHECK(Stop >= 0), Coder INTEGER,
  CHECK (Start < Stop), FOREIGN KEY(StatementTypeId) REFERENCES STATEMENTTYPES(ID) ON DELETE CASCADE,
  FOREIGN KEY(Coder) REFERENCES CODERS(ID) ON DELETE CASCADE,
  FOREIGN KEY(DocumentId) REFERENCES DOCUMENTS(ID) ON DELETE CASCADE);
CREATE TABLE DATABOOLEAN(ID INTEGER PRIMARY KEY NOT NULL, StatementId INTEGER NOT NULL,
  VariableId INTEGER NOT NULL, Value INTEGER NOT NULL DEFAULT 1, UNIQUE (StatementId, VariableId));
CREATE TABLE DATAINTEGER(ID INTEGER PRIMARY KEY NOT NULL, StatementId INTEGER NOT NULL,
  VariableId INTEGER NOT NULL, Value INTEGER NOT NULL DEFAULT 0, UNIQUE (StatementId, VariableId));
CREATE TABLE ENTITIES(ID INTEGER PRIMARY KEY NOT NULL, VariableId INTEGER NOT NULL,
  Value TEXT NOT NULL DEFAULT '' CHECK (LENGTH(Value) < 191), Red INTEGER, Green INTEGER, Blue INTEGER,
  ChildOf INTEGER CHECK(ChildOf > 0), UNIQUE (VariableId, Value));
CREATE TABLE DATASHORTTEXT(ID INTEGER PRIMARY KEY NOT NULL, StatementId INTEGER NOT NULL,
  VariableId INTEGER NOT NULL, Entity INTEGER NOT NULL, UNIQUE (StatementId, VariableId));
CREATE TABLE DATALONGTEXT(ID INTEGER PRIMARY KEY NOT NULL, StatementId INTEGER NOT NULL,
  VariableId INTEGER NOT NULL, Value TEXT DEFAULT '', UNIQUE (StatementId, VariableId));
CREATE TABLE ATTRIBUTEVARIABLES(ID INTEGER PRIMARY KEY NOT NULL, VariableId INTEGER NOT NULL,
  AttributeVariable TEXT NOT NULL CHECK (LENGTH(AttributeVariable) < 191), UNIQUE(VariableId, AttributeVariable));
CREATE TABLE ATTRIBUTEVALUES(ID INTEGER PRIMARY KEY NOT NULL, EntityId INTEGER NOT NULL,
  AttributeVariableId INTEGER NOT NULL, AttributeValue TEXT NOT NULL DEFAULT '' CHECK (LENGTH(AttributeValue) < 191),
  UNIQUE (EntityId, AttributeVariableId));
-- The default statement types and attribute variables (Sql.java, after createTables).
INSERT INTO STATEMENTTYPES (ID, Label, Red, Green, Blue) VALUES (1, 'DNA Statement', 239, 208, 51);
INSERT INTO VARIABLES (ID, Variable, DataType, StatementTypeId) VALUES (1, 'person', 'short text', 1);
INSERT INTO VARIABLES (ID, Variable, DataType, StatementTypeId) VALUES (2, 'organization', 'short text', 1);
INSERT INTO VARIABLES (ID, Variable, DataType, StatementTypeId) VALUES (3, 'concept', 'short text', 1);
INSERT INTO VARIABLES (ID, Variable, DataType, StatementTypeId) VALUES (4, 'agreement', 'boolean', 1);
INSERT INTO ATTRIBUTEVARIABLES (ID, VariableId, AttributeVariable) VALUES (1, 1, 'Type'), (2, 2, 'Type'),
  (3, 3, 'Type'), (4, 1, 'Alias'), (5, 2, 'Alias'), (6, 3, 'Alias'), (7, 1, 'Notes'), (8, 2, 'Notes'),
  (9, 3, 'Notes');
INSERT INTO STATEMENTTYPES (ID, Label, Red, Green, Blue) VALUES (3, 'Annotation', 211, 211, 211);
INSERT INTO VARIABLES (ID, Variable, DataType, StatementTypeId) VALUES (11, 'note', 'long text', 3);
"""

DOCS = [  # id, title, text, coder, author, source, section, notes, type, date
    (1, "Farmers rally against the levy",
     "Berlin. The Farmers' Union opposed the fertiliser levy on Monday.\r\n"
     "\"We reject any levy on fertiliser\", said Anna Berg of the Farmers' Union. "
     "Greenpeace welcomed the levy: it said a levy on fertiliser protects rivers. "
     "Minister Tom Weiss of the Ministry of Agriculture backed subsidies for organic farms.",
     1, "J. Doe", "Daily Planet", "Politics", "checked twice", "news", "2023-03-06 00:00:00"),
    (2, "Subsidies: the debate goes on",
     "Greenpeace criticised subsidies for large farms 🌾, and Greenpeace opposed the levy exemption. "
     "The Farmers' Union supports subsidies for organic farms.",
     2, "", "Morning Post", "", "", "", "2023-04-11 14:30:00"),
]
COMPANIES = {"Farmers' Union": {"Type": "interest group", "Alias": "the Union"},
             "Greenpeace": {"Type": "NGO"},
             "Ministry of Agriculture": {"Type": "government"}}
PERSONS = {"Anna Berg": {"Alias": "Berg"}, "Tom Weiss": {}}
CONCEPTS = {"Fertiliser levy": {"Alias": "levy on fertiliser"}, "Subsidies for organic farms": {},
            "Subsidies for large farms": {"Notes": "direct payments"}}
STATEMENTS = [  # id, doc, quote (located in the text), person, organisation, concept, agreement, coder
    (1, 1, "The Farmers' Union opposed the fertiliser levy", "", "Farmers' Union", "Fertiliser levy", 0, 1),
    (2, 1, "\"We reject any levy on fertiliser\", said Anna Berg", "Anna Berg", "Farmers' Union",
     "Fertiliser levy", 0, 2),
    (3, 1, "Greenpeace welcomed the levy", "", "Greenpeace", "Fertiliser levy", 1, 1),
    (4, 1, "Minister Tom Weiss of the Ministry of Agriculture backed subsidies for organic farms", "Tom Weiss",
     "Ministry of Agriculture", "Subsidies for organic farms", 1, 1),
    (5, 2, "Greenpeace criticised subsidies for large farms 🌾", "", "Greenpeace", "Subsidies for large farms", 0, 2),
    (6, 2, "The Farmers' Union supports subsidies for organic farms", "", "Farmers' Union",
     "Subsidies for organic farms", 1, 2),
    (7, 1, "levy on Monday.\r\n\"We reject", "", "Farmers' Union", "Fertiliser levy", 0, 1),  # across a CRLF
    # DNA's span is the second occurrence of these words; kg's quote lookup finds the first.
    (8, 1, "levy on fertiliser", "", "Greenpeace", "Fertiliser levy", 1, 2),
]
SECOND = {8}  # statements coded on the last occurrence of their text


def dna_start(sid: int, doc: int, quote: str) -> int:
    text = next(d[2] for d in DOCS if d[0] == doc)
    return text.rindex(quote) if sid in SECOND else text.index(quote)


def _epoch(text: str) -> int:
    return int((dt.datetime.fromisoformat(text) - dt.datetime(1970, 1, 1)).total_seconds())


def make_dna(path: Path) -> Path:
    """A small DNA 3 database: two documents, three organisations, two persons, three concepts, six DNA
    statements and one annotation (another statement type)."""
    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    con.executemany("INSERT INTO CODERS (ID, Name) VALUES (?, ?)", [(1, "Admin"), (2, "Maria")])
    for d in DOCS:
        con.execute("INSERT INTO DOCUMENTS (ID, Title, Text, Coder, Author, Source, Section, Notes, Type, Date) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*d[:9], _epoch(d[9])))
    entity = {}
    attr_ids = {(1, "Type"): 1, (2, "Type"): 2, (3, "Type"): 3, (1, "Alias"): 4, (2, "Alias"): 5, (3, "Alias"): 6,
                (1, "Notes"): 7, (2, "Notes"): 8, (3, "Notes"): 9}
    for var, names in ((1, PERSONS), (2, COMPANIES), (3, CONCEPTS)):
        for value in ["", *names]:  # DNA keeps an empty entity per variable
            cur = con.execute("INSERT INTO ENTITIES (VariableId, Value) VALUES (?, ?)", (var, value))
            entity[var, value] = cur.lastrowid
            for attr, v in (names.get(value) or {}).items():
                con.execute("INSERT INTO ATTRIBUTEVALUES (EntityId, AttributeVariableId, AttributeValue) "
                            "VALUES (?, ?, ?)", (cur.lastrowid, attr_ids[var, attr], v))
    for sid, doc, quote, person, org, concept, agree, coder in STATEMENTS:
        start = dna_start(sid, doc, quote)
        con.execute("INSERT INTO STATEMENTS (ID, StatementTypeId, DocumentId, Start, Stop, Coder) "
                    "VALUES (?, 1, ?, ?, ?, ?)", (sid, doc, start, start + len(quote), coder))
        for var, value in ((1, person), (2, org), (3, concept)):
            con.execute("INSERT INTO DATASHORTTEXT (StatementId, VariableId, Entity) VALUES (?, ?, ?)",
                        (sid, var, entity[var, value]))
        con.execute("INSERT INTO DATABOOLEAN (StatementId, VariableId, Value) VALUES (?, 4, ?)", (sid, agree))
    # An annotation: another statement type, reported and skipped.
    con.execute("INSERT INTO STATEMENTS (ID, StatementTypeId, DocumentId, Start, Stop, Coder) "
                "VALUES (9, 3, 1, 0, 6, 1)")
    con.execute("INSERT INTO DATALONGTEXT (StatementId, VariableId, Value) VALUES (9, 11, 'dateline')")
    con.commit()
    con.close()
    return path


@pytest.fixture()
def dna_file(tmp_path) -> Path:
    return make_dna(tmp_path / "farm.dna")


@pytest.fixture()
def imported(dna_file, tmp_path):
    out = tmp_path / "project"
    summary = import_dna(dna_file, out)
    store = tmp_path / "store.kg"
    build([out], store)
    return summary, out, store


def test_import_summary_and_files(imported):
    summary, out, _ = imported
    assert (summary.documents, summary.statements, summary.concepts) == (2, 8, 3)
    assert summary.shifted == 1
    assert (summary.organisations, summary.persons, summary.coders) == (3, 2, 2)
    assert summary.other_types == {"Annotation": 1}
    assert summary.skipped == {}
    assert sorted(p.name for p in (out / "articles").iterdir()) == ["1.txt", "2.txt"]
    # The YAML codebook and gazetteer load as kg reads them.
    assert b"fertiliser-levy" in reference_nquads(out / "topics.yaml", "urn:g")
    actors = reference_nquads(out / "actors.yaml", "urn:g").decode()
    assert "ns#Person" in actors and "Anna Berg" in actors and "the Union" in actors
    assert "ns#State" in actors  # the ministry: DNA's Type "government"


def test_documents_keep_text_and_metadata(imported):
    _, out, store = imported
    with open_store(store, read_only=True) as s:
        res = s.query("SELECT ?id ?text ?title ?date WHERE { ?d dct:identifier ?id ; schema:text ?text ; "
                      "dct:title ?title ; dct:date ?date }").dicts()
    got = {r["id"]: r for r in res}
    for doc_id, title, text, *_rest, date in DOCS:
        assert got[str(doc_id)]["text"] == text  # exact, \r\n and emoji included
        assert got[str(doc_id)]["title"] == title
        assert str(got[str(doc_id)]["date"]) == date[:10]
    raw = (out / "articles" / "1.txt").read_bytes().decode("utf-8")
    assert raw.endswith(DOCS[0][2]) and "author: J. Doe" in raw and "section: Politics" in raw


def test_statements_become_curated_assertions_with_exact_offsets(imported):
    _, _, store = imported
    with open_store(store, read_only=True) as s:
        rows = s.query("""SELECT ?doc ?actor ?stance ?target ?speaker ?quote ?start ?end WHERE {
            ?a kg:actor/skos:prefLabel ?actor ; kg:stance/skos:notation ?stance ; kg:target/skos:notation ?target ;
               kg:quote ?quote ; kg:startOffset ?start ; kg:endOffset ?end ; prov:wasDerivedFrom/dct:identifier ?doc .
            OPTIONAL { ?a kg:attributedTo/skos:prefLabel ?speaker } }""").dicts()
    texts = {str(d[0]): d[2] for d in DOCS}
    assert len(rows) == len(STATEMENTS)
    got = {(r["doc"], r["quote"]): r for r in rows}
    for sid, doc, quote, person, org, concept, agree, _coder in STATEMENTS:
        r = got[str(doc), quote]
        start = texts[str(doc)].index(quote)  # kg places a quote at its first occurrence (DNA's: SECOND)
        assert (int(r["start"]), int(r["end"])) == (start, start + len(quote))
        assert texts[str(doc)][int(r["start"]):int(r["end"])] == r["quote"]
        assert r["actor"] == org
        assert r["speaker"] == (person or None)
        assert r["stance"] == ("supports" if agree else "opposes")
        assert r["target"] == {"Fertiliser levy": "fertiliser-levy",
                               "Subsidies for organic farms": "subsidies-for-organic-farms",
                               "Subsidies for large farms": "subsidies-for-large-farms"}[concept]


def test_stance_and_who_answer(imported):
    from kg.analysis.positions import stance, who

    _, _, store = imported
    with open_store(store, read_only=True) as s:
        by_stance = {(r["stance"], r["actor"]) for r in who(s, "fertiliser-levy")}
        union = {(r["stance"], r["target"]) for r in stance(s, "the Union")}
    assert by_stance == {("opposes", "Farmers' Union"), ("supports", "Greenpeace")}
    assert ("supports", "Subsidies for organic farms") in union


def test_actor_person_option(dna_file, tmp_path):
    out = tmp_path / "by-person"
    import_dna(dna_file, out, actor="person")
    text = (out / "curated.yaml").read_text(encoding="utf-8")
    assert "actor: Anna Berg" in text and "actor: Tom Weiss" in text
    build([out], tmp_path / "p.kg")


def test_bad_input_is_one_line_naming_the_file(tmp_path):
    runner = CliRunner()
    not_sqlite = tmp_path / "notes.dna"
    not_sqlite.write_text("hello", encoding="utf-8")
    empty_db = tmp_path / "empty.dna"
    sqlite3.connect(empty_db).execute("CREATE TABLE X(a)").connection.close()
    for bad in (not_sqlite, empty_db, tmp_path / "missing.dna"):
        with pytest.raises(InputError):
            import_dna(bad, tmp_path / "out")
        res = runner.invoke(app, ["import", "dna", str(bad), str(tmp_path / "out")])
        assert res.exit_code == 1, res.output
        lines = [l for l in res.output.splitlines() if l.strip()]
        assert len(lines) == 1 and str(bad) in lines[0] and lines[0].startswith("error:")


def test_cli_prints_the_summary(dna_file, tmp_path):
    res = CliRunner().invoke(app, ["import", "dna", str(dna_file), str(tmp_path / "cli")])
    assert res.exit_code == 0, res.output
    assert "statements: 8" in res.output and "'Annotation'" in res.output
    res = CliRunner().invoke(app, ["import", "dna", str(dna_file), str(tmp_path / "cli")])
    assert res.exit_code == 1 and "--force" in res.output


def _dna_event_rows(path: Path) -> list[dict]:
    """DNA's event list of a database, as Exporter.eventCSV would write it (text from DNA's SUBSTRING)."""
    con = sqlite3.connect(path)
    rows = con.execute("""
        SELECT s.ID, d.Date, p.Value, o.Value, c.Value, b.Value, s.Start, s.Stop,
               SUBSTR(d.Text, s.Start + 1, s.Stop - s.Start), s.Coder, d.ID, d.Title, d.Author, d.Source, d.Section,
               d.Type
        FROM STATEMENTS s JOIN DOCUMENTS d ON d.ID = s.DocumentId
        JOIN DATASHORTTEXT dp ON dp.StatementId = s.ID AND dp.VariableId = 1 JOIN ENTITIES p ON p.ID = dp.Entity
        JOIN DATASHORTTEXT do ON do.StatementId = s.ID AND do.VariableId = 2 JOIN ENTITIES o ON o.ID = do.Entity
        JOIN DATASHORTTEXT dc ON dc.StatementId = s.ID AND dc.VariableId = 3 JOIN ENTITIES c ON c.ID = dc.Entity
        JOIN DATABOOLEAN b ON b.StatementId = s.ID AND b.VariableId = 4
        WHERE s.StatementTypeId = 1 ORDER BY d.Date, d.ID, s.Start, s.ID""").fetchall()
    con.close()
    out = []
    for r in rows:
        time = (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=r[1])).strftime("%Y-%m-%d %H:%M:%S")
        out.append(dict(zip(("statement_id", "time", "person", "organization", "concept", "agreement",
                             "start_position", "stop_position", "text", "coder", "document_id", "document_title",
                             "document_author", "document_source", "document_section", "document_type"),
                            [str(r[0]), time, *(str(v) for v in r[2:])])))
    return out


def test_dna_csv_matches_the_database_field_by_field(imported, dna_file, tmp_path):
    _, _, store = imported
    out = tmp_path / "events.csv"
    res = CliRunner().invoke(app, ["export", "--format", "dna-csv", "--store", str(store), "--out", str(out)])
    assert res.exit_code == 0, res.output
    with out.open(encoding="utf-8", newline="") as f:
        got = list(csv.DictReader(f, delimiter=";"))
    want = _dna_event_rows(dna_file)
    assert list(got[0]) == list(want[0])  # DNA's columns, in DNA's order
    assert len(got) == len(want) == len(STATEMENTS)
    for g, w in zip(got, want):
        for column in w:
            assert g[column] == w[column], (w["statement_id"], column)
    # DNA's own offsets come back, also where kg's quote lookup found an earlier occurrence.
    assert any(w["statement_id"] == "8" for w in want)
    # kg export's filters apply.
    res = CliRunner().invoke(app, ["export", "-f", "dna-csv", "-s", str(store), "--since", "2023-04-01"])
    assert [r["statement_id"] for r in csv.DictReader(io.StringIO(res.stdout), delimiter=";")] == ["5", "6"]
    # Text cells are quoted, numbers and the time bare, as DNA writes them.
    head, first = out.read_text(encoding="utf-8").splitlines()[:2]
    assert head.startswith('"statement_id";"time";"person";"organization";"concept";"agreement";')
    assert first.startswith('1;2023-03-06 00:00:00;"";"Farmers\' Union";"Fertiliser levy";0;8;54;"The ')


def test_dna_csv_neutralises_formulas_unless_raw(dna_file, tmp_path):
    con = sqlite3.connect(dna_file)
    con.execute("UPDATE DOCUMENTS SET Title = '=HYPERLINK(\"http://x\")' WHERE ID = 2")
    con.commit()
    con.close()
    out = tmp_path / "proj"
    import_dna(dna_file, out)
    build([out], tmp_path / "f.kg")
    safe = CliRunner().invoke(app, ["export", "-f", "dna-csv", "-s", str(tmp_path / "f.kg")])
    raw = CliRunner().invoke(app, ["export", "-f", "dna-csv", "-s", str(tmp_path / "f.kg"), "--raw"])
    assert safe.exit_code == raw.exit_code == 0, safe.output
    title = lambda text: {r["document_title"] for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert "'=HYPERLINK(\"http://x\")" in title(safe.stdout)
    assert '=HYPERLINK("http://x")' in title(raw.stdout)


def test_dl_is_dnas_onemode_matrix_as_dna_writes_it(imported, tmp_path):
    _, _, store = imported
    out = tmp_path / "net.dl"
    res = CliRunner().invoke(app, ["export", "--format", "dl", "--store", str(store), "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "dl n = 3, format = fullmatrix" and lines[1] == "labels:"
    # DNA drops quotes and apostrophes from labels and sorts them.
    assert lines[2:5] == ['"Farmers Union"', '"Greenpeace"', '"Ministry of Agriculture"']
    assert lines[5] == "data:"
    # Worked by hand from STATEMENTS: (organisation, concept, agreement) counts are
    #   Farmers' Union: levy/0 × 3 (statements 1, 2, 7), organic/1 × 1 (6)
    #   Greenpeace:     levy/1 × 2 (3, 8), large farms/0 × 1 (5)
    #   Ministry:       organic/1 × 1 (4)
    # congruence(i, j) = Σ_concept Σ_level n(i) · n(j): Union–Ministry = 1 · 1 = 1, every other pair 0;
    # conflict(i, j) = Σ_concept n(i, 0) · n(j, 1) + n(i, 1) · n(j, 0): Union–Greenpeace = 3 · 2 = 6.
    assert [[int(x) for x in line.split()] for line in lines[6:]] == [[0, 0, 1], [0, 0, 0], [1, 0, 0]]
    res = CliRunner().invoke(app, ["export", "-f", "dl", "-v", "conflict", "-s", str(store)])
    assert res.stdout.split("data:\n")[1].split("\n") == [" 0 6 0", " 6 0 0", " 0 0 0"]
    res = CliRunner().invoke(app, ["export", "-f", "dl", "-v", "subtract", "-s", str(store)])
    assert res.stdout.split("data:\n")[1].split("\n") == [" 0 -6 1", " -6 0 0", " 1 0 0"]
    bad = CliRunner().invoke(app, ["export", "--format", "dl", "--view", "stance", "--store", str(store)])
    assert bad.exit_code == 1 and "congruence" in bad.output


def test_onemode_worked_by_hand():
    """DNA's congruence and conflict (Exporter.computeOneModeMatrix, boolean qualifier) on a small event list."""
    from kg.analysis.dna_export import onemode

    rows = [[n, "2023-01-02 00:00:00", "", org, concept, agree, 0, 1, "text", "", 1, "", "", "", "", ""]
            for n, (org, concept, agree) in enumerate(
                [("A", "x", 1), ("A", "x", 1), ("B", "x", 0), ("B", "y", 1), ("C", "y", 1), ("C", "x", 1)])]
    names, cong = onemode(rows, "congruence")
    _, conf = onemode(rows, "conflict")
    assert names == ["A", "B", "C"]
    # A–C share x/1 (2 · 1 = 2); B–C share y/1 (1); A–B differ on x (2 · 1 = 2 conflict); B–C differ on x (1).
    assert cong == [[0, 0, 2], [0, 0, 1], [2, 1, 0]]
    assert conf == [[0, 2, 0], [2, 0, 1], [0, 1, 0]]
    # "ignore" (rDNA's default) counts both: the product of the two actors' uses of each concept.
    assert onemode(rows, "ignore")[1] == [[0, 2, 2], [2, 0, 2], [2, 2, 0]]


def test_what_kg_cannot_take_is_reported(dna_file, tmp_path):
    con = sqlite3.connect(dna_file)
    entity = dict(con.execute("SELECT VariableId || ':' || Value, ID FROM ENTITIES"))
    con.execute("INSERT INTO DOCUMENTS (ID, Title, Text, Coder, Date) VALUES (3, 'blank', '  ', 1, 0)")
    con.execute("INSERT INTO STATEMENTS VALUES (20, 1, 3, 0, 1, 1)")  # in the blank document
    con.execute("INSERT INTO STATEMENTS VALUES (21, 1, 2, 0, 10, 1)")  # no concept
    con.execute("INSERT INTO STATEMENTS VALUES (22, 1, 1, 141, 169, 2)")  # statement 3 coded again
    for sid, (person, org, concept) in {21: ("", "Greenpeace", ""),
                                        22: ("", "Greenpeace", "Fertiliser levy")}.items():
        for var, value in ((1, person), (2, org), (3, concept)):
            con.execute("INSERT INTO DATASHORTTEXT (StatementId, VariableId, Entity) VALUES (?, ?, ?)",
                        (sid, var, entity[f"{var}:{value}"]))
        con.execute("INSERT INTO DATABOOLEAN (StatementId, VariableId, Value) VALUES (?, 4, 1)", (sid,))
    # A concept that differs from another only in case is the same topic for kg.
    con.execute("INSERT INTO ENTITIES (VariableId, Value) VALUES (3, 'fertiliser LEVY')")
    con.commit()
    con.close()
    summary = import_dna(dna_file, tmp_path / "p")
    assert summary.skipped == {"documents without text (kg needs a text)": 1,
                               "statements in a document without text": 1, "statements without a concept": 1}
    assert summary.repeated == 1 and summary.concepts == 3
    text = "\n".join(summary.lines())
    assert "skipped 1: statements without a concept" in text and "repeat another" in text
    report = build([tmp_path / "p"], tmp_path / "p.kg")
    assert "assertions: 8" in report.summary()  # statement 22 repeats statement 3
    # The event list still has statement 22, with its own id and coder, as DNA's has.
    res = CliRunner().invoke(app, ["export", "-f", "dna-csv", "-s", str(tmp_path / "p.kg"),
                                   "-o", str(tmp_path / "p.csv")])
    assert res.exit_code == 0, res.output
    with (tmp_path / "p.csv").open(encoding="utf-8", newline="") as f:
        got = list(csv.DictReader(f, delimiter=";"))
    want = [w for w in _dna_event_rows(dna_file) if w["statement_id"] not in ("20", "21")]
    assert got == want


def test_integer_agreement(dna_file, tmp_path):
    con = sqlite3.connect(dna_file)
    con.execute("UPDATE VARIABLES SET DataType = 'integer' WHERE ID = 4")
    con.execute("INSERT INTO DATAINTEGER (StatementId, VariableId, Value) "
                "SELECT StatementId, 4, CASE Value WHEN 1 THEN 1 ELSE -1 END FROM DATABOOLEAN")
    con.execute("UPDATE DATAINTEGER SET Value = 0 WHERE StatementId = 4")
    con.commit()
    con.close()
    import_dna(dna_file, tmp_path / "i")
    text = (tmp_path / "i" / "curated.yaml").read_text(encoding="utf-8")
    stances = [line.split(": ")[1] for line in text.splitlines() if line.strip().startswith("stance:")]
    assert stances.count("neutral") == 1 and stances.count("opposes") == 4 and stances.count("supports") == 3
    build([tmp_path / "i"], tmp_path / "i.kg")
    res = CliRunner().invoke(app, ["export", "-f", "dna-csv", "-s", str(tmp_path / "i.kg"), "-o",
                                   str(tmp_path / "i.csv")])
    assert res.exit_code == 0 and "left out 1" in res.output  # neutral has no DNA boolean agreement


def test_actor_person_exports_persons(dna_file, tmp_path):
    import_dna(dna_file, tmp_path / "pp", actor="person")
    build([tmp_path / "pp"], tmp_path / "pp.kg")
    res = CliRunner().invoke(app, ["export", "-f", "dna-csv", "-s", str(tmp_path / "pp.kg")])
    rows = {r["statement_id"]: r for r in csv.DictReader(io.StringIO(res.stdout), delimiter=";")}
    assert (rows["2"]["person"], rows["2"]["organization"]) == ("Anna Berg", "")
    assert (rows["1"]["person"], rows["1"]["organization"]) == ("", "Farmers' Union")  # no person: the organisation


def test_statements_on_one_span_keep_their_own_ids_and_coders(dna_file, tmp_path):
    """DNA coders often code one sentence twice (two concepts): each row keeps its id and coder."""
    con = sqlite3.connect(dna_file)
    entity = dict(con.execute("SELECT VariableId || ':' || Value, ID FROM ENTITIES"))
    con.execute("INSERT INTO STATEMENTS SELECT 23, 1, DocumentId, Start, Stop, 2 FROM STATEMENTS WHERE ID = 4")
    for var, value in ((1, "Tom Weiss"), (2, "Ministry of Agriculture"), (3, "Fertiliser levy")):
        con.execute("INSERT INTO DATASHORTTEXT (StatementId, VariableId, Entity) VALUES (23, ?, ?)",
                    (var, entity[f"{var}:{value}"]))
    con.execute("INSERT INTO DATABOOLEAN (StatementId, VariableId, Value) VALUES (23, 4, 0)")
    con.commit()
    con.close()
    import_dna(dna_file, tmp_path / "s")
    build([tmp_path / "s"], tmp_path / "s.kg")
    res = CliRunner().invoke(app, ["export", "-f", "dna-csv", "-s", str(tmp_path / "s.kg"),
                                   "-o", str(tmp_path / "s.csv")])
    assert res.exit_code == 0, res.output
    with (tmp_path / "s.csv").open(encoding="utf-8", newline="") as f:
        got = list(csv.DictReader(f, delimiter=";"))
    assert got == _dna_event_rows(dna_file)
