"""Positions stated without a stance cue: evaluations ("called the decision historic")
and assent to a topic's event ("allies agreed that Ukraine would become a member").
A part of :class:`.rules._Run`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import evaluation
from kg.model.records import Assertion
from kg.ingest.reference import topic_target, uncoded_target
from .certainty import analyse
from .syntax import has_negation
from .targets import Found

if TYPE_CHECKING:
    from spacy.tokens import Span


class Judgements:
    """Evaluations and assents (mixed into :class:`.rules._Run`)."""

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
            # "called it a historic package": the predicate says "it" is a negotiated text, not the topic last named
            label = self.targets.documents.label(ev.anchor) \
                if ev.target.pos_ == "PRON" and ev.anchor.pos_ == "NOUN" else None
            if label:
                found = [Found(uncoded_target(label), "document")]
            else:
                found = [f for f in self.targets.resolve([ev.target], anchor=ev.anchor,
                                                         exclude={a.iri for a, _ in holders})
                         if f.how in ("topic", "frame", "anaphora", "document")]
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
