"""The HTML page: self-contained, escaped, carrying its own data."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kg.web import pages as html

from kg.analysis import views
from kg.graph.build import build
from kg.store import open_store
from kg.analysis.rows import Filters, Row, fetch_rows
from kg.analysis.view_spec import ViewSpec
from kg.analysis.views import build_view

PAYLOAD = '<script>alert(1)</script> & <img src=x onerror="window.__xss=1"> we will send troops'
EVIL_SOURCE = "Evil <b>News</b>"
SEED_VIEWS = [("stance", None), ("congruence", None), ("conflict", None), ("actor", "Poland"),
              ("topic", "troop-deployment")]


def row(i: int, actor: str, stance: str, target: str) -> Row:
    return Row(f"ex:a{i}", f"ex:{actor}", actor, "State", stance, f"ex:{target}", target, "topic", target,
               "certain", None, None, f"quote {i}", "d1", "d1", None, None, "curated", None)


def write_hostile_corpus(folder: Path) -> Path:
    """Two dated documents from named outlets; one quote and one outlet name are HTML."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.md").write_text(
        f"---\nsource: {EVIL_SOURCE}\ndate: 2023-07-01\n---\nPoland said: {PAYLOAD}.\n"
        "Hungary opposes the deployment of troops to Ukraine, Viktor Orbán said.\n", encoding="utf-8")
    (folder / "b.md").write_text(
        "---\nsource: Daily Example\ndate: 2023-07-20\n---\nPoland might send troops.\n", encoding="utf-8")
    (folder / "curated.yaml").write_text(
        "assertions:\n"
        f"- {{doc: a, actor: Poland, stance: supports, target: troop-deployment, attributed_to: null, "
        f"certainty: certain, quote: {json.dumps(PAYLOAD)}}}\n"
        "- {doc: a, actor: Hungary, stance: opposes, target: troop-deployment, attributed_to: Viktor Orbán, "
        "certainty: probable, quote: Hungary opposes the deployment of troops to Ukraine}\n"
        "- {doc: b, actor: Poland, stance: supports, target: troop-deployment, attributed_to: null, "
        "certainty: possible, quote: Poland might send troops}\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hostile_store_path(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    path = root / "hostile.kg"
    build([write_hostile_corpus(root / "corpus")], path)
    return path


@pytest.fixture
def hostile_store(hostile_store_path):
    with open_store(hostile_store_path, read_only=True) as store:
        yield store


class Scripts(HTMLParser):
    """Collects (attributes, text) of every <script> as a browser's tokenizer splits them."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[dict, str]] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = dict(attrs)
            self.found.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.found[-1]
            self.found[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def embedded(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', text, re.S)
    assert m, "the page embeds its data"
    return json.loads(m.group(1))


def page(store, view: str, name: str | None = None, **kw) -> tuple[str, object]:
    g = views.view_graph(store, view, name, **kw)
    return html.render_html(html.to_pyvis(g)), g


@pytest.mark.parametrize("view, name", SEED_VIEWS)
def test_seed_pages_are_self_contained(seeds_store, tmp_path, view, name):
    text, g = page(seeds_store, view, name)
    path = html.write_html(html.to_pyvis(g), tmp_path / f"{view}.html")
    assert path.read_text(encoding="utf-8") == text
    # Nothing is fetched: no remote (or protocol-relative) src/href, no @import or url() to the web.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert not re.search(r"""url\(\s*["']?(?:https?:)?//|@import""", text, re.I)
    assert "<script src" not in text and "cdn" not in text.lower().replace("cdnjs", "")
    assert "default-src 'none'" in text  # and the page forbids itself any request
    assert "vis.js is dual licensed" in text  # vis-network inlined with its licence
    data = embedded(text)
    assert len(data["nodes"]) == g.number_of_nodes() == data["meta"]["nodes"]
    assert len(data["edges"]) == g.number_of_edges() == data["meta"]["edges"]
    assert data["meta"]["legend"] and 'id="kg-search"' in text and 'id="kg-legend"' in text


def test_page_data_carries_quotes_with_speaker_certainty_and_source(seeds_store):
    text, g = page(seeds_store, "congruence")
    data = embedded(text)
    by_id = {n["id"]: n for n in data["nodes"]}
    edge = next(e for e in data["edges"] if {by_id[e["from"]]["label"], by_id[e["to"]]["label"]} == {"Poland", "Baltic states"})
    assert edge["weight"] == 1 and edge["stance"] == "supports" and edge["certainty"] == "possible"
    assert edge["vis"]["dashes"] == [2, 5]  # possible = dotted
    quotes = [data["quotes"][i] for i in edge["quotes"]]
    assert {q["speaker"] for q in quotes} == {"Anders Fogh Rasmussen"}
    assert {q["certainty"] for q in quotes} == {"possible", "probable"}
    assert {q["source"] for q in quotes} == {"000_33a90556ae30723f", "004_a00d91becb0c72f2"}


def test_certainty_is_drawn_as_line_style(seeds_store):
    data = embedded(page(seeds_store, "stance")[0])
    styles = {e["certainty"]: e["vis"]["dashes"] for e in data["edges"]}
    assert styles["certain"] is False and styles["probable"] == [10, 6] and styles["possible"] == [2, 5]
    assert {e["vis"]["color"]["color"] for e in data["edges"] if e["stance"] == "supports"} == {html.STANCE_COLOURS["supports"]}


def test_article_text_is_never_html(hostile_store):
    text, g = page(hostile_store, "conflict")
    assert g.number_of_edges() == 1
    assert "<script>alert" not in text and "<img" not in text and "<b>News" not in text
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in text
    data = embedded(text)
    assert PAYLOAD in {q["quote"] for q in data["quotes"]}
    assert EVIL_SOURCE in {q["source"] for q in data["quotes"]}
    # pyvis "title" strings would be rendered as HTML by vis-network: there are none.
    assert all("title" not in n["vis"] for n in data["nodes"]) and all("title" not in e["vis"] for e in data["edges"])
    # The script builds every tooltip and panel with textContent.
    js = (html.ASSETS / "viz.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "document.write" not in js


def test_titles_are_escaped_and_json_cannot_close_its_script(hostile_store):
    g = views.view_graph(hostile_store, "stance")
    net = html.to_pyvis(g, title="</script><script>alert(2)</script>")
    text = html.render_html(net)
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;</title>" in text
    # An HTML parser sees exactly our three scripts, and the data script holds the whole JSON.
    scripts = Scripts()
    scripts.feed(text)
    assert [a.get("type") for a, _ in scripts.found] == ["application/json", None, None]
    assert json.loads(scripts.found[0][1])["meta"]["title"] == "</script><script>alert(2)</script>"


def test_source_and_date_filters_on_real_front_matter(hostile_store):
    rows = fetch_rows(hostile_store)
    assert {r.source for r in rows} == {EVIL_SOURCE, "Daily Example"}
    g = views.view_graph(hostile_store, "stance", filters=Filters.make(source="daily example"), rows=rows)
    assert sum(d["weight"] for *_, d in g.edges(keys=True, data=True)) == 1
    g = views.view_graph(hostile_store, "stance", filters=Filters.make(since="2023-07-15"), rows=rows)
    assert {q["date"] for *_, d in g.edges(keys=True, data=True) for q in d["quotes"]} == {"2023-07-20"}


def test_output_is_deterministic(seeds_store):
    assert page(seeds_store, "stance")[0] == page(seeds_store, "stance")[0]
    assert page(seeds_store, "congruence")[0] == page(seeds_store, "congruence")[0]


def test_layout_is_precomputed_and_physics_off(seeds_store):
    data = embedded(page(seeds_store, "stance")[0])
    assert all("x" in n["vis"] and "y" in n["vis"] for n in data["nodes"])
    assert data["options"]["physics"]["enabled"] is False and data["meta"]["physics"] is False
    net = html.to_pyvis(views.view_graph(seeds_store, "stance"), positions=False)
    data = html.page_data(net)
    assert data["options"]["physics"]["enabled"] is True and data["meta"]["physics"] is True


def test_pruned_page_says_what_was_left_out():
    rs = [row(i, f"A{i % 30}", "supports", f"T{i % 5}") for i in range(300)]
    g = build_view(rs, ViewSpec("congruence", max_nodes=6, max_edges=8))
    data = html.page_data(html.to_pyvis(g))
    assert len(data["nodes"]) == 6 and len(data["edges"]) <= 8
    assert "left out" in data["meta"]["note"] and data["meta"]["omitted"]["nodes"] == 24


def test_quotes_per_edge_are_capped_in_the_page():
    rs = [row(i, "A", "supports", "T") for i in range(30)]
    data = html.page_data(html.to_pyvis(build_view(rs, ViewSpec("stance"))), max_quotes=5)
    (edge,) = data["edges"]
    assert len(edge["quotes"]) == 5 and edge["n_quotes"] == 30


def test_page_without_pyvis_renders_as_the_pyvis_network(seeds_store):
    g = views.view_graph(seeds_store, "congruence")
    assert html.render_html(html.page(g)) == html.render_html(html.to_pyvis(g))
    net = html.to_pyvis(g)
    assert type(net).__module__ == "pyvis.network" and len(net.get_nodes()) == g.number_of_nodes()


def _spread(pos: dict, other: dict) -> float:
    return max(abs(pos[k][0] - other[k][0]) + abs(pos[k][1] - other[k][1]) for k in pos)


def test_spring_layout_is_networkx_fruchterman_reingold():
    import networkx as nx

    from kg.web.layout import spring

    for g in (nx.karate_club_graph(), nx.path_graph(7), nx.barbell_graph(6, 2)):
        edges = [(u, v, float(d.get("weight", 1))) for u, v, d in g.edges(data=True)]
        ours = spring(list(g), edges, seed=7)
        # The same steps, summed in another order: rounding differences only.
        assert _spread(ours, nx.spring_layout(g, seed=7, iterations=50)) < 1e-4
        assert max(max(abs(x), abs(y)) for x, y in ours.values()) == pytest.approx(1.0)
    assert spring([], []) == {} and spring(["a"], []) == {"a": (0.0, 0.0)}


def test_spring_layout_of_large_graphs_is_networkx_sparse_solver():
    import networkx as nx

    from kg.web.layout import DENSE_LIMIT, spring

    g = nx.cycle_graph(DENSE_LIMIT + 10)
    ours = spring(list(g), [(u, v, 1.0) for u, v in g.edges()], seed=3, iterations=5)
    assert _spread(ours, nx.spring_layout(g, seed=3, iterations=5)) < 1e-9
