"""Evaluations: calling something good or bad is a position on it.

Constructions (each names where the holder and the evaluated thing are):

- a framing verb with an object and a predicate: "Zelensky called the decision historic",
  "Gallagher described the rules as a good first step" -> the verb's subject holds it;
- a copula under someone's voice: "the G7 plan was wrong and dangerous, Peskov said",
  "this is economic coercion" (in a spokesperson's turn) -> the speaker holds it;
- a posing verb: "Ukraine's accession would pose a direct threat" -> the speaker holds it;
- a means of a remedy: "emissions can be curbed with carbon capture" -> the speaker backs the means.

The evaluative word is an adjective or noun of ``evaluations`` in ``lexicons/stance.yaml``;
a noun without a polarity of its own takes its modifiers' ("a false proposition").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .lexicon import Lexicon
from .syntax import child, has_negation, is_dummy_it, is_to_infinitive, pobj

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


@dataclass(frozen=True)
class EvaluationHit:
    anchor: Token  # the evaluative word
    stance: str  # supports | opposes
    target: Token  # heads what is evaluated
    framer: Token | None  # the framing verb, whose subject holds the position; None: the speaker does


def polarity(tok: Token, lexicon: Lexicon) -> int:
    """+1, -1 or 0 for an evaluative adjective or noun phrase ("a good first step", "technology bullying")."""
    p = lexicon.polarity.get(tok.lemma_.lower(), 0) or lexicon.polarity.get(tok.lower_, 0)
    if not p and tok.dep_ == "pobj" and tok.lemma_.lower() in lexicon.favour_nouns and \
            tok.head.lower_ in ("in", "within") and tok.head.head.lemma_.lower() in lexicon.copulas:
        return 1  # "Swedish membership is in the interest of all allies", "is in line with practice"
    if not p and tok.dep_ == "dobj" and tok.head.lemma_.lower() == "have" and tok.lemma_.lower() in lexicon.having_nouns:
        return 1  # "X has a role to play", "a place in the mix"
    if p or tok.pos_ not in ("NOUN", "PROPN") or tok.lemma_.lower() not in lexicon.evaluable_nouns:
        return p  # "a very good day" says nothing of a policy; "a good first step" does
    for c in tok.children:
        if c.dep_ in ("amod", "compound", "nmod"):
            p = lexicon.polarity.get(c.lemma_.lower(), 0) or lexicon.polarity.get(c.lower_, 0)
            if p:
                return p
        if c.dep_ == "prep" and c.lower_ == "of":  # "a case of technology bullying"
            o = pobj(c)
            if o is not None and o.pos_ == "NOUN":
                p = lexicon.polarity.get(o.lemma_.lower(), 0)
                if p:
                    return p
    return 0


def find(sent: Span, lexicon: Lexicon) -> list[EvaluationHit]:
    out: list[EvaluationHit] = []
    seen: set[int] = set()
    for tok in sent:
        effect = lexicon.effects.get(tok.lemma_.lower()) if tok.pos_ == "VERB" else None
        subj = child(tok, "nsubj") if effect else None
        if effect and subj is not None and subj.i not in seen and not is_dummy_it(subj) \
                and subj.pos_ in ("NOUN", "PROPN"):
            # "the curbs would hurt American exporters", "the aircraft would strengthen Ukraine's defence":
            # what something would do, said by someone, is their judgement of it
            p = -effect if has_negation(tok) else effect
            seen.add(subj.i)
            # "warned that the controls could hurt chipmakers": a cost foreseen, hesitant
            warned = p < 0 and tok.dep_ == "ccomp" and tok.head.lemma_.lower() in lexicon.warning_verbs
            out.append(EvaluationHit(tok, "hesitant" if warned else "supports" if p > 0 else "opposes", subj, None))
            continue
        if tok.pos_ == "VERB" and tok.lemma_.lower() in lexicon.remedy_verbs:
            # "emissions can be curbed with carbon capture": the means is backed ("cannot be": not)
            for prep in tok.children:
                means = pobj(prep) if prep.dep_ == "prep" and prep.lower_ in ("with", "through", "via") else None
                if means is not None and means.i not in seen and means.pos_ in ("NOUN", "PROPN"):
                    seen.add(means.i)
                    out.append(EvaluationHit(tok, "opposes" if has_negation(tok) else "supports", means, None))
        if (tok.pos_ not in ("ADJ", "NOUN", "PROPN") and tok.tag_ != "VBN") or tok.i in seen:
            continue  # (a participle may evaluate too: "carefully tailored", "misguided")
        p = polarity(tok, lexicon)
        if not p:
            continue
        first = tok
        while first.dep_ == "conj" and first.head.i != first.i:  # "wrong and dangerous"
            first = first.head
        hit = _construction(first, lexicon)
        if hit is None:
            continue
        target, framer, negator = hit
        clause = _extraposed(first, negator) if target is not None and target.lower_ == "it" and framer is None \
            else None
        if clause is not None:
            # "it was wrong that tariffs had been imposed", "it would be a mistake to send troops": the
            # clause is what is judged, and undoing a thing ("was dropped", "no tax was agreed") flips it
            target, p = clause, p * _event_sign(clause, lexicon) if p != 2 else p
        if target is None or is_dummy_it(target) or target.i in seen:
            continue
        if (has_negation(negator) or has_negation(tok)) and p != 2:
            p = -p
        seen.add(target.i)
        if p == 2:  # "unrealistic", "premature": not against it, not ready for it
            stance = "supports" if has_negation(negator) or has_negation(tok) else "hesitant"
        else:
            stance = "supports" if p > 0 else "opposes"
        out.append(EvaluationHit(tok, stance, target, framer))
    return out


def _extraposed(word: Token, copula: Token) -> Token | None:
    """The clause an "it" stands for after a copula: "it is wrong [that X happened]", "it was wrong [to do X]",
    "it would be a mistake [to do X]", "it's absurd [when no date is set]"."""
    for owner in (copula, word):
        for c in owner.children:
            if c.pos_ not in ("VERB", "AUX"):
                continue
            that = c.dep_ in ("ccomp", "acl") and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)
            to = c.dep_ in ("xcomp", "acl", "ccomp") and is_to_infinitive(c)
            when = c.dep_ == "advcl" and any(g.dep_ in ("advmod", "mark") and g.lower_ == "when" for g in c.children)
            if that or to or when:  # ("it's absurd when no time frame is set")
                return c
    return None


def judged_clause(verb: Token, lexicon: Lexicon) -> bool:
    """Whether ``verb`` heads the clause an evaluation judges ("it was wrong [to impose tariffs]"): the act
    is the judged thing, no one's act (the evaluation says who holds what of it)."""
    head = verb.head
    if head.i == verb.i or verb.pos_ not in ("VERB", "AUX"):
        return False
    copula = head if head.lemma_.lower() in lexicon.copulas else head.head
    word = next((c for c in copula.children if c.dep_ in ("acomp", "attr")), None)
    subj = child(copula, "nsubj")
    return (copula.lemma_.lower() in lexicon.copulas and word is not None and subj is not None
            and subj.lower_ == "it" and getattr(_extraposed(word, copula), "i", None) == verb.i
            and polarity(word, lexicon) != 0)


def _event_sign(verb: Token, lexicon: Lexicon) -> int:
    """+1 for a clause saying a thing is done ("tariffs had been imposed", "to send troops"), -1 for one
    saying it is undone or not done ("the tax was dropped", "no tax was agreed", "to delay the ban")."""
    cue = lexicon.verbs.get(verb.lemma_.lower())
    sign = -1 if cue is not None and cue.stance in ("opposes", "hesitant") and not cue.particle else 1
    if has_negation(verb):
        sign = -sign
    subj = child(verb, "nsubj", "nsubjpass")
    if subj is not None and any(c.dep_ == "det" and c.lower_ == "no" for c in subj.children):
        sign = -sign
    return sign


def _construction(p: Token, lexicon: Lexicon) -> tuple[Token | None, Token | None, Token] | None:
    """(evaluated, framing verb, word a negation would hang on) for the evaluative word ``p``."""
    head = p.head
    hl = head.lemma_.lower()
    if p.dep_ in ("acomp", "attr") and hl in lexicon.copulas:
        return child(head, "nsubj", "nsubjpass"), None, head
    if p.dep_ in ("oprd", "xcomp", "ccomp") and hl in lexicon.framing_verbs:
        return child(head, "dobj"), head, head
    if p.dep_ == "pobj" and head.lower_ == "as" and head.head.lemma_.lower() in lexicon.framing_verbs:
        verb = head.head
        return child(verb, "dobj", "nsubjpass"), verb, verb
    if p.dep_ == "pobj" and head.lower_ == "as" and head.head.dep_ == "dobj" \
            and head.head.head.lemma_.lower() in lexicon.framing_verbs:  # "regard [the appearance of X as a threat]"
        return head.head, head.head.head, head.head.head
    if p.dep_ in ("ccomp", "oprd", "xcomp") and p.pos_ == "ADJ" and hl in lexicon.making_verbs:
        # "the updates will make the controls more effective": what something makes good, said by someone
        return child(p, "nsubj") or child(head, "dobj"), None, head
    if p.dep_ == "dobj" and hl in lexicon.posing_verbs:
        return child(head, "nsubj"), None, head
    if p.dep_ == "pobj" and hl in ("in", "within") and head.head.lemma_.lower() in lexicon.copulas:
        return child(head.head, "nsubj", "csubj"), None, head.head
    if p.dep_ == "dobj" and hl == "have" and p.lemma_.lower() in lexicon.having_nouns:
        return child(head, "nsubj"), None, head  # "carbon capture has a role to play"
    return None
