"""Automatic extraction of attributed, hedged stances from news text.

Rules over spaCy's dependency parse, named entities and lemmas; the lexicons
and patterns they read are data files in ``lexicons/``. Nothing here imports
spaCy until extraction actually runs.

    >>> from kg.extraction import default_reference, make_extractor
    >>> extract = make_extractor()
    >>> assertions = extract(document, default_reference())   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .version import METHOD_VERSION, VERSION

if TYPE_CHECKING:
    from kg.ingest.reference import Reference
    from .pipeline import ExtractionRun, RuleExtractor

__all__ = ["VERSION", "METHOD_VERSION", "make_extractor", "shared_extractor", "default_reference",
           "extract_documents", "extract_paths"]


def make_extractor(model: str | None = None, lexicon_dir: str | Path | None = None, *, workers: int = 1,
                   dask: str | None = None, min_confidence: float = 0.0) -> RuleExtractor:
    """The extractor ``kg build`` uses: ``extractor(document, reference)``, or in bulk
    ``extractor.extract_many(documents, reference)`` over ``workers`` processes or a Dask cluster.
    Assertions below ``min_confidence`` are left out (and the threshold is part of its ``version``)."""
    from .pipeline import RuleExtractor

    return RuleExtractor(model, lexicon_dir, workers=workers, dask=dask, min_confidence=min_confidence)


def shared_extractor(model: str | None = None) -> RuleExtractor:
    """One extractor per process and pipeline name, so the pipeline loads once (notebooks, tests)."""
    from .pipeline import shared_extractor as shared

    return shared(model)


def default_reference(gazetteer: Iterable[str | Path] = (), codebook: Iterable[str | Path] = ()) -> Reference:
    """The reference data (actors, roles, topics) of the shipped or the given Turtle files."""
    from kg.ingest.reference_files import ReferenceFiles
    from kg.ingest.reference import Reference
    from kg.store import OxigraphStore

    store = OxigraphStore(None)
    ReferenceFiles.default(gazetteer, codebook).load_into(store)
    return Reference.from_store(store)


def reference_for(paths: Iterable[str | Path], gazetteer: Iterable[str | Path] = (),
                  codebook: Iterable[str | Path] = ()) -> tuple[Reference, list[Path]]:
    """The reference data to extract from ``paths`` with, and the user's files it came from: the given
    gazetteer and codebook; else, as ``kg build`` does, the reference files among the inputs or those of the
    ``kg init`` project holding them (then the shipped ones are not used); else the shipped ones."""
    from kg.ingest.reference_files import ReferenceFiles, inputs_reference

    gazetteer, codebook = list(gazetteer), list(codebook)
    if gazetteer or codebook:
        return default_reference(gazetteer, codebook), [Path(p) for p in (*codebook, *gazetteer)]
    cbs, gaz = inputs_reference(paths)
    if not (cbs or gaz):
        return default_reference(), []
    return ReferenceFiles.resolve(cbs, gaz).reference(), [*cbs, *gaz]


def extract_documents(documents, reference: Reference | None = None, *, model: str | None = None,
                      workers: int = 1, dask: str | None = None,
                      lexicon_dir: str | Path | None = None) -> ExtractionRun:
    """Extract assertions from already-read documents."""
    from .pipeline import extract_documents as run

    return run(list(documents), reference or default_reference(), model=model, workers=workers, dask=dask,
               lexicon_dir=lexicon_dir)


def extract_paths(paths: Iterable[str | Path], reference: Reference | None = None, *, model: str | None = None,
                  workers: int = 1, dask: str | None = None, max_bytes: int | None = None,
                  lexicon_dir: str | Path | None = None) -> ExtractionRun:
    """Read the documents under ``paths`` (bad files are skipped and reported) and extract from them."""
    from kg.ingest.documents import DEFAULT_MAX_BYTES, read_documents

    documents, skipped = read_documents(paths, max_bytes or DEFAULT_MAX_BYTES, strict=False)
    run = extract_documents(documents, reference, model=model, workers=workers, dask=dask, lexicon_dir=lexicon_dir)
    run.skipped = skipped
    return run
