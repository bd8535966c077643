"""Audiences: one folder each under prompts/ and templates/, falling back file by file to
default/, with the user's folders first; what `briefing audiences` lists; what each one shows."""

from __future__ import annotations

import json
import re

import pytest

from briefing.deliver import rendering
from briefing.deliver.audiences import load_audience
from briefing.deliver.rendering import prompt_environment, render_template
from briefing.deliver.resources import Folders, search_path
from briefing.errors import ConfigError, TemplateError
from tests.conftest import SEEDS, run_cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def briefs(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("aud")
    briefs = {}
    for audience in ("default", "executive", "analyst"):
        r = run_cli("build", SEEDS, "--audience", audience, "-o", out / f"{audience}.json", "-q")
        assert r.returncode == 0, r.stderr
        briefs[audience] = json.loads((out / f"{audience}.json").read_text())
    return briefs


def claims(brief: dict) -> list[dict]:
    return (
        brief["key_points"] + brief["watch"] + [c for s in brief["sections"] for c in s["claims"]]
    )


def test_audiences_lists_the_built_in_ones_and_a_users_own(tmp_path):
    board = tmp_path / "mine" / "board"
    board.mkdir(parents=True)
    (board / "audience.toml").write_text('description = "For the board: three points."\n')
    r = run_cli("audiences", "--templates", tmp_path / "mine")
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(None, 1) for line in r.stdout.splitlines())
    assert set(lines) == {"analyst", "board", "default", "executive"}
    assert lines["board"] == "For the board: three points."
    assert "five key points" in lines["executive"]
    assert all(desc.strip() for desc in lines.values())


def test_executive_is_one_screen_of_cited_points(briefs, tmp_path):
    brief = briefs["executive"]
    assert 1 <= len(brief["key_points"]) <= 5
    assert brief["sections"] == []
    assert brief["watch"], "the seeds say what is planned: the executive briefing lists it"
    for claim in claims(brief):
        assert claim["citations"]
    for claim in brief["watch"]:
        assert re.search(r"\b(will|upcoming|expected|scheduled|plans?|agenda)\b", claim["text"])
    r = run_cli("build", SEEDS, "--audience", "executive", "-q")
    assert r.returncode == 0, r.stderr
    md = r.stdout
    assert "## What to watch next" in md and "## Key points" in md
    assert "## Where sources differ" not in md
    body = md.split("## Sources")[0]
    points = [ln for ln in body.splitlines() if re.match(r"^(\d+\.|-) ", ln)]
    assert len(points) == len(brief["key_points"]) + len(brief["watch"])
    for line in points:
        assert re.search(r"\[\d{3}_[0-9a-f]+\]$", line), line
    assert len(body.split()) <= 450


def test_analyst_has_every_claim_and_the_full_source_list(briefs):
    brief = briefs["analyst"]
    assert brief["stats"]["claims_shown"] == brief["stats"]["claims"]
    assert len(claims(brief)) == brief["stats"]["claims"] > len(claims(briefs["default"]))
    r = run_cli("build", SEEDS, "--audience", "analyst", "-q")
    md = r.stdout
    # '36 per cent' of arms and 'over 30%' of procurement measure different things: no conflict
    assert "## Where sources differ\n\nNo figure is given differently by two sources." in md
    sources = md.split("## Sources")[1]
    for s in brief["sources"]:
        line = next(ln for ln in sources.splitlines() if f"[{s['id']}]" in ln)
        assert s["path"] in line
        if s["url"]:
            assert s["url"] in line


def test_default_is_unchanged_by_audiences(briefs):
    brief = briefs["default"]
    assert brief["audience"] == "default" and brief["watch"] == []
    assert len(brief["key_points"]) == 7


def test_budget_flags_override_the_audience(tmp_path):
    r = run_cli(
        "build", SEEDS, "--audience", "executive", "--key-points", "2", "--format", "json", "-q"
    )
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["key_points"]) == 2


def test_a_user_folder_overrides_one_file(tmp_path):
    mine = tmp_path / "mine" / "executive"
    mine.mkdir(parents=True)
    (mine / "briefing.md.j2").write_text("MINE {{ b.key_points | length }} {{ b.title }}\n")
    out = tmp_path / "b.md"
    r = run_cli(
        "build", SEEDS, "--audience", "executive", "--templates", tmp_path / "mine", "-o", out, "-q"
    )
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("MINE 5 Briefing:")
    # The other files still come from the built-in folders: HTML from executive/, the
    # macros it imports from default/.
    r = run_cli(
        "build",
        SEEDS,
        "--audience",
        "executive",
        "--templates",
        tmp_path / "mine",
        "--format",
        "html",
        "-q",
    )
    assert r.returncode == 0, r.stderr
    assert "What to watch next" in r.stdout and 'id="src-000_7de08aa9a340eff1"' in r.stdout


def test_a_user_folder_overrides_a_shared_piece_for_every_audience(tmp_path):
    mine = tmp_path / "mine" / "default"
    mine.mkdir(parents=True)
    builtin = search_path("templates", "default")[0] / "macros.md.j2"
    piece = '{{ "**New:** " if is_new(c, b) }}'
    assert piece in builtin.read_text()
    text = builtin.read_text().replace(piece, "{{ c.citations | cite }} " + piece)
    (mine / "macros.md.j2").write_text(text)
    r = run_cli("build", SEEDS, "--audience", "analyst", "--templates", tmp_path / "mine", "-q")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^1\. \[\d{3}_[0-9a-f]{16}\] ", r.stdout, re.MULTILINE)


@pytest.mark.parametrize(
    ("template", "line", "message"),
    [
        (
            "# {{ b.title }}\n\n{% for c in b.key_points %}\n{{ c.text }\n{% endfor %}\n",
            4,
            "unexpected '}'",
        ),
        ("# {{ b.title }}\n\n{{ b.no_such_field }}\n", 3, "no_such_field"),
    ],
)
def test_a_broken_template_names_its_file_and_line(tmp_path, template, line, message):
    mine = tmp_path / "mine" / "default"
    mine.mkdir(parents=True)
    (mine / "briefing.md.j2").write_text(template)
    r = run_cli("build", SEEDS, "--templates", tmp_path / "mine", "-o", tmp_path / "b.md")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert f"{mine / 'briefing.md.j2'}:{line}:" in r.stderr
    assert message in r.stderr
    assert not (tmp_path / "b.md").exists()


def test_unknown_audience_is_one_line(tmp_path):
    r = run_cli("build", SEEDS, "--audience", "exectuive")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "unknown audience 'exectuive'" in r.stderr and "executive" in r.stderr


def test_missing_user_folder_is_a_usage_error(tmp_path):
    r = run_cli("build", SEEDS, "--templates", tmp_path / "nope")
    assert r.returncode == 2 and "no such folder" in r.stderr


def test_prompts_use_the_same_lookup(tmp_path):
    """The LLM engine renders prompts/<audience>/ with the same fallback and the same errors."""
    mine = tmp_path / "prompts"
    (mine / "executive").mkdir(parents=True)
    (mine / "default").mkdir()
    (mine / "executive" / "lead.system.j2").write_text("Lead for executives: {{ n }} points.\n")
    (mine / "default" / "extract.system.j2").write_text("Extract {{ n }} facts.\n")
    (mine / "default" / "broken.j2").write_text("line one\n{{ missing }}\n")
    env = prompt_environment("executive", [mine])
    assert render_template(env, "lead.system.j2", n=5) == "Lead for executives: 5 points.\n"
    assert render_template(env, "extract.system.j2", n=3) == "Extract 3 facts.\n"
    with pytest.raises(TemplateError, match=r"broken\.j2:2: 'missing' is undefined"):
        render_template(env, "broken.j2")
    folders = Folders.of(prompts=[mine])
    assert search_path("prompts", "executive", folders)[0] == mine / "executive"
    assert search_path("prompts", "executive", folders)[-1].name == "default"
    # An audience with templates but no prompts of its own gets the default prompts.
    board = prompt_environment("board", [mine])
    assert render_template(board, "extract.system.j2", n=2) == "Extract 2 facts.\n"
    # The signature briefing.engines.llm.prompting uses on main:
    assert rendering.search_path("executive", [mine], kind="prompts") == search_path(
        "prompts", "executive", folders
    )


def test_audience_toml_is_checked(tmp_path):
    mine = tmp_path / "t" / "board"
    mine.mkdir(parents=True)
    (mine / "audience.toml").write_text("[budget]\nkey_points = 3\nmax_claim = 4\n")
    with pytest.raises(ConfigError, match=r"audience\.toml: budget\.max_claim"):
        load_audience("board", Folders.of(templates=[tmp_path / "t"]))
    (mine / "audience.toml").write_text('description = "x"\n[budget]\nkey_points = 3\n')
    audience = load_audience("board", Folders.of(templates=[tmp_path / "t"]))
    assert audience.budget.key_points == 3 and audience.budget.max_claims == 30


def key_points_shown(text: str, fmt: str) -> int:
    """How many numbered key points a rendering of an executive briefing shows."""
    if fmt == "html":
        ordered = text.split("<ol", 1)[1].split("</ol>", 1)[0]
        return ordered.count("<li")
    section = text.split("Key points" if fmt == "md" else "KEY POINTS", 1)[1]
    return len(re.findall(r"^ *\d+\. ", section, re.MULTILINE))


@pytest.mark.parametrize("n", [3, 7])
@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
def test_key_points_flag_decides_how_many_the_executive_briefing_shows(main, n, fmt):
    r = main("build", SEEDS, "--audience", "executive", "--key-points", n, "--format", fmt, "-q")
    assert r.code == 0, r.err
    assert key_points_shown(r.out, fmt) == n


def test_the_executive_budget_decides_without_the_flag(main):
    r = main("build", SEEDS, "--audience", "executive", "-q")
    assert r.code == 0, r.err
    assert key_points_shown(r.out, "md") == load_audience("executive").budget.key_points == 5
