"""Where sources differ: figures of one kind (percentages, sums of money, counts of a unit) that
different sources give for what looks like the same thing.

"The same thing" is judged from the sentence around each figure: the same unit, the same
subject (the named places, people and organisations the two sentences share) and the same
topic. Each side is shown with a short verbatim passage around its figure and its sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.models import Citation, Claim, Conflict, ConflictValue, Document
from briefing.text import STOPWORDS, stem

_QUALIFIER = (
    r"(?:(?:over|more than|nearly|almost|about|around|roughly|up to|at least|less than|"
    r"under|some|approximately)\s+)?"
)
_NUMBER = r"\d+(?:[.,]\d+)*"
_UNITS = {
    "per cent": r"\s*(?:%|per ?cent\b|percent\b)",
    "money": r"\s*(?:million|billion|trillion|crore|lakh|bn|mn)?\b",
}
_FIGURE = re.compile(
    rf"(?P<qual>{_QUALIFIER})(?:(?P<cur>[$€£₹¥]|Rs\.?|USD|EUR)\s?(?P<amount>{_NUMBER})"
    rf"(?P<scale>\s*(?:million|billion|trillion|crore|lakh|bn|mn))?"
    rf"|(?P<pct>{_NUMBER}){_UNITS['per cent']})",
    re.IGNORECASE,
)
_CALENDAR = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday""".split()
)
_FIGURE_CORE = re.compile(
    r"\d\s*(?:%|per ?cent|percent)|(?:[$€£₹¥]|Rs\.?|USD|EUR)\s?\d", re.IGNORECASE
)
_CLAUSE_END = re.compile(r"[.;:!?\"“”()]|,\s|\s[-–—]\s")
MAX_CONFLICTS = 6
_COMPARED = 8  # members of a group a new figure is compared with
_CANDIDATES = 16  # the most recent groups under one key that a new figure meets
_SUBJECT_TERMS = 8  # subject words used for the index


@dataclass
class Figure:
    unit: str
    value: float
    text: str
    subject: frozenset[str]
    topic: str | None
    citation: Citation


def find_figures(claims: Sequence[Claim], docs: Sequence[Document]) -> list[Figure]:
    """Every figure in the cited passages, with the short clause around it as its citation."""
    by_id = {d.id: d for d in docs}
    names: dict[str, frozenset[str]] = {}  # per document, computed once when first needed
    figures: list[Figure] = []
    for claim in claims:
        for cit in claim.citations:
            if not _FIGURE_CORE.search(cit.quote):
                continue  # the cheap test first: most passages hold no percentage or sum
            doc = by_id[cit.source]
            if doc.id not in names:
                names[doc.id] = _names_mid_sentence(doc.text)
            subject = _subject(cit.quote, names[doc.id])
            for m in _FIGURE.finditer(cit.quote):
                unit, value = _unit_value(m)
                if value is None:
                    continue
                start, end = _clause(
                    doc.text, cit.start + m.start(), cit.start + m.end(), cit.start, cit.end
                )
                figures.append(
                    Figure(
                        unit=unit,
                        value=value,
                        text=m.group(0).strip(),
                        subject=subject,
                        topic=claim.topic,
                        citation=Citation(
                            source=cit.source, quote=doc.text[start:end], start=start, end=end
                        ),
                    )
                )
    return figures


def _unit_value(m: re.Match[str]) -> tuple[str, float | None]:
    raw = m.group("pct") or m.group("amount")
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        return "", None
    if m.group("pct"):
        unit = "per cent"
    else:
        scale = (m.group("scale") or "").strip().lower()
        unit = f"{m.group('cur').upper().rstrip('.')} {scale}".strip()
    qual = m.group("qual").strip().lower()
    return (f"{unit} ({qual})" if qual else unit), value


def _subject(quote: str, names_in_text: frozenset[str]) -> frozenset[str]:
    """Named things a sentence is about: its capitalised words, stemmed; the first word only
    when the document capitalises it mid-sentence too (a name, not just a sentence start)."""
    words = re.findall(r"(?<![\w'’])[A-Z][\w'’-]+", quote)
    starts = bool(words) and quote.lstrip('"“ ').startswith(words[0])
    if starts and re.match(r"\w+", words[0]).group(0) not in names_in_text:  # type: ignore[union-attr]
        words = words[1:]
    return frozenset(stem(w) for w in words if w.lower() not in STOPWORDS | _CALENDAR)


_MID_SENTENCE = re.compile(r"(?<=[a-z,]\s)[A-Z]\w*")


def _names_mid_sentence(text: str) -> frozenset[str]:
    """The capitalised words `text` uses after a lower-case letter or a comma: names."""
    return frozenset(_MID_SENTENCE.findall(text))


def _clause(text: str, fs: int, fe: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause around the figure at text[fs:fe], inside the quote text[lo:hi]."""
    start = lo
    for m in _CLAUSE_END.finditer(text, lo, fs):
        start = m.end()
    m = _CLAUSE_END.search(text, fe, hi)
    end = m.start() if m else hi
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    if len(words) > 16:  # keep about eight whole words either side of the figure
        left = [s for s, _ in words if start + s < fs][-8:]
        right = [e for s, e in words if start + s >= fe][:8]
        first, last = start, end
        start = first + left[0] if left else fs
        end = first + right[-1] if right else fe
        end = min(end, last)
    while start < end and text[start] in " ,":
        start += 1
    while end > start and text[end - 1] in " ,;":
        end -= 1
    return start, end


def _base_unit(unit: str) -> str:
    return unit.split(" (")[0]


def find_conflicts(
    claims: Sequence[Claim], docs: Sequence[Document], limit: int = MAX_CONFLICTS
) -> list[Conflict]:
    """Pairs of figures of one unit, from different sources, that differ and look to be about
    the same thing; each conflict lists every value given, with its sources. At most `limit`."""
    figures = find_figures(claims, docs)
    groups: list[list[Figure]] = []
    # Figures can only be about the same measure when they share a unit, a topic and two
    # subject words: index groups by those, so each figure meets a few groups, not all.
    index: dict[tuple[str, ...], list[int]] = {}
    for fig in figures:
        terms = sorted(fig.subject)[:_SUBJECT_TERMS]
        unit = _base_unit(fig.unit)
        keys = [(unit, fig.topic or "", a, b) for n, a in enumerate(terms) for b in terms[n + 1 :]]
        candidates = sorted({g for k in keys for g in index.get(k, ())[-_CANDIDATES:]})
        home = next(
            (g for g in candidates if any(_same_measure(fig, o) for o in groups[g][:_COMPARED])),
            None,
        )
        if home is None:
            home = len(groups)
            groups.append([])
        groups[home].append(fig)
        for key in keys:
            if home not in index.setdefault(key, [])[-1:]:
                index[key].append(home)
    conflicts: list[Conflict] = []
    for group in groups:
        values: dict[str, list[Figure]] = {}
        for fig in group:
            # '5%' and 'about 5%' are one value; the wording shown is the first source's
            values.setdefault(f"{_base_unit(fig.unit)}:{fig.value:g}", []).append(fig)
        sources = {f.citation.source for f in group}
        if len(values) < 2 or len(sources) < 2:
            continue
        conflicts.append(
            Conflict(
                id=f"d{len(conflicts) + 1}",
                title=_title(group),
                values=[
                    ConflictValue(value=figs[0].text, citations=_one_per_source(figs))
                    for figs in values.values()
                ],
            )
        )
    return conflicts[:limit]


def _same_measure(a: Figure, b: Figure) -> bool:
    if _base_unit(a.unit) != _base_unit(b.unit) or a.citation.source == b.citation.source:
        return False
    if a.value and b.value and max(a.value, b.value) / min(a.value, b.value) > 3:
        return False
    return len(a.subject & b.subject) >= 2 and (a.topic == b.topic or not a.topic or not b.topic)


def _one_per_source(figs: Sequence[Figure]) -> list[Citation]:
    seen: dict[str, Citation] = {}
    for f in figs:
        seen.setdefault(f.citation.source, f.citation)
    return [seen[s] for s in sorted(seen)]


def _title(group: Sequence[Figure]) -> str:
    shared = frozenset.intersection(*(f.subject for f in group))
    names: list[str] = []
    for fig in group:
        for word in re.findall(r"[A-Z][\w-]+", fig.citation.quote):
            if stem(word) in shared and stem(word) not in {stem(n) for n in names}:
                names.append(word)
    names = names[:3]
    subject = (
        ", ".join(names[:-1]) + " and " + names[-1]
        if len(names) > 1
        else names[0]
        if names
        else "the same measure"
    )
    unit = _base_unit(group[0].unit)
    return f"{subject}: percentages" if unit == "per cent" else f"{subject}: sums in {unit}"
