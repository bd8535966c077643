"""Web sources: URLs given beside files and folders, read into Documents like files are.

A URL is fetched (`fetching`) and told apart by its content: a feed (`feeds`) gives one source
per item, whose link is fetched and its main text read with the HTML reader (the item's own
content when the link cannot be read); any other HTML page is one source, its main text. Each
document's text is saved as a snapshot (`snapshots`), which its citations' offsets refer to.

With `only_new`, feed items whose entry is the one an earlier run briefed (by GUID or link, and
a fingerprint of the entry) are not fetched again, and feeds and pages are asked for
conditionally (ETag / Last-Modified from the earlier run): a 304 means nothing new there.

Every source that cannot be read is one note, and is skipped; the caller decides what to do
when nothing at all could be read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from briefing.ingest.decoding import Decoded, Unreadable, decode_text
from briefing.ingest.feeds import FeedError, Item, is_feed, parse_feed
from briefing.ingest.fetching import (
    Fetched,
    Fetcher,
    FetchError,
    FetchPolicy,
    Validators,
    host_of,
    url_problem,
)
from briefing.ingest.metadata import analyse
from briefing.ingest.snapshots import SnapshotInfo, file_id, save, snapshot_text
from briefing.ingest.sources import is_url
from briefing.models import Document

_WORKERS = 6
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_T = TypeVar("_T")
_R = TypeVar("_R")


@dataclass
class WebOptions:
    snapshots: Path
    policy: FetchPolicy = field(default_factory=FetchPolicy)
    only_new: bool = False
    seen_items: Mapping[str, str] = field(default_factory=dict)
    """Feed items an earlier run briefed: key (GUID or link) -> the entry's fingerprint."""
    validators: Mapping[str, Validators] = field(default_factory=dict)
    """What the servers said of each URL last time (sent only with `only_new`)."""


@dataclass
class WebResult:
    docs: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    items: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Document ID -> (feed item key, the entry's fingerprint), for the state to remember."""
    validators: dict[str, Validators] = field(default_factory=dict)
    page_docs: dict[str, str] = field(default_factory=dict)
    """URL given (a page, not a feed) -> the ID of its document."""
    unchanged: int = 0
    """Sources with nothing new: a 304, or a feed whose items were all briefed before."""


def load_web(urls: Iterable[str], options: WebOptions) -> WebResult:
    """Fetch and read `urls`; see the module's description."""
    result = WebResult()
    urls = list(dict.fromkeys(urls))
    for url in [u for u in urls if url_problem(u)]:
        result.notes.append(f"{url}: skipped, {url_problem(url)}")
        urls.remove(url)
    with Fetcher(options.policy) as fetcher:
        conditional = options.validators if options.only_new else {}
        fetched = _each(urls, lambda u: _try(fetcher.get, u, conditional.get(u)))
        validators: dict[str, Validators] = {}
        needs: dict[str, list[str]] = {}  # URL -> feed item keys (or itself) it must give
        pages: list[tuple[Fetched, Item | None, str | None]] = []
        fallback: dict[str, tuple[Item, str | None]] = {}
        wanted: list[tuple[str, Item, str | None]] = []
        for url, got in zip(urls, fetched, strict=True):
            if isinstance(got, str):
                result.notes.append(f"{url}: skipped, {got}")
                continue
            if got.not_modified:
                result.unchanged += 1
                result.notes.append(f"{url}: not modified since the last run")
                continue
            validators[url] = got.validators
            if is_feed(got.body):
                try:
                    feed = parse_feed(got.body, got.final_url)
                except FeedError as exc:
                    result.notes.append(f"{url}: skipped, {exc}")
                    continue
                if feed.note:
                    result.notes.append(f"{url}: {feed.note}")
                outlet = feed.title or host_of(got.final_url)
                fresh = [
                    i
                    for i in feed.items
                    if not (options.only_new and options.seen_items.get(i.key) == i.fingerprint)
                ]
                if not fresh:
                    result.unchanged += 1
                    result.notes.append(f"{url}: no new items since the last run")
                needs[url] = [i.key for i in fresh]
                for item in fresh:
                    if item.link and is_url(item.link) and not url_problem(item.link):
                        wanted.append((item.link, item, outlet))
                    else:
                        fallback[item.key] = (item, outlet)
            else:
                needs[url] = [url]
                pages.append((got, None, None))
        links = [w[0] for w in wanted]
        for (link, linked, source), answer in zip(
            wanted, _each(links, lambda u: _try(fetcher.get, u, None)), strict=True
        ):
            if isinstance(answer, str):
                if _text_of_item(linked):
                    result.notes.append(f"{link}: {answer}; the feed's own text of it is briefed")
                    fallback[linked.key] = (linked, source)
                else:
                    result.notes.append(f"{link}: skipped, {answer}")
                continue
            pages.append((answer, linked, source))
        seen_ids: set[str] = set()
        for page, of_item, source in pages:
            doc, reason = _page_document(page, of_item, source, options.snapshots)
            if of_item is None and doc is not None:
                result.page_docs[page.url] = doc.id
            if doc is None and of_item is not None and _text_of_item(of_item):
                result.notes.append(f"{page.url}: {reason}; the feed's own text of it is briefed")
                fallback[of_item.key] = (of_item, source)
                continue
            _keep(result, seen_ids, doc, f"{page.url}: skipped, {reason}", of_item)
        for own, source in fallback.values():
            doc, reason = _item_document(own, source, options.snapshots)
            where = own.link or own.title or own.key
            _keep(result, seen_ids, doc, f"{where}: skipped, {reason}", own)
    # A source's validators are kept only when all it gave was read: a 304 next time must not
    # hide an item that failed this time.
    given = {key for key, _ in result.items.values()} | {
        u for u, d in result.page_docs.items() if d
    }
    result.validators = {
        url: v for url, v in validators.items() if all(k in given for k in needs.get(url, []))
    }
    return result


def _keep(
    result: WebResult,
    seen_ids: set[str],
    doc: Document | None,
    note: str | None,
    item: Item | None,
) -> None:
    if note and doc is None:
        result.notes.append(note)
    if doc is None or doc.id in seen_ids:
        return
    seen_ids.add(doc.id)
    result.docs.append(doc)
    if item is not None:
        result.items[doc.id] = (item.key, item.fingerprint)


def _each(values: list[_T], work: Callable[[_T], _R]) -> list[_R]:
    """`work` on each of `values`, a few at a time (the fetcher limits each host)."""
    if len(values) <= 1:
        return [work(v) for v in values]
    # Not `with`: its exit waits for every queued fetch, and Ctrl-C or SIGTERM must not.
    pool = ThreadPoolExecutor(max_workers=min(_WORKERS, len(values)))
    try:
        results = list(pool.map(work, values))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


def _try(get: Callable[[str, Validators | None], Fetched], url: str, v: Validators | None):
    try:
        return get(url, v)
    except FetchError as exc:
        return str(exc)


def _text_of_item(item: Item) -> str:
    if not item.content.strip():
        return ""
    return _html_fragment_text(item.content)


def _html_fragment_text(fragment: str) -> str:
    from briefing.ingest.readers import read_html

    try:
        return read_html(f"<html><body>{fragment}</body></html>".encode()).text
    except Unreadable:
        return ""


def _read_page(got: Fetched) -> tuple[Decoded, str | None, str | None]:
    """The page's text as the HTML reader gives it, its site name and author. Raises
    Unreadable for a body that is neither HTML nor text."""
    ctype = got.content_type.split(";")[0].strip().lower()
    if ctype == "application/pdf" or got.body.startswith(b"%PDF-"):
        from briefing.ingest.readers import read_pdf

        return read_pdf(got.body), None, None  # a report linked from a page or a feed
    if b"\x00" in got.body[:8192] and not got.body.startswith((b"\xff\xfe", b"\xfe\xff")):
        said_text = not ctype or ctype.startswith("text/") or ctype in _HTML_TYPES
        binary = "; binary" if said_text else ""
        raise Unreadable(f"not a web page or a feed ({ctype or 'no content type'}{binary})")
    head = got.body[:2048].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    looks_html = head.startswith((b"<!doctype html", b"<html")) or b"<html" in head
    unsure = ctype in ("", "text/plain", "application/octet-stream")
    if ctype in _HTML_TYPES or (looks_html and unsure):
        from briefing.ingest.readers import read_html

        decoded = read_html(got.body)
        site, author = _page_meta(got.body)
        return decoded, site, author
    if ctype == "text/plain" and b"\x00" not in got.body[:8192]:
        text, encoding = decode_text(got.body)
        return Decoded(text=text, encoding=encoding, reader="text"), None, None
    raise Unreadable(f"not a web page or a feed ({ctype or 'no content type'})")


def _page_meta(body: bytes) -> tuple[str | None, str | None]:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(body)
    except Exception:  # the reader has read it already; no metadata is no loss
        return None, None

    def first(*paths: str) -> str | None:
        for path in paths:
            for value in root.xpath(path):
                text = " ".join(str(value).split())
                if text:
                    return text[:120]
        return None

    site = first(
        '//meta[@property="og:site_name"]/@content', '//meta[@name="application-name"]/@content'
    )
    author = first('//meta[@name="author"]/@content', '//meta[@property="article:author"]/@content')
    return site, author


def _page_document(
    got: Fetched, item: Item | None, outlet: str | None, folder: Path
) -> tuple[Document | None, str | None]:
    try:
        decoded, site, author = _read_page(got)
    except Unreadable as exc:
        return None, str(exc)
    from urllib.parse import urljoin

    # The ID is the URL's that was asked for (stable, and what the user gave or the feed
    # linked); the canonical URL the page names is the one shown.
    url = got.url if item is None else (item.link or got.url)
    try:
        canonical = urljoin(got.final_url, decoded.url) if decoded.url else None
    except ValueError:  # a malformed canonical URL names nothing
        canonical = None
    canonical = (
        canonical if canonical and is_url(canonical) and not url_problem(canonical) else None
    )
    info = SnapshotInfo(
        id=file_id(url),
        url=got.url,
        final_url=got.final_url,
        fetched_at=got.fetched_at.isoformat(),
        sha256="",
        title=(item.title if item else None) or decoded.title,
        date=None,
        author=(item.author if item else None) or author,
        outlet=outlet or site or host_of(got.final_url).removeprefix("www."),
        feed=None,
    )
    date = (item.date if item else None) or decoded.date
    return _document(info, decoded.text, date, canonical or url, folder)


def _item_document(
    item: Item, outlet: str | None, folder: Path
) -> tuple[Document | None, str | None]:
    import datetime as dt

    url = item.link or ""
    text = _text_of_item(item)
    if not text.strip():
        return None, "no text content"
    digest = hashlib.sha256(item.key.encode()).hexdigest()[:12]
    fid = file_id(url) if is_url(url) and not url_problem(url) else f"feed-item/{digest}"
    info = SnapshotInfo(
        id=fid,
        url=url,
        final_url=url,
        fetched_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        sha256="",
        title=item.title,
        author=item.author,
        outlet=outlet,
        via="feed",
    )
    return _document(info, text, item.date, url or None, folder)


def _document(
    info: SnapshotInfo, body: str, date: object, url: str | None, folder: Path
) -> tuple[Document | None, str | None]:
    import datetime as dt

    if not body.strip():
        return None, "no text content"
    day = date if isinstance(date, dt.date) else None
    text = snapshot_text(_tidy(body), info.title, day, info.author, url or info.url)
    meta = analyse(text)
    if not meta.body:
        return None, "no text content"
    data = text.encode("utf-8")
    info.sha256 = hashlib.sha256(data).hexdigest()
    info.date = day.isoformat() if day else None
    try:
        path = save(folder, info, text)
    except OSError as exc:
        return None, f"its snapshot cannot be written ({exc.strerror or exc})"
    return (
        Document(
            id=info.id,
            path=str(path),
            shown_path=url or info.url,
            text=text,
            body=meta.body,
            title=info.title or meta.title,
            date=day or meta.date,
            url=url or meta.url,
            outlet=info.outlet,
            sha256=info.sha256,
            reader="text",
            encoding="utf-8",
        ),
        None,
    )


def _tidy(text: str) -> str:
    return re.sub(r"\r\n?", "\n", text)


@dataclass
class Inputs:
    """What a run reads: the documents of files, folders and URLs, notes on what was skipped,
    and what the web sources tell the state (`web`; None when no URL was given)."""

    docs: list[Document]
    notes: list[str]
    web: WebResult | None = None

    @property
    def nothing_new(self) -> bool:
        """No document, because every web source said it had nothing new."""
        return not self.docs and self.web is not None and self.web.unchanged > 0


def load_inputs(
    paths: Iterable[str | Path],
    exclude: Iterable[str | Path] = (),
    web: WebOptions | None = None,
) -> Inputs:
    """Read the files and folders of `paths` and fetch its URLs (with `web`). Raises
    InputError when nothing at all could be read, or when two sources share a file ID."""
    from briefing.errors import InputError
    from briefing.ingest.sources import nothing_read, read_documents

    paths = list(paths)
    urls = [str(p) for p in paths if is_url(p)]
    local = [p for p in paths if not is_url(p)]
    if not urls:
        docs, notes = read_documents(local, exclude)
        if not docs:
            raise nothing_read(local, notes)
        return Inputs(docs, notes)
    if web is None:
        raise InputError("URLs need a snapshot folder to keep what was fetched")
    # the snapshots are what this run writes: read back, every web source would be there twice
    docs, notes = read_documents(local, [*exclude, web.snapshots]) if local else ([], [])
    got = load_web(urls, web)
    by_id = {d.id: d for d in docs}
    for doc in got.docs:
        if doc.id in by_id:
            raise InputError(
                f"two sources have the ID {doc.id!r}: {by_id[doc.id].path} and {doc.shown_path}"
            )
        by_id[doc.id] = doc
    inputs = Inputs([*docs, *got.docs], [*notes, *got.notes], got)
    if not inputs.docs and not inputs.nothing_new:
        where = ", ".join(str(p) for p in paths)
        reasons = inputs.notes
        message = f"nothing could be read from {where}"
        if reasons:
            message += "; " + "; ".join(reasons[:3])
            message += f"; and {len(reasons) - 3} more" if len(reasons) > 3 else ""
        raise InputError(message)
    return inputs
