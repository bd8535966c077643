"""Which engine runs, and with what: from flags first, then the environment.

The LLM engine runs when a model is configured (`--model`, or `OPENAI_API_KEY`,
`OPENAI_BASE_URL` or `BRIEFING_MODEL` in the environment); otherwise the extractive engine,
which needs nothing. `--engine` forces one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefing.engines.base import Engine
from briefing.errors import UsageError

ENGINES = ("auto", "extractive", "llm")
LLM_HINT = (
    "no model configured, so the extractive engine ran; for the LLM engine set OPENAI_API_KEY "
    "(or OPENAI_BASE_URL for a local server) or pass --model"
)


@dataclass
class EngineConfig:
    engine: str = "auto"
    model: str | None = None
    base_url: str | None = None
    concurrency: int | None = None
    timeout: float | None = None
    retries: int | None = None
    cache_dir: str | None = None
    use_cache: bool = True
    audience: str = "default"
    prompt_dirs: Sequence[str] = field(default_factory=tuple)
    # What it costs (engines/llm/pricing.py, budget.py, batch.py)
    price_in: float | None = None
    price_out: float | None = None
    max_cost: float | None = None
    token_budget: int | None = None
    batch: bool = False
    plan: bool = False  # nothing is sent: no key is needed


def wants_llm(config: EngineConfig) -> bool:
    if config.engine != "auto":
        return config.engine == "llm"
    return bool(
        config.model
        or config.base_url
        or any(os.environ.get(v) for v in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_MODEL"))
    )


def make_engine(config: EngineConfig, notice=None) -> tuple[Engine, str | None]:
    """The engine to run, and a hint for the user when the choice was made for them."""
    if config.engine not in ENGINES:
        raise UsageError(f"unknown engine {config.engine!r} (choose from {', '.join(ENGINES)})")
    if not wants_llm(config):
        from briefing.engines.extractive import ExtractiveEngine

        return ExtractiveEngine(), (LLM_HINT if config.engine == "auto" else None)

    from briefing.engines.llm.budget import Limit, Meter
    from briefing.engines.llm.cache import AnswerCache
    from briefing.engines.llm.client import ChatClient, ClientSettings
    from briefing.engines.llm.engine import (
        DEFAULT_CONCURRENCY,
        DEFAULT_MODEL,
        LLMEngine,
        LLMSettings,
    )

    if config.retries is not None and config.retries < 0:
        raise UsageError("--retries takes a number of at least 0")
    from briefing.engines.llm.pricing import price_for

    client_settings = ClientSettings.from_env(
        base_url=config.base_url, timeout=config.timeout, max_retries=config.retries
    )
    if config.plan and not client_settings.api_key:
        client_settings = replace(client_settings, api_key="unused: --plan sends nothing")
    client = ChatClient(client_settings)
    settings = LLMSettings(
        model=config.model or os.environ.get("BRIEFING_MODEL") or DEFAULT_MODEL,
        concurrency=config.concurrency or DEFAULT_CONCURRENCY,
        audience=config.audience,
        prompt_dirs=tuple(config.prompt_dirs),
        batch=config.batch,
    )
    price = price_for(settings.model, config.price_in, config.price_out)
    if config.max_cost is not None and price is None:
        raise UsageError(
            f"--max-cost needs the price of {settings.model}, which briefing does not know: "
            "give --price-in and --price-out (dollars per million tokens), or use --token-budget"
        )
    meter = Meter(price, Limit(config.max_cost, config.token_budget))
    cache = AnswerCache(
        Path(config.cache_dir) if config.cache_dir else None, config.use_cache, warn=notice
    )
    kwargs = {"notice": notice} if notice else {}
    return LLMEngine(client, settings, cache, meter=meter, **kwargs), None
