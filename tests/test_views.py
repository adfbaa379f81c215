"""Views: assertion rows → networkx graphs, projections, filters and pruning."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pytest

from kg.analysis import actor_pairs, actor_views

from kg.analysis import views
from kg.model.errors import InputError, KgError, UnknownNameError
from kg.analysis.rows import Filters, Row, fetch_rows, filter_rows
from kg.analysis.view_spec import ViewSpec, resolve_spec
from kg.analysis.views import build_view

POLAND = "https://w3id.org/kg/id/actor/poland"
BALTICS = "https://w3id.org/kg/id/actor/baltic-states"
TROOPS = "https://w3id.org/kg/id/topic/troop-deployment"


def row(i: int, actor: str, stance: str, target: str, certainty: str = "certain", *, date: str | None = None,
        source: str | None = None, doc: str = "d1") -> Row:
    """A hand-made assertion row (IRIs are ``ex:<name>``; labels are the names)."""
    return Row(assertion=f"ex:a{i}", actor=f"ex:{actor}", actor_label=actor, actor_type="State", stance=stance,
               target=f"ex:{target}", target_label=target, target_kind="topic", topic=target, certainty=certainty,
               speaker=None, speaker_label=None, quote=f"quote {i}", doc=doc, source=source or doc, outlet=source,
               date=date, method="curated", confidence=None)


@pytest.fixture
def rows(seeds_store):
    return fetch_rows(seeds_store)


def labels(g, nodes) -> set[str]:
    return {g.nodes[n]["label"] for n in nodes}


def test_rows_are_one_per_assertion_with_doc_as_source(seeds_store, rows):
    n = seeds_store.query("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a kg:Assertion }").dicts()[0]["n"]
    assert len(rows) == n > 0
    assert len({r.assertion for r in rows}) == len(rows)
    # The seeds have no front matter: the source falls back to the document id.
    assert all(r.source == r.doc and r.outlet is None for r in rows)
    assert {r.doc for r in rows} == {"000_33a90556ae30723f", "004_a00d91becb0c72f2"}


def test_stance_view_counts(seeds_store, rows):
    g = views.view_graph(seeds_store, "stance", rows=rows)
    assert g.is_directed() and g.is_multigraph()
    assert g.number_of_nodes() == len({r.actor for r in rows} | {r.target for r in rows})
    assert g.number_of_edges() == len({(r.actor, r.target, r.stance) for r in rows})
    assert sum(d["weight"] for *_, d in g.edges(keys=True, data=True)) == len(rows)
    d = g.edges[POLAND, TROOPS, "supports"]
    assert d["weight"] == 2 and d["certainty"] == "probable"  # the highest of possible and probable
    assert {q["certainty"] for q in d["quotes"]} == {"possible", "probable"}
    assert all(q["speaker"] == "Anders Fogh Rasmussen" for q in d["quotes"])
    assert g.nodes[TROOPS]["type"] == "Topic" and g.nodes[POLAND]["type"] == "State"
    assert g.graph["note"] == ""


def test_congruence_links_poland_and_baltic_states_through_troop_deployment(seeds_store, rows):
    g = views.view_graph(seeds_store, "congruence", rows=rows)
    assert not g.is_directed()
    assert g.has_edge(POLAND, BALTICS)
    d = g.edges[POLAND, BALTICS]
    assert d["weight"] == 1 and d["stance"] == "supports" and d["certainty"] == "possible"
    assert d["shared"] == ["supports " + rows_label(rows, TROOPS)]
    assert {q["actor"] for q in d["quotes"]} == {"Poland", "Baltic states"}
    assert any("may be ready to send troops" in q["quote"] for q in d["quotes"])
    assert d["n_quotes"] == len(d["quotes"]) == 4
    # Coalitions: both in one community.
    assert g.nodes[POLAND]["community"] == g.nodes[BALTICS]["community"] > 0


def rows_label(rows, iri) -> str:
    return next(r.target_label for r in rows if r.target == iri)


def test_congruence_weight_is_number_of_shared_target_stance_pairs(seeds_store, rows):
    g = actor_views.congruence_graph(rows)
    held = defaultdict(set)
    for r in rows:
        held[r.actor].add((r.target, r.stance))
    expected = {frozenset((a, b)): len(held[a] & held[b]) for a, b in combinations(held, 2) if held[a] & held[b]}
    got = {frozenset((a, b)): d["weight"] for a, b, d in g.edges(data=True)}
    assert got == expected
    assert set(g) == set(held)  # every actor is a node, sharing or not


def test_pair_projection_by_bit_sets_equals_enumeration():
    groups = {("t1", "supports"): {"a", "b", "c"}, ("t2", "supports"): {"a", "b"}, ("t3", "opposes"): {"c", "d"}}
    enum, k1 = actor_pairs._pairs(groups, 10_000, across=False)
    bits, k2 = actor_pairs._pairs(groups, 1, across=False)
    assert all(isinstance(v, list) for v in enum.values()) and all(isinstance(v, int) for v in bits.values())
    assert {p: actor_pairs._shared(v, k1) for p, v in enum.items()} == {p: sorted(actor_pairs._shared(v, k2)) for p, v in bits.items()}
    assert enum[("a", "b")] == [("t1", "supports"), ("t2", "supports")]
    cross = {"t1": ({"a", "b"}, {"c", "a"}), "t2": ({"d"}, {"b"})}
    e2, k3 = actor_pairs._pairs(cross, 10_000, across=True)
    b2, k4 = actor_pairs._pairs(cross, 1, across=True)
    assert {p: actor_pairs._shared(v, k3) for p, v in e2.items()} == {p: sorted(actor_pairs._shared(v, k4)) for p, v in b2.items()}
    assert set(e2) == {("a", "c"), ("b", "c"), ("a", "b"), ("b", "d")}


def test_conflict_links_opposite_stances_on_the_same_target():
    rs = [row(1, "A", "supports", "X"), row(2, "B", "opposes", "X", "possible"), row(3, "C", "supports", "X"),
          row(4, "C", "supports", "Y"), row(5, "A", "supports", "Y"), row(6, "D", "hesitant", "X")]
    g = build_view(rs, ViewSpec("conflict"))
    pairs = {frozenset((g.nodes[a]["label"], g.nodes[b]["label"])) for a, b in g.edges()}
    assert pairs == {frozenset("AB"), frozenset("BC")}  # hesitant contradicts nothing
    d = g.edges["ex:A", "ex:B"]
    assert d["stance"] == "conflict" and d["shared"] == ["X"] and d["certainty"] == "possible"
    assert {q["actor"] for q in d["quotes"]} == {"A", "B"}
    # Coalitions come from congruence: A and C agree on X and Y, B stands apart.
    assert g.nodes["ex:A"]["community"] == g.nodes["ex:C"]["community"] != g.nodes["ex:B"]["community"]


def test_seeds_have_no_conflict(seeds_store, rows):
    g = views.view_graph(seeds_store, "conflict", rows=rows)
    assert g.number_of_nodes() == g.number_of_edges() == 0


def test_certainty_filter_is_a_minimum(seeds_store, rows):
    g = views.view_graph(seeds_store, "stance", filters=Filters.make(certainty="probable"), rows=rows)
    assert all(d["certainty"] in ("probable", "certain") for *_, d in g.edges(keys=True, data=True))
    assert g.has_edge(POLAND, TROOPS) and BALTICS not in g  # Baltic states: only "possible"
    assert g.edges[POLAND, TROOPS, "supports"]["weight"] == 1
    c = views.view_graph(seeds_store, "congruence", filters=Filters.make(certainty="probable"), rows=rows)
    assert not c.has_edge(POLAND, BALTICS)


def test_source_and_stance_filters(seeds_store, rows):
    g = views.view_graph(seeds_store, "stance", filters=Filters.make(source="004_a00d91becb0c72f2"), rows=rows)
    assert all(q["doc"] == "004_a00d91becb0c72f2" for *_, d in g.edges(keys=True, data=True) for q in d["quotes"])
    assert "United States" in labels(g, g)
    g0 = views.view_graph(seeds_store, "stance", filters=Filters.make(source="000_33a90556ae30723f"), rows=rows)
    assert "United States" not in labels(g0, g0)
    h = views.view_graph(seeds_store, "stance", filters=Filters.make(stance="hesitant"), rows=rows)
    assert {d["stance"] for *_, d in h.edges(keys=True, data=True)} == {"hesitant"}
    with pytest.raises(UnknownNameError, match="unknown source"):
        views.view_graph(seeds_store, "stance", filters=Filters.make(source="Pravda"), rows=rows)


def test_date_filters_use_the_document_date_and_drop_undated():
    rs = [row(1, "A", "supports", "X", date="2023-06-30"), row(2, "B", "supports", "X", date="2023-07-11"),
          row(3, "C", "supports", "X", date="2023-08-01"), row(4, "D", "supports", "X")]
    keep = lambda **kw: {r.actor_label for r in filter_rows(rs, Filters.make(**kw))}  # noqa: E731
    assert keep(since="2023-07") == {"B", "C"}
    assert keep(until="2023-07") == {"A", "B"}  # the whole of July
    assert keep(since="2023-07-11", until="2023-07-11") == {"B"}
    assert keep(until="2023") == {"A", "B", "C"}
    assert keep() == {"A", "B", "C", "D"}


@pytest.mark.parametrize("kw, error", [
    ({"certainty": "maybe"}, UnknownNameError), ({"stance": "supports,loves"}, UnknownNameError),
    ({"since": "2023-13"}, InputError), ({"until": "July"}, InputError),
    ({"since": "2023-08-01", "until": "2023-07-01"}, InputError),
])
def test_bad_filters_raise_kg_errors(kw, error):
    with pytest.raises(error):
        Filters.make(**kw)


def test_actor_view_is_the_ego_network(seeds_store, rows):
    g1 = views.view_graph(seeds_store, "actor", "poland", depth=1, rows=rows)
    assert labels(g1, g1) == {"Poland", "Ukraine", rows_label(rows, TROOPS)}
    g2 = views.view_graph(seeds_store, "actor", "Poland", depth=2, rows=rows)
    assert {"Baltic states", "NATO allies"} <= labels(g2, g2)
    assert g2.graph["focus"] == POLAND and g2.graph["focus_label"] == "Poland"


def test_topic_view_is_who_stands_where(seeds_store, rows):
    g = views.view_graph(seeds_store, "topic", "troop deployment", rows=rows)
    assert labels(g, g) == {"Poland", "Baltic states", "NATO allies", rows_label(rows, TROOPS)}
    assert all(v == TROOPS for _, v in g.edges())
    assert g.graph["assertions"] == sum(1 for r in rows if r.target == TROOPS)


def test_bad_view_input_raises_kg_errors(seeds_store):
    with pytest.raises(UnknownNameError, match="unknown view"):
        resolve_spec(seeds_store, "bogus")
    with pytest.raises(UnknownNameError, match="unknown actor"):
        resolve_spec(seeds_store, "actor", "Atlantis")
    with pytest.raises(UnknownNameError):
        resolve_spec(seeds_store, "topic", "moon landing")
    with pytest.raises(InputError, match="needs a name"):
        resolve_spec(seeds_store, "actor")
    with pytest.raises(InputError, match="takes no name"):
        resolve_spec(seeds_store, "congruence", "Poland")
    with pytest.raises(KgError, match="depth"):
        build_view([], ViewSpec("actor", focus=POLAND, depth=0))


def test_large_views_keep_top_nodes_and_say_what_was_left_out():
    rs = [row(i, f"A{i % 40}", ("supports", "opposes")[i % 2], f"T{i % 7}") for i in range(400)]
    full = build_view(rs, ViewSpec("congruence"))
    small = build_view(rs, ViewSpec("congruence", max_nodes=10, max_edges=12))
    assert small.number_of_nodes() == 10 and small.number_of_edges() <= 12
    om = small.graph["omitted"]
    assert om["nodes"] == full.number_of_nodes() - 10 and om["edges"] > 0
    assert "less connected actors left out" in small.graph["note"]
    s = build_view(rs, ViewSpec("stance", max_nodes=8, max_edges=5))
    assert s.number_of_nodes() == 8 and s.number_of_edges() == 5
    assert s.graph["omitted"]["assertions"] == 400 - sum(d["weight"] for *_, d in s.edges(keys=True, data=True))
    assert "assertions not shown" in s.graph["note"]


def test_ego_centre_survives_pruning(seeds_store, rows):
    g = views.view_graph(seeds_store, "actor", "Poland", depth=2, max_nodes=1, rows=rows)
    assert list(g) == [POLAND]


def test_views_are_deterministic(seeds_store, rows):
    for view in ("stance", "congruence"):
        a = views.view_graph(seeds_store, view, rows=rows)
        b = views.view_graph(seeds_store, view, rows=list(reversed(rows)))
        assert list(a.nodes(data=True)) == list(b.nodes(data=True))
        assert list(a.edges(data=True)) == list(b.edges(data=True))


def test_views_without_quotes_keep_counts(rows):
    for view in ("stance", "congruence"):
        full = build_view(rows, ViewSpec(view))
        bare = build_view(rows, ViewSpec(view, quotes=False))
        assert [d["n_quotes"] for *_, d in full.edges(data=True)] == [d["n_quotes"] for *_, d in bare.edges(data=True)]
        assert all(d["quotes"] == [] for *_, d in bare.edges(data=True))


def test_topic_filter_binds_the_target(seeds_store):
    from kg.analysis.rows import Filters
    from kg.analysis.views import view_graph

    g = view_graph(seeds_store, "congruence", filters=Filters.make(topic="troop-deployment"))
    labels = {d["label"] for _, d in g.nodes(data=True)}
    assert labels == {"Poland", "Baltic states", "NATO allies"}
    whole = view_graph(seeds_store, "congruence")
    assert set(g) < set(whole)
