""""Not A but B": a denial ends at "but" (or "rather"). What comes after it is not denied, and what a target
slot sets against its first part there is affirmed: "was not seeking to decouple from China but would
de-risk", "does not want a carbon tax but a trade deal". Helpers of :mod:`.cue_assertions`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from kg.ingest.reference import topic_target
from .targets import Found

if TYPE_CHECKING:
    from spacy.tokens import Token

    from .mentions import TopicMention

CONTRAST = ("but", "rather")


def denial_end(anchor: Token, phrases: Iterable[Token]) -> int | None:
    """Where the denial of a negated cue ends: the first "but" after it that joins the cue word or the
    phrases it governs (``phrases``), as a token index; None without one."""
    return min((c.i for t in (anchor, *phrases) for c in t.children
                if c.dep_ == "cc" and c.lower_ in CONTRAST and c.i > anchor.i), default=None)


def named_only_after(cut: int, anchor: Token, mention_at: Callable[[int], TopicMention | None]) -> set[str]:
    """The topics (IRIs) the cue word's phrase names after ``cut`` and not before it."""
    named: dict[bool, set[str]] = {False: set(), True: set()}
    for t in anchor.subtree:
        m = mention_at(t.i)
        if m is not None:
            named[t.i > cut].add(m.topic.iri)
    return named[True] - named[False]


def contrasted(slots: list[Token], exclude: set[str],
               mention_at: Callable[[int], TopicMention | None]) -> list[Found]:
    """The topics a target slot sets against its first part with "but": B in "not A but B" (those named
    in B itself, not those it is coordinated with)."""
    out: list[Found] = []
    for s in slots[:1]:
        cut = next((c.i for c in s.children if c.dep_ == "cc" and c.lower_ in CONTRAST), None)
        if cut is None:
            continue
        for c in s.children:
            if c.dep_ != "conj" or c.i < cut:
                continue
            for t in c.subtree:
                m = mention_at(t.i)
                if m is not None and m.topic.iri not in exclude and all(f.target.iri != m.topic.iri for f in out):
                    out.append(Found(topic_target(m.topic), "topic"))
    return out
