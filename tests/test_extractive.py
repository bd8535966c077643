"""The extractive engine: which sentences it keeps, and how it words them."""

from __future__ import annotations

from briefing.engines.extractive import ExtractiveEngine, importance
from briefing.ingest.chunking import chunk_documents
from briefing.models import Document


def facts_of(text: str) -> list:
    doc = Document(id="d", path="d.txt", text=text, body=[(0, len(text))], sha256="0")
    return ExtractiveEngine().extract([doc], chunk_documents([doc])).facts


def test_a_bare_he_said_names_the_speaker_outside_the_quotation():
    facts = facts_of(
        "Kremlin spokesperson Dmitry Peskov said the sale of S-400 systems could be discussed.\n"
        '"Our industry is working well and deliveries will continue," he said.\n'
        "He also said Moscow hopes to discuss the Su-57 fighter with the Indian side.\n"
    )
    claims = [f.claim for f in facts]
    assert '"Our industry is working well and deliveries will continue," Peskov said.' in claims
    assert any(c.startswith("Peskov also said Moscow hopes") for c in claims)
    for f in facts:  # the evidence stays verbatim
        assert f.quote in facts[0].quote or f.quote.startswith(('"Our', "He also", "Kremlin"))


def test_said_followed_by_a_place_is_not_an_attribution():
    """'said Moscow hopes' names what Moscow hopes, not who spoke: the speaker stays Peskov."""
    facts = facts_of(
        "Kremlin spokesperson Dmitry Peskov spoke to reporters in Moscow on Tuesday morning.\n"
        "He said Moscow hopes to sign the new energy agreement with India next week.\n"
    )
    assert any(f.claim.startswith("Peskov said Moscow hopes") for f in facts)


def test_questions_headings_and_list_fragments_carry_no_news():
    assert importance("What did Putin say?") == 0
    assert importance("Defence cooperation, S-400, Su-57 on the cards") == 0
    assert importance("- Co-development of hypersonic systems") == 0
    assert importance("A list of potential announcements could include:") == 0


def test_who_said_what_with_figures_outranks_speculation():
    news = importance(
        "Kremlin spokesperson Dmitry Peskov said on Tuesday that Russian arms make up 36 per "
        "cent of India's armed forces."
    )
    hedge = importance(
        "If the announcements match the hints, the visit could mark one of the most "
        "consequential upgrades in a decade."
    )
    assert news > 0.6 > hedge


def test_a_sentence_inside_a_long_quotation_is_attributed_to_its_speaker():
    """Peskov's quotation runs over sentences too long to read as one: each sentence inside
    it is shown as 'Peskov said: "..."', the quote verbatim, the evidence running to the
    sentence that names him."""
    text = (
        '"Highly on the agenda and this could be discussed at length with our partners in the '
        "coming days, because the relationship between our two countries is old and deep and "
        "broad. We are developing quite a variety of very complicated systems for the armed "
        "forces of both countries. Our military industry is working pretty well and will continue "
        'to deliver on every contract that we have signed with the Indian side," Peskov said.\n'
    )
    facts = facts_of(text)
    inner = [f for f in facts if "complicated systems" in f.claim]
    assert inner, [f.claim for f in facts]
    assert inner[0].claim == (
        'Peskov said: "We are developing quite a variety of very complicated systems for the '
        'armed forces of both countries."'
    )
    assert inner[0].quote.startswith("We are developing") and inner[0].quote.endswith("said.")


def test_a_sentence_that_leans_on_the_one_before_is_shown_with_it():
    facts = facts_of(
        "Russian President Vladimir Putin said Moscow wants deeper cooperation with India.\n"
        "These remarks precede his visit to New Delhi on December 4-5 for the annual summit.\n"
    )
    dated = [f for f in facts if "December 4-5" in f.claim]
    assert dated and all(f.claim.startswith("Russian President Vladimir Putin said") for f in dated)
    assert " ".join(dated[0].quote.split()) == dated[0].claim  # the two sentences, verbatim
    assert "\n" in dated[0].quote and "\n" not in dated[0].claim  # the claim is one line


def test_a_short_sentence_with_a_figure_is_news():
    assert importance("Inflation reached 6.1% in November.") > 0.3
    facts = facts_of("Inflation reached 6.1% in November.\nPrices rose.\n")
    assert [f.claim for f in facts] == ["Inflation reached 6.1% in November."]


def test_a_sentence_shown_with_the_one_before_is_one_line():
    facts = facts_of(
        "Peskov said the sale of more S-400 systems could be discussed.\n"
        '"Highly on the agenda and this could be discussed," Peskov said.\n'
    )
    joined = [f for f in facts if f.claim.startswith("Peskov said the sale")]
    assert any("Highly on the agenda" in f.claim and "\n" not in f.claim for f in joined)
