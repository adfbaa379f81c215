"""False alarms found on a trial corpus of a debate none of the rules were written for (a migration pact):
each is a construction, tested here on a debate written for this test.

- a label's verb with a particle ("pushing back migrants") is not its verb alone ("pushed hard for a deal");
- an actor in a phrase beside a direct object is a partner, not the target ("defend its border with Ruritania");
- "urged X in April to reject Y": the infinitive, even parsed as an adverbial clause, is what is urged;
- a name used as a modifier ("the Dublin rules") is no new actor;
- what is named "under" a law or rules is its frame, nobody's position ("not possible under EU law");
- sending a message to someone is no support of them ("sent a letter to the Commission");
- an act someone failed to do is no position of theirs ("had failed to stop pushbacks").
"""

from __future__ import annotations

import pytest

from test_extract_label_forms import extractor_for

CODEBOOK = """language: en
topics:
  - notation: pushbacks
    label: Pushbacks at the border
    aliases: [pushbacks, pushing back migrants]
  - notation: border-fence
    label: Border fence
    aliases: [border fence, fence on the border]
  - notation: asylum-pact
    label: Asylum pact
    aliases: [asylum pact, the pact]
  - notation: relocation-rules
    label: Relocation rules
    aliases: [relocation rules, Brindisi rules]
"""
GAZETTEER = """language: en
gazetteer:
  title: "Four states and a commission"
actors:
  - label: Freedonia
    type: State
  - label: Ruritania
    type: State
  - label: Grand Fenwick
    type: State
  - label: Sylvania
    type: State
  - label: European Commission
    type: InternationalOrganisation
    aliases: [the Commission]
  - label: Refugee Aid
    type: Actor
"""


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return extractor_for(tmp_path_factory.mktemp("ref"), CODEBOOK, GAZETTEER)


def test_a_label_verb_with_a_particle_needs_one(extract):
    assert not any(t == "pushbacks" for _, _, t in extract("Freedonia pushed hard for the border fence."))
    assert ("Freedonia", "supports", "pushbacks") in extract("Freedonia has been pushing back migrants at sea.")


def test_an_actor_beside_the_object_is_a_partner(tmp_path):
    extract = extractor_for(tmp_path, CODEBOOK, GAZETTEER, row=lambda a: (a.actor.label, a.target.kind, a.target.label))
    found = extract("Freedonia will defend its border with Ruritania.")
    assert not any(kind == "actor" for _, kind, _ in found), found  # at most the uncoded "its border ..."


def test_an_infinitive_parsed_as_adverbial_is_what_is_urged(extract):
    found = extract("More than 100 groups, including Refugee Aid, urged lawmakers in April to reject the asylum pact.")
    assert ("Refugee Aid", "opposes", "asylum-pact") in found, found
    assert ("Refugee Aid", "supports", "asylum-pact") not in found, found


def test_a_name_as_a_modifier_is_no_actor(extract):
    found = extract("Under the current Brindisi rules, the first country is responsible for the claim.")
    assert not any(h.startswith("Brindisi") for h, _, _ in found), found


def test_under_a_law_is_a_frame_not_a_position(extract):
    found = extract("Freedonia said that building a border fence is not possible under Sylvania law.")
    assert not any(h == "Sylvania" for h, _, _ in found), found


@pytest.mark.parametrize("thing", ["a letter", "a message", "a delegation"])
def test_sending_a_message_is_no_support_of_its_recipient(extract, thing):
    found = extract(f"Freedonia sent {thing} to the Commission on Wednesday.")
    assert ("Freedonia", "supports", None) not in found and not found, found


def test_sending_aid_still_supports_its_recipient():
    # the recipient rule stands for what is given (the trade debate of tests/data/extract)
    from kg.extraction import default_reference, shared_extractor
    from kg.model.records import Document
    from pathlib import Path

    d = Path(__file__).parent / "data" / "extract"
    reference = default_reference([d / "gazetteer.ttl"], [d / "codebook.ttl"])
    found = {(a.actor.label, a.stance, a.target.label) for a in shared_extractor()(
        Document("t", "Germany sent emergency loans to Mexico."), reference)}
    assert ("Germany", "supports", "Mexico") in found, found


@pytest.mark.parametrize("verb", ["failed", "neglected"])
def test_an_act_not_done_is_no_position(extract, verb):
    found = extract(f"Refugee Aid said the governments had {verb} to stop pushbacks at their borders.")
    assert not any(t == "pushbacks" and h != "Refugee Aid" for h, _, t in found), found


def test_a_body_of_law_is_no_measure_of_its_owner(extract):
    found = extract("The asylum pact was agreed on Monday. Asylum claims must be processed in line with "
                    "Sylvania law, Freedonia said.")
    assert not any(h == "Sylvania" for h, _, _ in found), found
    # a measure with an owner still points back: "the Sylvanian rules", "Sylvania's law"
    found = extract("The asylum pact was agreed on Monday. Freedonia criticised Sylvania's law.")
    assert ("Freedonia", "opposes", "asylum-pact") in found, found


@pytest.mark.parametrize("where", ["in the Council", "at the summit in Brussels"])
def test_where_a_measure_was_voted_on_does_not_say_which(extract, where):
    found = extract(f"The asylum pact was agreed on Monday. Freedonia voted against the package {where}.")
    assert ("Freedonia", "opposes", "asylum-pact") in found, found
