"""Support: figures in any spelling, names, and whether a claim says only what its evidence
says. One module decides it for every stage (`briefing.assemble.support`)."""

from __future__ import annotations

import math

import pytest

from briefing.assemble.figures import figures
from briefing.assemble.support import names, supports, unsupported


def one(text: str):
    (fig,) = [f for f in figures(text) if not f.closes_range]
    return fig


# ---------------------------------------------------------------------------------------------
# Figures: one value whatever the spelling
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "€5 million",
        "5m euros",
        "5,000,000 euros",
        "five million euros",
        "EUR 5 million",
        "5 millions d'euros",
        "5 Millionen Euro",
        "€5mn",
        "€5.0 million",
    ],
)
def test_five_million_euros_in_any_spelling(text):
    fig = one(f"The council approved {text} for the port.")
    assert (fig.kind, fig.value, fig.currency) == ("money", 5e6, "EUR")


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$3bn", 3e9, "USD"),
        ("$3.4 billion", 3.4e9, "USD"),
        ("£120,000", 1.2e5, "GBP"),
        ("Rs 500 crore", 5e9, "INR"),
        ("186 million dollars", 1.86e8, "USD"),
    ],
)
def test_amounts_with_their_currency_and_scale(text, value, currency):
    fig = one(f"It cost {text} in all.")
    assert fig.kind == "money" and math.isclose(fig.value, value) and fig.currency == currency


@pytest.mark.parametrize("text", ["40%", "40 per cent", "40 percent", "40 %", "40\u00a0%"])
def test_percentages_in_any_spelling(text):
    fig = one(f"Turnout was {text} on Monday.")
    assert (fig.kind, fig.value) == ("percent", 40)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("on 4 March", 304),
        ("on March 4", 304),
        ("on Dec. 4", 1204),
        ("on the 4th of December", 1204),
    ],
)
def test_dates(text, value):
    assert (one(f"It opens {text}.").kind, one(f"It opens {text}.").value) == ("date", value)


def test_a_range_is_one_figure_from_one_end_to_the_other():
    fig = one("The summit is on December 4-5 in New Delhi.")
    assert (fig.kind, fig.text, fig.low, fig.high) == ("date", "December 4-5", 1203.5, 1205.5)
    money = one("a loan of €5-6 million")
    assert money.currency == "EUR" and money.low < 5e6 and money.high > 6e6


def test_years_counts_times_and_ordinals():
    kinds = [
        (f.kind, f.value) for f in figures("In 2030, 1,200 staff met at 10:30 for the 23rd time.")
    ]
    assert kinds == [("year", 2030), ("count", 1200), ("time", 630), ("ordinal", 23)]


def test_numbers_in_names_are_not_figures():
    assert figures("The S-400, the Su-57, COVID-19 and 5G networks") == ()


def test_hyphenated_units_are_figures():
    assert one("a 48-hour strike").value == 48


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("over 30%", 30, math.inf),
        ("at least 4%", 3.5, math.inf),
        ("about 300", 270, 330),
        ("up to 120", 0, 120.5),
        ("nearly 10%", 8.5, 10.5),
        ("près de 12 000", 10800, 13200),
    ],
)
def test_qualifiers_are_ranges(text, low, high):
    fig = one(f"They said {text} would be affected.")
    assert math.isclose(fig.low, low) and math.isclose(fig.high, high)


def test_rounding_is_no_difference_but_a_changed_figure_is():
    sixteen, precise = one("16 million"), one("16.2 million")
    assert sixteen.fits(precise)
    assert not one("$3bn").fits(one("$3.4 billion"))  # that would be written '$3.4bn'
    assert not one("40%").fits(one("38 per cent"))
    assert not one("€5 million").fits(one("€6m"))
    assert one("over 30%").fits(one("36%")) and one("about 300").fits(one("300"))


def test_a_refuted_figure_is_marked():
    found = figures("The port says 90 jobs are affected, not the 120 we were first told.")
    assert [(f.value, f.refuted) for f in found] == [(90, False), (120, True)]
    french = figures("1 200 personnes sont concernées, et non 1 500 comme annoncé")
    assert [(f.value, f.refuted) for f in french] == [(1200, False), (1500, True)]


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def test_names_are_capitalised_words_but_not_common_sentence_starts():
    found = names("Meanwhile, Russian President Vladimir Putin met the U.S. envoy on Tuesday.")
    assert found == ["Russian", "President", "Vladimir", "Putin", "U.S", "Tuesday"]


def test_each_part_of_a_hyphenated_name_is_a_name():
    assert names("the India-Russia summit") == ["India", "Russia"]


# ---------------------------------------------------------------------------------------------
# Support
# ---------------------------------------------------------------------------------------------


def test_a_claim_supported_by_its_evidence_in_other_spellings():
    assert supports(
        "The council approved a 5m euros loan on Monday.",
        "A loan of €5 million was approved on Monday.",
    )
    assert supports(
        "Russian arms 36 per cent in Indian armed forces", "Russia's arms are 36% of India's forces"
    )
    assert supports(
        "Officials said three ministers resigned.", "Officials said 3 ministers resigned."
    )
    assert supports(
        "Passengers: 16.2 million last year.", "Passengers numbered 16 million last year."
    )


@pytest.mark.parametrize(
    ("claim", "evidence", "missing"),
    [
        (
            "Corrosion in 127% of the steel piles",
            "Corrosion was found in 27% of the steel piles.",
            ["127%"],
        ),
        ("Putin met Modi in 2031", "Putin met Modi in 2030.", ["2031"]),
        ("A loan of €6 million", "A loan of €5 million.", ["€6 million"]),
        ("A loan of $3bn", "A loan of $3.4 billion.", ["$3bn"]),
        ("It opens on 6 March", "It opens on 4 March.", ["6 March"]),
        (
            "Russian President Vladimir Putin said",
            "Putin said",
            ["Russian", "President", "Vladimir"],
        ),
        (
            "Union spokesperson said up to 120 jobs could be affected",
            "The port says 90 jobs are affected, not the 120 we were first told.",
            ["up to 120", "Union"],
        ),
    ],
)
def test_a_figure_or_name_the_evidence_lacks_is_unsupported(claim, evidence, missing):
    assert unsupported(claim, evidence) == missing


def test_a_claim_may_repeat_a_refutation_it_quotes():
    quote = "The port says 90 jobs are affected, not the 120 we were first told."
    assert supports(quote, quote)


def test_names_are_matched_by_stem_and_in_inflected_languages():
    assert supports("the Russian and Indian leaders", "The Russia-India summit")
    assert supports("Путина поддержали в Москве", "Путин заявил в Москве")


def test_evidence_may_be_several_passages():
    assert supports(
        ["Putin arrives on Thursday.", "The visit costs €5 million."],
        "Putin's €5 million visit on Thursday",
    )
