"""Small helpers over spaCy's dependency parse, shared by the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

SUBJECTS = ("nsubj", "nsubjpass", "csubj", "csubjpass")
# Dependencies that attach a clause to the word it depends on.
CLAUSAL = ("ccomp", "xcomp", "advcl", "conj", "relcl", "acl", "pcomp", "csubj", "parataxis")


def child(token: Token, *deps: str, lower: str | tuple[str, ...] | None = None) -> Token | None:
    """The first child with one of ``deps`` (and, if given, one of the lower-case forms)."""
    if isinstance(lower, str):
        lower = (lower,)
    for c in token.children:
        if c.dep_ in deps and (lower is None or c.lower_ in lower):
            return c
    return None


def children(token: Token, *deps: str) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps]


def acts_on(verb: Token) -> bool:
    """Whether ``verb`` takes "on" instead of an object: "Sweden has delivered on what it promised" kept a
    promise and sent nothing; an action verb so used is another verb. (A passive has its object as subject:
    "phased out on a timeline".)"""
    return child(verb, "dobj") is None and child(verb, "prep", lower="on") is not None and not is_passive(verb)


def is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass", "csubjpass") for c in verb.children)


def explicit_subject(verb: Token) -> Token | None:
    """The grammatical subject written in the clause, if any."""
    return child(verb, "nsubj", "nsubjpass", "expl")


def pobj(prep: Token) -> Token | None:
    return child(prep, "pobj", "pcomp")


def has_negation(token: Token) -> bool:
    """A ``not``/``never``/``n't`` on the word itself or, for a predicate, on its copula."""
    for c in token.children:
        if c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ in ("never", "no")):
            return True
        if c.dep_ == "advmod" and c.lower_ == "longer" and any(g.lower_ == "no" for g in c.children):
            return True  # "no longer"
        if c.dep_ == "det" and c.lower_ == "no":
            return True
    return False


def is_to_infinitive(token: Token) -> bool:
    """A verb with its "to": "urged X [to reject]", "it was wrong [to impose]"."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def is_complement_relcl(token: Token) -> bool:
    """A clause the parser hung on a noun as a relative clause, though its "that" only marks a
    complement: "said before the summit that Ukraine was not ready"."""
    return token.dep_ == "relcl" and any(c.dep_ == "mark" and c.lower_ == "that" for c in token.children)


def is_relative_clause(token: Token) -> bool:
    """A finite relative clause ("the guarantees that Kyiv seeks"), not one of the clauses the parser
    also labels relcl: a "that" complement, or a to-infinitive ("steps to send troops")."""
    if token.dep_ != "relcl" or is_complement_relcl(token):
        return False
    return not is_to_infinitive(token)


def is_dummy_it(token: Token) -> bool:
    """``it``/``there`` that stands for nothing: "it is too early to say", "there is a chance"."""
    if token.dep_ == "expl" or token.lower_ == "there":
        return True
    if token.lower_ != "it":
        return False
    head = token.head
    for c in head.children:
        if c.dep_ in ("ccomp", "xcomp", "csubj"):
            return True
        if c.dep_ in ("acomp", "attr", "oprd") and any(g.dep_ in ("ccomp", "xcomp") for g in c.children):
            return True
    return False


def ancestors_path(token: Token, limit: int = 40) -> list[Token]:
    """``token`` and its ancestors up to the sentence root."""
    out = [token]
    while out[-1].head.i != out[-1].i and len(out) < limit:
        out.append(out[-1].head)
    return out


def within(token: Token, root: Token) -> bool:
    """Whether ``token`` is ``root`` or one of its descendants."""
    return root.left_edge.i <= token.i <= root.right_edge.i and (token.i == root.i or root.is_ancestor(token))


def depth_below(token: Token, root: Token) -> int:
    d = 0
    while token.i != root.i and token.head.i != token.i:
        token = token.head
        d += 1
    return d


def governing_verb(token: Token) -> Token | None:
    """The nearest verb (or predicative adjective) above ``token``, crossing prepositions and nouns."""
    t = token
    for _ in range(12):
        if t.head.i == t.i:
            return None
        t = t.head
        if t.pos_ in ("VERB", "AUX") or (t.pos_ == "ADJ" and t.dep_ in ("acomp", "ROOT", "oprd")):
            return t
    return None
