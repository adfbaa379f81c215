"""Gold and extracted statements as the scorer compares them: names made canonical through an
aliases file or the reference data, gold read from JSON Lines or curated YAML, and the layout of
a debate folder (docs, gold, codebook, gazetteer)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.ingest.curated import iter_jsonl
from kg.model.errors import InputError
from kg.model.records import Assertion, Document
from kg.model.namespaces import CERTAINTIES, STANCES
from kg.ingest.reference import Reference


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
    confidence: float | None = None

    @property
    def key(self) -> Key:
        return (self.doc, self.actor_key, self.stance, self.target_key)


# -- names ---------------------------------------------------------------------
_STOP = {"of", "the", "a", "an", "to", "for", "on", "in", "and", "or", "its", "their", "with", "by", "at"}


def norm(s: str | None) -> str:
    """The reference scorer's name key: accents, case, punctuation and a leading article dropped."""
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold().replace("’", "'")
    s = re.sub(r"[^a-z0-9' ]+", " ", s)
    s = re.sub(r"^(the|a) ", "", s.strip())
    return re.sub(r"\s+", " ", s).strip()


def local_name(iri: str | None) -> str:
    """The words of an IRI's last segment: ``…/topic/troop-deployment`` -> ``troop deployment``."""
    if not iri:
        return ""
    tail = re.split(r"[/#:]", iri.rstrip("/"))[-1]
    return re.sub(r"[_\-]+", " ", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tail))


def reference_aliases(reference: Reference) -> dict:
    """An aliases table made from the reference data: actor labels and aliases, topic notations and labels."""
    return {"actors": {a.label: list(a.aliases) for a in reference.actors.values() if not a.is_new},
            "topics": {t.notation: [t.label, *t.alt_labels] for t in reference.topics.values()}}


class Names:
    """Canonical keys for actor and target names, as the reference scorer makes them: through the
    aliases file when there is one, else through the reference data's labels and aliases.

    An actor key is the canonical name (``?words`` for a name nobody knows); a target key is a topic
    notation, ``actor:<canonical name>``, or ``?words`` for free text.
    """

    def __init__(self, reference: Reference, aliases: dict | None = None):
        self.reference = reference
        table = aliases if aliases is not None else reference_aliases(reference)
        self._actor: dict[str, str] = {}
        self._topic: dict[str, str] = {}
        for canonical, names in (table.get("actors") or {}).items():
            for n in [canonical, *names]:
                self._actor.setdefault(norm(n), canonical)
        for notation, names in (table.get("topics") or {}).items():
            for n in [notation, notation.replace("-", " "), *names]:
                self._topic.setdefault(norm(n), notation)
        self._notations = set(self._topic.values())

    def actor_of(self, obj) -> str:
        if not isinstance(obj, dict):
            obj = {"label": str(obj or "")}
        for cand in (obj.get("label"), local_name(obj.get("id"))):
            n = norm(cand)
            if n in self._actor:
                return self._actor[n]
        return "?" + norm(obj.get("label") or local_name(obj.get("id")))

    def target_of(self, obj) -> str:
        if not isinstance(obj, dict):
            obj = {"label": str(obj or "")}
        topic = obj.get("topic")
        if topic:
            for n in (norm(topic), norm(local_name(topic))):
                if n in self._topic:
                    return self._topic[n]
        for cand in (obj.get("label"), local_name(obj.get("id"))):
            n = norm(cand)
            if n in self._topic:
                return self._topic[n]
            if n in self._actor:
                return "actor:" + self._actor[n]
        return "?" + norm(obj.get("label") or local_name(obj.get("id")))

    def actor(self, name: str) -> str:
        return self.actor_of({"label": name})

    def gold_target(self, name: str) -> str:
        """``topic-notation``, a topic label, ``actor:Name``, or free text."""
        if name.startswith("actor:"):
            return "actor:" + self.actor(name[6:])
        if name in self._notations:
            return name
        return self.target_of({"label": name})

    def target(self, label: str) -> str:
        return self.target_of({"label": label})

    def extracted(self, row: dict) -> Extracted:
        """Canonical keys of one row of the JSONL contract (or of a row in the gold format)."""
        doc = re.sub(r"\.(txt|md|json|html?)$", "", str(row.get("doc", "")).split("/")[-1])
        actor = row.get("actor")
        target = row.get("target")
        if isinstance(target, str):
            target_key = self.gold_target(target)
            target_label = target
        else:
            target_key = self.target_of(target)
            target_label = (target or {}).get("topic") or (target or {}).get("label") or ""
        speaker = row.get("attributed_to")
        label = (lambda x: x.get("label") if isinstance(x, dict) else x)
        confidence = row.get("confidence")
        return Extracted(doc, label(actor) or "", row.get("stance") or "", target_label,
                         label(speaker) if speaker else None, row.get("certainty") or "", row.get("quote", ""),
                         row.get("id", ""), self.actor_of(actor), target_key,
                         self.actor_of(speaker) if speaker else None,
                         float(confidence) if isinstance(confidence, (int, float)) else None)


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
        out.append(GoldRow(a.doc, a.actor.label, a.stance, target, a.attributed_to.label if a.attributed_to else None,
                           a.certainty, a.quote, False, names.actor(a.actor.label), names.gold_target(target),
                           names.actor(a.attributed_to.label) if a.attributed_to else None, a.origin or ""))
    return out


def load_gold(path: str | Path, names: Names, documents: dict[str, Document]) -> list[GoldRow]:
    """Gold rows from a JSONL file or a curated YAML file (checked against ``documents``)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path)
    if path.suffix.lower() in (".yaml", ".yml"):
        from kg.ingest.curated import load_curated

        return gold_from_curated(load_curated(path, documents, names.reference).assertions, names)
    return load_gold_jsonl(path, names)


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


# -- a debate folder ---------------------------------------------------------------
@dataclass(frozen=True)
class DebateFolder:
    """A folder laid out like a dev-set debate: docs/, gold.jsonl, codebook, gazetteer, aliases.json."""

    root: Path
    docs: Path
    gold: Path
    aliases: Path | None
    codebooks: tuple[Path, ...]
    gazetteers: tuple[Path, ...]


_DOCS = ("docs", "articles")


_GOLD = ("gold.jsonl", "gold.yaml", "curated.yaml")


_CODEBOOKS = ("codebook.ttl", "codebook.yaml", "topics.yaml")


_GAZETTEERS = ("gazetteer.ttl", "gazetteer.yaml", "actors.yaml")


def debate_folder(path: str | Path) -> DebateFolder | None:
    """The parts of a debate folder, or None when ``path`` is not one (it has no gold file)."""
    root = Path(path)
    if not root.is_dir():
        return None
    gold = next((root / n for n in _GOLD if (root / n).is_file()), None)
    if gold is None:
        return None
    docs = next((root / n for n in _DOCS if (root / n).is_dir()), root)
    first = (lambda names: tuple(root / n for n in names if (root / n).is_file())[:1])
    aliases = root / "aliases.json"
    return DebateFolder(root, docs, gold, aliases if aliases.is_file() else None, first(_CODEBOOKS),
                        first(_GAZETTEERS))
