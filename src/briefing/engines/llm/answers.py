"""What the model must answer, as pydantic models; their JSON schema is what we ask for.

The model never copies text. A passage goes to it sentence by sentence, numbered, and each fact
cites the numbers of the sentences that state it; the program copies the quote and its offsets
from the document. Key points cite claim IDs from the list they are given. Both constraints are
in the schema the server enforces (`extraction_schema`, `lead_schema`: the numbers and IDs of
this request as an `enum`, the counts as `minItems`/`maxItems`) and again in validation, which
servers in JSON mode need.

Validation takes the passage (or the claims) as context, the way instructor validates: a claim
whose figures or names are not in the sentences it cites (`support.unsupported`) is invalid,
and the problem is named when the model is asked again. On the last attempt the context says
`repair`: such a claim is then written as the cited sentences themselves (a key point as the
claim it cites), and counted, instead of failing the passage.

`strict_schema` turns a model's schema into the form OpenAI's strict structured outputs accept
(every property required, no additional properties, no unsupported keywords).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from briefing.assemble.support import describe, unsupported
from briefing.models import Citation, Claim

MAX_FACT_SENTENCES = 3  # a fact cites one sentence, or up to three next to each other
MAX_POINT_CLAIMS = 4  # claims one key point may cite
MAX_LEAD_CLAIMS = 300  # claims offered for the key points (OpenAI allows 1,000 enum values)


# ---------------------------------------------------------------------------------------------
# Validation context
# ---------------------------------------------------------------------------------------------


@dataclass
class Passage:
    """A chunk's sentences as the model sees them, numbered from 1: their text, and which block
    of content (a run of text with no page furniture between) each is in."""

    sentences: list[str]
    blocks: list[int]

    def text(self, numbers: Sequence[int]) -> str:
        return " ".join(self.sentences[n - 1] for n in range(min(numbers), max(numbers) + 1))

    def problem(self, numbers: Sequence[int]) -> str | None:
        """Why `numbers` cannot be a fact's evidence, or None."""
        if not numbers:
            return "cites no sentence"
        wrong = [n for n in numbers if not 1 <= n <= len(self.sentences)]
        if wrong:
            return (
                f"cites sentence {wrong[0]}, which does not exist (the passage has sentences "
                f"1 to {len(self.sentences)})"
            )
        if max(numbers) - min(numbers) >= MAX_FACT_SENTENCES:
            return f"cites sentences {min(numbers)} to {max(numbers)}; cite at most three in a row"
        if self.blocks[min(numbers) - 1] != self.blocks[max(numbers) - 1]:
            return (
                f"cites sentences {min(numbers)} to {max(numbers)}, which run across text left "
                "out of the passage"
            )
        return None


@dataclass
class Checks:
    """What validation checks an answer against, and what it did about it."""

    passage: Passage | None = None
    claims: dict[str, Claim] = field(default_factory=dict)
    max_points: int = 0
    repair: bool = False
    """The last attempt: mend what can be mended (and count it) instead of failing."""
    fallbacks: int = 0
    dropped: int = 0

    def context(self) -> dict[str, Any]:
        return {"checks": self}


def _checks(info: ValidationInfo) -> Checks | None:
    context = info.context or {}
    checks = context.get("checks")
    return checks if isinstance(checks, Checks) else None


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------


class ExtractedFact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    claim: str = Field(
        description="One clear, self-contained sentence stating the fact, using only the "
        "names, figures and dates that the cited sentences give, as they give them."
    )
    sentences: list[int] = Field(
        description="The numbers of the passage's sentences that state the fact: one, or up "
        "to three next to each other."
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

    @model_validator(mode="after")
    def _cite_and_support(self, info: ValidationInfo) -> ExtractionAnswer:
        checks = _checks(info)
        if checks is None or checks.passage is None:
            return self
        passage = checks.passage
        problems: list[str] = []
        kept: list[ExtractedFact] = []
        for n, fact in enumerate(self.facts, 1):
            numbers = sorted(set(fact.sentences))
            wrong = passage.problem(numbers)
            if wrong:
                if checks.repair:
                    checks.dropped += 1
                    continue
                problems.append(f"fact {n} {wrong}")
                continue
            fact.sentences = numbers
            evidence = passage.text(numbers)
            missing = unsupported(fact.claim, evidence)
            if not fact.claim.strip():
                missing = ["(no claim)"]
            if missing:
                if checks.repair:
                    fact.claim = " ".join(evidence.split())
                    checks.fallbacks += 1
                else:
                    cited = ", ".join(map(str, numbers))
                    which = (
                        f"sentence {cited} does" if len(numbers) == 1 else f"sentences {cited} do"
                    )
                    problems.append(f"fact {n} gives {describe(missing)}, which {which} not")
            kept.append(fact)
        if problems:
            raise ValueError(
                "; ".join(problems[:6]) + " (write only what the cited sentences say, with "
                "their names and figures as they write them)"
            )
        self.facts = kept
        return self


def extraction_schema(sentences: int) -> dict[str, Any]:
    """The strict schema of an extraction answer for a passage of `sentences` sentences: the
    sentence numbers an `enum` of 1..sentences, one to three of them."""
    schema = copy.deepcopy(strict_schema(ExtractionAnswer))
    cited = schema["properties"]["facts"]["items"]["properties"]["sentences"]
    cited["items"] = {"type": "integer", "enum": list(range(1, max(1, sentences) + 1))}
    cited["minItems"] = 1
    cited["maxItems"] = MAX_FACT_SENTENCES
    return schema


# ---------------------------------------------------------------------------------------------
# Key points
# ---------------------------------------------------------------------------------------------


class LeadPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        description="One sentence stating a key point, in plain words, with only the names "
        "and figures of the claims it cites."
    )
    claims: list[str] = Field(
        description="IDs of the claims (like c3) that support the point: one to four."
    )


class LeadAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: list[LeadPoint] = Field(description="The key points, most important first.")

    @model_validator(mode="after")
    def _cite_and_support(self, info: ValidationInfo) -> LeadAnswer:
        checks = _checks(info)
        if checks is None or not checks.claims:
            return self
        problems: list[str] = []
        if not self.points:
            problems.append("there are no key points")
        if checks.max_points and len(self.points) > checks.max_points:
            if checks.repair:
                self.points = self.points[: checks.max_points]
            else:
                problems.append(
                    f"there are {len(self.points)} key points; at most {checks.max_points}"
                )
        kept: list[LeadPoint] = []
        for n, point in enumerate(self.points, 1):
            ids = list(dict.fromkeys(point.claims))
            unknown = [c for c in ids if c not in checks.claims]
            known = [c for c in ids if c in checks.claims]
            if unknown and not (checks.repair and known):
                if checks.repair:
                    checks.dropped += 1
                    continue
                problems.append(
                    f"key point {n} cites {', '.join(unknown)}, which are not claim IDs "
                    "(use only IDs from the list, like c1)"
                )
                continue
            if not known:
                if checks.repair:
                    checks.dropped += 1
                    continue
                problems.append(f"key point {n} cites no claim")
                continue
            point.claims = known
            cited = [checks.claims[c] for c in known]
            if not point.text.strip() or not supporting_sources(point.text, cited):
                missing = unsupported(point.text, [q.quote for c in cited for q in c.citations])
                if checks.repair:
                    point.text = cited[0].text
                    point.claims = known[:1]
                    checks.fallbacks += 1
                else:
                    what = describe(missing) if missing else "more than any one source says"
                    problems.append(
                        f"key point {n} gives {what}, which no source of the claims it cites "
                        f"({', '.join(known)}) gives: state only what one source's claims say"
                    )
                    continue
            kept.append(point)
        if problems:
            raise ValueError("; ".join(problems[:6]))
        self.points = kept
        return self


def supporting_sources(text: str, claims: Sequence[Claim]) -> list[str]:
    """The sources whose quotes, among the citations of `claims`, support `text` on their own."""
    quotes: dict[str, list[str]] = {}
    for claim in claims:
        for cit in claim.citations:
            quotes.setdefault(cit.source, []).append(cit.quote)
    return [s for s, qs in quotes.items() if not unsupported(text, qs)]


def lead_citations(text: str, claims: Sequence[Claim]) -> list[Citation]:
    """The citations of `claims` from the sources that support `text`, each passage once."""
    backing = set(supporting_sources(text, claims))
    seen: set[tuple[str, int]] = set()
    out: list[Citation] = []
    for claim in claims:
        for cit in claim.citations:
            if cit.source in backing and (cit.source, cit.start) not in seen:
                seen.add((cit.source, cit.start))
                out.append(cit)
    return out


def lead_schema(ids: Sequence[str], max_points: int) -> dict[str, Any]:
    """The strict schema of a key-points answer: claim IDs an `enum` of `ids`, one to four per
    point, one to `max_points` points."""
    schema = copy.deepcopy(strict_schema(LeadAnswer))
    points = schema["properties"]["points"]
    points["minItems"] = 1
    points["maxItems"] = max(1, max_points)
    cited = points["items"]["properties"]["claims"]
    cited["items"] = {"type": "string", "enum": list(ids)}
    cited["minItems"] = 1
    cited["maxItems"] = MAX_POINT_CLAIMS
    return schema


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------

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


def response_format(name: str, schema: dict[str, Any], json_schema_mode: bool) -> dict[str, Any]:
    if json_schema_mode:
        return {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": schema, "strict": True},
        }
    return {"type": "json_object"}
