"""Who says so: reported speech, "according to X", and quotations with a speaker.

Claims nest: a reporter narrates that a speaker claims something about a third
actor. :meth:`Attribution.speakers` lists the speakers of a word innermost
first: the subjects of the reporting verbs above it, "according to" phrases, a
reporting clause tacked on at the end ("..., Rasmussen said"), and the speaker
of the quotation it stands in. A quotation without a reporting verb continues
the previous quotation's speaker (news texts quote a speaker over several
paragraphs). First-person pronouns inside a quotation are its speaker.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.model.records import Actor
from .actors import ActorResolver
from .lexicon import Lexicon
from .syntax import explicit_subject, is_complement_relcl

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_OPEN = "“«„"
_CLOSE = "”»"


@dataclass
class Quote:
    start: int  # character offsets, end exclusive
    end: int
    para: int
    speakers: tuple[Actor, ...] = ()
    explicit: bool = False  # the speaker was named next to this quotation
    question: bool = False  # a questioner's turn in a transcript ("Q:"): nothing in it is a position


# A transcript turn: a line that opens with a speaker's name in capitals or title case, or "Q"
# (with the questioner's outlet in brackets), and a colon: "STOLTENBERG: ...", "Q (Reuters): ...".
_TURN = re.compile(r"^[ \t]*(?P<label>Q|QUESTION|(?:[A-Z][\w.'’\-]*)(?:[ \t]+[A-Z][\w.'’\-]*){0,4})"
                   r"[ \t]*(?:\([^()\n]{1,80}\))?[ \t]*:[ \t]+(?=\S)", re.M)


def find_turns(text: str) -> list[tuple[int, int, str]]:
    """Transcript turns (start of the words after the label, end, label). A turn runs until the next
    label; a text with fewer than two labelled lines is no transcript."""
    hits = [m for m in _TURN.finditer(text) if not m.group("label")[:1].isdigit()]
    if len(hits) < 2:
        return []
    out = []
    for k, m in enumerate(hits):
        end = hits[k + 1].start() if k + 1 < len(hits) else len(text)
        out.append((m.end(), end, m.group("label")))
    return out


def find_quotes(text: str) -> list[tuple[int, int, int]]:
    """Quotation spans (start, end, paragraph) per line; an unclosed quotation runs to the line's end."""
    out: list[tuple[int, int, int]] = []
    pos = 0
    para = -1
    for line in text.split("\n"):
        if line.strip():
            para += 1  # blank lines between paragraphs do not count
        open_at: int | None = None
        for k, ch in enumerate(line):
            if ch in _OPEN:
                if open_at is None:
                    open_at = k
            elif ch in _CLOSE:
                if open_at is not None:
                    out.append((pos + open_at, pos + k + 1, para))
                    open_at = None
            elif ch == '"':
                if open_at is None:
                    open_at = k
                else:
                    out.append((pos + open_at, pos + k + 1, para))
                    open_at = None
        if open_at is not None and line[open_at + 1:].strip():
            out.append((pos + open_at, pos + len(line), para))
        pos += len(line) + 1
    return out


@dataclass
class Attribution:
    doc: Doc
    lexicon: Lexicon
    resolver: ActorResolver
    text: str
    sents: list[Span]
    sent_of: list[int]
    quotes: list[Quote] = field(default_factory=list)

    def __post_init__(self) -> None:
        text = self.text
        self.quotes = [Quote(s, e, p) for s, e, p in find_quotes(text)]
        self._starts = [q.start for q in self.quotes]
        self._assign_speakers()
        self.turns: list[Quote] = []
        for s, e, label in find_turns(text):
            question = label.upper() in ("Q", "QUESTION")
            actor = None if question else self.resolver.discourse.reference.find_actor(label)
            self.turns.append(Quote(s, e, -1, (actor,) if actor is not None else (), explicit=True,
                                    question=question))
        if not self.turns:
            issuer = self._issuer()
            if issuer is not None:
                # A press release or statement: its own words ("we call on ...") are the issuer's.
                self.turns.append(Quote(issuer[1], len(text), -1, (issuer[0],), explicit=True))
        self._turn_starts = [t.start for t in self.turns]

    def _issuer(self) -> tuple[Actor, int] | None:
        """(the actor named on a "PRESS RELEASE – X" or "STATEMENT BY X" line at the top, where the
        release's own words begin) or None."""
        text = self.text
        pos = 0
        for _ in range(3):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            line = text[pos:end]
            if line.strip():
                low = line.lower()
                if any(k in low for k in self.lexicon.release_markers):
                    span = self.doc.char_span(pos, end, alignment_mode="expand")
                    for tok in span if span is not None else ():
                        hit = self.resolver.discourse.actors_at(tok.i)
                        if hit is not None and hit[0] and not hit[0][0].is_new:
                            return hit[0][0], end
                    return None
            pos = end + 1
            if pos >= len(text):
                break
        return None

    def turn_at(self, char: int) -> Quote | None:
        """The transcript turn the character is in, if any."""
        k = bisect.bisect_right(self._turn_starts, char) - 1
        if k >= 0 and self.turns[k].start <= char < self.turns[k].end:
            return self.turns[k]
        return None

    # -- quotations -------------------------------------------------------
    def quote_at(self, char: int) -> Quote | None:
        """The quotation the character is in (else the transcript turn, whose speaker says it all)."""
        k = bisect.bisect_right(self._starts, char) - 1
        q = self.quotes[k] if k >= 0 and self.quotes[k].start <= char < self.quotes[k].end else None
        if q is not None and (q.speakers or not self.turns):
            return q
        return self.turn_at(char) or q

    def _assign_speakers(self) -> None:
        doc = self.doc
        previous: Quote | None = None
        for q in self.quotes:
            span = doc.char_span(q.start, q.end, alignment_mode="expand")
            best: tuple[int, tuple[Actor, ...]] | None = None
            if span is not None:
                for k in sorted({self.sent_of[span.start], self.sent_of[span.end - 1]}):
                    sent = self.sents[k]
                    for v in sent:
                        if not self._is_reporting(v) or q.start <= v.idx < q.end:
                            continue
                        subj = self._logical_subject(v)
                        if subj is None or q.start <= subj.idx < q.end or subj.lower_ in self.lexicon.first_person:
                            continue
                        actors = tuple(a for a, _ in self.resolver.resolve(subj))
                        if not actors:
                            continue
                        dist = min(abs(v.idx - q.start), abs(v.idx - q.end))
                        if best is None or dist < best[0]:
                            best = (dist, actors)
            if best is not None:
                q.speakers, q.explicit = best[1], True
            elif previous is not None and previous.speakers and q.para - previous.para <= 1:
                q.speakers = previous.speakers  # the quotation goes on
            previous = q

    # -- reported speech --------------------------------------------------
    def _is_reporting(self, v: Token) -> bool:
        return v.pos_ in ("VERB", "AUX") and v.lemma_.lower() in self.lexicon.reporting_verbs

    def _logical_subject(self, v: Token) -> Token | None:
        """The subject of a reporting verb, inherited along "..., stressing that" chains."""
        t = v
        for _ in range(4):
            s = explicit_subject(t)
            if s is not None:
                return s
            if t.dep_ in ("advcl", "conj", "xcomp") and t.head.i != t.i:
                t = t.head
            else:
                return None
        return None

    def _speaker_of(self, subj: Token) -> tuple[Actor, ...]:
        if subj.lower_ in self.lexicon.first_person:
            q = self.quote_at(subj.idx)
            if q is None:
                return ()
            offices = self.resolver.offices
            if subj.lower_ in self.lexicon.first_person_plural and offices is not None:
                # "we know that you need more weapons" in a prime minister's mouth: her government
                return tuple(offices.organisation(a) or a for a in q.speakers)
            return q.speakers
        return tuple(a for a, _ in self.resolver.resolve(subj))

    def _according(self, tok: Token) -> tuple[Actor, ...]:
        doc = self.doc
        if tok.lower_ == "in":  # "in the Chairman's view", "in Beijing's assessment"
            obj = next((c for c in tok.children if c.dep_ == "pobj"), None)
            if obj is not None and obj.lemma_.lower() in self.lexicon.view_nouns:
                poss = next((c for c in obj.children if c.dep_ == "poss"), None)
                if poss is not None:
                    found = tuple(a for a, _ in self.resolver.resolve(poss))
                    if found:
                        return found
        for seq in self.lexicon.according_to:
            end = tok.i + len(seq)
            if end <= len(doc) and tuple(t.lower_ for t in doc[tok.i:end]) == seq:
                last = doc[end - 1]
                obj = next((c for c in last.children if c.dep_ == "pobj"), None)
                if obj is not None:
                    found = tuple(a for a, _ in self.resolver.resolve(obj))
                    if found:
                        return found
                    # "according to a report by the Financial Times", "according to Reuters' sources"
                    for c in obj.children:
                        source = c if c.dep_ == "poss" else (
                            next((g for g in c.children if g.dep_ == "pobj"), None)
                            if c.dep_ == "prep" and c.lower_ in ("by", "from", "of") else None)
                        if source is not None:
                            found = tuple(a for a, _ in self.resolver.resolve(source))
                            if found:
                                return found
        return ()

    def speakers(self, tok: Token, presupposed: bool = False) -> list[Actor]:
        """The speakers of the claim at ``tok``, innermost first (may be empty: the text's own voice)."""
        out: list[Actor] = []
        if not presupposed:
            prev = tok
            path = [tok]
            while path[-1].head.i != path[-1].i and len(path) < 40:
                path.append(path[-1].head)
            complement = False  # crossed a "that" clause the parser took for a relative clause
            for h in path:
                # "X should happen, he said, and Y must follow": a clause joined to a post-posed report goes on with it
                goes_on = prev.dep_ == "conj" and prev.i > h.i and any(c.dep_ == "ccomp" and c.i < h.i for c in h.children)
                if h.i != tok.i and self._is_reporting(h) and (prev.dep_ in ("ccomp", "parataxis") or complement
                                                                or goes_on):
                    subj = self._logical_subject(h)
                    if subj is not None:
                        out.extend(self._speaker_of(subj))
                    complement = False
                if is_complement_relcl(h):
                    complement = True
                for c in h.children:
                    if c.dep_ == "prep" and c.i not in {p.i for p in path}:
                        out.extend(self._according(c))
                prev = h
            out.extend(self._parenthetical(path[-1], path))
        q = self.quote_at(tok.idx)
        if q is not None:
            out.extend(q.speakers)
        return list(dict.fromkeys(out))

    def anonymous(self, tok: Token) -> bool:
        """Whether an unnamed source voices the claim at ``tok``: "officials familiar with the talks
        said", "according to diplomats", "..., sources said"."""
        lex = self.lexicon
        path = [tok]
        while path[-1].head.i != path[-1].i and len(path) < 40:
            path.append(path[-1].head)

        def unnamed(t: Token | None) -> bool:
            # "officials familiar with the talks", "diplomats who asked not to be named": not just "diplomats"
            return t is not None and t.lemma_.lower() in lex.anonymous_sources and not self.resolver.resolve(t) \
                and any(d.lemma_.lower() in lex.anonymity_words for d in t.subtree if d.i != t.i)

        prev = tok
        for h in path[1:]:
            if self._is_reporting(h) and prev.dep_ in ("ccomp", "parataxis") and unnamed(self._logical_subject(h)):
                return True
            for c in h.children:
                if c.dep_ == "prep" and c.lower_ == "according":
                    to = next((g for g in c.children if g.dep_ == "prep"), None)
                    if to is not None and unnamed(next((g for g in to.children if g.dep_ == "pobj"), None)):
                        return True
                if c.dep_ in ("parataxis", "advcl", "ccomp", "conj") and c not in path and self._is_reporting(c) \
                        and unnamed(explicit_subject(c)):
                    return True
            prev = h
        return False

    def _parenthetical(self, root: Token, path: list[Token]) -> list[Actor]:
        """"..., former NATO chief Rasmussen stated on Wednesday": a reporting clause with no complement."""
        out: list[Actor] = []
        on_path = {t.i for t in path}
        for c in root.children:
            if c.i in on_path or c.dep_ not in ("advcl", "parataxis", "conj", "ccomp"):
                continue
            if not self._is_reporting(c) or any(g.dep_ in ("ccomp", "xcomp", "dobj") for g in c.children):
                continue
            if any((g.dep_ == "mark" and g.lower_ != "as") or (g.dep_ == "advmod" and g.tag_ == "WRB")
                   for g in c.children):
                continue  # "would back it if France agrees", "once Paris agrees": a condition ("as X noted" reports)
            subj = explicit_subject(c)
            if subj is not None:
                out.extend(self._speaker_of(subj))
        return out

    def sentence_speakers(self, sent: Span) -> list[Actor]:
        """Speakers named in a sentence (reporting verbs, "according to"), in order."""
        out: list[Actor] = []
        for t in sent:
            if self._is_reporting(t) and any(c.dep_ in ("ccomp", "parataxis") for c in t.children):
                subj = self._logical_subject(t)
                if subj is not None and (subj.lower_ not in self.lexicon.first_person or self.quote_at(subj.idx)):
                    out.extend(self._speaker_of(subj))
            elif t.dep_ == "prep":
                out.extend(self._according(t))
        for q in self.quotes:
            if q.explicit and sent.start_char <= q.start < sent.end_char:
                out.extend(q.speakers)
        return out
