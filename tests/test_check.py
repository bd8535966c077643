"""`briefing check`: a briefing verified against its files; each failure one line on stdout with
its claim, then a summary; exit 0 when all hold, 1 otherwise, 2 for usage and input errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from briefing.ingest.sources import files_by_id, find_files
from briefing.verify import check_json, check_markdown
from tests.conftest import DISAGREE, SEEDS, run_cli
from tests.support.documents import docx_bytes, eml_bytes, html_page, pdf_bytes

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The seeds' briefing as JSON and as Markdown, built as a user would."""
    out = tmp_path_factory.mktemp("brief")
    for name in ("brief.json", "brief.md"):
        r = run_cli("build", SEEDS, "-o", out / name, "-q")
        assert r.returncode == 0, r.stderr
    return out / "brief.json", out / "brief.md"


@pytest.fixture
def brief(built) -> dict:
    return json.loads(built[0].read_text())


@pytest.fixture
def seed_files() -> dict[str, Path]:
    return files_by_id(find_files([SEEDS]).files)


def all_claims(brief: dict) -> list[dict]:
    return brief["key_points"] + [c for s in brief["sections"] for c in s["claims"]]


def write_json(tmp_path: Path, brief: dict) -> Path:
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(brief))
    return path


def failures(r) -> list[str]:
    """The failure lines: stdout less its summary line."""
    lines = r.stdout.splitlines()
    assert lines, r.stderr
    return lines[:-1]


# ---------------------------------------------------------------------------------------------
# A good briefing checks clean
# ---------------------------------------------------------------------------------------------


def test_the_seeds_briefing_as_json_checks_clean(built):
    r = run_cli("check", built[0], SEEDS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("ok: ") and r.stdout.count("\n") == 1
    assert "against 5 files, hold" in r.stdout
    assert r.stderr == ""


def test_the_seeds_briefing_as_markdown_checks_clean(built):
    r = run_cli("check", built[1], SEEDS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("ok: ") and r.stdout.count("\n") == 1
    assert " quoted passages " in r.stdout and " 0 quoted passages" not in r.stdout


def test_a_briefing_of_every_format_checks_clean(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    first = "The council approved the new budget on Monday after a long debate in the city hall."
    second = "Mayor Jane Smith said the plan would fund ten new schools and two clinics by 2027."
    (docs / "a.html").write_text(html_page(f"<p>{first}</p><p>{second}</p>"))
    (docs / "b.pdf").write_bytes(pdf_bytes([first, second]))
    (docs / "c.docx").write_bytes(docx_bytes([first, second]))
    (docs / "d.eml").write_bytes(eml_bytes(f"{first}\n{second}\n"))
    for name in ("brief.json", "brief.md"):
        assert run_cli("build", docs, "-o", tmp_path / name, "-q").returncode == 0
        r = run_cli("check", tmp_path / name, docs)
        assert r.returncode == 0, r.stdout
        assert "against 4 files, hold" in r.stdout


# ---------------------------------------------------------------------------------------------
# JSON: each failure is a line naming the claim
# ---------------------------------------------------------------------------------------------


def test_a_tampered_quote_fails(tmp_path, brief):
    claim = all_claims(brief)[0]
    cit = claim["citations"][0]
    cit["quote"] = cit["quote"].replace(" ", "  ", 1)
    r = run_cli("check", write_json(tmp_path, brief), SEEDS)
    assert r.returncode == 1
    [line] = failures(r)
    assert line.startswith(f"{claim['id']}: [{cit['source']}] quote is not in the file: ")
    first_space = cit["quote"].index("  ")
    assert f"from character {cit['start'] + first_space + 1}" in line
    shown = line.split("the quote has ")[1]
    assert "  " in shown.split(" where the file has ")[0]  # the doubled space, where it is
    assert "  " not in shown.split(" where the file has ")[1]
    assert r.stdout.splitlines()[-1].startswith("1 failed: ")


def test_a_shifted_offset_fails_and_says_where_the_quote_is(tmp_path, brief):
    claim = all_claims(brief)[1]
    cit = claim["citations"][0]
    start, end = cit["start"], cit["end"]
    cit["start"], cit["end"] = start + 1, end + 1
    r = run_cli("check", write_json(tmp_path, brief), SEEDS)
    assert r.returncode == 1
    [line] = failures(r)
    assert line.startswith(f"{claim['id']}: [{cit['source']}] quote “")
    assert line.endswith(f"is not at {start + 1}:{end + 1}; it is at {start}:{end}")


def test_a_missing_file_fails_for_the_source_and_each_claim_citing_it(tmp_path, brief):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    gone = brief["sources"][0]["id"]
    (docs / f"{gone}.txt").unlink()
    r = run_cli("check", write_json(tmp_path, brief), docs)
    assert r.returncode == 1
    lines = failures(r)
    assert lines[0] == f"[{gone}]: no file with this ID among the paths given"
    citing = [c["id"] for c in all_claims(brief) for cit in c["citations"] if cit["source"] == gone]
    assert citing
    for claim_id in citing:
        assert f"{claim_id}: [{gone}] could not be checked (see [{gone}])" in lines


def test_a_changed_file_fails_by_its_sha256(tmp_path, brief):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    changed = brief["sources"][2]["id"]
    with (docs / f"{changed}.txt").open("a", encoding="utf-8") as fh:
        fh.write("\nA line added after the briefing was made.\n")
    r = run_cli("check", write_json(tmp_path, brief), docs)
    assert r.returncode == 1
    assert failures(r) == [
        f"[{changed}]: {docs / (changed + '.txt')} has changed since the briefing was made "
        "(sha256 differs)"
    ]


def test_a_citation_of_a_source_the_briefing_does_not_list_fails(brief, seed_files):
    claim = all_claims(brief)[0]
    claim["citations"][0]["source"] = "nowhere"
    report = check_json(brief, seed_files)
    assert [str(f) for f in report.failures] == [
        f"{claim['id']}: cites [nowhere], which is not among the briefing's sources"
    ]


def test_a_reader_this_version_lacks_fails(brief, seed_files):
    source = brief["sources"][0]
    source["reader"] = "epub/ebooklib 0.18"
    report = check_json(brief, seed_files)
    assert f"[{source['id']}]: read by 'epub/ebooklib 0.18', which this version lacks" in [
        str(f) for f in report.failures
    ]


def test_another_version_of_the_reader_is_a_note_not_a_failure(brief, seed_files):
    source = brief["sources"][0]
    source["reader"] = "text/briefing 0.0.1"
    report = check_json(brief, seed_files)
    assert report.ok
    assert report.notes == [
        f"[{source['id']}] was read as text/briefing 0.0.1 (utf-8), now as text (utf-8)"
    ]


@pytest.fixture(scope="module")
def disagree(tmp_path_factory) -> dict[str, Path]:
    """Briefings of news that disagree (tests/corpora/disagree_dev), for every audience, as
    JSON and Markdown: they have conflicts, and the executive one has what to watch."""
    out = tmp_path_factory.mktemp("disagree")
    built = {}
    for audience in ("default", "executive"):
        for ext in ("json", "md"):
            path = out / f"{audience}.{ext}"
            r = run_cli("build", DISAGREE, "-o", path, "--audience", audience, "-q")
            assert r.returncode == 0, r.stderr
            built[f"{audience}.{ext}"] = path
    return built


def check_tampered(tmp_path: Path, name: str, text: str) -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    r = run_cli("check", path, DISAGREE)
    assert r.returncode == 1, r.stdout + r.stderr
    return failures(r)


def test_true_briefings_of_disagreeing_news_check_clean(disagree):
    for path in disagree.values():
        r = run_cli("check", path, DISAGREE)
        assert r.returncode == 0, (path.name, r.stdout)
    brief = json.loads(disagree["default.json"].read_text())
    assert brief["conflicts"], "the corpus plants disagreements"
    assert json.loads(disagree["executive.json"].read_text())["watch"]


def test_conflict_citations_are_checked_too(disagree, tmp_path):
    brief = json.loads(disagree["default.json"].read_text())
    conflict = brief["conflicts"][0]
    conflict["values"][0]["citations"][0]["end"] += 3
    lines = check_tampered(tmp_path, "t.json", json.dumps(brief))
    assert [line.split(":")[0] for line in lines] == [conflict["id"]]


def test_a_changed_conflict_value_fails(disagree, tmp_path):
    brief = json.loads(disagree["default.json"].read_text())
    conflict = brief["conflicts"][0]
    value = conflict["values"][0]
    value["value"] = re.sub(r"\d", "7", value["value"], count=1)
    lines = check_tampered(tmp_path, "t.json", json.dumps(brief))
    assert lines and all(line.startswith(f"{conflict['id']}: [") for line in lines)
    assert "does not give" in lines[0]


@pytest.mark.parametrize("kind", ["key_points", "sections", "watch"])
def test_a_changed_figure_in_a_json_claim_fails(disagree, tmp_path, kind):
    brief = json.loads(
        disagree["executive.json" if kind == "watch" else "default.json"].read_text()
    )
    claims = (
        brief[kind] if kind != "sections" else [c for s in brief["sections"] for c in s["claims"]]
    )
    claim = next((c for c in claims if re.search(r"\d", c["text"])), claims[0])
    if re.search(r"\d", claim["text"]):
        claim["text"] = re.sub(r"\d+", lambda m: str(int(m.group(0)) + 1), claim["text"], count=1)
    else:
        claim["text"] += " It will cost €987 million."
    lines = check_tampered(tmp_path, "t.json", json.dumps(brief))
    assert lines and all(line.startswith(f"{claim['id']}: [") for line in lines), lines
    assert "does not give" in lines[0]


def test_a_changed_quote_of_a_watch_claim_fails(disagree, tmp_path):
    brief = json.loads(disagree["executive.json"].read_text())
    claim = brief["watch"][0]
    cit = claim["citations"][0]
    cit["quote"] = cit["quote"][:-3] + "xyz"
    lines = check_tampered(tmp_path, "t.json", json.dumps(brief))
    assert lines[0].startswith(f"{claim['id']}: [{cit['source']}] quote is not in the file")


def test_a_changed_name_in_a_json_claim_fails(disagree, tmp_path):
    brief = json.loads(disagree["default.json"].read_text())
    claims = [c for s in brief["sections"] for c in s["claims"]]
    claim = next(c for c in claims if re.search(r"\s[A-Z][a-z]{3,}", c["text"]))
    name = re.search(r"\s([A-Z][a-z]{3,})", claim["text"]).group(1)
    claim["text"] = claim["text"].replace(name, "Zanzibar", 1)
    lines = check_tampered(tmp_path, "t.json", json.dumps(brief))
    assert any("“Zanzibar”" in line for line in lines), lines


@pytest.mark.parametrize("audience", ["default", "executive"])
def test_a_changed_figure_in_a_markdown_bullet_fails(disagree, tmp_path, audience):
    lines = disagree[f"{audience}.md"].read_text().splitlines()
    number = next(
        n
        for n, line in enumerate(lines, 1)
        if re.match(r"^(?:- |\d+\. )", line)
        and not line.startswith("- **")
        and re.search(r"\d", re.sub(r"^\d+\. ", "", line).split("[")[0])
    )
    marker = re.match(r"^(?:- |\d+\. )", lines[number - 1]).group(0)
    body = re.sub(r"\d+", "987", lines[number - 1][len(marker) :], count=1)  # in no file
    lines[number - 1] = marker + body
    found = check_tampered(tmp_path, "t.md", "\n".join(lines) + "\n")
    assert found and all(f.startswith(f"line {number}: [") for f in found), found
    assert "does not give" in found[0]


@pytest.mark.parametrize("audience", ["default", "executive"])
def test_a_changed_value_where_sources_differ_in_markdown_fails(disagree, tmp_path, audience):
    md = disagree[f"{audience}.md"].read_text()
    lines = md.splitlines()
    section = lines.index("## Where sources differ")
    number = next(n for n, line in enumerate(lines[section:], section + 1) if "[" in line)
    lines[number - 1] = re.sub(
        r"\d+", lambda m: str(int(m.group(0)) + 1), lines[number - 1], count=1
    )
    found = check_tampered(tmp_path, "t.md", "\n".join(lines) + "\n")
    assert found and found[0].startswith(f"line {number}: ")


def test_a_markdown_file_that_is_not_a_briefing_is_an_input_error(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# My notes\n\nSome text about the port, 120 jobs and a loan.\n")
    r = run_cli("check", path, DISAGREE)
    assert r.returncode == 2 and r.stdout == ""
    assert "not a briefing" in r.stderr and len(r.stderr.splitlines()) == 1


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------


def test_an_unknown_cited_id_in_markdown_fails(tmp_path, built):
    md = built[1].read_text()
    known = "[001_38b30d14b806c795]"
    lines = md.splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.endswith(known))
    lines[number - 1] = lines[number - 1][: -len(known)] + "[999_unknown]"
    path = tmp_path / "tampered.md"
    path.write_text("\n".join(lines) + "\n")
    r = run_cli("check", path, SEEDS)
    assert r.returncode == 1
    assert failures(r) == [
        f"line {number}: cites [999_unknown], which is not among the files given"
    ]


def test_a_tampered_quoted_passage_in_markdown_fails(tmp_path, built):
    md = built[1].read_text()
    lines = md.splitlines()
    claims = lines[: lines.index("## Sources")]  # a claim line that quotes a passage
    number = next(i for i, line in enumerate(claims, 1) if "“" in line or '"' in line)
    mark = "“" if "“" in lines[number - 1] else '"'
    start = lines[number - 1].index(mark) + 1
    lines[number - 1] = lines[number - 1][:start] + "Not " + lines[number - 1][start:]
    path = tmp_path / "tampered.md"
    path.write_text("\n".join(lines) + "\n")
    r = run_cli("check", path, SEEDS)
    assert r.returncode == 1
    [line] = failures(r)
    assert line.startswith(f"line {number}: “Not ") and " is not in [" in line


def test_markdown_quotes_are_folded_as_grounding_folds_them(seed_files):
    text = (
        "1. Putin said Moscow wants to push its partnerships to a "
        '"qualitatively   new level" with India. [000_7de08aa9a340eff1]\n'
    )
    report = check_markdown(text, seed_files)
    assert report.ok and report.passages == 1


def test_markdown_lines_after_sources_are_not_claims(seed_files):
    text = "## Sources\n\n- [000_7de08aa9a340eff1] (untitled) “Roscosmos Director…” · undated\n"
    report = check_markdown(text, seed_files)
    assert report.ok and report.claims == 0


# ---------------------------------------------------------------------------------------------
# Usage and input errors: exit 2, one line
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "missing.json", "cannot read the briefing (No such file or directory)"),
        ("{not json", "bad.json", "not JSON (Expecting property name"),
        (
            '{"title": "x"}',
            "other.json",
            "not a briefing written by 'briefing build --format json'",
        ),
        ("# Briefing", "brief.txt", "give a briefing written as .json or .md"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(tmp_path, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    r = run_cli("check", path, SEEDS)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and message in r.stderr, r.stderr


def test_a_missing_path_is_exit_2(built, tmp_path):
    r = run_cli("check", built[0], tmp_path / "nope")
    assert r.returncode == 2
    assert "no such file or folder" in r.stderr


def test_check_without_paths_is_a_usage_error():
    r = run_cli("check", "brief.json")
    assert r.returncode == 2
    assert "required" in r.stderr
