"""Link what a stance is about to the codebook, to an actor, or keep it as uncoded text.

The words of the target slot are searched for a codebook label (lemmatised) or
a label naming an action ("deploying in Ukraine" is a deployment of troops);
failing that, for an actor; failing that, the slot's text becomes an uncoded
target. A slot that only points back ("that demand", "it"), or a cue that
leaves its object unsaid ("too early to say"), takes the topic the text
mentioned last.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from kg.model.records import Target
from kg.ingest.reference import actor_target, topic_target, uncoded_target
from .topic_mentions import TopicMentions
from .named_documents import DocumentNames
from .lexicon import Cue
from .syntax import child

if TYPE_CHECKING:
    from spacy.tokens import Token


_NO_CUE = Cue("none", "none")


@dataclass(frozen=True)
class Found:
    target: Target
    how: str  # topic | frame | actor | uncoded | anaphora | document


class TargetResolver(TopicMentions):
    """What a stance is about: a codebook topic, an actor, or uncoded text."""

    @cached_property
    def documents(self) -> DocumentNames:
        return DocumentNames(self.doc, list(self.doc.sents), self.lexicon)

    # -- resolution -------------------------------------------------------
    def resolve(self, roots: list[Token], *, include: list[Token] = (), exclude: set[str] = frozenset(),
                anchor: Token, ellipsis: bool = False, recipients: list[Token] = (),
                action: bool = False) -> list[Found]:
        """What a stance is about: usually one target; coordinated topics give one each."""
        roots = [r for r in roots if r is not None]
        hits = self.topics_in(roots, include)
        if hits:
            return [Found(topic_target(t), how) for t, how in hits]
        pointer = self._anaphoric(roots[0]) if roots else None
        label = self.documents.label(pointer) if pointer is not None and pointer.pos_ != "PRON" else None
        if label:  # "praised the outcome" in a story whose lead names a text: that text, not the topic last named
            return [Found(uncoded_target(label), "document")]
        if pointer is not None:
            # "the measures" may point back within its sentence; "that demand" points to an earlier one
            demonstrative = any(c.dep_ == "det" and c.lower_ in ("this", "that", "these", "those")
                                for c in pointer.children)
            topic = self.recent_topic(pointer.i, same_sentence=not demonstrative, phrase=pointer)
            if topic is None and pointer.pos_ != "PRON":
                # "last year's rules", far from any mention: what the text has been about most
                topic = self.main_topic(pointer)
            if topic is None:
                return []
            # "the measures" after "limits on chips and chipmaking gear": every topic named there
            return [Found(topic_target(t), "anaphora") for t in self._together(topic)]
        if roots and roots[0].i == (self.documents.description or (-1,))[0]:
            return [Found(uncoded_target(self.documents.label(roots[0])), "document")]  # one label for one text
        found = self._resolve_one(roots, anchor=anchor, exclude=exclude, ellipsis=ellipsis, recipients=recipients,
                                  action=action)
        return [found] if found is not None else []

    def _resolve_one(self, roots: list[Token], *, exclude: set[str], anchor: Token, ellipsis: bool,
                     recipients: list[Token], action: bool) -> Found | None:
        lex = self.lexicon
        pointer = self._anaphoric(roots[0]) if roots else None
        if pointer is not None:
            topic = self.recent_topic(pointer.i, same_sentence=pointer.pos_ == "PRON", phrase=pointer)
            return Found(topic_target(topic), "anaphora") if topic else None
        weak = self.weak_topic(roots[0]) if roots else None
        if weak is None and roots and roots[0].lemma_.lower() in lex.vague_heads:
            # "any wording that could be read as a timetable": the clause says what the words are about
            for c in roots[0].children:
                if c.dep_ in ("relcl", "acl"):
                    for t in c.subtree:
                        if t.pos_ == "NOUN" and t.i != roots[0].i:
                            hit = self.topics_in([t]) or ([(self.weak_topic(t), "weak")] if self.weak_topic(t) else [])
                            if hit:
                                return Found(topic_target(hit[0][0]), "weak")
        if weak is None and roots and (lex.nouns.get(roots[0].lemma_.lower()) or _NO_CUE).kind == "policy":
            # "Beijing's new licensing of the two minerals": a measure is about what it is of
            of = child(roots[0], "prep", lower="of")
            obj = child(of, "pobj") if of is not None else None
            weak = self.weak_topic(obj) if obj is not None else None
        if weak is not None and not action:
            return Found(topic_target(weak), "weak")
        # An action's object may be an actor ("assist Ukraine"); failing that, its recipient. A person
        # is no object of one: hosting a president is no support for him.
        # With a direct object, an actor in a later phrase is a partner, not the target ("defend its border
        # with Belarus"); an action still falls back to its recipient ("send troops to Ukraine").
        direct = roots[:1] if roots and roots[0].dep_ == "dobj" else roots
        if roots and roots[0].lemma_.lower() in lex.message_nouns:
            recipients = ()  # "sent a letter to the Commission": a message to it, no support of it
        for root in (*roots, *recipients) if action else direct:
            if root.lower_ in lex.propositional_nouns:
                continue
            for a in self.actors_of(root):
                if a.iri not in exclude and not (action and root not in recipients and a.type != "State"):
                    return Found(actor_target(a), "actor")
        if weak is not None:  # "providing concrete assistance to Ukraine" supports Ukraine, first of all
            return Found(topic_target(weak), "weak")
        # An action on something the codebook does not know ("delivered a speech") is no stance.
        for root in () if action else roots[:1]:  # only the first slot: "approved plans for the north"
            text = self._text(root)
            if text:
                return Found(uncoded_target(text), "uncoded")
        if ellipsis:  # nothing said about what: the topic at hand ("it is too early to say")
            topic = self.recent_topic(anchor.i)
            if topic is not None:
                return Found(topic_target(topic), "anaphora")
        return None

    def _anaphoric(self, root: Token) -> Token | None:
        """The word that only points back ("it", "that demand"), heading the slot or its verb's object."""
        lex = self.lexicon
        if root.pos_ in ("VERB", "AUX"):
            obj = child(root, "dobj")
            if obj is None or obj.lemma_.lower() in lex.discussion_nouns:
                return None  # "taking the matter up": a step on the matter, not the matter
            root = obj
        if root.pos_ == "PRON":
            return root if root.lower_ in lex.anaphoric_pronouns else None
        if root.lemma_.lower() not in lex.anaphoric_nouns:
            return None
        # "the measure", "such restrictions", "the Dutch rules", "Beijing's new curbs", "measures of its own"
        pointing = False
        for c in root.children:
            if c.dep_ in ("det", "predet") and c.lower_ in lex.anaphoric_determiners:
                pointing = True
            elif c.dep_ == "amod" and c.lower_ in lex.anaphoric_determiners:
                pointing = True  # "such"
            elif c.dep_ == "poss" or (c.dep_ in ("amod", "compound") and self.actors_of(c) and (
                    root.tag_ != "NN" or any(d.dep_ == "det" for d in root.children))):
                pointing = True  # ("the Dutch rules", "EU curbs"; bare "EU law" is the body of law, no measure)
            elif c.dep_ == "prep" and c.lower_ in ("in", "at") and any(
                    g.dep_ == "pobj" and (g.pos_ == "PROPN" or self.actors_of(g)) for g in c.children):
                continue  # "voted against the package in the Council": where, not which package
            elif c.dep_ == "acl" and c.tag_ == "VBN" and any(
                    a.dep_ == "agent" and any(self.actors_of(o) for o in a.children if o.dep_ == "pobj")
                    for a in c.children):
                pointing = True  # "controls imposed by Washington" is "Washington's controls": its owner names it
            elif c.dep_ in ("punct", "case") or (c.dep_ == "amod" and c.pos_ in ("ADJ", "VERB")):
                continue
            elif c.dep_ == "prep" and c.lower_ == "of" and any(g.lower_ == "own" for g in c.subtree):
                continue
            elif c.dep_ == "relcl" and c.left_edge.i > 0 and self.doc[c.left_edge.i - 1].text == ",":
                continue  # "the move, which she called coercion": a clause set off by a comma describes, not names
            elif c.dep_ == "prep" and c.lower_ == "as":
                continue  # "denounced the measures as an abuse": what follows says what they are called
            elif c.dep_ == "prep" and any(g.dep_ == "pobj" and g.lemma_.lower() in lex.reason_nouns
                                          for g in c.children):
                continue  # "defended the rules on security grounds": why, not which rules
            else:
                return None  # "the plan to raise taxes", "curbs on chips": it says what it is
        return root if pointing else None

    def _text(self, root: Token) -> str:
        """The slot's words, without clauses hanging off them, shortened: the uncoded target's label."""
        if root.pos_ in ("VERB", "AUX"):
            # "to build a new pipeline": the verb with its object; a verb alone ("to say") is no target,
            # nor is a clause with a subject of its own ("that the Dutch would follow")
            obj = child(root, "dobj")
            if obj is None or child(root, "nsubj", "nsubjpass") is not None or root.tag_ == "VBG":
                return ""  # nor an activity ("keeping their hands free", "ending the harm")
            obj_text = self._text(obj)
            if not obj_text or root.lemma_.lower() in self.lexicon.verbs:
                return obj_text  # "ready to accept the compromise" is about the compromise
            if root.dep_ != "acl":
                return ""  # "wants to set the record straight": an intention, no policy; "the plan to build X" is one
            end = obj.right_edge.i if obj_text.endswith(obj.right_edge.text) else obj.i
            words = [t for t in self.doc[root.i:end + 1] if not t.is_space]
            words = words[: self.lexicon.max_uncoded_tokens]
            return self.doc[words[0].i:words[-1].i + 1].text if len(words) > 1 else obj_text
        if root.pos_ not in ("NOUN", "PROPN") or root.lower_ in self.lexicon.propositional_nouns \
                or root.lemma_.lower() in self.lexicon.reason_nouns:
            return ""
        if root.lemma_.lower() in self.lexicon.anaphoric_nouns and not any(
                c.dep_ in ("prep", "acl", "compound", "nmod", "poss") for c in root.children):
            return ""  # "a move", "the decision": says nothing by itself
        if any(c.dep_ == "poss" and c.tag_ == "PRP$" for c in root.children) and not any(
                c.dep_ in ("prep", "acl", "compound", "amod", "nmod") for c in root.children):
            return ""  # "its cities", "his leadership": something of someone's, no policy
        skip: set[int] = set()
        for c in root.children:
            far_prep = c.dep_ == "prep" and c.i > root.i + 3
            if c.dep_ in ("relcl", "appos", "punct", "cc", "conj", "advcl", "det") or far_prep or (
                    c.dep_ == "acl" and c.tag_ != "VB"):
                skip.update(t.i for t in c.subtree)
        words = [t for t in root.subtree if t.i not in skip and not t.is_punct and not t.is_space]
        if len(words) > self.lexicon.max_uncoded_tokens:
            kept = {t.i for t in words[: self.lexicon.max_uncoded_tokens]}
            words = words[: self.lexicon.max_uncoded_tokens]
            # Never end inside a phrase: "decision on its" is cut back to "decision".
            cut = next((t for t in words if t.i != root.i and t.dep_ == "prep"
                        and not all(d.i in kept or d.i in skip for d in t.subtree)), None)
            if cut is not None:
                words = [t for t in words if t.i < cut.i]
        while words and (words[-1].pos_ in ("ADP", "DET", "CCONJ", "PART", "SCONJ")
                         or words[-1].tag_ in ("PRP$", "WP$", "POS")):
            words.pop()
        if not words:
            return ""
        content = [w for w in words if w.pos_ in ("NOUN", "PROPN", "ADJ", "VERB", "NUM") and not w.is_stop]
        if len(content) < 2 and root.lemma_.lower() not in self.lexicon.policy_words:
            return ""  # "the summit", "the letter": a word alone names no policy (unless it is one: "a compromise")
        return self.doc[words[0].i: words[-1].i + 1].text
