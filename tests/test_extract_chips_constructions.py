"""Constructions that state positions on measures: who owns a measure, what a warning says.

The trade debate of tests/data/extract: nothing in the rules knows its names or topics.
"""

from __future__ import annotations

import pytest


LEAD = "The United States imposed tariffs on steel imports on Monday. "


@pytest.fixture(scope="module")
def extract(trade_extract):
    return trade_extract


# "measures imposed by Washington" is "Washington's measures": a phrase that names its owner points back
@pytest.mark.parametrize("sentence", ["Germany criticised restrictions imposed by Washington.",
                                      "Germany said measures imposed by Washington would hurt European exporters."])
def test_a_measure_imposed_by_an_actor_points_back(extract, sentence):
    assert ("Germany", "opposes", "steel-tariffs") in extract(LEAD + sentence)


@pytest.mark.parametrize("sentence", ["Germany criticised restrictions imposed last year.",
                                      "Germany said measures would hurt European exporters."])
def test_a_measure_with_no_owner_named_is_no_pointer(extract, sentence):
    assert ("Germany", "opposes", "steel-tariffs") not in extract(LEAD + sentence)


# "warned that the tariffs would hurt exporters": a cost foreseen in a warning is hesitant, not against
@pytest.mark.parametrize("verb", ["warned", "cautioned"])
def test_a_bad_effect_in_a_warning_is_hesitant(extract, verb):
    found = extract(LEAD + f"Germany {verb} that the tariffs would hurt European exporters.")
    assert ("Germany", "hesitant", "steel-tariffs") in found
    assert ("Germany", "opposes", "steel-tariffs") not in found


def test_a_bad_effect_said_is_opposition(extract):
    found = extract(LEAD + "Germany said the tariffs would hurt European exporters.")
    assert ("Germany", "opposes", "steel-tariffs") in found
    assert ("Germany", "hesitant", "steel-tariffs") not in found


# "did not rule out taking the matter up at the WTO": a step on a subject of discussion is no position on it
@pytest.mark.parametrize("sentence", ["Germany did not rule out taking the matter up at the WTO.",
                                      "Germany wants to raise the issue with Washington."])
def test_a_step_on_the_matter_is_no_position_on_it(extract, sentence):
    assert not {f for f in extract(LEAD + sentence) if f[0] == "Germany"}


@pytest.mark.parametrize("sentence, stance", [("Germany wants to scrap the measure.", "opposes"),
                                              ("Germany did not rule out extending the measure.", "supports")])
def test_a_measure_under_a_verb_still_points_back(extract, sentence, stance):
    assert ("Germany", stance, "steel-tariffs") in extract(LEAD + sentence)


# "had protested to The Hague": the "to" phrase of a verb of addressing names whom, not what
@pytest.mark.parametrize("sentence", ["Germany protested to Mexico.", "Germany complained to Mexico."])
def test_whom_a_protest_is_addressed_to_is_no_target(extract, sentence):
    assert not {f for f in extract(LEAD + sentence) if f[0] == "Germany"}


@pytest.mark.parametrize("sentence", ["Germany objected to Mexico.", "Germany protested against Mexico."])
def test_what_is_objected_to_stays_the_target(extract, sentence):
    assert ("Germany", "opposes", None) in extract(LEAD + sentence)


# Answering a measure is acting against it: "called on the administration to respond forcefully to X"
@pytest.mark.parametrize("sentence", ["Germany called on the European Commission to respond forcefully to the tariffs.",
                                      "Germany vowed to retaliate against the tariffs."])
def test_a_response_to_a_measure_opposes_it(extract, sentence):
    assert ("Germany", "opposes", "steel-tariffs") in extract(LEAD + sentence)


def test_no_response_is_no_position(extract):
    found = extract(LEAD + "Germany did not respond to requests for comment on the tariffs.")
    assert not {f for f in found if f[0] == "Germany"}


# "said the changes will make the tariffs more effective": what something makes good or bad, said by someone
@pytest.mark.parametrize("predicate, stance", [("more effective", "supports"), ("unfair", "opposes")])
def test_what_something_makes_of_a_measure_is_the_speakers_judgement(extract, predicate, stance):
    found = extract(LEAD + f"Maria Lopez said the changes would make the tariffs {predicate}.")
    assert ("Mexico", stance, "steel-tariffs") in found


def test_what_a_measure_makes_of_something_else_is_no_judgement_of_it(extract):
    found = extract(LEAD + "Maria Lopez said the tariffs would make customs checks more effective.")
    assert ("Mexico", "supports", "steel-tariffs") not in found


# "deeply concerned by X" objects to X, as "worried by X" does (the guidelines' hesitant is reluctance,
# wariness, delay; a concern about a measure is an objection to it)
@pytest.mark.parametrize("adjective", ["concerned", "worried"])
def test_concern_about_a_measure_is_opposition(extract, adjective):
    found = extract(LEAD + f"Germany is deeply {adjective} by the tariffs.")
    assert ("Germany", "opposes", "steel-tariffs") in found
    assert ("Germany", "hesitant", "steel-tariffs") not in found
