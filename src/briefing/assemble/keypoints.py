"""Key points: the few claims that together cover what a folder is about, without repeating.

A concept is a pair of neighbouring content words (stemmed); its weight is how many distinct
statements of the folder use it: the passages the claims cite, each once, so that a date three
sources give weighs three even when merging made one claim of them. Claims are taken greedily
by the weight of the concepts they add that no key point covers yet, times their centrality
(LexRank over the strongest candidates), times a prior for sentences early in their document,
over the square root of their length in words.
Near-linear: concepts are counted once, and centrality is computed among at most CANDIDATES
claims through an inverted index.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from briefing.models import Claim
from briefing.text import content_terms, word_count

CANDIDATES = 300  # claims, most important first, that may become key points
WEIGHED = 5000  # claims, most important first, whose passages weigh the concepts
LINK = 0.1  # cosine similarity at which two candidates endorse each other (LexRank)
DAMPING = 0.15
REPEATS = 0.5  # a claim whose word pairs the key points hold more than this share repeats
EARLY = 300  # characters: a claim cited this far into its document has half the early bonus
LEAD = 1.0  # the early bonus at the start of a document
LENGTH = 0.5  # the power of the length in words a claim's score is divided by


def concepts(text: str) -> set[str]:
    """The stemmed word pairs of `text`."""
    terms = content_terms(text)
    return {f"{a} {b}" for a, b in itertools.pairwise(terms)}


def select(
    claims: Sequence[Claim],
    k: int,
    allowed: Callable[[Claim, list[Claim]], bool] = lambda claim, chosen: True,
) -> list[Claim]:
    """Up to `k` claims of `claims` (most important first) chosen for coverage; `allowed`
    says whether a claim may join those chosen so far (repeats, a cap per story)."""
    if k <= 0 or not claims:
        return []
    weight: Counter[str] = Counter()
    statements = {
        (c.source, c.start): c.quote for claim in claims[:WEIGHED] for c in claim.citations
    }
    for quote in statements.values():
        weight.update(concepts(quote))
    candidates = list(range(min(len(claims), CANDIDATES)))
    held = {i: concepts(claims[i].text) for i in candidates}
    central = lexrank([claims[i].text for i in candidates])
    top = max(central) or 1.0
    covered: set[str] = set()
    chosen: list[Claim] = []
    left = set(candidates)
    while left and len(chosen) < k:
        best, best_score = -1, 0.0
        for i in left:
            if held[i] and len(held[i] & covered) > REPEATS * len(held[i]):
                continue  # more than half of it is said already: a repeat
            gain = sum(weight[c] for c in held[i] - covered if weight[c] > 1)
            score = (gain + 0.1) * (0.1 + central[i] / top) * _early(claims[i])
            score /= max(word_count(claims[i].text), 1) ** LENGTH
            if score > best_score or (score == best_score and i < best):
                best, best_score = i, score
        if best < 0:
            break
        left.discard(best)
        if allowed(claims[best], chosen):
            chosen.append(claims[best])
            covered |= held[best]
    return chosen


def _early(claim: Claim) -> float:
    start = min((c.start for c in claim.citations), default=EARLY)
    return 1.0 + LEAD / (1.0 + start / EARLY)


def lexrank(texts: Sequence[str], link: float = LINK, rounds: int = 30) -> list[float]:
    """LexRank centrality of each text: the stationary walk over the graph joining texts
    whose TF-IDF cosine similarity is at least `link`."""
    n = len(texts)
    if n == 0:
        return []
    bags = [Counter(content_terms(t)) for t in texts]
    df: Counter[str] = Counter(t for bag in bags for t in bag)
    vectors = []
    for bag in bags:
        vec = {t: k * math.log((n + 1) / df[t]) for t, k in bag.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        vectors.append({t: w / norm for t, w in vec.items()})
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for t, w in vec.items():
            postings[t].append((i, w))
    neighbours: list[list[int]] = []
    for i, vec in enumerate(vectors):
        acc: defaultdict[int, float] = defaultdict(float)
        for t, w in vec.items():
            for j, w2 in postings[t]:
                acc[j] += w * w2
        acc[i] = 1.0
        neighbours.append([j for j, s in acc.items() if s >= link])
    score = [1.0 / n] * n
    for _ in range(rounds):
        nxt = [DAMPING / n] * n
        for i, out in enumerate(neighbours):
            share = (1 - DAMPING) * score[i] / len(out)
            for j in out:
                nxt[j] += share
        score = nxt
    return score
