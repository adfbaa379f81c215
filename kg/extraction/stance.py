"""Find stance cues in a sentence and the slots around them: who holds the stance, and on what.

A cue is a verb ("support", "rule out", "call for"), a predicative adjective
("ready", "hesitant"), a noun ("Ukraine's membership aspirations"), a
preposition ("voted against") or a multi-word phrase ("in favour of"), as listed
in ``lexicons/stance.yaml``. The holder is the cue's logical subject, found
through control ("ready to send"), coordination, relative clauses and means
clauses ("support Ukraine by sending troops"); the target slot is its object,
complement or prepositional object.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .control import made_to_act, reported_subject
from .lexicon import Cue, Lexicon, Phrase
from .mentions import lemma_key
from .syntax import (acts_on, child, children, explicit_subject, has_negation, is_complement_relcl, is_dummy_it, is_passive,
                     is_relative_clause, is_to_infinitive, pobj)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

SPEAKER = "speaker"  # the holder is whoever voices the clause
_PREDICATIVE = ("acomp", "oprd", "ROOT", "conj", "xcomp", "advcl", "ccomp")  # not "a willing alliance"
_NOT_TARGETS = ("DATE", "TIME", "CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL")
# "with" last: "backing Ukraine with tanks" is support for tanks when Ukraine is no topic.
_VERB_TARGET_PREPS = ("for", "on", "about", "over", "against", "to", "towards", "toward", "regarding", "with", "as")


def _infinitives(verb: Token) -> list[Token]:
    """The to-infinitive complements of a verb (the parser also calls them advcl: "pushed X to match")."""
    return [c for c in verb.children if c.dep_ == "xcomp" or (
        c.dep_ == "advcl" and is_to_infinitive(c))]


def _object_infinitives(verb: Token) -> list[Token]:
    """What a verb wants its object to do: "want the summit to end coal" (the parser may hang the
    infinitive from the object, as a relative clause with no subject of its own)."""
    found = _infinitives(verb)
    if found:
        return found
    obj = child(verb, "dobj")
    if obj is None:
        return []
    # "wants CXMT placed on the Entity List": what the object should undergo, said with a participle
    return [c for c in obj.children if c.i > obj.i and explicit_subject(c) is None and (
        (c.dep_ == "relcl" and is_to_infinitive(c))
        or (c.dep_ == "acl" and c.tag_ == "VBN"))]


@dataclass(frozen=True)
class CueHit:
    anchor: Token
    cue: Cue
    kind: str  # verb | adj | noun | prep | phrase | advocacy
    words: tuple[int, ...]  # every token of the cue
    obj_of: Token | None = None  # the word whose object is the target (phrase "of", verb's "for")


class CueFinder:
    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self._phrases: dict[str, list[Phrase]] = defaultdict(list)
        for p in lexicon.phrases:
            self._phrases[p.lemmas[0]].append(p)
        for ps in self._phrases.values():
            ps.sort(key=lambda p: -len(p.lemmas))

    def find(self, sent: Span) -> list[CueHit]:
        lex = self.lexicon
        hits: list[CueHit] = []
        used: set[int] = set()
        doc = sent.doc
        for tok in sent:
            key = lemma_key(tok)
            for p in self._phrases.get(key, ()):
                k = len(p.lemmas)
                if tok.i + k <= sent.end and all(p.lemmas[j] in (lemma_key(doc[tok.i + j]), doc[tok.i + j].lower_)
                                                 for j in range(k)):
                    words = tuple(range(tok.i, tok.i + k))
                    anchor = doc[tok.i + p.anchor]
                    if any(c.dep_ == "xcomp" and c.lemma_.lower() in lex.knowledge_verbs for c in anchor.children):
                        break  # "too early to say": what can be known, not what is wanted
                    obj_of = doc[tok.i + p.obj] if p.obj is not None else None
                    hits.append(CueHit(anchor, p.cue, "phrase", words, obj_of))
                    used.update(words)
                    break
        for tok in sent:
            if tok.i in used:
                continue
            key = tok.lemma_.lower()
            pos = tok.pos_
            verb_hit = self._verb(tok) if pos in ("VERB", "AUX") and key in lex.verbs else None
            if verb_hit is not None:
                hits.append(verb_hit)
            elif pos in ("VERB", "AUX") and key in lex.verb_objects:
                for objects, cue in lex.verb_objects[key]:
                    obj = next((c for c in tok.children if c.dep_ == "dobj" and c.lemma_.lower() in objects), None)
                    if obj is not None:
                        hits.append(CueHit(tok, cue, "phrase", (tok.i, obj.i)))
                        break
            elif pos == "ADJ" and key in lex.adjectives and tok.dep_ in _PREDICATIVE:
                hits.append(CueHit(tok, lex.adjectives[key], "adj", (tok.i,)))
            elif tok.tag_ == "VBN" and tok.lower_ in lex.adjectives and (tok.dep_ in ("acomp", "oprd") or any(
                    c.dep_ in ("auxpass", "aux") and c.lemma_.lower() == "be" for c in tok.children)):
                # "she was worried by X", "X is opposed to Y": the participle the parser calls a passive verb
                hits.append(CueHit(tok, lex.adjectives[tok.lower_], "adj", (tok.i,)))
            elif pos == "ADJ" and key in lex.adjectives and tok.dep_ == "amod" and \
                    tok.head.lemma_.lower() in lex.collective_nouns:
                # "more cautious governments, among them Poland and Italy", "the cautious camp"
                hits.append(CueHit(tok, lex.adjectives[key], "attributive", (tok.i,)))
            elif pos == "NOUN" and key in lex.nouns and tok.dep_ not in ("compound",):
                hits.append(CueHit(tok, lex.nouns[key], "noun", (tok.i,)))
            elif pos == "ADP" and key in lex.prepositions and tok.head.pos_ in ("VERB", "AUX") and tok.dep_ == "prep":
                hits.append(CueHit(tok, lex.prepositions[key], "prep", (tok.i,)))
            elif pos == "VERB" and (key in lex.advocacy_verbs or key in lex.normative_verbs or any(
                    c.dep_ == "aux" and c.lemma_.lower() in lex.deontic_modals for c in tok.children)):
                # "Ukraine should receive X", "producers must clean up their operations, starting with methane"
                hits.append(CueHit(tok, Cue("supports", "opposes"), "advocacy", (tok.i,)))
        return hits

    def _verb(self, tok: Token) -> CueHit | None:
        """A verb cue, with the particle or preposition its entry asks for ("rule out", "call for")."""
        if tok.dep_ in ("amod", "compound"):
            return None
        lex = self.lexicon
        cue = lex.verbs[tok.lemma_.lower()]
        words = [tok.i]
        obj_of = None
        if cue.kind == "action" and acts_on(tok):
            return None
        if cue.particle:
            prt = child(tok, "prt", lower=cue.particle)
            if prt is None:
                return None
            words.append(prt.i)
        elif child(tok, "prt", lower=tuple(lex.blocking_particles)) is not None:
            return None  # "back down", "back away": another verb
        if cue.prep:
            p = child(tok, "prep", "prt", lower=cue.prep)
            clause = next((c for c in tok.children if c.dep_ in ("advcl", "ccomp") and
                           any(m.dep_ == "mark" and m.lower_ in cue.prep for m in c.children)), None)
            if p is None and clause is not None:
                # "press for the authorisations to be extended": "for" opens a clause, which is the target
                return CueHit(tok, cue, "verb", tuple(words), clause)
            if p is None:
                # "pushed both allies to match the curbs": the verb makes someone act; what is urged is the target
                if tok.lemma_.lower() in lex.object_control and child(tok, "dobj") is not None \
                        and _infinitives(tok):
                    return CueHit(tok, cue, "verb", tuple(words), None)
                # "agreed to pursue efforts to triple renewables", "voted to ban X": the infinitive is the target
                if child(tok, "dobj") is None and any(c.dep_ == "xcomp" for c in tok.children):
                    return CueHit(tok, cue, "verb", tuple(words), None)
                # "the producers who fought an explicit phase-out reference": the object is the target
                if cue.transitive and child(tok, "dobj") is not None:
                    return CueHit(tok, cue, "verb", tuple(words), None)
                return None
            words.append(p.i)
            obj_of = p
        return CueHit(tok, cue, "verb", tuple(words), obj_of)

    # -- negation ---------------------------------------------------------
    def negated(self, hit: CueHit) -> bool:
        a = hit.anchor
        if has_negation(a):
            return True
        if hit.kind == "phrase" and any(has_negation(a.doc[i]) for i in hit.words if i != a.i):
            return True  # "has no common position"
        # "did not agree to send tanks", "is not expected to back X": a negated governor
        t = a
        while t.dep_ == "xcomp" and t.head.i != t.i:
            t = t.head
            if has_negation(t) or (t.dep_ in ("acomp", "oprd") and has_negation(t.head)):
                return True
        if hit.kind in ("adj", "phrase", "prep") and a.head.i != a.i and a.dep_ in ("acomp", "oprd", "prep", "attr"):
            return has_negation(a.head)
        if hit.kind == "phrase" and a.pos_ in ("ADJ", "ADV") and has_negation(a.head):
            return True
        if hit.kind == "noun" and a.dep_ in ("dobj", "attr") and has_negation(a.head):
            return True  # "did not express support", "is no priority"
        # "cutting them back or abating them won't do": an act as the subject of a verdict that it does not
        # work, help or suffice is rejected
        t = a
        while t.dep_ == "conj" and t.head.i != t.i:
            t = t.head
        if t.dep_ == "csubj" and t.head.lemma_.lower() in self.lexicon.sufficiency_verbs and has_negation(t.head):
            return True
        return False

    # -- holder -----------------------------------------------------------
    def holder(self, hit: CueHit) -> Token | str | None:
        """The token heading the holder phrase, SPEAKER, or None."""
        a = hit.anchor
        lex = self.lexicon
        if hit.kind == "advocacy":
            return SPEAKER
        if hit.kind == "verb":
            if hit.cue.passive_holder:
                s = child(a, "nsubjpass")
                if s is not None:
                    return s
            if is_passive(a):
                agent = child(a, "agent")
                return pobj(agent) if agent is not None else None
            return self.logical_subject(a)
        if hit.kind == "noun" and hit.cue.kind == "agent":
            return self._agent_holder(a)
        if hit.kind == "noun":
            if (poss := child(a, "poss")) is not None:
                return poss
            for p in children(a, "prep"):
                if p.lower_ in ("by", "from") and (obj := pobj(p)) is not None:
                    return obj
            for c in children(a, "amod", "compound"):
                if c.ent_type_ in ("NORP", "GPE") or (c.pos_ == "PROPN" and c.ent_type_ == "ORG"):
                    return c  # "Turkish concerns remain", "American support would not waver"
            # Only a light verb lends the noun its subject: "X voiced support" is X's support, but
            # in "rejected calls for X" or "with the support of Y" the noun is someone else's.
            n = a
            while n.dep_ == "conj" and n.head.i != n.i:
                n = n.head
            if n.dep_ in ("dobj", "attr") and n.head.lemma_.lower() in lex.light_verbs:
                return self.logical_subject(n.head)
            return None
        if hit.kind == "prep":
            return self.logical_subject(a.head)
        if hit.kind == "attributive":
            return a.head  # the people the adjective describes
        # adj, phrase
        if a.pos_ == "ADP":
            return self.logical_subject(a.head)
        return self.logical_subject(a)

    def _agent_holder(self, a: Token) -> Token | None:
        """Who is called an opponent or a supporter: "X, a critic of Y"; "X is a vocal opponent of Y";
        "opponents of Y include A and B"; "X is among the supporters of Y"; "opponents of Y, led by
        A and B" (the leaders, through the resolver)."""
        n = a
        while n.dep_ == "conj" and n.head.i != n.i:
            n = n.head
        if n.dep_ == "appos":
            return n.head
        if n.dep_ in ("attr", "oprd") and n.head.pos_ in ("AUX", "VERB"):
            s = explicit_subject(n.head)
            return s if s is not None and s.i != n.i else None
        if n.dep_ == "pobj" and n.head.lower_ == "among":
            return explicit_subject(n.head.head) if n.head.head.pos_ in ("AUX", "VERB") else None
        if n.dep_ == "nsubj" and n.head.lemma_.lower() in self.lexicon.inclusion_verbs:
            return child(n.head, "dobj", "attr")
        return n  # "opponents of Y, led by Germany": the resolver finds the leaders

    def logical_subject(self, t: Token) -> Token | str | None:
        """Who does or is what ``t`` says, through control, coordination and relative clauses."""
        lex = self.lexicon
        start = t
        for _ in range(14):
            if made_to_act(t, lex):  # "urged Sweden to join", "wants Sweden to join": Sweden holds nothing
                return None
            s = explicit_subject(t) or reported_subject(t, lex)
            if s is not None:
                if is_dummy_it(s):
                    return SPEAKER
                if s.lower_ in lex.relative_pronouns and t.dep_ == "relcl":
                    return t.head
                if s.dep_ == "nsubjpass" and t.i != start.i:
                    agent = child(t, "agent")
                    if agent is not None and pobj(agent) is not None:
                        return pobj(agent)
                return s
            h = t.head
            if h.i == t.i:
                return None
            dep = t.dep_
            if dep == "relcl" and is_relative_clause(t):
                return h
            if dep == "acl" or (dep == "relcl" and not is_complement_relcl(t)):  # "steps to send troops"
                if t.tag_ == "VBN":
                    agent = child(t, "agent")
                    return pobj(agent) if agent is not None else None
                if t.tag_ == "VBG" and h.pos_ in ("NOUN", "PROPN"):
                    return h  # "countries sending troops"
                poss = child(h, "poss")
                if poss is not None:
                    return poss  # "Ukraine's bid to join"
                t = h
                continue
            if dep == "xcomp":
                if (obj := child(h, "dobj")) is not None and h.pos_ == "VERB":
                    return obj  # "expect Poland to act"
                t = h
                continue
            if dep in ("nsubj", "nsubjpass", "csubj") and t.pos_ in ("NOUN", "PROPN", "PRON"):
                return None  # a noun in subject position holds nothing ("the plan to send troops was ...")
            if dep == "advcl" and t.tag_ in ("VBD", "VBZ", "VBP"):
                return None  # "X spoke after leaders agreed to ...": a finite clause has a subject of its own, not X
            if dep == "advcl" and t.tag_ == "VBG" and h.dep_ == "ccomp" and t.i > 0 and t.doc[t.i - 1].text == "," \
                    and t.lemma_.lower() in (lex.framing_verbs | lex.reporting_verbs):
                r = h  # "Kerry said it was good that nations had signed up, calling the outcome important": Kerry calls it
                while r.dep_ == "ccomp" and r.head.lemma_.lower() not in lex.reporting_verbs:
                    r = r.head
                if r.dep_ == "ccomp":
                    t = r.head
                    continue
            if dep == "conj" and t.tag_ in ("VBD", "VBZ", "VBP") and not any(
                    c.dep_ == "cc" for c in (*h.children, *t.children)):
                return None  # the same, parsed as a verb coordinated with no "and": not the first verb's subject
            if t is not start and t.pos_ in ("NOUN",) and child(t, "poss") is not None:
                return child(t, "poss")
            t = h
        return None

    # -- target slots -----------------------------------------------------
    def target_slots(self, hit: CueHit) -> list[Token]:
        """Tokens heading the phrases where the target may be named, best first."""
        slots = self._slots(hit)
        a = hit.anchor
        if is_relative_clause(a) and hit.kind in ("verb", "advocacy"):
            # "the guarantees that Kiev seeks": the relative pronoun, or the gap, is the noun modified.
            rel = [s for s in slots if s.lower_ in self.lexicon.relative_pronouns and s.dep_ in ("dobj", "pobj")]
            if rel or not slots:
                slots = [a.head] + [s for s in slots if s not in rel]
        # Dates, amounts and durations are never what a stance is about ("for months").
        return [s for s in slots if s.ent_type_ not in _NOT_TARGETS]

    def _slots(self, hit: CueHit) -> list[Token]:
        a = hit.anchor
        lex = self.lexicon
        if hit.obj_of is not None:
            if hit.obj_of.pos_ in ("VERB", "AUX"):  # a clause: its subject, then the clause
                return [c for c in hit.obj_of.children if c.dep_ in ("nsubj", "nsubjpass")] + [hit.obj_of]
            obj = pobj(hit.obj_of)
            return [obj] if obj is not None else []
        if hit.kind in ("verb", "advocacy"):
            xcomp = _infinitives(a)
            if a.lemma_.lower() in lex.object_control and (xcomp or child(a, "dobj") is not None):
                # "urged Washington to keep the tariffs": the target is what is urged, never whom
                return xcomp
            if is_passive(a) and not hit.cue.passive_holder:
                subj = child(a, "nsubjpass")
                # "were granted one-year authorisations": a retained object is what is granted
                slots = children(a, "dobj") if hit.cue.kind == "action" else []
                slots += [subj] if subj is not None else []
            else:
                slots = children(a, "dobj")
                if slots and a.lemma_.lower() in lex.wanting_verbs and _object_infinitives(a):
                    # "campaigners want the summit to fix deadlines for ending coal": what the summit should do
                    return _object_infinitives(a)
            # An action's object is a thing done; "announced that X ..." reports, it does not act.
            slots += children(a, "xcomp") if hit.cue.kind == "action" else children(a, "xcomp", "ccomp")
            if hit.cue.kind == "action" and slots and all(s.ent_type_ in _NOT_TARGETS for s in slots):
                # "pledged $100 million to the fund": money goes to what it is for
                for p in children(a, "prep", "dative"):
                    if p.lower_ in ("to", "for", "towards", "toward", "into"):
                        slots.extend(children(p, "pobj"))
            if hit.cue.kind != "action":
                for prep in _VERB_TARGET_PREPS:
                    if prep == "against" and hit.cue.stance == "supports":
                        continue  # "defend against aggression", "help against X": not what is supported
                    for p in children(a, "prep"):
                        if p.lower_ == prep and p.i not in hit.words and (prep, a.lemma_.lower()) not in lex.addressees:
                            slots.extend(children(p, "pobj", "pcomp"))  # ("protested to The Hague": to whom)
            return slots
        if hit.kind == "attributive":
            return []  # "the cautious camp": about the topic at hand
        if hit.kind == "adj":
            slots = children(a, "xcomp")
            owned = children(a, "prep", "agent") + [p for p in children(a.head, "prep") if p.i > a.i and a.dep_ == "acomp"]
            for prep in (*lex.target_preps, "by", "at", "with"):  # "worried by X"; "remains wary on X" (copula's)
                for p in owned:
                    if p.lower_ == prep:
                        slots.extend(children(p, "pobj", "pcomp"))
            return slots
        if hit.kind == "noun":
            slots = []
            # "expressed opposition to X": the object may hang from the light verb.
            owners = [a, a.head] if a.dep_ in ("dobj", "attr") and a.head.lemma_.lower() in lex.light_verbs else [a]
            for owner in owners:
                slots += children(owner, "dative") if owner.i != a.i else []  # "gave the plan a cautious welcome"
                for prep in lex.target_preps:
                    for p in children(owner, "prep"):
                        if p.lower_ == prep:
                            slots.extend(children(p, "pobj", "pcomp"))
                if owner.i == a.i:
                    # "the pact's most important backer": an agent noun's possessor is what it backs
                    slots += children(a, "acl") + (children(a, "poss") if hit.cue.kind == "agent" else [])
                    # "its call for them to be phased out": "for" opens a clause, which is the target
                    slots += [c for c in a.children if c.dep_ in ("advcl", "relcl") and any(
                        m.dep_ == "mark" and m.lower_ in lex.target_preps for m in c.children)]
            return slots
        if hit.kind == "prep":
            obj = pobj(a)
            return [obj] if obj is not None else []
        # A phrase without a named object: its complements, and prepositional objects hanging from
        # its words or, for "at odds over X", from the verb it attaches to.
        doc = a.doc
        owners = [doc[i] for i in hit.words] + ([a.head] if a.pos_ == "ADP" else [])
        slots = [c for c in children(a, "dobj", "xcomp", "ccomp") if c.i not in hit.words]
        for prep in lex.target_preps:
            for owner in owners:
                for p in children(owner, "prep"):
                    if p.lower_ == prep and p.i not in hit.words:
                        slots.extend(c for c in children(p, "pobj", "pcomp") if c.i not in hit.words)
        return slots

    def noun_modifiers(self, hit: CueHit) -> list[Token]:
        """Words inside a noun cue's own phrase that may name its target: "membership aspirations"."""
        return [c for c in hit.anchor.children if c.dep_ in ("compound", "amod", "nmod")]

    def recipients(self, hit: CueHit) -> list[Token]:
        """Who an action is for: "providing assistance to Ukraine", "assist Ukraine"."""
        a = hit.anchor
        out = children(a, "dative")
        for p in children(a, "prep", "dative"):
            if p.lower_ in self.lexicon.recipient_preps:
                out.extend(children(p, "pobj"))
        return out
