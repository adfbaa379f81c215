"""Holdings: who holds which stance on what, how often, how surely; what the actor–actor views are drawn from.

An actor–actor network depends on the assertions only through their (actor,
target, stance) groups: how many assertions each has, the highest certainty
among them, and the best few quotes. :class:`Holdings` is those groups. It is
summarised from rows in Python, or, on a store with a row projection, by
SQLite (:meth:`kg.graph.projection.Projection.holdings`), which then fetches the
quotes of only the actors a pruned view keeps. One busy topic of a
million-assertion store has 10^5 assertions but a few thousand holdings, so its
congruence page never turns every assertion into a Python object.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.model.namespaces import CERTAINTY_RANK
from kg.analysis.rows import Filters, Row, _quote_order, fetch_rows, filter_rows, row_from_dict

if TYPE_CHECKING:
    from kg.store import Store

TOP = 5  # quotes kept per (actor, target, stance): an edge shows the best of its pairs' best
Key = tuple[str, str]  # (target, stance)


@dataclass(frozen=True)
class Holding:
    """One actor's stance on one target, summarised over the assertions that state it."""

    actor: str
    actor_label: str
    actor_type: str
    target: str
    target_label: str
    stance: str
    count: int  # assertions
    rank: int  # the highest certainty rank among them


# holdings, as (actor, (target, stance)) → each one's best TOP rows, in quote order
QuoteSource = Callable[[set[tuple[str, Key]]], dict[tuple[str, Key], list[Row]]]


class Holdings:
    """The holdings a view is drawn from, with the quotes behind them fetched on demand."""

    def __init__(self, items: Iterable[Holding], quotes: QuoteSource):
        self.items = sorted(items, key=lambda h: (h.actor, h.target, h.stance))
        self._quotes = quotes

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> Holdings:
        """Holdings summarised from rows (already filtered)."""
        by: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
        for r in rows:
            by[(r.actor, r.target, r.stance)].append(r)
        items = [Holding(a, rs[0].actor_label, rs[0].actor_type, t, rs[0].target_label, s, len(rs),
                         max(r.rank for r in rs)) for (a, t, s), rs in by.items()]

        def quotes(held: set[tuple[str, Key]]) -> dict[tuple[str, Key], list[Row]]:
            return {(a, (t, s)): sorted(by[(a, t, s)], key=_quote_order)[:TOP] for a, (t, s) in held
                    if (a, t, s) in by}

        return cls(items, quotes)

    def only(self, actors: set[str]) -> Holdings:
        return Holdings((h for h in self.items if h.actor in actors), self._quotes)

    def actors(self) -> set[str]:
        return {h.actor for h in self.items}

    @property
    def assertions(self) -> int:
        return sum(h.count for h in self.items)

    def quotes(self, actors: set[str]) -> dict[tuple[str, Key], list[Row]]:
        """The best :data:`TOP` rows of each holding of ``actors``."""
        return self.quotes_of({(h.actor, (h.target, h.stance)) for h in self.items if h.actor in actors})

    def quotes_of(self, held: set[tuple[str, Key]]) -> dict[tuple[str, Key], list[Row]]:
        """The best :data:`TOP` rows of each of the holdings ``held``, given as (actor, (target, stance))."""
        return self._quotes(held) if held else {}


def as_holdings(items: Iterable[Holding | Row]) -> list[Holding]:
    """Holdings as given, or summarised from rows."""
    items = list(items)
    if items and isinstance(items[0], Row):
        return Holdings.from_rows(items).items
    return items


@contextlib.contextmanager
def open_holdings(store: Store, filters: Filters | None = None) -> Iterator[Holdings]:
    """The holdings of the store's assertions that pass ``filters``: from its row projection where it has one.

    A ``source`` filter matches outlet names case-insensitively against the rows
    and says which names exist when none matches, so it is applied in Python.
    """
    from kg.graph.projection import Projection

    filters = filters or Filters()
    # With a source filter the rows are read anyway (below): do not open the projection twice.
    with contextlib.nullcontext() if filters.source else Projection.opened(store) as proj:
        if proj is not None:
            target = None
            if filters.topic:
                from kg.analysis.positions import target_iri

                target = target_iri(store, filters.topic)
            certainties = None
            if filters.certainty:
                floor = CERTAINTY_RANK[filters.certainty]
                certainties = sorted(c for c, r in CERTAINTY_RANK.items() if r >= floor)
            where = dict(target=target, stances=filters.stance, certainties=certainties, since=filters.since,
                         until=filters.until)
            items = [Holding(d["actor"], d["actorLabel"], d["actorType"], d["target"], d["targetLabel"], d["stance"],
                             d["n"], max(CERTAINTY_RANK.get(c, 0) for c in d["certainties"].split(",")))
                     for d in proj.holdings(**where)]

            def quotes(wanted: set[tuple[str, Key]]) -> dict[tuple[str, Key], list[Row]]:
                out: dict[tuple[str, Key], list[Row]] = defaultdict(list)
                held = sorted((a, t, s) for a, (t, s) in wanted)
                for d in proj.best_rows(held, TOP, CERTAINTY_RANK, certainties=certainties, since=filters.since,
                                        until=filters.until):
                    r = row_from_dict(d)
                    out[(r.actor, (r.target, r.stance))].append(r)
                return {k: sorted(rs, key=_quote_order) for k, rs in out.items()}

            yield Holdings(items, quotes)
            return
    yield Holdings.from_rows(filter_rows(fetch_rows(store, filters), filters))
