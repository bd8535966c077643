"""The LLM engine says only what its sources say: constrained by the schema (sentence numbers and
claim IDs as enums), then validated against the passage or the claims, asked again with the
problem named, and printed as the cited sentence when a model will not comply.

In-process builds (`briefing.pipeline.build`) against the fake OpenAI-compatible server on
127.0.0.1, whose stand-in model can be made careless: it changes a figure in a share of its
claims and key points, keeping the sentences it cites as they are."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from briefing.assemble.support import unsupported
from briefing.deliver.audiences import load_audience
from briefing.engines.factory import EngineConfig, make_engine
from briefing.models import Briefing
from briefing.pipeline import BuildOptions, build
from tests.conftest import DISAGREE, SEEDS
from tests.support.fake_model import ModelResponder, is_extract, is_lead
from tests.support.openai_server import FakeOpenAIServer, Reply, ScriptedResponder

pytestmark = pytest.mark.e2e


def run(srv: FakeOpenAIServer, cache: Path, folder: Path = SEEDS, audience: str = "default"):
    engine, _ = make_engine(
        EngineConfig(engine="llm", base_url=srv.base_url, cache_dir=str(cache), retries=1),
        notice=lambda message: None,
    )
    options = BuildOptions(audience=audience, budget=load_audience(audience).budget)
    return build([folder], engine, options)


def printed(b: Briefing):
    return b.key_points + [c for s in b.sections for c in s.claims] + b.watch


def unsupported_lines(b: Briefing) -> list[str]:
    out = []
    for claim in printed(b):
        quotes: dict[str, list[str]] = {}
        for cit in claim.citations:
            quotes.setdefault(cit.source, []).append(cit.quote)
        out += [f"{claim.text} [{s}]" for s, qs in quotes.items() if unsupported(claim.text, qs)]
    return out


def bodies(srv: FakeOpenAIServer) -> list[dict]:
    """The JSON bodies of the chat-completion requests the server saw."""
    return [r["json"] for r in srv.requests if r["path"] == "/v1/chat/completions"]


@pytest.mark.parametrize("stubborn", [False, True], ids=["mends-when-told", "stubborn"])
def test_a_careless_model_prints_no_figure_its_quotes_lack(tmp_path, monkeypatch, stubborn):
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    model = ModelResponder(careless=0.3, stubborn=stubborn)
    with FakeOpenAIServer(responder=model) as srv:
        b = run(srv, tmp_path / "cache", DISAGREE, audience="analyst")
    assert model.changed >= 5, "the model changed figures"
    assert unsupported_lines(b) == []
    usage = b.stats.usage
    assert usage is not None and usage.reasks >= 1
    if stubborn:
        assert usage.fallbacks >= 1  # printed as the sentences they cite
    else:
        assert usage.fallbacks == 0  # told what was wrong, it mended every claim
    assert b.stats.facts_dropped == 0


def test_the_schema_makes_sentence_numbers_and_claim_ids_enums(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        b = run(srv, tmp_path / "cache")
        requests = bodies(srv)
    extract = next(r for r in requests if is_extract(r))
    schema = extract["response_format"]["json_schema"]["schema"]
    cited = schema["properties"]["facts"]["items"]["properties"]["sentences"]
    shown = [line for line in extract["messages"][1]["content"].splitlines() if line[:1] == "["]
    assert cited["items"]["enum"] == list(range(1, len(shown) + 1))
    assert (cited["minItems"], cited["maxItems"]) == (1, 3)
    (lead,) = [r for r in requests if is_lead(r)]
    points = lead["response_format"]["json_schema"]["schema"]["properties"]["points"]
    ids = points["items"]["properties"]["claims"]["items"]["enum"]
    assert ids and all(i.startswith("c") for i in ids)
    assert (points["minItems"], points["maxItems"]) == (1, 7)
    assert {c.id for c in b.key_points} <= {f"k{n}" for n in range(1, 8)}


def test_the_lead_is_one_request_and_a_rerun_sends_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        first = run(srv, tmp_path / "cache")
        leads = [r for r in bodies(srv) if is_lead(r)]
        sent = srv.request_count
        again = run(srv, tmp_path / "cache")
        assert srv.request_count == sent  # every answer from the cache
    assert len(leads) == 1 and first.stats.usage.reasks == 0
    assert first.key_points and again.key_points == first.key_points
    assert again.stats.usage.requests == 0


def test_json_mode_answers_are_validated_the_same_way(tmp_path, monkeypatch):
    """A server without json_schema cannot enforce the enum: a sentence number out of range and
    a figure the sentence lacks are found by validation and asked again."""
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    model = ModelResponder()

    spoilt: list[str] = []
    lock = threading.Lock()

    def responder(request):
        reply = model(request)
        answer = json.loads(reply.text) if is_extract(request) else {}
        with lock:
            # The first extraction answer with two facts or more (which request comes first
            # depends on timing; one with a single fact would have nothing to spoil).
            if spoilt or len(answer.get("facts", [])) < 2:
                return reply
            spoilt.append("x")
        answer["facts"][0]["sentences"] = [999]
        answer["facts"][1]["claim"] += " It cost €987 million."
        return Reply.content(json.dumps(answer))

    with FakeOpenAIServer(responder=responder, reject_json_schema=True) as srv:
        b = run(srv, tmp_path / "cache")
        feedback = [
            m["content"]
            for r in bodies(srv)
            for m in r["messages"]
            if m["role"] == "user" and "cannot be used" in m["content"]
        ]
    assert len(feedback) == 1
    assert "sentence 999, which does not exist" in feedback[0]
    assert "“€987 million”" in feedback[0]
    assert b.stats.usage.reasks == 1 and unsupported_lines(b) == []


def test_a_key_point_with_a_figure_its_claims_lack_is_asked_again(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    model = ModelResponder()

    def inflated(request):
        answer = json.loads(model(request).text)
        answer["points"][0]["text"] = "Putin will visit India with 4,000 advisers."
        return Reply.content(json.dumps(answer))

    responder = ScriptedResponder(fallback=model).add_rule(is_lead, [inflated])
    with FakeOpenAIServer(responder=responder) as srv:
        b = run(srv, tmp_path / "cache")
        feedback = [
            m["content"]
            for r in bodies(srv)
            if is_lead(r)
            for m in r["messages"]
            if "cannot be used" in m["content"]
        ]
    assert feedback and "key point 1 gives “4,000”" in feedback[0]
    assert all("4,000" not in k.text for k in b.key_points)
    assert unsupported_lines(b) == []
