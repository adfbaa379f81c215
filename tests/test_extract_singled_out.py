"""A member singled out after a stance's object ("phase out fossil fuels, especially coal") shares the
stance, when it names a topic of its own (``focus_markers`` in lexicons/targets.yaml).

A transport-and-energy debate written for this test: nothing in the rules knows its names or topics.
"""

from __future__ import annotations

import pytest

from test_extract_label_forms import extractor_for

CODEBOOK = """language: en
topics:
  - notation: fossil-phase-out
    label: Phasing out fossil fuels
    aliases: [phase out fossil fuels, fossil fuel phase-out, phase-out of fossil fuels]
  - notation: coal-exit
    label: Phasing out coal
    aliases: [phase out coal, coal phase-out, phase-out of coal]
  - notation: road-tolls
    label: Road tolls
    aliases: [road tolls, tolls on roads, road charging]
  - notation: lorry-tolls
    label: Tolls for lorries
    aliases: [lorry tolls, tolls for lorries]
"""
GAZETTEER = """language: en
gazetteer:
  title: "Two actors"
actors:
  - label: Ruritania
    type: State
  - label: Anna Berg
    type: Person
"""


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return extractor_for(tmp_path_factory.mktemp("ref"), CODEBOOK, GAZETTEER)


@pytest.mark.parametrize("sentence", [
    "Anna Berg urged the world to phase out fossil fuels, especially coal.",
    'Anna Berg called for a firm commitment to phase out fossil fuels, "first and foremost coal".',
    "Anna Berg called for a phase-out of fossil fuels, in particular coal.",
    "Anna Berg backed the phase-out of fossil fuels, notably coal.",
])
def test_the_member_shares_the_stance(extract, sentence):
    found = extract(sentence)
    assert {("Anna Berg", "supports", "fossil-phase-out"), ("Anna Berg", "supports", "coal-exit")} <= found, found


def test_an_opposed_whole_opposes_the_member(extract):
    found = extract("Ruritania opposes road tolls, above all tolls for lorries.")
    assert {("Ruritania", "opposes", "road-tolls"), ("Ruritania", "opposes", "lorry-tolls")} <= found, found


@pytest.mark.parametrize("sentence", [
    "Anna Berg backed the phase-out of fossil fuels, notably in Asia.",  # a place, not a member
    "Anna Berg urged the world to phase out fossil fuels and coal prices fell.",  # no marker
    "Anna Berg urged the world to phase out fossil fuels, especially quickly.",  # a manner
])
def test_without_a_singled_out_member_only_the_whole(extract, sentence):
    found = extract(sentence)
    assert ("Anna Berg", "supports", "fossil-phase-out") in found, found
    assert not any(t == "coal-exit" for _, _, t in found), found


FRAMES = """language: en
topics:
  - notation: ruritania-membership
    label: Ruritania's EU membership
    aliases: [Ruritania join the EU]
  - notation: grand-fenwick-membership
    label: Grand Fenwick's EU membership
    aliases: [Grand Fenwick join the EU]
"""
FRAME_ACTORS = """language: en
gazetteer:
  title: "Three states and a union"
actors:
  - label: Ruritania
    type: State
  - label: Grand Fenwick
    type: State
  - label: Freedonia
    type: State
  - label: European Union
    type: InternationalOrganisation
    aliases: [EU]
"""


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    return extractor_for(tmp_path_factory.mktemp("frames"), FRAMES, FRAME_ACTORS)


@pytest.mark.parametrize("verb", ["urged", "asked", "pressed"])
def test_who_is_made_to_act_is_the_frame_s_subject(frames, verb):
    # "Freedonia urged Grand Fenwick to join the EU" names Grand Fenwick's joining, whichever topic came last
    found = frames(f"Ruritania wants to join the EU. Freedonia {verb} Grand Fenwick to join the EU.")
    assert ("Freedonia", "supports", "grand-fenwick-membership") in found, found
    assert ("Freedonia", "supports", "ruritania-membership") not in found, found


@pytest.mark.parametrize("verb", ["wants", "wished", "needs"])
def test_whom_someone_wants_to_act_holds_nothing_by_it(frames, verb):
    found = frames(f"Ruritania wants to join the EU. Freedonia {verb} Grand Fenwick to join the EU.")
    assert not any(h == "Grand Fenwick" for h, _, _ in found), found
    if verb == "wants":  # a stance verb: the wish is Freedonia's, and it is about Grand Fenwick's joining
        assert ("Freedonia", "supports", "grand-fenwick-membership") in found, found
