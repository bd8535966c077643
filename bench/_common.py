"""Helpers shared by the benchmark scripts: where things are, the test-support import, the
header every script prints, Markdown tables, peak memory."""

from __future__ import annotations

import importlib.util
import os
import platform
import resource
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SEEDS = ROOT / "seeds"


def import_test_support():
    """tests/support/{openai_server,fake_model}.py from this checkout, as the package
    `tests.support` (fake_model imports its sibling relatively). Loaded from the checkout's files
    by path, so neither a stray `tests` package in site-packages nor the checkout's `briefing/`
    folder can shadow anything: `briefing` itself stays the installed one."""
    for name, folder in (("tests", ROOT / "tests"), ("tests.support", ROOT / "tests" / "support")):
        if name in sys.modules and Path(sys.modules[name].__file__).parent == folder:
            continue
        spec = importlib.util.spec_from_file_location(
            name, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    from tests.support import fake_model, openai_server

    return openai_server, fake_model


def briefing_where() -> str:
    """Which briefing is measured: its version and the folder it is imported from."""
    import briefing

    return f"briefing {getattr(briefing, '__version__', '?')} from {Path(briefing.__file__).parent}"


def header(title: str, inputs: dict[str, object]) -> None:
    print(f"# {title}\n")
    print(f"- cores (os.cpu_count()): {os.cpu_count()}")
    print(f"- python: {platform.python_version()} ({sys.executable})")
    print(f"- {briefing_where()}")
    for key, value in inputs.items():
        print(f"- {key}: {value}")
    print()


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], align: str | None = None
) -> str:
    """A Markdown table; `align` is one letter per column (l/r), numbers right by default."""
    rows = [[_cell(v) for v in row] for row in rows]
    if align is None:
        align = "".join(
            "r" if rows and all(_numeric(r[i]) for r in rows if r[i] not in ("", "—")) else "l"
            for i in range(len(headers))
        )
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def _numeric(text: str) -> bool:
    t = text.replace(",", "").replace("%", "").replace("x", "").replace("×", "").strip()
    try:
        float(t)
        return True
    except ValueError:
        return False


def met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**NOT met**")


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(who).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]
