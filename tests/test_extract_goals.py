"""Positions without a stance cue. What is named as someone's goal they support ("Mexico's aim is to
ratify the trade deal"; unowned, "the goal, she said, was ...", the speaker holds it); the means of a
remedy is backed ("emissions can be cut through a carbon tax"). The trade debate of tests/data/extract."""

from __future__ import annotations

import pytest



@pytest.fixture(scope="module")
def extract(trade_extract):
    return trade_extract


@pytest.mark.parametrize("sentence, expected", [
    ("Mexico's aim is a new trade deal with Canada.", ("Mexico", "supports", "free-trade-agreement")),
    ("Canada's priority is to complete the trade agreement.", ("Canada", "supports", "free-trade-agreement")),
    ("Mexico's aim is to lift the tariffs on steel.", ("Mexico", "opposes", "steel-tariffs")),
    ("The goal, Maria Lopez said, was to conclude the trade deal as soon as possible.",
     ("Mexico", "supports", "free-trade-agreement")),
])
def test_a_goal_is_a_position(extract, sentence, expected):
    assert expected in extract(sentence)


@pytest.mark.parametrize("sentence", ["Mexico's aim is not to conclude the trade deal.",
                                      "If Mexico's aim were a trade deal, Canada would agree."])
def test_a_goal_denied_or_supposed_is_none(extract, sentence):
    assert not any(h == "Mexico" for h, _, _ in extract(sentence))


@pytest.mark.parametrize("sentence, stance", [
    ("Maria Lopez said emissions can be cut through a carbon tax.", "supports"),
    ("Maria Lopez said emissions could be curbed with a carbon tax and cleaner cars.", "supports"),
    ("Maria Lopez said emissions cannot be solved with a carbon tax.", "opposes"),
])
def test_a_means_of_a_remedy_is_backed(extract, sentence, stance):
    # "X can be curbed with Y": the speaker backs the means Y
    assert any(s == stance and t == "carbon-tax" for _, s, t in extract(sentence))


def test_a_remedy_without_a_means_says_nothing_of_it(extract):
    assert not any(t == "carbon-tax" for _, _, t in extract("Maria Lopez said emissions can be cut by 2030."))
