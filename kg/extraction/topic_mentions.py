"""The topic mentions of a document, sentence by sentence: labels, action frames and
their paraphrases, kept in text order for targets and for what points back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.model.records import Topic
from .mentions import Frame, TopicMention, lemma_key
from .phrase_topics import PhraseTopics
from .syntax import acts_on, child, depth_below

if TYPE_CHECKING:
    from spacy.tokens import Token


class TopicMentions(PhraseTopics):
    """Where the text names which topic (the middle of :class:`.targets.TargetResolver`)."""

    # -- topic mentions ---------------------------------------------------
    def scan(self, sent) -> None:
        """Record the sentence's topic mentions (labels and action frames) for targets and anaphora."""
        found = [self._widened(m) for m in self.topics.find(sent)]
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
            head = self.doc[m.head]
            if head.pos_ in ("NOUN", "PROPN") or (head.dep_ == "nummod" and head.head.pos_ == "NOUN"):  # "F-16 jets"
                topic = self.fit(m.topic, head, range(m.start, m.end))
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

    def _widened(self, m: TopicMention) -> TopicMention:
        """A label found inside a noun phrase that matches a longer label of another topic as a whole:
        "the phase-out of coal" is the coal phase-out, not only a "phase-out"."""
        head = self.doc[m.head]
        if head.pos_ != "NOUN" or not any(c.dep_ == "prep" for c in head.children):
            return m
        topics = self.phrase_topics(head)
        if len(topics) == 1 and topics[0].iri != m.topic.iri:
            return TopicMention(m.start, m.end, m.head, topics[0], inferred=True)
        return m

    def _content_key(self, tok: Token) -> str:
        actors = self.actors_of(tok)
        return "actor:" + actors[0].iri if actors else lemma_key(tok)

    def frame_topic(self, verb: Token) -> Topic | None:
        """The topic whose action label this verb instantiates, with its subject and object."""
        hit = self.frame_match(verb)
        return hit[0] if hit else None

    def frame_match(self, verb: Token, obj: Token | None = None) -> tuple[Topic, bool] | None:
        """(topic, whether the label's subject matched) for the best action label of ``verb``, with its object
        or with ``obj`` in its place."""
        obj = obj if obj is not None else child(verb, "dobj")
        if acts_on(verb) and not any(f.prep == "on" for f in self.topics.frames.get(lemma_key(verb), ())):
            return None  # "delivered on its promises" instantiates no "deliver weapons"
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
            if f.particle and not any(c.dep_ == "prt" for c in verb.children):
                continue  # "pushed hard for the deal" is no "pushing back migrants" ("phased down" may be "phase out")
            o = prep_objs.get(f.prep) if f.prep else obj
            score = 0
            if o is not None and o.pos_ == "PRON":
                # "calls for them to be phased out": the object is what "them" stands for, most likely
                # a noun the frame's object names just before (in this sentence or the one before)
                if f.obj_lemma and self._named_before(f.obj_lemma, o.i):
                    score += 1
                o = None
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

    def _background(self, i: int) -> bool:
        """Whether token ``i`` sits in a phrase of time past ("since X")."""
        t = self.doc[i]
        for _ in range(4):
            if t.dep_ == "pobj" and t.head.lower_ == "since":
                return True
            if t.head.i == t.i:
                return False
            t = t.head
        return False

    def _named_before(self, lemma: str, i: int) -> bool:
        """Whether a noun of this lemma comes before token ``i``, in its sentence or the one before."""
        s = self.sent_of[i]
        for j in range(i - 1, -1, -1):
            if self.sent_of[j] < s - 1:
                return False
            t = self.doc[j]
            if t.pos_ in ("NOUN", "PROPN") and lemma_key(t) == lemma:
                return True
        return False

    def main_topic(self, phrase: Token) -> Topic | None:
        """The topic mentioned most so far (that fits the phrase), if one leads."""
        counts: dict[str, int] = {}
        for m in self.mentions:
            if m.start < phrase.i:
                counts[m.topic.iri] = counts.get(m.topic.iri, 0) + 1
        # Ties go to the topic named first: a story names what it is about before what it reports around
        # it (its lead), and dicts keep that order, which the stable sort keeps among equal counts.
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if not ranked:
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
        for _ in range(6):  # "limits on the sale of chips and chipmaking gear": the phrase that holds the mention
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
        m = next((self._by_token[t.i] for r in roots for t in r.subtree
                  if t.i in self._by_token and self._by_token[t.i].topic.iri == found[0].iri), None)
        member = self.singled_out(m) if m is not None else None
        if member is not None and all(member.iri != t.iri for t, _ in out):
            out.append((member, "frame"))
        if len(out) == 1 and roots and roots[0].pos_ in ("NOUN", "PROPN"):
            split = self.phrase_topics(roots[0])
            if len(split) > 1 and found[0] in split:
                out = [(t, "frame") for t in split]
        return out

    def singled_out(self, m: TopicMention) -> Topic | None:
        """The topic of a member singled out right after a mention ("phase out fossil fuels, especially
        coal", "sanctions, in particular an oil embargo"): a stance on the whole is one on it too."""
        doc = self.doc
        head = doc[m.head]
        obj = None
        if head.pos_ == "VERB":  # a frame: the member stands for the verb's object
            obj = child(head, "dobj") or child(head, "nsubjpass")
            if obj is None:
                return None
            end = obj.i + 1
        else:
            end = m.end
        if end >= len(doc) or doc[end].text != ",":
            return None
        i = end + 1
        while i < len(doc) and doc[i].is_quote:
            i += 1
        marker = next((mk for mk in self.lexicon.focus_markers
                       if tuple(t.lower_ for t in doc[i:i + len(mk)]) == mk), None)
        if marker is None:
            return None
        start = i + len(marker)
        stop = start
        while stop < len(doc) and stop < start + 6 and not doc[stop].is_punct and doc[stop].pos_ != "VERB":
            stop += 1
        if stop == start:
            return None
        member = doc[start:stop].root
        if member.pos_ not in ("NOUN", "PROPN"):
            return None
        if obj is not None:
            hit = self.frame_match(head, obj=member)
            return hit[0] if hit is not None and hit[0].iri != m.topic.iri else None
        other = next((self._by_token[t.i] for t in doc[start:stop] if t.i in self._by_token), None)
        if other is not None:
            return other.topic if other.topic.iri != m.topic.iri else None
        split = self.phrase_topics(member)
        if not split:  # "a phase-out of fossil fuels, in particular coal": the head with the member's words
            of = child(head, "prep", lower="of")
            whole = child(of, "pobj") if of is not None else None  # "fossil fuels" in "a phase-out of fossil fuels"
            hidden = {t.i for t in whole.subtree} if whole is not None else {t.i for t in head.lefts}
            kept = [t for t in doc[m.start:m.end] if t.i not in hidden] + list(doc[start:stop])
            keys = {self.topics.general(lemma_key(t)) for t in kept if t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB")
                    and not t.is_stop}
            found = self.topics.bag_match(keys)
            split = [found] if found is not None else []
        return split[0] if len(split) == 1 and split[0].iri != m.topic.iri else None

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
            if self._background(m.head):
                continue  # "since Washington's export controls of last October": named as a time, not discussed
            if phrase is not None and phrase.pos_ in ("NOUN", "PROPN"):
                topic = self.fit(m.topic, phrase, range(0))
                if topic is None:
                    continue
                return topic
            return m.topic
        return None
