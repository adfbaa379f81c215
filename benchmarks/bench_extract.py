"""Speed of `kg extract` against the bare spaCy pipeline on the same texts, in the same run.

    python benchmarks/bench_extract.py [--size-kb 300] [--repeat 3] [--workers 2] [--model NAME]

Builds (or reuses, with --corpus) a corpus of a few hundred KB from the seed
articles and the test articles on other debates, varied so that no two
documents are the same. Then, best of --repeat rounds each:

  spaCy      nlp.pipe over the texts with the bare pipeline (spacy.load(model));
  extract    the extractor's library path (parse + rules), one process;
  workers    the same over --workers processes, start-up included.

Prints words per second, the extractor's share of spaCy's speed (the target is
at least 70 %) and the speed-up at --workers. Timings depend on the machine and
its load; nothing here asserts on them.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.ingest.documents import read_documents  # noqa: E402
from kg.extraction import default_reference  # noqa: E402
from kg.extraction.pipeline import RuleExtractor, extract_documents, resolve_model, words  # noqa: E402

SOURCES = [ROOT / "seeds" / "articles", ROOT / "tests" / "data" / "extract" / "articles"]
EXTRA = """\
Norway said on Monday it would deliver more air defence systems to Ukraine, while Hungary remained opposed to new sanctions.
"We are ready to discuss security guarantees with Kyiv," the Dutch prime minister told reporters in The Hague.
According to diplomats, several allies are reluctant to set a timeline for Ukraine's membership.
The Greens may back a carbon tax if the coalition agrees to phase out coal by 2030, party officials said.
Republican lawmakers are very likely to block the voter ID bill, according to a senior aide.
Canada and Mexico rejected the new steel tariffs, saying they would hurt workers on both sides of the border.
"""
SWAPS = [("Poland", ["Poland", "Romania", "Latvia", "Norway", "Denmark"]),
         ("Germany", ["Germany", "France", "Italy", "Canada"]),
         ("Tuesday", ["Monday", "Tuesday", "Wednesday", "Thursday"])]


def make_corpus(folder: Path, size_kb: int, seed: int = 7) -> Path:
    """Write varied copies of the source texts until the corpus has about ``size_kb`` KB."""
    rng = random.Random(seed)
    bases = [p.read_text(encoding="utf-8") for src in SOURCES for p in sorted(src.glob("*.txt"))]
    bases = [re.sub(r"\A---\n.*?\n---\n", "", b, flags=re.S) for b in bases] + [EXTRA]
    folder.mkdir(parents=True, exist_ok=True)
    total, n = 0, 0
    while total < size_kb * 1024:
        paras = [p for p in bases[n % len(bases)].split("\n") if p.strip()]
        paras = paras[:1] + rng.sample(paras[1:], len(paras) - 1) if len(paras) > 2 else paras
        text = "\n\n".join(paras)
        for word, options in SWAPS:
            text = text.replace(word, rng.choice(options))
        (folder / f"doc{n:05d}.txt").write_text(text + "\n", encoding="utf-8")
        total += len(text.encode("utf-8"))
        n += 1
    return folder


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-kb", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--model", default=None)
    ap.add_argument("--corpus", type=Path, default=None, help="reuse (or create) the corpus in this folder")
    args = ap.parse_args(argv)

    import spacy

    folder = args.corpus or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    if not any(folder.glob("*.txt")):
        make_corpus(folder, args.size_kb)
    docs, skipped = read_documents([folder], strict=False)
    texts = [d.text for d in docs]
    n_words = sum(words(t) for t in texts)
    model = resolve_model(args.model)
    print(f"corpus: {folder} ({len(docs)} documents, {sum(map(len, texts)) // 1024} KB, {n_words} words); "
          f"pipeline: {model}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} (other load slows every figure, "
          f"and the speed-up most)")

    reference = default_reference()
    bare = spacy.load(model)
    extractor = RuleExtractor(model)
    extractor(docs[0], reference)  # load the pipeline and compile the rules before timing
    list(bare.pipe(texts[:5]))

    def run_spacy():
        for _ in bare.pipe(texts, batch_size=16):
            pass

    def run_extract():
        extract_documents(docs, reference, extractor=extractor)

    # Interleave the rounds so that load on the machine hits both alike.
    t_spacy, t_extract, c_extract = float("inf"), float("inf"), float("inf")
    for _ in range(args.repeat):
        t_spacy = min(t_spacy, best(run_spacy, 1))
        c0 = time.process_time()
        t_extract = min(t_extract, best(run_extract, 1))
        c_extract = min(c_extract, time.process_time() - c0)
    found = len(extract_documents(docs, reference, extractor=extractor).assertions)
    # CPU time of the rules alone, on parses made beforehand: the extractor's own cost.
    rules = extractor.rules(reference)
    parsed = list(extractor.nlp.pipe(texts, batch_size=16))
    c0 = time.process_time()
    for d, p in zip(docs, parsed):
        rules.extract(d, p)
    c_rules = time.process_time() - c0
    w_spacy, w_extract = n_words / t_spacy, n_words / t_extract
    print(f"spaCy nlp.pipe:       {w_spacy:9.0f} words/s  ({t_spacy:.2f} s)")
    print(f"kg extract, 1 worker: {w_extract:9.0f} words/s  ({t_extract:.2f} s, {found} assertions)")
    ratio = w_extract / w_spacy
    print(f"extractor / spaCy:    {ratio:9.1%}  (target: at least 70%) -> {'ok' if ratio >= 0.7 else 'BELOW TARGET'}")
    print(f"rules alone:          {n_words / c_rules:9.0f} words per CPU second ({c_rules:.2f} s CPU)")

    if args.workers > 1:
        parallel = RuleExtractor(model, workers=args.workers)
        before = os.times()
        t_par = best(lambda: extract_documents(docs, reference, extractor=parallel), 1)
        after = os.times()
        c_workers = (after.children_user + after.children_system) - (before.children_user + before.children_system)
        print(f"kg extract, {args.workers} workers: {n_words / t_par:9.0f} words/s  ({t_par:.2f} s, worker start-up "
              f"included)")
        print(f"speed-up at {args.workers} workers: {t_extract / t_par:.2f}x")
        # With other load on the machine the workers get less than a core each; the CPU they used
        # says what the same run would take on idle cores.
        print(f"  CPU: 1 worker {c_extract:.1f} s; {args.workers} workers {c_workers:.1f} s in all (start-up "
              f"included) -> on {args.workers} idle cores about {c_extract / (c_workers / args.workers):.2f}x")
    if skipped:
        print(f"skipped: {len(skipped)} files")


if __name__ == "__main__":
    main()
