"""YAML codebooks and gazetteers give the RDF their Turtle twins give; mistakes are one line each."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from kg.model.errors import InputError
from kg.model.namespaces import GRAPH_CODEBOOK, GRAPH_GAZETTEER, topic_iri
from kg.ingest.reference import Reference, normalise
from kg.ingest.reference_export import turtle_to_yaml
from kg.ingest.reference_yaml import _yaml_nquads, reference_kind, reference_nquads, yaml_triples
from kg.store import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT.parent / "shared" / "devset"
TURTLE = [ROOT / "ontology" / "codebook.ttl", ROOT / "ontology" / "gazetteer.ttl",
          *sorted(DEVSET.glob("*/codebook.ttl")), *sorted(DEVSET.glob("*/gazetteer.ttl"))]


def _graph(nquads: bytes, graph: str) -> rdflib.Graph:
    quads = ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name.value == graph]
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def _reference(nquads: bytes) -> Reference:
    store = OxigraphStore(None)
    store.load_nquads(nquads)
    return Reference.from_store(store)


def test_the_devset_is_there():
    assert len(TURTLE) == 8, "expected the shipped files and three debates of ../shared/devset"


@pytest.mark.parametrize("ttl", TURTLE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_turtle_to_yaml_and_back_gives_the_same_graph_and_reference(ttl, tmp_path):
    kind = "codebook" if ttl.stem == "codebook" else "gazetteer"
    graph = GRAPH_CODEBOOK if kind == "codebook" else GRAPH_GAZETTEER
    path = tmp_path / f"{ttl.stem}.yaml"
    path.write_text(turtle_to_yaml(ttl), encoding="utf-8")
    assert reference_kind(path) == kind == reference_kind(ttl)
    from_ttl, from_yaml = reference_nquads(ttl, graph), reference_nquads(path, graph)
    assert isomorphic(_graph(from_ttl, graph), _graph(from_yaml, graph))
    a, b = _reference(from_ttl), _reference(from_yaml)
    assert a.actors == b.actors and a.topics == b.topics and a.roles == b.roles
    assert a._actor_names == b._actor_names and a._topic_names == b._topic_names  # aliases
    assert (a.actors or a.topics)
    # Byte-deterministic: the same file gives the same bytes, not only an isomorphic graph.
    _yaml_nquads.cache_clear()
    assert reference_nquads(path, graph) == from_yaml
    # The converted file is itself stable.
    assert turtle_to_yaml(ttl) == path.read_text(encoding="utf-8")


def test_topics_carry_their_definitions_from_turtle_and_yaml(tmp_path):
    ttl = DEVSET / "cop28-fossil-fuels" / "codebook.ttl"
    path = tmp_path / "codebook.yaml"
    path.write_text(turtle_to_yaml(ttl), encoding="utf-8")
    for nquads in (reference_nquads(ttl, GRAPH_CODEBOOK), reference_nquads(path, GRAPH_CODEBOOK)):
        topics = _reference(nquads).topics
        assert topics and all(t.definition for t in topics.values())
        coal = topics[topic_iri("coal-phase-out")]  # the IRI does not depend on the definition
        assert coal.notation == "coal-phase-out" and "coal" in coal.definition.lower()
    yaml_only = tmp_path / "mini.yaml"
    yaml_only.write_text("topics:\n  - {notation: a-b, label: A b, definition: What a b is.}\n"
                         "  - {notation: c-d, label: C d}\n", encoding="utf-8")
    topics = _reference(reference_nquads(yaml_only, GRAPH_CODEBOOK)).topics
    assert topics[topic_iri("a-b")].definition == "What a b is." and topics[topic_iri("c-d")].definition == ""


def test_reference_kind(tmp_path):
    cases = {"topics.yaml": "topics: []\n", "scheme.yml": "codebook:\n  title: T\ntopics: []\n",
             "actors.yaml": "gazetteer: {}\nactors: []\n", "curated.yaml": "actors: []\nassertions: []\n",
             "mentions.yaml": "assertions:\n  - {doc: a, target: 'topics: none'}\n", "notes.txt": "topics: []\n"}
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert {n: reference_kind(tmp_path / n) for n in cases} == {
        "topics.yaml": "codebook", "scheme.yml": "codebook", "actors.yaml": "gazetteer", "curated.yaml": None,
        "mentions.yaml": None, "notes.txt": None}
    assert reference_kind(ROOT / "ontology" / "kg.ttl") is None


def test_list_and_mapping_forms_and_defaults_agree():
    as_list = """codebook: {title: Farm policy}
topics:
  - {notation: farm-subsidies, label: Farm subsidies, aliases: [CAP payments]}
  - {notation: pesticide-ban, label: Pesticide ban, broader: Farm subsidies}
"""
    as_map = """codebook: {title: Farm policy}
topics:
  farm-subsidies: {label: Farm subsidies, aliases: CAP payments}
  pesticide-ban: {label: Pesticide ban, broader: farm-subsidies}
"""
    a, b = yaml_triples(as_list, "a.yaml"), yaml_triples(as_map, "b.yaml")
    assert a == b
    text = {(str(s.value), str(p.value).rsplit("#", 1)[-1].rsplit("/", 1)[-1], str(o.value)) for s, p, o in a}
    assert (topic_iri("pesticide-ban"), "broader", topic_iri("farm-subsidies")) in text
    scheme = "https://w3id.org/kg/id/codebook/farm-policy"
    assert (topic_iri("farm-subsidies"), "topConceptOf", scheme) in text
    assert (topic_iri("pesticide-ban"), "topConceptOf", scheme) not in text  # it has a broader topic


GAZ = "gazetteer: {}\nactors:\n"
CODE = "topics:\n"


@pytest.mark.parametrize(("text", "line", "message"), [
    (CODE + "  - {notation: a, label: A, colour: red}\n", 2, "unknown key 'colour' in a topic"),
    (CODE + "  - {notation: a, lable: A}\n", 2, "did you mean 'label'?"),
    (CODE + "  - {notation: a}\n", 2, "topic needs a 'label'"),
    (CODE + "  - {label: A}\n", 2, "topic needs a 'notation'"),
    (CODE + "  - {notation: a, label: A}\n  - {notation: b, label: B}\n  - {notation: a, label: C}\n", 4,
     "duplicate notation 'a' (first on line 2)"),
    (CODE + "  - {notation: Farm Subsidies, label: A}\n", 2, "bad notation 'Farm Subsidies'"),
    (CODE + "  - {notation: a, label: A, aliases: [x]}\n  - {notation: b, label: X}\n", 3,
     "the name 'X' already names another topic (line 2)"),
    (CODE + "  - {notation: a, label: A, broader: c}\n", 2, "unknown topic 'c' in 'broader'"),
    (CODE + "  - {notation: a, label: A, broader: b}\n  - {notation: b, label: B, broader: a}\n", 2,
     "a cycle of 'broader'"),
    (CODE + "  - {notation: a, label: A, top: maybe}\n", 2, "'top' must be true or false"),
    ("language: english!\n" + CODE, 1, "bad language tag"),
    (CODE + "  - {notation: a, label: A}\nactors: []\n", 3, "unknown key 'actors' in a codebook"),
    (GAZ + "  - {label: Poland, type: Country}\n", 3, "unknown actor type 'Country' (choose from Person, State"),
    (GAZ + "  - {type: State}\n", 3, "actor needs a 'label'"),
    (GAZ + "  - label: A\n    roles:\n      - {title: PM, start: 2023-02-30}\n", 5, "bad date '2023-02-30' for 'start'"),
    (GAZ + "  - label: A\n    roles:\n      - {title: PM, start: '2020', end: 2021-01-01}\n", 5, "bad date '2020'"),
    (GAZ + "  - label: A\n    roles:\n      - title: PM\n        start: 2021-01-01\n        end: 2020-01-01\n", 7,
     "role ends (2020-01-01) before it starts (2021-01-01)"),
    (GAZ + "  - label: A\n    roles:\n      - {organisation: A}\n", 5, "role needs a 'title'"),
    (GAZ + "  - {label: A}\n  - {label: B, member_of: [Nato]}\n", 4, "unknown actor 'Nato' in 'member_of'"),
    (GAZ + "  - {label: A, aliases: [Kyiv]}\n  - {label: B, aliases: [kyiv]}\n", 4, "already names another actor"),
    (GAZ + "  - {label: A}\n  - {label: a}\n", 4, "actor 'a' is listed twice (first on line 3)"),
    (GAZ + "  - {label: A, same_as: [Q36]}\n", 3, "'same_as' must be an IRI"),
    (GAZ + "  - {label: A, id: not an iri}\n", 3, "'id' must be an IRI"),
    (GAZ + "  - {label: A, aliases: {x: y}}\n", 3, "'aliases' must be a list"),
    ("gazetteer: {}\n", 1, "a gazetteer needs an 'actors:' list"),
    ("gazetteer: {}\nactors: []\ntopics: []\n", 3, "a codebook ('topics:') or a gazetteer ('gazetteer:'), not both"),
    ("gazetteer: {}\nactors: []\nassertions: []\n", 3, "unknown key 'assertions' in a gazetteer"),
    ("gazetteer: {title: T, colour: red}\nactors: []\n", 1, "unknown key 'colour' in the 'gazetteer' header"),
])
def test_mistakes_are_one_line_naming_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "ref.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        reference_nquads(path, GRAPH_GAZETTEER)
    assert e.value.line == line, str(e.value)
    assert str(e.value).startswith(f"{path}:{line}: ")
    assert message in str(e.value) and "\n" not in str(e.value)


def test_roles_references_and_iris():
    text = """gazetteer: {title: Farm actors}
actors:
  - label: European Commission
    aliases: [the Commission]
    same_as: [wd:Q8880]
  - label: OPEC+
    id: kgr:actor/opec-plus
  - label: Ursula von der Leyen
    type: Person
    affiliation: the commission
    member_of: [OPEC+, https://example.org/club]
    roles:
      - {title: President, organisation: European Commission, start: 2019-12-01}
"""
    t = {(s.value, p.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], o.value) for s, p, o in yaml_triples(text, "g.yaml")}
    kgr = "https://w3id.org/kg/id/"
    ursula = kgr + "actor/ursula-von-der-leyen"
    assert (kgr + "gazetteer/farm-actors", "type", "http://www.w3.org/ns/dcat#Dataset") in t
    assert (kgr + "actor/european-commission", "sameAs", "http://www.wikidata.org/entity/Q8880") in t
    assert (ursula, "affiliation", kgr + "actor/european-commission") in t
    assert {o for s, p, o in t if s == ursula and p == "memberOf"} == {kgr + "actor/opec-plus", "https://example.org/club"}
    role = kgr + "role/ursula-von-der-leyen/1"
    assert (ursula, "hasRole", role) in t
    assert (role, "label", "President (Ursula von der Leyen, 2019–)") in t
    assert (role, "startDate", "2019-12-01") in t


def test_turtle_that_yaml_cannot_say_is_refused(tmp_path):
    path = tmp_path / "odd.ttl"
    path.write_text("""@prefix kg: <https://w3id.org/kg/ns#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/kg/id/topic/a> a kg:Topic, skos:Concept ; skos:notation "a" ; skos:prefLabel "A"@en ;
    skos:example "an example"@en .
""", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be written as YAML without loss.*skos/core#example"):
        turtle_to_yaml(path)
    path.write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> . <x:a> skos:prefLabel 'A' .\n")
    with pytest.raises(InputError, match="not a codebook or gazetteer"):
        turtle_to_yaml(path)


_NAME = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=16)
_NOTATION = st.from_regex(r"\A[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}\Z")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_NOTATION, _NAME, st.lists(_NAME, max_size=3), st.booleans()), min_size=1, max_size=6))
def test_yaml_rdf_yaml_round_trip_keeps_every_notation_and_label(topics):
    """Invariant: a generated codebook, turned into RDF, written as Turtle and converted back to YAML,
    keeps every notation, label and alias (and which topic each belongs to)."""
    seen: set[str] = set()
    for notation, label, aliases, _ in topics:
        keys = {normalise(n) for n in (notation, label, *aliases)}
        # a name shared by two topics, or one that normalises to nothing, is an error by design
        assume("" not in keys and not keys & seen)
        seen |= keys
    data = {"codebook": {"title": "Generated"},
            "topics": [{"notation": n, "label": lab, "aliases": al, **({"definition": lab} if d else {})}
                       for n, lab, al, d in topics]}
    triples = yaml_triples(yaml.safe_dump(data, allow_unicode=True), "gen.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        ttl = Path(tmp) / "gen.ttl"
        ttl.write_bytes(ox.serialize([ox.Triple(*t) for t in triples], format=ox.RdfFormat.TURTLE))
        back = yaml.safe_load(turtle_to_yaml(ttl))
    got = {t["notation"]: (t["label"], sorted(t.get("aliases", [])), t.get("definition")) for t in back["topics"]}
    want = {n: (lab, sorted(set(al)), lab if d else None) for n, lab, al, d in topics}
    assert got == want
