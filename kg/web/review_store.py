"""Reviewing assertions: read documents and suggestions from the store, write decisions to a curated file.

:class:`ReviewStore` is what ``kg review`` serves. Reads are bound SPARQL over the store, paged, never
loading everything. Each decision (accept, reject, edit, add) is written to the curated YAML file with a
round-trip parser (comments, order and quoting kept), atomically (temp file and ``os.replace``), and only
when the client's version of the file (a hash of its bytes) is still the file's: a stale write is refused
and nothing is written. The store is then brought in step by an incremental build over the curated file.

The curated format has no ``coder``/``time`` keys (see :mod:`kg.ingest.curated`), so each written row records
them in its ``note:`` field: ``"coder: ana; time: 2026-12-02T07:30:00Z"``; a rejection's ``reason`` ends
with the same words in brackets.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
from datetime import datetime, timezone
from pathlib import Path

from kg.ingest.curated import ACTOR_TYPES
from kg.model.errors import KgError
from kg.model.files import write_atomic
from kg.model.namespaces import CERTAINTIES, IRI_CERTAINTY, IRI_STANCE, KG, KGR, STANCES
from kg.store import Term, open_store

MAX_PAGE = 500
_SAFE_IRI = re.compile(r"^[^<>\"{}|^`\\\x00-\x20]+$")


class ReviewError(KgError):
    """A decision that cannot be written; the curated file is left as it was."""


class StaleVersionError(ReviewError):
    """The curated file changed since the client read it."""


class BadDecisionError(ReviewError):
    """A decision with bad input: unknown actor, quote not matching the text, invalid stance …"""


def file_version(path: Path) -> str:
    """The version a client must send back with a write: a hash of the file's bytes."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return "none"


_ASSERTIONS = """
SELECT ?a ?doc ?quote ?start ?end ?stance ?certainty ?method ?conf ?actor ?target ?speaker WHERE {
  ?a a kg:Assertion ; kg:actor ?actor ; kg:stance ?stance ; kg:target ?target ; kg:certainty ?certainty ;
     kg:quote ?quote ; kg:startOffset ?start ; kg:endOffset ?end ; kg:method ?method ; prov:wasDerivedFrom ?d .
  ?d dct:identifier ?doc .
  OPTIONAL { ?a kg:confidence ?conf }
  OPTIONAL { ?a kg:attributedTo ?speaker }
  %s
} %s
"""


class ReviewStore:
    """Documents, suggestions and decisions over one store and one curated file, for one coder."""

    def __init__(self, store_location: str | Path, curated_path: str | Path, coder: str, *, extractor=None):
        self.store_location = str(store_location)
        self.curated_path = Path(curated_path)
        self.coder = coder or "anonymous"
        self.extractor = extractor  # the store's own extractor: a rebuild without it drops its suggestions
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- reading
    def _select(self, sparql: str, bindings: dict | None = None) -> list[dict]:
        with open_store(self.store_location, read_only=True) as store:
            return store.query(sparql, bindings).dicts()

    def version(self) -> str:
        return file_version(self.curated_path)

    def documents(self, limit: int = 100, offset: int = 0) -> list[dict]:
        """id, title, source, date and counts (assertions, curated, extracted) of a page of documents."""
        limit, offset = _page(limit, offset)
        rows = self._select(f"""
SELECT ?id (SAMPLE(?t) AS ?title) (SAMPLE(?s) AS ?source) (SAMPLE(?dt) AS ?date)
       (COUNT(?a) AS ?n) (SUM(IF(?m = kg:Curated, 1, 0)) AS ?curated) WHERE {{
  ?d a kg:Document ; dct:identifier ?id .
  OPTIONAL {{ ?d dct:title ?t }} OPTIONAL {{ ?d dct:publisher/rdfs:label ?s }} OPTIONAL {{ ?d dct:date ?dt }}
  OPTIONAL {{ ?a prov:wasDerivedFrom ?d ; a kg:Assertion ; kg:method ?m }}
}} GROUP BY ?id ORDER BY ?id LIMIT {limit} OFFSET {offset}""")
        out = []
        for r in rows:
            n, cur = int(r["n"] or 0), int(r["curated"] or 0)
            out.append({"id": r["id"], "title": r["title"], "source": r["source"],
                        "date": str(r["date"]) if r["date"] is not None else None,
                        "assertions": n, "curated": cur, "undecided": n - cur})
        return out

    def document(self, doc_id: str) -> dict:
        """A document's text and its assertions with their exact spans."""
        rows = self._select("SELECT ?id ?text ?title WHERE { ?d dct:identifier ?id ; schema:text ?text . "
                            "OPTIONAL { ?d dct:title ?title } } LIMIT 1", {"id": doc_id})
        if not rows:
            raise BadDecisionError(f"unknown document {doc_id!r}")
        assertions = self._assertions("FILTER(?doc = ?want)", "ORDER BY ?start ?end", {"want": doc_id})
        return {"id": doc_id, "title": rows[0]["title"], "text": rows[0]["text"], "assertions": assertions}

    def queue(self, limit: int = 50, offset: int = 0, *, doc: str | None = None, actor: str | None = None,
              topic: str | None = None) -> list[dict]:
        """Undecided extracted assertions (curated twins and rejected ones are not in the store), lowest
        confidence first, a page at a time; filtered by document id, actor name or topic (notation or label)."""
        limit, offset = _page(limit, offset)
        if not actor and not topic:
            rows = self._queue_from_projection(limit, offset, doc)
            if rows is not None:
                return rows
        where, bindings = ["FILTER(?method = kg:Extracted)"], {}
        if doc:
            where.append("FILTER(?doc = ?wantDoc)")
            bindings["wantDoc"] = doc
        if actor:
            where.append("FILTER EXISTS { ?actor skos:prefLabel|skos:altLabel|rdfs:label ?an . "
                         "FILTER(LCASE(STR(?an)) = LCASE(?wantActor)) }")
            bindings["wantActor"] = actor
        if topic:
            where.append("FILTER EXISTS { ?target skos:notation|skos:prefLabel|skos:altLabel|rdfs:label ?tn . "
                         "FILTER(LCASE(STR(?tn)) = LCASE(?wantTopic)) }")
            bindings["wantTopic"] = topic
        return self._assertions("\n  ".join(where), f"ORDER BY ?conf ?doc ?start ?a LIMIT {limit} OFFSET {offset}",
                                bindings)

    def _queue_from_projection(self, limit: int, offset: int, doc: str | None) -> list[dict] | None:
        """The queue read from the store's row projection (SQLite, one row per assertion) when it has a valid
        one: a page of a million rows without SPARQL's ten joins per row. None when there is none."""
        from kg.graph.projection import _ROWS, Projection

        with open_store(self.store_location, read_only=True) as store, Projection.opened(store) as p:
            if p is None:
                return None
            where, args = "r.method = 'extracted'", []
            if doc:
                where, args = where + " AND r.doc = ?", [doc]
            rows = p._labelled(f"{_ROWS} WHERE {where} ORDER BY CAST(r.confidence AS REAL), r.doc, r.start, "
                               "r.assertion LIMIT ? OFFSET ?", [*args, limit, offset])
        out = []
        for r in rows:
            kind, label = r["targetKind"], r["targetLabel"]
            ref = r["topic"] if kind == "topic" else ("actor:" if kind == "actor" else "text:") + label
            out.append({"id": r["assertion"].rsplit("/", 1)[-1], "doc": r["doc"], "quote": r["quote"],
                        "start": int(r["start"]), "end": int(r["end"]), "stance": r["stance"],
                        "certainty": r["certainty"], "method": r["method"],
                        "confidence": float(r["confidence"]) if r["confidence"] is not None else None,
                        "actor": r["actorLabel"], "target": label, "target_ref": ref,
                        "speaker": r["speakerLabel"] if r["speaker"] else None})
        return out

    def _assertions(self, where: str, tail: str, bindings: dict) -> list[dict]:
        # Bound variables must be projected (Oxigraph's rule): add them to the SELECT line.
        select = _ASSERTIONS % (where, tail)
        if bindings:
            select = select.replace("?speaker WHERE", "?speaker " + " ".join("?" + k for k in bindings) + " WHERE", 1)
        rows = self._select(select, bindings)
        names = self._names({r[k] for r in rows for k in ("actor", "target", "speaker") if r[k]})
        out = []
        for r in rows:
            target = names.get(r["target"], {})
            out.append({
                "id": str(r["a"]).rsplit("/", 1)[-1], "doc": r["doc"], "quote": r["quote"],
                "start": int(r["start"]), "end": int(r["end"]),
                "stance": IRI_STANCE.get(str(r["stance"]), str(r["stance"])),
                "certainty": IRI_CERTAINTY.get(str(r["certainty"]), str(r["certainty"])),
                "method": "curated" if str(r["method"]) == KG + "Curated" else "extracted",
                "confidence": float(r["conf"]) if r["conf"] is not None else None,
                "actor": names.get(r["actor"], {}).get("label"),
                "target": target.get("label"), "target_ref": target.get("ref"),
                "speaker": names.get(r["speaker"], {}).get("label") if r["speaker"] else None})
        return out

    def _names(self, iris: set) -> dict:
        """label and curated reference (notation, ``actor:…`` or ``text:…``) of actors and targets."""
        iris = sorted(str(i) for i in iris if _SAFE_IRI.match(str(i)))
        if not iris:
            return {}
        values = " ".join(f"<{i}>" for i in iris)
        rows = self._select(f"""
SELECT ?x (SAMPLE(?pl) AS ?pref) (SAMPLE(?rl) AS ?label) (SAMPLE(?n) AS ?notation)
       (MAX(IF(?t = kg:UncodedTarget, 1, 0)) AS ?uncoded) WHERE {{
  VALUES ?x {{ {values} }}
  OPTIONAL {{ ?x skos:prefLabel ?pl }} OPTIONAL {{ ?x rdfs:label ?rl }} OPTIONAL {{ ?x skos:notation ?n }}
  OPTIONAL {{ ?x a ?t }}
}} GROUP BY ?x""")
        out = {}
        for r in rows:
            label = r["pref"] or r["label"] or str(r["x"]).rsplit("/", 1)[-1]
            if r["notation"]:
                ref = str(r["notation"])
            elif int(r["uncoded"] or 0):
                ref = "text:" + label
            else:
                ref = "actor:" + label
            out[str(r["x"])] = {"label": label, "ref": ref}
        return out

    def names(self, limit: int = 5000) -> dict:
        """Actor names and topic notations for autocompletion (at most ``limit`` of each)."""
        actors = self._select(f"SELECT DISTINCT ?l WHERE {{ ?x a ?t ; skos:prefLabel ?l . "
                              f"FILTER(?t IN (kg:Person, kg:State, kg:InternationalOrganisation, kg:ActorGroup, "
                              f"kg:Actor)) }} ORDER BY ?l LIMIT {int(limit)}")
        topics = self._select(f"SELECT DISTINCT ?n WHERE {{ ?x skos:notation ?n }} ORDER BY ?n LIMIT {int(limit)}")
        return {"actors": [str(r["l"]) for r in actors], "topics": [str(r["n"]) for r in topics],
                "stances": list(STANCES), "certainties": list(CERTAINTIES), "actor_types": list(ACTOR_TYPES)}

    def assertion(self, assertion_id: str) -> dict:
        if not re.fullmatch(r"[0-9A-Za-z_-]{1,80}", assertion_id or ""):
            raise BadDecisionError(f"bad assertion id {assertion_id!r}")
        found = self._assertions("FILTER(?a = ?want)", "LIMIT 1", {"want": Term.iri(KGR + "assertion/" + assertion_id)})
        if not found:
            raise BadDecisionError(f"no assertion {assertion_id!r} in the store (decided already?)")
        return found[0]

    # ---------------------------------------------------------------- deciding
    def accept(self, assertion_id: str, version: str) -> dict:
        a = self.assertion(assertion_id)
        return self._write(version, rows=[_row(a)])

    def reject(self, assertion_id: str, version: str, reason: str = "") -> dict:
        self.assertion(assertion_id)
        return self._write(version, rejects=[(assertion_id, reason)])

    def edit(self, assertion_id: str, version: str, *, new_actor_type: str | None = None, **changes) -> dict:
        """Accept with changes (actor, stance, target, speaker, certainty); the suggestion itself is rejected.

        ``new_actor_type`` (Person, State, …) declares the changed actor in ``actors:`` when no gazetteer knows it."""
        a = self.assertion(assertion_id)
        row = _row(a)
        keys = {"actor": "actor", "stance": "stance", "target": "target", "speaker": "attributed_to",
                "certainty": "certainty"}
        for k, v in changes.items():
            if k not in keys:
                raise BadDecisionError(f"cannot change {k!r} (only {', '.join(keys)})")
            row[keys[k]] = (v or None) if k == "speaker" else v
        return self._write(version, rows=[row], rejects=[(assertion_id, "edited")],
                           actors=self._new_actor(row["actor"], new_actor_type))

    def add(self, version: str, *, doc: str, start: int, end: int, quote: str, actor: str, stance: str,
            target: str, certainty: str = "certain", speaker: str | None = None,
            new_actor_type: str | None = None) -> dict:
        """A new curated row from a selection of the document's text: ``quote`` must be ``text[start:end]``."""
        text = self.document(doc)["text"]
        try:
            start, end = int(start), int(end)
        except (TypeError, ValueError):
            raise BadDecisionError("start and end must be numbers") from None
        if not (0 <= start < end <= len(text)) or text[start:end] != quote:
            raise BadDecisionError(f"the quote {quote[:60]!r} is not the text at {start}–{end} of {doc}")
        if not quote.strip():
            raise BadDecisionError("the quote is empty")
        row = {"doc": doc, "actor": actor, "stance": stance, "target": target, "attributed_to": speaker or None,
               "certainty": certainty, "quote": quote}
        return self._write(version, rows=[row], actors=self._new_actor(actor, new_actor_type))

    def _new_actor(self, label, type_: str | None) -> list:
        if not type_:
            return []
        if type_ not in ACTOR_TYPES:
            raise BadDecisionError(f"unknown actor type {type_!r} (choose from {', '.join(ACTOR_TYPES)})")
        if not isinstance(label, str) or not label.strip():
            raise BadDecisionError("the new actor needs a name")
        known = self._select("SELECT ?l ?want WHERE { ?x skos:prefLabel|skos:altLabel ?l . "
                             "FILTER(LCASE(STR(?l)) = LCASE(?want)) } LIMIT 1", {"want": label})
        return [] if known else [{"label": label, "type": type_}]

    def _write(self, version: str, rows=(), rejects=(), actors=()) -> dict:
        for row in rows:
            _check_row(row)
        path = self.curated_path
        with self._lock, _file_lock(path):
            current = file_version(path)
            if version != current:
                raise StaleVersionError("the curated file changed since this page read it (another tab or coder "
                                        "wrote to it); reload to see its decisions, then decide again")
            old = path.read_bytes()
            stamp = f"coder: {self.coder}; time: {datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}"
            new = append_decisions(old.decode("utf-8"), rows, rejects, stamp, actors)
            write_atomic(path, new.encode("utf-8"), fsync=True)  # edited by hand too: on disk first
            try:
                report = self._rebuild()
            except KgError as e:
                write_atomic(path, old, fsync=True)
                raise BadDecisionError(str(e)) from None
            return {"version": file_version(path), "summary": report.summary()}

    def _rebuild(self):
        from kg.graph.build import build

        return build([self.curated_path], self.store_location, extractor=self.extractor, wait=True)


def append_decisions(text: str, rows, rejects, stamp: str, actors=()) -> str:
    """The curated file's text with ``rows`` appended to ``assertions:`` and ``rejects`` to ``reject:``,
    read and written round trip (comments, order and quotes kept), each entry stamped with ``stamp``."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    data = yaml.load(text) if text.strip() else None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise BadDecisionError("the curated file is not a mapping (actors:, reject:, assertions:)")
    for key, items in (("actors", actors), ("reject", rejects), ("assertions", rows)):
        if not items:
            continue
        if data.get(key) is None:
            data[key] = CommentedSeq()
        for item in items:
            if key == "actors":
                entry = CommentedMap(label=item["label"], type=item["type"])
            elif key == "reject":
                assertion_id, reason = item
                entry = CommentedMap(id=assertion_id, reason=f"{reason} [{stamp}]" if reason else f"[{stamp}]")
            else:
                entry = CommentedMap((k, item[k]) for k in
                                     ("doc", "actor", "stance", "target", "attributed_to", "certainty", "quote"))
                entry["note"] = stamp
            data[key].append(entry)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _page(limit, offset) -> tuple[int, int]:
    try:
        limit, offset = int(limit), int(offset)
    except (TypeError, ValueError):
        raise BadDecisionError("limit and offset must be numbers") from None
    return max(1, min(limit, MAX_PAGE)), max(0, offset)


def _row(a: dict) -> dict:
    return {"doc": a["doc"], "actor": a["actor"], "stance": a["stance"], "target": a["target_ref"],
            "attributed_to": a["speaker"], "certainty": a["certainty"], "quote": a["quote"]}


def _check_row(row: dict) -> None:
    for k in ("doc", "actor", "stance", "target", "certainty", "quote"):
        v = row.get(k)
        if not isinstance(v, str) or not v.strip():
            raise BadDecisionError(f"the decision needs a {k}")
    if row["stance"] not in STANCES:
        raise BadDecisionError(f"unknown stance {row['stance']!r} (choose from {', '.join(STANCES)})")
    if row["certainty"] not in CERTAINTIES:
        raise BadDecisionError(f"unknown certainty {row['certainty']!r} (choose from {', '.join(CERTAINTIES)})")
    if row.get("attributed_to") is not None and not isinstance(row["attributed_to"], str):
        raise BadDecisionError("the speaker must be a name")


class _file_lock:
    """An exclusive lock on the curated file's folder (no lock file is left beside it), so that two
    processes write one at a time; the file itself cannot carry it, as each write replaces it."""

    def __init__(self, path: Path):
        self.lock = path.resolve().parent

    def __enter__(self):
        self.fd = os.open(self.lock, os.O_RDONLY)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
