"""Find the gazetteer's actors and the codebook's topics in a parsed text.

Actors are matched on their labels and aliases (and people's role nouns, such as
"NATO chief"); named entities the gazetteer lacks become new actors. Topics are
matched on their lemmatised labels, and labels that name an action ("join NATO",
"send troops") also match that verb with its arguments, even when the object is
left implicit ("Ukraine's bid to join").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Actor, Topic
from ..reference import Reference, Role, new_actor, normalise
from .lexicon import Lexicon

if TYPE_CHECKING:  # spaCy is imported only when extraction runs
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

_APOS = str.maketrans({"’": "'", "‘": "'"})
_CONTENT = ("NOUN", "PROPN", "ADJ", "VERB", "NUM")


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


@dataclass(frozen=True)
class Frame:
    """A topic label naming an action: verb lemma, optional subject actor and object."""

    topic: Topic
    verb: str
    subject: str | None  # actor IRI
    obj_actor: str | None
    obj_lemma: str | None
    prep: str | None


def _variants(text: str) -> set[str]:
    """Spellings to match: as written, with either apostrophe, and capitalised at a sentence start."""
    out = {text, text.replace("'", "’"), text.replace("’", "'")}
    out |= {t[0].upper() + t[1:] for t in list(out) if t[:1].islower()}
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


class TopicIndex:
    """Lemmatised codebook labels, matched as token sequences and as verb frames."""

    def __init__(self, nlp: Language, reference: Reference):
        self.reference = reference
        labels: list[tuple[str, Topic]] = []
        for topic in reference.topics.values():
            names = {topic.label, *topic.alt_labels, topic.notation.replace("-", " ")}
            labels.extend((n, topic) for n in sorted(names) if n.strip())
        # first lemma -> [(lemmas, lowers, topic)], longest first
        self._seqs: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], Topic]]] = defaultdict(list)
        self.frames: dict[str, list[Frame]] = defaultdict(list)
        # head lemma -> [(content words, topic)]: for phrases that leave out a word of a label
        self._loose: dict[str, list[tuple[tuple[str, ...], Topic]]] = defaultdict(list)
        seen: set[tuple[tuple[str, ...], str]] = set()
        docs = nlp.pipe([text for text, _ in labels], batch_size=256)
        for (text, topic), ldoc in zip(labels, docs):
            toks = [t for t in ldoc if not t.is_punct or t.text in ("-", "%")]
            lemmas = tuple(lemma_key(t) for t in toks)
            lowers = tuple(t.lower_.translate(_APOS) for t in toks)
            if not lemmas or (lemmas, topic.iri) in seen:
                continue
            seen.add((lemmas, topic.iri))
            for first in {lemmas[0], lowers[0]}:
                self._seqs[first].append((lemmas, lowers, topic))
            frame = self._frame(ldoc, topic)
            if frame is not None:
                self.frames[frame.verb].append(frame)
            root = next((t for t in ldoc if t.dep_ == "ROOT"), None)
            content = tuple(self._content_key(t) for t in ldoc if t.pos_ in _CONTENT)
            if root is not None and root.pos_ == "NOUN" and len(content) >= 2:
                self._loose[lemma_key(root)].append((content, topic))
        for seqs in self._seqs.values():
            seqs.sort(key=lambda s: -len(s[0]))

    def _frame(self, ldoc: Doc, topic: Topic) -> Frame | None:
        root = next((t for t in ldoc if t.dep_ == "ROOT"), None)
        if root is None or root.pos_ != "VERB" or len(ldoc) < 2:
            return None
        subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        obj = next((c for c in root.children if c.dep_ == "dobj"), None)
        prep = None
        if obj is None:
            p = next((c for c in root.children if c.dep_ == "prep"), None)
            if p is not None:
                obj = next((c for c in p.children if c.dep_ == "pobj"), None)
                prep = p.lower_ if obj is not None else None
        subject = self._actor_iri(subj)
        if subj is not None and subject is None:
            return None
        obj_actor = self._actor_iri(obj)
        obj_lemma = None if obj is None or obj_actor else lemma_key(obj)
        return Frame(topic, lemma_key(root), subject, obj_actor, obj_lemma, prep)

    def _content_key(self, token: Token) -> str:
        actor = self.reference.find_actor(token.text)
        return "actor:" + actor.iri if actor else lemma_key(token)

    def loose(self, content: tuple[str, ...]) -> Topic | None:
        """The one topic with a label that has these content words in order and the same head noun:
        "Sweden's bid" for "Sweden's NATO bid". Content words are lemmas or ``actor:<iri>``."""
        if len(content) < 2:
            return None
        found: dict[str, Topic] = {}
        for label, topic in self._loose.get(content[-1], ()):
            if label[-1] != content[-1]:
                continue
            it = iter(label)
            if all(any(w == x for x in it) for w in content):
                found[topic.iri] = topic
        return next(iter(found.values())) if len(found) == 1 else None

    def _actor_iri(self, token: Token | None) -> str | None:
        if token is None:
            return None
        words = [t for t in token.subtree if t.dep_ not in ("poss", "case") or t.i == token.i]
        text = " ".join(t.text for t in words)
        actor = self.reference.find_actor(text) or self.reference.find_actor(token.text)
        return actor.iri if actor else None

    def find(self, doc: Doc | Span) -> list[TopicMention]:
        """Every label occurrence (longest at each position), as contiguous lemma sequences."""
        out: list[TopicMention] = []
        n = len(doc)
        offset = doc.start if hasattr(doc, "start") else 0
        keys = [(lemma_key(t), t.lower_.translate(_APOS)) for t in doc]
        i = 0
        while i < n:
            lem, low = keys[i]
            cands = self._seqs.get(lem, ()) or self._seqs.get(low, ())
            if lem != low and lem in self._seqs and low in self._seqs:
                cands = sorted({id(c): c for c in (*self._seqs[lem], *self._seqs[low])}.values(),
                               key=lambda s: -len(s[0]))
            best = None
            for lemmas, lowers, topic in cands:
                k = len(lemmas)
                if i + k > n:
                    continue
                if all(keys[i + j][0] in (lemmas[j], lowers[j]) or keys[i + j][1] in (lemmas[j], lowers[j])
                       for j in range(k)):
                    best = (k, topic)
                    break
            if best is None:
                i += 1
                continue
            k, topic = best
            span = doc[i:i + k]
            out.append(TopicMention(offset + i, offset + i + k, span.root.i, topic))
            i += k
        return out
