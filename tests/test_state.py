"""Scheduled runs: --state remembers which documents (by content) were briefed; the next
briefing marks what is new; --only-new briefs only that; a failed run changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from briefing.deliver.state import State
from briefing.errors import ConfigError
from briefing.models import Document
from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.e2e

FIRST_FOUR = sorted(SEEDS.glob("00[0-3]_*.txt"))
FIFTH = next(SEEDS.glob("004_*.txt"))
FIFTH_ID = FIFTH.stem


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for f in FIRST_FOUR:
        shutil.copy(f, folder)
    return folder


def doc(id_: str, text: str) -> Document:
    import hashlib

    return Document(
        id=id_, path=f"{id_}.txt", text=text, sha256=hashlib.sha256(text.encode()).hexdigest()
    )


def test_second_run_marks_exactly_the_new_document(docs, tmp_path):
    state = tmp_path / "state" / "team.json"  # its folder is made when needed
    r = run_cli("build", docs, "--state", state, "-o", tmp_path / "1.json")
    assert r.returncode == 0, r.stderr
    first = json.loads((tmp_path / "1.json").read_text())
    assert first["new_sources"] == [] and first["since"] is None  # a first run marks nothing
    saved = json.loads(state.read_text())
    assert saved["version"] == 1
    assert set(saved["documents"]) == {f.stem for f in FIRST_FOUR}

    shutil.copy(FIFTH, docs)
    r = run_cli("build", docs, "--state", state, "-o", tmp_path / "2.json")
    assert r.returncode == 0, r.stderr
    second = json.loads((tmp_path / "2.json").read_text())
    assert second["new_sources"] == [FIFTH_ID]
    assert second["since"] is not None
    assert len(second["sources"]) == 5
    assert "1 new" in r.stderr

    r = run_cli("render", tmp_path / "2.json")
    md = r.stdout
    assert "1 new since the last briefing" in md
    new_lines = [ln for ln in md.splitlines() if "**New:**" in ln]
    assert new_lines
    for line in new_lines:  # a claim is new when only new documents say it
        assert line.endswith(f"[{FIFTH_ID}]"), line
    sources = md.split("## Sources")[1]
    marked = [ln for ln in sources.splitlines() if "**new**" in ln]
    assert len(marked) == 1 and FIFTH_ID in marked[0]
    assert set(json.loads(state.read_text())["documents"]) == {f.stem for f in SEEDS.glob("*.txt")}


def test_only_new_briefs_only_new_documents_and_nothing_when_none(docs, tmp_path):
    state = tmp_path / "s.json"
    assert run_cli("build", docs, "--state", state, "-o", tmp_path / "1.md").returncode == 0
    shutil.copy(FIFTH, docs)
    r = run_cli("build", docs, "--state", state, "--only-new", "-o", tmp_path / "2.json")
    assert r.returncode == 0, r.stderr
    brief = json.loads((tmp_path / "2.json").read_text())
    assert [s["id"] for s in brief["sources"]] == [FIFTH_ID]
    assert brief["new_sources"] == [FIFTH_ID]

    before = state.read_text()
    r = run_cli("build", docs, "--state", state, "--only-new", "-o", tmp_path / "3.md")
    assert r.returncode == 0
    assert "nothing new since" in r.stderr and "no briefing written" in r.stderr
    assert not (tmp_path / "3.md").exists()
    assert state.read_text() == before


def test_a_changed_document_is_new(docs, tmp_path):
    state = tmp_path / "s.json"
    assert run_cli("build", docs, "--state", state, "-q").returncode == 0
    changed = docs / FIRST_FOUR[0].name
    changed.write_text(
        changed.read_text() + "\nMinister Anna Berg said on Monday that talks "
        "with Oslo will resume in January 2026.\n"
    )
    r = run_cli("build", docs, "--state", state, "--only-new", "--format", "json", "-q")
    assert r.returncode == 0, r.stderr
    assert [s["id"] for s in json.loads(r.stdout)["sources"]] == [FIRST_FOUR[0].stem]


def test_a_failed_run_does_not_update_the_state(docs, tmp_path):
    state = tmp_path / "s.json"
    assert run_cli("build", docs, "--state", state, "-q").returncode == 0
    before = state.read_text()
    shutil.copy(FIFTH, docs)
    broken = tmp_path / "tpl" / "default"
    broken.mkdir(parents=True)
    (broken / "briefing.md.j2").write_text("{{ b.nope }}\n")
    r = run_cli("build", docs, "--state", state, "--templates", tmp_path / "tpl", "-q")
    assert r.returncode == 1
    assert state.read_text() == before
    r = run_cli("build", docs, "--state", state, "--only-new", "--format", "json", "-q")
    assert [s["id"] for s in json.loads(r.stdout)["sources"]] == [FIFTH_ID]  # nothing lost


def test_only_new_needs_state(docs):
    r = run_cli("build", docs, "--only-new")
    assert r.returncode == 2 and "--only-new needs --state" in r.stderr


def test_a_damaged_state_file_is_one_line(docs, tmp_path):
    state = tmp_path / "s.json"
    state.write_text("{not json")
    r = run_cli("build", docs, "--state", state)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "damaged" in r.stderr and str(state) in r.stderr
    assert state.read_text() == "{not json"


def test_state_by_content_hash(tmp_path):
    state = State(tmp_path / "s.json")
    when = dt.datetime(2025, 12, 1, 7, 0, tzinfo=dt.UTC)
    state.record([doc("a", "alpha"), doc("b", "beta")], when)
    state.save()
    state = State.load(tmp_path / "s.json")
    assert state.since == when
    selection = state.select(
        [doc("a", "alpha"), doc("renamed", "beta"), doc("c", "gamma"), doc("b", "beta two")]
    )
    assert selection.new == ["c", "b"]  # a rename with the same content is not new
    assert [d.id for d in state.select(selection.docs, only_new=True).docs] == ["c", "b"]
    later = dt.datetime(2025, 12, 2, 7, 0, tzinfo=dt.UTC)
    state.record([doc("a", "alpha two")], later)
    assert state.data.documents["a"].first_seen == when
    assert state.data.documents["a"].last_briefed == later


def test_unknown_version_is_refused(tmp_path):
    (tmp_path / "s.json").write_text('{"version": 2, "documents": {}}')
    with pytest.raises(ConfigError, match="damaged"):
        State.load(tmp_path / "s.json")
