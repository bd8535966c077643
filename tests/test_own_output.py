"""briefing never reads its own output as a source: not the file it is writing, and not any
briefing it wrote before, in any format and for any audience, or through a template of one's own
that uses the shared macros."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.cli.parser import main
from briefing.ingest.sources import find_files, load_documents, written_by_briefing

STORY = (
    "The council approved the new budget on Monday after a long debate in the city hall.\n"
    "Mayor Jane Smith said the plan would fund ten new schools and two clinics by 2027.\n"
)
HARBOUR = (
    "The harbour authority said on Tuesday that cargo traffic rose by 12% in November.\n"
    "Port director Ana Lopes said two new cranes will arrive in Northhaven in March.\n"
)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "council.txt").write_text(STORY)
    (folder / "harbour.md").write_text(HARBOUR)
    return folder


def source_ids(path: Path) -> list[str]:
    return [s["id"] for s in json.loads(path.read_text())["sources"]]


def test_a_briefing_written_into_its_folder_is_not_a_source_of_the_next(docs, capsys):
    """`briefing build . -o brief.md` twice used to cite [brief], its previous briefing."""
    out = docs / "brief.md"
    for _ in range(2):
        assert main(["build", str(docs), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"briefing: note: {out}: skipped, the output of this run" in err
    assert "[brief]" not in out.read_text()
    assert main(["build", str(docs), "-o", str(docs / "other.json")]) == 0
    assert sorted(source_ids(docs / "other.json")) == ["council", "harbour"]
    assert f"note: {out}: skipped, a briefing written by briefing" in capsys.readouterr().err


def test_briefings_in_several_formats_beside_each_other_are_all_skipped(docs, capsys):
    """`-o n.html`, then `-o n.md`, then `-o n.json`: the third run used to stop at 'two files
    have the ID n'."""
    for name in ("n.html", "n.md", "n.txt", "n.json"):
        assert main(["build", str(docs), "-o", str(docs / name)]) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    for name in ("n.html", "n.md", "n.txt"):
        assert f"briefing: note: {docs / name}: skipped, a briefing written by briefing" in err
    assert sorted(source_ids(docs / "n.json")) == ["council", "harbour"]


@pytest.mark.parametrize("audience", ["default", "executive", "analyst"])
@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
def test_every_format_and_audience_carries_the_mark(docs, tmp_path, audience, fmt):
    out = tmp_path / f"brief.{fmt}"
    assert main(["build", str(docs), "-o", str(out), "--audience", audience, "-q"]) == 0
    assert written_by_briefing(out)
    found = find_files([out])
    assert found.files == []
    assert found.notes == [f"{out}: skipped, a briefing written by briefing"]


def test_a_message_written_by_a_dry_run_is_skipped(docs, capsys):
    eml = docs / "briefing.eml"
    for _ in range(2):
        assert main(["send", str(docs), "--to", "a@example.com", "--dry-run", str(eml)]) == 0
    assert f"{eml}: skipped, the output of this run" in capsys.readouterr().err
    assert written_by_briefing(eml)
    docs_read, notes = load_documents([docs])
    assert sorted(d.id for d in docs_read) == ["council", "harbour"]
    assert notes == [f"{eml}: skipped, a briefing written by briefing"]


def test_a_template_of_ones_own_that_uses_the_macros_keeps_the_mark(docs, tmp_path):
    mine = tmp_path / "mine" / "terse"
    mine.mkdir(parents=True)
    (mine / "briefing.md.j2").write_text(
        '{% import "macros.md.j2" as m %}\n{{ m.header(b) }}\n\n{{ m.footer(b) }}\n'
    )
    out = tmp_path / "terse.md"
    args = ["--templates", str(tmp_path / "mine"), "--audience", "terse", "-q"]
    assert main(["build", str(docs), "-o", str(out), *args]) == 0
    assert written_by_briefing(out)


def test_the_output_is_skipped_even_without_the_mark(docs):
    """A template of one's own without the macros writes no mark; the output path itself is
    still never read, compared as the file it resolves to."""
    out = docs / "notes.txt"
    out.write_text(STORY.replace("council", "committee"))
    (docs / "latest.txt").symlink_to(out)
    found, notes = load_documents([docs], exclude=[docs / "latest.txt"])
    assert sorted(d.id for d in found) == ["council", "harbour"]
    assert notes == [f"{docs / 'latest.txt'}: skipped, the output of this run"]


@pytest.mark.parametrize(
    "text",
    [
        "A user's notes: the draft was written by briefing software, said Ana.\n",
        "written by briefing our team, in March\n",
        "<!-- written by briefing -->\n",
        "X-Mailer: mutt\n",
    ],
)
def test_a_document_that_merely_mentions_the_mark_is_read(tmp_path, text):
    (tmp_path / "note.md").write_text(STORY + text)
    assert not written_by_briefing(tmp_path / "note.md")


def test_only_the_ends_of_a_big_file_are_looked_at(tmp_path):
    """A mark deep inside a big file is content (a briefing pasted into notes); at the end
    of one it is briefing's, found without reading the middle."""
    middle = STORY * 2000 + "<!-- written by briefing 0.1.0 -->\n" + STORY * 2000
    (tmp_path / "inside.md").write_text(middle)
    (tmp_path / "at-end.md").write_text(STORY * 4000 + "<!-- written by briefing 0.1.0 -->\n")
    assert not written_by_briefing(tmp_path / "inside.md")
    assert written_by_briefing(tmp_path / "at-end.md")
