"""The rule-based extractor: one parsed document in, assertions out.

For each sentence: find stance cues; drop those in hypothetical clauses or
that someone else is made to act on; find the holder (its logical subject, or
the speaker for advocacy and evaluations), the target, the hedges and the
speakers; emit one assertion per holder actor.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from . import METHOD_VERSION, evaluation
from ..model import Actor, Assertion, Document
from ..reference import Reference
from .actors import ActorResolver
from .attribution import Attribution
from .certainty import Clause, analyse
from .coref import Discourse
from .lexicon import Lexicon
from .mentions import ActorIndex, TopicIndex
from .lexicon import NO_STANCE, Cue
from .offices import Offices
from .stance import SPEAKER, CueFinder, CueHit
from .syntax import explicit_subject, has_negation, within
from .targets import Found
from ..reference import topic_target
from .targets import TargetResolver

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

_RANK = {"possible": 1, "probable": 2, "certain": 3}

# How much each kind of evidence lowers the confidence of an assertion.
# (Set from how often each kind of evidence was right on the dev set's nato and cop28 debates.)
_HOLDER_PENALTY = {"name": 0.0, "new": 0.2, "role": 0.05, "pronoun": 0.25, "noun": 0.2, "speaker": 0.0}
_TARGET_PENALTY = {"topic": 0.0, "frame": 0.05, "weak": 0.1, "anaphora": 0.2, "actor": 0.2, "uncoded": 0.4}


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


class _Run:
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

    def _subject_actors(self, verb: Token) -> list[Actor]:
        h = self.rules.cues.logical_subject(verb)
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
        for sent in self.sents:
            words = self.text[sent.start_char:sent.end_char].strip()
            if not words:
                continue
            self.targets.scan(sent)
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
            out.extend(self._evaluations(sent))
            out.extend(self._assents(sent))
            named = self.attribution.sentence_speakers(sent)
            if named:
                last_speaker[para] = named[-1]
        return _dedupe(out)

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
                if h.kind == "noun":
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
        if inner is not None and inner.kind in ("verb", "phrase") and head.dep_ in ("xcomp", "ccomp") \
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
            if not cues.target_slots(noun_hit) or (head.lemma_.lower() in self.lex.blocking_nouns and not blocked):
                # "warned against trade barriers on clean-energy products": the barriers are the target
                return stance, certainty, slots, []
            stance = _flip(stance)  # "removing the biggest obstacle to X" supports X
        own = cues.noun_modifiers(noun_hit) + cues.target_slots(noun_hit)
        # "supported Ukraine's bid": with nothing after the noun, the phrase itself is what is meant.
        return stance, certainty, (own or [head]) + slots[1:], []

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
        for i in clause.path:
            for c in self.doc[i].children:
                if c.dep_ not in ("prep", "npadvmod", "advmod", "nmod"):
                    continue
                for t in c.subtree:
                    if t.ent_type_ == "DATE" and t.like_num and len(t.text) == 4 and t.text < year \
                            and t.text.startswith(("19", "20")):
                        return True
        return False

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

    # -- evaluations --------------------------------------------------------
    def _evaluations(self, sent: Span) -> list[Assertion]:
        """"Zelensky called the decision historic", "the plan was wrong, Peskov said": positions on what
        is called good or bad (see :mod:`.evaluation`), when it is a codebook topic."""
        out: list[Assertion] = []
        for ev in evaluation.find(sent, self.lex):
            # Hedges on the evaluative word are part of the judgement ("potentially very dangerous").
            clause = analyse(ev.framer or ev.anchor.head, self.lex)
            if clause.conditional:
                continue
            if ev.framer is not None:
                subj = self.rules.cues.logical_subject(ev.framer)
                if subj is None or isinstance(subj, str):
                    continue
                speakers = self.attribution.speakers(ev.framer)
                if subj.lower_ in self.lex.first_person:
                    q = self.attribution.quote_at(subj.idx)
                    holders = [(a, "speaker") for a in (q.speakers if q else ())]
                else:
                    holders, speakers = self._resolve_holder(subj, speakers)
            else:
                speakers = self.attribution.speakers(ev.anchor)
                if not speakers:
                    continue  # the narrator's own judgement is not coded
                holders = [(speakers[0], "speaker")]
            holders, speakers = self._for_offices(holders, speakers)
            if not holders:
                continue
            found = [f for f in self.targets.resolve([ev.target], anchor=ev.anchor,
                                                     exclude={a.iri for a, _ in holders})
                     if f.how in ("topic", "frame", "anaphora")]
            out.extend(self._emit(sent, holders, speakers, found, ev.stance, clause.certainty, 0.05))
        return out

    def _assents(self, sent: Span) -> list[Assertion]:
        """"All allies agreed that Ukraine would become a member", "leaders state that Ukraine's future
        is in NATO", "allies are united that ...": affirming that a topic's own event happens (or will)
        is support for it; affirming that it will not, opposition."""
        out: list[Assertion] = []
        lex = self.lex
        for tok in sent:
            low = tok.lemma_.lower()
            adjective = tok.lower_ in lex.assent_adjectives and tok.dep_ in ("acomp", "oprd", "ROOT", "conj")
            reporting = tok.pos_ == "VERB" and low in lex.reporting_verbs
            if not ((tok.pos_ == "VERB" and low in lex.assent_verbs) or adjective or reporting):
                continue
            for c in tok.children:
                if c.dep_ != "ccomp":
                    continue
                m = self.targets.mention_at(c.i)
                if m is None:
                    m = next((self.targets.mention_at(g.i) for g in c.children if g.dep_ in ("nsubj", "attr")
                              and self.targets.mention_at(g.i) is not None
                              and self.targets.mention_at(g.i).event), None)
                if m is None or not m.event or (reporting and low not in lex.assent_verbs and not m.paraphrase):
                    continue  # "said Ukraine's rightful place was in NATO" affirms; "said X would join" reports
                clause = analyse(c, lex)
                if clause.conditional:
                    continue
                verb = tok.head if adjective and tok.dep_ in ("acomp", "oprd") else tok
                subj = self.rules.cues.logical_subject(verb)
                if subj is None or isinstance(subj, str):
                    continue
                speakers = self.attribution.speakers(tok)
                if subj.lower_ in lex.first_person:
                    q = self.attribution.quote_at(subj.idx)
                    holders = [(a, "speaker") for a in (q.speakers if q else ())]
                else:
                    holders, speakers = self._resolve_holder(subj, speakers)
                holders, speakers = self._for_offices(holders, speakers)
                stance = "opposes" if has_negation(c) or has_negation(tok) else "supports"
                found = [Found(topic_target(m.topic), "frame")]
                out.extend(self._emit(sent, holders, speakers, found, stance, clause.certainty, 0.05))
        return out

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
            out.append(Assertion(
                doc=self.document.id, actor=actor, stance=stance, target=found.target, certainty=certainty,
                quote=quote, start=start + self.offset, end=end + self.offset, attributed_to=speaker,
                method="extracted", confidence=round(max(0.05, min(0.99, conf)), 2), method_version=METHOD_VERSION,
            ))
        return out

    # -- one cue ----------------------------------------------------------
    def _assertions(self, hit: CueHit, clause: Clause, sent: Span, carry: Actor | None,
                    inner_hits: dict[int, CueHit]) -> list[Assertion]:
        lex = self.lex
        cues = self.rules.cues
        if clause.conditional or clause.controlled or self._past(clause) or _scenario(hit.anchor):
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
        elif holder.lower_ in lex.first_person:
            q = self.attribution.quote_at(holder.idx)
            if q is None or not q.speakers:
                return []
            if holder.lower_ in lex.first_person_plural:
                # "we" in a minister's mouth is the government: the organisation of the speaker's office
                holders = [(self.offices.organisation(a) or a, "speaker") for a in q.speakers]
                speakers = list(dict.fromkeys([*q.speakers, *speakers]))
            else:
                holders = [(a, "speaker") for a in q.speakers]
        else:
            holders, speakers = self._resolve_holder(holder, speakers)
        holders, speakers = self._for_offices(holders, speakers)
        if not holders:
            return []

        holder_iris = {a.iri for a, _ in holders}
        stance, certainty, slots, extra = self._combine(hit, stance, certainty, cues.target_slots(hit), inner_hits)
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
        if slots and slots[0].lemma_.lower() in lex.propositional_nouns and hit.kind != "noun":
            return []  # "not rule out the possibility that X" hedges X; it is no stance on a possibility
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
        if not targets:
            return []
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
        return self._emit(sent, holders, speakers, targets, stance, certainty, penalty)


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
