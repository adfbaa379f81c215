"""Who acts in a clause someone else makes or wants happen: "Finland urged Sweden to join NATO", "Finland
wants Sweden to join". The one made (or wanted) to act is the subject of the act's frame (Sweden's
joining), yet holds no stance by it: the stance is the urger's (lexicon ``object_control``,
``desire_verbs``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lexicon import Lexicon

if TYPE_CHECKING:
    from spacy.tokens import Token


def _controlling(verb: Token, lex: Lexicon) -> bool:
    return verb.head.i != verb.i and verb.head.lemma_.lower() in lex.object_control | lex.desire_verbs


def made_to_act(verb: Token, lex: Lexicon) -> bool:
    """Whether ``verb`` is an infinitive someone else makes or wants happen, with its doer named:
    "urged Sweden [to join]" (Sweden the verb's object) or "wants Sweden [to join]" (parsed with Sweden as the
    infinitive's own subject)."""
    if not _controlling(verb, lex):
        return False
    if verb.dep_ == "xcomp":
        return any(c.dep_ == "dobj" for c in verb.head.children)
    return verb.dep_ == "ccomp" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) \
        and any(c.dep_ == "nsubj" for c in verb.children)


def doer(verb: Token, lex: Lexicon) -> Token | None:
    """Who is made or wanted to do what ``verb`` says (for its frame), else None."""
    if not made_to_act(verb, lex):
        return None
    if verb.dep_ == "xcomp":
        return next(c for c in verb.head.children if c.dep_ == "dobj")
    return next(c for c in verb.children if c.dep_ == "nsubj")


def reported_subject(clause: Token, lex: Lexicon) -> Token | None:
    """The subject the parser moved out of a reported clause: in "Hebestreit said Germany, as a signatory,
    would not deliver them" it reads Germany as the object of "said" and leaves "deliver" without a subject."""
    head = clause.head
    if clause.dep_ != "ccomp" or head.lemma_.lower() not in lex.reporting_verbs or any(
            c.dep_ in ("nsubj", "nsubjpass", "mark") for c in clause.children):
        return None
    return next((c for c in head.children if c.dep_ == "dobj" and c.i < clause.i), None)
