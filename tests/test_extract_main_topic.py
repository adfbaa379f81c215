"""A pointer far from any mention ("last year's law") means what the text has been about most; when two
topics are named as often, the one named first, which a news story names in its lead.

The election debate of tests/data/extract: nothing in the rules knows its names or topics.
"""

from __future__ import annotations

LAW = "Parliament passed the voter ID law on Monday, and the voter identification law takes effect in May. "
ELECTION = "The opposition demanded a snap election, and early elections may follow. "
FILLER = "Markets were calm. Turnout data were published. Analysts expect a busy spring. "
POINTER = "Maria Lopez has described last year's law as a good first step."


def positions_on_the_law(found):
    return {f for f in found if f[2] == "voter-id-law" and f[0] in ("Mexico", "Maria Lopez")}


def test_a_tie_goes_to_the_topic_named_first(trade_extract):
    # Both topics are named twice before the pointer; the law was named first.
    assert positions_on_the_law(trade_extract(LAW + ELECTION + FILLER + POINTER)) == {
        ("Mexico", "supports", "voter-id-law")}


def test_the_topic_named_first_must_still_fit_the_pointer(trade_extract):
    # The election was named first; "law" is no word of it, so the pointer resolves to nothing.
    found = trade_extract(ELECTION + LAW + FILLER + POINTER)
    assert positions_on_the_law(found) == set()
    assert not {f for f in found if f[0] in ("Mexico", "Maria Lopez")}
