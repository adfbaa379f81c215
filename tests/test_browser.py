"""The pages in headless Chromium with every network request blocked.

These tests must run: a missing Chromium or playwright fails them, it does not
skip them (set ``KG_CHROMIUM`` to use another Chromium binary).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.web import pages as html

from kg.analysis import views
from kg.graph.build import build
from kg.store import open_store

pytestmark = pytest.mark.browser

SEED_VIEWS = [("stance", None), ("congruence", None), ("conflict", None), ("actor", "Poland"),
              ("topic", "troop-deployment")]
PAYLOAD = '<script>alert(1)</script> & <img src=x onerror="window.__xss=1"> we will send troops'

# A point on an edge that hits that edge and no node, in the canvas's DOM coordinates.
EDGE_POINT_JS = """(id) => {
  const net = window.kgNetwork, e = window.kgEdges.get(id), p = net.getPositions([e.from, e.to]);
  for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75]) {
    const c = {x: p[e.from].x * (1 - t) + p[e.to].x * t, y: p[e.from].y * (1 - t) + p[e.to].y * t};
    const d = net.canvasToDOM(c);
    if (net.getEdgeAt(d) === id && net.getNodeAt(d) === undefined) {
      const r = document.querySelector('#kg-net canvas').getBoundingClientRect();
      return {x: r.left + d.x, y: r.top + d.y};
    }
  }
  return null;
}"""
INK_JS = """() => {
  const c = document.querySelector('#kg-net canvas'), ctx = c.getContext('2d');
  const px = ctx.getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240)) ink++;
  return ink;
}"""


class Page:
    """A page opened from disk with all but file: requests aborted and recorded."""

    def __init__(self, browser, path: Path):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("() => window.kgReady === true", timeout=20_000)

    def _route(self, route):
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(browser):
    pages = []

    def _open(path: Path) -> Page:
        p = Page(browser, path)
        pages.append(p)
        return p

    yield _open
    for p in pages:
        p.close()


def write_view(store, tmp_path: Path, view: str, name: str | None = None):
    g = views.view_graph(store, view, name)
    return html.write_html(html.to_pyvis(g), tmp_path / f"{view}.html"), g


@pytest.mark.parametrize("view, name", SEED_VIEWS)
def test_seed_views_render_offline_with_their_data(seeds_store, tmp_path, open_page, view, name):
    path, g = write_view(seeds_store, tmp_path, view, name)
    p = open_page(path)
    assert p.requests == [], "the page tried to reach the network"
    assert p.errors == []
    counts = p.js("() => [kgNodes.length, kgEdges.length, kgData.nodes.length, kgData.edges.length,"
                  " kgData.meta.nodes, kgData.meta.edges, Object.keys(kgNetwork.getPositions()).length]")
    assert counts == [g.number_of_nodes(), g.number_of_edges()] * 3 + [g.number_of_nodes()]
    shot = tmp_path / f"{view}.png"
    p.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 5_000
    if g.number_of_nodes():
        assert p.js(INK_JS) > 500, "the network was drawn"
    legend = p.page.inner_text("#kg-legend")
    assert "Legend" in legend and "certain" in legend
    assert p.page.is_visible("#kg-search")


def test_clicking_an_edge_shows_its_quotes(seeds_store, tmp_path, open_page):
    path, g = write_view(seeds_store, tmp_path, "congruence")
    p = open_page(path)
    edge = p.js("""() => { const lab = id => kgData.nodes.find(n => n.id === id).label;
        return kgData.edges.find(e => [lab(e.from), lab(e.to)].sort().join('|') === 'Baltic states|Poland').id; }""")
    point = p.js(EDGE_POINT_JS, edge)
    assert point, "the edge has a clickable point"
    assert p.page.is_hidden("#kg-panel")
    p.page.mouse.click(point["x"], point["y"])
    p.page.wait_for_selector("#kg-panel:not([hidden])")
    assert p.page.get_attribute("#kg-panel", "data-edge") == edge
    panel = p.page.inner_text("#kg-panel")
    assert "Baltic states" in panel and "Poland" in panel
    assert "may be ready to send troops" in panel and "very likely" in panel
    assert "speaker: Anders Fogh Rasmussen" in panel
    assert "certainty: possible" in panel and "certainty: probable" in panel
    assert "source: 000_33a90556ae30723f" in panel and "source: 004_a00d91becb0c72f2" in panel
    assert p.js("() => document.querySelectorAll('#kg-panel .kg-quotes li').length") == 4
    assert p.requests == [] and p.errors == []


def test_search_finds_a_node(seeds_store, tmp_path, open_page):
    path, g = write_view(seeds_store, tmp_path, "stance")
    p = open_page(path)
    p.page.fill("#kg-search", "polan")
    p.page.press("#kg-search", "Enter")
    assert p.page.inner_text("#kg-search-status") == "found: Poland"
    selected = p.js("() => kgNetwork.getSelectedNodes().map(id => kgNodes.get(id).label)")
    assert selected == ["Poland"]
    assert p.page.inner_text("#kg-panel-title") == "Poland"
    p.page.fill("#kg-search", "Atlantis")
    p.page.press("#kg-search", "Enter")
    assert p.page.inner_text("#kg-search-status") == "no node matches"


def test_hostile_text_stays_text_in_tooltips_and_panels(tmp_path, open_page):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("---\nsource: Evil <b>News</b>\ndate: 2023-07-01\n---\n"
                                 f"Poland said: {PAYLOAD}.\nHungary opposes the deployment of troops to Ukraine.\n",
                                 encoding="utf-8")
    (corpus / "curated.yaml").write_text(
        "assertions:\n"
        f"- {{doc: a, actor: Poland, stance: supports, target: troop-deployment, attributed_to: null, "
        f"certainty: certain, quote: {json.dumps(PAYLOAD)}}}\n"
        "- {doc: a, actor: Hungary, stance: opposes, target: troop-deployment, attributed_to: null, "
        "certainty: probable, quote: Hungary opposes the deployment of troops to Ukraine}\n", encoding="utf-8")
    build([corpus], tmp_path / "h.kg")
    with open_store(tmp_path / "h.kg", read_only=True) as store:
        path, g = write_view(store, tmp_path, "conflict")
    p = open_page(path)
    (edge,) = p.js("() => kgData.edges.map(e => e.id)")
    p.js("(id) => window.kgShowEdge(id)", edge)
    panel = p.page.inner_text("#kg-panel")
    assert '<script>alert(1)</script> & <img src=x onerror="window.__xss=1">' in panel
    assert "source: Evil <b>News</b>" in panel
    # Hover the edge: the tooltip shows the same text, as text.
    point = p.js(EDGE_POINT_JS, edge)
    p.page.mouse.move(point["x"], point["y"])
    p.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    assert "<script>alert(1)</script>" in p.page.inner_text("div.vis-tooltip")
    assert p.js("() => document.querySelectorAll('img, b, #kg-panel script, .vis-tooltip script').length") == 0
    assert p.js("() => window.__xss") is None
    assert p.dialogs == [] and p.requests == [] and p.errors == []


def test_without_a_precomputed_layout_the_page_stabilises_then_freezes(seeds_store, tmp_path, open_page):
    g = views.view_graph(seeds_store, "stance")
    path = html.write_html(html.to_pyvis(g, positions=False), tmp_path / "physics.html")
    p = open_page(path)
    assert p.js("() => kgData.meta.physics") is True
    assert p.js("() => kgNetwork.physics.options.enabled") is False  # frozen once stable
    assert p.js("() => kgNodes.length") == g.number_of_nodes()
    assert p.requests == [] and p.errors == []
