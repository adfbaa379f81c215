"""Refusing one kind of what a topic is about is reluctance, not opposition (GUIDELINES: hesitant
"wants delay or conditions"; the codebooks: "limits deliveries of a particular weapon system").

The trade debate of tests/data/extract: nothing in the rules knows its names or topics.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extraction import default_reference, shared_extractor
from kg.model.records import Document

LEAD = "The United States imposed tariffs on steel imports on Monday. "


@pytest.fixture(scope="module")
def extract(trade_extract):
    return trade_extract


@pytest.mark.parametrize("phrase", ["such tariffs", "certain tariffs", "some of the tariffs on steel"])
def test_a_refused_kind_is_hesitant(extract, phrase):
    assert ("Germany", "hesitant", "steel-tariffs") in extract(LEAD + f"Germany would not support {phrase}.")


@pytest.mark.parametrize("sentence", ["Germany would not support tariffs on steel.",
                                      "Germany would not support new tariffs on steel.",
                                      # a demonstrative points back to the tariffs named, not to a kind of them
                                      "Germany would not support these tariffs.",
                                      "Germany will not apply that rule on steel tariffs."])
def test_the_topic_itself_refused_is_opposition(extract, sentence):
    found = extract(LEAD + sentence)
    assert ("Germany", "opposes", "steel-tariffs") in found
    assert ("Germany", "hesitant", "steel-tariffs") not in found


def test_support_of_a_kind_stays_support(extract):
    assert ("Germany", "supports", "steel-tariffs") in extract(LEAD + "Germany would support such tariffs.")



def test_a_pointer_takes_every_topic_of_a_deep_phrase():
    # "the restrictions" after "limits on the export of advanced chips and chipmaking tools": both topics,
    # however deep the first sits in the phrase that named them (the chips debate's reference data)
    chips = Path(__file__).resolve().parents[1].parent / "shared" / "devset" / "chips-export-controls"
    assert chips.is_dir(), f"{chips} is missing"
    reference = default_reference([chips / "gazetteer.ttl"], [chips / "codebook.ttl"])
    text = ("Washington imposed sweeping new limits on the sale of advanced chips and chipmaking gear to China. "
            "Beijing denounced the restrictions.")
    found = {(a.actor.label, a.stance, a.target.topic) for a in shared_extractor()(Document("t", text), reference)}
    assert {t for h, s, t in found if s == "opposes" and h == "China"} >= {
        "chip-export-controls", "equipment-export-controls"}, found
