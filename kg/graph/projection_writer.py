"""Writing the row projection: a copy of the projection (or a new one) that a build or a removal
fills in step with the store, then installs beside it (:mod:`kg.graph.projection`)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from kg.graph.projection import (
    _ACTOR_TYPES, _ANY_ACTOR, _INDEXES, _LABEL_PREDICATES, _NOTATION, _SCHEMA, FILE, SCHEMA_VERSION, Projection,
    store_stamp,
)
from kg.model.namespaces import KG, RDF, RDFS, SKOS, source_iri
from kg.model.records import Assertion, Document
from kg.store import OxigraphStore, Store

_INSERT_ROW = "INSERT OR REPLACE INTO rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"  # the columns of _row


def _row(a: Assertion, date: str | None) -> tuple:
    return (a.iri, a.doc, a.actor.iri, a.stance, a.target.iri, a.certainty,
            a.attributed_to.iri if a.attributed_to is not None else None, a.quote, a.start, a.end, a.method,
            f"{a.confidence:.3f}" if a.confidence is not None else None, date)


class Writer:
    """A projection being written in a scratch file, moved into the store's folder when done.

    Start from the current projection (:meth:`start`), drop and add documents as
    the build changes them, then :meth:`finish` (labels and a fresh stamp, also
    written into the store) and :meth:`install`.
    """

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path)
        # A scratch file replaced whole on success: no journal needed.
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")

    @classmethod
    def start(cls, scratch: Path, base: Projection | None = None, *, indexes: bool = True) -> Writer:
        """A writer on ``scratch``, a copy of ``base`` when given, else empty (without its secondary
        indexes when not ``indexes``: call :meth:`create_indexes` once the rows are in)."""
        if scratch.exists():
            scratch.unlink()
        if base is not None:
            shutil.copyfile(base.path, scratch)
            return cls(scratch)
        w = cls(scratch)
        w.db.executescript(_SCHEMA + (_INDEXES if indexes else ""))
        w.db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        return w

    def drop_documents(self, doc_ids: Iterable[str]) -> None:
        ids = [(d,) for d in doc_ids]
        self.db.executemany("DELETE FROM rows WHERE doc = ?", ids)
        self.db.executemany("DELETE FROM docs WHERE doc = ?", ids)

    def add_document(self, doc: Document, assertions: Iterable[Assertion]) -> None:
        self.db.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)",
                        (doc.id, source_iri(doc.source) if doc.source else None, doc.date))
        self.add_assertions((a, doc.date) for a in assertions)

    def add_assertions(self, assertions: Iterable[tuple[Assertion, str | None]]) -> None:
        """Assertions, each with its document's date; one row per assertion id, as in the store
        (a document can state the same thing twice)."""
        self.db.executemany(_INSERT_ROW, (_row(a, date) for a, date in assertions))

    def create_indexes(self) -> None:
        self.db.executescript(_INDEXES)

    def counts(self) -> tuple[dict[str, int], int]:
        """Assertions by method, and the number of distinct actors."""
        by_method = dict(self.db.execute("SELECT method, COUNT(*) FROM rows GROUP BY method").fetchall())
        return by_method, self.db.execute("SELECT COUNT(DISTINCT actor) FROM rows").fetchone()[0]

    def add_from_store(self, store: Store) -> int:
        """Every assertion as the store holds it: the slow path, when there is no projection to start from."""
        docs = store.query("""SELECT ?d ?doc ?publisher ?date WHERE {
            ?d a kg:Document ; dct:identifier ?doc .
            OPTIONAL { ?d dct:publisher ?publisher } OPTIONAL { ?d dct:date ?date } }""").dicts()
        doc_id = {r["d"]: r["doc"] for r in docs}
        doc_date = {r["doc"]: r["date"] for r in docs}
        self.db.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)",
                            ((r["doc"], r["publisher"], r["date"]) for r in docs))
        res = store.query("""SELECT ?assertion ?d ?actor ?stance ?target ?certainty ?speaker ?quote ?start ?end
                                    ?method ?confidence WHERE {
            ?assertion kg:actor ?actor ; kg:stance ?stance ; kg:target ?target ; kg:certainty ?certainty ;
                       kg:quote ?quote ; kg:startOffset ?start ; kg:endOffset ?end ; kg:method ?method ;
                       prov:wasDerivedFrom ?d .
            OPTIONAL { ?assertion kg:attributedTo ?speaker } OPTIONAL { ?assertion kg:confidence ?confidence } }""")
        batch: dict[str, tuple] = {}  # one row per assertion, whatever the OPTIONAL joins repeat
        for r in res.rows:
            v = [t.value if t is not None else None for t in r]
            if v[1] in doc_id and v[0] not in batch:
                batch[v[0]] = (v[0], doc_id[v[1]], v[2], _NOTATION.get(v[3], v[3]), v[4], _NOTATION.get(v[5], v[5]),
                               v[6], v[7], int(v[8]), int(v[9]), _NOTATION.get(v[10], v[10]), v[11],
                               doc_date[doc_id[v[1]]])
        self.db.executemany(_INSERT_ROW, batch.values())
        return len(batch)

    def refresh_labels(self, store: Store) -> None:
        """Labels, types and notations of every IRI the rows name, read from the store."""
        iris = [r[0] for r in self.db.execute(
            "SELECT actor FROM rows UNION SELECT target FROM rows UNION SELECT speaker FROM rows "
            "WHERE speaker IS NOT NULL UNION SELECT publisher FROM docs WHERE publisher IS NOT NULL")]
        out = []
        for iri, props in _describe(store, iris).items():
            labels = props.get(SKOS + "prefLabel") or props.get(RDFS + "label") or []
            types = set(props.get(RDF + "type", ()))
            actor_types = sorted(t.rsplit("#", 1)[1] for t in types & _ACTOR_TYPES)
            notations = sorted(props.get(SKOS + "notation", ())) if KG + "Topic" in types else []
            # Several labels or types: the first in order, as the SPARQL views keep.
            out.append((iri, min(labels) if labels else None, actor_types[0] if actor_types else None,
                        int(bool(types & _ANY_ACTOR)), notations[0] if notations else None))
        self.db.execute("DELETE FROM labels")
        self.db.executemany("INSERT INTO labels VALUES (?, ?, ?, ?, ?)", out)

    def finish(self, store: Store) -> None:
        """Refresh the labels and take the store's stamp: from now on the two belong together."""
        self.refresh_labels(store)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (store_stamp(store),))
        self.db.commit()

    def install(self, store_dir: Path) -> None:
        """Move the finished projection into the store's folder."""
        self.db.close()
        os.replace(self.path, store_dir / FILE)

    def discard(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)


def _describe(store: OxigraphStore, iris: list[str]) -> dict[str, dict[str, list[str]]]:
    """For each IRI, its labels, types and notations (from every graph)."""
    out: dict[str, dict[str, list[str]]] = {i: defaultdict(list) for i in iris}
    for i in iris:
        for p, o in store.objects(i, _LABEL_PREDICATES):
            out[i][p].append(o)
    return out


def detach(store: Store) -> Writer | None:
    """Take a valid projection out of the store's folder for a change (see ``build.remove_documents``)."""
    with_proj = Projection.of(store)
    if with_proj is None:
        return None
    with_proj.close()
    scratch = with_proj.path.with_name(FILE + ".changing")
    os.replace(with_proj.path, scratch)
    return Writer(scratch)

