"""The RDF mapping: n-ary assertion nodes with provenance, direct triples, named graphs, SHACL."""

from __future__ import annotations

from kg.model.records import Actor, Assertion, Target
from kg.model.namespaces import KG, KGR, actor_iri, slug
from kg.graph.quads import assertion_quads
from kg.model.nquads import iri, literal
from kg.graph.validate import validate


def test_literals_and_iris_are_escaped():
    assert literal('say "no"\nnow \\ then') == '"say \\"no\\"\\nnow \\\\ then"'
    assert iri("https://example.org/a b<c>") == "<https://example.org/a%20b%3Cc%3E>"


def test_stable_iris():
    assert actor_iri("Anders Fogh Rasmussen") == actor_iri("  anders fogh rasmussen ") == KGR + "actor/anders-fogh-rasmussen"
    assert slug("Türkiye") == "turkiye"


def test_assertion_node_and_direct_triple():
    a = Assertion(doc="d1", actor=Actor(actor_iri("Poland"), "Poland", "State"), stance="hesitant",
                  target=Target(KGR + "topic/x", "X", "topic", "x"), certainty="possible",
                  quote="Poland may hesitate", start=0, end=19)
    quads = "".join(assertion_quads(a))
    node = f"<{a.iri}>"
    graph = f"<{KGR}graph/doc/d1>"
    assert f"{node} <{KG}stance> <{KG}stance-hesitant> {graph} ." in quads
    assert f"{node} <{KG}certainty> <{KG}certainty-possible> {graph} ." in quads
    assert f"<{actor_iri('Poland')}> <{KG}hesitantOn> <{KGR}topic/x> {graph} ." in quads
    assert f'{node} <{KG}startOffset> "0"^^<http://www.w3.org/2001/XMLSchema#integer>' in quads
    assert a.id == Assertion(**{**a.__dict__, "id": ""}).id  # same content, same id


def test_named_graph_per_document_and_curation(seeds_store):
    graphs = seeds_store.graphs()
    assert KGR + "graph/doc/000_33a90556ae30723f" in graphs
    assert KGR + "graph/doc/004_a00d91becb0c72f2" in graphs
    rows = seeds_store.query(
        "SELECT ?g (COUNT(?a) AS ?n) WHERE { GRAPH ?g { ?a a kg:Assertion } } GROUP BY ?g").dicts()
    counts = {r["g"].rsplit("/", 1)[-1]: r["n"] for r in rows}
    assert counts == {"000_33a90556ae30723f": 10, "004_a00d91becb0c72f2": 13}


def test_provenance_of_a_curated_assertion(seeds_store):
    row = seeds_store.query("""
        SELECT ?speaker ?method ?origin ?doc WHERE {
          ?a kg:actor kgr:actor\\/poland ; kg:certainty kg:certainty-probable ;
             kg:attributedTo ?speaker ; kg:method ?method ; kg:origin ?origin ;
             prov:wasDerivedFrom/dct:identifier ?doc .
        }""").dicts()
    assert row == [{"speaker": KGR + "actor/anders-fogh-rasmussen", "method": KG + "Curated",
                    "origin": row[0]["origin"], "doc": "004_a00d91becb0c72f2"}]
    assert row[0]["origin"].startswith("curated.yaml:")


def test_seeds_conform_to_shapes(seeds_store):
    conforms, text = validate(seeds_store)
    assert conforms, text


def test_memory_store_gives_the_same_answers(seeds_store, memory_store):
    q = "SELECT ?a ?s ?t WHERE { ?x kg:actor ?a ; kg:stance ?s ; kg:target ?t } ORDER BY ?a ?s ?t"
    assert seeds_store.query(q).rows == memory_store.query(q).rows


def test_shapes_catch_a_broken_graph(memory_store):
    from kg.store import MemoryStore

    lines = memory_store.dump("nquads").decode("utf-8").splitlines(keepends=True)
    broken = MemoryStore()
    broken.load_nquads("".join(line for line in lines if f"<{KG}quote>" not in line))
    conforms, text = validate(broken)
    assert not conforms and "quote" in text.lower()
