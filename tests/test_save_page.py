"""Pages and plots are written whole or not at all: kg.web.pages.save_page writes next to the target and
renames, so an interrupted write leaves the old page (a browser may have it open) and no stray file."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings, strategies as st

from kg.model.errors import KgError
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
