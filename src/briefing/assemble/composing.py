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
from briefing.assemble.context import stands_alone
from briefing.assemble.keypoints import select
from briefing.assemble.stories import OTHER, find_stories, headline
from briefing.models import Briefing, Claim, Document, Period, Section
from briefing.text import content_terms, word_count


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
    """Leave out a claim whose words are mostly in a more important one already chosen, and
    one that leans on a sentence the briefing does not show ('But he...'). False: every claim."""


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
    """Key points and sections from `claims`, within `budget`. Key points are chosen for how
    much of the folder they cover (`keypoints.select`), at most `budget.per_topic_key_points`
    from one story while other stories have claims to give; sections are the stories (a
    claim's topic), largest first, sharing the rest of the budget by size, at least two claims
    each. `said_with` maps claim IDs to the merging group they came from: of claims that say
    one thing in other words, only the first is shown (unless the budget keeps repeats), and
    never a claim that leans on the sentence before it ('But he...')."""
    said_with = said_with or {}
    eligible = [
        c
        for c in sorted(claims, key=lambda c: -c.importance)
        if c.importance >= budget.min_importance
        and (stands_alone(c.text) or not budget.skip_repeats)
    ]
    shown = _Shown(budget, said_with)
    per_topic: Counter[str] = Counter()
    limit = min(budget.key_points, budget.max_claims)

    def spread(claim: Claim, chosen: list[Claim]) -> bool:
        topic = claim.topic or OTHER
        if per_topic[topic] >= budget.per_topic_key_points or not shown.take(claim):
            return False
        per_topic[topic] += 1
        return True

    key_points = select(eligible, limit, spread)
    if len(key_points) < limit:  # fewer stories than the cap needs: the rest from any story
        taken = {c.id for c in key_points}
        rest = [c for c in eligible if c.id not in taken]
        key_points += select(rest, limit - len(key_points), lambda c, _: shown.take(c))
    key_points = _reading_order(key_points)
    keyed = {c.id for c in key_points}
    watch = [
        c.model_copy(update={"kind": "watch"})
        for c in eligible
        if c.id not in keyed and looks_ahead(c)
    ][: budget.watch]
    for claim in watch:
        shown.mark(claim)
    sections = _sections(eligible, shown, budget) if budget.sections else []
    return Composition(key_points=key_points, sections=sections, watch=watch)


def _reading_order(key_points: list[Claim]) -> list[Claim]:
    """Key points as a reader takes them in: what their sources say first, first. News
    leads with the event and follows with reactions and details, so the stories' leads come
    before the quotes (selection picks points for coverage, in an order that says nothing);
    ties keep the selection's order."""
    return sorted(key_points, key=lambda c: min((x.start for x in c.citations), default=0))


class _Shown:
    """What the briefing shows so far, within the budget's claims and words."""

    def __init__(self, budget: Budget, said_with: Mapping[str, int]) -> None:
        self.budget = budget
        self.said_with = said_with
        self.said = _Said()
        self.groups: set[int] = set()
        self.ids: set[str] = set()
        self.words = 0

    def take(self, claim: Claim) -> bool:
        """Count `claim` in, if the budget has room for it and it repeats nothing shown."""
        if claim.id in self.ids or len(self.ids) >= self.budget.max_claims:
            return False
        if self.words + word_count(claim.text) > self.budget.max_words:
            return False
        group = self.said_with.get(claim.id)
        repeat = self.said.already(claim.text) or group in self.groups
        if self.budget.skip_repeats and repeat:
            return False
        self.mark(claim)
        return True

    def mark(self, claim: Claim) -> None:
        self.ids.add(claim.id)
        self.said.add(claim.text)
        self.words += word_count(claim.text)
        group = self.said_with.get(claim.id)
        if group is not None:
            self.groups.add(group)


def _sections(eligible: list[Claim], shown: _Shown, budget: Budget) -> list[Section]:
    """The stories, largest first (by the documents their claims cite), each given a share of
    the claims left by its size and at least two; stories beyond what the budget can give two
    claims each go together under OTHER."""
    sources: dict[str, set[str]] = {}
    for claim in eligible:
        sources.setdefault(claim.topic or OTHER, set()).update(c.source for c in claim.citations)
    topics = sorted(sources, key=lambda t: (t == OTHER, -len(sources[t]), t))
    room = max(budget.max_claims - len(shown.ids), 0)
    kept = topics[: max(room // 2, 1)]
    title = {t: (t if t in kept else OTHER) for t in topics}
    size: Counter[str] = Counter()
    for t in topics:
        size[title[t]] += len(sources[t])
    total = sum(size.values()) or 1
    quota = {t: max(2, round(room * n / total)) for t, n in size.items()}
    by_topic: dict[str, list[Claim]] = {}
    for claim in eligible:  # each story its share, most important first
        t = title[claim.topic or OTHER]
        if len(by_topic.get(t, ())) < quota[t] and shown.take(claim):
            by_topic.setdefault(t, []).append(claim)
    for claim in eligible:  # what is left of the budget, most important first
        if shown.take(claim):
            by_topic.setdefault(title[claim.topic or OTHER], []).append(claim)
    order = {t: n for n, t in enumerate(dict.fromkeys(title[t] for t in topics))}
    return [
        Section(title=t, claims=sorted(cs, key=lambda c: -c.importance))
        for t, cs in sorted(by_topic.items(), key=lambda tc: order[tc[0]])
    ]


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


def title_for(docs: Sequence[Document], claims: Sequence[Claim] = ()) -> str:
    """'Briefing: ' and the names of the main stories of `docs`."""
    return headline(docs, find_stories(docs))
