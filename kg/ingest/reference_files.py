"""The reference data a build loads (the ontology, codebooks, gazetteers, a corpus's own
actor and topic files), each in its named graph, and the actors and topics they define."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.ingest.reference import Reference
from kg.model.errors import InputError
from kg.model.namespaces import GRAPH_BUILD, GRAPH_CODEBOOK, GRAPH_GAZETTEER, GRAPH_ONTOLOGY, digest, slug
from kg.store import OxigraphStore, Store

PACKAGE = Path(__file__).resolve().parents[1]  # kg/
GRAPH_REFERENCE = GRAPH_BUILD.rsplit("/", 1)[0] + "/reference/"


def ontology_dir() -> Path:
    """The shipped ontology folder: inside the wheel, or beside ``kg/`` in a checkout."""
    for candidate in (PACKAGE / "_ontology", PACKAGE.parent / "ontology"):
        if (candidate / "kg.ttl").is_file():
            return candidate
    raise InputError("the kg ontology files are missing from this installation", PACKAGE / "_ontology")


@dataclass(frozen=True)
class ReferenceFiles:
    """The Turtle files a build loads as reference data, by named graph."""

    ontology: tuple[Path, ...]
    gazetteer: tuple[Path, ...]
    codebook: tuple[Path, ...]
    extra: tuple[Path, ...] = ()  # Turtle files found among the build inputs (a corpus's own actors/topics)

    @classmethod
    def default(cls, gazetteer: Iterable[str | Path] = (), codebook: Iterable[str | Path] = ()) -> ReferenceFiles:
        """The shipped files, with the gazetteer or codebook replaced where given."""
        d = ontology_dir()
        gaz = tuple(Path(p) for p in gazetteer) or (d / "gazetteer.ttl",)
        cb = tuple(Path(p) for p in codebook) or (d / "codebook.ttl",)
        for p in (*gaz, *cb):
            if not p.is_file():
                raise InputError("no such file", p)
        return cls((d / "kg.ttl",), gaz, cb)

    @classmethod
    def resolve(cls, codebooks: Iterable[str | Path] = (), gazetteers: Iterable[str | Path] = (),
                extra: Iterable[str | Path] = (), *, with_shipped: bool = False) -> ReferenceFiles:
        """The user's own codebooks, gazetteers and reference files; the shipped codebook and gazetteer
        (the seed debate's) only when the user brings none, or asks for them (``with_shipped``)."""
        d = ontology_dir()
        cb, gaz, extra = (tuple(Path(p) for p in x) for x in (codebooks, gazetteers, extra))
        for p in (*cb, *gaz, *extra):
            if not p.is_file():
                raise InputError("no such file", p)
        if with_shipped or not (cb or gaz or extra):
            cb, gaz = (d / "codebook.ttl", *cb), (d / "gazetteer.ttl", *gaz)
        return cls((d / "kg.ttl",), gaz, cb, extra)

    def by_graph(self) -> list[tuple[str, Path]]:
        return ([(GRAPH_ONTOLOGY, p) for p in self.ontology] + [(GRAPH_GAZETTEER, p) for p in self.gazetteer]
                + [(GRAPH_CODEBOOK, p) for p in self.codebook]
                + [(f"{GRAPH_REFERENCE}{slug(p.stem)}-{digest(p.resolve())[:8]}", p) for p in self.extra])

    def with_extra(self, paths: Iterable[Path]) -> ReferenceFiles:
        return ReferenceFiles(self.ontology, self.gazetteer, self.codebook, tuple(self.extra) + tuple(paths))

    def digest(self) -> str:
        h = hashlib.sha256()
        for graph, path in self.by_graph():
            h.update(graph.encode() + b"\0" + path.read_bytes() + b"\0")
        return h.hexdigest()[:24]

    def clear_from(self, store: Store) -> None:
        """Drop every reference graph (including those of files no longer among the inputs)."""
        for graph in store.graphs():
            if graph.startswith(GRAPH_REFERENCE) or graph in (GRAPH_ONTOLOGY, GRAPH_GAZETTEER, GRAPH_CODEBOOK):
                store.remove_graph(graph)

    def nquads(self) -> Iterator[bytes]:
        """The reference files (Turtle or YAML) as N-Quads, blank nodes skolemised, each in its named graph."""
        from kg.ingest.reference_yaml import reference_nquads

        for graph, path in self.by_graph():
            yield reference_nquads(path, graph)

    def load_into(self, store: Store) -> None:
        self.clear_from(store)
        store.load_nquads(b"".join(self.nquads()))

    def reference(self) -> Reference:
        """The actors and topics these files define."""
        scratch = OxigraphStore(None)
        self.load_into(scratch)
        return Reference.from_store(scratch)


def inputs_reference(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """(codebooks, gazetteers) that go with these inputs, as a build of them would use: the reference files
    among them (Turtle, YAML codebooks and gazetteers), else the project's that holds them (``kg init``'s
    ``topics.yaml`` and ``actors.yaml``, or a debate folder's ``codebook.ttl`` and ``gazetteer.ttl`` beside its
    ``docs/``, in a named folder or the folder above it). Empty: the shipped ones."""
    from kg.ingest.file_kinds import walk_inputs
    from kg.ingest.init_project import FILES
    from kg.ingest.reference_yaml import YAML_SUFFIXES, reference_kind

    found: dict[str, list[Path]] = {"codebook": [], "gazetteer": []}
    for f, kind, _ in walk_inputs(paths):
        if kind == "reference" or (kind == "curated" and f.suffix.lower() in YAML_SUFFIXES):
            k = reference_kind(f)
            if k in found:
                found[k].append(f)
    if not (found["codebook"] or found["gazetteer"]):
        for p in map(Path, paths):
            folder = (p if p.is_dir() else p.parent).resolve()
            for where in (folder, folder.parent):
                for name in (*FILES, "codebook.ttl", "gazetteer.ttl"):
                    f = where / name
                    if f.is_file() and f not in found["codebook"] + found["gazetteer"]:
                        k = reference_kind(f)
                        if k in found:
                            found[k].append(f)
                if found["codebook"] or found["gazetteer"]:
                    break
    return found["codebook"], found["gazetteer"]
