"""Dates: relative times anchored to the date of the source that says them."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.assemble.dates import dated, when
from briefing.models import Citation, Claim, Document

WEDNESDAY = dt.date(2025, 12, 3)


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("Putin spoke at an investment forum in Moscow on Tuesday.", "Tuesday 2 December 2025"),
        ("Putin said on Tuesday that the talks will go well.", "Tuesday 2 December 2025"),
        ("The summit will open on Thursday in New Delhi.", "Thursday 4 December 2025"),
        ("News is expected literally the day after tomorrow.", "Friday 5 December 2025"),
        ("The council met yesterday.", "Tuesday 2 December 2025"),
        ("The deal will be signed next week.", "week of 8 December 2025"),
        ("Talks resume next Wednesday, officials said.", "Wednesday 10 December 2025"),
        ("Prices fell last month.", "November 2025"),
        ("Tuesday's failure will delay the forecasts, the agency said.", "Tuesday 2 December 2025"),
    ],
)
def test_a_relative_time_is_anchored_to_the_source_date(text, meant):
    assert when(text, WEDNESDAY) == meant


def test_a_name_that_holds_a_time_word_is_no_time():
    assert when("He told India Today that agreements already exist.", WEDNESDAY) is None
    assert when("The two sides agreed on a framework.", WEDNESDAY) is None


def test_a_claim_gets_the_date_of_the_source_that_says_it():
    def doc(n: str, date: dt.date | None) -> Document:
        return Document(id=n, path=n, text="x", sha256="0", date=date)

    text = "Putin spoke at a forum in Moscow on Tuesday."
    cites = [
        Citation(source="undated", quote=text, start=0, end=len(text)),
        Citation(source="dated", quote=text, start=0, end=len(text)),
    ]
    claim = Claim(id="c1", text=text, citations=cites)
    (out,) = dated([claim], [doc("undated", None), doc("dated", WEDNESDAY)])
    assert out.when == "Tuesday 2 December 2025"
    (out,) = dated([claim], [doc("undated", None)])
    assert out.when is None


def test_the_briefing_shows_the_date_beside_the_claim_and_check_passes(tmp_path):
    from tests.conftest import run_cli

    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "forum.txt").write_text(
        "date 2025-12-03\nForum\n\nSpeaking at an investment forum in Moscow on Tuesday, "
        "President Putin said Russia wants closer ties with India and China.\n",
        encoding="utf-8",
    )
    brief = tmp_path / "brief.md"
    assert run_cli("build", folder, "-o", brief).returncode == 0
    assert "*(Tuesday 2 December 2025)* [forum]" in brief.read_text(encoding="utf-8")
    checked = run_cli("check", brief, folder)
    assert checked.returncode == 0, checked.stdout


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("The council approved the loan yesterday.", dt.date(1, 1, 1)),
        ("The vote is tomorrow.", dt.date(9999, 12, 31)),
        ("The plan starts next month.", dt.date(9999, 12, 1)),
        ("They met last week.", dt.date(1, 1, 3)),
    ],
)
def test_a_date_at_the_end_of_the_calendar_gives_no_date_and_no_crash(text, published):
    assert when(text, published) is None


def test_a_source_dated_at_the_end_of_the_calendar_is_briefed(tmp_path):
    from tests.conftest import run_cli

    (tmp_path / "a.txt").write_text(
        "Date: 0001-01-01\n\nThe council approved a loan of 5 million euros yesterday, the mayor "
        "said in a statement to reporters.\n",
        encoding="utf-8",
    )
    r = run_cli("build", tmp_path, "-o", tmp_path / "brief.md")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
