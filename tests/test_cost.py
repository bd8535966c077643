"""What a run costs: `--plan` (nothing sent), prices, `--max-cost`/`--token-budget` (stop in
time, finish the briefing, rerun for the rest) and the actual cost in the summary and JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefing.engines.llm.pricing import Price, price_for
from briefing.schema import read_briefing
from tests.conftest import SEEDS, run_cli
from tests.support.fake_model import ModelResponder
from tests.support.openai_server import FakeOpenAIServer, Reply, ScriptedResponder

KEY = "sk-test-cost"


@pytest.fixture
def srv():
    with FakeOpenAIServer(responder=ModelResponder()) as server:
        yield server


def cli(srv: FakeOpenAIServer, tmp_path: Path, *args: str, env: dict | None = None):
    r = run_cli(
        *args,
        "--cache-dir",
        tmp_path / "cache",
        env={"OPENAI_BASE_URL": srv.base_url, "OPENAI_API_KEY": KEY, **(env or {})},
    )
    assert "Traceback" not in r.stderr, r.stderr
    return r


def figure(text: str, label: str) -> int:
    m = re.search(rf"^{label}\s+~?([\d,]+)", text, re.MULTILINE)
    assert m, text
    return int(m.group(1).replace(",", ""))


def build(srv, tmp_path, *extra: str, env=None):
    out = tmp_path / "brief.json"
    r = cli(srv, tmp_path, "build", SEEDS, "--format", "json", "-o", out, *extra, env=env)
    return r, (json.loads(out.read_text()) if out.exists() else None)


def test_the_plan_sends_nothing_and_its_estimate_is_within_10_percent(srv, tmp_path):
    r = cli(srv, tmp_path, "build", SEEDS, "--plan")
    assert r.returncode == 0, r.stderr
    assert srv.request_count == 0
    assert figure(r.stdout, "documents") == 5 and figure(r.stdout, "chunks") == 6
    assert "7 (6 passages and the key points): 0 answered by the cache, 7 to send" in r.stdout
    assert "$0.4 in / $1.6 out per million tokens" in r.stdout  # gpt-4.1-mini, the default
    prompt, completion = figure(r.stdout, "prompt tokens"), figure(r.stdout, "completion tokens")
    _, brief = build(srv, tmp_path)
    usage = brief["stats"]["usage"]
    assert abs(prompt - usage["prompt_tokens"]) <= 0.1 * usage["prompt_tokens"]
    total = usage["prompt_tokens"] + usage["completion_tokens"]
    assert abs(prompt + completion - total) <= 0.1 * total
    again = cli(srv, tmp_path, "build", SEEDS, "--plan")
    assert "7 answered by the cache, 0 to send" in again.stdout


def test_the_plan_needs_no_key_and_says_when_the_price_is_unknown(tmp_path):
    r = run_cli("build", SEEDS, "--plan", "--model", "my-local-model", "--cache-dir", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "price unknown for my-local-model" in r.stdout
    assert figure(r.stdout, "prompt tokens") > 1000
    priced = run_cli(
        "build", SEEDS, "--plan", "--model", "my-local-model", "--price-in", "1", "--price-out",
        "2", "--cache-dir", tmp_path,
    )  # fmt: skip
    assert "$1 in / $2 out per million tokens (given)" in priced.stdout


def test_the_extractive_engine_plans_no_cost(tmp_path):
    r = run_cli("build", SEEDS, "--plan", "--engine", "extractive")
    assert r.returncode == 0 and "nothing costs money" in r.stdout


def test_prices_come_from_flags_then_the_environment_then_the_table(monkeypatch):
    monkeypatch.delenv("BRIEFING_PRICE_IN", raising=False)
    monkeypatch.delenv("BRIEFING_PRICE_OUT", raising=False)
    assert price_for("gpt-4.1-mini-2025-04-14") == Price(0.4, 1.6, price_for("gpt-4.1").source)
    assert price_for("unknown") is None
    assert price_for("unknown", 1.0) is None
    assert price_for("gpt-4o", price_out=5.0) == Price(2.5, 5.0, "given")
    monkeypatch.setenv("BRIEFING_PRICE_IN", "3")
    monkeypatch.setenv("BRIEFING_PRICE_OUT", "4")
    assert price_for("unknown") == Price(3.0, 4.0, "from the environment")
    assert price_for("unknown", 1.0, 2.0) == Price(1.0, 2.0, "given")
    assert Price(2, 8).batched().cost(1_000_000, 1_000_000) == 5.0


def test_a_bad_price_in_the_environment_is_one_line(tmp_path):
    r = run_cli("build", SEEDS, "--plan", "--model", "x", env={"BRIEFING_PRICE_IN": "cheap"})
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "briefing: error: BRIEFING_PRICE_IN: expected dollars per million tokens, got 'cheap'"
    )


def test_max_cost_needs_a_price(srv, tmp_path):
    r, _ = build(srv, tmp_path, "--model", "my-local-model", "--max-cost", "1")
    assert r.returncode == 2 and "--max-cost needs the price of my-local-model" in r.stderr
    assert srv.request_count == 0


def test_the_actual_cost_is_in_the_summary_and_the_json(srv, tmp_path):
    r, brief = build(srv, tmp_path)
    assert r.returncode == 0, r.stderr
    usage = brief["stats"]["usage"]
    expected = (usage["prompt_tokens"] * 0.4 + usage["completion_tokens"] * 1.6) / 1e6
    assert usage["cost"] == pytest.approx(expected, abs=1e-6)
    assert usage["retries"] == 0 and usage["batched"] == 0 and usage["unsent"] == 0
    assert f"cost ${usage['cost']:,.4f}" in r.stderr
    unknown_r, unknown = build(srv, tmp_path, "--model", "my-local-model", "--no-cache")
    assert unknown["stats"]["usage"]["cost"] is None
    assert "cost" not in unknown_r.stderr.splitlines()[-1]  # tokens only, where no price


def test_network_retries_are_counted(tmp_path):
    responder = ScriptedResponder(
        [Reply.error(429, "slow down", retry_after=0.01)], ModelResponder()
    )
    with FakeOpenAIServer(responder=responder) as srv:
        _, brief = build(srv, tmp_path, "--concurrency", "1")
    assert brief["stats"]["usage"]["retries"] == 1


def test_old_briefings_without_the_new_usage_fields_are_read(srv, tmp_path):
    _, brief = build(srv, tmp_path)
    for field in ("retries", "batched", "unsent", "cost"):
        del brief["stats"]["usage"][field]
    old = read_briefing(json.dumps(brief), "old.json")
    assert old.stats.usage is not None and old.stats.usage.cost is None


@pytest.mark.parametrize("limit", [["--token-budget", "6000"], ["--max-cost", "0.004"]])
def test_a_budget_stops_in_time_and_a_rerun_sends_only_the_rest(srv, tmp_path, limit):
    plan = cli(srv, tmp_path, "build", SEEDS, "--plan")
    planned = figure(plan.stdout, "prompt tokens") + figure(plan.stdout, "completion tokens")
    assert planned > 6000
    r, brief = build(srv, tmp_path, "--concurrency", "2", *limit)
    assert r.returncode == 1
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("briefing: error: the budget was reached: ")
    assert "a rerun with a larger budget sends only those" in last
    usage = brief["stats"]["usage"]
    spent = usage["prompt_tokens"] + usage["completion_tokens"]
    if limit[0] == "--token-budget":
        assert 0 < spent <= 6000
    else:
        assert 0 < usage["cost"] <= 0.004
    unsent = [f for f in brief["stats"]["failed_chunks"] if f["reason"].startswith("not sent")]
    assert usage["unsent"] == len(unsent) > 0
    for f in unsent:
        assert f"not sent: {f['source']}#{f['index']}" in r.stderr
    assert brief["sections"]  # the briefing of what was read
    sent_before = srv.request_count
    assert sent_before == usage["requests"]
    r2, full = build(srv, tmp_path, "--max-cost", "1")
    assert r2.returncode == 0, r2.stderr
    again = full["stats"]["usage"]
    assert again["cached"] == usage["requests"]  # every answer paid for before; no lead was
    assert srv.request_count - sent_before == again["requests"] == len(unsent) + 1  # + the lead
    assert full["stats"]["failed_chunks"] == []


def test_a_budget_too_small_for_one_request_sends_nothing(srv, tmp_path):
    r, brief = build(srv, tmp_path, "--token-budget", "10")
    assert srv.request_count == 0
    assert r.returncode == 1
    assert brief["stats"]["usage"]["unsent"] == brief["stats"]["chunks"]


def test_the_plan_reads_urls_as_a_build_does(srv, tmp_path):
    from tests.support.web_server import serve

    with serve() as site:
        r = cli(srv, tmp_path, "build", site.url("/feed.xml"), "--plan", "--snapshots", tmp_path)
    assert r.returncode == 0, r.stderr
    assert figure(r.stdout, "documents") == 2
    assert srv.request_count == 0


def test_the_plan_of_nothing_new_sends_nothing(srv, tmp_path):
    state = str(tmp_path / "state.json")
    r, _ = build(srv, tmp_path, "--state", state)
    assert r.returncode == 0, r.stderr
    asked = srv.request_count
    r = cli(srv, tmp_path, "build", SEEDS, "--plan", "--state", state, "--only-new")
    assert r.returncode == 0, r.stderr
    assert "nothing new since" in r.stdout and "nothing to send" in r.stdout
    assert "to send" not in r.stdout.replace("nothing to send", "")
    assert srv.request_count == asked


def test_the_plan_with_only_new_needs_a_state_file(srv, tmp_path):
    r = cli(srv, tmp_path, "build", SEEDS, "--plan", "--only-new")
    assert r.returncode == 2
    assert "--only-new needs --state FILE" in r.stderr
