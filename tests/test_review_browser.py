"""`kg review` in headless Chromium: the whole loop by keyboard, and a hostile document that runs nothing.

Every request that is not to the local review server is aborted and recorded (none may be made).
"""

from __future__ import annotations

import json
import threading

import pytest
from ruamel.yaml import YAML
from test_browser import PAYLOAD
from test_review import SentenceExtractor, make_debate

from kg.graph.build import build
from kg.web.review_app import make_server
from kg.web.review_store import ReviewStore
from kg.store import open_store

pytestmark = pytest.mark.browser


@pytest.fixture
def serve():
    servers = []

    def _serve(review: ReviewStore):
        server = make_server(review, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield _serve
    for s in servers:
        s.shutdown()
        s.server_close()


class Tab:
    def __init__(self, browser, server):
        self.origin = server.url.rstrip("/")
        self.outside, self.errors, self.dialogs = [], [], []
        self.context = browser.new_context(viewport={"width": 1400, "height": 860})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(server.url)
        self.page.wait_for_selector("body[data-ready='1']", timeout=20_000)

    def _route(self, route):
        if route.request.url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def js(self, expr, arg=None):
        return self.page.evaluate(expr, arg)

    def key(self, k):
        self.page.keyboard.press(k)

    def saved(self, action):
        self.page.wait_for_function("(a) => document.getElementById('message').textContent.startsWith('Saved (' + a)",
                                    arg=action, timeout=20_000)
        self.page.wait_for_function("() => document.querySelector('#queue li.current') !== null", timeout=20_000)
        self.js("() => { document.getElementById('message').textContent = ''; }")

    def current(self):
        return self.js("() => document.querySelector('#queue li.current').dataset.id")


SELECT_JS = """(words) => {
  const nodes = Array.from(document.querySelectorAll('#reader > span')).map(s => s.firstChild).filter(Boolean);
  const all = nodes.map(n => n.data).join(''), at = all.indexOf(words);
  if (at < 0) return false;
  const place = (pos) => { let n = 0; for (const t of nodes) { if (pos <= n + t.data.length) return [t, pos - n];
                                                             n += t.data.length; } };
  const r = document.createRange();
  r.setStart(...place(at)); r.setEnd(...place(at + words.length));
  const s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
  return true;
}"""


def test_the_review_loop_by_keyboard(tmp_path, browser, serve):
    curated, store = make_debate(tmp_path)
    original = curated.read_text()
    review = ReviewStore(store, curated, "ana", extractor=SentenceExtractor())
    queue = review.queue(limit=10)
    tab = Tab(browser, serve(review))
    ids = tab.js("() => Array.from(document.querySelectorAll('#queue li')).map(li => li.dataset.id)")
    assert ids == [a["id"] for a in queue]
    assert tab.js("() => document.querySelectorAll('#reader .hl.curated').length") > 0
    assert tab.js("() => document.querySelectorAll('#reader .hl.extracted').length") > 0
    tab.page.screenshot(path="/tmp/review-reader.png")
    tab.page.locator("#side-pane").screenshot(path="/tmp/review-queue.png")

    assert tab.current() == ids[0]
    tab.key("a")  # accept the least sure suggestion
    tab.saved("accept")
    assert tab.current() == ids[1]
    tab.key("j"), tab.key("k")
    assert tab.current() == ids[1]
    tab.key("r")  # reject with a reason
    tab.page.keyboard.type("not a position")
    tab.key("Enter")
    tab.saved("reject")
    assert tab.current() == ids[2]
    tab.key("e")  # edit the target: actor, new actor?, stance, then target
    tab.key("Tab"), tab.key("Tab"), tab.key("Tab"), tab.key("Control+a")
    tab.page.keyboard.type("security-guarantees")
    tab.key("Enter")
    tab.saved("edit")
    # add: open the first document, select a passage of the reader and code it
    tab.page.click("#docs li[data-id='000_33a90556ae30723f']")
    tab.page.wait_for_function("() => document.getElementById('reader').textContent.includes('capital of Lithuania')")
    assert tab.js(SELECT_JS, "the capital of Lithuania")
    tab.key("n")
    tab.page.keyboard.type("Lithuania")
    tab.key("Tab"), tab.key("Tab"), tab.key("Tab")
    tab.page.keyboard.type("text:hosting the summit")
    tab.key("Enter")
    tab.saved("add")

    text = curated.read_text()
    assert text.startswith(original.rstrip("\n")) and text.count("\n#") == original.count("\n#")  # comments kept
    data = YAML(typ="safe").load(text)
    new = data["assertions"][len(YAML(typ="safe").load(original)["assertions"]):]
    assert [(r["quote"], r["target"]) for r in new] == [
        (queue[0]["quote"], "troop-deployment"), (queue[2]["quote"], "security-guarantees"),
        ("the capital of Lithuania", "text:hosting the summit")]
    assert new[2]["actor"] == "Lithuania" and all(r["note"].startswith("coder: ana; time: ") for r in new)
    assert [(r["id"], r["reason"].split(" [")[0]) for r in data["reject"]] == [(ids[1], "not a position"),
                                                                               (ids[2], "edited")]
    # a rebuild from the file gives the store the page made
    fresh = tmp_path / "fresh.kg"
    build([curated.parent], fresh, extractor=SentenceExtractor())
    with open_store(fresh, read_only=True) as a, open_store(store, read_only=True) as b:
        q = "SELECT ?a ?p ?o { ?a a kg:Assertion ; ?p ?o }"
        assert sorted(map(str, a.query(q).dicts())) == sorted(map(str, b.query(q).dicts()))
    assert tab.outside == [] and tab.errors == [] and tab.dialogs == []
    tab.context.close()


def test_hostile_document_runs_no_script(tmp_path, browser, serve):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    evil = '<img src=x onerror="window.__xss=1"> Evil'
    (corpus / "a.md").write_text("---\ntitle: <script>window.__xss=2</script> Title\nsource: Evil <b>News</b>\n---\n"
                                 f"Poland said: {PAYLOAD}. Germany supports the troop deployment.\n",
                                 encoding="utf-8")
    (corpus / "curated.yaml").write_text(
        f"actors:\n- {{label: {json.dumps(evil)}, type: Person}}\n"
        "assertions:\n"
        f"- {{doc: a, actor: {json.dumps(evil)}, stance: supports, target: troop-deployment, attributed_to: null, "
        f"certainty: certain, quote: {json.dumps(PAYLOAD)}}}\n", encoding="utf-8")
    build([corpus], tmp_path / "h.kg", extractor=SentenceExtractor())
    tab = Tab(browser, serve(ReviewStore(tmp_path / "h.kg", corpus / "curated.yaml", "<b>ana</b>")))
    assert PAYLOAD in tab.page.inner_text("#reader")
    tab.page.click("#reader .hl.curated")
    details = tab.page.inner_text("#details")
    assert evil in details and PAYLOAD in details
    assert "<script>window.__xss=2</script> Title" in tab.page.inner_text("#docs")
    assert tab.js("() => document.querySelectorAll('main img, main b, main script').length") == 0
    assert tab.js("() => window.__xss") is None
    assert tab.outside == [] and tab.dialogs == []
    tab.context.close()


def test_two_tabs_stale_write_is_refused_in_the_page_and_bad_input_shown(tmp_path, browser, serve):
    curated, store = make_debate(tmp_path)
    server = serve(ReviewStore(store, curated, "ana", extractor=SentenceExtractor()))
    one, two = Tab(browser, server), Tab(browser, server)
    first, second = one.current(), two.js("() => document.querySelectorAll('#queue li')[1].dataset.id")
    one.key("a")
    one.saved("accept")
    two.key("j")
    two.key("a")  # based on the version the tab loaded: refused, the page reloads the queue
    two.page.wait_for_function("() => document.getElementById('message').textContent.includes('changed since')",
                               timeout=20_000)
    data = YAML(typ="safe").load(curated.read_text())
    assert sum("coder: ana" in (r.get("note") or "") for r in data["assertions"]) == 1
    assert two.current() == second  # after the reload the same suggestion is first: decide again
    two.key("a")
    two.saved("accept")
    data = YAML(typ="safe").load(curated.read_text())
    assert sum("coder: ana" in (r.get("note") or "") for r in data["assertions"]) == 2  # nothing lost
    assert first != second
    before = curated.read_bytes()
    two.key("e")  # an unknown actor is refused with a message, the file left as it was
    two.key("Control+a")
    two.page.keyboard.type("Nobody We Know")
    two.key("Enter")
    two.page.wait_for_function("() => document.getElementById('message').textContent.startsWith('Not saved')",
                               timeout=20_000)
    assert "Nobody We Know" in two.page.inner_text("#message")
    assert curated.read_bytes() == before
    assert one.outside == two.outside == [] and one.dialogs == two.dialogs == []
    one.context.close(), two.context.close()
