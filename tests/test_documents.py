"""Documents: UTF-8 text with optional front matter; bad files named clearly."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.ingest.documents import ReadWarning, read_document, read_documents
from kg.model.errors import InputError
from kg.model.namespaces import DCT, SCHEMA
from kg.graph.quads import document_quads
from kg.store import MemoryStore


def test_plain_document(seeds_dir):
    doc = read_document(seeds_dir / "articles" / "004_a00d91becb0c72f2.txt")
    assert doc.id == "004_a00d91becb0c72f2"
    assert doc.text.startswith("NATO states may deploy")
    assert doc.source is None and len(doc.sha256) == 64


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty document"),
        (b"   \n\n", "empty document"),
        (b"caf\xe9 au lait\n", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        (b"---\ntitle: x\n---\n\n", "no text after its front matter"),
        (b"---\ntitle: [x, y]\n---\nbody\n", "front matter key 'title' must be one value, not a list"),
    ],
)
def test_bad_documents(tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        read_document(f)
    assert str(f) in str(err.value)


def test_oversized_document(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("word " * 100, encoding="utf-8")
    with pytest.raises(InputError, match="over the limit of 100"):
        read_document(f, max_bytes=100)


def test_lenient_batch_reports_skipped(tmp_path, seeds_dir):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "ok.txt").write_text("Poland backs Ukraine.", encoding="utf-8")
    docs, skipped = read_documents([tmp_path], strict=False)
    assert [d.id for d in docs] == ["ok"]
    assert [(s.path.endswith("empty.txt"), s.reason) for s in skipped] == [(True, "empty document")]


def test_missing_path():
    with pytest.raises(InputError, match="no such file or folder"):
        read_documents(["does/not/exist"])


# --------------------------------------------------------------------------- front matter

FRONT = """---
title: NATO states may deploy
author: Jane Reporter
tags: [NATO, Ukraine]
keywords: security, Vilnius
section: World
language: en
region: Eastern Europe
draft: no
extra:
  desk: foreign
---
Poland backs Ukraine.
"""


def test_unknown_front_matter_keys_are_kept(tmp_path):
    f = tmp_path / "a.md"
    f.write_text(FRONT, encoding="utf-8")
    warnings: list[ReadWarning] = []
    doc = read_document(f, warnings=warnings)
    assert not warnings
    assert doc.text == "Poland backs Ukraine.\n" and doc.title == "NATO states may deploy"
    assert doc.authors == ("Jane Reporter",)
    assert doc.keywords == ("NATO", "Ukraine", "security", "Vilnius")
    assert dict(doc.meta) == {"section": "World", "region": "Eastern Europe", "draft": "no",
                              "extra": '{"desk": "foreign"}'}
    nq = "".join(document_quads(doc))
    assert f'<{DCT}creator> "Jane Reporter"' in nq
    assert f'<{SCHEMA}keywords> "Vilnius"' in nq and f'<{SCHEMA}articleSection> "World"' in nq
    assert f'<{SCHEMA}text> "Poland backs Ukraine.\\n"' in nq


def test_metadata_is_queryable(tmp_path):
    f = tmp_path / "a.md"
    f.write_text(FRONT, encoding="utf-8")
    store = MemoryStore()
    store.load_nquads("".join(document_quads(read_document(f))))
    rows = store.query("SELECT ?key ?value WHERE { ?d a kg:Document ; kg:meta ?m . ?m kg:key ?key ; kg:value ?value }"
                       " ORDER BY ?key").dicts()
    assert [(r["key"], r["value"]) for r in rows] == [("draft", "no"), ("extra", '{"desk": "foreign"}'),
                                                      ("region", "Eastern Europe")]
    [row] = store.query('SELECT ?region WHERE { ?d kg:meta [ kg:key "region" ; kg:value ?region ] }').dicts()
    assert row["region"] == "Eastern Europe"


@pytest.mark.parametrize("written", ["July 5, 2023", "2023-07-05T10:00Z", "5 July 2023", "2023-07-05",
                                     "'2023-07-05'", "Wed, 05 Jul 2023 10:00:00 +0000", "05.07.2023"])
def test_dates_as_people_write_them(tmp_path, written):
    f = tmp_path / "d.txt"
    f.write_text(f"---\ndate: {written}\n---\nbody\n", encoding="utf-8")
    assert read_document(f).date == "2023-07-05"


@pytest.mark.parametrize("written", ["2023-02-30", "2023-13-01", "yesterday", "July 2023", "13/13/2023"])
def test_impossible_date_is_a_warning_and_no_date(tmp_path, written):
    f = tmp_path / "d.txt"
    f.write_text(f"---\ntitle: t\nsource: s\ndate: {written}\n---\nbody\n", encoding="utf-8")
    warnings: list[ReadWarning] = []
    doc = read_document(f, warnings=warnings)
    assert doc.date is None and doc.text == "body\n" and doc.title == "t"
    [w] = warnings
    assert (w.path, w.line) == (str(f), 4) and "date" in w.message
    assert str(w).startswith(f"{f}:4: ")


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ("title: a\nsource: b\nurl: c: d\n", 4, "mapping values are not allowed"),
        ("title: a\n\nsource: [b, c\nurl: x\n", 4, "did not find expected ',' or ']'"),
        ("title: a\nsource: b\n\ttab: 1\n", 4, "tab"),
        ("title: a\nlanguage: [en, fr]\n", 3, "'language' must be one value"),
        ("- a\n- b\n", 2, "must be a mapping"),
        ("title: a\n? [x]\n: y\n", 3, "plain names"),
    ],
)
def test_front_matter_errors_name_the_line(tmp_path, front, line, message):
    f = tmp_path / "bad.md"
    f.write_text(f"---\n{front}---\nbody\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as err:
        read_document(f)
    assert err.value.line == line and str(err.value).startswith(f"{f}:{line}: ")


def test_alias_bomb_and_deep_nesting_are_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))
    deep = "x: " + "[" * 100_000 + "]" * 100_000 + "\n"
    deep_map = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n"
    for name, front in (("bomb", bomb), ("deep", deep), ("deep_map", deep_map)):
        f = tmp_path / f"{name}.md"
        f.write_text(f"---\ntitle: t\n{front}---\nbody\n", encoding="utf-8")
        with pytest.raises(InputError) as err:
            read_document(f)
        assert len(str(err.value).splitlines()) == 1 and str(f) in str(err.value)
        assert ("expands to more than" if name == "bomb" else "nests deeper than 50") in str(err.value)


def test_repeated_key_is_a_warning(tmp_path):
    f = tmp_path / "r.md"
    f.write_text("---\ntitle: a\ntitle: b\n---\nbody\n", encoding="utf-8")
    warnings: list[ReadWarning] = []
    assert read_document(f, warnings=warnings).title == "b"
    assert [(w.line, "repeated" in w.message) for w in warnings] == [(3, True)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(date=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_date_string_reads_or_fails_cleanly(tmp_path, date):
    """Whatever is written as a date, reading raises nothing but InputError and keeps the body."""
    body = "Poland backs Ukraine.\nSecond line.\n"
    f = tmp_path / "h.md"
    f.write_text(f"---\ntitle: t\ndate: {date}\n---\n{body}", encoding="utf-8", newline="")
    try:
        doc = read_document(f, warnings=[])
    except InputError as e:
        assert e.path == f and len(str(e).splitlines()) == 1
        return
    assert doc.text == body and (doc.date is None or len(doc.date) == 10)
    raw = f.read_bytes().decode("utf-8")  # offsets count the file's own line ends ("\r\n" is two)
    assert raw[doc.body_offset:] == body
