"""The negotiated text a story is about: "the deal", "the outcome", "the agreement".

Reaction pieces judge a text as a whole ("praised the outcome", "supported the presidency's
proposal"). With no codebook topic before it, such a noun means the text the story's lead
names, described there with a name of its own ("adopted the final COP28 decision",
"the Vilnius communiqué"), under the name someone gave it ("branded it the UAE Consensus").
The target is uncoded and labelled with both: "final COP28 decision (UAE Consensus)", so
every reaction to one text shares one label. A lead that names no such text gives no target:
a bare "the deal" is left to the topic rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lexicon import Lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

LEAD_SENTENCES = 2  # the news lead: where a story names what it is about
_MODIFIERS = ("amod", "compound", "nmod", "nummod")


def _phrase(head: Token) -> str:
    """The head with its modifiers, without determiner or quotes: "final COP28 decision"."""
    mods = [c for c in head.lefts if c.dep_ in _MODIFIERS]
    start = min((c.left_edge.i for c in mods), default=head.i)
    words = [t.text for t in head.doc[start:head.i + 1] if not t.is_punct]
    return " ".join(words)


def _names_itself(head: Token) -> bool:
    """A description with a name of its own: "the final COP28 decision", "the Paris Agreement" (not "an $800
    million package": an amount names no text)."""
    return head.pos_ == "PROPN" or any(c.dep_ in _MODIFIERS and c.pos_ == "PROPN" for c in head.lefts)


class DocumentNames:
    """Finds, once per parsed text, the negotiated text its lead names and the name it was given."""

    def __init__(self, doc: Doc, sents: list[Span], lexicon: Lexicon):
        self.lexicon = lexicon
        nouns = lexicon.document_nouns
        self.description: tuple[int, str] | None = None
        for sent in sents[:LEAD_SENTENCES]:
            self.description = next(((t.i, _phrase(t)) for t in sent
                                     if t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() in nouns
                                     and t.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj") and _names_itself(t)), None)
            if self.description:
                break
        # "branded it the UAE Consensus", "dubbed the deal the Glasgow Pact": a verb of naming with an
        # object and a proper name as its second object or predicate
        self.names: list[tuple[int, str]] = []
        if self.description is None:
            return
        for tok in doc:
            if tok.pos_ != "VERB" or tok.lemma_.lower() not in lexicon.naming_verbs:
                continue
            slots = [c for c in tok.children if c.dep_ in ("dobj", "oprd", "attr")]
            if len(slots) == 2 and slots[1].pos_ == "PROPN" and (
                    slots[0].pos_ == "PRON" or slots[0].lemma_.lower() in nouns):
                self.names.append((tok.i, _phrase(slots[1])))

    def label(self, pointer: Token) -> str | None:
        """The label of the text ``pointer`` ("the deal") means, or None."""
        if self.description is None or pointer.lemma_.lower() not in self.lexicon.document_nouns:
            return None
        at, description = self.description
        if pointer.i < at:
            return None  # (at the description itself: "adopted the final COP28 decision" is a position on it)
        names = [n for _, n in self.names if n.lower() != description.lower()]  # a name holds wherever it is given
        return f"{description} ({names[0]})" if names else description
