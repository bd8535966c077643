"""What a model's tokens cost: a small table of current models, overridable.

Prices are US dollars per million tokens, input (prompt) and output (completion), as the
providers list them for their standard tier. The Batch API costs half. A model not in the table
has no price unless one is given (`--price-in`/`--price-out`, or BRIEFING_PRICE_IN and
BRIEFING_PRICE_OUT in the environment): its tokens are still counted and shown.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from briefing.errors import UsageError

PRICES_AS_OF = "2025"  # as last checked: providers change prices; override when they do
BATCH_DISCOUNT = 0.5

#: model -> (input, output) dollars per million tokens.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "o3": (2.00, 8.00),
    "o4-mini": (1.10, 4.40),
}

_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")  # gpt-4.1-mini-2025-04-14 is gpt-4.1-mini


@dataclass(frozen=True)
class Price:
    """Dollars per million input and output tokens, and where the figures came from."""

    input: float
    output: float
    source: str = "table"

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Dollars for the tokens (batch tokens: `batched().cost(...)`)."""
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000

    def batched(self) -> Price:
        return Price(self.input * BATCH_DISCOUNT, self.output * BATCH_DISCOUNT, self.source)

    def describe(self) -> str:
        return f"${self.input:g} in / ${self.output:g} out per million tokens ({self.source})"


def _dollars(value: str, where: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise UsageError(f"{where}: expected dollars per million tokens, got {value!r}") from None
    if n < 0 or n != n:
        raise UsageError(f"{where}: expected dollars per million tokens of at least 0, got {value}")
    return n


def price_for(
    model: str | None, price_in: float | None = None, price_out: float | None = None
) -> Price | None:
    """The price of `model`: the flags first, then BRIEFING_PRICE_IN/OUT, then the table.
    None when either figure is unknown."""
    source = "given"
    if price_in is None and os.environ.get("BRIEFING_PRICE_IN"):
        price_in = _dollars(os.environ["BRIEFING_PRICE_IN"], "BRIEFING_PRICE_IN")
        source = "from the environment"
    if price_out is None and os.environ.get("BRIEFING_PRICE_OUT"):
        price_out = _dollars(os.environ["BRIEFING_PRICE_OUT"], "BRIEFING_PRICE_OUT")
        source = "from the environment"
    listed = PRICES.get(_SNAPSHOT.sub("", model or ""))
    if price_in is None and price_out is None and listed:
        return Price(*listed, source=f"shipped list price, {PRICES_AS_OF}")
    if listed:
        price_in = listed[0] if price_in is None else price_in
        price_out = listed[1] if price_out is None else price_out
    if price_in is None or price_out is None:
        return None
    return Price(price_in, price_out, source)
