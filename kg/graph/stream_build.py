"""A fresh build, streamed: quads are written and bulk-loaded while the inputs are still being read.

An incremental build (:func:`kg.graph.build.apply`) reads and checks every input
before it writes anything, because what it writes depends on what changed. A
build into an empty store compares nothing: every document is new. Here each
document becomes quads as it is read and each curated row as it is parsed, so
Oxigraph's bulk loader (fed through a pipe, see ``kg.store.loaders._PipeLoader``)
indexes them while Python reads the rest. At a million assertions reading and
checking takes over a minute, which the incremental build cannot overlap with
loading. The store is a scratch folder that is swapped in only after every
input has been read and checked, so bad input still leaves the previous store
as it was. It ends up holding exactly the quads, and the projection exactly
the rows, that :func:`~kg.graph.build.apply` writes for the same inputs (tested).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from kg.graph.build import (
    BuildReport, Extractor, _extractions, assertion_lines, candidates_quad, count_into, fingerprint, fingerprint_quad,
    keep_extracted, state_quads,
)
from kg.store.loaders import Progress, _loader, _QuadSink
from kg.ingest.curated import CuratedFile, iter_curated_jsonl, load_curated
from kg.ingest.documents import DEFAULT_MAX_BYTES, iter_documents
from kg.graph.inputs import Plan
from kg.graph.manifest import absolute, is_entity_chunk, record_quads
from kg.model.records import Assertion, Document
from kg.graph.projection import Writer
from kg.graph.quads import curation_quads, document_quads
from kg.store import OxigraphStore

_BATCH = 20_000  # projection rows per insert


class _Sink:
    """Assertions → quads for the loader and rows for the projection, in batches."""

    def __init__(self, out: _QuadSink, rows: Writer, documents: dict[str, Document]):
        self.out, self.rows, self.documents = out, rows, documents
        self.pending: list[tuple[Assertion, str | None]] = []
        self.entities: dict[str, set[str]] = defaultdict(set)  # what each document adds to the entities graph

    def lines(self, doc_id: str, chunks) -> None:
        """Quads of one document; its entity descriptions are also kept for its record."""
        for chunk in chunks:
            if is_entity_chunk(chunk):
                self.entities[doc_id].add(chunk)
            self.out.write(chunk)

    def write(self, assertions: list[Assertion]) -> None:
        """Assertions of one document."""
        if assertions:
            self.lines(assertions[0].doc, assertion_lines(assertions))
        self.pending.extend((a, self.documents[a.doc].date) for a in assertions)
        if len(self.pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        self.rows.add_assertions(self.pending)
        self.pending = []


def build_fresh(target: OxigraphStore, plan: Plan, *, rows: Writer, extractor: Extractor | None = None,
                strict: bool = True, max_bytes: int | None = None, progress: Progress | None = None,
                tmp_dir: str | Path | None = None) -> BuildReport:
    """Read the planned files into the empty store ``target`` (and ``rows``), writing as it reads."""
    doc_paths, curated_paths, reference_files = plan.documents, plan.curated, plan.reference_files
    reference = reference_files.reference()
    reference_digest = reference_files.digest()
    version = getattr(extractor, "version", "extractor") if extractor is not None else None
    report = BuildReport(skipped=list(plan.skipped), warnings=plan.warnings)
    documents: dict[str, Document] = {}
    curated_ids: dict[str, list[str]] = defaultdict(list)  # for fingerprints
    curated_keys: dict[str, set] = defaultdict(set)  # what extraction must not repeat
    curated_files: list[CuratedFile] = []

    with _loader(target, lambda: None, tmp_dir, progress) as out:
        sink = _Sink(out, rows, documents)
        for chunk in reference_files.nquads():
            out.write(chunk.decode("utf-8"))
        for n, doc in enumerate(iter_documents(doc_paths, max_bytes or DEFAULT_MAX_BYTES, strict, report.skipped,
                                                       warnings=plan.warnings, columns=plan.manifest.columns or None), 1):
            documents[doc.id] = doc
            sink.lines(doc.id, document_quads(doc))
            rows.add_document(doc, ())
            if progress:
                progress("reading documents", n, len(doc_paths))

        for n, path in enumerate(curated_paths, 1):
            if path.suffix.lower() == ".jsonl":
                cf = CuratedFile(str(path))
                found = iter_curated_jsonl(path, documents, reference)
            else:
                cf = load_curated(path, documents, reference)
                found = cf.assertions
            for a in found:
                curated_ids[a.doc].append(a.id)
                curated_keys[a.doc].add(a.key)
                sink.write([a])
            curated_files.append(cf)
            if progress:
                progress("curated files", n, len(curated_paths))

        rejected = {i for cf in curated_files for i, _ in cf.rejected}
        found_ids: dict[str, set[str]] = {}
        if extractor is not None:
            for n, (doc, found) in enumerate(_extractions(extractor, list(documents.values()), reference), 1):
                found_ids[doc.id] = {a.id for a in found}
                out.write(candidates_quad(doc.id, found_ids[doc.id]))
                sink.write(keep_extracted(found, rejected, curated_keys.get(doc.id, set()), report))
                if progress:
                    progress("documents", n, len(documents))
        sink.flush()

        fps = {d.id: fingerprint(d, curated_ids.get(d.id, ()), version, reference_digest,
                                 found_ids.get(d.id, set()) & rejected) for d in documents.values()}
        out.writelines(fingerprint_quad(doc_id, fp) for doc_id, fp in fps.items())
        for doc in documents.values():
            out.writelines(record_quads(doc.id, doc.path, sink.entities.get(doc.id, ())))
        plan.manifest.documents = {absolute(d.path) for d in documents.values()}
        for cf in curated_files:
            out.writelines(curation_quads(cf.path, cf.actors, cf.rejected))
        out.write(state_quads(reference_digest, fps, plan.manifest))
        out.close_input()
        rows.create_indexes()  # while the loader finishes

    report.documents = report.added = len(documents)
    count_into(report, target, rows)
    return report
