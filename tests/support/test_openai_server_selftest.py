"""Self-test of the fake OpenAI server, driven through the official ``openai`` SDK."""

from __future__ import annotations

import json
import math
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import openai
import pytest

from .openai_server import (
    FAKE_MODEL_ID,
    JSON_SCHEMA_UNSUPPORTED_MESSAGE,
    FakeOpenAIServer,
    Reply,
    ScriptedResponder,
    request_text,
)

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Say hi to doc-1."},
]
SCHEMA_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "facts",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"facts": {"type": "array"}},
            "required": ["facts"],
            "additionalProperties": False,
        },
    },
}


@contextmanager
def sdk(
    srv: FakeOpenAIServer, *, api_key: str = "test-key", timeout: float = 5.0
) -> Iterator[openai.OpenAI]:
    """An SDK client for ``srv`` without retries, closed afterwards."""
    with openai.OpenAI(
        base_url=srv.base_url, api_key=api_key, max_retries=0, timeout=timeout
    ) as client:
        yield client


def ask(client: openai.OpenAI, text: str = "Say hi to doc-1.", **kwargs):
    messages = [MESSAGES[0], {"role": "user", "content": text}]
    return client.chat.completions.create(model="gpt-test", messages=messages, **kwargs)


@pytest.fixture(autouse=True)
def no_leftover_server_threads() -> Iterator[None]:
    """Every test must leave no server or connection thread behind."""
    yield
    leftovers = [t.name for t in threading.enumerate() if t.name.startswith("fake-openai")]
    assert leftovers == []


def test_normal_completion_with_usage() -> None:
    with FakeOpenAIServer(lambda req: Reply.content("hello there")) as srv, sdk(srv) as client:
        completion = ask(client)
        assert completion.object == "chat.completion"
        assert completion.model == "gpt-test"
        assert completion.choices[0].message.role == "assistant"
        assert completion.choices[0].message.content == "hello there"
        assert completion.choices[0].finish_reason == "stop"
        prompt = math.ceil((len("You are terse.") + len("Say hi to doc-1.")) / 4)
        assert completion.usage.prompt_tokens == prompt
        assert completion.usage.completion_tokens == math.ceil(len("hello there") / 4)
        assert completion.usage.total_tokens == prompt + completion.usage.completion_tokens
        assert srv.request_count == 1
        [request] = srv.requests
        assert request["path"] == "/v1/chat/completions"
        assert request["headers"]["authorization"] == "Bearer test-key"
        assert request["json"]["messages"][1]["content"] == "Say hi to doc-1."


def test_explicit_token_counts_and_finish_reason() -> None:
    reply = Reply.content("cut", finish_reason="length", prompt_tokens=100, completion_tokens=7)
    with FakeOpenAIServer(lambda req: reply) as srv, sdk(srv) as client:
        completion = ask(client)
        assert completion.choices[0].finish_reason == "length"
        assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (100, 7)
        assert completion.usage.total_tokens == 107


def test_models_list() -> None:
    with FakeOpenAIServer() as srv, sdk(srv) as client:
        assert [m.id for m in client.models.list()] == [FAKE_MODEL_ID]


def test_wrong_api_key_is_401() -> None:
    with FakeOpenAIServer(api_key="right-key") as srv:
        with (
            sdk(srv, api_key="wrong-key") as client,
            pytest.raises(openai.AuthenticationError) as e,
        ):
            ask(client)
        assert e.value.status_code == 401
        assert e.value.code == "invalid_api_key"
        assert e.value.body["message"] == "Incorrect API key provided"
        with sdk(srv, api_key="right-key") as client:
            assert ask(client).choices[0].message.content == '{"facts": []}'


def test_rate_limit_with_retry_after() -> None:
    reply = Reply.error(429, "Rate limit reached", retry_after=7, code="rate_limit_exceeded")
    with FakeOpenAIServer(lambda req: reply) as srv, sdk(srv) as client:
        with pytest.raises(openai.RateLimitError) as e:
            ask(client)
        assert e.value.response.headers["retry-after"] == "7"
        assert e.value.code == "rate_limit_exceeded"


def test_server_error_500() -> None:
    with FakeOpenAIServer(lambda req: Reply.error(500, "boom")) as srv, sdk(srv) as client:
        with pytest.raises(openai.InternalServerError) as e:
            ask(client)
        assert e.value.status_code == 500
        assert "boom" in str(e.value)


def test_hang_beyond_client_timeout() -> None:
    started = time.monotonic()
    with FakeOpenAIServer(lambda req: Reply.hang(30)) as srv, sdk(srv, timeout=0.5) as client:
        with pytest.raises(openai.APITimeoutError):
            ask(client)
        assert time.monotonic() - started < 3.0
    assert time.monotonic() - started < 5.0  # stop() wakes the sleeping handler


def test_hang_shorter_than_timeout_gives_500() -> None:
    with (
        FakeOpenAIServer(lambda req: Reply.hang(0.1)) as srv,
        sdk(srv) as client,
        pytest.raises(openai.InternalServerError),
    ):
        ask(client)


def test_dropped_connection() -> None:
    with FakeOpenAIServer(lambda req: Reply.drop()) as srv, sdk(srv) as client:
        with pytest.raises(openai.APIConnectionError) as e:
            ask(client)
        assert not isinstance(e.value, openai.APITimeoutError)


def test_truncated_body() -> None:
    reply = Reply.truncated('{"facts": ["a long answer"]}')
    with FakeOpenAIServer(lambda req: reply) as srv, sdk(srv) as client:
        with pytest.raises(openai.APIError) as e:
            ask(client)
        assert not isinstance(e.value, openai.APIStatusError)  # it is not an HTTP error status


def test_empty_choices() -> None:
    with FakeOpenAIServer(lambda req: Reply.empty_choices()) as srv, sdk(srv) as client:
        completion = ask(client)
        assert completion.choices == []
        assert completion.usage is not None


def test_refusal() -> None:
    with FakeOpenAIServer(lambda req: Reply.refusal("I can't help with that.")) as srv:
        with sdk(srv) as client:
            message = ask(client).choices[0].message
        assert message.content is None
        assert message.refusal == "I can't help with that."


def test_raw_reply() -> None:
    reply = Reply.raw(503, b"<html>upstream down</html>", {"Content-Type": "text/html"})
    with FakeOpenAIServer(lambda req: reply) as srv, sdk(srv) as client:
        with pytest.raises(openai.APIStatusError) as e:
            ask(client)
        assert e.value.status_code == 503


def test_reject_json_schema_only_for_json_schema_requests() -> None:
    with FakeOpenAIServer(reject_json_schema=True) as srv, sdk(srv) as client:
        with pytest.raises(openai.BadRequestError) as e:
            ask(client, response_format=SCHEMA_FORMAT)
        assert e.value.status_code == 400
        assert e.value.body["message"] == JSON_SCHEMA_UNSUPPORTED_MESSAGE
        assert "json_schema" in str(e.value) and "not supported" in str(e.value)
        ok = ask(client, response_format={"type": "json_object"})
        assert ok.choices[0].message.content == '{"facts": []}'
        assert ask(client).choices[0].message.content == '{"facts": []}'
        assert srv.requests[0]["json"]["response_format"]["type"] == "json_schema"
    with FakeOpenAIServer() as srv, sdk(srv) as client:  # accepted by default
        assert ask(client, response_format=SCHEMA_FORMAT).choices[0].message.content


def test_stream_is_rejected() -> None:
    with FakeOpenAIServer() as srv, sdk(srv) as client, pytest.raises(openai.BadRequestError):
        ask(client, stream=True)


def test_unknown_path_is_404_openai_error() -> None:
    with FakeOpenAIServer() as srv:
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{srv.base_url}/nope", timeout=5)
        with e.value:
            assert e.value.code == 404
            error = json.loads(e.value.read())["error"]
        assert set(error) >= {"message", "type", "code"}


def test_concurrent_requests_overlap() -> None:
    with FakeOpenAIServer(latency=0.3) as srv, sdk(srv) as client:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(lambda i: ask(client, f"doc-{i}"), range(16)))
        elapsed = time.monotonic() - started
        assert len(results) == 16 and srv.request_count == 16
        assert elapsed < 2.0, elapsed


def test_scripted_responder_rules_and_script() -> None:
    responder = ScriptedResponder(
        [Reply.content("first"), lambda req: Reply.content(f"model={req['model']}")],
        fallback=lambda req: Reply.content("fallback"),
    ).add_rule(lambda req: "doc-2" in request_text(req), [Reply.error(500, "doc-2 fails once")])
    with FakeOpenAIServer(responder) as srv, sdk(srv) as client:
        assert ask(client, "doc-1").choices[0].message.content == "first"
        with pytest.raises(openai.InternalServerError):
            ask(client, "doc-2")
        assert ask(client, "doc-2").choices[0].message.content == "model=gpt-test"
        assert ask(client, "doc-3").choices[0].message.content == "fallback"
        assert responder.remaining == 0


def test_scripted_responder_is_thread_safe() -> None:
    replies = [Reply.content(str(i)) for i in range(16)]
    responder = ScriptedResponder(replies, fallback=lambda req: Reply.content("extra"))
    with (
        FakeOpenAIServer(responder) as srv,
        sdk(srv) as client,
        ThreadPoolExecutor(max_workers=16) as pool,
    ):
        answers = list(pool.map(lambda i: ask(client).choices[0].message.content, range(17)))
    assert sorted(answers) == sorted([str(i) for i in range(16)] + ["extra"])


def test_server_socket_closed_after_exit() -> None:
    with FakeOpenAIServer() as srv:
        port = srv.port
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 1):
        pass


def test_stop_closes_idle_keepalive_connections_promptly() -> None:
    srv = FakeOpenAIServer().start()
    with sdk(srv) as client:
        ask(client)  # leaves a keep-alive connection open, its server thread waiting to read
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    ("outcome", "answered", "errors"),
    [("completed", 3, 1), ("expired", 2, 2), ("cancelled", 2, 2), ("failed", 0, 0)],
)
def test_batches_move_from_validating_to_their_outcome(outcome, answered, errors):
    def responder(request):
        if request["messages"][0]["content"] == "boom":
            return Reply.error(500, "boom")
        return Reply.content("ok")

    with FakeOpenAIServer(responder=responder) as srv:
        srv.batches.outcome = outcome
        client = openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=0)
        lines = [
            {"custom_id": f"r{n}", "method": "POST", "url": "/v1/chat/completions",
             "body": {"model": "m", "messages": [{"role": "user", "content": text}]}}
            for n, text in enumerate(["a", "b", "c", "boom"])
        ]  # fmt: skip
        jsonl = "".join(json.dumps(line) + "\n" for line in lines).encode()
        upload = client.files.create(file=("in.jsonl", jsonl), purpose="batch")
        batch = client.batches.create(
            input_file_id=upload.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        states = [batch.status] + [client.batches.retrieve(batch.id).status for _ in range(3)]
        assert states == ["validating", "in_progress", "in_progress", outcome]
        batch = client.batches.retrieve(batch.id)
        if outcome == "failed":
            assert batch.errors.data[0].message and batch.output_file_id is None
            return
        out = client.files.content(batch.output_file_id).text.splitlines()
        err = client.files.content(batch.error_file_id).text.splitlines()
        assert len(out) == answered and len(err) == errors
        first = json.loads(out[0])
        assert first["custom_id"] == "r0" and first["response"]["status_code"] == 200
        assert first["response"]["body"]["choices"][0]["message"]["content"] == "ok"
        assert batch.request_counts.completed == answered
