"""Shared fixtures: the seeds built once per session (curated only, no extractor) on disk and in memory."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg.graph.build import build
from kg.store import MemoryStore, open_store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def seeds_store_path(tmp_path_factory) -> Path:
    """An on-disk Oxigraph store of the seeds (curated assertions only); do not modify it."""
    path = tmp_path_factory.mktemp("stores") / "seeds.kg"
    build([SEEDS], path)
    return path


@pytest.fixture
def seeds_store(seeds_store_path):
    """The seeds' store opened read-only."""
    with open_store(seeds_store_path, read_only=True) as store:
        yield store


@pytest.fixture
def store_copy(seeds_store_path, tmp_path) -> Path:
    """A private copy of the seeds' store that a test may change."""
    dest = tmp_path / "copy.kg"
    shutil.copytree(seeds_store_path, dest, symlinks=True)
    return dest


@pytest.fixture(scope="session")
def memory_store() -> MemoryStore:
    """The seeds in rdflib's in-memory store."""
    store = MemoryStore()
    build([SEEDS], store)
    return store


CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")  # Debian's; never `playwright install`
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through playwright; a missing Chromium or playwright fails the test, never skips it."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) or set KG_CHROMIUM")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed (pip install playwright; use the system Chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def trade_extract(data_dir):
    """Extraction with the neutral trade/climate/election reference data of tests/data/extract (nothing in
    the rules knows its names or topics): text -> {(holder, stance, topic)}."""
    from kg.extraction import default_reference, shared_extractor
    from kg.model.records import Document

    d = data_dir / "extract"
    reference = default_reference([d / "gazetteer.ttl"], [d / "codebook.ttl"])
    extractor = shared_extractor()
    return lambda text: {(a.actor.label, a.stance, a.target.topic) for a in extractor(Document("t", text), reference)}

