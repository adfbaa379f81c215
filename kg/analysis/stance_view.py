"""The stance graph (actors → targets), and the node helpers every view graph shares."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from kg.analysis.rows import CERTAINTIES_ASC, Row, _quote_order
from kg.analysis.view_spec import MAX_QUOTES

if TYPE_CHECKING:  # networkx is imported lazily: the CLI must start fast
    import networkx as nx


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
