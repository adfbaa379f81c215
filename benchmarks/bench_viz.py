"""Benchmark: a large synthetic debate through the viz layer and into headless Chromium.

Generates assertion rows (default 5,000 actors, 100,000 assertions, power-law
activity), builds the congruence and stance views with top-N pruning, writes
the HTML and measures, in headless Chromium with every network request
blocked, the time until the page is interactive (``window.kgReady``: the
network has been drawn and its physics are off).

    python benchmarks/bench_viz.py [--actors 5000] [--assertions 100000] [--max-nodes 300] [--out DIR]
    python benchmarks/bench_viz.py --store /tmp/store-100k     # a store built from benchmarks/generate.py

Needs playwright and a Chromium (``--chromium``, default /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.web.pages import DEFAULT_MAX_EDGES, DEFAULT_MAX_NODES, to_pyvis, write_html  # noqa: E402
from kg.analysis.rows import Row  # noqa: E402
from kg.analysis.view_spec import ViewSpec  # noqa: E402
from kg.analysis.views import build_view  # noqa: E402

STANCE_WEIGHTS = {"supports": 45, "opposes": 25, "hesitant": 15, "divided": 5, "neutral": 10}
CERTAINTY_WEIGHTS = {"certain": 50, "probable": 30, "possible": 20}
TYPES = ("State", "Person", "InternationalOrganisation", "ActorGroup")
WORDS = ("alliance summit troops guarantees membership support oppose weapons security pledge Kyiv Vilnius "
         "ceasefire sanctions eastern flank defence spending invitation path allies partners").split()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def synthetic_rows(n_actors: int = 5000, n_assertions: int = 100_000, n_topics: int = 60,
                   n_sources: int = 25, seed: int = 1) -> list[Row]:
    """Rows with Zipf-like actor activity: a few actors speak a lot, most only once or twice.

    Actors lean towards camps (a stance preference per topic cluster), so the congruence
    network has real coalitions and the conflict network real cross-camp edges.
    """
    rnd = random.Random(seed)
    actors = [(f"https://example.org/actor/{i}", f"Actor {i:04d}", TYPES[i % len(TYPES)]) for i in range(n_actors)]
    weights = [1.0 / (i + 1) ** 0.9 for i in range(n_actors)]
    topics = [(f"https://example.org/topic/t{i}", f"Topic {i}") for i in range(n_topics)]
    topic_weights = [1.0 / (i + 1) ** 0.7 for i in range(n_topics)]
    camp = [rnd.randrange(3) for _ in range(n_actors)]
    camp_stance = [[rnd.choice(("supports", "opposes", "hesitant")) for _ in range(n_topics)] for _ in range(3)]
    stances, stance_w = zip(*STANCE_WEIGHTS.items())
    certs, cert_w = zip(*CERTAINTY_WEIGHTS.items())
    actor_idx = rnd.choices(range(n_actors), weights=weights, k=n_assertions)
    topic_idx = rnd.choices(range(n_topics), weights=topic_weights, k=n_assertions)
    rows = []
    for i, (a, t) in enumerate(zip(actor_idx, topic_idx)):
        iri, label, typ = actors[a]
        stance = camp_stance[camp[a]][t] if rnd.random() < 0.7 else rnd.choices(stances, stance_w)[0]
        src = rnd.randrange(n_sources)
        doc = f"doc{i // 20:05d}"
        month = 1 + (i // 20) % 12
        rows.append(Row(
            assertion=f"https://example.org/assertion/{i}", actor=iri, actor_label=label, actor_type=typ,
            stance=stance, target=topics[t][0], target_label=topics[t][1], target_kind="topic", topic=f"t{t}",
            certainty=rnd.choices(certs, cert_w)[0], speaker=None, speaker_label=None,
            quote=" ".join(rnd.choices(WORDS, k=12)), doc=doc, source=f"Outlet {src}", outlet=f"Outlet {src}",
            date=f"2023-{month:02d}-{1 + i % 28:02d}", method="extracted", confidence=0.8,
        ))
    return rows


def time_to_interactive(path: Path, chromium: str, timeout_s: float = 60.0) -> dict:
    """Open ``path`` with the network blocked; seconds from navigation to ``kgReady``, and what was blocked."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})

        def route(r):
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        t0 = time.perf_counter()
        page.goto(path.resolve().as_uri(), wait_until="commit")
        page.wait_for_function("() => window.kgReady === true", timeout=timeout_s * 1000)
        wall = time.perf_counter() - t0
        in_page = page.evaluate("window.kgReadyAt / 1000")
        # Interactive means it answers: time a search (select + focus + panel) once ready.
        t1 = time.perf_counter()
        page.evaluate("window.kgSearch(window.kgData.nodes[0].label)")
        search = time.perf_counter() - t1
        counts = page.evaluate("[kgNodes.length, kgEdges.length]")
        browser.close()
    return {"wall_s": wall, "in_page_s": in_page, "search_s": search, "blocked": blocked, "errors": errors,
            "nodes": counts[0], "edges": counts[1]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--actors", type=int, default=5000)
    ap.add_argument("--assertions", type=int, default=100_000)
    ap.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES)
    ap.add_argument("--max-edges", type=int, default=DEFAULT_MAX_EDGES)
    ap.add_argument("--views", default="congruence,stance,conflict")
    ap.add_argument("--out", type=Path, default=None, help="Folder for the HTML files (default: a temp folder).")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--store", default=None,
                    help="Read the assertions from this store (e.g. one built from benchmarks/generate.py) "
                         "instead of generating rows.")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    out.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    if args.store:
        from kg.store import open_store
        from kg.analysis.rows import fetch_rows

        with open_store(args.store, read_only=True) as store:
            rows = fetch_rows(store)
        how = f"read from {args.store}"
    else:
        rows = synthetic_rows(args.actors, args.assertions)
        how = "generated"
    print(f"rows: {len(rows):,} assertions, {len({r.actor for r in rows}):,} actors "
          f"({time.perf_counter() - t:.2f} s, {how})")
    print(f"{'view':<11} {'nodes':>6} {'edges':>6} {'left out':>17} {'build s':>8} {'html s':>7} {'HTML MB':>8} "
          f"{'ready s':>8} {'in-page s':>9} {'search s':>8}")
    failed = False
    for view in args.views.split(","):
        t = time.perf_counter()
        g = build_view(rows, ViewSpec(view, max_nodes=args.max_nodes, max_edges=args.max_edges))
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        path = write_html(to_pyvis(g), out / f"bench-{view}.html")
        html_s = time.perf_counter() - t
        om = g.graph["omitted"]
        left = f"{om['nodes']:,}n/{om['edges']:,}e"
        line = (f"{view:<11} {g.number_of_nodes():>6,} {g.number_of_edges():>6,} {left:>17} {build_s:>8.2f} "
                f"{html_s:>7.2f} {path.stat().st_size / 1e6:>8.2f}")
        if not args.no_browser:
            r = time_to_interactive(path, args.chromium)
            line += f" {r['wall_s']:>8.2f} {r['in_page_s']:>9.2f} {r['search_s']:>8.3f}"
            if r["blocked"] or r["errors"] or r["nodes"] != g.number_of_nodes():
                failed = True
                line += f"  PROBLEM: blocked={r['blocked'][:3]} errors={r['errors'][:3]} nodes={r['nodes']}"
        print(line, flush=True)
    print(f"HTML in {out}")
    print("note: " + (g.graph.get("note") or "(nothing left out)"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
