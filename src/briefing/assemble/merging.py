"""Merging: facts that say the same thing become one claim citing every file that says it.

Two facts say the same thing when they share most of their rarer content words (`Similarity`).
Each fact joins the group whose first fact it matches best, so a group never drifts by chaining.
Candidates come from an inverted index over rare words, so the work grows with the number of
facts, not with its square.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from briefing.assemble.figures import Figure, figures
from briefing.assemble.support import evidence_tokens, requirements, supports
from briefing.models import Citation, Claim, GroundedFact
from briefing.text import STOPWORDS, content_terms, stem, unbalanced_quotes, word_count

SAME_CLAIM = 0.4
MIN_SHARED_TERMS = 3
_BLOCKING_TERMS = 8
_ANCHORS = 3
_MAX_POSTING = 150
_MAX_CANDIDATES = 10  # groups compared per fact: those sharing the most of its rarer words


@dataclass
class Cluster:
    """Facts that say the same thing. `anchors` are the first (shortest) few members that say
    only this, which every later fact is matched against; `also` are facts that say this among
    other things (a long sentence joining two statements), cited here but members elsewhere."""

    seed: int
    members: list[int] = field(default_factory=list)
    also: list[int] = field(default_factory=list)
    anchors: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Features:
    terms: frozenset[str]
    names: frozenset[str]
    figures: tuple[Figure, ...]
    weight: float


class Similarity:
    """How far two facts say the same thing, from 0 to 1: the geometric mean of the weighted
    overlap (is the shorter one contained in the longer?) and the weighted cosine (are they
    alike as a whole?) of their content words, each word weighted by its rarity.

    A fact's words are read once (its features are worked out from them when it is first
    compared), and its features are kept only for the facts others are compared with
    (`keep`), so memory grows with the number of groups, not of facts."""

    def __init__(self, texts: Sequence[str]):
        self.texts = texts
        self.df: dict[str, int] = defaultdict(int)
        # Named people, places and organisations: capitalised words; a sentence's first word
        # only when some statement uses it mid-sentence (a name, not just a sentence start).
        self.known: set[str] = set()
        self._terms: list[frozenset[str]] = []
        self._capitals: list[tuple[tuple[str, bool], ...]] = []  # (name key, is it first)
        df = self.df
        for text in texts:
            terms = frozenset(content_terms(text))
            self._terms.append(terms)
            for term in terms:
                df[term] += 1
            capitals = tuple((_name_key(w), first) for w, first in _capitalised(text))
            self._capitals.append(capitals)
            self.known.update(k for k, first in capitals if not first)
        n = len(texts) + 1
        self.idf = {term: math.log(n / count) + 0.5 for term, count in df.items()}
        self._kept: dict[int, _Features] = {}
        self._last: tuple[int, _Features] | None = None

    def features(self, i: int) -> _Features:
        if i in self._kept:
            return self._kept[i]
        if self._last is not None and self._last[0] == i:
            return self._last[1]
        terms = self._terms[i]
        names = frozenset(k for k, first in self._capitals[i] if k in self.known or not first)
        stated = tuple(f for f in figures(self.texts[i]) if not f.refuted)
        idf = self.idf
        found = _Features(terms, names, stated, sum(idf[t] for t in terms) or 1e-9)
        self._last = (i, found)
        return found

    def keep(self, i: int) -> None:
        """Keep fact i's features: other facts will be compared with it."""
        self._kept[i] = self.features(i)

    def __call__(self, i: int, j: int) -> float:
        return self.score(self.features(i), self.features(j))

    def kept(self, i: int) -> _Features:
        """The features of fact i, which `keep` kept."""
        return self._kept[i]

    def score(self, fi: _Features, fj: _Features) -> float:
        """`self(i, j)` for the features of i and j."""
        shared = fi.terms & fj.terms
        if len(shared) < MIN_SHARED_TERMS or _differ_in_kind(fi, fj):
            return 0.0
        s = sum(self.idf[t] for t in shared)
        return math.sqrt((s / min(fi.weight, fj.weight)) * (s / math.sqrt(fi.weight * fj.weight)))

    def rarest(self, i: int) -> list[str]:
        """The rarer half of a fact's words (at least a few): a fact that says the same thing
        shares some of them, so only groups that have one need comparing."""
        shared = [t for t in self.features(i).terms if self.df[t] > 1]  # others have them
        k = max(_BLOCKING_TERMS, len(shared) // 2)
        return sorted(shared, key=lambda t: (self.df[t], t))[:k]


def _differ_in_kind(a: _Features, b: _Features) -> bool:
    """Two statements about different people or places, or that give different figures of
    one kind, are different facts however alike their words ('China and Russia agreed to
    $200 billion' is not 'Japan and Malaysia agreed to $150 billion'; 'a loan of €5 million to
    the port' is not 'a loan of €6m to the port', even when both say it was in 2026)."""
    if a.names and b.names and not a.names & b.names:
        return True
    kinds = {f.kind for f in a.figures} & {f.kind for f in b.figures}
    for kind in kinds:
        fa = [f for f in a.figures if f.kind == kind]
        fb = [f for f in b.figures if f.kind == kind]
        if not any(x.fits(y) for x in fa for y in fb):
            return True
    return False


_NAME = re.compile(r"(?<![\w'’])[A-Z][\w'’-]+")
_NOT_NAMES = frozenset(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)


def _capitalised(text: str) -> list[tuple[str, bool]]:
    """(word, is it the first word) for every capitalised word of `text`, bar stopwords and
    calendar words."""
    out = []
    for m in _NAME.finditer(text):
        word = m.group(0)
        if word.lower() in STOPWORDS or word.lower() in _NOT_NAMES:
            continue
        out.append((word, not text[: m.start()].strip("\"“‘'( ")))
    return out


def _name_key(word: str) -> str:
    return stem(word).replace("-", "")


def cluster_facts(facts: Sequence[GroundedFact]) -> list[Cluster]:
    """Group `facts` by what they say.

    Facts are taken shortest first, so that a single statement seeds a group and a long sentence
    that joins two statements is matched against both seeds (joining the closer, cited by the
    other) instead of gluing them together.
    """
    sim = Similarity([f.fact.claim for f in facts])
    order = sorted(
        range(len(facts)),
        key=lambda i: (word_count(facts[i].fact.claim), -facts[i].fact.importance, i),
    )
    clusters: list[Cluster] = []
    index: dict[str, list[int]] = defaultdict(list)  # term -> clusters whose seed has it
    exact: dict[str, int] = {}
    for i in order:
        key = _exact_key(facts[i].fact.claim)
        if key in exact:
            clusters[exact[key]].members.append(i)
            continue
        shared_terms: Counter[int] = Counter()
        for term in sim.rarest(i):
            posting = index.get(term, ())
            if len(posting) <= _MAX_POSTING:  # a word in thousands of groups tells none apart
                shared_terms.update(posting)
        candidates = [c for c, _ in shared_terms.most_common(_MAX_CANDIDATES)]
        fi = sim.features(i)
        scored = sorted(
            ((max(sim.score(fi, sim.kept(a)) for a in clusters[c].anchors), c) for c in candidates),
            reverse=True,
        )
        matches = [c for score, c in scored if score >= SAME_CLAIM]
        if matches:
            first = clusters[matches[0]]
            first.members.append(i)
            for c in matches[1:]:
                clusters[c].also.append(i)
            if len(matches) == 1 and len(first.anchors) < _ANCHORS:
                first.anchors.append(i)
                _index(index, sim, i, matches[0])
            continue
        exact[key] = len(clusters)
        clusters.append(Cluster(seed=i, members=[i], anchors=[i]))
        _index(index, sim, i, len(clusters) - 1)
    return clusters


def _index(index: dict[str, list[int]], sim: Similarity, i: int, cluster: int) -> None:
    """File fact i, a new anchor of `cluster`, under its words; keep its features."""
    sim.keep(i)
    for term in sim.features(i).terms:
        if not index[term] or index[term][-1] != cluster:
            index[term].append(cluster)


def _exact_key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def merge(facts: Sequence[GroundedFact]) -> list[Claim]:
    """One claim per group of facts that say the same thing, most important first. A claim
    cites a file only when that file's quote gives all its figures and names (`support`): the
    members of a group whose quotes do not (another figure, a name it lacks) make claims of
    their own."""
    return merge_with_groups(facts)[0]


def merge_with_groups(facts: Sequence[GroundedFact]) -> tuple[list[Claim], dict[str, int]]:
    """`merge`, and for each claim's ID the group it came from: claims of one group say one
    thing in different words (split because a file lacked a name or figure the other gives),
    and a briefing shows one of them (`composing.compose`)."""
    claims: list[Claim] = []
    groups: dict[int, int] = {}  # id(claim) -> group
    clusters = cluster_facts(facts)
    compound = {id(facts[i]) for c in clusters for i in c.also}
    for number, cluster in enumerate(clusters):
        ranked = _by_readability([facts[i] for i in cluster.members], compound)
        # Most groups are one fact cited nowhere else: nothing to look up for those.
        group = _Group(ranked) if len(ranked) > 1 else None
        also = _Group([facts[i] for i in cluster.also]) if cluster.also else None
        while ranked:
            rep, backing = _representative(ranked, group)
            cited = backing + also.backing(rep) if also is not None else backing
            citations = _one_per_source(sorted(cited, key=lambda g: -g.fact.importance))
            boost = 1 + 0.3 * (min(len(citations), 4) - 1)
            claim = Claim(
                id="",
                text=rep.fact.claim,
                citations=citations,
                topic=rep.fact.topic,
                importance=round(max(g.fact.importance for g in backing) * boost, 4),
            )
            groups[id(claim)] = number
            claims.append(claim)
            if group is not None:
                group.remove(backing)
            taken = {id(g) for g in backing}
            ranked = [g for g in ranked if id(g) not in taken]
    claims.sort(key=lambda c: (-c.importance, c.citations[0].source, c.citations[0].start))
    for n, claim in enumerate(claims, 1):
        claim.id = f"c{n}"
    return claims, {c.id: groups[id(c)] for c in claims}


class _Group:
    """A group's facts, found by what their quotes give: `backing(rep)` is the facts whose
    quotes support rep's claim. Quotes are bucketed by the figures and names they give, and a
    claim's needs are looked up through the rarest of them (an inverted index), so a group of
    thousands is searched in the time of the few that could back a claim. A fact that says the
    same words is backed by its own quote (grounding saw to that)."""

    def __init__(self, members: Sequence[GroundedFact]):
        self.alive = {id(g) for g in members}
        self.buckets: dict[frozenset[str], list[GroundedFact]] = {}
        self.by_claim: dict[str, list[GroundedFact]] = {}
        for g in members:
            self.buckets.setdefault(evidence_tokens(g.citation.quote), []).append(g)
            self.by_claim.setdefault(g.fact.claim, []).append(g)
        self.postings: dict[str, list[frozenset[str]]] = {}
        for tokens in self.buckets:
            for token in tokens:
                self.postings.setdefault(token, []).append(tokens)

    def remove(self, facts: Sequence[GroundedFact]) -> None:
        self.alive -= {id(g) for g in facts}

    def backing(self, rep: GroundedFact) -> list[GroundedFact]:
        claim = rep.fact.claim
        found = {id(g): g for g in self.by_claim.get(claim, ()) if id(g) in self.alive}
        need = requirements(claim)
        if need is None:  # a claim the token test cannot judge: ask each quote
            found.update(
                (id(g), g)
                for gs in self.buckets.values()
                for g in gs
                if id(g) in self.alive and supports(g.citation.quote, claim)
            )
        else:
            rarest = min(need, key=lambda t: len(self.postings.get(t, ())), default=None)
            keys = self.postings.get(rarest, ()) if rarest is not None else self.buckets.keys()
            for tokens in keys:
                if need <= tokens:
                    found.update((id(g), g) for g in self.buckets[tokens] if id(g) in self.alive)
        return list(found.values())


def _one_per_source(group: Sequence[GroundedFact]) -> list[Citation]:
    """The best quote from each source (the group is most important first)."""
    seen: dict[str, Citation] = {}
    for g in group:
        seen.setdefault(g.citation.source, g.citation)
    return [seen[s] for s in sorted(seen)]


_ANAPHOR = re.compile(
    r"^[\"“]?(?:he|she|they|it|this|these|those|his|her|its|their|but|and)\b", re.IGNORECASE
)


_CANDIDATES = 6  # the most readable members tried as a group's representative


def _by_readability(group: Sequence[GroundedFact], compound: set[int]) -> list[GroundedFact]:
    """The group, the facts whose claims read best first: important, self-contained, clear,
    not too long. A sentence that also says another group's thing (`compound`) comes last."""
    top = max(g.fact.importance for g in group)

    def readability(g: GroundedFact) -> float:
        text = g.fact.claim
        words = word_count(text)
        score = g.fact.importance / max(top, 1e-9)
        score -= 0.4 if _ANAPHOR.match(text) else 0.0
        score -= 0.3 if unbalanced_quotes(text) else 0.0
        score -= 0.5 if id(g) in compound else 0.0
        score -= max(0, words - 35) * 0.012
        return score

    return sorted(group, key=readability, reverse=True)


def _representative(
    ranked: Sequence[GroundedFact], group: _Group | None
) -> tuple[GroundedFact, list[GroundedFact]]:
    """The fact whose claim stands for the group (most readable first), and the members whose
    quotes support it: of the few most readable, the claim the most sources support. `group`
    may be None when `ranked` is one fact."""
    if len(ranked) == 1:
        return ranked[0], [ranked[0]]
    assert group is not None
    best: tuple[int, GroundedFact, list[GroundedFact]] | None = None
    for candidate in ranked[:_CANDIDATES]:
        backing = group.backing(candidate)
        sources = len({g.citation.source for g in backing})
        if best is None or sources > best[0]:
            best = (sources, candidate, backing)
    assert best is not None
    return best[1], best[2]
