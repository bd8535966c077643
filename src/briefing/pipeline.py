"""The pipeline: sources -> chunking -> engine -> grounding -> merging -> composing -> Briefing.

`build` is the library's front door; the command line is a thin layer over it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from briefing.assemble.composing import Budget, Composition, compose, led_by, period
from briefing.assemble.conflicts import find_conflicts, mark_disputed
from briefing.assemble.dates import dated
from briefing.assemble.grounding import ground
from briefing.assemble.merging import merge_with_groups
from briefing.assemble.stories import Story, assign, find_stories, headline
from briefing.engines.base import Engine, Progress
from briefing.ingest.chunking import DEFAULT_CHUNK_CHARS, chunk_document, chunk_documents
from briefing.ingest.sources import iter_documents
from briefing.models import Briefing, Chunk, Claim, Document, SourceInfo, Stats

T = TypeVar("T")


@dataclass
class BuildOptions:
    audience: str = "default"
    title: str | None = None
    budget: Budget = field(default_factory=Budget)
    chunk_chars: int = DEFAULT_CHUNK_CHARS


def build(
    paths: Sequence[str | Path],
    engine: Engine | None = None,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> Briefing:
    """Read `paths`, extract with `engine` (default: the extractive engine, which needs no
    model), and return the verified, merged briefing."""
    if engine is None:
        from briefing.engines.extractive import ExtractiveEngine

        engine = ExtractiveEngine()
    notes: list[str] = []
    return build_from_documents(
        iter_documents(paths, notes=notes), engine, options, progress, notes
    )


def build_from_documents(
    documents: Iterable[Document],
    engine: Engine,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
    notes: Sequence[str] = (),
) -> Briefing:
    """The briefing of `documents`. An engine that can (`extract_stream`) starts on the first
    document's chunks while the rest are read: `documents` may be an iterator that reads them.
    `notes` are read once every document has been."""
    options = options or BuildOptions()
    stream = getattr(engine, "extract_stream", None)
    found: list[list[Story]] = []
    chunk_count = 0
    if stream is not None:
        docs: list[Document] = []

        def pieces() -> Iterator[tuple[Document, list[Chunk]]]:
            nonlocal chunk_count
            for doc in documents:
                docs.append(doc)
                cut = chunk_document(doc, options.chunk_chars)
                chunk_count += len(cut)
                yield doc, cut
            # Every document is read and the last requests are out: their wait is spent
            # grouping the documents into stories.
            found.append(find_stories(docs))

        extraction = stream(pieces(), progress)
    else:
        docs = list(documents)
        chunks = chunk_documents(docs, options.chunk_chars)
        chunk_count = len(chunks)
        extraction = engine.extract(docs, chunks, progress)
        del chunks
    grounded = ground(extraction.facts, docs)
    claims, said_with = merge_with_groups(grounded.facts)
    facts_found, dropped, rewritten = (
        len(extraction.facts),
        len(grounded.dropped),
        grounded.rewritten,
    )
    failed = list(extraction.failed_chunks)
    del extraction, grounded  # the claims hold what they cite: free the rest
    stories = found[0] if found else find_stories(docs)
    claims = dated(assign(claims, stories), docs)
    title = options.title or headline(docs, stories)
    composition, conflicts = _compose(
        engine,
        claims,
        title,
        options.budget,
        said_with,
        meanwhile=lambda: find_conflicts(claims, docs, options.budget.max_conflicts),
    )
    shown = composition.key_points + composition.watch
    mark_disputed(shown + [c for s in composition.sections for c in s.claims], conflicts)
    return Briefing(
        title=title,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        engine=engine.name,
        model=engine.model,
        audience=options.audience,
        period=period(docs),
        sources=[source_info(d) for d in docs],
        key_points=composition.key_points,
        sections=composition.sections,
        watch=composition.watch,
        conflicts=conflicts,
        stats=Stats(
            documents=len(docs),
            chunks=chunk_count,
            facts_found=facts_found,
            facts_dropped=dropped,
            facts_rewritten=rewritten,
            claims=len(claims),
            claims_shown=composition.claims_shown(),
            skipped_files=list(notes),
            failed_chunks=failed,
            usage=engine.usage(),
        ),
    )


def _compose(
    engine: Engine,
    claims: list[Claim],
    title: str,
    budget: Budget,
    said_with: dict[str, int],
    meanwhile: Callable[[], T],
) -> tuple[Composition, T]:
    """Sections within the budget, led by key points the engine writes (the LLM engine) or,
    failing that, by the most important claims themselves; and what `meanwhile` returns,
    run while the engine writes them (a model's key points are a request: its wait is
    spent on the next stage's work, finding conflicts)."""
    body = compose(claims, replace(budget, key_points=0, sections=True), said_with)
    chosen = sorted((c for s in body.sections for c in s.claims), key=lambda c: -c.importance)
    lead = None
    if chosen and engine.model is None:  # an engine with no model writes none: no thread
        other = meanwhile()
        lead = engine.write_lead(chosen, title, budget.key_points)
    elif chosen:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-lead")
        try:
            asked = pool.submit(engine.write_lead, chosen, title, budget.key_points)
            other = meanwhile()
            lead = asked.result()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    else:
        other = meanwhile()
    if lead:
        return led_by(lead, body, budget), other
    return compose(claims, budget, said_with), other


def source_info(doc: Document) -> SourceInfo:
    first = doc.text[doc.body[0][0] : doc.body[0][1]] if doc.body else ""
    words = re.sub(r"\s+", " ", first).split(" ")
    excerpt = " ".join(words[:14]) + ("…" if len(words) > 14 else "")
    return SourceInfo(
        id=doc.id,
        path=doc.shown_path or Path(doc.path).name,
        title=doc.title,
        date=doc.date,
        url=doc.url,
        outlet=doc.outlet,
        sha256=doc.sha256,
        reader=doc.reader,
        encoding=doc.encoding,
        excerpt=excerpt,
    )
