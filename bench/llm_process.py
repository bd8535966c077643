"""The LLM engine as a user runs it: `briefing build CORPUS -o out.md` in a child process
against the fake OpenAI-compatible server in another child process (127.0.0.1, a fixed latency
per request, answers memoised after an untimed warm-up run), timed from outside.

    python bench/llm_process.py [--docs 100] [--latency 0.5] [--concurrency 16]
                                [--first-docs 100,5000] [--repeat 3]

For each run: whole-process wall time (from starting the command to its exit), when the first
request reached the server (seconds after the command started), the request phase (first
request sent to last answer received), and the client's CPU time. The ideals, if requests
overlapped perfectly and cost nothing but the latency L at concurrency C:

- whole process: ceil(extraction requests / C) x L + L (the lead). Target: <= 1.15x at L = 0.5.
- request phase: the same. Target: <= 1.5x at L = 0.05.

Client CPU per request: (CPU of a build with an empty cache - CPU of the same build answered
from the cache) / requests: what sending requests and reading answers costs, beyond the rest
of the build. Target: < 2 ms.

First request: on --first-docs corpora (latency 0), seconds from start to the first request.
Targets: within 0.5 s on 100 documents, within 2 s on 5,000.

The figures of a run are the median of --repeat runs (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C
import corpus
from llm_engine import MODEL, ChildProcessServer

TARGET_WHOLE = 1.15
TARGET_PHASE = 1.5
TARGET_CPU_MS = 2.0
TARGET_FIRST = {100: 0.5, 5000: 2.0}


@dataclass
class Run:
    wall: float
    cpu: float
    first: float | None  # seconds from start to the first request's arrival
    phase: float | None  # first request sent to last answer received
    extract: int
    lead: int

    @property
    def requests(self) -> int:
        return self.extract + self.lead


COMMAND: list[str] = []  # --command: another installation's `briefing`, for a before/after


def briefing_cmd() -> list[str]:
    if COMMAND:
        return COMMAND
    script = Path(sys.executable).parent / "briefing"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "briefing"]


def command(
    folder: Path, srv: ChildProcessServer, conc: int, cache: Path, out: Path
) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    env.update(
        OPENAI_API_KEY="bench-dummy-key",
        OPENAI_BASE_URL=srv.base_url,
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    cmd = [
        *briefing_cmd(),
        "build",
        str(folder),
        "-o",
        str(out),
        "-q",
        "--model",
        MODEL,
        "--concurrency",
        str(conc),
        "--cache-dir",
        str(cache),
    ]
    return cmd, env


def run_once(
    folder: Path, srv: ChildProcessServer, latency: float, conc: int, cache: Path, out: Path
) -> Run:
    cmd, env = command(folder, srv, conc, cache, out)
    since = srv.count()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"briefing build failed ({proc.returncode}): {proc.stderr[-2000:]}")
    records = srv.records(since)
    arrivals = [t - latency for _, _, _, t in records]
    return Run(
        wall=wall,
        cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        first=min(arrivals) - start if arrivals else None,
        phase=max(t for *_, t in records) - min(arrivals) if records else None,
        extract=sum(1 for r in records if r[0] == "extract"),
        lead=sum(1 for r in records if r[0] == "lead"),
    )


def first_request(folder: Path, srv: ChildProcessServer, conc: int, cache: Path) -> float:
    """Seconds from starting the command to its first request reaching the server (latency
    0); the command is stopped there (the rest of a large build is not what is measured)."""
    cmd, env = command(folder, srv, conc, cache, cache.parent / "first-out.md")
    since = srv.count()
    start = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while srv.count() == since:
            if proc.poll() is not None:
                raise SystemExit(f"briefing build exited ({proc.returncode}) before any request")
            time.sleep(0.02)
    finally:
        proc.kill()  # our own child, by its handle
        proc.wait()
    return min(t for *_, t in srv.records(since)) - start


def median_run(runs: list[Run]) -> Run:
    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    return Run(
        wall=med(r.wall for r in runs),
        cpu=med(r.cpu for r in runs),
        first=med(r.first for r in runs),
        phase=med(r.phase for r in runs),
        extract=runs[0].extract,
        lead=runs[0].lead,
    )


def verdict(target: str, measured: str, ok: bool) -> list[str]:
    return [target, measured, C.met(ok)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--latencies", type=C.floats, default=[0.5, 0.05])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--first-docs", type=C.ints, default=[100, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--command",
        help="the `briefing` to time (default: the one beside this Python), e.g. another "
        "installation's, to compare before and after",
    )
    args = parser.parse_args(argv)
    if args.command:
        COMMAND[:] = [args.command]

    C.header(
        "The LLM engine, whole process, against a fake server",
        {
            "corpus": f"{args.docs:,} documents (bench/corpus.py, seed {args.seed})",
            "latencies (s)": ", ".join(f"{x:g}" for x in args.latencies),
            "concurrency": args.concurrency,
            "command": " ".join(briefing_cmd()) + " build CORPUS -o out.md -q --model ...",
            "server": "FakeOpenAIServer in a child process (127.0.0.1), memoised answers",
            "runs": f"median of {args.repeat}",
        },
    )
    tmp = tempfile.TemporaryDirectory(prefix="briefing-llm-process-")
    work = Path(tmp.name)
    folder = work / "corpus"
    corpus.write_corpus(folder, args.docs, args.seed)
    out = work / "out.md"
    rows, verdicts = [], []
    with ChildProcessServer(memo=True) as srv:
        print("[warm-up] filling the fake model's memo ...", file=sys.stderr)
        srv.set_latency(0.0)
        run_once(folder, srv, 0.0, args.concurrency, work / "cache-warm", out)
        for latency in args.latencies:
            srv.set_latency(latency)
            cold, warm = [], []
            for i in range(args.repeat):
                print(f"[run] latency {latency:g} s, run {i + 1} ...", file=sys.stderr)
                cache = work / f"cache-{latency:g}-{i}"
                cold.append(run_once(folder, srv, latency, args.concurrency, cache, out))
                warm.append(run_once(folder, srv, latency, args.concurrency, cache, out))
            r, w = median_run(cold), median_run(warm)
            ideal = math.ceil(r.extract / args.concurrency) * latency + r.lead * latency
            cpu_ms = 1000 * (r.cpu - w.cpu) / max(1, r.requests)
            rows.append(
                [
                    f"{latency:g}",
                    f"{r.extract} + {r.lead}",
                    f"{r.wall:.2f}",
                    f"{r.first:.2f}" if r.first is not None else None,
                    f"{r.phase:.2f}" if r.phase is not None else None,
                    f"{ideal:.2f}",
                    f"{r.wall / ideal:.2f}",
                    f"{r.phase / ideal:.2f}" if r.phase is not None else None,
                    f"{r.cpu:.2f}",
                    f"{w.cpu:.2f}",
                    f"{cpu_ms:.2f}",
                ]
            )
            if latency == 0.5:
                verdicts.append(
                    [
                        f"whole process <= {TARGET_WHOLE}x ideal at L = 0.5 s",
                        f"{r.wall / ideal:.2f}",
                        C.met(r.wall / ideal <= TARGET_WHOLE),
                    ]
                )
            if latency == 0.05 and r.phase is not None:
                verdicts.append(
                    [
                        f"request phase <= {TARGET_PHASE}x ideal at L = 0.05 s",
                        f"{r.phase / ideal:.2f}",
                        C.met(r.phase / ideal <= TARGET_PHASE),
                    ]
                )
            verdicts.append(
                [
                    f"client CPU per request < {TARGET_CPU_MS:g} ms (L = {latency:g} s)",
                    f"{cpu_ms:.2f}",
                    C.met(cpu_ms < TARGET_CPU_MS),
                ]
            )
        print(f"## Whole process, {args.docs:,} documents, concurrency {args.concurrency}\n")
        print(
            C.table(
                [
                    "latency s",
                    "requests (extract + lead)",
                    "wall s",
                    "first request s",
                    "request phase s",
                    "ideal s",
                    "wall / ideal",
                    "phase / ideal",
                    "CPU s",
                    "CPU s, cached rerun",
                    "client CPU ms / request",
                ],
                rows,
                "rrrrrrrrrrr",
            )
        )
        print()
        srv.set_latency(0.0)
        first_rows = []
        for n in args.first_docs:
            big = work / f"first-{n}"
            print(f"[first request] {n:,} documents ...", file=sys.stderr)
            corpus.write_corpus(big, n, args.seed)
            firsts = [
                first_request(big, srv, args.concurrency, work / f"cache-first-{n}-{i}")
                for i in range(args.repeat)
            ]
            first = statistics.median(firsts)
            target = TARGET_FIRST.get(n)
            first_rows.append(
                [
                    f"{n:,}",
                    f"{first:.2f}",
                    f"{min(firsts):.2f}",
                    f"< {target:g} s" if target else "",
                ]
            )
            if target:
                verdicts.append(
                    verdict(
                        f"first request within {target:g} s on {n:,} documents",
                        f"{first:.2f}",
                        first < target,
                    )
                )
        print("## When the first request leaves (latency 0)\n")
        print(
            C.table(["documents", "first request s (median)", "best", "target"], first_rows, "rrrl")
        )
        print()
    print("## Targets\n")
    print(C.table(["target", "measured", ""], verdicts, "lll"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
