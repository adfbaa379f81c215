"""Find the gazetteer's actors in a parsed text; the records of actor and topic mentions.

Actors are matched on their labels and aliases (and people's role nouns, such as
"NATO chief"); named entities the gazetteer lacks become new actors. Topics are
found by :mod:`.topic_index` (labels, word sets and verb frames).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.model.records import Actor, Topic
from kg.ingest.reference import Reference, Role, new_actor, normalise
from .lexicon import Lexicon

if TYPE_CHECKING:  # spaCy is imported only when extraction runs
    from spacy.language import Language
    from spacy.tokens import Doc, Token

_APOS = str.maketrans({"’": "'", "‘": "'"})
_CONTENT = ("NOUN", "PROPN", "ADJ", "VERB", "NUM")


def acronym_key(token: Token) -> str | None:
    """An acronym ("MAP", "VEU") is its own key, in capitals: "a road map" is no MAP."""
    text = token.text
    return text if len(text) >= 2 and text.isupper() and text.isalpha() else None


def lemma_key(token: Token) -> str:
    """Lower-case lemma with straight apostrophes: the key topic labels are matched on."""
    return token.lemma_.lower().translate(_APOS)


@dataclass(frozen=True)
class Mention:
    """A span of tokens that names an actor, or a role whose holder is still to be chosen."""

    start: int  # token index
    end: int  # exclusive
    actor: Actor | None
    kind: str  # "name" | "role" | "new"
    roles: tuple[Role, ...] = ()
    former: bool = False  # "former NATO chief"


@dataclass(frozen=True)
class TopicMention:
    """Tokens that name a codebook topic; ``head`` is the token the match hangs from."""

    start: int
    end: int
    head: int
    topic: Topic
    inferred: bool = False  # matched as a verb with its arguments, or with a word of the label left out
    event: bool = False  # a verb frame whose subject is the label's own ("Ukraine joins NATO" happening)
    paraphrase: bool = False  # said with a noun: "Ukraine's future is in NATO"


@dataclass(frozen=True)
class Frame:
    """A topic label naming an action: verb lemma, optional subject actor and object."""

    topic: Topic
    verb: str
    subject: str | None  # actor IRI
    obj_actor: str | None
    obj_lemma: str | None
    prep: str | None
    particle: str | None = None  # "pushing back migrants": the verb is "push back", never "push" alone


def _variants(text: str) -> set[str]:
    """Spellings to match: as written, with either apostrophe, and capitalised at a sentence start."""
    out = {text, text.replace("'", "’"), text.replace("’", "'")}
    out |= {t[0].upper() + t[1:] for t in list(out) if t[:1].islower()}
    out |= {t.upper() for t in list(out) if len(t) > 3}  # in headings and speaker labels: "ALLIANCE OF ..."
    return out


class ActorIndex:
    """Phrase matchers over every actor label, alias and role noun of a Reference."""

    def __init__(self, nlp: Language, reference: Reference, lexicon: Lexicon):
        from spacy.matcher import PhraseMatcher

        self.reference = reference
        self.lexicon = lexicon
        self._names = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._roles = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._actor_of: dict[int, Actor] = {}
        self._roles_of: dict[int, list[Role]] = defaultdict(list)
        strings = nlp.vocab.strings
        for actor in reference.actors.values():
            key = "actor:" + actor.iri
            patterns = [nlp.make_doc(v) for name in (actor.label, *actor.aliases) for v in _variants(name)]
            self._names.add(key, patterns)
            self._actor_of[strings.add(key)] = actor
        by_label: dict[str, list[Role]] = defaultdict(list)
        for role in reference.roles:
            if role.person not in reference.actors:
                continue
            for label in {role.title, *role.labels} - {""}:
                by_label[normalise(label)].append(role)
        for label, roles in by_label.items():
            key = "role:" + label
            self._roles.add(key, [nlp.make_doc(v) for v in _variants(label)])
            self._roles_of[strings.add(key)] = roles

    def find(self, doc: Doc) -> list[Mention]:
        """Non-overlapping mentions, longest first, then named entities the gazetteer lacks."""
        found: list[tuple[int, int, int, bool]] = []
        for mid, s, e in self._names(doc):
            found.append((s, e, mid, False))
        for mid, s, e in self._roles(doc):
            found.append((s, e, mid, True))
        found.sort(key=lambda m: (-(m[1] - m[0]), m[0], m[3]))
        taken = bytearray(len(doc) + 1)
        out: list[Mention] = []
        for s, e, mid, is_role in found:
            if any(taken[s:e]):
                continue
            if is_role and self._other_office(doc, s):
                continue
            taken[s:e] = b"\x01" * (e - s)
            if is_role:
                former = s > 0 and doc[s - 1].lower_ in ("former", "ex", "then")
                former = former or doc[s].lower_ in ("former", "ex")
                out.append(Mention(s, e, None, "role", tuple(self._roles_of[mid]), former))
            else:
                out.append(Mention(s, e, self._actor_of[mid], "name"))
        out.extend(self._new_actors(doc, taken))
        out.sort(key=lambda m: m.start)
        return out

    def _other_office(self, doc: Doc, s: int) -> bool:
        """"the deputy mayor", "the vice-president": a word before the role noun makes it another office."""
        words = self.lexicon.other_office_words
        before = s - 1
        if before >= 0 and doc[before].text == "-":
            before -= 1
        return before >= 0 and doc[before].lower_ in words  # ("Deputy Prime Minister" as a title matches whole)

    def _new_actors(self, doc: Doc, taken: bytearray) -> list[Mention]:
        """Named entities of actor-like types that match no gazetteer name: new actors."""
        types = self.lexicon.entity_types
        out: list[Mention] = []
        persons: dict[str, Actor] = {}
        for ent in doc.ents:
            if ent.label_ not in types or any(taken[ent.start:ent.end]):
                continue
            span = ent
            while len(span) and (span[0].lower_ in ("the", "a", "an") or span[0].is_punct):
                span = span[1:]
            while len(span) and (span[-1].is_punct or span[-1].tag_ == "POS"):
                span = span[:-1]
            if not len(span) or span.root.pos_ not in ("PROPN", "NOUN"):
                continue  # "Ukrainian" as an adjective names no actor
            if span.root.dep_ == "compound" and span.root.head.pos_ == "NOUN" and span.root.head.i >= span.end:
                continue  # "the Dublin rules", "the Minsk agreements": a name of a thing, not an actor
            text = span.text
            if not any(c.isupper() for c in text):
                continue
            actor = self.reference.find_actor(text)
            if actor is None:
                # "Jane Doe ... Doe said": a surname alone is the person named before (whatever
                # label the recogniser gives it the second time).
                actor = persons.get(text) or next((a for full, a in persons.items()
                                                    if full.endswith(" " + text)), None)
            if actor is None:
                actor = new_actor(text, types[ent.label_])
            if ent.label_ == "PERSON" and actor.type == "Person":
                persons.setdefault(text, actor)
            out.append(Mention(span.start, span.end, actor, "name" if not actor.is_new else "new"))
        return out
