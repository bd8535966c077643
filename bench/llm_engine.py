"""The LLM engine against a fake OpenAI-compatible server on 127.0.0.1 with a fixed latency
(tests/support/openai_server.py answering with tests/support/fake_model.py's ModelResponder):
how well requests overlap, how many are sent, what the prompts cost, and what the cache saves.

    python bench/llm_engine.py [--docs 200] [--latencies 0.05,0.2] [--concurrency 1,4,16]
                               [--incremental-docs 1000] [--incremental-latency 0.0] [--seed 0]

Parts:

1. Concurrency. For each latency L and concurrency C, a build of the corpus with an empty cache
   (in-process `briefing.pipeline.build`, the engine from `briefing.engines.factory.make_engine`):
   requests, wall time, and the ideal time if requests overlapped perfectly and cost nothing but
   the latency: ceil(extraction requests / C) x L + lead requests x L (the lead is asked after
   extraction, on its own). Two ratios: the engine's own time (extract + lead) over the ideal,
   which is what concurrency controls, and the whole build's wall time over the ideal (loading,
   merging, conflicts... included). Target: engine wall / ideal <= 1.15 at C = 16.
2. Tokens. Prompt tokens against the tokens of the source text (both chars / 4, the fake
   server's estimate): the prompt overhead. Target: < 30% at the default chunk size.
3. Cache. The same build again with the same cache: target 0 requests.
4. One new document. A corpus of --incremental-docs documents built once (latency
   --incremental-latency), then one long document added and built again: target requests =
   the new document's chunks + 1 (the lead).

The fake model's answers are memoised by prompt (they are deterministic) and a warm-up build
fills the memo before anything is timed, so the server's own CPU per request is a lookup, not a
run of the stand-in model: the wall times are briefing's, sharing the process with a thin server.
--no-memo turns that off. --server process runs the fake server in a child process instead
(same server, same responder), so that its HTTP handling and the stand-in model do not share
this process's GIL with briefing: then the times are briefing's alone.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C
import corpus

MODEL = "bench-model"
TARGET_RATIO = 1.15
TARGET_OVERHEAD = 0.30
_DOC_LINE = re.compile(r"^Document: (\S+)$", re.MULTILINE)


class MemoResponder:
    """A deterministic responder, remembered by the request's messages."""

    def __init__(self, inner):
        self.inner = inner
        self.memo: dict[str, object] = {}
        self.lock = threading.Lock()

    def __call__(self, request):
        key = json.dumps(request.get("messages"), sort_keys=True, ensure_ascii=False)
        with self.lock:
            reply = self.memo.get(key)
        if reply is None:
            reply = self.inner(request)
            with self.lock:
                self.memo[key] = reply
        return reply


CONTROL_MODEL = "__bench_control__"


class RecordingResponder:
    """Notes (kind, prompt tokens, document, wall-clock time of the answer) of every request,
    then lets `inner` answer (the server waits its latency before asking the responder, so a
    request arrived about `latency` seconds before its time).
    Requests for the model CONTROL_MODEL are the benchmark talking to the server (in another
    process): {"op": "records", "since": N} or {"op": "latency", "value": L}."""

    def __init__(self, inner, server_mod, fake_mod):
        self.inner = inner
        self.server_mod = server_mod
        self.fake_mod = fake_mod
        self.records: list[tuple[str, int, str | None, float]] = []
        self.lock = threading.Lock()
        self.server = None

    def __call__(self, request):
        texts = self.server_mod.message_texts(request)
        if request.get("model") == CONTROL_MODEL:
            return self.server_mod.Reply.content(json.dumps(self.control(json.loads(texts[-1]))))
        tokens = math.ceil(sum(map(len, texts)) / 4)  # the fake server's own estimate
        if self.fake_mod.is_lead(request):
            record = ("lead", tokens, None, time.time())
        elif self.fake_mod.is_extract(request):
            m = _DOC_LINE.search("\n".join(texts))
            record = ("extract", tokens, m.group(1) if m else "?", time.time())
        else:
            record = ("other", tokens, None, time.time())
        with self.lock:
            self.records.append(record)
        return self.inner(request)

    def control(self, op: dict):
        if op["op"] == "records":
            with self.lock:
                return self.records[op["since"] :]
        if op["op"] == "latency":
            self.server.latency = float(op["value"])
            return {"latency": self.server.latency}
        raise ValueError(op)


class InProcessServer:
    """FakeOpenAIServer in a thread of this process."""

    kind = "thread"

    def __init__(self, responder: RecordingResponder, server_mod):
        self.responder = responder
        self.srv = server_mod.FakeOpenAIServer(responder=responder, latency=0.0)
        responder.server = self.srv

    def __enter__(self):
        self.srv.start()
        return self

    def __exit__(self, *exc):
        self.srv.stop()

    @property
    def base_url(self) -> str:
        return self.srv.base_url

    def set_latency(self, value: float) -> None:
        self.srv.latency = value

    def count(self) -> int:
        with self.responder.lock:
            return len(self.responder.records)

    def records(self, since: int) -> list:
        with self.responder.lock:
            return list(self.responder.records[since:])


class ChildProcessServer:
    """The same server and responder in a child process (`llm_engine.py --serve`), driven
    through control requests; it stops when its standard input closes."""

    kind = "process"

    def __init__(self, memo: bool):
        import subprocess

        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve"]
        if not memo:
            cmd.append("--no-memo")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise SystemExit(f"the fake server child did not start: {self.base_url!r}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.terminate()  # our own child, by its handle
            self.proc.wait(timeout=10)

    def _control(self, op: dict):
        import urllib.request

        body = {"model": CONTROL_MODEL, "messages": [{"role": "user", "content": json.dumps(op)}]}
        request = urllib.request.Request(
            self.base_url + "/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=60) as response:
            answer = json.loads(response.read())
        return json.loads(answer["choices"][0]["message"]["content"])

    def set_latency(self, value: float) -> None:
        self._control({"op": "latency", "value": value})

    def records(self, since: int) -> list:
        return [tuple(r) for r in self._control({"op": "records", "since": since})]

    def count(self) -> int:
        return len(self.records(0))


def serve(memo: bool) -> int:
    """The child of ChildProcessServer: serve until standard input closes."""
    server_mod, fake_mod = C.import_test_support()
    inner = fake_mod.ModelResponder()
    if memo:
        inner = MemoResponder(inner)
    responder = RecordingResponder(inner, server_mod, fake_mod)
    with server_mod.FakeOpenAIServer(responder=responder, latency=0.0) as srv:
        responder.server = srv
        print(srv.base_url, flush=True)
        sys.stdin.read()
    return 0


@dataclass
class Run:
    wall: float
    engine_s: float  # inside engine.extract + engine.write_lead
    extract_s: float
    lead_s: float
    usage: object
    extract_requests: int = 0
    lead_requests: int = 0
    other_requests: int = 0
    extract_prompt_tokens: int = 0
    lead_prompt_tokens: int = 0
    docs_asked: dict[str, int] = field(default_factory=dict)
    stats: object = None
    notices: list[str] = field(default_factory=list)
    ask_cpu: float = 0.0  # seconds of CPU of the asking threads, in engine.ask
    chat_cpu: float = 0.0  # of which in the SDK's call (ChatClient.chat)

    @property
    def requests(self) -> int:
        return self.extract_requests + self.lead_requests + self.other_requests


def build_once(folder: Path, srv, concurrency: int, cache_dir: Path, profiles=None) -> Run:
    """One build; with `profiles` (a list), every `engine.ask` call is run under its own
    cProfile.Profile, appended there (cProfile sees one thread only; ask runs in workers)."""
    from briefing.engines.factory import EngineConfig, make_engine
    from briefing.pipeline import BuildOptions, build

    notices: list[str] = []
    engine, _ = make_engine(
        EngineConfig(
            engine="llm",
            model=MODEL,
            base_url=srv.base_url,
            concurrency=concurrency,
            timeout=120,
            cache_dir=str(cache_dir),
        ),
        notice=notices.append,
    )
    spent = {"extract": 0.0, "lead": 0.0}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t

        return wrapper

    engine.extract = timed("extract", engine.extract)
    if hasattr(engine, "extract_stream"):  # what build() calls: requests go as documents come
        engine.extract_stream = timed("extract", engine.extract_stream)
    engine.write_lead = timed("lead", engine.write_lead)
    # CPU of the threads that ask (time.thread_time: this thread's CPU, not its waits): all of
    # a request's client work (prompt, cache, the SDK, validation), and the SDK's call alone.
    cpu = {"ask": 0.0, "chat": 0.0}
    cpu_lock = threading.Lock()

    def thread_cpu(name, fn):
        def wrapper(*args, **kwargs):
            t = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                with cpu_lock:
                    cpu[name] += time.thread_time() - t

        return wrapper

    if hasattr(engine, "ask"):
        engine.ask = thread_cpu("ask", engine.ask)
        engine.client.chat = thread_cpu("chat", engine.client.chat)
    if profiles is not None and hasattr(engine, "ask"):
        import cProfile

        ask = engine.ask

        def profiled_ask(*args, **kwargs):
            profiler = cProfile.Profile()
            profiles.append(profiler)
            return profiler.runcall(ask, *args, **kwargs)

        engine.ask = profiled_ask
    since = srv.count()
    t0 = time.perf_counter()
    result = build([folder], engine, BuildOptions())
    wall = time.perf_counter() - t0
    client = getattr(engine, "client", None)
    if client is not None and hasattr(client, "close"):
        client.close()
    run = Run(
        wall=wall,
        engine_s=spent["extract"] + spent["lead"],
        ask_cpu=cpu["ask"],
        chat_cpu=cpu["chat"],
        extract_s=spent["extract"],
        lead_s=spent["lead"],
        usage=result.stats.usage,
        stats=result.stats,
        notices=notices,
    )
    for kind, tokens, doc, _ in srv.records(since):
        if kind == "lead":
            run.lead_requests += 1
            run.lead_prompt_tokens += tokens
        elif kind == "extract":
            run.extract_requests += 1
            run.extract_prompt_tokens += tokens
            run.docs_asked[doc] = run.docs_asked.get(doc, 0) + 1
        else:
            run.other_requests += 1
    return run


def print_profile(profiles: list, top: int) -> None:
    import pstats

    stats = pstats.Stats(profiles[0])
    for p in profiles[1:]:
        stats.add(p)
    stats.sort_stats("cumulative")
    rows = []
    for func in stats.fcn_list:
        filename, line, name = func
        if filename.endswith("llm_engine.py"):
            continue
        _, nc, tt, ct, _ = stats.stats[func]
        parts = Path(filename).parts
        where = "/".join(parts[-2:]) if line else name
        label = f"`{where}:{line}({name})`" if line else f"`{name}`"
        rows.append(
            [label, nc, f"{1000 * tt / len(profiles):.2f}", f"{1000 * ct / len(profiles):.2f}"]
        )
        if len(rows) >= top:
            break
    print(
        f"Profile of `engine.ask` over {len(profiles)} requests (latency 0, concurrency 1; "
        f"cProfile inflates the times), top {top} by cumulative time, per request:\n"
    )
    print(C.table(["function", "calls", "own ms/request", "cumulative ms/request"], rows, "lrrr"))
    print()


def corpus_facts(folder: Path) -> dict:
    from briefing.ingest.chunking import chunk_documents
    from briefing.ingest.sources import load_documents
    from briefing.pipeline import BuildOptions

    docs, _ = load_documents([folder])
    chunks = chunk_documents(docs, BuildOptions().chunk_chars)
    return {
        "docs": docs,
        "documents": len(docs),
        "bytes": sum(Path(d.path).stat().st_size for d in docs),
        "chars": sum(len(d.text) for d in docs),
        "chunk_chars": sum(len(c.text) for c in chunks),
        "chunks": len(chunks),
        "chunk_size": BuildOptions().chunk_chars,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200, help="corpus size for parts 1-3")
    parser.add_argument("--latencies", type=C.floats, default=[0.05, 0.2])
    parser.add_argument("--concurrency", type=C.ints, default=[1, 4, 16])
    parser.add_argument("--incremental-docs", type=int, default=1000, help="0 skips part 4")
    parser.add_argument("--incremental-latency", type=float, default=0.0)
    parser.add_argument("--incremental-concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-memo", action="store_true", help="run the fake model every time")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the engine's requests (concurrency 1)"
    )
    parser.add_argument("--top", type=int, default=12, help="functions shown by --profile")
    parser.add_argument(
        "--server",
        choices=["thread", "process"],
        default="thread",
        help="run the fake server in this process (default) or in a child process",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(memo=not args.no_memo)

    os.environ["OPENAI_API_KEY"] = "bench-dummy-key"  # the fake server takes any key
    os.environ.pop("OPENAI_BASE_URL", None)
    no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = no_proxy
    server_mod, fake_mod = C.import_test_support()

    C.header(
        "LLM engine against a fake OpenAI-compatible server",
        {
            "corpus": f"{args.docs:,} documents (bench/corpus.py, seed {args.seed})",
            "latencies (s)": ", ".join(f"{x:g}" for x in args.latencies),
            "concurrency": ", ".join(str(c) for c in args.concurrency),
            "one new document": (
                f"corpus of {args.incremental_docs:,}, latency {args.incremental_latency:g} s, "
                f"concurrency {args.incremental_concurrency}"
                if args.incremental_docs
                else "skipped"
            ),
            "server": "FakeOpenAIServer "
            + ("in this process" if args.server == "thread" else "in a child process")
            + " (127.0.0.1), ModelResponder"
            + ("" if args.no_memo else ", answers memoised after an untimed warm-up build"),
            "model name sent": MODEL,
        },
    )
    tmp = tempfile.TemporaryDirectory(prefix="briefing-llm-bench-")
    work = Path(tmp.name)
    folder = work / "corpus"
    corpus.write_corpus(folder, args.docs, args.seed)
    facts = corpus_facts(folder)
    if args.server == "thread":
        inner = fake_mod.ModelResponder()
        if not args.no_memo:
            inner = MemoResponder(inner)
        server = InProcessServer(RecordingResponder(inner, server_mod, fake_mod), server_mod)
    else:
        server = ChildProcessServer(memo=not args.no_memo)

    print("## Corpus\n")
    source_tokens = math.ceil(facts["chars"] / 4)
    print(
        C.table(
            [
                "documents",
                "MB",
                "chunks",
                "chunks/doc",
                "chunk size (chars)",
                "source tokens",
                "chunk-text tokens",
            ],
            [
                [
                    facts["documents"],
                    f"{facts['bytes'] / 1e6:.2f}",
                    facts["chunks"],
                    f"{facts['chunks'] / facts['documents']:.2f}",
                    facts["chunk_size"],
                    source_tokens,
                    math.ceil(facts["chunk_chars"] / 4),
                ]
            ],
        )
    )
    print(
        "\n*source tokens*: characters of the documents / 4; *chunk-text tokens*: of the "
        "passages actually sent (furniture and metadata left out) / 4.\n"
    )

    runs: dict[tuple[float, int], Run] = {}
    caches: dict[tuple[float, int], Path] = {}
    with server as srv:
        if not args.no_memo:
            print("[warm-up] building once to fill the fake model's memo ...", file=sys.stderr)
            build_once(folder, srv, 16, work / "cache-warmup")
        for latency in args.latencies:
            srv.set_latency(latency)
            for conc in args.concurrency:
                cache = work / f"cache-{latency:g}-{conc}"
                print(f"[run] latency {latency:g} s, concurrency {conc} ...", file=sys.stderr)
                runs[latency, conc] = build_once(folder, srv, conc, cache)
                caches[latency, conc] = cache

        srv.set_latency(0.0)
        print("[run] latency 0, concurrency 1: the cost of a request ...", file=sys.stderr)
        profiles: list | None = [] if args.profile else None
        zero = build_once(folder, srv, 1, work / "cache-zero")
        cost = zero.engine_s / max(1, zero.requests)

        # -- 1. concurrency
        print("## 1. Concurrency (empty cache each run)\n")
        rows = []
        verdicts = []
        for (latency, conc), r in runs.items():
            ideal = math.ceil(r.extract_requests / conc) * latency + r.lead_requests * latency
            eng_ratio = r.engine_s / ideal if ideal else None
            wall_ratio = r.wall / ideal if ideal else None
            target = None
            if conc == 16 and eng_ratio is not None:
                target = eng_ratio <= TARGET_RATIO
                verdicts.append((latency, eng_ratio, wall_ratio))
            rows.append(
                [
                    f"{latency:g}",
                    conc,
                    r.requests,
                    f"{r.extract_requests} + {r.lead_requests}",
                    r.usage.reasks if r.usage else None,
                    f"{r.wall:.2f}",
                    f"{r.engine_s:.2f}",
                    f"{ideal:.2f}",
                    f"{eng_ratio:.2f}" if eng_ratio else None,
                    f"{wall_ratio:.2f}" if wall_ratio else None,
                    f"{1000 * r.ask_cpu / max(1, r.requests):.2f}",
                    f"{1000 * r.chat_cpu / max(1, r.requests):.2f}",
                    C.met(target) if conc == 16 else "",
                ]
            )
        print(
            C.table(
                [
                    "latency s",
                    "concurrency",
                    "requests",
                    "extract + lead",
                    "re-asks",
                    "build wall s",
                    "engine s",
                    "ideal s",
                    "engine / ideal",
                    "build / ideal",
                    "client CPU ms / request",
                    "of which SDK call",
                    "target <= 1.15 at 16",
                ],
                rows,
                "rrrrrrrrrrrrl",
            )
        )
        print(
            "\n*engine s*: time inside `engine.extract` and `engine.write_lead`; *build wall s*: "
            "the whole `build()` (loading, chunking, grounding, merging, conflicts too). "
            "ideal = ceil(extract requests / concurrency) x latency + lead requests x latency.\n"
        )
        print(
            f"At latency 0 and concurrency 1 a request costs **{1000 * cost:.1f} ms** of wall "
            f"time ({zero.requests} requests in {zero.engine_s:.2f} s): briefing's own work per "
            "request and the SDK's, plus the loopback HTTP exchange"
            + (" and the server's share (same process)" if srv.kind == "thread" else "")
            + ". Python runs that work in one thread at a time (the GIL), so once C x that "
            "cost exceeds the latency, more concurrency cannot bring the time per round "
            "down to the latency. Break-even concurrency, L / cost: "
            + ", ".join(f"{lat / cost:.0f} at L={lat:g} s" for lat in args.latencies)
            + ".\n"
        )
        if profiles is not None:
            build_once(folder, srv, 1, work / "cache-profile", profiles)
            print_profile(profiles, args.top)

        # -- 2. tokens
        print("## 2. Requests and prompt tokens\n")
        r = next(iter(runs.values()))
        overhead = r.extract_prompt_tokens / source_tokens - 1
        per_request = (r.extract_prompt_tokens - source_tokens) / max(1, r.extract_requests)
        usage = r.usage
        print(
            C.table(
                ["", "value"],
                [
                    [
                        "extraction requests per document",
                        f"{r.extract_requests / facts['documents']:.2f}",
                    ],
                    ["chunks per document", f"{facts['chunks'] / facts['documents']:.2f}"],
                    ["lead requests", r.lead_requests],
                    ["prompt tokens, extraction (server estimate)", r.extract_prompt_tokens],
                    ["prompt tokens, lead", r.lead_prompt_tokens],
                    [
                        "prompt tokens reported in stats.usage",
                        usage.prompt_tokens if usage else None,
                    ],
                    [
                        "completion tokens in stats.usage",
                        usage.completion_tokens if usage else None,
                    ],
                    ["source tokens (document chars / 4)", source_tokens],
                    ["extraction prompt overhead over source", f"{100 * overhead:.1f}%"],
                    ["overhead tokens per extraction request", f"{per_request:.0f}"],
                    [
                        "average source tokens per extraction request",
                        f"{source_tokens / max(1, r.extract_requests):.0f}",
                    ],
                    [
                        f"target: overhead < {100 * TARGET_OVERHEAD:.0f}% (chunk size "
                        f"{facts['chunk_size']:,} chars)",
                        C.met(overhead < TARGET_OVERHEAD),
                    ],
                ],
                "ll",
            )
        )
        print()

        # -- 3. cache
        print("## 3. The same build again, same cache\n")
        key = (args.latencies[0], max(args.concurrency))
        srv.set_latency(args.latencies[0])
        again = build_once(folder, srv, key[1], caches[key])
        first = runs[key]
        print(
            C.table(
                ["run", "requests", "answers from cache", "build wall s", "target: 0 requests"],
                [
                    [
                        f"first (latency {key[0]:g} s, concurrency {key[1]})",
                        first.requests,
                        first.usage.cached if first.usage else None,
                        f"{first.wall:.2f}",
                        "",
                    ],
                    [
                        "again, same cache",
                        again.requests,
                        again.usage.cached if again.usage else None,
                        f"{again.wall:.2f}",
                        C.met(again.requests == 0),
                    ],
                ],
                "lrrrl",
            )
        )
        print()

        # -- 4. one new document
        if args.incremental_docs:
            print(f"## 4. One new document added to {args.incremental_docs:,}\n")
            srv.set_latency(args.incremental_latency)
            inc = work / "incremental"
            print(
                f"[incremental] {args.incremental_docs:,} documents, first build ...",
                file=sys.stderr,
            )
            corpus.write_corpus(inc, args.incremental_docs, args.seed)
            cache = work / "cache-incremental"
            conc = args.incremental_concurrency
            cold = build_once(inc, srv, conc, cache)
            name, text = corpus.make_document(
                args.incremental_docs, args.incremental_docs, args.seed, size=9000
            )
            (inc / name).write_text(text, encoding="utf-8")
            new_id = Path(name).stem
            from briefing.ingest.chunking import chunk_document
            from briefing.ingest.sources import read_document
            from briefing.pipeline import BuildOptions

            doc, _ = read_document(inc / name)
            new_chunks = len(chunk_document(doc, BuildOptions().chunk_chars))
            print("[incremental] one document added, second build ...", file=sys.stderr)
            warm = build_once(inc, srv, conc, cache)
            about_new = warm.docs_asked.get(new_id, 0)
            about_others = warm.extract_requests - about_new
            expected = new_chunks + 1
            ok = about_new == new_chunks and about_others == 0 and warm.lead_requests <= 1
            print(
                C.table(
                    [
                        "build",
                        "documents",
                        "requests",
                        "extract (new doc / others)",
                        "lead",
                        "from cache",
                        "build wall s",
                        "expected",
                        "target",
                    ],
                    [
                        [
                            "first",
                            args.incremental_docs,
                            cold.requests,
                            f"{cold.extract_requests}",
                            cold.lead_requests,
                            cold.usage.cached if cold.usage else None,
                            f"{cold.wall:.2f}",
                            "",
                            "",
                        ],
                        [
                            "one added",
                            args.incremental_docs + 1,
                            warm.requests,
                            f"{about_new} / {about_others}",
                            warm.lead_requests,
                            warm.usage.cached if warm.usage else None,
                            f"{warm.wall:.2f}",
                            f"{new_chunks} chunks + 1 lead = {expected}",
                            C.met(ok and warm.requests == expected),
                        ],
                    ],
                    "lrrrrrrll",
                )
            )
            print(
                f"\nThe new document: {len(text):,} characters, {new_chunks} chunks. "
                "(With an unchanged top of the briefing the lead prompt can repeat and come "
                "from the cache: then one request fewer is still right.)\n"
            )

    # -- summary
    print("## Targets\n")
    trows = []
    for latency, eng_ratio, wall_ratio in verdicts:
        trows.append(
            [
                f"engine wall / ideal <= {TARGET_RATIO} at concurrency 16, latency {latency:g} s",
                f"{eng_ratio:.2f} (whole build {wall_ratio:.2f})",
                C.met(eng_ratio <= TARGET_RATIO),
            ]
        )
    trows.append(
        [
            f"prompt overhead < {100 * TARGET_OVERHEAD:.0f}%",
            f"{100 * overhead:.1f}%",
            C.met(overhead < TARGET_OVERHEAD),
        ]
    )
    trows.append(
        ["repeated build sends 0 requests", str(again.requests), C.met(again.requests == 0)]
    )
    if args.incremental_docs:
        trows.append(
            [
                "one new document: its chunks + 1 requests",
                f"{warm.requests} (expected {expected})",
                C.met(ok and warm.requests == expected),
            ]
        )
    print(C.table(["target", "measured", ""], trows, "lll"))
    notices = sorted({n for r in runs.values() for n in r.notices})
    if notices:
        print("\nNotices from the engine:\n" + "\n".join(f"- {n}" for n in notices))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
