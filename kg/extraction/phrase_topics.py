"""Noun phrases as sets of content words, and the codebook topics they mean.

A phrase's words (lemmas through the general synonyms, or the actors they name)
are matched against the labels of the topics as sets, in any order; the actors a
phrase names decide whose topic it is ("Turkey's membership bid").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from kg.model.records import Actor, Topic
from .lexicon import Lexicon
from .mentions import TopicMention, acronym_key, lemma_key
from .syntax import child
from .topic_index import TopicIndex

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


_CONTENT = ("NOUN", "PROPN", "ADJ", "VERB", "NUM")
# Dependents that are not part of a noun phrase's own content.
_PHRASE_SKIP = ("relcl", "advcl", "parataxis", "appos", "punct", "cc", "det", "case", "ccomp", "mark", "neg",
                "aux", "auxpass", "nsubj", "nsubjpass", "dep", "predet", "preconj")
_PHRASE_MAX = 16


def _subtree_ids(tok: Token, members: list[Token]) -> set[int]:
    """``tok``'s subtree without the other coordinated members hanging from it."""
    skip = {m.i for m in members if m.i != tok.i}
    out: set[int] = set()
    stack = [tok]
    while stack:
        t = stack.pop()
        if t.i in skip:
            continue
        out.add(t.i)
        stack.extend(t.children)
    return out


class PhraseTopics:
    """The topics of a document's noun phrases (the base of :class:`.targets.TargetResolver`)."""

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
        self._last: dict[str, int] = {}  # topic IRI -> index of its latest mention
        self._keys: dict[int, tuple[str, ...]] = {}  # token -> its content keys (a lemma or actor IRIs)

    # -- noun phrases as sets of content words ----------------------------
    def token_keys(self, tok: Token) -> tuple[str, ...]:
        """What a word contributes to a phrase's content: the actors it names, else its lemma (through the
        general synonyms), else nothing (function words)."""
        k = self._keys.get(tok.i)
        if k is None:
            actors = self.actors_of(tok) if tok.pos_ in ("PROPN", "NOUN", "ADJ", "PRON") else []
            actors = [a for a in actors if not a.is_new]  # a name the gazetteer lacks is just a word
            if actors:
                k = tuple("actor:" + a.iri for a in actors)
            elif tok.is_punct or tok.is_stop or tok.pos_ not in _CONTENT:
                k = ()
            else:
                k = (acronym_key(tok) or self.topics.general(lemma_key(tok)),)
            self._keys[tok.i] = k
        return k

    def phrase_tokens(self, root: Token, exclude: set[int] = frozenset()) -> list[Token]:
        """The words of the noun phrase headed by ``root``: its subtree without clauses hanging off it
        (relative, adverbial), appositions and function words, at most ``_PHRASE_MAX`` words."""
        out: list[Token] = []
        stack = [root]
        while stack and len(out) < _PHRASE_MAX:
            t = stack.pop()
            if t.i not in exclude:  # an excluded word's dependents may still belong ("chips and equipment")
                out.append(t)
            stack.extend(c for c in reversed(list(t.children)) if c.dep_ not in _PHRASE_SKIP)
        return out

    def phrase_keys(self, root: Token, exclude: set[int] = frozenset()) -> set[str]:
        return {k for t in self.phrase_tokens(root, exclude) for k in self.token_keys(t)}

    def phrase_topics(self, root: Token) -> list[Topic]:
        """Topics a noun phrase means by a label's words in any order ("curbs on chips" = "chip curbs");
        a coordination inside it gives one topic per member where they differ ("curbs on chips and the
        tools used to make them": chip curbs and tool curbs)."""
        if root.pos_ not in ("NOUN", "PROPN"):
            return []
        head = self.token_keys(root)
        if not head and root.i >= 2 and self.doc[root.i - 1].text == "-" and self.doc[root.i - 2].head.i == root.i:
            head = self.token_keys(self.doc[root.i - 2])  # "phase-out", "build-up": the word before the hyphen
        head_key = head[0] if len(head) == 1 and not head[0].startswith("actor:") else None
        if head_key is None:
            return []
        tokens = self.phrase_tokens(root)
        out: list[Topic] = []
        heads = [c for c in root.conjuncts if c.i > root.i and c.pos_ in ("NOUN", "PROPN")]
        if heads:
            # "curbs on chips and the tools used to make them": the tools are curbed too.
            others = {i for c in heads for i in _subtree_ids(c, [])}
            for keys in [self.phrase_keys(root, others)] + [self.phrase_keys(c) | {head_key} for c in heads]:
                topic = self.topics.bag_match(keys, head_key)
                if topic is not None and topic not in out:
                    out.append(topic)
            if out:
                return out
        groups = [t for t in tokens if t.i != root.i and t.pos_ in ("NOUN", "PROPN")
                  and any(c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN") for c in t.children)]
        if groups:
            g = groups[0]
            members = [g, *[c for c in g.conjuncts if c.pos_ in ("NOUN", "PROPN")]]
            for m in members:
                others = {i for o in members if o.i != m.i for i in _subtree_ids(o, members)}
                topic = self.topics.bag_match(self.phrase_keys(root, others), head_key)
                if topic is not None and topic not in out:
                    out.append(topic)
            if out:
                return out
        topic = self.topics.bag_match(self.phrase_keys(root), head_key)
        return [topic] if topic is not None else []

    def own_topic(self, topic: Topic, holder: Actor, roots: list[Token]) -> Topic:
        """"Sweden has taken a big step towards full membership": a membership no phrase assigns to anyone
        is the holder's own, when the holder has a topic of that kind and the label found is another
        state's."""
        mine = self.topics.topic_actors.get(topic.iri, frozenset())
        if holder.type != "State" or holder.iri in mine or not any(self._is_state(a) for a in mine):
            return topic
        keys = {k for r in roots for t in self.phrase_tokens(r) for k in self.token_keys(t)}
        named = {k[6:] for k in keys if k.startswith("actor:")}
        if named - {holder.iri}:
            return topic
        said = keys - {"actor:" + a for a in named}  # the phrase's own words
        fits = len(said & self.topics.label_words.get(topic.iri, frozenset()))
        # (the words as written: each topic's canonical forms are its own)
        vocab = {w for w in self.topics.label_words.get(topic.iri, ()) if not w.startswith("actor:")}
        states = {a for a in mine if self._is_state(a)}
        best = None
        for other in self.topics.topics_with_actors({holder.iri}):
            if states & self.topics.topic_actors.get(other.iri, frozenset()):
                continue  # "China opposed the US curbs": the curbs are the US's, not a topic of China's
            if not (mine - states) & self.topics.topic_actors.get(other.iri, frozenset()):
                continue  # a topic of the same kind is about the same other party (membership of NATO)
            theirs = {w for w in self.topics.label_words.get(other.iri, ()) if not w.startswith("actor:")}
            shared = len(vocab & theirs)
            if len(said & theirs) < fits:
                continue  # "China opposed the curbs on chips": chips are no word of China's own topic
            if shared >= 2 and (best is None or shared > best[0]):
                best = (shared, other)
        return best[1] if best is not None else topic

    def verb_phrase_topic(self, verb: Token, obj: Token) -> Topic | None:
        """A label that the cue verb itself begins: "stop building new coal plants" is the label "stop
        new coal", "end fossil fuels" a label too: the verb names the policy rather than a stance on it."""
        head = self.topics.general(lemma_key(verb))
        root = obj
        if root.pos_ in ("VERB", "AUX") and child(root, "dobj") is not None:
            root = child(root, "dobj")  # "stop building new coal plants"
        if root.pos_ not in ("NOUN", "PROPN"):
            return None
        return self.topics.bag_match(self.phrase_keys(root) | {head}, head)

    def fit(self, topic: Topic, head: Token, span: range) -> Topic | None:
        """The topic a phrase means once the actors it names are taken into account: "Turkey's own
        membership bid" is not the bid of the actor a "membership bid" label names, but the topic of
        Turkey's bid; with no such topic, a label that names another state does not apply."""
        mine = self.topics.topic_actors.get(topic.iri, frozenset())
        named: set[str] = set()
        owning: set[str] = set()  # named as the phrase's owner: "Moldova's membership", "membership for X"
        owners = [head]
        h = head
        if head.dep_ in ("compound", "nmod", "amod", "nummod") and head.head.pos_ in ("NOUN", "PROPN"):
            h = head.head
            owners.append(h)  # "Sweden's NATO accession protocol": the whole phrase's owner
        of = h.head if h.dep_ == "pobj" and h.head.lower_ == "of" and h.head.head.pos_ == "NOUN" else None
        if of is not None:
            owners.append(of.head)  # "the sale of F-16 jets to Turkey": whom the sale is for
        for c in (c for o in owners for c in o.children if c.i != head.i):
            if c.i in span:
                continue
            if c.dep_ in ("poss", "compound", "amod", "nmod"):
                found = {k[6:] for k in self.token_keys(c) if k.startswith("actor:")}
                named |= found
                if c.dep_ == "poss":
                    owning |= found
            elif c.dep_ == "prep" and (c.lower_ in ("of", "for", "by") or (c.lower_ == "to" and of is not None)) \
                    and (of is None or c.i != of.i):
                o = child(c, "pobj")
                if o is not None:
                    found = {k[6:] for k in self.token_keys(o) if k.startswith("actor:")}
                    named |= found
                    owning |= found
        foreign = named - mine
        if not foreign:
            return topic
        head_key = self.topics.general(lemma_key(head))
        words = {k for t in [*self.phrase_tokens(head), *(self.doc[i] for i in span)] for k in self.token_keys(t)
                 if not k.startswith("actor:")}
        # Another topic must account for as many of the phrase's words as the label that matched.
        vocab = self.topics.topic_words.get(topic.iri, frozenset())
        need = max(1, len({self.topics.canonical(topic.iri, w) for w in words} & vocab))
        best: tuple[int, int, str, Topic] | None = None
        for other in self.topics.topics_with_actors(foreign):
            if other.iri == topic.iri:
                continue
            vocab = self.topics.topic_words.get(other.iri, frozenset())
            if self.topics.canonical(other.iri, head_key) not in vocab:
                continue
            overlap = len({self.topics.canonical(other.iri, w) for w in words} & vocab)
            if overlap < need:
                continue
            theirs = self.topics.topic_actors.get(other.iri, frozenset())
            key = (len(named & theirs), overlap, other.iri, other)
            if best is None or key[:3] > best[:3]:
                best = key
        if best is not None:
            return best[3]
        if any(self._is_state(a) for a in mine) and any(self._is_state(a) for a in foreign & owning):
            return None  # "Moldova's membership" is not the membership of the state the label names
        return topic

    def weak_topic(self, root: Token) -> Topic | None:
        """A topic the phrase means by weaker evidence than a whole label:

        - it names every actor of the topic's key (at least two) and a word of its labels ("giving
          Ukraine a route into NATO" for a topic keyed ukraine-nato-membership);
        - its head is the head of labels of one topic only, and any noun modifying it is a word of that
          topic's labels too ("any deal that would freeze the front line": a "peace deal").
        """
        verb = root.pos_ == "VERB" and root.dep_ in ("pcomp", "xcomp", "acl")  # "to bringing Ukraine closer to X"
        if (root.pos_ not in ("NOUN", "PROPN") and not verb) or root.dep_ in ("compound", "amod", "nmod"):
            return None  # a word modifying another ("semiconductor ambitions") heads no phrase of its own
        keys = self.phrase_keys(root)
        actors = {k[6:] for k in keys if k.startswith("actor:")}
        words = {k for k in keys if not k.startswith("actor:")}
        found: list[Topic] = []
        if len(actors) >= 2:
            # words of coming closer are often adverbs or particles ("bringing Ukraine closer to X")
            words |= {t.lower_ for t in self.phrase_tokens(root) if t.lower_ in self.lexicon.approach_words}
            for iri, mine in self.topics.topic_actors.items():
                vocab = self.topics.topic_words.get(iri, frozenset()) | self.lexicon.approach_words
                if len(mine) >= 2 and mine <= actors and {self.topics.canonical(iri, w) for w in words} & vocab:
                    found.append(self.topics.reference.topics[iri])
            if len(found) > 1:
                # coming closer is moving towards what an action label says ("Ukraine joins NATO"), not
                # towards a body that only names both ("the NATO-Ukraine Council")
                acting = {f.topic.iri for fs in self.topics.frames.values() for f in fs
                          if f.subject in actors and (f.obj_actor in actors or f.obj_actor is None)}
                found = [t for t in found if t.iri in acting] or found
            if len(found) == 1:
                return found[0]
        if verb or any(k.startswith("actor:") for k in self.token_keys(root)):
            return None
        head = self.topics.general(lemma_key(root))
        cands = self.topics.head_topics(head)
        if len(cands) != 1:
            return None
        if not words - {head} and not any(c.dep_ in ("relcl", "acl") for c in root.children):
            return None  # "the list" alone: a head word needs some words of its own to go on
        iri = next(iter(cands))
        vocab = self.topics.topic_words.get(iri, frozenset())
        for c in root.children:
            if c.dep_ in ("compound", "nmod", "amod") and c.lemma_.lower() not in self.lexicon.vague_modifiers:
                # "financial assistance" is not "military assistance": a modifier must be the topic's own word
                if not any(self.topics.canonical(iri, k) in vocab or k[6:] in self.topics.topic_actors.get(iri, ())
                           for k in self.token_keys(c)):
                    return None
        return self.topics.reference.topics[iri]

    def _is_state(self, iri: str) -> bool:
        actor = self.topics.reference.actors.get(iri)
        return actor is not None and actor.type == "State"
