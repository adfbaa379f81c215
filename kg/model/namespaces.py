"""Every RDF namespace, prefix and IRI-minting rule of kg, in one place.

IRIs are derived from normalised content so that rebuilding from the same
input yields the same triples (``actor_iri("Poland") == actor_iri(" poland ")``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Vocabulary (classes and properties) and instance data live in separate
# namespaces so that the ontology can be versioned apart from the data.
KG = "https://w3id.org/kg/ns#"
KGR = "https://w3id.org/kg/id/"

PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
WD = "http://www.wikidata.org/entity/"

PREFIXES: dict[str, str] = {
    "kg": KG,
    "kgr": KGR,
    "prov": PROV,
    "skos": SKOS,
    "dct": DCT,
    "schema": SCHEMA,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "wd": WD,
}

STANCES = ("supports", "opposes", "hesitant", "divided", "neutral")
CERTAINTIES = ("certain", "probable", "possible")
# Ordinal rank so that filters such as "at least probable" can compare.
CERTAINTY_RANK = {"possible": 1, "probable": 2, "certain": 3}

# The direct (shortcut) predicate for each stance: actor kg:supports target.
STANCE_PREDICATE = {
    "supports": KG + "supports",
    "opposes": KG + "opposes",
    "hesitant": KG + "hesitantOn",
    "divided": KG + "dividedOn",
    "neutral": KG + "neutralOn",
}
STANCE_IRI = {s: KG + "stance-" + s for s in STANCES}
CERTAINTY_IRI = {c: KG + "certainty-" + c for c in CERTAINTIES}
IRI_STANCE = {v: k for k, v in STANCE_IRI.items()}
IRI_CERTAINTY = {v: k for k, v in CERTAINTY_IRI.items()}

METHOD_IRI = {"curated": KG + "Curated", "extracted": KG + "Extracted"}

# Named graphs: one per source document, one for curation decisions and one
# each for the reference data (vocabulary, gazetteer, codebook).
GRAPH_CURATION = KGR + "graph/curation"
GRAPH_ONTOLOGY = KGR + "graph/ontology"
GRAPH_GAZETTEER = KGR + "graph/gazetteer"
GRAPH_CODEBOOK = KGR + "graph/codebook"
# Descriptions shared by many documents (outlets, actors and targets not in the gazetteer)
# live once here: repeated in each document's graph they would repeat in every union query.
GRAPH_ENTITIES = KGR + "graph/entities"
GRAPH_BUILD = KGR + "graph/build"  # fingerprints that make rebuilds incremental


def slug(text: str) -> str:
    """Normalise a label into an IRI-safe slug: ``"Anders Fogh Rasmussen" -> "anders-fogh-rasmussen"``."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9]+", "-", text.lower()).strip("-")
    return text or "x"


def digest(*parts: object, size: int = 16) -> str:
    """Stable short hash of normalised parts."""
    h = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:size]


def normalise_label(label: str) -> str:
    """The form under which two labels name the same thing: NFC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", label).casefold().split())


def _word_char(c: str) -> bool:
    return unicodedata.category(c)[0] in "LNM"  # letters (any script), digits, combining marks


def name_segment(label: str) -> str:
    """An IRI path segment for a label, distinct for distinct normalised labels.

    Letters of any script stay (IRIs allow them): ``"Путин" -> "путин"``, ``"Poland" -> "poland"``.
    A label made of words and single spaces maps to its words joined by ``-``, which can be read back;
    any other label (punctuation, symbols) also gets a digest of its normalised form, so that
    ``"A.B"`` and ``"A B"`` stay two actors.
    """
    norm = normalise_label(label)
    readable = re.sub("-+", "-", "".join(c if _word_char(c) else "-" for c in norm)).strip("-") or "x"
    if norm and all(_word_char(c) or c == " " for c in norm):
        return readable  # reads back: the words, with '-' for the single spaces between them
    return f"{readable[:60]}-{digest(norm, size=8)}"


def actor_iri(label: str) -> str:
    return f"{KGR}actor/{name_segment(label)}"


def topic_iri(notation: str) -> str:
    return f"{KGR}topic/{slug(notation)}"


def target_iri(text: str) -> str:
    """IRI of an uncoded target (free text that matched no topic or actor)."""
    return f"{KGR}target/{slug(text)[:80]}-{digest(text.lower().strip(), size=8)}"


def id_segment(text: str) -> str:
    """A document id as an IRI path segment: letters (any script), digits and ``-._~`` as they are,
    everything else percent-encoded (so ``"my article"`` -> ``"my%20article"``); one id, one segment."""
    return "".join(c if _word_char(c) or c in "-._~" else "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
                   for c in text) or "%00"


def document_iri(doc_id: str) -> str:
    return f"{KGR}doc/{id_segment(doc_id)}"


def document_graph(doc_id: str) -> str:
    return f"{KGR}graph/doc/{id_segment(doc_id)}"


def source_iri(name: str) -> str:
    return f"{KGR}source/{name_segment(name)}"


def assertion_iri(assertion_id: str) -> str:
    return f"{KGR}assertion/{assertion_id}"


def sparql_prologue() -> str:
    """PREFIX declarations for every project prefix."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
