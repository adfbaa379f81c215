"""Fuzz: 10,060 generated bad inputs through the CLI entry points and the parsers, in-process.

Every case must end in a result or in kg's own one-line error (a KgError in the library; exit code
1 or 2 and one ``error:`` line from the CLI), never in another exception or a traceback. Cases are
mutations of valid inputs (seeded, so a failure replays): names, queries, front matter, curated YAML
(alias bombs, deep nesting) and documents (NUL bytes, BOMs, CRLF, invalid UTF-8, huge lines).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.ingest.curated import load_curated
from kg.ingest.documents import read_document
from kg.model.errors import KgError
from kg.extraction import default_reference
from kg.analysis.positions import stance, who
from kg.store import open_store

SEED = 20261202
runner = CliRunner()

TOKENS = ["\x00", "\ufeff", "\r\n", "\r", "\udcff", "\ud800", "é", "Путин", "習近平", "🙂", "\u202e", "'", '"', "\\",
          "{", "}", "[", "]", "(", ")", "<", ">", "#", "%", "&", ":", ";", "*", "&a", "*a", "!!", "---", "\t",
          "SERVICE", "LOAD", "INSERT", "DELETE", "GRAPH", "FILTER", "?x", "<http://127.0.0.1:9/>", "${x}",
          "=cmd|' /C calc'!A0", "x" * 5000, "\n" * 50, " " * 100, "9" * 400, "-", "null", "~", "- ", ": "]


def mutate(rng: random.Random, text: str, n: int | None = None) -> str:
    """``text`` with a few random insertions, deletions, duplications and token swaps."""
    for _ in range(n if n is not None else rng.randint(1, 4)):
        i = rng.randint(0, len(text))
        op = rng.random()
        if op < 0.4:
            text = text[:i] + rng.choice(TOKENS) + text[i:]
        elif op < 0.6 and text:
            j = min(len(text), i + rng.randint(1, 20))
            text = text[:i] + text[j:]
        elif op < 0.75:
            text = text[:i] + text[i:i + rng.randint(1, 40)] * rng.randint(2, 5) + text[i:]
        elif op < 0.9:
            text = text[:i] + chr(rng.randint(0, 0x2FFFF)) + text[i:]
        else:
            opener = rng.choice("{[(")
            closer = {"{": "}", "[": "]", "(": ")"}[opener]
            depth = rng.choice([10, 100, 3000, 30000])
            text = text[:i] + opener * depth + closer * rng.choice([0, depth]) + text[i:]
    return text


NAMES = ["Poland", "poland", "Rasmussen", "troop-deployment", "NATO allies", "actor:Ukraine", "text:ban", ""]
QUERIES = ["SELECT * WHERE { ?s ?p ?o } LIMIT 3", "ASK { ?a kg:actor ?x }",
           "CONSTRUCT { ?s ?p ?o } WHERE { ?s a kg:Assertion ; ?p ?o } LIMIT 5",
           "SELECT ?l WHERE { ?a skos:prefLabel ?l FILTER(CONTAINS(?l, 'Pol')) }",
           "DESCRIBE kgr:actor\\/poland", "stance", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"]
FRONT = "---\ntitle: NATO states\nsource: Anadolu Agency\ndate: 2023-06-07\nauthor: [A, B]\ntags: x\n---\nBody text.\n"
BOMBS = ["a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: &d [*c, *c]\ne: &e [*d, *d]\nf: &f [*e, *e]\n"
         "g: &g [*f, *f]\nh: &h [*g, *g]\ni: &i [*h, *h]\n", "x: " + "[" * 600 + "]" * 600 + "\n",
         "x: &x\n  y: *x\n", "x: " + "{a: " * 400 + "1" + "}" * 400 + "\n"]


def _library(fn, *args):
    """Call a library function: a result or a KgError; anything else fails the test."""
    try:
        return fn(*args)
    except KgError as e:
        assert "\n" not in str(e).strip() or len(str(e)) < 2000, str(e)[:200]
        return None


def _cli(args: list[str]) -> None:
    res = runner.invoke(app, args)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"kg {args!r:.200} raised {res.exception!r:.300}") from res.exception
    assert res.exit_code in (0, 1, 2), (args, res.exit_code, res.output[-300:])
    assert "Traceback" not in res.output
    if res.exit_code == 2 and "Usage:" in res.stderr:
        return  # the command line itself did not parse (e.g. a name starting with '-'): click's usage error
    if res.exit_code:
        errors = [line for line in res.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, (args, res.stderr[-500:])


@pytest.fixture(scope="module")
def reference():
    return default_reference()


def test_fuzz_names_and_queries(seeds_store_path):
    rng = random.Random(SEED)
    with open_store(seeds_store_path, read_only=True) as store:
        for _ in range(600):  # an unknown name costs a look-up of close matches in the whole gazetteer
            name = mutate(rng, rng.choice(NAMES))
            _library(rng.choice([stance, who]), store, name)
        for _ in range(4000):
            _library(store.query, mutate(rng, rng.choice(QUERIES)))
    for _ in range(250):
        _cli([rng.choice(["stance", "who"]), mutate(rng, rng.choice(NAMES)), "--store", str(seeds_store_path),
              "-f", rng.choice(["table", "json", "csv"])])
    for _ in range(250):
        _cli(["query", mutate(rng, rng.choice(QUERIES)), "--store", str(seeds_store_path)])


def test_fuzz_documents_and_front_matter(tmp_path):
    rng = random.Random(SEED + 1)
    body = Path(__file__).resolve().parents[1].joinpath("seeds", "articles").glob("*.txt").__next__().read_text(
        encoding="utf-8")
    for n in range(3400):
        f = tmp_path / f"d{n % 7}.{rng.choice(['txt', 'md', 'html', 'csv', 'jsonl', 'rss'])}"
        if rng.random() < 0.5:
            text = mutate(rng, FRONT) + body[:500]
        else:
            text = mutate(rng, body[:2000], rng.randint(1, 8))
        data = text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.3:  # raw bytes: invalid UTF-8, BOMs, NULs
            i = rng.randint(0, len(data))
            data = data[:i] + bytes(rng.choice([[0xFF], [0xC3], [0xEF, 0xBB, 0xBF], [0], [0xED, 0xA0, 0x80]])) + data[i:]
        f.write_bytes(data)
        if f.suffix in (".txt", ".md", ".html"):
            _library(read_document, f)
        else:
            from kg.ingest.documents import read_collection

            _library(lambda p: list(read_collection(p)), f)


def test_fuzz_curated_yaml(tmp_path, reference):
    rng = random.Random(SEED + 2)
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    from kg.ingest.documents import read_documents

    docs, _ = read_documents([seeds / "articles"])
    by_id = {d.id: d for d in docs}
    valid = (seeds / "curated.yaml").read_text(encoding="utf-8")[:3000]
    for n in range(1500):
        f = tmp_path / "curated.yaml"
        text = rng.choice(BOMBS) if rng.random() < 0.1 else mutate(rng, valid, rng.randint(1, 6))
        f.write_bytes(text.encode("utf-8", "surrogatepass"))
        _library(load_curated, f, by_id, reference)


def test_fuzz_build_cli(tmp_path):
    """Whole builds from mutated folders: one line or a store, never a traceback (fewer: each is a build)."""
    rng = random.Random(SEED + 3)
    for n in range(60):
        folder = tmp_path / f"in{n}"
        folder.mkdir()
        name = mutate(rng, "article", 1).replace("/", "_").replace("\x00", "") or "x"
        try:
            (folder / f"{name[:80]}.txt").write_bytes(mutate(rng, FRONT + "Poland supports Ukraine.").encode(
                "utf-8", "surrogatepass"))
        except (OSError, ValueError):
            continue
        (folder / "curated.yaml").write_bytes(
            (rng.choice(BOMBS) if rng.random() < 0.3 else "assertions: []\n").encode())
        _cli(["build", str(folder), "--store", str(tmp_path / f"s{n}.kg"), "--no-extract", "-q"])
