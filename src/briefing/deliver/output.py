"""Writing results, so that nothing the user had is clobbered or left half-written.

A regular file, or a new one, is written atomically (a temporary file beside it, then
`os.replace`): a failed or interrupted run leaves the old file as it was. Through a link, the
file at the end of the link is replaced and the link kept. Anything else (a device such as
/dev/null, a named pipe, /dev/stdout) is opened and written, never replaced. `-` is standard
output.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from pathlib import Path

from briefing.errors import InputError, OutputError, UsageError

STDOUT = "-"
EXTENSIONS = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".txt": "txt",
    ".json": "json",
}
_MAX_LINKS = 40  # as the kernel's limit on links followed in one path


def is_stdout(path: str | Path | None) -> bool:
    return path is None or str(path) == STDOUT


def format_for(output: str | None, explicit: str | None = None) -> str:
    """The format to write: `explicit` (--format), else the one the extension of `output`
    names, else Markdown (standard output, or a name without an extension such as /dev/null).
    UsageError for any other extension: `-o brief.pdf` must not quietly write Markdown."""
    if explicit:
        return explicit
    suffix = "" if output is None or is_stdout(output) else Path(output).suffix.lower()
    if suffix and suffix not in EXTENSIONS:
        known = ", ".join(EXTENSIONS)
        raise UsageError(
            f"-o {output}: briefing writes {known}; give one of these extensions, or the "
            "format with --format md|html|txt|json"
        )
    return EXTENSIONS.get(suffix, "md")


def check_writable(path: str | Path) -> None:
    """Raise InputError now, before any work, when `path` cannot be written."""
    if is_stdout(path):
        return
    path = Path(path)
    st = _stat(path)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a folder; give a file name for the output")
    if st is not None and stat.S_ISSOCK(st.st_mode):
        raise InputError(f"{path}: is a socket; give a file, a named pipe or a device")
    try:
        target = None if st is not None and not stat.S_ISREG(st.st_mode) else _replaced(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write here ({_reason(exc)})") from exc
    if target is None:  # written through: only the thing itself must take writes
        if not os.access(path, os.W_OK):
            raise InputError(f"{path}: cannot write here (permission denied)")
        return
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"{path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (st is not None and not os.access(target, os.W_OK)):
        raise InputError(f"{path}: cannot write here (permission denied)")


def write_output(path: str | Path | None, text: str) -> None:
    """Write `text` to `path` (None or '-': standard output) as the module says. Any OSError
    is an OutputError, one line; a reader of standard output that went away (`| head`) is left
    to the caller as BrokenPipeError."""
    if path is None or is_stdout(path):
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"standard output cannot be written ({_reason(exc)})") from exc
        return
    try:
        write_file(path, text)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({_reason(exc, path)})") from exc


def write_file(path: str | Path, text: str) -> None:
    """Write `text` to the file at `path`: atomically when it is a regular file or a new one
    (through links: their target), else straight into it. Raises OSError."""
    path = Path(path)
    st = _stat(path, errors=True)
    target = None if st is not None and not stat.S_ISREG(st.st_mode) else _replaced(path)
    if target is None:
        # Appending: for a device or a pipe it is plain writing; for /dev/stdout redirected
        # to a file (`>>` as much as `>`) it keeps what the shell left there.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        write_atomic(target, text)


def write_atomic(path: str | Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a part."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stat(path: Path, errors: bool = False) -> os.stat_result | None:
    """What `path` leads to (links followed), or None when nothing is there yet. A loop of
    links, or a folder that cannot be searched, is an InputError (OSError with `errors`)."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if errors:
            raise
        what = "a loop of links" if exc.errno == errno.ELOOP else _reason(exc)
        raise InputError(f"{path}: cannot write here ({what})") from exc


def _replaced(path: Path) -> Path | None:
    """The file an atomic write to `path` replaces: the end of its chain of links (which may
    not exist yet), so that the links stay. None when the chain passes through /proc, as
    /dev/stdout does to a process's descriptor: that is written through, never replaced."""
    for _ in range(_MAX_LINKS):
        folder = Path(os.path.realpath(path.parent))
        if folder.parts[1:2] == ("proc",):
            return None
        path = folder / path.name
        if not path.is_symlink():
            return path
        path = folder / os.readlink(path)  # an absolute target replaces `folder`
    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))


def _reason(exc: OSError, path: str | Path | None = None) -> str:
    """Why: the system's words, and the file it was about when that is not `path` (the
    temporary file beside it, say)."""
    reason = exc.strerror or str(exc)
    if exc.filename and path is not None and str(exc.filename) != str(path):
        reason += f": {exc.filename}"
    return reason
