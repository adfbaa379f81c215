"""Reactions to a negotiated text as a whole ("praised the outcome") are positions on that text.

The text is the one the story's lead names ("adopted the final Lisbon trade accord"), under the
name someone gave it ("dubbed it the Harbour Compact"). Every reaction to it shares one uncoded
label. The gazetteer and codebook are the trade debate of tests/data/extract: nothing in the
rules knows these names.
"""

from __future__ import annotations

import pytest

from kg.extraction import default_reference, shared_extractor
from kg.model.records import Document

LEAD = ("Trade ministers adopted the final Lisbon trade accord in Porto on Friday, a day after talks were "
        "due to end. The text commits members to lower barriers on machinery. ")
NAMED = "Maria Lopez has dubbed it the \"Harbour Compact\". "


@pytest.fixture(scope="module")
def extract(data_dir):
    d = data_dir / "extract"
    reference = default_reference([d / "gazetteer.ttl"], [d / "codebook.ttl"])
    extractor = shared_extractor()
    return lambda text: extractor(Document("t", text), reference)


def on_text(assertions) -> set[tuple[str, str, str]]:
    return {(a.actor.label, a.stance, a.target.label) for a in assertions if a.target.kind == "uncoded"}


def test_reactions_share_the_lead_text_and_its_name(extract):
    found = on_text(extract(LEAD + NAMED + "Germany praised the outcome. Tom Becker said Canada supported the "
                            "presidency's proposal. Brazil rejected the deal."))
    label = "final Lisbon trade accord (Harbour Compact)"
    assert {("Germany", "supports", label), ("Canada", "supports", label), ("Brazil", "opposes", label)} <= found
    assert {t for _, _, t in found} == {label}


def test_it_called_a_text_is_that_text(extract):
    found = on_text(extract(LEAD + "France called it a historic accord."))
    assert found == {("France", "supports", "final Lisbon trade accord")}


def test_without_a_named_text_in_the_lead_a_bare_noun_is_no_target(extract):
    text = "Talks in Porto ran late on Friday. Germany praised the outcome. Brazil rejected the deal."
    assert on_text(extract(text)) == set()


@pytest.mark.parametrize("noun", ["outcome", "deal", "agreement", "text", "declaration"])
def test_any_word_for_the_text_points_to_it(extract, noun):
    found = on_text(extract(LEAD + f"Germany welcomed the {noun}."))
    assert found == {("Germany", "supports", "final Lisbon trade accord")}


def test_the_text_wins_over_the_topic_last_named(extract):
    # "the outcome" right after a topic is named is still the text, not that topic
    found = on_text(extract(LEAD + "It also cuts tariffs on steel. Germany praised the outcome."))
    assert ("Germany", "supports", "final Lisbon trade accord") in found


def test_an_amount_names_no_text(extract):
    text = "Canada approved an $800 million package for Mexico on Friday. Germany praised the package."
    assert not {f for f in on_text(extract(text)) if f[0] == "Germany"}


def test_a_trailing_participle_is_the_speakers(extract):
    # ", calling X Y" after a reported clause: the speaker calls it, not the clause's subject
    found = on_text(extract(LEAD + "Tom Becker said it was heartening that ministers had signed up to the plan, "
                                   "calling the outcome an important text."))
    assert ("Tom Becker", "supports", "final Lisbon trade accord") in found
