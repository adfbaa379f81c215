"""Rules of the extractor on sentences written for these tests (not the seed articles).

Uses the shipped gazetteer and codebook; other debates with a user's own
reference data are in test_extract_debates.py.
"""

from __future__ import annotations

import re

import pytest

from kg.ingest.documents import read_documents
from kg.extraction import METHOD_VERSION, default_reference, shared_extractor
from kg.model.records import Document


@pytest.fixture(scope="module")
def reference():
    return default_reference()


@pytest.fixture(scope="module")
def extract(reference):
    extractor = shared_extractor()  # the spaCy pipeline loads once per test process

    def run(text: str, date: str | None = None, doc_id: str = "t"):
        return extractor(Document(doc_id, text, date=date), reference)

    return run


def facts(assertions) -> set[tuple]:
    """(actor, stance, target, speaker, certainty) with topics by notation."""
    return {(a.actor.label, a.stance, a.target.topic or a.target.label,
             a.attributed_to.label if a.attributed_to else None, a.certainty) for a in assertions}


# -- attribution ----------------------------------------------------------------
def test_reported_speech_names_the_speaker(extract):
    got = facts(extract("Poland supports sending more tanks to Ukraine, Polish President Andrzej Duda said."))
    assert ("Poland", "supports", "military-aid", "Andrzej Duda", "certain") in got


def test_according_to_names_the_speaker(extract):
    got = facts(extract("According to the White House, Germany opposes a timeline for Ukraine's membership."))
    assert got == {("Germany", "opposes", "ukraine-nato-membership", "United States", "certain")}


def test_nested_claim_actor_is_whom_the_claim_is_about(extract):
    got = facts(extract("Olaf Scholz said that Hungary may be ready to drop its veto on sanctions."))
    # Dropping a veto on something supports it; Scholz is the speaker, Hungary the actor.
    assert got == {("Hungary", "supports", "sanctions-on-russia", "Olaf Scholz", "possible")}


def test_innermost_speaker_of_a_report_of_a_report(extract):
    got = facts(extract("The Kremlin said Washington is likely to send more missiles, the TASS news agency reported."))
    assert got == {("United States", "supports", "military-aid", "Russia", "probable")}


def test_speaker_who_states_own_position_is_not_attributed(extract):
    found = extract("“We will not send troops to Ukraine,” Scholz said.")
    assert facts(found) == {("Olaf Scholz", "opposes", "troop-deployment", None, "certain")}


def test_quotation_continues_in_next_paragraph(extract):
    text = "“We back the security guarantees,” Biden said.\n\n“Turkey should ratify Sweden’s accession now.”"
    got = facts(extract(text))
    assert ("Joe Biden", "supports", "security-guarantees", None, "certain") in got
    # advocacy ("should ratify") is the speaker's own position
    assert ("Joe Biden", "supports", "sweden-nato-membership", None, "certain") in got
    assert not any(a == "Turkey" for a, *_ in got)


# -- actors -----------------------------------------------------------------------
def test_coordinated_subjects_give_one_assertion_each(extract):
    got = facts(extract("Estonia and Latvia oppose a ceasefire with Russia."))
    assert got == {("Estonia", "opposes", "ceasefire-negotiations", None, "certain"),
                   ("Latvia", "opposes", "ceasefire-negotiations", None, "certain")}


def test_examples_of_a_group_are_the_actors(extract):
    got = facts(extract("Countries such as Romania and Bulgaria are reluctant to send troops."))
    assert got == {("Romania", "hesitant", "troop-deployment", None, "certain"),
                   ("Bulgaria", "hesitant", "troop-deployment", None, "certain")}


def test_pronoun_resolves_to_nearest_person_preferring_the_subject(extract):
    got = facts(extract("Jens Stoltenberg met Olaf Scholz in Berlin. He said that the allies would deliver more ammunition."))
    assert got == {("NATO allies", "supports", "military-aid", "Jens Stoltenberg", "certain")}


def test_role_noun_resolves_by_the_article_date(extract):
    text = "The NATO chief said the allies were ready to deliver more weapons."
    assert {s for *_, s, _ in facts(extract(text, date="2012-05-01"))} == {"Anders Fogh Rasmussen"}
    assert {s for *_, s, _ in facts(extract(text, date="2020-05-01"))} == {"Jens Stoltenberg"}


def test_role_noun_resolves_to_the_holder_mentioned_last(extract):
    got = facts(extract("Viktor Orban spoke on Monday. The prime minister said Hungary would block the sanctions."))
    assert got == {("Hungary", "opposes", "sanctions-on-russia", "Viktor Orbán", "certain")}


def test_named_entity_missing_from_gazetteer_is_a_new_actor(extract):
    found = extract("Moldova's president Maia Sandu backs the security guarantees.")
    assert len(found) == 1
    a = found[0]
    assert a.actor.label == "Maia Sandu" and a.actor.is_new and a.actor.type == "Person"
    assert a.to_json()["actor"]["new"] is True


# -- stance cues --------------------------------------------------------------------
def test_negation_flips_support_to_opposition(extract):
    assert facts(extract("Turkey did not support Sweden's accession.")) == {
        ("Turkey", "opposes", "sweden-nato-membership", None, "certain")}


def test_not_ready_is_hesitation(extract):
    assert facts(extract("Germany is not ready to send fighter jets.")) == {
        ("Germany", "hesitant", "military-aid", None, "certain")}


def test_actions_imply_support_for_what_or_whom_they_serve(extract):
    got = facts(extract("Canada delivered artillery shells to Ukraine. Norway is providing financial assistance to Ukraine."))
    assert got == {("Canada", "supports", "military-aid", None, "certain"),
                   ("Norway", "supports", "Ukraine", None, "certain")}


def test_division(extract):
    assert facts(extract("The allies are split on sanctions.")) == {
        ("NATO allies", "divided", "sanctions-on-russia", None, "certain")}


def test_hypothetical_and_imposed_actions_are_not_stances(extract):
    assert extract("If Germany sends tanks, Russia will escalate.") == []
    assert extract("The treaty obliges Germany to deliver weapons.") == []


def test_relative_clause_holder_and_object(extract):
    got = facts(extract("Officials said the guarantees that Kyiv seeks would take months to negotiate."))
    assert got == {("Ukraine", "supports", "security-guarantees", None, "certain")}


def test_evaluation_without_object_refers_to_the_topic_just_discussed(extract):
    got = facts(extract("Sweden's accession was discussed on Monday. Hungary said it was too early to decide."))
    assert got == {("Hungary", "hesitant", "sweden-nato-membership", None, "certain")}


# -- certainty --------------------------------------------------------------------
@pytest.mark.parametrize("sentence, certainty", [
    ("Finland may be ready to back the security guarantees.", "possible"),
    ("Finland might back the security guarantees.", "possible"),
    ("Finland is very likely to back the security guarantees.", "probable"),
    ("Finland is expected to back the security guarantees.", "probable"),
    ("Finland backs the security guarantees.", "certain"),
])
def test_hedges_set_certainty(extract, sentence, certainty):
    got = facts(extract(sentence))
    assert got == {("Finland", "supports", "security-guarantees", None, certainty)}


def test_may_be_ready_and_very_likely_differ(extract):
    a = extract("Poland may be ready to send troops.")[0]
    b = extract("It is very likely that Poland will send troops.")[0]
    assert (a.certainty, b.certainty) == ("possible", "probable")


# -- targets -------------------------------------------------------------------------
def test_uncoded_target_keeps_its_text(extract):
    text = "Romania rejected the plan to build a new pipeline across the Black Sea."
    found = extract(text)
    assert len(found) == 1
    t = found[0].target
    assert t.kind == "uncoded" and t.topic is None
    assert t.label == "build a new pipeline across the Black Sea" and t.label in text


def test_target_links_to_an_actor_when_no_topic(extract):
    found = extract("Lithuania strongly supports Ukraine.")
    assert [(a.target.kind, a.target.label) for a in found] == [("actor", "Ukraine")]


# -- the JSONL contract ------------------------------------------------------------------
def test_offsets_quotes_and_contract(extract, seeds_dir):
    docs, _ = read_documents([seeds_dir / "articles"])
    texts = {d.id: d.text for d in docs}
    found = [a for d in docs for a in extract(d.text, doc_id=d.id)]
    assert len(found) > 10
    for a in found:
        row = a.to_json()
        assert texts[a.doc][a.start:a.end] == a.quote == row["quote"]
        assert set(row) >= {"doc", "actor", "stance", "target", "attributed_to", "certainty", "quote", "start",
                            "end", "confidence", "method"}
        assert re.fullmatch(r"rules@\d+\.\d+\.\d+", row["method"]) and row["method"] == METHOD_VERSION
        assert 0.0 <= row["confidence"] <= 1.0
        assert a.method == "extracted"
    again = [a for d in docs for a in extract(d.text, doc_id=d.id)]
    assert [a.id for a in again] == [a.id for a in found]  # rejections by id survive rebuilds


def test_lower_confidence_for_weaker_evidence(extract):
    named = extract("Poland opposes a ceasefire.")[0]
    pronoun = extract("Poland spoke first. It opposes a ceasefire.")[0]
    uncoded = extract("Poland opposes the new pipeline.")[0]
    assert pronoun.actor.label == "Poland" and uncoded.target.kind == "uncoded"
    assert named.confidence > pronoun.confidence
    assert named.confidence > uncoded.confidence


# -- combinations -------------------------------------------------------------------------
def test_verb_on_a_stance_noun_combines_with_it(extract):
    got = facts(extract("Germany voiced support for the security guarantees but expressed opposition to an "
                        "immediate invitation."))
    assert got == {("Germany", "supports", "security-guarantees", None, "certain"),
                   ("Germany", "opposes", "ukraine-nato-membership", None, "certain")}
    got = facts(extract("Hungary said it would no longer stand in the way of Sweden's accession."))
    assert got == {("Hungary", "supports", "sweden-nato-membership", None, "certain")}


def test_subject_of_an_action_label_picks_the_topic(extract):
    # "join NATO" alone is Ukraine's membership in this codebook; Sweden's bid is Sweden's.
    got = facts(extract("Turkey's President Tayyip Erdogan agreed on Monday to back Sweden's bid to join NATO."))
    assert ("Recep Tayyip Erdoğan", "supports", "sweden-nato-membership", None, "certain") in got
    assert ("Sweden", "supports", "sweden-nato-membership", None, "certain") in got


def test_label_with_a_word_left_out_and_no_dates_as_targets(extract):
    got = facts(extract("Erdogan, who had blocked Sweden's bid for months, said he would now support it."))
    assert ("Recep Tayyip Erdoğan", "opposes", "sweden-nato-membership", None, "certain") in got
    assert ("Recep Tayyip Erdoğan", "supports", "sweden-nato-membership", None, "certain") in got
    assert not any(t == "months" for _, _, t, _, _ in got)


def test_lexicons_are_data(tmp_path, reference):
    """A user folder of lexicons replaces the shipped ones, file by file."""
    from kg.model.errors import InputError
    from kg.extraction import make_extractor
    from kg.extraction.lexicon import LEXICON_DIR, load_lexicon

    stance = (LEXICON_DIR / "stance.yaml").read_text(encoding="utf-8")
    (tmp_path / "stance.yaml").write_text(stance.replace("verbs:\n", "verbs:\n  cheer: supports\n", 1),
                                          encoding="utf-8")
    text = "Poland cheered the security guarantees."
    assert shared_extractor()(Document("t", text), reference) == []
    custom = make_extractor(lexicon_dir=tmp_path)
    assert facts(custom(Document("t", text), reference)) == {
        ("Poland", "supports", "security-guarantees", None, "certain")}
    (tmp_path / "stance.yaml").write_text("verbs:\n  cheer: loves\n", encoding="utf-8")
    load_lexicon.cache_clear()
    with pytest.raises(InputError, match="unknown stance 'loves'"):
        load_lexicon(tmp_path)


def test_long_documents_are_parsed_in_pieces_with_true_offsets(monkeypatch, seeds_dir, reference):
    from kg.extraction import pipeline

    text = (seeds_dir / "articles" / "004_a00d91becb0c72f2.txt").read_text(encoding="utf-8")
    once = shared_extractor()(Document("d", text), reference)
    long_text = "\n".join([text] * 3)
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", len(text) + 10)
    pieces = pipeline.chunks(long_text, pipeline.CHUNK_CHARS)
    assert len(pieces) >= 3 and "".join(p for _, p in pieces) == long_text
    found = shared_extractor()(Document("d", long_text), reference)
    assert len(found) == 3 * len(once)
    assert max(a.start for a in found) > 2 * len(text)
    assert all(long_text[a.start:a.end] == a.quote for a in found)


@pytest.mark.parametrize("sentence, expected", [
    ("Hungary wants to block the sanctions.", ("Hungary", "opposes", "sanctions-on-russia", None, "certain")),
    ("Poland refused to support the ceasefire.", ("Poland", "opposes", "ceasefire-negotiations", None, "certain")),
    ("Germany refused to rule out sending troops.", ("Germany", "supports", "troop-deployment", None, "possible")),
    ("Germany did not agree to send tanks.", ("Germany", "opposes", "military-aid", None, "certain")),
    ("Germany is not expected to back the security guarantees.",
     ("Germany", "opposes", "security-guarantees", None, "probable")),
    ("Hungary reportedly opposes the sanctions.", ("Hungary", "opposes", "sanctions-on-russia", None, "probable")),
])
def test_cues_and_negations_compose(extract, sentence, expected):
    assert facts(extract(sentence)) == {expected}


def test_taking_action_is_about_its_means_or_the_topic_at_hand(extract):
    assert facts(extract("Germany took unilateral action by delivering tanks.")) == {
        ("Germany", "supports", "military-aid", None, "certain")}
    assert facts(extract("Poland will take steps to send troops.")) == {
        ("Poland", "supports", "troop-deployment", None, "certain")}
    assert facts(extract("Allies discussed sanctions on Monday. Some countries may take action on their own.")) == {
        ("NATO allies", "supports", "sanctions-on-russia", None, "possible")}


def test_normative_judgement_is_the_speakers_position(extract):
    assert facts(extract("Ukraine deserves security guarantees, Macron said.")) == {
        ("Emmanuel Macron", "supports", "security-guarantees", None, "certain")}
    # without a speaker the text's own voice takes no side
    assert extract("Ukraine should receive security guarantees.") == []


@pytest.mark.parametrize("sentence", ["Sweden has delivered on its promises.",
                                      "Sweden has delivered on what it promised in Madrid."])
def test_delivering_on_a_promise_sends_nothing(extract, sentence):
    # "deliver on" keeps a promise: no "deliver weapons", whatever the text spoke of before
    lead = "NATO allies pledged more weapons for Ukraine. "
    assert not {f for f in facts(extract(lead + sentence)) if f[0] == "Sweden"}
    assert ("Sweden", "supports", "military-aid", None, "certain") in facts(extract(lead + "Sweden has delivered weapons."))


def test_a_passive_frame_with_on_is_still_the_frame(trade_extract):
    # "phased out on a timeline": "on" is when, and the subject is what is phased out
    got = trade_extract("Germany has called for coal to be phased out on a timeline consistent with 1.5C.")
    assert ("Germany", "supports", "coal-phase-out") in got


@pytest.mark.parametrize("sentence, stance", [
    ("Germany said sending troops would not help.", "opposes"),
    ("Sending troops won't do, Germany said.", "opposes"),
    ("Germany said sending troops would not work.", "opposes"),
    ("Germany said sending troops would help.", "supports"),
    ("Germany said sending troops would work.", "supports"),
])
def test_an_act_said_not_to_work_is_rejected(extract, sentence, stance):
    # the act is the clause's subject; a verdict that it does not work, help or suffice rejects it
    assert {f[:3] for f in facts(extract(sentence))} == {("Germany", stance, "troop-deployment")}


def test_conjoined_acts_share_the_verdict(extract):
    got = {f[:3] for f in facts(extract("Germany said delivering more tanks and sending troops would not work."))}
    assert got == {("Germany", "opposes", "military-aid"), ("Germany", "opposes", "troop-deployment")}


@pytest.mark.parametrize("verb", ["want", "support"])
def test_a_denial_ends_at_but(trade_extract, verb):
    # "not A but B": A is denied, B affirmed; "not A or B" denies both
    assert trade_extract(f"Germany does not {verb} a carbon tax but a trade deal.") == {
        ("Germany", "opposes", "carbon-tax"), ("Germany", "supports", "free-trade-agreement")}
    assert trade_extract(f"Germany does not {verb} a carbon tax or a trade deal.") == {
        ("Germany", "opposes", "carbon-tax"), ("Germany", "opposes", "free-trade-agreement")}
