"""Cassettes: recorded HTTP exchanges with a model server, replayed by the tests.

Replaying is the default and never touches the network: a request that is not in the cassette
fails the test (record mode "none"), and so does a cassette interaction the test did not play.
Requests match on method, path and the JSON body, so a changed prompt cannot replay a stale
answer. Everything recorded is scrubbed of keys and account headers, in both directions.

Re-recording (see cassettes/README.md):
    BRIEFING_RECORD=local python -m pytest tests/test_llm_cassettes.py   # from the fake server
    BRIEFING_RECORD=real OPENAI_API_KEY=sk-... python -m pytest tests/test_llm_cassettes.py -k real
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import vcr

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
REPLAY_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens there: replay only

REQUEST_HEADERS_KEPT = {"content-type", "accept"}
RESPONSE_HEADERS_KEPT = {"content-type", "retry-after", "retry-after-ms", "x-should-retry"}


def record_mode() -> str | None:
    """'local' (from the fake server), 'real' (from OPENAI_BASE_URL or OpenAI), or None."""
    mode = os.environ.get("BRIEFING_RECORD", "").strip().lower()
    return mode or None


def _boundary(request: Any) -> str | None:
    """The multipart boundary of an upload (files.create), which differs from run to run."""
    kind = next((v for k, v in request.headers.items() if k.lower() == "content-type"), "")
    if isinstance(kind, list):  # as a cassette holds it
        kind = kind[0] if kind else ""
    m = re.search(r"boundary=([^;\s]+)", kind or "")
    return m.group(1).strip('"') if m else None


def _json_body(r1: Any, r2: Any) -> None:
    def parse(request: Any) -> Any:
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        boundary = _boundary(request)
        if boundary and isinstance(body, str):
            return body.replace(boundary, "BOUNDARY")
        try:
            return json.loads(body) if body else None
        except ValueError:
            return body

    if parse(r1) != parse(r2):
        raise AssertionError("request bodies differ")


def _scrub_request(request: Any) -> Any:
    for name in list(request.headers):
        if name.lower() not in REQUEST_HEADERS_KEPT:
            del request.headers[name]
    # The host differs between recording and replay; the path is what matters.
    request.uri = REPLAY_BASE_URL.rsplit("/v1", 1)[0] + request.path
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() not in RESPONSE_HEADERS_KEPT:
            del headers[name]
    return response


def make_vcr() -> vcr.VCR:
    v = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if record_mode() else "none",
        match_on=["method", "path", "json_body"],
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )
    v.register_matcher("json_body", _json_body)
    return v


# A cassette plays each interaction once (allow_playback_repeats is off by default), so a
# repeated request needs its own recorded answer.
