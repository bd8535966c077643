"""Grounding: find each fact's quote in its source file and fix its offsets there.

A quote is looked for exactly, then after folding white space, quotes and dashes. When found,
the citation's quote is the file's own text at those offsets (`text[start:end] == quote`), so
what is printed is what the file says. A fact whose quote is not found is dropped and counted.
A fact whose claim gives a figure or name its quote lacks (`support`) is printed as its quote
instead, and counted: whatever an engine wrote, a claim says only what its evidence says.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from briefing.assemble.support import supports
from briefing.models import Citation, Document, Fact, GroundedFact
from briefing.text import normalise

MIN_QUOTE_CHARS = 12


@dataclass
class Grounding:
    facts: list[GroundedFact] = field(default_factory=list)
    dropped: list[Fact] = field(default_factory=list)
    rewritten: int = 0
    """Facts whose claim said more than their quote, kept with the quote as their claim."""


def ground(facts: Sequence[Fact], docs: Sequence[Document]) -> Grounding:
    by_id = {d.id: d for d in docs}
    result = Grounding()
    for fact in facts:
        doc = by_id.get(fact.source)
        found = locate(doc, fact.quote, fact.hint) if doc is not None else None
        if doc is None or found is None:
            result.dropped.append(fact)
            continue
        start, end, match = found
        quote = doc.text[start:end]
        if fact.claim != quote and not supports(quote, fact.claim):
            fact = fact.model_copy(update={"claim": " ".join(quote.split())})
            result.rewritten += 1
        result.facts.append(
            GroundedFact(
                fact=fact,
                citation=Citation(source=doc.id, quote=quote, start=start, end=end),
                match=match,
            )
        )
    return result


Match = Literal["exact", "normalised", "fuzzy"]


def locate(doc: Document, quote: str, hint: int | None = None) -> tuple[int, int, Match] | None:
    """(start, end, how) of `quote` in the document's content, or None when it is not there.

    Among several occurrences the one nearest `hint` wins. Only content counts: a quote that
    exists only in page furniture or metadata is not evidence.
    """
    quote = quote.strip()
    if len(quote) < MIN_QUOTE_CHARS:
        return None
    if (
        hint is not None
        and doc.text.startswith(quote, hint)
        and _in_body(doc, hint, hint + len(quote))
    ):
        return hint, hint + len(quote), "exact"  # where the engine said: nothing is nearer
    hits = [(s, e) for s, e in _occurrences(doc.text, quote) if _in_body(doc, s, e)]
    match: Match = "exact"
    if not hits:
        folded, where = _folded(doc.text)
        needle, _ = normalise(quote)
        needle = needle.strip()
        hits = [(where[i], _end(where, i + len(needle))) for i in _find_all(folded, needle)]
        hits = [(s, e) for s, e in hits if _in_body(doc, s, e)]
        match = "normalised"
    if not hits:
        return None
    if hint is not None:
        hits.sort(key=lambda h: abs(h[0] - hint))
    start, end = hits[0]
    return start, end, match


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    return [(i, i + len(needle)) for i in _find_all(text, needle)]


def _find_all(text: str, needle: str) -> list[int]:
    out, i = [], text.find(needle)
    while i != -1:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def _end(where: list[int], j: int) -> int:
    """Offset in the original text just after the folded character j-1."""
    return where[j - 1] + 1 if j > 0 else where[0]


@lru_cache(maxsize=64)
def _folded(text: str) -> tuple[str, list[int]]:
    return normalise(text)


def _in_body(doc: Document, start: int, end: int) -> bool:
    """True when text[start:end] lies inside one content span (spans are sorted)."""
    i = bisect.bisect_right(doc.body, (start, float("inf"))) - 1
    return i >= 0 and doc.body[i][0] <= start and end <= doc.body[i][1]
