"""Readers: HTML (main text only), PDF (text layer), DOCX, e-mail; each recorded in the briefing
so a check can read the file the same way, and each failure a note, never a traceback."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from briefing.assemble.grounding import locate
from briefing.engines.extractive import ExtractiveEngine
from briefing.ingest.sources import READERS, load_documents, read_document, reader_for
from briefing.pipeline import build
from tests.support.documents import (
    docx_bytes,
    eml_bytes,
    encrypted_pdf_bytes,
    html_page,
    pdf_bytes,
)

FIRST = "The council approved the new budget on Monday after a long debate in the city hall."
SECOND = "Mayor Jane Smith said the plan would fund ten new schools and two clinics by 2027."
ARTICLE = f"<p>{FIRST}</p>\n<p>{SECOND.replace('ten new', 'ten <em>new</em>')}</p>"


def read(tmp_path: Path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return read_document(path)


def assert_cites(doc, quote: str) -> None:
    """`quote` is located in the document's content, at offsets into its extracted text."""
    found = locate(doc, quote)
    assert found is not None, f"{quote!r} not found in {doc.text!r}"
    start, end, _ = found
    assert doc.text[start:end] == quote


def test_every_format_is_registered():
    for ext in (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".eml"):
        assert ext in READERS


@pytest.mark.parametrize(
    ("label", "ext"),
    [
        ("text", ".txt"),
        ("markdown", ".md"),
        ("html/lxml 6.1.3", ".html"),
        ("pdf/pypdf 6.0.0", ".pdf"),
        ("docx/python-docx 1.2.0", ".docx"),
        ("eml/email python 3.11 + html/lxml 6.1.3", ".eml"),
    ],
)
def test_reader_for_a_recorded_label(label, ext):
    assert reader_for(label) is READERS[ext]


def test_reader_for_an_unknown_label():
    assert reader_for("html/trafilatura 2.3.1") is READERS[".html"]
    assert reader_for("epub/ebooklib 0.18") is None
    assert reader_for("") is None


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def test_html_reads_the_article_not_the_page_furniture(tmp_path):
    doc, note = read(tmp_path, "page.html", html_page(ARTICLE))
    assert note is None
    assert doc.title == "Council approves budget"
    for passage in (FIRST, SECOND):
        assert_cites(doc, passage)
    for furniture in (
        "Home",
        "World news",
        "trusted daily source",
        "Tracking code",
        "font-family",
        "Related:",
        "Most read",
        "Celebrity chef",
        "Great article",
        "Copyright",
    ):
        assert furniture not in doc.text
    assert doc.reader.startswith("html/lxml ")
    assert doc.encoding == "utf-8"


def test_html_metadata_date_and_canonical_url(tmp_path):
    head = (
        '<meta property="og:title" content="Budget passes">'
        '<meta property="article:published_time" content="2025-12-03T10:00:00Z">'
        '<link rel="canonical" href="https://news.example/budget">'
    )
    doc, _ = read(tmp_path, "page.htm", html_page(ARTICLE, head=head))
    assert doc.title == "Budget passes"
    assert doc.date == dt.date(2025, 12, 3)
    assert doc.url == "https://news.example/budget"


def test_html_declared_charset_is_used(tmp_path):
    text = "Совет утвердил новый бюджет в понедельник после долгих дебатов в мэрии города."
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        f"</head><body><p>{text}</p></body></html>"
    )
    doc, note = read(tmp_path, "ru.html", page.encode("cp1251"))
    assert note is None
    assert doc.encoding == "windows-1251"
    assert_cites(doc, text)


def test_html_entities_and_markup_in_text_are_text(tmp_path):
    page = (
        "<html><body><p>The report quoted the code &lt;script&gt;alert(1)&lt;/script&gt; "
        "and the template {{ 7*7 }} word for word.</p></body></html>"
    )
    doc, _ = read(tmp_path, "code.html", page)
    assert_cites(doc, "The report quoted the code <script>alert(1)</script>")
    assert "{{ 7*7 }}" in doc.text


def test_html_without_paragraphs_keeps_its_text(tmp_path):
    page = f"<html><body><div>{FIRST}</div><div>{SECOND}</div></body></html>"
    doc, _ = read(tmp_path, "divs.html", page)
    assert_cites(doc, FIRST)
    assert_cites(doc, SECOND)


def test_html_with_an_xml_declaration(tmp_path):
    page = f'<?xml version="1.0" encoding="UTF-8"?><html><body><p>{FIRST}</p></body></html>'
    doc, _ = read(tmp_path, "x.html", page)
    assert_cites(doc, FIRST)


def test_html_of_only_furniture_is_skipped(tmp_path):
    doc, note = read(tmp_path, "nav.html", "<html><body><nav><a href='/'>Home</a></nav></body>")
    assert doc is None
    assert "nav.html: skipped" in note


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def test_pdf_text_layer_and_title(tmp_path):
    doc, note = read(tmp_path, "report.pdf", pdf_bytes([FIRST, SECOND], title="Budget report"))
    assert note is None
    assert doc.title == "Budget report"
    assert_cites(doc, FIRST)
    assert_cites(doc, SECOND)
    assert doc.reader.startswith("pdf/pypdf ")


def test_pdf_pages_without_text_are_noted(tmp_path):
    doc, note = read(tmp_path, "scan.pdf", pdf_bytes([FIRST, SECOND], pages=3))
    assert_cites(doc, FIRST)
    assert note == f"{tmp_path / 'scan.pdf'}: 2 of 3 pages have no text layer"


def test_pdf_without_any_text_layer_is_skipped(tmp_path):
    doc, note = read(tmp_path, "scan.pdf", pdf_bytes([]))
    assert doc is None
    assert "no text layer" in note and "OCR" in note


def test_encrypted_pdf_is_skipped_with_a_note(tmp_path):
    doc, note = read(tmp_path, "secret.pdf", encrypted_pdf_bytes([FIRST], "s3cret"))
    assert doc is None
    assert note == f"{tmp_path / 'secret.pdf'}: skipped, encrypted PDF; it needs a password"


def test_pdf_encrypted_with_an_empty_password_is_read(tmp_path):
    doc, _ = read(tmp_path, "open.pdf", encrypted_pdf_bytes([FIRST], ""))
    assert_cites(doc, FIRST)


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n garbage", b"not a pdf at all", pdf_bytes([FIRST])[:300]],
    ids=["garbage", "not-pdf", "truncated"],
)
def test_corrupt_pdf_is_skipped_with_a_note(tmp_path, data, capfd):
    doc, note = read(tmp_path, "bad.pdf", data)
    assert doc is None
    assert note.startswith(f"{tmp_path / 'bad.pdf'}: skipped, not a readable PDF file (")
    assert capfd.readouterr().err == ""  # what pypdf logs about repairs stays quiet


# ---------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------


def test_docx_paragraphs_heading_and_table(tmp_path):
    data = docx_bytes(
        [FIRST, SECOND], heading="Budget memo", table=[["Item", "Cost"], ["Schools", "$4m"]]
    )
    doc, note = read(tmp_path, "memo.docx", data)
    assert note is None
    assert doc.title == "Budget memo"
    assert_cites(doc, FIRST)
    assert_cites(doc, SECOND)
    assert "Schools" in doc.text and "$4m" in doc.text
    assert doc.reader.startswith("docx/python-docx ")
    assert doc.date is None  # never the template's creation date


def test_docx_core_title_wins(tmp_path):
    doc, _ = read(tmp_path, "memo.docx", docx_bytes([FIRST, SECOND], title="Budget 2026"))
    assert doc.title == "Budget 2026"


def test_bad_docx_is_skipped_with_a_note(tmp_path):
    doc, note = read(tmp_path, "bad.docx", b"PK\x03\x04 not really a zip")
    assert doc is None
    assert note.startswith(f"{tmp_path / 'bad.docx'}: skipped, not a readable DOCX file (")


def test_zip_that_is_not_a_docx_is_skipped_with_a_note(tmp_path):
    with zipfile.ZipFile(tmp_path / "other.docx", "w") as z:
        z.writestr("hello.txt", FIRST)
    doc, note = read_document(tmp_path / "other.docx")
    assert doc is None
    assert "skipped, not a readable DOCX file" in note


# ---------------------------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------------------------


def test_eml_body_subject_and_date(tmp_path):
    body = f"Hello all,\n\n{FIRST}\n{SECOND}\n\n-- \nPress Office\nCity Hall, Room 4\n"
    doc, note = read(tmp_path, "mail.eml", eml_bytes(body, subject="Budget approved"))
    assert note is None
    assert doc.title == "Budget approved"
    assert doc.date == dt.date(2025, 12, 3)
    assert_cites(doc, FIRST)
    assert_cites(doc, SECOND)
    assert "From:" not in doc.text and "press@example.org" not in doc.text
    assert "City Hall, Room 4" not in doc.text  # the signature
    assert doc.reader.startswith("eml/email ")


def test_eml_in_another_charset(tmp_path):
    body = f"Café owners in Zürich met the mayor. {FIRST}\n"
    doc, _ = read(tmp_path, "mail.eml", eml_bytes(body, charset="iso-8859-1"))
    assert doc.encoding == "iso-8859-1"
    assert_cites(doc, "Café owners in Zürich met the mayor.")


def test_eml_with_only_an_html_body(tmp_path):
    html = f"<html><body><nav><a href='/'>Home</a></nav><p>{FIRST}</p></body></html>"
    doc, _ = read(tmp_path, "mail.eml", eml_bytes("", html=html))
    assert_cites(doc, FIRST)
    assert "Home" not in doc.text
    assert "html/lxml" in doc.reader


def test_eml_prefers_the_plain_body(tmp_path):
    doc, _ = read(tmp_path, "mail.eml", eml_bytes(FIRST + "\n", html="<p>Other words.</p>"))
    assert_cites(doc, FIRST)
    assert "Other words" not in doc.text


# ---------------------------------------------------------------------------------------------
# All formats together, through the pipeline
# ---------------------------------------------------------------------------------------------


def test_a_folder_of_every_format_builds_a_verifiable_briefing(tmp_path):
    files = {
        "a.txt": f"{FIRST}\n",
        "b.md": f"# Budget\n\n{SECOND}\n",
        "c.html": html_page(ARTICLE),
        "d.pdf": pdf_bytes([FIRST, SECOND]),
        "e.docx": docx_bytes([FIRST, SECOND]),
        "f.eml": eml_bytes(f"{FIRST}\n{SECOND}\n"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data.encode() if isinstance(data, str) else data)
    brief = build([tmp_path], ExtractiveEngine())
    docs = {d.id: d for d in load_documents([tmp_path])[0]}
    readers = {s.id: s.reader.split("/")[0] for s in brief.sources}
    assert readers == {
        "a": "text",
        "b": "markdown",
        "c": "html",
        "d": "pdf",
        "e": "docx",
        "f": "eml",
    }
    claims = brief.key_points + [c for s in brief.sections for c in s.claims]
    for claim in claims:
        for cit in claim.citations:
            assert docs[cit.source].text[cit.start : cit.end] == cit.quote
    first = next(c for c in claims if c.text == FIRST)
    assert {cit.source for cit in first.citations} == {"a", "c", "d", "e", "f"}


def test_help_and_text_files_do_not_import_the_format_libraries(tmp_path):
    (tmp_path / "a.txt").write_text(f"{FIRST}\n")
    code = (
        "import sys, contextlib, io\n"
        "from briefing.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "from briefing.ingest.sources import load_documents\n"
        f"load_documents([{str(tmp_path)!r}])\n"
        "print(sorted(m for m in ('pypdf', 'docx', 'lxml', 'briefing.ingest.readers') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_html_outlet_is_the_site_name_else_the_host_of_its_url(tmp_path):
    head = (
        '<meta property="og:site_name" content="The Harbour Gazette">'
        '<link rel="canonical" href="https://www.harbourgazette.example/loan">'
    )
    doc, _ = read(tmp_path, "page.htm", html_page(ARTICLE, head=head))
    assert doc.outlet == "The Harbour Gazette"
    head = '<link rel="canonical" href="https://www.harbourgazette.example/loan">'
    doc, _ = read(tmp_path, "other.htm", html_page(ARTICLE, head=head))
    assert doc.outlet == "harbourgazette.example"


@pytest.mark.parametrize(
    ("credit", "outlet"),
    [
        ("Based On ANI Report", "ANI"),
        ("(With inputs from PTI)", "PTI"),
        ("- Reuters", "Reuters"),
    ],
)
def test_text_outlet_is_the_agency_it_credits(tmp_path, credit, outlet):
    text = f"{FIRST}\n\n{SECOND}\n\n{credit}\n"
    doc, _ = read(tmp_path, "story.txt", text)
    assert doc.outlet == outlet
    if credit.startswith(("Based", "(")):  # furniture, never content
        assert credit not in " ".join(doc.text[s:e] for s, e in doc.body)


def test_a_dateline_agency_is_the_outlet(tmp_path):
    doc, _ = read(tmp_path, "wire.txt", f"LONDON (Reuters) - {FIRST} {SECOND}\n")
    assert doc.outlet == "Reuters"


def test_sources_show_their_outlet_in_every_format(tmp_path):
    from tests.conftest import run_cli

    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "story.txt").write_text(f"{FIRST}\n\n{SECOND}\n\nBased On ANI Report\n")
    for fmt in ("md", "txt", "html"):
        done = run_cli("build", folder, "--format", fmt, "-o", "-")
        assert done.returncode == 0, done.stderr
        assert "· ANI ·" in done.stdout, fmt
