"""Sources compared, and an actor's stances over time.

:func:`compare` groups what each source (the outlet, else the document id)
reports about each (actor, target) and flags three kinds of disagreement:

``stance``       the sources report different stances;
``certainty``    they report the same stance with different certainty;
``attribution``  one source attributes the position to a speaker and another
                 drops the attribution (or names someone else).

:func:`timeline` lists an actor's assertions by document date and flags, per
target, where the stance or its certainty changes from the previous report.
Both read the shipped ``compare`` and ``timeline`` queries with bound IRIs.

>>> [c.flags for c in compare(store, actor="Poland")]     # doctest: +SKIP
[('certainty',), ()]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass

from kg import queries
from kg.model.namespaces import CERTAINTY_RANK, STANCES
from kg.ingest.reference import Reference
from kg.store import Store, Term

FLAGS = ("stance", "certainty", "attribution")
COMPARE_COLUMNS = ["actor", "target", "source", "stance", "certainty", "speaker", "quotes", "flags"]
TIMELINE_COLUMNS = ["date", "doc", "source", "target", "stance", "certainty", "speaker", "quote", "change"]
UNATTRIBUTED = "(not attributed)"


@dataclass(frozen=True)
class SourceReport:
    """What one source says about one (actor, target)."""

    source: str
    docs: tuple[str, ...]
    dates: tuple[str, ...]
    stances: tuple[str, ...]
    certainty: tuple[tuple[str, tuple[str, ...]], ...]  # (stance, certainties) pairs
    speakers: tuple[tuple[str, tuple[str, ...]], ...]  # (stance, speaker labels); UNATTRIBUTED for none
    quotes: tuple[dict, ...]  # {quote, stance, certainty, speaker, doc, date}

    def certainties(self, stance: str) -> tuple[str, ...]:
        return dict(self.certainty).get(stance, ())

    def speakers_of(self, stance: str) -> tuple[str, ...]:
        return dict(self.speakers).get(stance, ())


@dataclass(frozen=True)
class Comparison:
    """Every source's report on one (actor, target), with the disagreements among them."""

    actor: str
    actor_label: str
    target: str
    target_label: str
    sources: tuple[SourceReport, ...]
    flags: tuple[str, ...]
    details: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"actor": self.actor_label, "actor_id": self.actor, "target": self.target_label,
                "target_id": self.target, "flags": list(self.flags), "details": list(self.details),
                "sources": [{**asdict(s), "certainty": {k: list(v) for k, v in s.certainty},
                             "speakers": {k: list(v) for k, v in s.speakers},
                             "quotes": list(s.quotes)} for s in self.sources]}

    def rows(self) -> list[dict]:
        """One row per source, for tables and CSV."""
        def per_stance(pairs: tuple, n: int) -> str:
            return "; ".join(f"{st}: {'/'.join(v)}" if n > 1 else "/".join(v) for st, v in pairs)

        return [{"actor": self.actor_label, "target": self.target_label, "source": s.source,
                 "stance": "; ".join(s.stances),
                 "certainty": per_stance(s.certainty, len(s.stances)),
                 "speaker": per_stance(s.speakers, len(s.stances)),
                 "quotes": " | ".join(f"“{q['quote']}”" for q in s.quotes),
                 "flags": ", ".join(self.flags)} for s in self.sources]


def _sort_cert(cs) -> tuple[str, ...]:
    return tuple(sorted(set(cs), key=lambda c: CERTAINTY_RANK.get(c, 0)))


def _sort_stances(ss) -> tuple[str, ...]:
    order = {s: i for i, s in enumerate(STANCES)}
    return tuple(sorted(set(ss), key=lambda s: (order.get(s, 99), s)))


def _report(source: str, rows: list[dict]) -> SourceReport:
    by_stance: dict[str, list[str]] = defaultdict(list)
    speakers: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_stance[r["stance"]].append(r["certainty"])
        speakers[r["stance"]].add(r["speakerLabel"] or UNATTRIBUTED)
    stances = _sort_stances(by_stance)
    quotes = tuple({"quote": r["quote"], "stance": r["stance"], "certainty": r["certainty"],
                    "speaker": r["speakerLabel"], "doc": r["doc"], "date": r["date"]} for r in rows)
    return SourceReport(
        source=source, docs=tuple(sorted({r["doc"] for r in rows})),
        dates=tuple(sorted({str(r["date"])[:10] for r in rows if r["date"]})), stances=stances,
        certainty=tuple((s, _sort_cert(by_stance[s])) for s in stances),
        speakers=tuple((st, tuple(sorted(speakers[st]))) for st in stances), quotes=quotes)


def _disagreements(reports: list[SourceReport]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The flags and one readable line per disagreement."""
    if len(reports) < 2:
        return (), ()
    flags: list[str] = []
    details: list[str] = []
    if len({r.stances for r in reports}) > 1:
        flags.append("stance")
        details.append("stance: " + " vs ".join(f"{'/'.join(r.stances)} ({r.source})" for r in reports))
    for stance in _sort_stances(s for r in reports for s in r.stances):
        having = [r for r in reports if stance in r.stances]
        if len(having) > 1 and len({r.certainties(stance) for r in having}) > 1:
            if "certainty" not in flags:
                flags.append("certainty")
            details.append(f"certainty of '{stance}': "
                           + " vs ".join(f"{'/'.join(r.certainties(stance))} ({r.source})" for r in having))
    # Attribution is compared stance by stance: two sources may quote different
    # people for different stances without disagreeing about either.
    for stance in _sort_stances(s for r in reports for s in r.stances):
        having = [r for r in reports if stance in r.stances]
        if len(having) < 2 or len({r.speakers_of(stance) for r in having}) < 2:
            continue
        named = [set(r.speakers_of(stance)) - {UNATTRIBUTED} for r in having]
        if not any(named):
            continue
        if "attribution" not in flags:
            flags.append("attribution")
        dropped = [r.source for r, n in zip(having, named) if not n]
        if dropped:
            keeps = sorted({s for n in named for s in n})
            details.append(f"attribution of '{stance}': {', '.join(keeps)} in "
                           + ", ".join(r.source for r, n in zip(having, named) if n)
                           + f"; dropped in {', '.join(dropped)}")
        else:
            details.append(f"attribution of '{stance}': "
                           + " vs ".join(f"{'/'.join(r.speakers_of(stance))} ({r.source})" for r in having))
    return tuple(flags), tuple(details)


def compare(store: Store, actor: str | None = None, topic: str | None = None, *,
            disagreements_only: bool = False) -> list[Comparison]:
    """For each (actor, target), the stance and certainty each source reports, with the quotes and flags.

    ``actor`` and ``topic`` are names (labels, aliases, notations; ``topic`` may
    name an actor as target); unknown names raise UnknownNameError.
    """
    bindings: dict[str, Term] = {}
    if actor or topic:
        ref = Reference.from_store(store)
        if actor:
            bindings["actor"] = Term.iri(ref.resolve_actor(actor).iri)
        if topic:
            bindings["target"] = Term.iri(ref.resolve_target(topic).iri)
    rows = store.query(queries.load("compare"), bindings).dicts()
    seen: set[str] = set()
    groups: dict[tuple[str, str], dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    labels: dict[tuple[str, str], tuple[str, str]] = {}
    for r in rows:
        if r["assertion"] in seen:  # an actor with two labels repeats its rows
            continue
        seen.add(r["assertion"])
        key = (str(r.get("actor") or bindings["actor"].value), str(r.get("target") or bindings["target"].value))
        groups[key][r["source"]].append(r)
        labels.setdefault(key, (r["actorLabel"], r["targetLabel"]))
    out = []
    for key, by_source in groups.items():
        reports = [_report(s, rs) for s, rs in sorted(by_source.items())]
        flags, details = _disagreements(reports)
        if disagreements_only and not flags:
            continue
        out.append(Comparison(key[0], labels[key][0], key[1], labels[key][1], tuple(reports), flags, details))
    out.sort(key=lambda c: (c.actor_label.casefold(), c.target_label.casefold(), c.actor, c.target))
    return out


def compare_rows(comparisons: list[Comparison]) -> list[dict]:
    return [row for c in comparisons for row in c.rows()]


@dataclass(frozen=True)
class TimelineEntry:
    """One assertion in an actor's timeline, with what changed since the previous one on the same target."""

    date: str | None
    doc: str
    source: str
    target: str
    stance: str
    certainty: str
    speaker: str | None
    quote: str
    change: str  # "first", "", "stance supports → opposes", "certainty possible → probable"

    def to_dict(self) -> dict:
        return asdict(self)


def timeline(store: Store, actor: str) -> list[TimelineEntry]:
    """An actor's stances by document date (undated documents last, by id), flagging changes per target."""
    ref = Reference.from_store(store)
    a = ref.resolve_actor(actor)
    rows = store.query(queries.load("timeline"), {"actor": Term.iri(a.iri)}).dicts()
    seen: set[str] = set()
    unique = []
    for r in rows:
        if r["assertion"] not in seen:
            seen.add(r["assertion"])
            unique.append(r)
    unique.sort(key=lambda r: (r["date"] is None, str(r["date"] or ""), r["doc"], r["targetLabel"],
                               r["stance"], r["quote"]))
    last: dict[str, tuple[str, str]] = {}
    out = []
    for r in unique:
        prev = last.get(r["target"])
        changes = []
        if prev is None:
            changes.append("first")
        else:
            if prev[0] != r["stance"]:
                changes.append(f"stance {prev[0]} → {r['stance']}")
            elif prev[1] != r["certainty"]:
                changes.append(f"certainty {prev[1]} → {r['certainty']}")
        last[r["target"]] = (r["stance"], r["certainty"])
        out.append(TimelineEntry(str(r["date"])[:10] if r["date"] else None, r["doc"], r["source"],
                                 r["targetLabel"], r["stance"], r["certainty"], r["speakerLabel"], r["quote"],
                                 "; ".join(changes)))
    return out
