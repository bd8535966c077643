"""A run that would fail or quietly get worse says so before anything is paid for: templates and
the SMTP server are tried before the first model request, a cache that cannot be written is
said once, usage mistakes are exit 2, and the progress line on a terminal is a clean line that
messages never land on."""

from __future__ import annotations

import os
import pty
import re
import select
import socket
import subprocess
import sys

import pytest

from briefing.cli import main
from tests.conftest import SEEDS
from tests.support.fake_model import ModelResponder
from tests.support.openai_server import FakeOpenAIServer

pytestmark = pytest.mark.e2e

ONE_DOC = SEEDS / "001_38b30d14b806c795.txt"


@pytest.fixture
def llm_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "BRIEFING_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_template_error_is_found_before_any_model_request(tmp_path, capsys, llm_env):
    mine = tmp_path / "mine" / "default"
    mine.mkdir(parents=True)
    (mine / "briefing.md.j2").write_text("# {{ b.title }}\n{{ b.no_such_field }}\n")
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        code = main(
            [
                "build",
                str(ONE_DOC),
                "--base-url",
                srv.base_url,
                "--templates",
                str(tmp_path / "mine"),
                "--cache-dir",
                str(tmp_path / "cache"),
                "-q",
            ]
        )
        assert srv.request_count == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert "briefing.md.j2" in err[0] and "no_such_field" in err[0]


def test_an_unreachable_smtp_server_is_found_before_any_model_request(tmp_path, capsys, llm_env):
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        code = main(
            [
                "send",
                str(ONE_DOC),
                "--to",
                "team@example.com",
                "--from",
                "b@example.com",
                "--smtp",
                f"smtp://127.0.0.1:{closed_port()}",
                "--base-url",
                srv.base_url,
                "--cache-dir",
                str(tmp_path / "cache"),
                "-q",
            ]
        )
        assert srv.request_count == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "cannot connect to the SMTP server" in err[0]


def test_a_cache_that_cannot_be_written_is_said_once(tmp_path, capsys, llm_env):
    blocked = tmp_path / "cache"
    blocked.write_text("a file, not a folder")  # writing any entry under it fails
    with FakeOpenAIServer(responder=ModelResponder()) as srv:
        code = main(
            [
                "build",
                str(SEEDS),
                "--base-url",
                srv.base_url,
                "--cache-dir",
                str(blocked),
                "-o",
                str(tmp_path / "b.md"),
            ]
        )
    err = capsys.readouterr().err
    assert code == 0
    assert err.count("answers cannot be cached in") == 1
    assert "the next run will pay for every request again" in err


def test_a_sender_without_a_domain_is_warned_about(tmp_path, capsys, monkeypatch):
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "BRIEFING_")):
            monkeypatch.delenv(name)
    monkeypatch.setattr(socket, "gethostname", lambda: "myhost")
    out = tmp_path / "m.eml"
    assert main(["send", str(ONE_DOC), "--to", "t@example.com", "--dry-run", str(out)]) == 0
    err = capsys.readouterr().err
    assert "the sender briefing@myhost has no domain" in err and "BRIEFING_SMTP_FROM" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["send", str(ONE_DOC), "--to", "t@example.com", "--smtp", "http://mail.example.com"],
            "--smtp: SMTP server",
        ),
        (["build", str(ONE_DOC), "--retries", "-1"], "--retries: expected a number of at least 0"),
        (["build", str(ONE_DOC), "--timeout", "-3"], "--timeout: expected a number of seconds"),
        (["build", str(ONE_DOC), "--base-url", "localhost:11434"], "--base-url: expected an http"),
        (["build", str(ONE_DOC), "--concurrency", "0"], "--concurrency: expected a number of at"),
    ],
)
def test_usage_mistakes_are_one_line_and_exit_2(capsys, args, message, monkeypatch):
    monkeypatch.delenv("BRIEFING_SMTP_URL", raising=False)
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def read_all(fd: int, proc: subprocess.Popen, timeout: float = 60) -> bytes:
    out = b""
    while True:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=timeout)
    return out


def test_the_progress_line_on_a_terminal_is_clean_and_messages_get_lines_of_their_own(tmp_path):
    """stderr is a pseudo-terminal, as when a user runs briefing by hand: the bar is drawn with
    carriage returns, shows facts and tokens (not a function's repr), is cleared at the end,
    and a notice during the run (the server takes no JSON schema) starts on a line of its own."""
    master, slave = pty.openpty()
    with FakeOpenAIServer(responder=ModelResponder(), reject_json_schema=True, latency=0.05) as srv:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
        env.update(OPENAI_API_KEY="test-key", OPENAI_BASE_URL=srv.base_url)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "briefing",
                "build",
                str(SEEDS),
                "-o",
                str(tmp_path / "b.md"),
                "--cache-dir",
                str(tmp_path / "cache"),
                "--concurrency",
                "2",
            ],
            stderr=slave,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        os.close(slave)
        raw = read_all(master, proc)
        os.close(master)
    assert proc.returncode == 0, raw
    text = raw.decode("utf-8", errors="replace")
    assert "<function" not in text and "lambda" not in text
    bars = re.findall(
        r"\rextracting \[[#-]{24}\] ([\d,]+)/([\d,]+)  ([\d,]+) facts? · ([\d,]+) tokens", text
    )
    assert bars, text
    assert bars[-1][0] == bars[-1][1]  # it reached the end
    notice = text.index("briefing: the server does not take JSON-schema output")
    before = text[:notice]
    assert before.endswith(("\r\x1b[K", "\n")) or before == ""  # never after the bar
    summary = text.index("briefing: 5 documents")
    assert text[:summary].endswith("\r\x1b[K") or text[:summary].endswith("\n")
    for line in re.split(r"\r?\n", text[summary:]):
        assert "extracting [" not in line
