"""Web sources: how long fetching a feed's items takes with at most 1, 2 or 4 requests in flight
per host, against the test web site on 127.0.0.1 with every answer delayed (a distant server),
and what a second run with a state file saves (feed items briefed before are not fetched).

    python bench/web_sources.py [--items 24] [--delay 0.05]

Figures are wall-clock seconds of `briefing.ingest.web.load_web` (fetch, read, snapshot), best
of 3; compare the ratios, not the seconds, across machines.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=24)
    ap.add_argument("--delay", type=float, default=0.05)
    args = ap.parse_args()
    C.import_test_support()
    from briefing.ingest.fetching import FetchPolicy
    from briefing.ingest.web import WebOptions, load_web
    from tests.support import web_server as W

    base_title, base_date, base_paras = W.ARTICLES["storm"]
    slugs = []
    for i in range(args.items):
        slug = f"item{i:03d}"
        paragraphs = [f"Item {i}: {p}" for p in base_paras]
        W.ARTICLES[slug] = (f"{base_title} ({i})", base_date, paragraphs)
        slugs.append(slug)
    C.header(
        "Web sources: fetching a feed's items",
        {"items": args.items, "delay per answer": f"{args.delay * 1000:.0f} ms"},
    )
    rows = []
    with W.serve() as site:
        site.pages["/big.xml"] = (200, "application/rss+xml", W.rss(slugs, site.base))
        for slug in slugs:
            site.pages[f"/news/{slug}.html"] = (200, "text/html", W.article_page(slug))
        site.delay = args.delay
        first_seconds = {}
        for per_host in (1, 2, 4):
            best = float("inf")
            for _ in range(3):
                with tempfile.TemporaryDirectory() as tmp:
                    opts = WebOptions(snapshots=Path(tmp), policy=FetchPolicy(per_host=per_host))
                    start = time.perf_counter()
                    got = load_web([site.url("/big.xml")], opts)
                    best = min(best, time.perf_counter() - start)
                    assert len(got.docs) == args.items, got.notes
            first_seconds[per_host] = best
            rows.append((f"first run, {per_host} per host", f"{best:.2f}", args.items + 1))
        with tempfile.TemporaryDirectory() as tmp:
            opts = WebOptions(snapshots=Path(tmp), policy=FetchPolicy(per_host=2))
            got = load_web([site.url("/big.xml")], opts)
            seen = {key: fp for key, fp in got.items.values()}
            again = WebOptions(
                snapshots=Path(tmp), policy=FetchPolicy(per_host=2), only_new=True, seen_items=seen
            )
            before = sum(site.hits.values())
            start = time.perf_counter()
            second = load_web([site.url("/big.xml")], again)
            took = time.perf_counter() - start
            asked = sum(site.hits.values()) - before
            assert not second.docs
            rows.append(("second run, only new (nothing new)", f"{took:.2f}", asked))
    print(C.table(["run", "seconds", "requests"], rows))
    print()
    print(
        f"- 2 per host vs 1: {first_seconds[1] / first_seconds[2]:.2f}x faster; "
        f"4 per host vs 1: {first_seconds[1] / first_seconds[4]:.2f}x"
    )


if __name__ == "__main__":
    main()
