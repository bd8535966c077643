"""The one place the `openai` SDK is called.

Who authenticates (key, base URL, timeout) is `ClientSettings`; how we call is `ChatClient.chat`.
Network faults (429 with Retry-After, 5xx, timeouts, dropped connections) are retried here and
only here, by the SDK's own retry loop (`max_retries`); they never reach a prompt. Errors the
SDK raises are translated into briefing's own by `translate_errors`, which catches only the
SDK's classes, so a bug of ours is never relabelled as an API error.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from briefing.errors import ConfigError, ModelError
from briefing.text import one_line

OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = 120.0
DEFAULT_NETWORK_RETRIES = 4


class SchemaModeUnsupported(ModelError):
    """Raised when the server rejects `response_format` of type json_schema; the engine then
    falls back to JSON mode with the schema in the prompt."""


class ChunkFailed(ModelError):
    """Raised when one request failed for good (after the SDK's retries): a server error, a
    timeout, a dropped connection. The run goes on without that chunk."""


class AuthFailed(ModelError):
    """Raised when the server rejects the API key, or the model does not exist: no request can
    succeed, so the run stops."""


class BatchNotFound(ModelError):
    """Raised when `batches.retrieve` answers 404: the server no longer knows that batch (a
    record left by a run long ago, another account's, a server that forgot it)."""


@dataclass(frozen=True)
class ClientSettings:
    api_key: str | None
    base_url: str | None
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_NETWORK_RETRIES

    @property
    def effective_base_url(self) -> str:
        return (self.base_url or OPENAI_BASE_URL).rstrip("/")

    @property
    def is_openai(self) -> bool:
        return self.effective_base_url == OPENAI_BASE_URL

    @classmethod
    def from_env(
        cls,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> ClientSettings:
        return cls(
            api_key=os.environ.get("OPENAI_API_KEY") or None,
            base_url=base_url or os.environ.get("OPENAI_BASE_URL") or None,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            max_retries=DEFAULT_NETWORK_RETRIES if max_retries is None else max_retries,
        )


@dataclass
class Completion:
    """What one request returned: the answer's text (or refusal), why it stopped, the tokens."""

    content: str | None
    refusal: str | None
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    choices: int = 1
    retries: int = 0  # requests the SDK sent again after a network fault


class ChatClient:
    """A chat-completions client for any OpenAI-compatible server. Thread-safe.

    Importing the SDK takes about half a second (it defines every type of the whole API), so it
    is imported in a thread of its own from the moment the client is made, while documents are
    read; the first request waits for it."""

    def __init__(self, settings: ClientSettings):
        if settings.is_openai and not settings.api_key:
            raise ConfigError(
                "no API key: set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server such as "
                "Ollama, vLLM or llama.cpp), or use --engine extractive"
            )
        self.settings = settings
        self._sdk: Any = None
        self._failure: BaseException | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._connect, name="briefing-sdk-import", daemon=True).start()

    def _connect(self) -> None:
        try:
            import openai

            self._sdk = openai.OpenAI(
                api_key=self.settings.api_key or "not-needed",  # local servers take any key
                base_url=self.settings.effective_base_url,
                timeout=self.settings.timeout,
                max_retries=self.settings.max_retries,
            )
        except BaseException as exc:  # handed to the thread that wants the client
            self._failure = exc
        finally:
            self._ready.set()

    def wait_ready(self) -> None:
        """Until the SDK is imported and its client made (or failed to be)."""
        self._ready.wait()

    @property
    def _client(self) -> Any:
        """The SDK's client, once it is imported and made."""
        self._ready.wait()
        if self._failure is not None:
            raise self._failure
        return self._sdk

    def chat(
        self,
        model: str,
        messages: list[dict[str, str]],
        response_format: dict[str, Any],
        temperature: float | None,
        max_tokens: int | None,
    ) -> Completion:
        params: dict[str, Any] = {
            "model": model,
            "messages": messages,
            "response_format": response_format,
        }
        if temperature is not None:
            params["temperature"] = temperature
        if max_tokens is not None:
            params["max_tokens"] = max_tokens
        # The SDK's own `post`, below `chat.completions.create`: the body is serialised once
        # here, and the answer read as JSON, instead of `create` walking the messages and the
        # schema against its typed parameters and building response models we would only read
        # four fields of (about 5 ms of CPU per request, most of a request's client cost).
        # Retries, timeouts, headers and errors are the SDK's, as with `create`.
        # The raw HTTP response, for the retries the SDK made (the header it sends).
        import httpx2  # the SDK's HTTP client, imported with it

        client = self._client
        body = json.dumps(params, ensure_ascii=False).encode("utf-8")
        with translate_errors(self.settings):
            response = client.post("/chat/completions", cast_to=httpx2.Response, content=body)
        retries = _int(response.request.headers.get("x-stainless-retry-count"))
        completion = _completion(response.content, self.settings.effective_base_url)
        return replace(completion, retries=retries)

    def close(self) -> None:
        self._client.close()


def _completion(raw: bytes, where: str) -> Completion:
    """A live answer's body read as a chat completion; ChunkFailed when it is not one."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ChunkFailed(
            f"the answer from {where} is not a chat completion ({one_line(str(exc), 120)})"
        ) from exc
    return completion_from_json(data, where)


def completion_from_json(data: Any, where: str) -> Completion:
    """The parts of a chat completion (JSON, as a live answer or a batch's output line holds
    it) that briefing reads; ChunkFailed when it is not one."""
    try:
        usage = data.get("usage") or {}
        choices = data.get("choices") or []
        prompt = int(usage.get("prompt_tokens") or 0)
        completion = int(usage.get("completion_tokens") or 0)
        if not choices:
            return Completion(None, None, None, prompt, completion, choices=0)
        choice = choices[0]
        message = choice.get("message") or {}
        content, refusal = message.get("content"), message.get("refusal")
        if not isinstance(content, str | None) or not isinstance(refusal, str | None):
            raise TypeError("content is not text")
        return Completion(content, refusal, choice.get("finish_reason"), prompt, completion)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ChunkFailed(
            f"the answer from {where} is not a chat completion ({one_line(str(exc), 120)})"
        ) from exc


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
    return str(getattr(exc, "message", None) or exc)


def _is_schema_rejection(message: str) -> bool:
    text = message.lower()
    return ("json_schema" in text or "response_format" in text or "json schema" in text) and any(
        word in text for word in ("support", "unknown", "invalid", "unrecognized", "not allowed")
    )


@contextlib.contextmanager
def translate_errors(settings: ClientSettings) -> Iterator[None]:
    """Map the SDK's errors onto briefing's. Catches only the SDK's own classes."""
    import openai

    where = settings.effective_base_url
    try:
        yield
    except openai.AuthenticationError as exc:
        raise AuthFailed(
            f"the server at {where} rejected the API key ({_message(exc)}); check OPENAI_API_KEY"
        ) from exc
    except openai.PermissionDeniedError as exc:
        raise AuthFailed(f"the server at {where} refused access: {_message(exc)}") from exc
    except openai.NotFoundError as exc:
        raise AuthFailed(
            f"the server at {where} answered 404: {_message(exc)} "
            "(is the model name right, and does the base URL end in /v1?)"
        ) from exc
    except openai.BadRequestError as exc:
        message = _message(exc)
        if _is_schema_rejection(message):
            raise SchemaModeUnsupported(message) from exc
        raise ChunkFailed(f"the server rejected the request: {message}") from exc
    except openai.APITimeoutError as exc:
        raise ChunkFailed(f"no answer from {where} within {settings.timeout:g} s") from exc
    except openai.APIConnectionError as exc:
        raise ChunkFailed(f"could not reach {where}: {_message(exc)}") from exc
    except openai.APIStatusError as exc:
        raise ChunkFailed(f"the server answered {exc.status_code}: {_message(exc)}") from exc
    except openai.APIError as exc:
        raise ChunkFailed(f"the server's answer could not be read: {_message(exc)}") from exc


# -- the Batch API (engines/llm/batch.py decides what goes in a batch and what comes of it) ------


@dataclass(frozen=True)
class BatchStatus:
    """Where a batch stands, as `batches.retrieve` says."""

    id: str
    status: str  # validating, in_progress, finalizing, completed, failed, expired, cancel...
    total: int = 0
    completed: int = 0
    failed: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: tuple[str, ...] = ()


def _batch_status(batch: Any) -> BatchStatus:
    counts = batch.request_counts
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    return BatchStatus(
        id=batch.id,
        status=batch.status,
        total=counts.total if counts else 0,
        completed=counts.completed if counts else 0,
        failed=counts.failed if counts else 0,
        output_file_id=batch.output_file_id,
        error_file_id=batch.error_file_id,
        errors=tuple(str(e.message or e.code) for e in errors),
    )


class BatchClient:
    """Files and Batches of an OpenAI-compatible server, through the same SDK client."""

    def __init__(self, chat: ChatClient):
        self.settings = chat.settings
        self._client = chat._client

    def create(self, jsonl: bytes, name: str = "briefing-requests.jsonl") -> BatchStatus:
        """Upload the requests (one JSON line each) and start a batch of them."""
        import openai

        try:
            with translate_errors(self.settings):
                upload = self._client.files.create(file=(name, jsonl), purpose="batch")
                batch = self._client.batches.create(
                    input_file_id=upload.id,
                    endpoint="/v1/chat/completions",
                    completion_window="24h",
                )
        except AuthFailed as exc:
            if isinstance(exc.__cause__, openai.NotFoundError):
                raise ModelError(
                    f"the server at {self.settings.effective_base_url} has no Batch API "
                    "(/v1/files or /v1/batches answered 404): run without --batch"
                ) from exc
            raise
        return _batch_status(batch)

    def retrieve(self, batch_id: str) -> BatchStatus:
        import openai

        try:
            with translate_errors(self.settings):
                return _batch_status(self._client.batches.retrieve(batch_id))
        except AuthFailed as exc:
            if isinstance(exc.__cause__, openai.NotFoundError):
                raise BatchNotFound(
                    f"the server at {self.settings.effective_base_url} no longer knows "
                    f"batch {batch_id}"
                ) from exc
            raise

    def file_text(self, file_id: str) -> str:
        with translate_errors(self.settings):
            return self._client.files.content(file_id).text
