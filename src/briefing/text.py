"""Text helpers shared by the stages: sentence spans, word features, normalisation.

Everything here is pure and works on offsets into the original text, so a stage can always point
back at the exact characters of a file.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator

# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------

MESSAGE_CHARS = 1000
"""At most this many characters of a message on stderr: a safety net. Text from outside (a
server's error, why a passage could not be read) is cut shorter where it is put in a message."""
REASON_CHARS = 200


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 claim', '12,345 facts': a number with thousands separators and its noun, plural
    unless it is one (`plural` for a noun that does not just take an s)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def one_line(text: str, limit: int = MESSAGE_CHARS) -> str:
    """`text` as one line for stderr: white space (newlines too) folded to single spaces, and
    cut at `limit` characters with an ellipsis."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st sr jr gen col lt sgt capt cmdr adm gov sen rep rev hon pres jan feb
    mar apr jun jul aug sep sept oct nov dec vs etc inc ltd co corp dept est fig
    approx al e.g i.e u.s u.k u.n a.m p.m""".split()
)
NUMBER_ABBREVIATIONS = frozenset({"no", "nos"})
# Month names and their short forms in English, French, German, Spanish, Italian and Russian:
# figures are read in these (assemble.figures), dates and datelines too (ingest.metadata), and
# a day's full stop before one ('14. Mai') ends no sentence.
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            "jan january janv janvier januar enero gennaio января январь",
            "feb february févr fevr février fevrier februar febrero febbraio февраля февраль",
            "mar march mars märz marz maerz mär marzo марта март",
            "apr april avr avril abril aprile апреля апрель",
            "may mai mayo maggio мая май",
            "jun june juin juni junio giugno июня июнь",
            "jul july juil juillet juli julio luglio июля июль",
            "aug august août aout agosto августа август",
            "sep sept september septembre septiembre setiembre settembre сентября сентябрь",
            "oct october octobre okt oktober octubre ottobre октября октябрь",
            "nov november novembre noviembre ноября ноябрь",
            "dec december déc décembre decembre dez dezember diciembre dicembre декабря декабрь",
        ],
        1,
    )
    for name in names.split()
}

# Titles written before a name, which are also names: after a capitalised word ('Hun Sen.',
# 'Ban Ki-moon met Gen.') they end the name, not abbreviate a title.
_TITLES_THAT_ARE_NAMES = frozenset("sen gen gov rep col pres".split())
# Full stops, question and exclamation marks; Arabic ؟ and ۔ are followed by a space as in
# English; Chinese and Japanese 。！？ need none.
_TERMINAL = re.compile(r"[.!?؟۔]+[\"”’')\]»]*(?=\s)|[。！？]+[」』”]*")
_OPENERS = "\"“‘'([«„`"  # and ` for a news wire's `` quotation
MAX_QUOTE_SENTENCE_WORDS = 70
WRAPPED_LINE = 60  # characters: a longer line that ends mid-sentence runs on (a PDF's wraps)


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the full stop at `dot` ends an abbreviation or an initial, not a sentence."""
    if text[dot] != ".":
        return False
    m = re.search(r"([\w.]+)$", text[max(0, dot - 40) : dot])
    if not m:
        return False
    word = m.group(1).lower()
    if word in NUMBER_ABBREVIATIONS:  # 'No. 5', but 'he said no.'
        return bool(re.match(r"\s*\d", text[dot + 1 :]))
    if word.isdigit() and len(word) <= 2:  # a day written '14.' before its month: '14. Mai'
        after = re.match(r"\s+([^\W\d_]+)", text[dot + 1 : dot + 20])
        return bool(after and after.group(1).lower() in MONTHS)
    before = text[max(0, dot - 40) : dot]
    if word in _TITLES_THAT_ARE_NAMES and re.search(r"\b[A-Z]\w*\s+\w+$", before):
        return False  # 'Hun Sen.': a name ends here
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or "." in word


def _quote_depths(piece: str, depth: int) -> int:
    """Quotation depth after `piece`, entered at `depth`. A straight double quote opens when
    outside a quotation and closes inside one; curly quotes say which they are."""
    for ch in piece:
        if ch == '"':
            depth = 0 if depth > 0 else 1
        elif ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
    return depth


def _blocks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Lines of text[start:end] joined into blocks: a line that does not end a sentence and is
    followed by a line starting in lower case is a hard-wrapped continuation, and so is the
    next line of a long one (a PDF's text layer wraps before names and numbers too)."""
    lines = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^\n]+", text[start:end])]
    block: tuple[int, int] | None = None
    for s, e in lines:
        if not text[s:e].strip():
            continue
        if block is not None:
            prev = text[block[0] : block[1]].rstrip()
            nxt = text[s:e].lstrip()
            open_end = prev and prev[-1] not in '.!?:"”’)]。！？؟»'
            wrapped = len(prev) >= WRAPPED_LINE and "\n\n" not in text[block[1] : s]
            if open_end and (nxt[:1].islower() or (wrapped and nxt[:1].isalnum())):
                block = (block[0], e)  # a hard wrap: 'President\nVladimir Putin said'
                continue
            yield block
        block = (s, e)
    if block is not None:
        yield block


def trim(text: str, s: int, e: int) -> tuple[int, int]:
    """The span text[s:e] without white space at either end."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as (start, end) offsets into `text`.

    Line breaks end sentences except in hard-wrapped prose; a quotation that spans several
    sentences stays one sentence when it is short enough to read as one statement.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for bs, be in _blocks(text, start, end):
        pieces: list[tuple[int, int]] = []
        cur = bs
        for m in _TERMINAL.finditer(text, bs, be):
            if _is_abbreviation(text, m.start()):
                continue
            nxt = text[m.end() : m.end() + 3].lstrip()
            if text[m.start()] in ".!?" and nxt and not _starts_sentence(nxt[0]):
                continue
            pieces.append(trim(text, cur, m.end()))
            cur = m.end()
        if cur < be:
            pieces.append(trim(text, cur, be))
        spans.extend(_join_quotations(text, [p for p in pieces if p[0] < p[1]]))
    return spans


def _starts_sentence(ch: str) -> bool:
    """Can a sentence start with `ch`? A capital, a digit, an opening quote or bracket, or a
    letter of a script without capitals (Arabic, Hebrew, Chinese, ...): not a lower-case one."""
    return ch.isupper() or ch.isdigit() or ch in _OPENERS or (ch.isalpha() and not ch.islower())


def _join_quotations(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join pieces that one quotation runs across, when the whole is short enough."""
    after: list[int] = []
    depth = 0
    for s, e in pieces:
        depth = _quote_depths(text[s:e], depth)
        after.append(depth)
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        before = after[i - 1] if i else 0
        j = i
        while after[j] > 0 and j + 1 < len(pieces):
            j += 1
        words = len(text[pieces[i][0] : pieces[j][1]].split())
        if before == 0 and j > i and after[j] == 0 and words <= MAX_QUOTE_SENTENCE_WORDS:
            out.append((pieces[i][0], pieces[j][1]))
            i = j + 1
        else:
            out.append(pieces[i])
            i += 1
    return out


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves said says say told tell added noted stated according mr ms mrs
    also would could may might must shall one two us let lets its it's s t re ve ll d m per
    cent percent""".split()
)
# The commonest words of a few other languages, which carry no subject either: what a figure
# measures is read from the words around it, in any language.
FUNCTION_WORDS = STOPWORDS | frozenset(
    """le la les un une des du de d l et en au aux est sont a ont été par pour sur dans avec que
    qui ne pas plus ce cette ces il elle ils elles son sa ses leur leurs selon
    der die das den dem des ein eine einer einen eines und ist sind wurde wurden hat haben
    von zu im am auf mit für nach bei aus als auch nicht sich es er sie laut wie um
    el la los las un una unos unas y es son fue han ha por para con del al que se su sus
    según como más o
    il lo gli i uno e è sono per con che si nel nella
    о в во на и с со по к у за из от до что это как он она они его её их был была были""".split()
)
_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")  # kana and Han


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light English stemmer: enough to match 'talks'/'talk' and 'Russian'/'Russia'."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3 or not w.isascii():
        return w
    for suffix, repl in (
        ("ies", "y"),
        ("ian", "ia"),
        ("ean", "ea"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix == "s" and w.endswith("ss"):
                break
            return w[: -len(suffix)] + repl
    return w


def content_terms(text: str) -> list[str]:
    """Stemmed content words of `text`, in order; CJK runs become character bigrams."""
    if text.isascii():  # no CJK: the same terms, found quicker
        return [
            stem(low)
            for low in map(str.lower, _WORD.findall(text))
            if low not in STOPWORDS and not (len(low) < 2 and low.isdigit())
        ]
    terms: list[str] = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        if _CJK.search(word):
            chars = [c for c in word if not c.isspace()]
            terms.extend(a + b for a, b in itertools.pairwise(chars))
            if len(chars) == 1:
                terms.append(chars[0])
            continue
        low = word.lower()
        if low in STOPWORDS or (low.isdigit() and len(low) < 2):
            continue
        terms.append(stem(low))
    return terms


def features(text: str) -> set[str]:
    """Terms and adjacent term pairs: what two sentences must share to say the same thing."""
    terms = content_terms(text)
    return set(terms) | {f"{a} {b}" for a, b in itertools.pairwise(terms)}


def unbalanced_quotes(text: str) -> bool:
    """True for a piece of a longer quotation: it opens a quote it does not close, or the
    reverse."""
    return text.count('"') % 2 == 1 or text.count("“") != text.count("”")


def word_count(text: str) -> int:
    """Words of `text`; in Chinese and Japanese, written without spaces, two characters count
    as a word (about the length of one)."""
    if text.isascii():
        return len(_WORD.findall(text))
    n = 0
    for word in _WORD.findall(text):
        unspaced = len(_UNSPACED.findall(word)) if not word.isascii() else 0
        n += max(1, (unspaced + 1) // 2)
    return n


def is_caseless(text: str) -> bool:
    """True when most letters of `text` belong to scripts without capitals (Arabic, Hebrew,
    Chinese, Japanese, Korean, Thai, Devanagari...), where capitals cannot mark a name."""
    if text.isascii() or len(_ASCII_LETTER.findall(text)) * 2 > len(text):
        return False  # English with a curly quote, at C speed
    letters = [c for c in text if c.isalpha()]
    caseless = sum(1 for c in letters if not (c.isupper() or c.islower()))
    return caseless * 2 > len(letters)


# ---------------------------------------------------------------------------------------------
# Normalisation with an offset map
# ---------------------------------------------------------------------------------------------

_FOLD = {
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "′": "'",
    "–": "-",
    "—": "-",
    "‒": "-",
    "―": "-",
    "−": "-",
    "‐": "-",
    "‑": "-",
    "\u00a0": " ",
    "…": "...",
}


def normalise(text: str) -> tuple[str, list[int]]:
    """Fold quotes, dashes and white space; return the folded text and, for each of its
    characters, the offset in `text` it came from (plus one final entry for the end)."""
    out: list[str] = []
    where: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        ch = unicodedata.normalize("NFC", ch)
        folded = _FOLD.get(ch, ch)
        if folded.isspace():
            if in_space:
                continue
            in_space = True
            out.append(" ")
            where.append(i)
            continue
        in_space = False
        for c in folded:
            out.append(c)
            where.append(i)
    where.append(len(text))
    return "".join(out), where
