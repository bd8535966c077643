"""A deterministic stand-in for a model, behind the fake OpenAI server: it reads briefing's own
prompts and answers them the way a careful model would, so tests (and benchmarks, and the
cassettes recorded from it) exercise the real wire format with no model and no network.

- An extraction prompt (a passage between <<<DOCUMENT and DOCUMENT>>>): the newsworthy sentences
  of the passage, each as a fact whose evidence is the sentence verbatim and whose claim is the
  sentence with a pronoun speaker named, as the extractive engine would write it.
- A lead prompt (lines "cN: text (sources: ...)"): the first few claims as key points, each
  citing its own claim ID.

`ModelResponder(...)` is a responder for `FakeOpenAIServer`; `wrong_*` helpers make answers
with one thing wrong, for tests of re-asking.
"""

from __future__ import annotations

import json
import re
from typing import Any

from briefing.assemble.stories import classify
from briefing.engines.extractive import ExtractiveEngine
from briefing.models import Document
from briefing.text import sentence_spans

from .openai_server import JSON, Reply, message_texts

_PASSAGE = re.compile(r"<<<DOCUMENT\n(.*)\nDOCUMENT>>>", re.DOTALL)
_CLAIM_LINE = re.compile(r"^(c\d+): (.*) \(sources: [^)]*\)$", re.MULTILINE)
_MAX_FACTS = re.compile(r"At most (\d+) facts")
_MAX_POINTS = re.compile(r"at most (\d+) key points", re.IGNORECASE)


def is_lead(request: JSON) -> bool:
    return any("Claims:" in t for t in message_texts(request))


def is_extract(request: JSON) -> bool:
    return any("<<<DOCUMENT" in t for t in message_texts(request))


def passage(request: JSON) -> str:
    for text in message_texts(request):
        m = _PASSAGE.search(text)
        if m:
            return m.group(1)
    return ""


def extract_answer(request: JSON) -> dict[str, Any]:
    text = passage(request)
    system = message_texts(request)[0] if message_texts(request) else ""
    m = _MAX_FACTS.search(system)
    limit = int(m.group(1)) if m else 12
    doc = Document(id="passage", path="passage", text=text, body=[(0, len(text))], sha256="0")
    engine = ExtractiveEngine()
    facts = []
    recent: list[str] = []
    for s, e in sentence_spans(text):
        fact = engine._fact(doc, s, e, recent)
        if fact is None or fact.importance < 0.3:
            continue
        facts.append(
            {
                "claim": fact.claim,
                "evidence": fact.quote,
                "topic": classify(fact.quote).split(" and ")[0],
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


class ModelResponder:
    """Answers extraction and lead prompts; anything else gets an empty facts list."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, request: JSON) -> Reply:
        self.calls += 1
        if is_lead(request):
            return Reply.content(json.dumps(lead_answer(request)))
        if is_extract(request):
            return Reply.content(json.dumps(extract_answer(request)))
        return Reply.content('{"facts": []}')


def about(doc_id: str):
    """A predicate for ScriptedResponder rules: an extraction request for document `doc_id`."""

    def predicate(request: JSON) -> bool:
        return is_extract(request) and any(
            f"Document: {doc_id}" in t for t in message_texts(request)
        )

    return predicate
