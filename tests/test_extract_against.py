"""What a thing is against, when the stance is on the thing: "launched a petition against X" opposes X
(``prepositions`` in lexicons/stance.yaml name the prepositions of opposing).

The trade debate of tests/data/extract: nothing in the rules knows its names or topics.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def extract(trade_extract):
    return trade_extract


@pytest.mark.parametrize("sentence", [
    "Germany launched a petition against the carbon tax.",
    "Germany joined the protest against the carbon tax.",
    "Germany signed a letter against the carbon tax.",
    "Germany's campaign against the carbon tax continues.",
])
def test_a_thing_against_a_topic_opposes_it(extract, sentence):
    found = extract(sentence)
    assert ("Germany", "opposes", "carbon-tax") in found, found
    assert ("Germany", "supports", "carbon-tax") not in found, found


@pytest.mark.parametrize("sentence", [
    "Germany launched a petition for the carbon tax.",
    "Germany's campaign for the carbon tax continues.",
])
def test_a_thing_for_a_topic_still_supports_it(extract, sentence):
    found = extract(sentence)
    assert ("Germany", "supports", "carbon-tax") in found, found
    assert ("Germany", "opposes", "carbon-tax") not in found, found


def test_a_negated_act_against_a_topic_supports_it(extract):
    found = extract("Germany refused to sign the letter against the carbon tax.")
    assert ("Germany", "opposes", "carbon-tax") not in found, found


def test_a_topic_that_is_itself_against_something_keeps_its_stance(extract):
    # "tariffs on steel" is the topic; what the tariffs are against says nothing of the stance on them
    found = extract("France backed tariffs on steel against Chinese overcapacity.")
    assert ("France", "supports", "steel-tariffs") in found, found
