"""Who speaks for whom: the offices of the gazetteer's people on an article's date.

A minister or a spokesperson speaks for a government: the positions they state in
office are the government's, with them as the speaker (the coding manual's
"an official speaking for their own state or organisation"). Heads of state and
government speak in their own name. "We" in an official's mouth is the
organisation they serve.
"""

from __future__ import annotations

import re

from kg.model.records import Actor
from kg.ingest.reference import Reference, Role
from .lexicon import Lexicon


def _has_words(title: str, phrases: tuple[str, ...]) -> bool:
    t = " " + re.sub(r"[^a-z]+", " ", title.lower()) + " "
    return any(f" {p} " in t for p in phrases)


def _headed_by(title: str, phrases: tuple[str, ...]) -> bool:
    """The title is one of these offices, not an office attached to one: "Prime Minister of Norway",
    "Federal Chancellor" (yes), "Press Secretary of the President" (no)."""
    t = re.sub(r"[^a-z]+", " ", title.lower()).strip().split(" of ")[0]
    return _has_words(t, phrases)


class Offices:
    def __init__(self, reference: Reference, lexicon: Lexicon, date: str | None):
        self.reference = reference
        self.lexicon = lexicon
        self.date = date
        self._roles: dict[str, list[Role]] = {}
        for r in reference.roles:
            if r.organisation in reference.actors:
                self._roles.setdefault(r.person, []).append(r)
        self._cache: dict[str, tuple[Actor | None, Actor | None]] = {}

    def _current(self, person: Actor) -> list[Role]:
        roles = self._roles.get(person.iri, [])
        if not self.date:
            return [r for r in roles if not r.end]
        return [r for r in roles if (not r.start or r.start <= self.date) and (not r.end or self.date < r.end)]

    def _lookup(self, person: Actor) -> tuple[Actor | None, Actor | None]:
        """(the organisation of the person's current office, the same if the office speaks for it)."""
        if person.iri not in self._cache:
            org = speaks = None
            if person.type == "Person":
                roles = self._current(person)
                if roles:
                    states = [r for r in roles if self.reference.actors[r.organisation].type == "State"]
                    org = self.reference.actors[(states or roles)[0].organisation]
                # Someone who also heads something (a minister who presides over a conference) speaks
                # in their own name.
                if not any(_headed_by(r.title, self.lexicon.own_voice_offices) for r in roles):
                    for r in roles:
                        if _has_words(r.title, self.lexicon.spokesman_offices):
                            speaks = self.reference.actors[r.organisation]
                            break
            self._cache[person.iri] = (org, speaks)
        return self._cache[person.iri]

    def organisation(self, person: Actor) -> Actor | None:
        """The organisation a person serves in a current office, if the gazetteer says."""
        return self._lookup(person)[0]

    def speaks_for(self, person: Actor) -> Actor | None:
        """The organisation an official speaks for (ministers, spokespeople), else None."""
        return self._lookup(person)[1]
