"""A word before a role noun makes it another office: "the deputy mayor" is not the gazetteer's mayor
(``other_office_words`` in lexicons/actors.yaml)."""

from __future__ import annotations

import pytest

from test_extract_label_forms import extractor_for

CODEBOOK = """language: en
topics:
  - notation: road-tolls
    label: Road tolls
    aliases: [road tolls, tolls on roads]
"""
GAZETTEER = """language: en
gazetteer:
  title: "A town"
actors:
  - label: Helen Carter
    type: Person
    roles:
      - title: Mayor of Northbridge
        organisation: Northbridge Council
        aliases: [the mayor]
  - label: Northbridge Council
    type: Actor
  - label: Omar Reyes
    type: Person
    roles:
      - title: Deputy Mayor of Northbridge
        organisation: Northbridge Council
        aliases: [the deputy mayor]
"""


@pytest.fixture(scope="module")
def speakers(tmp_path_factory):
    return extractor_for(tmp_path_factory.mktemp("ref"), CODEBOOK, GAZETTEER,
                         row=lambda a: (a.actor.label, a.stance, a.attributed_to.label if a.attributed_to else None))


def test_the_role_names_its_holder(speakers):
    assert ("Northbridge Council", "supports", "Helen Carter") in speakers(
        "Northbridge Council backs road tolls, the mayor said.")


def test_a_title_that_begins_with_such_a_word_is_its_own_office(speakers):
    assert ("Northbridge Council", "supports", "Omar Reyes") in speakers(
        "Northbridge Council backs road tolls, the deputy mayor said.")


@pytest.mark.parametrize("office", ["vice-mayor", "acting mayor", "shadow mayor", "assistant mayor"])
def test_another_office_is_not_the_holder(speakers, office):
    found = speakers(f"Northbridge Council backs road tolls, the {office} said.")
    assert not any("Helen Carter" in (holder, speaker) for holder, _, speaker in found), found
