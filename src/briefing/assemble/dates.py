"""Dates a reader can use: a relative time in a claim ('on Tuesday', 'the day after tomorrow',
'next week') anchored to the date of the source that says it, shown beside the claim.

A weekday alone means the nearest such day: the coming one in a sentence about what will
happen, the last one (or the day itself) otherwise. Nothing is anchored in a source without a
date, and a claim keeps its own words: the date goes in `Claim.when`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from briefing.models import Claim, Document

_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_RELATIVE = re.compile(
    r"\b(?P<phrase>the day after tomorrow|the day before yesterday|today|tonight|yesterday|"
    r"tomorrow|(?P<which>next|last|this|coming) (?P<unit>week|month)|"
    r"(?:(?P<mod>next|last|this|on|coming|since|by|until|from|late|early) )?"
    r"(?P<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?P<of>['’]s)?"
    r"(?: (?:morning|afternoon|evening|night))?)\b",
    re.IGNORECASE,
)
_AHEAD = re.compile(
    r"\b(?:will|shall|is to|are to|expected|scheduled|due|plans?|planned|set to|upcoming|"
    r"next|coming|until|by)\b",
    re.IGNORECASE,
)
NEAR = 30  # characters: a weekday is ahead when a word of the future is this close to it
_DONE = re.compile(r"\b(?:said|told|says|\w{3,}ed)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_FIXED = {
    "today": 0,
    "tonight": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "the day after tomorrow": 2,
    "the day before yesterday": -2,
}


def when(text: str, published: dt.date) -> str | None:
    """What the first relative time of `text` means, said from `published`: 'Tuesday 2
    December 2025', 'week of 8 December 2025', 'January 2026'. None when it has none, or when
    it would fall outside the calendar (a source dated 0001-01-01 or 9999-12-31)."""
    try:
        return _when(text, published)
    except (OverflowError, ValueError):
        return None


def _when(text: str, published: dt.date) -> str | None:
    m = _first(text)
    if not m:
        return None
    phrase = m.group("phrase").lower()
    if phrase in _FIXED:
        return _day(published + dt.timedelta(days=_FIXED[phrase]))
    if m.group("unit"):
        step = {"next": 1, "coming": 1, "last": -1, "this": 0}[m.group("which").lower()]
        if m.group("unit").lower() == "week":
            monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(weeks=step)
            return f"week of {_date(monday)}"
        month = published.month - 1 + step
        first = dt.date(published.year + month // 12, month % 12 + 1, 1)
        return first.strftime("%B %Y")
    weekday = _WEEKDAYS.index(m.group("day").lower())
    mod = (m.group("mod") or "").lower()
    near = text[max(0, m.start() - NEAR) : m.end() + NEAR]
    said = bool(_DONE.search(text[max(0, m.start() - NEAR) : m.start()]))  # 'said on Tuesday'
    said = said or bool(m.group("of") and not mod)  # 'Tuesday's failure': an event had
    ahead = mod in ("next", "coming", "until", "by") or (
        mod not in ("last", "since") and not said and bool(_AHEAD.search(near))
    )
    days = (weekday - published.weekday()) % 7
    if ahead:
        days = days or (7 if mod == "next" else 0)
        return _day(published + dt.timedelta(days=days))
    back = (published.weekday() - weekday) % 7
    if mod == "last" and back == 0:
        back = 7
    return _day(published - dt.timedelta(days=back))


def dated(claims: Iterable[Claim], docs: Iterable[Document]) -> list[Claim]:
    """`claims`, each with `when` where its text has a relative time and the source it cites
    for it (the first whose passage has the words, else the first cited) has a date."""
    by_id = {d.id: d for d in docs}
    out = []
    for claim in claims:
        m = _first(claim.text)
        if m and claim.when is None:
            words = m.group("phrase").lower()
            cited = sorted(claim.citations, key=lambda c: words not in c.quote.lower())
            for citation in cited:
                doc = by_id.get(citation.source)
                if doc is not None and doc.date is not None:
                    claim = claim.model_copy(update={"when": when(claim.text, doc.date)})
                    break
        out.append(claim)
    return out


def _first(text: str) -> re.Match[str] | None:
    """The first relative time of `text`; 'Today' inside a name ('India Today') is none."""
    for m in _RELATIVE.finditer(text):
        word = m.group("phrase")
        if m.group("day") or m.group("unit") or word.islower() or m.start() == 0:
            return m
    return None


def _day(day: dt.date) -> str:
    return f"{day.strftime('%A')} {_date(day)}"


def _date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"
