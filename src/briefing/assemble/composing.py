"""Composing: choose what the briefing says and in what order.

Claims are taken most important first within a budget (how many claims, how many words), the
few that matter most become the key points, and the rest are grouped by topic into sections.
A briefing is selective: what does not fit the budget is counted, not printed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from briefing.assemble.conflicts import MAX_CONFLICTS
from briefing.assemble.stories import OTHER
from briefing.models import Briefing, Claim, Document, Period, Section
from briefing.text import STOPWORDS, content_terms, word_count


@dataclass(frozen=True)
class Budget:
    """How much a briefing may say. The defaults fit two pages."""

    max_claims: int = 30
    max_words: int = 1100
    key_points: int = 7
    min_importance: float = 0.3
    per_topic_key_points: int = 2
    watch: int = 0
    """How many claims about what is planned or expected to list as what to watch next."""
    sections: bool = True
    """False: the briefing is its key points (and what to watch), with no sections by topic."""
    max_conflicts: int = MAX_CONFLICTS
    skip_repeats: bool = True
    """Leave out a claim whose words are mostly in a more important one already chosen."""


@dataclass
class Composition:
    key_points: list[Claim]
    sections: list[Section]
    watch: list[Claim] = field(default_factory=list)

    def claims_shown(self) -> int:
        """How many of the claims found it shows (key points a model wrote are not claims)."""
        shown = [*self.key_points, *self.watch, *(c for s in self.sections for c in s.claims)]
        return len({c.id for c in shown if c.kind != "key_point"})


# What a source says is planned, scheduled or expected: the future as the source states it.
_FORWARD = re.compile(
    r"\b(?:will|shall|expected to|is expected|are expected|plans? to|planning to|planned|"
    r"scheduled|upcoming|forthcoming|preparing to|set to|due to|to be (?:held|signed|announced|"
    r"discussed|unveiled)|on the agenda|next (?:week|month|year)|later this (?:week|month|year))\b",
    re.IGNORECASE,
)
_HEARSAY = re.compile(r"\b(?:may|might|could|would|perhaps|possibly|if)\b", re.IGNORECASE)


def looks_ahead(claim: Claim) -> bool:
    """True when the claim says what is planned, scheduled or expected, without hedging."""
    return bool(_FORWARD.search(claim.text)) and not _HEARSAY.search(claim.text)


class _Said:
    """What the briefing already says, to keep out a claim whose words are mostly in one already
    chosen: two claims that merging kept apart can still repeat each other to a reader."""

    REPEATS = 0.6  # share of a claim's content words found in one chosen claim
    AT_LEAST = 5  # and at least this many of them: a short claim is not a repeat by chance

    def __init__(self) -> None:
        self.terms: list[frozenset[str]] = []
        self.index: dict[str, list[int]] = {}

    def already(self, text: str) -> bool:
        terms = frozenset(content_terms(text))
        if not terms:
            return False
        counts: Counter[int] = Counter()
        for term in terms:
            counts.update(self.index.get(term, ()))
        return any(
            n >= self.AT_LEAST and n / min(len(terms), len(self.terms[i])) >= self.REPEATS
            for i, n in counts.items()
        )

    def add(self, text: str) -> None:
        terms = frozenset(content_terms(text))
        for term in terms:
            self.index.setdefault(term, []).append(len(self.terms))
        self.terms.append(terms)


def compose(
    claims: Sequence[Claim], budget: Budget = Budget(), said_with: Mapping[str, int] | None = None
) -> Composition:
    """Key points and sections from `claims` (most important first), within `budget`.
    `said_with` maps claim IDs to the merging group they came from: of claims that say one
    thing in other words, only the first is shown (unless the budget keeps repeats)."""
    said_with = said_with or {}
    chosen: list[Claim] = []
    words = 0
    said = _Said()
    groups: set[int] = set()  # what merging found said already, in other words
    for claim in sorted(claims, key=lambda c: -c.importance):
        if len(chosen) >= budget.max_claims:
            break
        if claim.importance < budget.min_importance:
            continue
        n = word_count(claim.text)
        if words + n > budget.max_words:
            continue
        group = said_with.get(claim.id)
        repeat = said.already(claim.text) or group in groups
        if budget.skip_repeats and repeat:
            continue
        chosen.append(claim)
        said.add(claim.text)
        if group is not None:
            groups.add(group)
        words += n

    key_points: list[Claim] = []
    per_topic: Counter[str] = Counter()
    for claim in chosen:
        if len(key_points) >= budget.key_points:
            break
        topic = claim.topic or OTHER
        if per_topic[topic] >= budget.per_topic_key_points:
            continue
        key_points.append(claim)
        per_topic[topic] += 1

    keyed = {c.id for c in key_points}
    watch = [
        c.model_copy(update={"kind": "watch"})
        for c in sorted(claims, key=lambda c: -c.importance)
        if c.id not in keyed and c.importance >= budget.min_importance and looks_ahead(c)
    ][: budget.watch]
    shown = keyed | {c.id for c in watch}
    by_topic: dict[str, list[Claim]] = {}
    for claim in chosen if budget.sections else ():
        if claim.id not in shown:
            by_topic.setdefault(claim.topic or OTHER, []).append(claim)
    sections = [Section(title=t, claims=cs) for t, cs in by_topic.items()]
    sections.sort(key=lambda s: (s.title == OTHER, -sum(c.importance for c in s.claims)))
    return Composition(key_points=key_points, sections=sections, watch=watch)


def led_by(lead: Sequence[Claim], body: Composition, budget: Budget) -> Composition:
    """`body`, composed with no key points, led by the key points a model wrote instead."""
    return Composition(
        key_points=list(lead[: budget.key_points]),
        sections=body.sections if budget.sections else [],
        watch=body.watch,
    )


def recompose(briefing: Briefing, budget: Budget) -> Briefing:
    """`briefing` composed again within another audience's `budget`, from the claims it holds
    (no model, no documents): its key points, what to watch and sections chosen as a build for
    that audience would choose them, and at most `budget.max_conflicts` of where sources
    differ. Nothing is added that the briefing does not hold, so one built for a small budget
    stays small; key points a model wrote are kept, the first `budget.key_points` of them."""
    written = [c for c in briefing.key_points if c.kind == "key_point"]
    held: dict[str, Claim] = {}
    sections = (c for s in briefing.sections for c in s.claims)
    for claim in (*briefing.key_points, *briefing.watch, *sections):
        if claim.kind != "key_point" and claim.id not in held:
            held[claim.id] = claim.model_copy(update={"kind": "claim"})
    claims = list(held.values())
    if written and budget.key_points:
        body = compose(claims, replace(budget, key_points=0, sections=True))
        composition = led_by(written, body, budget)
    else:
        composition = compose(claims, budget)
    return briefing.model_copy(
        update={
            "key_points": composition.key_points,
            "sections": composition.sections,
            "watch": composition.watch,
            "conflicts": briefing.conflicts[: budget.max_conflicts],
            "stats": briefing.stats.model_copy(update={"claims_shown": composition.claims_shown()}),
        }
    )


def period(docs: Sequence[Document]) -> Period:
    dates = sorted(d.date for d in docs if d.date)
    return Period(start=dates[0], end=dates[-1]) if dates else Period()


def title_for(docs: Sequence[Document], claims: Sequence[Claim]) -> str:
    """'Briefing: A, B and C' after the names the documents mention most widely."""
    seen_in: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for doc in docs:
        runs = [
            run
            for start, end in doc.body
            for run in re.findall(
                r"(?<=[a-z,;]\s)[A-Z][a-z]{2,}\b(?:\s[A-Z][a-z]{2,}\b)*", doc.text[start:end]
            )
        ]
        names = [r.split()[-1] for r in runs if r.split()[0].lower() not in STOPWORDS]
        total.update(names)
        seen_in.update(set(names))
    ranked = sorted(total, key=lambda n: (-seen_in[n], -total[n], n))[:3]
    if not ranked:
        return "Briefing"
    return "Briefing: " + (
        ", ".join(ranked[:-1]) + " and " + ranked[-1] if len(ranked) > 1 else ranked[0]
    )
