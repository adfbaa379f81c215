"""A one-word noun label ("guarantees") is no verb: "to guarantee 2%" does not name the topic. spaCy tags a
label parsed on its own as best it can, and tags "guarantees" as a verb's third person (VBZ), a form no
label has; such a label is read as the plural noun it is."""

from __future__ import annotations

import pytest

CODEBOOK = """language: en
topics:
  - notation: security-guarantees
    label: Security guarantees for Ukraine
    aliases: [guarantees, security guarantees]
  - notation: defence-spending
    label: Defence spending
    aliases: [defence spending, 2% target]
"""
GAZETTEER = """language: en
gazetteer:
  title: "Two actors"
actors:
  - label: Estonia
    type: State
  - label: Kaja Kallas
    type: Person
"""


def extractor_for(folder, codebook: str, gazetteer: str,
                  row=lambda a: (a.actor.label, a.stance, a.target.topic)):
    """text -> {row(assertion)}, by default (holder, stance, topic), with this YAML codebook and gazetteer."""
    from kg.extraction import default_reference, shared_extractor
    from kg.model.records import Document

    (folder / "topics.yaml").write_text(codebook, encoding="utf-8")
    (folder / "actors.yaml").write_text(gazetteer, encoding="utf-8")
    reference = default_reference([folder / "actors.yaml"], [folder / "topics.yaml"])
    extractor = shared_extractor()
    return lambda text: {row(a) for a in extractor(Document("t", text), reference)}


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return extractor_for(tmp_path_factory.mktemp("ref"), CODEBOOK, GAZETTEER)


def test_the_verb_is_not_the_plural_noun_label(extract):
    found = extract("Kaja Kallas called for every ally to guarantee 2% of GDP.")
    assert ("Kaja Kallas", "supports", "security-guarantees") not in found


@pytest.mark.parametrize("sentence", ["Kaja Kallas called for guarantees for Ukraine.",
                                      "Kaja Kallas said Kyiv needed guarantees."])
def test_the_noun_still_names_the_topic(extract, sentence):
    assert ("Kaja Kallas", "supports", "security-guarantees") in extract(sentence)


SLOGAN_CODEBOOK = """language: en
topics:
  - notation: de-risking
    label: De-risking from China
    aliases: [de-risking, de-risk, "de-risking, not decoupling", "de-risk, not decouple"]
"""
SLOGAN_GAZETTEER = """language: en
gazetteer:
  title: "One actor"
actors:
  - label: G7
    type: InternationalOrganisation
"""


@pytest.fixture(scope="module")
def slogan_extract(tmp_path_factory):
    return extractor_for(tmp_path_factory.mktemp("slogan"), SLOGAN_CODEBOOK, SLOGAN_GAZETTEER)


def test_what_a_label_sets_its_topic_against_does_not_name_it(slogan_extract):
    # "de-risking, not decoupling": decoupling is what de-risking is not
    found = slogan_extract("The G7 said it was not seeking to decouple from China but would de-risk its economic ties.")
    assert found == {("G7", "supports", "de-risking")}
    assert slogan_extract("The G7 wants to decouple from China.") == set()
