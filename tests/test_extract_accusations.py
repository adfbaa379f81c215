"""What someone is accused of doing is no one's position: not the accuser's, and not stated as the
accused's own ("accused X of strong-arming poorer ones into accepting Y"), however the parser hangs
the act on the accusation verb. The trade debate of tests/data/extract."""

from __future__ import annotations

import pytest



@pytest.fixture(scope="module")
def extract(trade_extract):
    return trade_extract


@pytest.mark.parametrize("sentence", [
    "Tom Becker described the deal as a disgrace, accusing Germany of strong-arming poorer ones into accepting "
    "the steel tariffs.",
    "Tom Becker accused Germany of pushing France into accepting the steel tariffs.",
])
def test_the_accused_act_is_no_position(extract, sentence):
    assert not {f for f in extract(sentence) if f[2] == "steel-tariffs" and f[1] == "supports"}


def test_an_urged_act_still_is(extract):
    assert ("Tom Becker", "supports", "steel-tariffs") in extract("Tom Becker urged France to accept the steel tariffs.")
