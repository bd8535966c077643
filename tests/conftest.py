"""Shared fixtures: the seed documents and a way to run the command line as a user does."""

from __future__ import annotations

import io
import os
import signal
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
    child: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `briefing ARGS` as a user would, with the environment cleared of OPENAI_* and
    BRIEFING_* and then `env`, in `cwd`: in this process through `briefing.cli.main` (fast),
    or with `child=True` as `python -m briefing` in a child process (for what only a process
    shows: start-up imports, signals, exit codes of the interpreter)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    full_env.update(env or {})
    argv = [str(a) for a in args]
    if child:
        return subprocess.run(
            [sys.executable, "-m", "briefing", *argv],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=full_env,
            timeout=timeout,
        )
    return _in_process(argv, cwd, full_env)


def _in_process(argv: list[str], cwd: Path | None, env: dict[str, str]):
    from briefing.cli import main

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    saved_term = signal.getsignal(signal.SIGTERM)
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(), out, err
        try:
            code = main(argv)
        except SystemExit as exc:  # --help, --version
            code = exc.code if isinstance(exc.code, int) else 0
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        signal.signal(signal.SIGTERM, saved_term)
    return subprocess.CompletedProcess(
        ["briefing", *argv], code, stdout=out.getvalue(), stderr=err.getvalue()
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
