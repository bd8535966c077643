"""Figures: every number a text gives, read in any spelling, with what kind it is and the range
its wording allows.

"€5 million", "5m euros", "5,000,000 euros" and "five million euros" are one figure (money, EUR,
5e6); "40%", "40 per cent" and "40 %" are one (percent, 40); "4 December", "Dec. 4" and the
first of "4-5 December" are dates; "2030" in "completed in 2030" is a year. Each figure carries
the range its wording allows: "over 30%" is anything above 30, "about 300" is 270 to 330, "16
million" is 15.5 to 16.5 million (its last digit, at most 5%: "$3bn" is not "$3.4 billion"
rounded). A figure the text refutes ("90 jobs, not the 120 we were told") is marked. Numbers
that are part of a name ("S-400", "COVID-19", "5G") are not figures.

Pure and cached: the same passage is read once however many times it is asked for.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass, replace

from briefing.text import MONTHS, STOPWORDS

_SCALES = {
    "thousand": 1e3,
    "thousands": 1e3,
    "tausend": 1e3,
    "mille": 1e3,
    "тыс": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "millionen": 1e6,
    "mio": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "millón": 1e6,
    "millones": 1e6,
    "млн": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "milliard": 1e9,
    "milliards": 1e9,
    "milliarde": 1e9,
    "milliarden": 1e9,
    "mrd": 1e9,
    "млрд": 1e9,
    "trillion": 1e12,
    "trillions": 1e12,
    "tn": 1e12,
    "trn": 1e12,
    "трлн": 1e12,
    "crore": 1e7,
    "crores": 1e7,
    "lakh": 1e5,
    "lakhs": 1e5,
    "万": 1e4,
    "亿": 1e8,
    "億": 1e8,
}
# Only after a currency: '€5m', '$3b', '£200k' (without one, '5m' is five metres).
_MONEY_SCALES = {"m": 1e6, "b": 1e9, "k": 1e3}
_SCALE_WORD = "|".join(sorted(map(re.escape, _SCALES), key=len, reverse=True))
_SCALE_AFTER = re.compile(  # the full stop only of an abbreviation: '5 Mio.', '2 Mrd.'
    rf"^\s?-?\s?({_SCALE_WORD})(?![^\W\d_])(?:(?<=mio)\.|(?<=mrd)\.|(?<=тыс)\.)?",
    re.IGNORECASE,
)
_MONEY_SCALE_AFTER = re.compile(r"^(m|bn|b|k)(?![^\W\d_])", re.IGNORECASE)

_CURRENCY_SYMBOLS = {
    "us$": "USD",
    "a$": "AUD",
    "c$": "CAD",
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "r$": "BRL",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₽": "RUB",
    "rs": "INR",
    "rs.": "INR",
    "usd": "USD",
    "eur": "EUR",
    "gbp": "GBP",
    "inr": "INR",
    "jpy": "JPY",
    "chf": "CHF",
    "cny": "CNY",
    "rub": "RUB",
}
_CURRENCY_BEFORE = re.compile(
    r"(?:(?<![\w$])(US\$|A\$|C\$|NZ\$|HK\$|S\$|R\$)|(\$|€|£|¥|₹|₽)|(?<![\w])(Rs\.?|USD|EUR|GBP|INR|"
    r"JPY|CHF|CNY|RUB))\s?$"
)
_CURRENCY_WORDS = {
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "eur": "EUR",
    "евро": "EUR",
    "欧元": "EUR",
    "dollar": "USD",
    "dollars": "USD",
    "usd": "USD",
    "美元": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "gbp": "GBP",
    "rupee": "INR",
    "rupees": "INR",
    "inr": "INR",
    "yen": "JPY",
    "円": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "元": "CNY",
    "franc": "CHF",
    "francs": "CHF",
    "chf": "CHF",
    "rouble": "RUB",
    "roubles": "RUB",
    "ruble": "RUB",
    "rubles": "RUB",
    "рублей": "RUB",
    "рубля": "RUB",
    "долларов": "USD",
    "доллара": "USD",
}
_CURRENCY_WORD = "|".join(sorted(map(re.escape, _CURRENCY_WORDS), key=len, reverse=True))
_CURRENCY_AFTER = re.compile(
    rf"^\s?(?:(?:of|in|d['’]|de|dollars?\s+of)\s?)?({_CURRENCY_WORD})(?![^\W\d_])", re.IGNORECASE
)
_PERCENT_AFTER = re.compile(
    r"^\s?(%|％|per\s?cent\b|percent\b|pc\b|percentage points?\b|prozent\b|pour\s?cent\b|"
    r"por\s?ciento\b|процент\w*)",
    re.IGNORECASE,
)
_ORDINAL_AFTER = re.compile(r"^(st|nd|rd|th)\b", re.IGNORECASE)
_MONTH_WORD = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_MONTH_AFTER = re.compile(
    rf"^(?:st|nd|rd|th)?\.?\s?(?:of\s)?({_MONTH_WORD})\b(?:(?<=\b\w{{3}})\.|(?<=\bsept)\.)?",
    re.IGNORECASE,
)
_MONTH_BEFORE = re.compile(rf"\b({_MONTH_WORD})\.?\s?(?:the\s)?$", re.IGNORECASE)
WEEKDAYS = {
    name: n
    for n, names in enumerate(
        (
            "monday mon",
            "tuesday tue tues",
            "wednesday wed",
            "thursday thu thurs",
            "friday fri",
            "saturday sat",
            "sunday sun",
        ),
        1,
    )
    for name in names.split()
}
_NUMBER = re.compile(
    r"(?<![\w.,])(?:\d{1,3}(?:(?:,|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d{3})+(?:\.\d+)?"
    r"|\d+(?:[.,]\d+)?)(?![\d])"
)
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
    "dozen": 12,
    "a dozen": 12,
    "half a": 0.5,
}
_NUMBER_WORD = "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True))
# A number in words counts as a figure when a scale, currency or percent follows it
# ('five million euros', 'ten per cent'); alone ('one of the strongest') it is only a word.
_WORD_FIGURE = re.compile(
    rf"(?<![\w-])({_NUMBER_WORD})(?=\s?(?:-\s?)?(?:{_SCALE_WORD}|per\s?cent|percent|%)\b)",
    re.IGNORECASE,
)
_ANY_DIGIT = re.compile(r"\d")
SMALL_NUMBER_WORD = re.compile(rf"(?<![\w-])({_NUMBER_WORD})(?![\w-])", re.IGNORECASE)
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:.h]([0-5]\d)(?![\d])\s?(am|pm|a\.m\.|p\.m\.)?")

_QUALIFIERS = {
    "over": "above",
    "more than": "above",
    "above": "above",
    "exceeding": "above",
    "just over": "above",
    "upwards of": "above",
    "in excess of": "above",
    "at least": "at least",
    "no fewer than": "at least",
    "no less than": "at least",
    "nearly": "nearly",
    "almost": "nearly",
    "just under": "nearly",
    "close to": "about",
    "about": "about",
    "around": "about",
    "roughly": "about",
    "approximately": "about",
    "some": "about",
    "an estimated": "about",
    "estimated": "about",
    "circa": "about",
    "~": "about",
    "up to": "at most",
    "as many as": "at most",
    "as much as": "at most",
    "at most": "at most",
    "no more than": "at most",
    "less than": "below",
    "fewer than": "below",
    "under": "below",
    "below": "below",
    "mehr als": "above",
    "über": "above",
    "plus de": "above",
    "más de": "above",
    "более": "above",
    "свыше": "above",
    "около": "about",
    "etwa": "about",
    "rund": "about",
    "environ": "about",
    "unos": "about",
    "unas": "about",
    "bis zu": "at most",
    "jusqu'à": "at most",
    "hasta": "at most",
    "до": "at most",
    "weniger als": "below",
    "fast": "nearly",
    "knapp": "nearly",
    "mindestens": "at least",
    "près de": "about",
    "presque": "nearly",
    "quelque": "about",
    "au moins": "at least",
    "casi": "nearly",
    "cerca de": "about",
    "alrededor de": "about",
    "al menos": "at least",
    "quasi": "nearly",
    "almeno": "at least",
    "oltre": "above",
    "почти": "nearly",
    "не менее": "at least",
    "moins de": "below",
    "menos de": "below",
    "менее": "below",
}
_QUALIFIER_BEFORE = re.compile(
    r"(?<![\w])("
    + "|".join(sorted(map(re.escape, _QUALIFIERS), key=len, reverse=True))
    + r")\s?(?:the\s|a\s|an\s)?$",
    re.IGNORECASE,
)
_QUALIFIER_AFTER = re.compile(r"^\s?(?:(or more|or so|or less|plus)\b|(\+))", re.IGNORECASE)
# 'not the 120 we were first told', 'rather than 5%': the passage refutes this figure.
_NEGATION_BEFORE = re.compile(
    r"(?<![\w])(?:not|rather than|instead of|nor|never|no longer|nicht|pas|non)\s+"
    r"(?:(?:the|a|an|just|only|even|quite)\s+)?(?:[^\s]+\s+)?$",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(r"^\s?(?:-|–|—|to|bis|à|a)\s?$", re.IGNORECASE)
_CODE_BEFORE = re.compile(r"[^\W\d_][-‑]?$")  # 'S-400', 'G20', 'Su-57': part of a name
_CODE_AFTER = re.compile(r"^[^\W\d_]")  # "5G", "3D"; but "48-hour" is a figure


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure as a text gives it. `value` is the quantity (5e6 for '€5 million', 36 for
    '36%', 2030 for a year, month * 100 + day for a date, minutes for a time); `low`/`high`
    the range its wording allows. `start`/`end` are offsets into the text read."""

    kind: str  # money | percent | count | year | ordinal | date | time
    value: float
    mantissa: float
    decimals: int
    scale: float
    currency: str | None
    qualifier: str | None
    refuted: bool
    start: int
    end: int
    text: str
    upto: float | None = None
    """The value of the other end when this figure begins a range ('4-5 December', '€5-6m')."""
    closes_range: bool = False
    """This figure ends a range the figure before it begins."""
    low: float = 0.0
    """The least value its wording allows (set by `figures`)."""
    high: float = 0.0
    """The greatest value its wording allows (set by `figures`)."""

    def fits(self, other: Figure) -> bool:
        """True when both can be true at once: their ranges overlap (same kind and currency)."""
        if self.kind != other.kind or (
            self.currency and other.currency and self.currency != other.currency
        ):
            return False
        return max(self.low, other.low) < min(self.high, other.high) or self.value == other.value


def rounding(f: Figure) -> float:
    """How far the true value may be from a figure as written: half its last digit ('16
    million' is 15.5 to 16.5 million), but no more than 5% ('$3bn' is not '$3.4 billion'
    rounded: that would be written '$3.4bn')."""
    half = 0.5 * 10.0 ** (-f.decimals) * f.scale
    if f.kind in ("percent", "date", "time", "year", "ordinal"):
        return half
    return min(half, 0.05 * abs(f.value)) if f.value else half


def _range(f: Figure) -> tuple[float, float]:
    if f.upto is not None:  # '4-5 December', '€5-6 million': from the one to the other
        end = replace(f, value=f.upto, upto=None)
        return _range(replace(f, upto=None))[0], _range(end)[1]
    if f.kind in ("date", "time", "year", "ordinal"):
        return f.value - 0.5, f.value + 0.5
    half = rounding(f)
    v = f.value
    q = f.qualifier
    if q == "above":
        return v, math.inf
    if q == "at least":
        return v - half, math.inf
    if q == "nearly":
        return v * 0.85, v + half
    if q == "about":
        return min(v * 0.9, v - half), max(v * 1.1, v + half)
    if q == "at most":
        return 0.0, v + half
    if q == "below":
        return 0.0, v
    return v - half, v + half


def _parse_number(raw: str) -> tuple[float, int]:
    """'1,200' -> (1200, 0); '14.5' / '14,5' -> (14.5, 1); '1 200' -> (1200, 0)."""
    digits = re.sub(r"[ \u00a0\u202f\u2009]", "", raw)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", digits):
        digits = digits.replace(",", "")
    elif "," in digits:
        digits = digits.replace(",", ".")
    decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    return float(digits), decimals


@functools.lru_cache(maxsize=1 << 18)
def figures(text: str) -> tuple[Figure, ...]:
    """Every figure of `text`, in order."""
    if not _ANY_DIGIT.search(text) and not _WORD_FIGURE.search(text):
        return ()  # most sentences: nothing to read
    found: list[dict] = []
    for m in _NUMBER.finditer(text):
        value, decimals = _parse_number(m.group(0))
        found.append(
            {
                "s": m.start(),
                "e": m.end(),
                "mantissa": value,
                "decimals": decimals,
                "separated": not m.group(0).isdigit() and decimals == 0,
            }
        )
    for m in _WORD_FIGURE.finditer(text):
        found.append(
            {
                "s": m.start(),
                "e": m.end(),
                "mantissa": float(NUMBER_WORDS[m.group(1).lower()]),
                "decimals": 0,
                "word": True,
            }
        )
    found.sort(key=lambda f: f["s"])
    times = (
        [(m.start(), m.end(), m) for m in _TIME.finditer(text) if ":" in m.group(0)]
        if ":" in text
        else []
    )
    out: list[dict] = []
    for f in found:
        s, e = f["s"], f["e"]
        before, after = text[max(0, s - 40) : s], text[e : e + 48]
        if not f.get("word") and (_CODE_BEFORE.search(before) or _is_code_after(after)):
            continue  # 'S-400', 'COVID-19', '5G': part of a name, checked as a name
        clock = next((t for t in times if t[0] <= s < t[1]), None)
        if clock is not None:
            if s == clock[0]:
                hours, minutes, half = int(clock[2].group(1)), int(clock[2].group(2)), clock[2][3]
                hours += 12 if half and half.lower().startswith("p") and hours < 12 else 0
                f.update(kind="time", value=hours * 60 + minutes, end=clock[1], scale=1.0)
                out.append(f)
            continue
        f.update(kind="count", scale=1.0, currency=None, qualifier=None, end=e)
        cur = _CURRENCY_BEFORE.search(before)
        if cur:
            sym = (cur.group(1) or cur.group(2) or cur.group(3)).lower()
            f.update(kind="money", currency=_CURRENCY_SYMBOLS[sym], s=s - len(cur.group(0)))
            before = before[: len(before) - len(cur.group(0))]
        rest = after
        sc = _SCALE_AFTER.match(rest)
        if sc:
            f["scale"] = _SCALES[sc.group(1).lower().rstrip(".")]
            rest = rest[sc.end() :]
            e += sc.end()
        elif (ms := _MONEY_SCALE_AFTER.match(rest)) and (
            f["kind"] == "money" or _CURRENCY_AFTER.match(rest[ms.end() :])
        ):
            f["scale"] = _MONEY_SCALES[ms.group(1).lower()[0]]  # '€6m', '5m euros'
            rest = rest[ms.end() :]
            e += ms.end()
        cw = _CURRENCY_AFTER.match(rest)
        pc = _PERCENT_AFTER.match(rest)
        mo = _MONTH_AFTER.match(rest) if not sc else None
        mo = mo if mo is None or _is_month(mo.group(1)) else None
        mb = _MONTH_BEFORE.search(before)
        mb = mb if mb is None or _is_month(mb.group(1)) else None
        if cw and f["kind"] != "money":
            f.update(kind="money", currency=_CURRENCY_WORDS[cw.group(1).lower()])
            e += cw.end()
        elif pc and f["kind"] != "money":
            f["kind"] = "percent"
            e += pc.end()
        elif mo and f["kind"] == "count" and _is_day(f):
            f.update(kind="date", month=MONTHS[mo.group(1).lower()])
            e += mo.end()
        elif f["kind"] == "count" and _is_day(f) and mb:
            f.update(kind="date", month=MONTHS[mb.group(1).lower()], s=s - len(mb.group(0)))
            e += od.end() if (od := _ORDINAL_AFTER.match(rest)) else 0
        elif f["kind"] == "count" and (od := _ORDINAL_AFTER.match(rest)):
            f["kind"] = "ordinal"
            e += od.end()
        elif f["kind"] == "count" and _is_year(f, rest):
            f["kind"] = "year"
        tail = text[e : e + 12]
        qa = _QUALIFIER_AFTER.match(tail)
        if qa and f["kind"] not in ("date", "year", "time"):
            f["qualifier"] = "at least" if (qa.group(1) or "").lower() != "or less" else "at most"
            e += qa.end()
        qb = _QUALIFIER_BEFORE.search(before)
        if qb and f["kind"] not in ("date", "year", "time") and not f["qualifier"]:
            f["qualifier"] = _QUALIFIERS[qb.group(1).lower()]
            f["s"] -= len(qb.group(0))
        f["refuted"] = bool(_NEGATION_BEFORE.search(text[max(0, f["s"] - 30) : f["s"]]))
        f["end"] = e
        out.append(f)
    _share_units(text, out)
    result: list[Figure] = []
    values = [_value(f) for f in out]
    for n, f in enumerate(out):
        kind = f["kind"]
        value = values[n]
        upto = values[n + 1] if f.get("range") else None
        result.append(
            Figure(
                kind=kind,
                value=value,
                mantissa=f["mantissa"],
                decimals=f["decimals"],
                scale=f["scale"],
                currency=f.get("currency"),
                qualifier=f.get("qualifier"),
                refuted=f.get("refuted", False),
                start=f["s"],
                end=out[n + 1]["end"] if upto is not None else f["end"],
                text=text[f["s"] : out[n + 1]["end"] if upto is not None else f["end"]].strip(),
                upto=upto,
                closes_range=bool(n and out[n - 1].get("range")),
            )
        )
    return tuple(_with_range(f) for f in result)


def _with_range(f: Figure) -> Figure:
    """`f` with the range its wording allows (`replace`, without its cost per field)."""
    low, high = _range(f)
    return Figure(
        f.kind,
        f.value,
        f.mantissa,
        f.decimals,
        f.scale,
        f.currency,
        f.qualifier,
        f.refuted,
        f.start,
        f.end,
        f.text,
        f.upto,
        f.closes_range,
        low,
        high,
    )


def _value(f: dict) -> float:
    if f["kind"] == "date":
        return float(f["month"] * 100 + f["mantissa"])
    if f["kind"] == "time":
        return float(f["value"])
    return f["mantissa"] * f["scale"]


def _is_month(word: str) -> bool:
    """'May' is a month, 'may' a verb ('up to 5 may be affected')."""
    return word.lower() != "may" or word[0].isupper()


_NEXT_WORD = re.compile(r"^\s?([^\W\d_][\w'’-]*)")


def _is_year(f: dict, rest: str) -> bool:
    """'in 2030', '2030.', 'the 2030 plan' are years; '2,000 jobs' and '2000 jobs' counts."""
    if f["decimals"] or f["scale"] != 1.0 or f.get("word") or f.get("separated"):
        return False
    if not 1800 <= f["mantissa"] <= 2100:
        return False
    nxt = _NEXT_WORD.match(rest)
    return nxt is None or nxt.group(1).lower() in STOPWORDS or nxt.group(1)[0].isupper()


def _is_day(f: dict) -> bool:
    return f["decimals"] == 0 and 1 <= f["mantissa"] <= 31 and f["scale"] == 1.0


def _is_code_after(after: str) -> bool:
    """A number followed at once by letters that are no unit, scale or ordinal: '5G', '3D'."""
    if not _CODE_AFTER.match(after):
        return False
    return not (
        _SCALE_AFTER.match(after)
        or _MONEY_SCALE_AFTER.match(after)
        or _PERCENT_AFTER.match(after)
        or _ORDINAL_AFTER.match(after)
        or _MONTH_AFTER.match(after)
        or re.match(r"^(?:am|pm|h|km|kg|m|mw|gw|kw|cm|mm|s|x)\b", after, re.IGNORECASE)
    )


def _share_units(text: str, found: list[dict]) -> None:
    """'4-5 December', '€5-6 million', '10 to 20%', 'between 200 and 300 jobs': the first of a
    range takes the unit of the second, and the two are one figure from the one to the other."""
    for a, b in itertools.pairwise(found):
        joined = _RANGE_JOIN.match(text[a["end"] : b["s"]]) or (
            text[a["end"] : b["s"]].strip().lower() == "and"
            and re.search(r"\bbetween\s*$", text[max(0, a["s"] - 12) : a["s"]], re.IGNORECASE)
        )
        if a["kind"] not in ("count", "money", "date") or not joined:
            continue
        if a["kind"] == "money" and b["kind"] == "money" and b["scale"] != 1.0:
            if a["scale"] == 1.0:
                a["scale"] = b["scale"]
        elif a["kind"] == "count" and a["scale"] == 1.0 and b["kind"] in ("percent", "money"):
            a.update(kind=b["kind"], currency=b.get("currency"), scale=b["scale"])
        elif a["kind"] == "count" and b["kind"] == "date" and _is_day(a):
            a.update(kind="date", month=b["month"])
        elif a["kind"] == "date" and b["kind"] == "count" and _is_day(b):
            b.update(kind="date", month=a["month"])  # 'December 4-5'
        elif a["kind"] == "money" and b["kind"] == "count" and b["scale"] != 1.0:
            a["scale"] = a["scale"] if a["scale"] != 1.0 else b["scale"]  # '€5-6 million'
            b.update(kind="money", currency=a.get("currency"))
        elif a["kind"] == "count" and b["kind"] == "count" and b["scale"] != 1.0:
            a["scale"] = b["scale"]
        if a["kind"] == b["kind"] and a.get("currency") == b.get("currency"):
            a["range"] = _value(a) < _value(b)  # one figure from here to there
