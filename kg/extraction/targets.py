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
from .mentions import Frame, TopicIndex, TopicMention, acronym_key, lemma_key
from .syntax import child, depth_below

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
        named = {k[6:] for r in roots for t in self.phrase_tokens(r) for k in self.token_keys(t)
                 if k.startswith("actor:")}
        if named - {holder.iri}:
            return topic
        vocab = {w for w in self.topics.topic_words.get(topic.iri, ()) if not w.startswith("actor:")}
        states = {a for a in mine if self._is_state(a)}
        best = None
        for other in self.topics.topics_with_actors({holder.iri}):
            if states & self.topics.topic_actors.get(other.iri, frozenset()):
                continue  # "China opposed the US curbs": the curbs are the US's, not a topic of China's
            theirs = {w for w in self.topics.topic_words.get(other.iri, ()) if not w.startswith("actor:")}
            shared = len(vocab & theirs)
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
        if head.dep_ in ("compound", "nmod", "amod") and head.head.pos_ in ("NOUN", "PROPN"):
            owners.append(head.head)  # "Sweden's NATO accession protocol": the whole phrase's owner
        for c in (c for o in owners for c in o.children if c.i != head.i):
            if c.i in span:
                continue
            if c.dep_ in ("poss", "compound", "amod", "nmod"):
                found = {k[6:] for k in self.token_keys(c) if k.startswith("actor:")}
                named |= found
                if c.dep_ == "poss":
                    owning |= found
            elif c.dep_ == "prep" and c.lower_ in ("of", "for", "by"):
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
        if root.pos_ not in ("NOUN", "PROPN") or root.dep_ in ("compound", "amod", "nmod"):
            return None  # a word modifying another ("semiconductor ambitions") heads no phrase of its own
        keys = self.phrase_keys(root)
        actors = {k[6:] for k in keys if k.startswith("actor:")}
        words = {k for k in keys if not k.startswith("actor:")}
        found: list[Topic] = []
        if len(actors) >= 2:
            for iri, mine in self.topics.topic_actors.items():
                vocab = self.topics.topic_words.get(iri, frozenset()) | self.lexicon.approach_words
                if len(mine) >= 2 and mine <= actors and {self.topics.canonical(iri, w) for w in words} & vocab:
                    found.append(self.topics.reference.topics[iri])
            if len(found) == 1:
                return found[0]
        if any(k.startswith("actor:") for k in self.token_keys(root)):
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

    # -- topic mentions ---------------------------------------------------
    def scan(self, sent) -> None:
        """Record the sentence's topic mentions (labels and action frames) for targets and anaphora."""
        found = self.topics.find(sent)
        covered = {i for m in found for i in range(m.start, m.end)}
        for tok in sent:
            if tok.pos_ == "VERB":
                hit = self.frame_match(tok)
                if hit is None:
                    continue
                topic, specific = hit
                if tok.i in covered:
                    if not specific:
                        continue
                    # "Sweden's bid to join NATO": the verb with its subject says more than "join NATO".
                    found = [m for m in found if not (m.start <= tok.i < m.end)]
                found.append(TopicMention(tok.i, tok.i + 1, tok.i, topic, inferred=True, event=specific))
                continue
            if tok.i in covered:
                continue
            elif tok.pos_ == "NOUN":
                # A label's words in any order in the phrase this noun heads: "curbs on chips".
                for topic in self.phrase_topics(tok):  # "limits on chips and chipmaking gear": both
                    found.append(TopicMention(tok.i, tok.i + 1, tok.i, topic, inferred=True))
        taken = {m.start for m in found}
        found += [m for m in self.paraphrases(sent) if m.start not in taken]
        fitted = []
        for m in found:
            if self.doc[m.head].pos_ in ("NOUN", "PROPN"):
                topic = self.fit(m.topic, self.doc[m.head], range(m.start, m.end))
                if topic is None:
                    continue
                if topic is not m.topic:
                    m = TopicMention(m.start, m.end, m.head, topic, inferred=True)
            fitted.append(m)
        found = sorted(fitted, key=lambda m: m.start)
        for m in found:
            self._last[m.topic.iri] = len(self.mentions)
            self.mentions.append(m)
            for i in range(m.start, m.end):
                self._by_token[i] = m

    def _content_key(self, tok: Token) -> str:
        actors = self.actors_of(tok)
        return "actor:" + actors[0].iri if actors else lemma_key(tok)

    def frame_topic(self, verb: Token) -> Topic | None:
        """The topic whose action label this verb instantiates, with its subject and object."""
        hit = self.frame_match(verb)
        return hit[0] if hit else None

    def frame_match(self, verb: Token) -> tuple[Topic, bool] | None:
        """(topic, whether the label's subject matched) for the best action label of ``verb``."""
        obj = child(verb, "dobj")
        passive = obj is None and any(c.dep_ == "auxpass" for c in verb.children)
        if passive:  # "fossil fuels should be phased out": the subject is what is phased out
            obj = child(verb, "nsubjpass")
        prep_objs = {p.lower_: child(p, "pobj") for p in verb.children if p.dep_ == "prep"}
        subjects = (lambda: []) if passive else (lambda: [a.iri for a in self.subject_of(verb)])
        return self._frame_for(lemma_key(verb), verb, obj, prep_objs, subjects)

    def paraphrases(self, sent) -> list[TopicMention]:
        """Frames said another way (``frame_paraphrases`` in lexicons/targets.yaml): "Ukraine's future is
        in NATO" and "Ukraine will become a member" say "Ukraine joins NATO"; "welcoming Sweden as the
        alliance's 32nd member" too. The mention sits on the noun and on its verb."""
        out: list[TopicMention] = []
        for tok in sent:
            for p in self.lexicon.frame_paraphrases.get(tok.lemma_.lower(), ()):
                head = tok.head
                subj = obj = None
                if tok.dep_ == "nsubj" and head.lemma_.lower() in p.copulas:
                    subj = child(tok, "poss")
                    prep = child(head, "prep", lower=p.prep) or child(tok, "prep", lower=p.prep)
                    obj = child(prep, "pobj") if prep is not None else None
                    if obj is None:
                        continue
                elif tok.dep_ in ("attr", "oprd") and head.lemma_.lower() in p.copulas:
                    subj = child(head, "nsubj", "nsubjpass")
                elif tok.dep_ == "pobj" and head.lower_ == "as" and head.head.pos_ == "VERB":
                    subj = child(head.head, "dobj")
                else:
                    continue
                if subj is None:
                    continue
                if obj is None:
                    prep = child(tok, "prep", lower=p.prep)
                    obj = child(prep, "pobj") if prep is not None else child(tok, "poss")
                prep_objs = {}
                hit = self._frame_for(p.verb, tok, obj, prep_objs,
                                      lambda s=subj: [a.iri for t in (s, *s.conjuncts) for a in self.actors_of(t)])
                if hit is None or not hit[1]:
                    continue
                for at in {tok.i, head.i if head.pos_ in ("VERB", "AUX") else tok.i}:
                    out.append(TopicMention(at, at + 1, at, hit[0], inferred=True, event=True, paraphrase=True))
        return out

    def _frame_for(self, lemma: str, verb: Token, obj: Token | None, prep_objs: dict,
                   subject_iris) -> tuple[Topic, bool] | None:
        frames = self.topics.frames.get(lemma)
        if not frames:
            return None
        subj_iris: list[str] | None = None
        best: tuple[tuple[int, int], Frame] | None = None
        for f in frames:
            o = prep_objs.get(f.prep) if f.prep else obj
            if o is not None and o.pos_ == "PRON":
                o = None  # "calls for them to be phased out": the object is what "them" stands for
            score = 0
            if o is None:
                if obj is not None and obj.pos_ != "PRON":
                    continue  # an explicit other object: "send weapons" is not "send troops", "negotiate
                    # security commitments" is not "negotiate with Russia"
                if f.prep and not f.subject and not any(
                        lemma_key(t) == f.obj_lemma or (f.obj_actor and f.obj_actor in {a.iri for a in self.actors_of(t)})
                        for t in verb.subtree if t.i != verb.i):
                    continue  # "she added" is not "added to the Entity List": a prepositional frame needs its object
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
                    subj_iris = subject_iris()
                if f.subject not in subj_iris:
                    continue
                score += 2
            sal = self.salience(f.obj_actor, verb.i) if implicit and f.obj_actor else 0
            # An object left unsaid is most likely the matching topic the text spoke of last.
            recency = self._last.get(f.topic.iri, -1) if implicit else 0
            key = (score, recency, sal)
            if best is None or key > best[0]:
                best = (key, f)
        return (best[1].topic, best[0][0] >= 2) if best else None

    def main_topic(self, phrase: Token) -> Topic | None:
        """The topic mentioned most so far (that fits the phrase), if one leads."""
        counts: dict[str, int] = {}
        for m in self.mentions:
            if m.start < phrase.i:
                counts[m.topic.iri] = counts.get(m.topic.iri, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if not ranked or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return None
        topic = self.topics.reference.topics[ranked[0][0]]
        head = self.topics.canonical(topic.iri, self.topics.general(lemma_key(phrase)))
        dominant = ranked[0][1] >= 3 and (len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1])
        generic = phrase.lemma_.lower() in self.lexicon.event_nouns and not any(
            c.dep_ in ("compound", "poss", "amod") and self.actors_of(c) for c in phrase.children)
        if head not in self.topics.topic_words.get(topic.iri, ()) and not (dominant and generic):
            # "the G7 plan" is no rule of the topic at hand; "last year's rules" may be, and "the
            # announcement" in a text mostly about one topic is about that
            return None
        return self.fit(topic, phrase, range(0)) if phrase.pos_ in ("NOUN", "PROPN") else topic

    def _together(self, topic: Topic) -> list[Topic]:
        """The topic's latest mention with the topics mentioned in the same phrase (its head or its conjuncts)."""
        k = self._last.get(topic.iri)
        if k is None:
            return [topic]
        m = self.mentions[k]
        heads = {m.head, *(c.i for c in self.doc[m.head].conjuncts)}
        t = self.doc[m.head]
        for _ in range(4):  # "limits on chips and chipmaking gear": the phrase that holds the mention
            if t.head.i == t.i or t.dep_ not in ("pobj", "prep", "conj", "compound", "amod"):
                break
            t = t.head
            heads.add(t.i)
        out = [topic]
        for other in self.mentions[max(0, k - 6):k + 6]:
            if other.head in heads and other.topic not in out and self.sent_of[other.start] == self.sent_of[m.start]:
                out.append(other.topic)
        return out

    def mention_at(self, i: int) -> TopicMention | None:
        return self._by_token.get(i)

    def topics_in(self, roots: list[Token], include: list[Token] = ()) -> list[tuple[Topic, str]]:
        """The topic named closest to the top of the given phrases, with the topics of the words
        coordinated with it ("controls on chips and chipmaking equipment": both)."""
        found = self.topic_in(roots, include)
        if found is None:
            return []
        out = [found]
        for root in roots[:1]:
            for tok in root.subtree:
                m = self._by_token.get(tok.i)
                if m is None or m.topic.iri != found[0].iri:
                    continue
                for c in self.doc[m.head].conjuncts:
                    other = self._by_token.get(c.i)
                    if other is not None and all(other.topic.iri != t.iri for t, _ in out):
                        out.append((other.topic, "frame" if other.inferred else "topic"))
                break
        if len(out) == 1 and roots and roots[0].pos_ in ("NOUN", "PROPN"):
            split = self.phrase_topics(roots[0])
            if len(split) > 1 and found[0] in split:
                out = [(t, "frame") for t in split]
        return out

    def topic_in(self, roots: list[Token], include: list[Token] = ()) -> tuple[Topic, str] | None:
        """The topic named closest to the top of the given phrases (and the extra words)."""
        best: tuple[int, int, Topic, str] | None = None
        for order, root in enumerate(roots):
            hidden = {t.i for c in root.children if c.dep_ == "relcl" or (c.dep_ == "acl" and c.tag_ == "VBN")
                      for t in c.subtree}  # "plans backed by 300,000 troops": a description, not the plans
            for tok in root.subtree:
                m = self._by_token.get(tok.i)
                if m is None or tok.i in hidden:
                    continue
                d = depth_below(tok, root)
                key = (order, d)
                if best is None or key < best[:2]:
                    best = (order, d, m.topic, "frame" if m.inferred else "topic")
            if best is not None:
                break
        if best is None:
            for tok in include:
                m = self._by_token.get(tok.i)
                if m is not None:
                    return m.topic, "frame" if m.inferred else "topic"
            return None
        return best[2], best[3]

    def recent_topic(self, before: int, same_sentence: bool = False, phrase: Token | None = None) -> Topic | None:
        """The topic mentioned last before token ``before``: in the sentences before its own,
        or (for a pronoun, whose antecedent is often close) earlier in its own sentence too. A pointing
        phrase that names an actor ("the Dutch rules") skips topics of another state."""
        s = self.sent_of[before]
        for m in reversed(self.mentions):
            ms = self.sent_of[m.start]
            if ms > s or (ms == s and (not same_sentence or m.end > before)):
                continue
            if ms < s - self.lexicon.anaphora_window:
                return None
            if phrase is not None and phrase.pos_ in ("NOUN", "PROPN"):
                topic = self.fit(m.topic, phrase, range(0))
                if topic is None:
                    continue
                return topic
            return m.topic
        return None

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
        if weak is not None and not action:
            return Found(topic_target(weak), "weak")
        # An action's object may be an actor ("assist Ukraine"); failing that, its recipient. A person
        # is no object of one: hosting a president is no support for him.
        for root in (*roots, *recipients) if action else roots:
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
            if obj is None:
                return None
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
            elif c.dep_ == "poss" or (c.dep_ in ("amod", "compound") and self.actors_of(c)):
                pointing = True
            elif c.dep_ in ("punct", "case") or (c.dep_ == "amod" and c.pos_ in ("ADJ", "VERB")):
                continue
            elif c.dep_ == "prep" and c.lower_ == "of" and any(g.lower_ == "own" for g in c.subtree):
                continue
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
