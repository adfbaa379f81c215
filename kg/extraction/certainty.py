"""How surely, and in what mood, a clause presents a stance.

The clause of a cue is the cue and the words that govern it, up to a reporting
verb (what the speaker says is hedged by the speaker's words, not the
reporter's) or a relative clause (which is background). Along it we read
hedges ("may", "very likely", "the possibility of"), conditions ("if"),
obligation ("should", which makes the stance the speaker's own advocacy) and
verbs that make someone else act ("requires all members to assist").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .lexicon import Lexicon
from .syntax import is_relative_clause

if TYPE_CHECKING:
    from spacy.tokens import Token

_RANK = {"possible": 1, "probable": 2, "certain": 3}
_HEDGED_COMPLEMENTS = ("xcomp", "ccomp", "dobj", "pcomp")  # "expected to X", "considering X-ing"


@dataclass(frozen=True)
class Clause:
    certainty: str
    negated_by_hedge: bool  # "unlikely to support"
    conditional: bool  # inside "if ...": not asserted
    deontic: bool  # "should", "must": the speaker's advocacy
    presupposed: bool  # inside a relative clause: background, not the claim
    controlled: bool  # someone else is made to act
    path: tuple[int, ...]  # token indices of the clause path


def _weaker(a: str, b: str) -> str:
    return a if _RANK[a] <= _RANK[b] else b


def clause_path(tok: Token, lexicon: Lexicon) -> tuple[list[Token], bool]:
    """The cue and its governors within its clause; whether a relative clause boundary was hit."""
    path = [tok]
    t = tok
    while t.head.i != t.i and len(path) < 30:
        if is_relative_clause(t):
            return path, True
        h = t.head
        reporting = h.pos_ in ("VERB", "AUX") and h.lemma_.lower() in lexicon.reporting_verbs
        if t.dep_ in ("ccomp", "parataxis") and reporting:
            break
        path.append(h)
        t = h
    return path, False


def _has_aux(t: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ != "to" for c in t.children)


def analyse(tok: Token, lexicon: Lexicon) -> Clause:
    """Hedges, condition, obligation and control of the clause around cue word ``tok``."""
    path, presupposed = clause_path(tok, lexicon)
    level = "certain"
    negating = False
    conditional = False
    for k, t in enumerate(path):
        # In "X may support A and oppose B" the modal is shared; not if "oppose" has its own.
        shared = not (k > 0 and path[k - 1].dep_ == "conj" and _has_aux(path[k - 1]))
        for c in t.children:
            low = c.lemma_.lower()
            if c.dep_ == "aux" and shared and low in lexicon.hedge_modals:
                level = _weaker(level, lexicon.hedge_modals[low])
            elif c.dep_ == "advmod" and low in lexicon.hedge_adverbs:
                level = _weaker(level, lexicon.hedge_adverbs[low])
            elif c.dep_ == "mark" and low in lexicon.conditional_markers:
                conditional = True
        low = t.lemma_.lower()
        if k > 0:
            if t.pos_ == "ADJ" and low in lexicon.hedge_adjectives:
                level = _weaker(level, lexicon.hedge_adjectives[low])
            elif t.pos_ == "ADJ" and low in lexicon.negating_hedges:
                level = _weaker(level, lexicon.negating_hedges[low])
                negating = not negating
            elif t.pos_ == "NOUN" and low in lexicon.hedge_nouns:
                level = _weaker(level, lexicon.hedge_nouns[low])
            elif t.pos_ == "VERB" and low in lexicon.hedge_verbs and path[k - 1].dep_ in _HEDGED_COMPLEMENTS:
                level = _weaker(level, lexicon.hedge_verbs[low])
            elif t.pos_ == "VERB" and low in lexicon.hedge_passives and path[k - 1].dep_ in _HEDGED_COMPLEMENTS \
                    and any(c.dep_ == "auxpass" for c in t.children):
                level = _weaker(level, lexicon.hedge_passives[low])  # "are reported to be lukewarm"
        if t.pos_ == "NOUN" and low in lexicon.conditional_nouns and t.dep_ == "pobj" and t.head.lower_ == "in":
            conditional = True
    return Clause(level, negating, conditional, _deontic(tok, lexicon), presupposed, _controlled(tok, lexicon),
                  tuple(t.i for t in path))


def _deontic(tok: Token, lexicon: Lexicon) -> bool:
    """"should receive", "must not include", "needs to join" (modal shared along conjuncts)."""
    t = tok
    prev = None
    for _ in range(6):
        own_aux = _has_aux(t)
        if prev is None or not (prev.dep_ == "conj" and _has_aux(prev)):
            if any(c.dep_ == "aux" and c.lemma_.lower() in lexicon.deontic_modals for c in t.children):
                return True
        if prev is not None and prev.dep_ == "xcomp" and t.lemma_.lower() in lexicon.deontic_verbs:
            return True
        if t.dep_ in ("conj", "xcomp", "acomp", "oprd") or (t.pos_ == "ADP" and prev is None):
            prev, t = t, t.head
            if own_aux and prev.dep_ == "xcomp":
                break
        else:
            break
    return False


def _controlled(tok: Token, lexicon: Lexicon) -> bool:
    """The cue is an action someone else is made to take: "requires all members to assist"."""
    t = tok
    for _ in range(4):
        if t.dep_ == "pcomp" and t.head.lower_ == "from":
            return True  # "bars citizens from supporting production": an act prevented, no one's position
        if t.dep_ == "pcomp" and t.head.lower_ in ("of", "for") and t.head.head.lemma_.lower() in lexicon.accusation_verbs:
            return True  # "accused wealthy governments of strong-arming poorer ones into accepting X"
        if t.dep_ == "pobj" and t.head.lower_ in ("of", "for") and t.head.head.lemma_.lower() in lexicon.accusation_verbs:
            return True
        if t.dep_ == "prep" and t.i != tok.i and t.head.lemma_.lower() in lexicon.accusation_verbs:
            return True  # the same, when the parser hangs the act on the verb ("accusing X of ... into accepting Y")
        if t.dep_ == "xcomp":
            h = t.head
            if h.lemma_.lower() in lexicon.object_control and any(c.dep_ == "dobj" for c in h.children):
                return True
            if h.lemma_.lower() in lexicon.failure_verbs:
                return True  # "had failed to stop pushbacks": an act not done, no one's position
            t = h
        elif t.dep_ in ("conj", "pcomp", "pobj", "prep", "dobj"):
            t = t.head
        else:
            return False
    return False
