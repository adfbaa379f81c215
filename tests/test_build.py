"""Building the store: stable IRIs, idempotent rebuilds, and bad input that leaves the store alone."""

from __future__ import annotations

import shutil

import pytest

from kg.graph.build import build
from kg.model.errors import InputError
from kg.store import MemoryStore, open_store


def _quads(path) -> set[str]:
    with open_store(path, read_only=True) as s:
        return set(s.dump("nquads").decode("utf-8").splitlines())


def test_rebuild_gives_identical_quads(seeds_dir, tmp_path):
    a, b = tmp_path / "a.kg", tmp_path / "b.kg"
    report = build([seeds_dir], a)
    build([seeds_dir], b)
    assert report.documents == 2 and report.curated == 23 and report.assertions == 23
    assert _quads(a) == _quads(b)
    # Building into the same store twice adds nothing.
    again = build([seeds_dir], a)
    assert again.triples == report.triples == len(_quads(a))


def test_adding_the_same_input_to_a_store_adds_nothing(seeds_dir):
    store = MemoryStore()
    build([seeds_dir], store)
    n = len(store)
    build([seeds_dir], store)
    assert len(store) == n


@pytest.mark.parametrize(
    ("make_bad", "message"),
    [
        (lambda d: (d / "articles" / "extra.txt").write_bytes(b"\xff\xfe\x00bad"), "extra.txt"),
        (lambda d: (d / "articles" / "empty.txt").write_bytes(b""), "empty document"),
        (lambda d: (d / "curated.yaml").write_text(
            (d / "curated.yaml").read_text(encoding="utf-8").replace("stance: opposes", "stance: dislikes"),
            encoding="utf-8"), "unknown stance 'dislikes'"),
    ],
)
def test_bad_input_leaves_the_store_as_it_was(seeds_dir, tmp_path, make_bad, message):
    store = tmp_path / "store.kg"
    build([seeds_dir], store)
    before = _quads(store)
    work = tmp_path / "seeds"
    shutil.copytree(seeds_dir, work)
    make_bad(work)
    with pytest.raises(InputError, match=message):
        build([work], store)
    assert _quads(store) == before
    assert not (tmp_path / "store.kg.building").exists()


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        build([tmp_path / "nowhere"], tmp_path / "s.kg")
    assert not (tmp_path / "s.kg").exists()


def test_shared_descriptions_do_not_multiply_rows(tmp_path, data_dir):
    """Two documents from one outlet: each assertion is still one row (outlets are described once)."""
    from kg.analysis.positions import stance

    folder = tmp_path / "two"
    shutil.copytree(data_dir / "tiny", folder)
    text = (folder / "brief.md").read_text(encoding="utf-8")
    (folder / "brief2.md").write_text(text, encoding="utf-8")
    cur = folder / "curated.yaml"
    cur.write_text(cur.read_text(encoding="utf-8") + """  - doc: brief2
    actor: Poland
    stance: supports
    target: actor:Ukraine
    attributed_to: null
    certainty: certain
    quote: Poland said it backs new sanctions on Russia.
""", encoding="utf-8")
    store = MemoryStore()
    build([folder], store)
    rows = stance(store, "Poland")
    assert sorted(r["doc"] for r in rows) == ["brief", "brief2"]
    with open_store(tmp_path / "s.kg", create=True) as disk:
        build([folder], disk)
        assert sorted(r["doc"] for r in stance(disk, "Poland")) == ["brief", "brief2"]


def test_piped_loading_gives_the_same_store_as_a_spooled_file(seeds_dir, tmp_path, monkeypatch):
    import kg.graph.write as kw
    from kg.store.loaders import _SpoolLoader

    piped = build([seeds_dir], tmp_path / "piped.kg")
    monkeypatch.setattr(kw, "_loader", _SpoolLoader)  # write every quad to a file, then load it
    spooled = build([seeds_dir], tmp_path / "spooled.kg")
    assert _quads(tmp_path / "piped.kg") == _quads(tmp_path / "spooled.kg")
    assert (piped.triples, piped.assertions) == (spooled.triples, spooled.assertions) and piped.triples > 100


def _build_within(seconds: float, **kwargs) -> BaseException | None:
    """Run build() in a thread; a loader failure must end it, never leave it waiting on the pipe."""
    import threading

    out: list = []

    def run():
        try:
            build(**kwargs)
            out.append(None)
        except BaseException as e:  # noqa: BLE001 (handed to the test)
            out.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert out, f"build still running after {seconds} s"
    return out[0]


@pytest.mark.parametrize("when", ["before reading", "after reading some"])
def test_a_failing_load_fails_the_build_and_keeps_the_old_store(seeds_dir, tmp_path, monkeypatch, when):
    import kg.graph.build as kb
    from kg.model.errors import StoreError

    store = tmp_path / "s.kg"
    build([seeds_dir], store)
    before = _quads(store)

    def flaky(self, p):
        if when == "after reading some":
            with open(p, "rb") as f:
                f.read(4096)
        raise StoreError("disk full (simulated)")

    monkeypatch.setattr(kb.OxigraphStore, "load_nquads_file", flaky)
    for full in (True, False):  # a fresh build (streamed) and an incremental one (which still writes its state)
        err = _build_within(60, paths=[seeds_dir], store=store, full=full)
        assert isinstance(err, StoreError) and "simulated" in str(err), (full, err)
    monkeypatch.undo()
    assert _quads(store) == before
    assert not list(tmp_path.glob(".kg-load-*")) and not list(tmp_path.glob("*.building"))


def _projection_rows(path) -> list:
    import sqlite3

    from kg.graph.projection import FILE

    from kg.store.dirs import active_dir

    db = sqlite3.connect(active_dir(path) / FILE)
    try:
        schema = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()  # indexes too
        return [schema] + [db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in ("rows", "docs", "labels")]
    finally:
        db.close()


@pytest.mark.parametrize("with_extractor", [False, True])
def test_streamed_fresh_build_equals_the_incremental_path(seeds_dir, tmp_path, with_extractor):
    """A new on-disk store is a scratch copy written while its inputs are read; an open store is written
    once every input is read (kg.graph.write). Same inputs, same quads, same projection, same report."""
    from kg.store import OxigraphStore

    extractor = None
    if with_extractor:
        from kg.extraction import make_extractor

        extractor = make_extractor()
    if with_extractor:
        inputs = [seeds_dir]
    else:  # a generated corpus: outlets, dates, speakers, its own actors and topics in Turtle
        import subprocess
        import sys
        from pathlib import Path

        inputs = [tmp_path / "corpus"]
        subprocess.run([sys.executable, str(Path(__file__).parent.parent / "benchmarks" / "generate.py"),
                        "--assertions", "300", "--actors", "40", "--topics", "12", "--out", str(inputs[0])],
                       check=True, stdout=subprocess.DEVNULL)
    streamed = build(inputs, tmp_path / "streamed.kg", extractor=extractor)
    with OxigraphStore(tmp_path / "applied.kg") as s:
        applied = build(inputs, s, extractor=extractor)
    assert _quads(tmp_path / "streamed.kg") == _quads(tmp_path / "applied.kg")
    assert _projection_rows(tmp_path / "streamed.kg") == _projection_rows(tmp_path / "applied.kg")
    for key in ("documents", "processed", "actors", "assertions", "curated", "extracted", "rejected", "superseded",
                "triples"):
        assert getattr(streamed, key) == getattr(applied, key), key
    assert streamed.extracted > 0 if with_extractor else streamed.curated > 23


def test_a_pipe_loader_interrupted_before_writing_does_not_hang():
    """Ctrl-C between starting the loader and opening the pipe: the loader is released, not waited on forever."""
    import threading
    import time

    from kg.store.loaders import _PipeLoader
    from kg.store import OxigraphStore

    loader = _PipeLoader(OxigraphStore(None), lambda: None, None, None)
    loader.thread = threading.Thread(target=loader._work, daemon=True)
    loader.thread.start()  # opens the reading end and waits for a writer
    time.sleep(0.1)
    done = threading.Thread(target=loader.__exit__, args=(KeyboardInterrupt, KeyboardInterrupt(), None), daemon=True)
    done.start()
    done.join(30)
    assert not done.is_alive() and not loader.thread.is_alive()
