"""Start-up cost of the command line: `briefing --help`, and a build of one small seed file, each
in a child process (best and median of --repeat runs after one untimed warm-up), and which
modules `--help` (and the build) import, from `python -X importtime`.

    python bench/startup.py [--repeat 5] [--top 12]

Targets: `briefing --help` in under 0.1 s; the build of one small file in under 0.2 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C

TARGET_HELP_S = 0.1
TARGET_BUILD_S = 0.2
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")


def clean_env() -> dict[str, str]:
    """The environment of a user with no model configured (the extractive engine runs)."""
    # PYTHONDONTWRITEBYTECODE off: a user's installation has its modules compiled (pip compiles
    # them when it installs; an editable install writes them on first use), so a run that
    # compiles every module from source again is not what a user sees.
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "BRIEFING_")) and k != "PYTHONDONTWRITEBYTECODE"
    }


def briefing_cmd() -> list[str]:
    """The `briefing` console script next to this interpreter, else `python -m briefing`."""
    script = Path(sys.executable).parent / "briefing"
    if script.is_file():
        return [str(script)]
    found = shutil.which("briefing")
    return [found] if found else [sys.executable, "-m", "briefing"]


def timed(cmd: list[str], repeat: int, env: dict[str, str], cwd: str) -> tuple[list[float], int]:
    def once() -> tuple[float, int]:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env, cwd=cwd, timeout=120)
        return time.perf_counter() - t0, proc.returncode

    once()  # warm-up: file cache, .pyc files
    times, codes = [], set()
    for _ in range(repeat):
        t, code = once()
        times.append(t)
        codes.add(code)
    return times, max(codes)


def importtime(args: list[str], env: dict[str, str], cwd: str) -> list[tuple[int, int, int, str]]:
    """(self us, cumulative us, depth, module) for every import of `python -X importtime ARGS`."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )
    rows = []
    for line in proc.stderr.splitlines():
        m = _LINE.match(line)
        if m:
            depth = (len(m.group(3)) - 1) // 2
            rows.append((int(m.group(1)), int(m.group(2)), depth, m.group(4)))
    return rows


def is_third_party(root: str) -> bool:
    """A top-level module installed in site-packages (not the stdlib, not briefing)."""
    import importlib.util

    if root in sys.stdlib_module_names or root in ("briefing", "sitecustomize", "usercustomize"):
        return False
    try:
        spec = importlib.util.find_spec(root)
    except (ImportError, ValueError):
        return False
    origin = (spec.origin or "") if spec else ""
    locations = list(spec.submodule_search_locations or []) if spec else []
    return any("-packages" in p for p in [origin, *locations])


def summarise(
    rows: list[tuple[int, int, int, str]], top: int, label: str, baseline: set[str]
) -> dict:
    stdlib = set(sys.stdlib_module_names)
    total_us = sum(r[0] for r in rows)
    tops: dict[str, int] = {}  # top-level package -> cumulative us of its first import (depth 0)
    for _, cum_us, depth, mod in rows:
        if depth == 0:
            tops[mod] = tops.get(mod, 0) + cum_us
    own = sorted({m for _, _, _, m in rows if m == "briefing" or m.startswith("briefing.")})
    third: dict[str, int] = {}
    std: dict[str, int] = {}
    for self_us, _, _, mod in rows:
        root = mod.split(".")[0]
        if mod in baseline:
            continue  # the bare interpreter imports it too (site, .pth hooks)
        if is_third_party(root):
            third[root] = third.get(root, 0) + self_us
        elif root in stdlib:
            std[root] = std.get(root, 0) + self_us
    print(
        f"### `{label}`: {len(rows)} modules imported, {total_us / 1000:.0f} ms of import time "
        "(self times summed)\n"
    )
    ranked = sorted(tops.items(), key=lambda kv: -kv[1])[:top]
    print(
        C.table(
            ["top-level import (cumulative)", "ms"],
            [[f"`{m}`", f"{us / 1000:.1f}"] for m, us in ranked],
            "lr",
        )
    )
    print()
    print(f"- briefing modules ({len(own)}): " + ", ".join(f"`{m}`" for m in sorted(set(own))))
    heavy = sorted(third.items(), key=lambda kv: -kv[1])
    print(
        f"- third-party packages ({len(heavy)}): "
        + (", ".join(f"`{p}` {us / 1000:.0f} ms" for p, us in heavy) if heavy else "none")
    )
    slowest = sorted(rows, key=lambda r: -r[0])[:8]
    print(
        "- slowest single modules (own import time): "
        + ", ".join(f"`{m}` {us / 1000:.1f} ms" for us, _, _, m in slowest)
    )
    print(
        f"- standard library: {len(std)} top-level modules, "
        f"{sum(std.values()) / 1000:.0f} ms (self times summed)"
    )
    print()
    return {"modules": len(rows), "ms": total_us / 1000, "third": dict(heavy), "own": own}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=12, help="imports listed per command")
    args = parser.parse_args(argv)

    seed = sorted(C.SEEDS.glob("000_*.txt"))
    if not seed:
        raise SystemExit(f"no seeds/000_*.txt in {C.SEEDS}")
    seed_file = seed[0]
    cmd = briefing_cmd()
    env = clean_env()
    with tempfile.TemporaryDirectory(prefix="briefing-startup-") as work:
        out = str(Path(work) / "brief.md")
        commands = [
            ("briefing --help", [*cmd, "--help"]),
            ("python -m briefing --help", [sys.executable, "-m", "briefing", "--help"]),
            (
                f"briefing build seeds/{seed_file.name} -o brief.md -q",
                [*cmd, "build", str(seed_file), "-o", out, "-q"],
            ),
            ("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"]),
        ]
        C.header(
            "Start-up: the command line in a child process",
            {
                "command": " ".join(cmd),
                "runs": f"best and median of {args.repeat}, after one untimed warm-up",
                "environment": "OPENAI_*, BRIEFING_*, PYTHONDONTWRITEBYTECODE removed (extractive)",
            },
        )
        rows = []
        results = {}
        for label, c in commands:
            times, code = timed(c, args.repeat, env, work)
            results[label] = times
            target = ""
            if label == "briefing --help":
                target = f"< {TARGET_HELP_S:g} s: {C.met(min(times) < TARGET_HELP_S)}"
            elif label.startswith("briefing build"):
                target = f"< {TARGET_BUILD_S:g} s: {C.met(min(times) < TARGET_BUILD_S)}"
            rows.append(
                [
                    f"`{label}`",
                    f"{min(times):.3f}",
                    f"{statistics.median(times):.3f}",
                    f"{max(times):.3f}",
                    code,
                    target,
                ]
            )
        print(
            C.table(["command", "best s", "median s", "worst s", "exit", "target"], rows, "lrrrrl")
        )
        print(
            "\nThe target is judged on the best run (the machine is shared and noisy); the "
            "median is shown beside it.\n"
        )

        print("## What gets imported\n")
        baseline = {m for _, _, _, m in importtime(["-c", "pass"], env, work)}
        print(
            f"(The bare interpreter, `python -c pass`, imports {len(baseline)} modules; they "
            "are left out of the package lists below.)\n"
        )
        help_rows = importtime(["-m", "briefing", "--help"], env, work)
        summarise(help_rows, args.top, "briefing --help", baseline)
        build_rows = importtime(
            ["-m", "briefing", "build", str(seed_file), "-o", out, "-q"], env, work
        )
        summarise(build_rows, args.top, f"briefing build seeds/{seed_file.name}", baseline)
        help_roots = {m.split(".")[0] for _, _, _, m in help_rows if m not in baseline}
        build_roots = {m.split(".")[0] for _, _, _, m in build_rows if m not in baseline}
        extra = sorted(r for r in build_roots - help_roots if is_third_party(r))
        print(
            "Third-party packages the build imports and `--help` does not: "
            + (", ".join(f"`{m}`" for m in extra) or "none")
            + "."
        )
        unneeded = sorted(r for r in help_roots if is_third_party(r))
        print(
            "Third-party packages `--help` imports: "
            + (", ".join(f"`{m}`" for m in unneeded) or "none")
            + "."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
