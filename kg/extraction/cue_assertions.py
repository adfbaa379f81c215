"""One stance cue to assertions: whether it states a position at all, its holder,
stance and certainty (combined with a cue it governs: "rejected calls for X"), and
its targets. A part of :class:`.rules._Run`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.model.records import Actor, Assertion
from kg.ingest.reference import topic_target
from .certainty import Clause
from .contrast import contrasted, denial_end, named_only_after
from .evaluation import judged_clause
from .lexicon import NO_STANCE, Lexicon
from .stance import SPEAKER, CueHit
from .syntax import child, has_negation, is_to_infinitive
from .targets import Found

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_RANK = {"possible": 1, "probable": 2, "certain": 3}


class CueAssertions:
    """The assertions of one cue (mixed into :class:`.rules._Run`)."""

    def _combine(self, hit: CueHit, stance: str, certainty: str, slots: list[Token],
                 inner_hits: dict[int, CueHit]) -> tuple[str, str, list[Token], list[Token]]:
        """A cue whose object is another cue: "rejected calls for X" opposes X, "dropped objections to X"
        and "refused to rule out X" support X, "wants to block X" opposes X.

        Returns the combined stance and certainty, the target slots and extra words to search.
        """
        if hit.kind == "noun" or not slots or stance not in ("supports", "opposes"):
            return stance, certainty, slots, []
        head = slots[0]
        cues = self.rules.cues
        inner = inner_hits.get(head.i)
        # ("urged MEPs in April to reject X": the infinitive parsed as advcl)
        infinitive = head.dep_ in ("xcomp", "ccomp") or (head.dep_ == "advcl" and is_to_infinitive(head))
        if inner is not None and inner.kind in ("verb", "phrase") and infinitive \
                and inner.cue.stance in ("supports", "opposes"):
            flipped = stance == "opposes"
            # "promised not to support X" opposes X
            # (only its own "not": a negated governor is this cue's negation, counted already)
            own_stance = inner.cue.negated if has_negation(inner.anchor) else inner.cue.stance
            if own_stance not in ("supports", "opposes"):
                return stance, certainty, slots, []
            combined = _flip(own_stance) if flipped else own_stance
            if flipped and inner.cue.negated_certainty and _RANK[inner.cue.negated_certainty] < _RANK[certainty]:
                certainty = inner.cue.negated_certainty  # "refused to rule out" = "did not rule out"
            # The inner cue may itself act on a cue: "ready to drop its veto on X".
            combined, certainty, own, extra = self._combine(inner, combined, certainty, cues.target_slots(inner),
                                                            {k: v for k, v in inner_hits.items() if k != head.i})
            return combined, certainty, own + slots[1:], extra or [inner.anchor]
        noun = self.lex.nouns.get(head.lemma_.lower()) if head.pos_ == "NOUN" else None
        if noun is None or noun.stance not in ("supports", "opposes") or noun.kind in ("policy", "agent"):
            return stance, certainty, slots, []
        noun_hit = CueHit(head, noun, "noun", (head.i,))
        if noun.stance == "opposes":
            blocked = [c for c in head.children if c.dep_ == "prep" and c.lower_ in ("to", "towards", "for")]
            # "lifted its objections to X": the parser may hang the noun's "to X" from the verb
            if (not cues.target_slots(noun_hit) and len(slots) < 2) or (
                    head.lemma_.lower() in self.lex.blocking_nouns and not blocked):
                # "warned against trade barriers on clean-energy products": the barriers are the target
                return stance, certainty, slots, []
            stance = _flip(stance)  # "removing the biggest obstacle to X" supports X
        own = cues.noun_modifiers(noun_hit) + cues.target_slots(noun_hit)
        # "supported Ukraine's bid": with nothing after the noun, the phrase itself is what is meant.
        return stance, certainty, (own or [head]) + slots[1:], []

    def _co_agents(self, verb: Token) -> list[tuple[Actor, str]]:
        """"launched it alongside Y", "together with Y": who does it with the subject."""
        out = []
        # (the parser may hang the phrase from the object: "launched the pledge ... alongside Y")
        for p in verb.subtree:
            if p.dep_ != "prep" or next((a.i for a in p.ancestors if a.pos_ in ("VERB", "AUX")), None) != verb.i:
                continue
            together = p.lower_ == "with" and any(c.lower_ in ("together", "jointly") for c in p.children)
            if p.lower_ in self.lex.co_agent_preps or together:
                for o in p.children:
                    if o.dep_ == "pobj":
                        out.extend(self.resolver.resolve(o))
        return out

    # -- one cue ----------------------------------------------------------
    def _assertions(self, hit: CueHit, clause: Clause, sent: Span, carry: Actor | None,
                    inner_hits: dict[int, CueHit], slots: list[Token] | None = None) -> list[Assertion]:
        lex = self.lex
        cues = self.rules.cues
        if clause.conditional or clause.controlled or self._past(clause) or _scenario(hit.anchor) \
                or judged_clause(hit.anchor, lex):  # "it was wrong to impose X": a judgement (evaluation.py)
            return []
        deontic = clause.deontic or (hit.kind == "advocacy" and hit.anchor.lemma_.lower() in lex.normative_verbs)
        if hit.kind == "advocacy" and not deontic:
            return []
        negated = cues.negated(hit) != clause.negated_by_hedge
        stance = hit.cue.negated if negated else hit.cue.stance
        if stance == NO_STANCE:
            return []  # "Moscow does not have a veto": a power denied is no position
        certainty = clause.certainty
        if negated and hit.cue.negated_certainty and _RANK[hit.cue.negated_certainty] < _RANK[certainty]:
            certainty = hit.cue.negated_certainty

        own_possessor = hit.kind == "noun" and any(c.dep_ == "poss" for c in hit.anchor.children)
        presupposed = clause.presupposed or own_possessor
        if own_possessor:
            certainty = "certain"  # "Ukraine's membership aspirations" are taken as given
        holder = SPEAKER if deontic else cues.holder(hit)
        speakers = self.attribution.speakers(hit.anchor, presupposed)
        if not speakers and not presupposed and self.attribution.anonymous(hit.anchor):
            certainty = "probable" if _RANK[certainty] > _RANK["probable"] else certainty
        carried = False
        if not speakers and isinstance(holder, str) and deontic and carry is not None:
            speakers, carried = [carry], True

        if isinstance(holder, str):  # SPEAKER
            if not speakers:
                return []
            holders = [(speakers[0], "speaker")]
        elif holder is None:
            return []
        else:
            holders, speakers = self._holders_of(holder, speakers)
        if hit.kind == "verb" and holders:
            holders = holders + [h for h in self._co_agents(hit.anchor) if h[0] not in {a for a, _ in holders}]
        holders, speakers = self._for_offices(holders, speakers)
        if not holders:
            return []

        holder_iris = {a.iri for a, _ in holders}
        slots = cues.target_slots(hit) if slots is None else slots  # (a list item says what a lead-in urges)
        stance, certainty, slots, extra = self._combine(hit, stance, certainty, slots, inner_hits)
        if all(s.tag_ in ("WP", "WDT") for s in slots) and hit.anchor.dep_ == "csubj" \
                and hit.anchor.head.lemma_.lower() == "be":
            # "what is needed is a phase-out on a clear timetable": the copula's complement
            slots = [c for c in hit.anchor.head.children if c.dep_ in ("attr", "acomp")]
        if slots and slots[0].lemma_.lower() in lex.privative_nouns:
            # "denounced the absence of a timetable": a stance on a lack is the opposite stance on the thing
            of = next((c for c in slots[0].children if c.dep_ == "prep" and c.lower_ == "of"), None)
            obj = next((c for c in of.children if c.dep_ in ("pobj", "pcomp")), None) if of is not None else None
            if obj is not None:
                stance, slots = _flip(stance), [obj] + slots[1:]
        if stance in ("supports", "opposes") and slots:
            stance, slots = _against(hit, stance, slots, lex, self.targets.mention_at)
        if slots and hit.kind != "noun" and slots[0].lemma_.lower() in lex.propositional_nouns:
            meant = _proposition(slots[0], lex)
            if meant is None:
                return []  # "not rule out the possibility that X" hedges X; it is no stance on a possibility
            slots = [meant] + slots[1:]
        if hit.kind == "noun" and hit.cue.kind == "policy":
            slots = [hit.anchor]  # "Japan's licensing rules for chipmaking equipment": the measure itself
        elif hit.kind == "noun" and hit.cue.kind == "agent":
            pass  # "a critic of Y": only what the noun is of
        elif hit.kind == "noun":
            slots = cues.noun_modifiers(hit) + slots
        if hit.kind == "verb" and slots and hit.cue.stance == "opposes" and hit.cue.kind != "action":
            named = self.targets.verb_phrase_topic(hit.anchor, slots[0])
            if named is not None:
                # "stop building new coal plants" names the policy "stop new coal": support for it
                stance = "opposes" if negated else "supports"
                return self._emit(sent, holders, speakers, [Found(topic_target(named), "topic")], stance,
                                  certainty, 0.0)
        # The cue word itself may be part of a label ("send troops", "deploying"), or the inner
        # cue's when two combine ("wants to send troops").
        target_hit = inner_hits[extra[0].i] if extra else hit
        include = extra + ([hit.anchor] if hit.kind != "prep" else [])
        action = target_hit.cue.kind == "action"
        # "take measures to protect its rights" says what the measures are for: no topic at hand is meant
        ellipsis = hit.cue.ellipsis and not (hit.kind == "phrase" and any(
            c.dep_ in ("acl", "relcl") for i in hit.words for c in self.doc[i].children))
        cut = denial_end(hit.anchor, (*extra, *slots[:1])) if negated else None
        if cut is not None:  # "was not seeking to decouple but would de-risk": the denial ends at "but"
            slots = [t for t in slots if t.i < cut]
        targets = self.targets.resolve(slots, include=include, exclude=holder_iris, anchor=hit.anchor,
                                     ellipsis=ellipsis, action=action,
                                     recipients=cues.recipients(target_hit) if action else [])
        if hit.kind == "advocacy" and hit.anchor.lemma_.lower() not in lex.advocacy_verbs:
            # What someone should do with something the codebook does not know is no position on it.
            targets = [t for t in targets if t.target.kind == "topic"]
        if hit.kind == "noun" and hit.cue.kind == "policy":
            # A measure someone owns is a position only on a topic: "Beijing's new licensing" of
            # something the codebook does not know says nothing the analysis can use. Nor is one named
            # as a time ("since Washington's export controls of last October") or in passing.
            if _in_passing(hit.anchor, lex):
                return []
            targets = [t for t in targets if t.target.kind == "topic"]
        elif hit.kind == "noun":
            # "non-proliferation commitments": a word modifying the noun is a target only if it is a topic
            mods = {t.i for t in cues.noun_modifiers(hit)}
            targets = [t for t in targets if t.target.kind != "uncoded" or not mods or
                       not all(tok.i in mods for tok in slots[:1])]
        if cut is not None:  # nor is a topic named only after it (the cue word's own phrase reaches there)
            after = named_only_after(cut, hit.anchor, self.targets.mention_at)
            targets = [t for t in targets if t.target.iri not in after]
        if not targets:
            return []
        contrast = contrasted(slots, holder_iris, self.targets.mention_at) \
            if negated and stance in ("supports", "opposes") else []
        targets = [t for t in targets if t.target.iri not in {c.target.iri for c in contrast}]
        if negated and hit.cue.stance == "supports" and stance == "opposes" and slots and self._particular(slots[0]):
            stance = "hesitant"  # "would not supply such munitions": limits, does not reject
        elif stance == "supports" and _reserved(hit, lex):
            stance = "hesitant"  # "a cautious welcome", "offered lukewarm support": support with reserve
        penalty = 0.05 * (action or hit.kind == "advocacy") + 0.05 * carried + 0.05 * (hit.kind == "noun")
        if len(holders) == 1 and not deontic:
            own = []
            for t in targets:
                if t.target.kind == "topic":
                    topic = self.rules.reference.topics.get(t.target.iri)
                    other = self.targets.own_topic(topic, holders[0][0], slots) if topic is not None else topic
                    if other is not topic:
                        t = Found(topic_target(other), t.how)
                own.append(t)
            targets = own
        return (self._emit(sent, holders, speakers, targets, stance, certainty, penalty)
                + self._emit(sent, holders, speakers, contrast, _flip(stance), certainty, penalty))

    def _particular(self, root: Token) -> bool:
        """"such munitions", "the use of cluster munitions", "some weapons": one kind of what a topic is about,
        picked out by a word of ``particular_words`` or a modifier no topic's label has."""
        lex = self.lex
        words = self.rules.topics.topic_words
        if root.lower_ in lex.particular_words and root.pos_ in ("PRON", "DET"):
            return True  # "some of the tariffs"
        nouns = [root] + [g for c in root.children if c.dep_ == "prep" and c.lower_ == "of"
                          for g in c.children if g.dep_ == "pobj"]
        for noun in nouns:
            key = self.rules.topics.general(noun.lemma_.lower())
            named = any(key in w for w in words.values())  # "munitions": a word of some topic's labels
            for c in noun.children:
                if c.dep_ in ("det", "amod", "predet") and c.lower_ in lex.particular_words:
                    return True
                if named and c.dep_ in ("amod", "compound") and c.pos_ in ("NOUN", "ADJ") \
                        and c.lower_ not in lex.vague_modifiers \
                        and not self._actors_of(c) \
                        and not any(self.rules.topics.general(c.lemma_.lower()) in w for w in words.values()):
                    return True
        return False


def _against(hit: CueHit, stance: str, slots: list[Token], lex: Lexicon, mention_at) -> tuple[str, list[Token]]:
    """What a thing is against, when the stance is on the thing: "launched a petition against X",
    "joined the protest against X", "their campaign against X" oppose X (the prepositions of
    ``prepositions`` in lexicons/stance.yaml). A thing that is itself a topic keeps its own stance
    ("backed sanctions against Russia")."""
    against = {w for w, c in lex.prepositions.items() if c.stance == "opposes"}
    slot = slots[0]
    if hit.kind == "noun" and slot.dep_ == "pobj" and slot.head.lower_ in against \
            and slot.head.head.i == hit.anchor.i:
        return ("opposes" if stance == "supports" else stance), slots  # "their campaign against X"
    if hit.kind == "noun" or slot.pos_ != "NOUN" or mention_at(slot.i) is not None:
        return stance, slots
    prep = next((c for c in slot.children if c.dep_ == "prep" and c.lower_ in against), None)
    obj = child(prep, "pobj") if prep is not None else None
    if obj is None:
        return stance, slots
    return _flip(stance), [obj] + slots[1:]


def _reserved(hit: CueHit, lex: Lexicon) -> bool:
    """Whether the support noun of a cue is said with reserve: "a cautious welcome", "offered lukewarm support"."""
    noun = hit.anchor if hit.kind == "noun" else child(hit.anchor, "dobj")
    cue = lex.nouns.get(noun.lemma_.lower()) if noun is not None and noun.pos_ == "NOUN" else None
    return cue is not None and cue.stance == "supports" and cue.kind not in ("policy", "agent") and any(
        c.dep_ == "amod" and c.lemma_.lower() in lex.reserved_modifiers for c in noun.children)


def _proposition(noun: Token, lex: Lexicon) -> Token | None:
    """What a stance on "the idea" is about: the idea meant before ("rejected the idea"), or what it is of
    ("the idea of sending troops": sending them); None for a proposition, which a stance only hedges ("did not
    rule out the possibility that X")."""
    if noun.lemma_.lower() not in lex.anaphoric_nouns or any(c.dep_ in ("acl", "ccomp", "relcl") for c in noun.children):
        return None
    of = child(noun, "prep", lower="of")
    if of is None:
        return noun
    return next((g for g in of.children if g.dep_ in ("pobj", "pcomp")), None)


def _scenario(tok: Token) -> bool:
    """A clause describing a scenario ("pathways under which developed countries would stop X")."""
    t = tok
    for _ in range(8):
        if t.dep_ == "relcl":
            return any(c.dep_ == "prep" and any(g.tag_ in ("WDT", "WP") for g in c.children) for c in t.children)
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def _in_passing(tok: Token, lex: Lexicon) -> bool:
    """A noun inside a time phrase ("since X", "after X") or a participle or relative clause."""
    t = tok
    for _ in range(8):
        if t.dep_ == "pobj" and t.head.lower_ in lex.time_preps:
            return True
        if t.dep_ in ("relcl", "acl") and t.pos_ == "VERB" and t.i != tok.i:
            return True
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def _flip(stance: str) -> str:
    return {"supports": "opposes", "opposes": "supports"}.get(stance, stance)
