"""Refusing one kind of what a topic is about is reluctance, not opposition (GUIDELINES: hesitant
"wants delay or conditions"; the codebooks: "limits deliveries of a particular weapon system").

The trade debate of tests/data/extract: nothing in the rules knows its names or topics.
"""

from __future__ import annotations

import pytest

from kg.extraction import default_reference, shared_extractor
from kg.model.records import Document

LEAD = "The United States imposed tariffs on steel imports on Monday. "


@pytest.fixture(scope="module")
def extract(data_dir):
    d = data_dir / "extract"
    reference = default_reference([d / "gazetteer.ttl"], [d / "codebook.ttl"])
    extractor = shared_extractor()
    return lambda text: {(a.actor.label, a.stance, a.target.topic) for a in extractor(Document("t", text), reference)}


@pytest.mark.parametrize("phrase", ["such tariffs", "these tariffs", "some of the tariffs on steel"])
def test_a_refused_kind_is_hesitant(extract, phrase):
    assert ("Germany", "hesitant", "steel-tariffs") in extract(LEAD + f"Germany would not support {phrase}.")


@pytest.mark.parametrize("sentence", ["Germany would not support tariffs on steel.",
                                      "Germany would not support new tariffs on steel."])
def test_the_topic_itself_refused_is_opposition(extract, sentence):
    found = extract(LEAD + sentence)
    assert ("Germany", "opposes", "steel-tariffs") in found
    assert ("Germany", "hesitant", "steel-tariffs") not in found


def test_support_of_a_kind_stays_support(extract):
    assert ("Germany", "supports", "steel-tariffs") in extract(LEAD + "Germany would support such tariffs.")
