"""kg build with the extractor: curated assertions win, rejections persist, and extraction spreads
over processes and a Dask cluster with the same results."""

from __future__ import annotations

import shutil

import pytest

from kg.graph.build import build
from kg.ingest.documents import read_documents
from kg.extraction import default_reference, extract_documents, make_extractor
from kg.model.namespaces import assertion_iri
from kg.store import MemoryStore

EXTRACTED = "SELECT ?a WHERE { ?a kg:method kg:Extracted }"
KEYS = """SELECT ?m ?doc ?actor ?stance ?target WHERE {
  ?a kg:method ?m ; prov:wasDerivedFrom/dct:identifier ?doc ; kg:actor ?actor ; kg:stance ?stance ; kg:target ?target }"""


@pytest.fixture(scope="module")
def extractor():
    return make_extractor()


def test_curated_wins_and_rejections_persist(seeds_dir, tmp_path, extractor):
    corpus = tmp_path / "seeds"
    shutil.copytree(seeds_dir, corpus)
    store = MemoryStore()
    report = build([corpus], store, extractor=extractor)
    assert report.curated == 23 and report.extracted > 0 and report.superseded > 0
    rows = store.query(KEYS).dicts()
    curated = {(r["doc"], r["actor"], r["stance"], r["target"]) for r in rows if r["m"].endswith("Curated")}
    extracted = [(r["doc"], r["actor"], r["stance"], r["target"]) for r in rows if r["m"].endswith("Extracted")]
    assert extracted and not curated & set(extracted)

    victim = store.query(EXTRACTED).rows[0][0].value.rsplit("/", 1)[-1]
    cur = corpus / "curated.yaml"
    cur.write_text(f"reject:\n  - id: {victim}\n    reason: test\n" + cur.read_text(encoding="utf-8"), encoding="utf-8")
    for _ in range(2):  # stays rejected on every rebuild
        report = build([corpus], store, extractor=extractor)
        ids = {r[0].value.rsplit("/", 1)[-1] for r in store.query(EXTRACTED).rows}
        assert victim not in ids and ids
    assert store.query(f"ASK {{ <{assertion_iri(victim)}> kg:rejectedIn ?f }}").boolean


def _signature(run):
    return sorted(a.to_json()["id"] for a in run.assertions)


def test_workers_and_dask_give_the_same_assertions(seeds_dir):
    from distributed import Client, LocalCluster

    docs, _ = read_documents([seeds_dir / "articles"])
    ref = default_reference()
    one = extract_documents(docs, ref)
    two = extract_documents(docs, ref, workers=2)
    assert _signature(one) == _signature(two) and one.assertions
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        on_dask = extract_documents(docs, ref, dask=cluster.scheduler_address)
    assert _signature(on_dask) == _signature(one)
