"""Feeds: RSS 0.9x/1.0/2.0 and Atom, told from pages by their content, read with feedparser.

`is_feed` looks at the start of a body (after a byte-order mark, the XML declaration, comments
and processing instructions) for the root element of a feed, whatever the Content-Type says:
servers label feeds text/html, text/plain or application/octet-stream. `parse_feed` turns one
into `Item`s, each a source of the briefing: its link is fetched for the article's text, and
its own content is what is read when the link cannot be.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

_PROLOGUE = re.compile(rb"^(?:\s+|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*", re.DOTALL)
_FEED_ROOT = re.compile(rb"^<(?:[\w-]+:)?(?:rss|feed|RDF)[\s>/]", re.IGNORECASE)


class FeedError(Exception):
    """A body that is a feed but cannot be read as one, or holds no items."""


@dataclass
class Item:
    """One item of a feed. `key` tells it apart across runs (its GUID, else its link);
    `fingerprint` changes when the item's own entry changes (title, link, text, dates)."""

    key: str
    link: str | None
    title: str | None
    date: dt.date | None
    author: str | None
    content: str  # the item's own text, HTML as the feed gives it (may be empty)
    fingerprint: str


@dataclass
class Feed:
    title: str | None
    link: str | None
    items: list[Item] = field(default_factory=list)
    note: str | None = None  # what was wrong with it, when feedparser could still read it


def is_feed(body: bytes) -> bool:
    head = body[:4096].lstrip(b"\xef\xbb\xbf")
    m = _PROLOGUE.match(head)
    return bool(_FEED_ROOT.match(head[m.end() if m else 0 :]))


def parse_feed(body: bytes, base_url: str) -> Feed:
    """The items of the feed in `body` (fetched from `base_url`). Raises FeedError for a feed
    feedparser cannot read at all or that holds no items."""
    import feedparser

    # Told a feed by its content, whatever the server's Content-Type said (which feedparser
    # would otherwise count as a fault).
    headers = {"content-location": base_url, "content-type": "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers)
    problem = _problem(parsed)
    if not parsed.entries:
        if problem:
            raise FeedError(f"a malformed feed ({problem})")
        raise FeedError("an empty feed (no items)")
    info = parsed.feed
    items = []
    for entry in parsed.entries:
        item = _item(entry)
        if item is not None:
            items.append(item)
    if not items:
        raise FeedError("a feed whose items have neither a link nor any text")
    note = f"a malformed feed, read as far as it goes ({problem})" if problem else None
    return Feed(title=_clean(info.get("title")), link=info.get("link"), items=items, note=note)


def _problem(parsed: object) -> str | None:
    if not getattr(parsed, "bozo", False):
        return None
    exc = parsed.get("bozo_exception")  # type: ignore[attr-defined]
    text = " ".join(str(exc or "").split())
    return text[:100] or "not well-formed XML"


def _item(entry: dict) -> Item | None:
    link = entry.get("link") or None
    content = ""
    for part in entry.get("content") or []:
        if part.get("value"):
            content = part["value"]
            break
    content = content or entry.get("summary") or entry.get("description") or ""
    key = entry.get("id") or link
    if not key and not content:
        return None
    if not key:
        key = "sha256:" + hashlib.sha256(content.encode()).hexdigest()[:16]
    # dict.get: feedparser's own get warns when it maps 'updated' to 'published'.
    when = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    date = dt.datetime.fromtimestamp(calendar.timegm(when), dt.UTC).date() if when else None
    title = _clean(entry.get("title"))
    stamp = "\x1f".join(
        [
            str(key),
            link or "",
            title or "",
            content,
            dict.get(entry, "updated") or "",
            dict.get(entry, "published") or "",
        ]
    )
    return Item(
        key=str(key),
        link=link,
        title=title,
        date=date,
        author=_author(entry),
        content=content,
        fingerprint=hashlib.sha256(stamp.encode("utf-8")).hexdigest(),
    )


def _author(entry: dict) -> str | None:
    name = (entry.get("author_detail") or {}).get("name") or entry.get("author") or ""
    # RSS writes 'mail@example.com (Name)'
    m = re.match(r"^\S+@\S+\s+\((.+)\)$", name.strip())
    return _clean(m.group(1) if m else name)


def _clean(text: object) -> str | None:
    value = " ".join(str(text or "").split())
    return value[:200] or None
