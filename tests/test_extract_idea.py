"""A stance on "the idea" is a stance on the idea meant ("rejected the idea": the proposal named before) or on
what it is the idea of ("backs the idea of a carbon tax"); "the idea that X" and "the possibility of X" are
propositions, not what a stance is on.

The trade and climate debate of tests/data/extract: nothing in the rules knows its names or topics.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def extract(trade_extract):
    return trade_extract


@pytest.mark.parametrize("sentence, stance", [
    ("A carbon tax was proposed on Monday. France rejected the idea.", "opposes"),
    ("A carbon tax was proposed on Monday. France welcomed the suggestion.", "supports"),
    ("France rejected the idea of a carbon tax.", "opposes"),
    ("France backs the idea of a carbon tax.", "supports"),
])
def test_the_idea_meant_or_what_it_is_of(extract, sentence, stance):
    assert ("France", stance, "carbon-tax") in extract(sentence)


def test_a_proposition_is_no_target(extract):
    found = extract("A carbon tax was proposed on Monday. France rejected the idea that it would hurt growth.")
    assert not any(h == "France" for h, _, _ in found), found


@pytest.mark.parametrize("sentence, stance", [
    ("France gave the carbon tax a cautious welcome.", "hesitant"),
    ("France gave a cautious welcome to the carbon tax.", "hesitant"),
    ("France offered lukewarm support for the carbon tax.", "hesitant"),
    ("France expressed qualified support for the carbon tax.", "hesitant"),
    ("France expressed strong support for the carbon tax.", "supports"),
    ("France welcomed the carbon tax.", "supports"),
])
def test_support_said_with_reserve_is_hesitant(extract, sentence, stance):
    found = extract(sentence)
    assert ("France", stance, "carbon-tax") in found and len(found) == 1, found


@pytest.mark.parametrize("sentence", [
    "France remains wary of a carbon tax.",
    "France remains noncommittal on a carbon tax.",  # the parser hangs "on X" from "remains"
    "France has backed steel tariffs but remains noncommittal on a carbon tax.",
])
def test_an_adjective_after_a_copula_takes_its_phrase(extract, sentence):
    assert ("France", "hesitant", "carbon-tax") in extract(sentence)
