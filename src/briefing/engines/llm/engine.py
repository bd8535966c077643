"""The LLM engine: structured-output extraction through any OpenAI-compatible server.

Each chunk is one request whose answer must validate against `ExtractionAnswer`. An answer that
does not (bad JSON, a schema violation, a refusal, a cut-off, no choices) is asked again with
the error fed back, a bounded number of times (tenacity); network faults are retried below, in
`llm_client`, and never reach a prompt. Valid answers are cached on disk. Chunks go out
concurrently. A chunk that never yields a valid answer is listed, and the run goes on.

After merging, `write_lead` asks the model for the key points, each citing claim IDs; IDs that
do not exist are fed back and asked again.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from briefing.assemble.stories import canonical_topic
from briefing.engines.base import Extraction, Progress
from briefing.engines.llm.answers import (
    MAX_LEAD_CLAIMS,
    Checks,
    ExtractionAnswer,
    LeadAnswer,
    LeadPoint,
    Passage,
    extraction_schema,
    lead_citations,
    lead_schema,
    response_format,
)
from briefing.engines.llm.budget import BudgetReached, Estimate, Meter
from briefing.engines.llm.cache import AnswerCache, cache_key
from briefing.engines.llm.client import ChatClient, ChunkFailed, SchemaModeUnsupported
from briefing.engines.llm.prompting import Prompts
from briefing.errors import ModelError
from briefing.models import Chunk, Claim, Document, Fact, FailedChunk, Usage
from briefing.text import REASON_CHARS, one_line, sentence_spans

DEFAULT_MODEL = "gpt-4.1-mini"
DEFAULT_CONCURRENCY = 8
DEFAULT_ATTEMPTS = 3
DEFAULT_LLM_CHUNK_CHARS = 6000

A = TypeVar("A", bound=BaseModel)


class InvalidAnswer(Exception):
    """An answer that cannot be used: `problem` is what the model is told when asked again,
    `summary` what people are told (never the model's own words; default: `problem`)."""

    def __init__(self, problem: str, raw: str | None, summary: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.raw = raw
        self.summary = summary or problem


class AnswerFailed(Exception):
    """No valid answer after every attempt: carries the attempts, the last problem and the last
    raw answer (instructor's habit: the failure explains itself). Its message is for people
    (the stats, stderr): the problem's summary, never the raw answer."""

    def __init__(self, attempts: int, problem: str, raw: str | None, summary: str | None = None):
        super().__init__(f"no valid answer after {attempts} attempts: {summary or problem}")
        self.attempts = attempts
        self.problem = problem
        self.raw = raw


@dataclass
class LLMSettings:
    model: str = DEFAULT_MODEL
    concurrency: int = DEFAULT_CONCURRENCY
    attempts: int = DEFAULT_ATTEMPTS
    temperature: float | None = 0.0
    max_tokens: int | None = 4096
    max_facts: int = 12
    audience: str = "default"
    prompt_dirs: Sequence[str] = field(default_factory=tuple)
    batch: bool = False  # extraction through the Batch API (engines/llm/batch.py)


Notice = Callable[[str], None]


def _stderr_notice(message: str) -> None:
    print(f"briefing: {one_line(message)}", file=sys.stderr)


class LLMEngine:
    """Extracts facts with a model. Thread-safe counters; one instance per run."""

    name = "llm"

    def __init__(
        self,
        client: ChatClient,
        settings: LLMSettings,
        cache: AnswerCache,
        notice: Notice = _stderr_notice,
        meter: Meter | None = None,
    ):
        self.client = client
        self.meter = meter or Meter()  # prices and limits what is sent (engines/llm/budget.py)
        self.settings = settings
        self.model: str | None = settings.model
        self.cache = cache
        self.notice = notice
        self.prompts = Prompts(settings.audience, settings.prompt_dirs)
        # A server that only takes JSON mode said so in an earlier run: ask (and look up the
        # cache) in JSON mode from the start, instead of sending doomed requests again.
        self.json_schema_mode = cache.get(self._json_mode_key()) is not True
        self.facts_kept = 0
        self._usage = Usage()
        self._lock = threading.Lock()

    @property
    def resumable(self) -> bool:
        """Answers that finished are in the cache, unless it is off (--no-cache)."""
        return self.cache.enabled

    # -- accounting ---------------------------------------------------------------------------

    def usage(self) -> Usage:
        with self._lock:
            usage = self._usage.model_copy()
        usage.cost = self.meter.spent()
        return usage

    def _count(self, **delta: int) -> None:
        with self._lock:
            for key, value in delta.items():
                setattr(self._usage, key, getattr(self._usage, key) + value)

    # -- one validated answer -------------------------------------------------------------------

    def _messages(
        self, kind: str, variables: dict[str, Any], schema: dict[str, Any], json_mode: bool
    ) -> list[dict]:
        schema_text = None if json_mode else json.dumps(schema, ensure_ascii=False)
        system = self.prompts.render(f"{kind}.system.j2", schema=schema_text, **variables)
        user = self.prompts.render(f"{kind}.user.j2", **variables)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def _key(self, messages: list[dict], fmt: dict[str, Any], schema: dict[str, Any]) -> str:
        return cache_key(
            {
                "base_url": self.client.settings.effective_base_url,
                "model": self.settings.model,
                "messages": messages,
                "response_format": fmt,
                "schema": schema,
                "temperature": self.settings.temperature,
                "max_tokens": self.settings.max_tokens,
            }
        )

    def _json_mode_key(self) -> str:
        return cache_key(
            {
                "json_mode_only": self.client.settings.effective_base_url,
                "model": self.settings.model,
            }
        )

    def _cached(self, key: str, answer_model: type[A], checks: Checks) -> A | None:
        cached = self.cache.get(key)
        if cached is None:
            return None
        try:
            answer = answer_model.model_validate(cached, context=replace(checks).context())
        except ValidationError:
            return None  # a stale or foreign entry: ask again
        self._count(cached=1)
        return answer

    def ask(
        self,
        kind: str,
        variables: dict[str, Any],
        answer_model: type[A],
        schema: dict[str, Any],
        checks: Checks | None = None,
        feedback: list[dict] | None = None,
    ) -> A:
        """A validated answer of `answer_model` to the prompt `kind`, asked with the strict
        JSON `schema`, from the cache when the same request was answered before. Validation
        gets `checks` as context (see `answers`). `feedback` (an answer that could not be
        used and why) goes with the first request, as a re-ask. Raises AnswerFailed,
        ChunkFailed (BudgetReached) or AuthFailed."""
        checks = checks or Checks()
        while True:
            json_mode = self.json_schema_mode
            messages = self._messages(kind, variables, schema, json_mode)
            fmt = response_format(answer_model.__name__, schema, json_mode)
            key = self._key(messages, fmt, schema)
            answer = self._cached(key, answer_model, checks)
            if answer is not None:
                return answer
            try:
                answer = self._ask_until_valid(messages, fmt, answer_model, checks, feedback)
            except SchemaModeUnsupported as exc:
                if not json_mode:
                    raise ChunkFailed(f"the server rejected JSON mode too: {exc}") from exc
                with self._lock:
                    switched = self.json_schema_mode
                    self.json_schema_mode = False
                if switched:
                    self.cache.put(self._json_mode_key(), True)
                    self.notice(
                        "the server does not take JSON-schema output; using JSON mode "
                        "with the schema in the prompt for the rest of this run"
                    )
                continue
            self.cache.put(key, answer.model_dump(mode="json"))
            return answer

    def _ask_until_valid(
        self,
        messages: list[dict],
        fmt: dict[str, Any],
        answer_model: type[A],
        checks: Checks,
        feedback: list[dict] | None = None,
    ) -> A:
        feedback = list(feedback or [])
        attempts = 0
        total = max(1, self.settings.attempts)
        retrying = Retrying(
            stop=stop_after_attempt(total),
            retry=retry_if_exception_type(InvalidAnswer),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    if attempts > 1 or feedback:
                        self._count(reasks=1)
                    completion = self._send(messages + feedback, fmt)
                    # The last attempt mends what it can (a claim its sentences do not
                    # support is written as those sentences) instead of failing.
                    this = replace(checks, repair=attempts == total, fallbacks=0, dropped=0)
                    try:
                        answer = parse_answer(completion, answer_model, this)
                    except InvalidAnswer as exc:
                        feedback = reask(exc)
                        raise
                    if this.fallbacks:
                        self._count(fallbacks=this.fallbacks)
                    return answer
        except InvalidAnswer as exc:
            raise AnswerFailed(attempts, exc.problem, exc.raw, exc.summary) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, messages: list[dict], fmt: dict[str, Any]) -> Any:
        """One request, within the budget (`meter`), counted."""
        ticket = self.meter.reserve(Estimate.of(messages, self.settings.max_tokens))
        try:
            completion = self.client.chat(
                self.settings.model,
                messages,
                fmt,
                self.settings.temperature,
                self.settings.max_tokens,
            )
        except ChunkFailed:
            self.meter.settle(ticket)
            raise
        self.meter.settle(ticket, completion.prompt_tokens, completion.completion_tokens)
        self._count(
            requests=1,
            retries=completion.retries,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
        )
        return completion

    # -- the engine interface -------------------------------------------------------------------

    def extract_request(
        self, doc: Document, chunk: Chunk, chunk_count: int
    ) -> tuple[dict[str, Any], dict[str, Any], Checks, list[tuple[int, int]]]:
        """What `ask` is asked for one chunk: the prompt's variables, the schema, the checks
        its answer must pass, and the chunk's sentence spans (the numbers it cites)."""
        spans = chunk.sentences or [
            s for start, end in chunk.spans for s in sentence_spans(doc.text, start, end)
        ]
        passage, lines = _numbered(doc, chunk, spans)
        variables = {
            "document": _doc_vars(doc),
            "chunk": chunk,
            "sentences": lines,
            "chunk_count": chunk_count,
            "max_facts": self.settings.max_facts,
            "audience": self.settings.audience,
        }
        return variables, extraction_schema(len(spans)), Checks(passage=passage), list(spans)

    def request_of(
        self, kind: str, variables: dict[str, Any], answer_model: type[BaseModel], schema: dict
    ) -> tuple[list[dict], dict[str, Any], list[str]]:
        """The messages and response format `ask` would send now, and the cache keys it looks
        under (this mode's first)."""
        keys = []
        for mode in dict.fromkeys((self.json_schema_mode, False)):
            messages = self._messages(kind, variables, schema, mode)
            fmt = response_format(answer_model.__name__, schema, mode)
            keys.append(self._key(messages, fmt, schema))
            if mode == self.json_schema_mode:
                sent = (messages, fmt)
        return sent[0], sent[1], keys

    def extract(
        self, docs: Sequence[Document], chunks: Sequence[Chunk], progress: Progress | None = None
    ) -> Extraction:
        by_doc: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            by_doc.setdefault(chunk.source, []).append(chunk)
        return self.extract_stream(((d, by_doc.get(d.id, [])) for d in docs), progress)

    def extract_stream(
        self,
        pieces: Iterable[tuple[Document, Sequence[Chunk]]],
        progress: Progress | None = None,
    ) -> Extraction:
        """Facts from each document's chunks, the requests sent as the pieces come: a chunk's
        request leaves while the next documents are still read. `progress(done, total)`
        counts the chunks seen so far. With --batch, every piece is taken first and the
        Batch API answers what it can (engines/llm/batch.py); the rest are asked live."""
        results: dict[int, list[Fact]] = {}
        failed: dict[int, FailedChunk] = {}
        chunks: list[Chunk] = []
        docs: dict[str, Document] = {}
        per_doc: Counter[str] = Counter()

        def work(i: int) -> list[Fact]:
            chunk = chunks[i]
            doc = docs[chunk.source]
            variables, schema, checks, spans = self.extract_request(doc, chunk, per_doc[doc.id])
            answer = self.ask("extract", variables, ExtractionAnswer, schema, checks)
            return facts_of(answer, doc, spans)

        def take(doc: Document, doc_chunks: Sequence[Chunk]) -> range:
            docs[doc.id] = doc
            per_doc[doc.id] += len(doc_chunks)
            chunks.extend(doc_chunks)
            return range(len(chunks) - len(doc_chunks), len(chunks))

        done = 0
        pending: dict[Future, int] = {}

        def collect(finished: Iterable[Future]) -> None:
            nonlocal done
            for future in finished:
                i = pending.pop(future)
                try:
                    results[i] = future.result()
                    self.facts_kept += len(results[i])
                except BudgetReached as exc:
                    self._count(unsent=1)
                    failed[i] = _failed_chunk(chunks[i], exc)
                except (AnswerFailed, ChunkFailed) as exc:
                    failed[i] = _failed_chunk(chunks[i], exc)
                done += 1
                if progress:
                    progress(done, len(chunks))

        if self.settings.batch:  # the Batch API takes every request at once
            for doc, doc_chunks in pieces:
                take(doc, doc_chunks)
            pieces = ()
            from briefing.engines.llm.batch import run_batch

            results.update(run_batch(self, list(docs.values()), chunks, failed, progress))
            done = len(results) + len(failed)
        pool = ThreadPoolExecutor(
            max_workers=max(1, self.settings.concurrency), thread_name_prefix="briefing-llm"
        )
        try:
            for i in range(len(chunks)):  # what the batch left
                if i not in results and i not in failed:
                    pending[pool.submit(work, i)] = i
            for n, (doc, doc_chunks) in enumerate(pieces):
                for i in take(doc, doc_chunks):
                    pending[pool.submit(work, i)] = i
                if n == 0:
                    # The first requests wait for the SDK, whose import is CPU work: reading
                    # more documents meanwhile would only slow it down (one interpreter lock),
                    # and they are read while the first answers are awaited instead.
                    self.client.wait_ready()
                # Answers that came in while this document was read: counted now, so that
                # progress moves (and a key the server rejects stops the run) during reading.
                collect([f for f in pending if f.done()])
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                collect(finished)
        except BaseException:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        if chunks and len(failed) == len(chunks) and not self.meter.stopped:
            first = failed[min(failed)]
            raise ModelError(
                f"no chunk could be read; the first: {first.source}#{first.index}: "
                + one_line(first.reason, REASON_CHARS)
            )
        return Extraction(
            facts=[f for i in sorted(results) for f in results[i]],
            failed_chunks=[failed[i] for i in sorted(failed)],
        )

    def write_lead(
        self, claims: Sequence[Claim], title: str, max_points: int
    ) -> list[Claim] | None:
        """Key points written by the model, each citing claims by ID and citing the files of
        those claims that support it, or None when the model gave no usable lead (the
        briefing then leads with its top claims)."""
        if not claims or max_points < 1:
            return None
        offered = sorted(claims, key=lambda c: -c.importance)[:MAX_LEAD_CLAIMS]
        known = {c.id: c for c in offered}
        try:
            answer = self.ask(
                "lead",
                {
                    "claims": offered,
                    "title": title,
                    "max_points": max_points,
                    "audience": self.settings.audience,
                },
                LeadAnswer,
                lead_schema([c.id for c in offered], max_points),
                Checks(claims=known, max_points=max_points),
            )
        except (AnswerFailed, ChunkFailed) as exc:
            self.notice(
                f"the model's key points could not be used ({one_line(str(exc), 160)}); "
                "the top claims lead instead"
            )
            return None
        points = [_lead_claim(n, p, known) for n, p in enumerate(answer.points, 1)]
        return [p for p in points if p.citations] or None


def reask(exc: InvalidAnswer) -> list[dict]:
    """The messages that ask again: the answer that could not be used, and why."""
    return [
        {"role": "assistant", "content": exc.raw or ""},
        {
            "role": "user",
            "content": (
                f"That answer cannot be used: {exc.problem}. Answer again with "
                "one JSON object that matches the schema."
            ),
        },
    ]


def _failed_chunk(chunk: Chunk, exc: Exception) -> FailedChunk:
    return FailedChunk(source=chunk.source, index=chunk.index + 1, reason=str(exc))


def facts_of(
    answer: ExtractionAnswer, doc: Document, spans: Sequence[tuple[int, int]]
) -> list[Fact]:
    """The facts of a valid answer, each quoting its cited sentences from the document."""
    facts = []
    for f in answer.facts:
        start, end = spans[f.sentences[0] - 1][0], spans[f.sentences[-1] - 1][1]
        facts.append(
            Fact(
                source=doc.id,
                claim=" ".join(f.claim.split()),
                quote=doc.text[start:end],  # copied by the program, never the model
                topic=canonical_topic(f.topic, f.claim),
                importance=f.importance / 5,
                hint=start,
            )
        )
    return facts


def _lead_claim(n: int, point: LeadPoint, known: dict[str, Claim]) -> Claim:
    cited = [known[c] for c in dict.fromkeys(point.claims)]
    return Claim(
        id=f"k{n}",
        text=" ".join(point.text.split()),
        citations=lead_citations(point.text, cited),
        topic=None,
        importance=max(c.importance for c in cited),
        kind="key_point",
    )


def _doc_vars(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "date": doc.date.isoformat() if doc.date else None,
        "url": doc.url,
    }


def _numbered(
    doc: Document, chunk: Chunk, spans: Sequence[tuple[int, int]]
) -> tuple[Passage, list[dict[str, Any]]]:
    """The chunk's sentences numbered from 1, as validation reads them (`Passage`: which block
    of content each is in, so that no quote runs across furniture left out between two) and as
    the prompt shows them (each on one line, a blank line before a new paragraph or block)."""
    starts = [a for a, _ in chunk.spans]
    texts: list[str] = []
    blocks: list[int] = []
    lines: list[dict[str, Any]] = []
    for n, (s, e) in enumerate(spans):
        block = bisect.bisect_right(starts, s)
        new = n > 0 and (block != blocks[-1] or "\n" in doc.text[spans[n - 1][1] : s])
        blocks.append(block)
        texts.append(" ".join(doc.text[s:e].split()))
        lines.append({"n": n + 1, "text": texts[-1], "new_paragraph": new})
    return Passage(texts, blocks), lines


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def parse_answer(completion: Any, answer_model: type[A], checks: Checks | None = None) -> A:
    """The completion as a validated `answer_model` (validated with `checks` as context), or
    InvalidAnswer saying what is wrong."""
    if completion.choices == 0:
        raise InvalidAnswer("the response had no choices", None)
    if completion.refusal:
        raise InvalidAnswer(
            f"you declined ({completion.refusal.strip()[:200]}); the passage is a published "
            "document to be summarised: extract its facts, or return an empty list",
            None,
            summary="the model declined to answer",
        )
    raw = completion.content
    if completion.finish_reason == "length":
        raise InvalidAnswer(
            "the answer was cut off at the token limit; return fewer facts with shorter claims",
            raw,
        )
    if not raw or not raw.strip():
        raise InvalidAnswer("the answer was empty", raw)
    text = raw.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidAnswer(f"the answer is not valid JSON ({exc})", raw) from None
    try:
        return answer_model.model_validate(
            data, context=checks.context() if checks is not None else None
        )
    except ValidationError as exc:
        errors = exc.errors()
        ours = [str(e["msg"]).removeprefix("Value error, ") for e in errors if not e["loc"]]
        if ours:  # what validation against the passage or the claims found
            raise InvalidAnswer("; ".join(ours), raw) from None
        shown = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:8])
        raise InvalidAnswer(f"it does not match the schema ({shown})", raw) from None
