"""What the model must answer, as pydantic models; their JSON schema is what we ask for.

`strict_schema` turns a model's schema into the form OpenAI's strict structured outputs accept
(every property required, no additional properties, no unsupported keywords), and the same
schema goes into the prompt for servers that only have JSON mode.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ExtractedFact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim: str = Field(
        description="One clear, self-contained sentence stating the fact: who said or did "
        "what, with figures and dates as the document gives them."
    )
    evidence: str = Field(
        description="A verbatim passage copied character for character from the document "
        "that supports the claim: one or two sentences, no ellipses, no changes."
    )
    topic: str = Field(description="A short section title for the subject, 1 to 4 words.")
    importance: Literal[1, 2, 3, 4, 5] = Field(
        description="How much a busy reader needs this: 5 essential, 1 background."
    )


class ExtractionAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    facts: list[ExtractedFact] = Field(
        description="The facts of this passage that carry news, most important first."
    )


class LeadPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="One sentence stating a key point, in plain words.")
    claims: list[str] = Field(description="IDs of the claims (like c3) that support the point.")


class LeadAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: list[LeadPoint] = Field(description="The key points, most important first.")


_DROP = {"title", "default", "examples"}


@functools.lru_cache(maxsize=16)
def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the strict form: inline definitions, every property
    required, `additionalProperties: false` on every object. Built once per model (callers
    must not change it)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].split("/")[-1]])
            out = {k: walk(v) for k, v in node.items() if k not in _DROP}
            if out.get("type") == "object":
                out["additionalProperties"] = False
                out["required"] = list(out.get("properties", {}))
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def response_format(model: type[BaseModel], json_schema_mode: bool) -> dict[str, Any]:
    if json_schema_mode:
        return {
            "type": "json_schema",
            "json_schema": {"name": model.__name__, "schema": strict_schema(model), "strict": True},
        }
    return {"type": "json_object"}
