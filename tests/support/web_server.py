"""A small web site on 127.0.0.1 for the tests of web sources: feeds (RSS 2.0 and Atom),
article pages with menus, sidebars and footers around the article, and one path for each fault
briefing must survive (404, 500, a slow answer, a redirect loop, a huge body, an image, a
malformed feed, an empty feed, a feed whose items 404, a flaky server).

`Site.pages` maps a path to (status, content type, body); tests change it between runs (a new
item in a feed). The server answers conditional requests (ETag) and counts the requests for
each path in `Site.hits`, with the headers of the last in `Site.last_headers`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLES = {
    "storm": (
        "Storm closes the northern ferry line",
        "2026-11-28",
        [
            "The northern ferry line was closed on Friday after waves of 6 metres hit the "
            "harbour wall at Eastport.",
            "The operator said 14 crossings were cancelled and about 2,300 passengers were "
            "moved to coaches.",
            "Engineers expect the line to reopen on Monday if the wind drops below 40 km/h.",
        ],
    ),
    "budget": (
        "Council approves a smaller budget for 2027",
        "2026-11-29",
        [
            "The city council approved a budget of 412 million euros for 2027, down 3% from "
            "this year.",
            "Spending on roads falls by 18 million euros while school meals get 4 million "
            "euros more.",
            "The opposition voted against the plan, saying it delays the tram extension by "
            "two years.",
        ],
    ),
    "port": (
        "Port traffic rises for a third month",
        "2026-11-30",
        [
            "Container traffic at the port rose 7.5% in November to 98,000 boxes, the third "
            "monthly rise in a row.",
            "The port authority credited a new shipping line to Lisbon, which calls twice a week.",
        ],
    ),
    "bridge": (
        "Bridge repairs to start in January",
        "2026-12-01",
        [
            "Repairs to the old river bridge will start on 12 January and last 9 months, the "
            "roads agency said.",
            "One lane will stay open to cars; cyclists are asked to use the ferry crossing.",
        ],
    ),
}

FURNITURE = ("Home", "World", "Business", "Sport", "Subscribe to our newsletter")


def article_page(slug: str, site: str = "Harbour Gazette") -> bytes:
    """An article page as news sites write them: the article between a menu, a sidebar of
    other stories and a footer, none of which is the article."""
    title, date, paragraphs = ARTICLES[slug]
    menu = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in FURNITURE)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title} | {site}</title>
<meta property="og:site_name" content="{site}">
<meta name="author" content="Dana Reed">
<meta property="article:published_time" content="{date}T07:00:00Z">
<link rel="canonical" href="/news/{slug}.html">
</head><body>
<header><div class="logo">{site}</div><nav><ul>{menu}</ul></nav></header>
<div class="layout">
<main><article><h1>{title}</h1>{body}</article></main>
<aside class="sidebar"><h2>Most read</h2><p>Sidebar: the mayor's cat wins a prize for the
third year running, and readers cannot get enough of it.</p></aside>
</div>
<footer><p>Copyright 2026 {site}. All rights reserved. Contact us at the newsroom.</p></footer>
</body></html>""".encode()


def rss(items: list[str], base: str, title: str = "Harbour Gazette") -> bytes:
    entries = "".join(
        f"""<item><title>{ARTICLES[s][0]}</title><link>{base}/news/{s}.html</link>
<guid>{base}/news/{s}.html</guid><pubDate>{_rfc822(ARTICLES[s][1])}</pubDate>
<author>desk@gazette.test (Dana Reed)</author>
<description>{ARTICLES[s][2][0]}</description></item>"""
        for s in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>{base}/</link>
<description>News from the harbour</description>{entries}</channel></rss>""".encode()


def atom(items: list[str], base: str, title: str = "Port Weekly") -> bytes:
    entries = "".join(
        f"""<entry><title>{ARTICLES[s][0]}</title><link href="{base}/news/{s}.html"/>
<id>tag:port.test,2026:{s}</id><updated>{ARTICLES[s][1]}T08:00:00Z</updated>
<author><name>Lee Marsh</name></author>
<summary>{ARTICLES[s][2][0]}</summary></entry>"""
        for s in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>
<id>tag:port.test,2026:feed</id><updated>2026-12-01T08:00:00Z</updated>{entries}</feed>""".encode()


def _rfc822(day: str) -> str:
    import datetime as dt
    from email.utils import format_datetime

    d = dt.datetime.fromisoformat(day + "T07:00:00+00:00")
    return format_datetime(d)


@dataclass
class Site:
    base: str = ""
    pages: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    last_headers: dict[str, dict[str, str]] = field(default_factory=dict)
    slow_seconds: float = 3.0
    flaky_failures: int = 1  # /flaky answers 503 this many times, then 200
    delay: float = 0.0  # seconds every answer waits (a distant server, for the benchmark)

    def url(self, path: str) -> str:
        return self.base + path

    def fill(self) -> None:
        b = self.base
        html = "text/html; charset=utf-8"
        for slug in ARTICLES:
            self.pages[f"/news/{slug}.html"] = (200, html, article_page(slug))
        self.pages["/feed.xml"] = (200, "application/rss+xml", rss(["storm", "budget"], b))
        self.pages["/atom.xml"] = (200, "application/atom+xml", atom(["port"], b))
        # servers mislabel feeds: detected by content
        self.pages["/mislabelled"] = (200, "text/html", rss(["bridge"], b))
        self.pages["/malformed.xml"] = (200, "application/rss+xml", b"<rss><channel><title>x<")
        self.pages["/empty.xml"] = (
            200,
            "application/rss+xml",
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title>'
            b"</channel></rss>",
        )
        self.pages["/broken-items.xml"] = (
            200,
            "application/rss+xml",
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Gone</title>'
            b"<item><title>Gone one</title><link>" + b.encode() + b"/missing/one.html</link>"
            b"</item><item><title>Gone two</title><link>" + b.encode() + b"/missing/two.html"
            b"</link></item></channel></rss>",
        )
        self.pages["/image.png"] = (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000)
        self.pages["/error"] = (500, "text/plain", b"oops")


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        site = self.site
        path = self.path.split("?")[0]
        site.hits[path] = site.hits.get(path, 0) + 1
        site.last_headers[path] = dict(self.headers.items())
        if site.delay:
            time.sleep(site.delay)
        if path == "/slow":
            time.sleep(site.slow_seconds)
            return self._send(200, "text/html", article_page("storm"))
        if path.startswith("/loop"):
            nxt = "/loop-b" if path == "/loop-a" else "/loop-a"
            return self._send(302, "text/plain", b"", {"Location": nxt})
        if path == "/huge":
            return self._huge()
        if path == "/flaky":
            if site.hits[path] <= site.flaky_failures:
                return self._send(503, "text/plain", b"busy")
            return self._send(200, "text/html; charset=utf-8", article_page("bridge"))
        if path not in site.pages:
            return self._send(404, "text/html", b"<html><body><p>Not found</p></body></html>")
        status, ctype, body = site.pages[path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            return self._send(304, ctype, b"", {"ETag": etag})
        self._send(status, ctype, body, {"ETag": etag} if status == 200 else {})

    def _send(self, status: int, ctype: str, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _huge(self) -> None:
        """Six megabytes of a page, sent in chunks without a length said beforehand."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        piece = b"<p>" + b"word " * 2000 + b"</p>"
        try:
            for _ in range(6_000_000 // len(piece) + 1):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up on purpose (a body too large, a timeout)


@contextmanager
def serve() -> Iterator[Site]:
    site = Site()
    handler = type("Handler", (_Handler,), {"site": site})
    server = _Server(("127.0.0.1", 0), handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    site.fill()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
