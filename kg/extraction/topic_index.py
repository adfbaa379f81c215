"""The codebook's topic labels, indexed to be found in a parsed text: as lemma
sequences, as sets of content words (in any order, through synonyms), and as verb
frames ("join NATO", "send troops").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.model.records import Topic
from kg.ingest.reference import Reference
from .lexicon import Lexicon
from .mentions import _APOS, _CONTENT, Frame, TopicMention, acronym_key, lemma_key

if TYPE_CHECKING:  # spaCy is imported only when extraction runs
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token


@dataclass(frozen=True)
class BagLabel:
    """A label of two or more content words, matched as a set: "curbs on chips" is "chip curbs"."""

    keys: frozenset[str]  # canonical content keys: lemmas, or "actor:<iri>" for a name in the label
    head: str  # the canonical key of the label's head word
    topic: Topic


class TopicIndex:
    """Lemmatised codebook labels, matched as token sequences, as sets of content words (in any order,
    through synonyms) and as verb frames."""

    def __init__(self, nlp: Language, reference: Reference, lexicon: Lexicon | None = None):
        self.reference = reference
        self._vague = lexicon.vague_modifiers if lexicon is not None else frozenset()
        # General synonyms (lexicon) map every word of a group to its first word.
        self._general: dict[str, str] = {}
        for group in (lexicon.synonyms if lexicon is not None else ()):
            for w in group:
                self._general.setdefault(w, group[0])
        # Per topic: words its labels use interchangeably ("chip curbs", "chip controls": curb = control).
        self._canon: dict[str, dict[str, str]] = {}
        self._bags: dict[str, list[BagLabel]] = defaultdict(list)
        # Per topic: the actors its preferred label and key name ("Sweden's NATO membership": Sweden, NATO).
        self.topic_actors: dict[str, frozenset[str]] = {}
        bag_rows: list[tuple[tuple[str, ...], str, Topic]] = []
        raw_words: dict[str, set[str]] = defaultdict(set)
        labels: list[tuple[str, Topic]] = []
        for topic in reference.topics.values():
            names = {topic.label, *topic.alt_labels, topic.notation.replace("-", " ")}
            labels.extend((n, topic) for n in sorted(names) if n.strip())
        # first lemma -> [(lemmas, lowers, topic)], longest first
        self._seqs: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], Topic]]] = defaultdict(list)
        self._acronyms: dict[tuple[tuple[str, ...], str], tuple[int, ...]] = {}
        self._nouns: set[tuple[tuple[str, ...], str]] = set()
        self.frames: dict[str, list[Frame]] = defaultdict(list)
        # head lemma -> [(content words, topic)]: for phrases that leave out a word of a label
        self._loose: dict[str, list[tuple[tuple[str, ...], Topic]]] = defaultdict(list)
        seen: set[tuple[tuple[str, ...], str]] = set()
        docs = nlp.pipe([text for text, _ in labels], batch_size=256)
        for (text, topic), ldoc in zip(labels, docs):
            toks = [t for t in ldoc if not t.is_punct or t.text in ("-", "%")]
            lemmas = tuple(lemma_key(t) for t in toks)
            lowers = tuple(t.lower_.translate(_APOS) for t in toks)
            if not lemmas or (lemmas, topic.iri) in seen:
                continue
            seen.add((lemmas, topic.iri))
            for first in {lemmas[0], lowers[0]}:
                self._seqs[first].append((lemmas, lowers, topic))
            # "guarantees" is no verb: "to guarantee 2%" is not it. A label alone is no sentence, so its tag
            # can mislead: "guarantees" comes out as a verb's third person (VBZ), which no label is.
            if len(toks) == 1 and (toks[0].pos_ in ("NOUN", "PROPN") or toks[0].tag_ == "VBZ"):
                self._nouns.add((lemmas, topic.iri))
            # An acronym in a label ("MAP", "VEU") matches only in capitals: "a road map" is no MAP.
            upper = tuple(j for j, t in enumerate(toks) if len(t.text) >= 2 and t.text.isupper() and t.is_alpha)
            if upper:
                self._acronyms[(lemmas, topic.iri)] = upper
            frame = self._frame(ldoc, topic)
            if frame is not None:
                self.frames[frame.verb].append(frame)
            root = next((t for t in ldoc if t.dep_ == "ROOT"), None)
            content = tuple(self._content_key(t) for t in ldoc if t.pos_ in _CONTENT)
            if root is not None and root.pos_ == "NOUN" and len(content) >= 2:
                self._loose[lemma_key(root)].append((content, topic))
            keys, head = self._label_keys(ldoc)
            if len(keys) >= 2 and head:
                bag_rows.append((keys, head, topic))
            raw_words[topic.iri].update(keys)
        for seqs in self._seqs.values():
            seqs.sort(key=lambda s: -len(s[0]))
        self._build_bags(bag_rows)
        # Per topic: every content key of its labels (canonical), to tell which topics a phrase could mean.
        self.topic_words: dict[str, frozenset[str]] = {
            iri: frozenset(self.canonical(iri, k) for k in words) for iri, words in raw_words.items()}
        # ... and as written (through the general synonyms only), to compare the words of two topics.
        self.label_words: dict[str, frozenset[str]] = {iri: frozenset(words) for iri, words in raw_words.items()}
        for topic in reference.topics.values():
            self.topic_actors[topic.iri] = frozenset(self._actors_in(topic.label) | self._actors_in(
                topic.notation.replace("-", " ")))

    # -- labels as sets of content words --------------------------------------
    def general(self, key: str) -> str:
        return self._general.get(key, key)

    def canonical(self, topic_iri: str, key: str) -> str:
        """``key`` (already through the general synonyms) as the labels of one topic write it."""
        return self._canon.get(topic_iri, {}).get(key, key)

    def _label_keys(self, ldoc: Doc) -> tuple[tuple[str, ...], str]:
        """A label's content keys in order (names of actors as one key each) and its head's key."""
        keys: list[str] = []
        head = ""
        toks = list(ldoc)
        i = 0
        root = next((t for t in ldoc if t.dep_ == "ROOT"), None)
        # "de-risking, not decoupling": what a label sets its topic against is no word of it
        negated = next((t.i for t in ldoc if t.lower_ in ("not", "no", "without")), None)
        if negated is not None and negated > 0:
            toks = toks[:negated]
        while i < len(toks):
            span = None
            for n in (4, 3, 2, 1):  # the longest name of an actor starting here
                if i + n <= len(toks):
                    text = ldoc[i:i + n].text
                    actor = self.reference.find_actor(text) if n > 1 or toks[i].pos_ in ("PROPN", "ADJ", "NOUN") \
                        else None
                    if actor is not None:
                        span = (n, "actor:" + actor.iri)
                        break
            if span is not None:
                key = span[1]
                covered = range(i, i + span[0])
                i += span[0]
            else:
                t = toks[i]
                i += 1
                if t.is_punct or t.is_stop or not (t.pos_ in _CONTENT or t.is_alpha):
                    continue
                key = acronym_key(t) or self.general(lemma_key(t))
                covered = range(t.i, t.i + 1)
            if key not in keys:
                keys.append(key)
            if root is not None and root.i in covered:
                head = key
        return tuple(keys), head

    def _build_bags(self, rows: list[tuple[tuple[str, ...], str, Topic]]) -> None:
        by_topic: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for keys, _, topic in rows:
            by_topic[topic.iri].append(keys)
        for iri, labels in by_topic.items():
            parent: dict[str, str] = {}

            def find(x: str) -> str:
                while parent.get(x, x) != x:
                    x = parent[x]
                return x

            # Two labels of a topic that differ in one word (in the same place) use the two words alike.
            for a in labels:
                for b in labels:
                    if a < b and len(a) == len(b):
                        diff = [(x, y) for x, y in zip(a, b) if x != y]
                        if len(diff) == 1 and not any(w.startswith("actor:") or w.isupper() for w in diff[0]) \
                                and diff[0][0] not in b and diff[0][1] not in a:
                            ra, rb = find(diff[0][0]), find(diff[0][1])
                            if ra != rb:
                                parent[max(ra, rb)] = min(ra, rb)
            self._canon[iri] = {w: find(w) for w in parent}
        seen: set[tuple[frozenset[str], str]] = set()
        for keys, head, topic in rows:
            canon = self._canon.get(topic.iri, {})
            bag = BagLabel(frozenset(canon.get(k, k) for k in keys), canon.get(head, head), topic)
            if (bag.keys, topic.iri) in seen or len(bag.keys) < 2:
                continue
            seen.add((bag.keys, topic.iri))
            for k in bag.keys:
                self._bags[k].append(bag)
        # head word of a label of two or more words -> the topics with such labels
        self._heads: dict[str, set[str]] = defaultdict(set)
        for keys, head, topic in rows:
            self._heads[head].add(topic.iri)
            self._heads[self._canon.get(topic.iri, {}).get(head, head)].add(topic.iri)
        self._equivalents: dict[str, set[str]] = defaultdict(set)
        for canon in self._canon.values():
            for w, c in canon.items():
                self._equivalents[w].add(c)

    def head_topics(self, key: str) -> set[str]:
        """Topics with a label of two or more words headed by ``key`` ("deal" in "peace deal")."""
        out = set(self._heads.get(key, ()))
        for k in self._equivalents.get(key, ()):
            out |= self._heads.get(k, set())
        return {t for t in out if self.canonical(t, key) in self.topic_words.get(t, ())}

    def topics_with_actors(self, iris: set[str]) -> list[Topic]:
        """Topics whose preferred label or key names one of these actors."""
        return [self.reference.topics[t] for t, actors in self.topic_actors.items() if actors & iris]

    def _actors_in(self, text: str) -> set[str]:
        words = text.replace("'s", " ").replace("’s", " ").split()
        out = set()
        for n in (3, 2, 1):
            for i in range(len(words) - n + 1):
                actor = self.reference.find_actor(" ".join(words[i:i + n]))
                if actor is not None and not actor.is_new:
                    out.add(actor.iri)
        return out

    def bag_match(self, keys: set[str], head: str | None = None) -> Topic | None:
        """The topic with a label of two or more content words all among ``keys`` (text keys after the
        general synonyms): the most words win, then a label whose head is ``head``; a tie between topics
        is no match. With ``head`` given, only labels that contain it count (the phrase's own head noun
        takes part in the match)."""
        cands: dict[int, BagLabel] = {}
        for k in keys:
            for kk in (k, *self._equivalents.get(k, ())):
                for bag in self._bags.get(kk, ()):
                    cands[id(bag)] = bag
        scored: list[tuple[int, int, str, Topic]] = []
        for bag in cands.values():
            canon = self._canon.get(bag.topic.iri, {})
            mine = {canon.get(k, k) for k in keys}
            if not bag.keys <= mine:
                continue
            h = canon.get(head, head) if head else None
            if head is not None and h not in bag.keys:
                continue
            scored.append((len(bag.keys), int(h == bag.head), bag.topic.iri, bag.topic))
        if not scored:
            return None
        scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
        best = scored[0]
        if any(s[:2] == best[:2] and s[2] != best[2] for s in scored[1:]):
            return None
        return best[3]

    def _frame(self, ldoc: Doc, topic: Topic) -> Frame | None:
        root = next((t for t in ldoc if t.dep_ == "ROOT"), None)
        if root is None or root.pos_ != "VERB" or len(ldoc) < 2:
            return None
        if any(c.dep_ == "neg" for c in root.children):
            return None  # "de-risking, not decoupling": the act a label sets its topic against is not its act
        subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        obj = next((c for c in root.children if c.dep_ == "dobj"), None)
        prep = None
        if obj is None:
            p = next((c for c in root.children if c.dep_ == "prep"), None)
            if p is not None:
                obj = next((c for c in p.children if c.dep_ == "pobj"), None)
                prep = p.lower_ if obj is not None else None
        subject = self._actor_iri(subj)
        if subj is not None and subject is None:
            return None
        obj_actor = self._actor_iri(obj)
        obj_lemma = None if obj is None or obj_actor else lemma_key(obj)
        particle = next((c.lower_ for c in root.children if c.dep_ == "prt"), None)
        return Frame(topic, lemma_key(root), subject, obj_actor, obj_lemma, prep, particle)

    def _content_key(self, token: Token) -> str:
        actor = self.reference.find_actor(token.text)
        return "actor:" + actor.iri if actor else lemma_key(token)

    def loose(self, content: tuple[str, ...]) -> Topic | None:
        """The one topic with a label that has these content words in order and the same head noun:
        "Sweden's bid" for "Sweden's NATO bid". Content words are lemmas or ``actor:<iri>``."""
        if len(content) < 2:
            return None
        found: dict[str, Topic] = {}
        for label, topic in self._loose.get(content[-1], ()):
            if label[-1] != content[-1]:
                continue
            it = iter(label)
            if all(any(w == x for x in it) for w in content):
                found[topic.iri] = topic
        return next(iter(found.values())) if len(found) == 1 else None

    def _with_vague(self, keys, doc, i: int, lemmas, lowers) -> int:
        """Length of the text matching a label of two or more words with vague adjectives skipped, or 0."""
        if len(lemmas) < 2:
            return 0
        j = t = 0
        while j < len(lemmas) and i + t < len(keys):
            lem, low = keys[i + t]
            if lem in (lemmas[j], lowers[j]) or low in (lemmas[j], lowers[j]):
                j += 1
                t += 1
            elif j > 0 and doc[i + t].pos_ == "ADJ" and lem in self._vague:
                t += 1
            else:
                return 0
        return t if j == len(lemmas) and t > len(lemmas) else 0

    def _actor_iri(self, token: Token | None) -> str | None:
        if token is None:
            return None
        words = [t for t in token.subtree if t.dep_ not in ("poss", "case") or t.i == token.i]
        text = " ".join(t.text for t in words)
        actor = self.reference.find_actor(text) or self.reference.find_actor(token.text)
        return actor.iri if actor else None

    def find(self, doc: Doc | Span) -> list[TopicMention]:
        """Every label occurrence (longest at each position), as contiguous lemma sequences."""
        out: list[TopicMention] = []
        n = len(doc)
        offset = doc.start if hasattr(doc, "start") else 0
        keys = [(lemma_key(t), t.lower_.translate(_APOS)) for t in doc]
        i = 0
        while i < n:
            lem, low = keys[i]
            cands = self._seqs.get(lem, ()) or self._seqs.get(low, ())
            if lem != low and lem in self._seqs and low in self._seqs:
                cands = sorted({id(c): c for c in (*self._seqs[lem], *self._seqs[low])}.values(),
                               key=lambda s: -len(s[0]))
            best = None
            for lemmas, lowers, topic in cands:
                k = len(lemmas)
                if i + k > n:
                    continue
                if all(keys[i + j][0] in (lemmas[j], lowers[j]) or keys[i + j][1] in (lemmas[j], lowers[j])
                       for j in range(k)) and all(doc[i + j].text.isupper()
                                                  for j in self._acronyms.get((lemmas, topic.iri), ())) \
                        and not (k == 1 and doc[i].pos_ in ("VERB", "AUX") and (lemmas, topic.iri) in self._nouns):
                    best = (k, topic)
                    break
                # "the new fund" for the label "the fund": a vague adjective may come in between
                span = self._with_vague(keys, doc, i, lemmas, lowers)
                if span:
                    best = (span, topic)
                    break
            if best is None:
                i += 1
                continue
            k, topic = best
            span = doc[i:i + k]
            out.append(TopicMention(offset + i, offset + i + k, span.root.i, topic))
            i += k
        return out
