"""`briefing send`: the briefing goes to a real SMTP server (aiosmtpd, on 127.0.0.1) as one
message with a plain-text and an HTML part; failures are one line, and never show the password."""

from __future__ import annotations

import email
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.e2e

PASSWORD = "s3cr3t-Pa55word"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))


@dataclass
class Received:
    message: EmailMessage
    mail_from: str
    rcpt_tos: list[str]
    tls: bool
    authenticated: bool


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what arrives and refuses the addresses in `refuse`."""

    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append(
            Received(
                msg,
                envelope.mail_from,
                list(envelope.rcpt_tos),
                session.ssl is not None,
                bool(session.authenticated),
            )
        )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def cert(tmp_path) -> Path:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command to make a test certificate")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            tmp_path / "key.pem",
            "-out",
            tmp_path / "cert.pem",
        ],
        check=True,
        capture_output=True,
    )
    return tmp_path


@pytest.fixture
def smtp_tls(cert) -> Iterator[tuple[Inbox, int, Path]]:
    """A server that requires STARTTLS, then a login (user 'brief', password PASSWORD)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert / "cert.pem", cert / "key.pem")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == (b"brief", PASSWORD.encode())
        return AuthResult(success=ok, handled=False)

    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield inbox, controller.port, cert / "cert.pem"
    finally:
        controller.stop()


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def send(
    url: str | None, *args: str | Path, to: tuple[str, ...] = ("a@example.com",), env=None
) -> subprocess.CompletedProcess[str]:
    """`briefing send SEEDS --to ADDR... [--smtp URL] ARGS`, as a user runs it."""
    flags: list[str | Path] = [f for addr in to for f in ("--to", addr)]
    flags += ["--smtp", url] if url else []
    env = {"BRIEFING_SMTP_FROM": "briefing@example.com", **(env or {})}
    return run_cli("send", SEEDS, *flags, *args, env=env)


def one_line_error(r: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert PASSWORD not in r.stderr + r.stdout
    for needle in needles:
        assert needle in r.stderr, r.stderr


def test_send_mails_text_and_html_with_citations(smtp):
    inbox, port = smtp
    to = ("team@example.com", "Boss <boss@example.com>")
    r = send(
        f"smtp://127.0.0.1:{port}",
        "--from",
        "briefing@example.com",
        "--audience",
        "executive",
        to=to,
    )
    assert r.returncode == 0, r.stderr
    assert f"sent to team@example.com, Boss <boss@example.com> via 127.0.0.1:{port}" in r.stderr
    [got] = inbox.received
    msg = got.message
    assert got.rcpt_tos == ["team@example.com", "boss@example.com"]
    assert got.mail_from == "briefing@example.com"
    assert msg["To"] == "team@example.com, Boss <boss@example.com>"
    assert msg["Subject"] == "Briefing: India, Putin and Russia — 2–4 December 2025"
    assert msg.get_content_type() == "multipart/alternative"
    text, html = parts(msg)
    assert "KEY POINTS" in text and "WHAT TO WATCH NEXT" in text
    assert "<h2" in html and "What to watch next" in html
    cited_text = set(re.findall(r"\[(\d{3}_[0-9a-f]{16})\]", text.split("SOURCES")[0]))
    cited_html = set(re.findall(r'href="#src-(\d{3}_[0-9a-f]{16})"', html))
    assert cited_text and cited_text == cited_html and cited_text <= set(SEED_IDS)
    for source in cited_html:
        assert f'id="src-{source}"' in html


def test_smtp_url_from_the_environment_and_a_subject(smtp):
    inbox, port = smtp
    env = {"BRIEFING_SMTP_URL": f"smtp://127.0.0.1:{port}", "BRIEFING_SMTP_FROM": "d@example.com"}
    r = send(None, "--subject", "Morning brief", "-q", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    [got] = inbox.received
    assert got.message["Subject"] == "Morning brief"
    assert got.message["From"] == "d@example.com"


def test_starttls_and_login(smtp_tls):
    inbox, port, cert = smtp_tls
    env = {
        "BRIEFING_SMTP_URL": f"smtp://brief:{PASSWORD}@127.0.0.1:{port}",
        "SSL_CERT_FILE": str(cert),
    }
    r = send(None, env=env)
    assert r.returncode == 0, r.stderr
    assert PASSWORD not in r.stderr + r.stdout
    [got] = inbox.received
    assert got.tls and got.authenticated


def test_password_from_its_own_variable(smtp_tls):
    inbox, port, cert = smtp_tls
    env = {"BRIEFING_SMTP_PASSWORD": PASSWORD, "SSL_CERT_FILE": str(cert)}
    r = send(f"smtp://brief@127.0.0.1:{port}", env=env)
    assert r.returncode == 0, r.stderr
    assert len(inbox.received) == 1


def test_wrong_password_is_one_line_without_it(smtp_tls):
    inbox, port, cert = smtp_tls
    r = send(f"smtp://brief:wrong-{PASSWORD}@127.0.0.1:{port}", env={"SSL_CERT_FILE": str(cert)})
    one_line_error(r, "refused the login for 'brief'", "535")
    assert "wrong-" not in r.stderr
    assert inbox.received == []


def test_an_untrusted_certificate_is_refused(smtp_tls):
    inbox, port, _ = smtp_tls
    r = send(f"smtp://brief:{PASSWORD}@127.0.0.1:{port}")
    one_line_error(r, "TLS with the SMTP server", "certificate")
    assert inbox.received == []


def test_no_password_over_a_plain_connection(smtp):
    inbox, port = smtp
    r = send(f"smtp://brief:{PASSWORD}@127.0.0.1:{port}")
    one_line_error(r, "does not offer STARTTLS")
    assert inbox.received == []


def test_refused_connection_is_one_line():
    port = free_port()
    r = send(f"smtp://brief:{PASSWORD}@127.0.0.1:{port}")
    one_line_error(r, f"cannot connect to the SMTP server 127.0.0.1:{port}", "refused")


def test_smtps_to_a_server_without_tls_is_one_line(smtp):
    _, port = smtp
    r = send(f"smtps://brief:{PASSWORD}@127.0.0.1:{port}")
    one_line_error(r, "TLS with the SMTP server")


def test_rejected_recipient_is_one_line(smtp):
    inbox, port = smtp
    inbox.refuse.add("nobody@example.com")
    r = send(f"smtp://127.0.0.1:{port}", to=("nobody@example.com",))
    one_line_error(r, "refused the recipient(s) nobody@example.com (550", "nothing was sent")
    r = send(f"smtp://127.0.0.1:{port}", to=("nobody@example.com", "a@example.com"))
    one_line_error(r, "nobody@example.com", "the others were sent the briefing")
    assert [g.rcpt_tos for g in inbox.received] == [["a@example.com"]]


def test_only_new_with_nothing_new_sends_nothing(smtp, tmp_path):
    inbox, port = smtp
    state = tmp_path / "team.json"
    r = send(f"smtp://127.0.0.1:{port}", "--state", state, "--only-new")
    assert r.returncode == 0, r.stderr
    assert len(inbox.received) == 1
    r = send(f"smtp://127.0.0.1:{port}", "--state", state, "--only-new")
    assert r.returncode == 0, r.stderr
    assert "nothing new since" in r.stderr and "no mail sent" in r.stderr
    assert len(inbox.received) == 1


def test_a_failed_send_does_not_update_the_state(tmp_path):
    state = tmp_path / "team.json"
    r = send(f"smtp://127.0.0.1:{free_port()}", "--state", state)
    assert r.returncode == 1
    assert not state.exists()


def test_dry_run_writes_the_message(tmp_path):
    out = tmp_path / "brief.eml"
    r = send(None, "--dry-run", out, "--state", tmp_path / "s.json")
    assert r.returncode == 0, r.stderr
    assert "(not sent)" in r.stderr
    msg = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    text, html = parts(msg)
    assert "[000_7de08aa9a340eff1]" in text and 'href="#src-000_7de08aa9a340eff1"' in html
    assert not (tmp_path / "s.json").exists()  # nothing was sent, so nothing is remembered


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--to", "not-an-address"], 2, "not an e-mail address"),
        (["--to", "a@example.com"], 1, "no SMTP server"),
        (["--to", "a@example.com", "--smtp", f"http://u:{PASSWORD}@host"], 2, "u:***@host"),
        ([], 2, "--to"),
    ],
)
def test_send_usage_mistakes(args, code, message):
    r = run_cli("send", SEEDS, *args, env={"BRIEFING_SMTP_FROM": "b@example.com"})
    assert r.returncode == code, r.stderr
    assert message in r.stderr and PASSWORD not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
