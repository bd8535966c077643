"""Composing: what the briefing says (within a budget), in what order, under what title."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefing.assemble.composing import Budget, compose, period, title_for
from briefing.assemble.stories import OTHER
from briefing.ingest.sources import load_documents
from briefing.models import Citation, Claim, Period
from briefing.text import word_count

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def claim(n: int, importance: float, topic: str | None = "Space", words: int = 8) -> Claim:
    text = " ".join([f"Claim{n}"] + ["word"] * (words - 1)) + "."
    cit = Citation(source=f"doc{n}", quote=text, start=0, end=len(text))
    return Claim(id=f"c{n}", text=text, citations=[cit], topic=topic, importance=importance)


def shown(composition) -> list[Claim]:
    return composition.key_points + [c for s in composition.sections for c in s.claims]


def ids(claims) -> list[str]:
    return [c.id for c in claims]


@pytest.fixture(scope="module")
def seed_docs():
    docs, _ = load_documents([SEEDS])
    return docs


# ---------------------------------------------------------------------------------------------
# Budget
# ---------------------------------------------------------------------------------------------


def test_max_claims_keeps_the_most_important():
    claims = [claim(n, importance=1 - n / 20) for n in range(1, 11)]
    result = compose(claims, Budget(max_claims=3, key_points=2))
    assert sorted(ids(shown(result))) == ["c1", "c2", "c3"]


def test_claims_are_taken_most_important_first_whatever_their_order():
    claims = [claim(n, importance=n / 10) for n in range(1, 6)]  # least important first
    result = compose(claims, Budget(max_claims=2, key_points=2, per_topic_key_points=2))
    assert ids(result.key_points) == ["c5", "c4"]


def test_max_words_limits_the_words_shown():
    claims = [claim(n, importance=1 - n / 20, words=10) for n in range(1, 6)]
    result = compose(claims, Budget(max_words=25))
    assert ids(shown(result)) == ["c1", "c2"]
    assert sum(word_count(c.text) for c in shown(result)) <= 25


def test_a_claim_too_long_for_the_words_left_does_not_block_shorter_ones():
    claims = [
        claim(1, 0.9, words=10),
        claim(2, 0.8, words=40),
        claim(3, 0.7, words=10),
    ]
    result = compose(claims, Budget(max_words=25))
    assert sorted(ids(shown(result))) == ["c1", "c3"]


def test_key_points_count():
    claims = [claim(n, importance=1 - n / 20, topic=f"Topic {n}") for n in range(1, 11)]
    result = compose(claims, Budget(key_points=4))
    assert ids(result.key_points) == ["c1", "c2", "c3", "c4"]
    assert len(shown(result)) == 10


def test_per_topic_key_points_spreads_the_key_points_over_topics():
    claims = [
        claim(1, 0.9, topic="Space"),
        claim(2, 0.85, topic="Space"),
        claim(3, 0.8, topic="Space"),
        claim(4, 0.5, topic="Health"),
    ]
    # One per story first; when the stories run out, the rest from any of them.
    result = compose(claims, Budget(key_points=3, per_topic_key_points=1))
    assert sorted(ids(result.key_points)) == ["c1", "c2", "c4"]
    result = compose(claims, Budget(key_points=2, per_topic_key_points=1))
    assert ids(result.key_points) == ["c1", "c4"]


def test_claims_without_topic_count_as_other_developments_for_key_points():
    claims = [claim(1, 0.9, topic=None), claim(2, 0.8, topic=OTHER), claim(3, 0.7, topic="Space")]
    result = compose(claims, Budget(key_points=2, per_topic_key_points=1))
    assert ids(result.key_points) == ["c1", "c3"]


def test_min_importance_leaves_out_minor_claims():
    claims = [claim(1, 0.9), claim(2, 0.31), claim(3, 0.29), claim(4, 0.05)]
    result = compose(claims, Budget(min_importance=0.3))
    assert sorted(ids(shown(result))) == ["c1", "c2"]


def test_key_points_are_not_repeated_in_sections():
    claims = [claim(n, 1 - n / 20, topic=["Space", "Health"][n % 2]) for n in range(1, 9)]
    result = compose(claims, Budget(key_points=3))
    in_sections = [c.id for s in result.sections for c in s.claims]
    assert set(ids(result.key_points)).isdisjoint(in_sections)
    assert len(in_sections) == len(set(in_sections))
    assert sorted(ids(result.key_points) + in_sections) == sorted(ids(claims))


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


def test_sections_are_ordered_by_importance_with_other_developments_last():
    claims = [
        claim(1, 0.95, topic=OTHER),  # the most important claim of all
        claim(2, 0.9, topic=None),
        claim(3, 0.4, topic="Health"),
        claim(4, 0.6, topic="Space"),
        claim(5, 0.5, topic="Space"),
    ]
    result = compose(claims, Budget(key_points=0))
    assert [s.title for s in result.sections] == ["Space", "Health", OTHER]
    assert ids(result.sections[-1].claims) == ["c1", "c2"]


def test_claims_within_a_section_are_most_important_first():
    claims = [claim(1, 0.4), claim(2, 0.9), claim(3, 0.6)]
    result = compose(claims, Budget(key_points=0))
    (section,) = result.sections
    assert ids(section.claims) == ["c2", "c3", "c1"]


def test_nothing_to_say():
    result = compose([], Budget())
    assert result.key_points == [] and result.sections == []


# ---------------------------------------------------------------------------------------------
# Title and period
# ---------------------------------------------------------------------------------------------


def test_title_for_the_seeds_names_what_they_are_about(seed_docs):
    title = title_for(seed_docs, [])
    assert title.startswith("Briefing: ")
    names = title.removeprefix("Briefing: ").replace(" and ", ", ").split(", ")
    assert len(names) == 3
    assert {"India", "Russia", "Putin"} == set(names)


def test_title_for_no_documents_is_plain():
    assert title_for([], []) == "Briefing"


def test_title_for_names_no_word_of_a_job_title(seed_docs):
    doc = next(d for d in seed_docs if d.id.startswith("004"))
    names = title_for([doc], []).removeprefix("Briefing: ").replace(" and ", ", ").split(", ")
    assert not {"First", "Deputy", "Prime", "Minister", "President"} & set(names)


def test_period_of_the_seeds(seed_docs):
    assert period(seed_docs) == Period(start=dt.date(2025, 12, 2), end=dt.date(2025, 12, 4))


def test_period_ignores_undated_documents(seed_docs):
    undated = [d for d in seed_docs if d.date is None]
    assert undated, "seeds/002 states no date"
    dated_one = next(d for d in seed_docs if d.date == dt.date(2025, 12, 4))
    assert period([*undated, dated_one]) == Period(start=dated_one.date, end=dated_one.date)


def test_period_of_undated_documents_is_empty(seed_docs):
    undated = [d for d in seed_docs if d.date is None]
    assert period(undated) == Period()


def test_a_claim_that_repeats_a_more_important_one_is_left_out_unless_every_claim_is_asked():
    cite = [Citation(source="a", quote="q" * 12, start=0, end=12)]
    first = Claim(
        id="c1",
        importance=0.9,
        citations=cite,
        topic="Defence",
        text="Peskov said Moscow hopes to discuss the Su-57, calling it the best plane "
        "in the world.",
    )
    repeat = Claim(
        id="c2",
        importance=0.8,
        citations=cite,
        topic="Defence",
        text='"The Su-57 is the best plane in the world," Peskov said in Moscow.',
    )
    other = Claim(
        id="c3",
        importance=0.7,
        citations=cite,
        topic="Defence",
        text="Putin's visit will be his first to India since 2021.",
    )
    assert ids(shown(compose([first, repeat, other], Budget(key_points=0)))) == ["c1", "c3"]
    everything = compose([first, repeat, other], Budget(key_points=0, skip_repeats=False))
    assert ids(shown(everything)) == ["c1", "c2", "c3"]


# ---------------------------------------------------------------------------------------------
# Composing again for another audience (briefing render --audience)
# ---------------------------------------------------------------------------------------------


def briefing_of(key_points, sections, watch=()):
    from briefing.models import Briefing, Section, Stats

    return Briefing(
        title="Briefing",
        generated_at=dt.datetime(2025, 12, 5, tzinfo=dt.UTC),
        engine="llm",
        sources=[],
        key_points=list(key_points),
        sections=[Section(title="Space", claims=list(sections))],
        watch=list(watch),
        conflicts=[],
        stats=Stats(claims=10, claims_shown=len(sections)),
    )


def test_recompose_keeps_written_key_points_and_finds_what_to_watch():
    from briefing.assemble.composing import recompose

    written = [
        claim(n, 0.9).model_copy(update={"id": f"k{n}", "kind": "key_point"}) for n in (1, 2, 3)
    ]
    ahead = claim(7, 0.8).model_copy(update={"text": "The launch will be held in June."})
    found = [claim(4, 0.7), claim(5, 0.6), ahead]
    brief = briefing_of(written, found)
    again = recompose(brief, Budget(key_points=2, watch=3, sections=False))
    assert ids(again.key_points) == ["k1", "k2"]
    assert ids(again.watch) == ["c7"] and again.watch[0].kind == "watch"
    assert again.sections == []
    assert again.stats.claims_shown == 1 and again.stats.claims == 10
    assert brief.watch == [] and brief.stats.claims_shown == 3  # the briefing is not changed


def test_recompose_of_an_extractive_briefing_chooses_as_compose_does():
    from briefing.assemble.composing import recompose

    claims = [claim(n, importance=1 - n / 20, topic=f"T{n % 3}") for n in range(1, 13)]
    brief = briefing_of(claims[:7], claims[7:])
    budget = Budget(max_claims=6, key_points=3)
    again = recompose(brief, budget)
    expected = compose(claims, budget)
    assert ids(again.key_points) == ids(expected.key_points)
    assert [ids(s.claims) for s in again.sections] == [ids(s.claims) for s in expected.sections]


def test_claims_merging_split_are_shown_once(tmp_path):
    """One statement, two files; one file names the speaker in full, the other does not. The
    claims cannot cite each other's files (support), but a briefing shows the statement once."""
    from briefing.assemble.grounding import ground
    from briefing.assemble.merging import merge_with_groups
    from briefing.ingest.sources import load_documents
    from briefing.models import Fact

    texts = {  # as seeds 001 and 002 put it: too few words alike to look like a repeat
        "a": "Kremlin spokesperson Dmitry Peskov said discussions could include the sale of "
        "additional S-400 long-range air defence systems.",
        "b": "Previously, Kremlin Spokesperson Dimitry Peskov indicated that the sale of "
        "additional S-400 long-range anti-aircraft missiles could be discussed during the visit.",
    }
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    docs, _ = load_documents([tmp_path])
    facts = ground(
        [Fact(source=k, claim=v, quote=v, importance=0.8) for k, v in texts.items()], docs
    )
    claims, said_with = merge_with_groups(facts.facts)
    assert len(claims) == 2 and said_with[claims[0].id] == said_with[claims[1].id]
    shown = compose(claims, Budget(), said_with)
    assert len([c for s in shown.sections for c in s.claims] + shown.key_points) == 1
    unaware = compose(claims, Budget())  # word overlap alone does not see the repeat
    assert len([c for s in unaware.sections for c in s.claims] + unaware.key_points) == 2
    kept = compose(claims, Budget(skip_repeats=False), said_with)
    assert len([c for s in kept.sections for c in s.claims] + kept.key_points) == 2


# ---------------------------------------------------------------------------------------------
# Lines that stand alone; key points chosen for coverage
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "But when pressed for specifics, he was deliberately guarded about the agreements.",
        "Therefore, it would be incorrect to say that the two sides are sharing anything.",
        "This will be the first visit of the president to the country since 2021.",
        "We're developing quite, quite a variety of very complicated systems.",
        '"Highly on the agenda and this could be discussed. Our industry works well," he said.',
    ],
)
def test_a_line_that_leans_on_the_sentence_before_it_is_not_shown(text):
    from briefing.assemble.context import stands_alone

    assert not stands_alone(text)
    lean = Claim(id="c1", text=text, citations=claim(1, 0.9).citations, importance=0.9)
    assert shown(compose([lean, claim(2, 0.5)])) == [claim(2, 0.5)]
    every = compose([lean], Budget(skip_repeats=False))  # the analyst's: every claim
    assert ids(shown(every)) == ["c1"]


def test_a_speaker_named_or_a_plain_statement_stands_alone():
    from briefing.assemble.context import stands_alone

    assert stands_alone('"We are ready to share this with our Indian friends," Putin said.')
    assert stands_alone("Theresa May said the talks would continue on Monday.")
    assert stands_alone("Inflation reached 6.1% in November.")


def test_key_points_cover_what_many_statements_share_before_what_one_says():
    from briefing.assemble.keypoints import concepts

    """Three sources report the loan; one the weather. The loan leads, and no key point holds
    more than half of another's word pairs."""

    def said(n: int, text: str, source: str) -> Claim:
        cit = Citation(source=source, quote=text, start=n, end=n + len(text))
        return Claim(id=f"c{n}", text=text, citations=[cit], importance=0.6, topic="Port")

    loan = "The council approved an emergency loan to the harbour on Monday night."
    claims = [
        said(1, "The weather in the town was grey and cold for most of the week.", "a"),
        said(2, loan, "a"),
        said(3, "Councillors approved an emergency loan to the harbour on Monday.", "b"),
        said(4, "An emergency loan to the harbour was approved by the council.", "c"),
    ]
    result = compose(claims, Budget(key_points=2, per_topic_key_points=2))
    assert "emergency loan" in result.key_points[0].text
    first, second = (concepts(c.text) for c in result.key_points)
    assert len(first & second) <= len(second) / 2


def test_key_points_are_shown_leads_first():
    from briefing.models import Citation

    def at(n: int, importance: float, topic: str, start: int) -> Claim:
        c = claim(n, importance, topic=topic)
        cit = Citation(source=f"s{n}", quote="x" * 12, start=start, end=start + 12)
        return c.model_copy(update={"citations": [cit]})

    claims = [
        at(1, 0.9, "Merger", 900),  # a quote late in its article
        at(2, 0.5, "Theft", 10),
        at(3, 0.8, "Merger", 0),  # the merger's lead
        at(4, 0.7, "Merger", 400),
    ]
    result = compose(claims, Budget(key_points=4, per_topic_key_points=3))
    assert ids(result.key_points) == ["c3", "c2", "c4", "c1"]  # by where their sources say it
