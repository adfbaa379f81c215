"""A clause joined by "and" to a post-posed report goes on with the report: "X should happen, he said,
and Y must follow" is his claim too. The trade debate of tests/data/extract."""

from __future__ import annotations

import pytest

from kg.extraction import default_reference, shared_extractor
from kg.model.records import Document


@pytest.fixture(scope="module")
def extract(data_dir):
    d = data_dir / "extract"
    reference = default_reference([d / "gazetteer.ttl"], [d / "codebook.ttl"])
    extractor = shared_extractor()
    return lambda text: [(a.actor.label, a.stance, a.target.topic, a.attributed_to.label if a.attributed_to else None)
                         for a in extractor(Document("t", text), reference)]


def test_the_joined_clause_is_the_speakers(extract):
    # parsed with "curbed" joined to "said", not to the reported "built"
    found = extract("New plants should be built before old ones are closed, Maria Lopez said, and the emissions "
                    "from burning coal can be curbed with a carbon tax.")
    assert any(s == "supports" and t == "carbon-tax" for _, s, t, _ in found), found


def test_a_clause_joined_to_no_report_is_the_narrators(extract):
    found = extract("Maria Lopez spoke in Brussels, and emissions can be curbed with a carbon tax.")
    assert not any(t == "carbon-tax" for _, _, t, _ in found)
