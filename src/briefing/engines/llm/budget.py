"""What requests cost before they are sent, and a spending limit that stops sending in time.

Tokens are estimated without a tokenizer: a character count divided by `CHARS_PER_TOKEN`,
calibrated against the test server's usage counting (bench/cost_estimate.py measures it; the
README's "Cost" section gives the figures, and how close it is for OpenAI's own tokenizers).
An answer's length is not known before it is written: it is expected to be `ANSWER_RATIO` of
the characters of the request's last user message (the passage), as measured.

`Meter` keeps the limit. Every attempt (a first request, a re-ask) reserves its estimated
tokens before it is sent, and the run stops sending as soon as one would not fit within what
is left, counting what requests still in flight have reserved; what was actually spent
replaces the reservation when the answer arrives. Network retries made by the SDK are of the
same request, whose tokens are billed once.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.engines.llm.client import ChunkFailed
from briefing.engines.llm.pricing import Price

CHARS_PER_TOKEN = 4.0
ANSWER_RATIO = 0.7  # answer characters per passage character (the stand-in model: 0.67-0.77)
RESERVE_MARGIN = 1.25  # reserved = estimate x this, so an answer a little long still fits


def estimate_tokens(chars: int) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN) if chars > 0 else 0


def message_chars(messages: Sequence[dict]) -> int:
    return sum(len(m.get("content") or "") for m in messages)


def expected_answer_chars(messages: Sequence[dict]) -> int:
    """How long the answer is expected to be: a share of the last user message."""
    users = [m for m in messages if m.get("role") == "user"]
    return int(len(users[-1].get("content") or "") * ANSWER_RATIO) if users else 0


@dataclass(frozen=True)
class Estimate:
    prompt_tokens: int
    completion_tokens: int

    @classmethod
    def of(cls, messages: Sequence[dict], max_tokens: int | None = None) -> Estimate:
        completion = estimate_tokens(expected_answer_chars(messages))
        if max_tokens is not None:
            completion = min(completion, max_tokens)
        return cls(estimate_tokens(message_chars(messages)), completion)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class BudgetReached(ChunkFailed):
    """Raised instead of sending a request that would take the run past --max-cost or
    --token-budget; the request, and every one after it, is not sent."""


@dataclass(frozen=True)
class Limit:
    """--max-cost (dollars; needs a price) and --token-budget (prompt + completion tokens)."""

    dollars: float | None = None
    tokens: int | None = None

    def __bool__(self) -> bool:
        return self.dollars is not None or self.tokens is not None

    def describe(self) -> str:
        parts = []
        if self.dollars is not None:
            parts.append(f"--max-cost ${self.dollars:g}")
        if self.tokens is not None:
            parts.append(f"--token-budget {self.tokens:,}")
        return " and ".join(parts)


class Meter:
    """Dollars and tokens spent, reserved before each request; thread-safe."""

    def __init__(self, price: Price | None = None, limit: Limit | None = None):
        self.price = price
        self.limit = limit or Limit()
        self.tokens = 0
        self.dollars = 0.0
        self.stopped = False
        self._reserved_tokens = 0
        self._reserved_dollars = 0.0
        self._lock = threading.Lock()

    def _cost(self, prompt: int, completion: int, batch: bool) -> float:
        if self.price is None:
            return 0.0
        price = self.price.batched() if batch else self.price
        return price.cost(prompt, completion)

    def reserve(self, estimate: Estimate, batch: bool = False) -> tuple[int, float]:
        """Hold room for a request of `estimate`, or raise BudgetReached (and stop for good)."""
        tokens = math.ceil(estimate.tokens * RESERVE_MARGIN)
        dollars = self._cost(estimate.prompt_tokens, estimate.completion_tokens, batch)
        dollars *= RESERVE_MARGIN
        with self._lock:
            over = self.stopped
            if self.limit.tokens is not None:
                over = over or self.tokens + self._reserved_tokens + tokens > self.limit.tokens
            if self.limit.dollars is not None:
                spent = self.dollars + self._reserved_dollars
                over = over or spent + dollars > self.limit.dollars
            if over:
                self.stopped = True
                raise BudgetReached(f"not sent: the budget ({self.limit.describe()}) was reached")
            self._reserved_tokens += tokens
            self._reserved_dollars += dollars
        return tokens, dollars

    def settle(
        self,
        ticket: tuple[int, float] | None,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        batch: bool = False,
    ) -> None:
        """The request of `ticket` is done: what it cost replaces what it reserved."""
        with self._lock:
            if ticket is not None:
                self._reserved_tokens -= ticket[0]
                self._reserved_dollars -= ticket[1]
            self.tokens += prompt_tokens + completion_tokens
            self.dollars += self._cost(prompt_tokens, completion_tokens, batch)

    def spent(self) -> float | None:
        """Dollars spent so far, or None when the price is unknown."""
        with self._lock:
            return None if self.price is None else round(self.dollars, 6)
