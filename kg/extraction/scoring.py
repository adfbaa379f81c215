"""Measure extracted assertions against hand-coded ones, as ``../shared/gold/score.py`` does.

Gold rows (JSONL, one object per line, as in ``gold/seeds.jsonl``; or a curated
YAML file, whose assertions double as gold) are matched to extracted assertions
on what they state: (doc, actor, stance, target). Names are compared through an
aliases file (``{"actors": {name: [aliases]}, "topics": {notation: [labels]}}``)
or, without one, through the reference data's labels and aliases. An uncoded
(free-text) target matches a free-text prediction of the same doc, actor and
stance whose content words overlap with it by half or more. Precision, recall
and F1 count distinct statements and are the reference scorer's, to the digit
(tested); attribution and certainty are scored on the matches. Optional gold
rows count neither as misses nor as false alarms.

Beyond the scores, an evaluation says what kind each error is (a statement
missed, a spurious one, or one with the wrong holder, target or stance) and how
precise the extractor is in each band of its confidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.extraction.gold import _STOP, Extracted, GoldRow, Key, Names, load_aliases, load_gold, read_extracted_jsonl
from kg.model.errors import InputError
from kg.ingest.reference import Reference


# Confidence bands of the precision table: [low, high).
BANDS = ((0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 1.01))
ERROR_KINDS = ("missed", "spurious", "wrong_holder", "wrong_target", "wrong_stance")


@dataclass(frozen=True)
class Match:
    gold: GoldRow
    extracted: Extracted

    @property
    def attribution_ok(self) -> bool:
        return self.gold.speaker_key == self.extracted.speaker_key

    @property
    def certainty_ok(self) -> bool:
        return self.gold.certainty == self.extracted.certainty


@dataclass(frozen=True)
class Error:
    """One error: ``missed`` (gold only), ``spurious`` (extracted only), or a pair that states the
    same statement but for one field: ``wrong_holder``, ``wrong_target`` or ``wrong_stance``."""

    kind: str
    gold: GoldRow | None
    extracted: Extracted | None


@dataclass
class Evaluation:
    """The scores and the itemised differences."""

    matches: list[Match] = field(default_factory=list)
    misses: list[GoldRow] = field(default_factory=list)
    false_alarms: list[Extracted] = field(default_factory=list)
    optional_hits: int = 0
    gold_rows: int = 0
    gold_optional: int = 0
    extracted_rows: int = 0
    documents: int = 0

    @property
    def tp(self) -> int:
        return len(self.matches)

    @property
    def precision(self) -> float:
        denom = self.tp + len(self.false_alarms)
        return self.tp / denom if denom else 0.0

    @property
    def recall(self) -> float:
        denom = self.tp + len(self.misses)
        return self.tp / denom if denom else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def attribution_accuracy(self) -> float:
        return sum(m.attribution_ok for m in self.matches) / self.tp if self.tp else 0.0

    @property
    def certainty_accuracy(self) -> float:
        return sum(m.certainty_ok for m in self.matches) / self.tp if self.tp else 0.0

    def errors(self) -> list[Error]:
        """Each miss and false alarm once: paired when they differ in one field only (stance first,
        then target, then holder), else missed or spurious."""
        left = list(self.misses)
        pending = list(self.false_alarms)
        out: list[Error] = []
        for kind, same in (("wrong_stance", lambda k: (k[0], k[1], k[3])),
                           ("wrong_target", lambda k: (k[0], k[1], k[2])),
                           ("wrong_holder", lambda k: (k[0], k[2], k[3]))):
            unpaired = []
            for e in pending:
                g = next((g for g in left if same(g.key) == same(e.key)), None)
                if g is None:
                    unpaired.append(e)
                else:
                    left.remove(g)
                    out.append(Error(kind, g, e))
            pending = unpaired
        out += [Error("missed", g, None) for g in left]
        out += [Error("spurious", None, e) for e in pending]
        return out

    def error_counts(self) -> dict[str, int]:
        counts = {k: 0 for k in ERROR_KINDS}
        for e in self.errors():
            counts[e.kind] += 1
        return counts

    def confidence_bands(self) -> list[dict]:
        """Precision of the extracted statements (optional ones left out) in each confidence band."""
        scored = [(m.extracted, True) for m in self.matches] + [(e, False) for e in self.false_alarms]
        out = []
        for low, high in BANDS:
            inside = [ok for e, ok in scored if low <= (1.0 if e.confidence is None else e.confidence) < high]
            out.append({"confidence": f"{low:.1f}–{min(high, 1.0):.1f}", "extracted": len(inside),
                        "correct": sum(inside),
                        "precision": round(sum(inside) / len(inside), 3) if inside else None})
        return out

    def scores(self) -> dict:
        # Unrounded: rounding twice (here, then for display) can differ from score.py's one rounding in the
        # last digit (0.63354 -> 0.6335 -> 0.633, where score.py prints 0.634).
        return {
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
            "attribution_accuracy": self.attribution_accuracy, "certainty_accuracy": self.certainty_accuracy,
            "matched": self.tp, "misses": len(self.misses), "false_alarms": len(self.false_alarms),
            "optional_matched": self.optional_hits, "gold": self.gold_rows, "gold_optional": self.gold_optional,
            "extracted": self.extracted_rows, "documents": self.documents,
            "errors": self.error_counts(), "precision_by_confidence": self.confidence_bands(),
        }

    def summary(self) -> str:
        s = self
        counts = s.error_counts()
        bands = "  ".join(f"{b['confidence']}: {b['precision']:.2f} ({b['correct']}/{b['extracted']})"
                          if b["extracted"] else f"{b['confidence']}: - (0)" for b in s.confidence_bands())
        return (f"gold: {s.gold_rows} assertions ({s.gold_optional} optional) in {s.documents} documents; "
                f"extracted: {s.extracted_rows} assertions\n"
                f"precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}  "
                f"({s.tp} matched, {len(s.misses)} missed, {len(s.false_alarms)} false alarms, "
                f"{s.optional_hits} optional matched)\n"
                f"attribution accuracy {s.attribution_accuracy:.3f}  certainty accuracy {s.certainty_accuracy:.3f}  "
                f"(on {s.tp} matched)\n"
                f"errors: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()) + "\n"
                f"precision by confidence: {bands}")

    def rows(self) -> dict[str, list[dict]]:
        """Errors (misses, false alarms, each with its kind) and wrongly attributed or hedged matches."""
        def cut(q: str) -> str:
            return q if len(q) <= 90 else q[:89] + "…"

        kind_of_gold: dict[int, str] = {}
        kind_of_extracted: dict[int, tuple[str, GoldRow | None]] = {}
        for e in self.errors():
            if e.gold is not None:
                kind_of_gold[id(e.gold)] = e.kind
            if e.extracted is not None:
                kind_of_extracted[id(e.extracted)] = (e.kind, e.gold)

        def extracted_row(e: Extracted) -> dict:
            kind, g = kind_of_extracted.get(id(e), ("spurious", None))
            return {"kind": kind, "doc": e.doc, "actor": e.actor, "stance": e.stance, "target": e.target,
                    "gold": f"{g.actor} / {g.stance} / {g.target}" if g else "-",
                    "attributed_to": e.attributed_to, "certainty": e.certainty,
                    "confidence": e.confidence, "id": e.id, "quote": cut(e.quote)}

        wrong = [{"doc": m.gold.doc, "actor": m.gold.actor, "stance": m.gold.stance, "target": m.gold.target,
                  "attributed_to": f"{m.extracted.attributed_to or '-'} (gold {m.gold.attributed_to or '-'})",
                  "certainty": f"{m.extracted.certainty} (gold {m.gold.certainty})", "quote": cut(m.extracted.quote)}
                 for m in self.matches if not (m.attribution_ok and m.certainty_ok)]
        return {
            "misses": [{"kind": kind_of_gold.get(id(g), "missed"), "doc": g.doc, "actor": g.actor,
                        "stance": g.stance, "target": g.target, "attributed_to": g.attributed_to,
                        "certainty": g.certainty, "quote": cut(g.quote)} for g in self.misses],
            "false_alarms": [extracted_row(e) for e in self.false_alarms],
            "wrong_attribution_or_certainty": wrong,
        }


# -- matching ----------------------------------------------------------------------
def _words(target_key: str) -> set[str]:
    return {w for w in target_key[1:].split() if w not in _STOP}


def _fuzzy(keys: set[Key], k: Key) -> Key | None:
    """A free-text key of ``keys`` with the same doc, actor and stance as free-text ``k`` whose content
    words overlap with it by half or more (Jaccard >= 0.5): the reference scorer's rule."""
    if not k[3].startswith("?"):
        return None
    for q in sorted(keys):
        if q[:3] == k[:3] and q[3].startswith("?"):
            a, b = _words(q[3]), _words(k[3])
            if a and b and len(a & b) / len(a | b) >= 0.5:
                return q
    return None


def evaluate(gold: list[GoldRow], extracted: Iterable[Extracted]) -> Evaluation:
    """Match on (doc, actor, stance, target) as the reference scorer does; only documents that have gold
    rows count. A statement extracted several times is scored once, by its first row."""
    docs = {g.doc for g in gold}
    ex = [e for e in extracted if e.doc in docs]
    ev = Evaluation(gold_rows=len(gold), gold_optional=sum(g.optional for g in gold), extracted_rows=len(ex),
                    documents=len(docs))
    required: set[Key] = set()
    optional: set[Key] = set()
    gold_meta: dict[Key, GoldRow] = {}
    for g in gold:
        (optional if g.optional else required).add(g.key)
        gold_meta.setdefault(g.key, g)
    optional -= required
    pred: set[Key] = set()
    meta: dict[Key, Extracted] = {}
    for e in ex:
        pred.add(e.key)
        meta.setdefault(e.key, e)
    for k in sorted(pred - required - optional):
        q = _fuzzy(required - pred, k) or _fuzzy(optional - pred, k)
        if q:
            pred.discard(k)
            pred.add(q)
            meta[q] = meta[k]
    first = {g.key: g for g in reversed(gold) if not g.optional}  # the first required row of each key
    for k in sorted(pred & required):
        ev.matches.append(Match(gold_meta[k], meta[k]))
    ev.misses = [first[k] for k in sorted(required - pred)]
    ev.false_alarms = sorted((meta[k] for k in pred - required - optional),
                             key=lambda e: (e.doc, e.actor, e.stance, e.target))
    ev.optional_hits = len(pred & optional)
    return ev


def evaluate_paths(gold_path: str | Path, paths: Iterable[str | Path], *, aliases: str | Path | None = None,
                   extracted_path: str | Path | None = None, reference: Reference | None = None,
                   model: str | None = None, workers: int = 1, extractor=None,
                   min_confidence: float = 0.0) -> Evaluation:
    """Run the extractor on the gold's documents under ``paths`` (or read ``extracted_path``) and score it;
    extracted assertions below ``min_confidence`` are left out."""
    from kg.ingest.documents import read_documents
    from kg.extraction import default_reference

    reference = reference or default_reference()
    names = Names(reference, load_aliases(aliases))
    documents, _ = read_documents(paths, strict=False)
    by_id = {d.id: d for d in documents}
    gold = load_gold(gold_path, names, by_id)
    wanted = {g.doc for g in gold}
    if extracted_path is not None:
        extracted = read_extracted_jsonl(extracted_path, names)
    else:
        missing = sorted(wanted - set(by_id))
        if missing:
            raise InputError(f"no document {missing[0]!r} under {', '.join(map(str, paths))} "
                             f"({len(missing)} gold document{'s' if len(missing) > 1 else ''} not found)", gold_path)
        from kg.extraction.pipeline import extract_documents

        run = extract_documents([by_id[d] for d in sorted(wanted)], reference, model=model, workers=workers,
                                extractor=extractor)
        extracted = [names.extracted(a.to_json()) for a in run.assertions]
    if min_confidence > 0:
        extracted = [e for e in extracted if e.confidence is None or e.confidence >= min_confidence]
    return evaluate(gold, extracted)


