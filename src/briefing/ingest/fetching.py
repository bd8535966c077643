"""Fetching: one document over HTTP(S), politely and within limits.

A `Fetcher` GETs a URL with an identifying User-Agent, a timeout, a size cap (the body is read
as a stream and given up past `max_bytes`), a few redirects at most, conditional headers
(ETag / Last-Modified) when it is given the validators of an earlier fetch, and at most
`per_host` requests in flight to any one host. A transient failure (a timeout, a dropped
connection, 429, 500, 502, 503, 504) is retried `retries` times with a growing pause; anything
else fails at once. Every failure is a `FetchError` whose message is one line a user can act on.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from briefing.version import __version__

USER_AGENT = f"briefing/{__version__} (document briefings; fetches feeds and pages it is given)"
TRANSIENT_STATUS = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A URL could not be fetched; the message says why, in one line."""


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    retries: int = 2
    per_host: int = 2
    pause: float = 0.5  # seconds before the first retry; doubled for each further one


@dataclass(frozen=True)
class Validators:
    """What a server said identifies the version it sent (for a conditional request)."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass
class Fetched:
    """What a GET gave: the final URL (after redirects), the body and its content type, the
    validators to send next time, and when it was fetched. `not_modified`: the server answered
    304 to a conditional request (the body is empty)."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: dt.datetime
    validators: Validators = field(default_factory=Validators)
    not_modified: bool = False


def host_of(url: str) -> str:
    """The URL's host name, lower case; "" when it has none or is malformed."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # e.g. 'http://[oops/report': an unclosed IPv6 bracket
        return ""


def url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched as it is written (one line), or None when it can be tried."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return "not a valid URL"
    if not host:
        return "not a valid URL (no host name)"
    try:
        host.encode("idna")
    except UnicodeError:
        return f"not a valid URL (the host name {host!r} is malformed)"
    return None


class Fetcher:
    """GETs URLs within `policy`; safe to call from several threads at once."""

    def __init__(self, policy: FetchPolicy | None = None):
        import httpx2

        self.policy = policy or FetchPolicy()
        self._client = httpx2.Client(
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx2.Timeout(self.policy.timeout),
            follow_redirects=True,
            max_redirects=self.policy.max_redirects,
            limits=httpx2.Limits(max_connections=16, max_keepalive_connections=8),
        )
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _slot(self, url: str) -> threading.BoundedSemaphore:
        host = host_of(url)
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = threading.BoundedSemaphore(self.policy.per_host)
            return self._hosts[host]

    def get(self, url: str, validators: Validators | None = None) -> Fetched:
        """GET `url` (conditionally, given `validators`). Raises FetchError."""
        problem = url_problem(url)
        if problem:
            raise FetchError(problem)
        attempt = 0
        while True:
            try:
                with self._slot(url):
                    return self._get_once(url, validators)
            except _Transient as exc:
                if attempt >= self.policy.retries:
                    tries = f" (tried {attempt + 1} times)" if attempt else ""
                    raise FetchError(f"{exc}{tries}") from exc
                time.sleep(self.policy.pause * 2**attempt)
                attempt += 1

    def _get_once(self, url: str, validators: Validators | None) -> Fetched:
        import httpx2

        headers = validators.headers() if validators else {}
        started = time.monotonic()
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 304 and headers:
                    return Fetched(
                        url=url,
                        final_url=str(response.url),
                        status=status,
                        content_type="",
                        body=b"",
                        fetched_at=_now(),
                        validators=validators or Validators(),
                        not_modified=True,
                    )
                if status in TRANSIENT_STATUS:
                    raise _Transient(f"the server answered {status} {response.reason_phrase}")
                if status >= 400:
                    raise FetchError(f"the server answered {status} {response.reason_phrase}")
                if status >= 300:
                    raise FetchError(f"a redirect ({status}) without a usable Location")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > self.policy.max_bytes:
                    raise FetchError(_too_big(int(declared), self.policy.max_bytes))
                body = bytearray()
                for piece in response.iter_bytes():
                    body += piece
                    if len(body) > self.policy.max_bytes:
                        raise FetchError(_too_big(None, self.policy.max_bytes))
                    if time.monotonic() - started > 2 * self.policy.timeout:
                        # each read came in time, but the whole drips on and on
                        raise _Transient(f"not read within {2 * self.policy.timeout:g} s")
                return Fetched(
                    url=url,
                    final_url=str(response.url),
                    status=status,
                    content_type=response.headers.get("Content-Type", ""),
                    body=bytes(body),
                    fetched_at=_now(),
                    validators=Validators(
                        etag=response.headers.get("ETag"),
                        last_modified=response.headers.get("Last-Modified"),
                    ),
                )
        except httpx2.TooManyRedirects as exc:
            raise FetchError(
                f"more than {self.policy.max_redirects} redirects (a redirect loop?)"
            ) from exc
        except httpx2.TimeoutException as exc:
            raise _Transient(f"no answer within {self.policy.timeout:g} s (timed out)") from exc
        except httpx2.ConnectError as exc:
            raise FetchError(_connect_reason(exc, url)) from exc
        except (httpx2.ReadError, httpx2.RemoteProtocolError, httpx2.WriteError) as exc:
            raise _Transient(f"the connection broke ({_detail(exc)})") from exc
        except httpx2.UnsupportedProtocol as exc:
            raise FetchError("only http:// and https:// URLs can be fetched") from exc
        except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
            raise FetchError(f"cannot be fetched ({_detail(exc)})") from exc
        except ValueError as exc:  # UnicodeError too: a host (or a redirect's) IDNA refuses
            raise FetchError(f"not a valid URL ({_detail(exc)})") from exc


class _Transient(Exception):
    """A failure worth trying again."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _too_big(size: int | None, cap: int) -> str:
    what = f"{size / 1e6:.1f} MB" if size else f"more than {cap / 1e6:g} MB"
    return f"too large ({what}; briefing reads at most {cap / 1e6:g} MB of a page)"


def _detail(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:120] or type(exc).__name__


def _connect_reason(exc: BaseException, url: str) -> str:
    text = str(exc)
    host = host_of(url)
    if any(
        k in text
        for k in (
            "Name or service not known",
            "nodename nor servname",
            "getaddrinfo",
            "Temporary failure in name resolution",
            "No address associated",
        )
    ):
        return f"the host {host} was not found (DNS)"
    if "refused" in text.lower():
        return f"{host} refused the connection (nothing listening there?)"
    if "certificate" in text.lower() or "SSL" in text:
        return f"a TLS error talking to {host} ({_detail(exc)})"
    return f"{host} cannot be reached ({_detail(exc)})"


def parse_validators(data: Mapping[str, str | None]) -> Validators:
    return Validators(etag=data.get("etag"), last_modified=data.get("last_modified"))
