"""Resolve pronouns, role nouns and definite kind nouns to the nearest fitting actor.

A single left-to-right pass keeps a history of the actors mentioned so far.
"He" takes the nearest person, "they" the nearest group or coordination, "it"
the nearest state or organisation, "the minister" the nearest person and "the
country" the nearest state. A role noun from the gazetteer ("the former NATO
chief") takes the holder of that role who was mentioned last, else the one in
office on the article's date. Within a sentence the subject is preferred.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.model.records import Actor
from kg.ingest.reference import Reference
from .lexicon import Lexicon
from .mentions import Mention
from .syntax import is_dummy_it

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

PERSON = "Person"
GROUPISH = ("ActorGroup",)
THINGS = ("State", "InternationalOrganisation", "Actor")


@dataclass(frozen=True)
class Ref:
    """One resolved mention in the history."""

    i: int  # head token
    sent: int
    actor: Actor
    subject: bool
    plural: bool
    group: int  # head token of its coordination (itself when not coordinated)
    how: str  # name | new | role | pronoun | noun


def _subjectish(tok: Token) -> bool:
    t = tok
    for _ in range(5):
        if t.dep_ in ("nsubj", "nsubjpass"):
            return True
        if t.dep_ in ("conj", "pobj", "prep", "appos", "compound") and t.head.i != t.i:
            t = t.head
        else:
            return False
    return False


def _coordination_head(tok: Token) -> int:
    t = tok
    while t.dep_ == "conj" and t.head.i != t.i:
        t = t.head
    return t.i


class Discourse:
    """Who is referred to where: every actor mention, with pronouns and role nouns resolved."""

    def __init__(self, doc: Doc, mentions: list[Mention], lexicon: Lexicon, reference: Reference,
                 sent_of: list[int], date: str | None = None):
        self.doc = doc
        self.lexicon = lexicon
        self.reference = reference
        self.sent_of = sent_of
        self.date = date
        self.history: list[Ref] = []
        # token index -> (actors, how) for every token of a resolved mention
        self.at: dict[int, tuple[tuple[Actor, ...], str]] = {}
        self.mention_at: dict[int, Mention] = {}
        for m in mentions:
            for i in range(m.start, m.end):
                self.mention_at[i] = m
        self._run(mentions)

    # -- the pass ---------------------------------------------------------
    def _run(self, mentions: list[Mention]) -> None:
        starts = {m.start: m for m in mentions}
        lex = self.lexicon
        pronouns = lex.person_pronouns | lex.group_pronouns | lex.thing_pronouns
        doc = self.doc
        i = 0
        while i < len(doc):
            m = starts.get(i)
            if m is not None:
                actors, how = self._mention(m)
                if actors:
                    root = doc[m.start:m.end].root
                    for k in range(m.start, m.end):
                        self.at[k] = (actors, how)
                    self._push(root, actors[0], how)
                i = m.end
                continue
            tok = doc[i]
            if tok.pos_ == "PRON" and tok.lower_ in pronouns and not is_dummy_it(tok):
                actors = self._pronoun(tok)
                if actors:
                    # "Erdogan ... said he would": an antecedent in the pronoun's own sentence is surer
                    near = any(r.sent == self.sent_of[i] and r.actor in actors for r in self.history)
                    self.at[i] = (actors, "near pronoun" if near else "pronoun")
                    for a in actors:
                        self._push(tok, a, "pronoun")
            elif tok.tag_ == "NNS" and tok.lemma_.lower() in lex.generic_nouns and self._pair(tok):
                pair = self._pair(tok)
                self.at[i] = (pair, "noun")
                for a in pair:
                    self._push(tok, a, "noun")
            elif tok.pos_ == "NOUN" and tok.lemma_.lower() in lex.generic_nouns and self._definite(tok):
                actor = self._kind_noun(tok)
                if actor is not None:
                    self.at[i] = ((actor,), "noun")
                    self._push(tok, actor, "noun")
            i += 1

    def _push(self, tok: Token, actor: Actor, how: str) -> None:
        # A state or organisation named by a plural name is one actor: "the Marshall Islands ... its call".
        named_one = how in ("name", "role") and actor.type in THINGS
        plural = (tok.tag_ in ("NNS", "NNPS") and not named_one) or actor.type in GROUPISH \
            or tok.lower_ in self.lexicon.group_pronouns
        coord = _coordination_head(tok)
        coordinated = coord != tok.i or any(c.dep_ == "conj" for c in tok.children)
        self.history.append(Ref(tok.i, self.sent_of[tok.i], actor, _subjectish(tok), plural or coordinated,
                                coord, how))

    def _definite(self, tok: Token) -> bool:
        """"the minister", "the former chief"; not "a minister" nor "the defence minister's"."""
        if tok.dep_ in ("compound", "amod") or tok.i in self.mention_at:
            return False
        det = [c for c in tok.children if c.dep_ == "det"]
        if not det or det[0].lower_ not in ("the", "this", "that"):
            return False
        # Other content words make it a description, not a reference; "the Hungarian minister"
        # speaks for Hungary (see ActorResolver), not for whoever was named last.
        return not any(c.dep_ in ("compound", "nmod") or (c.dep_ in ("amod", "poss") and c.i in self.mention_at)
                       for c in tok.children)

    def _pair(self, tok: Token) -> tuple[Actor, ...]:
        """"both governments", "the two countries": the pair of states or bodies named together last."""
        if self.lexicon.generic_nouns[tok.lemma_.lower()] == PERSON or not any(
                (c.dep_ in ("det", "predet", "preconj") and c.lower_ == "both")
                or (c.dep_ == "nummod" and c.lower_ in ("two", "2")) for c in tok.children):
            return ()
        groups: dict[int, list[Actor]] = {}
        for ref in self.history:
            if ref.how != "pronoun":
                groups.setdefault(ref.group, []).append(ref.actor)
        for g in sorted(groups, reverse=True):
            members = tuple(dict.fromkeys(groups[g]))
            if len(members) == 2 and all(a.type in THINGS for a in members):
                return members
        return ()

    # -- resolution -------------------------------------------------------
    def _mention(self, m: Mention) -> tuple[tuple[Actor, ...], str]:
        if m.kind != "role":
            return (m.actor,), m.kind
        doc = self.doc
        root = doc[m.start:m.end].root
        # A title before or beside a name names that person: "NATO chief Jens Stoltenberg".
        for other in (root.head, *[c for c in root.children if c.dep_ == "appos"]):
            om = self.mention_at.get(other.i)
            if om is not None and om.kind != "role" and om.actor is not None and other.i != root.i:
                if root.dep_ in ("compound", "appos") or other.dep_ == "appos":
                    return (om.actor,), "name"
        if any(c.dep_ == "det" and c.lower_ in ("a", "an", "another", "one") for c in root.children):
            return (), "role"  # "a spokesperson said": someone in that office, not a named holder of it
        candidates = []
        for role in m.roles:
            if role.person in self.reference.actors and role.person not in [c.iri for c in candidates]:
                candidates.append(self.reference.actors[role.person])
        if self.date:
            dated = [self.reference.actors[r.person] for r in m.roles if r.person in self.reference.actors
                     and self._fits_date(r.start, r.end, m.former)]
            candidates = [c for c in candidates if c in dated] or candidates
        if len(candidates) == 1:
            return (candidates[0],), "role"
        iris = {c.iri for c in candidates}
        for ref in reversed(self.history):
            if ref.actor.iri in iris:
                return (ref.actor,), "role"
        return (), "role"

    def _fits_date(self, start: str | None, end: str | None, former: bool) -> bool:
        d = self.date or ""
        if former:
            return bool(end) and end <= d
        return (not start or start <= d) and (not end or d < end)

    def _candidates(self, tok: Token, fits) -> list[Ref]:
        s = self.sent_of[tok.i]
        window = self.lexicon.anaphora_window + 2
        by_sent: dict[int, list[Ref]] = {}
        for ref in reversed(self.history):
            if ref.sent < s - window:
                break
            if ref.i < tok.i and fits(ref):
                by_sent.setdefault(ref.sent, []).append(ref)
        for k in sorted(by_sent, reverse=True):
            refs = by_sent[k]  # latest first
            subj = [r for r in refs if r.subject]
            return [(subj or refs)[0]]
        return []

    def _pronoun(self, tok: Token) -> tuple[Actor, ...]:
        lex = self.lexicon
        low = tok.lower_
        if low in lex.person_pronouns:
            refs = self._candidates(tok, lambda r: r.actor.type == PERSON)
        elif low in lex.group_pronouns:
            refs = self._candidates(tok, lambda r: r.plural)
            if refs and (refs[0].group != refs[0].i or self._has_conj(refs[0])
                         or sum(r.i == refs[0].i for r in self.history) > 1):  # "both governments ... their"
                # "Poland and the Baltic states ... they": every member of the coordination
                g = refs[0].group
                group = [r for r in self.history if r.group == g and r.sent == refs[0].sent]
                return tuple(dict.fromkeys(r.actor for r in group))
        else:
            refs = self._candidates(tok, lambda r: r.actor.type in THINGS and not r.plural)
        return tuple(r.actor for r in refs)

    def _has_conj(self, ref: Ref) -> bool:
        return any(c.dep_ == "conj" for c in self.doc[ref.i].children)

    def _kind_noun(self, tok: Token) -> Actor | None:
        type_ = self.lexicon.generic_nouns[tok.lemma_.lower()]
        if type_ == PERSON:
            refs = self._candidates(tok, lambda r: r.actor.type == PERSON)
        else:
            refs = self._candidates(tok, lambda r: r.actor.type == type_ and not r.plural)
        return refs[0].actor if refs else None

    # -- lookups ----------------------------------------------------------
    def actors_at(self, i: int) -> tuple[tuple[Actor, ...], str] | None:
        return self.at.get(i)

    def salience(self, iri: str, before: int) -> int:
        """How often an actor was mentioned before token ``before``."""
        return sum(1 for r in self.history if r.i < before and r.actor.iri == iri)
