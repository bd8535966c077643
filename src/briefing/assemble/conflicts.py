"""Where sources differ: figures that different sources give differently for the same measure
about the same subject.

Every figure of the cited passages is read (`figures`: amounts in any spelling, percentages,
counts, dates, years) with the range its wording allows, so that "over 30%" and "36%", or
"about 300" and "300", fit together and are no conflict. Figures are grouped by what they
measure (`measures.same_measure`: one kind, the same counted noun, the same words around them,
the same subject and time). Two sources disagree when no figure one states fits a figure the
other states, or when one refutes ("not the 120 we were told") what the other states.

Each conflict is titled by what is measured ("Emergency loan to the port: €5 million, €6
million, 7 million euros") and lists each value with the sources that give it, each with a short
verbatim passage around its figure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from briefing.assemble.measures import (
    SAME,
    Measured,
    measure_figures,
    measure_phrase,
    measure_score,
)
from briefing.models import Citation, Claim, Conflict, ConflictValue, Document

MAX_CONFLICTS = 6
_CANDIDATES = 32  # earlier figures a figure is scored against: those sharing most words
_MAX_POSTING = 200  # a measure word in more groups than this tells none apart


def find_conflicts(
    claims: Sequence[Claim], docs: Sequence[Document], limit: int = MAX_CONFLICTS
) -> list[Conflict]:
    """Conflicts among the figures of the claims' cited passages, the most widely sourced
    first; at most `limit`."""
    measured = measure_figures(claims, docs)
    conflicts = [c for c in map(_conflict, _group(measured)) if c is not None]
    conflicts.sort(key=lambda c: -sum(len(v.citations) for v in c.values))
    for n, conflict in enumerate(conflicts, 1):
        conflict.id = f"d{n}"
    return conflicts[:limit]


def mark_disputed(claims: Sequence[Claim], conflicts: Sequence[Conflict]) -> None:
    """Mark each claim that states a figure another source gives differently: a claim whose
    cited passage holds one of a conflict's values gets that conflict's ID (`Claim.disputed`),
    so the reader of '... on 4 March' learns that a source says 6 March."""
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for conflict in conflicts:
        for value in conflict.values:
            for cit in value.citations:
                spans.setdefault(cit.source, []).append((cit.start, cit.end, conflict.id))
    for claim in claims:
        for cit in claim.citations:
            hit = next(
                (cid for s, e, cid in spans.get(cit.source, ()) if s < cit.end and cit.start < e),
                None,
            )
            if hit:
                claim.disputed = hit
                break


def _group(measured: Sequence[Measured]) -> list[list[Measured]]:
    """Figures grouped by measure: the pairs that measure the same thing (`measure_score`) are
    joined surest first, unless a source would then give one group values that do not fit
    each other (two measures of one sentence, like 'domestic students 4.5%, international
    almost 10%'). Each figure is scored only against earlier figures that share one of its
    measure words (an inverted index), so the work stays near-linear."""
    edges: list[tuple[float, int, int]] = []
    index: dict[tuple[str, str], list[int]] = {}
    for i, m in enumerate(measured):
        family = f"{m.figure.kind}:{m.figure.currency or ''}"
        keys = [(family, t) for t in sorted(m.terms | ({m.unit} if m.unit else set()))]
        keys.append((family, f"={m.figure.value:g}"))  # the same value: one measure, or none
        candidates: Counter[int] = Counter()
        for key in keys:
            posting = index.get(key, ())
            if len(posting) <= _MAX_POSTING:
                candidates.update(posting)
        for j, _ in candidates.most_common(_CANDIDATES):
            if measured[j].source != m.source:
                score = measure_score(measured[j], m)
                if score >= SAME:
                    edges.append((score, j, i))
        for key in keys:
            index.setdefault(key, []).append(i)
    edges += _contrasts(measured)
    parent = list(range(len(measured)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(measured))}
    by_source: dict[int, dict[str, list[int]]] = {
        i: {m.source: [i]} for i, m in enumerate(measured)
    }

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    joined = {(j, i) for _, j, i in edges}
    for _, j, i in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        a, b = root(j), root(i)
        if a == b or _contradict(measured, by_source[a], by_source[b]):
            continue
        refutes = measured[i].figure.refuted or measured[j].figure.refuted
        if not refutes and not _mostly_joined(measured, members[a], members[b], joined):
            continue  # a chain: A is like B and B like C, but A is not like C (a figure one
            # source refutes links what it names, whatever else: 'not the 120 we were told')
        parent[b] = a
        members[a] += members.pop(b)
        for source, ids in by_source.pop(b).items():
            by_source[a].setdefault(source, []).extend(ids)
    return [[measured[i] for i in sorted(ms)] for ms in members.values()]


_SAMPLE = 8  # members of each group compared when two groups would join
_CONTRAST = 100.0  # 'the port says 90 jobs, not the 120 we were told': one measure


def _contrasts(measured: Sequence[Measured]) -> list[tuple[float, int, int]]:
    """A sentence that states one figure and refutes another of the same kind and noun speaks
    of one measure: the two are joined first, whatever else."""
    by_sentence: dict[tuple[str, int], list[int]] = {}
    for i, m in enumerate(measured):
        by_sentence.setdefault((m.source, m.sentence_at), []).append(i)
    edges = []
    for ids in by_sentence.values():
        for i in ids:
            for j in ids:
                a, b = measured[i], measured[j]
                if (
                    i < j
                    and a.figure.refuted != b.figure.refuted
                    and a.figure.kind == b.figure.kind
                    and a.unit == b.unit
                ):
                    edges.append((_CONTRAST, i, j))
    return edges


def _mostly_joined(
    measured: Sequence[Measured], xs: Sequence[int], ys: Sequence[int], joined: set
) -> bool:
    """True when at least half the pairs of stated figures of different sources across xs and
    ys measure the same thing: two groups join as a whole, not through one member."""
    pairs = hits = 0
    stated = [(y, measured[y].source) for y in ys[:_SAMPLE] if not measured[y].figure.refuted]
    for x in xs[:_SAMPLE]:
        a = measured[x]
        if a.figure.refuted:
            continue
        for y, source in stated:
            if a.source != source:
                pairs += 1
                hits += ((x, y) if x < y else (y, x)) in joined
    return pairs == 0 or hits * 2 >= pairs


def _contradict(
    measured: Sequence[Measured], xs: dict[str, list[int]], ys: dict[str, list[int]]
) -> bool:
    """True when a source states, in two groups together, values that do not fit each other
    (the groups' figures by source)."""
    for source in xs.keys() & ys.keys():
        for i in xs[source]:
            a = measured[i].figure
            for j in ys[source]:
                b = measured[j].figure
                if not a.refuted and not b.refuted and not a.fits(b):
                    return True
    return False


def _disagree(xs: Sequence[Measured], ys: Sequence[Measured]) -> bool:
    """Two sources disagree when none of the figures one states fits one the other states, or
    one refutes what the other states."""
    stated_x = [m.figure for m in xs if not m.figure.refuted]
    stated_y = [m.figure for m in ys if not m.figure.refuted]
    if not stated_x or not stated_y:
        return False
    if not any(a.fits(b) for a in stated_x for b in stated_y):
        return True
    refuted_x = [m.figure for m in xs if m.figure.refuted]
    refuted_y = [m.figure for m in ys if m.figure.refuted]
    return any(r.value == s.value for r in refuted_x for s in stated_y) or any(
        r.value == s.value for r in refuted_y for s in stated_x
    )


def _conflict(group: Sequence[Measured]) -> Conflict | None:
    by_source: dict[str, list[Measured]] = {}
    for m in group:
        by_source.setdefault(m.source, []).append(m)
    if len(by_source) < 2:
        return None
    sources = sorted(by_source)
    disputed: set[str] = set()
    for i, x in enumerate(sources):
        for y in sources[i + 1 :]:
            if _disagree(by_source[x], by_source[y]):
                disputed.update((x, y))
    if not disputed:
        return None
    # One value per reading: '€5 million' and '5m euros' are one value, the wording of the
    # first source shown; values no one disputes (a figure that fits every other) are left out.
    values: dict[tuple[str, float, str | None], list[Measured]] = {}
    for m in group:
        if m.figure.refuted or m.source not in disputed:
            continue
        f = m.figure
        values.setdefault((f.kind, round(f.low, 6), f.qualifier), []).append(m)
    kept = {
        key: ms
        for key, ms in values.items()
        if any(not ms[0].figure.fits(other[0].figure) for k2, other in values.items() if k2 != key)
    }
    if len(kept) < 2:
        return None
    ordered = sorted(kept.values(), key=lambda ms: (ms[0].figure.low, ms[0].source))  # least first
    shown = [ms[0].shown for ms in ordered]
    measure = measure_phrase(group)
    return Conflict(
        id="",
        title=f"{measure}: {', '.join(shown)}",
        measure=measure,
        values=[ConflictValue(value=ms[0].shown, citations=_one_per_source(ms)) for ms in ordered],
    )


def _one_per_source(ms: Sequence[Measured]) -> list[Citation]:
    seen: dict[str, Citation] = {}
    for m in ms:
        seen.setdefault(m.source, m.citation)
    return [seen[s] for s in sorted(seen)]
