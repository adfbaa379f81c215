"""Build the knowledge graph: documents + curated (+ extracted) assertions → quads → store.

Builds are incremental: each document's graph carries a fingerprint of what
produced it (its bytes, its curated rows, the extractor and the reference
data), so a rebuild processes only new or changed documents and drops the
graphs of documents no longer among the inputs. Everything is read and
checked before the store is touched, and an on-disk store is changed in a
copy (a RocksDB checkpoint) that is swapped in at the end, so bad input or an
interruption leaves the previous store readable.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .curated import CuratedFile, load_curated, load_curated_jsonl
from .documents import DEFAULT_MAX_BYTES, DOCUMENT_SUFFIXES, Skipped, iter_files, read_documents
from .errors import InputError, StoreError, UnknownNameError
from .model import Assertion, Document
from .projection import Projection, Writer, detach, restamp, stamp_quad
from .namespaces import (
    GRAPH_BUILD, GRAPH_CODEBOOK, GRAPH_CURATION, GRAPH_ENTITIES, GRAPH_GAZETTEER, GRAPH_ONTOLOGY, KG, METHOD_IRI,
    digest, document_graph, document_iri, slug,
)
from .rdf import assertion_quads, curation_quads, document_quads, iri, literal, quad
from .reference import Reference
from .store import MEMORY, OxigraphStore, Store, open_store, replace_store, skolemised_nquads, store_location

PACKAGE = Path(__file__).parent
DEFAULT_SEEDS = "seeds"
CURATED_SUFFIXES = {".yaml", ".yml", ".jsonl"}
REFERENCE_SUFFIXES = {".ttl"}
GRAPH_REFERENCE = GRAPH_BUILD.rsplit("/", 1)[0] + "/reference/"
_BUILD_NODE = GRAPH_BUILD + "#state"

# progress(stage, done, total) — the CLI draws bars with it; the library stays silent.
Progress = Callable[[str, int, int], None]


def ontology_dir() -> Path:
    """The shipped ontology folder: inside the wheel, or beside ``kg/`` in a checkout."""
    for candidate in (PACKAGE / "_ontology", PACKAGE.parent / "ontology"):
        if (candidate / "kg.ttl").is_file():
            return candidate
    raise InputError("the kg ontology files are missing from this installation", PACKAGE / "_ontology")


@dataclass(frozen=True)
class ReferenceFiles:
    """The Turtle files a build loads as reference data, by named graph."""

    ontology: tuple[Path, ...]
    gazetteer: tuple[Path, ...]
    codebook: tuple[Path, ...]
    extra: tuple[Path, ...] = ()  # Turtle files found among the build inputs (a corpus's own actors/topics)

    @classmethod
    def default(cls, gazetteer: Iterable[str | Path] = (), codebook: Iterable[str | Path] = ()) -> ReferenceFiles:
        """The shipped files, with the gazetteer or codebook replaced where given."""
        d = ontology_dir()
        gaz = tuple(Path(p) for p in gazetteer) or (d / "gazetteer.ttl",)
        cb = tuple(Path(p) for p in codebook) or (d / "codebook.ttl",)
        for p in (*gaz, *cb):
            if not p.is_file():
                raise InputError("no such file", p)
        return cls((d / "kg.ttl",), gaz, cb)

    def by_graph(self) -> list[tuple[str, Path]]:
        return ([(GRAPH_ONTOLOGY, p) for p in self.ontology] + [(GRAPH_GAZETTEER, p) for p in self.gazetteer]
                + [(GRAPH_CODEBOOK, p) for p in self.codebook]
                + [(f"{GRAPH_REFERENCE}{slug(p.stem)}-{digest(p.resolve())[:8]}", p) for p in self.extra])

    def with_extra(self, paths: Iterable[Path]) -> ReferenceFiles:
        return ReferenceFiles(self.ontology, self.gazetteer, self.codebook, tuple(self.extra) + tuple(paths))

    def digest(self) -> str:
        h = hashlib.sha256()
        for graph, path in self.by_graph():
            h.update(graph.encode() + b"\0" + path.read_bytes() + b"\0")
        return h.hexdigest()[:24]

    def clear_from(self, store: Store) -> None:
        """Drop every reference graph (including those of files no longer among the inputs)."""
        for graph in store.graphs():
            if graph.startswith(GRAPH_REFERENCE) or graph in (GRAPH_ONTOLOGY, GRAPH_GAZETTEER, GRAPH_CODEBOOK):
                store.remove_graph(graph)

    def nquads(self) -> Iterator[bytes]:
        """The reference files as N-Quads, blank nodes skolemised, each in its named graph."""
        for graph, path in self.by_graph():
            yield skolemised_nquads(path, graph)

    def load_into(self, store: Store) -> None:
        self.clear_from(store)
        store.load_nquads(b"".join(self.nquads()))

    def reference(self) -> Reference:
        """The actors and topics these files define."""
        scratch = OxigraphStore(None)
        self.load_into(scratch)
        return Reference.from_store(scratch)


# An extractor maps a document to assertions, given the reference data. It may
# carry a ``version`` (part of each document's fingerprint) and an
# ``extract_many(docs, reference)`` that yields (doc id, assertions) in parallel.
Extractor = Callable[[Document, Reference], list[Assertion]]


@dataclass
class BuildReport:
    """What a build read, wrote, kept and skipped."""

    documents: int = 0
    processed: int = 0  # new or changed documents written this run
    unchanged: int = 0
    removed: int = 0
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

    def summary(self) -> str:
        text = (f"documents: {self.documents} ({self.processed} new or changed, {self.unchanged} unchanged, "
                f"{self.removed} removed), actors: {self.actors}, assertions: {self.assertions} "
                f"({self.curated} curated, {self.extracted} extracted), triples: {self.triples}, "
                f"seconds: {self.seconds:.2f}")
        if self.rejected or self.superseded:
            text += (f"\nextracted assertions dropped: {self.rejected} rejected by curation, "
                     f"{self.superseded} already curated")
        for s in self.skipped:
            text += f"\nskipped {s.path}: {s.reason}"
        return text


@dataclass
class Inputs:
    """Every input read and checked, before any store is touched."""

    reference: Reference
    reference_digest: str
    documents: list[Document]
    skipped: list[Skipped]
    curated_files: list[CuratedFile]
    curated_by_doc: dict[str, list[Assertion]]
    rejected: set[str]
    reference_files: ReferenceFiles


def _split_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """Sort inputs into documents, curated files and Turtle reference files; other explicit files are an error."""
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.exists():
            raise InputError("no such file or folder", p)
        if p.is_file() and p.suffix.lower() not in DOCUMENT_SUFFIXES | CURATED_SUFFIXES | REFERENCE_SUFFIXES:
            raise InputError(f"not a document (.txt, .md), curated file (.yaml, .jsonl) or Turtle file (.ttl): "
                             f"unknown suffix {p.suffix or '(none)'}", p)
    found: dict[str, list[Path]] = {"doc": [], "curated": [], "ref": []}
    kind = {**dict.fromkeys(DOCUMENT_SUFFIXES, "doc"), **dict.fromkeys(CURATED_SUFFIXES, "curated"),
            **dict.fromkeys(REFERENCE_SUFFIXES, "ref")}
    for f in iter_files(paths, set(kind)):  # one walk of the tree, not one per kind
        found[kind[f.suffix.lower()]].append(f)
    return found["doc"], found["curated"], found["ref"]


def read_inputs(paths: Iterable[str | Path], reference_files: ReferenceFiles, *, strict: bool = True,
                max_bytes: int | None = None) -> Inputs:
    """Read documents and curated files under ``paths`` and check them against the reference data.

    Turtle files among the inputs extend the reference data (a corpus's own actors and topics);
    the returned ``Inputs.reference_files`` includes them.
    """
    doc_paths, curated_paths, ttl_paths = _split_paths(paths)
    reference_files = reference_files.with_extra(ttl_paths)
    reference = reference_files.reference()
    documents, skipped = read_documents(doc_paths, max_bytes or DEFAULT_MAX_BYTES, strict=strict)
    by_id = {d.id: d for d in documents}
    curated_files = [(load_curated_jsonl if p.suffix.lower() == ".jsonl" else load_curated)(p, by_id, reference)
                     for p in curated_paths]
    curated_by_doc: dict[str, list[Assertion]] = defaultdict(list)
    for cf in curated_files:
        for a in cf.assertions:
            curated_by_doc[a.doc].append(a)
    rejected = {i for cf in curated_files for i, _ in cf.rejected}
    return Inputs(reference, reference_files.digest(), documents, skipped, curated_files, curated_by_doc, rejected,
                  reference_files)


def fingerprint(doc: Document, curated_ids: Iterable[str], extractor_version: str | None, reference_digest: str,
                rejected_digest: str) -> str:
    """What a document's graph was built from (its curated assertions by id); equal fingerprints mean
    nothing to redo."""
    return digest(doc.sha256, ",".join(sorted(curated_ids)), extractor_version or "-",
                  reference_digest, rejected_digest if extractor_version else "-", size=24)


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
    yield from document_quads(doc)
    yield fingerprint_quad(doc.id, fp)
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


def state_quads(reference_digest: str, fingerprints: dict[str, str]) -> str:
    """The build graph: which reference data and which document fingerprints the store holds."""
    return (quad(iri(_BUILD_NODE), KG + "referenceDigest", literal(reference_digest), GRAPH_BUILD)
            + stamp_quad(fingerprints, reference_digest))


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


class _QuadSink:
    """Where a build writes its N-Quads: ``write``/``writelines`` text, ``close_input`` when done; a context."""

    def __enter__(self):
        return self

    def writelines(self, lines: Iterable[str]) -> None:
        for text in lines:  # a line, or several (rdf.assertion_quads joins its fixed ones)
            self.write(text)


class _SpoolLoader(_QuadSink):
    """N-Quads spooled to a temporary file and loaded once every quad is written (stores other than
    Oxigraph: nothing reaches them before all inputs were turned into quads). ``clear`` runs right
    before the load."""

    def __init__(self, store: Store, clear: Callable[[], None], tmp_dir: str | Path | None,
                 progress: Progress | None):
        self.store, self.clear, self.progress = store, clear, progress
        fd, self.name = tempfile.mkstemp(suffix=".nq", dir=tmp_dir)
        self.file = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, text: str) -> None:
        self.file.write(text)

    def close_input(self) -> None:
        self.file.close()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.file.close()
        try:
            if exc_type is None:
                self.clear()
                self.store.load_nquads_file(self.name)
                if self.progress:
                    self.progress("loading", 1, 1)
        finally:
            Path(self.name).unlink(missing_ok=True)


class _PipeLoader(_QuadSink):
    """N-Quads piped into one bulk load of an Oxigraph store while they are being written.

    Oxigraph's bulk loader reads a path natively and releases the GIL, so through a
    named pipe it parses and indexes on one core while Python writes on the other.
    One load, not one per chunk: loading 14M quads in 1.5M-line chunks into a growing
    store took 1.45 times as long per quad as a single load (every chunk overlaps all
    that is stored, so RocksDB compacts it again), and Python had to wait for it.
    ``clear`` runs right before the first quad is written.
    """

    def __init__(self, store: OxigraphStore, clear: Callable[[], None], tmp_dir: str | Path | None,
                 progress: Progress | None):
        self.store, self.clear = store, clear
        self.dir = tempfile.mkdtemp(prefix=".kg-load-", dir=tmp_dir)
        self.fifo = os.path.join(self.dir, "quads.nq")
        os.mkfifo(self.fifo)
        self.file = None
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def _work(self) -> None:
        try:
            self.store.load_nquads_file(self.fifo)
        except BaseException as e:  # reported in the main thread
            self.error = e

    def _start(self) -> None:
        self.clear()
        self.thread = threading.Thread(target=self._work, name="kg-loader", daemon=True)
        self.thread.start()
        # Open the writing end once the loader has opened the reading end; never wait on a loader that died.
        while True:
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as e:
                if e.errno != errno.ENXIO:
                    raise
                if not self.thread.is_alive():
                    self._raise_loader_error()
                time.sleep(0.005)
        os.set_blocking(fd, True)
        self.file = os.fdopen(fd, "w", encoding="utf-8", buffering=1 << 20)

    def _release_reader(self) -> None:
        """Open and close the writing end, so that a loader waiting to open the pipe reads nothing and ends."""
        while self.thread.is_alive():
            try:
                os.close(os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK))
                return
            except OSError:
                time.sleep(0.005)

    def _raise_loader_error(self) -> None:
        if self.thread is not None:
            self.thread.join()
        raise self.error or StoreError("the store's bulk loader stopped reading")

    def write(self, text: str) -> None:
        if self.file is None:
            self._start()
        try:
            self.file.write(text)
        except BrokenPipeError:  # the loader failed and closed its end
            self._raise_loader_error()

    def close_input(self) -> None:
        """No more quads (the loader finishes what it has read; the caller may work on meanwhile)."""
        if self.file is None:
            self._start()
        if not self.file.closed:
            try:
                self.file.close()
            except BrokenPipeError:
                self._raise_loader_error()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.close_input()
            elif self.file is not None:
                with contextlib.suppress(OSError):
                    self.file.close()  # the loader reads to the end and stops; the scratch store is dropped
            elif self.thread is not None:
                self._release_reader()  # interrupted before the writing end was open
            if self.thread is not None:
                self.thread.join()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
        if exc_type is None and self.error is not None:
            raise self.error


def _loader(store: Store, clear: Callable[[], None], tmp_dir: str | Path | None,
            progress: Progress | None) -> _QuadSink:
    if isinstance(store, OxigraphStore) and hasattr(os, "mkfifo"):
        return _PipeLoader(store, clear, tmp_dir, progress)
    return _SpoolLoader(store, clear, tmp_dir, progress)


def apply(store: Store, inputs: Inputs, *, extractor: Extractor | None = None,
          full: bool = False, progress: Progress | None = None, tmp_dir: str | Path | None = None,
          rows: Writer | None = None) -> BuildReport:
    """Bring ``store`` in line with ``inputs``: write new or changed documents, drop removed ones.

    ``rows``, when given, receives the same changes (see :mod:`kg.projection`).
    """
    report = BuildReport(documents=len(inputs.documents), skipped=list(inputs.skipped))
    version = getattr(extractor, "version", "extractor") if extractor is not None else None
    rejected_digest = digest(*sorted(inputs.rejected))
    reference_changed = full or _stored_reference_digest(store) != inputs.reference_digest
    existing_all = existing_fingerprints(store)  # what the store holds, whatever `full` says
    existing = {} if full else existing_all

    todo: list[tuple[Document, str]] = []
    all_fps: dict[str, str] = {}
    for doc in inputs.documents:
        fp = fingerprint(doc, (a.id for a in inputs.curated_by_doc.get(doc.id, [])), version, inputs.reference_digest,
                         rejected_digest)
        all_fps[doc.id] = fp
        if existing.get(doc.id) == fp:
            report.unchanged += 1
        else:
            todo.append((doc, fp))
    keep = {d.id for d in inputs.documents}
    gone = [doc_id for doc_id in existing_all if doc_id not in keep]
    for doc_id in gone:
        store.remove_graph(document_graph(doc_id))
    report.removed = len(gone)

    fps = {d.id: fp for d, fp in todo}
    if rows is not None:
        rows.drop_documents([*gone, *fps])
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
            out.writelines(_doc_lines(doc, fps[doc.id], curated + kept))
            if rows is not None:
                rows.add_document(doc, curated + kept)
            if progress:
                progress("documents", n, len(todo))
        for cf in inputs.curated_files:
            out.writelines(curation_quads(cf.path, cf.actors, cf.rejected))
        out.write(state_quads(inputs.reference_digest, all_fps))
    report.processed = len(todo)
    if existing_all and (gone or todo):
        # Descriptions no assertion or document refers to any more (their documents changed or went).
        store.query(f"""DELETE {{ GRAPH <{GRAPH_ENTITIES}> {{ ?e ?p ?o }} }}
                        WHERE {{ GRAPH <{GRAPH_ENTITIES}> {{ ?e ?p ?o }}
                                 FILTER NOT EXISTS {{ ?x kg:actor|kg:target|kg:attributedTo|dct:publisher ?e }} }}""",
                    allow_update=True)
    count_into(report, store, rows)
    return report


def build(paths: Iterable[str | Path] | None = None, store: str | Path | Store | None = None, *,
          reference_files: ReferenceFiles | None = None, extractor: Extractor | None = None,
          strict: bool = True, max_bytes: int | None = None, full: bool = False,
          progress: Progress | None = None) -> BuildReport:
    """Build (or update) the store from ``paths`` (default ``seeds/``) and return the report.

    ``store`` is a location (folder, ``:memory:``, ``sparql+http://…``) or an open
    :class:`Store` (changed in place and left open). The store ends up holding
    exactly the documents under ``paths``; ``full`` rebuilds every one of them.
    """
    t0 = time.perf_counter()
    paths = list(paths) if paths else [DEFAULT_SEEDS]
    reference_files = reference_files or ReferenceFiles.default()
    loc = None if isinstance(store, Store) else store_location(store)
    if loc is not None and loc != MEMORY and "://" not in loc and (full or not Path(loc).exists()):
        # Nothing to compare with: write while reading (see kg.stream_build).
        report = _build_fresh(Path(loc), paths, reference_files, extractor=extractor, strict=strict,
                              max_bytes=max_bytes, progress=progress)
        report.seconds = time.perf_counter() - t0
        return report
    inputs = read_inputs(paths, reference_files, strict=strict, max_bytes=max_bytes)

    if isinstance(store, Store):
        if isinstance(store, OxigraphStore) and store.path is not None:
            with Projection.opened(store) as base:
                report, writer = _apply_projected(store, inputs, base, _rows_scratch(store.path),
                                                  extractor=extractor, full=full, progress=progress)
            writer.install(store.path)
        else:
            report = apply(store, inputs, extractor=extractor, full=full, progress=progress)
        report.store = store.location
    else:
        if loc == MEMORY or "://" in loc:
            with open_store(loc, create=True) as target:
                report = apply(target, inputs, extractor=extractor, full=full, progress=progress)
            report.store = loc
        else:
            report = _build_on_disk(Path(loc), inputs, extractor, progress)
    report.seconds = time.perf_counter() - t0
    return report


def _build_on_disk(final: Path, inputs: Inputs, extractor: Extractor | None,
                   progress: Progress | None) -> BuildReport:
    """Update a checkpoint copy of the existing store, then swap it in: readers never see a half-built store."""
    def fill(scratch: Path) -> tuple[BuildReport, Writer]:
        with OxigraphStore(final, read_only=True) as current:
            current.backup(scratch)
            base = Projection.of(current)  # closed below, once copied
        with OxigraphStore(scratch) as target, base or contextlib.nullcontext():
            return _apply_projected(target, inputs, base, _rows_scratch(final), extractor=extractor,
                                    progress=progress, tmp_dir=final.parent)

    return _swap_in(final, fill)


def _build_fresh(final: Path, paths: list, reference_files: ReferenceFiles, **kwargs) -> BuildReport:
    """Build a new store in a scratch folder, writing while reading, then swap it in."""
    from .stream_build import build_fresh

    def fill(scratch: Path) -> tuple[BuildReport, Writer]:
        writer = Writer.start(_rows_scratch(final), indexes=False)  # build_fresh creates them
        try:
            with OxigraphStore(scratch) as target:
                report = build_fresh(target, paths, reference_files, rows=writer, tmp_dir=final.parent, **kwargs)
                writer.finish(target)
        except BaseException:
            writer.discard()
            raise
        return report, writer

    return _swap_in(final, fill)


def _rows_scratch(final: Path) -> Path:
    return final.with_name(f"{final.name}.rows.building")


def _swap_in(final: Path, fill: Callable[[Path], tuple[BuildReport, Writer]]) -> BuildReport:
    """Run ``fill`` on a scratch folder beside ``final`` and move the result (store and projection) into place."""
    if final.exists() and not final.is_dir():
        raise InputError("store location is a file, not a folder", final)
    scratch = final.with_name(f"{final.name}.building")
    if scratch.exists():
        shutil.rmtree(scratch)  # left by an interrupted build
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        report, writer = fill(scratch)
        writer.install(scratch)
        replace_store(scratch, final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    report.store = str(final)
    return report


def remove_documents(store: Store, doc_ids: Iterable[str]) -> list[str]:
    """Drop the named documents (and every assertion drawn from them); return the ids removed."""
    present = existing_fingerprints(store)
    removed = list(dict.fromkeys(doc_ids))
    for doc_id in removed:
        if doc_id not in present:
            raise UnknownNameError("document", doc_id, difflib.get_close_matches(doc_id, list(present), n=5))
    writer = detach(store)
    try:
        for doc_id in removed:
            store.remove_graph(document_graph(doc_id))
        restamp(store, {d: fp for d, fp in present.items() if d not in removed},
                _stored_reference_digest(store) or "")
        if writer is not None:
            writer.drop_documents(removed)
            writer.finish(store)
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    if writer is not None:
        writer.install(store.path)
    return removed


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


def prepare(paths: Iterable[str | Path], *, reference_files: ReferenceFiles | None = None,
            extractor: Extractor | None = None, strict: bool = True, max_bytes: int | None = None):
    """Read and check inputs and return them with their assertions (no store involved); for tests and notebooks."""
    reference_files = reference_files or ReferenceFiles.default()
    inputs = read_inputs(paths, reference_files, strict=strict, max_bytes=max_bytes)
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
