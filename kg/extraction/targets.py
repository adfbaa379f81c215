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
from typing import TYPE_CHECKING, Callable

from ..model import Actor, Target, Topic
from ..reference import actor_target, topic_target, uncoded_target
from .lexicon import Lexicon
from .mentions import Frame, TopicIndex, TopicMention, lemma_key
from .syntax import child, depth_below

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


@dataclass(frozen=True)
class Found:
    target: Target
    how: str  # topic | frame | actor | uncoded | anaphora


class TargetResolver:
    def __init__(self, doc: Doc, topics: TopicIndex, lexicon: Lexicon, sent_of: list[int],
                 actors_of: Callable[[Token], list[Actor]], subject_of: Callable[[Token], list[Actor]],
                 salience: Callable[[str, int], int]):
        self.doc = doc
        self.topics = topics
        self.lexicon = lexicon
        self.sent_of = sent_of
        self.actors_of = actors_of
        self.subject_of = subject_of
        self.salience = salience
        self.mentions: list[TopicMention] = []  # every topic mention so far, in text order
        self._by_token: dict[int, TopicMention] = {}

    # -- topic mentions ---------------------------------------------------
    def scan(self, sent) -> None:
        """Record the sentence's topic mentions (labels and action frames) for targets and anaphora."""
        found = self.topics.find(sent)
        covered = {i for m in found for i in range(m.start, m.end)}
        for tok in sent:
            if tok.i in covered or tok.pos_ != "VERB":
                continue
            topic = self.frame_topic(tok)
            if topic is not None:
                found.append(TopicMention(tok.i, tok.i + 1, tok.i, topic, frame=True))
        found.sort(key=lambda m: m.start)
        for m in found:
            self.mentions.append(m)
            for i in range(m.start, m.end):
                self._by_token[i] = m

    def frame_topic(self, verb: Token) -> Topic | None:
        """The topic whose action label this verb instantiates, with its subject and object."""
        frames = self.topics.frames.get(lemma_key(verb))
        if not frames:
            return None
        obj = child(verb, "dobj")
        prep_objs = {p.lower_: child(p, "pobj") for p in verb.children if p.dep_ == "prep"}
        subj_iris: list[str] | None = None
        best: tuple[tuple[int, int], Frame] | None = None
        for f in frames:
            o = prep_objs.get(f.prep) if f.prep else obj
            score = 0
            if o is None:
                if f.prep is None and obj is not None:
                    continue  # an explicit other object: "send weapons" is not "send troops"
                implicit = True
            else:
                implicit = False
                if f.obj_actor:
                    if f.obj_actor not in {a.iri for a in self.actors_of(o)}:
                        continue
                elif f.obj_lemma and lemma_key(o) != f.obj_lemma:
                    continue
                score += 1
            if f.subject:
                if subj_iris is None:
                    subj_iris = [a.iri for a in self.subject_of(verb)]
                if f.subject not in subj_iris:
                    continue
                score += 2
            sal = self.salience(f.obj_actor, verb.i) if implicit and f.obj_actor else 0
            key = (score, sal)
            if best is None or key > best[0]:
                best = (key, f)
        return best[1].topic if best else None

    def topic_in(self, roots: list[Token], include: list[Token] = ()) -> tuple[Topic, str] | None:
        """The topic named closest to the top of the given phrases (and the extra words)."""
        best: tuple[int, int, Topic, str] | None = None
        for order, root in enumerate(roots):
            for tok in root.subtree:
                m = self._by_token.get(tok.i)
                if m is None:
                    continue
                d = depth_below(tok, root)
                key = (order, d)
                if best is None or key < best[:2]:
                    best = (order, d, m.topic, "frame" if m.frame else "topic")
            if best is not None:
                break
        if best is None:
            for tok in include:
                m = self._by_token.get(tok.i)
                if m is not None:
                    return m.topic, "frame" if m.frame else "topic"
            return None
        return best[2], best[3]

    def recent_topic(self, before: int) -> Topic | None:
        """The topic mentioned last in the sentences before the one holding token ``before``."""
        s = self.sent_of[before]
        for m in reversed(self.mentions):
            ms = self.sent_of[m.start]
            if ms >= s:
                continue
            if ms < s - self.lexicon.anaphora_window:
                return None
            return m.topic
        return None

    # -- resolution -------------------------------------------------------
    def resolve(self, roots: list[Token], *, include: list[Token] = (), exclude: set[str] = frozenset(),
                anchor: Token, ellipsis: bool = False, recipients: list[Token] = (),
                action: bool = False) -> Found | None:
        lex = self.lexicon
        roots = [r for r in roots if r is not None]
        hit = self.topic_in(roots, include)
        if hit is not None:
            return Found(topic_target(hit[0]), hit[1])
        if roots and self._anaphoric(roots[0]):
            topic = self.recent_topic(anchor.i)
            return Found(topic_target(topic), "anaphora") if topic else None
        # An action's object may be an actor ("assist Ukraine"); failing that, its recipient.
        for root in (*roots, *recipients) if action else roots:
            if root.lower_ in lex.propositional_nouns:
                continue
            for a in self.actors_of(root):
                if a.iri not in exclude:
                    return Found(actor_target(a), "actor")
        for root in roots:
            text = self._text(root)
            if text:
                return Found(uncoded_target(text), "uncoded")
        if ellipsis and not roots:
            topic = self.recent_topic(anchor.i)
            if topic is not None:
                return Found(topic_target(topic), "anaphora")
        if ellipsis and roots and all(r.pos_ in ("VERB", "AUX") and not self._text(r) for r in roots):
            topic = self.recent_topic(anchor.i)
            if topic is not None:
                return Found(topic_target(topic), "anaphora")
        return None

    def _anaphoric(self, root: Token) -> bool:
        lex = self.lexicon
        if root.pos_ == "PRON":
            return root.lower_ in lex.anaphoric_pronouns
        det = child(root, "det")
        return root.lemma_.lower() in lex.anaphoric_nouns and det is not None and det.lower_ in lex.anaphoric_determiners

    def _text(self, root: Token) -> str:
        """The slot's words, without clauses hanging off them, shortened: the uncoded target's label."""
        if root.pos_ in ("VERB", "AUX"):
            obj = child(root, "dobj")
            if obj is None:
                return ""
            root = obj
        if root.pos_ not in ("NOUN", "PROPN") or root.lower_ in self.lexicon.propositional_nouns:
            return ""
        skip: set[int] = set()
        for c in root.children:
            if c.dep_ in ("relcl", "acl", "appos", "punct", "cc", "conj", "advcl", "det") or (c.dep_ == "prep" and c.i > root.i + 3):
                skip.update(t.i for t in c.subtree)
        words = [t for t in root.subtree if t.i not in skip and not t.is_punct and not t.is_space]
        words = words[: self.lexicon.max_uncoded_tokens]
        while words and words[-1].pos_ in ("ADP", "DET", "CCONJ", "PART"):
            words.pop()
        if not words:
            return ""
        return self.doc[words[0].i: words[-1].i + 1].text
