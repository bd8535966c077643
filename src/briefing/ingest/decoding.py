"""Decoding: the bytes of a file as text, and what a reader returns.

`Decoded` is a reader's result; `Unreadable` is what a reader raises for a file it cannot make
sense of. Every later stage works on the decoded text, whose offsets citations use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Decoded:
    """What a reader returns: the text and how it was obtained. `note` is what the user should
    know about the reading (a guessed encoding, pages without text)."""

    text: str
    encoding: str
    reader: str
    title: str | None = None
    date: dt.date | None = None
    url: str | None = None
    outlet: str | None = None
    """Who published it, where the file says so (an HTML page's site name)."""
    note: str | None = None


Reader = Callable[[bytes], Decoded]


class Unreadable(Exception):
    """Raised by a reader for a file it cannot read (binary, corrupt, encrypted); the file is
    skipped with the message as a note."""


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text file; returns (text, encoding). UTF-8 (with or without BOM) and
    UTF-16 with BOM are recognised; anything else is read as Windows-1252 / Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def encoding_note(encoding: str) -> str | None:
    return None if encoding in ("utf-8", "utf-8-sig") else f"read as {encoding} (not UTF-8)"
