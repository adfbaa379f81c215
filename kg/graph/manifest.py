"""What a store was built from, kept in the store itself, so that builds add instead of replace.

A store remembers its inputs: every document graph names the file its document
came from (``kg:inputFile``), and the build graph names the curated files and
the codebooks and gazetteers of the last build. ``kg build PATHS`` reads those
remembered files together with ``PATHS``; a document leaves the store only
through ``kg remove`` or ``kg build --sync``.

Descriptions shared by several documents (outlets, actors and targets the
gazetteer lacks) live once in the entities graph. Each document graph also
keeps the entity quads that its document contributed, as one literal
(``kg:entityDescriptions``); when documents change or leave, the entities graph
is rebuilt as the union of what the remaining documents contribute. That union
is exactly what a fresh build of the same inputs writes, whatever the
descriptions say (one document may type an actor a Person, another only an
Actor).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kg.model.namespaces import GRAPH_BUILD, GRAPH_ENTITIES, KG, document_graph, document_iri
from kg.model.nquads import iri, literal, quad
from kg.store import Store

INPUT_FILE = KG + "inputFile"
ENTITY_DESCRIPTIONS = KG + "entityDescriptions"
CURATED_FILE = KG + "curatedFile"
CODEBOOK_FILE = KG + "codebookFile"
GAZETTEER_FILE = KG + "gazetteerFile"
REFERENCE_FILE = KG + "referenceFile"
WITH_SHIPPED = KG + "withShippedReference"
COLUMN_MAPPING = KG + "columnMapping"  # "field=column" of article collections (--columns)
_STATE = GRAPH_BUILD + "#state"
_ENTITY_TAIL = f" <{GRAPH_ENTITIES}> .\n"


def is_entity_chunk(chunk: str) -> bool:
    """Whether a chunk of a document's quads goes to the shared entities graph (rdf yields those one by one)."""
    return chunk.endswith(_ENTITY_TAIL)


def absolute(path: str | os.PathLike) -> str:
    """The form in which a store remembers a file: absolute, not resolved through links."""
    return os.path.abspath(os.fspath(path))


@dataclass
class Manifest:
    """The input files a store remembers (absolute paths)."""

    documents: set[str] = field(default_factory=set)  # files documents came from
    curated: set[str] = field(default_factory=set)
    codebooks: set[str] = field(default_factory=set)
    gazetteers: set[str] = field(default_factory=set)
    references: set[str] = field(default_factory=set)  # Turtle/YAML reference files among the inputs
    with_shipped: bool = False
    columns: dict[str, str] = field(default_factory=dict)  # collection columns by kg field

    def build_quads(self) -> str:
        """The build graph's record of the curated and reference files (documents name their own)."""
        s = iri(_STATE)
        lines = [quad(s, p, literal(f), GRAPH_BUILD)
                 for p, files in ((CURATED_FILE, self.curated), (CODEBOOK_FILE, self.codebooks),
                                  (GAZETTEER_FILE, self.gazetteers), (REFERENCE_FILE, self.references))
                 for f in sorted(files)]
        lines += [quad(s, COLUMN_MAPPING, literal(f"{k}={v}"), GRAPH_BUILD) for k, v in sorted(self.columns.items())]
        if self.with_shipped:
            lines.append(quad(s, WITH_SHIPPED, literal("true", "http://www.w3.org/2001/XMLSchema#boolean"),
                              GRAPH_BUILD))
        return "".join(lines)

    def all_files(self) -> list[str]:
        return sorted(self.documents | self.curated | self.references)


def stored_manifest(store: Store) -> Manifest:
    """What ``store`` was built from; empty for a new store."""
    m = Manifest()
    m.documents = {r["f"] for r in store.query("SELECT DISTINCT ?f WHERE { ?d kg:inputFile ?f }").dicts()}
    kinds = {CURATED_FILE: m.curated, CODEBOOK_FILE: m.codebooks, GAZETTEER_FILE: m.gazetteers,
             REFERENCE_FILE: m.references}
    # Our own graph IRI, not input text: nothing untrusted is spliced.
    rows = store.query(f"SELECT ?p ?f WHERE {{ GRAPH <{GRAPH_BUILD}> {{ ?s ?p ?f }} }}").dicts()
    for r in rows:
        if r["p"] == COLUMN_MAPPING:
            key, _, value = str(r["f"]).partition("=")
            m.columns[key] = value
            continue
        if r["p"] not in kinds and r["p"] != WITH_SHIPPED:
            continue
        if r["p"] == WITH_SHIPPED:
            m.with_shipped = r["f"] in (True, "true", "1")
        else:
            kinds[r["p"]].add(str(r["f"]))
    return m


def document_record(doc_id: str, path: str, chunks: Iterable[str]) -> Iterator[str]:
    """``chunks`` (a document's quads) split: the document graph's lines are passed through; the
    entities graph's are passed through too and also kept in one ``kg:entityDescriptions`` literal,
    with the file the document came from (``kg:inputFile``), in the document graph."""
    entities: set[str] = set()
    for chunk in chunks:
        if is_entity_chunk(chunk):
            entities.add(chunk)
        yield chunk
    yield from record_quads(doc_id, path, entities)


def record_quads(doc_id: str, path: str, entity_lines: Iterable[str]) -> Iterator[str]:
    d, g = iri(document_iri(doc_id)), document_graph(doc_id)
    yield quad(d, INPUT_FILE, literal(absolute(path)), g)
    lines = sorted({line for chunk in entity_lines for line in chunk.splitlines(keepends=True)})
    if lines:
        yield quad(d, ENTITY_DESCRIPTIONS, literal("".join(lines)), g)


def rebuild_entities(store: Store) -> None:
    """Make the entities graph the union of what the stored documents contribute."""
    lines: set[str] = set()
    for r in store.query("SELECT ?l WHERE { ?d kg:entityDescriptions ?l }").rows:
        lines.update(r[0].value.splitlines(keepends=True))
    store.remove_graph(GRAPH_ENTITIES)
    if lines:
        store.load_nquads("".join(sorted(lines)).encode("utf-8"))
