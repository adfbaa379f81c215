"""Any name, any script: document ids and actor IRIs are valid and distinct for any file name and label."""

from __future__ import annotations

import string

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.graph.build import build
from kg.model.namespaces import actor_iri, document_graph, document_iri, normalise_label, source_iri
from kg.store import open_store

# Spaces, punctuation, Cyrillic, Arabic, CJK, combining marks, symbols.
ALPHABET = (string.ascii_letters + string.digits + " .,;:!?%<>{}|^`\\\"'()[]#&+=@~-_" + "ПутинЗеленскийёЁ"
            + "محمدبنسلمان" + "習近平中国" + "e\u0301a\u0300o\u0308" + "कि" + "🙂€§")
NAMES = st.text(alphabet=ALPHABET, min_size=1, max_size=24)


def _valid_iri(value: str) -> None:
    ox.NamedNode(value)  # raises ValueError for an invalid IRI


@settings(max_examples=500, deadline=None)
@given(a=NAMES, b=NAMES)
def test_distinct_labels_get_distinct_iris(a, b):
    for make in (actor_iri, source_iri):
        _valid_iri(make(a))
        if normalise_label(a) != normalise_label(b):
            assert make(a) != make(b), (a, b)
        else:
            assert make(a) == make(b)


@settings(max_examples=500, deadline=None)
@given(a=NAMES, b=NAMES)
def test_document_ids_are_valid_and_distinct(a, b):
    for make in (document_iri, document_graph):
        _valid_iri(make(a))
        assert (make(a) == make(b)) == (a == b)


FILE_NAMES = st.text(alphabet=string.ascii_letters + string.digits + " %<>{}|^`'()[]#&+=@~-_,;!" + "ПутинЗеле習近平é",
                     min_size=1, max_size=20).filter(lambda n: n.strip() and not n.startswith((".", "-")))


@settings(max_examples=25, deadline=None)
@given(names=st.lists(FILE_NAMES, min_size=1, max_size=4, unique_by=lambda n: n.lower()))
def test_any_file_name_builds(tmp_path_factory, names):
    folder = tmp_path_factory.mktemp("names")
    for i, name in enumerate(names):
        (folder / f"{name}.txt").write_text(f"Article {i} on the debate.\n", encoding="utf-8")
    report = build([folder], ":memory:")
    assert report.documents == len(names)


def test_cyrillic_actors_stay_apart(tmp_path):
    (tmp_path / "a.txt").write_text("Путин говорит. Зеленский говорит.\n", encoding="utf-8")
    (tmp_path / "curated.yaml").write_text(
        "actors:\n- {label: Путин, type: Person}\n- {label: Зеленский, type: Person}\n- {label: A.B}\n- {label: A B}\n"
        "assertions:\n"
        "- {doc: a, actor: Путин, stance: opposes, target: 'actor:Зеленский', certainty: certain, quote: Путин говорит}\n"
        "- {doc: a, actor: Зеленский, stance: opposes, target: 'actor:Путин', certainty: certain, quote: Зеленский говорит}\n"
        "- {doc: a, actor: A.B, stance: opposes, target: 'actor:A B', certainty: certain, quote: Путин говорит}\n",
        encoding="utf-8")
    store = tmp_path / "s.kg"
    build([tmp_path], store)
    from kg.analysis.positions import stance

    with open_store(store, read_only=True) as s:
        rows = stance(s, "Путин")
        assert [r["quote"] for r in rows] == ["Путин говорит"]
        assert [r["actor"] for r in stance(s, "A.B")] == ["A.B"]
