"""Frozen domain records: documents, actors, topics and assertions."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.model.namespaces import CERTAINTIES, STANCES, assertion_iri, digest


@dataclass(frozen=True)
class Document:
    """One source text; ``id`` is its file name without extension (for a row of a collection, its id
    column, else its URL, else ``<file stem>-<row>``). ``text`` is the body that offsets index."""

    id: str
    text: str
    path: str = ""
    title: str | None = None
    source: str | None = None  # the outlet, e.g. "Reuters"
    url: str | None = None
    date: str | None = None  # ISO 8601 date
    language: str | None = None
    # Where the body starts in the file (after front matter); offsets are body-relative.
    body_offset: int = 0
    sha256: str = ""
    authors: tuple[str, ...] = ()  # dct:creator
    keywords: tuple[str, ...] = ()  # schema:keywords (front matter keywords or tags)
    # Every other front-matter key, column or page field as (key as written, value); a key repeats
    # for several values. kg/rdf.py maps the keys it knows (section, description, ...) to Dublin
    # Core / schema.org and writes the rest as kg:meta entries.
    meta: tuple[tuple[str, str], ...] = ()
    # Where in ``path`` the document is when the file holds several: row or entry number, file line.
    row: int | None = None
    line: int | None = None


@dataclass(frozen=True)
class Actor:
    """An actor from the gazetteer (or newly found in text)."""

    iri: str
    label: str
    type: str = "Actor"  # Person | State | InternationalOrganisation | ActorGroup | Actor
    aliases: tuple[str, ...] = ()
    is_new: bool = False


@dataclass(frozen=True)
class Topic:
    """A codebook concept; ``notation`` is its key, e.g. ``troop-deployment``."""

    iri: str
    notation: str
    label: str
    alt_labels: tuple[str, ...] = ()
    definition: str = ""  # skos:definition: what the topic covers, in the codebook's words


@dataclass(frozen=True)
class Target:
    """What a stance is about: a codebook topic, an actor, or uncoded text."""

    iri: str
    label: str
    kind: str  # "topic" | "actor" | "uncoded"
    topic: str | None = None  # codebook notation when kind == "topic"
    new: bool = False  # an actor target found in text but not in the gazetteer


@dataclass(frozen=True)
class Assertion:
    """Who holds which stance on what, according to whom, how surely, and where it says so."""

    doc: str
    actor: Actor
    stance: str
    target: Target
    certainty: str
    quote: str
    start: int
    end: int
    attributed_to: Actor | None = None
    method: str = "curated"  # "curated" | "extracted"
    confidence: float | None = None
    method_version: str | None = None  # e.g. "rules@0.1.0"
    origin: str | None = None  # "curated.yaml:12" for curated rows
    id: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.stance not in STANCES:
            raise ValueError(f"unknown stance {self.stance!r}")
        if self.certainty not in CERTAINTIES:
            raise ValueError(f"unknown certainty {self.certainty!r}")
        if not self.id:
            object.__setattr__(self, "id", self.make_id())

    def make_id(self) -> str:
        """Stable id from normalised content, so a rebuild mints the same IRI."""
        speaker = self.attributed_to.iri if self.attributed_to else ""
        return digest(self.method, self.doc, self.actor.iri, self.stance, self.target.iri,
                      speaker, self.certainty, self.start, self.end)

    @property
    def iri(self) -> str:
        return assertion_iri(self.id)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What the assertion states, regardless of wording: (doc, actor, stance, target)."""
        return (self.doc, self.actor.iri, self.stance, self.target.iri)

    def to_json(self) -> dict:
        """The JSONL contract of ``kg extract``."""
        speaker = self.attributed_to
        return {
            "id": self.id,
            "doc": self.doc,
            "actor": {"id": self.actor.iri, "label": self.actor.label, **({"new": True} if self.actor.is_new else {})},
            "stance": self.stance,
            "target": {"id": self.target.iri, "label": self.target.label, "topic": self.target.topic},
            "attributed_to": {"id": speaker.iri, "label": speaker.label} if speaker else None,
            "certainty": self.certainty,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "confidence": self.confidence if self.confidence is not None else 1.0,
            "method": self.method_version or self.method,
        }
