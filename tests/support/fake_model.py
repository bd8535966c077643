"""A deterministic stand-in for a model, behind the fake OpenAI server: it reads briefing's own
prompts and answers them the way a careful model would, so tests (and benchmarks, and the
cassettes recorded from it) exercise the real wire format with no model and no network.

- An extraction prompt (numbered sentences "[n] text" between <<<DOCUMENT and DOCUMENT>>>): the
  newsworthy sentences of the passage, each as a fact citing its sentence numbers, with the
  claim the extractive engine would write (a pronoun speaker named, the sentence that names
  them cited too).
- A lead prompt (lines "cN: text (sources: ...)"): the first few claims as key points, each
  citing its own claim ID.

`ModelResponder(careless=0.3)` answers like a careless model: in that share of its claims and
key points (chosen by a hash of the text, so runs repeat) it changes one figure, keeping the
cited sentences as they are. Asked again with the problem named, it answers carefully, unless
`stubborn=True`.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from briefing.engines.extractive import ExtractiveEngine
from briefing.models import Chunk, Document

from .openai_server import JSON, Reply, message_texts

_PASSAGE = re.compile(r"<<<DOCUMENT\n(.*)\nDOCUMENT>>>", re.DOTALL)
_SENTENCE_LINE = re.compile(r"^\[(\d+)\] (.*)$")
_CLAIM_LINE = re.compile(r"^(c\d+): (.*) \(sources: [^)]*\)$", re.MULTILINE)
_MAX_FACTS = re.compile(r"At most (\d+) facts")
_MAX_POINTS = re.compile(r"one to (\d+) key points", re.IGNORECASE)
_DIGITS = re.compile(r"(?<![\w.,])\d+(?![\d])")
REASK = "That answer cannot be used"


def is_lead(request: JSON) -> bool:
    return any("Claims:" in t for t in message_texts(request))


def is_extract(request: JSON) -> bool:
    return any("<<<DOCUMENT" in t for t in message_texts(request))


def is_reask(request: JSON) -> bool:
    return any(REASK in t for t in message_texts(request))


def passage(request: JSON) -> str:
    """The passage between the markers, as the prompt shows it (numbered lines)."""
    for text in message_texts(request):
        m = _PASSAGE.search(text)
        if m:
            return m.group(1)
    return ""


def passage_sentences(request: JSON) -> list[tuple[int, str, bool]]:
    """(number, text, starts a paragraph) of each sentence of the passage."""
    out: list[tuple[int, str, bool]] = []
    blank = False
    for line in passage(request).split("\n"):
        m = _SENTENCE_LINE.match(line)
        if m:
            out.append((int(m.group(1)), m.group(2), blank))
            blank = False
        elif not line.strip():
            blank = True
    return out


def extract_answer(request: JSON) -> dict[str, Any]:
    """Facts as the extractive engine would find them, each citing its sentence numbers."""
    sentences = passage_sentences(request)
    system = message_texts(request)[0] if message_texts(request) else ""
    m = _MAX_FACTS.search(system)
    limit = int(m.group(1)) if m else 12
    text, spans = "", []
    for _, sentence, new_paragraph in sentences:
        if text:
            text += "\n\n" if new_paragraph else " "
        spans.append((len(text), len(text) + len(sentence)))
        text += sentence
    doc = Document(id="passage", path="passage", text=text, body=[(0, len(text))], sha256="0")
    chunk = Chunk(source="passage", index=0, spans=[(0, len(text))], text=text, sentences=spans)
    facts = []
    for fact in ExtractiveEngine().extract([doc], [chunk]).facts:
        if fact.importance < 0.3:
            continue
        start, end = fact.hint or 0, (fact.hint or 0) + len(fact.quote)
        numbers = [n for n, (s, e) in enumerate(spans, 1) if s < end and e > start]
        facts.append(
            {
                "claim": fact.claim,
                "sentences": numbers,
                "topic": _topic(fact.quote),
                "importance": max(1, min(5, round(fact.importance * 5))),
            }
        )
    facts.sort(key=lambda f: -f["importance"])
    return {"facts": facts[:limit]}


def lead_answer(request: JSON) -> dict[str, Any]:
    text = "\n".join(message_texts(request))
    m = _MAX_POINTS.search(text)
    limit = int(m.group(1)) if m else 5
    points = [{"text": claim, "claims": [cid]} for cid, claim in _CLAIM_LINE.findall(text)]
    return {"points": points[:limit]}


def careless(text: str, share: float) -> str:
    """`text` with one figure changed ('27%' -> '127%', '2030' -> '2031') when a hash of it
    falls in `share`; unchanged otherwise, or when it has no figure."""
    digest = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)
    if digest % 1000 >= share * 1000:
        return text
    m = _DIGITS.search(text)
    if not m:
        return text
    number = m.group(0)
    changed = str(int(number) + 1) if len(number) == 4 else "1" + number
    return text[: m.start()] + changed + text[m.end() :]


class ModelResponder:
    """Answers extraction and lead prompts; anything else gets an empty facts list."""

    def __init__(self, careless: float = 0.0, stubborn: bool = False) -> None:
        self.calls = 0
        self.careless = careless
        self.stubborn = stubborn
        self.changed = 0

    def _careless(self, text: str, request: JSON) -> str:
        if not self.careless or (is_reask(request) and not self.stubborn):
            return text
        out = careless(text, self.careless)
        self.changed += out != text
        return out

    def __call__(self, request: JSON) -> Reply:
        self.calls += 1
        if is_lead(request):
            answer = lead_answer(request)
            for point in answer["points"]:
                point["text"] = self._careless(point["text"], request)
            return Reply.content(json.dumps(answer))
        if is_extract(request):
            answer = extract_answer(request)
            for fact in answer["facts"]:
                fact["claim"] = self._careless(fact["claim"], request)
            return Reply.content(json.dumps(answer))
        return Reply.content('{"facts": []}')


def about(doc_id: str):
    """A predicate for ScriptedResponder rules: an extraction request for document `doc_id`."""

    def predicate(request: JSON) -> bool:
        return is_extract(request) and any(
            f"Document: {doc_id}" in t for t in message_texts(request)
        )

    return predicate


def _topic(quote: str) -> str:
    """A topic as a model might name one: the quote's first name after its first word."""
    names = re.findall(r"(?<=\s)[A-Z][a-z]{2,}", quote)
    return names[0] if names else "News"
