"""Scheduled runs: which documents earlier briefings covered, so the next one can say what is new.

The state file is JSON, written atomically and only after a briefing was written or sent:

    {"version": 1,
     "documents": {"<file ID>": {"sha256": "...", "first_seen": "...", "last_briefed": "..."}},
     "items": {"<feed item GUID or link>": {"id": "<file ID>", "fingerprint": "..."}},
     "http": {"<URL>": {"etag": "...", "last_modified": "..."}}}

A document is new when no earlier briefing covered its content (by SHA-256): a file that was
added, or one whose content changed. A renamed file with the same content is not new. One whose
ID an earlier briefing covered with other content is also marked "updated" (an article
corrected since). Feed items briefed before (`items`) are not fetched again while their entry
is unchanged, and feeds and pages are asked for only when changed (`http`, sent as
If-None-Match / If-Modified-Since).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.deliver.output import write_file
from briefing.errors import ConfigError
from briefing.models import Briefing, Document


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentState(_Model):
    sha256: str
    first_seen: dt.datetime
    last_briefed: dt.datetime


class ItemState(_Model):
    id: str
    fingerprint: str


class HttpState(_Model):
    etag: str | None = None
    last_modified: str | None = None


class StateFile(_Model):
    version: Literal[1] = 1
    documents: dict[str, DocumentState] = {}
    items: dict[str, ItemState] = {}
    http: dict[str, HttpState] = {}


@dataclass
class Selection:
    """What a run briefs: `docs`, of which `new` (IDs) are new since the last briefing, made at
    `since` (None on a first run)."""

    docs: list[Document]
    new: list[str] = field(default_factory=list)
    since: dt.datetime | None = None
    updated: list[str] = field(default_factory=list)
    """Of `new`, those an earlier briefing covered with other content."""

    def mark(self, briefing: Briefing) -> Briefing:
        """`briefing` with what is new marked (nothing on a first run)."""
        if self.since is None:
            return briefing
        return briefing.model_copy(
            update={"new_sources": self.new, "updated_sources": self.updated, "since": self.since}
        )


def select_as_read(
    docs: Iterable[Document],
    briefed: Mapping[str, DocumentState] | None = None,
    since: dt.datetime | None = None,
    only_new: bool = False,
) -> tuple[Selection, Iterator[Document]]:
    """The documents to brief, one at a time as they are read, and the selection, which fills
    as they are taken: every document, or with `only_new` those whose text is not among the
    `briefed` ones (a state's; none: every document is new)."""
    briefed = briefed or {}
    known = {d.sha256 for d in briefed.values()}
    selection = Selection(docs=[], since=since)

    def chosen() -> Iterator[Document]:
        for doc in docs:
            new = doc.sha256 not in known
            if new:
                selection.new.append(doc.id)
                if doc.id in briefed and briefed[doc.id].sha256 != doc.sha256:
                    selection.updated.append(doc.id)
            if new or not only_new:
                selection.docs.append(doc)
                yield doc

    return selection, chosen()


class State:
    """The state file at `path`; a file that does not exist yet is an empty state."""

    def __init__(self, path: str | Path, data: StateFile | None = None):
        self.path = Path(path).expanduser()
        self.data = data or StateFile()

    @classmethod
    def load(cls, path: str | Path) -> State:
        path = Path(path).expanduser()
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            raise ConfigError(f"state file {path}: cannot be read ({exc.strerror or exc})") from exc
        try:
            return cls(path, StateFile.model_validate_json(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "file"
            raise ConfigError(
                f"state file {path} is damaged ({where}: {err['msg']}); move it away to start "
                "afresh (the next briefing then covers every document)"
            ) from exc

    @property
    def since(self) -> dt.datetime | None:
        """When the last briefing was made, or None before the first."""
        times = [d.last_briefed for d in self.data.documents.values()]
        return max(times) if times else None

    def select(self, docs: Sequence[Document], only_new: bool = False) -> Selection:
        """The documents to brief (only the new ones with `only_new`), with the new marked."""
        selection, chosen = self.stream(docs, only_new)
        for _ in chosen:
            pass
        return selection

    def stream(
        self, docs: Iterable[Document], only_new: bool = False
    ) -> tuple[Selection, Iterator[Document]]:
        """`select` for documents as they are read (see `select_as_read`)."""
        return select_as_read(docs, self.data.documents, self.since, only_new)

    def seen_items(self) -> dict[str, str]:
        """Feed items briefed before: key -> fingerprint of the entry."""
        return {key: item.fingerprint for key, item in self.data.items.items()}

    def validators(self) -> dict[str, tuple[str | None, str | None]]:
        """What servers said identifies what they sent last time: URL -> (ETag, Last-Modified)."""
        return {url: (h.etag, h.last_modified) for url, h in self.data.http.items()}

    def record_web(
        self,
        items: dict[str, tuple[str, str]],
        briefed: Sequence[str],
        validators: dict[str, tuple[str | None, str | None]],
    ) -> None:
        """Remember the feed items of the `briefed` documents (ID -> (key, fingerprint)) and
        the servers' validators of each URL fetched."""
        for doc_id in briefed:
            if doc_id in items:
                key, fingerprint = items[doc_id]
                self.data.items[key] = ItemState(id=doc_id, fingerprint=fingerprint)
        for url, (etag, modified) in validators.items():
            if etag or modified:
                self.data.http[url] = HttpState(etag=etag, last_modified=modified)
            else:
                self.data.http.pop(url, None)

    def record(self, docs: Sequence[Document], when: dt.datetime | None = None) -> None:
        """Remember that `docs` were briefed at `when` (now)."""
        when = when or dt.datetime.now(dt.UTC).replace(microsecond=0)
        for doc in docs:
            old = self.data.documents.get(doc.id)
            self.data.documents[doc.id] = DocumentState(
                sha256=doc.sha256,
                first_seen=old.first_seen if old else when,
                last_briefed=when,
            )

    def save(self) -> None:
        """Write the state atomically (through a link: its target), making its folder if need
        be."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_file(self.path, self.data.model_dump_json(indent=2) + "\n")
        except OSError as exc:
            raise ConfigError(f"state file {self.path}: cannot be written ({exc})") from exc
