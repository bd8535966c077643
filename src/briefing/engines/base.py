"""The small interface every engine implements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from briefing.models import Chunk, Claim, Document, Fact, FailedChunk, Usage

Progress = Callable[[int, int], None]
"""Called as progress(done, total) after each chunk."""


@dataclass
class Extraction:
    """What an engine returns: the facts, and the chunks it could not read (with why)."""

    facts: list[Fact] = field(default_factory=list)
    failed_chunks: list[FailedChunk] = field(default_factory=list)


class Engine(Protocol):
    name: str
    model: str | None

    @property
    def resumable(self) -> bool:
        """True when the answers that finished outlive an interrupted run (the LLM engine with
        its cache on), so that a rerun sends only what was left."""
        ...

    def extract(
        self,
        docs: Sequence[Document],
        chunks: Sequence[Chunk],
        progress: Progress | None = None,
    ) -> Extraction:
        """Facts from `chunks`; every fact's quote must be verbatim text of its source.
        An engine never writes citation markers; rendering does."""
        ...

    def write_lead(
        self, claims: Sequence[Claim], title: str, max_points: int
    ) -> list[Claim] | None:
        """Key points written from `claims` (each citing some of them), or None to lead with
        the most important claims themselves."""
        ...

    def usage(self) -> Usage | None:
        """Requests and tokens spent so far, or None for an engine that uses no model."""
        ...
