"""Sources: find the files to brief, read each with the reader for its format, and pick up what
the text states about itself (title, date, URL) apart from its content.

A format is one small addition: a function that turns bytes into text, registered in `READERS`
under its extensions. Everything after reading (metadata, page furniture, body spans) works on
the decoded text, whose offsets are the ones citations use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from briefing.errors import InputError
from briefing.models import Document
from briefing.text import trim


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


def _read_text(data: bytes, reader: str) -> Decoded:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable("looks binary")
    text, encoding = decode_text(data)
    return Decoded(text=text, encoding=encoding, reader=reader, note=encoding_note(encoding))


def read_plain(data: bytes) -> Decoded:
    return _read_text(data, "text")


def read_markdown(data: bytes) -> Decoded:
    return _read_text(data, "markdown")


def _deferred(name: str) -> Reader:
    """A reader from `briefing.readers`, imported on first use: its libraries (lxml, pypdf,
    python-docx) cost time that a run on text files, or `briefing --help`, should not pay."""

    def read(data: bytes) -> Decoded:
        from briefing import readers

        reader: Reader = getattr(readers, name)
        return reader(data)

    read.__name__ = read.__qualname__ = name
    return read


READERS: dict[str, Reader] = {
    ".txt": read_plain,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": _deferred("read_html"),
    ".htm": _deferred("read_html"),
    ".pdf": _deferred("read_pdf"),
    ".docx": _deferred("read_docx"),
    ".eml": _deferred("read_eml"),
}


def supported_extensions() -> list[str]:
    return sorted(READERS)


def reader_for(label: str) -> Reader | None:
    """The reader a briefing recorded, by the kind its label starts with ('text', 'markdown',
    'pdf/pypdf 6.1.0' -> pdf), or None for a kind this version does not read."""
    kind = label.split("/", 1)[0].split()[0] if label.strip() else ""
    ext = {"text": ".txt", "markdown": ".md"}.get(kind, f".{kind}")
    return READERS.get(ext)


# ---------------------------------------------------------------------------------------------
# Finding files
# ---------------------------------------------------------------------------------------------


@dataclass
class Found:
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def find_files(paths: Iterable[str | Path]) -> Found:
    """The readable files under `paths` (folders are walked recursively; hidden entries and
    links to folders skipped), in a stable order. Raises InputError for a path that does not
    exist."""
    found = Found()
    other: dict[str, int] = {}
    seen: set[Path] = set()

    def add(file: Path) -> None:
        real = _real(file)
        if real not in seen:
            seen.add(real)
            found.files.append(file)

    def unlisted(exc: OSError) -> None:
        found.notes.append(f"{exc.filename}: folder skipped, cannot be read ({exc.strerror})")

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            what = (
                "a link to nothing, or a loop of links"
                if path.is_symlink()
                else "no such file or folder"
            )
            raise InputError(f"{raw}: {what} (briefing reads {' '.join(supported_extensions())})")
        if not path.is_dir():
            if path.suffix.lower() not in READERS:
                found.notes.append(f"{raw}: skipped, not a format briefing reads")
            elif path.is_file():
                add(path)
            else:
                found.notes.append(f"{raw}: skipped, not a regular file")
            continue
        for root, dirs, names in os.walk(path, onerror=unlisted):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for link in [d for d in dirs if os.path.islink(os.path.join(root, d))]:
                # Followed, a link could lead anywhere, or back up in a loop.
                dirs.remove(link)
                where = Path(root) / link
                found.notes.append(
                    f"{where}: skipped, a link to a folder (give it as a PATH to read it)"
                )
            for name in sorted(names):
                if name.startswith("."):
                    continue
                file = Path(root) / name
                ext = file.suffix.lower()
                if ext not in READERS:
                    other[ext or "(none)"] = other.get(ext or "(none)", 0) + 1
                elif file.is_symlink() or file.is_file():
                    add(file)  # a broken link or a loop is noted when it cannot be read
                else:
                    found.notes.append(f"{file}: skipped, not a regular file")
    if other:
        kinds = ", ".join(sorted(other))
        found.notes.append(f"skipped {sum(other.values())} file(s) of other kinds ({kinds})")
    return found


def _real(path: Path) -> Path:
    """The path with links resolved, or as given when they loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of links, before Python 3.13
        return path.absolute()


def load_documents(paths: Iterable[str | Path]) -> tuple[list[Document], list[str]]:
    """Read every document under `paths`. Returns the documents and notes on what was skipped.

    Raises InputError when a path is missing, two files share an ID, or nothing is readable.
    """
    paths = list(paths)
    found = find_files(paths)
    docs: list[Document] = []
    notes = list(found.notes)
    for file in files_by_id(found.files).values():
        doc, note = read_document(file)
        if note:
            notes.append(note)
        if doc is not None:
            docs.append(doc)
    if not docs:
        exts = " ".join(supported_extensions())
        where = ", ".join(str(p) for p in paths)
        message = f"no documents found in {where} (looked for {exts})"
        if notes:  # why the files there were not read, on the same line
            message += "; " + "; ".join(notes[:3])
            message += f"; and {len(notes) - 3} more" if len(notes) > 3 else ""
        raise InputError(message)
    return docs, notes


def files_by_id(files: Iterable[Path]) -> dict[str, Path]:
    """Files by their ID (the name without its extension), in order. Raises InputError when two
    files share an ID."""
    by_id: dict[str, Path] = {}
    for file in files:
        if file.stem in by_id:
            raise InputError(
                f"two files have the ID {file.stem!r}: {by_id[file.stem]} and {file}; "
                "rename one (the ID is the file name without its extension)"
            )
        by_id[file.stem] = file
    return by_id


def read_file(file: Path) -> tuple[bytes, Decoded]:
    """The bytes of `file` and its text as its format's reader reads it. Raises OSError when
    the file cannot be read and Unreadable when its reader cannot make sense of it."""
    data = file.read_bytes()
    if not data.strip():
        raise Unreadable("empty")
    return data, READERS[file.suffix.lower()](data)


def read_document(file: Path) -> tuple[Document | None, str | None]:
    """Read one file into a Document, or (None, note) when it has nothing to read."""
    try:
        data, decoded = read_file(file)
    except OSError as exc:
        return None, f"{file}: skipped, cannot be read ({exc.strerror or exc})"
    except Unreadable as exc:
        return None, f"{file}: skipped, {exc}"
    meta = analyse(decoded.text)
    if not meta.body:
        return None, f"{file}: skipped, no text content"
    return (
        Document(
            id=file.stem,
            path=str(file),
            text=decoded.text,
            body=meta.body,
            title=decoded.title or meta.title,
            date=decoded.date or meta.date,
            url=decoded.url or meta.url,
            sha256=hashlib.sha256(data).hexdigest(),
            reader=decoded.reader,
            encoding=decoded.encoding,
        ),
        f"{file}: {decoded.note}" if decoded.note else None,
    )


# ---------------------------------------------------------------------------------------------
# Metadata and page furniture
# ---------------------------------------------------------------------------------------------

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ]
    )
    for m in names.split()
}
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
_DATE_PATTERNS = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
    re.compile(_MONTH + r"\s+(?P<d>\d{1,2}),?\s+(?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{1,2})\s+" + _MONTH + r",?\s+(?P<y>\d{4})"),
]


def parse_date(text: str) -> dt.date | None:
    """The first date written in `text` (2025-12-03, Dec 4, 2025, 4 December 2025)."""
    found: list[tuple[int, dt.date]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            parts = m.groupdict()
            month = int(parts["m"]) if "m" in parts else _MONTHS.get(parts["mon"].lower())
            if not month:
                continue
            try:
                found.append((m.start(), dt.date(int(parts["y"]), month, int(parts["d"]))))
            except ValueError:
                continue
            break
    return min(found)[1] if found else None


_DATE_PREFIX = re.compile(r"^\s*date:?\s+(\d{4}-\d{2}-\d{2})\b\s*", re.IGNORECASE)
_SOURCE_LINE = re.compile(r"^\s*(?:source|url|link)\s*:\s*(https?://\S+)\s*$", re.IGNORECASE)
_FURNITURE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^[\W_]*$",  # bare punctuation: '- |', '***'
        r"^\s*[-*•|]?\s*(views?|shares?|comments?|likes?|reads?|reactions?)\s*:?\s*[\d.,]*\s*[km]?\s*$",
        r"^\s*[-*•|]?\s*(date\s*(&|and)\s*time|published( on)?|posted( on)?|updated|last updated"
        r"|from|by|photo|image|credit|tags?|category|filed under)\s*:.{0,80}$",
        r"^\s*[-*•|]?\s*(updated|published|posted)\b.{0,60}\d{4}.{0,20}$",
        r"^\s*[-*•|]?\s*(read more|also read|advertisement|share this( article)?|follow us.*"
        r"|subscribe.*|sign up.*|click here.*|listen to this article.*)\s*$",
        r"^\s*\(?(based on|with inputs from|inputs from|reported by)\b.{0,60}\)?\s*$",
        r"^\s*[A-Z][\w .'-]{0,40}\s*[\[(][^\])]{1,40}[\])]\s*:?\s*$",  # dateline alone
    )
]
_PLACE = r"^[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}\s*"
_DATELINE = re.compile(  # 'Moscow [Russia], December 3 : ' before the first sentence
    _PLACE + r"(?:[\[(][^\])]{1,40}[\])],?\s*(?:[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?)?"
    r"|,?\s*[A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?)\s*[:—–]\s+"
)


@dataclass
class Analysis:
    body: list[tuple[int, int]]
    title: str | None = None
    date: dt.date | None = None
    url: str | None = None


_LONGEST_DATE_LINE = 120


def is_furniture(line: str) -> bool:
    """True for lines that are page furniture, never content: counters, bare separators,
    'Date & Time:' lines, bylines, 'Read more' links, datelines standing alone."""
    stripped = line.strip()
    if not stripped:
        return False
    if any(p.search(stripped) for p in _FURNITURE):
        return True
    if len(stripped) > _LONGEST_DATE_LINE:  # a paragraph: no need to look for dates in it
        return False
    # A line that is only a date, perhaps with a time: '- Dec 4, 2025,'
    rest = re.sub(r"[-*•|,\s]", "", _strip_dates(stripped))
    return parse_date(stripped) is not None and len(rest) <= 8


def _strip_dates(text: str) -> str:
    for pattern in _DATE_PATTERNS:
        text = pattern.sub("", text)
    return re.sub(r"\d{1,2}:\d{2}\s*(am|pm)?\s*[A-Z]{0,4}", "", text, flags=re.IGNORECASE)


def _looks_like_title(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 25 and len(line) <= 200 and line.rstrip()[-1] not in '.!?"”:;,。！？؟'


def analyse(text: str) -> Analysis:
    """Split `text` into metadata (title, date, URL), furniture and content spans."""
    result = Analysis(body=[])
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*", text) if m.start() < len(text)]
    first_content = True
    for s, e in lines:
        line = text[s:e]
        if not line.strip():
            continue
        m = _DATE_PREFIX.match(line) if first_content else None
        if m:
            result.date = result.date or parse_date(m.group(1))
            s += m.end()
            line = text[s:e]
            if not line.strip():
                continue
        src = _SOURCE_LINE.match(line)
        if src:
            result.url = result.url or src.group(1)
            continue
        if is_furniture(line):
            if result.date is None and parse_date(line):
                result.date = parse_date(line)
            continue
        line_stripped = line.strip()
        if first_content:
            first_content = False
            heading = re.match(r"^#{1,6}\s+(.*)$", line_stripped)
            candidate = heading.group(1).strip() if heading else line_stripped
            if (heading or _looks_like_title(candidate)) and _has_more(text, e):
                result.title = candidate
                continue
        d = _DATELINE.match(line)
        if d and len(line) > d.end() + 40:
            s += d.end()
        s, e = trim(text, s, e)
        if s < e:
            _add_span(result.body, text, s, e)
    return result


def _has_more(text: str, pos: int) -> bool:
    return bool(text[pos:].strip())


def _add_span(body: list[tuple[int, int]], text: str, s: int, e: int) -> None:
    """Append a content line, extending the previous span when only white space is between."""
    if body and not text[body[-1][1] : s].strip():
        body[-1] = (body[-1][0], e)
    else:
        body.append((s, e))
