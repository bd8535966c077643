"""URLs as sources: feeds and pages from a real HTTP server on 127.0.0.1 (tests/support/
web_server.py), kept as snapshots that `briefing check` verifies; only what is new with a state
file; every fault one note, and one line with exit 2 when nothing could be read."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.ingest.feeds import is_feed
from briefing.ingest.snapshots import file_id
from tests.conftest import run_cli
from tests.support.web_server import Site, article_page, rss, serve

pytestmark = pytest.mark.e2e


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as s:
        yield s


def build(site: Site, tmp_path: Path, *urls: str, extra: tuple[str, ...] = ()):
    out = tmp_path / "brief.json"
    r = run_cli(
        "build",
        *urls,
        "--snapshots",
        tmp_path / "snap",
        "-o",
        out,
        "--fetch-timeout",
        "2",
        *extra,
    )
    brief = json.loads(out.read_text()) if r.returncode == 0 and out.exists() else None
    return r, brief


def test_file_ids_are_host_and_path_readable_and_stable():
    assert file_id("https://www.Example.com/News/Storm-Hits.html") == "example.com/news/storm-hits"
    assert file_id("https://example.com/") == "example.com/index"
    assert file_id("http://127.0.0.1:8080/a b/c.php") == "127.0.0.1-8080/a-b/c"
    with_query = file_id("https://example.com/story?id=7")
    assert with_query.startswith("example.com/story-") and with_query == file_id(
        "https://example.com/story?id=7"
    )
    assert file_id("https://example.com/story?id=8") != with_query


def test_feeds_are_told_by_content():
    assert is_feed(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- hi --><rss version="2.0">')
    assert is_feed(b'<feed xmlns="http://www.w3.org/2005/Atom">')
    assert is_feed(b"<rdf:RDF xmlns:rdf='x'>")
    assert not is_feed(b"<!DOCTYPE html><html><body>rss</body></html>")


def test_rss_and_atom_items_are_sources_with_their_article_text(site, tmp_path):
    r, brief = build(site, tmp_path, site.url("/feed.xml"), site.url("/atom.xml"))
    assert r.returncode == 0, r.stderr
    port = site.base.rsplit(":", 1)[1]
    by_id = {s["id"]: s for s in brief["sources"]}
    assert set(by_id) == {f"127.0.0.1-{port}/news/{s}" for s in ("storm", "budget", "port")}
    storm = by_id[f"127.0.0.1-{port}/news/storm"]
    assert storm["title"] == "Storm closes the northern ferry line"
    assert storm["date"] == "2026-11-28"
    assert storm["outlet"] == "Harbour Gazette"  # the feed's title
    assert storm["url"] == site.url("/news/storm.html")
    assert by_id[f"127.0.0.1-{port}/news/port"]["outlet"] == "Port Weekly"
    # the article, without the menu, sidebar and footer around it
    snapshot = (tmp_path / "snap" / f"127.0.0.1-{port}" / "news" / "storm.txt").read_text()
    assert "2,300 passengers" in snapshot
    for furniture in ("Subscribe", "Sidebar", "Copyright", "Most read"):
        assert furniture not in snapshot
    folder = tmp_path / "snap" / f"127.0.0.1-{port}" / "news"
    record = json.loads((folder / "storm.json").read_text())
    assert record["url"] == site.url("/news/storm.html") and record["fetched_at"]
    assert record["author"] == "Dana Reed"
    # the user agent says who is asking
    assert site.last_headers["/feed.xml"]["User-Agent"].startswith("briefing/")


def test_a_briefing_of_web_sources_checks_against_its_snapshots(site, tmp_path):
    r, brief = build(site, tmp_path, site.url("/feed.xml"), site.url("/atom.xml"))
    assert r.returncode == 0, r.stderr
    # three short articles: their claims may all be key points
    assert len(brief["key_points"]) + sum(len(s["claims"]) for s in brief["sections"]) > 0
    checked = run_cli("check", tmp_path / "brief.json", tmp_path / "snap")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "hold" in checked.stdout
    # a snapshot changed afterwards is caught
    port = site.base.rsplit(":", 1)[1]
    snap = tmp_path / "snap" / f"127.0.0.1-{port}" / "news" / "storm.txt"
    snap.write_text(snap.read_text().replace("2,300", "3,200"))
    assert run_cli("check", tmp_path / "brief.json", tmp_path / "snap").returncode == 1


def test_a_web_page_gives_its_main_text_title_canonical_url_and_site_name(site, tmp_path):
    site.pages["/story"] = (
        200,
        "text/html",
        article_page("bridge").replace(
            b'href="/news/bridge.html"', b'href="https://gazette.test/b"'
        ),
    )
    r, brief = build(site, tmp_path, site.url("/story"))
    assert r.returncode == 0, r.stderr
    (source,) = brief["sources"]
    port = site.base.rsplit(":", 1)[1]
    assert source["id"] == f"127.0.0.1-{port}/story"  # from the URL asked for
    assert source["url"] == "https://gazette.test/b"  # the canonical URL
    assert source["title"] == "Bridge repairs to start in January"
    assert source["outlet"] == "Harbour Gazette"  # og:site_name
    assert source["date"] == "2026-12-01"


def test_a_mislabelled_feed_is_still_a_feed(site, tmp_path):
    r, brief = build(site, tmp_path, site.url("/mislabelled"))
    assert r.returncode == 0, r.stderr
    assert [s["title"] for s in brief["sources"]] == ["Bridge repairs to start in January"]


def _refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


@pytest.mark.parametrize(
    ("path", "note"),
    [
        ("/nowhere.html", "skipped, the server answered 404 Not Found"),
        ("/error", "skipped, the server answered 500 Internal Server Error (tried 3 times)"),
        ("/loop-a", "skipped, more than 5 redirects (a redirect loop?)"),
        ("/huge", "skipped, too large (more than 5 MB; briefing reads at most 5 MB of a page)"),
        ("/image.png", "skipped, not a web page or a feed (image/png)"),
        ("/malformed.xml", "skipped, a malformed feed"),
        ("/empty.xml", "skipped, an empty feed (no items)"),
        ("/slow", "skipped, no answer within 0.5 s (timed out) (tried 3 times)"),
    ],
)
def test_each_fault_is_one_note_and_the_rest_is_briefed(site, tmp_path, path, note):
    site.slow_seconds = 1.5
    out = tmp_path / "brief.json"
    r = run_cli(
        "build",
        site.url("/atom.xml"),
        site.url(path),
        "--snapshots",
        tmp_path / "snap",
        "--fetch-timeout",
        "0.5",
        "-o",
        out,
    )
    assert r.returncode == 0, r.stderr
    lines = [line for line in r.stderr.splitlines() if site.url(path) in line]
    assert len(lines) == 1 and lines[0].startswith(f"briefing: note: {site.url(path)}: {note}")
    assert len(json.loads(out.read_text())["sources"]) == 1
    assert "Traceback" not in r.stderr


def test_items_that_404_are_one_note_each(site, tmp_path):
    r, _ = build(site, tmp_path, site.url("/broken-items.xml"), site.url("/atom.xml"))
    assert r.returncode == 0, r.stderr
    for name in ("one", "two"):
        assert (
            f"briefing: note: {site.url(f'/missing/{name}.html')}: skipped, the server answered "
            "404 Not Found" in r.stderr
        )


def test_an_item_whose_link_fails_is_read_from_the_feed(site, tmp_path):
    feed = rss(["storm"], site.base).replace(b"/news/storm.html</link>", b"/gone.html</link>")
    site.pages["/fallback.xml"] = (200, "application/rss+xml", feed)
    r, brief = build(site, tmp_path, site.url("/fallback.xml"))
    assert r.returncode == 0, r.stderr
    assert "the feed's own text of it is briefed" in r.stderr
    assert brief["sources"][0]["title"] == "Storm closes the northern ferry line"


def test_unreachable_and_unknown_hosts_are_notes(site, tmp_path, monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    refused = f"http://127.0.0.1:{_refused_port()}/feed.xml"
    r, brief = build(site, tmp_path, site.url("/atom.xml"), "http://news.invalid/feed", refused)
    assert r.returncode == 0, r.stderr
    assert "http://news.invalid/feed: skipped, the host news.invalid was not found (DNS)" in (
        r.stderr
    )
    assert f"{refused}: skipped, 127.0.0.1 refused the connection" in r.stderr
    assert len(brief["sources"]) == 1


def test_nothing_readable_is_one_line_and_exit_2(site, tmp_path):
    r, _ = build(site, tmp_path, site.url("/error"), site.url("/empty.xml"))
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("briefing: error: nothing could be read from ")
    assert "500" in line and "empty feed" in line


def test_a_transient_failure_is_retried(site, tmp_path):
    r, brief = build(site, tmp_path, site.url("/flaky"))
    assert r.returncode == 0, r.stderr
    assert site.hits["/flaky"] == 2
    assert brief["sources"][0]["title"] == "Bridge repairs to start in January"


def test_only_new_fetches_only_new_items_and_marks_updated_ones(site, tmp_path):
    state = ("--state", str(tmp_path / "state.json"), "--only-new")
    r, first = build(site, tmp_path, site.url("/feed.xml"), extra=state)
    assert r.returncode == 0, r.stderr
    assert len(first["sources"]) == 2
    assert site.hits["/news/storm.html"] == 1

    # nothing changed: the feed answers 304 to the conditional request, nothing is written
    (tmp_path / "brief.json").unlink()
    r, again = build(site, tmp_path, site.url("/feed.xml"), extra=state)
    assert r.returncode == 0, r.stderr
    assert again is None and "nothing new" in r.stderr
    assert site.last_headers["/feed.xml"].get("If-None-Match")
    assert site.hits["/news/storm.html"] == 1

    # a new item, and an article updated since (its entry changed too)
    site.pages["/feed.xml"] = (
        200,
        "application/rss+xml",
        rss(["storm", "budget", "bridge"], site.base).replace(
            b"<description>The northern", b"<description>Update: the northern"
        ),
    )
    page = site.pages["/news/storm.html"]
    changed = page[2].replace(b"14 crossings", b"16 crossings")
    site.pages["/news/storm.html"] = (200, page[1], changed)
    r, third = build(site, tmp_path, site.url("/feed.xml"), extra=state)
    assert r.returncode == 0, r.stderr
    assert site.hits["/news/budget.html"] == 1  # unchanged entry: not fetched again
    ids = [s["id"].rsplit("/", 1)[1] for s in third["sources"]]
    assert sorted(ids) == ["bridge", "storm"]
    assert sorted(i.rsplit("/", 1)[1] for i in third["updated_sources"]) == ["storm"]
    assert len(third["new_sources"]) == 2
    md = run_cli("render", tmp_path / "brief.json", "--format", "md").stdout
    assert "· **updated**" in md and "· **new**" in md


def test_snapshots_go_beside_the_state_by_default(site, tmp_path):
    out = tmp_path / "brief.md"
    r = run_cli("build", site.url("/atom.xml"), "--state", tmp_path / "s" / "state.json", "-o", out)
    assert r.returncode == 0, r.stderr
    assert list((tmp_path / "s" / "snapshots").rglob("port.txt"))


def test_a_page_beside_local_files(site, tmp_path, seeds):
    r, brief = build(site, tmp_path, str(next(seeds.glob("*.txt"))), site.url("/atom.xml"))
    assert r.returncode == 0, r.stderr
    assert len(brief["sources"]) == 2


def test_an_entry_that_changed_around_the_same_article_is_fetched_once(site, tmp_path):
    state = ("--state", str(tmp_path / "state.json"), "--only-new")
    r, _ = build(site, tmp_path, site.url("/feed.xml"), extra=state)
    assert r.returncode == 0, r.stderr
    # the feed is written anew (another ETag, another description); the articles are the same
    site.pages["/feed.xml"] = (
        200,
        "application/rss+xml",
        rss(["storm", "budget"], site.base).replace(b"<description>The", b"<description>Now: the"),
    )
    for _ in range(2):
        r, _ = build(site, tmp_path, site.url("/feed.xml"), extra=state)
        assert r.returncode == 0 and "nothing new" in r.stderr, r.stderr
    assert site.hits["/news/storm.html"] == 2  # the first run, and once for the changed entry


def test_a_pdf_report_is_read_and_a_mislabelled_binary_is_a_note(site, tmp_path):
    from tests.support.documents import pdf_bytes

    report = pdf_bytes(["The harbour handled 1.2 million passengers in 2026, up 4%."])
    site.pages["/report.pdf"] = (200, "application/pdf", report)
    site.pages["/blob"] = (200, "text/html", b"\x00\x01binary" * 100)
    r, brief = build(site, tmp_path, site.url("/report.pdf"), site.url("/blob"))
    assert r.returncode == 0, r.stderr
    assert f"{site.url('/blob')}: skipped, not a web page or a feed (text/html; binary)" in r.stderr
    (source,) = brief["sources"]
    assert source["reader"] == "text"  # the snapshot's text, which citations refer to
    port = site.base.rsplit(":", 1)[1]
    snapshot = tmp_path / "snap" / f"127.0.0.1-{port}" / "report.pdf.txt"
    assert "1.2 million" in snapshot.read_text()
    checked = run_cli("check", tmp_path / "brief.json", tmp_path / "snap")
    assert checked.returncode == 0, checked.stdout


def test_a_malformed_canonical_url_in_a_local_html_file_is_no_crash(tmp_path):
    page = article_page("storm").replace(b'href="/news/storm.html"', b'href="http://[oops/report"')
    page = page.replace(b'<meta property="og:site_name"', b'<meta property="og:other"')
    (tmp_path / "storm.html").write_bytes(page)
    r = run_cli("build", tmp_path / "storm.html", "-o", tmp_path / "brief.json")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr


def test_malformed_urls_are_one_note_each_and_no_crash(site, tmp_path):
    # a feed item linking to a host IDNA refuses, and a page naming a malformed canonical URL
    feed = rss(["storm", "budget"], site.base).replace(
        site.url("/news/storm.html</link>").encode(), b"http://a..b/story</link>"
    )
    site.pages["/bad-link.xml"] = (200, "application/rss+xml", feed)
    page = article_page("port").replace(b'href="/news/port.html"', b'href="http://[oops/x"')
    site.pages["/bad-canonical.html"] = (200, "text/html", page)
    r, brief = build(
        site, tmp_path, site.url("/bad-link.xml"), site.url("/bad-canonical.html"), "http://[bad"
    )
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert "briefing: note: http://[bad: skipped, not a valid URL" in r.stderr
    assert "http://a..b/story: skipped, not a valid URL" not in r.stderr  # read from the feed
    titles = {s["title"] for s in brief["sources"]}
    assert "Storm closes the northern ferry line" in titles
    assert len(brief["sources"]) == 3


def test_the_fetcher_turns_a_malformed_url_into_a_fetch_error():
    from briefing.ingest.fetching import Fetcher, FetchError, host_of

    assert host_of("http://[oops/report") == ""
    with Fetcher() as fetcher:
        for url in ("http://a..b/story", "http://[bad", "http://h:99999/"):
            with pytest.raises(FetchError, match="not a valid URL"):
                fetcher.get(url)


def test_snapshots_are_not_read_back_as_local_documents(site, tmp_path, monkeypatch):
    # the default snapshot folder is beside the state file, here inside the folder briefed
    (tmp_path / "notes.txt").write_text(
        "The harbour board met on Monday and approved a budget of 4 million euros.\n"
    )
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        r = run_cli("build", ".", site.url("/atom.xml"), "--state", "state.json", "-o", "b.json")
        assert r.returncode == 0, r.stderr
        ids = [s["id"] for s in json.loads((tmp_path / "b.json").read_text())["sources"]]
        assert len(ids) == 2, ids
    assert "snapshots: folder skipped, the output of this run" in r.stderr


def test_sigterm_while_fetching_leaves_promptly(site, tmp_path):
    # ten slow pages, two at a time to one host: some 40 s of fetching were the queue waited for
    import os
    import signal
    import subprocess
    import sys
    import time

    site.slow_seconds = 8
    urls = [site.url(f"/slow?page={n}") for n in range(10)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "briefing", "build", *urls),
            *("--snapshots", str(tmp_path / "s"), "--fetch-timeout", "30"),
            *("-o", str(tmp_path / "brief.md")),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not site.hits.get("/slow") and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    _, err = proc.communicate(timeout=90)
    took = time.monotonic() - sent
    assert proc.returncode == 143, err
    assert took < 5, took
    assert "Traceback" not in err
