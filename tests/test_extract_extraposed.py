"""Judging a clause an "it" stands for is a position on what the clause says happens: "it was wrong that
tariffs were imposed" opposes them, "it is regrettable that the tax was dropped" supports it, "it would be a
mistake to send troops" opposes sending them. The judged act is no one's act. Typographic apostrophes read as
straight ones ("It’s absurd").

The trade and climate debate of tests/data/extract: nothing in the rules knows its names or topics.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def extract(trade_extract):
    return trade_extract


@pytest.mark.parametrize("sentence, stance", [
    ("Germany said it was wrong that tariffs on steel had been imposed.", "opposes"),
    ("Germany said it was good that tariffs on steel had been imposed.", "supports"),
    ("It is regrettable that the tariffs on steel were dropped, Germany said.", "supports"),
    ("It is unacceptable that no tariffs on steel were agreed, Germany said.", "supports"),
    ("It is a mistake that tariffs on steel were not imposed, Germany said.", "supports"),
    ("It would be a mistake to impose tariffs on steel, Germany said.", "opposes"),
    ("Germany said it was wrong to impose tariffs on steel.", "opposes"),
    ("It is not wrong to impose tariffs on steel, Germany said.", "supports"),
    ("It is necessary to impose tariffs on steel, Germany said.", "supports"),
    ("It is absurd when no tariffs on steel are imposed, Germany said.", "supports"),
    ("It’s wrong to impose tariffs on steel, Germany said.", "opposes"),
    ("“It’s absurd when no tariffs on steel are imposed,” Germany said.", "supports"),
])
def test_the_judged_clause_gives_the_stance(extract, sentence, stance):
    found = extract(sentence)
    assert ("Germany", stance, "steel-tariffs") in found, found
    assert len({s for h, s, t in found if h == "Germany" and t == "steel-tariffs"}) == 1, found


@pytest.mark.parametrize("sentence", [
    "It is likely that tariffs on steel will be imposed, Germany said.",  # a forecast, not a judgement
    "It was wrong that tariffs on steel were imposed.",  # the narrator's own judgement is not coded
])
def test_no_judgement_no_position(extract, sentence):
    assert not any(t == "steel-tariffs" for _, _, t in extract(sentence))


def test_the_subject_of_a_judged_clause_is_not_said_to_hold_it(extract):
    found = extract("It is important that Canada imposes tariffs on steel, France said.")
    assert ("France", "supports", "steel-tariffs") in found, found
    assert not any(h == "Canada" for h, _, _ in found), found


def test_typographic_contractions_have_the_straight_ones_lemmas():
    from kg.extraction.pipeline import load_pipeline

    nlp = load_pipeline()
    for curly, straight in [("It’s wrong.", "It's wrong."), ("They’re ready.", "They're ready."),
                            ("I’m sure.", "I'm sure."), ("It’s been a mistake.", "It's been a mistake."),
                            ("He’d back it.", "He'd back it.")]:
        assert [t.lemma_ for t in nlp(curly)][:3] == [t.lemma_ for t in nlp(straight)][:3], curly
    assert [t.lemma_ for t in nlp("Ukraine’s future is in NATO.")][1] == "’s"  # a possessive stays one
