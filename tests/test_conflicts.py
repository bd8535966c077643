"""Conflicts: different figures that different sources give for the same thing."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from briefing.assemble.conflicts import find_conflicts
from briefing.assemble.figures import figures
from briefing.assemble.grounding import ground
from briefing.assemble.merging import merge
from briefing.assemble.support import unsupported
from briefing.engines.extractive import ExtractiveEngine
from briefing.ingest.chunking import chunk_documents
from briefing.ingest.sources import load_documents
from briefing.models import Claim, Fact

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DISAGREE = SEEDS.parent / "tests" / "corpora" / "disagree_dev"

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


def test_figures_that_measure_different_things_are_no_conflict(seed):
    """001 and 002 say Russian arms are '36 per cent' / '36%' of India's armed forces; 004 says
    Russia accounts for 'over 30%' of India's defence procurements. Different measures (and
    36 is over 30 anyway): no conflict."""
    facts = seed_facts(seed, ("001", ARMS_001), ("002", ARMS_002), ("004", PROCUREMENT_004))
    assert find_conflicts(merge(facts), list(seed.values())) == []
    assert find_conflicts(one_claim_per_fact(facts), list(seed.values())) == []


def test_the_seeds_have_no_conflict(seed):
    docs = list(seed.values())
    extraction = ExtractiveEngine().extract(docs, chunk_documents(docs))
    claims = merge(ground(extraction.facts, docs).facts)
    assert find_conflicts(claims, docs) == []


def test_each_side_quotes_a_short_passage_around_its_figure(tmp_path):
    lead = "Officials said on Monday, after a long meeting in the capital that ran late, that "
    texts = {
        "a": lead + "unemployment in Kerala and Goa fell to 5% last year, the lowest in a decade.",
        "b": lead + "unemployment in Kerala and Goa fell to 9% last year, the lowest in a decade.",
    }
    docs = docs_from(tmp_path, texts)
    (conflict,) = find_conflicts(claims_from(docs, texts), docs)
    quotes = {c.source: c.quote for v in conflict.values for c in v.citations}
    assert "5%" in quotes["a"] and "9%" in quotes["b"]
    for quote in quotes.values():
        assert len(quote.split()) <= 17
        assert "long meeting" not in quote
    assert_citations_verbatim([conflict], docs)


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


def test_a_conflict_is_titled_by_what_is_measured_in_the_sources_words(tmp_path):
    texts = {
        "a": "Officials in Paris said inflation in France reached 4% last year.",
        "b": "Officials in Paris said inflation in France reached 6% last year.",
    }
    docs = docs_from(tmp_path, texts)
    (conflict,) = find_conflicts(claims_from(docs, texts), docs)
    assert conflict.measure == "Inflation in France"
    assert conflict.title == "Inflation in France: 4%, 6%"
    quoted = " ".join(c.quote for v in conflict.values for c in v.citations)
    for word in conflict.measure.split():
        assert word.lower() in quoted.lower()


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


# ---------------------------------------------------------------------------------------------
# News that disagree on purpose: tests/corpora/disagree_dev (see its manifest and README)
# ---------------------------------------------------------------------------------------------

KNOWN_MISSES = {
    # The same measure in two languages (French and German): nothing but the figure is shared.
    "cost of renovating the tram bridge over the Rhine",
}


def briefed(folder: Path):
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    docs, _ = load_documents([folder])
    extraction = ExtractiveEngine().extract(docs, chunk_documents(docs))
    claims = merge(ground(extraction.facts, docs).facts)
    return manifest, claims, find_conflicts(claims, docs, limit=100), docs


@pytest.fixture(scope="module")
def disagree():
    return briefed(DISAGREE)


# Every corpus tuned on (never the held-out one): what must hold on all of them.
@pytest.fixture(scope="module", params=["disagree_dev", "disagree_dev2", "disagree_dev3"])
def any_corpus(request):
    return briefed(DISAGREE.parent / request.param)


def same_value(a: str, b: str) -> bool:
    """'€6m' and '€6 million' are one value; words without a figure ('plus de quarante ans')
    are compared as they are written."""
    fa, fb = figures(a), figures(b)
    if not fa or not fb:
        return a.strip().lower() == b.strip().lower()
    return fa[0].kind == fb[0].kind and math.isclose(fa[0].value, fb[0].value)


def entry_for(planted: dict, conflicts) -> dict[str, set[str]] | None:
    """The conflict that holds every planted value, each with one of its planted files, as
    {value: its files}, or None."""
    for conflict in conflicts:
        values = {v.value: {c.source for c in v.citations} for v in conflict.values}
        matched = {}
        for value, files in planted["values"].items():
            hits = [
                v
                for v in values
                if same_value(v, value) and v not in matched.values() and values[v] & set(files)
            ]
            if hits:
                matched[value] = hits[0]
        if len(matched) == len(planted["values"]):
            return {value: values[matched[value]] for value in planted["values"]}
    return None


def test_every_planted_conflict_is_one_entry_with_each_value_and_its_files(disagree):
    manifest, _, conflicts, _ = disagree
    for planted in manifest["conflicts"]:
        if planted["measure"] in KNOWN_MISSES:
            continue
        found = entry_for(planted, conflicts)
        assert found is not None, (planted["measure"], [c.title for c in conflicts])
        for value, files in planted["values"].items():
            assert set(files) <= found[value], (planted["measure"], value, found)


@pytest.mark.xfail(strict=True, reason="across languages nothing but the figure is shared")
def test_a_conflict_across_languages_is_found(disagree):
    manifest, _, conflicts, _ = disagree
    (planted,) = [c for c in manifest["conflicts"] if c["measure"] in KNOWN_MISSES]
    assert entry_for(planted, conflicts) is not None


def test_no_entry_pairs_figures_that_agree(any_corpus):
    manifest, _, conflicts, _ = any_corpus
    for agreement in manifest["agreements"]:
        assert entry_for(agreement, conflicts) is None, agreement["measure"]


def test_every_entry_is_a_planted_conflict(any_corpus):
    manifest, _, conflicts, _ = any_corpus
    for conflict in conflicts:
        assert any(
            entry_for({"values": dict(list(p["values"].items())[:2])}, [conflict])
            for p in manifest["conflicts"]
        ), conflict.title


def test_no_claim_cites_a_file_that_gives_another_figure(any_corpus):
    manifest, claims, _, _ = any_corpus
    for claim in claims:
        quotes: dict[str, list[str]] = {}
        for cit in claim.citations:
            quotes.setdefault(cit.source, []).append(cit.quote)
        for source, qs in quotes.items():
            assert unsupported(claim.text, qs) == [], (claim.text, source)
    for hazard in manifest["hazards"]:
        for claim in claims:
            stated = [f for f in figures(claim.text) if not f.refuted]
            for value in hazard["does_not_support"]:
                if any(same_value(f.text, value) for f in stated):
                    assert hazard["file"] not in {c.source for c in claim.citations}, claim.text


def test_the_loan_is_titled_by_what_it_measures(disagree):
    _, _, conflicts, docs = disagree
    (loan,) = [c for c in conflicts if "loan" in c.measure.lower()]
    assert loan.measure == "Emergency loan to the port"
    assert loan.title.startswith("Emergency loan to the port: ")
    assert_citations_verbatim([loan], docs)
