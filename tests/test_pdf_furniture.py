"""A PDF of an article, as people make them (a browser's "print to PDF", a database download): its date is
the dateline's, not the day the file was made, and what is printed around every page is not its text."""

from __future__ import annotations

import random

import pytest

from kg.ingest.documents import read_documents
from kg.ingest.metadata import ReadWarning
from test_formats import make_pdf

SUBJECTS = ["Poland", "The summit host", "Germany, officials said,", "Most allies", "Turkey", "The communique"]
PREDICATES = ["backs a clear path for Ukraine into the alliance.", "wants more air defence for Kyiv first.",
              "hesitates over any timeline before the war ends.", "is divided on the wording of the invitation.",
              "lifted its veto on Sweden after talks overnight.", "was agreed late on Tuesday night in Vilnius."]


def read(tmp_path, pages, info=None):
    f = tmp_path / "a.pdf"
    f.write_bytes(make_pdf(pages, info))
    warnings: list[ReadWarning] = []
    docs, skipped = read_documents([f], warnings=warnings)
    assert not skipped and len(docs) == 1
    return docs[0], [w.message for w in warnings]


def test_the_dateline_wins_over_the_file_s_creation_date(tmp_path):
    doc, warnings = read(tmp_path, ["Summit news\nNorthbridge Herald, 20 March 2024\nPoland backs Ukraine."],
                         {"CreationDate": "D:20261202223052+00'00'"})
    assert doc.date == "2024-03-20" and not warnings


@pytest.mark.parametrize("line", ["March 20, 2024 Wednesday", "Published: 20th March 2024", "2024-03-20",
                                  "By Jane Reporter | Mar. 20, 2024"])
def test_datelines_as_they_are_written(tmp_path, line):
    doc, _ = read(tmp_path, [f"Headline\n{line}\nPoland backs Ukraine."])
    assert doc.date == "2024-03-20"


def test_without_a_dateline_the_creation_date_is_used_and_said(tmp_path):
    doc, warnings = read(tmp_path, ["Poland backs Ukraine."], {"CreationDate": "D:20230705101500+02'00'"})
    assert doc.date == "2023-07-05"
    assert len(warnings) == 1 and "creation date 2023-07-05" in warnings[0]


def test_a_browser_s_print_header_and_footer_are_left_out(tmp_path):
    page = ("Greens demand fare freeze\nNorthbridge Herald, 20 March 2024\nThe Green Party supports the charge.\n"
            "12/2/26, 10:30 PM Greens demand fare freeze\nfile:///tmp/smoke/pdfsrc.html 1/1")
    doc, _ = read(tmp_path, [page], {"CreationDate": "D:20261202223052+00'00'"})
    assert doc.text.splitlines() == ["Greens demand fare freeze", "Northbridge Herald, 20 March 2024",
                                     "The Green Party supports the charge."]
    assert doc.date == "2024-03-20"  # "12/2/26" is the day of printing, not a dateline


@pytest.mark.parametrize("seed", range(25))
def test_running_headers_go_and_the_story_stays(tmp_path, seed):
    # generated documents: a running header and page numbers on every page, the story's lines once each
    rng = random.Random(seed)
    n = rng.randint(2, 5)
    header = rng.choice(["THE NORTHBRIDGE HERALD", "Example Times - World", "Nexis Uni: Results"])
    story = rng.sample([f"{a} {b}" for a in SUBJECTS for b in PREDICATES], rng.randint(n, 3 * n))
    chunks = [story[i::n] for i in range(n)]
    pages = []
    for k, chunk in enumerate(chunks, 1):
        lines = ([header] if rng.random() < 0.9 or k == 1 else []) + chunk
        lines += [rng.choice([f"Page {k} of {n}", f"{k}/{n}", f"{k} of {n}"])]
        pages.append("\n".join(lines))
    doc, _ = read(tmp_path, pages)
    kept = [line for line in doc.text.splitlines() if line.strip()]
    assert kept == [line for chunk in chunks for line in chunk]


def test_a_line_on_one_page_only_stays(tmp_path):
    doc, _ = read(tmp_path, ["Special report\nPoland backs Ukraine.", "Germany hesitates.\nThe end."])
    assert doc.text.splitlines()[0] == "Special report" and "The end." in doc.text
