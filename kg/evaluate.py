"""Measure extracted assertions against hand-coded ones.

Gold rows (JSONL, one object per line, as in ``gold/seeds.jsonl``; or a curated
YAML file, whose assertions double as gold) are matched to extracted assertions
on what they state: (doc, actor, stance, target). Names are compared through
the reference data and, optionally, an aliases file (``{"actors": {name:
[aliases]}, "topics": {notation: [labels]}}``). Precision, recall and F1 count
distinct statements; attribution and certainty are scored on the matches.
Optional gold rows count neither as misses nor as false alarms.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .curated import iter_jsonl
from .errors import InputError
from .model import Assertion, Document
from .namespaces import CERTAINTIES, STANCES
from .reference import Reference, normalise

Key = tuple[str, str, str, str]  # (doc, actor, stance, target), canonical


@dataclass(frozen=True)
class GoldRow:
    """One hand-coded assertion, with canonical keys for its names."""

    doc: str
    actor: str  # as written
    stance: str
    target: str
    attributed_to: str | None
    certainty: str
    quote: str
    optional: bool
    actor_key: str
    target_key: str
    speaker_key: str | None
    origin: str = ""

    @property
    def key(self) -> Key:
        return (self.doc, self.actor_key, self.stance, self.target_key)


@dataclass(frozen=True)
class Extracted:
    """An extracted assertion as the evaluation sees it (from an Assertion or a JSONL row)."""

    doc: str
    actor: str
    stance: str
    target: str
    attributed_to: str | None
    certainty: str
    quote: str
    id: str
    actor_key: str
    target_key: str
    speaker_key: str | None

    @property
    def key(self) -> Key:
        return (self.doc, self.actor_key, self.stance, self.target_key)


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

    def scores(self) -> dict:
        return {
            "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "attribution_accuracy": round(self.attribution_accuracy, 4),
            "certainty_accuracy": round(self.certainty_accuracy, 4),
            "matched": self.tp, "misses": len(self.misses), "false_alarms": len(self.false_alarms),
            "optional_matched": self.optional_hits, "gold": self.gold_rows, "gold_optional": self.gold_optional,
            "extracted": self.extracted_rows, "documents": self.documents,
        }

    def summary(self) -> str:
        s = self
        return (f"gold: {s.gold_rows} assertions ({s.gold_optional} optional) in {s.documents} documents; "
                f"extracted: {s.extracted_rows} assertions\n"
                f"precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}  "
                f"({s.tp} matched, {len(s.misses)} missed, {len(s.false_alarms)} false alarms, "
                f"{s.optional_hits} optional matched)\n"
                f"attribution accuracy {s.attribution_accuracy:.3f}  certainty accuracy {s.certainty_accuracy:.3f}  "
                f"(on {s.tp} matched)")

    def rows(self) -> dict[str, list[dict]]:
        """Misses, false alarms and wrongly attributed or hedged matches, as table rows."""
        def cut(q: str) -> str:
            return q if len(q) <= 90 else q[:89] + "…"

        wrong = [{"doc": m.gold.doc, "actor": m.gold.actor, "stance": m.gold.stance, "target": m.gold.target,
                  "attributed_to": f"{m.extracted.attributed_to or '-'} (gold {m.gold.attributed_to or '-'})",
                  "certainty": f"{m.extracted.certainty} (gold {m.gold.certainty})", "quote": cut(m.extracted.quote)}
                 for m in self.matches if not (m.attribution_ok and m.certainty_ok)]
        return {
            "misses": [{"doc": g.doc, "actor": g.actor, "stance": g.stance, "target": g.target,
                        "attributed_to": g.attributed_to, "certainty": g.certainty, "quote": cut(g.quote)}
                       for g in self.misses],
            "false_alarms": [{"doc": e.doc, "actor": e.actor, "stance": e.stance, "target": e.target,
                              "attributed_to": e.attributed_to, "certainty": e.certainty, "id": e.id,
                              "quote": cut(e.quote)} for e in self.false_alarms],
            "wrong_attribution_or_certainty": wrong,
        }


# -- names ---------------------------------------------------------------------
class Names:
    """Canonical keys for actor and target names, through the reference data and an aliases file."""

    def __init__(self, reference: Reference, aliases: dict | None = None):
        self.reference = reference
        self._actor_alias: dict[str, str] = {}
        self._topic_alias: dict[str, str] = {}
        for canonical, names in ((aliases or {}).get("actors") or {}).items():
            for n in (canonical, *names):
                self._actor_alias.setdefault(normalise(n), canonical)
        for notation, names in ((aliases or {}).get("topics") or {}).items():
            for n in (notation, *names):
                self._topic_alias.setdefault(normalise(n), notation)

    def actor(self, name: str) -> str:
        found = self.reference.find_actor(name)
        if found is not None:
            return found.iri
        canonical = self._actor_alias.get(normalise(name))
        if canonical is not None:
            found = self.reference.find_actor(canonical)
            return found.iri if found else "actor:" + normalise(canonical)
        return "actor:" + normalise(name)

    def topic(self, name: str) -> str | None:
        found = self.reference.find_topic(name)
        if found is not None:
            return found.iri
        notation = self._topic_alias.get(normalise(name))
        if notation is not None:
            found = self.reference.topic_by_notation(notation) or self.reference.find_topic(notation)
            return found.iri if found else "topic:" + notation
        return None

    def gold_target(self, name: str) -> str:
        """``topic-notation``, a topic label, ``actor:Name``, or free text."""
        if name.startswith("actor:"):
            return self.actor(name[6:].strip())
        return self.target(name.removeprefix("topic:").strip())

    def target(self, label: str) -> str:
        """A target label: a topic, else an actor, else free text."""
        topic = self.topic(label)
        if topic is not None:
            return topic
        if self.reference.find_actor(label) is not None or normalise(label) in self._actor_alias:
            return self.actor(label)
        return "text:" + normalise(label)

    def extracted(self, row: dict) -> Extracted:
        """Canonical keys of one row of the JSONL contract."""
        actor = row["actor"]
        actor_key = self.actor(actor["label"]) if actor.get("new") else actor["id"]
        target = row["target"]
        if target.get("topic"):
            found = self.reference.topic_by_notation(target["topic"])
            target_key = found.iri if found else target["id"]
        elif target["id"] in self.reference.actors:
            target_key = target["id"]
        else:
            target_key = self.target(target["label"])
        speaker = row.get("attributed_to")
        speaker_key = None
        if speaker:
            speaker_key = speaker["id"] if speaker["id"] in self.reference.actors else self.actor(speaker["label"])
        return Extracted(row["doc"], actor["label"], row["stance"], target["label"],
                         speaker["label"] if speaker else None, row["certainty"], row.get("quote", ""),
                         row.get("id", ""), actor_key, target_key, speaker_key)


# -- reading gold ----------------------------------------------------------------
def load_aliases(path: str | Path | None) -> dict | None:
    if path is None:
        return None
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(e.strerror or "cannot read", path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"not a JSON aliases file: {e}", path) from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k, {}), dict) for k in ("actors", "topics")):
        raise InputError('aliases must be {"actors": {name: [aliases]}, "topics": {notation: [labels]}}', path)
    return data


_GOLD_KEYS = ("doc", "actor", "stance", "target", "certainty")


def load_gold_jsonl(path: str | Path, names: Names) -> list[GoldRow]:
    path = Path(path)
    rows: list[GoldRow] = []
    for n, r in iter_jsonl(path):
        missing = [k for k in _GOLD_KEYS if not r.get(k)]
        if missing:
            raise InputError(f"gold row is missing {missing[0]!r}", path, n)
        if r["stance"] not in STANCES:
            raise InputError(f"unknown stance {r['stance']!r} (choose from {', '.join(STANCES)})", path, n)
        if r["certainty"] not in CERTAINTIES:
            raise InputError(f"unknown certainty {r['certainty']!r} (choose from {', '.join(CERTAINTIES)})", path, n)
        speaker = r.get("attributed_to")
        rows.append(GoldRow(
            str(r["doc"]), r["actor"], r["stance"], r["target"], speaker, r["certainty"], r.get("quote", ""),
            bool(r.get("optional", False)), names.actor(r["actor"]), names.gold_target(r["target"]),
            names.actor(speaker) if speaker else None, f"{path.name}:{n}"))
    return rows


def gold_from_curated(assertions: Iterable[Assertion], names: Names) -> list[GoldRow]:
    """Hand-curated assertions as gold rows."""
    out = []
    for a in assertions:
        target = ("actor:" + a.target.label) if a.target.kind == "actor" else (a.target.topic or a.target.label)
        target_key = a.target.iri if a.target.kind != "uncoded" else names.target(a.target.label)
        out.append(GoldRow(a.doc, a.actor.label, a.stance, target, a.attributed_to.label if a.attributed_to else None,
                           a.certainty, a.quote, False, a.actor.iri, target_key,
                           a.attributed_to.iri if a.attributed_to else None, a.origin or ""))
    return out


def load_gold(path: str | Path, names: Names, documents: dict[str, Document]) -> list[GoldRow]:
    """Gold rows from a JSONL file or a curated YAML file (checked against ``documents``)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path)
    if path.suffix.lower() in (".yaml", ".yml"):
        from .curated import load_curated

        return gold_from_curated(load_curated(path, documents, names.reference).assertions, names)
    return load_gold_jsonl(path, names)


# -- matching ----------------------------------------------------------------------
def _quote_score(gold: GoldRow, e: Extracted) -> int:
    g, q = normalise(gold.quote), normalise(e.quote)
    if g and g in q:
        return 2
    gw, qw = set(g.split()), set(q.split())
    return 1 if gw and len(gw & qw) >= len(gw) / 2 else 0


def evaluate(gold: list[GoldRow], extracted: Iterable[Extracted]) -> Evaluation:
    """Match on (doc, actor, stance, target); only documents that have gold rows count."""
    docs = {g.doc for g in gold}
    ex = [e for e in extracted if e.doc in docs]
    ev = Evaluation(gold_rows=len(gold), gold_optional=sum(g.optional for g in gold), extracted_rows=len(ex),
                    documents=len(docs))
    by_key: dict[Key, list[Extracted]] = defaultdict(list)
    for e in ex:
        by_key[e.key].append(e)
    required: dict[Key, GoldRow] = {}
    optional: set[Key] = set()
    for g in gold:
        if g.optional:
            optional.add(g.key)
        else:
            required.setdefault(g.key, g)
    for key, g in required.items():
        found = by_key.get(key)
        if not found:
            ev.misses.append(g)
            continue
        rivals = [r for r in gold if r.key == key and not r.optional]
        best = max(found, key=lambda e: (max(_quote_score(r, e) for r in rivals),
                                         e.speaker_key == g.speaker_key, e.certainty == g.certainty))
        ev.matches.append(Match(g, best))
    for key, found in by_key.items():
        if key in required:
            continue
        if key in optional:
            ev.optional_hits += 1
            continue
        ev.false_alarms.append(found[0])
    ev.false_alarms.sort(key=lambda e: (e.doc, e.actor, e.stance, e.target))
    return ev


def read_extracted_jsonl(path: str | Path, names: Names) -> list[Extracted]:
    path = Path(path)
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise InputError(e.strerror or "cannot read", path) from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(names.extracted(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise InputError(f"not a row of the kg extract JSONL contract: {e}", path, n) from None
    return out


def evaluate_paths(gold_path: str | Path, paths: Iterable[str | Path], *, aliases: str | Path | None = None,
                   extracted_path: str | Path | None = None, reference: Reference | None = None,
                   model: str | None = None, workers: int = 1, extractor=None) -> Evaluation:
    """Run the extractor on the gold's documents under ``paths`` (or read ``extracted_path``) and score it."""
    from .documents import read_documents
    from .extraction import default_reference

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
        from .extraction.pipeline import extract_documents

        run = extract_documents([by_id[d] for d in sorted(wanted)], reference, model=model, workers=workers,
                                extractor=extractor)
        extracted = [names.extracted(a.to_json()) for a in run.assertions]
    return evaluate(gold, extracted)
