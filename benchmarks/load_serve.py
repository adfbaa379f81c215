"""Load test of ``kg serve``: concurrent ``kg stance``-style queries over loopback.

Starts ``kg serve`` in a subprocess on a built store (the seeds, built into a
temporary folder, unless ``--store`` names one), then runs ``--clients``
threads, each with its own keep-alive connection, sending the shipped
``stance`` query with a different actor bound by a ``VALUES`` clause in the
query text, until ``--requests`` requests are done or ``--duration`` seconds
have passed.  Prints requests/s, latency percentiles, errors (which should be
zero) and the server's resident memory at start, after a warm-up and at the
end.  Figures are printed, never asserted.

Hostile clients can be mixed in (they count among ``--clients``): ``--slow-clients``
send never-matching cross joins back to back (each runs until the server's
time-out), ``--bad-clients`` send malformed queries, SERVICE calls to a canary
HTTP server on 127.0.0.1 (its hits are reported: they should be zero) and, with
``--crashers``, queries nested thousands deep.  Memory is then the sum over the
server and every process under it (query workers), sampled twice a second.

    python benchmarks/load_serve.py                     # seeds, 16 clients, 5000 requests
    python benchmarks/load_serve.py --store .kg --duration 60 --requests 0
    python benchmarks/load_serve.py --store /tmp/store-20000 --duration 60 --requests 0 \\
        --slow-clients 2 --bad-clients 2 --crashers
"""

from __future__ import annotations

import argparse
import collections
import http.client
import http.server
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import queries  # noqa: E402


def rss_kib(pid: int) -> dict[str, int]:
    """Resident memory of ``pid`` in KiB: current (VmRSS) and peak (VmHWM)."""
    try:
        import psutil  # type: ignore

        info = psutil.Process(pid).memory_info()
        out = {"rss": info.rss // 1024}
        peak = getattr(info, "peak_wset", None)
        if peak:
            out["peak"] = peak // 1024
    except ImportError:
        out = {}
    except Exception:  # psutil.NoSuchProcess: a worker replaced between listing and reading it
        return {}
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        for key, name in (("VmRSS", "rss"), ("VmHWM", "peak")):
            m = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
            if m:
                out.setdefault(name, int(m.group(1)))
    except OSError:
        pass
    return out


def tree_pids(root: int) -> list[int]:
    """``root`` and every process under it (children of children too)."""
    parents: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents[ppid].append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, ()))
    return out


def tree_memory_kib(root: int) -> tuple[int, int, int]:
    """(processes, summed RSS, summed PSS) in KiB over ``root`` and its descendants; shared pages count in each RSS."""
    pids = tree_pids(root)
    rss = pss = 0
    for pid in pids:
        rss += rss_kib(pid).get("rss", 0)
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                m = re.search(r"^Pss:\s+(\d+) kB", f.read(), re.M)
            pss += int(m.group(1)) if m else 0
        except OSError:
            pass
    return len(pids), rss, pss


class MemorySampler(threading.Thread):
    """Samples :func:`tree_memory_kib` every ``every`` seconds, keeping the largest sums."""

    def __init__(self, root: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.root, self.every = root, every
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = self.peak_procs = 0
        self.last = (0, 0, 0)

    def run(self) -> None:
        while not self.stop.is_set():
            self.last = n, rss, pss = tree_memory_kib(self.root)
            self.peak_rss, self.peak_pss, self.peak_procs = max(self.peak_rss, rss), max(self.peak_pss, pss), \
                max(self.peak_procs, n)
            self.stop.wait(self.every)


def fmt_mem(m: dict[str, int]) -> str:
    rss = f"{m['rss'] / 1024:.1f} MiB" if "rss" in m else "?"
    peak = f" (peak {m['peak'] / 1024:.1f} MiB)" if "peak" in m else ""
    return rss + peak


def stance_query(actor_iri: str) -> str:
    """The shipped stance query with ?actor bound in the text, as a client would write it."""
    text = queries.load("stance")
    head, sep, body = text.partition("WHERE {")
    assert sep, "stance.rq has no WHERE {"
    return f"{head}WHERE {{\n  VALUES ?actor {{ <{actor_iri}> }}{body}"


def slow_query(i: int) -> str:
    """A cross join that matches nothing and streams no row, so it runs until the server's time-out."""
    return (f"SELECT * WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
            f"FILTER(STRLEN(STR(?c)) + STRLEN(STR(?f)) + STRLEN(STR(?i)) < {-1 - i % 7}) }}")


def bad_queries(canary: str, crashers: bool) -> list[str]:
    """Malformed queries, SERVICE calls to ``canary`` and (``crashers``) queries nested deep enough to crash a parser."""
    out = [
        "SELECT * WHERE { ?s ?p }",
        "SELECT ?x WHERE { ?x undeclared:p ?y }",
        "SELECT * WHERE { ?s ?p ?o } ORDER BY",
        "ASK { FILTER(1 +) }",
        f"SELECT * WHERE {{ SERVICE <{canary}a> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{canary}> SELECT * WHERE {{ SERVICE:s4 {{ ?x ?p ?o }} }}",
        f"PREFIX svc: <{canary}> ASK {{ SERVICEsvc:s5 {{ ?x ?p ?o }} }}",
        f"SELECT * {{ {{ SELECT * WHERE {{ SERVICE <{canary}sub> {{ ?s ?p ?o }} }} }} }}",
    ]
    if crashers:
        out += ["ASK " + "{" * 3000 + "}" * 3000, "ASK { FILTER(" + "(" * 20000 + "1" + ")" * 20000 + ") }"]
    return out


class Canary:
    """An HTTP server on 127.0.0.1 counting the requests it gets (SERVICE calls that got out)."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                hits.append(self.command)
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Noise(threading.Thread):
    """A client sending ``bodies`` back to back until ``stop`` is set, counting answers by status."""

    def __init__(self, endpoint: str, bodies: list[bytes], stop: threading.Event):
        super().__init__(daemon=True)
        url = urlsplit(endpoint)
        self.host, self.port, self.path = url.hostname, url.port, url.path
        self.bodies, self.stop = bodies, stop
        self.statuses: collections.Counter = collections.Counter()

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
        i = 0
        while not self.stop.is_set():
            body = self.bodies[i % len(self.bodies)]
            i += 1
            try:
                conn.request("POST", self.path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                self.statuses[resp.status] += 1
                if resp.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as e:
                self.statuses[type(e).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                time.sleep(0.05)  # a dead server: do not spin
        conn.close()


def start_server(store: str, timeout: float, max_rows: int, workers: int | None) -> tuple[subprocess.Popen, str, Path]:
    err = Path(tempfile.mkstemp(prefix="kg-serve-", suffix=".log")[1])
    cmd = [sys.executable, "-m", "kg", "serve", "--store", store, "--port", "0", "--quiet",
           "--timeout", str(timeout), "--max-rows", str(max_rows)] + (["--workers", str(workers)] if workers else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=err.open("w"), text=True)
    print("server: " + " ".join(cmd[1:]) + (f" (PYTHONPATH={os.environ['PYTHONPATH']})"
                                            if os.environ.get("PYTHONPATH") else ""))
    line = proc.stdout.readline()
    m = re.search(r"(http://\S+/sparql)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"kg serve did not start: {line!r} {err.read_text()}")
    return proc, m.group(1), err


class Client(threading.Thread):
    def __init__(self, endpoint: str, bodies: list[bytes], budget: "Budget"):
        super().__init__(daemon=True)
        url = urlsplit(endpoint)
        self.host, self.port, self.path = url.hostname, url.port, url.path
        self.bodies, self.budget = bodies, budget
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.rows = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
        while (i := self.budget.take()) is not None:
            body = self.bodies[i % len(self.bodies)]
            t0 = time.perf_counter()
            try:
                conn.request("POST", self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                took = time.perf_counter() - t0
                if resp.status != 200:
                    self.errors.append(f"HTTP {resp.status}: {data[:120]!r}")
                    continue
                self.rows += len(json.loads(data)["results"]["bindings"])
                self.latencies.append(took)
            except (OSError, http.client.HTTPException, ValueError) as e:
                self.errors.append(f"{type(e).__name__}: {e}")
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                time.sleep(0.05)  # a dead server: do not spin
        conn.close()


class Budget:
    """Hands out request numbers until ``requests`` are taken (0: no cap) or ``seconds`` have passed."""

    def __init__(self, requests: int, seconds: float):
        self.requests, self.deadline = requests, time.monotonic() + seconds
        self.n = 0
        self.lock = threading.Lock()

    def take(self) -> int | None:
        with self.lock:
            if (self.requests and self.n >= self.requests) or time.monotonic() > self.deadline:
                return None
            self.n += 1
            return self.n - 1


def run_load(endpoint: str, bodies: list[bytes], clients: int, requests: int, seconds: float) -> dict:
    budget = Budget(requests, seconds)
    threads = [Client(endpoint, bodies, budget) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = sorted(x for t in threads for x in t.latencies)
    errors = [e for t in threads for e in t.errors]
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0] if lat else 0.0] * 99
    return {"requests": len(lat) + len(errors), "ok": len(lat), "errors": errors, "wall": wall, "latencies": lat,
            "rps": (len(lat) + len(errors)) / wall if wall else 0.0, "p50": q[49], "p95": q[94], "p99": q[98],
            "max": lat[-1] if lat else 0.0, "rows": sum(t.rows for t in threads)}


def actor_iris(endpoint: str) -> list[str]:
    url = urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    q = "SELECT DISTINCT ?actor WHERE { ?a kg:actor ?actor } ORDER BY ?actor"
    conn.request("GET", url.path + "?" + urlencode({"query": q}))
    data = json.loads(conn.getresponse().read())
    conn.close()
    return [b["actor"]["value"] for b in data["results"]["bindings"]]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", help="a built store folder (default: build the seeds into a temporary folder)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=5000, help="requests in the measured run (0: only --duration)")
    ap.add_argument("--duration", type=float, default=60.0, help="at most this many seconds of measured load")
    ap.add_argument("--rounds", type=int, default=4, help="split the measured run, printing memory after each")
    ap.add_argument("--warmup", type=int, default=200, help="requests before the measured run")
    ap.add_argument("--timeout", type=float, default=10.0, help="the server's --timeout")
    ap.add_argument("--max-rows", type=int, default=10000, help="the server's --max-rows")
    ap.add_argument("--workers", type=int, default=None, help="the server's --workers (default: the server's)")
    ap.add_argument("--slow-clients", type=int, default=0, help="clients (of --clients) sending endless cross joins")
    ap.add_argument("--bad-clients", type=int, default=0,
                    help="clients (of --clients) sending malformed queries and SERVICE calls to a local canary")
    ap.add_argument("--crashers", action="store_true", help="bad clients also send queries nested thousands deep")
    args = ap.parse_args(argv)
    cheap_clients = args.clients - args.slow_clients - args.bad_clients
    if cheap_clients < 1:
        raise SystemExit("--slow-clients and --bad-clients leave no client for the valid queries")

    tmp = None
    store = args.store
    if store is None:
        from kg.graph.build import build

        tmp = tempfile.TemporaryDirectory(prefix="kg-load-")
        store = str(Path(tmp.name) / "seeds.kg")
        t0 = time.perf_counter()
        build([ROOT / "seeds"], store)
        print(f"built the seeds into {store} in {time.perf_counter() - t0:.1f} s")

    proc, endpoint, errlog = start_server(store, args.timeout, args.max_rows, args.workers)
    try:
        mem_start = rss_kib(proc.pid)
        actors = actor_iris(endpoint)
        if not actors:
            raise SystemExit("the store has no assertions to query")
        bodies = [urlencode({"query": stance_query(a)}).encode() for a in actors]
        print(f"kg serve pid {proc.pid} at {endpoint}; {len(actors)} actors; {args.clients} clients "
              f"({cheap_clients} valid, {args.slow_clients} slow, {args.bad_clients} bad)")
        warm = run_load(endpoint, bodies, cheap_clients, args.warmup, args.duration)
        mem_warm = rss_kib(proc.pid)
        print(f"warm-up: {warm['requests']} requests, {len(warm['errors'])} errors; server memory {fmt_mem(mem_warm)}")
        sampler = MemorySampler(proc.pid)
        sampler.start()
        canary = Canary()
        stop_noise = threading.Event()
        slow = [Noise(endpoint, [urlencode({"query": slow_query(i)}).encode() for i in range(7)], stop_noise)
                for _ in range(args.slow_clients)]
        bad = [Noise(endpoint, [urlencode({"query": q}).encode() for q in bad_queries(canary.url, args.crashers)],
                     stop_noise) for _ in range(args.bad_clients)]
        for t in slow + bad:
            t.start()
        rounds = []
        per_round = -(-args.requests // args.rounds) if args.requests else 0
        end = time.monotonic() + args.duration
        for i in range(args.rounds):
            left = end - time.monotonic()
            if left <= 0:
                break
            r = run_load(endpoint, bodies, cheap_clients, per_round, left / (args.rounds - i))
            rounds.append(r)
            n, rss, pss = sampler.last
            print(f"  round {i + 1}: {r['requests']} requests, {r['rps']:.0f} requests/s, "
                  f"p50 {r['p50'] * 1000:.1f} ms, p95 {r['p95'] * 1000:.1f} ms, "
                  f"{len(r['errors'])} errors; server memory {fmt_mem(rss_kib(proc.pid))}, "
                  f"with its {n - 1} child processes RSS {rss / 1024:.1f} MiB (PSS {pss / 1024:.1f} MiB)")
        mem_end = rss_kib(proc.pid)
        stop_noise.set()
        for t in slow + bad:
            t.join(60)
        alive = proc.poll() is None
        sampler.stop.set()
        sampler.join()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if tmp is not None:
            tmp.cleanup()

    ms = lambda s: f"{s * 1000:.1f} ms"  # noqa: E731
    lat = sorted(x for r in rounds for x in r["latencies"])
    errors = [e for r in rounds for e in r["errors"]]
    wall = sum(r["wall"] for r in rounds)
    total = len(lat) + len(errors)
    rows = sum(r["rows"] for r in rounds)
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0] if lat else 0.0] * 99
    print(f"measured: {total} requests in {wall:.2f} s = {total / wall if wall else 0:.0f} requests/s "
          f"({rows} result rows, {rows / max(len(lat), 1):.1f} per answer)")
    print(f"latency: p50 {ms(q[49])}, p95 {ms(q[94])}, p99 {ms(q[98])}, max {ms(lat[-1] if lat else 0)}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"valid queries answered 200: {len(lat)} of {total} = {100 * len(lat) / max(total, 1):.2f} %")
    if slow or bad:
        counts = lambda ts: dict(sum((t.statuses for t in ts), collections.Counter()))  # noqa: E731
        print(f"slow clients' answers: {counts(slow)}; bad clients' answers: {counts(bad)}")
        print(f"SERVICE requests that reached the canary: {len(canary.hits)}")
    print(f"server and workers, summed over {sampler.peak_procs} processes at most: peak RSS "
          f"{sampler.peak_rss / 1024:.1f} MiB, peak PSS {sampler.peak_pss / 1024:.1f} MiB (sampled every 0.5 s)")
    print(f"server still running at the end of the load: {'yes' if alive else 'NO'}")
    print(f"server memory: start {fmt_mem(mem_start)}, after warm-up {fmt_mem(mem_warm)}, end {fmt_mem(mem_end)}")
    print(f"server exit code after SIGINT: {proc.returncode}")
    log = errlog.read_text().strip()
    errlog.unlink(missing_ok=True)
    if log and log != "kg serve: stopped":
        print("server stderr:\n" + log)


if __name__ == "__main__":
    main()
