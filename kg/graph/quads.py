"""Map documents and assertions to N-Quads, the interchange every store backend loads.

Each assertion is an n-ary node carrying its provenance, plus a direct
``actor kg:<stance> target`` triple so that simple SPARQL stays simple.
Everything a document says goes into that document's named graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.model.nquads import iri, literal, quad
from kg.model.records import Actor, Assertion, Document, Target
from kg.model.namespaces import (
    CERTAINTY_IRI, DCT, GRAPH_CURATION, GRAPH_ENTITIES, KG, METHOD_IRI, PROV, RDF, RDFS, SCHEMA, SKOS,
    STANCE_IRI, STANCE_PREDICATE, XSD, assertion_iri, digest, document_graph, document_iri, slug, source_iri,
)

_TYPE = RDF + "type"
_DCT_MODIFIED = DCT + "modified"
# Metadata keys (normalised: lower case, "_" for spaces and dashes) written with Dublin Core or schema.org
# properties; every other key is a kg:meta entry.
META_PROPERTIES = {
    **dict.fromkeys(("section", "category", "categories", "article_section"), SCHEMA + "articleSection"),
    **dict.fromkeys(("description", "dek"), DCT + "description"),
    **dict.fromkeys(("summary", "abstract", "excerpt"), DCT + "abstract"),
    **dict.fromkeys(("subtitle", "subheadline", "alternative_headline"), SCHEMA + "alternativeHeadline"),
    **dict.fromkeys(("modified", "updated", "last_modified", "date_modified"), _DCT_MODIFIED),
    **dict.fromkeys(("license", "licence", "rights", "copyright"), DCT + "rights"),
}


def _meta_quads(doc: Document, d: str, g: str) -> Iterator[str]:
    from kg.ingest.metadata import norm_key, parse_date

    grouped: dict[str, list[str]] = {}
    for key, value in doc.meta:
        grouped.setdefault(key, []).append(value)
    for key, values in grouped.items():
        prop = META_PROPERTIES.get(norm_key(key))
        if prop == _DCT_MODIFIED:
            for v in values:
                date = parse_date(v)
                yield quad(d, prop, literal(date, XSD + "date") if date else literal(v), g)
        elif prop:
            for v in values:
                yield quad(d, prop, literal(v), g)
        else:
            name = slug(key)
            node = iri(f"{document_iri(doc.id)}/meta/{name if name == key else f'{name[:60]}-{digest(key, size=8)}'}")
            yield quad(d, KG + "meta", node, g)
            yield quad(node, KG + "key", literal(key), g)
            for v in dict.fromkeys(values):
                yield quad(node, KG + "value", literal(v), g)


def document_quads(doc: Document) -> Iterator[str]:
    """A document's description and its text (``schema:text``, the body offsets index) in its graph."""
    g = document_graph(doc.id)
    d = iri(document_iri(doc.id))
    yield quad(d, _TYPE, iri(KG + "Document"), g)
    yield quad(d, DCT + "identifier", literal(doc.id), g)
    yield quad(d, KG + "sha256", literal(doc.sha256), g)
    yield quad(d, SCHEMA + "text", literal(doc.text), g)
    for author in dict.fromkeys(doc.authors):
        yield quad(d, DCT + "creator", literal(author), g)
    for keyword in dict.fromkeys(doc.keywords):
        yield quad(d, SCHEMA + "keywords", literal(keyword), g)
    if doc.meta:
        yield from _meta_quads(doc, d, g)
    if doc.title:
        yield quad(d, DCT + "title", literal(doc.title), g)
    if doc.source:
        src = iri(source_iri(doc.source))
        yield quad(d, DCT + "publisher", src, g)
        yield quad(src, _TYPE, iri(KG + "Source"), GRAPH_ENTITIES)
        yield quad(src, RDFS + "label", literal(doc.source), GRAPH_ENTITIES)
    if doc.url:
        yield quad(d, SCHEMA + "url", literal(doc.url, XSD + "anyURI"), g)
    if doc.date:
        yield quad(d, DCT + "date", literal(doc.date, XSD + "date"), g)
    if doc.language:
        yield quad(d, DCT + "language", literal(doc.language), g)


def _actor_quads(actor: Actor, g: str) -> Iterator[str]:
    """Actors not in the gazetteer are described where they were found."""
    a = iri(actor.iri)
    yield quad(a, _TYPE, iri(KG + actor.type), g)
    yield quad(a, SKOS + "prefLabel", literal(actor.label), g)
    yield quad(a, RDFS + "label", literal(actor.label), g)
    for alias in actor.aliases:
        yield quad(a, SKOS + "altLabel", literal(alias), g)
    if actor.is_new:
        yield quad(a, KG + "isNew", literal("true", XSD + "boolean"), g)


def _target_quads(target: Target, g: str) -> Iterator[str]:
    t = iri(target.iri)
    yield quad(t, _TYPE, iri(KG + "UncodedTarget"), g)
    yield quad(t, RDFS + "label", literal(target.label), g)


# Terms every assertion repeats, serialised once: a build writes 14 quads per assertion, 10^6 times.
_P = {k: f"<{v}>" for k, v in {
    "type": _TYPE, "label": RDFS + "label", "actor": KG + "actor", "stance": KG + "stance", "target": KG + "target",
    "certainty": KG + "certainty", "attributedTo": KG + "attributedTo", "quote": KG + "quote",
    "startOffset": KG + "startOffset", "endOffset": KG + "endOffset", "derived": PROV + "wasDerivedFrom",
    "method": KG + "method", "confidence": KG + "confidence", "methodVersion": KG + "methodVersion",
    "origin": KG + "origin"}.items()}
_ASSERTION = iri(KG + "Assertion")
_STANCE_TERM = {k: iri(v) for k, v in STANCE_IRI.items()}
_CERTAINTY_TERM = {k: iri(v) for k, v in CERTAINTY_IRI.items()}
_METHOD_TERM = {k: iri(v) for k, v in METHOD_IRI.items()}
_INTEGER = f"^^<{XSD}integer>"


def assertion_quads(a: Assertion, *, describe: Iterable[Actor] = ()) -> Iterator[str]:
    """Quads of one assertion in its document's graph; ``describe`` lists actors not in the gazetteer.

    Descriptions of new actors and uncoded targets go to the shared entities graph.
    """
    g = document_graph(a.doc)
    n = iri(a.iri)
    actor, target = iri(a.actor.iri), iri(a.target.iri)
    tail = f" <{g}> .\n"  # as quad() writes it
    p = _P
    yield (f"{n} {p['type']} {_ASSERTION}{tail}"
           f"{n} {p['label']} {literal(f'{a.actor.label} {a.stance} {a.target.label}')}{tail}"
           f"{n} {p['actor']} {actor}{tail}"
           f"{n} {p['stance']} {_STANCE_TERM[a.stance]}{tail}"
           f"{n} {p['target']} {target}{tail}"
           f"{n} {p['certainty']} {_CERTAINTY_TERM[a.certainty]}{tail}")
    if a.attributed_to is not None:
        yield f"{n} {p['attributedTo']} {iri(a.attributed_to.iri)}{tail}"
    yield (f"{n} {p['quote']} {literal(a.quote)}{tail}"
           f'{n} {p["startOffset"]} "{a.start}"{_INTEGER}{tail}'
           f'{n} {p["endOffset"]} "{a.end}"{_INTEGER}{tail}'
           f"{n} {p['derived']} {iri(document_iri(a.doc))}{tail}"
           f"{n} {p['method']} {_METHOD_TERM[a.method]}{tail}")
    if a.confidence is not None:
        yield quad(n, KG + "confidence", literal(f"{a.confidence:.3f}", XSD + "decimal"), g)
    if a.method_version:
        yield quad(n, KG + "methodVersion", literal(a.method_version), g)
    if a.origin:
        yield quad(n, KG + "origin", literal(a.origin), g)
    yield quad(actor, STANCE_PREDICATE[a.stance], target, g)
    if a.target.kind == "uncoded":
        yield from _target_quads(a.target, GRAPH_ENTITIES)
    elif a.target.kind == "actor" and a.target.new:
        yield from _actor_quads(Actor(a.target.iri, a.target.label, is_new=True), GRAPH_ENTITIES)
    for extra in describe:
        yield from _actor_quads(extra, GRAPH_ENTITIES)


def curation_quads(curated_file: str, declared: Iterable[Actor], rejected: Iterable[tuple[str, str]]) -> Iterator[str]:
    """The analyst's layer: actors declared by hand and rejected extracted assertions."""
    g = GRAPH_CURATION
    for actor in declared:
        yield from _actor_quads(actor, g)
    for assertion_id, reason in rejected:
        node = iri(assertion_iri(assertion_id))
        yield quad(node, KG + "rejectedIn", literal(curated_file), g)
        if reason:
            yield quad(node, KG + "rejectionReason", literal(reason), g)
