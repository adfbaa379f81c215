"""Actor–actor views (congruence, conflict) from holdings (:mod:`kg.analysis.holdings`): project, prune,
colour, quote.

>>> with open_holdings(store, Filters(topic="troop-deployment")) as hs:   # doctest: +SKIP
...     g = actor_view(hs, ViewSpec("congruence", max_nodes=300))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from kg.analysis.actor_pairs import _shared, _top_actors, conflict_edges, congruence_edges
from kg.analysis.holdings import TOP, Holding, Holdings, Key, QuoteSource
from kg.analysis.pruning import assign_communities, communities
from kg.analysis.rows import Row, _quote_order
from kg.analysis.stance_view import _certainty
from kg.analysis.view_notes import finish_view
from kg.analysis.view_spec import MAX_QUOTES, ViewSpec

if TYPE_CHECKING:
    import networkx as nx


class _Evidence:
    """Per (actor, (target, stance)): the highest certainty rank, the number of assertions and the
    best few rows, so that each of the (many) actor pairs costs little.

    ``source`` (:meth:`kg.analysis.holdings.Holdings.quotes_of`, None: no quotes) is asked for the rows of
    those holdings only that some edge quotes: :meth:`prefetch` finds them from the counts."""

    def __init__(self, items: Iterable[Holding], source: QuoteSource | None, max_quotes: int = MAX_QUOTES):
        self.rank: dict[tuple[str, Key], int] = {}
        self.count: dict[tuple[str, Key], int] = {}
        self.target_label: dict[str, str] = {}
        for h in items:
            k = (h.actor, (h.target, h.stance))
            self.rank[k], self.count[k] = h.rank, h.count
            self.target_label[h.target] = h.target_label
        # the strongest evidence first: the order in which an edge takes its pairs' quotes
        self._order = {p: i for i, p in enumerate(sorted(self.rank, key=lambda p: (-self.rank[p], p)))}
        self._source = source
        self.quoted = source is not None
        self.max_quotes = max_quotes
        self._fetched: set[tuple[str, Key]] = set()
        self._rows: list[Row] = []  # every row fetched, in quote order
        self._top: dict[tuple[str, Key], list[int]] = {}  # a holding's best rows, as positions in _rows
        self._dicts: dict[int, dict] = {}  # one dict per row, however many edges quote it

    def visit(self, pairs: list[tuple[str, Key]]) -> list[tuple[str, Key]]:
        """Those of ``pairs`` (actor, key) held, the strongest evidence first (the order :meth:`quotes` takes)."""
        order = self._order
        return sorted((p for p in pairs if p in order), key=order.__getitem__)

    def prefetch(self, edges: Iterable[list[tuple[str, Key]]]) -> None:
        """Fetch the rows of the holdings that the edges' quotes come from (``edges``: :meth:`visit` of each
        edge's pairs)."""
        if not self.quoted:
            return
        wanted = set()
        for pairs in edges:
            n = 0
            for p in pairs:
                wanted.add(p)
                n += min(self.count.get(p, 0), TOP)
                if n >= self.max_quotes:
                    break
        self._fetch(wanted)

    def _fetch(self, wanted: set[tuple[str, Key]]) -> None:
        wanted = wanted - self._fetched
        if not wanted:
            return
        self._fetched |= wanted
        top = {p: [self._rows[i] for i in ix] for p, ix in self._top.items()}
        top.update(self._source(wanted))
        rows = sorted((r for rs in top.values() for r in rs), key=_quote_order)
        pos = {r.assertion: i for i, r in enumerate(rows)}
        self._dicts = {pos[self._rows[i].assertion]: d for i, d in self._dicts.items()}
        self._rows = rows
        self._top = {p: [pos[r.assertion] for r in rs] for p, rs in top.items()}

    def quotes(self, pairs: list[tuple[str, Key]]) -> tuple[list[dict], int]:
        """The best ``max_quotes`` quotes behind ``pairs`` (:meth:`visit` of an edge's pairs), and how many
        there are."""
        n = sum(self.count[p] for p in pairs)
        if not self.quoted:
            return [], n
        # Visit the strongest evidence first and stop once there is enough of it.
        got: list[int] = []
        for p in pairs:
            if p not in self._fetched:
                self._fetch({p})
            got.extend(self._top.get(p, ()))
            if len(got) >= self.max_quotes:
                break
        got.sort()  # positions in quote order
        out = []
        for i in got[: self.max_quotes]:
            d = self._dicts.get(i)
            if d is None:
                d = self._dicts[i] = self._rows[i].quote_dict()
            out.append(d)
        return out, n


def _finish_edges(g, ev: _Evidence, view: str) -> None:
    """Decode each edge's ``_keys`` into ``shared`` labels, ``certainty``, ``stance``, ``quotes``, ``n_quotes``."""
    tl = ev.target_label
    rank = ev.rank
    all_keys = g.graph.pop("_keys", [])
    g.graph.pop("_cut", None)
    quoted = []
    for a, b, d in g.edges(data=True):
        keys = _shared(d.pop("_keys"), all_keys)
        if view == "congruence":
            best = max(min(rank[(a, k)], rank[(b, k)]) for k in keys)
            stances = {k[1] for k in keys}
            d["stance"] = stances.pop() if len(stances) == 1 else "mixed"
            pairs = [(x, k) for k in keys for x in (a, b)]
            d["shared"] = sorted(f"{s} {tl[t]}" for t, s in keys)
        else:
            # Only an opposed pair of stances counts towards the certainty of a conflict.
            best = max(min(rank.get((x, (t, "supports")), 0), rank.get((y, (t, "opposes")), 0))
                       for t in keys for x, y in ((a, b), (b, a)))
            d["stance"] = "conflict"
            pairs = [(x, (t, s)) for t in keys for x in (a, b) for s in ("supports", "opposes")]
            d["shared"] = sorted(tl[t] for t in keys)
        d["certainty"] = _certainty(best)
        quoted.append((d, ev.visit(pairs)))
    ev.prefetch(pairs for _d, pairs in quoted)
    for d, pairs in quoted:
        d["quotes"], d["n_quotes"] = ev.quotes(pairs)


def _activity(g, items: Iterable[Holding]) -> None:
    count: Counter = Counter()
    for h in items:
        count[h.actor] += h.count
        if h.target != h.actor:
            count[h.target] += h.count
    for n, data in g.nodes(data=True):
        data["activity"] = count.get(n, 0)


# ---------------------------------------------------------------- views


def actor_view(holdings: Holdings, spec: ViewSpec, *, details: bool = True,
               graph: Callable[[], nx.Graph] | None = None) -> nx.Graph:
    """The congruence or conflict view of ``holdings``: project, prune, colour, quote.

    A ``max_nodes`` limit first keeps the most active actors, so that the
    projection stays cheap; then the nodes of highest weighted degree and the
    heaviest edges (see :func:`~kg.analysis.pruning.reduce_graph`). Quotes are fetched for
    the holdings the edges drawn quote only. ``details=False`` (for analyses, which need weights
    only) leaves out what an edge shares, its stance, certainty and quotes: on a
    busy topic at 1M assertions that is half the time of ``kg network``. ``graph`` makes the empty
    graph: default :class:`networkx.Graph`; a page needs no more than
    :class:`kg.analysis.small_graph.SmallGraph`, which spares importing networkx.
    """
    view = spec.view
    omitted = {"nodes": 0, "edges": 0, "assertions": 0}
    all_actors = holdings.actors()
    shown = holdings
    if spec.max_nodes is not None and len(all_actors) > spec.max_nodes:
        shown = holdings.only(_top_actors(holdings.items, spec.max_nodes))
    # No more actors than max_nodes are left, so of reduce_graph only the edge cut would apply: done
    # while the edges are made.
    g = (congruence_edges if view == "congruence" else conflict_edges)(shown.items, spec.max_edges, graph)
    omitted["nodes"] = len(all_actors) - len(shown.actors())
    omitted["edges"] = g.graph["_cut"]
    drawn = set(g)
    # Coalitions of what is drawn (on a pruned view: among the edges kept; `kg network` analyses
    # the whole). Conflict nodes are coloured by the agreement among them.
    if view == "congruence":
        assign_communities(g)
    else:
        assign_communities(g, communities(congruence_edges([h for h in shown.items if h.actor in drawn],
                                                           graph=graph)))
    if details:
        evidence = [h for h in shown.items
                    if h.actor in drawn and (view == "congruence" or h.stance in ("supports", "opposes"))]
        _finish_edges(g, _Evidence(evidence, shown.quotes_of if spec.quotes else None, spec.max_quotes), view)
    else:  # weights only: the pair masks go with the key list that decodes them
        g.graph.pop("_keys", None)
        g.graph.pop("_cut", None)
        for _a, _b, d in g.edges(data=True):
            d.pop("_keys", None)
    _activity(g, shown.items)
    omitted["assertions"] = sum(h.count for h in holdings.items if h.actor not in drawn)
    return finish_view(g, spec, holdings.assertions, omitted)


def congruence_graph(rows: Sequence[Row]) -> nx.Graph:
    """Actor–actor: an edge when two actors hold the same stance on the same target.

    ``weight`` is the number of (target, stance) pairs they share, listed in
    ``shared`` as ``"<stance> <target label>"``; ``certainty`` is the highest
    certainty at which both hold one of them; ``stance`` is the shared stance
    (``mixed`` when they agree in several ways). Every actor is a node, sharing or not.
    """
    hs = Holdings.from_rows(rows)
    g = congruence_edges(hs.items)
    _finish_edges(g, _Evidence(hs.items, hs.quotes_of), "congruence")
    _activity(g, hs.items)
    return g


def conflict_graph(rows: Sequence[Row]) -> nx.Graph:
    """Actor–actor: an edge when one actor supports a target the other opposes.

    ``weight`` is the number of such targets (listed in ``shared``); ``certainty``
    the highest certainty at which both sides hold their stances on one of them.
    Only actors in at least one conflict are nodes.
    """
    hs = Holdings.from_rows(rows)
    g = conflict_edges(hs.items)
    opposed = [h for h in hs.items if h.stance in ("supports", "opposes")]
    _finish_edges(g, _Evidence(opposed, hs.quotes_of), "conflict")
    _activity(g, hs.items)
    return g
