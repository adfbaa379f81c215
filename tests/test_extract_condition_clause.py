"""A clause that sets a condition or gives a reason ("if France agrees", "once Paris agrees", "because
France insists") is no report: its subject is not the speaker. "As France noted" still reports.

The trade debate of tests/data/extract: nothing in the rules knows its names or topics.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def speakers():
    from kg.extraction import default_reference, shared_extractor
    from kg.model.records import Document
    from pathlib import Path

    d = Path(__file__).parent / "data" / "extract"
    reference = default_reference([d / "gazetteer.ttl"], [d / "codebook.ttl"])
    extractor = shared_extractor()
    return lambda text: {(a.actor.label, a.stance, a.target.topic, a.attributed_to.label if a.attributed_to else None)
                         for a in extractor(Document("t", text), reference)}


@pytest.mark.parametrize("clause", ["if France agrees", "once France agrees", "because France insists",
                                    "unless France objects", "when France agrees", "although France disagrees"])
def test_a_condition_or_reason_is_no_report(speakers, clause):
    found = speakers(f"Germany would back tariffs on steel {clause}.")
    assert ("Germany", "supports", "steel-tariffs", None) in found, found


@pytest.mark.parametrize("report", ["France said", "as France noted"])
def test_a_report_still_names_its_speaker(speakers, report):
    found = speakers(f"Germany backs tariffs on steel, {report}.")
    assert ("Germany", "supports", "steel-tariffs", "France") in found, found


@pytest.mark.parametrize("sentence", [
    "A spokesman for Canada said Germany, as a member of the convention, would not back tariffs on steel.",
    "France said Germany would not back tariffs on steel.",
])
def test_the_reported_clause_keeps_its_subject(speakers, sentence):
    # the parser may read "said Germany, as ..., would not" with Germany as the object of "said"
    found = speakers(sentence)
    assert any(h == "Germany" and s == "opposes" and t == "steel-tariffs" for h, s, t, _ in found), found
    assert not any(h in ("Canada", "France") for h, _, _, _ in found), found
