"""Conflicts: different figures that different sources give for the same thing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing.assemble.conflicts import find_conflicts
from briefing.assemble.grounding import ground
from briefing.assemble.merging import merge
from briefing.engines.extractive import ExtractiveEngine
from briefing.ingest.chunking import chunk_documents
from briefing.ingest.sources import load_documents
from briefing.models import Claim, Fact

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

ARMS_001 = (
    '"Highly on the agenda and this could be discussed. Our military industry is working pretty '
    'well. Russian arms 36 per cent in Indian armed forces and hopefully will continue," Peskov '
    "said."
)
ARMS_002 = ARMS_001.replace("36 per cent", "36%")
PROCUREMENT_004 = (
    "Russia remains one of India’s most significant defence partners, consistently accounting "
    "for over 30% of India’s defence procurements over the past decade."
)


@pytest.fixture(scope="module")
def seed():
    """The seed documents by number: seed["000"] .. seed["004"]."""
    docs, _ = load_documents([SEEDS])
    return {d.id[:3]: d for d in docs}


def seed_facts(seed, *items):
    facts = [
        Fact(source=seed[k].id, claim=q, quote=q, hint=seed[k].text.index(q)) for k, q in items
    ]
    result = ground(facts, list(seed.values()))
    assert result.dropped == []
    return result.facts


def one_claim_per_fact(grounded) -> list[Claim]:
    return [
        Claim(id=f"c{n}", text=g.fact.claim, citations=[g.citation], topic=g.fact.topic)
        for n, g in enumerate(grounded, 1)
    ]


def docs_from(tmp_path, texts: dict[str, str]):
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    docs, _ = load_documents([tmp_path])
    return docs


def claims_from(docs, texts: dict[str, str]) -> list[Claim]:
    facts = [Fact(source=k, claim=v, quote=v) for k, v in texts.items()]
    result = ground(facts, docs)
    assert result.dropped == []
    return one_claim_per_fact(result.facts)


def assert_citations_verbatim(conflicts, docs) -> None:
    by_id = {d.id: d for d in docs}
    for conflict in conflicts:
        for value in conflict.values:
            for cit in value.citations:
                assert by_id[cit.source].text[cit.start : cit.end] == cit.quote


def value_sources(conflict) -> dict[str, list[str]]:
    return {v.value: [c.source[:3] for c in v.citations] for v in conflict.values}


# ---------------------------------------------------------------------------------------------
# The seeds
# ---------------------------------------------------------------------------------------------


def test_seed_figures_for_russian_arms_conflict(seed):
    """001 says '36 per cent', 002 says '36%' (the same value), 004 says 'over 30%'."""
    facts = seed_facts(seed, ("001", ARMS_001), ("002", ARMS_002), ("004", PROCUREMENT_004))
    claims = merge(facts)
    (conflict,) = find_conflicts(claims, list(seed.values()))
    assert value_sources(conflict) == {"36 per cent": ["001", "002"], "over 30%": ["004"]}
    assert conflict.id == "d1"
    assert_citations_verbatim([conflict], seed.values())


def test_each_side_quotes_a_short_passage_around_its_figure(seed):
    facts = seed_facts(seed, ("001", ARMS_001), ("002", ARMS_002), ("004", PROCUREMENT_004))
    (conflict,) = find_conflicts(one_claim_per_fact(facts), list(seed.values()))
    quotes = {c.source[:3]: c.quote for v in conflict.values for c in v.citations}
    assert "36 per cent" in quotes["001"]
    assert "36%" in quotes["002"]
    assert "over 30%" in quotes["004"]
    for quote in quotes.values():
        assert len(quote.split()) <= 17
        assert "Highly on the agenda" not in quote


def test_seed_claims_from_the_extractive_engine_give_the_arms_conflict(seed):
    docs = list(seed.values())
    extraction = ExtractiveEngine().extract(docs, chunk_documents(docs))
    claims = merge(ground(extraction.facts, docs).facts)
    conflicts = find_conflicts(claims, docs)
    assert_citations_verbatim(conflicts, docs)
    arms = [c for c in conflicts if "36 per cent" in value_sources(c)]
    assert len(arms) == 1
    assert value_sources(arms[0]) == {"36 per cent": ["001", "002"], "over 30%": ["004"]}
    assert [c.id for c in conflicts] == [f"d{n}" for n in range(1, len(conflicts) + 1)]


def test_identical_figures_from_different_sources_are_no_conflict(seed):
    facts = seed_facts(seed, ("001", ARMS_001), ("002", ARMS_002))
    assert find_conflicts(one_claim_per_fact(facts), list(seed.values())) == []
    assert find_conflicts(merge(facts), list(seed.values())) == []


def test_one_source_alone_is_no_conflict(seed):
    facts = seed_facts(seed, ("001", ARMS_001))
    assert find_conflicts(one_claim_per_fact(facts), list(seed.values())) == []


# ---------------------------------------------------------------------------------------------
# Documents written for the test
# ---------------------------------------------------------------------------------------------


def test_different_sums_of_money_for_one_deal_conflict(tmp_path):
    texts = {
        "m1": "Gazprom will invest $5 billion in the Arctic LNG project with Novatek, aides said.",
        "m2": "Gazprom and Novatek will put $7 billion into the Arctic LNG project, aides said.",
    }
    docs = docs_from(tmp_path, texts)
    (conflict,) = find_conflicts(claims_from(docs, texts), docs)
    assert value_sources(conflict) == {"$5 billion": ["m1"], "$7 billion": ["m2"]}
    assert_citations_verbatim([conflict], docs)


def test_same_percentage_written_differently_is_no_conflict(tmp_path):
    texts = {
        "a": "Analysts in Tokyo said Toyota sales in Japan grew 5% last year.",
        "b": "Analysts in Tokyo said Toyota sales in Japan grew 5 per cent last year.",
    }
    docs = docs_from(tmp_path, texts)
    assert find_conflicts(claims_from(docs, texts), docs) == []


def test_figures_about_unrelated_subjects_are_no_conflict(tmp_path):
    texts = {
        "a": "Officials in Paris said inflation in France reached 4% last year.",
        "b": "Analysts in Tokyo said Toyota sales in Japan grew 6% last year.",
    }
    docs = docs_from(tmp_path, texts)
    assert find_conflicts(claims_from(docs, texts), docs) == []


def test_figures_of_different_units_are_no_conflict(tmp_path):
    texts = {
        "a": "Officials in Paris said the Airbus order for Air France was worth $4 billion.",
        "b": "Officials in Paris said the Airbus order lifted Air France shares by 4%.",
    }
    docs = docs_from(tmp_path, texts)
    assert find_conflicts(claims_from(docs, texts), docs) == []


def test_different_measures_sharing_only_a_place_and_month_are_no_conflict(tmp_path):
    texts = {
        "a": "Official data show that inflation in France reached 4% in March.",
        "b": "Unemployment in France rose to 7% in March, according to the labour ministry.",
    }
    docs = docs_from(tmp_path, texts)
    assert find_conflicts(claims_from(docs, texts), docs) == []


def test_conflict_title_names_only_words_the_sources_use(tmp_path):
    texts = {
        "a": "Officials in Paris said inflation in France reached 4% last year.",
        "b": "Officials in Paris said inflation in France reached 6% last year.",
    }
    docs = docs_from(tmp_path, texts)
    (conflict,) = find_conflicts(claims_from(docs, texts), docs)
    quoted = " ".join(c.quote for v in conflict.values for c in v.citations)
    subject = conflict.title.split(":")[0]
    for name in re.split(r",\s*|\s+and\s+", subject):
        assert re.search(rf"\b{re.escape(name)}\b", quoted), f"{name!r} is not in the sources"


def test_about_five_per_cent_and_five_per_cent_agree(tmp_path):
    texts = {
        "a": "Officials said unemployment in Kerala and Tamil Nadu fell to about 5% last year.",
        "b": "Officials said unemployment in Kerala and Tamil Nadu fell to 5% last year.",
    }
    docs = docs_from(tmp_path, texts)
    assert find_conflicts(claims_from(docs, texts), docs) == []


def test_a_long_clause_is_cut_at_whole_words(tmp_path):
    tail = (
        "in the region of the north as a result of the new programme that the ministry "
        "announced on Monday in the capital city."
    )
    texts = {
        "a": f"Officials said unemployment in Kerala and Goa fell 5% {tail}",
        "b": f"Officials said unemployment in Kerala and Goa fell 9% {tail}",
    }
    docs = docs_from(tmp_path, texts)
    conflicts = find_conflicts(claims_from(docs, texts), docs)
    assert_citations_verbatim(conflicts, docs)
    by_id = {d.id: d for d in docs}
    for value in conflicts[0].values:
        for cit in value.citations:
            text = by_id[cit.source].text
            assert not text[cit.end].isalnum() and not text[cit.start - 1].isalnum(), cit.quote
