"""SHACL validation of a built graph against ``ontology/shapes.ttl`` (pyshacl)."""

from __future__ import annotations

from kg.store import Store


def validate(store: Store, shapes: str | None = None) -> tuple[bool, str]:
    """Validate the union of the store's graphs; return (conforms, report text)."""
    import pyshacl
    from rdflib import Graph

    from kg.ingest.reference_files import ontology_dir

    data = Graph()
    data.parse(data=store.dump("ntriples"), format="nt")
    shapes_graph = Graph().parse(str(shapes or ontology_dir() / "shapes.ttl"), format="turtle")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none", advanced=True)
    return bool(conforms), text
