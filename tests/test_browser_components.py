"""A young debate in headless Chromium: many small components, drawn apart; empty views say why.

The corpus (``tests/data/fresh``: three short articles, a dozen curated
assertions, its own Turtle codebook and gazetteer) is built in a temporary
folder; `kg viz` writes the pages; every network request is blocked. Node
boxes are vis-network's own (``getBoundingBox``: shape and label, in canvas
coordinates). Like tests/test_browser.py, these fail without Chromium.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.graph.build import build
from kg.cli import app
from kg.web.layout import MIN_EDGE

pytestmark = pytest.mark.browser

FRESH = Path(__file__).resolve().parent / "data" / "fresh"
runner = CliRunner()

# Every node's box, its centre, and each pair of boxes that intersect.
BOXES_JS = """() => {
  const net = window.kgNetwork, ids = window.kgNodes.getIds(), pos = net.getPositions(ids);
  const boxes = ids.map(id => ({id, box: net.getBoundingBox(id), x: pos[id].x, y: pos[id].y}));
  const hits = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const p = boxes[i].box, q = boxes[j].box;
    if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) hits.push([boxes[i].id, boxes[j].id]);
  }
  return {boxes, hits};
}"""
# Whether a point of the edge, in the middle stretch, is where a click finds that edge and no node.
CLICKABLE_JS = """(id) => {
  const net = window.kgNetwork, e = window.kgEdges.get(id), p = net.getPositions([e.from, e.to]);
  for (const t of [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65]) {
    const c = {x: p[e.from].x * (1 - t) + p[e.to].x * t, y: p[e.from].y * (1 - t) + p[e.to].y * t};
    const d = net.canvasToDOM(c);
    if (net.getEdgeAt(d) === id && net.getNodeAt(d) === undefined) return true;
  }
  return false;
}"""


@pytest.fixture(scope="module")
def fresh_store(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("fresh") / "corpus"
    shutil.copytree(FRESH, corpus)
    store = corpus.parent / "fresh.kg"
    build([corpus], store)
    return store


@pytest.fixture
def open_page(browser):
    """Open a page from disk with all but file: requests aborted; returns (page, blocked requests, errors)."""
    contexts = []

    def _open(path: Path):
        blocked, errors = [], []
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.resolve().as_uri())
        page.wait_for_function("() => window.kgReady === true", timeout=20_000)
        return page, blocked, errors

    yield _open
    for c in contexts:
        c.close()


def viz(store: Path, out: Path, *args: str):
    res = runner.invoke(app, ["viz", *args, "--store", str(store), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return res


def inside(box: dict, cx: float, cy: float, ux: float, uy: float) -> float:
    """How far a ray from (cx, cy) along the unit vector (ux, uy) runs inside ``box`` (left/right/top/bottom)."""
    tx = ((box["right"] - cx) if ux > 0 else (cx - box["left"])) / abs(ux) if ux else math.inf
    ty = ((box["bottom"] - cy) if uy > 0 else (cy - box["top"])) / abs(uy) if uy else math.inf
    return min(tx, ty)


@pytest.mark.parametrize("view, nodes, edges", [("stance", 13, 12), ("congruence", 9, 4), ("conflict", 5, 3)])
def test_small_components_are_drawn_apart_with_clickable_edges(fresh_store, tmp_path, open_page, view, nodes, edges):
    res = viz(fresh_store, tmp_path / f"{view}.html", "--view", view)
    assert f"{nodes} nodes, {edges} edges" in res.stdout and "note:" not in res.stderr
    page, blocked, errors = open_page(tmp_path / f"{view}.html")
    assert blocked == [] and errors == []
    assert page.evaluate("() => [kgNodes.length, kgEdges.length]") == [nodes, edges]
    # Physics is off: the browser keeps the positions computed in Python (getPositions drops the fraction).
    assert page.evaluate("() => kgNetwork.physics.options.enabled") is False
    placed = page.evaluate("() => kgData.nodes.map(n => [n.id, n.vis.x, n.vis.y])")
    shown = page.evaluate("() => kgNetwork.getPositions()")
    assert all(abs(shown[i]["x"] - x) < 1 and abs(shown[i]["y"] - y) < 1 for i, x, y in placed)
    found = page.evaluate(BOXES_JS)
    assert found["hits"] == [], f"node boxes overlap in the {view} view: {found['hits']}"
    by_id = {b["id"]: b for b in found["boxes"]}
    for e in page.evaluate("() => kgEdges.get().map(e => [e.id, e.from, e.to])"):
        a, b = by_id[e[1]], by_id[e[2]]
        d = math.hypot(b["x"] - a["x"], b["y"] - a["y"])
        ux, uy = (b["x"] - a["x"]) / d, (b["y"] - a["y"]) / d
        free = d - inside(a["box"], a["x"], a["y"], ux, uy) - inside(b["box"], b["x"], b["y"], -ux, -uy)
        assert free >= MIN_EDGE, f"edge {e} shows only {free:.1f} px"
        assert page.evaluate(CLICKABLE_JS, e[0]), f"edge {e} cannot be clicked"
    assert page.is_hidden("#kg-empty") if page.query_selector("#kg-empty") else True


@pytest.mark.parametrize("view, args, sentence", [
    ("congruence", ["--stance", "hesitant"],
     "No two actors share a (target, stance) pair among the assertions that match the filters (stance hesitant), "
     "so there is no congruence to draw."),
    ("conflict", ["--source", "Valley Post", "--stance", "opposes"],
     "No two actors hold opposite stances on one target among the assertions that match the filters "
     "(source Valley Post, stance opposes), so there is no conflict to draw."),
    ("stance", ["--since", "2025"], "No assertions match the filters (since 2025-01-01)."),
    ("topic", ["parking-fees", "--stance", "supports"],
     "No assertions on Higher parking fees in the old town match the filters (stance supports)."),
])
def test_empty_views_say_why_on_the_page_and_in_the_cli(fresh_store, tmp_path, open_page, view, args, sentence):
    out = tmp_path / f"empty-{view}.html"
    res = viz(fresh_store, out, "--view", view, *args)
    assert res.stderr.strip() == f"note: {sentence}"
    page, blocked, errors = open_page(out)
    assert blocked == [] and errors == []
    assert page.is_visible("#kg-empty") and page.inner_text("#kg-empty") == sentence
    assert page.evaluate("() => kgData.meta.empty") == sentence
    assert page.is_hidden("#kg-note")  # the sentence is not said twice


def test_seed_conflict_page_says_there_is_no_conflict(seeds_store_path, tmp_path, open_page):
    res = viz(seeds_store_path, tmp_path / "conflict.html", "--view", "conflict")
    assert res.stderr.strip() == "note: No two actors hold opposite stances on one target, so there is no conflict to draw."
    page, _blocked, _errors = open_page(tmp_path / "conflict.html")
    assert page.inner_text("#kg-empty").startswith("No two actors hold opposite stances on one target")
