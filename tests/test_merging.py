"""Merging: facts that say the same thing become one claim citing every file that says it.

Facts here are made from sentences of the seed documents and grounded with
`briefing.assemble.grounding.ground`, so every citation is real text at real offsets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.assemble.grounding import ground
from briefing.assemble.merging import merge
from briefing.assemble.support import unsupported
from briefing.engines.extractive import ExtractiveEngine
from briefing.ingest.chunking import chunk_documents
from briefing.ingest.sources import load_documents
from briefing.models import Fact

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# Putin's "qualitatively new level" statement, reported three ways. The 000 sentence also
# reports the visit to New Delhi: it joins two statements.
NEW_LEVEL_000 = (
    'Russian President Vladimir Putin said Moscow aims to "elevate cooperation" with India by '
    'taking the partnership to a "qualitatively new level" and establishing "substantive '
    'dialogue" on economic matters ahead of his two-day visit to New Delhi from December 4-5 '
    "for the 23rd India-Russia Annual Summit at the invitation of Prime Minister Narendra Modi."
)
NEW_LEVEL_001 = (
    "Russian President Vladimir Putin on Tuesday (Dec 2) said Moscow wants to push its "
    'partnerships with India and China to a "qualitatively new level," with deeper cooperation '
    "across key sectors."
)
NEW_LEVEL_002 = (
    "Russian President Vladimir Putin has expressed Moscow's intention to \"elevate "
    'cooperation" with India and China to a "qualitatively new level."'
)
VISIT_002 = (
    "These remarks precede Putin's scheduled visit to India from December 4-5 for the 23rd "
    "India-Russia Annual Summit, following an invitation from Prime Minister Narendra Modi."
)
DIALOGUE = (
    "We have established a substantive dialogue on economic issues with the President of the "
    "People's Republic of China, Mr. Xi Jinping."
)
S400_004 = (
    "Manturov confirmed that key projects like the delivery of S-400 air defence systems "
    "remain on schedule, underscoring the robust execution of existing agreements."
)
TRANSFER_000 = (
    "Bakanov added that the partnership would not involve the transfer of Russian technology."
)
SPACE_000 = (
    "Roscosmos Director General Dmitry Bakanov told Izvestia that Russia is preparing to "
    'announce "good news about cooperation in the space sector with India," saying a formal '
    'development is expected "literally the day after tomorrow."'
)
ARMS_001 = "Russian arms 36 per cent in Indian armed forces and hopefully will continue"
AGREEMENTS_003 = (
    "During his interview with India Today and Aaj Tak, Putin confirmed that “agreements "
    "already exist” between the two countries, especially in areas where India is seeking "
    "deeper cooperation and self-reliance."
)


@pytest.fixture(scope="module")
def seed():
    """The seed documents by number: seed["000"] .. seed["004"]."""
    docs, _ = load_documents([SEEDS])
    return {d.id[:3]: d for d in docs}


@pytest.fixture(scope="module")
def seed_claims(seed):
    """Claims of the whole seed set, from the extractive engine's facts."""
    docs = list(seed.values())
    extraction = ExtractiveEngine().extract(docs, chunk_documents(docs))
    return merge(ground(extraction.facts, docs).facts)


def grounded(seed, *items, importance: float = 0.5):
    """Ground facts given as (seed key, quote) or (seed key, quote, hint)."""
    facts = []
    for key, quote, *hint in items:
        doc = seed[key]
        facts.append(
            Fact(
                source=doc.id,
                claim=quote,
                quote=quote,
                importance=importance,
                hint=hint[0] if hint else doc.text.index(quote),
            )
        )
    result = ground(facts, list(seed.values()))
    assert result.dropped == [], "test facts must ground"
    return result.facts


def sources(claim) -> list[str]:
    return [c.source[:3] for c in claim.citations]


def claim_citing(claims, seed, key, quote):
    """The claim (there must be exactly one) that cites `quote` of seed `key` (the sentence
    itself: a sentence that leans on it is a fact citing both, and may be a claim of its own)."""
    start = seed[key].text.index(quote)
    found = [
        c
        for c in claims
        if any(
            x.source == seed[key].id and x.start == start and x.end == start + len(quote)
            for x in c.citations
        )
    ]
    assert len(found) == 1, f"{len(found)} claims cite {quote[:40]!r}"
    return found[0]


def assert_citations_verbatim(claims, seed):
    by_id = {d.id: d for d in seed.values()}
    for claim in claims:
        for cit in claim.citations:
            assert by_id[cit.source].text[cit.start : cit.end] == cit.quote


def test_identical_facts_from_several_sources_become_one_claim_citing_all(seed):
    facts = grounded(
        seed, ("000", DIALOGUE), ("001", DIALOGUE), ("002", DIALOGUE), ("004", S400_004)
    )
    claims = merge(facts)
    assert len(claims) == 2
    dialogue = next(c for c in claims if c.text == DIALOGUE)
    assert sources(dialogue) == ["000", "001", "002"]
    assert_citations_verbatim(claims, seed)


def test_repeats_within_one_document_cite_the_file_once(seed):
    """seeds/003 repeats its first half: the same sentence at two offsets is one citation."""
    text = seed["003"].text
    first = text.index(AGREEMENTS_003)
    second = text.index(AGREEMENTS_003, first + 1)
    facts = grounded(seed, ("003", AGREEMENTS_003, first), ("003", AGREEMENTS_003, second))
    assert {f.citation.start for f in facts} == {first, second}
    (claim,) = merge(facts)
    assert sources(claim) == ["003"]


def test_seed_003_repeats_cite_the_file_once_in_the_seed_claims(seed_claims):
    for claim in seed_claims:
        assert len(sources(claim)) == len(set(sources(claim))), claim.text


def test_paraphrases_of_one_statement_merge_into_one_claim_citing_all(seed):
    facts = grounded(
        seed,
        ("000", NEW_LEVEL_000),
        ("001", NEW_LEVEL_001),
        ("002", NEW_LEVEL_002),
        ("002", VISIT_002),
        ("004", S400_004),
        ("000", TRANSFER_000),
    )
    claims = merge(facts)
    new_level = claim_citing(claims, seed, "002", NEW_LEVEL_002)
    # 001 and 002 say 'with India and China'; 000 says 'with India' only: not cited for it.
    assert sources(new_level) == ["001", "002"]
    assert "qualitatively new level" in new_level.text
    assert claim_citing(claims, seed, "000", NEW_LEVEL_000) is not new_level
    assert_citations_verbatim(claims, seed)


def test_paraphrases_merge_without_other_facts_around(seed):
    facts = grounded(seed, ("000", NEW_LEVEL_000), ("001", NEW_LEVEL_001), ("002", NEW_LEVEL_002))
    china, india = merge(facts)
    assert sources(china) == ["001", "002"] and "China" in china.text
    assert sources(india) == ["000"]


def test_new_level_statement_is_one_claim_citing_001_002_in_the_seed_claims(seed, seed_claims):
    claim = claim_citing(seed_claims, seed, "002", NEW_LEVEL_002)
    assert sources(claim) == ["001", "002"]
    assert claim_citing(seed_claims, seed, "001", NEW_LEVEL_001) is claim


def test_unrelated_facts_stay_apart(seed):
    facts = grounded(
        seed,
        ("004", S400_004),
        ("000", TRANSFER_000),
        ("000", SPACE_000),
        ("001", ARMS_001),
        ("003", AGREEMENTS_003),
    )
    claims = merge(facts)
    assert len(claims) == 5
    assert sorted(c.text for c in claims) == sorted(f.fact.claim for f in facts)
    assert all(len(c.citations) == 1 for c in claims)


def test_a_long_sentence_joining_two_statements_does_not_glue_them(seed):
    """000's sentence says both 'new level' (like 001) and 'visit to New Delhi' (like 002).
    It may be cited for either, but 001's and 002's statements stay separate claims."""
    facts = grounded(seed, ("000", NEW_LEVEL_000), ("001", NEW_LEVEL_001), ("002", VISIT_002))
    claims = merge(facts)
    new_level = claim_citing(claims, seed, "001", NEW_LEVEL_001)
    visit = claim_citing(claims, seed, "002", VISIT_002)
    assert new_level is not visit


def test_a_long_sentence_is_cited_by_both_statements_it_joins(seed):
    facts = grounded(
        seed,
        ("000", NEW_LEVEL_000),
        ("001", NEW_LEVEL_001),
        ("002", NEW_LEVEL_002),
        ("002", VISIT_002),
        ("004", S400_004),
    )
    claims = merge(facts)
    new_level = claim_citing(claims, seed, "001", NEW_LEVEL_001)
    visit = claim_citing(claims, seed, "002", VISIT_002)
    assert new_level is not visit
    assert "000" not in sources(new_level)  # it says India, not 'India and China'
    assert "000" in sources(visit)
    # The joined sentence does not stand for either claim.
    assert new_level.text != NEW_LEVEL_000
    assert visit.text != NEW_LEVEL_000


def test_claim_ids_are_c1_to_cn_in_importance_order(seed_claims):
    assert [c.id for c in seed_claims] == [f"c{n}" for n in range(1, len(seed_claims) + 1)]
    importances = [c.importance for c in seed_claims]
    assert importances == sorted(importances, reverse=True)


def test_a_fact_reported_by_more_sources_ranks_higher(seed):
    facts = grounded(
        seed, ("000", SPACE_000), ("000", DIALOGUE), ("001", DIALOGUE), ("002", DIALOGUE)
    )
    claims = merge(facts)
    assert [c.text for c in claims] == [DIALOGUE, SPACE_000]
    assert [c.id for c in claims] == ["c1", "c2"]
    assert claims[0].importance > claims[1].importance


def test_claim_keeps_the_highest_importance_of_its_group(seed):
    facts = grounded(seed, ("000", DIALOGUE)) + grounded(seed, ("001", DIALOGUE), importance=0.9)
    (claim,) = merge(facts)
    assert claim.importance >= 0.9


def test_every_seed_claim_cites_verbatim_text(seed, seed_claims):
    assert seed_claims
    assert_citations_verbatim(seed_claims, seed)


def test_statements_that_give_different_figures_are_never_one_claim(tmp_path):
    texts = {
        "a": "The council approved an emergency loan of €5 million to the port on Monday in 2026.",
        "b": "The council approved an emergency loan of €6 million to the port on Monday in 2026.",
        "c": "The council approved an emergency loan of 5m euros to the port on Monday in 2026.",
    }
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    docs, _ = load_documents([tmp_path])
    facts = ground([Fact(source=k, claim=v, quote=v) for k, v in texts.items()], docs).facts
    claims = merge(facts)
    assert sorted(sources(c) for c in claims) == [["a", "c"], ["b"]]


def test_a_claim_cites_a_file_only_when_its_quote_gives_the_claims_names(tmp_path):
    texts = {
        "a": "Prime Minister Anna Berg said the budget will be balanced next year.",
        "b": "Berg said the budget will be balanced next year, officials confirmed.",
    }
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    docs, _ = load_documents([tmp_path])
    facts = ground([Fact(source=k, claim=v, quote=v) for k, v in texts.items()], docs).facts
    for claim in merge(facts):
        for cit in claim.citations:
            assert unsupported(claim.text, cit.quote) == [], (claim.text, cit.source)
