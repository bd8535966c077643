"""End to end: `briefing build` on the seed documents, checked from the JSON and the Markdown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefing.assemble.support import unsupported
from briefing.text import content_terms
from tests.conftest import DISAGREE

pytestmark = pytest.mark.e2e

SEED_IDS = {
    "000_7de08aa9a340eff1",
    "001_38b30d14b806c795",
    "002_b71f8b58f6aabad7",
    "003_4c3ff0ba6327d27c",
    "004_24dd4cbcba9d3677",
}
FURNITURE = [
    "Views: 8",
    "Date & Time",
    "- |",
    "From: India News Bull",
    "Based On ANI Report",
    "Updated Dec 4",
    "Moscow [Russia], December 3 :",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[dict, str]:
    from tests.conftest import SEEDS, run_cli

    out = tmp_path_factory.mktemp("out")
    j = run_cli("build", SEEDS, "-o", out / "brief.json", "--format", "json")
    assert j.returncode == 0, j.stderr
    m = run_cli("build", SEEDS, "-o", out / "brief.md")
    assert m.returncode == 0, m.stderr
    return json.loads((out / "brief.json").read_text()), (out / "brief.md").read_text()


def all_claims(brief: dict) -> list[dict]:
    return brief["key_points"] + [c for s in brief["sections"] for c in s["claims"]]


def seed_text(source: str) -> str:
    from tests.conftest import SEEDS

    return (SEEDS / f"{source}.txt").read_bytes().decode("utf-8")


def test_json_contract(built):
    brief, _ = built
    for key in (
        "title",
        "generated_at",
        "engine",
        "model",
        "audience",
        "sources",
        "key_points",
        "sections",
        "conflicts",
        "stats",
    ):
        assert key in brief
    assert brief["engine"] == "extractive" and brief["model"] is None
    assert {s["id"] for s in brief["sources"]} == SEED_IDS
    for s in brief["sources"]:
        assert set(s) >= {"id", "path", "title", "date", "url", "sha256"}
    for c in all_claims(brief):
        assert set(c) >= {"id", "text", "citations"}
        for cit in c["citations"]:
            assert set(cit) >= {"source", "quote", "start", "end"}


def test_every_citation_is_verbatim_in_its_seed_file(built):
    brief, _ = built
    citations = [cit for c in all_claims(brief) for cit in c["citations"]]
    citations += [cit for d in brief["conflicts"] for v in d["values"] for cit in v["citations"]]
    assert citations
    for cit in citations:
        assert cit["source"] in SEED_IDS
        assert seed_text(cit["source"])[cit["start"] : cit["end"]] == cit["quote"]


def test_every_claim_cites_only_files_whose_quotes_give_its_figures_and_names(built):
    """000 reports Putin's 'qualitatively new level' with India alone, 001 and 002 'with India
    and China': the claim that says 'India and China' cites 001 and 002, not 000."""
    brief, _ = built
    for claim in all_claims(brief):
        quotes: dict[str, list[str]] = {}
        for cit in claim["citations"]:
            quotes.setdefault(cit["source"], []).append(cit["quote"])
        for source, qs in quotes.items():
            assert unsupported(claim["text"], qs) == [], (claim["text"], source)
    # The default briefing may leave this claim out as a repeat of one it shows; every claim is
    # in the analyst's.
    from tests.conftest import SEEDS, run_cli

    done = run_cli("build", SEEDS, "--audience", "analyst", "--format", "json", "-o", "-")
    assert done.returncode == 0, done.stderr
    everything = all_claims(json.loads(done.stdout))
    (china,) = [c for c in everything if "with India and China to a" in c["text"]]
    assert {cit["source"][:3] for cit in china["citations"]} == {"001", "002"}


def test_no_two_claims_say_the_same_thing(built):
    """Judged independently of the merger: no two claims share most of their words."""
    brief, _ = built
    claims = all_claims(brief)
    words = [set(content_terms(c["text"])) for c in claims]
    for i in range(len(claims)):
        for j in range(i + 1, len(claims)):
            overlap = len(words[i] & words[j]) / max(1, min(len(words[i]), len(words[j])))
            assert overlap < 0.7, (claims[i]["text"], claims[j]["text"])
    assert len({c["id"] for c in claims}) == len(claims)


def test_no_page_furniture(built):
    brief, md = built
    texts = [c["text"] for c in all_claims(brief)]
    texts += [cit["quote"] for c in all_claims(brief) for cit in c["citations"]]
    for text in texts:
        for bit in FURNITURE:
            assert bit not in text
    body = md.split("## Sources")[0]
    for bit in FURNITURE:
        assert bit not in body


def test_figures_that_measure_different_things_are_not_a_conflict(built):
    """'Russian arms 36 per cent in Indian armed forces' (001, 002) and 'over 30% of India's
    defence procurements' (004) measure different things, and 36 is over 30 anyway."""
    brief, _ = built
    for d in brief["conflicts"]:
        values = " ".join(v["value"] for v in d["values"])
        assert not ("36" in values and "30" in values), d


def test_differing_figures_side_by_side(cli, tmp_path):
    out = tmp_path / "brief.json"
    r = cli("build", DISAGREE, "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    brief = json.loads(out.read_text())
    loan = next(d for d in brief["conflicts"] if "loan" in d["title"].lower())
    values = {v["value"]: {c["source"] for c in v["citations"]} for v in loan["values"]}
    assert values == {
        "€5 million": {"harbour-gazette"},
        "€6 million": {"harbour-courier"},
        "7 million euros": {"harbour-radio"},
    }
    assert loan["measure"] == "Emergency loan to the port"


def test_briefing_is_short_and_selective(built):
    brief, md = built
    assert len(brief["key_points"]) <= 8
    assert len(all_claims(brief)) <= 40
    assert len(md.split()) <= 1500
    assert brief["stats"]["claims"] > len(all_claims(brief))  # it chose, it did not dump
    assert brief["stats"]["documents"] == 5
    assert brief["stats"]["facts_dropped"] == 0


def test_important_developments_are_there(built):
    """What a reader of the five articles would call important."""
    _, md = built
    body = md.split("## Sources")[0]
    for needle in (
        "qualitatively new level",
        "S-400",
        "Su-57",
        "Roscosmos",
        "23rd India-Russia",
        "Manturov",
        "nuclear",
        "agreements already exist",
    ):
        assert needle in body, needle


def test_every_markdown_claim_line_cites_an_existing_file(built):
    _, md = built
    body = md.split("## Sources")[0]
    lines = [ln for ln in body.splitlines() if re.match(r"^(\d+\.|-) ", ln)]
    claim_lines = [ln for ln in lines if not ln.startswith("- **")]  # conflict lines cite inline
    assert len(claim_lines) >= 10
    for line in lines:
        cited = re.findall(r"\[([0-9A-Za-z_.-]+)\]", line)
        assert cited, line
        assert set(cited) <= SEED_IDS, line


def test_markdown_has_the_parts(built):
    _, md = built
    assert md.startswith("# ")
    for part in ("## Key points", "## Sources", "documents read"):
        assert part in md
    assert "2–4 December 2025" in md
    assert "https://www.ndtv.com/" in md


def test_stdout_when_no_output_file(cli, seeds):
    r = cli("build", seeds, "--format", "json", "-q")
    assert r.returncode == 0 and r.stderr == ""
    assert json.loads(r.stdout)["stats"]["documents"] == 5


def test_single_files_can_be_named(cli, seeds):
    r = cli(
        "build",
        seeds / "000_7de08aa9a340eff1.txt",
        seeds / "004_24dd4cbcba9d3677.txt",
        "--format",
        "json",
        "-q",
    )
    assert r.returncode == 0, r.stderr
    assert {s["id"][:3] for s in json.loads(r.stdout)["sources"]} == {"000", "004"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "no/such/folder"], "no such file or folder"),
        (["build"], "required"),
        (["build", "{seeds}", "--format", "pdf"], "invalid choice"),
        (["build", "{seeds}", "-o", "{tmp}/missing/dir/brief.md"], "does not exist"),
        (["build", "{empty}"], "looked for .docx .eml .htm .html .markdown .md .pdf .txt"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(cli, seeds, tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "photo.png").write_bytes(b"\x89PNG")
    args = [a.format(seeds=seeds, tmp=tmp_path, empty=tmp_path / "empty") for a in args]
    r = cli(*args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert message in r.stderr


def test_files_of_one_name_are_briefed_and_checked_by_their_folders(tmp_path, capsys):
    """Two article.txt in dated folders used to stop the run ('two files have the ID'): now
    each is cited by the end of its path, and `briefing check` finds them by those IDs, given
    the folder they were briefed from, or only one of the dated folders."""
    from briefing.cli.parser import main

    news = tmp_path / "news"
    texts = {
        "2026-11-29": "Ministers agreed on Monday to cut tariffs on steel by 5% from January.",
        "2026-11-30": "The port of Northhaven said on Tuesday that cargo traffic rose by 12%.",
    }
    for day, text in texts.items():
        (news / day).mkdir(parents=True)
        (news / day / "article.txt").write_text(text + "\n")
    out = tmp_path / "brief.json"
    assert main(["build", str(news), "-o", str(out), "-q"]) == 0
    brief = json.loads(out.read_text())
    assert sorted(s["id"] for s in brief["sources"]) == [f"{d}/article" for d in texts]
    cited = {c["source"] for claim in all_claims(brief) for c in claim["citations"]}
    assert cited == {f"{d}/article" for d in texts}
    capsys.readouterr()
    assert main(["check", str(out), str(news)]) == 0, capsys.readouterr().out
    assert main(["build", str(news), "-o", str(tmp_path / "brief.md"), "-q"]) == 0
    assert "[2026-11-29/article]" in (tmp_path / "brief.md").read_text()
    assert main(["check", str(tmp_path / "brief.md"), str(news)]) == 0
    capsys.readouterr()
    assert main(["check", str(out), str(news / "2026-11-30")]) == 1  # the other file is missing
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "[2026-11-29/article]: no file with this ID among the paths given"
    assert not any("[2026-11-30/article]" in line for line in lines)


def test_failed_run_leaves_existing_output_untouched(cli, seeds, tmp_path):
    out = tmp_path / "brief.md"
    out.write_text("previous briefing\n")
    r = cli("build", seeds / "nope.txt", "-o", out)
    assert r.returncode == 2
    assert out.read_text() == "previous briefing\n"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.md"]  # no temporary file left


def test_output_is_replaced_whole(cli, seeds, tmp_path):
    out = tmp_path / "brief.md"
    out.write_text("x" * 100_000)
    r = cli("build", seeds, "-o", out)
    assert r.returncode == 0
    assert out.read_text().startswith("# Briefing")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.md"]


def test_help_explains_itself(cli):
    r = cli("build", "--help")
    assert r.returncode == 0
    for word in ("PATH", "--output", "--format", "Example"):
        assert word in r.stdout


def test_python_dash_m_and_version(cli):
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("briefing ")


def test_installed_templates_are_found_from_another_directory(cli, seeds, tmp_path):
    r = cli("build", seeds, "-q", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "## Key points" in r.stdout
    assert not Path(tmp_path, "templates").exists()


# ---------------------------------------------------------------------------------------------
# Counts as people read them: "1 claim", "12,345 facts"
# ---------------------------------------------------------------------------------------------

ONE_FACT = (
    "Finance Minister Anna Berg said on Monday in Oslo that the council approved a budget of "
    "5 million euros.\n"
)


def test_one_of_anything_is_singular_in_the_summary_and_the_footer(main, tmp_path):
    (tmp_path / "memo.txt").write_text(ONE_FACT)
    r = main("build", tmp_path / "memo.txt", "--engine", "extractive", "--audience", "analyst")
    assert r.code == 0, r.err
    assert "briefing: 1 document, 1 fact (0 dropped as unverifiable), 1 claim, 1 shown" in r.err
    footer = r.out.strip().splitlines()[-1]
    assert "1 document read · 1 fact found · 0 dropped as unverifiable · " in footer
    assert "1 claim after merging, 1 shown" in footer
    assert "*undated sources · 1 source*" in r.out
    assert not re.search(r"\b1 (claims|facts|documents|sources)\b", r.out + r.err)


def big_briefing():
    import datetime as dt

    from briefing.models import Briefing, FailedChunk, Stats, Usage

    failed = [FailedChunk(source="memo", index=n, reason="503") for n in range(1, 1235)]
    return Briefing(
        title="Briefing",
        generated_at=dt.datetime(2025, 12, 5, tzinfo=dt.UTC),
        engine="llm",
        model="m",
        sources=[],
        key_points=[],
        sections=[],
        conflicts=[],
        stats=Stats(
            documents=1200,
            facts_found=12345,
            facts_dropped=1001,
            claims=23456,
            claims_shown=1000,
            failed_chunks=failed,
            usage=Usage(requests=1, reasks=1, cached=1, prompt_tokens=1234567, completion_tokens=0),
        ),
    )


def test_large_numbers_have_thousands_separators():
    from briefing.cli.commands import _report
    from briefing.deliver.rendering import render

    lines: list[str] = []
    _report(big_briefing(), "", lines.append)
    summary = lines[-2:]
    assert summary[0] == (
        "1,200 documents, 12,345 facts (1,001 dropped as unverifiable), 23,456 claims, 1,000 shown"
    )
    assert summary[1] == (
        "model m: 1 request (1 re-ask), 1 answer from cache, 1,234,567 prompt + 0 completion tokens"
    )
    footer = render(big_briefing(), "md").strip().splitlines()[-1]
    for part in (
        "1,200 documents read",
        "12,345 facts found",
        "1,001 dropped as unverifiable",
        "23,456 claims after merging, 1,000 shown",
        "1,234 passages could not be read (memo)",
    ):
        assert part in footer
    analyst = render(big_briefing().model_copy(update={"audience": "analyst"}), "md")
    assert "> 1,000 of the 23,456 claims found are in this briefing" in analyst


def test_check_counts_in_the_singular_too():
    from briefing.verify import Report

    assert Report(kind="json", claims=1, checked=1, files=1).summary() == (
        "ok: 1 citation of 1 claim, against 1 file, hold"
    )
    assert Report(kind="md", claims=2, checked=1, passages=1, files=2).summary() == (
        "ok: 1 cited ID and 1 quoted passage of 2 claims, against 2 files, hold"
    )


# ---------------------------------------------------------------------------------------------
# Interrupted: a rerun resumes only when there is a cache to resume from
# ---------------------------------------------------------------------------------------------


def interrupted(main, monkeypatch, *args: str | Path, env=None) -> None:
    """Run `briefing build ARGS` with Ctrl-C pressed while the engine works; exit 130."""
    import os

    import briefing.pipeline

    def ctrl_c(*_, **__):
        raise KeyboardInterrupt

    def leave(code):
        raise SystemExit(code)

    monkeypatch.setattr(briefing.pipeline, "build_from_documents", ctrl_c)
    monkeypatch.setattr(os, "_exit", leave)
    with pytest.raises(SystemExit) as exited:
        main("build", *args, env=env)
    assert exited.value.code == 130


def test_an_interrupted_extractive_run_promises_no_cache(main, monkeypatch, capsys, seeds):
    interrupted(main, monkeypatch, seeds, "--engine", "extractive")
    err = capsys.readouterr().err
    assert err.strip() == "briefing: interrupted"


def test_an_interrupted_llm_run_says_its_answers_are_cached(main, monkeypatch, capsys, tmp_path):
    from tests.conftest import SEEDS
    from tests.support.openai_server import FakeOpenAIServer

    with FakeOpenAIServer() as srv:
        env = {"OPENAI_BASE_URL": srv.base_url, "OPENAI_API_KEY": "sk-test"}
        cache = tmp_path / "cache"
        interrupted(main, monkeypatch, SEEDS, "--cache-dir", cache, env=env)
        assert "finished answers are cached, so a rerun resumes" in capsys.readouterr().err
        interrupted(main, monkeypatch, SEEDS, "--no-cache", env=env)
        assert capsys.readouterr().err.strip() == "briefing: interrupted"


def test_the_analyst_briefing_shows_no_absolute_local_path(tmp_path, capsys):
    """The analyst briefing lists each source's file; it used to print the absolute path of
    the machine that made it into a document that may be mailed. Check and state files work
    with the relative paths."""
    from briefing.cli.parser import main

    news = tmp_path / "news"
    (news / "2026-11-30").mkdir(parents=True)
    (news / "2026-11-30" / "port.txt").write_text(
        "The port of Northhaven said on Tuesday that cargo traffic rose by 12%.\n"
    )
    (news / "tariffs.txt").write_text(
        "Ministers agreed on Monday to cut tariffs on steel by 5% from January.\n"
    )
    state = ["--state", str(tmp_path / "state.json")]
    for fmt in ("md", "html", "txt", "json"):
        out = tmp_path / f"brief.{fmt}"
        assert (
            main(["build", str(news), "-o", str(out), "--audience", "analyst", "-q", *state]) == 0
        )
        text = out.read_text()
        assert str(tmp_path) not in text, fmt
        assert "2026-11-30/port.txt" in text and "tariffs.txt" in text
    brief = json.loads((tmp_path / "brief.json").read_text())
    assert sorted(s["path"] for s in brief["sources"]) == ["2026-11-30/port.txt", "tariffs.txt"]
    assert main(["check", str(tmp_path / "brief.json"), str(news)]) == 0
    assert main(["check", str(tmp_path / "brief.md"), str(news)]) == 0
    capsys.readouterr()
    assert main(["build", str(news), "--only-new", *state]) == 0
    assert "nothing new" in capsys.readouterr().err


def test_a_claim_whose_figure_another_source_gives_differently_says_so(cli, tmp_path):
    out = tmp_path / "brief.json"
    assert cli("build", DISAGREE, "-o", out, "-q", "--audience", "executive").returncode == 0
    brief = json.loads(out.read_text())
    ids = {d["id"] for d in brief["conflicts"]}
    shown = brief["key_points"] + brief["watch"]
    disputed = [c for c in shown if c["disputed"]]
    assert disputed and all(c["disputed"] in ids for c in disputed)
    md = cli("render", out, "--format", "md").stdout
    for claim in disputed:
        when = f" *({claim['when']})*" if claim["when"] else ""  # the date of 'on Monday'
        assert f"{claim['text']}{when} *(sources differ: see below)* [" in md
    assert cli("check", out, DISAGREE).returncode == 0
