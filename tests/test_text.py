"""Text helpers: sentence spans, content terms and stemming, normalisation with an offset map."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.text import content_terms, normalise, sentence_spans, stem

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def sentences(text: str, start: int = 0, end: int | None = None) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text, start, end)]


def assert_well_formed(text: str, spans: list[tuple[int, int]], start: int = 0, end=None) -> None:
    """Spans are ordered, non-empty, trimmed offsets into `text` that together cover every
    non-blank character of text[start:end] exactly once."""
    end = len(text) if end is None else end
    covered = [0] * len(text)
    previous_end = start
    for s, e in spans:
        assert previous_end <= s < e <= end
        piece = text[s:e]
        assert piece == piece.strip()
        for i in range(s, e):
            covered[i] += 1
        previous_end = e
    for i in range(start, end):
        if not text[i].isspace():
            assert covered[i] == 1, f"character {i} {text[i]!r} covered {covered[i]} times"


# ---------------------------------------------------------------------------------------------
# sentence_spans
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "We met Mr. Xi Jinping in Beijing. He smiled.",
            ["We met Mr. Xi Jinping in Beijing.", "He smiled."],
        ),
        (
            "Ahead of the visit, Gen. Smith spoke. Dr. Jones replied.",
            ["Ahead of the visit, Gen. Smith spoke.", "Dr. Jones replied."],
        ),
        (
            "The summit on Dec. 4 was planned. Talks followed.",
            ["The summit on Dec. 4 was planned.", "Talks followed."],
        ),
    ],
)
def test_abbreviations_do_not_end_sentences(text, expected):
    assert sentences(text) == expected


def test_initials_do_not_end_sentences():
    text = "The book by J. R. R. Tolkien was read aloud. Then we slept."
    assert sentences(text) == ["The book by J. R. R. Tolkien was read aloud.", "Then we slept."]


@pytest.mark.parametrize(
    "text",
    [
        "Growth was 3.5 per cent in May. Inflation fell.",
        "The deal is worth $3.5 billion. Inflation fell.",
    ],
)
def test_decimals_do_not_end_sentences(text):
    first, second = sentences(text)
    assert "3.5" in first
    assert second == "Inflation fell."


def test_sentence_ending_punctuation_splits():
    assert sentences("A sentence here!  Another one? Yes.") == [
        "A sentence here!",
        "Another one?",
        "Yes.",
    ]


def test_the_word_no_can_end_a_sentence():
    assert sentences("He said no. The talks ended.") == ["He said no.", "The talks ended."]


def test_short_quotation_over_several_sentences_stays_one_sentence():
    text = 'He said: "We are ready. We will go. It is done." Then he left.'
    assert sentences(text) == ['He said: "We are ready. We will go. It is done."', "Then he left."]


def test_short_curly_quotation_followed_by_attribution_stays_one_sentence():
    text = "“We are ready. We will go,” he said. Then he left."
    assert sentences(text) == ["“We are ready. We will go,” he said.", "Then he left."]


def test_long_quotation_is_left_split_into_its_sentences():
    """A quotation of 80 words is too long to read as one statement: its sentences stay apart."""
    first = " ".join(f"First{i}" for i in range(30)) + "."
    second = " ".join(f"Second{i}" for i in range(30)) + "."
    third = " ".join(f"Third{i}" for i in range(20)) + ".”"
    text = f"“{first} {second} {third} Then he left."
    assert sentences(text) == [f"“{first}", second, third, "Then he left."]


def test_hard_wrapped_lines_are_joined():
    text = "This is a hard-wrapped line that goes\non and on until it ends here. Next sentence."
    assert sentences(text) == [
        "This is a hard-wrapped line that goes\non and on until it ends here.",
        "Next sentence.",
    ]


def test_line_breaks_are_sentence_boundaries():
    text = "Heading without a stop\nBody line starts here. Another.\n- item one\n- item two"
    assert sentences(text) == [
        "Heading without a stop",
        "Body line starts here.",
        "Another.",
        "- item one",
        "- item two",
    ]


def test_crlf_line_endings_are_not_part_of_sentences():
    text = "Line one is here.\r\nLine two is here.\r\n"
    assert sentences(text) == ["Line one is here.", "Line two is here."]


def test_cjk_full_stops_end_sentences():
    text = "俄罗斯总统普京访问印度。双方签署了协议！会谈顺利吗？"
    assert sentences(text) == ["俄罗斯总统普京访问印度。", "双方签署了协议！", "会谈顺利吗？"]


def test_cjk_closing_bracket_stays_with_its_sentence():
    assert sentences("“他说。”然后离开。") == ["“他说。”", "然后离开。"]


def test_range_limits_spans_and_offsets_point_into_the_whole_text():
    text = "Intro text. Body one is here.\nBody two is here. Outro."
    start = text.index("Body one")
    end = text.index(" Outro")
    spans = sentence_spans(text, start, end)
    assert [text[s:e] for s, e in spans] == ["Body one is here.", "Body two is here."]
    assert spans[0][0] == start


@pytest.mark.parametrize(
    "text",
    [
        'He said: "We are ready. We will go." Then he left.\n\nNew paragraph here.  ',
        "  Leading space. Mr. Smith came.\n\n\n Trailing line\n",
        "俄罗斯总统普京访问印度。双方签署了协议\n第二行",
        "Windows\r\nline endings. Here too.\r\n\r\nLast.",
    ],
)
def test_spans_map_back_to_the_text(text):
    assert_well_formed(text, sentence_spans(text))


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_spans_of_seed_documents_map_back_to_the_text(path):
    text = path.read_text(encoding="utf-8")
    assert_well_formed(text, sentence_spans(text))


# ---------------------------------------------------------------------------------------------
# stem / content_terms
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Russian", "russia"),
        ("Russia", "russia"),
        ("talks", "talk"),
        ("talk", "talk"),
        ("studies", "study"),
        ("India's", "india"),
        ("India’s", "india"),
        ("class", "class"),
        ("gas", "gas"),
    ],
)
def test_stem(word, expected):
    assert stem(word) == expected


def test_stem_matches_word_forms_of_one_thing():
    assert stem("Russian") == stem("Russia")
    assert stem("talks") == stem("talk")


def test_content_terms_are_stemmed_and_skip_stopwords():
    assert content_terms("The Russian talks with Russia were said to go well") == [
        "russia",
        "talk",
        "russia",
        "go",
        "well",
    ]


def test_content_terms_skip_single_digits_but_keep_numbers():
    assert content_terms("5 reactors and 400 systems") == ["reactor", "400", "system"]


def test_content_terms_of_cjk_are_character_bigrams():
    assert content_terms("俄罗斯总统") == ["俄罗", "罗斯", "斯总", "总统"]
    assert content_terms("印") == ["印"]


def test_cjk_sentences_about_the_same_thing_share_terms():
    a = set(content_terms("普京访问印度"))
    b = set(content_terms("普京将访问印度新德里"))
    assert {"普京", "访问", "印度"} <= a & b


# ---------------------------------------------------------------------------------------------
# normalise
# ---------------------------------------------------------------------------------------------


def assert_offset_map(text: str, folded: str, where: list[int]) -> None:
    """Each folded character comes from the character of `text` the map names."""
    assert len(where) == len(folded) + 1
    assert where[-1] == len(text)
    assert where == sorted(where)
    for ch, i in zip(folded, where, strict=False):
        source = text[i]
        if ch == " ":
            assert source.isspace()
        elif ch in "\"'-.":
            assert source == ch or source in "“”„«»‘’‚′–—‒―−‐‑…"
        else:
            assert source == ch


def test_normalise_folds_curly_quotes():
    text = "“Hi,” she said, ‘twice’."
    folded, where = normalise(text)
    assert folded == "\"Hi,\" she said, 'twice'."
    assert where[0] == 0
    assert text[where[folded.index("'")]] == "‘"
    assert_offset_map(text, folded, where)


def test_normalise_folds_dashes():
    text = "x\u2013y\u2014z\u2212w"
    folded, where = normalise(text)
    assert folded == "x-y-z-w"
    assert where == [0, 1, 2, 3, 4, 5, 6, 7]


def test_normalise_collapses_white_space_to_its_first_character():
    text = "a\u00a0b\tc \u2009d\n\n  e"
    folded, where = normalise(text)
    assert folded == "a b c d e"
    # The single space between 'c' and 'd' stands for ' \u2009' and maps to its first character;
    # the one between 'd' and 'e' stands for '\n\n  '.
    assert where[folded.index("d") - 1] == text.index("c") + 1
    assert where[folded.index("e") - 1] == text.index("d") + 1
    assert text[where[folded.index("e")]] == "e"
    assert_offset_map(text, folded, where)


def test_normalise_expands_the_ellipsis_and_maps_all_three_dots_to_it():
    text = "wait… what"
    folded, where = normalise(text)
    assert folded == "wait... what"
    ellipsis = text.index("…")
    assert where[4:7] == [ellipsis, ellipsis, ellipsis]
    assert text[where[folded.index("what")] :] == "what"
    assert_offset_map(text, folded, where)


def test_normalise_map_recovers_a_passage_of_the_original():
    text = "He said  “qualitatively\nnew level” — again…"
    folded, where = normalise(text)
    needle = '"qualitatively new level" - again...'
    i = folded.index(needle)
    start, end = where[i], where[i + len(needle) - 1] + 1
    assert text[start:end] == "“qualitatively\nnew level” — again…"


def test_normalise_leaves_plain_text_alone():
    text = "Plain ASCII text, nothing to fold."
    folded, where = normalise(text)
    assert folded == text
    assert where == list(range(len(text) + 1))


def test_one_line_folds_white_space_and_cuts_long_messages():
    from briefing.text import one_line

    assert one_line("a\n  b\tc\n") == "a b c"
    cut = one_line("word " * 100, limit=40)
    assert len(cut) <= 40 and cut.endswith("…") and "\n" not in cut


def test_a_title_that_is_also_a_name_ends_a_sentence_after_a_name():
    text = "The talks were led by Hun Sen. The two sides agreed to meet again in May."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "The talks were led by Hun Sen.",
        "The two sides agreed to meet again in May.",
    ]
    text = "He met Sen. Warren on Monday to discuss the bill and its funding."
    assert len(sentence_spans(text)) == 1


def test_a_news_wire_opening_quote_starts_a_sentence():
    text = "The minister spoke first. ``We will not accept this,'' he said on Monday."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "The minister spoke first.",
        "``We will not accept this,'' he said on Monday.",
    ]


def test_a_pdf_line_wrap_before_a_name_is_inside_the_sentence():
    text = (
        "The summit was announced on Tuesday by the spokesperson for Russian President\n"
        "Vladimir Putin, who will travel to New Delhi on 4 December for two days of talks.\n"
        "Short heading without a stop\n"
        "The next paragraph starts here and ends here.\n"
    )
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans[0].startswith("The summit") and spans[0].endswith("two days of talks.")
    assert "Short heading without a stop" in spans  # a short line is no wrap
