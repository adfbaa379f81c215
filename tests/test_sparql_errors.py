"""SPARQL syntax errors say what is wrong and where, in one line, on every kind of store; refused updates
name the --update flag."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.model.errors import QueryError
from kg.store.sparql_errors import SparqlSyntaxError, UpdateRefusedError, locate, syntax_error
from kg.store import MemoryStore, OxigraphStore

from servers import OxigraphServer

runner = CliRunner()

# (query, line, column, near, words the reason contains)
MISTAKES = [
    ("SELEC * WHERE {}", 1, 1, "SELEC * WHE…", "expected a query form such as SELECT, ASK, CONSTRUCT or DESCRIBE"),
    ("SELECT * WHRE { ?s ?p ?o }", 1, 10, "WHRE { ?s ?…", "unknown keyword 'WHRE' (did you mean WHERE?)"),
    ("SELECT ?x WHERE {\n  ?s kg:actor ?x .\n  FILTR(?x != ?s)\n}", 3, 3, "FILTR(?x !=…", "unknown keyword 'FILTR'"),
    ("SELECT ?x WHERE { ?x ", 1, 21, "… WHERE { ?x", "missing closing brace '}' for the '{' at line 1, column 17"),
    ("SELECT * WHERE { ?s foo:bar ?o }", 1, 21, "foo:bar ?o …", "unknown prefix 'foo:'"),
    ("SELECT ?s WHERE { ?s ?p }", 1, 25, "}", "incomplete triple pattern"),
    ("SELECT * WHERE { ?s ?p ?o } }", 1, 29, "}", "unexpected '}': no brace is open here"),
    ('SELECT * WHERE { ?s ?p "abc }', 1, 24, '"abc }', "unterminated string"),
    ("SELECT * WHERE { ?s ?p ?o . FILTER(?o = ) }", 1, 41, ") }", "missing operand after '='"),
    ("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP ?s", 1, 53, "?s", "expected BY after GROUP"),
    ("ASK { ?a kg:opposes kgr:topic/road-tolls }", 1, 21, "kgr:topic/r…",
     "a prefixed name cannot contain '/': write kgr:topic\\/road-tolls or the whole IRI in <…>"),
]


def stores():
    yield "oxigraph", OxigraphStore()
    yield "rdflib", MemoryStore()


@pytest.mark.parametrize("query, line, column, near, reason", MISTAKES)
def test_mistakes_are_located_and_named_on_local_stores(query, line, column, near, reason):
    for name, store in stores():
        with pytest.raises(SparqlSyntaxError) as e:
            store.query(query)
        err = e.value
        assert (err.line, err.column, err.near) == (line, column, near), name
        assert reason in err.reason, name
        message = str(err)
        assert message.startswith(f'SPARQL syntax error at line {line}, column {column} near "{near}": ')
        assert "\n" not in message and "Expected {" not in message and "[_]" not in message


def test_the_cli_prints_one_line_naming_line_column_and_text():
    res = runner.invoke(app, ["query", "SELEC * WHERE {}", "--store", ":memory:"])
    assert res.exit_code == 1
    assert res.stderr == ('error: SPARQL syntax error at line 1, column 1 near "SELEC * WHE…": expected a query form '
                          "such as SELECT, ASK, CONSTRUCT or DESCRIBE (did you mean SELECT?)\n")
    res = runner.invoke(app, ["query", "SELECT * WHERE { ?s foo:p ?o }", "--store", ":memory:"])
    assert res.exit_code == 1 and "unknown prefix 'foo:'" in res.stderr and res.stderr.count("\n") == 1


def test_valid_queries_with_keywords_prefixes_and_values_are_not_flagged():
    # The checks run only on rejected queries, but must not misread valid SPARQL as a mistake.
    valid = [
        "PREFIX ex: <http://example.org/> SELECT ?x WHERE { VALUES ?x { 1 } ?s ex:p ?x ; a ?t , ?u . "
        "OPTIONAL { ?s ?p ?o } FILTER(?x > 1 && !BOUND(?o)) } GROUP BY ?x ORDER BY DESC(?x) LIMIT 5 OFFSET 1",
        'SELECT (GROUP_CONCAT(?l; SEPARATOR=", ") AS ?ls) WHERE { ?s skos:prefLabel ?l FILTER(LANG(?l) = "en") }',
        "ASK { GRAPH ?g { ?s kg:supports _:b } MINUS { ?s ?p 1.5e3 } }",
        "SELECT ?a ?l WHERE { ?a kg:supports/skos:prefLabel ?l }",  # a path, not a name with '/'
        "ASK { ?a kg:opposes kgr:topic\\/road-tolls }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DESCRIBE <http://example.org/a>",
    ]
    for q in valid:
        MemoryStore().query(q)  # the engines agree it is valid
        assert not isinstance(syntax_error(q, clause=False), SparqlSyntaxError), q


def test_other_errors_fall_back_to_where_the_grammar_stops():
    err = syntax_error("SELECT (COUNT(?x) ?n) WHERE { ?x ?p ?o }")
    assert isinstance(err, SparqlSyntaxError) and (err.line, err.column) == (1, 19)
    assert "cannot be parsed" in err.reason


def test_locate_counts_lines_and_columns_from_one():
    assert locate("ab\ncd ef", 3) == (2, 1, "cd ef")
    assert locate("ab\ncd", 5) == (2, 3, "cd")  # at the end: the text before
    assert locate("x" * 30, 0)[2] == "x" * 11 + "…"


def test_refused_updates_name_the_cli_flag(tmp_path):
    for _name, store in stores():
        with pytest.raises(UpdateRefusedError) as e:
            store.query("DELETE WHERE { ?s ?p ?o }")
        assert isinstance(e.value, QueryError)
        assert "allow_update" not in str(e.value) and "kg query --update" in str(e.value)
    res = runner.invoke(app, ["query", "DROP ALL", "--store", ":memory:"])
    assert res.exit_code == 1 and "allow_update" not in res.stderr and "--update" in res.stderr
    # Malformed updates (with the flag) are located as well.
    with pytest.raises(SparqlSyntaxError) as e:
        OxigraphStore().query("INSERT DATA { <http://e/a> <http://e/b> ", allow_update=True)
    assert "missing closing brace" in str(e.value)


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    with OxigraphServer(tmp_path_factory.mktemp("oxigraph-errors")) as server:
        yield server.store


def test_remote_stores_say_the_same(remote):
    from kg.store import open_store

    store = open_store(remote)
    for query, line, column, near, reason in MISTAKES:
        with pytest.raises(QueryError) as e:
            store.query(query)
        assert f'SPARQL syntax error at line {line}, column {column} near "{near}": ' in str(e.value), query
        assert reason in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(QueryError, match=r"rejected the update \(HTTP 400\): SPARQL syntax error at line 1"):
        store.query("INSERT DATA { <https://e/a> }", allow_update=True)
    res = runner.invoke(app, ["query", "DROP ALL", "--store", remote])
    assert res.exit_code == 1 and "kg query --update" in res.stderr
