"""Write a synthetic corpus that ``kg build DIR`` loads as it is.

    python benchmarks/generate.py --assertions 100000 --out /tmp/corpus-100k

The corpus has a gazetteer (``actors.ttl``) and codebook (``topics.ttl``) of its
own, documents with front matter (outlet, date) under ``articles/``, and
``curated.jsonl`` whose quotes occur verbatim in the documents. Distributions
aim at realism: about 5,000 actors and 500 topics, actor and topic activity
following a power law (Zipf), claims reported by several outlets with
certainties that sometimes differ, and stances that mostly persist per
(actor, topic). The same ``--seed`` gives the same corpus, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kg.model.namespaces import KG, actor_iri, slug, topic_iri  # noqa: E402

SYLLABLES = ["an", "bel", "cor", "dan", "el", "fra", "gor", "hal", "ist", "jor", "kas", "lin", "mor", "nev", "ost",
             "pra", "quin", "ros", "sal", "tor", "ul", "var", "wen", "xan", "yor", "zel"]
WORDS = ["energy", "trade", "border", "tariff", "climate", "grain", "pipeline", "sanctions", "defence", "election",
         "reform", "budget", "migration", "subsidy", "treaty", "nuclear", "water", "rail", "digital", "health",
         "pension", "fishing", "carbon", "visa", "port", "satellite", "vaccine", "wheat", "steel", "data"]
KINDS = ["policy", "deal", "plan", "package", "pact", "fund", "rules", "talks", "ban", "quota"]
OUTLETS = ["Reuters", "AP", "BBC", "The Guardian", "Le Monde", "Der Spiegel", "Politico", "Al Jazeera",
           "Financial Times", "Kyiv Independent", "Euronews", "DW", "NHK", "El País", "ANSA", "TASS",
           "Rzeczpospolita", "LRT", "Yle", "CBC"]
STANCE_VERB = {"supports": "supports", "opposes": "opposes", "hesitant": "is hesitant about",
               "divided": "is divided on", "neutral": "is neutral on"}
HEDGE = {"certain": "", "probable": "is likely to ", "possible": "may "}
HEDGED_VERB = {"supports": "support", "opposes": "oppose", "hesitant": "hesitate on", "divided": "split over",
               "neutral": "stay neutral on"}
TYPES = [("Person", 0.6), ("State", 0.25), ("InternationalOrganisation", 0.05), ("ActorGroup", 0.1)]


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(n)]


def name(rng: random.Random, used: set[str]) -> str:
    while True:
        n = " ".join(("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))).capitalize()
                     for _ in range(rng.randint(1, 2)))
        if n not in used:
            used.add(n)
            return n


def ttl_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def write_reference(out: Path, actors: list[tuple[str, str]], topics: list[tuple[str, str]]) -> None:
    head = f"@prefix kg: <{KG}> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n" \
           "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
    with open(out / "actors.ttl", "w", encoding="utf-8") as f:
        f.write(head)
        for label, typ in actors:
            f.write(f'<{actor_iri(label)}> a kg:{typ} ; skos:prefLabel "{ttl_escape(label)}"@en ; '
                    f'rdfs:label "{ttl_escape(label)}" .\n')
    with open(out / "topics.ttl", "w", encoding="utf-8") as f:
        f.write(head)
        for notation, label in topics:
            f.write(f'<{topic_iri(notation)}> a kg:Topic, skos:Concept ; skos:notation "{notation}" ; '
                    f'skos:prefLabel "{ttl_escape(label)}"@en .\n')


def generate(n_assertions: int, out: Path, seed: int = 1, n_actors: int = 5000, n_topics: int = 500,
             per_doc: int = 8, sources_per_claim: float = 2.5) -> dict:
    """Write the corpus and return its counts."""
    rng = random.Random(seed)
    used: set[str] = set()
    actors = [(name(rng, used), rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0])
              for _ in range(n_actors)]
    topics = []
    seen_labels: set[str] = set()
    while len(topics) < n_topics:
        label = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(KINDS)}"
        if label in seen_labels:
            label += f" {len(topics)}"
        seen_labels.add(label)
        topics.append((slug(label), label))
    out.mkdir(parents=True, exist_ok=True)
    (out / "articles").mkdir(exist_ok=True)
    write_reference(out, actors, topics)

    # Cumulative weights, computed once: random.choices would redo the sum on every draw.
    actor_w = list(itertools.accumulate(zipf_weights(n_actors)))
    topic_w = list(itertools.accumulate(zipf_weights(n_topics, 0.9)))
    stances = list(STANCE_VERB)
    stance_w = [0.45, 0.3, 0.12, 0.05, 0.08]
    certainties = ["certain", "probable", "possible"]
    start = dt.date(2022, 1, 1)

    # Claims (actor, stance, topic, speaker, certainty), each reported by a few outlets (documents).
    n_docs = max(1, n_assertions // per_doc)
    docs: list[list[tuple]] = [[] for _ in range(n_docs)]
    seen: list[set] = [set() for _ in range(n_docs)]
    made = 0
    while made < n_assertions:
        a = rng.choices(range(n_actors), cum_weights=actor_w)[0]
        t = rng.choices(range(n_topics), cum_weights=topic_w)[0]
        stance = rng.choices(stances, stance_w)[0]
        speaker = rng.choices(range(n_actors), cum_weights=actor_w)[0] if rng.random() < 0.4 else None
        certainty = rng.choices(certainties, [0.6, 0.25, 0.15])[0]
        reports = max(1, min(6, int(rng.expovariate(1 / sources_per_claim)) + 1, n_assertions - made, n_docs))
        for d in rng.sample(range(n_docs), reports):
            # Outlets retell the claim: some change the hedge, some drop the speaker.
            c = certainty if rng.random() < 0.8 else rng.choice(certainties)
            sp = speaker if rng.random() < 0.85 else None
            if (a, stance, t, c) in seen[d]:
                continue  # the same sentence twice in one article would be one assertion
            seen[d].add((a, stance, t, c))
            docs[d].append((a, stance, t, sp, c))
            made += 1

    with open(out / "curated.jsonl", "w", encoding="utf-8") as cur:
        for i, claims in enumerate(docs):
            if not claims:
                continue
            doc_id = f"doc{i:07d}"
            day = start + dt.timedelta(days=rng.randrange(900))
            lines = []
            for a, stance, t, sp, c in claims:
                actor_label, topic_label = actors[a][0], topics[t][1]
                if c == "certain":
                    sentence = f"{actor_label} {STANCE_VERB[stance]} the {topic_label}"
                else:
                    sentence = f"{actor_label} {HEDGE[c]}{HEDGED_VERB[stance]} the {topic_label}"
                said = f", {actors[sp][0]} said." if sp is not None else "."
                lines.append(sentence + said)
                cur.write(json.dumps({"doc": doc_id, "actor": actor_label, "stance": stance, "target": topics[t][0],
                                      "attributed_to": actors[sp][0] if sp is not None else None, "certainty": c,
                                      "quote": sentence}, ensure_ascii=False) + "\n")
            front = f"---\ntitle: Report {i}\nsource: {rng.choice(OUTLETS)}\ndate: {day.isoformat()}\n---\n"
            (out / "articles" / f"{doc_id}.txt").write_text(front + " ".join(lines) + "\n", encoding="utf-8")
    docs_written = sum(1 for c in docs if c)
    return {"assertions": made, "documents": docs_written, "actors": n_actors, "topics": n_topics}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--assertions", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--actors", type=int, default=5000)
    ap.add_argument("--topics", type=int, default=500)
    ap.add_argument("--per-doc", type=int, default=8, help="assertions per document")
    args = ap.parse_args()
    counts = generate(args.assertions, args.out, args.seed, args.actors, args.topics, args.per_doc)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
