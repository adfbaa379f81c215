"""Constructions missed on the trial corpus (a migration pact debate no rule was written for):
"Berlin remains the pact's most important backer" (an agent noun's possessor is what it backs), "Poland and
Hungary voted against" (no object: the matter at hand), "will not take part in relocation", "will implement
the rules"."""

from __future__ import annotations

import pytest

from test_extract_false_alarms import CODEBOOK, GAZETTEER
from test_extract_label_forms import extractor_for

LEAD = "The asylum pact was adopted on Wednesday. "


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return extractor_for(tmp_path_factory.mktemp("ref"), CODEBOOK, GAZETTEER)


@pytest.mark.parametrize("sentence, stance", [
    ("Freedonia remains the asylum pact's most important backer.", "supports"),
    ("Freedonia is the asylum pact's fiercest critic.", "opposes"),
])
def test_an_agent_noun_backs_its_possessor(extract, sentence, stance):
    assert ("Freedonia", stance, "asylum-pact") in extract(sentence)


def test_a_vote_against_with_no_object_is_on_the_matter_at_hand(extract):
    found = extract(LEAD + "Freedonia and Ruritania voted against, diplomats said.")
    assert {("Freedonia", "opposes", "asylum-pact"), ("Ruritania", "opposes", "asylum-pact")} <= found, found


@pytest.mark.parametrize("sentence, stance", [
    ("Freedonia will take part in the asylum pact.", "supports"),
    ("Freedonia has made clear it will not take part in the asylum pact.", "opposes"),
    ("Freedonia will implement the asylum pact.", "supports"),
    ("Freedonia will not enforce the asylum pact.", "opposes"),
    ("Freedonia will participate in the asylum pact.", "supports"),
])
def test_taking_part_and_implementing(extract, sentence, stance):
    assert ("Freedonia", stance, "asylum-pact") in extract(sentence)
