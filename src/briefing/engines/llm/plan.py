"""What a run would send and cost, worked out without sending anything (`--plan`).

Every extraction request is rendered exactly as the run would render it, so its prompt is
measured, not guessed, and looked up in the cache; only the answers' lengths, and the one
request for the key points (whose prompt holds claims not written yet), are estimated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.engines.llm.answers import ExtractionAnswer
from briefing.engines.llm.budget import (
    ANSWER_RATIO,
    estimate_tokens,
    expected_answer_chars,
    message_chars,
)
from briefing.engines.llm.engine import LLMEngine
from briefing.engines.llm.pricing import Price
from briefing.models import Chunk, Document
from briefing.text import count

LEAD_CLAIM_CHARS = 220  # one claim line of the key-points prompt, as measured on the seeds


@dataclass
class Plan:
    documents: int
    chunks: int
    requests: int
    cached: int
    prompt_tokens: int
    completion_tokens: int
    model: str | None
    where: str
    price: Price | None
    batch: bool = False

    @property
    def to_send(self) -> int:
        return self.requests - self.cached

    def cost(self, batch: bool | None = None) -> float | None:
        if self.price is None:
            return None
        price = self.price.batched() if (self.batch if batch is None else batch) else self.price
        return price.cost(self.prompt_tokens, self.completion_tokens)

    def lines(self) -> list[str]:
        out = [
            f"plan for {self.model} at {self.where} (nothing was sent)",
            f"documents          {self.documents:,}",
            f"chunks             {self.chunks:,}",
            f"requests           {self.requests:,} ({count(self.chunks, 'passage')} and the key "
            f"points): {self.cached:,} answered by the cache, {self.to_send:,} to send",
            f"prompt tokens      ~{self.prompt_tokens:,} (estimated, of the requests to send)",
            f"completion tokens  ~{self.completion_tokens:,} (estimated)",
        ]
        cost = self.cost()
        if self.price is None:
            out.append(
                f"cost               price unknown for {self.model} (give --price-in and "
                "--price-out, or BRIEFING_PRICE_IN and BRIEFING_PRICE_OUT, in $ per million)"
            )
        else:
            how = "with --batch, at the batch price" if self.batch else "live"
            out.append(f"cost               ~${cost:,.4f} {how}, at {self.price.describe()}")
            if not self.batch:
                out.append(f"                   ~${self.cost(True):,.4f} with --batch")
        return out


def make_plan(
    engine: LLMEngine,
    docs: Sequence[Document],
    chunks: Sequence[Chunk],
    max_claims: int,
) -> Plan:
    """The requests `engine` would send for `chunks`, the cache's share, tokens and cost."""
    by_id = {d.id: d for d in docs}
    per_doc = Counter(chunk.source for chunk in chunks)
    prompt_chars = answer_chars = cached = 0
    for chunk in chunks:
        doc = by_id[chunk.source]
        variables, schema, _, _ = engine.extract_request(doc, chunk, per_doc[doc.id])
        messages, _, keys = engine.request_of("extract", variables, ExtractionAnswer, schema)
        if any(engine.cache.get(k) is not None for k in keys):
            cached += 1
            continue
        prompt_chars += message_chars(messages)
        answer_chars += expected_answer_chars(messages)
    if cached < len(chunks) or not chunks:  # new facts: new claims for the key points
        lead_user = LEAD_CLAIM_CHARS * max_claims
        lead_system = len(engine.prompts.render("lead.system.j2", schema=None, max_points=7))
        prompt_chars += lead_user + lead_system
        answer_chars += int(lead_user * ANSWER_RATIO * 0.25)  # key points: a few claims
    else:
        cached += 1
    return Plan(
        documents=len(docs),
        chunks=len(chunks),
        requests=len(chunks) + 1,
        cached=cached,
        prompt_tokens=estimate_tokens(prompt_chars),
        completion_tokens=estimate_tokens(answer_chars),
        model=engine.settings.model,
        where=engine.client.settings.effective_base_url,
        price=engine.meter.price,
        batch=engine.settings.batch,
    )
