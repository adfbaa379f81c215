"""Assertion rows → networkx graphs, one per view, with the filters every view shares.

The rows come from the shipped ``assertions`` query, fetched once; filtering,
projection and pruning happen in Python so that the same rows serve every view
and the actor–actor projections never become a SPARQL self-join (which does
not scale to a million assertions).

Views
    ``stance``      actors → targets (MultiDiGraph, one edge per actor, target and stance)
    ``congruence``  actor–actor; weight = number of (target, stance) pairs both hold
    ``conflict``    actor–actor; weight = number of targets one supports and the other opposes
                    (hesitant, divided and neutral contradict nothing)
    ``actor``       the ego network of one actor in the stance view (``depth`` hops, either direction)
    ``topic``       the stance view restricted to one target

Every edge carries ``stance``, ``certainty``, ``weight``, ``n_quotes`` and
``quotes`` (a list of :data:`QUOTE_KEYS` dicts, at most :data:`MAX_QUOTES`);
every node ``label``, ``type``, ``kind``, ``activity`` (assertions it takes part in) and
``community`` (1 = the largest Louvain community, 0 = none).

>>> g = view_graph(store, "congruence")                      # doctest: +SKIP
>>> g.edges[poland, baltic_states]["shared"]                  # doctest: +SKIP
['supports Deployment of foreign troops to Ukraine']
"""

from __future__ import annotations

import calendar
import datetime as _dt
import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import queries
from .errors import InputError, UnknownNameError
from .store import Term
from .namespaces import CERTAINTY_RANK, STANCES

if TYPE_CHECKING:  # networkx is imported lazily: the CLI must start fast
    import networkx as nx

    from .store import Store

VIEWS = ("stance", "congruence", "conflict", "actor", "topic")
ACTOR_VIEWS = ("congruence", "conflict")  # actor–actor projections
CERTAINTIES_ASC = ("possible", "probable", "certain")
MAX_QUOTES = 50  # per edge; n_quotes keeps the full count
BACKBONE = 2  # when edges are cut, each node keeps at least its strongest few
QUOTE_KEYS = ("id", "actor", "stance", "target", "quote", "speaker", "certainty", "source", "doc", "date")
TITLES = {
    "stance": "Stances: actors → targets",
    "congruence": "Congruence: actors who share (target, stance) pairs",
    "conflict": "Conflict: actors with opposite stances on the same target",
    "actor": "Ego network",
    "topic": "Who stands where",
}


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
    from .projection import Projection

    bindings = None
    if filters is not None and filters.topic:
        from .positions import target_iri

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
        """Checked filters from user input; bad values raise :class:`~kg.errors.KgError` subclasses."""
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


# ---------------------------------------------------------------- graph builders


def _nx():
    import networkx as nx

    return nx


def _add_actor(g, r: Row) -> None:
    if r.actor in g:
        n = g.nodes[r.actor]
        n["kind"] = "actor"
        if n.get("type") in (None, "Actor"):
            n["type"] = r.actor_type
    else:
        g.add_node(r.actor, label=r.actor_label, type=r.actor_type, kind="actor")


def _add_target(g, r: Row) -> None:
    if r.target in g:
        return
    kind = r.target_kind if r.target_kind in ("topic", "actor") else "uncoded"
    typ = {"topic": "Topic", "actor": "Actor", "uncoded": "Uncoded"}[kind]
    g.add_node(r.target, label=r.target_label, type=typ, kind=kind)


def _quotes(rows: Iterable[Row]) -> tuple[list[dict], int]:
    rows = sorted(rows, key=_quote_order)
    return [r.quote_dict() for r in rows[:MAX_QUOTES]], len(rows)


def _certainty(rank: int) -> str:
    return CERTAINTIES_ASC[max(rank, 1) - 1]


def _activity(g, rows: Iterable[Row]) -> None:
    count: Counter = Counter()
    for r in rows:
        count[r.actor] += 1
        if r.target != r.actor:
            count[r.target] += 1
    for n, data in g.nodes(data=True):
        data["activity"] = count.get(n, 0)


def _stance_edges(rows: Sequence[Row]):
    """The stance graph without quotes: each edge keeps its rows in ``_rows``."""
    nx = _nx()
    g = nx.MultiDiGraph()
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r.actor_label, r.actor, r.target_label, r.target, r.stance)):
        _add_actor(g, r)
        groups[(r.actor, r.target, r.stance)].append(r)
    for r in sorted(rows, key=lambda r: (r.target_label, r.target)):
        _add_target(g, r)
    for (a, t, s), rs in groups.items():
        g.add_edge(a, t, key=s, stance=s, certainty=_certainty(max(r.rank for r in rs)), weight=len(rs), _rows=rs)
    return g


def _finish_stance_edges(g, quotes: bool = True) -> None:
    for *_, d in g.edges(keys=True, data=True):
        rows = d.pop("_rows")
        d["quotes"], d["n_quotes"] = _quotes(rows) if quotes else ([], len(rows))


def stance_graph(rows: Sequence[Row]) -> nx.MultiDiGraph:
    """Actors → targets, one edge per (actor, target, stance) keyed by the stance.

    ``weight`` counts the assertions; ``certainty`` is the highest any of them states.
    """
    g = _stance_edges(rows)
    _finish_stance_edges(g)
    _activity(g, rows)
    return g


def _top_actors(rows: Sequence[Row], limit: int) -> set[str]:
    """The ``limit`` actors holding the most distinct (target, stance) pairs (ties: label, IRI)."""
    keys: dict[str, set] = defaultdict(set)
    label: dict[str, str] = {}
    for r in rows:
        keys[r.actor].add((r.target, r.stance))
        label[r.actor] = r.actor_label
    ranked = sorted(keys, key=lambda a: (-len(keys[a]), label[a], a))
    return set(ranked[:limit])


def _pairs(groups: dict, n_actors: int, across: bool) -> tuple[dict[tuple[str, str], object], list]:
    """Actor pairs co-occurring in ``groups`` → what they share, and the key list to decode it with.

    ``groups`` maps a key to one set of actors (pairs within it) or, with ``across``,
    to two sets (pairs across them). Enumerating pairs group by group costs the
    sum of the group sizes squared; comparing every pair of actors with bit sets
    costs ``n_actors`` squared. We take the cheaper, so that a handful of huge
    groups (one topic everyone supports) cannot blow up. What a pair shares is a
    sorted list of keys, or a bit mask over the returned key list: decode it with
    :func:`_shared` only for the edges that survive pruning.
    """
    if across:
        cost = sum(len(a) * len(b) for a, b in groups.values())
    else:
        cost = sum(len(a) * (len(a) - 1) // 2 for a in groups.values())
    keys = sorted(groups)
    if cost <= n_actors * (n_actors - 1) // 2:
        out: dict[tuple[str, str], list] = defaultdict(list)
        for key, members in groups.items():
            if across:
                left, right = members
                for a in left:
                    for b in right:
                        if a != b:
                            out[(a, b) if a < b else (b, a)].append(key)
            else:
                ms = sorted(members)
                for i, a in enumerate(ms):
                    for b in ms[i + 1:]:
                        out[(a, b)].append(key)
        # An actor on both sides of one key would count it twice.
        return {p: sorted(set(ks)) for p, ks in out.items()}, keys
    masks: dict[tuple[str, str], int] = {}
    if across:
        left: dict[str, int] = defaultdict(int)
        right: dict[str, int] = defaultdict(int)
        for i, k in enumerate(keys):
            for a in groups[k][0]:
                left[a] |= 1 << i
            for b in groups[k][1]:
                right[b] |= 1 << i
        actors = sorted(set(left) | set(right))
        for i, a in enumerate(actors):
            la, ra = left.get(a, 0), right.get(a, 0)
            for b in actors[i + 1:]:
                x = (la & right.get(b, 0)) | (ra & left.get(b, 0))
                if x:
                    masks[(a, b)] = x
    else:
        bits: dict[str, int] = defaultdict(int)
        for i, k in enumerate(keys):
            for a in groups[k]:
                bits[a] |= 1 << i
        actors = sorted(bits)
        for i, a in enumerate(actors):
            ma = bits[a]
            for b in actors[i + 1:]:
                x = ma & bits[b]
                if x:
                    masks[(a, b)] = x
    return masks, keys


def _count(shared: object) -> int:
    return shared.bit_count() if isinstance(shared, int) else len(shared)


def _shared(shared: object, keys: list) -> list:
    """The keys behind a value of :func:`_pairs` (a list already, or a bit mask over ``keys``)."""
    if not isinstance(shared, int):
        return shared
    out = []
    x = shared
    while x:
        low = x & -x
        out.append(keys[low.bit_length() - 1])
        x ^= low
    return out


def _actor_nodes(g, rows: Sequence[Row]) -> None:
    for r in sorted(rows, key=lambda r: (r.actor_label, r.actor)):
        _add_actor(g, r)


def _quote_order(r: Row) -> tuple:
    return (-r.rank, r.date or "", r.doc, r.actor_label, r.quote, r.assertion)


class _Evidence:
    """Per (actor, (target, stance)): the highest certainty rank, the number of assertions and the
    best few rows, computed once so that each of the (many) actor pairs costs little."""

    TOP = 5

    def __init__(self, rows: Iterable[Row], quotes: bool = True):
        by: dict[tuple[str, tuple[str, str]], list[Row]] = defaultdict(list)
        self.target_label: dict[str, str] = {}
        for r in rows:
            by[(r.actor, (r.target, r.stance))].append(r)
            self.target_label[r.target] = r.target_label
        self.rank = {k: max(r.rank for r in rs) for k, rs in by.items()}
        self.count = {k: len(rs) for k, rs in by.items()}
        self.top = {k: sorted(rs, key=_quote_order)[: self.TOP] for k, rs in by.items()} if quotes else {}

    def quotes(self, pairs: list[tuple[str, tuple[str, str]]]) -> tuple[list[dict], int]:
        """The best :data:`MAX_QUOTES` quotes behind ``pairs`` of (actor, key), and how many there are."""
        n = sum(self.count.get(p, 0) for p in pairs)
        if not self.top:  # built without quotes
            return [], n
        # Visit the strongest evidence first and stop once there is enough of it.
        pairs = sorted(pairs, key=lambda p: (-self.rank.get(p, 0), p))
        got: list[Row] = []
        for p in pairs:
            got.extend(self.top.get(p, ()))
            if len(got) >= MAX_QUOTES:
                break
        got.sort(key=_quote_order)
        return [r.quote_dict() for r in got[:MAX_QUOTES]], n


def _congruence_edges(rows: Sequence[Row]):
    """The congruence graph with weights only: each edge keeps what it shares in ``_keys``."""
    nx = _nx()
    g = nx.Graph()
    _actor_nodes(g, rows)
    groups: dict[tuple, set[str]] = defaultdict(set)
    for r in rows:
        groups[(r.target, r.stance)].add(r.actor)
    pairs, keys = _pairs(groups, g.number_of_nodes(), across=False)
    g.graph["_keys"] = keys
    g.add_edges_from((a, b, {"weight": _count(x), "_keys": x}) for (a, b), x in sorted(pairs.items()))
    return g


def _conflict_edges(rows: Sequence[Row]):
    """The conflict graph with weights only: each edge keeps its targets in ``_keys``."""
    nx = _nx()
    g = nx.Graph()
    groups: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for r in rows:
        if r.stance in ("supports", "opposes"):
            groups[r.target][0 if r.stance == "supports" else 1].add(r.actor)
    pairs, keys = _pairs({t: s for t, s in groups.items() if s[0] and s[1]}, len({r.actor for r in rows}),
                         across=True)
    involved = {a for p in pairs for a in p}
    _actor_nodes(g, [r for r in rows if r.actor in involved])
    g.graph["_keys"] = keys
    g.add_edges_from((a, b, {"weight": _count(x), "_keys": x}) for (a, b), x in sorted(pairs.items()))
    return g


def _finish_edges(g, ev: _Evidence, view: str) -> None:
    """Decode each edge's ``_keys`` into ``shared`` labels, ``certainty``, ``stance``, ``quotes``, ``n_quotes``."""
    tl = ev.target_label
    rank = ev.rank
    all_keys = g.graph.pop("_keys", [])
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
        d["quotes"], d["n_quotes"] = ev.quotes([p for p in pairs if p in ev.count])


def congruence_graph(rows: Sequence[Row]) -> nx.Graph:
    """Actor–actor: an edge when two actors hold the same stance on the same target.

    ``weight`` is the number of (target, stance) pairs they share, listed in
    ``shared`` as ``"<stance> <target label>"``; ``certainty`` is the highest
    certainty at which both hold one of them; ``stance`` is the shared stance
    (``mixed`` when they agree in several ways). Every actor is a node, sharing or not.
    """
    g = _congruence_edges(rows)
    _finish_edges(g, _Evidence(rows), "congruence")
    _activity(g, rows)
    return g


def conflict_graph(rows: Sequence[Row]) -> nx.Graph:
    """Actor–actor: an edge when one actor supports a target the other opposes.

    ``weight`` is the number of such targets (listed in ``shared``); ``certainty``
    the highest certainty at which both sides hold their stances on one of them.
    Only actors in at least one conflict are nodes.
    """
    g = _conflict_edges(rows)
    _finish_edges(g, _Evidence(r for r in rows if r.stance in ("supports", "opposes")), "conflict")
    _activity(g, rows)
    return g


# ---------------------------------------------------------------- communities and pruning


def communities(g) -> list[list[str]]:
    """Louvain communities of ``g`` (undirected, weighted), largest first; deterministic (seed 0)."""
    nx = _nx()
    simple = undirected_simple(g)
    if simple.number_of_edges() == 0:
        groups = [{n} for n in simple]
    else:
        groups = nx.community.louvain_communities(simple, weight="weight", seed=0)
    label = lambda n: str(g.nodes[n].get("label", n))  # noqa: E731
    ordered = [sorted(c, key=lambda n: (label(n), n)) for c in groups]
    ordered.sort(key=lambda c: (-len(c), label(c[0]), c[0]))
    return ordered


def undirected_simple(g) -> nx.Graph:
    """``g`` as a simple undirected graph, parallel edges merged by summing ``weight``."""
    nx = _nx()
    if not g.is_multigraph() and not g.is_directed():
        return g
    h = nx.Graph()
    h.add_nodes_from(g.nodes(data=True))
    for u, v, d in g.edges(data=True):
        w = d.get("weight", 1)
        if h.has_edge(u, v):
            h[u][v]["weight"] += w
        elif u != v:
            h.add_edge(u, v, weight=w)
    return h


def assign_communities(g, groups: list[list[str]] | None = None) -> None:
    """Set node attribute ``community`` (1 = the largest; 0 = none) from ``groups`` or :func:`communities`."""
    groups = communities(g) if groups is None else groups
    for n in g:
        g.nodes[n]["community"] = 0
    for i, c in enumerate(groups, start=1):
        for n in c:
            if n in g:
                g.nodes[n]["community"] = i


def weighted_degree(g) -> dict[str, float]:
    return {n: float(d) for n, d in g.degree(weight="weight")}


def reduce_graph(g, max_nodes: int | None = None, max_edges: int | None = None, keep: Iterable[str] = ()) -> dict:
    """Keep the ``max_nodes`` nodes of highest weighted degree and ``max_edges`` edges, in place.

    The edges kept are each node's :data:`BACKBONE` strongest, then the heaviest of
    the rest. Nodes in ``keep`` (an ego network's centre) always stay. Returns what
    was left out.
    """
    left = {"nodes": 0, "edges": 0}
    keep = {k for k in keep if k in g}
    if max_nodes is not None and g.number_of_nodes() > max_nodes:
        deg = weighted_degree(g)
        ranked = sorted(g, key=lambda n: (n not in keep, -deg[n], str(g.nodes[n].get("label", n)), n))
        drop = ranked[max(max_nodes, len(keep)):]
        before = g.number_of_edges()
        g.remove_nodes_from(drop)
        left["nodes"] += len(drop)
        left["edges"] += before - g.number_of_edges()
    if max_edges is not None and g.number_of_edges() > max_edges:
        multi = g.is_multigraph()
        edges = list(g.edges(keys=True, data=True) if multi else g.edges(data=True))
        rank = lambda e: (-e[-1].get("weight", 1), -CERTAINTY_RANK.get(e[-1].get("certainty"), 0), str(e[:-1]))  # noqa: E731
        edges.sort(key=rank)
        # A backbone first: every node keeps its strongest edges, so that cutting the
        # long tail of light edges does not leave kept nodes floating alone.
        per_node: dict[str, int] = defaultdict(int)
        backbone, rest = [], []
        for e in edges:
            u, v = e[0], e[1]
            if per_node[u] < BACKBONE or per_node[v] < BACKBONE:
                per_node[u] += 1
                per_node[v] += 1
                backbone.append(e)
            else:
                rest.append(e)
        keep_edges = (backbone + rest)[:max_edges] if len(backbone) < max_edges else backbone[:max_edges]
        kept = {tuple(e[:-1]) for e in keep_edges}
        drop = [tuple(e[:-1]) for e in edges if tuple(e[:-1]) not in kept]
        g.remove_edges_from(drop)
        left["edges"] += len(drop)
    return left


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class ViewSpec:
    """Which view to draw, of what, and how much of it."""

    view: str = "stance"
    focus: str | None = None  # actor IRI (actor view) or target IRI (topic view)
    focus_label: str | None = None
    depth: int = 2
    filters: Filters = field(default_factory=Filters)
    max_nodes: int | None = None
    max_edges: int | None = None
    quotes: bool = True  # False: edges carry n_quotes but no quotes (analyses need none)


def check_view(view: str) -> str:
    v = (view or "").strip().lower()
    if v not in VIEWS:
        raise UnknownNameError("view", view, difflib.get_close_matches(v, VIEWS) or list(VIEWS))
    return v


def build_view(rows: Sequence[Row], spec: ViewSpec) -> nx.Graph:
    """The graph of one view over ``rows`` (already fetched): filter, project, prune, colour.

    For the actor–actor views, a ``max_nodes`` limit first keeps the most active
    actors (most distinct (target, stance) pairs) so that the projection stays
    cheap; then every view keeps the nodes of highest weighted degree and the
    heaviest edges. ``graph.graph`` says what was left out (``omitted``, ``note``).
    """
    view = check_view(spec.view)
    if spec.depth < 1:
        raise InputError(f"--depth must be at least 1 (got {spec.depth})")
    if spec.max_nodes is not None and spec.max_nodes < 1:
        raise InputError(f"--max-nodes must be at least 1 (got {spec.max_nodes})")
    rows = filter_rows(rows, spec.filters)
    if view == "topic":
        rows = [r for r in rows if r.target == spec.focus]
    n_rows = len(rows)  # the assertions this view draws from (for an ego network: set below)
    all_actors = {r.actor for r in rows}
    omitted = {"nodes": 0, "edges": 0, "assertions": 0}
    if view in ACTOR_VIEWS:
        shown = rows
        if spec.max_nodes is not None and len(all_actors) > spec.max_nodes:
            top = _top_actors(rows, spec.max_nodes)
            shown = [r for r in rows if r.actor in top]
        # Quotes are attached after pruning: the full projection can have millions of edges.
        g = _congruence_edges(shown) if view == "congruence" else _conflict_edges(shown)
        omitted["nodes"] = len({r.actor for r in rows} - {r.actor for r in shown})
        left = reduce_graph(g, spec.max_nodes, spec.max_edges)
        omitted["nodes"] += left["nodes"]
        omitted["edges"] += left["edges"]
        # Coalitions of what is drawn (on a pruned view: among the edges kept; `kg network` analyses
        # the whole). Conflict nodes are coloured by the agreement among them.
        if view == "congruence":
            assign_communities(g)
        else:
            assign_communities(g, communities(_congruence_edges([r for r in shown if r.actor in g])))
        _finish_edges(g, _Evidence((r for r in shown if r.actor in g and (
            view == "congruence" or r.stance in ("supports", "opposes"))), spec.quotes), view)
        _activity(g, shown)
        kept = set(g)
        omitted["assertions"] = sum(1 for r in rows if r.actor not in kept)
    else:
        g = _stance_edges(rows)
        _activity(g, rows)
        if view == "actor":
            if spec.focus not in g:
                g.add_node(spec.focus, label=spec.focus_label or spec.focus, type="Actor", kind="actor", activity=0)
            nx = _nx()
            g = nx.MultiDiGraph(nx.ego_graph(g, spec.focus, radius=spec.depth, undirected=True))
        elif view == "topic" and spec.focus not in g:
            g.add_node(spec.focus, label=spec.focus_label or spec.focus, type="Topic", kind="topic", activity=0)
        total = sum(d["weight"] for *_, d in g.edges(keys=True, data=True))
        if view == "actor":
            n_rows = total
        left = reduce_graph(g, spec.max_nodes, spec.max_edges, keep=[spec.focus] if spec.focus else [])
        omitted["nodes"] += left["nodes"]
        omitted["edges"] += left["edges"]
        omitted["assertions"] = total - sum(d["weight"] for *_, d in g.edges(keys=True, data=True))
        _finish_stance_edges(g, spec.quotes)
        assign_communities(g)
    title = TITLES[view] + (f": {spec.focus_label}" if spec.focus_label else "")
    g.graph.update(view=view, title=title, focus=spec.focus or "", focus_label=spec.focus_label or "",
                   depth=spec.depth if view == "actor" else 0, filters=spec.filters.describe(),
                   assertions=n_rows, omitted=omitted, note=omission_note(g, omitted, n_rows, view))
    return g


def omission_note(g, omitted: dict, n_rows: int, view: str) -> str:
    """One sentence saying what a pruned view leaves out (empty when nothing is)."""
    if n_rows == 0:
        return "No assertions match these filters."
    if not (omitted["nodes"] or omitted["edges"]):
        return ""
    what = "actors" if view in ACTOR_VIEWS else "nodes"
    parts = []
    if omitted["nodes"]:
        parts.append(f"showing {g.number_of_nodes():,} {what}; {omitted['nodes']:,} less connected {what} left out")
    if omitted["edges"]:
        parts.append(f"{omitted['edges']:,} lighter edges hidden")
    if omitted["assertions"]:
        parts.append(f"{omitted['assertions']:,} of {n_rows:,} assertions not shown")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + ". Narrow the view with filters or raise --max-nodes to see more."


def resolve_spec(store: Store, view: str, name: str | None = None, *, depth: int = 2,
                 filters: Filters | None = None, max_nodes: int | None = None,
                 max_edges: int | None = None) -> ViewSpec:
    """A :class:`ViewSpec` with ``name`` resolved to an actor (actor view) or target (topic view)."""
    from .reference import Reference

    view = check_view(view)
    focus = label = None
    if view in ("actor", "topic"):
        if not name:
            raise InputError(f"the {view} view needs a name: kg viz --view {view} NAME")
        ref = Reference.from_store(store)
        if view == "actor":
            a = ref.resolve_actor(name)
            focus, label = a.iri, a.label
        else:
            t = ref.resolve_target(name)
            focus, label = t.iri, t.label
    elif name:
        raise InputError(f"the {view} view takes no name (got {name!r}); did you mean --view actor or --view topic?")
    return ViewSpec(view, focus, label, depth, filters or Filters(), max_nodes, max_edges)


def view_graph(store: Store, view: str = "stance", name: str | None = None, *, depth: int = 2,
               filters: Filters | None = None, max_nodes: int | None = None, max_edges: int | None = None,
               rows: Sequence[Row] | None = None) -> nx.Graph:
    """The graph of ``view`` over the store's assertions (``rows`` when already fetched)."""
    spec = resolve_spec(store, view, name, depth=depth, filters=filters, max_nodes=max_nodes, max_edges=max_edges)
    return build_view(fetch_rows(store, spec.filters) if rows is None else rows, spec)
