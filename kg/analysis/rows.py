"""Assertion rows, and the filters every view shares.

The rows come from the shipped ``assertions`` query (or the store's row
projection), fetched once; filtering happens in Python (see :mod:`kg.analysis.views`).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg import queries
from kg.model.errors import InputError, UnknownNameError
from kg.store import Term
from kg.model.namespaces import CERTAINTY_RANK, STANCES

if TYPE_CHECKING:
    from kg.store import Store

CERTAINTIES_ASC = ("possible", "probable", "certain")
QUOTE_KEYS = ("id", "actor", "stance", "target", "quote", "speaker", "certainty", "source", "doc", "date")


@dataclass(frozen=True)
class Row:
    """One assertion, flattened (see ``kg/queries/assertions.rq``)."""

    assertion: str
    actor: str
    actor_label: str
    actor_type: str
    stance: str
    target: str
    target_label: str
    target_kind: str  # topic | actor | uncoded
    topic: str | None
    certainty: str
    speaker: str | None
    speaker_label: str | None
    quote: str
    doc: str
    source: str  # the outlet, else the document id
    outlet: str | None
    date: str | None  # ISO date (YYYY-MM-DD) or None
    method: str
    confidence: float | None

    @property
    def rank(self) -> int:
        return CERTAINTY_RANK.get(self.certainty, 0)

    def quote_dict(self) -> dict:
        return {"id": self.assertion, "actor": self.actor_label, "stance": self.stance, "target": self.target_label,
                "quote": self.quote, "speaker": self.speaker_label, "certainty": self.certainty,
                "source": self.source, "doc": self.doc, "date": self.date}


def _quote_order(r: Row) -> tuple:
    """Best evidence first: most certain, oldest (undated first), then a stable order."""
    return (-r.rank, r.date or "", r.doc, r.actor_label, r.assertion)


def row_from_dict(d: dict) -> Row:
    """A :class:`Row` from one ``assertions`` query result (a dict of Python values)."""
    date = d.get("date")
    date = str(date)[:10] if date else None
    outlet = d.get("source") or None
    speaker = d.get("speaker") or None
    return Row(
        assertion=str(d["assertion"]), actor=str(d["actor"]), actor_label=str(d.get("actorLabel") or d["actor"]),
        actor_type=str(d.get("actorType") or "Actor"), stance=str(d["stance"]), target=str(d["target"]),
        target_label=str(d.get("targetLabel") or d["target"]), target_kind=str(d.get("targetKind") or "uncoded"),
        topic=d.get("topic") or None, certainty=str(d["certainty"]), speaker=speaker,
        speaker_label=(str(d.get("speakerLabel") or speaker) if speaker else None), quote=str(d.get("quote") or ""),
        doc=str(d["doc"]), source=str(outlet or d["doc"]), outlet=outlet, date=date,
        method=str(d.get("method") or ""),
        confidence=float(d["confidence"]) if d.get("confidence") is not None else None,
    )


def fetch_rows(store: Store, filters: Filters | None = None) -> list[Row]:
    """Every assertion in the store (or, with ``filters.topic``, on that target), once each, in a stable order.

    The topic is bound in the query rather than filtered afterwards: on a large
    store, one topic's assertions are a small part of the whole.
    """
    from kg.graph.projection import Projection

    bindings = None
    if filters is not None and filters.topic:
        from kg.analysis.positions import target_iri

        bindings = {"target": Term.iri(target_iri(store, filters.topic))}
    with Projection.opened(store) as proj:
        if proj is not None:
            rows = [row_from_dict(d) for d in proj.assertions(bindings["target"].value if bindings else None)]
    if proj is None:
        res = store.query(queries.load("assertions"), bindings)
        # Plain term values: skipping Result.dicts()'s typed conversion matters at 10^5-10^6 rows.
        names = res.vars
        rows = [row_from_dict({k: (t.value if t is not None else None) for k, t in zip(names, r)}) for r in res.rows]
    # OPTIONAL joins repeat an assertion when an actor has two labels or types:
    # keep one row per assertion, the same one on every run.
    rows.sort(key=lambda r: (r.assertion, r.actor_label, r.actor_type, r.target_label, r.speaker_label or "",
                             r.source))
    seen: set[str] = set()
    out = []
    for r in rows:
        if r.assertion not in seen:
            seen.add(r.assertion)
            out.append(r)
    out.sort(key=lambda r: (r.date or "", r.doc, r.actor_label, r.target_label, r.stance, r.assertion))
    return out


# ---------------------------------------------------------------- filters


def parse_date(value: str, *, end: bool = False) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as an ISO date: the first day of the period, or with
    ``end`` the last, so that ``--until 2023`` includes all of 2023."""
    v = str(value).strip()
    try:
        parts = [int(p) for p in v.split("-")]
        if len(parts) == 1 and len(v) == 4:
            d = _dt.date(parts[0], 12, 31) if end else _dt.date(parts[0], 1, 1)
        elif len(parts) == 2:
            last = calendar.monthrange(parts[0], parts[1])[1]
            d = _dt.date(parts[0], parts[1], last if end else 1)
        elif len(parts) == 3:
            d = _dt.date(*parts)
        else:
            raise ValueError
    except ValueError:
        raise InputError(f"bad date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD") from None
    return d.isoformat()


@dataclass(frozen=True)
class Filters:
    """What every view can be narrowed to. ``certainty`` is a minimum; dates bound the document date
    (an undated document is excluded as soon as ``since`` or ``until`` is given)."""

    source: str | None = None
    certainty: str | None = None
    stance: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    topic: str | None = None  # a target name; applied when rows are fetched (a bound query)

    @classmethod
    def make(cls, source: str | None = None, certainty: str | None = None,
             stance: str | Sequence[str] | None = None, since: str | None = None,
             until: str | None = None, topic: str | None = None) -> Filters:
        """Checked filters from user input; bad values raise :class:`~kg.model.errors.KgError` subclasses."""
        if certainty is not None:
            certainty = certainty.strip().lower()
            if certainty not in CERTAINTY_RANK:
                raise UnknownNameError("certainty", certainty, list(CERTAINTIES_ASC))
        stances: tuple[str, ...] = ()
        if stance:
            items = stance.split(",") if isinstance(stance, str) else list(stance)
            stances = tuple(sorted({s.strip().lower() for s in items if s.strip()}))
            for s in stances:
                if s not in STANCES:
                    raise UnknownNameError("stance", s, difflib.get_close_matches(s, STANCES) or list(STANCES))
        lo = parse_date(since) if since else None
        hi = parse_date(until, end=True) if until else None
        if lo and hi and lo > hi:
            raise InputError(f"--since {since} is after --until {until}")
        return cls(source.strip() if source else None, certainty, stances, lo, hi,
                   topic.strip() if topic and topic.strip() else None)

    def describe(self) -> str:
        parts = []
        if self.source:
            parts.append(f"source {self.source}")
        if self.certainty:
            parts.append(f"certainty ≥ {self.certainty}")
        if self.stance:
            parts.append("stance " + "/".join(self.stance))
        if self.since:
            parts.append(f"since {self.since}")
        if self.until:
            parts.append(f"until {self.until}")
        if self.topic:
            parts.append(f"topic {self.topic}")
        return ", ".join(parts) or "none"

    def __bool__(self) -> bool:
        return bool(self.source or self.certainty or self.stance or self.since or self.until or self.topic)


def filter_rows(rows: Iterable[Row], filters: Filters | None) -> list[Row]:
    """The rows that pass ``filters``; a source that names nothing raises UnknownNameError."""
    rows = list(rows)
    if not filters:
        return rows
    if filters.source:
        key = filters.source.casefold()
        known = {r.source for r in rows} | {r.doc for r in rows}
        if not any(k.casefold() == key for k in known):
            raise UnknownNameError("source", filters.source,
                                   difflib.get_close_matches(filters.source, sorted(known), n=5, cutoff=0.5))
        rows = [r for r in rows if r.source.casefold() == key or r.doc.casefold() == key]
    if filters.certainty:
        floor = CERTAINTY_RANK[filters.certainty]
        rows = [r for r in rows if r.rank >= floor]
    if filters.stance:
        rows = [r for r in rows if r.stance in filters.stance]
    if filters.since:
        rows = [r for r in rows if r.date and r.date >= filters.since]
    if filters.until:
        rows = [r for r in rows if r.date and r.date <= filters.until]
    return rows
