"""``kg viz --window``: the time-slider page (kg/web/window_page.py), its data, and the page in headless Chromium
with every request outside the file blocked. A missing Chromium or playwright fails the browser tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.analysis.dna_networks import Statement
from kg.analysis.dna_windows import time_windows
from kg.web import window_page as wp
from test_browser import open_page  # noqa: F401  (the fixture: a page with all but file: requests blocked)
from test_dna_networks import dated_store  # noqa: F401  (the fixture: tests/data/fresh, dated 2024-03-04 .. 03-15)

PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> & Co'
QUOTE = '</script><script>window.__xss=3</script><b>bold</b> we back the bridge'


def st(i: int, actor: str, concept: str, day: int, q: int = 1) -> Statement:
    label = PAYLOAD if actor == "X" else actor
    return Statement(actor, concept, q, f"d{day}", f"2024-01-{day:02d}", label, f"concept {concept}", f"ex:s{i}")


# Five days; windows of 3 days (DNA: addition round((3 - 1) / 2) = 1, so t-1 .. t+1) moving by one day have
# mid-points 02, 03, 04:   [01..03]  [02..04]  [03..05]
#   day 1: A, B support p           → A–B
#   day 2: B supports q             (no tie alone)
#   day 3: C supports q, X supports r
#   day 4: X supports r
#   day 5: C supports s, A supports s
# window 1 (01..03): A–B (p) 1, B–C (q) 1;  window 2 (02..04): B–C (q) 1, X alone (r twice, nobody else);
# window 3 (03..05): A–C (s) 1; X active without ties
STATEMENTS = [st(1, "A", "p", 1), st(2, "B", "p", 1), st(3, "B", "q", 2), st(4, "C", "q", 3), st(5, "X", "r", 3),
              st(6, "X", "r", 4), st(7, "C", "s", 5), st(8, "A", "s", 5)]
QUOTES = {s.id: {"id": s.id, "actor": s.actor_label, "stance": "supports", "target": s.concept_label,
                 "quote": QUOTE if s.id == "ex:s2" else f"quote {s.id}", "speaker": None, "certainty": "certain",
                 "source": "Courier", "doc": s.doc, "date": s.date} for s in STATEMENTS}


def page_data(**kw) -> dict:
    return wp.window_page(time_windows(STATEMENTS, 3, 1), quotes=QUOTES, window="3 days", step="1 day", **kw)


def nid(data: dict, iri: str) -> str:
    return next(n["id"] for n in data["nodes"] if n["iri"] == iri)


def ties(w: dict, data: dict) -> set[tuple[str, str, float]]:
    label = {n["id"]: n["label"] for n in data["nodes"]}
    return {(*sorted((label[e["from"]], label[e["to"]])), e["weight"]) for e in w["edges"]}


def test_page_data_has_one_network_per_window():
    data = page_data()
    assert [(w["start"], w["stop"]) for w in data["windows"]] == [
        ("2024-01-01", "2024-01-03"), ("2024-01-02", "2024-01-04"), ("2024-01-03", "2024-01-05")]
    w1, w2, w3 = data["windows"]
    assert ties(w1, data) == {("A", "B", 1.0), ("B", "C", 1.0)}
    assert ties(w2, data) == {("B", "C", 1.0)}
    assert ties(w3, data) == {("A", "C", 1.0)}
    assert [w["statements"] for w in data["windows"]] == [5, 4, 5]
    # every actor of any window once, with one position for all windows
    assert sorted(n["iri"] for n in data["nodes"]) == ["A", "B", "C", "X"]
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    # statements over all windows, each once although the windows overlap
    assert {n["iri"]: n["activity"] for n in data["nodes"]} == {"A": 2, "B": 2, "C": 2, "X": 2}
    # what each actor said in window 1: concept, stances, quoted statements, the quotes (the page works out a tie's
    # shared concepts from these)
    said = {n["id"]: [(data["concepts"][c], st, n_quotes, [data["quotes"][i]["quote"] for i in refs])
                      for c, st, n_quotes, refs in n["said"]] for n in w1["nodes"]}
    assert said[nid(data, "A")] == [("concept p", "supports", 1, ["quote ex:s1"])]
    assert said[nid(data, "B")] == [("concept p", "supports", 1, [QUOTE]), ("concept q", "supports", 1, ["quote ex:s3"])]
    # X (the payload) is active in windows 2 and 3 without ties
    x = nid(data, "X")
    assert [x in {n["id"] for n in w["nodes"]} for w in data["windows"]] == [True, True, True]


def test_caps_and_notes():
    data = page_data(max_nodes=2, max_edges=1)
    assert len(data["nodes"]) == 2
    assert all(len(w["edges"]) <= 1 for w in data["windows"])
    assert "most active actors" in data["meta"]["note"]
    empty = wp.window_page([], window="3 days", step="1 day")
    assert empty["windows"] == [] and empty["meta"]["note"] == "No window to show."


def test_html_is_self_contained_and_inert(tmp_path):
    path = wp.write_window_page(page_data(), tmp_path / "w.html")
    text = path.read_text(encoding="utf-8")
    assert "default-src 'none'" in text and "connect-src 'none'" in text
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", text, re.I)
    # the payloads appear only escaped inside the JSON block
    block = text.split('<script type="application/json" id="kg-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    assert PAYLOAD in [n["label"] for n in json.loads(block)["nodes"]]
    assert text.count("</script>") == 3  # data, vis-network, the page's script: nothing closed them early
    assert wp.render_window_html(page_data()) == text  # deterministic


# ---------------------------------------------------------------- in Chromium


def shown(p) -> tuple[list[str], list[str]]:
    nodes, edges = p.js("() => [kgNodes.getIds().sort(), kgEdges.getIds().sort()]")
    return nodes, edges


def canvas(p) -> str:
    return p.js("() => document.querySelector('#kg-net canvas').toDataURL()")


def expected(data: dict, k: int) -> tuple[list[str], list[str]]:
    w = data["windows"][k]
    return sorted(n["id"] for n in w["nodes"]), sorted(e["id"] for e in w["edges"])


@pytest.mark.browser
def test_the_slider_switches_network_and_dates(tmp_path, open_page):
    data = page_data()
    p = open_page(wp.write_window_page(data, tmp_path / "w.html"))
    assert shown(p) == expected(data, 0)
    assert p.page.inner_text("#kg-range") == "2024-01-01 – 2024-01-03"
    assert "window 1 of 3" in p.page.inner_text("#kg-window-stats")
    first = canvas(p)
    # the keyboard moves the slider, as a user does
    p.page.focus("#kg-slider")
    p.page.keyboard.press("ArrowRight")
    assert p.js("() => kgCurrent()") == 1 and p.page.input_value("#kg-slider") == "1"
    assert shown(p) == expected(data, 1) != expected(data, 0)
    assert p.page.inner_text("#kg-range") == "2024-01-02 – 2024-01-04"
    p.page.wait_for_timeout(100)
    assert canvas(p) != first, "the drawing changed with the window"
    p.page.keyboard.press("End")
    assert shown(p) == expected(data, 2)
    assert p.page.inner_text("#kg-range") == "2024-01-03 – 2024-01-05"
    assert p.page.get_attribute("#kg-slider", "aria-valuetext") == "2024-01-03 – 2024-01-05"
    p.page.click("#kg-prev")
    assert p.js("() => kgCurrent()") == 1
    p.page.click("#kg-next")
    p.page.click("#kg-next")  # past the last window: stays there
    assert p.js("() => kgCurrent()") == 2
    # every window keeps a node where it was
    pos = p.js("() => kgNetwork.getPositions()")
    for n in data["nodes"]:
        if n["id"] in pos:
            assert pos[n["id"]] == {"x": pytest.approx(n["x"], abs=1), "y": pytest.approx(n["y"], abs=1)}  # rounded
    # play runs through the windows to the end and stops
    p.page.click("#kg-prev")
    p.page.click("#kg-play")
    p.page.wait_for_function("() => kgCurrent() === 2 && document.getElementById('kg-play').textContent === 'Play'",
                             timeout=5_000)
    assert p.requests == [], "the page tried to reach the network"
    assert p.errors == []


@pytest.mark.browser
def test_untrusted_labels_and_quotes_stay_text(tmp_path, open_page):
    data = page_data()
    p = open_page(wp.write_window_page(data, tmp_path / "w.html"))
    p.js("(id) => kgShowNode(id)", nid(data, "X"))
    assert p.page.inner_text("#kg-panel-title") == PAYLOAD
    # the quote with a closing script tag, on the tie A–B of the first window
    (ab,) = [e["id"] for e in data["windows"][0]["edges"] if {e["from"], e["to"]} == {nid(data, "A"), nid(data, "B")}]
    p.js("(id) => kgShowEdge(id)", ab)
    body = p.page.inner_text("#kg-panel-body")
    assert "“" + QUOTE + "”" in body and "Quotes (2)" in body
    assert "concept p: A supports, B supports" in body
    assert p.js("() => document.querySelectorAll('#kg-panel img, #kg-panel script, #kg-panel b').length") == 0
    assert p.js("() => document.querySelectorAll('body img').length") == 0
    p.page.hover("#kg-net canvas")
    assert p.js("() => window.__xss") is None
    assert p.dialogs == [] and p.requests == [] and p.errors == []
    assert p.page.title() == "congruence network in moving time windows"


def viz(*args: str):
    from typer.testing import CliRunner

    from kg.cli import app

    return CliRunner().invoke(app, ["viz", *args], env={"COLUMNS": "160"})


@pytest.mark.browser
def test_cli_writes_the_page(dated_store, tmp_path, open_page):
    out = tmp_path / "windows.html"
    r = viz("--store", str(dated_store), "--window", "5d", "--step", "1d", "--out", str(out))
    assert r.exit_code == 0, r.output
    # 03-04 .. 03-15, 5-day windows (addition 2): mid-points 03-06 .. 03-13
    assert f"wrote {out}: 8 windows of 5 days every 1 day" in r.output
    p = open_page(out)
    assert p.js("() => kgData.windows.length") == 8
    assert p.page.get_attribute("#kg-slider", "max") == "7"
    assert p.page.inner_text("#kg-range") == "2024-03-04 – 2024-03-08"
    p.page.focus("#kg-slider")
    p.page.keyboard.press("End")
    assert p.page.inner_text("#kg-range") == "2024-03-11 – 2024-03-15"
    assert p.requests == [] and p.errors == []
    # options of DNA, and what does not go together
    weekly = viz("--store", str(dated_store), "--window", "1w", "--step", "2d", "--view", "conflict",
                 "--duplicates", "document", "--out", str(tmp_path / "c.html"))
    assert weekly.exit_code == 0 and "(conflict, normalization none, duplicates document)" in weekly.output
    assert viz("--store", str(dated_store), "--window", "5d", "--view", "stance").exit_code != 0
    assert viz("--store", str(dated_store), "--qualifier", "conflict").exit_code != 0
    assert viz("--store", str(dated_store), "--window", "5d", "--view", "conflict",
               "--qualifier", "congruence").exit_code != 0
    none = viz("--store", str(dated_store), "--window", "60d", "--out", str(tmp_path / "n.html"))
    assert none.exit_code == 0 and "No window of 60 days fits" in none.output
