"""Measures: what a figure measures, about whom, and when, read from the words around it; and
whether two figures measure the same thing.

A figure's measure words are the lower-case words of its sentence near it that name no one
('emergency loan ... port'); a count also has the noun it counts ('120 jobs'). Its subject is
the names of its sentence; its story the names its document uses most. Names, months and
numbers say who and when, never what is measured. A figure is of an earlier time when its words
say so ('up from 180', '61% a year earlier') or its sentence speaks only of years before its
document's ('spent $380 million in 2025' in a report of 2026).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from briefing.assemble.figures import Figure, figures
from briefing.models import Citation, Claim, Document
from briefing.text import FUNCTION_WORDS, stem

_WINDOW = 6  # measure words read either side of a figure, within its sentence
_MAX_RATIO = 5.0  # figures further apart than this are not two readings of one measure
_CLAUSE_END = re.compile(r"[.;:!?\"“”()]|,\s|\s[-–—]\s")
_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)|\n")
_FOUR_DIGITS = re.compile(r"\d{4}")
_TERM = re.compile(r"[^\W\d_][\w'’-]*")
_MID_SENTENCE = re.compile(r"(?<=[\w,;’'\)]\s)[^\W\d_][\w'’-]*")
_CALENDAR = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday""".split()
)
# Nouns that count people, whatever they call them.
_PEOPLE = frozenset(
    """people person resident inhabitant villager local individual citizen habitant personne
    einwohner persona personas""".split()
)
# Words that qualify a count but are not what it counts: '90 more jobs', '300 daily services'.
_COUNT_FILLER = frozenset(
    """more new extra additional further daily weekly monthly annual yearly other full-time
    part-time permanent temporary direct indirect local around about some of""".split()
)
# A figure of an earlier time: 'up from 180', 'compared with 61%', '61% a year earlier'.
_PAST_BEFORE = re.compile(
    r"\b(?:up from|down from|compared with|compared to|against|from|previously|formerly|"
    r"last year|a year ago|a year earlier|in the previous \w+|"
    r"(?:last|the previous) year['’]s(?:\s+[\w-]+){1,3}\s+(?:was|were|of|at|stood at|reached))"
    r"[,\s]*$",
    re.IGNORECASE,
)
_PAST_AFTER = re.compile(
    r"^\s*(?:\w+\s+){0,5}?(?:a year earlier|a year ago|a year before|last year|the year before|"
    r"the previous year|in the previous \w+|previously)\b",
    re.IGNORECASE,
)


_UNREAD = "?"  # a Measured's direction not read yet


@dataclass(slots=True)
class Measured:
    """A figure with what it measures, who it is about, when, and where it is said."""

    figure: Figure
    source: str
    clause: tuple[int, int]  # where the short clause around the figure is (`citation`)
    terms: frozenset[str]  # what is measured: the words near the figure that name no one
    near: frozenset[str]  # those of them in the figure's own clause
    unit: str | None  # the noun a count counts
    shown: str  # the figure as a reader sees it: '90 jobs', '€5 million'
    subject: frozenset[str]  # the names of its sentence
    story: frozenset[str]  # the names its document uses most
    distinct: frozenset[str]  # those of them few other documents use: what its story is about
    past: bool  # an earlier figure: 'up from 180', '61% a year earlier'
    years: frozenset[float]  # the years its clause speaks of
    at: tuple[int, int] = (0, 0)  # where the figure is in its document
    sentence_at: int = 0
    sentence_end: int = 0
    text: str = field(default="", repr=False)  # its document's text (not a copy)
    direction: str | None = field(default=_UNREAD, repr=False, compare=False)
    """'up', 'down' or None (`_direction`), read once: `measure_score` asks for it often."""

    @property
    def citation(self) -> Citation:
        """The short clause around the figure: made when a conflict shows it, not for every
        figure measured."""
        start, end = self.clause
        return Citation(source=self.source, quote=self.text[start:end], start=start, end=end)

    @property
    def sentence(self) -> str:
        return self.text[self.sentence_at : self.sentence_end]


@dataclass
class _Names:
    """A document's names: the words it capitalises mid-sentence, and those it uses most."""

    known: frozenset[str]
    story: frozenset[str]
    distinct: frozenset[str] = frozenset()


def measure_figures(claims: Sequence[Claim], docs: Sequence[Document]) -> list[Measured]:
    """Every figure of the claims' cited passages (once per place in a file), with its
    measure."""
    by_id = {d.id: d for d in docs}
    found: list[tuple[Document, Citation, Figure]] = []
    seen: set[tuple[str, int]] = set()
    read: set[tuple[str, int, str]] = set()  # passages read: one cited by many claims once
    for claim in claims:
        for cit in claim.citations:
            if (cit.source, cit.start, cit.quote) in read:
                continue
            read.add((cit.source, cit.start, cit.quote))
            doc = by_id.get(cit.source)
            for fig in figures(cit.quote) if doc is not None else ():
                at = cit.start + fig.start
                if fig.closes_range or fig.kind in ("ordinal", "time"):
                    continue  # a range is one figure, its first
                if (cit.source, at) not in seen:
                    seen.add((cit.source, at))
                    found.append((doc, cit, fig))  # type: ignore[arg-type]
    names = {d.id: _names_of(d) for d in {id(d): d for d, _, _ in found}.values()}
    _distinct(names)
    years = _years(names, by_id)
    out = [_measured(doc, cit, fig, names[doc.id], years[doc.id]) for doc, cit, fig in found]
    _share_refuted_units(out)
    for m in out:  # read once its words are final
        m.direction = _direction(m)
    return out


def _names_of(doc: Document) -> _Names:
    counts: Counter[str] = Counter()
    for start, end in doc.body:
        for m in _MID_SENTENCE.finditer(doc.text, start, end):
            word = m.group(0)
            bare = word.removesuffix("'s").removesuffix("’s")
            if word[0].isupper() and not _is_calendar(bare) and word.lower() not in FUNCTION_WORDS:
                counts[_name_key(word)] += 1
    return _Names(frozenset(counts), frozenset(n for n, _ in counts.most_common(8)))


def _distinct(names: dict[str, _Names]) -> None:
    """Mark the names of each document's story that few documents use (a quarter of them at
    most, or three): 'Corvale' tells a story apart, 'England' does not."""
    df: Counter[str] = Counter(n for ns in names.values() for n in ns.known)
    rare = max(3, len(names) // 4)
    for ns in names.values():
        ns.distinct = frozenset(n for n in ns.story if df[n] <= rare)


def same_story(a: Measured | _Names, b: Measured | _Names) -> bool:
    """True when two documents tell one story: they share two of their most used names, or one
    that few other documents use."""
    return len(a.story & b.story) >= 2 or bool(a.distinct & b.distinct)


def _years(names: dict[str, _Names], by_id: dict[str, Document]) -> dict[str, int | None]:
    """The year each document is of: its date's, else the latest date of the documents of its
    story (`same_story`), else unknown."""
    dated = {i: by_id[i].date.year for i in names if by_id[i].date}  # type: ignore[union-attr]
    # The latest year of the documents that have each distinct name, and each pair of most used
    # names: a document's kin are found through its own few names, not by asking every
    # dated document (`same_story` is two shared names or one shared distinct name).
    by_distinct: dict[str, int] = {}
    by_pair: dict[tuple[str, str], int] = {}
    for j, y in dated.items():
        for name in names[j].distinct:
            by_distinct[name] = max(y, by_distinct.get(name, y))
        for pair in itertools.combinations(sorted(names[j].story), 2):
            by_pair[pair] = max(y, by_pair.get(pair, y))
    out: dict[str, int | None] = {}
    for i, n in names.items():
        if i in dated:
            out[i] = dated[i]
            continue
        kin = [by_distinct[k] for k in n.distinct if k in by_distinct]
        kin += [by_pair[p] for p in itertools.combinations(sorted(n.story), 2) if p in by_pair]
        out[i] = max(kin) if kin else None
    return out


@functools.lru_cache(maxsize=1 << 16)
def _name_key(word: str) -> str:
    return stem(word.lower().replace("’", "'").removesuffix("'s"))


def _measured(
    doc: Document, cit: Citation, fig: Figure, names: _Names, year: int | None
) -> Measured:
    text = doc.text
    fs, fe = cit.start + fig.start, cit.start + fig.end
    ss, se = _sentence(text, fs, fe, cit.start, cit.end)
    before = [(m.start() + ss, m.end() + ss, m.group(0)) for m in _TERM.finditer(text[ss:fs])]
    after = [(m.start() + fe, m.end() + fe, m.group(0)) for m in _TERM.finditer(text[fe:se])]

    def measure_word(word: str) -> bool:
        return _is_measure_word(word) and _name_key(word) not in names.known

    words = [w for w in before if measure_word(w[2])][-_WINDOW:]
    words += [w for w in after if measure_word(w[2])][:_WINDOW]
    unit = _unit(after) if fig.kind == "count" else None
    shown = fig.text
    for word in after[:2] if unit else ():  # '90 jobs', '240 planned operations'
        if stem(word[2].lower()) == unit:
            shown = text[fs : word[1]]
            break
    sentence = text[ss:se]
    cs, ce = _clause(text, fs, fe, cit.start, cit.end)
    subject = frozenset(
        k
        for m in _TERM.finditer(sentence)
        if m.group(0)[0].isupper() and (k := _name_key(m.group(0))) in names.known
    )
    years = (  # a year is written with four digits: most clauses have none
        frozenset(f.value for f in figures(text[cs:ce]) if f.kind == "year")
        if _FOUR_DIGITS.search(text, cs, ce)
        else frozenset()
    )
    if fig.kind == "year":
        years -= {fig.value}
    past = bool(_PAST_BEFORE.search(text[max(ss, fs - 30) : fs])) or bool(
        _PAST_AFTER.match(text[fe : min(se, fe + 40)])
    )
    past = past or bool(years and year and max(years) < year)
    start, end = _short_clause(text, cs, ce, fs, fe)
    return Measured(
        figure=fig,
        source=doc.id,
        clause=(start, end),
        terms=frozenset(stem(w[2].lower()) for w in words),
        near=frozenset(stem(w[2].lower()) for w in words if cs <= w[0] < ce),
        unit=unit,
        shown=shown,
        subject=subject,
        story=names.story,
        distinct=names.distinct,
        past=past,
        years=years,
        at=(fs, fe),
        sentence_at=ss,
        sentence_end=se,
        text=text,
    )


def _share_refuted_units(measured: Sequence[Measured]) -> None:
    """'90 jobs are affected, not the 120 we were told': the refuted count counts what the
    stated one in its sentence counts."""
    by_sentence: dict[tuple[str, int], list[Measured]] = {}
    for m in measured:
        by_sentence.setdefault((m.source, m.sentence_at), []).append(m)
    for ms in by_sentence.values():
        for m in ms:
            if m.figure.refuted and m.unit is None:
                stated = [o for o in ms if not o.figure.refuted and o.figure.kind == m.figure.kind]
                if stated and stated[0].unit:
                    m.unit = stated[0].unit
                    m.terms = m.terms | stated[0].terms


def _unit(after: Sequence[tuple[int, int, str]]) -> str | None:
    """The noun a count counts: '120 jobs', '240 planned operations', '90 more jobs'."""
    words = [w[2] for w in after[:3]]
    while words and (words[0].lower() in _COUNT_FILLER or words[0].lower().endswith("ed")):
        if len(words) == 1:
            break
        words = words[1:]
    if words and _is_measure_word(words[0]):
        return stem(words[0].lower())
    return None


# Verbs that go with any measure: they say nothing of which one.
_GENERIC = frozenset(
    """run runs running ran make makes made making take takes took taking get gets got give
    gives gave keep keeps kept use uses used show shows showed hold holds held bring brings
    brought put puts set sets come comes came going gone become becomes became remain remains
    remained""".split()
)


@functools.lru_cache(maxsize=1 << 16)
def _is_measure_word(word: str) -> bool:
    low = word.lower()
    return (
        low not in FUNCTION_WORDS and low not in _CALENDAR and low not in _GENERIC and len(low) > 2
    )


def _is_calendar(word: str) -> bool:
    return word.lower().rstrip(".") in _CALENDAR


def _sentence(text: str, fs: int, fe: int, lo: int, hi: int) -> tuple[int, int]:
    """The sentence around the figure at text[fs:fe], inside the passage text[lo:hi]."""
    start = lo
    for m in _SENTENCE_END.finditer(text, lo, fs):
        start = m.end()
    after = _SENTENCE_END.search(text, fe, hi)
    return start, (after.start() if after else hi)


def _clause(text: str, fs: int, fe: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause around the figure at text[fs:fe], inside the passage text[lo:hi]."""
    start = lo
    for m in _CLAUSE_END.finditer(text, lo, fs):
        start = m.end()
    after = _CLAUSE_END.search(text, fe, hi)
    return start, (after.start() if after else hi)


def _short_clause(text: str, cs: int, ce: int, fs: int, fe: int) -> tuple[int, int]:
    """The clause, cut to about eight whole words either side of the figure."""
    start, end = cs, ce
    words = [(m.start() + cs, m.end() + cs) for m in re.finditer(r"\S+", text[cs:ce])]
    if len(words) > 16:
        left = [s for s, _ in words if s < fs][-8:]
        right = [e for s, e in words if s >= fe][:8]
        start = left[0] if left else fs
        end = min(right[-1] if right else fe, ce)
    while start < end and text[start] in " ,":
        start += 1
    while end > start and text[end - 1] in " ,;":
        end -= 1
    return start, end


# ---------------------------------------------------------------------------------------------
# Which figures measure the same thing
# ---------------------------------------------------------------------------------------------


SAME = 3.0  # the score from which two figures measure the same thing


def measure_score(a: Measured, b: Measured) -> float:
    """How surely `a` and `b` are two statements of one measure about one subject: SAME or
    more when they are, 0 when they cannot be.

    They must be of one kind (one currency), within a few times of each other, of the same time
    (neither an earlier figure unless both are; no years their clauses give apart), about one
    subject (a name of their sentences, or their documents' story), and count the same noun
    ('people' and 'residents' are one). The same value
    of the same counted noun in one story is one measure, and so is a value one source refutes
    that another states, and the same date or year said of the same thing. Otherwise their own
    clauses need a measure word in common (two for a year), and enough in common in all: the
    noun they count (2), measure words (1 each, up to 4, and 1 more each, up to 2, for those in
    both their clauses), names of their sentences (1 each, up to 2), a year (1), their
    documents' story (1); sentences that name only different people or places lose 1.
    """
    fa, fb = a.figure, b.figure
    if fa.kind != fb.kind or (fa.currency and fb.currency and fa.currency != fb.currency):
        return 0.0
    va, vb = fa.value, fb.value
    if (
        va
        and vb
        and fa.kind not in ("date", "year")
        and (va / vb if va > vb else vb / va) > _MAX_RATIO
    ):
        return 0.0
    if a.past != b.past or (a.years and b.years and not a.years & b.years):
        return 0.0  # an earlier figure and today's, or this year's and last year's
    da = a.direction if a.direction != _UNREAD else _direction(a)
    db = b.direction if b.direction != _UNREAD else _direction(b)
    if da is not None and db is not None and da != db:
        return 0.0  # a rise and a fall are two measures ('fees rose 9.7%', 'enrolment fell 8%')
    story = len(a.story & b.story) >= 2 or bool(a.distinct & b.distinct)  # `same_story`
    if not story and not a.subject & b.subject:
        return 0.0  # nothing says they are about one subject
    ua, ub = a.unit, b.unit
    same_noun = ua is None or ub is None or ua == ub or (ua in _PEOPLE and ub in _PEOPLE)
    units = {u for u in (ua, ub) if u}
    shared = len((a.terms & b.terms) - units)
    if va == vb and story and same_noun:
        if (ua and ua == ub) or fa.refuted != fb.refuted:
            return SAME  # '90 jobs' twice in one story; 'not the 120 we were told', '120 jobs'
        if fa.kind in ("date", "year") and shared:
            return SAME  # 'comes into force on 4 March', 'begins on Wednesday 4 March'
    if not same_noun:
        return 0.0  # jobs are not flights
    near = _overlap(a.near - units, b.near - units)
    if near < (2 if fa.kind == "year" else 1):
        return 0.0  # their own clauses share no word of what they measure
    unit = bool((ua and (ua == ub or ua in b.terms)) or (ub and ub in a.terms))
    score = 2 * unit + min(shared, 4) + min(near, 2)
    score += min(len(a.subject & b.subject), 2) + bool(a.years & b.years) + story
    score -= bool(a.subject and b.subject and not a.subject & b.subject)
    return float(score)


def _overlap(xs: frozenset[str], ys: frozenset[str]) -> int:
    """Words of xs found in ys, as they are or as the start of a longer form ('cancell',
    'cancellation'; five letters at least)."""
    found = len(xs & ys)
    for x in xs - ys:
        if len(x) >= 5 and any(len(y) >= 5 and (y.startswith(x) or x.startswith(y)) for y in ys):
            found += 1
    return found


_UP = frozenset(
    """rise rose risen rais raise increase increas grew grow gain climb jump up higher hike
    boost""".split()
)
_DOWN = frozenset(
    "fall fell fallen decrease decreas drop dropp cut declin lower down shrank shrink slump".split()
)


def _direction(m: Measured) -> str | None:
    """'up' or 'down' when the words of the figure's clause (else of its sentence) say which
    way it moved."""
    for words in (m.near, m.terms):
        up, down = bool(words & _UP), bool(words & _DOWN)
        if up != down:
            return "up" if up else "down"
    return None


def same_measure(a: Measured, b: Measured) -> bool:
    """True when `a` and `b` read as two statements of one measure (see `measure_score`)."""
    return measure_score(a, b) >= SAME


# ---------------------------------------------------------------------------------------------
# What a group of figures measures, in words
# ---------------------------------------------------------------------------------------------

_AUXILIARY = frozenset(
    """is are was were be been being has have had will would could may might can should must
    do does did""".split()
)
_VERBS = frozenset(
    """said says say told put puts set sets hit hits cut cuts rose rise rises fell fall falls
    grew grow grows spent spend spends gave give gives take takes took make makes made run
    runs pass passes get gets got reach reaches see sees saw account accounts come comes came
    go goes went stand stands stood total totals cost costs""".split()
)
_LEADS_IN = frozenset(
    """of at to by for from in on with a an the some about around over under up down nearly
    almost just only""".split()
)
_PREPOSITIONS = frozenset("to for of in on at from over across".split())
_ARTICLES = frozenset("a an the its their his her this that these those".split())
_RATE = re.compile(r"^(?:a|per|each|every)\s+(?:day|week|month|year|hour|night|person|head)\b")


def _verbish(word: str) -> bool:
    w = word.lower()
    return (
        w in _AUXILIARY
        or w in _VERBS
        or (len(w) > 4 and w.endswith("ed"))
        or (len(w) > 5 and w.endswith("ing"))
    )


def measure_phrase(group: Sequence[Measured]) -> str:
    """What the group measures, in its first figure's words: the noun a count counts ('services
    a day on the line'), the noun phrase before an amount or percentage ('emergency loan to
    the port', 'turnout in the ballot'), the clause a date or year completes ('new timetable
    will come into force')."""
    first = next((m for m in group if not m.figure.refuted), group[0])
    fs, fe = first.at
    at = first.sentence_at
    before = [m.group(0) for m in re.finditer(r"\S+", first.sentence) if m.end() + at <= fs]
    after = [m.group(0) for m in re.finditer(r"\S+", first.sentence) if m.start() + at >= fe]
    if first.figure.kind in ("date", "year"):
        words = list(before)
        while words and _bare(words[-1]) in _LEADS_IN:
            words.pop()
        phrase = _tidy(words[-10:])
    else:
        head = _head_after(after)
        pp = _prepositional(after[len(head) :])
        left = [] if head and not _RATE.match(" ".join(head).lower()) else _noun_before(before)
        phrase = _tidy(left + head + pp)
    return phrase[:1].upper() + phrase[1:] if phrase else "The same measure"


def _bare(word: str) -> str:
    return word.strip(",;:.!?\"“”‘’'()").lower()


_WHEN = frozenset(
    "last next this that year years month months week weeks day days today ago earlier".split()
)


def _head_after(words: Sequence[str]) -> list[str]:
    """The noun right after a figure, and a rate: 'services a day', 'planned operations'."""
    head: list[str] = []
    for n, word in enumerate(words[:3]):
        bare = _bare(word)
        if bare in _WHEN:
            break
        modifier = bare.endswith(("ed", "ing")) and bare not in _AUXILIARY and bare not in _VERBS
        nxt = _bare(words[n + 1]) if n + 1 < len(words) else ""
        if modifier and (not nxt or nxt in FUNCTION_WORDS or _verbish(nxt)):
            break  # 'spending plan' is a noun; '90 jobs were cut' ends at 'jobs'
        if not bare or bare in FUNCTION_WORDS or (_verbish(bare) and not modifier):
            break
        head.append(word.rstrip(",;:."))
        if word[-1:] in ",;:.":
            return head
        if not (modifier or bare in _COUNT_FILLER):
            break
    rest = " ".join(words[len(head) : len(head) + 2])
    rate = _RATE.match(rest.lower())
    if head and rate:
        head += rest[: rate.end()].split()
    elif not head and rate:
        head = rest[: rate.end()].split()
    return head


def _prepositional(words: Sequence[str]) -> list[str]:
    """One prepositional phrase: 'to the port', 'for 2026', 'on the line'."""
    if not words or _bare(words[0]) not in _PREPOSITIONS:
        return []
    out = [words[0]]
    for word in words[1:4]:
        bare = _bare(word)
        if not bare or bare in _PREPOSITIONS or _verbish(bare) or bare in _CALENDAR:
            break
        out.append(word.rstrip(",;:."))
        if word[-1:] in ",;:." or bare[:1].isdigit():
            break
    return out if len(out) > 1 and _bare(out[-1]) not in _ARTICLES else []


def _noun_before(words: Sequence[str]) -> list[str]:
    """The noun phrase before a figure, without what leads into it: 'an emergency loan of' ->
    'emergency loan'; 'Turnout in the ballot was' -> 'Turnout in the ballot'."""
    out: list[str] = []
    leading = True
    for word in reversed(words):
        bare = _bare(word)
        if (word[-1:] in ",;:" and out) or bare in ("—", "–", "-"):
            break
        if leading and bare.endswith("ing") and len(bare) > 5 and not out:
            out.insert(0, word)  # 'the trust is spending [£120,000 a week]'
            continue
        if leading and (bare in _LEADS_IN or _verbish(bare)):
            continue
        leading = False
        if _verbish(bare) or not bare:
            break
        if bare in _ARTICLES and not (out and len(out) < 5):
            break
        out.insert(0, word.rstrip(",;:"))
        if len(out) >= 6:
            break
    while out and (_bare(out[0]) in _ARTICLES or _bare(out[0]) in _PREPOSITIONS):
        out.pop(0)
    return out


def _tidy(words: Sequence[str]) -> str:
    out = [w.strip('"“”') for w in words if w.strip('"“”')]
    while out and _bare(out[0]) in _ARTICLES:
        out.pop(0)
    return " ".join(out)
