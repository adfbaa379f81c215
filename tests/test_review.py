"""Reviewing suggestions: reads from the store, decisions written to the curated YAML file."""

from __future__ import annotations

import json
import re
import shutil
import threading
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from kg.graph.build import build
from kg.model.records import Assertion
from kg.analysis.positions import stance
from kg.web.review_store import BadDecisionError, ReviewStore, StaleVersionError, file_version
from kg.store import open_store

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


class SentenceExtractor:
    """Suggests, for the first four sentences of each document, that Germany, France, Canada or Japan
    supports troop deployment (no curated row says so), with confidence rising from 0.2."""

    version = "review-fake-1"

    def __call__(self, doc, reference) -> list[Assertion]:
        target = reference.resolve_target("troop-deployment")
        out = []
        for i, m in enumerate(list(re.finditer(r"[A-Z][^.\n]{20,200}\.", doc.text))[:4]):
            actor = reference.resolve_actor(["Germany", "France", "Canada", "Japan"][i])
            out.append(Assertion(doc.id, actor, "supports", target, "probable", m.group(0), m.start(), m.end(),
                                 method="extracted", confidence=round(0.2 + 0.1 * i, 3), method_version="fake@1"))
        return out


def make_debate(tmp: Path) -> tuple[Path, Path]:
    """A copy of the seeds built with the fake extractor: (curated file, store)."""
    shutil.copytree(SEEDS, tmp / "seeds")
    store = tmp / "store.kg"
    build([tmp / "seeds"], store, extractor=SentenceExtractor())
    return tmp / "seeds" / "curated.yaml", store


@pytest.fixture
def review(tmp_path) -> ReviewStore:
    curated, store = make_debate(tmp_path)
    return ReviewStore(store, curated, "ana", extractor=SentenceExtractor())


def test_documents_text_and_spans(review):
    docs = review.documents()
    assert [d["id"] for d in docs] == ["000_33a90556ae30723f", "004_a00d91becb0c72f2"]
    assert all(d["curated"] > 0 and d["undecided"] > 0 for d in docs)
    doc = review.document(docs[0]["id"])
    assert {a["method"] for a in doc["assertions"]} == {"curated", "extracted"}
    for a in doc["assertions"]:
        assert doc["text"][a["start"]:a["end"]] == a["quote"]
        assert a["stance"] in ("supports", "opposes", "hesitant", "divided", "neutral")
        assert a["actor"] and a["target"]


def test_queue_lowest_confidence_first_paged_and_filtered(review):
    q = review.queue(limit=100)
    assert q and all(a["method"] == "extracted" for a in q)
    confs = [a["confidence"] for a in q]
    assert confs == sorted(confs)
    assert review.queue(limit=2, offset=1) == q[1:3]
    doc = q[0]["doc"]
    assert {a["doc"] for a in review.queue(doc=doc)} == {doc}
    assert {a["actor"] for a in review.queue(actor="germany")} == {"Germany"}
    assert review.queue(actor="Nobody Known") == []
    assert len(review.queue(topic="troop-deployment")) == len(q)


def test_accept_reject_edit_add_reach_file_and_store(review):
    path = review.curated_path
    before = path.read_text()
    q = review.queue()
    v = review.version()
    v = review.accept(q[0]["id"], v)["version"]
    v = review.reject(q[1]["id"], v, reason="not a position")["version"]
    v = review.edit(q[2]["id"], v, target="security-guarantees", stance="opposes")["version"]
    doc = review.document(q[0]["doc"])
    i = doc["text"].index("Poland")
    v = review.add(v, doc=doc["id"], start=i, end=i + 6, quote="Poland", actor="Poland", stance="neutral",
                   target="text:Poland itself")["version"]
    text = path.read_text()
    assert text.startswith(before.rstrip("\n"))  # comments, order and rows kept; decisions appended
    data = YAML(typ="safe").load(text)
    new_rows = data["assertions"][-3:]
    assert all(re.fullmatch(r"coder: ana; time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["note"]) for r in new_rows)
    assert [r["quote"] for r in new_rows] == [q[0]["quote"], q[2]["quote"], "Poland"]
    assert new_rows[1]["target"] == "security-guarantees" and new_rows[1]["stance"] == "opposes"
    assert [r["id"] for r in data["reject"]] == [q[1]["id"], q[2]["id"]]  # an edited suggestion is rejected
    assert data["reject"][0]["reason"].startswith("not a position [coder: ana; time: ")
    left = {a["id"] for a in review.queue(limit=500)}
    assert not left & {q[0]["id"], q[1]["id"], q[2]["id"]}
    with open_store(review.store_location, read_only=True) as store:
        rows = stance(store, "Poland")
    assert any(r.get("target") == "Poland itself" or "Poland itself" in str(r) for r in rows)
    # a rebuild from the file alone gives the same store
    fresh = review.curated_path.parent.parent / "fresh.kg"
    build([review.curated_path.parent], fresh, extractor=review.extractor)
    with open_store(fresh, read_only=True) as a, open_store(review.store_location, read_only=True) as b:
        assert sorted(a.query("SELECT ?s ?p ?o { ?s ?p ?o }").dicts(), key=str) == \
            sorted(b.query("SELECT ?s ?p ?o { ?s ?p ?o }").dicts(), key=str)


@pytest.mark.parametrize("change", [
    {"actor": "Nobody We Know"}, {"stance": "loves"}, {"certainty": "sure"}, {"target": "no-such-topic"}])
def test_bad_input_is_refused_and_file_unchanged(review, change):
    before = review.curated_path.read_bytes()
    with pytest.raises(BadDecisionError):
        review.edit(review.queue()[0]["id"], review.version(), **change)
    assert review.curated_path.read_bytes() == before


def test_added_quote_must_be_the_selected_text(review):
    before = review.curated_path.read_bytes()
    doc = review.document(review.documents()[0]["id"])
    with pytest.raises(BadDecisionError, match="not the text"):
        review.add(review.version(), doc=doc["id"], start=0, end=5, quote="Hello", actor="Poland",
                   stance="supports", target="troop-deployment")
    assert review.curated_path.read_bytes() == before


def test_stale_version_is_refused_and_nothing_lost(review):
    q = review.queue()
    base = review.version()
    results = {}

    def decide(name, fn):
        try:
            results[name] = fn()
        except StaleVersionError as e:
            results[name] = e

    t1 = threading.Thread(target=decide, args=("a", lambda: review.accept(q[0]["id"], base)))
    other = ReviewStore(review.store_location, review.curated_path, "ben", extractor=review.extractor)
    t2 = threading.Thread(target=decide, args=("b", lambda: other.reject(q[1]["id"], base, "dup")))
    t1.start(), t2.start(), t1.join(), t2.join()
    refused = [k for k, v in results.items() if isinstance(v, StaleVersionError)]
    assert len(refused) == 1
    text = review.curated_path.read_text()
    winner = "a" if refused == ["b"] else "b"
    assert ("dup [coder: ben" in text) == (winner == "b")
    assert ("coder: ana" in text) == (winner == "a")
    # the refused coder reloads and decides again: both decisions are kept
    if winner == "a":
        other.reject(q[1]["id"], file_version(review.curated_path), "dup")
    else:
        review.accept(q[0]["id"], file_version(review.curated_path))
    text = review.curated_path.read_text()
    assert "dup [coder: ben" in text and "note: 'coder: ana" in text


# ---------------------------------------------------------------- the HTTP app
@pytest.fixture
def app(review):
    from kg.web.review_app import make_server

    server = make_server(review, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def http(server, method, path, body=None, headers=None):
    import http.client
    import json

    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=30)
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    conn.request(method, path, body=data, headers=hdrs)
    r = conn.getresponse()
    raw = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), raw


def test_page_carries_token_and_policy(app):
    status, headers, page = http(app, "GET", "/")
    assert status == 200 and app.token.encode() in page
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert http(app, "GET", "/review.js")[0] == 200
    for path in ("/../pyproject.toml", "/assets/review.js", "/etc/passwd", "/review.html", "/%2e%2e/kg"):
        assert http(app, "GET", path)[0] == 404


def test_writes_need_token_small_body_and_fresh_version(app, review):
    import json

    q = json.loads(http(app, "GET", "/api/queue?limit=3")[2])
    v = json.loads(http(app, "GET", "/api/version")[2])["version"]
    body = {"action": "accept", "id": q[0]["id"], "version": v}
    before = review.curated_path.read_bytes()
    assert http(app, "POST", "/api/decide", body)[0] == 403
    assert http(app, "POST", "/api/decide", body, {"X-Review-Token": "nope"})[0] == 403
    big = json.dumps({**body, "pad": "x" * 70000}).encode()
    assert http(app, "POST", "/api/decide", big, {"X-Review-Token": app.token})[0] == 413
    assert http(app, "POST", "/api/decide", body, {"X-Review-Token": app.token, "Host": "evil.example:80"})[0] == 421
    bad = {"action": "edit", "id": q[0]["id"], "version": v, "changes": {"stance": "loves"}}
    status, _, raw = http(app, "POST", "/api/decide", bad, {"X-Review-Token": app.token})
    assert status == 400 and "unknown stance" in json.loads(raw)["error"]
    assert review.curated_path.read_bytes() == before
    status, _, raw = http(app, "POST", "/api/decide", body, {"X-Review-Token": app.token})
    assert status == 200 and json.loads(raw)["version"] != v
    stale = {"action": "reject", "id": q[1]["id"], "version": v, "reason": "x"}
    status, _, raw = http(app, "POST", "/api/decide", stale, {"X-Review-Token": app.token})
    assert status == 409 and "changed" in json.loads(raw)["error"]


def test_cli_serves_the_page_and_refuses_a_missing_file(tmp_path):
    import subprocess
    import sys
    import urllib.request

    from typer.testing import CliRunner

    from kg.cli import app

    curated, store = make_debate(tmp_path)
    r = CliRunner().invoke(app, ["review", str(tmp_path / "nope.yaml"), "--store", str(store)])
    assert r.exit_code != 0 and "nope.yaml" in r.output
    proc = subprocess.Popen([sys.executable, "-m", "kg", "review", str(curated), "--store", str(store), "--port", "0",
                             "--no-extract", "--coder", "ben", "-q"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        assert "coder ben" in line
        with urllib.request.urlopen(url + "api/version", timeout=30) as resp:
            assert json.loads(resp.read())["coder"] == "ben"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_new_actor_is_declared_on_the_spot(review):
    q = review.queue()
    with pytest.raises(BadDecisionError, match="Marta Example-Nowak"):
        review.edit(q[0]["id"], review.version(), actor="Marta Example-Nowak")
    with pytest.raises(BadDecisionError, match="actor type"):
        review.edit(q[0]["id"], review.version(), actor="Marta Example-Nowak", new_actor_type="Martian")
    review.edit(q[0]["id"], review.version(), actor="Marta Example-Nowak", new_actor_type="Person")
    data = YAML(typ="safe").load(review.curated_path.read_text())
    assert data["actors"] == [{"label": "Marta Example-Nowak", "type": "Person"}]
    assert data["assertions"][-1]["actor"] == "Marta Example-Nowak"
    # a known actor is not declared again
    review.edit(q[1]["id"], review.version(), actor="Marta Example-Nowak", new_actor_type="Person")
    assert YAML(typ="safe").load(review.curated_path.read_text())["actors"] == [{"label": "Marta Example-Nowak", "type": "Person"}]
    with open_store(review.store_location, read_only=True) as store:
        assert stance(store, "Marta Example-Nowak")


def test_queue_from_the_projection_equals_the_sparql_queue(review, monkeypatch):
    with open_store(review.store_location, read_only=True) as store:
        from kg.graph.projection import Projection

        with Projection.opened(store) as p:
            assert p is not None  # the on-disk build keeps one
    fast = [review.queue(limit=3, offset=o) for o in (0, 3, 6)] + [review.queue(doc="004_a00d91becb0c72f2")]
    monkeypatch.setenv("KG_NO_PROJECTION", "1")
    slow = [review.queue(limit=3, offset=o) for o in (0, 3, 6)] + [review.queue(doc="004_a00d91becb0c72f2")]
    assert fast == slow and fast[0]


def test_two_processes_with_the_same_base_version_one_is_refused(review, tmp_path):
    import subprocess
    import sys

    q, base = review.queue(), review.version()
    script = ("import sys; sys.path.insert(0, {tests!r}); from test_review import SentenceExtractor; "
              "from kg.web.review_store import ReviewStore, StaleVersionError\n"
              "r = ReviewStore({store!r}, {curated!r}, {coder!r}, extractor=SentenceExtractor())\n"
              "try:\n    r.accept({id!r}, {base!r}); print('ok')\nexcept StaleVersionError:\n    print('stale')\n")
    procs = [subprocess.Popen([sys.executable, "-c", script.format(
        tests=str(Path(__file__).parent), store=str(review.store_location), curated=str(review.curated_path),
        coder=coder, id=a["id"], base=base)], stdout=subprocess.PIPE, text=True) for coder, a in zip("xy", q)]
    outs = sorted(p.communicate(timeout=120)[0].strip() for p in procs)
    assert outs == ["ok", "stale"]
    assert sorted(p.name for p in review.curated_path.parent.iterdir()) == ["articles", "curated.yaml"]
