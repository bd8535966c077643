"""Chunking: cut each document's content into pieces an engine can read, at sentence and
paragraph boundaries, keeping offsets into the document text.

Every non-blank character of the content lands in exactly one chunk; a sentence is never cut,
so a chunk may exceed the size only when one sentence does.
"""

from __future__ import annotations

from briefing.models import Chunk, Document
from briefing.text import sentence_spans

DEFAULT_CHUNK_CHARS = 6000


def chunk_document(doc: Document, max_chars: int = DEFAULT_CHUNK_CHARS) -> list[Chunk]:
    sentences = [s for start, end in doc.body for s in sentence_spans(doc.text, start, end)]
    chunks: list[Chunk] = []
    current: list[tuple[int, int]] = []
    size = 0
    for start, end in sentences:
        length = end - start
        if current:  # the white space (or the blank line standing for furniture) before it
            between = doc.text[current[-1][1] : start]
            length += len(between) if not between.strip() else 2
        paragraph_break = bool(current) and "\n" in doc.text[current[-1][1] : start]
        full = size + length > max_chars
        nearly_full = paragraph_break and size >= 0.8 * max_chars
        if current and (full or nearly_full):
            chunks.append(_make_chunk(doc, len(chunks), current))
            current, size = [], 0
            length = end - start
        current.append((start, end))
        size += length
    if current:
        chunks.append(_make_chunk(doc, len(chunks), current))
    return chunks


def _make_chunk(doc: Document, index: int, sentences: list[tuple[int, int]]) -> Chunk:
    """Join adjacent sentences into passages; a passage breaks where non-blank text (furniture)
    lies between two sentences."""
    spans: list[tuple[int, int]] = []
    for start, end in sentences:
        if spans and not doc.text[spans[-1][1] : start].strip():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    text = "\n\n".join(doc.text[s:e] for s, e in spans)
    return Chunk(source=doc.id, index=index, spans=spans, text=text, sentences=list(sentences))


def chunk_documents(docs: list[Document], max_chars: int = DEFAULT_CHUNK_CHARS) -> list[Chunk]:
    return [chunk for doc in docs for chunk in chunk_document(doc, max_chars)]
