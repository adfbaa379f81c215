"""Turn the noun phrase that holds a stance into actors.

"Poland and the Baltic states" gives two actors, "countries like Poland" gives
Poland, "a group of NATO countries" the group the gazetteer knows by that name,
"the alliance's leading power, the United States" the apposition, "who" the noun
its relative clause modifies, and "Polish officials" Poland.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.model.records import Actor
from .coref import Discourse
from .lexicon import Lexicon
from .syntax import child, pobj

if TYPE_CHECKING:
    from spacy.tokens import Token

Resolved = list[tuple[Actor, str]]  # (actor, how it was found)


_GROUPS: dict[int, tuple[object, dict[str, Actor]]] = {}


def _collective_groups(reference, lexicon: Lexicon) -> dict[str, Actor]:
    """Head noun -> the one group actor that the gazetteer names by that noun alone ("allies",
    "some countries", "allied leaders"); nouns for states ("countries", "capitals", "member states")
    count as one ("state")."""
    cached = _GROUPS.get(id(reference))
    if cached is not None and cached[0] is reference:
        return cached[1]
    found: dict[str, set[str]] = {}
    for actor in reference.actors.values():
        if actor.type != "ActorGroup":
            continue
        for name in (actor.label, *actor.aliases):
            words = name.lower().replace("(group)", "").split()
            if not words:
                continue
            head = words[-1]
            head = head[:-3] + "y" if head.endswith("ies") else head[:-1] if head.endswith("s") else head
            if len(words) > 1 and not all(w in lexicon.collective_modifiers for w in words[:-1]):
                continue
            key = "state" if head in lexicon.state_nouns else head
            found.setdefault(key, set()).add(actor.iri)
    out = {k: reference.actors[next(iter(v))] for k, v in found.items() if len(v) == 1}
    _GROUPS[id(reference)] = (reference, out)
    return out


class ActorResolver:
    def __init__(self, discourse: Discourse, lexicon: Lexicon, offices=None):
        self.discourse = discourse
        self.lexicon = lexicon
        self.offices = offices  # .offices.Offices: who holds an office in which organisation

    def resolve(self, tok: Token, _depth: int = 0) -> Resolved:
        """Every actor the phrase headed by ``tok`` names (one per coordinated member)."""
        if _depth > 6:
            return []
        out: Resolved = []
        for t in (tok, *[c for c in tok.conjuncts if c.i > tok.i]):
            out.extend(self._single(t, _depth))
        seen: set[str] = set()
        unique: Resolved = []
        for actor, how in out:
            if actor.iri not in seen:
                seen.add(actor.iri)
                unique.append((actor, how))
        return unique

    def _examples(self, t: Token, depth: int) -> Resolved:
        """"countries like Poland", "states such as Latvia", "allies including Poland"."""
        for p in t.children:
            if p.dep_ != "prep":
                continue
            words = tuple([c.lower_ for c in p.children if c.dep_ in ("amod", "advmod") and c.i < p.i] + [p.lower_])
            if words in self.lexicon.example_preps or (p.lemma_.lower(),) in self.lexicon.example_preps:
                obj = pobj(p)
                if obj is not None:
                    found = self.resolve(obj, depth + 1)
                    if found:
                        return found
        return []

    def _single(self, t: Token, depth: int) -> Resolved:
        found = self._single_plain(t, depth)
        # "a coalition, led by Denmark and the Netherlands, that will train pilots": the leaders hold
        # the led group's position too; "opponents of X, led by Germany" names no group but its leaders.
        for c in t.children:
            if c.dep_ == "acl" and c.lemma_.lower() in self.lexicon.leading_verbs:
                agent = child(c, "agent")
                obj = pobj(agent) if agent is not None else None
                if obj is not None:
                    found = found + [(a, how) for a, how in self.resolve(obj, depth + 1)]
        return found

    def _collective(self, t: Token) -> Resolved:
        """"allies", "some countries", "member states": the gazetteer's group named by such words alone."""
        lex = self.lexicon
        if t.tag_ not in ("NNS", "NNPS") or any(c.dep_ == "poss" or (
                c.dep_ == "compound" and c.lemma_.lower() not in lex.collective_modifiers) for c in t.children):
            return []  # ("member states": a modifier of collectives is no name)
        if any(c.dep_ == "amod" and self.discourse.actors_at(c.i) for c in t.children):
            return []  # "Polish officials" name their state
        lemma = t.lemma_.lower()
        group = _collective_groups(self.discourse.reference, lex).get(
            "state" if lemma in lex.state_nouns else lemma)
        return [(group, "noun")] if group is not None else []

    def _single_plain(self, t: Token, depth: int) -> Resolved:
        lex = self.lexicon
        found = self._examples(t, depth)
        if found:
            return found
        for p in t.children:  # "governments, among them Poland and Italy"
            if p.dep_ == "prep" and p.lower_ == "among":
                members = [g for g in p.subtree if g.i != p.i and g.pos_ == "PROPN"]
                found = [r for g in members for r in self.resolve(g, depth + 1)]
                if found:
                    return found
        lemma = t.lemma_.lower()
        if lemma in lex.group_heads or t.lower_ in lex.group_heads:
            # "members of the High Ambition Coalition", "a group of NATO countries": the group named
            of = child(t, "prep", lower="of")
            obj = pobj(of) if of is not None else None
            found = self.resolve(obj, depth + 1) if obj is not None else []
            if found:
                return found
        hit = self.discourse.actors_at(t.i)
        if hit is not None and hit[0] and all(a.type == "Person" for a in hit[0]):
            org = self.affiliation(t)
            if org is not None:
                return [(org, hit[1])]
        if hit is not None:
            actors, how = hit
            if t.lemma_.lower() in lex.state_nouns and all(a.type == "ActorGroup" for a in actors):
                # "its members" of a group (the G7) are that group, not the gazetteer's "members"
                poss = next((c for c in t.children if c.dep_ == "poss"), None)
                owner = self.discourse.actors_at(poss.i) if poss is not None else None
                if owner is not None and owner[0] and all(a.type == "ActorGroup" for a in owner[0]):
                    return [(a, owner[1]) for a in owner[0]]
            return [(a, how) for a in actors]
        low = t.lower_
        if low in lex.relative_pronouns and t.tag_ in ("WDT", "WP", "IN") and t.head.dep_ == "relcl":
            return self.resolve(t.head.head, depth + 1)
        for c in t.children:
            if c.dep_ == "appos":
                found = self.resolve(c, depth + 1)
                if found:
                    return found
        lemma = t.lemma_.lower()
        if lemma in lex.group_heads or low in lex.group_heads:
            of = child(t, "prep", lower="of")
            obj = pobj(of) if of is not None else None
            if obj is not None:
                return self.resolve(obj, depth + 1)
        if lemma in lex.generic_nouns and (t.pos_ == "NOUN" or (t.pos_ == "PROPN" and t.is_lower)):
            # (the parser may tag a lower-case noun after a name as a proper noun: "Russia's foreign ministry")
            # "Polish officials", "the alliance's members": the state or body they speak for.
            for c in t.children:
                if c.dep_ == "prep" and c.lower_ in ("in", "from", "of"):  # "officials in Washington"
                    c = pobj(c) or c
                elif c.dep_ not in ("amod", "compound", "poss", "nmod"):
                    continue
                hit = self.discourse.actors_at(c.i)
                if hit is None or not hit[0]:
                    continue
                actor = hit[0][0]
                if actor.type != "Person" and lex.generic_nouns[lemma] == "Person" and t.tag_ == "NN" \
                        and any(d.dep_ == "det" and d.lower_ in ("the", "this", "that") for d in t.children):
                    # "the French leader": the person last named who holds an office in France
                    person = self._office_holder(actor, t.i)
                    if person is not None:
                        return [(person, "noun")]
                if actor.type != "Person":
                    return [(actor, "noun")]
                if lex.generic_nouns[lemma] != "Person" and c.dep_ == "poss":
                    # "her government": the state or body the person holds office in
                    org = self._organisation_of(actor)
                    if org is not None:
                        return [(org, "noun")]
        return self._collective(t)

    def affiliation(self, t: Token) -> Actor | None:
        """"Harjeet Singh of Climate Action Network": the organisation a named person speaks for here."""
        for p in t.children:
            o = pobj(p) if p.dep_ == "prep" and p.lower_ in ("of", "from") else p if p.dep_ == "poss" else None
            hit = self.discourse.actors_at(o.i) if o is not None else None
            # an organisation, not a state: "Estonia's Kaja Kallas" speaks in her own name
            if hit is not None and hit[0] and hit[0][0].type not in ("Person", "State") and not hit[0][0].is_new:
                return hit[0][0]
        return None

    def person_at(self, t: Token) -> Actor | None:
        """The person a token names, before any affiliation is applied."""
        hit = self.discourse.actors_at(t.i)
        return hit[0][0] if hit is not None and hit[0] and hit[0][0].type == "Person" else None

    def _office_holder(self, org: Actor, before: int) -> Actor | None:
        if self.offices is None:
            return None
        for ref in reversed(self.discourse.history):
            if ref.i < before and ref.actor.type == "Person" and self.offices.organisation(ref.actor) == org:
                return ref.actor
        return None

    def _organisation_of(self, person: Actor) -> Actor | None:
        ref = self.discourse.reference
        date = self.discourse.date or "9999"
        roles = [r for r in ref.roles if r.person == person.iri and r.organisation in ref.actors]
        current = [r for r in roles if (not r.start or r.start <= date) and (not r.end or date < r.end)]
        pick = (current or roles)
        return ref.actors[pick[0].organisation] if pick else None
