"""Snapshots: the text of every fetched document, kept so that a briefing of web sources can be
checked later (`briefing check brief.json SNAPSHOT_DIR`), whatever the page says by then.

A document fetched from a URL is saved as plain UTF-8 text at `DIR/<file ID>.txt`; its file ID
is the URL's host and path, readable and stable (`https://www.example.com/news/storm.html?x=1`
-> `example.com/news/storm-<hash of the query>`). The text starts with a few lines the
metadata reader knows (`Date:`, the title, `By:`, `Source: URL`) and then the article's main
text; citations' offsets refer to this text, and the briefing records it as read by the plain
text reader, so `check` reads it back exactly. Beside it, `<file ID>.json` records the URL,
where it led, when it was fetched, and what the feed and page said about it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

_UNSAFE = re.compile(r"[^a-z0-9._~-]+")
_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cgi)$")
_MAX_PART = 80


def file_id(url: str) -> str:
    """The file ID of the document at `url`: host (without 'www.') and path, lower case,
    each part made of letters, digits and . _ ~ -; a query adds a short hash of itself."""
    parts = urlsplit(url)
    host = (parts.hostname or "unknown").lower().removeprefix("www.")
    if parts.port:
        host += f"-{parts.port}"
    segments = []
    for raw in unquote(parts.path).split("/"):
        seg = _UNSAFE.sub("-", raw.lower()).strip("-.")
        if seg:
            segments.append(seg[:_MAX_PART].rstrip("-."))
    if segments:
        segments[-1] = _PAGE_SUFFIX.sub("", segments[-1]) or "index"
    else:
        segments = ["index"]
    if parts.query:
        segments[-1] += "-" + hashlib.sha256(parts.query.encode()).hexdigest()[:8]
    return "/".join([host, *segments])


@dataclass
class SnapshotInfo:
    """What is recorded beside a snapshot."""

    id: str
    url: str
    final_url: str
    fetched_at: str
    sha256: str
    title: str | None = None
    date: str | None = None
    author: str | None = None
    outlet: str | None = None
    feed: str | None = None
    via: str = "page"  # 'page': the linked page's text; 'feed': the item's own content


def snapshot_text(
    body: str, title: str | None, date: dt.date | None, author: str | None, url: str
) -> str:
    """The text a snapshot holds: the header lines the metadata reader recognises, then the
    body (its first line kept when it is already the title)."""
    head = []
    if date:
        head.append(f"Date: {date.isoformat()}")
    first = body.lstrip().split("\n", 1)[0].strip()
    if title and first != title:
        head.append(title)
    if author:
        head.append(f"By: {author}")
    head.append(f"Source: {url}")
    return "\n".join(head) + "\n\n" + body.strip("\n") + "\n"


def save(folder: Path, info: SnapshotInfo, text: str) -> Path:
    """Write the snapshot `text` and its record; returns the text's path. Each file is
    replaced whole, so a reader never sees half of one."""
    path = folder / f"{info.id}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, text.encode("utf-8"))
    record = json.dumps(asdict(info), indent=2, ensure_ascii=False) + "\n"
    _write(path.with_suffix(".json"), record.encode("utf-8"))
    return path


def load_info(folder: Path, fid: str) -> SnapshotInfo | None:
    try:
        raw = json.loads((folder / f"{fid}.json").read_text(encoding="utf-8"))
        return SnapshotInfo(**raw)
    except (OSError, ValueError, TypeError):
        return None


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
