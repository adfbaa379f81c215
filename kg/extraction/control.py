"""Who acts in a clause someone else makes or wants happen: "Finland urged Sweden to join NATO", "Finland
wants Sweden to join". The one made (or wanted) to act is the subject of the act's frame (Sweden's
joining), yet holds no stance by it: the stance is the urger's (lexicon ``object_control``,
``desire_verbs``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lexicon import Lexicon
from .syntax import is_to_infinitive

if TYPE_CHECKING:
    from spacy.tokens import Token


def doer(verb: Token, lex: Lexicon) -> Token | None:
    """Who is made or wanted to do what the infinitive ``verb`` says, else None: "urged Sweden [to join]"
    (Sweden the verb's object) or "wants Sweden [to join]" (parsed with Sweden as the infinitive's own subject)."""
    if verb.head.i == verb.i or verb.head.lemma_.lower() not in lex.object_control | lex.desire_verbs:
        return None
    if verb.dep_ == "xcomp":
        return next((c for c in verb.head.children if c.dep_ == "dobj"), None)
    if verb.dep_ == "ccomp" and is_to_infinitive(verb):
        return next((c for c in verb.children if c.dep_ == "nsubj"), None)
    return None


def made_to_act(verb: Token, lex: Lexicon) -> bool:
    """Whether someone else makes or wants ``verb`` happen, its doer named (who then holds no stance by it)."""
    return doer(verb, lex) is not None


def reported_subject(clause: Token, lex: Lexicon) -> Token | None:
    """The subject the parser moved out of a reported clause: in "Hebestreit said Germany, as a signatory,
    would not deliver them" it reads Germany as the object of "said" and leaves "deliver" without a subject."""
    head = clause.head
    if clause.dep_ != "ccomp" or head.lemma_.lower() not in lex.reporting_verbs or any(
            c.dep_ in ("nsubj", "nsubjpass", "mark") for c in clause.children):
        return None
    return next((c for c in head.children if c.dep_ == "dobj" and c.i < clause.i), None)
