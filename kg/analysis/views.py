"""Assertion rows → networkx graphs, one per view, with the filters every view shares.

The rows come from the shipped ``assertions`` query (or the store's row
projection), fetched once; filtering, projection and pruning happen in Python,
so the actor–actor projections never become a SPARQL self-join (which does not
scale to a million assertions). Those two views are built in
:mod:`kg.analysis.actor_views` from per-(actor, target, stance) summaries, which a row
projection computes in SQLite without fetching every assertion.

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
``community`` (1 = the largest Leiden community, 0 = none).

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
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from kg import queries
from kg.model.errors import InputError, UnknownNameError
from kg.store import Term
from kg.model.namespaces import CERTAINTY_RANK, STANCES

if TYPE_CHECKING:  # networkx is imported lazily: the CLI must start fast
    import networkx as nx

    from kg.store import Store

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


def _quotes(rows: Iterable[Row], max_quotes: int = MAX_QUOTES) -> tuple[list[dict], int]:
    rows = sorted(rows, key=_quote_order)
    return [r.quote_dict() for r in rows[:max_quotes]], len(rows)


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


def _finish_stance_edges(g, quotes: bool = True, max_quotes: int = MAX_QUOTES) -> None:
    for *_, d in g.edges(keys=True, data=True):
        rows = d.pop("_rows")
        d["quotes"], d["n_quotes"] = _quotes(rows, max_quotes) if quotes else ([], len(rows))


def stance_graph(rows: Sequence[Row]) -> nx.MultiDiGraph:
    """Actors → targets, one edge per (actor, target, stance) keyed by the stance.

    ``weight`` counts the assertions; ``certainty`` is the highest any of them states.
    """
    g = _stance_edges(rows)
    _finish_stance_edges(g)
    _activity(g, rows)
    return g


def _quote_order(r: Row) -> tuple:
    """Best evidence first: most certain, oldest (undated first), then a stable order."""
    return (-r.rank, r.date or "", r.doc, r.actor_label, r.assertion)


def congruence_graph(rows: Sequence[Row]) -> nx.Graph:
    """Actor–actor congruence of ``rows``: see :func:`kg.analysis.actor_views.congruence_graph`."""
    from kg.analysis.actor_views import congruence_graph

    return congruence_graph(rows)


def conflict_graph(rows: Sequence[Row]) -> nx.Graph:
    """Actor–actor conflict of ``rows``: see :func:`kg.analysis.actor_views.conflict_graph`."""
    from kg.analysis.actor_views import conflict_graph

    return conflict_graph(rows)


# ---------------------------------------------------------------- communities and pruning


def communities(g) -> list[list[str]]:
    """Communities of ``g`` (undirected, weighted) maximising modularity, largest first; deterministic
    (Leiden seeded with 0, in igraph's C core: :func:`kg.analysis.graph_analysis.communities`)."""
    from kg.analysis.graph_analysis import communities as leiden

    groups = leiden(undirected_simple(g), seed=0)
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
        kept = strongest_edges([(e[:-1], e[0], e[1], e[-1].get("weight", 1),
                                 CERTAINTY_RANK.get(e[-1].get("certainty"), 0)) for e in edges], max_edges)
        drop = [e[:-1] for e in edges if e[:-1] not in kept]
        g.remove_edges_from(drop)
        left["edges"] += len(drop)
    return left


def strongest_edges(edges: Iterable[tuple], max_edges: int) -> set:
    """Of ``edges`` given as (id, u, v, weight, certainty rank), the ids of the ``max_edges`` to keep.

    A backbone first: every node keeps its :data:`BACKBONE` strongest edges, so that
    cutting the long tail of light edges does not leave kept nodes floating alone;
    then the heaviest of the rest. Ties: more certain, then by id.
    """
    ranked = sorted(edges, key=lambda e: (-e[3], -e[4], e[0]))
    per_node: dict[str, int] = defaultdict(int)
    backbone, rest = [], []
    for e in ranked:
        u, v = e[1], e[2]
        if per_node[u] < BACKBONE or per_node[v] < BACKBONE:
            per_node[u] += 1
            per_node[v] += 1
            backbone.append(e)
        else:
            rest.append(e)
    keep = (backbone + rest)[:max_edges] if len(backbone) < max_edges else backbone[:max_edges]
    return {e[0] for e in keep}


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
    max_quotes: int = MAX_QUOTES  # per edge (a page embeds fewer)


def check_view(view: str) -> str:
    v = (view or "").strip().lower()
    if v not in VIEWS:
        raise UnknownNameError("view", view, difflib.get_close_matches(v, VIEWS) or list(VIEWS))
    return v


def _check_spec(spec: ViewSpec) -> str:
    view = check_view(spec.view)
    if spec.depth < 1:
        raise InputError(f"--depth must be at least 1 (got {spec.depth})")
    if spec.max_nodes is not None and spec.max_nodes < 1:
        raise InputError(f"--max-nodes must be at least 1 (got {spec.max_nodes})")
    return view


def build_view(rows: Sequence[Row], spec: ViewSpec) -> nx.Graph:
    """The graph of one view over ``rows`` (already fetched): filter, project, prune, colour.

    The actor–actor views are drawn from the rows' holdings (see :mod:`kg.analysis.actor_views`);
    the others keep the nodes of highest weighted degree and the heaviest edges.
    ``graph.graph`` says what was left out (``omitted``, ``note``).
    """
    view = _check_spec(spec)
    rows = filter_rows(rows, spec.filters)
    if view in ACTOR_VIEWS:
        from kg.analysis.actor_views import Holdings, actor_view

        return actor_view(Holdings.from_rows(rows), spec)
    if view == "topic":
        rows = [r for r in rows if r.target == spec.focus]
    n_rows = len(rows)  # the assertions this view draws from (for an ego network: set below)
    omitted = {"nodes": 0, "edges": 0, "assertions": 0}
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
    _finish_stance_edges(g, spec.quotes, spec.max_quotes)
    assign_communities(g)
    return finish_view(g, spec, n_rows, omitted)


def finish_view(g, spec: ViewSpec, n_rows: int, omitted: dict) -> nx.Graph:
    """Record on ``g.graph`` what the view shows: title, focus, filters, assertions, what was left out."""
    view = spec.view
    title = TITLES[view] + (f": {spec.focus_label}" if spec.focus_label else "")
    empty = empty_note(g, spec, n_rows, omitted)
    left_out = omission_note(g, omitted, n_rows, view)
    g.graph.update(view=view, title=title, focus=spec.focus or "", focus_label=spec.focus_label or "",
                   depth=spec.depth if view == "actor" else 0, filters=spec.filters.describe(),
                   assertions=n_rows, omitted=omitted, empty=empty,
                   note=" ".join(t for t in (empty, left_out) if t))
    return g


def empty_note(g, spec: ViewSpec, n_rows: int, omitted: dict | None = None) -> str:
    """Why a view draws nothing (an actor–actor view: no edge), in one sentence; '' when it draws something.

    >>> empty_note(nx.Graph(), ViewSpec("conflict"), 12)            # doctest: +SKIP
    'No two actors hold opposite stances on one target, so there is no conflict to draw.'
    """
    filters = spec.filters
    under = f" match the filters ({filters.describe()})" if filters else " are in the store"
    if n_rows == 0:
        if spec.view == "topic" and spec.focus_label:
            return f"No assertions on {spec.focus_label}{under}."
        if spec.view == "actor" and spec.focus_label:
            return f"No assertions by or about {spec.focus_label}{under}."
        return f"No assertions{under}."
    pruned = bool(omitted and (omitted.get("nodes") or omitted.get("edges")))
    who = f"of the {g.number_of_nodes():,} actors shown " if pruned else ""
    among = f" among the assertions that match the filters ({filters.describe()})" if filters else ""
    if spec.view == "congruence" and g.number_of_edges() == 0:
        return f"No two actors {who}share a (target, stance) pair{among}, so there is no congruence to draw."
    if spec.view == "conflict" and g.number_of_edges() == 0:
        return f"No two actors {who}hold opposite stances on one target{among}, so there is no conflict to draw."
    return ""


def omission_note(g, omitted: dict, n_rows: int, view: str) -> str:
    """One sentence saying what a pruned view leaves out (empty when nothing is)."""
    if n_rows == 0:
        return ""
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
    from kg.ingest.reference import Reference

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
               rows: Sequence[Row] | None = None, max_quotes: int = MAX_QUOTES) -> nx.Graph:
    """The graph of ``view`` over the store's assertions (``rows`` when already fetched)."""
    spec = resolve_spec(store, view, name, depth=depth, filters=filters, max_nodes=max_nodes, max_edges=max_edges)
    spec = replace(spec, max_quotes=max_quotes)
    return build_view(rows, spec) if rows is not None else spec_graph(store, spec)


def spec_graph(store: Store, spec: ViewSpec) -> nx.Graph:
    """The graph of a resolved view over the store; actor–actor views read holdings, not rows."""
    if _check_spec(spec) in ACTOR_VIEWS:
        from kg.analysis.actor_views import actor_view, open_holdings

        with open_holdings(store, spec.filters) as hs:
            return actor_view(hs, spec)
    return build_view(fetch_rows(store, spec.filters), spec)
