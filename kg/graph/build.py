"""Build the knowledge graph: documents + curated (+ extracted) assertions → quads → store.

Builds add and update; they never drop silently. A store remembers the files it
was built from (:mod:`kg.graph.manifest`), and ``build(PATHS)`` reads those together
with ``PATHS``. Each document's graph carries a fingerprint of what produced it
(its bytes, its curated rows, the extractor and the reference data), so only new
or changed documents are processed. Documents leave only through
:func:`remove_documents` or a build with ``sync=True``, which makes the store
hold exactly the documents under ``PATHS``. Everything is read and checked
before the store is touched, and an on-disk store is changed in a copy (a
RocksDB checkpoint) that is swapped in at the end, so bad input or an
interruption leaves the previous store readable.
"""

from __future__ import annotations

import difflib
import shutil
from contextlib import nullcontext
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.ingest.documents import Skipped
from kg.model.errors import InputError
from kg.graph.inputs import DEFAULT_SEEDS, Inputs, Plan, plan_inputs, read_inputs
from kg.store.locking import LOAD_SCRATCH, ROWS_SCRATCH, scratch_path, write_lock
from kg.store.dirs import new_version
from kg.store.loaders import Progress, _loader
from kg.graph.manifest import Manifest, document_record, rebuild_entities, stored_manifest
from kg.model.records import Assertion, Document
from kg.graph.projection import Projection, Writer, detach, restamp, stamp_quad
from kg.model.namespaces import GRAPH_BUILD, GRAPH_CURATION, KG, METHOD_IRI, digest, document_graph, document_iri
from kg.graph.quads import assertion_quads, curation_quads, document_quads
from kg.model.nquads import iri, literal, quad
from kg.ingest.reference import Reference
from kg.store import MEMORY, OxigraphStore, Store, open_store, replace_store, store_location

_BUILD_NODE = GRAPH_BUILD + "#state"


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


def fingerprint(doc: Document, curated_ids: Iterable[str], extractor_version: str | None, reference_digest: str,
                rejected_here: Iterable[str] = ()) -> str:
    """What a document's graph was built from (its curated assertions by id, and the rejections that hit
    its own extracted assertions); equal fingerprints mean nothing to redo. Only a document whose
    suggestions a rejection names is redone when the reject list changes."""
    return digest(doc.sha256, ",".join(sorted(curated_ids)), extractor_version or "-",
                  reference_digest, ",".join(sorted(rejected_here)) if extractor_version else "-", size=24)


CANDIDATES = KG + "extractedCandidates"  # ids of what extraction found in a document, before rejection


def candidates_quad(doc_id: str, ids: Iterable[str]) -> str:
    return quad(iri(document_iri(doc_id)), CANDIDATES, literal(" ".join(sorted(set(ids)))), document_graph(doc_id))


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


def _doc_lines(doc: Document, fp: str, assertions: list[Assertion]) -> Iterator[str]:
    yield fingerprint_quad(doc.id, fp)
    yield from document_record(doc.id, doc.path, _content_lines(doc, assertions))


def _content_lines(doc: Document, assertions: list[Assertion]) -> Iterator[str]:
    yield from document_quads(doc)
    yield from assertion_lines(assertions)


def fingerprint_quad(doc_id: str, fp: str) -> str:
    return quad(iri(document_iri(doc_id)), KG + "fingerprint", literal(fp), document_graph(doc_id))


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


def state_quads(reference_digest: str, fingerprints: dict[str, str], manifest: Manifest) -> str:
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


def apply(store: Store, inputs: Inputs, *, extractor: Extractor | None = None,
          full: bool = False, progress: Progress | None = None, tmp_dir: str | Path | None = None,
          rows: Writer | None = None) -> BuildReport:
    """Bring ``store`` in line with ``inputs``: write new or changed documents; keep the stored documents
    that are not among the inputs, unless the plan syncs (then they are removed).

    ``rows``, when given, receives the same changes (see :mod:`kg.graph.projection`).
    """
    report = BuildReport(skipped=list(inputs.skipped), missing=list(inputs.plan.missing),
                         warnings=inputs.plan.warnings)
    version = getattr(extractor, "version", "extractor") if extractor is not None else None
    reference_changed = full or _stored_reference_digest(store) != inputs.reference_digest
    existing_all = existing_fingerprints(store)  # what the store holds, whatever `full` says
    existing = {} if full else existing_all
    found_before = stored_candidates(store) if extractor is not None and existing else {}

    def fingerprint_of(doc: Document, candidates: set[str]) -> str:
        return fingerprint(doc, (a.id for a in inputs.curated_by_doc.get(doc.id, [])), version,
                           inputs.reference_digest, candidates & inputs.rejected)

    todo: list[tuple[Document, str]] = []
    all_fps: dict[str, str] = {}
    for doc in inputs.documents:
        fp = fingerprint_of(doc, found_before.get(doc.id, set()))
        all_fps[doc.id] = fp
        if existing.get(doc.id) == fp:
            report.unchanged += 1
        else:
            todo.append((doc, fp))
    others = sorted(d for d in existing_all if d not in all_fps)
    if inputs.plan.sync:
        report.removed_ids = others
        for doc_id in others:
            store.remove_graph(document_graph(doc_id))
    else:
        report.kept = others
        all_fps.update((d, existing_all[d]) for d in others)
    report.removed = len(report.removed_ids)
    report.added = sum(1 for d, _ in todo if d.id not in existing_all)
    report.updated = len(todo) - report.added

    fps = {d.id: fp for d, fp in todo}
    if rows is not None:
        rows.drop_documents([*report.removed_ids, *fps])
    def clear() -> None:
        # What the new quads replace; run just before the first of them is loaded.
        if reference_changed:
            inputs.reference_files.clear_from(store)
        for doc, _ in todo:
            if doc.id in existing_all:
                store.remove_graph(document_graph(doc.id))
        store.remove_graph(GRAPH_CURATION)
        store.remove_graph(GRAPH_BUILD)

    with _loader(store, clear, tmp_dir, progress) as out:
        if reference_changed:
            for chunk in inputs.reference_files.nquads():
                out.write(chunk.decode("utf-8"))
        for n, (doc, found) in enumerate(_extractions(extractor, [d for d, _ in todo], inputs.reference), 1):
            curated = inputs.curated_by_doc.get(doc.id, [])
            kept = keep_extracted(found, inputs.rejected, {a.key for a in curated}, report)
            if extractor is not None:  # the rejections that concern it are known once it is extracted
                fps[doc.id] = all_fps[doc.id] = fingerprint_of(doc, {a.id for a in found})
                out.write(candidates_quad(doc.id, (a.id for a in found)))
            out.writelines(_doc_lines(doc, fps[doc.id], curated + kept))
            if rows is not None:
                rows.add_document(doc, curated + kept)
            if progress:
                progress("documents", n, len(todo))
        for cf in inputs.curated_files:
            out.writelines(curation_quads(cf.path, cf.actors, cf.rejected))
        out.write(state_quads(inputs.reference_digest, all_fps, inputs.plan.manifest))
    report.documents = len(all_fps)
    if report.removed or report.updated:
        # Descriptions that removed or rewritten documents contributed may be gone: rebuild the union.
        rebuild_entities(store)
    count_into(report, store, rows)
    return report


def build(paths: Iterable[str | Path] | None = None, store: str | Path | Store | None = None, *,
          codebooks: Iterable[str | Path] = (), gazetteers: Iterable[str | Path] = (), with_shipped: bool = False,
          extractor: Extractor | None = None, strict: bool = True, max_bytes: int | None = None,
          full: bool = False, sync: bool = False, progress: Progress | None = None, wait: bool = False,
          columns: dict[str, str] | None = None) -> BuildReport:
    """Add ``paths`` to the store (and re-read every file it remembers); return the report.

    ``store`` is a location (folder, ``:memory:``, ``sparql+http://…``) or an open
    :class:`Store` (changed in place and left open). Without ``paths`` the store's
    remembered inputs are read again (for a new store: ``seeds/``). ``sync`` makes the
    store hold exactly the documents under ``paths``; ``full`` rebuilds every document.
    ``codebooks`` and ``gazetteers`` are the user's own (Turtle or YAML); the shipped
    ones (the seed debate's) apply only when the user brings none, or ``with_shipped``.
    ``columns`` maps kg's fields to the columns of article collections (``{"text": "story_text"}``);
    the store remembers it. An on-disk store is locked while it is written (another writer fails at once, or waits when
    ``wait``).
    """
    loc = None if isinstance(store, Store) else store_location(store)
    if loc is not None and loc != MEMORY and "://" not in loc:
        with write_lock(Path(loc), wait=wait):
            return _build(paths, store, loc, codebooks=codebooks, gazetteers=gazetteers, with_shipped=with_shipped,
                          extractor=extractor, strict=strict, max_bytes=max_bytes, full=full, sync=sync,
                          progress=progress, columns=columns)
    return _build(paths, store, loc, codebooks=codebooks, gazetteers=gazetteers, with_shipped=with_shipped,
                  extractor=extractor, strict=strict, max_bytes=max_bytes, full=full, sync=sync, progress=progress,
                  columns=columns)


def _build(paths, store, loc, *, codebooks, gazetteers, with_shipped, extractor, strict, max_bytes, full, sync,
           progress, columns) -> BuildReport:
    t0 = time.perf_counter()
    on_disk = loc is not None and loc != MEMORY and "://" not in loc
    new_store = loc == MEMORY or (on_disk and not Path(loc).exists())
    remembered = None if new_store or sync else _remembered(store, loc)
    paths = list(paths or ())
    if not paths and (remembered is None or not remembered.all_files()):
        if not Path(DEFAULT_SEEDS).is_dir():
            raise InputError("nothing to build: name the articles, curated files and codebooks to read", Path("."))
        paths = [DEFAULT_SEEDS]
    plan = plan_inputs(paths, remembered, sync=sync, codebooks=codebooks, gazetteers=gazetteers,
                       with_shipped=with_shipped, columns=columns)
    if on_disk and (new_store or (full and sync)):
        # Nothing to compare with: write while reading (see kg.graph.stream_build).
        report = _build_fresh(Path(loc), plan, extractor=extractor, strict=strict, max_bytes=max_bytes,
                              progress=progress)
        report.seconds = time.perf_counter() - t0
        return report
    inputs = read_inputs(plan, strict=strict, max_bytes=max_bytes)

    if isinstance(store, Store):
        if isinstance(store, OxigraphStore) and store.path is not None:
            with Projection.opened(store) as base:
                report, writer = _apply_projected(store, inputs, base, _rows_scratch(store.path),
                                                  extractor=extractor, full=full, progress=progress)
            writer.install(store.path)
        else:
            report = apply(store, inputs, extractor=extractor, full=full, progress=progress)
        report.store = store.location
    elif not on_disk:
        with open_store(loc, create=True) as target:
            report = apply(target, inputs, extractor=extractor, full=full, progress=progress)
        report.store = loc
    else:
        report = _build_on_disk(Path(loc), inputs, extractor, progress, full)
    report.seconds = time.perf_counter() - t0
    return report


def _remembered(store: str | Path | Store | None, loc: str | None) -> Manifest:
    """The inputs an existing store remembers."""
    if isinstance(store, Store):
        return stored_manifest(store)
    with open_store(loc, read_only="://" not in loc, create="://" in loc) as s:
        return stored_manifest(s)


def _build_on_disk(final: Path, inputs: Inputs, extractor: Extractor | None,
                   progress: Progress | None, full: bool = False) -> BuildReport:
    """Update a checkpoint copy of the existing store, then swap it in: readers never see a half-built store."""
    return _on_a_copy(final, lambda target, base: _apply_projected(
        target, inputs, base, _rows_scratch(final), extractor=extractor, progress=progress, tmp_dir=_tmp(final),
        full=full))


def _on_a_copy(final: Path, change: Callable[[OxigraphStore, Projection | None], tuple]):
    """Run ``change(target, base projection)`` on a checkpoint copy of the store at ``final`` (it returns
    its report and the projection writer), then swap the copy in."""
    def fill(scratch: Path) -> tuple:
        with OxigraphStore(final, read_only=True) as current:
            current.backup(scratch)
            base = Projection.of(current)  # closed below, once copied
        with OxigraphStore(scratch) as target, base or nullcontext():
            return change(target, base)

    return _swap_in(final, fill)


def _build_fresh(final: Path, plan: Plan, **kwargs) -> BuildReport:
    """Build a new store in a scratch folder, writing while reading, then swap it in."""
    from kg.graph.stream_build import build_fresh

    def fill(scratch: Path) -> tuple[BuildReport, Writer]:
        writer = Writer.start(_rows_scratch(final), indexes=False)  # build_fresh creates them
        try:
            with OxigraphStore(scratch) as target:
                report = build_fresh(target, plan, rows=writer, tmp_dir=_tmp(final), **kwargs)
                writer.finish(target)
        except BaseException:
            writer.discard()
            raise
        return report, writer

    return _swap_in(final, fill)


def _tmp(final: Path) -> Path:
    """Where a build's loader puts its pipe or spool file (cleared with the other scratch on the next write)."""
    path = scratch_path(final, LOAD_SCRATCH)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _rows_scratch(final: Path) -> Path:
    return scratch_path(final, ROWS_SCRATCH)


def _swap_in(final: Path, fill: Callable[[Path], tuple]):
    """Run ``fill`` on a scratch folder beside ``final`` (it returns a report and the projection writer) and
    move the result (store and projection) into place; the report, with its ``store`` set."""
    if final.exists() and not final.is_dir():
        raise InputError("store location is a file, not a folder", final)
    scratch = new_version(final)  # beside the active version; made active in one step (kg.store.dirs)
    try:
        report, writer = fill(scratch)
        writer.install(scratch)
        replace_store(scratch, final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(scratch_path(final, LOAD_SCRATCH), ignore_errors=True)
    report.store = str(final)
    return report


@dataclass
class Removal:
    """What :func:`remove` did: the documents removed, and the ids the store did not hold (with close matches)."""

    removed: list[str]
    unknown: dict[str, list[str]]
    store: str = ""


def remove(doc_ids: Iterable[str], store: str | Path | Store | None = None, *, wait: bool = False) -> Removal:
    """Drop documents from the store at ``store``, all or nothing: an on-disk store is changed in a copy
    that is swapped in, like a build. Ids the store does not hold are reported, not an error, so that
    the same command can be run again."""
    loc = None if isinstance(store, Store) else store_location(store)
    if loc is None or loc == MEMORY or "://" in loc:
        with (nullcontext(store) if loc is None else open_store(loc)) as s:
            return remove_documents(s, doc_ids)
    final = Path(loc)
    with write_lock(final, wait=wait):
        with open_store(final, read_only=True):  # a clear error when there is no store
            pass
        return _remove_on_disk(final, doc_ids)


def _remove_on_disk(final: Path, doc_ids: Iterable[str]) -> Removal:
    def change(target: OxigraphStore, base: Projection | None) -> tuple[Removal, Writer]:
        writer = Writer.start(_rows_scratch(final), base)
        try:
            removal = remove_documents(target, doc_ids, rows=writer if base is not None else None)
            if base is None:
                writer.add_from_store(target)
            writer.finish(target)
        except BaseException:
            writer.discard()
            raise
        return removal, writer

    return _on_a_copy(final, change)


def remove_documents(store: Store, doc_ids: Iterable[str], *, rows: Writer | None = None) -> Removal:
    """Drop the named documents (and every assertion drawn from them) from ``store`` in place."""
    present = existing_fingerprints(store)
    wanted = list(dict.fromkeys(doc_ids))
    removed = [d for d in wanted if d in present]
    unknown = {d: difflib.get_close_matches(d, list(present), n=5) for d in wanted if d not in present}
    if not removed:
        return Removal([], unknown)
    own = detach(store) if rows is None else None  # an open on-disk store's projection, kept in step
    try:
        for doc_id in removed:
            store.remove_graph(document_graph(doc_id))
        rebuild_entities(store)
        restamp(store, {d: fp for d, fp in present.items() if d not in removed},
                _stored_reference_digest(store) or "")
        for w in (rows, own):
            if w is not None:
                w.drop_documents(removed)
        if own is not None:
            own.finish(store)
    except BaseException:
        if own is not None:
            own.discard()
        raise
    if own is not None:
        own.install(store.path)
    return Removal(removed, unknown)


def _apply_projected(target: Store, inputs: Inputs, base: Projection | None, scratch_rows: Path,
                     **kwargs) -> tuple[BuildReport, Writer]:
    """:func:`apply`, keeping a row projection in step: from ``base``, or from nothing on an empty store,
    else read back from the store once (a store built before projections, or changed since)."""
    progress = kwargs.get("progress")
    fresh = not target.query("ASK { ?a kg:actor ?x }").boolean
    writer = Writer.start(scratch_rows, base)
    try:
        report = apply(target, inputs, rows=writer if base is not None or fresh else None, **kwargs)
        if base is None and not fresh:
            if progress:
                progress("projecting", 0, 1)
            writer.add_from_store(target)
            if progress:
                progress("projecting", 1, 1)
        writer.finish(target)
    except BaseException:
        writer.discard()
        raise
    return report, writer


def prepare(paths: Iterable[str | Path], *, codebooks: Iterable[str | Path] = (),
            gazetteers: Iterable[str | Path] = (), extractor: Extractor | None = None, strict: bool = True,
            max_bytes: int | None = None):
    """Read and check inputs and return them with their assertions (no store involved); for tests and notebooks."""
    inputs = read_inputs(plan_inputs(paths, codebooks=codebooks, gazetteers=gazetteers), strict=strict,
                         max_bytes=max_bytes)
    assertions = [a for d in inputs.documents for a in inputs.curated_by_doc.get(d.id, [])]
    if extractor is not None:
        for d, found in _extractions(extractor, inputs.documents, inputs.reference):
            keys = {a.key for a in inputs.curated_by_doc.get(d.id, [])}
            assertions += [a for a in found if a.id not in inputs.rejected and a.key not in keys]
    return Prepared(inputs.documents, assertions, inputs)


@dataclass
class Prepared:
    documents: list[Document]
    assertions: list[Assertion]
    inputs: Inputs
