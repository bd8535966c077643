"""Writing the output (-o): a regular file is replaced atomically, a link keeps pointing at its
file, a device or a named pipe is written to and never replaced, '-' is standard output, and a
path that cannot be written is one line."""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

import pytest

from briefing.cli.parser import main
from briefing.deliver import output
from briefing.deliver.output import check_writable
from briefing.errors import InputError

STORY = (
    "The council approved the new budget on Monday after a long debate in the city hall.\n"
    "Mayor Jane Smith said the plan would fund ten new schools and two clinics by 2027.\n"
)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "story.txt").write_text(STORY)
    return folder


@pytest.fixture
def devices_never_replaced(monkeypatch):
    """Whatever the code under test does, it must not replace a device node: as root that
    would really swap /dev/null for a file. A replacement there fails the test instead."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if os.path.realpath(dst).startswith("/dev/"):
            raise AssertionError(f"{dst} would have been replaced by a regular file")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("briefing: error: ")
    return lines[0]


# ---------------------------------------------------------------------------------------------
# Regular files and links to them: atomically, the link kept
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_a_link_stays_a_link_and_its_file_is_replaced(tmp_path, docs, relative):
    real = tmp_path / "archive" / "brief.md"
    real.parent.mkdir()
    real.write_text("the last briefing\n")
    real.chmod(0o640)
    link = tmp_path / "latest.md"
    link.symlink_to(Path("archive/brief.md") if relative else real)
    assert main(["build", str(docs), "-o", str(link), "-q"]) == 0
    assert link.is_symlink() and os.readlink(link) == str(
        Path("archive/brief.md") if relative else real
    )
    assert real.read_text().startswith("# ")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["brief.md"]  # no temporary file


def test_a_link_to_a_file_not_there_yet_makes_the_file(tmp_path, docs):
    link = tmp_path / "latest.md"
    link.symlink_to(tmp_path / "brief.md")
    assert main(["build", str(docs), "-o", str(link), "-q"]) == 0
    assert link.is_symlink()
    assert (tmp_path / "brief.md").read_text().startswith("# ")


def test_a_link_in_a_folder_that_cannot_be_written_is_fine_when_its_file_can_be(
    tmp_path, monkeypatch
):
    """What is replaced is the link's file, so only its folder must take writes."""
    locked, open_ = tmp_path / "locked", tmp_path / "open"
    locked.mkdir()
    open_.mkdir()
    (locked / "latest.md").symlink_to(open_ / "brief.md")
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == locked else real(p, mode))
    check_writable(locked / "latest.md")
    with pytest.raises(InputError, match="permission denied"):
        check_writable(locked / "brief.md")


def test_a_loop_of_links_is_refused_before_any_work(tmp_path):
    (tmp_path / "a.md").symlink_to(tmp_path / "b.md")
    (tmp_path / "b.md").symlink_to(tmp_path / "a.md")
    with pytest.raises(InputError, match="a loop of links"):
        check_writable(tmp_path / "a.md")


# ---------------------------------------------------------------------------------------------
# Devices and pipes: written to, never replaced
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null here")
def test_dev_null_stays_a_device(docs, capsys, devices_never_replaced):
    check_writable("/dev/null")
    assert main(["build", str(docs), "-o", "/dev/null", "-q"]) == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert capsys.readouterr() == ("", "")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_written_to_and_stays_a_pipe(tmp_path, docs):
    fifo = tmp_path / "brief.pipe"
    os.mkfifo(fifo)
    keep = tmp_path / "same.pipe"  # the pipe by another name, to unblock the reader if need be
    os.link(fifo, keep)
    check_writable(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    try:
        assert main(["build", str(docs), "-o", str(fifo), "--format", "md", "-q"]) == 0
        reader.join(timeout=30)
    finally:
        if reader.is_alive():  # never opened for writing: let the reader see an end
            with contextlib.suppress(OSError):
                os.close(os.open(keep, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(timeout=5)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].decode().startswith("# ")


# ---------------------------------------------------------------------------------------------
# '-' is standard output
# ---------------------------------------------------------------------------------------------


def test_dash_is_standard_output_for_build_and_render(tmp_path, docs, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(docs), "-o", "-", "--format", "json", "-q"]) == 0
    saved = capsys.readouterr().out
    assert saved.startswith("{")
    (tmp_path / "brief.json").write_text(saved)
    assert main(["render", "brief.json", "-o", "-", "--format", "txt"]) == 0
    assert "KEY POINTS" in capsys.readouterr().out
    assert not (tmp_path / "-").exists()


def test_dash_is_standard_output_for_a_dry_run(tmp_path, docs, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["send", str(docs), "--to", "a@example.com", "--dry-run", "-"]) == 0
    out, err = capsys.readouterr()
    assert "To: a@example.com" in out and "Content-Type: multipart/alternative" in out
    assert "-> standard output (not sent)" in err
    assert not (tmp_path / "-").exists()


# ---------------------------------------------------------------------------------------------
# What cannot be written: one line
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/proc/version"), reason="no /proc here")
def test_a_file_that_refuses_writes_is_one_line(docs, capsys, devices_never_replaced):
    """Refused before any work (exit 2) or, for root, whom the permissions let through, when
    writing (exit 1): one line either way."""
    before = Path("/proc/version").read_text()
    code = main(["build", str(docs), "-o", "/proc/version", "-q"])
    line = one_error_line(capsys.readouterr().err)
    assert code in (1, 2)
    assert line.startswith("briefing: error: /proc/version: ")
    assert Path("/proc/version").read_text() == before


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_device_is_one_line_and_exit_1(docs, capsys, devices_never_replaced):
    assert main(["build", str(docs), "-o", "/dev/full", "-q"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert line == "briefing: error: /dev/full: cannot be written (No space left on device)"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_failed_write_is_one_line_and_leaves_the_old_file(tmp_path, docs, capsys, monkeypatch):
    out = tmp_path / "brief.md"
    out.write_text("the last briefing\n")

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    assert main(["build", str(docs), "-o", str(out), "-q"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert line == f"briefing: error: {out}: cannot be written (No space left on device)"
    assert out.read_text() == "the last briefing\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.md", "docs"]


# ---------------------------------------------------------------------------------------------
# The format: --format, else the extension; an extension briefing does not write is a mistake
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "render"])
def test_an_extension_briefing_does_not_write_is_a_usage_error(tmp_path, capsys, command):
    """`-o brief.pdf` used to write Markdown into brief.pdf. Refused before anything is read."""
    out = tmp_path / "brief.pdf"
    assert main([command, str(tmp_path / "not-read-yet"), "-o", str(out)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line == (
        f"briefing: error: -o {out}: briefing writes .md, .markdown, .html, .htm, .txt, .json; "
        "give one of these extensions, or the format with --format md|html|txt|json"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "args", "starts"),
    [
        ("brief.pdf", ["--format", "html"], "<!DOCTYPE html>"),
        ("brief", [], "# "),
        ("brief.MARKDOWN", [], "# "),
        ("brief.htm", [], "<!DOCTYPE html>"),
    ],
)
def test_the_format_comes_from_format_else_the_extension_else_markdown(
    tmp_path, docs, name, args, starts
):
    out = tmp_path / name
    assert main(["build", str(docs), "-o", str(out), "-q", *args]) == 0
    assert out.read_text().startswith(starts)
