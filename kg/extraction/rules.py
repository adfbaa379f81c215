"""The rule-based extractor: one parsed document in, assertions out.

For each sentence: find stance cues; drop those in hypothetical clauses or
that someone else is made to act on; find the holder (its logical subject, or
the speaker for advocacy and evaluations), the target, the hedges and the
speakers; emit one assertion per holder actor.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from ..model import Actor, Assertion, Document
from ..reference import Reference
from .actors import ActorResolver
from .attribution import Attribution
from .certainty import Clause, analyse
from .coref import Discourse
from .lexicon import Lexicon
from .mentions import ActorIndex, TopicIndex
from .stance import SPEAKER, CueFinder, CueHit
from .syntax import within
from .targets import TargetResolver

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

VERSION = "0.1.0"
METHOD_VERSION = f"rules@{VERSION}"
_RANK = {"possible": 1, "probable": 2, "certain": 3}

# How much each kind of evidence lowers the confidence of an assertion.
_HOLDER_PENALTY = {"name": 0.0, "new": 0.1, "role": 0.05, "pronoun": 0.15, "noun": 0.2, "speaker": 0.1}
_TARGET_PENALTY = {"topic": 0.0, "frame": 0.1, "actor": 0.05, "uncoded": 0.25, "anaphora": 0.25}


class RuleSet:
    """The rules compiled for one pipeline and one set of reference data."""

    def __init__(self, nlp: Language, reference: Reference, lexicon: Lexicon):
        self.reference = reference
        self.lexicon = lexicon
        self.actors = ActorIndex(nlp, reference, lexicon)
        self.topics = TopicIndex(nlp, reference)
        self.cues = CueFinder(lexicon)

    def extract(self, document: Document, doc: Doc) -> list[Assertion]:
        return _Run(self, document, doc).run()


class _Run:
    """The state of extracting one document."""

    def __init__(self, rules: RuleSet, document: Document, doc: Doc):
        self.rules = rules
        self.lex = rules.lexicon
        self.document = document
        self.doc = doc
        self.sents = [s for s in doc.sents]
        self.sent_of = [0] * len(doc)
        for k, s in enumerate(self.sents):
            for i in range(s.start, s.end):
                self.sent_of[i] = k
        text = doc.text
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        mentions = rules.actors.find(doc)
        self.discourse = Discourse(doc, mentions, self.lex, rules.reference, self.sent_of, document.date)
        self.resolver = ActorResolver(self.discourse, self.lex)
        self.attribution = Attribution(doc, self.lex, self.resolver)
        self.targets = TargetResolver(doc, rules.topics, self.lex, self.sent_of, self._actors_of,
                                      self._subject_actors, self.discourse.salience)

    def _actors_of(self, tok: Token) -> list[Actor]:
        return [a for a, _ in self.resolver.resolve(tok)]

    def _subject_actors(self, verb: Token) -> list[Actor]:
        h = self.rules.cues.logical_subject(verb)
        return self._actors_of(h) if h is not None and h != SPEAKER else []

    def _para(self, char: int) -> int:
        return bisect.bisect_right(self._line_starts, char) - 1

    def run(self) -> list[Assertion]:
        out: list[Assertion] = []
        last_speaker: dict[int, Actor] = {}
        for sent in self.sents:
            if not sent.text.strip():
                continue
            self.targets.scan(sent)
            para = self._para(sent.start_char)
            for hit, clause in self._prune(self.rules.cues.find(sent)):
                out.extend(self._assertions(hit, clause, sent, last_speaker.get(para)))
            named = self.attribution.sentence_speakers(sent)
            if named:
                last_speaker[para] = named[-1]
        return _dedupe(out)

    # -- cue selection ----------------------------------------------------
    def _prune(self, hits: list[CueHit]) -> list[tuple[CueHit, Clause]]:
        """Drop cues another cue already covers: "ready to send troops" is one stance, not two."""
        cues = self.rules.cues
        clauses = {h.anchor.i: analyse(h.anchor, self.lex) for h in hits}
        holders = {h.anchor.i: _key(cues.holder(h)) for h in hits}
        slots = {h.anchor.i: cues.target_slots(h) for h in hits}
        keep = []
        for h in hits:
            mine = holders[h.anchor.i]
            covered = False
            for other in hits:
                if other is h or (other.kind == "advocacy" and not clauses[other.anchor.i].deontic):
                    continue
                same_holder = mine is not None and holders[other.anchor.i] == mine
                if h.kind != "noun" and (same_holder or other.kind == "advocacy") and any(
                        within(h.anchor, s) for s in slots[other.anchor.i]):
                    covered = True
                    break
                # "take action by deploying": the means clause says what the action is.
                if h.cue.ellipsis and same_holder and h.anchor.is_ancestor(other.anchor):
                    covered = True
                    break
            if not covered:
                keep.append((h, clauses[h.anchor.i]))
        return keep

    # -- one cue ----------------------------------------------------------
    def _assertions(self, hit: CueHit, clause: Clause, sent: Span, carry: Actor | None) -> list[Assertion]:
        lex = self.lex
        cues = self.rules.cues
        if clause.conditional or clause.controlled:
            return []
        if hit.kind == "advocacy" and not clause.deontic:
            return []
        negated = cues.negated(hit) != clause.negated_by_hedge
        stance = hit.cue.negated if negated else hit.cue.stance
        certainty = clause.certainty
        if negated and hit.cue.negated_certainty and _RANK[hit.cue.negated_certainty] < _RANK[certainty]:
            certainty = hit.cue.negated_certainty

        own_possessor = hit.kind == "noun" and any(c.dep_ == "poss" for c in hit.anchor.children)
        presupposed = clause.presupposed or own_possessor
        if own_possessor:
            certainty = "certain"  # "Ukraine's membership aspirations" are taken as given
        holder = SPEAKER if clause.deontic else cues.holder(hit)
        speakers = self.attribution.speakers(hit.anchor, presupposed)
        carried = False
        if not speakers and holder == SPEAKER and clause.deontic and carry is not None:
            speakers, carried = [carry], True

        if holder == SPEAKER:
            if not speakers:
                return []
            holders = [(speakers[0], "speaker")]
        elif holder is None:
            return []
        elif holder.lower_ in lex.first_person:
            q = self.attribution.quote_at(holder.idx)
            if q is None or not q.speakers:
                return []
            holders = [(a, "speaker") for a in q.speakers]
        else:
            holders = self.resolver.resolve(holder)
        if not holders:
            return []

        holder_iris = {a.iri for a, _ in holders}
        slots = cues.target_slots(hit)
        include: list[Token] = []
        if hit.kind in ("verb", "advocacy", "phrase"):
            include = [hit.anchor]
        elif hit.kind == "noun":
            slots = cues.noun_modifiers(hit) + slots
            include = [hit.anchor]
        action = hit.cue.kind == "action"
        found = self.targets.resolve(slots, include=include, exclude=holder_iris, anchor=hit.anchor,
                                     ellipsis=hit.cue.ellipsis, action=action,
                                     recipients=cues.recipients(hit) if action else [])
        if found is None:
            return []

        start, end = _trimmed(sent)
        quote = self.doc.text[start:end]
        out = []
        for actor, how in holders:
            if found.target.kind == "actor" and found.target.iri == actor.iri:
                continue
            speaker = next((s for s in speakers if s.iri != actor.iri), None)
            conf = 0.9 - _HOLDER_PENALTY.get(how, 0.1) - _TARGET_PENALTY.get(found.how, 0.1)
            conf -= 0.05 * (action or hit.kind == "advocacy") + 0.05 * carried + 0.05 * (hit.kind == "noun")
            out.append(Assertion(
                doc=self.document.id, actor=actor, stance=stance, target=found.target, certainty=certainty,
                quote=quote, start=start, end=end, attributed_to=speaker, method="extracted",
                confidence=round(max(0.05, min(0.99, conf)), 2), method_version=METHOD_VERSION,
            ))
        return out


def _key(holder) -> object:
    """Compare holders: tokens by position, SPEAKER by name."""
    return getattr(holder, "i", holder)


def _trimmed(sent: Span) -> tuple[int, int]:
    text = sent.text
    start = sent.start_char + (len(text) - len(text.lstrip()))
    end = sent.end_char - (len(text) - len(text.rstrip()))
    return start, end


def _dedupe(assertions: list[Assertion]) -> list[Assertion]:
    """One assertion per statement and sentence, the most confident."""
    best: dict[tuple, Assertion] = {}
    for a in assertions:
        key = (a.actor.iri, a.stance, a.target.iri, a.attributed_to.iri if a.attributed_to else None,
               a.certainty, a.start)
        if key not in best or (a.confidence or 0) > (best[key].confidence or 0):
            best[key] = a
    return list(best.values())
