"""Documents: UTF-8 text with optional front matter; bad files named clearly."""

from __future__ import annotations

import pytest

from kg.documents import read_document, read_documents
from kg.errors import InputError


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
        (b"---\ntitle: x\nauthor: y\n---\nbody\n", "unknown front matter key 'author'"),
        (b"---\ndate: yesterday\n---\nbody\n", "is not an ISO date"),
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
