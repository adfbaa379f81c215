"""The RDF reference files in ontology/: vocabulary, codebook, gazetteer and SHACL shapes.

Checks that the files parse, that the vocabulary declares every term the code
uses, that the gazetteer and codebook follow the IRI rules and cover the gold
aliases, and that the shapes accept what kg/graph/quads.py produces and reject broken data.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SKOS, XSD

from kg.model.records import Actor, Assertion, Document, Target
from kg.model.namespaces import (
    CERTAINTY_IRI, KG, KGR, METHOD_IRI, STANCE_IRI, STANCE_PREDICATE, actor_iri, document_iri, slug, target_iri, topic_iri,
)
from kg.graph.quads import assertion_quads, curation_quads, document_quads

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
FILES = ("kg.ttl", "codebook.ttl", "gazetteer.ttl", "shapes.ttl")
GOLD = ROOT.parent / "shared" / "gold"

KGNS = Namespace(KG)
PROV = Namespace("http://www.w3.org/ns/prov#")
DCT = Namespace("http://purl.org/dc/terms/")
SCHEMA = Namespace("https://schema.org/")
WD = "http://www.wikidata.org/entity/"
ACTOR_TYPES = ("Actor", "Person", "State", "InternationalOrganisation", "ActorGroup")

REQUIRED_TOPICS = ("ukraine-nato-membership", "security-guarantees", "troop-deployment", "military-aid",
                   "membership-action-plan", "sweden-nato-membership")
# rdflib's own N-Quads parser uses a deprecated Dataset attribute
pytestmark = pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")

ALLOWED_SAME_AS = {
    ("poland", "Q36"), ("ukraine", "Q212"), ("united-states", "Q30"),
    ("nato", "Q7184"), ("russia", "Q159"), ("germany", "Q183"),
}


def gold_path(name: str) -> Path:
    for base in (GOLD, Path("/work/shared/gold")):
        if (base / name).is_file():
            return base / name
    pytest.skip(f"gold file {name} not available")


def parse(name: str) -> Graph:
    return Graph().parse(ONTOLOGY / name, format="turtle")


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return parse("kg.ttl")


@pytest.fixture(scope="module")
def codebook() -> Graph:
    return parse("codebook.ttl")


@pytest.fixture(scope="module")
def gazetteer() -> Graph:
    return parse("gazetteer.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse("shapes.ttl")


@pytest.fixture(scope="module")
def reference(vocab, codebook, gazetteer) -> Graph:
    g = Graph()
    for part in (vocab, codebook, gazetteer):
        g += part
    return g


def normalise(name: str) -> str:
    """Same key as kg.ingest.reference.normalise: case-, accent-, quote- and leading-article-insensitive."""
    name = unicodedata.normalize("NFKC", name).translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))
    name = "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))
    name = re.sub(r"\s+", " ", name).strip(" .,;:\"'")
    return re.sub(r"^the ", "", name)


def actors(g: Graph) -> set[URIRef]:
    return {s for t in ACTOR_TYPES for s in g.subjects(RDF.type, KGNS[t])}


def names(g: Graph, node: URIRef) -> set[str]:
    return {str(o) for p in (SKOS.prefLabel, SKOS.altLabel, RDFS.label) for o in g.objects(node, p)}


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("name", FILES)
def test_file_parses_with_rdflib_and_oxigraph(name):
    g = parse(name)
    assert len(g) > 0
    triples = list(ox.parse(path=str(ONTOLOGY / name), format=ox.RdfFormat.TURTLE))
    assert len(triples) == len(g)


def test_ontology_header(vocab):
    onto = URIRef("https://w3id.org/kg/ns")
    assert (onto, RDF.type, OWL.Ontology) in vocab
    assert vocab.value(onto, DCT.title) is not None
    assert vocab.value(onto, OWL.versionInfo) is not None


# --------------------------------------------------------------------------- vocabulary


def declared(vocab: Graph, term: URIRef) -> bool:
    return (term, RDF.type, None) in vocab and (
        vocab.value(term, RDFS.label) is not None or vocab.value(term, SKOS.prefLabel) is not None)


def kg_terms_in_code() -> set[str]:
    """Local names of kg: terms the code writes (``KG + "name"`` in any module) and the shipped queries use."""
    terms = set(ACTOR_TYPES)
    for path in sorted((ROOT / "kg").rglob("*.py")):
        terms |= set(re.findall(r'KG \+ "([A-Za-z][\w-]*)"', path.read_text(encoding="utf-8")))
    for iri in (*STANCE_IRI.values(), *CERTAINTY_IRI.values(), *METHOD_IRI.values(), *STANCE_PREDICATE.values()):
        terms.add(iri.removeprefix(KG))
    terms.discard("stance-")  # the prefix of the minted stance IRIs
    terms.discard("certainty-")
    for rq in (ROOT / "kg" / "queries").glob("*.rq"):
        terms |= set(re.findall(r"\bkg:([A-Za-z][\w-]*)", rq.read_text(encoding="utf-8")))
    return terms


def test_every_kg_term_used_in_code_is_declared(vocab):
    used = kg_terms_in_code()
    # the mapping's core terms are certainly among them
    assert {"Assertion", "actor", "stance", "target", "certainty", "quote", "startOffset", "endOffset", "method",
            "confidence", "rejectedIn", "rejectionReason", "isNew", "UncodedTarget", "sha256"} <= used
    missing = sorted(t for t in used if not declared(vocab, KGNS[t]))
    assert not missing, f"kg: terms used in code but not declared in kg.ttl: {missing}"


def test_every_kg_term_in_ontology_files_is_declared(vocab, codebook, gazetteer, shapes):
    missing = set()
    for g in (codebook, gazetteer, shapes, vocab):
        for triple in g:
            for term in triple:
                if isinstance(term, URIRef) and str(term).startswith(KG) and not declared(vocab, term):
                    missing.add(str(term))
    assert not missing, sorted(missing)


def test_stance_and_certainty_schemes(vocab):
    for stance, iri in STANCE_IRI.items():
        node = URIRef(iri)
        assert (node, RDF.type, KGNS.Stance) in vocab
        assert (node, SKOS.inScheme, KGNS.StanceScheme) in vocab
        assert str(vocab.value(node, SKOS.notation)) == stance
        assert vocab.value(node, SKOS.definition) is not None
        shortcut = URIRef(STANCE_PREDICATE[stance])
        assert (shortcut, KGNS.shortcutOf, node) in vocab
        assert (shortcut, RDFS.subPropertyOf, KGNS.holdsStanceOn) in vocab
    ranks = {}
    for certainty, iri in CERTAINTY_IRI.items():
        node = URIRef(iri)
        assert (node, RDF.type, KGNS.Certainty) in vocab
        assert (node, SKOS.inScheme, KGNS.CertaintyScheme) in vocab
        assert str(vocab.value(node, SKOS.notation)) == certainty
        ranks[certainty] = vocab.value(node, KGNS.rank).toPython()
    assert ranks == {"certain": 3, "probable": 2, "possible": 1}
    for method, iri in METHOD_IRI.items():
        assert str(vocab.value(URIRef(iri), SKOS.notation)) == method


def test_reused_vocabularies_are_linked(vocab):
    assert (KGNS.Actor, RDFS.subClassOf, PROV.Agent) in vocab
    assert (KGNS.Person, RDFS.subClassOf, SCHEMA.Person) in vocab
    assert (KGNS.Assertion, RDFS.subClassOf, PROV.Entity) in vocab
    assert (KGNS.Document, RDFS.subClassOf, SCHEMA.NewsArticle) in vocab
    assert (KGNS.attributedTo, RDFS.subPropertyOf, PROV.wasAttributedTo) in vocab
    assert (KGNS.Topic, RDFS.subClassOf, SKOS.Concept) in vocab
    for t in ACTOR_TYPES[1:]:
        assert (KGNS[t], RDFS.subClassOf, KGNS.Actor) in vocab


# --------------------------------------------------------------------------- codebook


def test_required_topics_exist(codebook):
    notations = {str(o): s for s, o in codebook.subject_objects(SKOS.notation)}
    for key in REQUIRED_TOPICS:
        assert key in notations, key
        node = notations[key]
        assert node == URIRef(topic_iri(key))
        assert (node, RDF.type, KGNS.Topic) in codebook
        label = codebook.value(node, SKOS.prefLabel)
        assert label is not None and label.language == "en"
        assert codebook.value(node, SKOS.definition) is not None
        assert len(list(codebook.objects(node, SKOS.altLabel))) >= 3


def test_topics_are_well_formed(codebook):
    schemes = set(codebook.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(schemes) == 1 and codebook.value(next(iter(schemes)), DCT.title) is not None
    for node in codebook.subjects(RDF.type, KGNS.Topic):
        key = str(codebook.value(node, SKOS.notation))
        assert node == URIRef(topic_iri(key)) and slug(key) == key
        assert (node, RDF.type, SKOS.Concept) in codebook
        assert (node, SKOS.inScheme, next(iter(schemes))) in codebook
        prefs = list(codebook.objects(node, SKOS.prefLabel))
        alts = {str(a) for a in codebook.objects(node, SKOS.altLabel)}
        assert len(prefs) == 1 and str(prefs[0]) not in alts  # SKOS: prefLabel and altLabel are disjoint
        assert all(a.language == "en" for a in codebook.objects(node, SKOS.altLabel))


def test_topic_names_are_unambiguous(codebook):
    owners: dict[str, set] = defaultdict(set)
    for node in codebook.subjects(RDF.type, KGNS.Topic):
        for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.notation):
            for o in codebook.objects(node, p):
                owners[normalise(str(o))].add(node)
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert not clashes, clashes


def test_codebook_covers_gold_topic_aliases(codebook):
    aliases = json.loads(gold_path("aliases.json").read_text(encoding="utf-8"))["topics"]
    for key, words in aliases.items():
        node = URIRef(topic_iri(key))
        have = {normalise(n) for n in names(codebook, node)}
        missing = [w for w in words if normalise(w) not in have]
        assert not missing, (key, missing)


# --------------------------------------------------------------------------- gazetteer


def test_actor_iris_follow_slug_rule(gazetteer):
    found = actors(gazetteer)
    assert len(found) >= 40
    for node in found:
        prefs = list(gazetteer.objects(node, SKOS.prefLabel))
        assert len(prefs) == 1 and prefs[0].language == "en", node
        # The shipped gazetteer names its actors by the ASCII slug of their label (explicit IRIs; actors
        # found in text get kg.model.namespaces.actor_iri, which keeps every script).
        assert str(node) == KGR + "actor/" + slug(str(prefs[0])), node
        assert str(gazetteer.value(node, RDFS.label)) == str(prefs[0])
        alts = {str(a) for a in gazetteer.objects(node, SKOS.altLabel)}
        assert str(prefs[0]) not in alts
        assert all(a.language == "en" for a in gazetteer.objects(node, SKOS.altLabel))
        types = {t for t in gazetteer.objects(node, RDF.type) if str(t).startswith(KG)}
        assert len(types) == 1, (node, types)


def test_actor_names_are_unambiguous(gazetteer):
    owners: dict[str, set] = defaultdict(set)
    for node in actors(gazetteer):
        for n in names(gazetteer, node):
            owners[normalise(n)].add(node)
    clashes = {k: sorted(map(str, v)) for k, v in owners.items() if len(v) > 1}
    assert not clashes, clashes


def test_gazetteer_covers_gold_aliases(gazetteer):
    aliases = json.loads(gold_path("aliases.json").read_text(encoding="utf-8"))["actors"]
    by_name: dict[str, URIRef] = {}
    for node in actors(gazetteer):
        for n in names(gazetteer, node):
            by_name[n] = node
    for key, words in aliases.items():
        assert key in by_name, f"no actor is named {key!r}"
        node = by_name[key]
        missing = [w for w in words if w not in names(gazetteer, node)]
        assert not missing, (key, missing)
    # "(group)" names become plain preferred labels
    assert by_name["NATO allies (group)"] == URIRef(actor_iri("NATO allies"))
    assert (URIRef(actor_iri("NATO allies")), RDF.type, KGNS.ActorGroup) in gazetteer
    assert by_name["Eastern European allies (group)"] == URIRef(actor_iri("Eastern European allies"))


def test_gold_seeds_resolve(gazetteer, codebook):
    rows = [json.loads(line) for line in gold_path("seeds.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    actor_names = {normalise(n) for node in actors(gazetteer) for n in names(gazetteer, node)}
    topic_keys = {str(o) for o in codebook.objects(None, SKOS.notation)}
    for row in rows:
        for name in (row["actor"], row["attributed_to"]):
            if name:
                assert normalise(name) in actor_names, name
        target = row["target"]
        if target.startswith("actor:"):
            assert normalise(target[6:]) in actor_names, target
        else:
            assert target in topic_keys, target


def test_wikidata_same_as_is_exactly_the_checked_set(vocab, codebook, gazetteer):
    links = set()
    for g in (vocab, codebook, gazetteer):
        for s, o in g.subject_objects(OWL.sameAs):
            links.add((str(s).removeprefix(KGR + "actor/"), str(o).removeprefix(WD)))
    assert links == ALLOWED_SAME_AS


def test_memberships_as_of_july_2023(gazetteer):
    nato, eu = URIRef(actor_iri("NATO")), URIRef(actor_iri("European Union"))

    def member(name, org):
        return (URIRef(actor_iri(name)), SCHEMA.memberOf, org) in gazetteer

    for state in ("Poland", "United States", "Germany", "Turkey", "Hungary", "Lithuania", "Estonia", "Latvia",
                  "Finland", "Norway", "Denmark", "Canada", "Italy", "United Kingdom", "France", "Netherlands"):
        assert member(state, nato), state
    for state in ("Sweden", "Ukraine", "Russia"):
        assert not member(state, nato), state
    assert member("Sweden", eu) and member("Finland", eu) and not member("United Kingdom", eu)
    baltic = URIRef(actor_iri("Baltic states"))
    assert set(gazetteer.objects(baltic, SCHEMA.member)) == {URIRef(actor_iri(n)) for n in ("Lithuania", "Latvia", "Estonia")}


def test_roles(gazetteer):
    role_re = re.compile(r"^https://w3id\.org/kg/id/role/([a-z0-9-]+)/(\d+)$")
    for person, role in gazetteer.subject_objects(KGNS.hasRole):
        m = role_re.match(str(role))
        assert m and person == URIRef(KGR + "actor/" + m.group(1)), role
        assert (role, RDF.type, KGNS.Role) in gazetteer
        assert gazetteer.value(role, KGNS.roleTitle) is not None
        start = gazetteer.value(role, SCHEMA.startDate)
        assert start is not None and start.datatype == XSD.date

    def role_of(name, title, org):
        person = URIRef(actor_iri(name))
        for role in gazetteer.objects(person, KGNS.hasRole):
            if (str(gazetteer.value(role, KGNS.roleTitle)) == title
                    and gazetteer.value(role, KGNS.inOrganisation) == URIRef(actor_iri(org))):
                return role
        raise AssertionError(f"{name} has no role {title} in {org}")

    sg = role_of("Jens Stoltenberg", "Secretary General", "NATO")
    assert str(gazetteer.value(sg, SCHEMA.startDate)) == "2014-10-01"
    assert str(gazetteer.value(sg, SCHEMA.endDate)) == "2024-10-01"
    assert {"NATO chief", "head of NATO", "NATO Secretary General", "Secretary General"} <= {
        str(a) for a in gazetteer.objects(sg, SKOS.altLabel)}
    former = role_of("Anders Fogh Rasmussen", "Secretary General", "NATO")
    assert (str(gazetteer.value(former, SCHEMA.startDate)), str(gazetteer.value(former, SCHEMA.endDate))) == (
        "2009-08-01", "2014-10-01")
    assert {"former NATO Secretary General", "former NATO chief", "former head of NATO"} <= {
        str(a) for a in gazetteer.objects(former, SKOS.altLabel)}
    assert (URIRef(actor_iri("Anders Fogh Rasmussen")), SCHEMA.affiliation, URIRef(actor_iri("Denmark"))) in gazetteer
    assert (URIRef(actor_iri("Jens Stoltenberg")), SCHEMA.affiliation, URIRef(actor_iri("Norway"))) in gazetteer


# --------------------------------------------------------------------------- SHACL

TEXT = ("A group of NATO countries may be ready to send troops to Ukraine. "
        "Poland is very involved in providing concrete assistance to Ukraine. "
        "Some leaders want a willing alliance.")


def span(quote: str) -> tuple[int, int]:
    start = TEXT.index(quote)
    return start, start + len(quote)


def sample_nquads() -> tuple[str, list[Assertion]]:
    """N-Quads of a small build made with kg.graph.quads: curated, extracted, actor/uncoded targets, new actors, curation."""
    doc = Document(id="000_sample", text=TEXT, title="NATO states may deploy", source="Example Times",
                   url="https://example.org/news?id=1&x=a b", date="2023-07-05", language="en", sha256="ab" * 32)
    poland = Actor(actor_iri("Poland"), "Poland", "State", ("Warsaw",))
    allies = Actor(actor_iri("NATO allies"), "NATO allies", "ActorGroup")
    rasmussen = Actor(actor_iri("Anders Fogh Rasmussen"), "Anders Fogh Rasmussen", "Person")
    newcomer = Actor(actor_iri("Some leaders"), "Some leaders", "Actor", ("leaders",), True)
    troops = Target(topic_iri("troop-deployment"), "Deployment of foreign troops to Ukraine", "topic", "troop-deployment")
    ukraine = Target(actor_iri("Ukraine"), "Ukraine", "actor")
    uncoded = Target(target_iri("a willing alliance"), "a willing alliance", "uncoded")
    q1, q2, q3 = ("may be ready to send troops to Ukraine", "Poland is very involved in providing concrete assistance",
                  "want a willing alliance")
    assertions = [
        Assertion(doc.id, allies, "supports", troops, "possible", q1, *span(q1), attributed_to=rasmussen,
                  origin="curated.yaml:3"),
        Assertion(doc.id, poland, "supports", ukraine, "certain", q2, *span(q2), method="extracted",
                  confidence=0.875, method_version="rules@0.1.0"),
        Assertion(doc.id, newcomer, "neutral", uncoded, "probable", q3, *span(q3), method="extracted",
                  confidence=0.5, method_version="rules@0.1.0"),
    ]
    lines = list(document_quads(doc))
    lines += assertion_quads(assertions[0])
    lines += assertion_quads(assertions[1])
    lines += assertion_quads(assertions[2], describe=[newcomer])
    declared = [Actor(actor_iri("Willing coalition"), "Willing coalition", "ActorGroup", ("willing alliance",), True)]
    lines += curation_quads("seeds/curated.yaml", declared, [("0123456789abcdef", "misread irony"), ("fedcba9876543210", "")])
    return "".join(lines), assertions


def data_graph(nquads: str, reference: Graph) -> Graph:
    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    g += reference
    return g


def conforms(data: Graph, shapes: Graph, inference: str = "none") -> tuple[bool, str]:
    ok, _, text = pyshacl.validate(data, shacl_graph=shapes, inference=inference, advanced=True)
    return bool(ok), text


def test_every_property_shape_has_a_message(shapes):
    sh = Namespace("http://www.w3.org/ns/shacl#")
    property_shapes = set(shapes.objects(None, sh.property)) | set(shapes.subjects(sh.path, None))
    assert len(property_shapes) > 20
    missing = [p for p in property_shapes if shapes.value(p, sh.message) is None]
    assert not missing, missing


def test_reference_data_conforms(reference, shapes):
    ok, text = conforms(reference, shapes)
    assert ok, text


@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_built_sample_conforms(reference, shapes, inference):
    nquads, assertions = sample_nquads()
    data = data_graph(nquads, reference)
    assert len(list(data.subjects(RDF.type, KGNS.Assertion))) == len(assertions)
    ok, text = conforms(data, shapes, inference)
    assert ok, text


def test_sample_through_oxigraph_conforms(shapes):
    """The way `kg validate` sees a build: reference files and quads in one store, dumped as the union."""
    store = ox.Store()
    for name in ("kg.ttl", "codebook.ttl", "gazetteer.ttl"):
        store.load(path=str(ONTOLOGY / name), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(KG + name))
    store.load(sample_nquads()[0].encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    triples = {(q.subject, q.predicate, q.object) for q in store}
    nt = ox.serialize((ox.Triple(*t) for t in triples), format=ox.RdfFormat.N_TRIPLES)
    ok, text = conforms(Graph().parse(data=nt, format="nt"), shapes)
    assert ok, text


def _first(data: Graph, method: str) -> URIRef:
    node = next(s for s in data.subjects(RDF.type, KGNS.Assertion)
                if (s, KGNS.method, URIRef(METHOD_IRI[method])) in data)
    return node


def _set(data, node, p, o):
    data.remove((node, p, None))
    if o is not None:
        data.add((node, p, o))


def _add(data, node, p, *objects):
    for o in objects:
        data.add((node, p, o))


# name -> (how to break the sample, text the validation report must then contain)
BREAKAGES = {
    "missing quote": (lambda d, a: _set(d, a, KGNS.quote, None), "kg:quote"),
    "empty quote": (lambda d, a: _set(d, a, KGNS.quote, Literal("")), "kg:quote"),
    "stance outside the five": (lambda d, a: _set(d, a, KGNS.stance, KGNS["stance-maybe"]), "kg:stance"),
    "certainty outside the three": (lambda d, a: _set(d, a, KGNS.certainty, KGNS["certainty-sure"]), "kg:certainty"),
    "unknown method": (lambda d, a: _set(d, a, KGNS.method, KGNS.Guessed), "kg:method"),
    "two actors": (lambda d, a: _add(d, a, KGNS.actor, URIRef(actor_iri("Germany"))), "kg:actor"),
    "no actor": (lambda d, a: _set(d, a, KGNS.actor, None), "kg:actor"),
    "actor literal": (lambda d, a: _set(d, a, KGNS.actor, Literal("Poland")), "kg:actor"),
    "dangling actor": (lambda d, a: _set(d, a, KGNS.actor, URIRef(actor_iri("Nowhere Land"))), "kg:actor"),
    "dangling target": (lambda d, a: _set(d, a, KGNS.target, URIRef(topic_iri("no-such-topic"))), "kg:target"),
    "negative offset": (lambda d, a: _set(d, a, KGNS.startOffset, Literal(-1)), "kg:startOffset"),
    "start after end": (lambda d, a: _set(d, a, KGNS.startOffset, Literal(10_000)), "kg:startOffset"),
    "offset not integer": (lambda d, a: _set(d, a, KGNS.endOffset, Literal("12")), "kg:endOffset"),
    "confidence above 1": (lambda d, a: _set(d, a, KGNS.confidence, Literal("1.5", datatype=XSD.decimal)),
                           "kg:confidence"),
    "confidence as string": (lambda d, a: _set(d, a, KGNS.confidence, Literal("0.5")), "kg:confidence"),
    "two speakers": (lambda d, a: _add(d, a, KGNS.attributedTo, URIRef(actor_iri("Jens Stoltenberg")),
                                       URIRef(actor_iri("Julianne Smith"))), "kg:attributedTo"),
    "speaker not an actor": (lambda d, a: _add(d, a, KGNS.attributedTo, URIRef(document_iri("000_sample"))),
                             "kg:attributedTo"),
    "no document": (lambda d, a: _set(d, a, PROV.wasDerivedFrom, None), "prov:wasDerivedFrom"),
    "undescribed document": (lambda d, a: _set(d, a, PROV.wasDerivedFrom, URIRef(document_iri("missing"))),
                             "prov:wasDerivedFrom"),
    "document without identifier": (lambda d, a: _set(d, URIRef(document_iri("000_sample")), DCT.identifier, None),
                                    "dct:identifier"),
    "document date not a date": (lambda d, a: _set(d, URIRef(document_iri("000_sample")), DCT.date,
                                                   Literal("July 2023", datatype=XSD.date)), "dct:date"),
    "actor without labels": (lambda d, a: _add(d, URIRef(actor_iri("Atlantis")), RDF.type, KGNS.State),
                             "skos:prefLabel or rdfs:label"),
    "topic without notation": (lambda d, a: _set(d, URIRef(topic_iri("troop-deployment")), SKOS.notation, None),
                               "skos:notation"),
    "uncoded target without label": (lambda d, a: _add(d, URIRef(target_iri("x")), RDF.type, KGNS.UncodedTarget),
                                     "uncoded target"),
    "isNew not boolean": (lambda d, a: _set(d, URIRef(actor_iri("Some leaders")), KGNS.isNew, Literal("yes")),
                          "kg:isNew"),
    "role date not a date": (lambda d, a: _set(d, URIRef(KGR + "role/jens-stoltenberg/1"), SCHEMA.endDate,
                                               Literal("2024")), "schema:endDate"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_broken_sample_does_not_conform(reference, shapes, breakage):
    nquads, _ = sample_nquads()
    data = data_graph(nquads, reference)
    breaks, expected = BREAKAGES[breakage]
    breaks(data, _first(data, "extracted"))
    ok, text = conforms(data, shapes)
    assert not ok, f"{breakage}: expected a violation"
    assert expected in text, text


def test_broken_curated_assertion_does_not_conform(reference, shapes):
    nquads, _ = sample_nquads()
    data = data_graph(nquads, reference)
    node = _first(data, "curated")
    data.remove((node, KGNS.quote, None))
    ok, text = conforms(data, shapes)
    assert not ok and "kg:quote" in text
