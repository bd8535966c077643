"""The LLM engine end to end: the real `briefing build` command line against a fake
OpenAI-compatible server on 127.0.0.1 (tests/support/openai_server.py).

Every test starts its own `FakeOpenAIServer` (through the `serve` fixture, which stops it
afterwards), points the CLI at it with OPENAI_BASE_URL / OPENAI_API_KEY, and judges the run from
three places: the JSON briefing written with `--format json -o FILE`, the run's stderr, and the
requests the server recorded. `ModelResponder` answers briefing's prompts like a careful model;
`ScriptedResponder` rules make one request go wrong in a chosen way.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from briefing.engines.llm.engine import DEFAULT_ATTEMPTS
from tests.conftest import SEEDS, run_cli
from tests.support.fake_model import ModelResponder, about, is_extract, is_lead
from tests.support.openai_server import FakeOpenAIServer, Reply, ScriptedResponder

pytestmark = pytest.mark.e2e

SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
DOC_A = "001_38b30d14b806c795"  # single-chunk seeds, picked as the target of a mishap
DOC_B = "002_b71f8b58f6aabad7"
DOC_C = "004_24dd4cbcba9d3677"
API_KEY = "test-key"
LLM_HINT = "no model configured"
JSON_MODE_NOTICE = "does not take JSON-schema output"
NEW_DOC_ID = "005_new_report"
NEW_DOC_TEXT = """\
New Delhi, December 6: Indian External Affairs Minister S. Jaishankar said on Saturday that India \
and Russia signed 12 agreements on trade, energy and shipping during the summit.

The agreements include a plan to raise bilateral trade to 100 billion dollars by 2030, Jaishankar \
told reporters in New Delhi. Officials said the two countries will hold the next annual summit in \
Moscow in 2026.
"""

JSON = dict[str, Any]


# -- running the command line -----------------------------------------------------------------


@dataclass
class Run:
    """One `briefing build`: the finished process and the file it wrote."""

    proc: subprocess.CompletedProcess[str]
    output: Path

    @property
    def brief(self) -> JSON:
        assert self.proc.returncode == 0, self.proc.stderr
        return json.loads(self.output.read_text(encoding="utf-8"))

    @property
    def usage(self) -> JSON:
        return self.brief["stats"]["usage"]

    @property
    def stderr_lines(self) -> list[str]:
        return self.proc.stderr.strip().splitlines()


def llm_env(srv: FakeOpenAIServer, **extra: str) -> dict[str, str]:
    return {"OPENAI_BASE_URL": srv.base_url, "OPENAI_API_KEY": API_KEY, **extra}


def build(
    srv: FakeOpenAIServer,
    tmp_path: Path,
    *flags: str,
    paths: tuple[Path, ...] = (SEEDS,),
    out: str = "brief.json",
    cache: str = "cache",
    env: dict[str, str] | None = None,
) -> Run:
    """`briefing build PATHS` against `srv`, with its own cache folder under tmp_path; writes
    JSON unless `out` ends in .md. `--timeout 5` keeps a misbehaving run short."""
    output = tmp_path / out
    fmt = "md" if out.endswith(".md") else "json"
    proc = run_cli(
        "build",
        *paths,
        "--format",
        fmt,
        "-o",
        output,
        "--cache-dir",
        tmp_path / cache,
        "--timeout",
        "5",
        *flags,
        env=env if env is not None else llm_env(srv),
        timeout=60,
    )
    return Run(proc, output)


@pytest.fixture
def serve() -> Iterator[Callable[..., FakeOpenAIServer]]:
    """A factory: `serve(responder=None, **server_options)` starts a FakeOpenAIServer (answering
    with a fresh ModelResponder by default); every server started is stopped after the test."""
    servers: list[FakeOpenAIServer] = []

    def start(responder=None, **options: Any) -> FakeOpenAIServer:
        srv = FakeOpenAIServer(responder=responder or ModelResponder(), **options).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


# -- reading briefings and requests -------------------------------------------------------------


def all_claims(brief: JSON) -> list[JSON]:
    return brief["key_points"] + [c for s in brief["sections"] for c in s["claims"]]


def all_citations(brief: JSON) -> list[JSON]:
    citations = [cit for c in all_claims(brief) for cit in c["citations"]]
    return citations + [
        cit for d in brief["conflicts"] for v in d["values"] for cit in v["citations"]
    ]


def cited_sources(brief: JSON) -> set[str]:
    return {cit["source"] for cit in all_citations(brief)}


def bodies(srv: FakeOpenAIServer, since: int = 0) -> list[JSON]:
    """The JSON bodies of the chat-completion requests the server saw, from number `since` on."""
    return [r["json"] for r in srv.requests[since:] if r["path"] == "/v1/chat/completions"]


def doc_of(request: JSON) -> str | None:
    """The document an extraction request is about (its 'Document: ID' line)."""
    for message in request["messages"]:
        m = re.search(r"^Document: (\S+)$", message["content"], re.MULTILINE)
        if m:
            return m.group(1)
    return None


def passage_key(request: JSON) -> str:
    """What identifies one chunk's extraction request: its first user message."""
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def about_doc(srv: FakeOpenAIServer, doc_id: str, since: int = 0) -> list[JSON]:
    return [r for r in bodies(srv, since) if is_extract(r) and doc_of(r) == doc_id]


def json_in(text: str, after: str) -> JSON:
    """The JSON object that follows the marker `after` in `text`."""
    start = text.index("{", text.index(after))
    return json.JSONDecoder().raw_decode(text[start:])[0]


# -- 1. a full build ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", [None, "local-llama-3"])
def test_full_build_of_the_seeds(serve, tmp_path, model):
    srv = serve()
    run = build(srv, tmp_path, *(["--model", model] if model else []))
    assert run.proc.returncode == 0, run.proc.stderr
    brief = run.brief
    expected_model = model or "gpt-4.1-mini"
    assert brief["engine"] == "llm"
    assert brief["model"] == expected_model

    citations = all_citations(brief)
    assert citations
    for cit in citations:
        text = (SEEDS / f"{cit['source']}.txt").read_bytes().decode("utf-8")
        assert text[cit["start"] : cit["end"]] == cit["quote"]

    assert brief["key_points"]
    for point in brief["key_points"]:
        assert point["citations"]
        assert {c["source"] for c in point["citations"]} <= set(SEED_IDS)

    stats, usage = brief["stats"], run.usage
    requests = bodies(srv)
    extractions = [r for r in requests if is_extract(r)]
    assert stats["chunks"] >= len(SEED_IDS)
    assert len({passage_key(r) for r in extractions}) == len(extractions) == stats["chunks"]
    assert {doc_of(r) for r in extractions} == set(SEED_IDS)
    assert sum(map(is_lead, requests)) == 1
    assert usage["requests"] == stats["chunks"] + 1 == len(requests) == srv.request_count
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["reasks"] == 0 and usage["cached"] == 0
    for r in requests:
        assert r["model"] == expected_model
        assert r["response_format"]["type"] == "json_schema"
        assert r["response_format"]["json_schema"]["strict"] is True
        assert r["response_format"]["json_schema"]["schema"]["type"] == "object"


# -- 2.-6., 9., 10. answers that go wrong ----------------------------------------------------------


def test_schema_violation_is_reasked_with_the_problem_then_accepted(serve, tmp_path):
    bad = '{"facts": [{"claim": "x"}]}'
    responder = ScriptedResponder(fallback=ModelResponder())
    responder.add_rule(about(DOC_A), [Reply.content(bad)])
    srv = serve(responder)
    run = build(srv, tmp_path)

    assert run.usage["reasks"] == 1
    first, again = about_doc(srv, DOC_A)
    assert again["messages"][: len(first["messages"])] == first["messages"]
    assert again["messages"][-2] == {"role": "assistant", "content": bad}
    feedback = again["messages"][-1]
    assert feedback["role"] == "user"
    assert "schema" in feedback["content"] and "sentences" in feedback["content"]
    assert DOC_A in cited_sources(run.brief)


INVENTED = "Putin announced a moon base on Mars in 2031."


def inventing(times: int) -> ScriptedResponder:
    """A careful model, but for DOC_A's first `times` answers, which add a claim citing
    sentence 1 that the sentence does not support."""
    model = ModelResponder()

    def with_invented_fact(request: JSON) -> Reply:
        answer = json.loads(model(request).text)
        answer["facts"].insert(
            0, {"claim": INVENTED, "sentences": [1], "topic": "Space", "importance": 5}
        )
        return Reply.content(json.dumps(answer))

    return ScriptedResponder(fallback=model).add_rule(about(DOC_A), [with_invented_fact] * times)


def test_a_claim_its_sentence_does_not_support_is_asked_again_naming_the_problem(serve, tmp_path):
    srv = serve(inventing(times=1))
    run = build(srv, tmp_path)
    brief = run.brief

    assert run.usage["reasks"] == 1 and run.usage["fallbacks"] == 0
    feedback = about_doc(srv, DOC_A)[-1]["messages"][-1]["content"]
    assert "“2031”" in feedback and "“Mars”" in feedback and "sentence 1" in feedback
    assert brief["stats"]["facts_dropped"] == 0  # the program copies quotes: none to drop
    assert DOC_A in cited_sources(brief)  # the document's genuine facts survive
    for claim in all_claims(brief):
        assert "moon base" not in claim["text"]


def test_a_model_that_keeps_inventing_is_printed_as_the_sentence_it_cites(serve, tmp_path):
    srv = serve(inventing(times=3))
    run = build(srv, tmp_path)

    assert run.usage["reasks"] == 2 and run.usage["fallbacks"] == 1
    first = about_doc(srv, DOC_A)[0]["messages"][1]["content"].split("[1] ")[1].split("\n")[0]
    quoted = [" ".join(c["quote"].split()) for c in all_citations(run.brief)]
    assert first in quoted  # the sentence stands, as itself
    texts = [c["text"] for c in all_claims(run.brief)]
    assert not any("moon base" in t for t in texts)


def test_429_is_retried_by_the_client_not_reasked(serve, tmp_path):
    responder = ScriptedResponder(fallback=ModelResponder())
    responder.add_rule(about(DOC_B), [Reply.error(429, "slow down", retry_after=0.2)])
    srv = serve(responder)
    run = build(srv, tmp_path)

    assert run.proc.returncode == 0, run.proc.stderr
    brief = run.brief
    assert srv.request_count == brief["stats"]["chunks"] + 1 + 1
    assert run.usage["reasks"] == 0
    assert brief["stats"]["failed_chunks"] == []
    first, retried = about_doc(srv, DOC_B)
    assert retried == first  # the fault never went into the prompt
    assert DOC_B in cited_sources(brief)


def test_json_mode_fallback_when_the_server_rejects_json_schema(serve, tmp_path):
    srv = serve(reject_json_schema=True)
    run = build(srv, tmp_path)

    assert run.proc.returncode == 0, run.proc.stderr
    assert sum(JSON_MODE_NOTICE in line for line in run.stderr_lines) == 1
    chunks = run.brief["stats"]["chunks"]
    requests = bodies(srv)
    schema_mode = [r for r in requests if r["response_format"]["type"] == "json_schema"]
    json_mode = [r for r in requests if r["response_format"] == {"type": "json_object"}]
    assert len(schema_mode) + len(json_mode) == len(requests)
    # Each chunk is refused at most once (the first wave), then everything goes in JSON mode.
    assert schema_mode and max(Counter(map(passage_key, schema_mode)).values()) == 1
    assert len(json_mode) == chunks + 1 == run.usage["requests"]
    assert is_lead(requests[-1]) and requests[-1] in json_mode
    for r in json_mode:
        system = r["messages"][0]
        assert system["role"] == "system"
        schema = json_in(system["content"], "JSON schema")
        assert schema["type"] == "object"
        if is_extract(r):
            assert "sentences" in schema["properties"]["facts"]["items"]["properties"]
        else:
            assert "claims" in schema["properties"]["points"]["items"]["properties"]


def test_refusal_is_reasked_then_accepted(serve, tmp_path):
    responder = ScriptedResponder(fallback=ModelResponder())
    responder.add_rule(about(DOC_A), [Reply.refusal("I can't help with that")])
    srv = serve(responder)
    run = build(srv, tmp_path)

    assert run.usage["reasks"] == 1
    assert len(about_doc(srv, DOC_A)) == 2
    assert run.brief["stats"]["failed_chunks"] == []
    assert DOC_A in cited_sources(run.brief)


def _lead_citing(*claim_ids: str) -> Reply:
    point = {"text": "A made-up key point.", "claims": list(claim_ids)}
    return Reply.content(json.dumps({"points": [point]}))


def test_lead_citing_an_unknown_claim_is_reasked(serve, tmp_path):
    srv = serve(
        ScriptedResponder(fallback=ModelResponder()).add_rule(is_lead, [_lead_citing("c1", "c999")])
    )
    run = build(srv, tmp_path)

    assert run.usage["reasks"] == 1
    first, again = [r for r in bodies(srv) if is_lead(r)]
    assert again["messages"][: len(first["messages"])] == first["messages"]
    assert again["messages"][-1]["role"] == "user"
    assert "c999" in again["messages"][-1]["content"]
    brief = run.brief
    assert brief["key_points"]
    assert all(p["text"] != "A made-up key point." for p in brief["key_points"])
    for point in brief["key_points"]:
        assert point["citations"]
        assert {c["source"] for c in point["citations"]} <= set(SEED_IDS)


def test_lead_reask_shows_the_model_its_rejected_answer(serve, tmp_path):
    """As for extraction, a re-ask replays the answer it rejects; otherwise the feedback 'That
    answer cannot be used: key point 1 cites c999' refers to an empty assistant turn.
    (Regression: the lead's check used to leave the assistant message empty.)"""
    bad = _lead_citing("c999")
    srv = serve(ScriptedResponder(fallback=ModelResponder()).add_rule(is_lead, [bad]))
    build(srv, tmp_path)

    again = [r for r in bodies(srv) if is_lead(r)][1]
    assert again["messages"][-2] == {"role": "assistant", "content": bad.text}


def test_chunk_that_never_yields_a_valid_answer_is_listed_and_skipped(serve, tmp_path):
    responder = ScriptedResponder(fallback=ModelResponder())
    responder.add_rule(about(DOC_C), [Reply.content("not json")] * (3 * DEFAULT_ATTEMPTS))
    srv = serve(responder)
    run = build(srv, tmp_path)

    assert run.proc.returncode == 0, run.proc.stderr
    brief = run.brief
    assert len(about_doc(srv, DOC_C)) == DEFAULT_ATTEMPTS  # bounded, not forever
    failed = brief["stats"]["failed_chunks"]
    assert [(f["source"], f["index"]) for f in failed] == [(DOC_C, 1)]
    assert "not valid JSON" in failed[0]["reason"]
    assert DOC_C not in cited_sources(brief)
    assert any("chunk not read" in line and DOC_C in line for line in run.stderr_lines)

    md = build(srv, tmp_path, out="brief.md")  # same cache: only the failing chunk is asked
    assert md.proc.returncode == 0, md.proc.stderr
    last = md.output.read_text(encoding="utf-8").strip().splitlines()[-1]
    assert "could not be read" in last and DOC_C in last


# -- 7., 8. the cache ---------------------------------------------------------------------------


def _claim_view(brief: JSON) -> list[tuple]:
    return [
        (c["id"], c["text"], [(x["source"], x["start"], x["end"]) for x in c["citations"]])
        for c in all_claims(brief)
    ]


def test_second_run_on_unchanged_documents_is_served_from_the_cache(serve, tmp_path):
    srv = serve()
    first = build(srv, tmp_path, out="first.json")
    sent = srv.request_count
    assert sent > 0
    second = build(srv, tmp_path, out="second.json")

    assert srv.request_count == sent
    chunks = second.brief["stats"]["chunks"]
    assert second.usage["cached"] == chunks + 1
    assert second.usage["requests"] == 0
    assert _claim_view(second.brief) == _claim_view(first.brief)


def test_cached_rerun_against_a_json_mode_server_sends_nothing(serve, tmp_path):
    """Servers without JSON-schema output (llama.cpp, older vLLM) get the cache too.
    (Regression: the cache used to be read under the json_schema key only, so every rerun sent
    one doomed json_schema request per chunk before falling back.)"""
    srv = serve(reject_json_schema=True)
    build(srv, tmp_path, out="first.json")
    sent = srv.request_count
    second = build(srv, tmp_path, out="second.json")

    assert second.usage["cached"] == second.brief["stats"]["chunks"] + 1
    assert srv.request_count == sent


def test_new_document_costs_only_its_own_chunks_and_the_lead(serve, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    srv = serve()
    first = build(srv, tmp_path, paths=(docs,), out="first.json")
    old_chunks = first.brief["stats"]["chunks"]
    sent = srv.request_count

    (docs / f"{NEW_DOC_ID}.txt").write_text(NEW_DOC_TEXT, encoding="utf-8")
    second = build(srv, tmp_path, paths=(docs,), out="second.json")

    new = bodies(srv, since=sent)
    extractions = [r for r in new if is_extract(r)]
    assert extractions and {doc_of(r) for r in extractions} == {NEW_DOC_ID}
    assert sum(map(is_lead, new)) == 1
    assert len(extractions) + 1 == len(new)
    assert second.usage["cached"] == old_chunks
    assert second.usage["requests"] == len(new)
    assert NEW_DOC_ID in cited_sources(second.brief)


# -- 11., 12. configuration errors -----------------------------------------------------------------


def _assert_one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_missing_key_without_base_url_is_a_one_line_error(tmp_path):
    out = tmp_path / "brief.json"
    proc = run_cli(
        "build",
        SEEDS,
        "--engine",
        "llm",
        "-o",
        out,
        "--cache-dir",
        tmp_path / "cache",
        timeout=60,
    )
    assert "OPENAI_API_KEY" in _assert_one_line_error(proc)
    assert not out.exists()


def test_rejected_key_is_a_one_line_error_that_does_not_echo_the_key(serve, tmp_path):
    """With one request at a time, the run stops at the first 401 instead of asking every
    chunk in turn (no request can succeed); one more may already be on its way."""
    wrong = "sk-wrong-key-5ecret-4242"
    srv = serve(api_key="right-key")
    run = build(srv, tmp_path, "--concurrency", "1", env=llm_env(srv, OPENAI_API_KEY=wrong))

    line = _assert_one_line_error(run.proc)
    assert "rejected the API key" in line
    assert srv.request_count <= 2
    assert wrong not in run.proc.stderr + run.proc.stdout
    assert not run.output.exists()


# -- 13. concurrency ------------------------------------------------------------------------------


class InFlight:
    """A ModelResponder that holds each request for `delay` seconds and records the most
    requests it was ever answering at once. (The server's own `latency` passes before the
    responder is called, so the responder has to do the waiting to see the overlap.)"""

    def __init__(self, delay: float = 0.2):
        self.delay = delay
        self.model = ModelResponder()
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __call__(self, request: JSON) -> Reply:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            time.sleep(self.delay)
            return self.model(request)
        finally:
            with self.lock:
                self.now -= 1


def test_concurrency_flag_bounds_requests_in_flight(serve, tmp_path):
    bounded, default = InFlight(), InFlight()
    run = build(serve(bounded), tmp_path, "--concurrency", "2", "--no-cache", out="two.json")
    assert run.proc.returncode == 0, run.proc.stderr
    assert bounded.peak == 2

    run = build(serve(default), tmp_path, "--no-cache", out="default.json")
    assert run.proc.returncode == 0, run.proc.stderr
    assert default.peak > 2


# -- 14. no model configured ------------------------------------------------------------------


def test_without_a_model_the_extractive_engine_runs_and_says_how_to_get_the_llm(tmp_path):
    auto = run_cli("build", SEEDS, "--format", "json", "-o", tmp_path / "auto.json", timeout=60)
    assert auto.returncode == 0, auto.stderr
    assert json.loads((tmp_path / "auto.json").read_text())["engine"] == "extractive"
    hints = [line for line in auto.stderr.splitlines() if LLM_HINT in line]
    assert len(hints) == 1
    assert "OPENAI_API_KEY" in hints[0] and "--model" in hints[0]

    forced = run_cli(
        "build",
        SEEDS,
        "--engine",
        "extractive",
        "--format",
        "json",
        "-o",
        tmp_path / "forced.json",
        timeout=60,
    )
    assert forced.returncode == 0, forced.stderr
    assert json.loads((tmp_path / "forced.json").read_text())["engine"] == "extractive"
    assert LLM_HINT not in forced.stderr


def test_no_lead_is_asked_for_when_no_key_points_are_wanted():
    """An audience may want no key points: asking the model for zero of them wastes requests."""
    from briefing.engines.llm.cache import AnswerCache
    from briefing.engines.llm.client import ClientSettings
    from briefing.engines.llm.engine import LLMEngine, LLMSettings
    from briefing.models import Citation, Claim

    class NoCalls:
        settings = ClientSettings(api_key=None, base_url="http://127.0.0.1:9/v1")

        def chat(self, *args, **kwargs):
            raise AssertionError("no request expected")

    engine = LLMEngine(NoCalls(), LLMSettings(), AnswerCache(None, enabled=False))
    cit = Citation(source="a", quote="x" * 12, start=0, end=12)
    claims = [Claim(id="c1", text="Ministers cut the tariff.", citations=[cit])]
    assert engine.write_lead(claims, "Briefing", max_points=0) is None


def test_requests_start_while_documents_are_still_read(serve, tmp_path, monkeypatch):
    """The first document's chunks go to the model before the last document is read: a
    reader that cannot go on until the server has seen a request still finishes."""
    from briefing.engines.factory import EngineConfig, make_engine
    from briefing.ingest.sources import read_document
    from briefing.pipeline import build_from_documents

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    srv = serve()
    files = sorted(SEEDS.glob("*.txt"))
    seen_while_reading: list[int] = []

    def documents():
        for n, file in enumerate(files):
            if n == len(files) - 1:  # the last: only once a request has arrived
                deadline = time.monotonic() + 30
                while srv.request_count == 0 and time.monotonic() < deadline:
                    time.sleep(0.01)
                seen_while_reading.append(srv.request_count)
            doc, _ = read_document(file)
            yield doc

    engine, _ = make_engine(
        EngineConfig(engine="llm", base_url=srv.base_url, cache_dir=str(tmp_path / "cache"))
    )
    brief = build_from_documents(documents(), engine)
    assert seen_while_reading and seen_while_reading[0] >= 1
    assert brief.stats.documents == len(files) and brief.stats.failed_chunks == []
    assert {s.id for s in brief.sources} == {f.stem for f in files}


def test_conflicts_are_found_while_the_model_writes_the_key_points(monkeypatch):
    """The key-point request's wait is spent finding conflicts: a model that answers only once
    conflicts were looked for still leads the briefing (run one after the other, it would wait
    in vain)."""
    import briefing.pipeline as pipeline
    from briefing.engines.extractive import ExtractiveEngine
    from briefing.ingest.sources import load_documents

    looked = threading.Event()
    real = pipeline.find_conflicts

    def find_conflicts(*args, **kwargs):
        looked.set()
        return real(*args, **kwargs)

    class SlowLead(ExtractiveEngine):
        name, model = "stub", "stub-model"
        waited = False

        def write_lead(self, claims, title, max_points):
            SlowLead.waited = looked.wait(timeout=20)
            return [claims[0].model_copy(update={"id": "k1", "kind": "key_point"})]

    monkeypatch.setattr(pipeline, "find_conflicts", find_conflicts)
    docs, _ = load_documents([SEEDS])
    brief = pipeline.build_from_documents(docs, SlowLead())
    assert SlowLead.waited and [k.id for k in brief.key_points] == ["k1"]


def test_stories_are_found_while_the_last_requests_are_out(serve, tmp_path, monkeypatch):
    """Once every document is read, the wait for the last answers is spent grouping the
    documents into stories: no answer has come back by then (each takes a second)."""
    import briefing.pipeline as pipeline
    from briefing.engines.factory import EngineConfig, make_engine
    from briefing.ingest.sources import iter_documents

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    model, answered, seen = ModelResponder(), [], []

    def responder(request):
        answered.append(1)
        return model(request)

    real = pipeline.find_stories

    def find_stories(docs):
        seen.append(len(answered))
        return real(docs)

    monkeypatch.setattr(pipeline, "find_stories", find_stories)
    srv = serve(responder, latency=1.0)
    engine, _ = make_engine(
        EngineConfig(engine="llm", base_url=srv.base_url, cache_dir=str(tmp_path / "cache"))
    )
    brief = pipeline.build_from_documents(iter_documents([SEEDS]), engine)
    assert seen == [0] and brief.stats.failed_chunks == [] and brief.sections


def test_reading_waits_for_the_sdk_after_the_first_document(serve, tmp_path, monkeypatch):
    """Importing the SDK is CPU work: the first document's requests wait for it, and the rest
    are read after (reading meanwhile would only slow the import down)."""
    from briefing.engines.factory import EngineConfig, make_engine
    from briefing.engines.llm.client import ChatClient
    from briefing.ingest.sources import read_document

    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    read: list[str] = []
    waited_after: list[int] = []
    real = ChatClient.wait_ready

    def wait_ready(self):
        waited_after.append(len(read))
        real(self)

    monkeypatch.setattr(ChatClient, "wait_ready", wait_ready)

    def documents():
        for file in sorted(SEEDS.glob("*.txt")):
            read.append(file.stem)
            yield read_document(file)[0]

    srv = serve()
    engine, _ = make_engine(
        EngineConfig(engine="llm", base_url=srv.base_url, cache_dir=str(tmp_path / "cache"))
    )
    from briefing.pipeline import build_from_documents

    brief = build_from_documents(documents(), engine)
    assert waited_after == [1] and brief.stats.documents == len(read) == 5
