"""Text in any language: sentences, grounding, merging and the extractive engine on Chinese,
Japanese, Russian and Arabic documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.assemble.grounding import ground
from briefing.engines.extractive import ExtractiveEngine, importance
from briefing.ingest.sources import load_documents
from briefing.models import Fact
from briefing.pipeline import build
from briefing.text import is_caseless, sentence_spans, word_count

RU = """Россия и Индия подпишут соглашения о сотрудничестве

Президент России Владимир Путин прибудет в Нью-Дели 4 декабря для участия в ежегодном \
российско-индийском саммите. Пресс-секретарь Кремля Дмитрий Песков заявил, что стороны \
обсудят поставки нефти и строительство атомных электростанций.

По его словам, товарооборот между странами в 2024 году превысил 65 млрд долларов. \
Премьер-министр Индии Нарендра Моди назвал визит важным шагом для двусторонних отношений.
"""

ZH = """普京将访问印度 推动能源合作

俄罗斯总统普京12月2日在莫斯科表示，俄方希望将与印度和中国的伙伴关系提升到新的水平。\
克里姆林宫发言人佩斯科夫说，双方将讨论石油供应和核电站建设等问题。

据统计，2024年两国贸易额超过650亿美元，同比增长百分之十二。会谈顺利吗？\
印度总理莫迪称这次访问是双边关系发展的重要一步！
"""

JA = """プーチン大統領、インドを訪問へ

ロシアのプーチン大統領は12月4日にニューデリーを訪問し、モディ首相と首脳会談を行う予定だ。\
クレムリンのペスコフ報道官は、両国が原子力発電所の建設について協議すると述べた。
"""

AR = """بوتين يزور الهند لتعزيز التعاون

قال الرئيس الروسي فلاديمير بوتين إن موسكو تريد رفع شراكتها مع الهند إلى مستوى جديد من التعاون. \
وأعلن الكرملين أن الجانبين سيناقشان إمدادات النفط وبناء محطات الطاقة النووية.

هل سيوقع الطرفان اتفاقية جديدة؟ يتوقع الخبراء توقيع عشر وثائق على الأقل خلال القمة.
"""

ARTICLES = {"ru": RU, "zh": ZH, "ja": JA, "ar": AR}
QUOTES = {
    "ru": "Пресс-секретарь Кремля Дмитрий Песков заявил, что стороны обсудят поставки нефти и "
    "строительство атомных электростанций.",
    "zh": "克里姆林宫发言人佩斯科夫说，双方将讨论石油供应和核电站建设等问题。",
    "ja": "クレムリンのペスコフ報道官は、両国が原子力発電所の建設について協議すると述べた。",
    "ar": "وأعلن الكرملين أن الجانبين سيناقشان إمدادات النفط وبناء محطات الطاقة النووية.",
}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def all_claims(brief):
    return brief.key_points + [c for s in brief.sections for c in s.claims]


# ---------------------------------------------------------------------------------------------
# Sentences and words
# ---------------------------------------------------------------------------------------------


def test_chinese_sentences_end_at_full_width_marks():
    text = "据统计，贸易额超过650亿美元。会谈顺利吗？双方签署了协议！"
    assert sentences(text) == ["据统计，贸易额超过650亿美元。", "会谈顺利吗？", "双方签署了协议！"]


def test_japanese_sentences_end_at_the_maru():
    text = "「首脳会談を行う」と述べた。両国は協議する。"
    assert sentences(text) == ["「首脳会談を行う」と述べた。", "両国は協議する。"]


def test_arabic_sentences_end_at_the_arabic_question_mark_and_before_uncased_letters():
    text = "هل سيوقع الطرفان اتفاقية جديدة؟ يتوقع الخبراء توقيع عشر وثائق. وأعلن الكرملين ذلك."
    assert sentences(text) == [
        "هل سيوقع الطرفان اتفاقية جديدة؟",
        "يتوقع الخبراء توقيع عشر وثائق.",
        "وأعلن الكرملين ذلك.",
    ]


def test_russian_sentences_and_lower_case_after_a_full_stop():
    text = "Путин прибудет 4 дек. в Нью-Дели. Песков заявил об этом. «Визит важен», сказал он."
    assert sentences(text) == [
        "Путин прибудет 4 дек. в Нью-Дели.",
        "Песков заявил об этом.",
        "«Визит важен», сказал он.",
    ]


def test_word_count_of_text_written_without_spaces():
    assert word_count("双方将讨论石油供应") == 5  # nine characters, about five words
    assert word_count("The talks went well") == 4
    assert word_count("Переговоры прошли хорошо") == 3


@pytest.mark.parametrize(
    ("text", "caseless"),
    [
        ("قال الرئيس الروسي", True),
        ("双方将讨论石油供应", True),
        ("プーチン大統領 Putin", True),
        ("Президент России", False),
        ("The “talks” went well", False),
    ],
)
def test_is_caseless(text, caseless):
    assert is_caseless(text) is caseless


# ---------------------------------------------------------------------------------------------
# Grounding
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_a_quote_is_located_with_exact_offsets(tmp_path, lang):
    docs, _ = load_documents([write(tmp_path, {lang: ARTICLES[lang]})])
    doc = docs[0]
    quote = QUOTES[lang]
    result = ground([Fact(source=lang, claim=quote, quote=quote)], docs)
    assert not result.dropped
    cit = result.facts[0].citation
    assert (cit.start, cit.end) == (doc.text.index(quote), doc.text.index(quote) + len(quote))
    assert doc.text[cit.start : cit.end] == quote
    assert result.facts[0].match == "exact"


def test_a_russian_quote_with_other_quotes_and_line_breaks_is_located(tmp_path):
    text = "Новости\n\nПесков заявил: «Визит пройдёт\nпо плану» — и добавил, что всё готово.\n"
    docs, _ = load_documents([write(tmp_path, {"ru": text})])
    quote = 'Песков заявил: "Визит пройдёт по плану" - и добавил, что всё готово.'
    result = ground([Fact(source="ru", claim=quote, quote=quote)], docs)
    cit = result.facts[0].citation
    assert result.facts[0].match == "normalised"
    assert cit.quote == docs[0].text[cit.start : cit.end]
    assert cit.quote.startswith("Песков заявил: «Визит") and cit.quote.endswith("всё готово.")


# ---------------------------------------------------------------------------------------------
# Merging and the extractive engine, end to end
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("same", "other_a", "other_b"),
    [
        (
            "Пресс-секретарь Кремля Дмитрий Песков заявил, что стороны обсудят поставки нефти "
            "и строительство атомных электростанций.",
            "Президент России Владимир Путин прибудет в Нью-Дели 4 декабря для участия в саммите.",
            "Премьер-министр Индии Нарендра Моди назвал визит важным шагом для отношений.",
        ),
        (
            "克里姆林宫发言人佩斯科夫说，双方将讨论石油供应和核电站建设等问题。",
            "俄罗斯总统普京12月2日在莫斯科表示，俄方希望将伙伴关系提升到新的水平。",
            "据统计，2024年两国贸易额超过650亿美元，同比增长百分之十二。",
        ),
    ],
    ids=["russian", "chinese"],
)
def test_the_same_sentence_in_two_documents_is_one_claim_citing_both(
    tmp_path, same, other_a, other_b
):
    folder = write(tmp_path / "docs", {"a": f"{other_a}\n\n{same}\n", "b": f"{same}\n{other_b}\n"})
    brief = build([folder], ExtractiveEngine())
    matching = [c for c in all_claims(brief) if c.text == same]
    assert len(matching) == 1
    assert {cit.source for cit in matching[0].citations} == {"a", "b"}
    assert brief.stats.facts_dropped == 0


@pytest.mark.parametrize("lang", ["ru", "zh", "ja", "ar"])
def test_the_extractive_engine_briefs_an_article(tmp_path, lang):
    folder = write(tmp_path / "docs", {lang: ARTICLES[lang]})
    brief = build([folder], ExtractiveEngine())
    docs, _ = load_documents([folder])
    claims = all_claims(brief)
    assert brief.stats.facts_found >= 2
    assert brief.stats.facts_dropped == 0
    assert QUOTES[lang] in {c.text for c in claims}
    for claim in claims:
        for cit in claim.citations:
            assert docs[0].text[cit.start : cit.end] == cit.quote


@pytest.mark.parametrize("lang", sorted(QUOTES))
def test_news_in_other_languages_scores_like_news_in_english(lang):
    english = (
        "Kremlin spokesman Dmitry Peskov said the two sides would discuss oil supplies and "
        "the construction of nuclear power plants."
    )
    assert importance(QUOTES[lang]) >= 0.75 * importance(english)


def test_questions_in_other_languages_are_not_facts():
    assert importance("会谈顺利吗？双方都没有回答这个问题吗？") == 0
    assert importance("هل سيوقع الطرفان اتفاقية جديدة مع روسيا هذا العام؟") == 0


def test_a_first_line_that_is_a_sentence_in_chinese_is_content_not_title():
    from briefing.ingest.metadata import analyse

    text = "双方签署了协议。\n克里姆林宫发言人说，双方将讨论石油供应。\n"
    meta = analyse(text)
    assert meta.title is None
    assert meta.body[0][0] == 0
