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
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path

from kg.graph.inputs import DEFAULT_SEEDS, Inputs, Plan, plan_inputs, read_inputs
from kg.graph.manifest import Manifest, rebuild_entities, stored_manifest
from kg.graph.projection import Projection, restamp
from kg.graph.projection_writer import Writer, detach
from kg.graph.write import (  # noqa: F401  (BuildReport and Extractor: the build's public types)
    BuildReport, Extractor, _extractions, _stored_reference_digest, existing_fingerprints, write,
)
from kg.model.errors import InputError
from kg.model.namespaces import document_graph
from kg.model.records import Assertion, Document
from kg.store import MEMORY, OxigraphStore, Store, open_store, replace_store, store_location
from kg.store.dirs import holds_store, new_version
from kg.store.locking import LOAD_SCRATCH, ROWS_SCRATCH, scratch_path, write_lock
from kg.store.loaders import Progress


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
    new_store = loc == MEMORY or (on_disk and not holds_store(Path(loc)))
    remembered = None if new_store or sync else _remembered(store, loc)
    paths = list(paths or ())
    if not paths and (remembered is None or not remembered.all_files()):
        if not Path(DEFAULT_SEEDS).is_dir():
            raise InputError("nothing to build: name the articles, curated files and codebooks to read", Path("."))
        paths = [DEFAULT_SEEDS]
    plan = plan_inputs(paths, remembered, sync=sync, codebooks=codebooks, gazetteers=gazetteers,
                       with_shipped=with_shipped, columns=columns)
    kw = dict(extractor=extractor, full=full, strict=strict, max_bytes=max_bytes, progress=progress)
    if isinstance(store, Store):
        if isinstance(store, OxigraphStore) and store.path is not None:
            with Projection.opened(store) as base:
                report, writer = _write_projected(store, plan, base, _rows_scratch(store.path), **kw)
            writer.install(store.path)
        else:
            report = write(store, plan, **kw)
        report.store = store.location
    elif not on_disk:
        with open_store(loc, create=True) as target:
            report = write(target, plan, **kw)
        report.store = loc
    elif new_store or (full and sync):  # nothing to keep: write into an empty store
        final = Path(loc)
        report = _swap_in(final, lambda scratch: _write_new(scratch, final, plan, **kw))
    else:
        report = _build_on_disk(Path(loc), plan, kw)
    report.seconds = time.perf_counter() - t0
    return report


def _remembered(store: str | Path | Store | None, loc: str | None) -> Manifest:
    """The inputs an existing store remembers."""
    if isinstance(store, Store):
        return stored_manifest(store)
    with open_store(loc, read_only="://" not in loc, create="://" in loc) as s:
        return stored_manifest(s)


def _build_on_disk(final: Path, plan: Plan, kw: dict) -> BuildReport:
    """Update a checkpoint copy of the existing store, then swap it in: readers never see a half-built store."""
    return _on_a_copy(final, lambda target, base: _write_projected(
        target, plan, base, _rows_scratch(final), tmp_dir=_tmp(final), scratch=True, **kw))


def _write_new(scratch: Path, final: Path, plan: Plan, **kw) -> tuple[BuildReport, Writer]:
    """The build written into an empty store at ``scratch``, with its projection."""
    with OxigraphStore(scratch) as target:
        return _write_projected(target, plan, None, _rows_scratch(final), tmp_dir=_tmp(final), scratch=True, **kw)


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
    made = not final.exists()
    scratch = new_version(final)  # beside the active version; made active in one step (kg.store.dirs)
    try:
        report, writer = fill(scratch)
        writer.install(scratch)
        replace_store(scratch, final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        if made:  # a first build that failed leaves no empty store folder behind
            with suppress(OSError):
                final.rmdir()
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


def _write_projected(target: Store, plan: Plan, base: Projection | None, scratch_rows: Path,
                     **kwargs) -> tuple[BuildReport, Writer]:
    """:func:`~kg.graph.write.write`, keeping a row projection in step: from ``base``, or from nothing on
    an empty store, else read back from the store once (a store built before projections, or changed since)."""
    progress = kwargs.get("progress")
    fresh = not target.query("ASK { ?a kg:actor ?x }").boolean
    # Without a base the indexes are made once the rows are in (twice as fast), by write().
    writer = Writer.start(scratch_rows, base, indexes=base is not None)
    try:
        report = write(target, plan, rows=writer if base is not None or fresh else None, **kwargs)
        if base is None and not fresh:
            if progress:
                progress("projecting", 0, 1)
            writer.add_from_store(target)
            if progress:
                progress("projecting", 1, 1)
        writer.create_indexes()
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
