"""Documents from real inputs: web pages, PDFs, CSV/JSON collections, RSS and Atom feeds, skipped files."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from kg.ingest.documents import (
    DOCUMENT_SUFFIXES, ReadWarning, Skipped, document_kind, is_article_collection, iter_documents, read_collection,
    read_document, read_documents,
)
from kg.model.errors import InputError
from kg.model.namespaces import DCT, SCHEMA
from kg.graph.quads import document_quads

GOLD_ROW = {"doc": "000_a", "actor": "Poland", "stance": "supports", "target": "troop-deployment",
            "attributed_to": None, "certainty": "certain", "quote": "Poland backs it", "optional": False}

# --------------------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Poland ready to send troops | Example Times</title>
<meta property="og:title" content="Poland ready to send troops">
<meta property="og:site_name" content="Example Times">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2023-07-05T10:00:00Z">
<meta property="article:section" content="World">
<meta name="keywords" content="NATO, Ukraine">
<link rel="canonical" href="https://example.org/world/poland-troops">
</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport menu</a></li></ul></nav>
<div class="advert ad-banner">BUY CHEAP FLIGHTS NOW! Limited offer.</div>
<article>
<h1>Poland ready to send troops</h1>
<p>Former NATO Secretary General Anders Rasmussen says some countries may take individual action if NATO
cannot agree on security guarantees for Ukraine at the Vilnius summit.</p>
<p>Countries like Poland and the Baltic states may be ready to send troops to Ukraine, he told reporters on
Wednesday, adding that the alliance should not rule out such a step.</p>
<p>Poland is very involved in providing concrete assistance to Ukraine, and Warsaw has repeatedly said it
supports Ukraine's membership of the alliance.</p>
</article>
<aside class="sidebar"><div class="ad">Sponsored: best mortgage rates</div></aside>
<footer>Copyright Example Times. All rights reserved. Contact us.</footer>
</body></html>
"""


def test_html_page(tmp_path):
    f = tmp_path / "poland-troops.html"
    f.write_text(PAGE, encoding="utf-8")
    doc = read_document(f)
    assert doc.id == "poland-troops" and doc.path == str(f)
    assert "may be ready to send troops to Ukraine" in doc.text
    assert "Warsaw has repeatedly said" in doc.text
    for junk in ("CHEAP FLIGHTS", "Sport menu", "mortgage", "All rights reserved"):
        assert junk not in doc.text
    assert (doc.title, doc.source, doc.date, doc.authors, doc.language) == (
        "Poland ready to send troops", "Example Times", "2023-07-05", ("Jane Reporter",), "en")
    assert doc.url == "https://example.org/world/poland-troops"
    assert doc.keywords == ("NATO", "Ukraine") and ("section", "World") in doc.meta
    nq = "".join(document_quads(doc))
    assert f"<{SCHEMA}text>" in nq and f'<{DCT}creator> "Jane Reporter"' in nq


def test_empty_html_page(tmp_path):
    f = tmp_path / "empty.html"
    f.write_text("<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav>"
                 "<script>var a = 1;</script></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="HTML page with no main text") as err:
        read_document(f)
    assert str(f) in str(err.value)


# --------------------------------------------------------------------------- PDF


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def make_pdf(pages: list[str], info: dict[str, str] | None = None) -> bytes:
    """A minimal PDF (Helvetica text, one line a row) written by hand: no PDF writer needed."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(len(pages)))}] "
            f"/Count {len(pages)} >>".encode(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i, text in enumerate(pages):
        lines = " ".join(f"{_pdf_string(line)} Tj 0 -16 Td" for line in text.splitlines())
        stream = f"BT /F1 12 Tf 72 720 Td {lines} ET".encode("latin-1")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {5 + 2 * i} 0 R >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    if info:
        objs.append(("<< " + " ".join(f"/{k} {_pdf_string(v)}" for k, v in info.items()) + " >>").encode("latin-1"))
    out, offsets = b"%PDF-1.4\n", []
    for n, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    info_ref = b" /Info %d 0 R" % len(objs) if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, info_ref, xref)
    return out


def test_two_page_pdf(tmp_path):
    f = tmp_path / "report.pdf"
    f.write_bytes(make_pdf(["Poland backs Ukraine.\nThe summit opens in Vilnius.", "Germany hesitates."],
                           {"Title": "Summit report", "Author": "Jane Reporter",
                            "CreationDate": "D:20230705101500+02'00'", "Keywords": "NATO, Vilnius"}))
    doc = read_document(f)
    assert doc.id == "report"
    pages = doc.text.split("\n\n")
    assert len(pages) == 2 and "Poland backs Ukraine." in pages[0] and pages[1] == "Germany hesitates."
    assert (doc.title, doc.authors, doc.date, doc.keywords) == (
        "Summit report", ("Jane Reporter",), "2023-07-05", ("NATO", "Vilnius"))


def test_encrypted_and_textless_pdfs(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Secret text."]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    (tmp_path / "locked.pdf").write_bytes(buf.getvalue())
    blank = PdfWriter()
    blank.add_blank_page(612, 792)
    buf = io.BytesIO()
    blank.write(buf)
    (tmp_path / "scan.pdf").write_bytes(buf.getvalue())
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf\n")
    for name, message in (("locked", "encrypted PDF"), ("scan", "PDF without text"), ("broken", "not a readable PDF")):
        with pytest.raises(InputError, match=message) as err:
            read_document(tmp_path / f"{name}.pdf")
        assert str(tmp_path / f"{name}.pdf") in str(err.value) and len(str(err.value).splitlines()) == 1


# --------------------------------------------------------------------------- collections

MEDIA_CLOUD_CSV = (
    "stories_id,publish_date,title,url,language,media_id,media_name,text,ap_syndicated\n"
    "2301,2023-07-05 10:00:00,Poland ready,https://example.org/a,en,18,Example Times,"
    "\"Poland supports Ukraine.\nSecond paragraph, with a comma.\",false\n"
    "2302,\"July 6, 2023\",Germany hesitates,https://example.org/b,en,19,Daily Planet,Germany hesitates.,true\n"
    "2303,2023-02-30,No date,https://example.org/c,en,19,Daily Planet,A text with an impossible date.,false\n"
    "2304,2023-07-07,Title only,https://example.org/d,en,19,Daily Planet,,false\n"
)


def test_media_cloud_csv(tmp_path):
    f = tmp_path / "mediacloud.csv"
    f.write_text(MEDIA_CLOUD_CSV, encoding="utf-8")
    assert is_article_collection(f) and document_kind(f) == "document"
    warnings: list[ReadWarning] = []
    docs, skipped = read_documents([f], warnings=warnings)
    assert [d.id for d in docs] == ["2301", "2302", "2303"]
    a, b, c = docs
    assert a.text == "Poland supports Ukraine.\nSecond paragraph, with a comma."
    assert (a.title, a.source, a.url, a.date, a.language) == (
        "Poland ready", "Example Times", "https://example.org/a", "2023-07-05", "en")
    assert dict(a.meta) == {"media_id": "18", "ap_syndicated": "false"}
    assert (a.path, a.row, a.line, b.line, c.line) == (str(f), 1, 2, 4, 5)
    assert b.date == "2023-07-06" and c.date is None
    assert [(w.line, w.message.startswith("row 3: column 'publish_date'")) for w in warnings] == [(5, True)]
    assert skipped == [Skipped(str(f), "row 4: no text (line 6)")]


def test_columns_mapping_and_tsv(tmp_path):
    f = tmp_path / "export.tsv"
    f.write_text("story\tbody_html\theadline\toutlet\n"
                 "s-1\tPoland backs Ukraine.\tPoland\tExample Times\n", encoding="utf-8")
    assert not is_article_collection(f) and document_kind(f) == "unsupported"
    columns = {"text": "body_html", "id": "story"}
    assert document_kind(f, columns) == "document"
    [doc] = read_collection(f, columns=columns)
    assert (doc.id, doc.text, doc.title, doc.source) == ("s-1", "Poland backs Ukraine.", "Poland", "Example Times")
    with pytest.raises(InputError, match="no column 'story_text'") as err:
        list(read_collection(f, columns={"text": "story_text"}))
    assert err.value.line == 1
    with pytest.raises(InputError, match="unknown field 'body'"):
        list(read_collection(f, columns={"body": "body_html"}))


def test_jsonl_articles_and_gold_rows(tmp_path):
    articles = tmp_path / "articles.jsonl"
    rows = [{"id": "Story 1/ä", "headline": "Poland", "body": "Poland backs Ukraine.", "published": "5 July 2023",
             "outlet": "Example Times", "byline": "Jane Reporter", "tags": ["NATO", "Ukraine"], "wordcount": 3},
            {"url": "https://www.example.org/world/b?x=1", "content": "Germany hesitates."},
            {"content": "Nobody speaks."}]
    articles.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD_ROW) + "\n", encoding="utf-8")
    assert is_article_collection(articles) and not is_article_collection(gold)
    assert document_kind(articles) == "document" and document_kind(gold) == "curated"
    docs, skipped = read_documents([tmp_path])  # the gold file is left for the curated reader, in silence
    assert not skipped
    assert [d.id for d in docs] == ["Story-1-a", "example.org-world-b-x-1", "articles-3"]
    first = docs[0]
    assert (first.title, first.date, first.source, first.authors, first.keywords) == (
        "Poland", "2023-07-05", "Example Times", ("Jane Reporter",), ("NATO", "Ukraine"))
    assert first.meta == (("wordcount", "3"),) and [d.line for d in docs] == [1, 2, 3]


def test_json_array(tmp_path):
    f = tmp_path / "stories.json"
    f.write_text('[\n  {"stories_id": 7, "text": "Poland backs Ukraine.",\n   "title": "a"},\n'
                 '  {"stories_id": 8, "full_text": "Germany hesitates."}\n]\n', encoding="utf-8")
    docs = list(read_collection(f))
    assert [(d.id, d.text, d.line) for d in docs] == [("7", "Poland backs Ukraine.", 2), ("8", "Germany hesitates.", 4)]
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"stories": [{"id": 1, "text": "Poland backs Ukraine."}]}), encoding="utf-8")
    assert [d.id for d in read_collection(wrapped)] == ["1"]
    other = tmp_path / "aliases.json"
    other.write_text(json.dumps({"Poland": ["Warsaw"]}), encoding="utf-8")
    assert document_kind(other) == "unsupported"


def test_duplicate_ids_name_file_and_row(tmp_path):
    f = tmp_path / "dup.csv"
    f.write_text("id,text\n1,Poland backs Ukraine.\n2,Germany hesitates.\n1,Again.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3: document id '1' also used by .*dup.csv row 1") as err:
        read_documents([f], strict=False)
    assert err.value.line == 4 and str(err.value).startswith(f"{f}:4: ")
    g = tmp_path / "other.jsonl"
    g.write_text(json.dumps({"id": "2", "text": "Elsewhere."}) + "\n", encoding="utf-8")
    f.write_text("id,text\n1,Poland backs Ukraine.\n2,Germany hesitates.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"document id '2' also used by .*dup.csv row 2"):
        read_documents([tmp_path])


def test_bad_rows_strict_and_lenient(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"text": "Poland backs Ukraine."}\n{"text": oops}\n["not", "an", "object"]\n'
                 '{"text": "Germany hesitates.", "title": ["a", "b"]}\n{"text": "Fine."}\n', encoding="utf-8")
    with pytest.raises(InputError, match="row 2: bad JSON") as err:
        list(read_collection(f))
    assert err.value.line == 2
    skipped: list[Skipped] = []
    docs = list(read_collection(f, strict=False, skipped=skipped))
    assert [d.text for d in docs] == ["Poland backs Ukraine.", "Fine."]
    assert [s.reason.split(":")[0] for s in skipped] == ["row 2", "row 3", "row 4"]
    assert "key 'title' must be one value" in skipped[2].reason and skipped[2].reason.endswith("(line 4)")


def test_reimport_is_stable_and_rows_hash_alone(tmp_path):
    f = tmp_path / "mediacloud.csv"
    f.write_text(MEDIA_CLOUD_CSV, encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(make_pdf(["Poland backs Ukraine."]))

    def read():
        return [(d.id, d.text, d.sha256) for d in read_documents([tmp_path], strict=False)[0]]

    once = read()
    assert once == read() and len({sha for _, _, sha in once}) == len(once)
    with f.open("a", encoding="utf-8") as out:
        out.write("2305,2023-07-08,New,https://example.org/e,en,19,Daily Planet,A new story.,false\n")
    again = read()
    assert [r for r in again if r[0] != "2305"] == once and "2305" in {r[0] for r in again}
    f.write_text(MEDIA_CLOUD_CSV.replace("Germany hesitates.,true", "Germany hesitates.,false"), encoding="utf-8")
    changed = {r[0]: r[2] for r in read()}
    before = {r[0]: r[2] for r in once}
    assert changed["2302"] != before["2302"] and changed["2301"] == before["2301"]


# --------------------------------------------------------------------------- feeds

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Example Times - World</title><link>https://example.org/</link><language>en</language>
<item><title>Poland ready to send troops</title><link>https://example.org/a</link>
  <guid>https://example.org/?p=1</guid><pubDate>Wed, 05 Jul 2023 10:00:00 +0000</pubDate>
  <dc:creator>Jane Reporter</dc:creator><category>NATO</category><description>Short summary.</description>
  <content:encoded><![CDATA[<p>Poland is ready to send troops.</p><p>Warsaw supports Ukraine &amp; its
  <b>membership</b>.</p><script>track()</script>]]></content:encoded></item>
<item><title>Only a title</title><link>https://example.org/b</link></item>
<item><title>Summary only</title><link>https://example.org/c</link>
  <description>Germany opposes the deployment.</description><pubDate>32 Jul 2023</pubDate></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Daily Planet</title><id>urn:uuid:feed</id><updated>2023-07-06T12:00:00Z</updated>
  <entry><title>Germany hesitates</title><id>tag:planet.example,2023:42</id>
    <link href="https://planet.example/42"/><published>2023-07-06T08:30:00Z</published>
    <author><name>Clark Kent</name></author>
    <content type="html">&lt;p&gt;Germany hesitates on troops.&lt;/p&gt;</content></entry>
  <entry><title>Plain summary</title><id>tag:planet.example,2023:43</id><updated>2023-07-07T08:30:00Z</updated>
    <summary>France backs Ukraine.</summary></entry>
</feed>
"""


def test_rss_feed(tmp_path):
    f = tmp_path / "world.rss"
    f.write_bytes(RSS)
    warnings: list[ReadWarning] = []
    skipped: list[Skipped] = []
    docs = list(read_collection(f, skipped=skipped, warnings=warnings))
    assert [d.id for d in docs] == ["example.org-p-1", "example.org-c"]
    a, c = docs
    assert a.text == "Poland is ready to send troops.\nWarsaw supports Ukraine & its membership."
    assert (a.title, a.source, a.url, a.date, a.authors, a.keywords, a.language, a.row) == (
        "Poland ready to send troops", "Example Times - World", "https://example.org/a", "2023-07-05",
        ("Jane Reporter",), ("NATO",), "en", 1)
    assert c.text == "Germany opposes the deployment." and c.date is None and c.row == 3
    assert skipped == [Skipped(str(f), "row 2: no text")]
    assert len(warnings) == 1 and "entry 3" in warnings[0].message


def test_atom_feed_as_xml(tmp_path):
    f = tmp_path / "planet.xml"
    f.write_text(ATOM, encoding="utf-8")
    assert document_kind(f) == "document"
    docs = list(iter_documents([f]))
    assert [(d.id, d.text, d.date, d.source) for d in docs] == [
        ("tag-planet.example-2023-42", "Germany hesitates on troops.", "2023-07-06", "Daily Planet"),
        ("tag-planet.example-2023-43", "France backs Ukraine.", "2023-07-07", "Daily Planet")]
    assert docs[0].authors == ("Clark Kent",) and docs[0].language == "en"
    notes = tmp_path / "notes.xml"
    notes.write_text("<?xml version='1.0'?><notes><n>x</n></notes>", encoding="utf-8")
    assert document_kind(notes) == "unsupported"


# --------------------------------------------------------------------------- folders


def test_folder_reports_skipped_files(tmp_path):
    (tmp_path / "ok.txt").write_text("Poland backs Ukraine.", encoding="utf-8")
    (tmp_path / "memo.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (tmp_path / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "curated.yaml").write_text("assertions: []\n", encoding="utf-8")
    (tmp_path / "gazetteer.ttl").write_text("", encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text(json.dumps(GOLD_ROW) + "\n", encoding="utf-8")
    (tmp_path / ".hidden.docx").write_bytes(b"x")
    (tmp_path / "LICENSE").write_text("MIT", encoding="utf-8")
    docs, skipped = read_documents([tmp_path])
    assert [d.id for d in docs] == ["ok"]
    assert [(Path(s.path).name, s.reason.split(" (")[0]) for s in skipped] == [
        ("chart.png", "unsupported file type .png"), ("memo.docx", "unsupported file type .docx")]


def test_folder_without_documents_is_an_error(tmp_path):
    (tmp_path / "memo.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "empty.html").write_text("<html><body></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"no documents found under {tmp_path}: skipped")):
        read_documents([tmp_path], strict=False)


def test_suffixes_and_kinds(tmp_path):
    assert {".txt", ".md", ".html", ".htm", ".pdf", ".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".rss", ".atom",
            ".xml"} <= DOCUMENT_SUFFIXES
    for name, kind in (("a.txt", "document"), ("a.HTML", "document"), ("a.pdf", "document"), ("a.yaml", "curated"),
                       ("a.yml", "curated"), ("a.ttl", "reference"), ("a.docx", "unsupported"),
                       ("README", "ignored"), ("LICENSE.rst", "ignored"), ("README.md", "document")):
        (tmp_path / name).write_bytes(b"x")
        assert document_kind(tmp_path / name) == kind, name


def test_read_document_refuses_collections(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("text\nPoland backs Ukraine.\n", encoding="utf-8")
    with pytest.raises(InputError, match="read it with read_collection"):
        read_document(f)


def test_build_stores_text_of_every_format(tmp_path):
    from kg.graph.build import build
    from kg.store import MemoryStore

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "mediacloud.csv").write_text(MEDIA_CLOUD_CSV, encoding="utf-8")
    (corpus / "page.html").write_text(PAGE, encoding="utf-8")
    (corpus / "report.pdf").write_bytes(make_pdf(["Poland backs Ukraine.", "Germany hesitates."]))
    (corpus / "world.rss").write_bytes(RSS)
    store = MemoryStore()
    build([corpus], store)
    rows = store.query("SELECT ?id ?text WHERE { ?d a kg:Document ; dct:identifier ?id ; schema:text ?text }").dicts()
    texts = {r["id"]: r["text"] for r in rows}
    assert set(texts) == {"2301", "2302", "2303", "page", "report", "example.org-p-1", "example.org-c"}
    assert texts["2301"] == "Poland supports Ukraine.\nSecond paragraph, with a comma."
    assert texts["report"] == "Poland backs Ukraine.\n\nGermany hesitates."
