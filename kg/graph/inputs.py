"""What a build reads: the input files (those named now and those the store remembers), the
reference data they imply, and every document and curated row, read and checked before any
store is touched."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.ingest.curated import CuratedFile, iter_curated_jsonl, load_curated
from kg.ingest.documents import DEFAULT_MAX_BYTES, Skipped, iter_documents, unsupported_reason, walk_inputs
from kg.model.errors import InputError
from kg.graph.manifest import Manifest, absolute
from kg.model.records import Assertion, Document
from kg.ingest.reference import Reference
from kg.ingest.reference_files import ReferenceFiles

DEFAULT_SEEDS = "seeds"


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
    plan: Plan


@dataclass
class Plan:
    """The files one build reads, and what the store will remember of them."""

    documents: list[Path]  # named now
    curated: list[Path]
    reference_files: ReferenceFiles
    manifest: Manifest  # its ``documents`` are filled from the documents read
    sync: bool = False  # documents not among the inputs leave the store
    missing: list[str] = field(default_factory=list)  # remembered document files that are gone
    remembered: list[Path] = field(default_factory=list)  # document files the store remembers, read again
    skipped: list[Skipped] = field(default_factory=list)  # files in the named folders kg cannot read
    warnings: list = field(default_factory=list)  # ReadWarning: kept what it could (e.g. an unreadable date)


def _key(path: str) -> list[str]:
    return path.split(os.sep)


def plan_inputs(paths: Iterable[str | Path], remembered: Manifest | None = None, *, sync: bool = False,
                codebooks: Iterable[str | Path] = (), gazetteers: Iterable[str | Path] = (),
                with_shipped: bool = False, columns: dict[str, str] | None = None) -> Plan:
    """The files under ``paths`` plus, unless ``sync``, every file the store remembers.

    A remembered document file that is gone is listed in ``Plan.missing`` (its documents stay as
    built); a remembered curated or reference file that is gone is an error, because building
    without it would silently drop what it says.
    """
    if remembered is not None and not sync:
        columns = {**remembered.columns, **(columns or {})}  # a mapping given once holds for later builds
    columns = dict(columns or {})
    docs, curated, refs, skipped = split_paths(paths, columns)
    codebooks, gazetteers = [Path(p) for p in codebooks], [Path(p) for p in gazetteers]
    missing: list[str] = []
    again: list[Path] = []
    if remembered is not None and not sync:
        for kind, files, target in (("curated file", remembered.curated, curated),
                                    ("reference file", remembered.references, refs),
                                    ("codebook", remembered.codebooks, codebooks),
                                    ("gazetteer", remembered.gazetteers, gazetteers)):
            for f in sorted(files):
                if not os.path.isfile(f):
                    raise InputError(f"this {kind} was among the store's inputs and is gone; restore it, or "
                                     f"name every input with kg build --sync", f)
                target.append(Path(f))
        for f in sorted(remembered.documents, key=_key):
            (again.append(Path(f)) if os.path.isfile(f) else missing.append(f))
        with_shipped = with_shipped or remembered.with_shipped

    def unique(files: list[Path]) -> list[Path]:
        seen: dict[str, Path] = {}
        for f in files:
            seen.setdefault(absolute(f), f)
        return [seen[k] for k in sorted(seen, key=_key)]

    if skipped and not docs and not again and not (remembered and remembered.documents):
        more = f" and {len(skipped) - 1} more" if len(skipped) > 1 else ""
        raise InputError(f"no documents found: skipped {skipped[0].path} ({skipped[0].reason}){more}",
                         Path(next(iter(map(str, paths)), ".")))
    docs, curated, refs, codebooks, gazetteers = map(unique, (docs, curated, refs, codebooks, gazetteers))
    named = {absolute(p) for p in docs}
    again = [p for p in unique(again) if absolute(p) not in named]
    reference_files = ReferenceFiles.resolve(codebooks, gazetteers, refs, with_shipped=with_shipped)
    manifest = Manifest(curated={absolute(p) for p in curated}, codebooks={absolute(p) for p in codebooks},
                        gazetteers={absolute(p) for p in gazetteers}, references={absolute(p) for p in refs},
                        with_shipped=with_shipped and bool(codebooks or gazetteers or refs), columns=columns)
    return Plan(docs, curated, reference_files, manifest, sync, missing, again, skipped)


def split_paths(paths: Iterable[str | Path], columns: dict[str, str] | None = None
                ) -> tuple[list[Path], list[Path], list[Path], list[Skipped]]:
    """Sort inputs into documents, curated files and reference files (Turtle, YAML codebooks and
    gazetteers), with the files found in folders that kg cannot read; such a file named explicitly
    is an error."""
    from kg.ingest.reference_yaml import YAML_SUFFIXES, reference_kind

    docs: list[Path] = []
    curated: list[Path] = []
    refs: list[Path] = []
    skipped: list[Skipped] = []
    for f, kind, named in walk_inputs(paths, columns or None):  # one walk of the tree, not one per kind
        if kind == "document":
            docs.append(f)
        elif kind == "reference" or (kind == "curated" and f.suffix.lower() in YAML_SUFFIXES and reference_kind(f)):
            refs.append(f)
        elif kind == "curated":
            curated.append(f)
        elif named:
            raise InputError(unsupported_reason(f), f)
        else:
            skipped.append(Skipped(str(f), unsupported_reason(f)))
    return docs, curated, refs, skipped


def iter_planned_documents(plan: Plan, *, strict: bool = True, max_bytes: int = DEFAULT_MAX_BYTES,
                           skipped: list[Skipped] | None = None) -> Iterator[Document]:
    """The planned documents one at a time: the files named now, then the remembered ones. A file named
    now wins over a remembered one of the same id (the document moved or was replaced)."""
    columns = plan.manifest.columns or None
    named: set[str] = set()
    for doc in iter_documents(plan.documents, max_bytes, strict, skipped, warnings=plan.warnings, columns=columns):
        named.add(doc.id)
        yield doc
    if plan.remembered:
        again = iter_documents(plan.remembered, max_bytes, strict, skipped, warnings=plan.warnings, columns=columns)
        yield from (d for d in again if d.id not in named)


def read_curated(path: Path, documents: dict[str, Document], reference: Reference
                 ) -> tuple[CuratedFile, Iterable[Assertion]]:
    """A curated file and its assertions, checked against ``documents``; JSON Lines (gold-format files of
    any size) are read one row at a time as the assertions are consumed."""
    if path.suffix.lower() == ".jsonl":
        return CuratedFile(str(path)), iter_curated_jsonl(path, documents, reference)
    cf = load_curated(path, documents, reference)
    return cf, cf.assertions


def read_inputs(plan: Plan, *, strict: bool = True, max_bytes: int | None = None) -> Inputs:
    """Read the planned documents and curated files and check them against the reference data, without
    writing anything (:func:`kg.graph.build.prepare`)."""
    reference_files = plan.reference_files
    reference = reference_files.reference()
    skipped = list(plan.skipped)
    documents = list(iter_planned_documents(plan, strict=strict, max_bytes=max_bytes or DEFAULT_MAX_BYTES,
                                            skipped=skipped))
    plan.manifest.documents = {absolute(d.path) for d in documents}
    by_id = {d.id: d for d in documents}
    curated_files, curated_by_doc = [], defaultdict(list)
    for path in plan.curated:
        cf, found = read_curated(path, by_id, reference)
        cf.assertions = list(found)
        curated_files.append(cf)
        for a in cf.assertions:
            curated_by_doc[a.doc].append(a)
    rejected = {i for cf in curated_files for i, _ in cf.rejected}
    return Inputs(reference, reference_files.digest(), documents, skipped, curated_files, curated_by_doc, rejected,
                  reference_files, plan)
