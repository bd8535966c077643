"""Metadata and page furniture: what a text states about itself (title, date, URL) and which of
its lines are content, furniture (counters, bylines, 'Read more') or a dateline.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from briefing.text import MONTHS, trim

_MONTH = r"(?P<mon>[^\W\d_]{3,10})\.?"
_DATE_PATTERNS = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
    re.compile(_MONTH + r"\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})"),
    # 4 December 2025, 14. Mai 2026, 1er juillet 2026, 14 de mayo de 2026
    re.compile(r"(?P<d>\d{1,2})(?:\.|er)?\s+(?:de\s+)?" + _MONTH + r",?\s+(?:de\s+)?(?P<y>\d{4})"),
]


def parse_date(text: str) -> dt.date | None:
    """The first date written in `text` (2025-12-03, Dec 4, 2025, 4 December 2025)."""
    found: list[tuple[int, dt.date]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            parts = m.groupdict()
            month = int(parts["m"]) if "m" in parts else MONTHS.get(parts["mon"].lower())
            if not month:
                continue
            try:
                found.append((m.start(), dt.date(int(parts["y"]), month, int(parts["d"]))))
            except ValueError:
                continue
            break
    return min(found)[1] if found else None


_DATE_PREFIX = re.compile(r"^\s*date:?\s+(\d{4}-\d{2}-\d{2})\b\s*", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^\s*(?:source|url|link)\s*:\s*(https?://\S+)\s*$", re.IGNORECASE)
_FURNITURE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^[\W_]*$",  # bare punctuation: '- |', '***'
        r"^\s*[-*•|]?\s*(views?|shares?|comments?|likes?|reads?|reactions?)\s*:?\s*[\d.,]*\s*[km]?\s*$",
        r"^\s*[-*•|]?\s*(date\s*(&|and)\s*time|published( on)?|posted( on)?|updated|last updated"
        r"|from|by|photo|image|credit|tags?|category|filed under)\s*:.{0,80}$",
        r"^\s*[-*•|]?\s*(updated|published|posted)\b.{0,60}\d{4}.{0,20}$",
        r"^\s*[-*•|]?\s*(read more|also read|advertisement|share this( article)?|follow us.*"
        r"|subscribe.*|sign up.*|click here.*|listen to this article.*)\s*$",
        r"^\s*\(?(based on|with inputs from|inputs from|reported by)\b.{0,60}\)?\s*$",
        r"^\s*[A-Z][\w .'-]{0,40}\s*[\[(][^\])]{1,40}[\])]\s*:?\s*$",  # dateline alone
    )
]
_NAME = r"[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}"
_BRACKETS = r"\s*[\[(][^\])\n]{1,40}[\])]"
# A dateline before the first sentence: 'Moscow [Russia], December 3 : ', 'NORTHHAVEN, 3 March
# — ', 'MARROWBY, England, Feb 15 (Meridian Wire) — ', 'LAKEPORT — '. It says where and when
# the story was filed; it is not content (and its date is no claim).
_DATELINE = re.compile(
    rf"^(?P<place>{_NAME})(?P<before>{_BRACKETS})?"
    rf"(?:,\s*{_NAME}(?=,|{_BRACKETS}|\s*[:—–]))*"
    r"(?:,?\s*(?P<date>[^\W\d_]{3,9}\.? \d{1,2}(?:, \d{4})?"
    r"|\d{1,2}(?:\.|er)? [^\W\d_]{3,10}\.?(?: \d{4})?))?"
    rf"(?P<after>{_BRACKETS})?\s*[:—–]\s+"
)


def _dateline(line: str) -> int:
    """How many characters of `line` a dateline takes: 0 when it starts with none. A dateline
    names a place and a date or an agency, or names its place in capitals."""
    d = _DATELINE.match(line)
    if d is None:
        return 0
    place = d.group("place")
    if (
        d.group("date")
        or d.group("before")
        or d.group("after")
        or (place.isupper() and len(place) >= 3)
    ):
        return d.end()
    return 0


@dataclass
class Analysis:
    body: list[tuple[int, int]]
    title: str | None = None
    date: dt.date | None = None
    url: str | None = None
    credit: str | None = None
    """The agency a text credits: 'Based On ANI Report', '(ANI) —', '- Reuters'."""


_AGENCY = r"(?P<agency>[A-Z][\w&.'’]*(?: [A-Z][\w&.'’]*){0,3})"
_CREDITS = [
    re.compile(p)
    for p in (
        rf"^\s*\(?(?:[Bb]ased [Oo]n|[Ww]ith [Ii]nputs [Ff]rom|[Ii]nputs [Ff]rom)\s+(?:an?\s+)?"
        rf"{_AGENCY}(?:\s+[Rr]eports?|\s+[Ii]nputs)?\)?\.?\s*$",
        rf"^[^\n]{{0,60}}?\({_AGENCY}\)\s*[-—–:]",  # a dateline's '(ANI) —', '(Reuters) -'
        rf"^\s*[-—–]\s*{_AGENCY}\s*$",  # a closing '- Reuters'
        rf"^\s*[-*•|]?\s*[Ff]rom:\s*{_AGENCY}\s*$",  # a page's 'From: India News'
    )
]
_NOT_AGENCY = re.compile(r"\s+(?:reports?|inputs)$", re.IGNORECASE)


def agency_credit(line: str) -> str | None:
    """The agency a line credits ('Based On ANI Report', 'LONDON (Reuters) -', '- AFP')."""
    for pattern in _CREDITS:
        m = pattern.search(line)
        if m:
            return _NOT_AGENCY.sub("", m.group("agency")) or None
    return None


_LONGEST_DATE_LINE = 120


def is_furniture(line: str) -> bool:
    """True for lines that are page furniture, never content: counters, bare separators,
    'Date & Time:' lines, bylines, 'Read more' links, datelines standing alone."""
    stripped = line.strip()
    if not stripped:
        return False
    if any(p.search(stripped) for p in _FURNITURE):
        return True
    if len(stripped) > _LONGEST_DATE_LINE:  # a paragraph: no need to look for dates in it
        return False
    # A line that is only a date, perhaps with a time: '- Dec 4, 2025,'
    rest = re.sub(r"[-*•|,\s]", "", _strip_dates(stripped))
    return parse_date(stripped) is not None and len(rest) <= 8


def _strip_dates(text: str) -> str:
    for pattern in _DATE_PATTERNS:
        text = pattern.sub("", text)
    return re.sub(r"\d{1,2}:\d{2}\s*(am|pm)?\s*[A-Z]{0,4}", "", text, flags=re.IGNORECASE)


def _looks_like_title(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 25 and len(line) <= 200 and line.rstrip()[-1] not in '.!?"”:;,。！？؟'


def analyse(text: str) -> Analysis:
    """Split `text` into metadata (title, date, URL), furniture and content spans."""
    result = Analysis(body=[])
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*", text) if m.start() < len(text)]
    first_content = True
    for s, e in lines:
        line = text[s:e]
        if not line.strip():
            continue
        result.credit = result.credit or agency_credit(line)
        m = _DATE_PREFIX.match(line) if first_content else None
        if m:
            result.date = result.date or parse_date(m.group(1))
            s += m.end()
            line = text[s:e]
            if not line.strip():
                continue
        src = _SOURCE_LINE.match(line)
        if src:
            result.url = result.url or src.group(1)
            continue
        if is_furniture(line):
            if result.date is None and parse_date(line):
                result.date = parse_date(line)
            continue
        line_stripped = line.strip()
        if first_content:
            first_content = False
            heading = re.match(r"^#{1,6}\s+(.*)$", line_stripped)
            candidate = heading.group(1).strip() if heading else line_stripped
            if (heading or _looks_like_title(candidate)) and _has_more(text, e):
                result.title = candidate
                continue
        cut = _dateline(line)
        if cut and result.date is None:  # 'PASSAU, 14. Mai 2026 – ': a date with its year
            result.date = parse_date(line[:cut])
        if cut and len(line) > cut + 40:
            s += cut
        s, e = trim(text, s, e)
        if s < e:
            _add_span(result.body, text, s, e)
    return result


def _has_more(text: str, pos: int) -> bool:
    return bool(text[pos:].strip())


def _add_span(body: list[tuple[int, int]], text: str, s: int, e: int) -> None:
    """Append a content line, extending the previous span when only white space is between."""
    if body and not text[body[-1][1] : s].strip():
        body[-1] = (body[-1][0], e)
    else:
        body.append((s, e))
