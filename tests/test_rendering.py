"""Rendering: Markdown through Jinja templates with citations from data, JSON as the contract."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefing.assemble.composing import compose, period, title_for
from briefing.assemble.conflicts import find_conflicts
from briefing.assemble.grounding import ground
from briefing.assemble.merging import merge
from briefing.deliver.rendering import date_range, render
from briefing.engines.extractive import ExtractiveEngine
from briefing.errors import ConfigError, TemplateError
from briefing.ingest.chunking import chunk_documents
from briefing.ingest.sources import load_documents
from briefing.models import (
    Briefing,
    Citation,
    Claim,
    Conflict,
    ConflictValue,
    Period,
    Section,
    SourceInfo,
    Stats,
)
from briefing.pipeline import source_info

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DISAGREE = SEEDS.parent / "tests" / "corpora" / "disagree_dev"
GENERATED = dt.datetime(2025, 12, 5, 9, 30, tzinfo=dt.UTC)


def cit(source: str, quote: str = "a passage of the source", start: int = 0) -> Citation:
    return Citation(source=source, quote=quote, start=start, end=start + len(quote))


def source(id_: str, title: str | None = None, date: dt.date | None = None) -> SourceInfo:
    return SourceInfo(
        id=id_,
        path=f"docs/{id_}.txt",
        title=title,
        date=date,
        url=None,
        sha256="0" * 64,
        reader="text",
        encoding="utf-8",
        excerpt="The first words of the content",
    )


@pytest.fixture
def small() -> Briefing:
    return Briefing(
        title="Briefing: Council",
        generated_at=GENERATED,
        engine="extractive",
        period=Period(start=dt.date(2025, 12, 2), end=dt.date(2025, 12, 4)),
        sources=[
            source("alpha-1", "Council approves budget", dt.date(2025, 12, 2)),
            source("beta_2", None, dt.date(2025, 12, 4)),
        ],
        key_points=[
            Claim(
                id="c1",
                text="The council approved the budget.",
                citations=[cit("alpha-1"), cit("alpha-1", start=40), cit("beta_2")],
                importance=0.9,
            )
        ],
        sections=[
            Section(
                title="Economy and trade",
                claims=[
                    Claim(
                        id="c2",
                        text="Taxes will rise by 2%.",
                        citations=[cit("beta_2")],
                        importance=0.5,
                    )
                ],
            )
        ],
        conflicts=[
            Conflict(
                id="d1",
                title="Council: percentages",
                values=[
                    ConflictValue(value="2%", citations=[cit("beta_2", "rise by 2%")]),
                    ConflictValue(value="3%", citations=[cit("alpha-1", "rise by 3%")]),
                ],
            )
        ],
        stats=Stats(documents=2, facts_found=3, claims=2, claims_shown=2),
    )


@pytest.fixture(scope="module")
def seed_briefing() -> Briefing:
    """A briefing of the seeds, assembled from the stages."""
    return briefing_of(SEEDS)


@pytest.fixture(scope="module")
def disagree_briefing() -> Briefing:
    """A briefing of short news that disagree (tests/corpora/disagree_dev)."""
    return briefing_of(DISAGREE)


def briefing_of(folder: Path) -> Briefing:
    docs, _ = load_documents([folder])
    chunks = chunk_documents(docs)
    extraction = ExtractiveEngine().extract(docs, chunks)
    grounded = ground(extraction.facts, docs)
    claims = merge(grounded.facts)
    composition = compose(claims)
    return Briefing(
        title=title_for(docs, claims),
        generated_at=GENERATED,
        engine="extractive",
        period=period(docs),
        sources=[source_info(d) for d in docs],
        key_points=composition.key_points,
        sections=composition.sections,
        conflicts=find_conflicts(claims, docs),
        stats=Stats(documents=len(docs), chunks=len(chunks), claims=len(claims)),
    )


def user_template(tmp_path: Path, body: str, audience: str = "default") -> Path:
    folder = tmp_path / "templates" / audience
    folder.mkdir(parents=True)
    (folder / "briefing.md.j2").write_text(body, encoding="utf-8")
    return tmp_path / "templates"


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------


def test_markdown_cites_every_claim_from_data(small):
    md = render(small, "md")
    assert "1. The council approved the budget. [alpha-1] [beta_2]\n" in md
    assert "- Taxes will rise by 2%. [beta_2]\n" in md


def test_markdown_cites_each_file_once_per_claim(small):
    """c1 cites alpha-1 twice (two passages): one marker."""
    line = next(ln for ln in render(small).splitlines() if "council approved" in ln)
    assert line.count("[alpha-1]") == 1


def test_markdown_has_title_period_sections_conflicts_and_sources(small):
    md = render(small)
    assert md.startswith("# Briefing: Council\n")
    assert "2–4 December 2025" in md
    assert "## Key points" in md
    assert "## Economy and trade" in md
    assert "**Council: percentages**" in md
    assert "“rise by 2%” [beta_2]" in md
    assert "[alpha-1] *Council approves budget*" in md
    assert "[beta_2] (untitled) “The first words of the content”" in md


def test_markdown_of_the_seed_briefing_renders_every_claim_with_its_citations(seed_briefing):
    md = render(seed_briefing, "md")
    claims = seed_briefing.key_points + [c for s in seed_briefing.sections for c in s.claims]
    assert claims
    for claim in claims:
        markers = " ".join(dict.fromkeys(f"[{c.source}]" for c in claim.citations))
        assert f"{claim.text} {markers}\n" in md
    for section in seed_briefing.sections:
        assert f"## {section.title}\n" in md
    for s in seed_briefing.sources:
        assert f"- [{s.id}]" in md


def test_differing_figures_are_shown_side_by_side_with_verbatim_quotes(disagree_briefing):
    md = render(disagree_briefing)
    assert "## Where sources differ" in md
    assert "**€5 million**" in md and "**€6 million**" in md and "**7 million euros**" in md
    for conflict in disagree_briefing.conflicts:
        for value in conflict.values:
            for c in value.citations:
                assert f"“{c.quote}” [{c.source}]" in md


# ---------------------------------------------------------------------------------------------
# Audiences and user templates
# ---------------------------------------------------------------------------------------------


def test_unknown_audience_is_a_config_error(small):
    with pytest.raises(ConfigError, match="no-such-audience"):
        render(small, "md", audience="no-such-audience")


def test_unknown_audience_on_the_briefing_is_a_config_error(small):
    small.audience = "no-such-audience"
    with pytest.raises(ConfigError):
        render(small, "md")


def test_unknown_format_is_a_config_error(small):
    with pytest.raises(ConfigError, match="pdf"):
        render(small, "pdf")


def test_user_template_overrides_the_built_in_one(tmp_path, small):
    user = user_template(tmp_path, "{{ b.title }} / {{ b.key_points[0].citations | cite }}\n")
    assert render(small, "md", user_dirs=[user]) == "Briefing: Council / [alpha-1] [beta_2]\n"


def test_audience_folder_of_the_user_is_used(tmp_path, small):
    user = user_template(tmp_path, "For executives: {{ b.title }}\n", audience="exec")
    assert render(small, "md", audience="exec", user_dirs=[user]) == (
        "For executives: Briefing: Council\n"
    )


def test_audience_without_a_template_of_its_own_falls_back_to_default(tmp_path, small):
    folder = tmp_path / "templates" / "exec"
    folder.mkdir(parents=True)
    (folder / "unrelated.j2").write_text("not used\n")
    md = render(small, "md", audience="exec", user_dirs=[tmp_path / "templates"])
    assert md == render(small, "md")


def test_template_syntax_error_names_the_file_and_line(tmp_path, small):
    user = user_template(
        tmp_path,
        "# {{ b.title }}\n\n{% for s in b.sources %}\n- {{ s.id }\n{% endfor %}\n",
    )
    with pytest.raises(TemplateError) as info:
        render(small, "md", user_dirs=[user])
    message = str(info.value)
    assert "briefing.md.j2" in message
    assert str(user / "default") in message
    assert ":4:" in message


def test_undefined_variable_is_a_template_error(tmp_path, small):
    user = user_template(tmp_path, "# {{ b.title }}\n\n{{ no_such_variable }}\n")
    with pytest.raises(TemplateError) as info:
        render(small, "md", user_dirs=[user])
    assert "no_such_variable" in str(info.value)
    assert "briefing.md.j2" in str(info.value)


def test_undefined_attribute_is_a_template_error(tmp_path, small):
    user = user_template(tmp_path, "# {{ b.title }}\n{{ b.no_such_field }}\n")
    with pytest.raises(TemplateError, match="no_such_field"):
        render(small, "md", user_dirs=[user])


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------


def test_json_round_trips(small):
    assert Briefing.model_validate_json(render(small, "json")) == small


def test_json_of_the_seed_briefing_round_trips(seed_briefing):
    text = render(seed_briefing, "json")
    assert text.endswith("\n")
    assert Briefing.model_validate_json(text) == seed_briefing


# ---------------------------------------------------------------------------------------------
# date_range
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-12-02", "2025-12-02", "2 December 2025"),
        ("2025-12-02", "2025-12-04", "2–4 December 2025"),
        ("2025-11-30", "2025-12-04", "30 November – 4 December 2025"),
        ("2024-12-30", "2025-01-04", "30 December 2024 – 4 January 2025"),
        (None, None, "undated sources"),
        ("2025-12-02", None, "undated sources"),
    ],
)
def test_date_range(start, end, expected):
    def day(value):
        return dt.date.fromisoformat(value) if value else None

    assert date_range(day(start), day(end)) == expected


def test_an_edited_template_is_used_not_its_compiled_copy(tmp_path):
    """Compiled templates are kept in the user's cache folder between runs; a template edited
    since (same size, same second) is compiled again, and an unwritable cache is no error."""
    from tests.conftest import SEEDS, run_cli

    folder = tmp_path / "templates" / "default"
    folder.mkdir(parents=True)
    template = folder / "briefing.md.j2"
    out = tmp_path / "brief.md"
    seed = SEEDS / "000_7de08aa9a340eff1.txt"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    for word in ("FIRST", "AGAIN"):
        template.write_text(f"{word} {{{{ b.title }}}}\n", encoding="utf-8")
        r = run_cli(
            "build", seed, "-o", out, "-q", "--templates", folder.parent, env=env, child=True
        )
        assert r.returncode == 0, r.stderr
        assert out.read_text(encoding="utf-8").startswith(f"{word} ")
    assert list((tmp_path / "cache" / "briefing" / "templates").iterdir())
    r = run_cli("build", seed, "-o", out, "-q", env={"XDG_CACHE_HOME": "/proc/none"}, child=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr
