"""The extractor's lexicons and patterns, read from YAML data files.

The rules in this package interpret these tables; adding a cue word, a hedge or
a reporting verb is an edit to ``lexicons/*.yaml``, not to code. A folder with
files of the same names can replace the shipped lexicons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.model.errors import InputError
from kg.model.namespaces import CERTAINTIES, STANCES

LEXICON_DIR = Path(__file__).parent / "lexicons"
NO_STANCE = "none"  # a cue's "negated: none": negated, the cue states no position ("does not have a veto")
_FILES = ("stance", "certainty", "attribution", "actors", "targets")


@dataclass(frozen=True)
class Cue:
    """One stance cue: a word (or phrase) and what it means."""

    stance: str
    negated: str
    kind: str = "plain"  # plain | action | policy (a noun naming a measure: its owner supports it)
    negated_certainty: str | None = None
    particle: str | None = None
    prep: tuple[str, ...] = ()  # any of these prepositions
    passive_holder: bool = False
    ellipsis: bool = False
    transitive: bool = False  # a verb with ``prep`` that also takes its target as a direct object ("fought X")


@dataclass(frozen=True)
class Phrase:
    """A multi-word cue matched on lemmas; ``anchor`` carries the cue, ``obj`` names the target."""

    lemmas: tuple[str, ...]
    anchor: int
    obj: int | None
    cue: Cue


@dataclass(frozen=True)
class Paraphrase:
    """A frame said with a noun: "X's future is in Y" (noun future, copula be, prep in) says "X join Y"."""

    verb: str
    copulas: frozenset[str]
    prep: str


@dataclass(frozen=True)
class Lexicon:
    """Every table the rules consult, as read from the data files."""

    verbs: dict[str, Cue]
    adjectives: dict[str, Cue]
    nouns: dict[str, Cue]
    prepositions: dict[str, Cue]
    phrases: tuple[Phrase, ...]
    verb_objects: dict[str, tuple[tuple[frozenset[str], Cue], ...]]  # verb -> (objects, cue) entries
    light_verbs: frozenset[str]
    blocking_particles: frozenset[str]
    knowledge_verbs: frozenset[str]  # "too early to say": a cue on what is known, no position
    sufficiency_verbs: frozenset[str]  # "abating them won't do": an act said not to work is rejected
    inclusion_verbs: frozenset[str]  # "opponents of Y include A and B"
    blocking_nouns: frozenset[str]  # "obstacle to X": a stance on one is the opposite on X (only with "to")
    wanting_verbs: frozenset[str]  # "want the summit to fix X": the infinitive is what is wanted
    desire_verbs: frozenset[str]  # "Finland wants Sweden to join": Sweden's joining is Finland's wish only
    addressees: frozenset[tuple[str, str]]  # (prep, verb): "protested to The Hague" names whom, not what
    # evaluations: "X called Y historic", "Y was wrong, X said"
    framing_verbs: frozenset[str]
    copulas: frozenset[str]
    posing_verbs: frozenset[str]
    making_verbs: frozenset[str]  # "will make the controls more effective": a good word for the controls
    polarity: dict[str, int]  # evaluative word -> +1 | -1 | 2 (doubtful: hesitant)
    evaluable_nouns: frozenset[str]  # nouns that take their modifiers' polarity ("a good first step")
    having_nouns: frozenset[str]  # "X has a role to play": a good word for X
    favour_nouns: frozenset[str]  # "X is in the interest of all", "in line with international practice"
    effects: dict[str, int]  # "X would hurt / strengthen ...": verb -> +1 | -1
    warning_verbs: frozenset[str]  # "warned that X would hurt Y": a cost foreseen, hesitant
    # certainty: lemma -> level, per word class
    hedge_modals: dict[str, str]
    hedge_adverbs: dict[str, str]
    hedge_adjectives: dict[str, str]
    hedge_nouns: dict[str, str]
    hedge_verbs: dict[str, str]
    hedge_passives: dict[str, str]  # "is reported to", "is said to"
    anonymous_sources: frozenset[str]  # "officials briefed on the talks said": probable
    anonymity_words: frozenset[str]  # ... what says they are unnamed: familiar, brief, anonymous
    negating_hedges: dict[str, str]
    # attribution
    reporting_verbs: frozenset[str]
    according_to: tuple[tuple[str, ...], ...]
    view_nouns: frozenset[str]  # "in X's view": X is the speaker
    first_person: frozenset[str]
    first_person_plural: frozenset[str]
    release_markers: tuple[str, ...]  # "press release", "statement by": the top line names who speaks
    deontic_modals: frozenset[str]
    deontic_verbs: frozenset[str]
    advocacy_verbs: frozenset[str]
    normative_verbs: frozenset[str]
    assent_verbs: frozenset[str]  # "agreed that Ukraine would become a member": support for that event
    assent_adjectives: frozenset[str]  # "allies are united that ..."
    object_control: frozenset[str]
    failure_verbs: frozenset[str]  # "failed to stop X": an act not done
    accusation_verbs: frozenset[str]  # "accused X of doing Y": Y is no one's position
    conditional_markers: frozenset[str]
    conditional_nouns: frozenset[str]
    # actors
    person_pronouns: frozenset[str]
    group_pronouns: frozenset[str]
    thing_pronouns: frozenset[str]
    generic_nouns: dict[str, str]  # lemma -> actor type
    group_heads: frozenset[str]
    example_preps: tuple[tuple[str, ...], ...]
    entity_types: dict[str, str]
    leading_verbs: frozenset[str]  # "a coalition led by A and B"
    co_agent_preps: frozenset[str]  # "launched it alongside B": B acts too
    collective_nouns: frozenset[str]  # "cautious governments", "the hawkish camp": nouns for holders
    state_nouns: frozenset[str]  # nouns that stand for states alike ("countries", "capitals")
    collective_modifiers: frozenset[str]  # words that leave a group unnamed ("some allies", "allied leaders")
    spokesman_offices: tuple[str, ...]  # office titles whose holders speak for their organisation
    own_voice_offices: tuple[str, ...]  # ... except these (heads of state and government)
    relative_pronouns: frozenset[str]
    other_office_words: frozenset[str]  # "the deputy mayor" is not the mayor
    # targets
    anaphoric_nouns: frozenset[str]
    anaphoric_determiners: frozenset[str]
    discussion_nouns: frozenset[str]  # "taking the matter up at the WTO": a step on the matter, not it
    anaphoric_pronouns: frozenset[str]
    propositional_nouns: frozenset[str]
    privative_nouns: frozenset[str]  # "the absence of X", "a lack of X": a stance on them flips onto X
    target_preps: tuple[str, ...]
    recipient_preps: frozenset[str]
    synonyms: tuple[tuple[str, ...], ...] = ()  # groups of words a label may be written with
    vague_modifiers: frozenset[str] = frozenset()
    approach_words: frozenset[str] = frozenset()
    vague_heads: frozenset[str] = frozenset()
    time_preps: frozenset[str] = frozenset()  # "since X", "after X": X named as a time, not as a position
    reason_nouns: frozenset[str] = frozenset()
    message_nouns: frozenset[str] = frozenset()  # "sent a letter to X": no support of X
    focus_markers: tuple[tuple[str, ...], ...] = ()  # "fossil fuels, especially coal": coal too
    particular_words: frozenset[str] = frozenset()  # "such munitions": one kind of what a topic is about
    reserved_modifiers: frozenset[str] = frozenset()  # "a cautious welcome": support with reserve
    remedy_verbs: frozenset[str] = frozenset()  # "can be curbed with X": X is a means someone backs
    goal_nouns: frozenset[str] = frozenset()  # "Turkey's aim is to ratify X": support for X
    document_nouns: frozenset[str] = frozenset()  # "the deal", "the outcome": a negotiated text (named_documents)
    naming_verbs: frozenset[str] = frozenset()  # "branded it the UAE Consensus"
    event_nouns: frozenset[str] = frozenset()  # "the announcement", "the move": what the text is about
    policy_words: frozenset[str] = frozenset()  # nouns that name a policy alone: an uncoded target of one word  # "on security grounds": a reason, not what a phrase is about
    frame_paraphrases: dict = field(default_factory=dict)  # noun -> [Paraphrase]  # "any wording that ...": nouns whose clause says what they are  # "bring Ukraine closer to NATO", "a route into NATO"  # adjectives that do not say what kind of thing a noun is
    anaphora_window: int = 3
    max_uncoded_tokens: int = 8
    source: str = field(default="", compare=False)


def _words(values, path: Path, key: str) -> frozenset[str]:
    if values is None:
        return frozenset()
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        # YAML reads a bare on/off/yes/no as true/false: such words must be quoted.
        raise InputError(f"{key!r} must be a list of words (quote on, off, yes, no)", path)
    return frozenset(v.lower() for v in values)


def _cue(value, negation: dict[str, str], path: Path, where: str) -> Cue:
    if isinstance(value, str):
        value = {"stance": value}
    if not isinstance(value, dict) or "stance" not in value:
        raise InputError(f"{where}: a cue is a stance name or a mapping with 'stance'", path)
    unknown = set(value) - {"stance", "negated", "negated_certainty", "particle", "prep", "kind",
                            "passive_holder", "ellipsis", "lemmas", "anchor", "object", "transitive"}
    if unknown:
        raise InputError(f"{where}: unknown key {sorted(unknown)[0]!r}", path)
    stance = value["stance"]
    negated = value.get("negated", negation.get(stance, stance))
    for s in (stance, negated):
        if s not in STANCES and s != NO_STANCE:
            raise InputError(f"{where}: unknown stance {s!r} (choose from {', '.join(STANCES)})", path)
    nc = value.get("negated_certainty")
    if nc is not None and nc not in CERTAINTIES:
        raise InputError(f"{where}: unknown certainty {nc!r}", path)
    kind = value.get("kind", "plain")
    if kind not in ("plain", "action", "policy", "agent"):
        raise InputError(f"{where}: unknown kind {kind!r} (plain, action, policy or agent)", path)
    prep = value.get("prep") or ()
    prep = tuple(str(p).lower() for p in ([prep] if isinstance(prep, str) else prep))
    return Cue(stance, negated, kind, nc, value.get("particle"), prep,
               value.get("passive_holder") == "subject", bool(value.get("ellipsis", False)),
               bool(value.get("transitive", False)))


def _paraphrases(rows, path: Path) -> dict[str, tuple[Paraphrase, ...]]:
    out: dict[str, list[Paraphrase]] = {}
    for i, r in enumerate(rows or []):
        if not isinstance(r, dict) or not r.get("verb") or not r.get("nouns"):
            raise InputError(f"frame_paraphrases[{i}]: needs 'verb' and 'nouns'", path)
        p = Paraphrase(str(r["verb"]).lower(), _words(r.get("copulas"), path, "copulas"), str(r.get("prep", "of")))
        for n in _words(r["nouns"], path, "nouns"):
            out.setdefault(n, []).append(p)
    return {k: tuple(v) for k, v in out.items()}


def lexicon_texts(folder: str | Path | None = None) -> list[str]:
    """The text of every lexicon file in use, for a version digest."""
    folder = Path(folder) if folder else LEXICON_DIR
    out = []
    for name in _FILES:
        path = folder / f"{name}.yaml"
        if not path.is_file():
            path = LEXICON_DIR / f"{name}.yaml"
        out.append(path.read_text(encoding="utf-8"))
    return out


def _load_yaml(folder: Path, name: str) -> tuple[dict, Path]:
    import yaml

    path = folder / f"{name}.yaml"
    if not path.is_file():
        path = LEXICON_DIR / f"{name}.yaml"  # a user folder may replace only some files
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"cannot read lexicon: {e}", path) from None
    if not isinstance(data, dict):
        raise InputError("a lexicon file must be a mapping", path)
    return data, path


def _hedges(section: dict, level: str) -> dict[str, dict[str, str]]:
    return {kind: {w.lower(): level for w in (section or {}).get(kind, []) or []}
            for kind in ("modals", "adverbs", "adjectives", "nouns", "verbs", "passives")}


@lru_cache(maxsize=8)
def load_lexicon(folder: str | Path | None = None) -> Lexicon:
    """Read the lexicons from ``folder`` (default: the shipped ``lexicons/``)."""
    folder = Path(folder) if folder else LEXICON_DIR
    st, st_path = _load_yaml(folder, "stance")
    ce, _ = _load_yaml(folder, "certainty")
    at, at_path = _load_yaml(folder, "attribution")
    ac, ac_path = _load_yaml(folder, "actors")
    ta, ta_path = _load_yaml(folder, "targets")

    negation = st.get("negation", {})
    ev = st.get("evaluations") or {}
    if not isinstance(ev, dict):
        raise InputError("'evaluations' must be a mapping", st_path)
    tables = {}
    for section in ("verbs", "adjectives", "nouns", "prepositions"):
        tables[section] = {str(k).lower(): _cue(v, negation, st_path, f"{section}.{k}")
                           for k, v in (st.get(section) or {}).items()}
    phrases = []
    for i, p in enumerate(st.get("phrases") or []):
        if any(not isinstance(w, str) for w in p.get("lemmas", [])):
            raise InputError(f"phrases[{i}]: lemmas must be words (quote on, off, yes, no)", st_path)
        lemmas = tuple(str(w).lower() for w in p.get("lemmas", []))
        if not lemmas:
            raise InputError(f"phrases[{i}]: needs 'lemmas'", st_path)
        anchor = int(p.get("anchor", 0))
        obj = p.get("object")
        if not 0 <= anchor < len(lemmas) or (obj is not None and not 0 <= int(obj) < len(lemmas)):
            raise InputError(f"phrases[{i}]: anchor/object out of range", st_path)
        phrases.append(Phrase(lemmas, anchor, None if obj is None else int(obj),
                              _cue(p, negation, st_path, f"phrases[{i}]")))

    verb_objects: dict[str, list] = {}
    for verb, entries in (st.get("verb_objects") or {}).items():
        for entry in entries if isinstance(entries, list) else [entries]:  # a verb may have several
            if not isinstance(entry, dict) or not entry.get("objects"):
                raise InputError(f"verb_objects.{verb}: needs 'objects' and 'stance'", st_path)
            objects = _words(entry["objects"], st_path, f"verb_objects.{verb}.objects")
            verb_objects.setdefault(str(verb).lower(), []).append(
                (objects, _cue({k: v for k, v in entry.items() if k != "objects"}, negation, st_path,
                               f"verb_objects.{verb}")))
    verb_objects = {k: tuple(v) for k, v in verb_objects.items()}

    levels: dict[str, dict[str, str]] = {k: {} for k in ("modals", "adverbs", "adjectives", "nouns", "verbs",
                                                         "passives")}
    # Later (stronger) levels first so that the weaker level wins on a clash.
    for level in ("probable", "possible"):
        for kind, words in _hedges(ce.get(level), level).items():
            levels[kind].update(words)

    generic: dict[str, str] = {}
    for type_, words in (ac.get("generic_nouns") or {}).items():
        for w in words:
            generic.setdefault(str(w).lower(), str(type_))
    pron = ac.get("pronouns") or {}
    return Lexicon(
        verbs=tables["verbs"], adjectives=tables["adjectives"], nouns=tables["nouns"],
        prepositions=tables["prepositions"], phrases=tuple(phrases), verb_objects=verb_objects,
        light_verbs=_words(st.get("light_verbs"), st_path, "light_verbs"),
        particular_words=_words(st.get("particular_words"), st_path, "particular_words"),
        reserved_modifiers=_words(st.get("reserved_modifiers"), st_path, "reserved_modifiers"),
        blocking_particles=_words(st.get("blocking_particles"), st_path, "blocking_particles"),
        knowledge_verbs=_words(st.get("knowledge_verbs"), st_path, "knowledge_verbs"),
        sufficiency_verbs=_words(st.get("sufficiency_verbs"), st_path, "sufficiency_verbs"),
        inclusion_verbs=_words(st.get("inclusion_verbs"), st_path, "inclusion_verbs"),
        blocking_nouns=_words(st.get("blocking_nouns"), st_path, "blocking_nouns"),
        wanting_verbs=_words(st.get("wanting_verbs"), st_path, "wanting_verbs"),
        desire_verbs=_words(st.get("desire_verbs"), st_path, "desire_verbs"),
        addressees=frozenset(("to", v) for v in _words(st.get("addressing_verbs"), st_path, "addressing_verbs")),
        framing_verbs=_words(ev.get("framing_verbs"), st_path, "evaluations.framing_verbs"),
        remedy_verbs=_words(ev.get("remedy_verbs"), st_path, "evaluations.remedy_verbs"),
        copulas=_words(ev.get("copulas"), st_path, "evaluations.copulas"),
        posing_verbs=_words(ev.get("posing_verbs"), st_path, "evaluations.posing_verbs"),
        making_verbs=_words(ev.get("making_verbs"), st_path, "evaluations.making_verbs"),
        polarity={**{w: 1 for w in _words(ev.get("positive"), st_path, "evaluations.positive")},
                  **{w: -1 for w in _words(ev.get("negative"), st_path, "evaluations.negative")},
                  **{w: 2 for w in _words(ev.get("doubtful"), st_path, "evaluations.doubtful")}},
        evaluable_nouns=_words(ev.get("evaluable_nouns"), st_path, "evaluations.evaluable_nouns"),
        having_nouns=_words(ev.get("having_nouns"), st_path, "evaluations.having_nouns"),
        favour_nouns=_words(ev.get("favour_nouns"), st_path, "evaluations.favour_nouns"),
        effects={**{w: 1 for w in _words(ev.get("good_effects"), st_path, "evaluations.good_effects")},
                 **{w: -1 for w in _words(ev.get("bad_effects"), st_path, "evaluations.bad_effects")}},
        warning_verbs=_words(ev.get("warning_verbs"), st_path, "evaluations.warning_verbs"),
        hedge_modals=levels["modals"], hedge_adverbs=levels["adverbs"],
        hedge_adjectives=levels["adjectives"], hedge_nouns=levels["nouns"], hedge_verbs=levels["verbs"],
        hedge_passives=levels["passives"],
        anonymous_sources=_words(ce.get("anonymous_sources"), LEXICON_DIR / "certainty.yaml", "anonymous_sources"),
        anonymity_words=_words(ce.get("anonymity_words"), LEXICON_DIR / "certainty.yaml", "anonymity_words"),
        negating_hedges={str(k).lower(): str(v) for k, v in (ce.get("negating") or {}).items()},
        reporting_verbs=_words(at.get("reporting_verbs"), at_path, "reporting_verbs"),
        view_nouns=_words(at.get("view_nouns"), at_path, "view_nouns"),
        according_to=tuple(tuple(w.lower() for w in seq) for seq in at.get("according_to") or []),
        first_person=_words(at.get("first_person"), at_path, "first_person"),
        first_person_plural=_words(at.get("first_person_plural"), at_path, "first_person_plural"),
        release_markers=tuple(sorted(_words(at.get("release_markers"), at_path, "release_markers"))),
        deontic_modals=_words(at.get("deontic_modals"), at_path, "deontic_modals"),
        deontic_verbs=_words(at.get("deontic_verbs"), at_path, "deontic_verbs"),
        advocacy_verbs=_words(at.get("advocacy_verbs"), at_path, "advocacy_verbs"),
        normative_verbs=_words(at.get("normative_verbs"), at_path, "normative_verbs"),
        assent_verbs=_words(at.get("assent_verbs"), at_path, "assent_verbs"),
        assent_adjectives=_words(at.get("assent_adjectives"), at_path, "assent_adjectives"),
        goal_nouns=_words(at.get("goal_nouns"), at_path, "goal_nouns"),
        object_control=_words(at.get("object_control"), at_path, "object_control"),
        failure_verbs=_words(at.get("failure_verbs"), at_path, "failure_verbs"),
        accusation_verbs=_words(at.get("accusation_verbs"), at_path, "accusation_verbs"),
        conditional_markers=_words(at.get("conditional_markers"), at_path, "conditional_markers"),
        conditional_nouns=_words(at.get("conditional_nouns"), at_path, "conditional_nouns"),
        person_pronouns=_words(pron.get("person"), ac_path, "pronouns.person"),
        group_pronouns=_words(pron.get("group"), ac_path, "pronouns.group"),
        thing_pronouns=_words(pron.get("thing"), ac_path, "pronouns.thing"),
        generic_nouns=generic,
        group_heads=_words(ac.get("group_heads"), ac_path, "group_heads"),
        example_preps=tuple(tuple(w.lower() for w in seq) for seq in ac.get("example_preps") or []),
        entity_types={str(k): str(v) for k, v in (ac.get("entity_types") or {}).items()},
        leading_verbs=_words(ac.get("leading_verbs"), ac_path, "leading_verbs"),
        co_agent_preps=_words(ac.get("co_agent_preps"), ac_path, "co_agent_preps"),
        collective_nouns=_words(ac.get("collective_nouns"), ac_path, "collective_nouns"),
        state_nouns=_words(ac.get("state_nouns"), ac_path, "state_nouns"),
        collective_modifiers=_words(ac.get("collective_modifiers"), ac_path, "collective_modifiers"),
        spokesman_offices=tuple(sorted(_words(ac.get("spokesman_offices"), ac_path, "spokesman_offices"))),
        other_office_words=_words(ac.get("other_office_words"), ac_path, "other_office_words"),
        own_voice_offices=tuple(sorted(_words(ac.get("own_voice_offices"), ac_path, "own_voice_offices"))),
        relative_pronouns=_words(ac.get("relative_pronouns"), ac_path, "relative_pronouns"),
        anaphoric_nouns=_words(ta.get("anaphoric_nouns"), ta_path, "anaphoric_nouns"),
        anaphoric_determiners=_words(ta.get("anaphoric_determiners"), ta_path, "anaphoric_determiners"),
        discussion_nouns=_words(ta.get("discussion_nouns"), ta_path, "discussion_nouns"),
        anaphoric_pronouns=_words(ta.get("anaphoric_pronouns"), ta_path, "anaphoric_pronouns"),
        propositional_nouns=_words(ta.get("propositional_nouns"), ta_path, "propositional_nouns"),
        privative_nouns=_words(ta.get("privative_nouns"), ta_path, "privative_nouns"),
        target_preps=tuple(dict.fromkeys(w.lower() for w in ta.get("target_preps") or []
                                         if _words(ta.get("target_preps"), ta_path, "target_preps"))),
        recipient_preps=_words(ta.get("recipient_preps"), ta_path, "recipient_preps"),
        vague_modifiers=_words(ta.get("vague_modifiers"), ta_path, "vague_modifiers"),
        approach_words=_words(ta.get("approach_words"), ta_path, "approach_words"),
        vague_heads=_words(ta.get("vague_heads"), ta_path, "vague_heads"),
        time_preps=_words(ta.get("time_preps"), ta_path, "time_preps"),
        reason_nouns=_words(ta.get("reason_nouns"), ta_path, "reason_nouns"),
        message_nouns=_words(ta.get("message_nouns"), ta_path, "message_nouns"),
        focus_markers=tuple(sorted({tuple(str(m).lower().split()) for m in ta.get("focus_markers") or []
                                    if str(m).strip()}, key=len, reverse=True)),
        event_nouns=_words(ta.get("event_nouns"), ta_path, "event_nouns"),
        document_nouns=_words(ta.get("document_nouns"), ta_path, "document_nouns"),
        naming_verbs=_words(ta.get("naming_verbs"), ta_path, "naming_verbs"),
        policy_words=_words(ta.get("policy_words"), ta_path, "policy_words"),
        frame_paraphrases=_paraphrases(ta.get("frame_paraphrases"), ta_path),
        synonyms=tuple(tuple(sorted(_words(g, ta_path, "synonyms"), key=list(map(str.lower, g)).index))
                       for g in ta.get("synonyms") or []),
        anaphora_window=int(ta.get("anaphora_window", 3)),
        max_uncoded_tokens=int(ta.get("max_uncoded_tokens", 8)),
        source=str(folder),
    )
