"""Trust figures: conflicts found on corpora with planted disagreements, and claims that say
more than the files they cite.

    python bench/trust.py [CORPUS ...]        # default: tests/corpora/disagree_dev

For each corpus (a folder of documents with a manifest.json, see tests/corpora/README.md) the
extractive pipeline is run in-process and the script prints:

- planted conflicts found as one entry holding every planted value with its files, found only
  in part (some values, or in several entries), and missed;
- entries that are false: they match no planted conflict, or pair values of a planted agreement;
- claims that cite a file whose quotes lack one of the claim's figures or names, and claims
  citing a hazard sentence for a value it refutes.

`--careless SHARE` also builds each corpus with the LLM engine against the fake server on
127.0.0.1 whose model changes a figure in SHARE of its claims and key points (stubbornly:
asking again does not help), and counts printed claims with a figure or name outside their
quotes, re-asks and fallbacks.

tests/corpora/disagree_holdout is for a final measurement only: never tune code to it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.assemble.conflicts import find_conflicts  # noqa: E402
from briefing.assemble.figures import Figure, figures  # noqa: E402
from briefing.assemble.grounding import ground  # noqa: E402
from briefing.assemble.merging import merge  # noqa: E402
from briefing.assemble.support import unsupported  # noqa: E402
from briefing.engines.extractive import ExtractiveEngine  # noqa: E402
from briefing.ingest.chunking import chunk_documents  # noqa: E402
from briefing.ingest.sources import load_documents  # noqa: E402
from briefing.models import Claim, Conflict  # noqa: E402


def _figure(text: str) -> Figure | None:
    found = figures(text)
    return found[0] if found else None


def _same(a: str, b: str) -> bool:
    """Two value texts give the same figure ('€6m' and '€6 million')."""
    fa, fb = _figure(a), _figure(b)
    if fa is None or fb is None:
        return a.strip().lower() == b.strip().lower()
    return fa.kind == fb.kind and abs(fa.value - fb.value) <= 1e-6 * max(abs(fa.value), 1)


def _entry_values(entry: Conflict) -> dict[str, set[str]]:
    return {v.value: {c.source for c in v.citations} for v in entry.values}


def _match(planted: dict[str, list[str]], entry: Conflict) -> tuple[int, int]:
    """(planted values the entry holds, each as a value of its own with one of its planted
    files, and of those how many list all their planted files)."""
    held = exact = 0
    values = _entry_values(entry)
    used: set[str] = set()
    for value, files in planted.items():
        hit = [v for v in values if v not in used and _same(v, value) and values[v] & set(files)]
        if hit:
            used.add(hit[0])
            held += 1
            exact += set(files) <= values[hit[0]]
    return held, exact


def evaluate_conflicts(entries: list[Conflict], manifest: dict) -> dict:
    found = partial = 0
    used: set[str] = set()
    missed: list[str] = []
    for planted in manifest["conflicts"]:
        held, exact = max((_match(planted["values"], e) for e in entries), default=(0, 0))
        if held == len(planted["values"]) and exact == held:
            found += 1
        elif held >= 2:
            partial += 1
            missed.append(f"(in part) {planted['measure']}")
        else:
            missed.append(planted["measure"])
        for e in entries:
            if _match(planted["values"], e)[0] >= 2:
                used.add(e.id)
    false_entries = [e for e in entries if e.id not in used]
    agreeing = [
        e for e in entries for a in manifest.get("agreements", []) if _match(a["values"], e)[0] >= 2
    ]
    return {
        "planted": len(manifest["conflicts"]),
        "found": found,
        "partial": partial,
        "missed": missed,
        "missed_count": sum(not m.startswith("(in part)") for m in missed),
        "entries": len(entries),
        "false": [e.title for e in false_entries],
        "agreeing": [e.title for e in agreeing],
    }


def unsupported_citations(claims: list[Claim]) -> list[str]:
    """'claim text [file]: what it lacks' for every claim citing a file whose quotes lack one of
    its figures or names."""
    out = []
    for claim in claims:
        quotes: dict[str, list[str]] = {}
        for cit in claim.citations:
            quotes.setdefault(cit.source, []).append(cit.quote)
        for source, qs in quotes.items():
            missing = unsupported(claim.text, qs)
            if missing:
                out.append(f"{claim.text[:70]} [{source}]: {missing}")
    return out


def hazard_citations(claims: list[Claim], manifest: dict) -> list[str]:
    out = []
    for hazard in manifest.get("hazards", []):
        for claim in claims:
            cites = any(
                (c.source == hazard["file"] and hazard["sentence"] in c.quote)
                or (c.source == hazard["file"] and c.quote in hazard["sentence"])
                for c in claim.citations
            )
            if not cites:
                continue
            for value in hazard.get("does_not_support", []):
                stated = [f for f in figures(claim.text) if not f.refuted and _same(f.text, value)]
                if stated and not any(_same(s, value) for s in hazard.get("supports", [])):
                    out.append(f"{claim.text[:70]} cites {hazard['file']} for {value}")
    return out


def extractive(folder: Path) -> tuple[list[Claim], list[Conflict]]:
    docs, _ = load_documents([folder])
    facts = ExtractiveEngine().extract(docs, chunk_documents(docs)).facts
    claims = merge(ground(facts, docs).facts)
    return claims, find_conflicts(claims, docs, limit=1000)


def careless_run(folder: Path, share: float) -> dict:
    from briefing.deliver.audiences import load_audience
    from briefing.engines.factory import EngineConfig, make_engine
    from briefing.pipeline import BuildOptions, build
    from tests.support.fake_model import ModelResponder
    from tests.support.openai_server import FakeOpenAIServer

    model = ModelResponder(careless=share, stubborn=True)
    with FakeOpenAIServer(responder=model) as srv, tempfile.TemporaryDirectory() as cache:
        engine, _ = make_engine(
            EngineConfig(engine="llm", base_url=srv.base_url, cache_dir=cache),
            notice=lambda m: None,
        )
        budget = load_audience("analyst").budget
        b = build([folder], engine, BuildOptions(audience="analyst", budget=budget))
    printed = b.key_points + [c for s in b.sections for c in s.claims] + b.watch
    usage = b.stats.usage
    return {
        "changed by the model": model.changed,
        "printed claims": len(printed),
        "printed with a figure or name outside their quotes": len(unsupported_citations(printed)),
        "re-asks": usage.reasks if usage else 0,
        "fallbacks": usage.fallbacks if usage else 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="*", default=[str(ROOT / "tests/corpora/disagree_dev")])
    parser.add_argument("--careless", type=float, default=0.0, metavar="SHARE")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    for corpus in map(Path, args.corpora):
        manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
        claims, entries = extractive(corpus)
        result = evaluate_conflicts(entries, manifest)
        bad = unsupported_citations(claims)
        hazards = hazard_citations(claims, manifest)
        print(f"## {corpus.name}: {len(claims)} claims, {len(entries)} conflict entries")
        print(
            f"planted conflicts {result['planted']}: found {result['found']}, "
            f"partly {result['partial']}, missed {result['missed_count']}"
        )
        print(
            f"false entries {len(result['false'])}, entries pairing agreeing figures "
            f"{len(result['agreeing'])}"
        )
        print(f"claims citing a file that lacks a figure or name: {len(bad)}")
        print(f"claims citing a hazard sentence for a value it refutes: {len(hazards)}")
        if args.verbose:
            for entry in entries:
                print(f"  entry: {entry.title}  {_entry_values(entry)}")
            for m in result["missed"]:
                print(f"  missed: {m}")
            for f in result["false"]:
                print(f"  false: {f}")
            for f in result["agreeing"]:
                print(f"  pairs agreeing figures: {f}")
            for line in bad + hazards:
                print(f"  unsupported: {line}")
        if args.careless:
            print(f"careless model ({args.careless:.0%} of claims changed):")
            for k, v in careless_run(corpus, args.careless).items():
                print(f"  {k}: {v}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
