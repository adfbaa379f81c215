"""Scale benchmark: build throughput vs Oxigraph's bulk loader, query latency, memory, disk.

    python benchmarks/run.py --sizes 10000,100000,1000000

For each size it generates (or reuses) a synthetic corpus (benchmarks/generate.py),
then measures, each in a fresh process so that start-up is included:

- ``kg build`` (curated only, ``--full``): seconds, triples/s, peak RSS;
- Oxigraph's own bulk loader on the same data (``kg export --format nquads``
  loaded by ``pyoxigraph.Store.bulk_load``) in the same run, and the ratio;
- p50/p95 latency of ``kg stance``, ``kg who``, the congruence network of one
  topic as the page users open (``kg viz --view congruence --topic``) and its
  analysis (``kg network --view congruence --topic``, congruence being the default
  view: centralities, coalitions, polarisation), end to end;
- the measures of 52 weekly windows of the same topic (``kg network --topic T
  --window 7d --step 7d`` over 2022: density, coalitions and their modularity,
  DNA's polarisation per window), and of the busiest topic (``windows_busiest``:
  the first of generate.py's codebook, whose topics are drawn by a power law in
  that order);
- the store's size on disk;
- the machine's load average (1 minute) when each size's queries start and end:
  figures move with it on a shared machine.

kg's modules are byte-compiled first, as pip does when it installs a package.
``--queries-only`` reuses the store an earlier run left in ``--work`` (its corpus
too) and measures the queries alone: for a change that leaves the build as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KG = [sys.executable, "-m", "kg"]


def peak_rss(cmd: list[str]) -> tuple[float, int, str]:
    """Run ``cmd``; return (wall seconds, peak RSS of this child in bytes via os.wait4, stdout)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"command failed: {' '.join(cmd)}\n{err.read().decode()[-2000:]}")
        return wall, usage.ru_maxrss * 1024, out.read().decode()


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s), s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def bench(size: int, work: Path, repeats: int, seed: int, windows: bool = True, queries_only: bool = False) -> dict:
    corpus = work / f"corpus-{size}"
    if not (corpus / "curated.jsonl").exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--assertions", str(size), "--out", str(corpus),
                        "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    store = work / f"store-{size}"
    if queries_only and store.exists():  # the store an earlier run built: query latencies only
        print(f"[{size}] reusing {store}", file=sys.stderr, flush=True)
        nan = float("nan")
        triples, build_s, build_rss, bulk_s = 0, nan, 0, nan
    else:
        triples, build_s, build_rss, bulk_s = build_and_load(size, corpus, store, work)
    return {"assertions": size, "triples": triples, "build_s": build_s, "build_tps": triples / build_s,
            "bulk_s": bulk_s, "bulk_tps": triples / bulk_s, "ratio": bulk_s / build_s,
            "rss_gib": build_rss / 2**30, "disk_mib": du(store) / 2**20,
            **latencies(corpus, store, work, size, repeats, seed, windows)}


def build_and_load(size: int, corpus: Path, store: Path, work: Path) -> tuple[int, float, int, float]:
    """``kg build`` of the corpus, then Oxigraph's bulk loader on its export: (triples, build seconds,
    build peak RSS, bulk-load seconds)."""
    shutil.rmtree(store, ignore_errors=True)
    build_s, build_rss, out = peak_rss(KG + ["build", str(corpus), "--store", str(store), "--no-extract", "--full"])
    triples = int(out.split("triples: ")[1].split(",")[0])
    print(f"[{size}] build {build_s:.1f} s", file=sys.stderr, flush=True)

    nq = work / f"export-{size}.nq"
    peak_rss(KG + ["export", "--format", "nquads", "--out", str(nq), "--store", str(store)])
    bulk_dir = work / f"bulk-{size}"
    shutil.rmtree(bulk_dir, ignore_errors=True)
    loader = ("import pyoxigraph as ox, sys; s = ox.Store(sys.argv[1]); "
              "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS); s.flush()")
    print(f"[{size}] exported", file=sys.stderr, flush=True)
    bulk_s, _, _ = peak_rss([sys.executable, "-c", loader, str(bulk_dir), str(nq)])
    print(f"[{size}] bulk load {bulk_s:.1f} s", file=sys.stderr, flush=True)
    shutil.rmtree(bulk_dir, ignore_errors=True)
    nq.unlink()
    return triples, build_s, build_rss, bulk_s


def latencies(corpus: Path, store: Path, work: Path, size: int, repeats: int, seed: int, windows: bool) -> dict:
    """p50 and p95 seconds of each command, on topics and actors drawn with ``seed``."""
    rng = random.Random(seed)
    actors = [line.split('skos:prefLabel "')[1].split('"@en')[0]
              for line in (corpus / "actors.ttl").read_text(encoding="utf-8").splitlines() if "prefLabel" in line]
    topics = [line.split('skos:notation "')[1].split('"')[0]
              for line in (corpus / "topics.ttl").read_text(encoding="utf-8").splitlines() if "notation" in line]
    lat: dict[str, list[float]] = {"stance": [], "who": [], "congruence": [], "analysis": [], "windows": [],
                                   "windows_busiest": []}
    load_start = os.getloadavg()[0]
    n_windows = 0
    page = work / f"congruence-{size}.html"
    for _ in range(repeats):
        a, t = rng.choice(actors), rng.choice(topics[:50])  # topics people ask about are the active ones
        lat["stance"].append(peak_rss(KG + ["stance", a, "--format", "json", "--store", str(store)])[0])
        lat["who"].append(peak_rss(KG + ["who", t, "--format", "json", "--store", str(store)])[0])
        lat["congruence"].append(peak_rss(KG + ["viz", "--view", "congruence", "--topic", t, "--out", str(page),
                                                "--store", str(store)])[0])
        lat["analysis"].append(peak_rss(KG + ["network", "--view", "congruence", "--topic", t, "--format", "json",
                                              "--store", str(store)])[0])
        if windows:  # generate.py dates documents from 2022-01-01: 52 whole weeks up to this day
            for key, topic in (("windows", t), ("windows_busiest", topics[0])):
                wall, _, out = peak_rss(KG + ["network", "--topic", topic, "--window", "7d", "--step", "7d",
                                              "--since", "2022-01-01", "--until", "2023-01-03", "--format", "json",
                                              "--store", str(store)])
                lat[key].append(wall)
                n_windows = len(json.loads(out))
    return {
        "n_windows": n_windows, "load_start": load_start, "load_end": os.getloadavg()[0],
        **{f"{k}_p50": percentiles(v)[0] for k, v in lat.items() if v},
        **{f"{k}_p95": percentiles(v)[1] for k, v in lat.items() if v},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="kg scale benchmark")
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated assertion counts")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench")
    ap.add_argument("--repeats", type=int, default=10, help="latency samples per command")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-windows", dest="windows", action="store_false",
                    help="skip the 52 weekly windows of a topic (kg network --window 7d --step 7d)")
    ap.add_argument("--queries-only", action="store_true",
                    help="reuse the store an earlier run left in --work: query latencies only, no build")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    # An installed package runs from bytecode pip compiled; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would compile kg's modules in every timed process (about 0.05 s).
    import compileall

    import kg

    compileall.compile_dir(Path(kg.__file__).parent, quiet=1)
    cols = ["assertions", "triples", "build_s", "build_tps", "bulk_tps", "ratio", "rss_gib", "disk_mib",
            "stance_p50", "stance_p95", "who_p50", "who_p95", "congruence_p50", "congruence_p95",
            "analysis_p50", "analysis_p95"]
    if args.windows:
        cols += ["n_windows", "windows_p50", "windows_p95", "windows_busiest_p50", "windows_busiest_p95"]
    cols += ["load_start", "load_end"]
    print(" | ".join(cols))
    for size in [int(s) for s in args.sizes.split(",")]:
        r = bench(size, args.work, args.repeats, args.seed, args.windows, args.queries_only)
        print(" | ".join(f"{r[c]:.3g}" if isinstance(r[c], float) else str(r[c]) for c in cols), flush=True)


if __name__ == "__main__":
    main()
