"""Mail: a briefing as one message with a plain-text and an HTML part, sent over SMTP.

The server is a URL, from `--smtp` or BRIEFING_SMTP_URL: `smtp://[USER[:PASSWORD]@]HOST[:PORT]`
(port 587; upgraded with STARTTLS when the server offers it) or `smtps://...` (port 465; TLS from
the first byte). A password can also come from BRIEFING_SMTP_PASSWORD. Certificates are checked
against the system's authorities (SSL_CERT_FILE names another bundle). The password is never
printed, and is never sent over a connection that is not encrypted.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from briefing.deliver.output import write_output
from briefing.deliver.rendering import date_range
from briefing.errors import ConfigError, MailError, UsageError
from briefing.models import GENERATOR, Briefing

SMTP_URL_ENV = "BRIEFING_SMTP_URL"
SMTP_PASSWORD_ENV = "BRIEFING_SMTP_PASSWORD"
SMTP_FROM_ENV = "BRIEFING_SMTP_FROM"
TIMEOUT = 30.0
_PORTS = {"smtp": 587, "smtps": 465}


def redact(url: str) -> str:
    """`url` with its password, if any, replaced by '***'."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^/@:]*):[^/@]*@", r"\1:***@", url, flags=re.I)


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def from_url(cls, url: str, env: Mapping[str, str] = os.environ) -> SmtpSettings:
        """Settings from an smtp:// or smtps:// URL; the password may come from the
        environment instead (BRIEFING_SMTP_PASSWORD)."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        try:
            port = parts.port
        except ValueError:
            port = -1
        if scheme not in _PORTS or not parts.hostname or port == -1:
            raise ConfigError(
                f"SMTP server {redact(url)!r}: expected smtp://[USER[:PASSWORD]@]HOST[:PORT] "
                "or smtps://..."
            )
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password is not None else None
        if username and password is None:
            password = env.get(SMTP_PASSWORD_ENV)
        return cls(scheme, parts.hostname, port or _PORTS[scheme], username, password)


def smtp_settings(url: str | None, env: Mapping[str, str] = os.environ) -> SmtpSettings:
    """The settings from `url` (the --smtp flag) or else BRIEFING_SMTP_URL."""
    given = url or env.get(SMTP_URL_ENV)
    if not given:
        raise ConfigError(
            f"no SMTP server: give --smtp smtp://HOST:587 or set {SMTP_URL_ENV} "
            "(or write the message to a file with --dry-run FILE.eml)"
        )
    try:
        return SmtpSettings.from_url(given, env)
    except ConfigError as exc:
        if url:  # a mistake on the command line: a usage error
            raise UsageError(f"--smtp: {exc}") from exc
        raise ConfigError(f"{SMTP_URL_ENV}: {exc}") from exc


def check_address(address: str, flag: str = "--to") -> str:
    """`address` ('a@example.com' or 'Name <a@example.com>'), or UsageError."""
    address = address.strip()
    _, addr = parseaddr(address)
    local, _, domain = addr.rpartition("@")
    if not local or not domain or re.search(r"\s", addr) or re.search(r"[\r\n]", address):
        raise UsageError(f"{flag} {address!r}: not an e-mail address")
    return address


def default_sender(env: Mapping[str, str] = os.environ) -> str:
    return env.get(SMTP_FROM_ENV) or f"briefing@{socket.gethostname() or 'localhost'}"


def sender_warning(sender: str) -> str | None:
    """What to say when the sender's address has no domain ('briefing@myhost'): real mail
    servers reject it, and the mail is found missing only later."""
    domain = parseaddr(sender)[1].rpartition("@")[2]
    if "." in domain:
        return None
    return (
        f"warning: the sender {sender} has no domain, which most mail servers reject; set "
        f"--from or {SMTP_FROM_ENV} to an address of your domain"
    )


def default_subject(briefing: Briefing) -> str:
    subject = f"{briefing.title} — {date_range(briefing.period.start, briefing.period.end)}"
    if briefing.since is not None:
        subject += f" ({len(briefing.new_sources) or 'nothing'} new)"
    return subject


def compose(text: str, html: str, subject: str, sender: str, to: Sequence[str]) -> EmailMessage:
    """A multipart/alternative message: `text` first, then `html` (what mail programs prefer)."""
    msg = EmailMessage()
    try:
        msg["Subject"] = subject
    except ValueError as exc:
        raise UsageError(f"--subject: {exc}") from exc
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    msg["X-Mailer"] = GENERATOR  # what briefing looks for to skip its own messages as sources
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def write_message(msg: EmailMessage, path: str | Path) -> None:
    """Write `msg` to `path` as an .eml file, '-' to standard output (what --dry-run does
    instead of sending)."""
    write_output(path, msg.as_string())


def send(msg: EmailMessage, settings: SmtpSettings, timeout: float = TIMEOUT) -> None:
    """Send `msg` to its To: addresses; raise MailError (one line, no password) when it fails."""
    with _failures(settings, timeout), _session(settings, timeout) as client:
        refused = client.send_message(msg)
    if refused:
        raise MailError(
            f"the SMTP server {settings.where} refused the recipient(s) {_refused(refused)}; "
            "the others were sent the briefing"
        )


def check_server(settings: SmtpSettings, timeout: float = TIMEOUT) -> None:
    """Connect, greet, start TLS and log in as `send` will, then leave: raise MailError now,
    before any work is paid for, when the server cannot be reached or refuses the login."""
    with _failures(settings, timeout), _session(settings, timeout):
        pass


@contextlib.contextmanager
def _failures(settings: SmtpSettings, timeout: float) -> Iterator[None]:
    """SMTP, TLS and network failures as one MailError line, the password never in it."""
    try:
        yield
    except (MailError, smtplib.SMTPException, OSError) as exc:
        message = _explain(exc, settings, timeout)
        if settings.password:
            message = message.replace(settings.password, "***")
        raise MailError(" ".join(message.split())) from exc


@contextlib.contextmanager
def _session(settings: SmtpSettings, timeout: float) -> Iterator[smtplib.SMTP]:
    """A connection greeted, encrypted (STARTTLS when offered, or smtps://) and logged in."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.scheme == "smtps":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with client:
        client.ehlo()
        encrypted = settings.scheme == "smtps"
        if not encrypted and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
            encrypted = True
        if settings.username:
            if not encrypted:
                raise MailError(
                    f"the SMTP server {settings.where} does not offer STARTTLS: the password "
                    "is not sent unencrypted (use smtps:// or a server that offers STARTTLS)"
                )
            client.login(settings.username, settings.password or "")
        yield client


def _explain(exc: BaseException, settings: SmtpSettings, timeout: float) -> str:
    where = f"the SMTP server {settings.where}"
    if isinstance(exc, MailError):
        return str(exc)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"{where} refused the login for {settings.username!r} ({_reply(exc)})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"{where} refused the recipient(s) {_refused(exc.recipients)}; nothing was sent"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"{where} refused the sender {exc.sender} ({_reply(exc)}); set --from"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"{where} does not support login: drop the user name from the SMTP URL ({exc})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} refused the message ({_reply(exc)})"
    if isinstance(exc, smtplib.SMTPException):
        return f"{where} failed: {exc}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS with {where} failed: {exc.verify_message or exc.reason}"
    if isinstance(exc, ssl.SSLError):
        hint = " (is it an smtps:// server, or smtp:// with STARTTLS?)"
        return f"TLS with {where} failed: {exc.reason or exc}{hint}"
    if isinstance(exc, TimeoutError):
        return f"{where} did not answer within {timeout:g} s"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"cannot connect to {where}: {reason}"


def _refused(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return ", ".join(
        f"{addr} ({_reply_of(code, text)})" for addr, (code, text) in recipients.items()
    )


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return _reply_of(exc.smtp_code, exc.smtp_error)


def _reply_of(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {text}".strip()
