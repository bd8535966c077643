"""A stdlib-only fake of the OpenAI chat-completions HTTP API, for tests and benchmarks.

It serves ``POST /v1/chat/completions`` and ``GET /v1/models`` on 127.0.0.1 and lets a test decide,
request by request, what comes back: a completion, a refusal, an HTTP error, a hang, a dropped
connection, a cut-off body... It knows nothing about any project's schema.

It also serves the Files and Batches endpoints (``POST /v1/files``, ``GET /v1/files/ID/content``,
``POST /v1/batches``, ``GET /v1/batches/ID``): each ``batches.retrieve`` moves a batch on, from
validating to in_progress (for ``batch_polls`` retrieves; for good while ``batch_hold``) to
``batch_outcome``: completed (each request answered by the responder; an error reply goes to the
error file), failed (no files), expired or cancelled (the first half answered, the rest in the
error file, as OpenAI does). The next ``batch_fail_polls`` retrieves answer 503.

    with FakeOpenAIServer(responder=lambda req: Reply.content('{"facts": []}')) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=0)

By hand: ``python tests/support/openai_server.py --port 8765 --latency 0.1`` (Ctrl-C stops it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import signal
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any, Self
from urllib.parse import urlsplit

JSON = dict[str, Any]
FAKE_MODEL_ID = "fake-model"
DEFAULT_CONTENT = '{"facts": []}'
INVALID_API_KEY_MESSAGE = "Incorrect API key provided"
#: The 400 message for ``response_format.type == "json_schema"`` under ``reject_json_schema=True``
#: (what llama.cpp, older vLLM and Ollama-compatible servers answer, in spirit).
JSON_SCHEMA_UNSUPPORTED_MESSAGE = (
    "response_format type 'json_schema' is not supported by this server; "
    'use {"type": "json_object"} or omit response_format'
)


@dataclass(frozen=True)
class Reply:
    """What the server does with one chat-completion request; build it with the class methods."""

    kind: str  # content | refusal | error | hang | drop | truncated | empty_choices | raw
    status: int = 200
    text: str = ""
    finish_reason: str = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    code: str | None = None
    retry_after: float | None = None
    seconds: float = 0.0
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def content(
        cls,
        text: str,
        finish_reason: str = "stop",
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
    ) -> Reply:
        """A chat.completion saying ``text``; token counts are estimated (chars / 4) when None."""
        return cls("content", 200, text, finish_reason, prompt_tokens, completion_tokens)

    @classmethod
    def refusal(cls, text: str) -> Reply:
        """A completion whose message has ``content: null`` and ``refusal: text``."""
        return cls("refusal", text=text)

    @classmethod
    def error(
        cls, status: int, message: str, retry_after: float | None = None, code: str | None = None
    ) -> Reply:
        """An HTTP error with an OpenAI error body, and ``Retry-After: <seconds>`` when given."""
        return cls("error", status, message, retry_after=retry_after, code=code)

    @classmethod
    def hang(cls, seconds: float) -> Reply:
        """Sleep ``seconds`` before answering a 500 (to trip client timeouts)."""
        return cls("hang", seconds=seconds)

    @classmethod
    def drop(cls) -> Reply:
        """Close the connection without sending a single response byte."""
        return cls("drop")

    @classmethod
    def truncated(cls, text: str) -> Reply:
        """A 200 completion cut off halfway: Content-Length promises more bytes than are sent."""
        return cls("truncated", text=text)

    @classmethod
    def empty_choices(cls) -> Reply:
        """A 200 chat.completion with ``"choices": []``."""
        return cls("empty_choices")

    @classmethod
    def raw(cls, status: int, body: bytes, headers: dict[str, str] | None = None) -> Reply:
        """Exactly this status, body and headers (Content-Length is added unless given)."""
        return cls("raw", status=status, body=body, headers=tuple((headers or {}).items()))


Responder = Callable[[JSON], Reply]
Step = Reply | Callable[[JSON], Reply]


def default_responder(request_json: JSON) -> Reply:
    """Answer every chat completion with the fixed content ``DEFAULT_CONTENT``."""
    return Reply.content(DEFAULT_CONTENT)


def message_texts(request_json: JSON) -> list[str]:
    """The text of every message content (plain strings and ``text`` parts), in order."""
    texts: list[str] = []
    for message in request_json.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts += [str(p["text"]) for p in content if isinstance(p, dict) and "text" in p]
    return texts


def request_text(request_json: JSON) -> str:
    """All message text joined by newlines (handy in ScriptedResponder rule predicates)."""
    return "\n".join(message_texts(request_json))


class ScriptedResponder:
    """A responder playing queued replies in order, then falling back to ``fallback``.

    Rules (``add_rule``) come first: the first rule whose predicate matches the request and that
    still has replies left answers it; then the general ``script``; then ``fallback``. Each step is
    a Reply or a callable ``request_json -> Reply``. Thread-safe: each step is used exactly once.
    """

    def __init__(self, script: Iterable[Step] = (), fallback: Responder = default_responder):
        self._lock = threading.Lock()
        self._rules: list[tuple[Callable[[JSON], bool], list[Step]]] = []
        self._script = list(script)
        self.fallback = fallback

    def add_rule(self, predicate: Callable[[JSON], bool], replies: Iterable[Step]) -> Self:
        """Queue ``replies`` for requests where ``predicate(request_json)``; returns self."""
        with self._lock:
            self._rules.append((predicate, list(replies)))
        return self

    @property
    def remaining(self) -> int:
        """How many scripted steps (rules and script together) are still unused."""
        with self._lock:
            return len(self._script) + sum(len(queue) for _, queue in self._rules)

    def __call__(self, request_json: JSON) -> Reply:
        step: Step | None = None
        with self._lock:
            queue = next((q for p, q in self._rules if q and p(request_json)), self._script)
            if queue:
                step = queue.pop(0)
        if step is None:
            return self.fallback(request_json)
        return step if isinstance(step, Reply) else step(request_json)


def error_body(message: str, error_type: str, code: str | None = None) -> JSON:
    """OpenAI's error envelope: ``{"error": {"message", "type", "param", "code"}}``."""
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


def chat_completion(request_json: JSON, reply: Reply) -> JSON:
    """The chat.completion JSON for a content / refusal / truncated / empty_choices reply."""
    refusal = reply.kind == "refusal"
    message = {
        "role": "assistant",
        "content": None if refusal else reply.text,
        "refusal": reply.text if refusal else None,
    }
    choice = {
        "index": 0,
        "message": message,
        "logprobs": None,
        "finish_reason": reply.finish_reason,
    }
    prompt, completion = reply.prompt_tokens, reply.completion_tokens
    if prompt is None:
        prompt = math.ceil(sum(map(len, message_texts(request_json))) / 4)
    if completion is None:
        completion = math.ceil(len(reply.text) / 4)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request_json.get("model", FAKE_MODEL_ID),
        "choices": [] if reply.kind == "empty_choices" else [choice],
        "system_fingerprint": None,
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


def _json(status: int, payload: JSON, headers: dict[str, str] | None = None) -> Reply:
    headers = {"Content-Type": "application/json", **(headers or {})}
    return Reply.raw(status, json.dumps(payload).encode(), headers)


def _render(reply: Reply, request_json: JSON) -> Reply:
    """Turn any JSON-producing reply into a ``raw`` one (status, body bytes, headers)."""
    if reply.kind == "raw":
        return reply
    if reply.kind != "error":
        return _json(200, chat_completion(request_json, reply))
    default_type = "server_error" if reply.status >= 500 else "invalid_request_error"
    error_type = {429: "requests"}.get(reply.status, default_type)
    retry = {} if reply.retry_after is None else {"Retry-After": f"{reply.retry_after:g}"}
    return _json(reply.status, error_body(reply.text, error_type, reply.code), retry)


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that tracks its connections so ``stop`` can close and join them."""

    daemon_threads = True
    request_queue_size = 128  # 16+ clients connecting at once must not overflow the backlog

    def __init__(self, address: tuple[str, int], owner: FakeOpenAIServer):
        self.owner = owner
        self._conn_lock = threading.Lock()
        self._connections: dict[threading.Thread, socket.socket] = {}
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        TCPServer.server_bind(self)  # skips HTTPServer's socket.getfqdn(), a DNS lookup
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request: Any, client_address: Any) -> None:
        name = f"fake-openai-conn-{client_address[1]}"
        worker = threading.Thread(target=self._work, args=(request, client_address), name=name)
        worker.daemon = True
        with self._conn_lock:
            self._connections[worker] = request
        worker.start()

    def _work(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self._connections.pop(threading.current_thread(), None)

    def close_connections(self, timeout: float) -> None:
        """Shut every open connection down (waking idle keep-alive readers); join the workers."""
        with self._conn_lock:
            items = list(self._connections.items())
        for _, sock in items:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for worker, _ in items:
            worker.join(timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # clients hanging up are not errors


class _Handler(BaseHTTPRequestHandler):
    """Handles one HTTP request: record it, wait, route it, and write the Reply out."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _HTTPServer

    def _dispatch(self) -> None:
        owner = self.server.owner
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.raw_body = raw
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path = urlsplit(self.path).path.rstrip("/")
        owner._record(path, {k.lower(): v for k, v in self.headers.items()}, body)
        reply = Reply.drop() if owner._stopping.wait(owner.latency) else self._route(path, body)
        if reply.kind == "hang":
            stopping = owner._stopping.wait(reply.seconds)
            message = "The server had an error while processing your request."
            reply = Reply.drop() if stopping else Reply.error(500, message)
        if reply.kind == "drop":
            self.close_connection = True
            return
        out = _render(reply, body if isinstance(body, dict) else {})
        payload = out.body
        if reply.kind == "truncated":  # declare the full length, send half, hang up
            payload, self.close_connection = out.body[: len(out.body) // 2], True
        self.send_response(out.status)
        for name, value in out.headers:
            self.send_header(name, value)
        if not any(name.lower() == "content-length" for name, _ in out.headers):
            self.send_header("Content-Length", str(len(out.body)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def _route(self, path: str, body: Any) -> Reply:
        owner = self.server.owner
        auth = self.headers.get("Authorization")
        if owner.api_key is not None and auth != f"Bearer {owner.api_key}":
            return Reply.error(401, INVALID_API_KEY_MESSAGE, code="invalid_api_key")
        if self.command == "GET" and path == "/v1/models":
            model = {"id": FAKE_MODEL_ID, "object": "model", "created": 0, "owned_by": "fake"}
            return _json(200, {"object": "list", "data": [model]})
        if path.startswith(("/v1/files", "/v1/batches")):
            return owner.batches.route(self.command, path, body, self)
        if self.command != "POST" or path != "/v1/chat/completions":
            return Reply.error(404, f"Invalid URL ({self.command} {self.path})")
        if not isinstance(body, dict):
            return Reply.error(400, "We could not parse the JSON body of your request.")
        if body.get("stream"):
            return Reply.error(400, "stream=true is not supported by this fake server")
        fmt = body.get("response_format")
        if owner.reject_json_schema and isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            return Reply.error(400, JSON_SCHEMA_UNSUPPORTED_MESSAGE)
        try:
            reply = owner.responder(body)
            if not isinstance(reply, Reply):
                raise TypeError(f"responder returned {type(reply).__name__}, not a Reply")
            return reply
        except Exception as exc:  # a broken responder is a test bug: be loud, answer 500
            traceback.print_exc()
            return Reply.error(500, f"fake server responder raised {exc!r}")

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.owner.verbose:
            super().log_message(format, *args)


class FakeOpenAIServer:
    """An OpenAI-compatible server on a free 127.0.0.1 port, served by a daemon thread.

    ``responder`` builds the Reply for each chat completion; ``latency`` seconds pass before every
    answer; ``api_key``, when set, is required as ``Authorization: Bearer``; ``reject_json_schema``
    answers 400 to ``response_format: json_schema``. All four may be changed while it runs.
    """

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        latency: float = 0.0,
        api_key: str | None = None,
        reject_json_schema: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        verbose: bool = False,
    ):
        self.responder: Responder = responder or default_responder
        self.latency = latency
        self.api_key = api_key
        self.reject_json_schema = reject_json_schema
        self.verbose = verbose
        self.batches = Batches(self)
        self._address = (host, port)
        self._lock = threading.Lock()
        self._requests: list[JSON] = []
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind the socket and start serving in a daemon thread."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._stopping.clear()
        self._httpd = httpd = _HTTPServer(self._address, self)
        self._thread = threading.Thread(
            target=lambda: httpd.serve_forever(poll_interval=0.05), name="fake-openai-server"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, wake sleeping handlers, close every connection and the listening socket."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections(timeout)
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout)
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port actually bound."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """What ``openai.OpenAI(base_url=...)`` wants: ``http://127.0.0.1:PORT/v1``."""
        return f"http://{self._address[0]}:{self.port}/v1"

    @property
    def requests(self) -> list[JSON]:
        """A copy of every request so far: ``{"path", "headers" (lower-case names), "json"}``."""
        with self._lock:
            return list(self._requests)

    @property
    def request_count(self) -> int:
        """How many requests have been received so far."""
        with self._lock:
            return len(self._requests)

    def _record(self, path: str, headers: dict[str, str], body: Any) -> None:
        with self._lock:
            self._requests.append({"path": path, "headers": headers, "json": body})


class Batches:
    """The Files and Batches endpoints of one server (see the module's docstring)."""

    def __init__(self, owner: FakeOpenAIServer):
        self.owner = owner
        self.outcome = "completed"  # completed | failed | expired | cancelled
        self.polls = 1  # retrieves a batch stays in_progress
        self.hold = False  # stay in_progress until set False
        self.enabled = True  # False: 404, as a server without a Batch API
        self.fail_polls = 0  # the next retrieves that answer 503 (a transient server error)
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, JSON] = {}
        self._polls: dict[str, int] = {}
        self._lock = threading.Lock()

    def route(self, command: str, path: str, body: Any, handler: Any) -> Reply:
        parts = path.split("/")[2:]  # files, ID, content | batches, ID
        if not self.enabled:
            return Reply.error(404, f"Invalid URL ({command} {path})")
        with self._lock:
            if command == "POST" and parts == ["files"]:
                return self._upload(handler)
            if (
                command == "GET"
                and len(parts) == 3
                and parts[0] == "files"
                and parts[2] == "content"
            ):
                if parts[1] not in self.files:
                    return Reply.error(404, f"No such File object: {parts[1]}")
                data = self.files[parts[1]]
                return Reply.raw(200, data, {"Content-Type": "application/octet-stream"})
            if command == "POST" and parts == ["batches"] and isinstance(body, dict):
                return self._create(body)
            if command == "GET" and len(parts) == 2 and parts[0] == "batches":
                if self.fail_polls > 0:
                    self.fail_polls -= 1
                    return Reply.error(503, "The server is overloaded.")
                if parts[1] not in self.batches:
                    return Reply.error(404, f"No such Batch object: {parts[1]}")
                return _json(200, self._advance(self.batches[parts[1]]))
        return Reply.error(404, f"Invalid URL ({command} {path})")

    def _upload(self, handler: Any) -> Reply:
        from email.parser import BytesParser
        from email.policy import HTTP

        head = f"Content-Type: {handler.headers.get('Content-Type', '')}\r\n\r\n".encode()
        form = BytesParser(policy=HTTP).parsebytes(head + handler.raw_body)
        fields = {
            part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
            for part in form.iter_parts()
        }
        data = fields.get("file")
        if not isinstance(data, bytes):
            return Reply.error(400, "No file was uploaded.")
        purpose = (fields.get("purpose") or b"").decode()
        return _json(200, self._file(data, "input.jsonl", purpose))

    def _file(self, data: bytes, name: str, purpose: str) -> JSON:
        file_id = f"file-{uuid.uuid4().hex[:24]}"
        self.files[file_id] = data
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": name,
            "purpose": purpose,
            "status": "processed",
        }

    def _create(self, body: JSON) -> Reply:
        data = self.files.get(str(body.get("input_file_id")))
        if data is None:
            return Reply.error(400, f"No such File object: {body.get('input_file_id')}")
        batch_id = f"batch_{uuid.uuid4().hex[:24]}"
        lines = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": body.get("endpoint"),
            "errors": None,
            "input_file_id": body.get("input_file_id"),
            "completion_window": body.get("completion_window"),
            "status": "validating",
            "output_file_id": None,
            "error_file_id": None,
            "created_at": int(time.time()),
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "metadata": None,
        }
        self._polls[batch_id] = self.polls
        return _json(200, self.batches[batch_id])

    def _advance(self, batch: JSON) -> JSON:
        if batch["status"] == "validating":
            batch["status"] = "in_progress"
        elif batch["status"] == "in_progress" and not self.hold:
            self._polls[batch["id"]] -= 1
            if self._polls[batch["id"]] < 0:
                self._finish(batch)
        return batch

    def _finish(self, batch: JSON) -> None:
        data = self.files[batch["input_file_id"]]
        lines = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
        if self.outcome == "failed":
            error = {"code": "invalid_request", "message": "the input file is invalid", "line": 1}
            batch.update(status="failed", errors={"object": "list", "data": [error]})
            return
        answered = lines if self.outcome == "completed" else lines[: len(lines) // 2]
        out: list[JSON] = []
        errors: list[JSON] = []
        for line in answered:
            reply = _render(self.owner.responder(line["body"]), line["body"])
            body = json.loads(reply.body)
            entry = {
                "id": f"batch_req_{uuid.uuid4().hex[:16]}",
                "custom_id": line["custom_id"],
                "response": {"status_code": reply.status, "request_id": "", "body": body},
                "error": None,
            }
            (out if reply.status == 200 else errors).append(entry)
        for line in lines[len(answered) :]:
            code = f"batch_{self.outcome}"
            message = f"This request could not be executed before the batch was {self.outcome}."
            errors.append(
                {
                    "id": f"batch_req_{uuid.uuid4().hex[:16]}",
                    "custom_id": line["custom_id"],
                    "response": None,
                    "error": {"code": code, "message": message},
                }
            )
        for name, entries in (("output_file_id", out), ("error_file_id", errors)):
            if entries:
                text = "".join(json.dumps(e) + "\n" for e in entries).encode()
                batch[name] = self._file(text, f"{name}.jsonl", "batch_output")["id"]
        counts = {"total": len(lines), "completed": len(out), "failed": len(errors)}
        batch.update(status=self.outcome, request_counts=counts)


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C or SIGTERM, answering every completion with ``DEFAULT_CONTENT``."""
    parser = argparse.ArgumentParser(description="Fake OpenAI-compatible server for tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--api-key", default=None, help="require this Bearer token")
    parser.add_argument("--reject-json-schema", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)
    # Block the stop signals before any thread starts (threads inherit the mask) and wait for one
    # in the main thread, so a signal can never land in, and be lost to, a worker thread.
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    with FakeOpenAIServer(default_responder, **vars(args)) as srv:
        print(srv.base_url, flush=True)
        signal.sigwait(stop_signals)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
