"""Support: does a text say only what its evidence says?

A claim is supported by a passage when every figure it gives and every name it uses is found in
the passage. Figures are read by `figures` in any spelling and compared by value; a claim may
round what its evidence says ("16 million" for "16.2 million") but not change it, and a figure
the passage refutes ("not the 120 we were told") supports nothing. Names are the capitalised
words of the claim (not a sentence's first word when it is a common one), compared after light
stemming ("Russian" is found in "Russia"), case and punctuation aside.

This one module decides support for every stage that prints text: both engines, grounding,
merging (a claim cites a file only when that file's quote supports it), key points and
`briefing check`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefing.assemble.figures import (
    NUMBER_WORDS,
    SMALL_NUMBER_WORD,
    WEEKDAYS,
    Figure,
    figures,
    rounding,
)
from briefing.text import MONTHS, STOPWORDS, stem

# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_][\w'’.‑-]*[\w]|[^\W\d_]", re.UNICODE)
# Between two words: a sentence ends there (the next word starts one) when it holds an end mark
# and white space, or a line break.
_SENTENCE_GAP = re.compile(r"[.!?:;][\"”’')\]]*\s|\n")
# Words a writer may start a sentence with that name nothing.
_CONNECTIVES = frozenset(
    """meanwhile however additionally separately furthermore moreover overall instead still
    yet thus therefore hence indeed earlier later today yesterday tonight tomorrow now last next
    in on at after before despite following while although though since as under amid during
    according speaking asked addressing according with without for from by of to among between
    across once when where while what who why how all both each every many most several some
    such this these those there here it its they their he she his her we our you your i""".split()
)
_NOT_NAMES = frozenset("""mr mrs ms dr prof sir madam st""".split())


@functools.lru_cache(maxsize=1 << 16)
def _key(word: str) -> str:
    w = word.replace("’", "'").strip("'.-‑")
    if w.lower().endswith("'s"):
        w = w[:-2]
    w = w.replace(".", "").replace("-", "").replace("‑", "").replace("'", "")
    low = w.lower()
    if low in MONTHS:
        return f"month:{MONTHS[low]}"
    if low in WEEKDAYS:
        return f"weekday:{WEEKDAYS[low]}"
    return stem(low) if low.isascii() else low


def names(text: str) -> list[str]:
    """The names `text` uses, as written: capitalised words (each part of 'India-Russia'),
    acronyms and codes like 'S-400'; not a sentence's first word when it is a common one."""
    out: list[str] = []
    previous = 0
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        gap = text[previous : m.start()]
        previous = m.end()
        if not (word[0].isupper() or (not word.isalpha() and any(c.isdigit() for c in word))):
            continue  # the common case, at once
        word = word.rstrip(".")
        first = m.start() == len(gap) or bool(_SENTENCE_GAP.search(gap))
        coded = any(c.isdigit() for c in word)
        plain = coded or ("-" not in word and "‑" not in word)
        parts = [word] if plain else re.split(r"[-‑]", word)
        for part in parts:
            if not part or (not part[0].isupper() and not coded):
                continue
            low = part.lower().replace("’", "'")
            if low in STOPWORDS or low in _NOT_NAMES or (first and low in _CONNECTIVES):
                continue
            if len(part) == 1 and not coded:
                continue  # an initial, or 'I'
            out.append(part)
    return out


# ---------------------------------------------------------------------------------------------
# Support
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Evidence:
    figures: tuple[Figure, ...]
    keys: frozenset[str]
    words: frozenset[str]  # small numbers written as words: 'three' for a claim's '3'
    tokens: frozenset[str]  # its stated figures as exact tokens, for the quick test


def _tokens(fig: Figure, with_currency: bool) -> str:
    family = {"percent": "p", "date": "d", "time": "t"}.get(fig.kind, "n")
    currency = f"{fig.currency}:" if with_currency and fig.currency else ""
    return f"{family}:{currency}{fig.value:g}"


@dataclass(frozen=True, slots=True)
class _Claim:
    """What a claim must find in its evidence: its figures, and its names with their keys."""

    figures: tuple[Figure, ...]
    names: tuple[tuple[str, str], ...]
    tokens: frozenset[str]  # figures and name keys that, all found as they are, support it
    exact: bool  # no figure the quick test cannot judge (a refuted one)


@functools.lru_cache(maxsize=1 << 15)
def _claim(text: str) -> _Claim:
    found = figures(text)
    named = tuple((name, _key(name)) for name in names(text))
    tokens = frozenset(_tokens(f, True) for f in found) | {key for _, key in named}
    return _Claim(found, named, tokens, not any(f.refuted for f in found))


@functools.lru_cache(maxsize=1 << 15)
def _evidence(text: str) -> _Evidence:
    keys: set[str] = set()
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        keys.add(_key(word))
        if "-" in word or "‑" in word:
            for part in re.split(r"[-‑]", word):
                if part:
                    keys.add(_key(part))
    small = frozenset(
        str(NUMBER_WORDS[m.group(1).lower()]) for m in SMALL_NUMBER_WORD.finditer(text)
    )
    found = figures(text)
    stated = [f for f in found if not f.refuted]
    tokens = {_tokens(f, True) for f in stated} | {_tokens(f, False) for f in stated}
    return _Evidence(found, frozenset(keys), small, frozenset(tokens | keys))


def _close(claim: Figure, value: float, evidence_value: float) -> bool:
    """The claim's value is the evidence's, or the evidence's rounded to the claim's
    precision."""
    tolerance = rounding(claim)
    return abs(value - evidence_value) <= tolerance + 1e-9 * max(abs(value), 1.0)


def _found(claim: Figure, evidence: _Evidence) -> bool:
    for e in evidence.figures:
        if e.refuted and not claim.refuted:
            continue  # 'not the 120 we were told' supports no claim that 120 is so
        if claim.kind in ("date", "time") or e.kind in ("date", "time"):
            if claim.kind == e.kind and claim.value == e.value:
                return True
            continue
        if claim.kind == "percent" or e.kind == "percent":
            if claim.kind == e.kind and _close(claim, claim.value, e.value):
                return True
            continue
        if claim.currency and e.currency and claim.currency != e.currency:
            continue
        if _close(claim, claim.value, e.value):
            return True
        if claim.scale == 1.0 and e.scale != 1.0 and _close(claim, claim.value, e.mantissa):
            return True  # '5' of '€5 million'
    if claim.kind == "count" and claim.decimals == 0 and claim.scale == 1.0:
        return str(int(claim.mantissa)) in evidence.words  # '3' for 'three'
    return False


def _name_found(key: str, keys: frozenset[str]) -> bool:
    if key in keys:
        return True
    if not key.isascii() and len(key) >= 4:  # inflected languages: 'Путина' for 'Путин'
        n = max(4, len(key) - 2)
        return any(len(k) >= n and k[:n] == key[:n] for k in keys)
    return False


def unsupported(claim: str, evidence: str | Iterable[str]) -> list[str]:
    """The figures and names of `claim`, as it writes them, that `evidence` (a passage, or
    several passages read together) does not give. Empty when the evidence supports it."""
    passage = evidence if isinstance(evidence, str) else "\n".join(evidence)
    return list(_unsupported(claim, passage))


@functools.lru_cache(maxsize=1 << 16)
def _unsupported(claim: str, passage: str) -> tuple[str, ...]:
    ev = _evidence(passage)
    wanted = _claim(claim)
    if wanted.exact and wanted.tokens <= ev.tokens:
        return ()  # every figure and name found as it is: the quick test
    missing: list[str] = []
    for fig in wanted.figures:
        if not _found(fig, ev):
            missing.append(fig.text)
    for name, key in wanted.names:
        if not _name_found(key, ev.keys):
            missing.append(name)
    return tuple(dict.fromkeys(missing))


def requirements(claim: str) -> frozenset[str] | None:
    """What `claim` needs its evidence to give, as exact tokens (figures by kind and value,
    names by key): evidence whose `evidence_tokens` hold them all supports it. None when a
    token test cannot judge it (a figure it refutes); then ask `supports`."""
    wanted = _claim(claim)
    return wanted.tokens if wanted.exact else None


def evidence_tokens(passage: str) -> frozenset[str]:
    """The figures and names `passage` gives, as the tokens `requirements` asks for. Holding a
    claim's tokens supports it; lacking one may still support it (a rounded figure), which only
    `supports` tells."""
    return _evidence(passage).tokens


def supports(evidence: str | Iterable[str], claim: str) -> bool:
    """True when every figure and name of `claim` is in `evidence`."""
    passage = evidence if isinstance(evidence, str) else "\n".join(evidence)
    wanted, ev = _claim(claim), _evidence(passage)
    if wanted.exact and wanted.tokens <= ev.tokens:
        return True
    if any(key.isascii() and key not in ev.keys for _, key in wanted.names):
        return False  # a name it lacks: no need to read further
    return not _unsupported(claim, passage)


def describe(missing: Sequence[str]) -> str:
    """'“€6 million” and “Vladimir”' for a message."""
    shown = [f"“{m}”" for m in missing[:4]]
    more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
    if len(shown) > 1 and not more:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return ", ".join(shown) + more
