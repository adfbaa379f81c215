"""The reference data a build resolves names against: actors (gazetteer) and topics (codebook).

Loaded with SPARQL from any store, so the same index serves ``kg build``
(from the Turtle files) and queries (from the built store).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from kg import queries
from kg.model.errors import KgError, UnknownNameError
from kg.model.records import Actor, Target, Topic
from kg.model.namespaces import KG, actor_iri, target_iri

# A hand-written target that is neither a topic nor an actor: "text:ban on grain imports".
TEXT_PREFIX = "text:"
_APOS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "‐": "-", "–": "-", "—": "-"})


@lru_cache(maxsize=65536)
def normalise(name: str) -> str:
    """Case-, accent-, quote- and article-insensitive key: ``"The  Baltic States" -> "baltic states"``."""
    name = unicodedata.normalize("NFKC", name).translate(_APOS).casefold()
    name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    name = re.sub(r"\s+", " ", name).strip(" .,;:\"'")
    return re.sub(r"^the ", "", name)


@dataclass(frozen=True)
class Role:
    """A role a person holds, e.g. NATO Secretary General 2014-2024."""

    person: str
    title: str
    organisation: str | None
    start: str | None
    end: str | None
    labels: tuple[str, ...] = ()


@dataclass
class Reference:
    """Actors and topics with lookup by label and alias."""

    actors: dict[str, Actor] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    roles: list[Role] = field(default_factory=list)
    _actor_names: dict[str, str] = field(default_factory=dict, repr=False)
    _topic_names: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_store(cls, store) -> Reference:
        """Read every actor, topic and role from ``store`` (see the ``actors``/``topics``/``roles`` queries)."""
        ref = cls()
        labels: dict[str, str] = {}
        types: dict[str, str] = {}
        alts: dict[str, list[str]] = defaultdict(list)
        new: set[str] = set()
        for row in store.query(queries.load("actors")).dicts():
            a = row["actor"]
            t = row["type"].removeprefix(KG)
            # The most specific type wins over the generic kg:Actor.
            if a not in types or types[a] == "Actor":
                types[a] = t
            if row["label"] and (a not in labels):
                labels[a] = row["label"]
            if row["alt"] and row["alt"] not in alts[a]:
                alts[a].append(row["alt"])
            if row["new"]:
                new.add(a)
        for a, t in types.items():
            ref.add_actor(Actor(a, labels.get(a, a.rsplit("/", 1)[-1]), t, tuple(alts[a]), a in new))
        t_labels: dict[str, tuple[str, str]] = {}
        t_alts: dict[str, list[str]] = defaultdict(list)
        for row in store.query(queries.load("topics")).dicts():
            t_labels.setdefault(row["topic"], (row["notation"], row["label"]))
            if row["alt"] and row["alt"] not in t_alts[row["topic"]]:
                t_alts[row["topic"]].append(row["alt"])
        definitions = _definitions(store)
        for t, (notation, label) in t_labels.items():
            ref.add_topic(Topic(t, notation, label, tuple(t_alts[t]), definitions.get(t, "")))
        roles: dict[str, dict] = {}
        for row in store.query(queries.load("roles")).dicts():
            r = roles.setdefault(row["role"], {**row, "labels": []})
            if row["alt"] and row["alt"] not in r["labels"]:
                r["labels"].append(row["alt"])
        ref.roles = [Role(r["person"], r["title"] or "", r["org"], r["start"], r["end"], tuple(r["labels"]))
                     for r in roles.values()]
        return ref

    def add_actor(self, actor: Actor) -> None:
        self.actors[actor.iri] = actor
        for name in (actor.label, *actor.aliases):
            # The first actor to claim a name keeps it: gazetteer order decides ambiguity.
            self._actor_names.setdefault(normalise(name), actor.iri)

    def add_topic(self, topic: Topic) -> None:
        self.topics[topic.iri] = topic
        for name in (topic.notation, topic.label, *topic.alt_labels):
            self._topic_names.setdefault(normalise(name), topic.iri)

    def find_actor(self, name: str) -> Actor | None:
        """The actor whose label or alias is ``name`` (case-insensitive), else None."""
        if name in self.actors:
            return self.actors[name]
        iri = self._actor_names.get(normalise(name))
        return self.actors[iri] if iri else None

    def find_topic(self, name: str) -> Topic | None:
        """The topic whose notation, label or alternative label is ``name``, else None."""
        if name in self.topics:
            return self.topics[name]
        iri = self._topic_names.get(normalise(name))
        return self.topics[iri] if iri else None

    def topic_by_notation(self, notation: str) -> Topic | None:
        return next((t for t in self.topics.values() if t.notation == notation), None)

    def suggest(self, name: str, kind: str = "actor", n: int = 5) -> list[str]:
        """Close matches among labels and aliases, for error messages."""
        pool = self._actor_names if kind == "actor" else self._topic_names
        label = (lambda i: self.actors[i].label) if kind == "actor" else (lambda i: self.topics[i].notation)
        out: list[str] = []
        key = normalise(name)
        for match in difflib.get_close_matches(key, list(pool), n=n * 2, cutoff=0.6):
            lab = label(pool[match])
            if lab not in out:
                out.append(lab)
        for k, i in pool.items():  # substring matches catch "stolten" -> Jens Stoltenberg
            if len(key) >= 3 and key in k and label(i) not in out:
                out.append(label(i))
        return out[:n]

    def resolve_actor(self, name: str) -> Actor:
        """Like :meth:`find_actor` but raise UnknownNameError listing close matches."""
        actor = self.find_actor(name)
        if actor is None:
            raise UnknownNameError("actor", name, self.suggest(name, "actor"))
        return actor

    def resolve_topic(self, name: str) -> Topic:
        topic = self.find_topic(name)
        if topic is None:
            raise UnknownNameError("topic", name, self.suggest(name, "topic"))
        return topic

    def resolve_target(self, name: str) -> Target:
        """A target named by hand: ``actor:Name`` forces an actor, ``text:words`` an uncoded target;
        else a topic, else an actor."""
        if name.startswith(TEXT_PREFIX):
            text = name[len(TEXT_PREFIX):].strip()
            if not text:
                raise KgError(f"a target {TEXT_PREFIX!r} needs the target's words after it")
            return uncoded_target(text)
        if name.startswith("actor:"):
            return actor_target(self.resolve_actor(name[6:].strip()))
        if name.startswith("topic:"):
            return topic_target(self.resolve_topic(name[6:].strip()))
        topic = self.find_topic(name)
        if topic is not None:
            return topic_target(topic)
        actor = self.find_actor(name)
        if actor is not None:
            return actor_target(actor)
        raise UnknownNameError("target", name, self.suggest(name, "topic") + self.suggest(name, "actor"))


# A topic's definition (skos:definition), English or untagged first: words that link phrases to it.
_DEFINITIONS = """SELECT ?topic ?definition (LANG(?definition) AS ?lang) WHERE {
  ?topic a kg:Topic ; skos:definition ?definition .
} ORDER BY ?topic ?definition"""


def _definitions(store) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in store.query(_DEFINITIONS).dicts():
        text, lang = row["definition"], str(row["lang"] or "")
        if text and (row["topic"] not in out or lang.startswith("en")):
            out[row["topic"]] = str(text)
    return out


def topic_target(topic: Topic) -> Target:
    return Target(topic.iri, topic.label, "topic", topic.notation)


def actor_target(actor: Actor) -> Target:
    return Target(actor.iri, actor.label, "actor", None)


def uncoded_target(text: str) -> Target:
    return Target(target_iri(text), text.strip(), "uncoded", None)


def new_actor(label: str, type_: str = "Actor") -> Actor:
    """An actor found in text that the gazetteer does not know."""
    return Actor(actor_iri(label), label.strip(), type_, (), True)
