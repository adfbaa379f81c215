"""The one write of a build: a plan's inputs, read and checked, become quads in a store and rows
in its projection.

A fresh build is this write into an empty store. What is written depends on what the store
holds: a document whose fingerprint is stored unchanged is left alone, a changed one replaced.
Quads stream through Oxigraph's bulk loader (:mod:`kg.store.loaders`) as they are made.
Nothing stored can be replaced while the store holds no document, so when that store is a
scratch copy (thrown away if the build fails) each input is written as soon as it is read,
and the loader indexes while Python reads the rest (at a million assertions, reading and
checking takes over a minute). Otherwise writing waits until every input is read and
compared, and the loader clears what the new quads replace only just before the first of
them is written, so bad input leaves the store as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.graph.inputs import Plan, iter_planned_documents, read_curated
from kg.graph.manifest import absolute, is_entity_chunk, rebuild_entities, record_quads
from kg.graph.projection import stamp_quad
from kg.graph.projection_writer import Writer
from kg.graph.quads import assertion_quads, curation_quads, document_quads
from kg.ingest.curated import CuratedFile
from kg.ingest.documents import DEFAULT_MAX_BYTES, Skipped
from kg.ingest.reference import Reference
from kg.model.namespaces import GRAPH_BUILD, GRAPH_CURATION, KG, METHOD_IRI, digest, document_graph, document_iri
from kg.model.nquads import iri, literal, quad
from kg.model.records import Assertion, Document
from kg.store import Store
from kg.store.loaders import Progress, _loader, _QuadSink

_BUILD_NODE = GRAPH_BUILD + "#state"
CANDIDATES = KG + "extractedCandidates"  # ids of what extraction found in a document, before rejection
_BATCH = 20_000  # projection rows per insert

# An extractor maps a document to assertions, given the reference data. It may
# carry a ``version`` (part of each document's fingerprint) and an
# ``extract_many(docs, reference)`` that yields (doc id, assertions) in parallel.
Extractor = Callable[[Document, Reference], list[Assertion]]


@dataclass
class BuildReport:
    """What a build read, wrote, kept and skipped."""

    documents: int = 0  # documents the store holds after the build
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    removed_ids: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # stored documents not among this build's inputs
    missing: list[str] = field(default_factory=list)  # remembered document files that are gone
    warnings: list = field(default_factory=list)  # kept what could be read (e.g. a document without its date)
    actors: int = 0
    assertions: int = 0
    curated: int = 0
    extracted: int = 0
    rejected: int = 0
    superseded: int = 0  # extracted assertions a curated one already states
    triples: int = 0
    seconds: float = 0.0
    store: str = ""
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def processed(self) -> int:
        """New or changed documents written this run."""
        return self.added + self.updated

    def summary(self) -> str:
        text = (f"documents: {self.documents} ({self.added} added, {self.updated} updated, {self.unchanged} "
                f"unchanged, {self.removed} removed), actors: {self.actors}, assertions: {self.assertions} "
                f"({self.curated} curated, {self.extracted} extracted), triples: {self.triples}, "
                f"seconds: {self.seconds:.2f}")
        if self.rejected or self.superseded:
            text += (f"\nextracted assertions dropped: {self.rejected} rejected by curation, "
                     f"{self.superseded} already curated")
        if self.removed_ids:
            text += "\nremoved: " + ", ".join(self.removed_ids)
        for f in self.missing:
            text += f"\nwarning: {f}: this file is gone; its documents stay as built (kg remove drops them)"
        if self.kept:
            text += (f"\nkept as built: {len(self.kept)} document(s) not among this build's inputs"
                     f" ({', '.join(self.kept[:5])}{', …' if len(self.kept) > 5 else ''})")
        for w in self.warnings:
            text += f"\nwarning: {w}"
        for s in self.skipped:
            text += f"\nskipped {s.path}: {s.reason}"
        return text


def write(store: Store, plan: Plan, *, extractor: Extractor | None = None, full: bool = False,
          rows: Writer | None = None, strict: bool = True, max_bytes: int | None = None,
          progress: Progress | None = None, tmp_dir: str | Path | None = None, scratch: bool = False) -> BuildReport:
    """Bring ``store`` in line with ``plan``: write new or changed documents; keep the stored documents
    that are not among the inputs, unless the plan syncs (then they are removed). ``full`` rewrites
    every document. ``rows``, when given, receives the same changes (see :mod:`kg.graph.projection`).
    ``scratch``: the store is a copy that is thrown away if the build fails, so writing may begin
    before every input has been read."""
    report = BuildReport(skipped=list(plan.skipped), missing=list(plan.missing), warnings=plan.warnings)
    files = plan.reference_files
    reference, reference_digest = files.reference(), files.digest()
    version = getattr(extractor, "version", "extractor") if extractor is not None else None
    reference_changed = full or _stored_reference_digest(store) != reference_digest
    existing_all = existing_fingerprints(store)  # what the store holds, whatever `full` says
    existing = {} if full else existing_all
    found_before = stored_candidates(store) if extractor is not None and existing else {}
    at_once = scratch and not existing_all  # nothing stored can be replaced: write each input as it is read
    replaced: list[str] = []  # stored document graphs the new quads replace

    def clear() -> None:
        # Run by the loader just before the first new quad is written.
        if reference_changed:
            files.clear_from(store)
        for doc_id in replaced:
            store.remove_graph(document_graph(doc_id))
        store.remove_graph(GRAPH_CURATION)
        store.remove_graph(GRAPH_BUILD)

    with _loader(store, clear, tmp_dir, progress) as out:
        sink = _Sink(out, rows)
        if at_once and reference_changed:
            sink.reference(files)
        documents: dict[str, Document] = {}
        for n, doc in enumerate(iter_planned_documents(plan, strict=strict, max_bytes=max_bytes or DEFAULT_MAX_BYTES,
                                                       skipped=report.skipped), 1):
            documents[doc.id] = doc
            if at_once:
                sink.document(doc)
            if progress:
                progress("reading documents", n, len(plan.documents) + len(plan.remembered))
        plan.manifest.documents = {absolute(d.path) for d in documents.values()}

        curated = _Curated(plan, documents, reference, sink if at_once else None, progress)
        rejected = curated.rejected

        def fingerprint_of(doc: Document, candidates: set[str]) -> str:
            return fingerprint(doc, curated.ids.get(doc.id, ()), version, reference_digest, candidates & rejected)

        fps: dict[str, str] = {}
        todo: list[Document] = []
        for doc in documents.values():
            fps[doc.id] = fingerprint_of(doc, found_before.get(doc.id, set()))
            if existing.get(doc.id) == fps[doc.id]:
                report.unchanged += 1
            else:
                todo.append(doc)
        others = sorted(d for d in existing_all if d not in fps)
        if plan.sync:
            report.removed_ids = others
        else:
            report.kept = others
            fps.update((d, existing_all[d]) for d in others)
        report.removed = len(report.removed_ids)
        report.added = sum(1 for d in todo if d.id not in existing_all)
        report.updated = len(todo) - report.added
        replaced += [*report.removed_ids, *(d.id for d in todo if d.id in existing_all)]
        if rows is not None and replaced:
            rows.drop_documents(replaced)

        if not at_once:  # now that it is known what changed
            if reference_changed:
                sink.reference(files)
            for doc in todo:
                sink.document(doc)
                sink.assertions(doc.id, curated.by_doc.get(doc.id, []))
        for n, (doc, found) in enumerate(_extractions(extractor, todo, reference), 1):
            kept = keep_extracted(found, rejected, curated.keys.get(doc.id, set()), report)
            if extractor is not None:  # the rejections that concern it are known once it is extracted
                fps[doc.id] = fingerprint_of(doc, {a.id for a in found})
                out.write(candidates_quad(doc.id, (a.id for a in found)))
            sink.assertions(doc.id, kept)
            if progress:
                progress("documents", n, len(todo))
        sink.flush()
        for doc in todo:
            out.write(fingerprint_quad(doc.id, fps[doc.id]))
            out.writelines(record_quads(doc.id, doc.path, sink.entities.get(doc.id, ())))
        for cf in curated.files:
            out.writelines(curation_quads(cf.path, cf.actors, cf.rejected))
        out.write(state_quads(reference_digest, fps, plan.manifest))
        out.close_input()
        if rows is not None and at_once:
            rows.create_indexes()  # while the loader finishes
    report.documents = len(fps)
    if report.removed or report.updated:
        # Descriptions that removed or rewritten documents contributed may be gone: rebuild the union.
        rebuild_entities(store)
    count_into(report, store, rows)
    return report


class _Sink:
    """Quads for the loader and rows for the projection; keeps what each document adds to the
    shared entities graph, for its record (:func:`kg.graph.manifest.record_quads`)."""

    def __init__(self, out: _QuadSink, rows: Writer | None):
        self.out, self.rows = out, rows
        self.dates: dict[str, str | None] = {}
        self.pending: list[tuple[Assertion, str | None]] = []
        self.entities: dict[str, set[str]] = defaultdict(set)

    def reference(self, files) -> None:
        for chunk in files.nquads():
            self.out.write(chunk.decode("utf-8"))

    def document(self, doc: Document) -> None:
        self.dates[doc.id] = doc.date
        self._lines(doc.id, document_quads(doc))
        if self.rows is not None:
            self.rows.add_document(doc, ())

    def assertions(self, doc_id: str, assertions: list[Assertion]) -> None:
        """Assertions of one document."""
        if not assertions:
            return
        self._lines(doc_id, assertion_lines(assertions))
        if self.rows is not None:
            self.pending.extend((a, self.dates[doc_id]) for a in assertions)
            if len(self.pending) >= _BATCH:
                self.flush()

    def flush(self) -> None:
        if self.rows is not None and self.pending:
            self.rows.add_assertions(self.pending)
        self.pending = []

    def _lines(self, doc_id: str, chunks: Iterable[str]) -> None:
        for chunk in chunks:
            if is_entity_chunk(chunk):
                self.entities[doc_id].add(chunk)
            self.out.write(chunk)


class _Curated:
    """The plan's curated files, read against the documents: each assertion written at once through
    ``sink`` (when given) or kept by document; their ids and keys kept for fingerprints and for what
    extraction must not repeat."""

    def __init__(self, plan: Plan, documents: dict[str, Document], reference: Reference, sink: _Sink | None,
                 progress: Progress | None):
        self.ids: dict[str, list[str]] = defaultdict(list)  # "id@origin" of each document's curated rows
        self.keys: dict[str, set] = defaultdict(set)
        self.by_doc: dict[str, list[Assertion]] = defaultdict(list)
        self.files: list[CuratedFile] = []
        for n, path in enumerate(plan.curated, 1):
            cf, found = read_curated(path, documents, reference)
            for a in found:
                # With its line: a row that moved in its file rewrites its document (kg:origin changed).
                self.ids[a.doc].append(f"{a.id}@{a.origin}")
                self.keys[a.doc].add(a.key)
                if sink is not None:
                    sink.assertions(a.doc, [a])
                else:
                    self.by_doc[a.doc].append(a)
            self.files.append(cf)
            if progress:
                progress("curated files", n, len(plan.curated))
        self.rejected = {i for cf in self.files for i, _ in cf.rejected}


def fingerprint(doc: Document, curated_ids: Iterable[str], extractor_version: str | None, reference_digest: str,
                rejected_here: Iterable[str] = ()) -> str:
    """What a document's graph was built from (its curated assertions by id and line, and the rejections that hit
    its own extracted assertions); equal fingerprints mean nothing to redo. Only a document whose
    suggestions a rejection names is redone when the reject list changes."""
    return digest(doc.sha256, ",".join(sorted(curated_ids)), extractor_version or "-",
                  reference_digest, ",".join(sorted(rejected_here)) if extractor_version else "-", size=24)


def candidates_quad(doc_id: str, ids: Iterable[str]) -> str:
    return quad(iri(document_iri(doc_id)), CANDIDATES, literal(" ".join(sorted(set(ids)))), document_graph(doc_id))


def fingerprint_quad(doc_id: str, fp: str) -> str:
    return quad(iri(document_iri(doc_id)), KG + "fingerprint", literal(fp), document_graph(doc_id))


def stored_candidates(store: Store) -> dict[str, set[str]]:
    """Document id → ids its extraction found last time (for the rejections that concern it)."""
    rows = store.query("SELECT ?id ?c WHERE { ?d kg:extractedCandidates ?c ; dct:identifier ?id }").dicts()
    return {r["id"]: set(str(r["c"]).split()) for r in rows}


def existing_fingerprints(store: Store) -> dict[str, str]:
    """Document id → fingerprint for every document graph in the store."""
    rows = store.query(
        "SELECT ?id ?fp WHERE { ?d a kg:Document ; dct:identifier ?id . OPTIONAL { ?d kg:fingerprint ?fp } }"
    ).dicts()
    return {r["id"]: r["fp"] or "" for r in rows}


def _stored_reference_digest(store: Store) -> str | None:
    rows = store.query("SELECT ?d WHERE { ?s kg:referenceDigest ?d }").dicts()
    return rows[0]["d"] if rows else None


def assertion_lines(assertions: Iterable[Assertion]) -> Iterator[str]:
    """Quads of one document's assertions; actors found in its text are described once."""
    described: set[str] = set()
    for a in assertions:
        new = [x for x in (a.actor, a.attributed_to) if x is not None and x.is_new and x.iri not in described]
        described.update(x.iri for x in new)
        yield from assertion_quads(a, describe=new)


def keep_extracted(found: Iterable[Assertion], rejected: set[str], curated_keys: set, report: BuildReport
                   ) -> list[Assertion]:
    """The extracted assertions neither rejected by curation nor already curated (counted in ``report``)."""
    kept = []
    for a in found:
        if a.id in rejected:
            report.rejected += 1
        elif a.key in curated_keys:
            report.superseded += 1
        else:
            kept.append(a)
    return kept


def state_quads(reference_digest: str, fingerprints: dict[str, str], manifest) -> str:
    """The build graph: which reference data, document fingerprints and input files the store holds."""
    return (quad(iri(_BUILD_NODE), KG + "referenceDigest", literal(reference_digest), GRAPH_BUILD)
            + stamp_quad(fingerprints, reference_digest) + manifest.build_quads())


def count_into(report: BuildReport, store: Store, rows: Writer | None) -> None:
    """Assertions by method, actors and triples of the built store (from the projection's rows when given)."""
    if rows is not None:  # the same counts, without scanning a million assertion nodes
        by_method, report.actors = rows.counts()
    else:
        method = {v: k for k, v in METHOD_IRI.items()}
        by_method = {method.get(r["m"], r["m"]): r["n"] for r in store.query(
            "SELECT ?m (COUNT(?a) AS ?n) WHERE { ?a kg:method ?m } GROUP BY ?m").dicts()}
        report.actors = store.query("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?a kg:actor ?x }").dicts()[0]["n"]
    report.curated, report.extracted = by_method.get("curated", 0), by_method.get("extracted", 0)
    report.assertions = report.curated + report.extracted
    report.triples = len(store)


def _extractions(extractor: Extractor | None, docs: list[Document], reference: Reference
                 ) -> Iterator[tuple[Document, list[Assertion]]]:
    if extractor is None:
        for d in docs:
            yield d, []
        return
    by_id = {d.id: d for d in docs}
    many = getattr(extractor, "extract_many", None)
    if many is not None:
        for doc_id, found in many(docs, reference):
            yield by_id[doc_id], found
    else:
        for d in docs:
            yield d, extractor(d, reference)
