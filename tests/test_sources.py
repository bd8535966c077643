"""Sources: finding files, decoding them, and telling metadata and furniture from content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.ingest.metadata import analyse, is_furniture, parse_date
from briefing.ingest.sources import load_documents, read_document
from briefing.pipeline import source_info
from briefing.text import sentence_spans

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

BODY = "The council approved the new budget on Monday after a long debate.\n"


@pytest.fixture(scope="module")
def seed():
    """The seed documents by number: seed["000"] .. seed["004"]."""
    docs, _ = load_documents([SEEDS])
    return {d.id[:3]: d for d in docs}


def body_text(doc) -> str:
    return "\n".join(doc.text[s:e] for s, e in doc.body)


def in_body(doc, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in doc.body)


def assert_never_content(doc, passage: str) -> None:
    """Every occurrence of `passage` in the document lies outside its body spans."""
    assert passage in doc.text
    i = doc.text.find(passage)
    while i != -1:
        assert not in_body(doc, i, i + len(passage)), f"{passage!r} at {i} is inside the body"
        i = doc.text.find(passage, i + 1)


# ---------------------------------------------------------------------------------------------
# Finding files
# ---------------------------------------------------------------------------------------------


def test_file_id_is_the_name_without_extension(tmp_path):
    (tmp_path / "report-2025.txt").write_text(BODY)
    (tmp_path / "notes.v2.md").write_text(BODY)
    docs, _ = load_documents([tmp_path])
    assert sorted(d.id for d in docs) == ["notes.v2", "report-2025"]


def test_seed_ids(seed):
    assert sorted(d.id for d in seed.values()) == sorted(p.stem for p in SEEDS.glob("*.txt"))


def ids_of(*paths) -> list[str]:
    docs, _ = load_documents(paths)
    return sorted(d.id for d in docs)


def test_files_of_one_name_in_dated_folders_are_told_apart_by_their_folders(tmp_path):
    """Two article.txt used to stop the run ('two files have the ID'). Only the files whose
    names collide get a longer ID; the others keep theirs."""
    for day in ("2026-11-29", "2026-11-30"):
        (tmp_path / "news" / day).mkdir(parents=True)
        (tmp_path / "news" / day / "article.txt").write_text(BODY)
    (tmp_path / "news" / "2026-11-30" / "memo.md").write_text(BODY)
    ids = ["2026-11-29/article", "2026-11-30/article", "memo"]
    assert ids_of(tmp_path / "news") == ids


def test_ids_are_stable_however_the_files_are_given(tmp_path, monkeypatch):
    for day in ("2026-11-29", "2026-11-30"):
        (tmp_path / "news" / day).mkdir(parents=True)
        (tmp_path / "news" / day / "article.txt").write_text(BODY)
    ids = ["2026-11-29/article", "2026-11-30/article"]
    assert ids_of(tmp_path / "news") == ids
    assert ids_of(*sorted((tmp_path / "news").glob("*/article.txt"), reverse=True)) == ids
    monkeypatch.chdir(tmp_path / "news" / "2026-11-29")
    assert ids_of("article.txt", "../2026-11-30/article.txt") == ids


def test_each_colliding_file_gets_the_shortest_end_of_its_path_that_is_its_own(tmp_path):
    for folder in ("a/x", "b/x", "c/y"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "article.txt").write_text(BODY)
    assert ids_of(tmp_path) == ["a/x/article", "b/x/article", "y/article"]


def test_files_of_one_name_in_one_folder_keep_their_extensions(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for path in ("a/report.txt", "a/report.md", "b/report.md"):
        (tmp_path / path).write_text(BODY)
    assert ids_of(tmp_path) == ["a/report.md", "b/report", "report.txt"]


def test_ids_that_still_coincide_are_an_input_error_naming_both_paths(tmp_path):
    first, second = tmp_path / "report.md", tmp_path / "report.md.txt"
    for path in (first, second, tmp_path / "report.txt"):
        path.write_text(BODY)
    with pytest.raises(InputError) as info:
        load_documents([tmp_path])
    message = str(info.value)
    assert "two files have the ID 'report.md'" in message
    assert str(first) in message
    assert str(second) in message


def test_the_same_file_given_twice_is_read_once(tmp_path):
    (tmp_path / "story.txt").write_text(BODY)
    docs, _ = load_documents([tmp_path, tmp_path / "story.txt"])
    assert [d.id for d in docs] == ["story"]


def test_missing_path_is_an_input_error(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(InputError, match="nope"):
        load_documents([missing])


def test_empty_folder_is_an_input_error_naming_the_extensions(tmp_path):
    with pytest.raises(InputError) as info:
        load_documents([tmp_path])
    message = str(info.value)
    for ext in (".txt", ".md"):
        assert ext in message
    assert str(tmp_path) in message


def test_folder_of_unsupported_files_is_an_input_error_naming_the_extensions(tmp_path):
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError) as info:
        load_documents([tmp_path])
    assert ".txt" in str(info.value)
    assert ".md" in str(info.value)


def test_unsupported_files_beside_readable_ones_are_noted(tmp_path):
    (tmp_path / "story.txt").write_text(BODY)
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    docs, notes = load_documents([tmp_path])
    assert [d.id for d in docs] == ["story"]
    assert any(".png" in n for n in notes)


def test_hidden_files_and_folders_are_skipped(tmp_path):
    (tmp_path / "visible.txt").write_text(BODY)
    (tmp_path / ".hidden.txt").write_text(BODY)
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "inside.txt").write_text(BODY)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".DS_Store").write_bytes(b"\x00")
    docs, notes = load_documents([tmp_path])
    assert [d.id for d in docs] == ["visible"]
    assert notes == ["skipped 3 hidden file(s) or folder(s) (names starting with '.')"]


def test_folders_are_walked_recursively(tmp_path):
    deep = tmp_path / "2025" / "december"
    deep.mkdir(parents=True)
    (tmp_path / "top.txt").write_text(BODY)
    (deep / "deep.md").write_text(BODY)
    docs, _ = load_documents([tmp_path])
    assert sorted(d.id for d in docs) == ["deep", "top"]
    assert next(d for d in docs if d.id == "deep").path == str(deep / "deep.md")


def test_the_path_a_briefing_shows_is_relative_to_the_folder_given(tmp_path, monkeypatch):
    """Briefings may be mailed: they show no absolute local path. Document.path stays the
    file to read."""
    (tmp_path / "news" / "2026-11-29").mkdir(parents=True)
    (tmp_path / "news" / "2026-11-29" / "article.txt").write_text(BODY)
    (tmp_path / "news" / "top.md").write_text(BODY)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "one.txt").write_text(BODY)
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "two.txt").write_text(BODY)
    monkeypatch.chdir(tmp_path)
    given = [tmp_path / "news", tmp_path / "elsewhere" / "one.txt", "loose/two.txt"]
    docs, _ = load_documents(given)
    shown = {d.id: d.shown_path for d in docs}
    assert shown == {
        "article": "2026-11-29/article.txt",
        "top": "top.md",
        "one": "one.txt",
        "two": "loose/two.txt",
    }
    for d in docs:
        assert Path(d.path).read_text() == BODY
        assert source_info(d).path == d.shown_path


def test_a_file_can_be_given_directly(tmp_path):
    (tmp_path / "one.txt").write_text(BODY)
    (tmp_path / "two.txt").write_text(BODY)
    docs, _ = load_documents([tmp_path / "two.txt"])
    assert [d.id for d in docs] == ["two"]


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


def test_latin1_file_decodes_and_the_note_says_so(tmp_path):
    text = "Café owners in Zürich said prices rose.\nThe mayor promised to look into it.\n"
    path = tmp_path / "latin.txt"
    path.write_bytes(text.encode("latin-1"))
    docs, notes = load_documents([tmp_path])
    assert docs[0].text == text
    assert docs[0].encoding != "utf-8"
    assert any("latin.txt" in n and "not UTF-8" in n for n in notes)


def test_utf16_file_with_bom_decodes_and_the_note_says_so(tmp_path):
    text = "Café owners in Zürich said prices rose.\nThe mayor promised to look into it.\n"
    path = tmp_path / "wide.txt"
    path.write_bytes(text.encode("utf-16"))
    docs, notes = load_documents([tmp_path])
    assert docs[0].text == text
    assert docs[0].encoding == "utf-16"
    assert any("wide.txt" in n and "utf-16" in n for n in notes)


def test_utf8_bom_is_not_part_of_the_text_and_needs_no_note(tmp_path):
    text = "Café owners in Zürich said prices rose.\nThe mayor promised to look into it.\n"
    (tmp_path / "bom.txt").write_bytes(text.encode("utf-8-sig"))
    docs, notes = load_documents([tmp_path])
    assert docs[0].text == text
    assert notes == []


@pytest.mark.parametrize("data", [b"", b"  \n\n\t\n"], ids=["empty", "blank"])
def test_empty_file_is_skipped_with_a_note(tmp_path, data):
    (tmp_path / "story.txt").write_text(BODY)
    (tmp_path / "empty.txt").write_bytes(data)
    docs, notes = load_documents([tmp_path])
    assert [d.id for d in docs] == ["story"]
    assert any("empty.txt" in n and "empty" in n.split(":")[-1] for n in notes)


def test_binary_file_is_skipped_with_a_note(tmp_path):
    (tmp_path / "story.txt").write_text(BODY)
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    docs, notes = load_documents([tmp_path])
    assert [d.id for d in docs] == ["story"]
    assert any("image.txt" in n and "binary" in n for n in notes)


def test_only_furniture_is_skipped_with_a_note(tmp_path):
    path = tmp_path / "furniture.txt"
    path.write_text("- Views: 8\n- |\n- Share this article\n")
    doc, note = read_document(path)
    assert doc is None
    assert "furniture.txt" in note


def test_crlf_file_keeps_offsets_into_the_decoded_text(tmp_path):
    raw = b"Council news\r\nThe council met on Monday. It approved the budget.\r\n\r\nMore.\r\n"
    (tmp_path / "crlf.txt").write_bytes(raw)
    docs, _ = load_documents([tmp_path])
    doc = docs[0]
    assert doc.text == raw.decode("utf-8")
    assert doc.title == "Council news"
    (start, end), *_ = doc.body
    assert start == doc.text.index("The council")
    assert doc.text[start:end].startswith("The council met on Monday.")
    assert "More." in body_text(doc)
    assert all(not doc.text[s:e][-1].isspace() for s, e in doc.body)


def test_document_records_sha256_of_the_file_bytes(tmp_path):
    import hashlib

    raw = BODY.encode("utf-8")
    (tmp_path / "story.txt").write_bytes(raw)
    docs, _ = load_documents([tmp_path])
    assert docs[0].sha256 == hashlib.sha256(raw).hexdigest()


# ---------------------------------------------------------------------------------------------
# Metadata: date prefix, title, source URL
# ---------------------------------------------------------------------------------------------


def test_date_prefix_gives_the_date_and_is_not_content():
    text = " date 2025-12-03 The council approved the new budget on Monday after a debate.\n"
    meta = analyse(text)
    assert meta.date == dt.date(2025, 12, 3)
    assert [text[s:e] for s, e in meta.body] == [
        "The council approved the new budget on Monday after a debate."
    ]


@pytest.mark.parametrize(
    ("key", "date"), [("000", "2025-12-03"), ("001", "2025-12-03"), ("004", "2025-12-02")]
)
def test_seed_date_prefix(seed, key, date):
    doc = seed[key]
    assert doc.date == dt.date.fromisoformat(date)
    assert_never_content(doc, f"date {date}")


def test_short_first_line_becomes_the_title():
    text = "Council approves budget\n\nThe council approved the new budget on Monday.\n"
    meta = analyse(text)
    assert meta.title == "Council approves budget"
    assert [text[s:e] for s, e in meta.body] == ["The council approved the new budget on Monday."]


def test_markdown_heading_becomes_the_title():
    meta = analyse("# Council approves budget\n\nThe council approved the budget.\n")
    assert meta.title == "Council approves budget"


def test_first_line_that_is_a_sentence_is_content_not_title():
    text = "The council approved the budget.\nIt did so on Monday.\n"
    meta = analyse(text)
    assert meta.title is None
    assert meta.body[0][0] == 0


def test_a_lone_line_is_content_not_title():
    """A document of one short line has nothing else to read: the line is its content."""
    text = "Council approves budget\n"
    meta = analyse(text)
    assert meta.title is None
    assert [text[s:e] for s, e in meta.body] == ["Council approves budget"]


@pytest.mark.parametrize(
    ("key", "title"),
    [
        (
            "002",
            "Putin Aims to Strengthen Cooperation with India: Upcoming Visit to Focus on "
            "Defense and Nuclear Energy Partnerships",
        ),
        (
            "003",
            "Putin confirms major India-Russia tech deals in pipeline, says final reveal will "
            "come in Delhi",
        ),
    ],
)
def test_seed_titles_are_not_content(seed, key, title):
    doc = seed[key]
    assert doc.title == title
    assert_never_content(doc, title)


def test_source_line_gives_the_url_and_is_not_content():
    text = (
        "Council approves budget\nThe council approved the budget on Monday.\n"
        "Source: https://example.org/news/budget\n"
    )
    meta = analyse(text)
    assert meta.url == "https://example.org/news/budget"
    assert "example.org" not in "".join(text[s:e] for s, e in meta.body)


def test_seed_source_url(seed):
    doc = seed["002"]
    assert doc.url is not None
    assert doc.url.startswith("https://www.ndtv.com/world-news/vladimir-putin-india-visit")
    assert_never_content(doc, "Source: https://www.ndtv.com")


# ---------------------------------------------------------------------------------------------
# Page furniture in the seeds
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "furniture"),
    [
        ("002", "- Date & Time:"),
        ("002", "- |"),
        ("002", "- Views: 8"),
        ("002", "- From: India News Bull"),
        ("002", "Moscow (Russia):"),
        ("003", "- Dec 4, 2025,"),
        ("003", "- Updated Dec 4, 2025 10:32 PM IST"),
        ("004", "Based On ANI Report"),
    ],
)
def test_seed_furniture_is_never_content(seed, key, furniture):
    assert_never_content(seed[key], furniture)


def test_seed_date_is_picked_up_from_furniture(seed):
    assert seed["003"].date == dt.date(2025, 12, 4)


def test_dateline_before_the_first_sentence_is_not_content(seed):
    doc = seed["000"]
    assert_never_content(doc, "Moscow [Russia], December 3 :")
    assert doc.body[0][0] == doc.text.index("Roscosmos Director General")


def test_seed_content_is_kept(seed):
    """Furniture removal must not eat the news: the first and last sentences stay content."""
    doc = seed["004"]
    text = body_text(doc)
    assert text.startswith("India-Russia defence cooperation is expanding")
    assert text.endswith("advanced defence partnership for the future.")
    assert "over 30% of India’s defence procurements" in text


def test_every_seed_has_content_and_body_spans_are_trimmed_and_ordered(seed):
    for doc in seed.values():
        assert doc.body
        last = 0
        for s, e in doc.body:
            assert last <= s < e <= len(doc.text)
            assert doc.text[s:e] == doc.text[s:e].strip()
            last = e


# ---------------------------------------------------------------------------------------------
# is_furniture / parse_date
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "- Date & Time:",
        "- |",
        "***",
        "- Views: 8",
        "Shares: 1.2k",
        "- From: India News Bull",
        "By: Staff Reporter",
        "- Dec 4, 2025,",
        "- Updated Dec 4, 2025 10:32 PM IST",
        "Published on 3 December 2025",
        "Based On ANI Report",
        "(With inputs from agencies)",
        "Read more",
        "Moscow (Russia):",
    ],
)
def test_is_furniture(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Russia remains one of India’s most significant defence partners.",
        "From the start, the talks were tense, officials said.",
        "Views differ on whether the deal will be signed this week.",
        "Published in 2024, the report found that growth slowed sharply in the region.",
        "The summit on Dec 4, 2025 brought both leaders together in New Delhi.",
    ],
)
def test_is_not_furniture(line):
    assert not is_furniture(line)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-12-03", dt.date(2025, 12, 3)),
        ("- Dec 4, 2025,", dt.date(2025, 12, 4)),
        ("Updated Sept. 14, 2025", dt.date(2025, 9, 14)),
        ("4 December 2025", dt.date(2025, 12, 4)),
        ("on Tuesday, 2 December, 2025 in Moscow", dt.date(2025, 12, 2)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["no date here", "2025-13-45", "Summit 4, 2025", "Feb 30, 2025", "December 2025"]
)
def test_parse_date_without_a_valid_date(text):
    assert parse_date(text) is None


def test_parse_date_returns_the_first_date_written():
    assert parse_date("Published 3 December 2025, updated 2025-12-04") == dt.date(2025, 12, 3)


@pytest.mark.parametrize(
    "dateline",
    [
        "NORTHHAVEN, 3 March — ",
        "MARROWBY, England, Feb 15 (Meridian Wire) — ",
        "TARROW, May 5 (Meridian Wire) — ",
        "LAKEPORT — ",
        "MONTBRIZAC, 10 mars (Agence Rhône-Presse) — ",
    ],
)
def test_datelines_of_every_common_shape_are_not_content(tmp_path, dateline):
    """A dateline's date says when the story was filed: it is no claim (and no conflict)."""
    body = "The council approved an emergency loan to the port after a long debate on Monday."
    (tmp_path / "a.txt").write_text(f"Port gets its loan\n\n{dateline}{body}\n", encoding="utf-8")
    docs, _ = load_documents([tmp_path])
    assert_never_content(docs[0], dateline.strip())
    assert body_text(docs[0]) == body


def test_a_name_before_a_dash_is_not_a_dateline(tmp_path):
    text = "Peter Daly — the managing director — said the new timetable will run from March."
    (tmp_path / "a.txt").write_text(f"Timetable\n\n{text}\n", encoding="utf-8")
    docs, _ = load_documents([tmp_path])
    assert body_text(docs[0]) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14. Mai 2026", dt.date(2026, 5, 14)),
        ("am 3. März 2026", dt.date(2026, 3, 3)),
        ("20 juillet 2026", dt.date(2026, 7, 20)),
        ("le 1er décembre 2025", dt.date(2025, 12, 1)),
        ("14 de mayo de 2026", dt.date(2026, 5, 14)),
        ("3 settembre 2026", dt.date(2026, 9, 3)),
    ],
)
def test_dates_are_read_in_other_languages(text, expected):
    assert parse_date(text) == expected


def test_a_dateline_with_its_year_dates_the_document_and_a_day_s_full_stop_ends_no_sentence(
    tmp_path,
):
    (tmp_path / "flut.txt").write_text(
        "Hochwasser in Passau\n\nPASSAU, 14. Mai 2026 – Die Donau hat in Passau am Dienstagabend "
        "einen Pegel von 9,20 Metern erreicht. Die Stadt rief den Katastrophenfall aus.\n",
        encoding="utf-8",
    )
    [doc], _ = load_documents([tmp_path])
    assert doc.date == dt.date(2026, 5, 14)
    sentences = [doc.text[s:e] for a, b in doc.body for s, e in sentence_spans(doc.text, a, b)]
    assert sentences[0].startswith("Die Donau hat in Passau") and len(sentences) == 2
