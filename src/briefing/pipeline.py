"""The pipeline: sources -> chunking -> engine -> grounding -> merging -> composing -> Briefing.

`build` is the library's front door; the command line is a thin layer over it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefing.assemble.composing import Budget, Composition, compose, led_by, period, title_for
from briefing.assemble.conflicts import find_conflicts, mark_disputed
from briefing.assemble.grounding import ground
from briefing.assemble.merging import merge_with_groups
from briefing.engines.base import Engine, Progress
from briefing.ingest.chunking import DEFAULT_CHUNK_CHARS, chunk_documents
from briefing.ingest.sources import load_documents
from briefing.models import Briefing, Claim, Document, SourceInfo, Stats


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
    docs, notes = load_documents(paths)
    return build_from_documents(docs, engine, options, progress, notes)


def build_from_documents(
    docs: Sequence[Document],
    engine: Engine,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
    notes: Sequence[str] = (),
) -> Briefing:
    options = options or BuildOptions()
    chunks = chunk_documents(list(docs), options.chunk_chars)
    extraction = engine.extract(docs, chunks, progress)
    grounded = ground(extraction.facts, docs)
    claims, said_with = merge_with_groups(grounded.facts)
    found, dropped, rewritten = len(extraction.facts), len(grounded.dropped), grounded.rewritten
    failed, chunk_count = list(extraction.failed_chunks), len(chunks)
    del chunks, extraction, grounded  # the claims hold what they cite: free the rest
    title = options.title or title_for(docs, claims)
    composition = _compose(engine, claims, title, options.budget, said_with)
    conflicts = find_conflicts(claims, docs, options.budget.max_conflicts)
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
            facts_found=found,
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
    engine: Engine, claims: list[Claim], title: str, budget: Budget, said_with: dict[str, int]
) -> Composition:
    """Sections within the budget, led by key points the engine writes (the LLM engine) or,
    failing that, by the most important claims themselves."""
    body = compose(claims, replace(budget, key_points=0, sections=True), said_with)
    chosen = sorted((c for s in body.sections for c in s.claims), key=lambda c: -c.importance)
    lead = engine.write_lead(chosen, title, budget.key_points) if chosen else None
    if lead:
        return led_by(lead, body, budget)
    return compose(claims, budget, said_with)


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
