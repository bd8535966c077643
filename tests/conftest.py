"""Shared fixtures: the seed documents and a way to run the command line as a user does."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPORA = ROOT / "tests" / "corpora"
DISAGREE = CORPORA / "disagree_dev"  # short news that disagree on purpose (see its README)


@pytest.fixture
def seeds() -> Path:
    return SEEDS


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m briefing ARGS` in a child process, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "briefing", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli


@dataclass
class Ran:
    """What one in-process run of the command line did."""

    code: int
    out: str
    err: str


@pytest.fixture
def main(monkeypatch, capsys):
    """`main(*args, env={})` runs `briefing ARGS` in this process, as `briefing.cli.main`, with
    no OPENAI_/BRIEFING_ variable but those of `env`; returns its exit code, stdout and stderr."""
    import signal

    from briefing.cli import main as cli_main

    sigterm = signal.getsignal(signal.SIGTERM)  # main() takes it over; given back below
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "BRIEFING_")):
            monkeypatch.delenv(name)

    def run(*args: str | Path, env: dict[str, str] | None = None) -> Ran:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = cli_main([str(a) for a in args])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    yield run
    signal.signal(signal.SIGTERM, sigterm)
