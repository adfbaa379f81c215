"""The rule-based extractor: one parsed document in, assertions out.

For each sentence: find stance cues; drop those in hypothetical clauses or
that someone else is made to act on; find the holder (its logical subject, or
the speaker for advocacy and evaluations), the target, the hedges and the
speakers; emit one assertion per holder actor.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from .version import METHOD_VERSION
from kg.model.records import Actor, Assertion, Document
from kg.ingest.reference import Reference
from .actors import ActorResolver
from .attribution import Attribution
from .certainty import Clause, analyse
from .control import doer
from .coref import Discourse
from .lexicon import Lexicon
from .cue_assertions import CueAssertions
from .judgements import Judgements
from .mentions import ActorIndex
from .lexicon import Cue
from .offices import Offices
from .stance import CueFinder, CueHit
from .syntax import explicit_subject, within
from .targets import TargetResolver
from .topic_index import TopicIndex

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token


# How much each kind of evidence lowers the confidence of an assertion.
# (Set from how often each kind of evidence was right on the dev set's nato and cop28 debates.)
_HOLDER_PENALTY = {"name": 0.0, "new": 0.2, "role": 0.05, "pronoun": 0.25, "near pronoun": 0.1, "noun": 0.2,
                   "speaker": 0.0}
_TARGET_PENALTY = {"topic": 0.0, "frame": 0.05, "weak": 0.1, "anaphora": 0.2, "document": 0.2, "actor": 0.2, "uncoded": 0.4}
# Below this the evidence is too thin to state a position at all: on nato and cop28, 1 of 9 such
# assertions was right (an uncoded target with an unnamed holder, a pronoun resolved far back).
_FLOOR = 0.5


class RuleSet:
    """The rules compiled for one pipeline and one set of reference data."""

    def __init__(self, nlp: Language, reference: Reference, lexicon: Lexicon):
        self.reference = reference
        self.lexicon = lexicon
        self.actors = ActorIndex(nlp, reference, lexicon)
        self.topics = TopicIndex(nlp, reference, lexicon)
        self.cues = CueFinder(lexicon)

    def extract(self, document: Document, doc: Doc, offset: int = 0) -> list[Assertion]:
        """Assertions of ``doc``, the parse of ``document.text[offset:offset + len(doc.text)]``."""
        return _Run(self, document, doc, offset).run()


class _Run(CueAssertions, Judgements):
    """The state of extracting one document."""

    def __init__(self, rules: RuleSet, document: Document, doc: Doc, offset: int = 0):
        self.rules = rules
        self.offset = offset
        self.lex = rules.lexicon
        self.document = document
        self.doc = doc
        self.sents = [s for s in doc.sents]
        self.sent_of = [0] * len(doc)
        for k, s in enumerate(self.sents):
            for i in range(s.start, s.end):
                self.sent_of[i] = k
        self.text = text = doc.text  # built from the tokens on every access: keep it
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        mentions = rules.actors.find(doc)
        self.discourse = Discourse(doc, mentions, self.lex, rules.reference, self.sent_of, document.date)
        self.offices = Offices(rules.reference, self.lex, document.date)
        self.resolver = ActorResolver(self.discourse, self.lex, self.offices)
        self.attribution = Attribution(doc, self.lex, self.resolver, text, self.sents, self.sent_of)
        self.targets = TargetResolver(doc, rules.topics, self.lex, self.sent_of, self._actors_of,
                                      self._subject_actors, self.discourse.salience)

    def _actors_of(self, tok: Token) -> list[Actor]:
        return [a for a, _ in self.resolver.resolve(tok)]

    def _subject_actors(self, verb: Token) -> list[Actor]:  # the doer of a frame ("urged Sweden to join")
        h = doer(verb, self.lex) or self.rules.cues.logical_subject(verb)
        return self._actors_of(h) if h is not None and not isinstance(h, str) else []

    def _whole_line(self, sent: Span) -> bool:
        text = self.text
        start, end = _trimmed(text, sent)
        before = text[:start].rstrip(" \t")
        after = text[end:].lstrip(" \t")
        return (not before or before.endswith("\n")) and (not after or after.startswith("\n"))

    def _para(self, char: int) -> int:
        return bisect.bisect_right(self._line_starts, char) - 1

    def run(self) -> list[Assertion]:
        out: list[Assertion] = []
        last_speaker: dict[int, Actor] = {}
        lead: tuple[CueHit, Clause, dict] | None = None  # "he urged Commerce to:" before a list of items
        for sent in self.sents:
            words = self.text[sent.start_char:sent.end_char].strip()
            if not words:
                continue
            self.targets.scan(sent)
            if lead is not None and self._list_item(sent):
                # "• add CXMT to the Entity List": each item is what the lead-in urges
                root = sent.root if sent.root.pos_ in ("VERB", "NOUN", "PROPN") else None  # (parsed as it comes)
                if root is not None:
                    out.extend(self._assertions(lead[0], lead[1], sent, None, lead[2], slots=[root]))
                continue
            lead = None
            turn = self.attribution.turn_at(sent.end_char - 1) if self.attribution.turns else None
            if words.endswith("?") or (turn is not None and turn.question):
                continue  # a question states no position (and a questioner's turn none either)
            if len(words.split()) <= 6 and not words.endswith((".", "!", '"', "”", "’", "'")) and "\n" not in words \
                    and self._whole_line(sent):
                continue  # a heading ("NATO divided") states no one's position
            para = self._para(sent.start_char)
            hits = self.rules.cues.find(sent)
            hits += self._topic_verbs(sent, hits)
            inner = {h.anchor.i: h for h in hits}
            for hit, clause in self._prune(hits):
                out.extend(self._assertions(hit, clause, sent, last_speaker.get(para), inner))
                if words.endswith(":") and hit.kind == "verb" and not self.rules.cues.target_slots(hit):
                    lead = (hit, clause, inner)
            out.extend(self._evaluations(sent))
            out.extend(self._assents(sent))
            out.extend(self._goals(sent))
            named = self.attribution.sentence_speakers(sent)
            if named:
                last_speaker[para] = named[-1]
        return _dedupe(out)

    def _list_item(self, sent: Span) -> bool:
        """A line that opens with a bullet (the bullet may end the sentence before)."""
        start = self._line_starts[self._para(sent.start_char)]
        before = self.text[start:sent.start_char].strip()
        words = self.text[sent.start_char:sent.end_char].lstrip()
        return before in ("•", "-", "*", "–", "·", "") and (before != "" or words[:1] in ("•", "-", "*", "–", "·"))

    # -- cue selection ----------------------------------------------------
    def _holder_key(self, holder) -> object:
        """Compare holders by the actors they name ("his" and "Erdogan" are one holder)."""
        if holder is None or isinstance(holder, str):
            return holder
        iris = frozenset(a.iri for a, _ in self.resolver.resolve(holder))
        return iris or holder.i

    def _prune(self, hits: list[CueHit]) -> list[tuple[CueHit, Clause]]:
        """Drop cues another cue already covers: "ready to send troops" is one stance, not two."""
        cues = self.rules.cues
        clauses = {h.anchor.i: analyse(h.anchor, self.lex) for h in hits}
        holders = {h.anchor.i: self._holder_key(cues.holder(h)) for h in hits}
        slots = {h.anchor.i: cues.target_slots(h) for h in hits}
        keep = []
        for h in hits:
            mine = holders[h.anchor.i]
            covered = False
            for other in hits:
                if other is h or (other.kind == "advocacy" and not clauses[other.anchor.i].deontic):
                    continue
                same_holder = mine is not None and holders[other.anchor.i] == mine
                theirs = slots[other.anchor.i]
                mine_slots = slots[h.anchor.i]
                if h.kind == "noun" and h.cue.stance == "supports" and h.cue.kind == "plain" and other.kind == "verb" \
                        and other.cue.kind != "action" and same_holder and mine_slots and mine_slots[0].i == other.anchor.i:
                    # "Turkey's attempt to block X": what the attempt is to do says the stance
                    covered = True
                elif other.kind == "noun" and other.cue.stance == "supports" and other.cue.kind == "plain" \
                        and h.kind == "verb" and h.cue.kind != "action" and same_holder and theirs \
                        and theirs[0].i == h.anchor.i:
                    covered = False
                elif h.kind == "noun":
                    # "dropped his objections": the verb's cue combines with the noun's (see _combine)
                    covered = same_holder and bool(theirs) and theirs[0].i == h.anchor.i
                elif (same_holder or other.kind == "advocacy") and any(within(h.anchor, s) for s in theirs):
                    covered = True
                # "take action by deploying": the means clause says what the action is.
                elif h.cue.ellipsis and not slots[h.anchor.i] and same_holder and h.anchor.is_ancestor(other.anchor):
                    covered = True
                if covered:
                    break
            if not covered:
                keep.append((h, clauses[h.anchor.i]))
        return keep

    def _topic_verbs(self, sent: Span, hits: list[CueHit]) -> list[CueHit]:
        """A verb that names a topic ("de-risk", "join NATO") is advocated when a speaker says someone
        should do it: "the bloc should instead de-risk"."""
        taken = {i for h in hits for i in h.words}
        out = []
        for tok in sent:
            if tok.i in taken or self.targets.mention_at(tok.i) is None:
                continue
            if any(c.dep_ == "aux" and c.lemma_.lower() in self.lex.deontic_modals for c in tok.children):
                out.append(CueHit(tok, Cue("supports", "opposes"), "advocacy", (tok.i,)))
            elif tok.pos_ == "VERB" and (explicit_subject(tok) is not None or tok.dep_ in ("xcomp", "conj")) \
                    and tok.dep_ not in ("csubj", "csubjpass") and self.rules.cues.logical_subject(tok) is not None:
                # "the group would de-risk and diversify": doing what a topic names is supporting it
                out.append(CueHit(tok, Cue("supports", "opposes", kind="action"), "verb", (tok.i,)))
        return out

    def _past(self, clause: Clause) -> bool:
        """The clause is dated to an earlier year than the article ("At the 2021 Glasgow talks, China
        pressed to soften ..."): history, not a present position."""
        year = (self.document.date or "")[:4]
        if not year.isdigit():
            return False
        heads = [self.doc[i] for i in clause.path]  # with the act an action cue names ("applied to join X in 2022")
        for c in (c for h in heads + [x for h in heads for x in h.children if x.dep_ == "xcomp"] for c in h.children):
            if c.dep_ in ("prep", "npadvmod", "advmod", "nmod"):
                if any(t.ent_type_ == "DATE" and t.like_num and len(t.text) == 4 and t.text < year
                       and t.text.startswith(("19", "20")) for t in c.subtree):
                    return True
        return False

    def _holders_of(self, tok: Token, speakers: list[Actor]) -> tuple[list[tuple[Actor, str]], list[Actor]]:
        """(holders, speakers) of a holder phrase. "I" and "we" in a quotation are its speakers ("we" in a
        minister's mouth is the government: her office's organisation, with her a speaker); no quotation,
        no holder. Any other phrase: :meth:`_resolve_holder`."""
        lex = self.lex
        if tok.lower_ not in lex.first_person:
            return self._resolve_holder(tok, speakers)
        q = self.attribution.quote_at(tok.idx)
        if q is None or not q.speakers:
            return [], speakers
        if tok.lower_ in lex.first_person_plural:
            return ([(self.offices.organisation(a) or a, "speaker") for a in q.speakers],
                    list(dict.fromkeys([*q.speakers, *speakers])))
        return [(a, "speaker") for a in q.speakers], speakers

    def _resolve_holder(self, tok: Token, speakers: list[Actor]) -> tuple[list[tuple[Actor, str]], list[Actor]]:
        """The actors a holder phrase names; "Harjeet Singh of CAN" is CAN, with Singh as the speaker."""
        holders = self.resolver.resolve(tok)
        person = self.resolver.person_at(tok) if self.resolver.affiliation(tok) is not None else None
        if person is not None and person not in speakers:
            speakers = [person, *speakers]
        return holders, speakers

    def _for_offices(self, holders: list[tuple[Actor, str]],
                     speakers: list[Actor]) -> tuple[list[tuple[Actor, str]], list[Actor]]:
        """An official who speaks for a government ("Defence Minister X welcomed the package") holds the
        position for it; the official becomes the speaker."""
        mapped = []
        for actor, how in holders:
            org = self.offices.speaks_for(actor)
            if org is not None:
                mapped.append((org, how))
                if actor not in speakers:
                    speakers = [actor, *speakers]
            else:
                mapped.append((actor, how))
        return mapped, speakers

    def _emit(self, sent: Span, holders: list[tuple[Actor, str]], speakers: list[Actor], targets: list,
              stance: str, certainty: str, penalty: float) -> list[Assertion]:
        start, end = _trimmed(self.text, sent)
        quote = self.text[start:end]
        out = []
        for (actor, how), found in [(h, f) for h in holders for f in targets]:
            if found.target.kind == "actor" and found.target.iri == actor.iri:
                continue
            speaker = next((s for s in speakers if s.iri != actor.iri), None)
            conf = 0.9 - _HOLDER_PENALTY.get(how, 0.1) - _TARGET_PENALTY.get(found.how, 0.1) - penalty
            if conf < _FLOOR - 1e-9:
                continue
            out.append(Assertion(
                doc=self.document.id, actor=actor, stance=stance, target=found.target, certainty=certainty,
                quote=quote, start=start + self.offset, end=end + self.offset, attributed_to=speaker,
                method="extracted", confidence=round(max(0.05, min(0.99, conf)), 2), method_version=METHOD_VERSION,
            ))
        return out


def _trimmed(full: str, sent: Span) -> tuple[int, int]:
    text = full[sent.start_char:sent.end_char]
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
