"""Grounding: each fact's quote is found in its source's content, or the fact is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.assemble.grounding import MIN_QUOTE_CHARS, ground, locate
from briefing.ingest.sources import load_documents
from briefing.models import Fact

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# Said twice in seeds/003, which repeats its first half.
REPEATED = (
    "During his interview with India Today and Aaj Tak, Putin confirmed that “agreements "
    "already exist” between the two countries"
)


@pytest.fixture(scope="module")
def seed():
    """The seed documents by number: seed["000"] .. seed["004"]."""
    docs, _ = load_documents([SEEDS])
    return {d.id[:3]: d for d in docs}


def fact(doc, quote: str, hint: int | None = None) -> Fact:
    return Fact(source=doc.id, claim=quote, quote=quote, hint=hint)


def test_exact_quote_is_grounded_at_its_offsets(seed):
    doc = seed["000"]
    quote = "Roscosmos Director General Dmitry Bakanov told Izvestia"
    result = ground([fact(doc, quote)], [doc])
    (grounded,) = result.facts
    assert result.dropped == []
    assert grounded.match == "exact"
    cit = grounded.citation
    assert cit.source == doc.id
    assert cit.start == doc.text.index(quote)
    assert doc.text[cit.start : cit.end] == cit.quote == quote


def test_surrounding_white_space_of_a_quote_is_ignored(seed):
    doc = seed["000"]
    quote = "Roscosmos Director General Dmitry Bakanov told Izvestia"
    (grounded,) = ground([fact(doc, f"  {quote}\n")], [doc]).facts
    assert grounded.citation.quote == quote


@pytest.mark.parametrize(
    "quote",
    [
        # straight quotes for the file's curly ones
        'Putin confirmed that "agreements already exist" between the two countries',
        # a hyphen for the file's em dash
        "defence and technology circles - primarily because Russia historically",
        # white space folded: a line break and runs of spaces
        "Russian President   Vladimir\nPutin has dropped one of the strongest signals",
        # straight apostrophe for the file's curly one
        "India's space programme is at an inflection point",
    ],
)
def test_quote_matches_after_folding_and_cites_the_files_own_text(seed, quote):
    doc = seed["003"]
    (grounded,) = ground([fact(doc, quote)], [doc]).facts
    cit = grounded.citation
    assert grounded.match == "normalised"
    assert doc.text[cit.start : cit.end] == cit.quote
    assert cit.quote != quote  # the file's typography and spacing, not the engine's


def test_folded_match_keeps_the_files_quotation_marks(seed):
    doc = seed["003"]
    quote = 'Putin confirmed that "agreements already exist" between the two countries'
    (grounded,) = ground([fact(doc, quote)], [doc]).facts
    assert grounded.citation.quote == (
        "Putin confirmed that “agreements already exist” between the two countries"
    )


def test_ellipsis_in_the_quote_matches_the_files_three_dots(tmp_path):
    (tmp_path / "a.txt").write_text("The minister said the talks were going well... for now.\n")
    docs, _ = load_documents([tmp_path])
    (grounded,) = ground([fact(docs[0], "the talks were going well… for now")], docs).facts
    assert grounded.citation.quote == "the talks were going well... for now"


@pytest.mark.parametrize("where", ["first", "second"])
def test_nearest_occurrence_to_the_hint_wins(seed, where):
    doc = seed["003"]
    first = doc.text.index(REPEATED)
    second = doc.text.index(REPEATED, first + 1)
    target = first if where == "first" else second
    (grounded,) = ground([fact(doc, REPEATED, hint=target + 5)], [doc]).facts
    assert grounded.citation.start == target
    assert grounded.citation.quote == REPEATED


def test_nearest_occurrence_to_the_hint_wins_after_folding(seed):
    doc = seed["003"]
    folded_quote = REPEATED.replace("“", '"').replace("”", '"')
    second = doc.text.index(REPEATED, doc.text.index(REPEATED) + 1)
    (grounded,) = ground([fact(doc, folded_quote, hint=second)], [doc]).facts
    assert grounded.match == "normalised"
    assert grounded.citation.start == second


def test_hint_is_not_trusted(seed):
    """A hint pointing somewhere else entirely still finds the quote where it really is."""
    doc = seed["000"]
    quote = "Bakanov said the upcoming announcement would cover multiple joint areas."
    (grounded,) = ground([fact(doc, quote, hint=0)], [doc]).facts
    assert grounded.citation.start == doc.text.index(quote)


def test_quote_not_in_the_document_is_dropped_and_counted(seed):
    doc = seed["000"]
    good = fact(doc, "Bakanov said the upcoming announcement would cover multiple joint areas.")
    invented = fact(doc, "Bakanov said the agreement would be signed in Paris next year.")
    result = ground([good, invented], [doc])
    assert [g.fact for g in result.facts] == [good]
    assert result.dropped == [invented]


def test_quote_from_another_document_is_dropped(seed):
    """Fact.source decides where the quote must be: a quote from 001 claimed for 000 fails."""
    quote = "This will be Putin's first visit to India since 2021."
    assert quote in seed["001"].text
    result = ground([fact(seed["000"], quote)], list(seed.values()))
    assert result.facts == []
    assert len(result.dropped) == 1


def test_fact_from_an_unknown_source_is_dropped(seed):
    bad = Fact(source="no-such-file", claim="x", quote="Bakanov said the upcoming announcement")
    assert ground([bad], list(seed.values())).dropped == [bad]


@pytest.mark.parametrize(
    "quote",
    [
        "Views: 8\n- |\n- From: India News Bull",
        "From: India News Bull",
        "Putin Aims to Strengthen Cooperation with India",  # the title line
        "Source: https://www.ndtv.com/world-news",
        "Moscow (Russia):",
    ],
)
def test_quote_only_in_furniture_or_metadata_is_dropped(seed, quote):
    doc = seed["002"]
    assert quote in doc.text
    assert len(quote) >= MIN_QUOTE_CHARS
    result = ground([fact(doc, quote)], [doc])
    assert result.facts == []
    assert locate(doc, quote) is None


def test_quote_only_in_the_date_prefix_is_dropped(seed):
    doc = seed["000"]
    assert locate(doc, "date 2025-12-03") is None
    assert locate(doc, "Moscow [Russia], December 3") is None


def test_exact_hit_in_the_title_does_not_hide_a_folded_hit_in_the_body(tmp_path):
    headline = 'Putin says "qualitatively new level" ahead of India trip'
    body = "Putin says “qualitatively new level” ahead of India trip, aides in Moscow reported."
    (tmp_path / "a.txt").write_text(f"{headline}\n\n{body}\n", encoding="utf-8")
    docs, _ = load_documents([tmp_path])
    assert docs[0].title == headline
    result = ground([fact(docs[0], headline)], docs)
    assert result.dropped == []
    assert result.facts[0].citation.start == docs[0].text.index(body)


@pytest.mark.parametrize("quote", ["Bakanov", "Putin said", "   Russia    "])
def test_too_short_quotes_are_dropped(seed, quote):
    doc = seed["000"]
    assert quote.strip() in doc.text
    assert len(quote.strip()) < MIN_QUOTE_CHARS
    assert ground([fact(doc, quote)], [doc]).dropped != []


def test_a_quote_of_the_minimum_length_is_kept(seed):
    doc = seed["000"]
    quote = "Bakanov said"
    assert len(quote) == MIN_QUOTE_CHARS
    (grounded,) = ground([fact(doc, quote)], [doc]).facts
    assert grounded.citation.quote == quote


def test_extractive_engine_facts_all_ground_on_the_seeds(seed):
    """Every quote the extractive engine takes is verbatim content, so none is dropped, and
    each citation is the document text at its offsets."""
    from briefing.engines.extractive import ExtractiveEngine
    from briefing.ingest.chunking import chunk_documents

    docs = list(seed.values())
    extraction = ExtractiveEngine().extract(docs, chunk_documents(docs))
    result = ground(extraction.facts, docs)
    assert result.dropped == []
    by_id = {d.id: d for d in docs}
    for g in result.facts:
        cit = g.citation
        assert by_id[cit.source].text[cit.start : cit.end] == cit.quote
        assert g.match == "exact"
