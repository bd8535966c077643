"""Extraction through the Batch API (`--batch`): every extraction request not in the cache goes
in one batch, at half the price, answered within the provider's 24-hour window.

    files.create (the requests, one JSON line each) -> batches.create -> batches.retrieve until
    it ends (a progress line) -> files.content of the output file and of the error file

This module is part of the engine: it uses the engine's own cache lookup and counters. Each
answer is validated exactly as a live one; an answer that cannot be used is asked again
live, with the problem fed back, and the chunk is listed as not read when that fails too. The
batch's ID is recorded in the cache folder (batches/) as soon as it exists, so a run cut short
(Ctrl-C, a reboot) is resumed by the next `--batch` run, which polls the same batch instead of
paying for a second one; a record is removed once its batch is collected (or the server no
longer knows it), never by a run the batch does not concern. A poll that fails is tried
again at the next one. A batch that failed, expired or was cancelled, and an output file that
lacks answers, each get one line; the passages it did not answer are listed as not read, and a
rerun sends only them.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from briefing.engines.base import Progress
from briefing.engines.llm.answers import Checks, ExtractionAnswer
from briefing.engines.llm.budget import BudgetReached, Estimate
from briefing.engines.llm.cache import AnswerCache
from briefing.engines.llm.client import (
    BatchClient,
    BatchNotFound,
    BatchStatus,
    ChunkFailed,
    completion_from_json,
)
from briefing.errors import UsageError
from briefing.models import Chunk, Document, Fact, FailedChunk
from briefing.text import count, one_line

if TYPE_CHECKING:
    from briefing.engines.llm.engine import LLMEngine

POLL_ENV = "BRIEFING_BATCH_POLL"
DEFAULT_POLL_SECONDS = 30.0
ENDED = {"completed", "failed", "expired", "cancelled"}
POLL_FAILURES = 5  # polls in a row that may fail (a 5xx, a dropped connection) before giving up


@dataclass
class _Item:
    """One extraction request waiting for the batch's answer."""

    index: int
    doc: Document
    variables: dict[str, Any]
    schema: dict[str, Any]
    checks: Checks
    spans: list[tuple[int, int]]
    body: dict[str, Any]
    ticket: tuple[int, float] | None = None


def poll_seconds() -> float:
    raw = os.environ.get(POLL_ENV)
    if not raw:
        return DEFAULT_POLL_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        raise UsageError(f"{POLL_ENV}: expected a number of seconds, got {raw!r}") from None
    return max(0.0, seconds)


def records(engine: LLMEngine) -> AnswerCache:
    """Where batch IDs are recorded: the cache folder's batches/ (none without a cache)."""
    cache = engine.cache
    return AnswerCache(cache.folder / "batches", cache.enabled, cache.warn)


def run_batch(
    engine: LLMEngine,
    docs: Sequence[Document],
    chunks: Sequence[Chunk],
    failed: dict[int, FailedChunk],
    progress: Progress | None = None,
) -> dict[int, list[Fact]]:
    """Facts of the chunks the cache or the Batch API answered; chunks the batch could not
    answer go in `failed`. Chunks in neither are left for live requests (none, normally)."""
    from briefing.engines.llm.engine import facts_of

    by_id = {d.id: d for d in docs}
    per_doc = Counter(chunk.source for chunk in chunks)
    results: dict[int, list[Fact]] = {}
    todo: dict[str, _Item] = {}
    for i, chunk in enumerate(chunks):
        doc = by_id[chunk.source]
        variables, schema, checks, spans = engine.extract_request(doc, chunk, per_doc[doc.id])
        messages, fmt, keys = engine.request_of("extract", variables, ExtractionAnswer, schema)
        answer = next((a for k in keys if (a := engine._cached(k, ExtractionAnswer, checks))), None)
        if answer is not None:
            results[i] = facts_of(answer, doc, spans)
            continue
        body: dict[str, Any] = {
            "model": engine.settings.model,
            "messages": messages,
            "response_format": fmt,
        }
        if engine.settings.temperature is not None:
            body["temperature"] = engine.settings.temperature
        if engine.settings.max_tokens is not None:
            body["max_tokens"] = engine.settings.max_tokens
        todo[keys[0]] = _Item(i, doc, variables, schema, checks, spans, body)
    done = len(results)
    client = BatchClient(engine.client)
    store = records(engine)
    here = {"base_url": client.settings.effective_base_url, "model": engine.settings.model}
    for record in store.entries():
        if not todo:
            break
        if not isinstance(record, dict) or {k: record.get(k) for k in here} != here:
            continue
        ids = record.get("requests") or {}
        if not isinstance(ids, dict) or not set(ids.values()) & set(todo):
            continue  # another run's batch: left on record for that run to resume
        engine.notice(f"batch {record['id']}: resuming the batch an earlier run started")
        try:
            status = _wait(engine, client, record["id"], done, len(chunks), progress)
        except BatchNotFound:
            store.delete(record["id"])
            engine.notice(
                f"batch {record['id']}: the server no longer knows it; record removed, "
                "its requests go in a new batch"
            )
            continue
        mine = set(todo)
        done += _collect(engine, client, status, todo, ids, results, failed)
        todo = {k: v for k, v in todo.items() if v.index not in results and v.index not in failed}
        others = {cid: key for cid, key in ids.items() if key not in mine}
        if others:  # requests of another run in the same batch: kept for that run
            store.put(record["id"], {**record, "requests": others})
        else:
            store.delete(record["id"])
    if not todo:
        return results
    sending: dict[str, _Item] = {}
    for key, item in todo.items():
        try:
            item.ticket = engine.meter.reserve(Estimate.of(item.body["messages"]), batch=True)
        except BudgetReached as exc:
            engine._count(unsent=1)
            failed[item.index] = _failed(chunks[item.index], str(exc))
            continue
        sending[key] = item
    if not sending:
        return results
    ids = {f"request-{n}": key for n, key in enumerate(sending, 1)}  # custom_id -> cache key
    lines = [
        json.dumps(
            {"custom_id": cid, "method": "POST", "url": "/v1/chat/completions", "body": body},
            ensure_ascii=False,
        )
        for cid, body in ((cid, sending[key].body) for cid, key in ids.items())
    ]
    status = client.create(("\n".join(lines) + "\n").encode("utf-8"))
    store.put(status.id, {"id": status.id, **here, "requests": ids})
    where = f"recorded in {store.folder}" if store.enabled else "not recorded: --no-cache"
    engine.notice(
        f"batch {status.id}: {count(len(sending), 'request')} sent to the Batch API ({where}; "
        "a run cut short resumes it with --batch)"
    )
    status = _wait(engine, client, status.id, done, len(chunks), progress, status, store.enabled)
    _collect(engine, client, status, sending, ids, results, failed)
    for key in sending:
        todo.pop(key, None)
    store.delete(status.id)
    return results


def _failed(chunk: Chunk, reason: str) -> FailedChunk:
    return FailedChunk(source=chunk.source, index=chunk.index + 1, reason=reason)


def _wait(
    engine: LLMEngine,
    client: BatchClient,
    batch_id: str,
    done: int,
    total: int,
    progress: Progress | None,
    status: BatchStatus | None = None,
    recorded: bool = True,
) -> BatchStatus:
    """Poll the batch until it ends, saying each new state and showing progress. A poll that
    fails (after the SDK's retries) is tried again at the next one, POLL_FAILURES in a row at
    most: the batch goes on at the provider whatever happens to one status request."""
    pause = poll_seconds()
    said = status.status if status else None
    misses = 0
    while True:
        if status is not None and status.status in ENDED:
            return status
        if status is not None or misses:
            time.sleep(pause)
        try:
            status = client.retrieve(batch_id)
        except ChunkFailed as exc:
            misses += 1
            if misses > POLL_FAILURES:
                kept = "not recorded: --no-cache"
                if recorded:
                    kept = "it stays recorded: a rerun with --batch resumes it"
                raise ChunkFailed(
                    f"batch {batch_id}: {misses} polls in a row failed (last: {exc}); {kept}"
                ) from exc
            if misses == 1:
                engine.notice(
                    f"batch {batch_id}: could not check on it ({exc}); trying again at the "
                    f"next poll (up to {POLL_FAILURES} times in a row)"
                )
            continue
        misses = 0
        if status.status != said:
            engine.notice(
                f"batch {batch_id}: {status.status.replace('_', ' ')} "
                f"({status.completed + status.failed:,} of {status.total:,} requests done)"
            )
            said = status.status
        if progress:
            progress(min(total, done + status.completed + status.failed), total)


def _lines(client: BatchClient, file_id: str | None) -> list[dict[str, Any]]:
    if not file_id:
        return []
    out = []
    for line in client.file_text(file_id).splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict):
            out.append(data)
    return out


def _code(line: dict[str, Any]) -> str | None:
    error = line.get("error")
    return str(error.get("code")) if isinstance(error, dict) else None


def _error_of(line: dict[str, Any]) -> str:
    error = line.get("error") or ((line.get("response") or {}).get("body") or {}).get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or "an error")
    status = (line.get("response") or {}).get("status_code")
    return f"status {status}" if status else "an error"


def _collect(
    engine: LLMEngine,
    client: BatchClient,
    status: BatchStatus,
    items: dict[str, _Item],
    ids: dict[str, str],
    results: dict[int, list[Fact]],
    failed: dict[int, FailedChunk],
) -> int:
    """Read what the ended batch answered into `results` (validated; invalid ones re-asked
    live) and `failed`; one line for what it did not answer. Returns how many it settled."""
    from briefing.engines.llm.engine import (
        AnswerFailed,
        InvalidAnswer,
        facts_of,
        parse_answer,
        reask,
    )

    answered: set[str] = set()
    errors: list[str] = []
    for line in _lines(client, status.output_file_id) + _lines(client, status.error_file_id):
        key = ids.get(str(line.get("custom_id")), "")
        item = items.get(key)
        if item is None or key in answered or item.index in results:
            continue
        if _code(line) in ("batch_expired", "batch_cancelled"):
            continue  # not answered: said once, below
        answered.add(key)
        response = line.get("response") or {}
        if line.get("error") or response.get("status_code") != 200:
            errors.append(_error_of(line))
            engine.meter.settle(item.ticket)
            failed[item.index] = _failed(
                item.variables["chunk"], f"the batch answered with an error: {_error_of(line)}"
            )
            continue
        try:
            completion = completion_from_json(response.get("body") or {}, "the batch")
        except ChunkFailed:
            engine.meter.settle(item.ticket)
            failed[item.index] = _failed(
                item.variables["chunk"], "the batch's answer is unreadable"
            )
            continue
        engine.meter.settle(
            item.ticket, completion.prompt_tokens, completion.completion_tokens, True
        )
        engine._count(
            requests=1,
            batched=1,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
        )
        checks = replace(item.checks, repair=False, fallbacks=0, dropped=0)
        try:
            answer = parse_answer(completion, ExtractionAnswer, checks)
        except InvalidAnswer as exc:
            try:  # asked again live, with the problem named
                answer = engine.ask(
                    "extract",
                    item.variables,
                    ExtractionAnswer,
                    item.schema,
                    item.checks,
                    reask(exc),
                )
            except (AnswerFailed, ChunkFailed) as again:
                failed[item.index] = _failed(item.variables["chunk"], str(again))
                continue
        else:
            if checks.fallbacks:
                engine._count(fallbacks=checks.fallbacks)
            engine.cache.put(key, answer.model_dump(mode="json"))
        results[item.index] = facts_of(answer, item.doc, item.spans)
    asked = [k for k in items if k in set(ids.values())]
    missing = [k for k in asked if k not in answered and items[k].index not in results]
    _say_outcome(engine.notice, status, len(asked), len(missing), errors)
    for key in missing:
        item = items[key]
        engine.meter.settle(item.ticket)
        failed[item.index] = _failed(
            item.variables["chunk"], f"not answered: batch {status.id} {status.status}"
        )
    return len(asked)


def _say_outcome(
    notice: Callable[[str], None], status: BatchStatus, total: int, missing: int, errors: list[str]
) -> None:
    rerun = "a rerun with --batch sends only them"
    if status.status == "failed":
        why = one_line(status.errors[0], 160) if status.errors else "no reason given"
        notice(f"batch {status.id} failed ({why}): {count(missing, 'passage')} not read; {rerun}")
    elif status.status in ("expired", "cancelled"):
        how = "expired before it finished" if status.status == "expired" else "was cancelled"
        notice(
            f"batch {status.id} {how}: {total - missing:,} of {total:,} requests answered, "
            f"{count(missing, 'passage')} not read; {rerun}"
        )
    elif missing:
        notice(
            f"batch {status.id} completed without {count(missing, 'answer')} of {total:,} "
            f"in its output: {count(missing, 'passage')} not read; {rerun}"
        )
    if errors:
        notice(
            f"batch {status.id}: {count(len(errors), 'request')} answered with an error "
            f"(first: {one_line(errors[0], 160)}); {rerun}"
        )
