"""Topics: a short section title for a claim, from a lexicon of the subjects news is about.

The extractive engine has no model to name topics, so it classifies each fact by the terms it
uses; the LLM engine names topics itself and `canonical_topic` folds its names onto these where
they match, so both engines produce the same sections.
"""

from __future__ import annotations

import itertools

from briefing.text import content_terms, stem

OTHER = "Other developments"

# Title -> terms (stemmed on load). Terms after '|' are weak: they count for a third.
_LEXICON = {
    "Defence and security": """defence defense military arms armed weapon missile s-400 s-500
        su-57 sukhoi fighter jet army navy troops war security brahmos hypersonic drone stealth
        nato air-defence warship tank soldier combat ceasefire attack strike""",
    "Energy and nuclear": """energy nuclear reactor oil gas power-plant fuel kudankulam
        electricity renewable solar coal pipeline uranium lng""",
    "Space": """space spaceflight orbital orbit roscosmos astronaut cosmonaut rocket satellite
        gaganyaan docking space-station isro nasa launch-vehicle crewed""",
    "Economy and trade": """economic economy trade import export investment investor market
        tariff gdp goods business bank finance financial sanction inflation currency rupee
        rouble dollar procurement budget revenue profit | industry""",
    "Technology and research": """technology technological artificial intelligence computing
        robotics quantum cyber cybersecurity digital semiconductor research scientific
        innovation""",
    "Diplomacy and politics": """summit diplomatic diplomacy bilateral invitation ambassador
        delegation election parliament treaty foreign-minister | visit president prime minister
        kremlin government meeting relation partnership cooperation dialogue talk agreement
        leader""",
    "Health": """health hospital disease vaccine virus patient medical medicine doctor
        outbreak pandemic drug""",
    "Climate and environment": """climate environment emission carbon pollution flood drought
        wildfire biodiversity warming""",
    "Law and justice": """court judge law legal lawsuit trial verdict police arrest crime
        prosecutor ruling""",
}


def _load() -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for title, spec in _LEXICON.items():
        strong, _, weak = spec.partition("|")
        weights: dict[str, float] = {}
        for words, weight in ((strong, 1.0), (weak, 0.34)):
            for word in words.split():
                # 'air-defence' counts as its words; 's-400' as the words of 'S-400' or 'S400'.
                for term in word.split("-"):
                    weights.setdefault(stem(term), weight)
                if any(c.isdigit() for c in word):
                    weights.setdefault(word.replace("-", ""), weight)
                    weights.setdefault(" ".join(word.split("-")), weight)
        table[title] = weights
    return table


TOPICS = _load()
_BY_TERM: dict[str, list[tuple[str, float]]] = {}  # term -> the titles that have it
for _title, _weights in TOPICS.items():
    for _term, _weight in _weights.items():
        _BY_TERM.setdefault(_term, []).append((_title, _weight))


def classify(text: str) -> str:
    """The section title whose terms `text` uses most; OTHER when it uses none."""
    words = content_terms(text)
    terms = set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}
    scores = dict.fromkeys(TOPICS, 0.0)
    for term in terms:
        for title, weight in _BY_TERM.get(term, ()):
            scores[title] += weight
    best, best_score = OTHER, 0.0
    for title, score in scores.items():
        if score > best_score + 1e-9:
            best, best_score = title, score
    return best if best_score >= 0.34 else OTHER


def canonical_topic(name: str | None, text: str) -> str:
    """A topic name from a model, folded onto a lexicon title when it names the same subject."""
    if not name or not name.strip():
        return classify(text)
    folded = classify(name)
    return folded if folded != OTHER else name.strip()[:60]
