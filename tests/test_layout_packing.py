"""Pages of many small components: each laid out on its own and packed in rows, no two node boxes overlapping,
every edge long enough to click."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.web import pages as html
from kg.web.layout import GAP, MIN_EDGE, Box, components, node_box, pack, text_width
from kg.analysis.rows import Row
from kg.analysis.view_spec import ViewSpec
from kg.analysis.views import build_view


def overlap(a: tuple, p: Box, b: tuple, q: Box, gap: float = 0.0) -> bool:
    """Whether two boxes centred at ``a`` and ``b`` come closer than ``gap``."""
    return (a[0] - p.half - gap < b[0] + q.half and b[0] - q.half - gap < a[0] + p.half
            and a[1] - p.top - gap < b[1] + q.bottom and b[1] - q.top - gap < a[1] + p.bottom)


def inside(box: Box, ux: float, uy: float) -> float:
    """How far a ray from a box's centre along the unit vector (ux, uy) runs inside the box."""
    tx = box.half / abs(ux) if ux else math.inf
    ty = (box.bottom if uy > 0 else box.top) / abs(uy) if uy else math.inf
    return min(tx, ty)


def visible(a: tuple, p: Box, b: tuple, q: Box) -> float:
    """The length of the straight edge a–b outside both boxes."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    d = math.hypot(dx, dy)
    return d - inside(p, dx / d, dy / d) - inside(q, -dx / d, -dy / d)


def check(nodes, edges, boxes, pos, gap=GAP, min_edge=MIN_EDGE) -> None:
    assert set(pos) == set(nodes)
    for i, u in enumerate(nodes):
        for v in nodes[i + 1:]:
            # A hair under the gap: positions are floats.
            assert not overlap(pos[u], boxes[u], pos[v], boxes[v], gap - 1e-6), (u, v)
    for u, v, _w in edges:
        if u != v:
            assert visible(pos[u], boxes[u], pos[v], boxes[v]) >= min_edge - 1e-6, (u, v)


@st.composite
def forests(draw):
    """Small components (trees with the odd extra edge) of nodes with labels of any length and sizes 8–36 px."""
    nodes, edges, boxes = [], [], {}
    for c in range(draw(st.integers(1, 12))):
        k = draw(st.integers(1, 7))
        ids = [f"c{c}n{i}" for i in range(k)]
        for i, v in enumerate(ids):
            nodes.append(v)
            label = draw(st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), max_size=45))
            boxes[v] = node_box(label, draw(st.floats(8, 36)))
            if i:
                edges.append((ids[draw(st.integers(0, i - 1))], v, draw(st.floats(1, 4))))
        if k > 2 and draw(st.booleans()):
            a, b = draw(st.permutations(ids))[:2]
            edges.append((a, b, 1.0))
    return nodes, edges, boxes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forests())
def test_packed_forests_never_overlap_and_keep_edges_long(forest):
    nodes, edges, boxes = forest
    pos = pack(nodes, edges, boxes)
    check(nodes, edges, boxes, pos)


def test_components_sit_side_by_side_largest_first():
    nodes = ["a", "b", "c", "d", "e", "f", "g"]
    edges = [("a", "b", 1.0), ("b", "c", 1.0), ("d", "e", 1.0)]  # f and g alone
    assert components(nodes, edges) == [["a", "b", "c"], ["d", "e"], ["f"], ["g"]]
    boxes = {v: node_box(f"Actor {v}", 12) for v in nodes}
    pos = pack(nodes, edges, boxes)
    check(nodes, edges, boxes, pos)

    def extent(vs):
        return (min(pos[v][0] - boxes[v].half for v in vs), max(pos[v][0] + boxes[v].half for v in vs),
                min(pos[v][1] - boxes[v].top for v in vs), max(pos[v][1] + boxes[v].bottom for v in vs))

    # The components' bounding boxes do not overlap either; the largest comes first (top left).
    groups = [["a", "b", "c"], ["d", "e"], ["f"], ["g"]]
    boxes_of = [extent(g) for g in groups]
    for i, p in enumerate(boxes_of):
        for q in boxes_of[i + 1:]:
            assert p[1] <= q[0] or q[1] <= p[0] or p[3] <= q[2] or q[3] <= p[2]
    assert boxes_of[0][0] == min(b[0] for b in boxes_of) and boxes_of[0][2] == min(b[2] for b in boxes_of)
    assert pack(nodes, edges, boxes) == pos  # deterministic


def test_a_large_component_is_spread_until_nothing_overlaps():
    import networkx as nx

    g = nx.barabasi_albert_graph(120, 2, seed=1)
    nodes = list(g)
    edges = [(u, v, 1.0) for u, v in g.edges()]
    boxes = {v: node_box("Organisation number %d" % v, 8 + v % 20) for v in nodes}
    pos = pack(nodes, edges, boxes)
    check(nodes, edges, boxes, pos)
    width = max(x for x, _ in pos.values()) - min(x for x, _ in pos.values())
    height = max(y for _, y in pos.values()) - min(y for _, y in pos.values())
    # Not blown up: the drawing spends at most ~20 times its boxes' area.
    area = sum((2 * b.half + GAP) * (b.top + b.bottom + GAP) for b in boxes.values())
    assert width * height < 20 * area


def test_label_widths_are_estimated_from_above():
    # Measured in Chromium (DejaVu Sans, 14 px): the estimate may exceed the width, never fall short.
    for text, measured in [("Anders Fogh Rasmussen", 171.66), ("WWWWWWWWWW", 138.43), ("iiiiiiiiii", 38.90),
                           ("International Atomic Energy Agency (IAEA)", 299.76), ("Viktor Orbán", 88.64)]:
        assert measured <= text_width(text) <= measured * 1.15
    assert node_box("", 10) == Box(10, 10, 10)
    assert node_box("Poland", 12).bottom > 12 + 14  # the label hangs under the shape


def row(i: int, actor: str, stance: str, target: str) -> Row:
    return Row(assertion=f"ex:a{i}", actor=f"ex:{actor}", actor_label=actor, actor_type="State", stance=stance,
               target=f"ex:{target}", target_label=target, target_kind="topic", topic=target, certainty="certain",
               speaker=None, speaker_label=None, quote=f"q{i}", doc="d", source="d", outlet=None, date=None,
               method="curated", confidence=None)


@pytest.mark.parametrize("view", ["stance", "congruence", "conflict"])
def test_pages_of_a_young_debate_place_every_node_apart(view):
    # Three articles' worth: pairs of actors on their own targets, one shared and one disputed each.
    rows = [row(i, f"Actor with a rather long name {i}", "supports" if i % 3 else "opposes", f"Target {i // 2}")
            for i in range(12)]
    g = build_view(rows, ViewSpec(view))
    p = html.page(g)
    assert p.options["physics"] == {"enabled": False}
    pos = {n["id"]: (n["x"], n["y"]) for n in p.nodes}
    boxes = {n["id"]: node_box(n["label"], n["size"]) for n in p.nodes}
    edges = [(e["from"], e["to"], 1.0) for e in p.edges]
    check(list(pos), edges, boxes, pos, gap=GAP - 0.2, min_edge=MIN_EDGE - 0.2)  # rounded to 0.1 px
