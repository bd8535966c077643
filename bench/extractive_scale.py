"""How the extractive engine's full build scales: corpora of 100, 1,000 and 10,000 generated
documents (bench/corpus.py), each built in a fresh child process, so peak memory is that run's.

    python bench/extractive_scale.py [--sizes 100,1000,10000] [--seed 0] [--timeout 600]
                                     [--corpus-dir DIR] [--profile N] [--top 10]

Per size: documents, MB, seconds, documents/s, MB/s, peak RSS, chunks, facts, claims, conflicts,
and the time ratio to the size before. Per stage (load, chunk, extract, ground, merge, title,
compose, conflicts, sources, render): seconds for every size, so the stage that grows fastest is
visible. Stages are timed by wrapping the functions `briefing.pipeline.build` calls (the
pipeline itself is not copied); what is left over is "other".

A child that takes longer than --timeout seconds is stopped; the report then says which stage it
was in and where (a Python stack dumped by faulthandler just before the deadline).
--profile N adds a cProfile run of an N-document build: the top functions by cumulative time.

Targets (issue 12): 10,000 documents (~30 MB) in under 30 s and under 500 MiB peak RSS; 10x the
documents in at most 11x the time (in general: time ratio <= 1.1 x documents ratio).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C
import corpus

TARGET_DOCS = 10_000
TARGET_SECONDS = 30.0
TARGET_RSS_MIB = 500.0
GROWTH_SLACK = 1.1  # 10x documents -> at most 11x time
STAGES = [  # attribute of briefing.pipeline -> stage name (once-per-run stages are logged)
    ("load_documents", "load"),
    ("chunk_documents", "chunk"),
    ("ground", "ground"),
    ("merge", "merge"),
    ("merge_with_groups", "merge"),
    ("title_for", "title"),
    ("_compose", "compose"),
    ("find_conflicts", "conflicts"),
    ("period", "period"),
    ("source_info", "sources"),
]
STAGE_ORDER = [
    "load",
    "chunk",
    "extract",
    "ground",
    "merge",
    "title",
    "compose",
    "conflicts",
    "period",
    "sources",
    "other (in build)",
    "render",
    "write",
]
PER_ITEM = {"sources", "period"}  # called per document (or cheap): not logged call by call


# -- the child: one build, timed by stage ------------------------------------------------------


def child(corpus_dir: str, out: str, timeout: float, profile: str | None) -> int:
    import faulthandler
    import resource

    if timeout > 0:  # leave a stack behind if the parent is about to stop us
        faulthandler.dump_traceback_later(max(1.0, timeout - 3), exit=False, file=sys.stderr)
    log = sys.stderr
    timings: dict[str, float] = {}
    rss_after: dict[str, float] = {}  # peak RSS (MiB) when each stage ended
    t_import = time.perf_counter()

    import briefing.pipeline as P
    from briefing.deliver.rendering import render
    from briefing.engines.factory import EngineConfig, make_engine

    import_s = time.perf_counter() - t_import

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            if name not in PER_ITEM:
                print(f"@start {name} {time.perf_counter():.3f}", file=log, flush=True)
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                dt = time.perf_counter() - t
                timings[name] = timings.get(name, 0.0) + dt
                if name not in PER_ITEM:
                    rss_after[name] = C.peak_rss_mib(resource.RUSAGE_SELF)
                    print(f"@end {name} {dt:.3f}", file=log, flush=True)

        return wrapper

    for attr, name in STAGES:
        if hasattr(P, attr):
            setattr(P, attr, timed(name, getattr(P, attr)))
    engine, _ = make_engine(EngineConfig(engine="extractive"))
    engine.extract = timed("extract", engine.extract)

    def run():
        t0 = time.perf_counter()
        result = P.build([corpus_dir], engine, P.BuildOptions())
        build_s = time.perf_counter() - t0
        text = timed("render", render)(result, "md")
        t = time.perf_counter()
        Path(out).write_text(text, encoding="utf-8")
        timings["write"] = time.perf_counter() - t
        return result, build_s, time.perf_counter() - t0

    if profile:
        import cProfile

        profiler = cProfile.Profile()
        result, build_s, total_s = profiler.runcall(run)
        profiler.dump_stats(profile)
    else:
        result, build_s, total_s = run()
    faulthandler.cancel_dump_traceback_later()
    in_build = sum(v for k, v in timings.items() if k not in ("render", "write"))
    timings["other (in build)"] = max(0.0, build_s - in_build)
    s = result.stats
    report = {
        "import_s": import_s,
        "build_s": build_s,
        "total_s": total_s,
        "stages": timings,
        "rss_after": rss_after,
        "peak_rss_mib": C.peak_rss_mib(resource.RUSAGE_SELF),
        "documents": s.documents,
        "chunks": s.chunks,
        "facts": s.facts_found,
        "dropped": s.facts_dropped,
        "claims": s.claims,
        "conflicts": len(result.conflicts),
    }
    print(json.dumps(report))
    return 0


# -- the parent ---------------------------------------------------------------------------------


def make_corpus(root: Path, n: int, seed: int) -> tuple[Path, int, float]:
    """The corpus folder for n documents (reused when it was made by this very generator), its
    bytes, and the seconds spent making it."""
    folder = root / f"corpus-{n}-seed{seed}"
    t0 = time.perf_counter()
    stamp = folder / ".generator"  # hidden: briefing skips it
    made_by = hashlib.sha256(
        b"".join(Path(m.__file__).read_bytes() for m in (corpus, corpus.V)) + f"{n}:{seed}".encode()
    ).hexdigest()
    files = list(folder.glob("*.txt")) if folder.is_dir() else []
    fresh = stamp.is_file() and stamp.read_text() == made_by and len(files) == n
    if not fresh:
        for f in files:
            f.unlink()
        corpus.write_corpus(folder, n, seed)
        stamp.write_text(made_by)
        files = list(folder.glob("*.txt"))
    size = sum(f.stat().st_size for f in files)
    return folder, size, time.perf_counter() - t0


def run_child(folder: Path, work: Path, timeout: float, profile: str | None = None) -> dict:
    """Build `folder` in a child; its report, or what is known when it timed out or failed."""
    out = work / f"brief-{folder.name}.md"
    err_path = work / f"stderr-{folder.name}.txt"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(folder), "--out", str(out)]
    cmd += ["--timeout", str(timeout)]
    if profile:
        cmd += ["--cprofile", profile]
    t0 = time.perf_counter()
    with open(err_path, "w+", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            stdout, _ = proc.communicate(timeout=timeout)
            status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, _ = proc.communicate()
            status = "timeout"
        wall = time.perf_counter() - t0
        err.seek(0)
        stderr = err.read()
    report: dict = {"status": status, "process_s": wall}
    if status == "ok":
        report.update(json.loads(stdout.strip().splitlines()[-1]))
        return report
    # what the stage log says: finished stages and the one in progress
    stages: dict[str, float] = {}
    running = None
    for line in stderr.splitlines():
        if line.startswith("@start "):
            running = line.split()[1]
        elif line.startswith("@end "):
            _, name, secs = line.split()
            stages[name] = float(secs)
            running = None if running == name else running
    report["stages"] = stages
    report["running"] = running
    report["stack"] = _main_stack(stderr)
    plain = [line for line in stderr.splitlines() if not line.startswith("@")]
    report["stderr_tail"] = "\n".join(plain)[-2000:]
    return report


def _main_stack(stderr: str) -> list[str]:
    """The innermost frames of the main thread in a faulthandler dump, innermost first."""
    lines = stderr.splitlines()
    try:
        start = max(
            i
            for i, line in enumerate(lines)
            if line.startswith(("Thread 0x", "Current thread", "Stack (most"))
        )
    except ValueError:
        return []
    frames = []
    for line in lines[start + 1 :]:
        if not line.startswith("  File "):
            break
        frames.append(line.strip())
    return frames[:6]


def print_profile(path: str, top: int) -> None:
    import pstats

    stats = pstats.Stats(path)
    for key, title in (("cumulative", "cumulative time"), ("tottime", "own time")):
        print(f"Top {top} by {title}:\n")
        _profile_table(stats, key, top)
        print()


def _profile_table(stats, key: str, top: int) -> None:
    stats.sort_stats(key)
    rows = []
    for func in stats.fcn_list:  # sorted by the sort_stats call above
        filename, line, name = func
        if filename.endswith(("extractive_scale.py", "cProfile.py")) or name in (
            "<built-in method builtins.exec>",
        ):
            continue
        _, nc, tt, ct, _ = stats.stats[func]
        where = _short(filename)
        rows.append([f"`{where}:{line}({name})`" if line else f"`{name}`", nc, tt, ct])
        if len(rows) >= top:
            break
    print(C.table(["function", "calls", "own s", "cumulative s"], rows, "lrrr"))


def _short(filename: str) -> str:
    parts = Path(filename).parts
    if "briefing" in parts:
        i = len(parts) - 1 - parts[::-1].index("briefing")
        return "/".join(parts[i:])
    return "/".join(parts[-2:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=C.ints, default=[100, 1000, 10000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per child run")
    parser.add_argument("--corpus-dir", help="keep generated corpora here (reused next time)")
    parser.add_argument("--profile", type=int, metavar="N", help="also cProfile an N-doc build")
    parser.add_argument("--top", type=int, default=10, help="functions shown by --profile")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--cprofile", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.out, args.timeout, args.cprofile)

    sizes = sorted(set(args.sizes))
    C.header(
        "Extractive engine: full build at scale",
        {
            "sizes (documents)": ", ".join(f"{n:,}" for n in sizes),
            "corpus": f"bench/corpus.py, seed {args.seed}, ~3 KB per document",
            "each build": "a fresh child process: build() + render(md) + write, extractive engine",
            "timeout per child": f"{args.timeout:g} s",
            "profile": f"{args.profile:,} documents" if args.profile else "no",
        },
    )
    tmp = tempfile.TemporaryDirectory(prefix="briefing-bench-")
    work = Path(tmp.name)
    corpora = Path(args.corpus_dir) if args.corpus_dir else work
    results = []
    for n in sizes:
        print(f"[corpus {n:,}] generating ...", file=sys.stderr, flush=True)
        folder, size, gen_s = make_corpus(corpora, n, args.seed)
        print(f"[build {n:,}] {size / 1e6:.1f} MB, running ...", file=sys.stderr, flush=True)
        r = run_child(folder, work, args.timeout)
        r.update(n=n, bytes=size, gen_s=gen_s)
        results.append(r)
        print(f"[build {n:,}] {r['status']} in {r['process_s']:.1f} s", file=sys.stderr, flush=True)

    rows = []
    prev = None
    for r in results:
        ok = r["status"] == "ok"
        secs = r.get("build_s")
        ratio = None
        if ok and prev is not None and prev.get("build_s"):
            ratio = f"{secs / prev['build_s']:.2f}x for {r['n'] / prev['n']:.0f}x docs"
        rows.append(
            [
                r["n"],
                f"{r['bytes'] / 1e6:.1f}",
                f"{secs:.2f}" if ok else r["status"],
                f"{r['process_s']:.2f}",
                f"{r['n'] / secs:,.0f}" if ok else None,
                f"{r['bytes'] / 1e6 / secs:.2f}" if ok else None,
                f"{r['peak_rss_mib']:.0f}" if ok else None,
                r.get("chunks"),
                r.get("facts"),
                r.get("dropped"),
                r.get("claims"),
                r.get("conflicts"),
                ratio,
            ]
        )
        prev = r if ok else None
    print("## Results\n")
    print(
        C.table(
            [
                "documents",
                "MB",
                "build s",
                "process s",
                "docs/s",
                "MB/s",
                "peak RSS MiB",
                "chunks",
                "facts",
                "dropped",
                "claims",
                "conflicts",
                "time ratio",
            ],
            rows,
            "rrrrrrrrrrrrl",
        )
    )
    print(
        "\n*build s*: `build()` + render + write inside the child; *process s*: the child process "
        "as a user waits for it (interpreter start and imports included); docs/s and MB/s from "
        "build s; MB = 10^6 bytes of files.\n"
    )

    print("## Targets\n")
    trows = []
    big = next((r for r in results if r["n"] == TARGET_DOCS), None)
    if big is None:
        trows.append(
            [f"{TARGET_DOCS:,} documents in < {TARGET_SECONDS:g} s", "not measured", "n/a"]
        )
        trows.append(
            [
                f"{TARGET_DOCS:,} documents in < {TARGET_RSS_MIB:g} MiB peak RSS",
                "not measured",
                "n/a",
            ]
        )
    elif big["status"] != "ok":
        trows.append(
            [
                f"{TARGET_DOCS:,} documents in < {TARGET_SECONDS:g} s",
                f"{big['status']} after {big['process_s']:.0f} s",
                C.met(False),
            ]
        )
        trows.append(
            [f"{TARGET_DOCS:,} documents in < {TARGET_RSS_MIB:g} MiB peak RSS", "unknown", "n/a"]
        )
    else:
        trows.append(
            [
                f"{TARGET_DOCS:,} documents ({big['bytes'] / 1e6:.0f} MB) "
                f"in < {TARGET_SECONDS:g} s",
                f"{big['process_s']:.1f} s (build {big['build_s']:.1f} s)",
                C.met(big["process_s"] < TARGET_SECONDS),
            ]
        )
        trows.append(
            [
                f"{TARGET_DOCS:,} documents in < {TARGET_RSS_MIB:g} MiB peak RSS",
                f"{big['peak_rss_mib']:.0f} MiB",
                C.met(big["peak_rss_mib"] < TARGET_RSS_MIB),
            ]
        )
    for a, b in itertools.pairwise(results):
        docs_ratio = b["n"] / a["n"]
        limit = GROWTH_SLACK * docs_ratio
        label = f"{a['n']:,} -> {b['n']:,} docs: time ratio <= {limit:g}x"
        if a["status"] == "ok" and b["status"] == "ok":
            ratio = b["build_s"] / a["build_s"]
            trows.append([label, f"{ratio:.2f}x", C.met(ratio <= limit)])
        elif a["status"] == "ok" and b["status"] == "timeout":
            ratio = b["process_s"] / a["build_s"]
            trows.append([label, f"> {ratio:.0f}x (timed out)", C.met(False)])
        else:
            trows.append([label, "not measured", "n/a"])
    print(C.table(["target", "measured", ""], trows, "lll"))

    print("\n## Stages (seconds)\n")
    names = [s for s in STAGE_ORDER if any(s in r.get("stages", {}) for r in results)]
    last = results[-1]
    last_total = sum(last.get("stages", {}).values()) or 1.0
    srows = []
    for s in names:
        row = [s]
        for r in results:
            v = r.get("stages", {}).get(s)
            row.append(
                f"{v:.2f}" if v is not None else ("running" if r.get("running") == s else None)
            )
        v_last = last.get("stages", {}).get(s)
        row.append(f"{100 * v_last / last_total:.0f}%" if v_last is not None else None)
        if len(results) > 1:
            a = results[-2].get("stages", {}).get(s)
            row.append(f"{v_last / a:.1f}x" if a and v_last is not None and a > 0.005 else None)
        rss = last.get("rss_after", {}).get(s)
        row.append(f"{rss:.0f}" if rss is not None else None)
        srows.append(row)
    heads = ["stage"] + [f"{r['n']:,} docs" for r in results] + [f"% of {last['n']:,}"]
    if len(results) > 1:
        heads.append(f"growth {results[-2]['n']:,} -> {last['n']:,}")
    heads.append(f"peak RSS MiB after it ({last['n']:,})")
    print(C.table(heads, srows, "l" + "r" * (len(heads) - 1)))
    ok_stages = {k: v for k, v in last.get("stages", {}).items()}
    if ok_stages:
        slow = max(ok_stages, key=ok_stages.get)
        print(f"\nSlowest stage at {last['n']:,} documents: **{slow}** ({ok_stages[slow]:.1f} s).")
    for r in results:
        if r["status"] != "ok":
            print(
                f"\nThe {r['n']:,}-document run: {r['status']} after {r['process_s']:.0f} s"
                f", in stage **{r.get('running') or '?'}**."
            )
            if r.get("stack"):
                print("Innermost frames when it was stopped:\n")
                print("```\n" + "\n".join(r["stack"]) + "\n```")
            elif r.get("stderr_tail"):
                print("```\n" + r["stderr_tail"] + "\n```")

    if args.profile:
        n = args.profile
        print(f"\n## Profile: {n:,} documents\n")
        folder, _, _ = make_corpus(corpora, n, args.seed)
        prof = str(work / f"build-{n}.prof")
        r = run_child(folder, work, args.timeout, profile=prof)
        if r["status"] == "ok":
            print(f"(build under cProfile: {r['build_s']:.1f} s; the profiler slows it down)\n")
            print_profile(prof, args.top)
        else:
            print(f"profiled run: {r['status']}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
