"""Chunking: content cut at sentence boundaries, with offsets into the document text."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.ingest.chunking import chunk_document, chunk_documents
from briefing.ingest.sources import load_documents
from briefing.text import sentence_spans

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SIZES = [120, 300, 500, 1000, 6000]


@pytest.fixture(scope="module")
def seed_docs():
    docs, _ = load_documents([SEEDS])
    return docs


def load_one(tmp_path, text: str, name: str = "doc.txt"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    docs, _ = load_documents([tmp_path / name])
    return docs[0]


def sentence_count(doc, chunk) -> int:
    return sum(len(sentence_spans(doc.text, s, e)) for s, e in chunk.spans)


@pytest.mark.parametrize("max_chars", SIZES)
def test_every_content_character_lands_in_exactly_one_chunk(seed_docs, max_chars):
    for doc in seed_docs:
        chunks = chunk_document(doc, max_chars)
        owners = [0] * len(doc.text)
        for chunk in chunks:
            for s, e in chunk.spans:
                for i in range(s, e):
                    owners[i] += 1
        for s, e in doc.body:
            for i in range(s, e):
                if not doc.text[i].isspace():
                    assert owners[i] == 1, (doc.id, i, doc.text[i], owners[i])


@pytest.mark.parametrize("max_chars", SIZES)
def test_chunks_hold_nothing_but_content(seed_docs, max_chars):
    """Chunk spans stay inside body spans: no title, furniture or metadata reaches an engine."""
    for doc in seed_docs:
        for chunk in chunk_document(doc, max_chars):
            for s, e in chunk.spans:
                assert any(bs <= s and e <= be for bs, be in doc.body), (doc.id, s, e)


@pytest.mark.parametrize("max_chars", SIZES)
def test_chunks_respect_max_chars_in_content(seed_docs, max_chars):
    """Leaving out the white space between sentences, a chunk of several sentences is never
    longer than max_chars."""
    for doc in seed_docs:
        for chunk in chunk_document(doc, max_chars):
            if sentence_count(doc, chunk) > 1:
                assert len("".join(chunk.text.split())) <= max_chars, (doc.id, chunk.index)


def test_chunk_text_of_several_sentences_never_exceeds_max_chars(tmp_path):
    first = "The council met on Monday to debate the new budget."
    second = "It approved the budget after a long and heated debate."
    doc = load_one(tmp_path, f"{first}\n\n\n\n{second}\n")
    max_chars = len(first) + len(second)
    for chunk in chunk_document(doc, max_chars):
        assert len(chunk.text) <= max_chars or sentence_count(doc, chunk) == 1


def test_small_max_chars_gives_several_chunks(seed_docs):
    doc = next(d for d in seed_docs if d.id.startswith("004"))
    assert len(chunk_document(doc, 6000)) == 1
    assert len(chunk_document(doc, 400)) > 3


def test_an_over_long_sentence_is_one_chunk_and_never_cut(tmp_path):
    long_sentence = "The council " + "debated the budget and " * 20 + "finally approved it."
    text = f"Short opening sentence here.\n{long_sentence}\nShort closing sentence here.\n"
    doc = load_one(tmp_path, text)
    chunks = chunk_document(doc, 100)
    assert [c.text for c in chunks] == [
        "Short opening sentence here.",
        long_sentence,
        "Short closing sentence here.",
    ]


def test_chunk_spans_are_offsets_into_the_document_text(tmp_path):
    text = "Council news\n\nThe council met on Monday. It approved the budget.\n\nMore to come."
    doc = load_one(tmp_path, text)
    (chunk,) = chunk_document(doc, 6000)
    assert chunk.start == text.index("The council")
    assert text[chunk.start : chunk.end].endswith("More to come.")


@pytest.mark.parametrize("max_chars", SIZES)
def test_chunk_text_is_its_spans_text_joined(seed_docs, max_chars):
    for doc in seed_docs:
        for chunk in chunk_document(doc, max_chars):
            assert chunk.text == "\n\n".join(doc.text[s:e] for s, e in chunk.spans)
            assert chunk.source == doc.id


def test_furniture_between_sentences_splits_a_chunk_into_passages(tmp_path):
    """Furniture between two content paragraphs is left out of the chunk, so the chunk has
    two passages and its text joins them with a blank line."""
    text = (
        "The council met on Monday to debate the budget.\n"
        "- Views: 8\n"
        "It approved the budget after a long debate.\n"
    )
    doc = load_one(tmp_path, text)
    (chunk,) = chunk_document(doc, 6000)
    assert [text[s:e] for s, e in chunk.spans] == [
        "The council met on Monday to debate the budget.",
        "It approved the budget after a long debate.",
    ]
    assert "Views" not in chunk.text


def test_crlf_document_chunks_point_into_the_raw_text(tmp_path):
    raw = b"The council met on Monday.\r\nIt approved the budget.\r\n\r\nMore to come soon.\r\n"
    (tmp_path / "crlf.txt").write_bytes(raw)
    docs, _ = load_documents([tmp_path])
    for chunk in chunk_document(docs[0], 30):
        for s, e in chunk.spans:
            assert docs[0].text[s:e] in raw.decode("utf-8")
            assert not docs[0].text[s:e].endswith("\r")


def test_chunk_indexes_count_per_document(seed_docs):
    chunks = chunk_documents(seed_docs, 500)
    for doc in seed_docs:
        mine = [c for c in chunks if c.source == doc.id]
        assert [c.index for c in mine] == list(range(len(mine)))
        assert [c.start for c in mine] == sorted(c.start for c in mine)
