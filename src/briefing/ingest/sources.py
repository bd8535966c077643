"""Sources: find the files to brief, read each with the reader for its format (decoding for
text, `readers` for the rest), and separate what the text states about itself (`metadata`) from
its content.

A format is one small addition: a function that turns bytes into text, registered in `READERS`
under its extensions. Everything after reading (metadata, page furniture, body spans) works on
the decoded text, whose offsets are the ones citations use.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefing.errors import InputError
from briefing.ingest.decoding import Decoded, Reader, Unreadable, decode_text, encoding_note
from briefing.ingest.fetching import host_of
from briefing.ingest.metadata import analyse
from briefing.models import Document


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
    """A reader from `briefing.ingest.readers`, imported on first use: its libraries (lxml, pypdf,
    python-docx) cost time that a run on text files, or `briefing --help`, should not pay."""

    def read(data: bytes) -> Decoded:
        from briefing.ingest import readers

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
    """The files to read, in order; notes on what was skipped; and each file's path as a
    briefing shows it (`shown`): relative to the folder it was found under, so that no briefing
    gives away where the files lie on this machine."""

    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    shown: dict[Path, str] = field(default_factory=dict)


def find_files(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> Found:
    """The readable files under `paths` (folders are walked recursively; hidden entries and
    links to folders skipped), in a stable order, but for the files `exclude` (the output of
    the run; a folder among them is not walked) and briefings briefing wrote. Raises
    InputError for a path that does not exist."""
    found = Found()
    other: dict[str, int] = {}
    hidden = 0
    seen: set[Path] = set()
    excluded = {_real(Path(p)) for p in exclude}

    def add(file: Path, shown: str) -> None:
        real = _real(file)
        if real in seen:
            return
        seen.add(real)
        if real in excluded:
            found.notes.append(f"{file}: skipped, the output of this run")
        elif written_by_briefing(file):
            found.notes.append(f"{file}: skipped, a briefing written by briefing")
        else:
            found.files.append(file)
            found.shown[file] = shown

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
                add(path, path.name if path.is_absolute() else str(path))
            else:
                found.notes.append(f"{raw}: skipped, not a regular file")
            continue
        for root, dirs, names in os.walk(path, onerror=unlisted):
            hidden += sum(1 for n in [*dirs, *names] if n.startswith("."))
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for out in [d for d in dirs if _real(Path(root) / d) in excluded]:
                dirs.remove(out)  # the snapshot folder of this run's web sources
                found.notes.append(f"{Path(root) / out}: folder skipped, the output of this run")
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
                elif file.is_file() or (file.is_symlink() and not file.exists()):
                    # a broken link or a loop is noted when it cannot be read
                    add(file, file.relative_to(path).as_posix())
                else:
                    found.notes.append(f"{file}: skipped, not a regular file")
    if other:
        kinds = ", ".join(sorted(other))
        found.notes.append(f"skipped {sum(other.values())} file(s) of other kinds ({kinds})")
    if hidden:
        found.notes.append(
            f"skipped {hidden} hidden file(s) or folder(s) (names starting with '.')"
        )
    return found


_MARK_BYTES = 4096  # the mark is looked for in this much of each end of a file
_WRITTEN_AS = {".md", ".markdown", ".html", ".htm", ".txt", ".eml"}  # what briefing writes
_MARK = re.compile(  # as the templates write `briefing.models.WRITTEN_BY` and GENERATOR
    rb"<!-- written by briefing \S+ -->"  # Markdown, HTML
    rb"|^written by briefing \S+\r?$"  # plain text: its last line
    rb'|<meta name="generator" content="briefing '  # HTML
    rb"|^X-Mailer: briefing ",  # a message
    re.MULTILINE,
)


def written_by_briefing(file: Path) -> bool:
    """Whether `file` is a briefing that briefing wrote: the first or last few KB of a file in a
    format briefing writes carry its mark (see `briefing.models.WRITTEN_BY`). Never reads a
    whole file, and never waits on a named pipe."""
    if file.suffix.lower() not in _WRITTEN_AS:
        return False
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False  # noted when it is read
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return False
        ends = os.read(fd, _MARK_BYTES if st.st_size > 2 * _MARK_BYTES else 2 * _MARK_BYTES)
        if st.st_size > 2 * _MARK_BYTES:
            os.lseek(fd, st.st_size - _MARK_BYTES, os.SEEK_SET)
            ends += b"\n" + os.read(fd, _MARK_BYTES)
    except OSError:
        return False
    finally:
        os.close(fd)
    return b"briefing" in ends and _MARK.search(ends) is not None


def _real(path: Path) -> Path:
    """The path with links resolved, or as given when they loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of links, before Python 3.13
        return path.absolute()


def is_url(path: object) -> bool:
    """An http(s) URL among the inputs (read by briefing.ingest.web), not a path."""
    return isinstance(path, str) and path.lower().startswith(("http://", "https://"))


def load_documents(
    paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()
) -> tuple[list[Document], list[str]]:
    """Read every document under `paths` but the files `exclude` (the run's output). Returns
    the documents and notes on what was skipped.

    Raises InputError when a path is missing, two files share an ID, or nothing is readable.
    """
    notes: list[str] = []
    docs = list(iter_documents(paths, exclude, notes))
    return docs, notes


def read_documents(
    paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()
) -> tuple[list[Document], list[str]]:
    """`load_documents` without the error when nothing is readable."""
    notes: list[str] = []
    docs = list(_documents(list(paths), exclude, notes))
    return docs, notes


def iter_documents(
    paths: Iterable[str | Path], exclude: Iterable[str | Path] = (), notes: list[str] | None = None
) -> Iterator[Document]:
    """The documents of `load_documents` one at a time, as each is read, so that work on the
    first (a model's requests) can start while the rest are read. Notes on what was skipped
    are appended to `notes` as they arise. Missing paths and colliding IDs raise InputError
    before the first document; nothing readable raises it after the last."""
    paths = list(paths)
    notes = [] if notes is None else notes
    read = 0
    for doc in _documents(paths, exclude, notes):
        read += 1
        yield doc
    if not read:
        raise nothing_read(paths, notes)


def _documents(
    paths: list[str | Path], exclude: Iterable[str | Path], notes: list[str]
) -> Iterator[Document]:
    found = find_files(paths, exclude)
    notes.extend(found.notes)
    for fid, file in files_by_id(found.files).items():
        doc, note = read_document(file, fid, found.shown.get(file))
        if note:
            notes.append(note)
        if doc is not None:
            yield doc


def nothing_read(paths: Iterable[str | Path], notes: list[str]) -> InputError:
    """The one-line error for a run that found nothing to read under `paths`, with why."""
    exts = " ".join(supported_extensions())
    where = ", ".join(str(p) for p in paths)
    message = f"no documents found in {where} (looked for {exts})"
    if notes:  # why the files there were not read, on the same line
        message += "; " + "; ".join(notes[:3])
        message += f"; and {len(notes) - 3} more" if len(notes) > 3 else ""
    return InputError(message)


def files_by_id(files: Iterable[Path]) -> dict[str, Path]:
    """Files by their ID, in order. A file's ID is its name without the extension; files that
    share one are told apart by the shortest end of their path that no other of them shares
    ('2026-11-29/article', '2026-11-30/article'), and files of one folder by their whole names
    ('report.pdf', 'report.docx'). Raises InputError when two IDs are still the same."""
    files = list(files)
    by_stem: dict[str, list[Path]] = {}
    for file in files:
        by_stem.setdefault(file.stem, []).append(file)
    ids: dict[Path, str] = {}
    for stem, group in by_stem.items():
        ids.update(_told_apart(group) if len(group) > 1 else {group[0]: stem})
    by_id: dict[str, Path] = {}
    for file in files:
        if ids[file] in by_id:
            raise InputError(
                f"two files have the ID {ids[file]!r}: {by_id[ids[file]]} and {file}; rename one "
                "(the ID is the file name without its extension)"
            )
        by_id[ids[file]] = file
    return by_id


def file_for_id(files: dict[str, Path], sid: str) -> Path | None:
    """The file with ID `sid` among `files` (as `files_by_id` gives them), or else the one file
    whose path ends as `sid` does: '2026-11-29/article' is .../2026-11-29/article.txt when only
    that folder is given. None when there is no such file, or more than one."""
    if sid in files:
        return files[sid]
    want = sid.split("/")
    ends = [f for f in files.values() if any(k[-len(want) :] == want for k in _keys(f))]
    return ends[0] if len(ends) == 1 else None


def _told_apart(group: list[Path]) -> dict[Path, str]:
    """IDs for files that share a name without extension: the shortest end of each one's path
    (folders, then the name without extension) that no other file of `group` ends in. Files in
    one folder end alike however far back one looks; they keep their extensions."""
    stems = [_keys(f)[0] for f in group]
    names = [_keys(f)[1] for f in group]
    ids: dict[Path, str] = {}
    for i, file in enumerate(group):
        keys = names if stems.count(stems[i]) > 1 else stems
        for n in range(1, len(keys[i]) + 1):
            end = keys[i][-n:]
            if sum(k[-n:] == end for k in keys) == 1:
                break
        ids[file] = "/".join(end)
    return ids


def _keys(file: Path) -> tuple[list[str], list[str]]:
    """The parts of the absolute path of `file` (links not followed) without its root: with
    the name without its extension last, and with the whole name last."""
    parts = list(Path(os.path.abspath(file)).parts[1:])
    return [*parts[:-1], file.stem], parts


def read_file(file: Path) -> tuple[bytes, Decoded]:
    """The bytes of `file` and its text as its format's reader reads it. Raises OSError when
    the file cannot be read and Unreadable when its reader cannot make sense of it."""
    data = file.read_bytes()
    if not data.strip():
        raise Unreadable("empty")
    return data, READERS[file.suffix.lower()](data)


def read_document(
    file: Path, fid: str | None = None, shown: str | None = None
) -> tuple[Document | None, str | None]:
    """Read one file into a Document with the ID `fid` (`files_by_id` gives it; default: the
    name without its extension) and the path a briefing shows, `shown` (`find_files` gives it;
    default: the file's name), or (None, note) when it has nothing to read."""
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
            id=fid or file.stem,
            path=str(file),
            shown_path=shown or file.name,
            text=decoded.text,
            body=meta.body,
            title=decoded.title or meta.title,
            date=decoded.date or meta.date,
            url=decoded.url or meta.url,
            outlet=decoded.outlet or _host(decoded.url or meta.url) or meta.credit,
            sha256=hashlib.sha256(data).hexdigest(),
            reader=decoded.reader,
            encoding=decoded.encoding,
        ),
        f"{file}: {decoded.note}" if decoded.note else None,
    )


def _host(url: str | None) -> str | None:
    """The host a URL names, without 'www.': 'ndtv.com'."""
    return (host_of(url).removeprefix("www.") or None) if url else None
