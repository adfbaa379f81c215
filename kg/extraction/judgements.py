"""Positions stated without a stance cue: evaluations ("called the decision historic"),
assent to a topic's event ("allies agreed that Ukraine would become a member") and goals
("Turkey's aim is to ratify the accession").
A part of :class:`.rules._Run`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import evaluation
from kg.model.records import Assertion
from kg.ingest.reference import topic_target, uncoded_target
from .certainty import analyse
from .syntax import child, has_negation
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
                holders, speakers = self._holders_of(subj, self.attribution.speakers(ev.framer))
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
                holders, speakers = self._holders_of(subj, self.attribution.speakers(tok))
                holders, speakers = self._for_offices(holders, speakers)
                stance = "opposes" if has_negation(c) or has_negation(tok) else "supports"
                found = [Found(topic_target(m.topic), "frame")]
                out.extend(self._emit(sent, holders, speakers, found, stance, clause.certainty, 0.05))
        return out

    # -- goals ----------------------------------------------------------------
    def _goals(self, sent: Span) -> list[Assertion]:
        """"Turkey's aim is to ratify X", "the goal, he said, was to complete the process": what is named
        as someone's goal they support; the goal's owner holds it, or, unowned, the speaker."""
        out: list[Assertion] = []
        lex = self.lex
        for tok in sent:
            if tok.lemma_.lower() not in lex.goal_nouns or tok.dep_ not in ("nsubj", "dep"):
                continue
            head = tok.head
            cop = head if head.lemma_.lower() == "be" else next(  # "X's aim, Y said, was to ...": parsed apart
                (c for c in head.children if c.dep_ == "ccomp" and c.lemma_.lower() == "be"
                 and child(c, "nsubj") is None and c.i > tok.i), None)
            goal = child(cop, "xcomp", "attr") if cop is not None else None
            if goal is None or has_negation(cop) or has_negation(goal):
                continue
            clause = analyse(cop, lex)
            if clause.conditional:
                continue
            cue = lex.verbs.get(goal.lemma_.lower()) if goal.pos_ == "VERB" else None
            stance = cue.stance if cue is not None else "supports"  # "the aim is to lift the tariffs": against them
            if stance not in ("supports", "opposes", "hesitant"):
                continue
            owner = child(tok, "poss")  # "our aim": "our" is a first person as "we" is
            speakers = self.attribution.speakers(cop)
            if owner is not None:
                holders, speakers = self._holders_of(owner, speakers)
            else:
                holders = [(speakers[0], "speaker")] if speakers else []
            holders, speakers = self._for_offices(holders, speakers)
            if not holders:
                continue
            found = [f for f in self.targets.resolve([goal], anchor=tok, exclude={a.iri for a, _ in holders})
                     if f.how in ("topic", "frame", "anaphora", "document")]
            out.extend(self._emit(sent, holders, speakers, found, stance, clause.certainty, 0.05))
        return out
