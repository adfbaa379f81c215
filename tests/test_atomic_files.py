"""Files kg writes for users are written whole or not at all (kg.model.files.atomic_open: beside the target,
then renamed): an interrupted write leaves the old file (a browser may have the page open, a coder the
YAML) and no stray temporary file. Pages and plots go through kg.web.pages.save_page, exports, templates
and curated YAML through atomic_open."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings, strategies as st

from kg.model.errors import KgError
from kg.model.files import atomic_open, write_atomic
from kg.web.pages import save_page


@settings(max_examples=40, deadline=None)
@given(old=st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
       new=st.text(st.characters(blacklist_categories=("Cs",)), max_size=2000), fail_after=st.integers(0, 2000))
def test_an_interrupted_write_leaves_the_old_page(tmp_path_factory, old, new, fail_after):
    folder = tmp_path_factory.mktemp("pages")
    page = folder / "kg-stance.html"
    save_page(old, page)

    real_fdopen = os.fdopen

    class Killed(Exception):
        pass

    def dying_fdopen(fd, *a, **kw):
        f = real_fdopen(fd, *a, **kw)
        write = f.write

        def partial(text):
            write(text[:fail_after])
            raise Killed  # the process dies part-way through the new page

        f.write = partial
        return f

    with pytest.MonkeyPatch.context() as m:  # one patch per generated case
        m.setattr(os, "fdopen", dying_fdopen)
        with pytest.raises(Killed):
            save_page(new, page)
    assert page.read_bytes() == old.encode("utf-8")
    assert [p.name for p in folder.iterdir()] == ["kg-stance.html"]  # nothing half-written left
    assert save_page(new, page) == page
    assert page.read_bytes() == new.encode("utf-8")


def test_no_temporary_file_is_left_behind_and_the_page_is_readable_as_any_file(tmp_path):
    page = tmp_path / "deep" / "er" / "page.svg"
    save_page("<svg/>", page)
    assert sorted(p.name for p in page.parent.iterdir()) == ["page.svg"]
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # what open() gives under this umask (a page is shared, served, opened)
    assert page.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777


def test_an_unwritable_place_is_one_kg_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(KgError, match="cannot write"):
        save_page("<html/>", blocker / "page.html")  # a file where a folder should be


@settings(max_examples=40, deadline=None)
@given(old=st.binary(max_size=300), chunks=st.lists(st.binary(max_size=300), max_size=6), fail_at=st.integers(0, 6),
       fsync=st.booleans())
def test_a_stream_interrupted_at_any_chunk_leaves_the_old_file(tmp_path_factory, old, chunks, fail_at, fsync):
    folder = tmp_path_factory.mktemp("export")
    out = folder / "debate.nq"
    write_atomic(out, old)
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(out, "wb", fsync=fsync) as f:
            for k, chunk in enumerate(chunks):
                if k == fail_at:
                    raise KeyboardInterrupt  # Ctrl-C part-way through an export
                f.write(chunk)
            raise KeyboardInterrupt
    assert out.read_bytes() == old
    assert [p.name for p in folder.iterdir()] == ["debate.nq"]
    with atomic_open(out, "wb", fsync=fsync) as f:
        for chunk in chunks:
            f.write(chunk)
    assert out.read_bytes() == b"".join(chunks)


def test_a_file_keeps_its_permissions(tmp_path):
    curated = tmp_path / "curated.yaml"
    curated.write_text("assertions: []\n")
    curated.chmod(0o640)
    write_atomic(curated, "assertions: []\n# decided\n")
    assert curated.stat().st_mode & 0o777 == 0o640
    assert curated.read_text() == "assertions: []\n# decided\n"


def test_only_writing_modes(tmp_path):
    with pytest.raises(ValueError):
        with atomic_open(tmp_path / "x", "a"):
            pass
