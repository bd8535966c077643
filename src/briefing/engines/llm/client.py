"""The one place the `openai` SDK is called.

Who authenticates (key, base URL, timeout) is `ClientSettings`; how we call is `ChatClient.chat`.
Network faults (429 with Retry-After, 5xx, timeouts, dropped connections) are retried here and
only here, by the SDK's own retry loop (`max_retries`); they never reach a prompt. Errors the
SDK raises are translated into briefing's own by `translate_errors`, which catches only the
SDK's classes, so a bug of ours is never relabelled as an API error.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from briefing.errors import ConfigError, ModelError

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
    """A chat-completions client for any OpenAI-compatible server. Thread-safe."""

    def __init__(self, settings: ClientSettings):
        import openai

        if settings.is_openai and not settings.api_key:
            raise ConfigError(
                "no API key: set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server such as "
                "Ollama, vLLM or llama.cpp), or use --engine extractive"
            )
        self.settings = settings
        self._client = openai.OpenAI(
            api_key=settings.api_key or "not-needed",  # local servers take any key
            base_url=settings.effective_base_url,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )

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
        with translate_errors(self.settings):
            raw = self._client.chat.completions.with_raw_response.create(**params)
            response = raw.parse()
        retries = _int(raw.http_request.headers.get("x-stainless-retry-count"))
        return replace(completion_of(response), retries=retries)

    def close(self) -> None:
        self._client.close()


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def completion_of(response: Any) -> Completion:
    """A chat.completion (the SDK's object) as briefing reads it."""
    usage = response.usage
    prompt = usage.prompt_tokens if usage else 0
    completion = usage.completion_tokens if usage else 0
    if not response.choices:
        return Completion(None, None, None, prompt, completion, choices=0)
    choice = response.choices[0]
    return Completion(
        content=choice.message.content,
        refusal=getattr(choice.message, "refusal", None),
        finish_reason=choice.finish_reason,
        prompt_tokens=prompt or 0,
        completion_tokens=completion or 0,
    )


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
        with translate_errors(self.settings):
            return _batch_status(self._client.batches.retrieve(batch_id))

    def file_text(self, file_id: str) -> str:
        with translate_errors(self.settings):
            return self._client.files.content(file_id).text


def completion_from_json(body: dict[str, Any]) -> Completion:
    """A chat.completion as a batch output line holds it (JSON), read as a live answer is."""
    from openai.types.chat import ChatCompletion

    return completion_of(ChatCompletion.model_validate(body))
