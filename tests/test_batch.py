"""`--batch`: extraction through the Batch API of the test server (Files and Batches on
127.0.0.1): answers validated as live ones, a batch recorded as soon as it exists and resumed
by the next run, and each way a batch can end said in one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEEDS, run_cli
from tests.support.fake_model import ModelResponder, about, is_reask
from tests.support.openai_server import FakeOpenAIServer, Reply, ScriptedResponder

KEY = "sk-test-batch"
DOC = "001_38b30d14b806c795"


def env(srv: FakeOpenAIServer) -> dict[str, str]:
    return {"OPENAI_BASE_URL": srv.base_url, "OPENAI_API_KEY": KEY, "BRIEFING_BATCH_POLL": "0.01"}


def build(srv: FakeOpenAIServer, tmp_path: Path, *extra: str, folder: Path = SEEDS):
    out = tmp_path / "brief.json"
    r = run_cli(
        "build", folder, "--batch", "--format", "json", "-o", out,
        "--cache-dir", tmp_path / "cache", *extra, env=env(srv),
    )  # fmt: skip
    assert "Traceback" not in r.stderr, r.stderr
    return r, (json.loads(out.read_text()) if out.exists() else None)


def paths(srv: FakeOpenAIServer) -> list[str]:
    return [r["path"] for r in srv.requests]


def grounded(brief: dict) -> None:
    for s in brief["sections"]:
        for claim in s["claims"]:
            for c in claim["citations"]:
                text = (SEEDS / f"{c['source']}.txt").read_bytes().decode("utf-8")
                assert text[c["start"] : c["end"]] == c["quote"]


def test_the_seeds_are_built_through_the_batch_endpoints(tmp_path):
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        r, brief = build(srv, tmp_path)
        assert r.returncode == 0, r.stderr
        sent = paths(srv)
    usage = brief["stats"]["usage"]
    assert sent.count("/v1/files") == 1 and sent.count("/v1/batches") == 1
    assert sent.count("/v1/chat/completions") == 1  # only the key points go live
    assert any(p.endswith("/content") for p in sent)
    assert (
        usage["batched"] == brief["stats"]["chunks"] and usage["requests"] == usage["batched"] + 1
    )
    assert brief["stats"]["failed_chunks"] == [] and brief["key_points"]
    grounded(brief)
    live = (usage["prompt_tokens"] * 0.4 + usage["completion_tokens"] * 1.6) / 1e6
    assert live / 2 < usage["cost"] < live  # the batch's share at half price
    lines = r.stderr.splitlines()
    assert any("sent to the Batch API (recorded in" in line for line in lines)
    assert any(": in progress (0 of 6 requests done)" in line for line in lines)
    assert any(": completed (6 of 6 requests done)" in line for line in lines)
    assert "6 requests through the Batch API" in r.stderr
    assert not list((tmp_path / "cache" / "batches").glob("*/*.json"))  # done: not resumed


def test_an_invalid_batch_answer_is_asked_again_live(tmp_path):
    bad = Reply.content('{"facts": [{"claim": "Something."}]}')
    responder = ScriptedResponder(fallback=ModelResponder()).add_rule(about(DOC), [bad])
    with FakeOpenAIServer(responder=responder) as srv:
        r, brief = build(srv, tmp_path)
        live = [q["json"] for q in srv.requests if q["path"] == "/v1/chat/completions"]
    assert r.returncode == 0, r.stderr
    assert len(live) == 2 and is_reask(live[0])  # the re-ask, then the key points
    assert brief["stats"]["usage"]["reasks"] == 1
    assert brief["stats"]["failed_chunks"] == []
    assert DOC in {
        c["source"] for s in brief["sections"] for k in s["claims"] for c in k["citations"]
    }


def test_an_answer_still_invalid_live_is_listed_as_not_read(tmp_path):
    bad = Reply.content('{"facts": [{"claim": "Something."}]}')
    responder = ScriptedResponder(fallback=ModelResponder()).add_rule(about(DOC), [bad] * 9)
    with FakeOpenAIServer(responder=responder) as srv:
        r, brief = build(srv, tmp_path)
    assert r.returncode == 0
    assert [f["source"] for f in brief["stats"]["failed_chunks"]] == [DOC]
    assert f"chunk not read: {DOC}#1" in r.stderr


def test_request_errors_in_the_error_file_are_listed_and_sent_again_by_a_rerun(tmp_path):
    responder = ScriptedResponder(fallback=ModelResponder()).add_rule(
        about(DOC), [Reply.error(500, "the engine fell over")]
    )
    with FakeOpenAIServer(responder=responder) as srv:
        r, brief = build(srv, tmp_path)
        assert r.returncode == 0, r.stderr
        assert [f["source"] for f in brief["stats"]["failed_chunks"]] == [DOC]
        assert "1 request answered with an error (first: the engine fell over)" in r.stderr
        _, again = build(srv, tmp_path)
    assert again["stats"]["failed_chunks"] == [] and again["stats"]["usage"]["batched"] == 1


@pytest.mark.parametrize(
    ("outcome", "said"),
    [
        ("failed", "failed (the input file is invalid): 6 passages not read"),
        ("expired", "expired before it finished: 3 of 6 requests answered, 3 passages not read"),
        ("cancelled", "was cancelled: 3 of 6 requests answered, 3 passages not read"),
    ],
)
def test_a_batch_that_ends_badly_is_one_line_and_a_rerun_sends_only_the_rest(
    tmp_path, outcome, said
):
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        srv.batches.outcome = outcome
        r, brief = build(srv, tmp_path)
        assert sum(said in line for line in r.stderr.splitlines()) == 1, r.stderr
        assert "a rerun with --batch sends only them" in r.stderr
        unread = brief["stats"]["failed_chunks"] if brief else None
        if outcome == "failed":
            assert r.returncode == 1 and "no chunk could be read" in r.stderr
        else:
            assert r.returncode == 0 and len(unread) == 3
            assert all("not answered: batch" in f["reason"] for f in unread)
        srv.batches.outcome = "completed"
        r2, again = build(srv, tmp_path)
        assert r2.returncode == 0, r2.stderr
    usage = again["stats"]["usage"]
    assert usage["batched"] == (6 if outcome == "failed" else 3)
    assert usage["cached"] == 6 - usage["batched"]


def interrupt(srv: FakeOpenAIServer, tmp_path: Path) -> None:
    """A `--batch` run of the seeds cut short (Ctrl-C) while its batch is in progress: the
    batch stays on record in the cache folder, and the server holds it until told otherwise."""
    srv.batches.hold = True
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    child_env.update(env(srv))
    args = ["build", str(SEEDS), "--batch", "-o", str(tmp_path / "brief.md")]
    args += ["--cache-dir", str(tmp_path / "cache")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", *args],
        env=child_env,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while paths(srv).count("/v1/batches") < 1 or not any(
        p.startswith("/v1/batches/") for p in paths(srv)
    ):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in err
    assert list((tmp_path / "cache" / "batches").glob("*/*.json"))


def test_an_interrupted_batch_run_resumes_the_same_batch(tmp_path):
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        interrupt(srv, tmp_path)
        srv.batches.hold = False
        r, brief = build(srv, tmp_path)
        assert r.returncode == 0, r.stderr
        assert paths(srv).count("/v1/batches") == 1  # one batches.create in all
        assert paths(srv).count("/v1/files") == 1
    assert "resuming the batch an earlier run started" in r.stderr
    assert brief["stats"]["usage"]["batched"] == 6 and brief["stats"]["failed_chunks"] == []


def test_a_budget_smaller_than_the_batch_sends_part_of_it(tmp_path):
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        r, brief = build(srv, tmp_path, "--token-budget", "5000")
        batch = [json.loads(q["json"] or "null") for q in srv.requests if q["path"] == "/v1/files"]
    assert r.returncode == 1
    usage = brief["stats"]["usage"]
    assert 0 < usage["batched"] < 6 and usage["unsent"] == 6 - usage["batched"]
    assert usage["prompt_tokens"] + usage["completion_tokens"] <= 5000
    del batch


def test_a_server_without_a_batch_api_is_one_line(tmp_path):
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        srv.batches.enabled = False
        r, _ = build(srv, tmp_path)
        assert "/v1/chat/completions" not in paths(srv)
        where = srv.base_url
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == (
        f"briefing: error: the server at {where} has no Batch API (/v1/files or "
        "/v1/batches answered 404): run without --batch"
    )


def test_a_batch_run_leaves_another_runs_batch_on_record(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "harbour.txt").write_text(
        "The harbour board approved a new ferry terminal on Monday. Construction starts in "
        "March and is expected to cost 40 million euros. The old pier will close in 2027.\n",
        encoding="utf-8",
    )
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        interrupt(srv, tmp_path)  # the seeds' batch, on record
        srv.batches.hold = False
        for _ in range(2):  # sent, then all cached: neither run concerns the seeds' batch
            r, _ = build(srv, tmp_path, folder=other)
            assert r.returncode == 0, r.stderr
            assert "resuming" not in r.stderr
        r, brief = build(srv, tmp_path)
        assert r.returncode == 0, r.stderr
        assert paths(srv).count("/v1/batches") == 2  # the seeds' batch and the other folder's
    assert "resuming the batch an earlier run started" in r.stderr
    assert brief["stats"]["usage"]["batched"] == 6 and brief["stats"]["failed_chunks"] == []
    assert not list((tmp_path / "cache" / "batches").glob("*/*.json"))


def test_a_recorded_batch_the_server_no_longer_knows_is_replaced_by_a_new_one(tmp_path):
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        interrupt(srv, tmp_path)
        srv.batches.batches.clear()  # the server forgot it (or another account's record)
        srv.batches.hold = False
        r, brief = build(srv, tmp_path)
        assert r.returncode == 0, r.stderr
        assert paths(srv).count("/v1/batches") == 2
    said = [line for line in r.stderr.splitlines() if "no longer knows it" in line]
    assert len(said) == 1 and "record removed, its requests go in a new batch" in said[0]
    assert brief["stats"]["usage"]["batched"] == 6 and brief["stats"]["failed_chunks"] == []
    assert not list((tmp_path / "cache" / "batches").glob("*/*.json"))


def test_a_poll_that_fails_is_tried_again_at_the_next_one(tmp_path):
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        srv.batches.fail_polls = 3
        r, brief = build(srv, tmp_path, "--retries", "0")
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if "could not check on it" in line]
    assert len(said) == 1 and "503" in said[0], r.stderr
    assert brief["stats"]["usage"]["batched"] == 6 and brief["stats"]["failed_chunks"] == []


def test_polls_that_keep_failing_stop_the_run_and_a_rerun_resumes_the_batch(tmp_path):
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        srv.batches.fail_polls = 100
        r, _ = build(srv, tmp_path, "--retries", "0")
        assert r.returncode == 1
        assert (
            r.stderr.strip()
            .splitlines()[-1]
            .endswith(
                "6 polls in a row failed (last: the server answered 503: The server is "
                "overloaded.); it stays recorded: a rerun with --batch resumes it"
            )
        ), r.stderr
        srv.batches.fail_polls = 0
        r, brief = build(srv, tmp_path)
        assert r.returncode == 0, r.stderr
        assert paths(srv).count("/v1/batches") == 1
    assert "resuming the batch an earlier run started" in r.stderr
    assert brief["stats"]["usage"]["batched"] == 6
