"""Readability figures: are sections stories, do key points cover the folder?

    python bench/readability.py [CORPUS ...]   # default: the stories_* and disagree_dev* corpora

For each corpus (a folder of documents with a manifest.json whose "stories" say which file
belongs to which story; see tests/corpora/README.md) the extractive pipeline runs in-process
with the default budget and the script prints:

- section purity by story: of the claims under the sections, the share that belong to their
  section's main story (a claim belongs to the story most of its citations are files of);
- stories spanned by the key points, of the stories in the folder;
- where the manifest has a "reference" (a 100-word summary written as an editor would):
  ROUGE-2 recall, stemmed, of the key points cut to 100 words, and of a LexRank baseline
  (implemented here: sentences of every document ranked by LexRank, taken in order while they
  repeat no sentence taken, cut to 100 words), in the same run, and their ratio;
- the seeds' briefing: whether it gives the visit's dates and place, lines that lean on a
  sentence before them, lines that repeat another.

tests/corpora/stories_holdout and disagree_holdout are measurement only: never tune on them.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

from _common import ROOT, SEEDS, header, met, table

from briefing.assemble.context import stands_alone
from briefing.ingest.sources import load_documents
from briefing.models import Briefing, Claim
from briefing.pipeline import build
from briefing.text import content_terms, sentence_spans, stem

CORPORA = ROOT / "tests" / "corpora"
DEFAULT = [
    "stories_dev",
    "stories_dev2",
    "stories_holdout",
    "stories_languages",
    "disagree_dev",
    "disagree_dev2",
    "disagree_dev3",
]
WORDS = 100


def story_of(claim: Claim, stories: dict[str, str]) -> str:
    votes = Counter(stories.get(c.source, "?") for c in claim.citations)
    return min(votes, key=lambda s: (-votes[s], s))


def file_stories(manifest: dict) -> dict[str, str]:
    return {Path(f).stem: story for story, files in manifest["stories"].items() for f in files}


def purity(briefing: Briefing, stories: dict[str, str]) -> float:
    right = total = 0
    for section in briefing.sections:
        counts = Counter(story_of(c, stories) for c in section.claims)
        right += max(counts.values(), default=0)
        total += len(section.claims)
    return right / total if total else 1.0


def tokens(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"\w+", text.lower())]


def rouge2(summary: str, reference: str) -> float:
    """ROUGE-2 recall: the reference's stemmed word pairs found in the summary (clipped)."""
    ref = Counter(itertools.pairwise(tokens(reference)))
    got = Counter(itertools.pairwise(tokens(summary)[:WORDS]))
    return sum(min(n, got[b]) for b, n in ref.items()) / (sum(ref.values()) or 1)


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def lexrank_summary(folder: Path) -> str:
    """The LexRank baseline (Erkan and Radev 2004, threshold 0.1): sentences of every document
    by centrality, skipping one whose cosine with a chosen one is over 0.5, to 100 words."""
    docs, _ = load_documents([folder])
    sentences = [
        d.text[s:e]
        for d in docs
        for bs, be in d.body
        for s, e in sentence_spans(d.text, bs, be)
        if len(d.text[s:e].split()) >= 5
    ]
    bags = [Counter(content_terms(s)) for s in sentences]
    df = Counter(t for b in bags for t in b)
    n = len(bags)
    vecs = []
    for bag in bags:
        v = {t: k * math.log((n + 1) / df[t]) for t, k in bag.items()}
        norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
        vecs.append({t: w / norm for t, w in v.items()})
    links = [[j for j in range(n) if cosine(vecs[i], vecs[j]) >= 0.1] for i in range(n)]
    score = [1.0 / n] * n
    for _ in range(50):
        nxt = [0.15 / n] * n
        for i, out in enumerate(links):
            for j in out:
                nxt[j] += 0.85 * score[i] / len(out)
        score = nxt
    chosen: list[int] = []
    words = 0
    for i in sorted(range(n), key=lambda i: -score[i]):
        if any(cosine(vecs[i], vecs[j]) > 0.5 for j in chosen):
            continue
        chosen.append(i)
        words += len(sentences[i].split())
        if words >= WORDS:
            break
    return " ".join(sentences[i] for i in chosen)


def measure(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    stories = file_stories(manifest)
    briefing = build([folder])
    spanned = {story_of(c, stories) for c in briefing.key_points}
    row = {
        "corpus": folder.name,
        "stories": len(manifest["stories"]),
        "sections": len(briefing.sections),
        "purity": purity(briefing, stories),
        "spanned": len(spanned),
        "title": briefing.title,
    }
    if "reference" in manifest:
        ours = " ".join(c.text for c in briefing.key_points)
        row["rouge"] = rouge2(ours, manifest["reference"])
        row["lexrank"] = rouge2(lexrank_summary(folder), manifest["reference"])
    return row


def seeds_check() -> list[str]:
    briefing = build([SEEDS])
    lines = [
        c.text
        for c in [
            *briefing.key_points,
            *briefing.watch,
            *(c for s in briefing.sections for c in s.claims),
        ]
    ]
    text = "\n".join(lines)
    out = [
        f"- title: {briefing.title}",
        f"- gives 4-5 December: {bool(re.search(r'4(?:-|–| and )5 December|December 4', text))}",
        f"- gives New Delhi: {'New Delhi' in text}",
        f"- lines leaning on a sentence before them: {sum(not stands_alone(t) for t in lines)}",
    ]
    seen: list[set[str]] = []
    repeats = 0
    for t in lines:
        terms = set(content_terms(t))
        if any(
            len(terms & s) >= 0.6 * min(len(terms), len(s)) and len(terms & s) >= 5 for s in seen
        ):
            repeats += 1
        seen.append(terms)
    out.append(f"- lines repeating another (60% of content words): {repeats}")
    return out


def main() -> None:
    names = sys.argv[1:] or DEFAULT
    header("Readability: sections by story, key points by coverage", {"corpora": ", ".join(names)})
    rows = [measure(CORPORA / n if not Path(n).is_dir() else Path(n)) for n in names]
    print(
        table(
            [
                "corpus",
                "stories",
                "sections",
                "purity",
                "stories in key points",
                "ROUGE-2 key points",
                "ROUGE-2 LexRank",
                "ratio",
            ],
            [
                [
                    r["corpus"],
                    r["stories"],
                    r["sections"],
                    r["purity"],
                    r["spanned"],
                    r.get("rouge"),
                    r.get("lexrank"),
                    (f"{r['rouge'] / r['lexrank']:.2f}x" if r.get("lexrank") else None),
                ]
                for r in rows
            ],
        )
    )
    print()
    for r in rows:
        print(f"- {r['corpus']}: {r['title']}")
    scored = [r for r in rows if "rouge" in r]
    if scored:
        ours = sum(r["rouge"] for r in scored) / len(scored)
        base = sum(r["lexrank"] for r in scored) / len(scored)
        print(
            f"\nMean ROUGE-2 recall: key points {ours:.4f}, LexRank {base:.4f}, "
            f"ratio {ours / base:.2f}x (target >= 1.15x: {met(ours >= 1.15 * base)})"
        )
    print(f"Purity >= 0.8 everywhere: {met(all(r['purity'] >= 0.8 for r in rows))}")
    four = [r for r in rows if r["stories"] >= 4]
    print(f"Key points span >= 3 stories of 4+: {met(all(r['spanned'] >= 3 for r in four))}")
    print("\n## Seeds\n")
    print("\n".join(seeds_check()))


if __name__ == "__main__":
    main()
