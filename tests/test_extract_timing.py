"""Cues of timing: "too early", "too soon" want delay (hesitant, the guidelines' "wants delay"), unless what
is too early is to know something ("too early to say"), which is no position at all.

The trade debate of tests/data/extract: nothing in the rules knows its names or topics.
"""

from __future__ import annotations

import pytest

LEAD = "The United States imposed steel tariffs on Monday. "


@pytest.mark.parametrize("sentence", ["Germany said it was too early.", "Germany said it was too soon."])
def test_too_early_is_hesitant_on_the_topic_at_hand(trade_extract, sentence):
    assert ("Germany", "hesitant", "steel-tariffs") in trade_extract(LEAD + sentence)


@pytest.mark.parametrize("sentence", ["Germany said it was too early to say.",
                                      "Germany said it was too soon to tell.",
                                      "Germany said it was too early to predict what Washington would do next."])
def test_too_early_to_know_is_no_position(trade_extract, sentence):
    assert not {f for f in trade_extract(LEAD + sentence) if f[0] == "Germany"}
