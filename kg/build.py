"""Build the knowledge graph: documents + curated (+ extracted) assertions → quads → store.

Everything is read and checked before the store is touched, and an on-disk
store is built in a scratch folder then swapped in, so bad input or an
interruption leaves the previous store as it was.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .curated import CuratedFile, load_curated
from .documents import CURATED_SUFFIXES, DOCUMENT_SUFFIXES, Skipped, iter_files, read_documents
from .errors import InputError
from .model import Assertion, Document
from .namespaces import GRAPH_CODEBOOK, GRAPH_GAZETTEER, GRAPH_ONTOLOGY
from .rdf import assertion_quads, curation_quads, document_quads
from .reference import Reference
from .store import MEMORY, OxigraphStore, Store, open_store, replace_store, store_location

PACKAGE = Path(__file__).parent
DEFAULT_SEEDS = "seeds"


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
                + [(GRAPH_CODEBOOK, p) for p in self.codebook])

    def load_into(self, store: Store) -> None:
        for graph, path in self.by_graph():
            store.load_file(path, graph)


# An extractor maps a document to assertions, given the reference data.
Extractor = Callable[[Document, Reference], list[Assertion]]


@dataclass
class BuildReport:
    """What a build read, wrote and skipped."""

    documents: int = 0
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
        parts = [f"documents: {self.documents}", f"actors: {self.actors}",
                 f"assertions: {self.assertions} ({self.curated} curated, {self.extracted} extracted)",
                 f"triples: {self.triples}", f"seconds: {self.seconds:.2f}"]
        text = ", ".join(parts)
        if self.rejected or self.superseded:
            text += f"\nextracted assertions dropped: {self.rejected} rejected by curation, {self.superseded} already curated"
        for s in self.skipped:
            text += f"\nskipped {s.path}: {s.reason}"
        return text


@dataclass
class Prepared:
    """Checked input, ready to load: N-Quads text plus the report so far."""

    nquads: str
    report: BuildReport
    reference: Reference
    assertions: list[Assertion]
    documents: list[Document]


def _split_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """Sort inputs into document and curated files; explicit files of another kind are an error."""
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.exists():
            raise InputError("no such file or folder", p)
        if p.is_file() and p.suffix.lower() not in DOCUMENT_SUFFIXES | CURATED_SUFFIXES:
            raise InputError(f"not a document (.txt, .md) or curated file (.yaml): unknown suffix {p.suffix or '(none)'}", p)
    docs = list(iter_files(paths, DOCUMENT_SUFFIXES))
    curated = list(iter_files(paths, CURATED_SUFFIXES))
    return docs, curated


def prepare(paths: Iterable[str | Path], *, reference_files: ReferenceFiles | None = None,
            extractor: Extractor | None = None, strict: bool = True, max_bytes: int | None = None) -> Prepared:
    """Read and check every input and map it to quads, without touching any store."""
    from .documents import DEFAULT_MAX_BYTES

    reference_files = reference_files or ReferenceFiles.default()
    scratch = OxigraphStore(None)
    reference_files.load_into(scratch)
    reference = Reference.from_store(scratch)

    doc_paths, curated_paths = _split_paths(paths)
    documents, skipped = read_documents(doc_paths, max_bytes or DEFAULT_MAX_BYTES, strict=strict)
    by_id = {d.id: d for d in documents}
    curated_files: list[CuratedFile] = [load_curated(p, by_id, reference) for p in curated_paths]

    curated = [a for cf in curated_files for a in cf.assertions]
    rejected_ids = {i for cf in curated_files for i, _ in cf.rejected}
    curated_keys = {a.key for a in curated}
    report = BuildReport(documents=len(documents), skipped=skipped, curated=len(curated))

    extracted: list[Assertion] = []
    if extractor is not None:
        for doc in documents:
            for a in extractor(doc, reference):
                if a.id in rejected_ids:
                    report.rejected += 1
                elif a.key in curated_keys:
                    report.superseded += 1
                else:
                    extracted.append(a)
    report.extracted = len(extracted)
    assertions = curated + extracted
    report.assertions = len(assertions)
    report.actors = len({a.actor.iri for a in assertions} | {a.attributed_to.iri for a in assertions if a.attributed_to})

    lines: list[str] = []
    for doc in documents:
        lines.extend(document_quads(doc))
    described: set[str] = set()
    for a in assertions:
        new = [x for x in (a.actor, a.attributed_to) if x is not None and x.is_new and x.iri not in described]
        described.update(x.iri for x in new)
        lines.extend(assertion_quads(a, describe=new))
    for cf in curated_files:
        lines.extend(curation_quads(cf.path, cf.actors, cf.rejected))
    return Prepared("".join(lines), report, reference, assertions, documents)


def load_prepared(store: Store, prepared: Prepared, reference_files: ReferenceFiles) -> None:
    reference_files.load_into(store)
    if prepared.nquads:
        store.load_nquads(prepared.nquads)


def build(paths: Iterable[str | Path] | None = None, store: str | Path | Store | None = None, *,
          reference_files: ReferenceFiles | None = None, extractor: Extractor | None = None,
          strict: bool = True, max_bytes: int | None = None) -> BuildReport:
    """Build the store from ``paths`` (default ``seeds/``) and return the report.

    ``store`` is a location (folder, ``:memory:``) or an open :class:`Store`
    (then it is added to, and left open). An on-disk store is replaced atomically.
    """
    t0 = time.perf_counter()
    paths = list(paths) if paths else [DEFAULT_SEEDS]
    reference_files = reference_files or ReferenceFiles.default()
    prepared = prepare(paths, reference_files=reference_files, extractor=extractor, strict=strict, max_bytes=max_bytes)
    report = prepared.report

    if isinstance(store, Store):
        load_prepared(store, prepared, reference_files)
        report.triples, report.store = len(store), store.location
    else:
        loc = store_location(store)
        if loc == MEMORY or "://" in loc:
            target = open_store(loc, create=True)
            load_prepared(target, prepared, reference_files)
            report.triples, report.store = len(target), loc
            target.close()
        else:
            final = Path(loc)
            if final.exists() and not final.is_dir():
                raise InputError("store location is a file, not a folder", final)
            scratch = final.with_name(f"{final.name}.building")
            if scratch.exists():
                shutil.rmtree(scratch)  # left by an interrupted build
            scratch.parent.mkdir(parents=True, exist_ok=True)
            try:
                target = OxigraphStore(scratch)
                load_prepared(target, prepared, reference_files)
                report.triples = len(target)
                target.close()
                replace_store(scratch, final)
            except BaseException:
                shutil.rmtree(scratch, ignore_errors=True)
                raise
            report.store = str(final)
    report.seconds = time.perf_counter() - t0
    return report
