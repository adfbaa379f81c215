"""A row projection of the assertions, kept beside an on-disk store, for the questions asked most.

In SPARQL every column of an assertion is a join on its node: about ten index
lookups per row, so ``kg stance`` on a busy actor or one topic's congruence
network means tens of thousands of lookups on a store of a million assertions.
The projection keeps one SQLite row per assertion plus one label row per
actor, target and outlet. The build writes it from the same records that
become quads and swaps it in with the store, so it describes exactly the store
it sits in (the writing: :mod:`kg.graph.projection_writer`). Any other write through :class:`~kg.store.OxigraphStore` deletes
it, and a stamp shared with the store catches writes from outside kg; without
a valid projection every question is answered in SPARQL, as on remote stores.

>>> p = Projection.of(store)                      # doctest: +SKIP
>>> p.stance(actor_iri)[0]["targetLabel"]         # doctest: +SKIP
'troop deployment'
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.model.namespaces import (
    CERTAINTY_IRI, GRAPH_BUILD, KG, METHOD_IRI, RDF, RDFS, SKOS, STANCE_IRI, digest,
)
from kg.store import PROJECTION_FILE as FILE
from kg.store import OxigraphStore, Store

STAMP = KG + "projectionStamp"
SCHEMA_VERSION = "2"  # a projection of another version is ignored (and rebuilt by the next build)
_STATE = GRAPH_BUILD + "#state"
_ACTOR_TYPES = {KG + t for t in ("Person", "State", "InternationalOrganisation", "ActorGroup")}
_ANY_ACTOR = _ACTOR_TYPES | {KG + "Actor"}
_LABEL_PREDICATES = {SKOS + "prefLabel", RDFS + "label", RDF + "type", SKOS + "notation"}

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE docs (doc TEXT PRIMARY KEY, publisher TEXT, date TEXT);
-- date: the document's, repeated so that filtering and ranking one topic's rows reads one index.
CREATE TABLE rows (assertion TEXT NOT NULL, doc TEXT NOT NULL, actor TEXT NOT NULL, stance TEXT NOT NULL,
                   target TEXT NOT NULL, certainty TEXT NOT NULL, speaker TEXT, quote TEXT NOT NULL,
                   start INTEGER NOT NULL, "end" INTEGER NOT NULL, method TEXT NOT NULL, confidence TEXT,
                   date TEXT);
-- label: COALESCE(skos:prefLabel, rdfs:label) as in the .rq files; type: the specific actor class;
-- is_actor: typed with any actor class; topic: the notation of a codebook topic.
CREATE TABLE labels (iri TEXT PRIMARY KEY, label TEXT, type TEXT, is_actor INTEGER, topic TEXT);
-- INSERT OR REPLACE keeps one row per assertion through this index.
CREATE UNIQUE INDEX rows_assertion ON rows (assertion);
"""
# Maintained while rows go in, except in a fresh build, which creates them once all rows are in
# (twice as fast), while the store's loader finishes.
_INDEXES = """
CREATE INDEX IF NOT EXISTS rows_actor ON rows (actor, target);
-- Covers one topic's holdings and the choice of their best rows (Projection.holdings, best_rows).
CREATE INDEX IF NOT EXISTS rows_target ON rows (target, actor, stance, certainty, date, doc, assertion);
CREATE INDEX IF NOT EXISTS rows_doc ON rows (doc);
"""

# The rows' own columns and their document's; labels are added in Python (Projection._labelled): joining
# four labels per row in SQL took longer than reading the rows.
_ROWS = """
SELECT r.assertion, r.actor, r.stance, r.target, r.certainty, r.speaker, r.quote, r.doc, d.publisher, d.date,
       r.method, r.start, r."end", r.confidence
FROM rows r JOIN docs d ON d.doc = r.doc
"""
_NO_LABEL = (None, None, None, None)  # (label, type, is_actor, topic) of an IRI without a label row

_NOTATION = {iri: name for table in (STANCE_IRI, CERTAINTY_IRI, METHOD_IRI) for name, iri in table.items()}


def path_of(store: Store) -> Path | None:
    """Where the projection of ``store`` lives: inside an on-disk Oxigraph store's folder, else nowhere."""
    if isinstance(store, OxigraphStore) and store.path is not None:
        return store.path / FILE
    return None


def store_stamp(store: Store) -> str | None:
    rows = store.query("SELECT ?s WHERE { ?state kg:projectionStamp ?s }").dicts()
    return rows[0]["s"] if len(rows) == 1 else None


class Projection:
    """Read access to a valid projection; :meth:`of` returns None when there is none."""

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self.db.row_factory = sqlite3.Row

    @classmethod
    def of(cls, store: Store) -> Projection | None:
        """The projection of ``store`` if there is one and it describes the store as it is now."""
        if os.environ.get("KG_NO_PROJECTION"):  # for comparing against plain SPARQL
            return None
        path = path_of(store)
        if path is None or not path.is_file():
            return None
        try:
            p = cls(path)
            meta = dict(p.db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error:
            return None
        if meta.get("schema") != SCHEMA_VERSION or meta.get("stamp") != store_stamp(store):
            p.close()
            return None
        return p

    @classmethod
    @contextmanager
    def opened(cls, store: Store) -> Iterator[Projection | None]:
        """:meth:`of` as a context: the projection (closed afterwards), or None."""
        p = cls.of(store)
        try:
            yield p
        finally:
            if p is not None:
                p.close()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Projection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stance(self, actor: str, target: str | None = None) -> list[dict]:
        """Rows of ``stance.rq`` for an actor IRI (and a target IRI), in its order."""
        where, args = "WHERE r.actor = ?", [actor]
        if target is not None:
            where, args = where + " AND r.target = ?", args + [target]
        rows = self._labelled(f"{_ROWS} {where}", args)
        # SQLite's BINARY collation orders UTF-8 bytes, which is Python's order of code points.
        rows.sort(key=lambda d: (d["targetLabel"], d["stance"], d["doc"], int(d["start"]), d["assertion"]))
        return rows

    def who(self, target: str) -> list[dict]:
        """Rows of ``who.rq`` for a target IRI."""
        cur = self.db.execute(
            """SELECT r.target, r.stance, r.actor, COALESCE(la.label, r.actor) AS actorLabel,
                      COUNT(DISTINCT r.assertion) AS assertions, GROUP_CONCAT(DISTINCT r.certainty) AS certainties,
                      GROUP_CONCAT(DISTINCT r.doc) AS docs
               FROM rows r LEFT JOIN labels la ON la.iri = r.actor WHERE r.target = ?
               GROUP BY r.stance, r.actor ORDER BY r.stance, actorLabel""", [target])
        return [dict(r) for r in cur]

    def assertions(self, target: str | None = None) -> list[dict]:
        """Rows of ``assertions.rq`` (all, or those on one target IRI), values as plain strings."""
        where, args = ("WHERE r.target = ?", [target]) if target is not None else ("", [])
        return self._labelled(f"{_ROWS} {where}", args)

    @staticmethod
    def _where(target: str | None, stances: Iterable[str], certainties: Iterable[str] | None,
               since: str | None, until: str | None) -> tuple[str, list]:
        """A WHERE clause over ``rows r`` and its arguments. Dates compare as in views.filter_rows: the first
        ten characters, undated rows excluded."""
        conds, args = [], []
        if target is not None:
            conds.append("r.target = ?")
            args.append(target)
        stances = list(stances)
        if stances:
            conds.append(f"r.stance IN ({','.join('?' * len(stances))})")
            args += stances
        if certainties is not None:  # the certainties at or above a floor
            certainties = list(certainties)
            conds.append(f"r.certainty IN ({','.join('?' * len(certainties))})" if certainties else "0")
            args += certainties
        for op, bound in ((">=", since), ("<=", until)):
            if bound:
                conds.append(f"r.date IS NOT NULL AND r.date <> '' AND substr(r.date, 1, 10) {op} ?")
                args.append(bound)
        return ("WHERE " + " AND ".join(conds)) if conds else "", args

    def holdings(self, target: str | None = None, stances: Iterable[str] = (),
                 certainties: Iterable[str] | None = None, since: str | None = None,
                 until: str | None = None) -> list[dict]:
        """One row per (actor, target, stance) among the assertions that pass the filters, with labels,
        the number of assertions ``n`` and their distinct ``certainties`` (comma-separated)."""
        where, args = self._where(target, stances, certainties, since, until)
        # Grouped in the covering index's order, certainties folded here: GROUP_CONCAT(DISTINCT) and
        # joining labels per group took twice as long.
        counts: dict[tuple[str, str, str], int] = defaultdict(int)
        certs: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for t, actor, stance, certainty, n in self.db.execute(
                f"SELECT r.target, r.actor, r.stance, r.certainty, COUNT(*) FROM rows r {where} "
                "GROUP BY r.target, r.actor, r.stance, r.certainty", args):
            counts[(actor, t, stance)] += n
            certs[(actor, t, stance)].append(certainty)
        labels = self._labels(x for key in counts for x in key[:2])
        out = []
        for (actor, t, stance), n in counts.items():
            la, lt = labels.get(actor, _NO_LABEL), labels.get(t, _NO_LABEL)
            out.append({"actor": actor, "actorLabel": la[0] or actor, "actorType": la[1] or "Actor", "target": t,
                        "targetLabel": lt[0] or t, "stance": stance, "n": n,
                        "certainties": ",".join(certs[(actor, t, stance)])})
        return out

    def best_rows(self, holdings: Iterable[tuple[str, str, str]], top: int, rank: dict[str, int],
                  certainties: Iterable[str] | None = None, since: str | None = None,
                  until: str | None = None) -> list[dict]:
        """The ``top`` best rows of each (actor, target, stance) in ``holdings`` that pass the filters, as in
        :meth:`assertions`. Best: highest certainty (``rank`` maps each to a number), then date (undated
        first), document, assertion: views._quote_order within one actor."""
        where, args = self._where(None, (), certainties, since, until)
        where = where.replace("WHERE", "AND", 1)
        order = "CASE r.certainty " + " ".join("WHEN ? THEN ?" for _ in rank) + " ELSE 0 END"
        order_args = [x for item in rank.items() for x in item]
        # One small top-N per holding over the covering index: ranking a topic's rows in one window
        # query sorted all of them (0.2 s on a topic of 10^5 assertions, against 0.06 s).
        # Row ids, not assertion IRIs: the covering index holds them, and reading a row by its id skips
        # a lookup in the index of IRIs.
        query = f"""SELECT r.rowid FROM rows r WHERE r.target = ? AND r.actor = ? AND r.stance = ? {where}
                    ORDER BY {order} DESC, COALESCE(substr(r.date, 1, 10), ''), r.doc, r.assertion LIMIT ?"""
        best = []
        for actor, t, stance in holdings:
            best += [r[0] for r in self.db.execute(query, [t, actor, stance, *args, *order_args, top])]
        return self._labelled(f"{_ROWS} WHERE r.rowid IN (SELECT value FROM json_each(?))", [json.dumps(best)])

    def _labelled(self, query: str, args: list) -> list[dict]:
        """The rows a :data:`_ROWS` query selects, with the columns of ``assertions.rq``: labels, target
        kind and outlet added, offsets as strings as SPARQL gives them."""
        rows = self._tuples(query, args)
        labels = self._labels(x for r in rows for x in (r[1], r[3], r[5], r[8]))
        no = _NO_LABEL
        out = []
        for assertion, actor, stance, target, certainty, speaker, quote, doc, publisher, date, method, start, end, \
                confidence in rows:
            la, lt = labels.get(actor, no), labels.get(target, no)
            out.append({"assertion": assertion, "actor": actor, "actorLabel": la[0] or actor,
                        "actorType": la[1] or "Actor", "stance": stance, "target": target,
                        "targetLabel": lt[0] or target,
                        "targetKind": "topic" if lt[3] is not None else ("actor" if lt[2] else "uncoded"),
                        "topic": lt[3], "certainty": certainty, "speaker": speaker,
                        "speakerLabel": labels.get(speaker, no)[0], "quote": quote, "doc": doc,
                        "source": labels.get(publisher, no)[0], "date": date, "method": method,
                        "start": str(start), "end": str(end), "confidence": confidence})
        return out

    def _labels(self, iris: Iterable[str | None]) -> dict[str, tuple]:
        """(label, type, is_actor, topic) of those ``iris`` that have a label row."""
        wanted = json.dumps(sorted({i for i in iris if i is not None}))
        return {r[0]: r[1:] for r in self._tuples(
            "SELECT iri, label, type, is_actor, topic FROM labels WHERE iri IN (SELECT value FROM json_each(?))",
            [wanted])}

    def _tuples(self, query: str, args: list) -> list[tuple]:
        """All rows of ``query`` as plain tuples: naming columns through sqlite3.Row costs more than reading
        them."""
        cur = self.db.cursor()
        cur.row_factory = None
        return cur.execute(query, args).fetchall()


# ---------------------------------------------------------------- writing


def stamp_quad(fingerprints: dict[str, str], reference_digest: str) -> str:
    """The store's stamp as an N-Quads line: derived from what it was built from, so that
    rebuilding the same inputs gives the same quads."""
    from kg.model.nquads import iri, literal, quad

    stamp = digest(*sorted(f"{k}={v}" for k, v in fingerprints.items()), reference_digest, size=24)
    return quad(iri(_STATE), STAMP, literal(stamp), GRAPH_BUILD)


def restamp(store: Store, fingerprints: dict[str, str], reference_digest: str) -> None:
    """Stamp the store anew from what it now holds, after a change made outside a build."""
    store.query(f"DELETE WHERE {{ GRAPH <{GRAPH_BUILD}> {{ ?s kg:projectionStamp ?o }} }}", allow_update=True)
    store.load_nquads(stamp_quad(fingerprints, reference_digest))
