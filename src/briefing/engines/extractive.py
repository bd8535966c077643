"""The extractive engine: no model. It keeps the sentences that carry news and scores them.

A sentence carries news when it says who said or did what, with figures, dates, named people and
organisations, or a direct statement. Questions, headings, list fragments and bare speculation do
not. How many documents report a sentence is weighed later, by merging, where it is known.

Each fact's quote is the sentence itself. Its claim is the sentence as a reader should see it:
list markers dropped and, where the sentence says only "he said", the speaker's name in place of
the pronoun, taken from the sentences before it (never inside quotation marks).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefing.assemble.context import stands_alone
from briefing.assemble.support import supports
from briefing.engines.base import Extraction, Progress
from briefing.models import Chunk, Claim, Document, Fact, Usage
from briefing.text import is_caseless, sentence_spans, unbalanced_quotes, word_count

SPEECH_VERBS = (
    "said|says|spoke|told|noted|added|stated|confirmed|announced|highlighted|emphasi[sz]ed|indicated|"
    "mentioned|elaborated|explained|warned|urged|insisted|argued|claimed|asserted|declared|"
    "revealed|stressed|underlined|reiterated|expressed|remarked|acknowledged|denied"
)
_SPEECH = re.compile(rf"\b({SPEECH_VERBS})\b", re.IGNORECASE)
_NAME = r"[A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+)*"
_SPEAKER_BEFORE = re.compile(rf"({_NAME})\s+(?:also\s+|further\s+|then\s+)?(?:{SPEECH_VERBS})\b")
_SPEAKER_AFTER = re.compile(  # '..." stated Peskov': the inverted attribution after a quote
    rf"[,\"”]\s*(?:{SPEECH_VERBS})\s+({_NAME})"
)
_TITLES = frozenset(
    """president minister spokesperson spokesman spokeswoman chief director general secretary
    head official officials ministry government chairman ceo the a an his her their it he
    she they report reports statement""".split()
)
_PRONOUN_ATTRIBUTION = re.compile(
    rf"(?P<lead>^|[,\"”]\s*|\.\s+)(?P<pronoun>[Hh]e|[Ss]he)(?=\s+(?:also\s+|further\s+)?"
    rf"(?:{SPEECH_VERBS})\b)"
)
_FIGURE = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:%|per ?cent|percent|million|billion|trillion|crore|lakh|bn|mn|km|kg|"
    r"tonnes|mw|gw)|[$€£₹¥]\s?\d|\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)
_DATE_WORD = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tomorrow|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b|\b(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"\b(?:will|agreed|signed|launched|approved|plans?|planned|expected|scheduled|confirmed|"
    r"remain(?:s)?|includ(?:e|es|ed|ing)|discuss(?:ed)?|deliver(?:y|ed)?|hopes?|aims?|offer)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:may|might|could|possibly|perhaps|plausible|appears?|likely|speculation|if|hints?|"
    r"suggests?|would)\b",
    re.IGNORECASE,
)
_ANAPHOR_START = re.compile(
    r"^[\"“]?(?:he|she|they|it|this|these|those|that|his|her|its|their|and|but|or|so|also)\b",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")

# The same word lists as sets, for plain ASCII text: its words are looked up once each instead
# of searched for by five patterns (the patterns above match only whole words, so the two agree).
_SPEECH_WORDS = frozenset(SPEECH_VERBS.replace("emphasi[sz]ed", "emphasised|emphasized").split("|"))
_DATE_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
_ACTION_WORDS = frozenset(
    """will agreed signed launched approved plan plans planned expected scheduled confirmed
    remain remains include includes included including discuss discussed deliver delivery
    delivered hope hopes aim aims offer""".split()
)
_HEDGE_WORDS = frozenset(
    """may might could possibly perhaps plausible appear appears likely speculation if hint
    hints suggest suggests would""".split()
)
_ASCII_WORD = re.compile(r"\w+")
MIN_WORDS = 7
MIN_FIGURE_WORDS = 4  # a shorter sentence is news when it gives a figure
MAX_JOINED = 70  # words: a sentence that leans on the one before is shown with it up to this
SPEAKER_REACH = 2  # a bare 'he said' takes the name of a speaker at most this many sentences back

# The cues above are English. The same cues in a few other languages (Russian, Chinese,
# Japanese, Arabic), so that news in them scores like news in English; only looked for in text
# that is not plain ASCII.
_SPEECH_OTHER = re.compile(
    r"\b(?:заявил|сказал|сообщил|отметил|подчеркнул|объявил|добавил|пояснил|назвал)[аио]?\b"
    r"|表示|指出|强调|宣布|透露|说|述べた|語った|発表した|明らかにした|強調した"
    r"|(?<!\w)[وف]?(?:قال|قالت|أعلن|أعلنت|أكد|أكدت|صرح|صرحت|أوضح|أوضحت)(?!\w)"
)
_FIGURE_OTHER = re.compile(r"\d+(?:[.,]\d+)?\s*(?:млн|млрд|трлн|тыс|万|亿|億|兆)")
_DATE_OTHER = re.compile(
    r"\d{1,4}\s*[年月日]|\b(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|"
    r"октября|ноября|декабря|понедельник|вторник|сред[уа]|четверг|пятниц[уа]|суббот[уа]|"
    r"воскресенье)\b",
    re.IGNORECASE,
)
_NAME_OTHER = re.compile(r"(?<=[\s(\"“«„])([^\W\d_a-zA-Z])[\w-]+")  # a non-ASCII capital?
_SENTENCE_END = ".!\"”’')。！」』»"
_QUESTION_END = ("?", "？", "؟")
CASELESS_BASE = 0.1  # what capitalised names add to a typical sentence in a script with case


class ExtractiveEngine:
    """Picks the sentences that carry the news. Deterministic and fast; needs no model."""

    name = "extractive"
    model: str | None = None
    resumable = False  # nothing to keep: a rerun does it all again, fast

    def extract(
        self,
        docs: Sequence[Document],
        chunks: Sequence[Chunk],
        progress: Progress | None = None,
    ) -> Extraction:
        by_id = {d.id: d for d in docs}
        out = Extraction()
        for done, chunk in enumerate(chunks, 1):
            doc = by_id[chunk.source]
            sentences = chunk.sentences or [
                s for start, end in chunk.spans for s in sentence_spans(doc.text, start, end)
            ]
            named: tuple[str, int, int] | None = None  # the last speaker named, and where
            voices = _voices(doc.text, sentences)
            for n, (s, e) in enumerate(sentences):
                recent = named if named and n - named[2] <= SPEAKER_REACH else None
                # the sentence before, unless furniture lies between them
                gap = doc.text[sentences[n - 1][1] : s] if n else "-"
                before = sentences[n - 1] if not gap.strip() else None
                fact = self._fact(doc, s, e, recent, voices.get(n), before)
                if fact is not None:
                    out.facts.append(fact)
                speaker = _speaker(doc.text[s:e])
                if speaker:
                    named = (speaker, s, n)
            if progress:
                progress(done, len(chunks))
        return out

    def write_lead(self, claims: Sequence[Claim], title: str, max_points: int) -> None:
        return None  # the most important claims themselves lead the briefing

    def usage(self) -> Usage | None:
        return None

    def _fact(
        self,
        doc: Document,
        s: int,
        e: int,
        named: tuple[str, int, int] | None = None,
        voice: tuple[str, int, int] | None = None,
        before: tuple[int, int] | None = None,
    ) -> Fact | None:
        """The fact of the sentence doc.text[s:e], or None when it carries no news. `named` is
        the speaker a sentence shortly before names (surname, where that sentence starts):
        a bare 'he said' is written with that name, and the quote then runs from that
        sentence, so that every name the claim uses is in its quote. `voice` is the speaker
        of the quotation the sentence lies inside, and the span of the sentence that says so:
        the claim is 'Name said: "sentence"', its quote running over both. `before` is the
        sentence before it: a sentence that leans on it ('But he...') is
        written after it."""
        sentence = doc.text[s:e]
        score = importance(sentence, position=s - (doc.body[0][0] if doc.body else 0))
        if score <= 0:
            return None
        start, end = s, e
        if voice:
            claim = f'{voice[0]} said: "{sentence.strip()}"'
            start, end = min(s, voice[1]), max(e, voice[2])
            score += 0.1  # a direct statement, now with its speaker
        else:
            claim = _as_claim(sentence, named[0] if named else None)
            if named and claim != sentence and not supports(sentence, claim):
                start = named[1]  # the quote must hold the name the claim now uses
        if not stands_alone(claim) and before and start == s:
            joined = doc.text[before[0] : e]
            if stands_alone(doc.text[before[0] : before[1]]) and word_count(joined) <= MAX_JOINED:
                claim, start = _as_claim(" ".join(joined.split()), None), before[0]
                score += 0.08  # what leaning back cost it, now that it stands alone
        return Fact(
            source=doc.id,
            claim=claim,
            quote=doc.text[start:end],
            importance=round(score, 4),
            hint=start,
        )


def _voices(text: str, sentences: Sequence[tuple[int, int]]) -> dict[int, tuple[str, int, int]]:
    """Sentences that lie wholly inside a quotation of several sentences, each with the
    quotation's speaker (named where it opens or closes) and that sentence's span."""
    out: dict[int, tuple[str, int, int]] = {}
    depth = 0
    opened: int | None = None
    inside: list[int] = []
    for n, (s, e) in enumerate(sentences):
        if n and "\n" in text[sentences[n - 1][1] : s]:  # a new paragraph closes what is open
            depth, opened, inside = 0, None, []
        piece = text[s:e]
        if depth and not any(q in piece for q in '"“”'):
            inside.append(n)
            continue
        was = depth
        depth = _depth_after(piece, depth)
        if not was and depth:
            opened, inside = n, []
        elif was and not depth and opened is not None:
            for at in (opened, n):
                who = _speaker(text[sentences[at][0] : sentences[at][1]])
                if who and inside:
                    for k in inside:
                        out[k] = (who, *sentences[at])
                    break
            opened, inside = None, []
    return out


def _depth_after(piece: str, depth: int) -> int:
    for ch in piece:
        if ch == '"':
            depth = 0 if depth else 1
        elif ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
    return depth


def _speaker(sentence: str) -> str | None:
    """The surname of whoever the sentence says spoke, if it names them."""
    for pattern in (_SPEAKER_BEFORE, _SPEAKER_AFTER):
        for m in pattern.finditer(sentence):
            words = [w for w in m.group(1).split() if w.lower() not in _TITLES]
            if words and words[-1][0].isupper():
                return words[-1].rstrip("’'")
    return None


def _as_claim(sentence: str, speaker: str | None) -> str:
    """The sentence as a reader sees it: no list marker, and the speaker's name for a bare
    'he said' (outside any quotation, so the quoted words stay verbatim)."""
    claim = _LIST_MARKER.sub("", sentence).strip()
    if speaker and not _speaker(claim):
        claim = _PRONOUN_ATTRIBUTION.sub(lambda m: f"{m.group('lead')}{speaker}", claim, count=1)
    return claim


def importance(sentence: str, position: int = 10_000) -> float:
    """How much news a sentence carries, 0 (none: not a statement) to about 1."""
    text = sentence.strip()
    words = word_count(text)
    short = words < MIN_WORDS
    if short and (words < MIN_FIGURE_WORDS or not _FIGURE.search(text) or text[-1] != "."):
        return 0.0  # short: news only when a full sentence with a figure ('Inflation hit 6.1%.')
    if text.endswith(_QUESTION_END) or text.endswith(":"):
        return 0.0
    is_list_item = bool(_LIST_MARKER.match(text))
    ends_like_sentence = text[-1] in _SENTENCE_END
    if (is_list_item or not ends_like_sentence) and words < 15:
        return 0.0
    other = not text.isascii()
    names = len(re.findall(r"(?<=[\s(\"“])[A-Z][a-zA-Z0-9-]+", " " + text[1:]))
    if other:  # capitals mark names only in scripts that have them
        names += sum(m.group(1).isupper() for m in _NAME_OTHER.finditer(" " + text[1:]))
    if other:
        speech = bool(_SPEECH.search(text) or _SPEECH_OTHER.search(text))
        dated = bool(_DATE_WORD.search(text) or _DATE_OTHER.search(text))
        action = bool(_ACTION.search(text))
        hedges = len(_HEDGE.findall(text))
    else:  # one pass over the words: the same answers as the patterns
        tokens = _ASCII_WORD.findall(text.lower())
        unique = set(tokens)
        speech = not unique.isdisjoint(_SPEECH_WORDS)
        dated = not unique.isdisjoint(_DATE_WORDS) or any(
            len(t) == 4 and t[:2] in ("19", "20") and t[2:].isdigit() for t in unique
        )
        action = not unique.isdisjoint(_ACTION_WORDS)
        hedges = sum(t in _HEDGE_WORDS for t in tokens)
    score = 0.15
    score += min(names, 6) / 6 * 0.25
    score += CASELESS_BASE if other and is_caseless(text) else 0.0
    score += 0.2 if speech else 0.0
    score += 0.1 if re.search(r"[\"“][^\"”]{12,}", text) else 0.0
    score += 0.15 if _FIGURE.search(text) or (other and _FIGURE_OTHER.search(text)) else 0.0
    score += 0.08 if dated else 0.0
    score += 0.07 if action else 0.0
    score -= min(hedges, 3) * 0.06
    score -= 0.08 if _ANAPHOR_START.match(text) else 0.0
    score -= 0.1 if is_list_item else 0.0
    if unbalanced_quotes(text):  # a piece of a longer quotation
        score -= 0.35 if not text.startswith(('"', "“")) else 0.12
    score -= 0.05 if text.startswith(('"', "“")) else 0.0
    if words > 55:
        score -= 0.1
    if position < 400:
        score += 0.08
    return max(score, 0.01)
