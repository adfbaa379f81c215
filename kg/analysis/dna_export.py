"""Export for DNA users: the store's statements as DNA's event list CSV, a network as UCINET DL.

Both follow DNA's exporter (``dna/src/main/java/dna/export/Exporter.java`` in leifeld/dna, now
leifeld-lab/dna):

**dna-csv** is ``Exporter.eventCSV``: one statement a row, sorted as DNA sorts statements
(``model/Statement.compareTo``: date and time, document id, start), ``;``-separated, text
cells in double quotes, numbers and the time bare, with the columns::

    statement_id;time;person;organization;concept;agreement;start_position;stop_position;text;
    coder;document_id;document_title;document_author;document_source;document_section;document_type

(the four variables of DNA's "DNA Statement" type, in DNA's order). From a kg assertion:
organization is the actor (empty when the actor is a Person), person is the speaker
(``attributed_to``; the actor itself when a Person), concept is the target's label, agreement
is 1 for supports and 0 for opposes; assertions with another stance have no DNA agreement and
are left out (counted). time is the document's date (``yyyy-MM-dd HH:mm:ss``, its ``time``
front-matter key when it has one). Statements imported by ``kg import dna`` get DNA's statement
id, offsets and coder id back (from their document's ``dna_statements``); others get kg's
assertion id, kg's offsets and no coder. Where DNA turns ``;`` into ``,`` and ``"`` into
``'`` inside text, kg writes proper CSV (a ``"`` doubled), so nothing is lost; R reads it with
``read.csv2`` or ``read.csv(sep = ";")``. Cells that would start a spreadsheet
formula are neutralised (:func:`kg.analysis.output.csv_cells`) unless ``--raw``.

**dl** is ``Exporter.exportDL``: ``dl n = N, format = fullmatrix``, ``labels:`` one quoted
label a line (DNA drops ``"`` and ``'`` from labels), ``data:`` one row a line, each value after
a space (integers as such, else six decimals); node names sorted as DNA sorts them, diagonal 0.
The matrix is the one DNA computes from the same statements (:func:`onemode`, through
:mod:`kg.analysis.dna_networks`): qualifier aggregation congruence (``--view congruence``, the default),
conflict, subtract or ignore (rDNA's default), no normalisation, every statement counted (also
DNA statements kg holds as one assertion, as the CSV lists them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.model.errors import InputError
from kg.model.namespaces import slug

if TYPE_CHECKING:
    from kg.store import Store
    from kg.analysis.rows import Filters

DNA_CSV_COLUMNS = ("statement_id", "time", "person", "organization", "concept", "agreement", "start_position",
                   "stop_position", "text", "coder", "document_id", "document_title", "document_author",
                   "document_source", "document_section", "document_type")
AGREEMENT = {"supports": 1, "opposes": 0}
DL_VIEWS = ("congruence", "conflict", "subtract", "ignore")  # DNA's qualifier aggregations (one-mode)

_ASSERTIONS = """
SELECT ?a ?doc ?start ?end ?quote ?stance ?actorLabel ?actorType ?speakerLabel ?targetLabel ?notation WHERE {
  ?a kg:actor ?actor ; kg:stance/skos:notation ?stance ; kg:target ?target ; kg:quote ?quote ;
     kg:startOffset ?start ; kg:endOffset ?end ; prov:wasDerivedFrom/dct:identifier ?doc .
  OPTIONAL { ?actor skos:prefLabel ?actorPref } OPTIONAL { ?actor rdfs:label ?actorRdfs }
  BIND(COALESCE(?actorPref, ?actorRdfs, STR(?actor)) AS ?actorLabel)
  BIND(EXISTS { ?actor a kg:Person } AS ?actorType)
  OPTIONAL { ?a kg:attributedTo ?speaker .
             OPTIONAL { ?speaker skos:prefLabel ?sPref } OPTIONAL { ?speaker rdfs:label ?sRdfs } }
  BIND(COALESCE(?sPref, ?sRdfs) AS ?speakerLabel)
  OPTIONAL { ?target skos:prefLabel ?tPref } OPTIONAL { ?target rdfs:label ?tRdfs }
  OPTIONAL { ?target skos:notation ?notation }
  BIND(COALESCE(?tPref, ?tRdfs, STR(?target)) AS ?targetLabel)
}"""
_DOCUMENTS = """
SELECT ?doc ?title ?date ?source ?section WHERE {
  ?d a kg:Document ; dct:identifier ?doc .
  OPTIONAL { ?d dct:title ?title } OPTIONAL { ?d dct:date ?date }
  OPTIONAL { ?d dct:publisher/rdfs:label ?source } OPTIONAL { ?d schema:articleSection ?section }
}"""
_AUTHORS = "SELECT ?doc ?author WHERE { ?d a kg:Document ; dct:identifier ?doc ; dct:creator ?author }"
_META = """
SELECT ?doc ?key ?value WHERE {
  ?d a kg:Document ; dct:identifier ?doc ; kg:meta ?m . ?m kg:key ?key ; kg:value ?value .
  FILTER(?key IN ("type", "time", "dna_statements", "dna_repeats"))
}"""
_TEXTS = """SELECT ?doc ?text WHERE {
  ?d dct:identifier ?doc ; schema:text ?text ; kg:meta ?m . ?m kg:key "dna_statements" }"""


@dataclass
class DnaCsvReport:
    """What :func:`dna_csv` wrote: rows, and assertions left out for want of a DNA agreement."""

    rows: int = 0
    left_out: int = 0  # stances other than supports/opposes
    from_dna: int = 0  # rows that got DNA's statement id, offsets and coder back


def _values(store: Store, sparql: str, bindings=None) -> list[dict]:
    res = store.query(sparql, bindings)
    return [{k: (t.value if t is not None else None) for k, t in zip(res.vars, row)} for row in res.rows]


def _int(text: str):
    return int(text) if text is not None and str(text).isdigit() else text


def _dna_entries(values: list[str]) -> list[tuple]:
    """``dna_statements`` items (``"ID START-STOP CODER-ID NOTATION ACTOR-SLUG CODER-NAME"``) as
    (id, start, stop, coder id, notation, actor slug), by id."""
    out = []
    for v in values:
        parts = v.split(" ", 5) + ["", ""]
        try:
            sid, (start, stop), coder = int(parts[0]), (int(x) for x in parts[1].split("-")), parts[2]
        except (ValueError, IndexError):
            continue  # an item a user edited into another shape: that statement keeps kg's values
        out.append((sid, start, stop, int(coder) if coder.isdigit() else "", parts[3], parts[4]))
    return sorted(out)


def dna_rows(store: Store, filters: Filters | None = None) -> tuple[list[list], DnaCsvReport]:
    """The rows of DNA's event list (columns :data:`DNA_CSV_COLUMNS`) for the store's assertions."""
    from kg.analysis.rows import fetch_rows, filter_rows

    report = DnaCsvReport()
    allowed = None
    if filters:
        allowed = {r.assertion for r in filter_rows(fetch_rows(store, filters), filters)}
    found: dict[str, dict] = {}
    for r in sorted(_values(store, _ASSERTIONS), key=lambda r: (r["a"], r["actorLabel"], r["targetLabel"],
                                                                 r["speakerLabel"] or "")):
        if (allowed is None or r["a"] in allowed) and r["a"] not in found:
            found[r["a"]] = r
    docs = {d["doc"]: d for d in _values(store, _DOCUMENTS)}
    authors: dict[str, list[str]] = {}
    for d in _values(store, _AUTHORS):
        authors.setdefault(d["doc"], []).append(d["author"])
    meta: dict[tuple[str, str], list[str]] = {}
    for d in _values(store, _META):
        meta.setdefault((d["doc"], d["key"]), []).append(d["value"])

    repeats: dict[int, list[int]] = {}  # DNA statement id → ids of statements equal to it
    for (doc, key), values in meta.items():
        if key == "dna_repeats":
            for v in values:
                again, first = (v.split(" ") + [""])[:2]
                if first.isdigit() and again.isdigit():
                    repeats.setdefault(int(first), []).append(int(again))
    again_ids = {i for ids in repeats.values() for i in ids}
    # Statements imported from DNA: match each assertion to its DNA statement by its quote.
    by_doc: dict[str, list[dict]] = {}
    for r in found.values():
        by_doc.setdefault(r["doc"], []).append(r)
    dna: dict[str, tuple] = {}
    texts = None
    for doc, rs in by_doc.items():
        entries = [e for e in _dna_entries(meta.get((doc, "dna_statements"), [])) if e[0] not in again_ids]
        if not entries:
            continue
        if texts is None:  # the texts of documents imported from DNA, once
            texts = {d["doc"]: d["text"] for d in _values(store, _TEXTS)}
        text = texts.get(doc, "")
        for r in sorted(rs, key=lambda r: (int(r["start"]), r["actorLabel"], r["targetLabel"], r["a"])):
            same = [e for e in entries if text[e[1]:e[2]] == r["quote"]]
            if same:  # statements on one span told apart by concept and actor, as far as they go
                hit = max(same, key=lambda e: (e[4] == r["notation"]) + (e[5] == slug(r["actorLabel"])))
                entries.remove(hit)
                dna[r["a"]] = hit[:4]

    entry = {e[0]: e[:4] for doc in by_doc for e in _dna_entries(meta.get((doc, "dna_statements"), []))}
    rows = []
    for a, r in found.items():
        if r["stance"] not in AGREEMENT:
            report.left_out += 1
            continue
        d = docs.get(r["doc"], {})
        date = (d.get("date") or "")[:10]
        time = (meta.get((r["doc"], "time")) or ["00:00:00"])[0]
        person_actor = r["actorType"] in ("true", "1")
        sid, start, stop, coder = dna.get(a) or (a.rsplit("/", 1)[-1], int(r["start"]), int(r["end"]), "")
        report.from_dna += a in dna
        # A statement kg holds as one assertion with an earlier equal one: its own row, as in DNA.
        for again in repeats.get(sid, []) if a in dna else []:
            if again in entry:
                rows.append(_row(entry[again], r, d, date, time, person_actor, authors, meta))
        rows.append(_row((sid, start, stop, coder), r, d, date, time, person_actor, authors, meta))
    # DNA's order: date and time, document id, start (Statement.compareTo), then statement id.
    rows.sort(key=lambda x: (x[1], str(x[10]).zfill(20), x[6], str(x[0]).zfill(20)))
    report.rows = len(rows)
    return rows, report


def _row(dna: tuple, r: dict, d: dict, date: str, time: str, person_actor: bool, authors: dict, meta: dict) -> list:
    sid, start, stop, coder = dna
    return [
        sid, f"{date} {time}" if date else "",
        r["actorLabel"] if person_actor else (r["speakerLabel"] or ""),
        "" if person_actor else r["actorLabel"], r["targetLabel"], AGREEMENT[r["stance"]], start, stop,
        r["quote"], coder, _int(r["doc"]), d.get("title") or "", ", ".join(authors.get(r["doc"], [])),
        d.get("source") or "", d.get("section") or "", (meta.get((r["doc"], "type")) or [""])[0],
    ]


def dna_csv(store: Store, filters: Filters | None = None, raw: bool | None = None) -> tuple[str, DnaCsvReport]:
    """DNA's event list CSV of the store (see the module docstring) and what went into it."""
    from kg.analysis.output import csv_cells

    rows, report = dna_rows(store, filters)
    lines = [";".join(_quoted(c) for c in DNA_CSV_COLUMNS)]
    for row in rows:
        cells = csv_cells(row, raw)
        # As eventCSV: numbers and the time bare, every other cell in double quotes.
        lines.append(";".join(str(c) if isinstance(c, int) or (i == 1 and c) else _quoted(str(c))
                              for i, c in enumerate(cells)))
    return "\n".join(lines) + "\n", report


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'  # a quote doubled, as CSV readers expect


def _dl_label(label: str) -> str:
    return '"' + label.replace('"', "'").replace("'", "") + '"'  # as Exporter.exportDL writes labels


def dl_matrix(names: list[str], matrix: list[list[float]]) -> str:
    """A one-mode matrix as a UCINET DL full matrix, as DNA's ``Exporter.exportDL`` writes it."""
    integer = all(float(w).is_integer() for row in matrix for w in row)
    out = [f"dl n = {len(names)}, format = fullmatrix", "labels:", *(_dl_label(n) for n in names), "data:"]
    out += ["".join(f" {int(w)}" if integer else f" {float(w):.6f}" for w in row) for row in matrix]
    return "\n".join(out)


def onemode(rows: list[list], aggregation: str = "congruence") -> tuple[list[str], list[list[float]]]:
    """DNA's one-mode actor network of event-list ``rows`` (:func:`dna_rows`): DNA's formulas as
    :mod:`kg.analysis.dna_networks` implements them (``Exporter.computeOneModeMatrix``; boolean agreement,
    normalisation none, every statement counted), with ``aggregation`` congruence, conflict,
    subtract or ignore. Actors are the organisations (the person where a statement has none),
    ordered by name as DNA orders them (``Collections.sort``); the diagonal is 0.
    """
    from kg.analysis.dna_networks import Statement, dna_network

    statements = [Statement(actor, r[4], r[5], str(r[10]), r[1][:10] or None, actor, r[4], str(r[0]))
                  for r in rows for actor in [r[3] or r[2]] if actor]
    net = dna_network(statements, qualifier=aggregation)
    order = sorted(range(len(net.row_labels)), key=lambda i: net.row_labels[i])
    return ([net.row_labels[i] for i in order],
            [[0.0 if i == j else float(net.matrix[i][j]) for j in order] for i in order])


def dl_network(store: Store, view: str = "congruence", filters: Filters | None = None) -> str:
    """The store's congruence (conflict, subtract) network as DNA computes it (:func:`onemode`), as
    UCINET DL (:func:`dl_matrix`)."""
    if view not in DL_VIEWS:
        raise InputError(f"--format dl writes DNA's one-mode actor network: --view {', '.join(DL_VIEWS)}, "
                         f"not {view!r}")
    rows, _ = dna_rows(store, filters)
    return dl_matrix(*onemode(rows, view))
