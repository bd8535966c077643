"""The LLM engine on the wire, replayed from cassettes (cassettes/*.yaml).

Each test runs `briefing build` in-process against recorded exchanges: no server, no network.
A request the cassette does not hold fails the test, and so does an interaction left unplayed.
How the cassettes were recorded, and how to record them again: cassettes/README.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.cli.parser import main
from tests.conftest import SEEDS
from tests.support.cassettes import CASSETTES, REPLAY_BASE_URL, make_vcr, record_mode
from tests.support.fake_model import ModelResponder, about, is_lead
from tests.support.openai_server import FakeOpenAIServer, Reply, ScriptedResponder

pytestmark = pytest.mark.cassette
TEST_KEY = "test-key-not-secret"


@contextlib.contextmanager
def session(
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    responder=None,
    real_ok: bool = False,
    **server: object,
) -> Iterator[str]:
    """The base URL to talk to while cassette `name` records or replays."""
    mode = record_mode()
    real_base_url = os.environ.get("OPENAI_BASE_URL")  # None: OpenAI itself
    if mode == "real" and not real_ok:
        pytest.skip("this cassette is scripted: it is recorded from the local fake server only")
    for var in ("OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "BRIEFING_MODEL"):
        monkeypatch.delenv(var, raising=False)
    with contextlib.ExitStack() as stack:
        if mode == "real":
            base_url = real_base_url
        elif mode == "local":
            monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
            srv = stack.enter_context(FakeOpenAIServer(responder=responder, **server))
            base_url = srv.base_url
        else:
            monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
            base_url = REPLAY_BASE_URL
        if mode:  # recorded anew, not appended to what an older version asked
            (CASSETTES / f"{name}.yaml").unlink(missing_ok=True)
        cassette = stack.enter_context(make_vcr().use_cassette(f"{name}.yaml"))
        yield base_url
        if not mode:
            assert cassette.all_played, f"{name}.yaml holds interactions this test did not play"


def build(base_url: str | None, tmp_path: Path, *extra: str, paths=(SEEDS,)) -> dict:
    out = tmp_path / "brief.json"
    args = [
        "build",
        *map(str, paths),
        "--format",
        "json",
        "-o",
        str(out),
        "--engine",
        "llm",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--concurrency",
        "1",
        *extra,
    ]
    if base_url:
        args += ["--base-url", base_url]
    assert main(args) == 0
    return json.loads(out.read_text())


def claims(brief: dict) -> list[dict]:
    return brief["key_points"] + [c for s in brief["sections"] for c in s["claims"]]


def assert_grounded(brief: dict) -> None:
    for claim in claims(brief):
        assert claim["citations"]
        for cit in claim["citations"]:
            text = (SEEDS / f"{cit['source']}.txt").read_bytes().decode("utf-8")
            assert text[cit["start"] : cit["end"]] == cit["quote"]


def test_full_build_of_the_seeds(tmp_path, monkeypatch):
    with session("build_seeds", monkeypatch, ModelResponder(), real_ok=True) as url:
        brief = build(url, tmp_path)
    assert brief["engine"] == "llm" and brief["model"]
    assert_grounded(brief)
    usage = brief["stats"]["usage"]
    assert usage["requests"] == brief["stats"]["chunks"] + 1  # every chunk, and the lead
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert brief["key_points"] and brief["stats"]["facts_dropped"] == 0


def test_a_schema_violation_is_asked_again(tmp_path, monkeypatch):
    responder = ScriptedResponder(fallback=ModelResponder()).add_rule(
        about("000_7de08aa9a340eff1"), [Reply.content('{"facts": [{"claim": "Putin spoke."}]}')]
    )
    with session("reask_schema", monkeypatch, responder) as url:
        brief = build(url, tmp_path, paths=[SEEDS / "000_7de08aa9a340eff1.txt"])
    assert brief["stats"]["usage"]["reasks"] == 1
    assert brief["stats"]["failed_chunks"] == []
    assert_grounded(brief)
    assert any("Roscosmos" in c["text"] for c in claims(brief))


def test_rate_limited_then_served(tmp_path, monkeypatch):
    responder = ScriptedResponder(fallback=ModelResponder()).add_rule(
        about("004_24dd4cbcba9d3677"), [Reply.error(429, "Rate limit reached", retry_after=0.2)]
    )
    with session("rate_limited", monkeypatch, responder) as url:
        brief = build(url, tmp_path, paths=[SEEDS / "004_24dd4cbcba9d3677.txt"])
    usage = brief["stats"]["usage"]
    assert usage["reasks"] == 0  # a network fault never goes into a prompt
    assert usage["requests"] == brief["stats"]["chunks"] + 1
    assert brief["stats"]["failed_chunks"] == []


def test_json_mode_fallback(tmp_path, monkeypatch, capsys):
    with session(
        "json_mode_fallback", monkeypatch, ModelResponder(), reject_json_schema=True
    ) as url:
        brief = build(url, tmp_path, paths=[SEEDS / "002_b71f8b58f6aabad7.txt"])
    err = capsys.readouterr().err
    assert err.count("does not take JSON-schema output") == 1
    assert_grounded(brief)
    assert brief["stats"]["failed_chunks"] == []


def test_a_refusal_is_asked_again(tmp_path, monkeypatch):
    responder = ScriptedResponder(fallback=ModelResponder()).add_rule(
        about("001_38b30d14b806c795"), [Reply.refusal("I can't help with that.")]
    )
    with session("refusal", monkeypatch, responder) as url:
        brief = build(url, tmp_path, paths=[SEEDS / "001_38b30d14b806c795.txt"])
    assert brief["stats"]["usage"]["reasks"] == 1
    assert_grounded(brief)


def test_the_lead_citing_an_unknown_claim_is_asked_again(tmp_path, monkeypatch):
    bad = json.dumps({"points": [{"text": "Putin visits India.", "claims": ["c999"]}]})
    responder = ScriptedResponder(fallback=ModelResponder()).add_rule(is_lead, [Reply.content(bad)])
    with session("lead_reask", monkeypatch, responder) as url:
        brief = build(url, tmp_path, paths=[SEEDS / "002_b71f8b58f6aabad7.txt"])
    assert brief["stats"]["usage"]["reasks"] == 1
    assert brief["key_points"] and all(k["citations"] for k in brief["key_points"])
    assert not any(k["text"] == "Putin visits India." for k in brief["key_points"])


def test_the_second_run_is_served_from_the_cache(tmp_path, monkeypatch):
    with session("build_seeds", monkeypatch, ModelResponder(), real_ok=True) as url:
        first = build(url, tmp_path)
        # Every recorded interaction is played now: one more request would fail its chunk.
        second = build(url, tmp_path)
    assert second["stats"]["failed_chunks"] == []
    assert second["stats"]["usage"]["requests"] == 0
    assert second["stats"]["usage"]["cached"] == first["stats"]["chunks"] + 1
    assert [c["text"] for c in claims(second)] == [c["text"] for c in claims(first)]


def test_a_batch_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFING_BATCH_POLL", "0")
    with session("batch_seeds", monkeypatch, ModelResponder()) as url:
        brief = build(url, tmp_path, "--batch")
    usage = brief["stats"]["usage"]
    assert usage["batched"] == brief["stats"]["chunks"]  # files.create, batches.create, polls,
    assert usage["requests"] == usage["batched"] + 1  # files.content; the lead live
    assert brief["stats"]["failed_chunks"] == [] and brief["key_points"]
    assert_grounded(brief)
    err = capsys.readouterr().err
    assert ": completed (6 of 6 requests done)" in err


def test_cassettes_hold_no_secrets():
    secret = re.compile(
        r"sk-[A-Za-z0-9_-]{16,}|[Bb]earer +\w|openai-organization|openai-project"
        r"|set-cookie|x-request-id|authorization",
        re.IGNORECASE,
    )
    files = list(CASSETTES.glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text()
        assert not secret.search(text), path.name
        assert TEST_KEY not in text, path.name
