""""I" and "we" in a quotation are its speaker, whatever construction states the position: a stance verb,
an evaluation, a goal ("our aim is to ..."). "We" in a minister's mouth is her government, with her as
the speaker (the guidelines: an official speaking for their state). One rule serves every construction
(kg.extraction.rules._Run._holders_of).

The trade debate of tests/data/extract: Maria Lopez is Mexico's economy minister there.
"""

from __future__ import annotations

import pytest

LEAD = "The United States imposed steel tariffs on Monday. "
CLAIMS = ["We oppose the tariffs", "We think the tariffs are a mistake", "Our aim is to scrap the tariffs",
          "I oppose the tariffs", "I think the tariffs are a mistake", "My aim is to scrap the tariffs"]


@pytest.fixture(scope="module")
def extract(data_dir):
    from kg.extraction import default_reference, shared_extractor
    from kg.model.records import Document

    d = data_dir / "extract"
    reference = default_reference([d / "gazetteer.ttl"], [d / "codebook.ttl"])
    extractor = shared_extractor()
    return lambda text: {(a.actor.label, a.stance, a.target.topic, a.attributed_to and a.attributed_to.label)
                         for a in extractor(Document("t", text), reference)}


@pytest.mark.parametrize("claim", CLAIMS)
def test_a_ministers_first_person_is_her_government_in_every_construction(extract, claim):
    found = extract(LEAD + f'"{claim}," Maria Lopez said.')
    assert {f for f in found if f[0] != "United States"} == {("Mexico", "opposes", "steel-tariffs", "Maria Lopez")}


@pytest.mark.parametrize("claim", CLAIMS)
def test_a_first_person_outside_a_quotation_holds_nothing(extract, claim):
    assert {f for f in extract(LEAD + claim + ".") if f[0] != "United States"} == set()
