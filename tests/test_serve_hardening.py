"""``kg serve`` under hostile queries: no outbound request, no crash of the server, time-outs free the CPU.

Every server here listens on 127.0.0.1 (ephemeral ports); the canary HTTP
server that SERVICE would reach listens there too.
"""

from __future__ import annotations

import http.client
import http.server
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pytest

from kg.web.serve import make_server, start_in_thread
from kg.web.serve_check import SERVICE_REFUSED, Limits, Refusal, check_service, check_text, scan
from kg.web.serve_pool import WorkerPool

ASK = "ASK { ?s ?p ?o }"
# Never matches and never streams a row: the engine cannot be interrupted before its deadline.
NEVER = ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
         "FILTER(STRLEN(STR(?c)) + STRLEN(STR(?f)) + STRLEN(STR(?i)) < 0) }")


# --- helpers -----------------------------------------------------------------------------------------

def request(port: int, method: str, query: str, how: str = "get", timeout: float = 60) -> tuple[int, str, float]:
    """(status, body, seconds) for ``query`` sent as GET ?query=, a form POST or an application/sparql-query POST."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    t0 = time.monotonic()
    try:
        if how == "get":
            conn.request("GET", "/sparql?" + urlencode({"query": query}))
        elif how == "form":
            conn.request("POST", "/sparql", body=urlencode({"query": query}),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        else:
            conn.request("POST", "/sparql", body=query.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-query"})
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace"), time.monotonic() - t0
    finally:
        conn.close()


def post(server, query: str, **kw) -> tuple[int, str, float]:
    return request(server.port, "POST", query, "body", **kw)


class Canary:
    """An HTTP server on loopback that counts every request it gets (any method)."""

    def __init__(self):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                hits.append((self.command, self.path))
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = do_PUT = _any

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


@pytest.fixture
def start():
    running = []

    def _start(store, **kw):
        server = make_server(store, "127.0.0.1", 0, **kw)
        running.append((server, start_in_thread(server)))
        return server

    yield _start
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(10)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# --- SERVICE ------------------------------------------------------------------------------------------

def service_spellings(c: str) -> list[str]:
    """Ways to write a SERVICE call to the canary ``c`` (an IRI ending in '/')."""
    body = "{ ?s ?p ?o }"
    return [
        f"SELECT * WHERE {{ SERVICE <{c}sparql> {body} }}",
        f"select * where {{ service <{c}> {body} }}",
        f"SELECT * {{ SeRvIcE <{c}> {body} }}",
        f"SELECT * {{ SERVICE SILENT <{c}> {body} }}",
        f"select * {{ service silent <{c}> {body} }}",
        f"PREFIX : <{c}> SELECT * WHERE {{ SERVICE:s4 {{ ?x ?p ?o }} }}",
        f"PREFIX svc: <{c}> SELECT * WHERE {{ SERVICEsvc:s5 {{ ?x ?p ?o }} }}",
        f"SELECT * {{ SERVICE # a comment between the keyword and the IRI\n <{c}> {body} }}",
        f"SELECT * {{ SERVICE#x\n<{c}>{body} }}",
        f"SELECT * {{\n  SERVICE\n\n\t<{c}>\n  {body}\n}}",
        f"SELECT * {{ {{ {{ SERVICE <{c}> {body} }} }} }}",
        f"SELECT * {{ ?s ?p ?o OPTIONAL {{ SERVICE <{c}> {{ ?s ?p ?x }} }} }}",
        f"SELECT * {{ {{ SELECT ?s WHERE {{ SERVICE <{c}> {body} }} }} }}",
        f"PREFIX : <{c}> SELECT * {{ {{ SELECT * WHERE {{ SERVICE:sub {{ ?x ?p ?o }} }} }} }}",
        f"SELECT * {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{c}> {body} }} }}",
        f"ASK {{ FILTER NOT EXISTS {{ SERVICE <{c}> {body} }} }}",
        f"SELECT * {{ BIND(EXISTS {{ SERVICE <{c}> {body} }} AS ?e) }}",
        f"SELECT * {{ VALUES ?s {{ <{c}> }} SERVICE ?s {{ ?x ?p ?o }} }}",
        f"SELECT * {{ BIND(<{c}> AS ?u) SERVICE ?u {body} }}",
        f"SELECT * {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{c}> {body} }} }}",
        f"SELECT * {{ ?s ?p ?o MINUS {{ SERVICE <{c}> {body} }} }}",
        f"SELECT * {{ GRAPH ?g {{ SERVICE <{c}> {body} }} }}",
        f"BASE <{c}> SELECT * {{ SERVICE <relative> {body} }}",
        f"ASK {{ SERVICE <{c}> {body} }}",
        f"PREFIX : <{c}> ASK {{ SERVICE:s4 {{ ?x ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{c}> {body} }}",
        f"PREFIX svc: <{c}> CONSTRUCT WHERE {{ SERVICEsvc:s5 {{ ?s ?p ?o }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{c}> {body} }}",
        f"SELECT * {{ \\u0053ERVICE <{c}> {body} }}",
        f"SELECT * {{ SERVIC\\u0045 <{c}> {body} }}",
    ]


def test_the_canary_counts_what_the_engine_fetches(canary):
    """Without the endpoint in front, the engine does fetch SERVICE URLs: the canary would see it."""
    import pyoxigraph as ox

    try:
        list(ox.Store().query(f"PREFIX : <{canary.url}> SELECT * WHERE {{ SERVICE:s4 {{ ?x ?p ?o }} }}"))
    except OSError:
        pass
    assert canary.hits


@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_no_service_spelling_leaves_the_server(start, seeds_store_path, canary, how):
    server = start(str(seeds_store_path), workers=2)
    spellings = service_spellings(canary.url)
    assert len(spellings) >= 20
    for query in spellings:
        status, body, _ = request(server.port, "POST" if how != "get" else "GET", query, how)
        assert (status, body) == (400, f"error: {SERVICE_REFUSED}\n"), query
    assert canary.hits == [], "the server fetched a SERVICE URL"
    assert request(server.port, "GET", ASK)[0] == 200


def test_service_in_strings_iris_and_comments_is_no_call(start, seeds_store_path, canary):
    server = start(str(seeds_store_path), workers=1)
    for query in [
        'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/> { }" AS ?x) }  # SERVICE <x> {}',
        "SELECT ?s WHERE { ?s <https://example.org/service> ?o } LIMIT 1",
        "PREFIX service: <https://example.org/service#> SELECT ?s WHERE { ?s service:p ?o } LIMIT 1",
        'SELECT ?x WHERE { BIND("\\\\u0041 SERVICE" AS ?x) }',  # rdflib cannot read this escape; Oxigraph can
    ]:
        status, body, _ = request(server.port, "GET", query)
        assert status == 200, (query, body)
    assert canary.hits == []


def test_check_service_directly():
    limits = Limits()
    check_service("SELECT * { ?s ?p 'no such word' }", {}, limits)
    with pytest.raises(Refusal) as e:
        check_service("SELECT * { SERVICE <http://127.0.0.1:1/> { } }", {}, limits)
    assert e.value.status == 400
    with pytest.raises(Refusal) as e:  # an update that mentions SERVICE is still an update
        check_service("INSERT DATA { <urn:service> <urn:p> <urn:o> }", {}, limits)
    assert e.value.status == 403


def test_workers_cannot_open_network_sockets(canary):
    """The worker's seccomp filter: even a SERVICE the checks missed could not connect anywhere."""
    code = f"""
import socket, sys
import pyoxigraph as ox
from kg.web.serve_worker import block_network
if not block_network():
    sys.exit(3)
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM)
except PermissionError:
    pass
else:
    sys.exit(4)
socket.socketpair()  # local sockets still work: the pool talks to its workers over one
try:
    list(ox.Store().query("SELECT * {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"))
except OSError as e:
    print("refused:", e)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    if proc.returncode == 3:
        pytest.skip("no seccomp on this system")
    assert proc.returncode == 0, proc.stderr
    assert "refused" in proc.stdout
    assert canary.hits == []


# --- limits and crashes -----------------------------------------------------------------------------------

def test_scanner_counts_nesting_outside_strings_and_comments():
    assert scan("ASK { FILTER((1)) }").depth == 3
    assert scan('ASK { ?s ?p "{{{{((((" } # {{{{{{').depth == 1
    assert scan("ASK { ?s ?p '''\n{{{\n''' }").depth == 1
    assert scan("ASK { <http://x/#> ?p ?o {{ }} }").depth == 3  # '#' in an IRI starts no comment
    assert scan("PREFIX ex: <http://e/> ASK { ex:a\\#b ?p ?o {{ }} }").depth == 3  # nor an escaped one
    assert scan("ASK " + "\\u007B" * 10 + "\\u007D" * 10).depth == 10  # escapes counted as what they stand for
    assert scan("ASK { FILTER(!!!!!!true) }").depth == 8
    assert scan("ASK { FILTER(?a != 1 && !BOUND(?b)) }").depth == 3
    assert scan("ASK { " * 100 + "}" * 100, stop=10).depth == 11  # counting stops past the limit
    with pytest.raises(Refusal):
        check_text("ASK " + "{" * 65 + "}" * 65, Limits(max_depth=64))
    with pytest.raises(Refusal):
        check_text("ASK { }" + " " * 200, Limits(max_query_bytes=100))
    assert check_text("ASK " + "{" * 64 + "}" * 64, Limits(max_depth=64)).depth == 64


CRASHERS = {
    "3,000 braces": "ASK " + "{" * 3000 + "}" * 3000,
    "100k blank-node brackets": "ASK { ?s <urn:p> " + "[ <urn:p> " * 100_000 + "<urn:o>" + " ]" * 100_000 + " }",
    "200k braces": "ASK " + "{" * 200_000 + "}" * 200_000,
    "300k parentheses": "ASK { FILTER(" + "(" * 300_000 + "1" + ")" * 300_000 + ") }",
    "10k negations": "ASK { FILTER(" + "!" * 10_000 + "true) }",
    "10k ORs": "ASK { FILTER(" + " || ".join(["?x = 1"] * 10_000) + ") }",
    "10k UNIONs": "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }",
    "10k-step path": "ASK { ?s " + "/".join(["<urn:p>"] * 10_000) + " ?o }",
}


@pytest.mark.parametrize("limits", ["default", "lifted"])
def test_crash_inputs_never_take_the_server_down(start, seeds_store_path, limits):
    """Within the default limits they are refused (400); with the limits lifted they crash a worker (500) only."""
    kw = {} if limits == "default" else {"max_depth": 10**7, "max_query_bytes": 8 << 20}
    server = start(str(seeds_store_path), workers=2, timeout=1.5, **kw)  # a crash is answered at the deadline
    for name, query in CRASHERS.items():
        status, body, _ = post(server, query)
        assert 400 <= status < 600, (name, status)
        assert body.startswith("error: ") and body.count("\n") == 1, (name, body[:200])
        if limits == "default" and name in ("3,000 braces", "200k braces", "300k parentheses", "10k negations",
                                            "100k blank-node brackets"):
            assert status in (400, 413), (name, body)  # over the depth limit, or the size limit (1.2 MB)
        assert post(server, ASK)[0] == 200, f"the server stopped answering after {name}"


def test_kg_serve_survives_crashes_without_a_traceback(seeds_store_path, canary):
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(seeds_store_path), "--port", "0",
                             "--workers", "2", "--max-depth", "100000", "--max-query-bytes", "4000000",
                             "--timeout", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/sparql", line)
        assert m, line
        port = int(m.group(1))
        queries = [CRASHERS["3,000 braces"], CRASHERS["10k ORs"], "SELECT * WHERE { ?s ?p }",
                   service_spellings(canary.url)[5], "SELECT ?x WHERE { ?x undeclared:p ?y }"]
        for q in queries:
            assert request(port, "POST", q, "body")[0] in (400, 500)
            assert request(port, "GET", ASK)[0] == 200
        assert request(port, "POST", "ASK " + "{" * 100_001 + "}" * 100_001, "body")[0] == 400
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "panicked" not in err and "overflow" not in err, err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 2 * 5 + 1 + 1, err  # one access-log line per request, and "kg serve: stopped"
    assert canary.hits == []


# --- time-outs ------------------------------------------------------------------------------------------------

def test_timed_out_queries_are_killed_and_free_the_cpu(start, seeds_store_path):
    server = start(str(seeds_store_path), workers=2, timeout=1)
    pool = server.runner
    assert isinstance(pool, WorkerPool)
    assert pool.wait_idle(30)
    before = set(pool.pids())
    with ThreadPoolExecutor(4) as ex:
        answers = list(ex.map(lambda _: post(server, NEVER), range(4)))
    assert all(status == 503 for status, _, _ in answers), answers
    assert any("timed out" in body for _, body, _ in answers)
    # The workers that ran them are gone within a second of their deadlines, replaced by new ones.
    time.sleep(1.0)
    assert not any(alive(pid) for pid in before), "a timed-out worker is still alive"
    status, body, took = post(server, ASK)
    assert status == 200 and took < 2.0, (status, body, took)
    assert pool.wait_idle(30)
    pids = pool.pids()
    assert pids and not set(pids) & before
    used = sum(cpu_seconds(p) for p in pids)
    time.sleep(1.0)
    assert sum(cpu_seconds(p) for p in pids) - used < 0.3, "a worker is still burning CPU"


def test_streaming_query_stops_by_itself_and_keeps_its_worker(start, seeds_store_path):
    server = start(str(seeds_store_path), workers=1, timeout=0.5, max_rows=10**9, max_memory=1 << 30)
    pool = server.runner
    assert pool.wait_idle(30)
    (pid,) = pool.pids()
    status, body, _ = post(server, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert status == 503 and "timed out" in body
    assert pool.wait_idle(10)
    assert pool.pids() == [pid]  # it noticed its deadline within the grace: no kill, no new process
    assert post(server, ASK)[0] == 200


def test_a_query_past_the_memory_limit_is_stopped(start, seeds_store_path):
    server = start(str(seeds_store_path), workers=2, timeout=5, max_memory=128 << 20)
    pool = server.runner
    assert pool.wait_idle(30)
    before = set(pool.pids())
    status, body, took = post(server, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f ?a ?d")
    assert status == 503 and "needed more memory" in body, (status, body)
    assert 4 < took < 30  # answered at the deadline, like a time-out, though the worker went at once
    assert len(before - set(pool.pids())) == 1
    assert post(server, ASK)[0] == 200


def test_serve_help_lists_the_limits():
    from typer.testing import CliRunner

    from kg.cli import app

    out = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"}).output
    for option in ("--max-depth", "--max-query-bytes", "--max-memory", "--workers"):
        assert option in out
