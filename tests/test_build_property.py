"""The build invariant, on generated histories: whatever sequence of builds (adds, edits, curated edits,
rejections, changed codebooks and gazetteers, syncs) and removes a user runs, the store ends up
byte-identical (N-Quads and row projection) to a fresh build of the inputs it ends up with.

A fake extractor stands in for spaCy (fast, deterministic) and exercises what the real one does to the
shared entities graph: actors the gazetteer lacks, typed differently by different documents, uncoded
targets, outlets whose names slug alike.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.graph.build import build, remove
from kg.model.records import Assertion
from kg.ingest.reference import new_actor, uncoded_target
from kg.store import PROJECTION_FILE, open_store
from kg.store.dirs import active_dir

DATA = Path(__file__).resolve().parent / "data" / "extract"
STANCE_WORDS = {"supports": "supports", "opposes": "opposes", "doubts": "hesitant"}
SENTENCE = re.compile(r"([A-Z][\w]*(?: [A-Z][\w]*)*) (supports|opposes|doubts) ([^.]+)\.")
HOLDERS = ["Germany", "France", "Jane Doe", "Omar Haddad", "Green Party", "Canada", "Li Wei"]
TARGETS = ["carbon tax", "Carbon tax", "steel tariffs", "a ban on grain imports", "the Ban on grain imports",
           "Mexico", "Tom Ruiz"]
CURATED_ACTORS = ["Germany", "France", "Canada", "China"]
SOURCES = [None, "Al Jazeera", "Al-Jazeera", "al jazeera", "Daily Ledger", "Ledger"]


class FakeExtractor:
    """'<Holder> supports|opposes|doubts <target>.' sentences; a holder the gazetteer lacks is new, typed
    Person or Actor by the document (so two documents describe one new actor differently)."""

    version = "fake-1"

    def __call__(self, doc, reference) -> list[Assertion]:
        out = []
        kind = "Person" if sum(map(ord, doc.id)) % 2 else "Actor"
        for m in SENTENCE.finditer(doc.text):
            holder, verb, target = m.groups()
            actor = reference.find_actor(holder) or new_actor(holder, kind)
            topic = reference.find_topic(target)
            found = reference.find_actor(target)
            if topic is not None:
                tgt = reference.resolve_target(topic.notation)
            elif found is not None:
                tgt = reference.resolve_target("actor:" + found.label)
            else:
                tgt = uncoded_target(target)
            out.append(Assertion(doc.id, actor, STANCE_WORDS[verb], tgt, "certain", m.group(0), m.start(),
                                 m.end(), method="extracted", confidence=0.5, method_version="fake@1"))
        return out


def sentence(draw) -> str:
    return f"{draw(st.sampled_from(HOLDERS))} {draw(st.sampled_from(list(STANCE_WORDS)))} {draw(st.sampled_from(TARGETS))}."


@st.composite
def doc_text(draw) -> str:
    source = draw(st.sampled_from(SOURCES))
    body = " ".join(sentence(draw) for _ in range(draw(st.integers(1, 3))))
    return (f"---\nsource: {source}\n---\n" if source else "") + body + "\n"


OPS = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(["a", "b"]), doc_text()),  # a new file, then build it
    st.tuples(st.just("edit"), st.integers(0, 99), doc_text()),           # edit a file, build with no paths
    st.tuples(st.just("remove"), st.integers(0, 99)),                       # kg remove
    st.tuples(st.just("curate"), st.integers(0, 99), st.booleans()),       # add or drop a curated row
    st.tuples(st.just("reject"), st.integers(0, 99)),                       # reject an extracted assertion
    st.tuples(st.just("reference"), st.sampled_from(["codebook", "gazetteer"])),  # edit a reference file
    st.tuples(st.just("sync"), st.integers(0, 99)),                         # build --sync without one file
)


class World:
    """A user's folders and what the store should hold (the model)."""

    def __init__(self, root: Path, store: str | Path):
        self.root, self.store = root, store
        for d in ("a", "b"):
            (root / d).mkdir(parents=True)
        self.codebook, self.gazetteer = root / "codebook.ttl", root / "gazetteer.ttl"
        shutil.copy(DATA / "codebook.ttl", self.codebook)
        shutil.copy(DATA / "gazetteer.ttl", self.gazetteer)
        self.curated = root / "curated.yaml"
        self.rows: list[tuple[str, str, str]] = []  # (doc, actor, quote)
        self.rejected: list[str] = []
        self.live: list[Path] = []  # document files the store holds
        self.n = 0
        self.extractor = FakeExtractor()
        self._write_curated()

    def _write_curated(self) -> None:
        lines = ["assertions:"] + [
            f"- {{doc: {d}, actor: {a!r}, stance: supports, target: carbon-tax, certainty: probable, quote: {q!r}}}"
            for d, a, q in self.rows]
        if not self.rows:
            lines = ["assertions: []"]
        if self.rejected:
            lines += ["reject:"] + [f"- {{id: {i}}}" for i in self.rejected]
        self.curated.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def build(self, paths=(), **kw):
        return build(list(paths), self.store, extractor=self.extractor, codebooks=[self.codebook],
                     gazetteers=[self.gazetteer], **kw)

    def apply(self, op) -> None:
        kind = op[0]
        if kind == "add":
            self.n += 1
            f = self.root / op[1] / f"doc{self.n}.txt"
            f.write_text(op[2], encoding="utf-8")
            self.live.append(f)
            self.build([f, self.curated])
        elif kind == "edit" and self.live:
            f = self.live[op[1] % len(self.live)]
            keep = {q for d, _, q in self.rows if d == f.stem}
            f.write_text(op[2] + " ".join(sorted(keep)) + "\n", encoding="utf-8")  # curated quotes stay verbatim
            self.build()
        elif kind == "remove" and self.live:
            f = self.live[op[1] % len(self.live)]
            if any(d == f.stem for d, _, _ in self.rows):
                return  # its curated rows would name a document the store no longer has
            self.live.remove(f)
            assert remove([f.stem], self.store).removed == [f.stem]
        elif kind == "curate" and self.live:
            f = self.live[op[1] % len(self.live)]
            mine = [r for r in self.rows if r[0] == f.stem]
            if op[2] or not mine:
                quote = SENTENCE.search(f.read_text(encoding="utf-8")).group(0)
                self.rows.append((f.stem, CURATED_ACTORS[op[1] % len(CURATED_ACTORS)], quote))
            else:
                self.rows.remove(mine[0])
            self._write_curated()
            self.build()
        elif kind == "reject":
            with open_store(self.store, read_only=True) as s:
                ids = sorted(r["a"].rsplit("/", 1)[1] for r in s.query(
                    "SELECT ?a WHERE { ?a kg:method kg:Extracted }").dicts())
            if ids:
                self.rejected.append(ids[op[1] % len(ids)])
                self._write_curated()
                self.build()
        elif kind == "reference":
            f = self.codebook if op[1] == "codebook" else self.gazetteer
            extra = ('\ntopic:grain-ban a kg:Topic , skos:Concept ; skos:notation "grain-ban" ; '
                     'skos:prefLabel "A ban on grain imports"@en .\n' if op[1] == "codebook" else
                     '\nactor:green-party a kg:Actor ; skos:prefLabel "Green Party"@en ; rdfs:label "Green Party"@en .\n')
            text = f.read_text(encoding="utf-8")
            f.write_text(text.replace(extra, "") if extra in text else text + extra, encoding="utf-8")
            self.build()
        elif kind == "sync" and len(self.live) > 1:
            f = self.live[op[1] % len(self.live)]
            if any(d == f.stem for d, _, _ in self.rows):
                return
            self.live.remove(f)
            report = self.build([*self.live, self.curated], sync=True)
            assert report.removed_ids == [f.stem]

    def inputs(self) -> list[Path]:
        return [*self.live, self.curated]


def nquads(store) -> list[str]:
    with open_store(store, read_only=True) as s:
        return sorted(s.dump("nquads").decode("utf-8").splitlines())


def projection(store: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(active_dir(store) / PROJECTION_FILE)
    try:
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("meta", "docs", "rows", "labels")}
    finally:
        db.close()


def check_history(root: Path, ops, store_of) -> None:
    world = World(root / "w", store_of(root, "incremental"))
    first = root / "w" / "a" / "doc0.txt"
    first.write_text("Germany supports carbon tax. Jane Doe opposes steel tariffs.\n", encoding="utf-8")
    world.live.append(first)
    world.build([first, world.curated])
    for op in ops:
        world.apply(op)
    fresh = store_of(root, "fresh")
    build(world.inputs(), fresh, extractor=world.extractor, codebooks=[world.codebook], gazetteers=[world.gazetteer])
    assert nquads(world.store) == nquads(fresh)
    if isinstance(fresh, Path):
        assert projection(world.store) == projection(fresh)


HISTORY = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@settings(max_examples=int(os.environ.get("KG_HISTORIES", 200)), **HISTORY)
@given(ops=st.lists(OPS, min_size=1, max_size=6))
def test_any_history_equals_a_fresh_build(tmp_path_factory, ops):
    root = tmp_path_factory.mktemp("history")
    check_history(root, ops, lambda r, name: r / f"{name}.kg")


def test_the_reported_reproducer(tmp_path, seeds_dir):
    """Seeds plus an article from a new outlet, then one more document: Spain and the outlet stay."""
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "spain.txt").write_text("---\nsource: Continental Ledger\n---\n"
                                     "Spain supports a ban on grain imports.\n", encoding="utf-8")
    store = tmp_path / "s.kg"
    build([seeds_dir, extra], store, extractor=FakeExtractor())
    (tmp_path / "more.txt").write_text("France opposes steel tariffs.\n", encoding="utf-8")
    report = build([tmp_path / "more.txt"], store, extractor=FakeExtractor())
    assert (report.added, report.unchanged, report.removed) == (1, 3, 0)
    with open_store(store, read_only=True) as s:
        assert s.query("ASK { ?s a kg:Source ; rdfs:label 'Continental Ledger' }").boolean
        assert s.query("ASK { ?a rdfs:label 'Spain' ; kg:isNew true }").boolean
    fresh = tmp_path / "fresh.kg"
    build([seeds_dir, extra, tmp_path / "more.txt"], fresh, extractor=FakeExtractor())
    assert nquads(store) == nquads(fresh)


@pytest.mark.slow
def test_histories_on_a_remote_store(tmp_path_factory):
    """The same invariant on SPARQL servers (``oxigraph serve``), on fewer generated histories."""
    from tests.servers import OxigraphServer

    with OxigraphServer(tmp_path_factory.mktemp("inc")) as inc, OxigraphServer(tmp_path_factory.mktemp("new")) as new:
        servers = {"incremental": inc, "fresh": new}

        @settings(max_examples=25, **HISTORY)
        @given(ops=st.lists(OPS, min_size=1, max_size=5))
        def run(ops):
            for server in servers.values():
                server.clear()
            check_history(tmp_path_factory.mktemp("remote-history"), ops, lambda r, name: servers[name].store)

        run()


def test_a_rejection_redoes_only_the_document_it_concerns(tmp_path):
    """Adding an id to reject: re-extracts the one document whose suggestion it names, not the corpus."""
    world = World(tmp_path / "w", tmp_path / "s.kg")
    for i, text in enumerate(["Germany supports carbon tax.\n", "France opposes steel tariffs.\n",
                              "Jane Doe doubts a ban on grain imports.\n"]):
        f = world.root / "a" / f"d{i}.txt"
        f.write_text(text, encoding="utf-8")
        world.live.append(f)
    world.build([*world.live, world.curated])
    with open_store(world.store, read_only=True) as s:
        target = s.query("SELECT ?a WHERE { ?a kg:method kg:Extracted ; prov:wasDerivedFrom ?d . "
                         "?d dct:identifier 'd1' }").dicts()[0]["a"].rsplit("/", 1)[1]
    world.rejected.append(target)
    world._write_curated()
    report = world.build()
    assert (report.updated, report.unchanged, report.rejected) == (1, 2, 1)
