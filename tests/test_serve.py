"""``kg serve``: the read-only SPARQL endpoint, over real HTTP on 127.0.0.1 (ephemeral ports).

Timing thresholds are generous on purpose: these check behaviour, not speed.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import http.client
import io
import json
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.store import sparql_results as sr
from kg.cli import app
from kg.web.serve import ServeError, make_server, query_shape, start_in_thread
from kg.store import Result, Term, open_store

KGR = "https://w3id.org/kg/id/"
POLAND = KGR + "actor/poland"
XSD = "http://www.w3.org/2001/XMLSchema#"

POLAND_POSITIONS = f"""
SELECT ?stance ?topic ?certainty ?doc WHERE {{
  ?a kg:actor <{POLAND}> ;
     kg:stance/skos:notation ?stance ;
     kg:target ?t ;
     kg:certainty/skos:notation ?certainty ;
     prov:wasDerivedFrom/dct:identifier ?doc .
  OPTIONAL {{ ?t a kg:Topic ; skos:notation ?topic }}
}}
ORDER BY ?topic ?doc ?certainty
"""
CROSS_JOIN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# Produces nothing until it has counted ~13 million rows: the engine cannot be interrupted.
STUCK = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . VALUES ?x { 1 2 3 } }"


# --- helpers -----------------------------------------------------------------------------------

class Reply:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, seconds: float):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def ctype(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()

    def json(self):
        return json.loads(self.body)


def call(server, method: str = "GET", path: str = "/sparql", *, params: dict | list | None = None,
         body: bytes | str | None = None, headers: dict | None = None, timeout: float = 60) -> Reply:
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    if params:
        path += "?" + urlencode(params)
    if isinstance(body, str):
        body = body.encode("utf-8")
    t0 = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return Reply(resp.status, resp.headers, data, time.monotonic() - t0)
    finally:
        conn.close()


def get(server, query: str, accept: str | None = None, **params) -> Reply:
    return call(server, params={"query": query, **params}, headers={"Accept": accept} if accept else {})


def one_line_error(reply: Reply) -> str:
    assert reply.ctype == "text/plain"
    assert reply.text.startswith("error: ") and reply.text.endswith("\n") and reply.text.count("\n") == 1
    return reply.text


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ro_store(seeds_store_path):
    with open_store(seeds_store_path, read_only=True) as store:
        yield store


@pytest.fixture
def start():
    """Start servers (in background threads, port 0) over a store; all are stopped after the test."""
    running = []

    def _start(store, **kw):
        server = make_server(store, "127.0.0.1", 0, **kw)
        thread = start_in_thread(server)
        running.append((server, thread))
        return server

    yield _start
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(10)
        server.runner.wait_idle(60)  # no evaluation left burning CPU for later tests


@pytest.fixture
def server(start, ro_store):
    return start(ro_store)


# --- SELECT in every format ------------------------------------------------------------------------

def poland_troops(rows: list[dict]) -> set[tuple[str, str]]:
    return {(r["doc"], r["certainty"]) for r in rows if r.get("topic") == "troop-deployment"}


TROOPS = {("000_33a90556ae30723f", "possible"), ("004_a00d91becb0c72f2", "probable")}


def test_select_json_is_the_default(server):
    r = get(server, POLAND_POSITIONS)
    assert r.status == 200, r.text
    assert r.ctype == "application/sparql-results+json"
    assert r.headers["X-KG-Truncated"] == "false"
    data = r.json()
    assert data["head"]["vars"] == ["stance", "topic", "certainty", "doc"]
    rows = [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
    assert poland_troops(rows) == TROOPS
    assert {r["stance"] for r in rows if r.get("topic") == "troop-deployment"} == {"supports"}
    # The unbound ?topic (Poland supports Ukraine, an actor) is left out of its binding, as the spec says.
    assert any("topic" not in b for b in data["results"]["bindings"])
    assert {"type": "literal", "value": "possible"} in [b["certainty"] for b in data["results"]["bindings"]]


def test_select_csv(server):
    r = get(server, POLAND_POSITIONS, "text/csv")
    assert r.status == 200 and r.ctype == "text/csv"
    assert r.text.startswith("stance,topic,certainty,doc\r\n")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert poland_troops(rows) == TROOPS


def test_select_tsv(server):
    r = get(server, POLAND_POSITIONS, "text/tab-separated-values")
    assert r.status == 200 and r.ctype == "text/tab-separated-values"
    assert r.text.splitlines()[0] == "?stance\t?topic\t?certainty\t?doc"
    assert '"probable"' in r.text
    res = sr.parse_tsv(r.body)
    assert poland_troops([{k: (v.value if v else None) for k, v in zip(res.vars, row)} for row in res.rows]) == TROOPS


def test_select_xml(server):
    r = get(server, POLAND_POSITIONS, "application/sparql-results+xml")
    assert r.status == 200 and r.ctype == "application/sparql-results+xml"
    assert poland_troops(sr.parse_xml(r.body).dicts()) == TROOPS


def test_accept_q_values_and_format_parameter(server):
    r = get(server, POLAND_POSITIONS, "text/csv;q=0.5, text/tab-separated-values;q=0.9")
    assert r.ctype == "text/tab-separated-values"
    r = get(server, POLAND_POSITIONS, "text/html,application/xhtml+xml,*/*;q=0.8")  # a browser
    assert r.ctype == "application/sparql-results+json"
    r = get(server, POLAND_POSITIONS, "application/sparql-results+json", format="csv")
    assert r.status == 200 and r.ctype == "text/csv"
    r = get(server, POLAND_POSITIONS, format="text/tab-separated-values")
    assert r.ctype == "text/tab-separated-values"
    assert get(server, POLAND_POSITIONS, format="yaml").status == 400
    r = get(server, POLAND_POSITIONS, "image/png")
    assert r.status == 406 and "application/sparql-results+json" in one_line_error(r)


def test_post_form_and_sparql_query_body(server):
    expected = get(server, POLAND_POSITIONS).json()
    r = call(server, "POST", body=urlencode({"query": POLAND_POSITIONS}),
             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200 and r.json() == expected
    r = call(server, "POST", body=POLAND_POSITIONS,
             headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "text/csv"})
    assert r.status == 200 and poland_troops(list(csv.DictReader(io.StringIO(r.text)))) == TROOPS
    r = call(server, "POST", body=POLAND_POSITIONS, headers={"Content-Type": "text/plain"})
    assert r.status == 415


def test_keep_alive_connection_serves_several_requests(server):
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        for _ in range(3):
            conn.request("GET", "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}))
            resp = conn.getresponse()
            assert resp.status == 200 and json.loads(resp.read())["boolean"] is True
    finally:
        conn.close()


def test_concurrent_clients(server):
    def one(i):
        r = get(server, POLAND_POSITIONS, "text/csv" if i % 2 else None)
        return r.status, len(r.body)

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, range(64)))
    assert {s for s, _ in results} == {200}
    assert len({n for s, n in results}) == 2  # every JSON answer alike, every CSV answer alike


# --- ASK and CONSTRUCT ---------------------------------------------------------------------------------

def test_ask(server):
    yes = get(server, f"ASK {{ <{POLAND}> kg:supports ?x }}")
    assert yes.status == 200 and yes.ctype == "application/sparql-results+json"
    assert yes.json() == {"head": {}, "boolean": True}
    no = get(server, f"ASK {{ <{POLAND}> kg:opposes <{POLAND}> }}", "application/sparql-results+xml")
    assert sr.parse_xml(no.body).boolean is False
    assert get(server, "ASK {}", "text/csv").text == "_askResult\r\ntrue\r\n"


def test_construct_as_turtle_and_ntriples(server):
    q = f"CONSTRUCT {{ <{POLAND}> ?p ?o }} WHERE {{ <{POLAND}> ?p ?o }}"
    r = get(server, q)
    assert r.status == 200 and r.ctype == "text/turtle"
    triples = [q.triple for q in ox.parse(r.body, format=ox.RdfFormat.TURTLE)]
    assert ox.Triple(ox.NamedNode(POLAND), ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                     ox.Literal("Poland", language="en")) in triples
    assert ox.Triple(ox.NamedNode(POLAND), ox.NamedNode("https://w3id.org/kg/ns#supports"),
                     ox.NamedNode(KGR + "actor/ukraine")) in triples
    nt = get(server, q, "application/n-triples")
    assert nt.ctype == "application/n-triples"
    assert {q.triple for q in ox.parse(nt.body, format=ox.RdfFormat.N_TRIPLES)} == set(triples)
    # DESCRIBE is a graph too; a graph cannot be had as SPARQL results JSON.
    assert get(server, f"DESCRIBE <{POLAND}>").ctype == "text/turtle"
    bad = get(server, q, "application/sparql-results+json")
    assert bad.status == 406 and "text/turtle" in one_line_error(bad)


# --- the form page --------------------------------------------------------------------------------------

def test_form_page(server):
    r = call(server, "GET", "/")
    assert r.status == 200 and r.ctype == "text/html"
    page = r.text
    assert '<form id="form"' in page and '<textarea name="query"' in page
    # Self-contained: no external scripts, styles, images or fonts.
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", page)
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    assert "innerHTML" not in page and "insertAdjacentHTML" not in script and "document.write" not in script
    assert "textContent" in script
    # The CSP allows exactly the inline script and style, by hash.
    csp = r.headers["Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp and "default-src 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    # The page's sample query runs.
    sample = re.search(r'<textarea name="query"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    import html

    assert get(server, html.unescape(sample)).status == 200
    # Browsers that open /sparql without a query get the form too; other clients a 400.
    assert call(server, headers={"Accept": "text/html"}).ctype == "text/html"
    assert call(server).status == 400


def test_unknown_path_and_method(server):
    assert call(server, "GET", "/nope").status == 404
    assert call(server, "POST", "/", body=b"x", headers={"Content-Type": "text/plain"}).status == 405
    assert call(server, "DELETE", "/sparql").status == 501


# --- refusals ---------------------------------------------------------------------------------------------

INSERT = "INSERT DATA { <urn:kg:test:s> <urn:kg:test:p> <urn:kg:test:o> }"


def test_updates_refused_and_store_unchanged(start, store_copy):
    server = start(str(store_copy))
    with open_store(store_copy, read_only=True) as s:
        before = len(s)
    attempts = [
        call(server, params={"update": INSERT}),
        call(server, "POST", body=urlencode({"update": INSERT}),
             headers={"Content-Type": "application/x-www-form-urlencoded"}),
        call(server, "POST", body=INSERT, headers={"Content-Type": "application/sparql-update"}),
        call(server, "POST", "/update", body=INSERT, headers={"Content-Type": "application/sparql-update"}),
        get(server, INSERT),
        get(server, "# a comment first\nPREFIX ex: <http://example.org/ns#>\n" + INSERT),
        get(server, "DROP ALL"),
        get(server, "LOAD <http://example.org/data.ttl>"),
        get(server, f"WITH <urn:g> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"),
    ]
    for r in attempts:
        assert r.status == 403, r.text
        assert "read-only" in one_line_error(r)
    assert get(server, "ASK { <urn:kg:test:s> ?p ?o }").json()["boolean"] is False
    server.shutdown()
    server.server_close()
    with open_store(store_copy, read_only=True) as s:
        assert len(s) == before


def test_service_refused(server):
    hits = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.5)
    port = sock.getsockname()[1]
    try:
        r = get(server, f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
        assert r.status == 400 and "SERVICE" in one_line_error(r)
        r = get(server, f"select * where {{ service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}")
        assert r.status == 400
        try:
            hits.append(sock.accept())
        except socket.timeout:
            pass
        assert not hits, "the server fetched a SERVICE URL"
    finally:
        sock.close()
    # The word in a string, a comment, an IRI or a variable is no SERVICE call.
    ok = get(server, 'SELECT ?service WHERE { BIND("SERVICE <http://x/> {}" AS ?service) } # SERVICE')
    assert ok.status == 200 and ok.json()["results"]["bindings"][0]["service"]["value"] == "SERVICE <http://x/> {}"


def test_malformed_query_is_400_with_one_line(server):
    r = get(server, "SELECT * WHERE { ?s ?p }")
    assert r.status == 400
    assert one_line_error(r).startswith("error: malformed SPARQL")
    assert get(server, "SELECT ?x WHERE { ?x undeclared:p ?y }").status == 400
    assert get(server, "   ").status == 400
    assert call(server, params=[("query", "ASK {}"), ("query", "ASK {}")]).status == 400


# --- limits ----------------------------------------------------------------------------------------------

def test_row_limit_truncates_and_says_so(start, ro_store):
    server = start(ro_store, max_rows=3)
    r = get(server, "SELECT * WHERE { ?s ?p ?o }")
    assert r.status == 200
    assert r.headers["X-KG-Truncated"] == "true" and r.headers["X-KG-Row-Limit"] == "3"
    assert len(r.json()["results"]["bindings"]) == 3
    small = get(server, "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }", "text/csv")
    assert small.headers["X-KG-Truncated"] == "false" and small.text.count("\r\n") == 4
    graph = get(server, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert graph.headers["X-KG-Truncated"] == "true" and graph.text.count("\n") == 3
    # A cross join of the whole store is cut just as fast.
    assert get(server, CROSS_JOIN).headers["X-KG-Truncated"] == "true"


def test_timeout_answers_503_quickly_and_the_worker_stops(start, ro_store):
    # Memory enough that the time-out, not the memory budget, is what stops the growing answer.
    server = start(ro_store, timeout=0.5, max_rows=10**9, max_memory=4 << 30)
    r = get(server, CROSS_JOIN)
    assert r.status == 503
    assert "timed out" in one_line_error(r)
    assert r.seconds < 10
    # The streaming evaluation notices its deadline: the worker is released, the server answers.
    assert server.runner.wait_idle(10)
    assert get(server, POLAND_POSITIONS).status == 200


def test_stuck_query_cannot_starve_the_server(start, ro_store):
    server = start(ro_store, timeout=0.3, workers=1)
    first = get(server, STUCK)
    assert first.status == 503 and "timed out" in first.text and first.seconds < 10
    if server.runner.busy:  # still counting inside the engine, holding the only worker
        second = get(server, "ASK {}")
        assert second.status == 503 and second.seconds < 10
        assert call(server, "GET", "/").status == 200  # the page and error paths need no worker
    assert server.runner.wait_idle(120)
    assert get(server, "ASK {}").json()["boolean"] is True


def test_dataset_parameters(server):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    n = lambda r: int(r.json()["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    everything = n(get(server, count))
    doc = KGR + "graph/doc/000_33a90556ae30723f"
    one = n(get(server, count, **{"default-graph-uri": doc}))
    assert 0 < one < everything
    assert n(get(server, count, **{"default-graph-uri": KGR + "graph/none"})) == 0
    named = get(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": doc})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [doc]
    assert get(server, count, **{"default-graph-uri": "not an iri"}).status == 400
    assert call(server, "GET", "/favicon.ico").status == 204


# --- the query text reaches the engine unchanged ------------------------------------------------------------

def test_query_text_is_not_altered(server):
    tricky = '?actor } ; INSERT DATA { <urn:a> <urn:b> <urn:c> } # SERVICE <http://x/> $target \\u0041'
    literal = tricky.replace("\\", "\\\\").replace('"', '\\"')
    r = get(server, f'SELECT ?x WHERE {{ BIND("{literal}" AS ?x) }}', actor=f"<{POLAND}>", target="x")
    assert r.status == 200
    assert r.json()["results"]["bindings"] == [{"x": {"type": "literal", "value": tricky}}]
    # Request parameters never bind variables.
    r = get(server, 'SELECT ?actor WHERE { VALUES ?actor { "unchanged" } }',
            actor=f"<{POLAND}>", **{"$actor": f"<{POLAND}>"})
    assert r.json()["results"]["bindings"] == [{"actor": {"type": "literal", "value": "unchanged"}}]
    # The project prefixes are predeclared, and a query's own PREFIX still wins.
    assert get(server, "SELECT (kgr:x AS ?x) {}").json()["results"]["bindings"][0]["x"]["value"] == KGR + "x"
    own = get(server, "PREFIX kg: <http://example.org/> SELECT (kg:x AS ?x) {}")
    assert own.json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/x"


def test_query_shape():
    assert query_shape("PREFIX a: <urn:a#>\n# INSERT\nSELECT * {}").form == "SELECT"
    assert query_shape("prefix a: <urn:a#> insert { ?s ?p ?o } where { ?s ?p ?o }").is_update
    assert query_shape("BASE <http://x/> CONSTRUCT WHERE { ?s ?p ?o }").form == "CONSTRUCT"


# --- other stores and the CLI ------------------------------------------------------------------------------------

def test_memory_store(start, memory_store):
    server = start(memory_store, max_rows=2)
    r = get(server, POLAND_POSITIONS, "text/csv")
    assert r.status == 200 and r.headers["X-KG-Truncated"] == "true"
    full = start(memory_store)
    assert poland_troops(list(csv.DictReader(io.StringIO(get(full, POLAND_POSITIONS, "text/csv").text)))) == TROOPS
    g = get(full, f"CONSTRUCT {{ <{POLAND}> ?p ?o }} WHERE {{ <{POLAND}> ?p ?o }}", "application/n-triples")
    assert g.status == 200 and f"<{POLAND}>" in g.text


def test_port_in_use_is_a_one_line_error(ro_store):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    try:
        with pytest.raises(ServeError, match="address already in use"):
            make_server(ro_store, "127.0.0.1", port)
        res = CliRunner().invoke(app, ["serve", "--port", str(port), "--store", str(ro_store.location)])
        assert res.exit_code == 1
        assert res.output.strip() == f"error: cannot listen on 127.0.0.1:{port}: address already in use"
    finally:
        sock.close()


def test_bad_limits_rejected(ro_store):
    with pytest.raises(ServeError):
        make_server(ro_store, port=0, timeout=0)
    with pytest.raises(ServeError):
        make_server(ro_store, port=0, max_rows=0)


def test_kg_serve_command_prints_url_and_stops_on_ctrl_c(seeds_store_path):
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(seeds_store_path), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:(\d+)/sparql)", line)
        assert m, line + proc.stderr.read()
        conn = http.client.HTTPConnection("127.0.0.1", int(m.group(2)), timeout=30)
        conn.request("GET", "/sparql?" + urlencode({"query": POLAND_POSITIONS}), headers={"Accept": "text/csv"})
        resp = conn.getresponse()
        assert resp.status == 200 and "probable" in resp.read().decode()
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert '"GET /sparql?' in err  # the access log


# --- the result formats on their own -------------------------------------------------------------------------

TERMS = [
    Term.iri("http://example.org/a b?c=1#x"),
    Term("bnode", "b0"),
    Term("literal", 'tab\there "quoted" \\ back\nnew line, comma; <tag> & ü', XSD + "string"),
    Term("literal", "Pologne", None, "fr"),
    Term("literal", "42", XSD + "integer"),
    Term("literal", "-1.5", XSD + "decimal"),
    Term("literal", "1.0E3", XSD + "double"),
    Term("literal", "true", XSD + "boolean"),
    Term("literal", "2024-07-11", XSD + "date"),
    None,
]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_formats_round_trip(fmt):
    names = [f"v{i}" for i in range(len(TERMS))]
    res = Result("select", names, [tuple(TERMS), tuple([None] * len(TERMS))])
    text = sr.serialize(res, fmt)
    assert sr.parse(text, sr.MEDIA_TYPES[fmt]) == res
    assert sr.parse(sr.serialize(Result("ask", boolean=False), fmt), fmt).boolean is False


def test_csv_format():
    text = sr.to_csv(Result("select", ["a", "b", "c"], [(TERMS[2], TERMS[1], None)]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b", "c"], [TERMS[2].value, "_:b0", ""]]


def test_graph_writers_parse_back():
    s, p = Term.iri(POLAND), Term.iri("https://w3id.org/kg/ns#note")
    triples = [(s, p, t) for t in TERMS if t is not None and t.kind == "literal"]
    rdf_type = Term.iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples += [(s, rdf_type, Term.iri("https://w3id.org/kg/ns#Country"))]
    expected = {(x.value, y.value, z.value) for x, y, z in triples}
    for text, fmt in [(sr.turtle(triples, {"kg": "https://w3id.org/kg/ns#", "kgr": KGR}), ox.RdfFormat.TURTLE),
                      (sr.ntriples(triples), ox.RdfFormat.N_TRIPLES)]:
        got = {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(text.encode(), format=fmt)}
        assert got == expected


def test_negotiate():
    assert sr.negotiate(None, "select") == "json" and sr.negotiate(None, "graph") == "turtle"
    assert sr.negotiate("*/*", "ask") == "json"
    assert sr.negotiate("text/*", "select") == "csv"
    assert sr.negotiate("text/*", "graph") == "turtle"
    assert sr.negotiate("application/n-triples, text/turtle;q=0.5", "graph") == "ntriples"
    assert sr.negotiate("*/*;q=0.1, application/sparql-results+xml", "select") == "xml"
    assert sr.negotiate("text/csv;q=0, */*", "select") == "json"
    assert sr.negotiate("application/sparql-results+json", "graph") is None
    assert sr.negotiate("application/json", "select") == "json"


# --- the form in a real browser ---------------------------------------------------------------------------------

CHROMIUM = __import__("os").environ.get("KG_CHROMIUM", "/usr/bin/chromium")
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.mark.browser
def test_form_runs_queries_in_a_browser_and_renders_values_as_text(server):
    from pathlib import Path

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it or set KG_CHROMIUM")
    from playwright.sync_api import sync_playwright

    origin = server.url.rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            problems, foreign = [], []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            def route(r):
                if r.request.url.startswith(origin):
                    r.continue_()
                else:
                    foreign.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(server.url)
            page.click("button[type=submit]")
            page.wait_for_selector("#out table", timeout=20_000)
            cells = page.eval_on_selector_all("#out td", "tds => tds.map(td => td.textContent)")
            assert "probable" in cells and "possible" in cells
            assert "rows" in page.text_content("#status")
            # A value full of markup is shown as text, never parsed.
            literal = XSS.replace('"', '\\"')
            page.fill("textarea[name=query]", f'SELECT ?x WHERE {{ BIND("{literal}" AS ?x) }}')
            page.click("button[type=submit]")
            page.wait_for_function("() => document.querySelector('#out td') !== null")
            assert page.text_content("#out td") == XSS
            assert page.evaluate("() => window.__xss") is None
            assert page.evaluate("() => document.querySelectorAll('#out img, #out script').length") == 0
            assert not problems, problems  # e.g. a CSP violation would show here
            # Errors are shown as text too.
            page.fill("textarea[name=query]", "SELECT * WHERE { ?s ?p }")
            page.click("button[type=submit]")
            page.wait_for_selector("#out pre.error")
            assert "malformed SPARQL" in page.text_content("#out pre.error")
            assert "HTTP 400" in page.text_content("#status")
            assert all("status of 400" in m for m in problems), problems
            assert not foreign, foreign
        finally:
            browser.close()


def test_kg_remote_store_reads_through_the_endpoint(server):
    """kg's own SPARQL client (``--store sparql+http://…``) can read from ``kg serve``, and cannot write."""
    remote = pytest.importorskip("kg.store.remote.store")
    from kg.model.errors import KgError
    from kg.analysis.positions import stance

    host = urlsplit(server.url).netloc
    for location in (f"sparql+http://{host}", f"sparql+http://{host}/sparql?union=native"):
        store = open_store(location)
        assert isinstance(store, remote.RemoteStore)
        rows = stance(store, "Poland", "troop-deployment")
        assert {r["certainty"] for r in rows if r["stance"] == "supports"} == {"possible", "probable"}
    with pytest.raises(KgError, match="read-only"):
        open_store(f"sparql+http://{host}").query(INSERT, allow_update=True)
