"""Generate a news-like corpus of N documents, deterministic for a seed, from what the repository
ships: the sentences of seeds/*.txt (with their names, places and bodies swapped for each story)
and the small vocabulary in bench/vocabulary.py. No downloads.

    python bench/corpus.py OUT_DIR N [--seed S]

What merging gets to work on:

- stories ("events"), about one per 8 documents, covered by a skewed number of documents each
  (a few by dozens, most by a handful);
- each event's statements, quoted by every document that covers it, attributed to the same
  speaker but worded differently ('"...," Sharma said.' / 'President Anil Sharma said: "..."');
- each event's facts, repeated with different lead-ins ("Officials said ...");
- each event's figures: the same measure, mostly with the same value, sometimes with another
  (so "where sources differ" has something to find);
- sentences of the seeds, rewritten with the event's people and places;
- stories told only once (different actors, places, numbers, dates);
- low-news sentences (hedges, questions, headings, list items);
- a date line (' date 2025-12-03 ...' or '- Dec 4, 2025,'), a title line, page furniture
  ('- Views: 8', '- |', 'Based On ANI Report', 'Source: URL') and paragraphs separated by one,
  two or five line breaks.

Documents are about 3 KB (1.5-5 KB; about one in 25 is 7-11 KB, more than one LLM chunk), so
10,000 documents are about 30 MB. Document i depends only on (seed, i, N).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import os
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import vocabulary as V

ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT / "seeds"
DOCS_PER_EVENT = 8
MEAN_BYTES = 3000
BASE_DATE = dt.date(2025, 1, 6)
MONTHS = [dt.date(2025, m, 1).strftime("%B") for m in range(1, 13)]


# -- seed sentences ---------------------------------------------------------------------------


@functools.cache
def seed_sentences() -> tuple[str, ...]:
    """The sentences of seeds/*.txt that read as content (no furniture, no fragments), once
    each, in a stable order."""
    out: dict[str, None] = {}
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = re.sub(r"^\s*date \d{4}-\d{2}-\d{2}\s*", "", line).strip()
            line = re.sub(r"^[A-Z][\w ]+ \[[A-Za-z ]+\], [A-Z][a-z]+ \d{1,2} : ", "", line)
            if not line or line.startswith(("-", "Source:")) or len(line.split()) < 8:
                continue
            for sentence in re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"”]))\s+(?=[\"“A-Z])", line):
                sentence = sentence.strip()
                if len(sentence.split()) >= 8 and sentence[-1] in '.!"”':
                    out.setdefault(sentence, None)
    if not out:
        raise SystemExit(f"no seed sentences found in {SEEDS_DIR}")
    return tuple(out)


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    first: str
    sur: str
    title: str
    adj: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.sur}"


@dataclass(frozen=True)
class Event:
    index: int
    date: dt.date
    a: tuple[str, str, str, str]  # name, adjective, capital, seat
    b: tuple[str, str, str, str]
    c: tuple[str, str, str, str]
    leader_a: Person
    leader_b: Person
    leader_c: Person
    spokes: Person
    minister: Person
    agency_head: Person
    topic: str
    nouns: tuple[str, ...]
    slots: dict
    statements: tuple[tuple[Person, str], ...]
    facts: tuple[str, ...]
    measures: tuple[tuple[str, str, float, float], ...]  # text, kind, value, other value
    seed_lines: tuple[str, ...]


def _person(rng: random.Random, title: str, adj: str) -> Person:
    return Person(rng.choice(V.FIRST_NAMES), rng.choice(V.SURNAMES), title, adj)


def _long_date(d: dt.date) -> str:
    return f"{d:%B} {d.day}"


@functools.cache
def make_event(seed: int, k: int) -> Event:
    rng = random.Random(f"{seed}:event:{k}")
    a, b, c = rng.sample(V.COUNTRIES, 3)
    date = BASE_DATE + dt.timedelta(days=(k * 3) % 700 + rng.randrange(3))
    leader_a = _person(rng, rng.choice(V.HEAD_ROLES), a[1])
    leader_b = _person(rng, rng.choice(V.HEAD_ROLES), b[1])
    leader_c = _person(rng, rng.choice(V.HEAD_ROLES), c[1])
    spokes = _person(rng, rng.choice(V.SPOKES_ROLES), a[1])
    minister = _person(rng, rng.choice(V.MINISTER_ROLES), a[1])
    agency_head = _person(rng, "Director General", a[1])
    topic = rng.choice(sorted(V.TOPICS))
    nouns = tuple(rng.sample(V.TOPICS[topic], 3))
    company, company2 = rng.sample(V.COMPANIES, 2)
    end = date + dt.timedelta(days=1)
    slots = {
        "A": a[0],
        "adjA": a[1],
        "capA": a[2],
        "B": b[0],
        "adjB": b[1],
        "capB": b[2],
        "titleA": leader_a.title,
        "leaderA": leader_a.full,
        "titleB": leader_b.title,
        "leaderB": leader_b.full,
        "minister_title": minister.title,
        "minister": minister.full,
        "spokes_adj": a[1],
        "spokes_title": spokes.title,
        "spokes": spokes.full,
        "dates": f"{date:%B} {date.day}-{end.day}" if end.month == date.month else _long_date(date),
        "datefull": f"{_long_date(date)}, {date.year}",
        "ordinal": rng.choice(V.ORDINALS),
        "k": rng.randint(4, 24),
        "n1": nouns[0],
        "n2": nouns[1],
        "n3": nouns[2],
        "topic": topic,
        "Topic": topic.capitalize(),
        "platform": rng.choice(V.PLATFORMS),
        "plant": rng.choice(V.PLANTS),
        "company": company,
        "company2": company2,
        "money": rng.randint(2, 60),
        "target": rng.choice([50, 75, 100, 150, 200]),
        "year_target": date.year + rng.choice([3, 5, 10]),
        "agency": rng.choice(V.AGENCIES).removeprefix("the "),
        "weekday": V.WEEKDAYS[date.weekday()],
        "city": rng.choice(V.CITIES),
        "noun": nouns[0],
    }
    speakers = [leader_a, spokes, minister, leader_b]
    statements = tuple(
        (speakers[i % len(speakers)], template.format(**slots))
        for i, template in enumerate(rng.sample(V.STATEMENTS, rng.randint(4, 6)))
    )
    facts = tuple(t.format(**slots) for t in rng.sample(V.EVENT_FACTS, rng.randint(3, 5)))
    measures = []
    for template, kind, (lo, hi) in rng.sample(V.MEASURES, rng.randint(2, 3)):
        text = template.format(**slots)
        value = rng.randint(lo, hi) if hi > 100 else round(rng.uniform(lo, hi), rng.choice([0, 1]))
        other = value * rng.choice([0.8, 0.9, 1.1, 1.25])
        other = round(other) if float(value).is_integer() else round(other, 1)
        measures.append((text, kind, float(value), float(other)))
    lines = seed_sentences()
    picked = rng.sample(range(len(lines)), min(len(lines), 14))
    mapping = _seed_mapping(
        slots,
        a,
        b,
        c,
        leader_a,
        leader_b,
        leader_c,
        spokes,
        minister,
        agency_head,
        outlet=rng.choice(V.OUTLETS),
    )
    seed_lines = tuple(_substitute(lines[i], mapping) for i in sorted(picked))
    return Event(
        k,
        date,
        a,
        b,
        c,
        leader_a,
        leader_b,
        leader_c,
        spokes,
        minister,
        agency_head,
        topic,
        nouns,
        slots,
        statements,
        facts,
        tuple(measures),
        seed_lines,
    )


def _seed_mapping(slots, a, b, c, la, lb, lc, spokes, minister, agency_head, outlet):
    platforms = [p.removeprefix("the ") for p in V.PLATFORMS]
    rng = random.Random(slots["leaderA"] + slots["leaderB"])
    p1, p2, p3 = rng.sample(platforms, 3)
    return {
        "President Vladimir Putin": f"{la.title} {la.full}",
        "Prime Minister Narendra Modi": f"{lb.title} {lb.full}",
        "PM Modi": f"{lb.title} {lb.sur}",
        "Vladimir Putin": la.full,
        "Putin": la.sur,
        "Narendra Modi": lb.full,
        "Modi": lb.sur,
        "Xi Jinping": lc.full,
        "Dmitry Peskov": spokes.full,
        "Dimitry Peskov": spokes.full,
        "Peskov": spokes.sur,
        "Dmitry Bakanov": agency_head.full,
        "Bakanov": agency_head.sur,
        "Denis Manturov": minister.full,
        "Manturov": minister.sur,
        "the Kremlin": a[3],
        "Kremlin": f"{a[1]} government",
        "Roscosmos": f"{a[1]} space agency",
        "Izvestia": outlet,
        "India Today": outlet,
        "Aaj Tak": "Global Wire",
        "Kudankulam": slots["plant"],
        "BrahMos": p1,
        "Brahmos": p1,
        "S-400": p2,
        "S-500": p2 + "M",
        "Su-57": p3,
        "SU-57": p3,
        "SU57": p3,
        "23rd": slots["ordinal"],
        "India-Russia": f"{b[0]}-{a[0]}",
        "Russia-India": f"{a[0]}-{b[0]}",
        "Indian": b[1],
        "India": b[0],
        "Russian": a[1],
        "Russia": a[0],
        "Chinese": c[1],
        "China": c[0],
        "Beijing": c[2],
        "New Delhi": b[2],
        "Delhi": b[2],
        "Moscow": a[2],
    }


def _substitute(text: str, mapping: dict[str, str]) -> str:
    keys = sorted(mapping, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\w])")
    return pattern.sub(lambda m: mapping[m.group(0)], text)


# -- documents --------------------------------------------------------------------------------


def event_count(n_docs: int) -> int:
    return max(3, round(n_docs / DOCS_PER_EVENT))


def _pick_event(rng: random.Random, events: int) -> int:
    return min(events - 1, int(events * rng.random() ** 1.6))  # skewed: low indexes are big


def _format_value(rng: random.Random, kind: str, value: float) -> str:
    number = f"{value:g}" if value < 1000 else f"{int(value):,}"
    if kind == "pct":
        return number + rng.choice(["%", " per cent", " percent", "%"])
    if kind == "usd_bn":
        return rng.choice([f"${number} billion", f"US${number} billion", f"${number} billion"])
    unit = kind.split(":", 1)[1]
    return f"{number} {unit}"


class _Writer:
    """Sentences for one document, drawn from its event(s) and from one-off stories."""

    def __init__(self, rng: random.Random, event: Event, second: Event | None):
        self.rng = rng
        self.event = event
        self.second = second
        self.statements = list(event.statements)
        rng.shuffle(self.statements)
        self.facts = list(event.facts)
        rng.shuffle(self.facts)
        self.seed_lines = list(event.seed_lines)
        rng.shuffle(self.seed_lines)
        self.measures = list(event.measures)
        self.outlet = rng.choice(V.OUTLETS)
        self.last_speaker: Person | None = None

    def fill(self, template: str, **extra) -> str:
        ev = self.event
        s = dict(ev.slots)
        s.update(
            sur=ev.leader_a.sur,
            outlet=self.outlet,
            n1=ev.nouns[0],
            n2=ev.nouns[1],
        )
        s.update(extra)
        return template.format(**s)

    def statement(self) -> str | None:
        if not self.statements:
            return None
        speaker, quote = self.statements.pop()
        forms = V.ATTRIBUTIONS if self.last_speaker == speaker else V.ATTRIBUTIONS[:-1]
        form = self.rng.choice(forms)
        self.last_speaker = speaker
        return form.format(
            q=quote,
            full=speaker.full,
            sur=speaker.sur,
            title=speaker.title,
            title_lower=speaker.title.lower(),
            adj=speaker.adj,
            weekday=self.rng.choice(V.WEEKDAYS),
            city=self.event.slots["capB"],
            outlet=self.outlet,
        )

    def fact(self) -> str | None:
        if not self.facts:
            return None
        lead = self.fill(self.rng.choice(V.FACT_LEADS))
        fact = self.facts.pop()
        if lead:
            fact = lead + fact[0].lower() + fact[1:] if fact.startswith("The ") else lead + fact
        return fact

    def figure(self) -> str | None:
        if not self.measures:
            return None
        text, kind, value, other = self.measures.pop(self.rng.randrange(len(self.measures)))
        shown = other if self.rng.random() < 0.25 else value
        template = self.rng.choice(V.FIGURE_SENTENCES)
        year = self.event.date.year - self.rng.choice([0, 1])
        sentence = template.format(
            measure=text,
            Measure=text[0].upper() + text[1:],
            value=_format_value(self.rng, kind, shown),
            year=year,
            org=self.rng.choice(V.ORGANISATIONS),
            sur=self.event.minister.sur,
        )
        return sentence

    def seed_line(self) -> str | None:
        return self.seed_lines.pop() if self.seed_lines else None

    def story(self) -> str:
        rng = self.rng
        country = rng.choice(V.COUNTRIES)
        topic = rng.choice(sorted(V.TOPICS))
        d = self.event.date - dt.timedelta(days=rng.randrange(60))
        return rng.choice(V.STORIES).format(
            city=rng.choice(V.CITIES),
            person=f"{rng.choice(V.FIRST_NAMES)} {rng.choice(V.SURNAMES)}",
            person2=f"{rng.choice(V.FIRST_NAMES)} {rng.choice(V.SURNAMES)}",
            company=rng.choice(V.COMPANIES),
            money=rng.randint(3, 950),
            noun=rng.choice(V.TOPICS[topic]),
            year=d.year + rng.randint(0, 4),
            k=rng.randint(2, 40),
            k2=rng.randint(2, 12),
            weekday=rng.choice(V.WEEKDAYS),
            org=rng.choice(V.ORGANISATIONS),
            org_cap=rng.choice(V.ORGANISATIONS)[0].upper() + rng.choice(V.ORGANISATIONS)[1:],
            country=country[0],
            adj=country[1],
            pct=f"{rng.uniform(0.5, 18):.1f}%",
            minister_title=rng.choice(V.MINISTER_ROLES),
            datefull=f"{d:%B} {d.day}, {d.year}",
            region=rng.choice(V.REGIONS),
            month=rng.choice(MONTHS),
            tonnes=f"{rng.randint(20, 900) * 1000:,}",
            temp=rng.randint(28, 47),
        )

    def background(self) -> str:
        return self.fill(self.rng.choice(V.BACKGROUND))

    def other_event(self) -> str | None:
        if self.second is None:
            return None
        other = _Writer(self.rng, self.second, None)
        return other.fact() or other.statement()


def make_document(i: int, n_docs: int, seed: int = 0, size: int | None = None) -> tuple[str, str]:
    """(file name, text) of document `i` of a corpus of `n_docs` documents."""
    rng = random.Random(f"{seed}:doc:{i}")
    events = event_count(n_docs)
    event = make_event(seed, _pick_event(rng, events))
    second = make_event(seed, _pick_event(rng, events)) if rng.random() < 0.3 else None
    if size is None:
        if rng.random() < 0.04:
            size = rng.randint(7000, 11000)
        else:
            size = max(1500, min(5000, int(rng.gauss(MEAN_BYTES - 650, 600))))
    w = _Writer(rng, event, second)
    doc_date = event.date + dt.timedelta(days=rng.randrange(3))
    style = rng.choices(["dated", "titled", "updated", "plain"], [35, 30, 20, 15])[0]
    sep = rng.choices(["\n\n", "\n", "\n\n\n\n\n"], [60, 25, 15])[0]

    header: list[str] = []
    title = w.fill(
        rng.choice(
            [
                "{leaderA} to visit {B} as {topic} deals take shape",
                "{A} and {B} eye new {topic} agreements ahead of summit",
                "{A}-{B} talks: {n1} and {n2} on the agenda",
                "{titleA} {leaderA} says ties with {B} will reach a new level",
            ]
        )
    )
    if style in ("titled", "updated"):
        header.append(title)
    if style == "titled":
        header += [w.fill(line, views=rng.randint(1, 9000)) for line in V.FURNITURE_TOP]
        header.append("")
    if style == "updated":
        header.append(w.fact() or w.background())
        header.append("")
        header.append(f"- {doc_date:%b} {doc_date.day}, {doc_date.year},")
        header.append(
            f"- Updated {doc_date:%b} {doc_date.day}, {doc_date.year} "
            f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(['AM', 'PM'])} IST"
        )

    kinds = ["statement", "fact", "figure", "seed", "story", "background", "other"]
    weights = [26, 14, 9, 20, 20, 6, 5]
    paragraphs: list[str] = []
    body_len = 0
    first = True
    while body_len < size:
        roll = rng.random()
        if not first and roll < 0.05:
            paragraphs.append(w.fill(rng.choice(V.QUESTIONS)))
        elif not first and roll < 0.09:
            paragraphs.append(w.fill(rng.choice(V.HEADINGS)))
        elif not first and roll < 0.13:
            topic_nouns = V.TOPICS[event.topic]
            items = rng.sample(topic_nouns, min(len(topic_nouns), rng.randint(2, 4)))
            lead = rng.choice(V.LIST_LEADS)
            paragraphs.append("\n".join([lead] + [f"- {x[0].upper()}{x[1:]}" for x in items]))
        else:
            sentences = []
            for _ in range(rng.randint(1, 4)):
                kind = rng.choices(kinds, weights)[0]
                sentence = {
                    "statement": w.statement,
                    "fact": w.fact,
                    "figure": w.figure,
                    "seed": w.seed_line,
                    "story": w.story,
                    "background": w.background,
                    "other": w.other_event,
                }[kind]()
                sentences.append(sentence or w.story())
            if first:
                lead = w.fact() or sentences[0]
                sentences[0] = lead
                if rng.random() < 0.5:
                    city = event.slots["capA"]
                    sentences[0] = (
                        f"{city} [{event.a[0]}], {doc_date:%B} {doc_date.day} : {sentences[0]}"
                    )
                if style == "dated":
                    sentences[0] = f" date {doc_date.isoformat()} {sentences[0]}"
                first = False
            paragraphs.append(" ".join(sentences))
        body_len += len(paragraphs[-1].encode("utf-8")) + len(sep)

    footer: list[str] = []
    if rng.random() < 0.35:
        footer.append(w.fill(rng.choice(V.FURNITURE_END)))
    if rng.random() < 0.3:
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        footer.append(f"Source: https://news.example.com/world/{slug}-{i}")

    text = "\n".join(header) + ("\n" if header else "") + sep.join(paragraphs)
    if footer:
        text += sep + "\n".join(footer)
    text += "\n"
    digest = hashlib.sha1(f"{seed}:{i}".encode()).hexdigest()[:16]
    return f"{i:05d}_{digest}.txt", text


def write_corpus(out_dir: str | Path, n_docs: int, seed: int = 0, start: int = 0) -> int:
    """Write documents start..n_docs-1 of the corpus into `out_dir`; returns the bytes written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(start, n_docs):
        name, text = make_document(i, n_docs, seed)
        data = text.encode("utf-8")
        (out / name).write_bytes(data)
        total += len(data)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", help="folder to write the .txt files into (created)")
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    t0 = time.perf_counter()
    total = write_corpus(args.out_dir, args.n, args.seed)
    seconds = time.perf_counter() - t0
    print(f"# corpus: {args.n} documents, seed {args.seed} -> {args.out_dir}")
    print(f"cores (os.cpu_count()): {os.cpu_count()}\n")
    print("| documents | events | MB | KB per document | seconds |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {args.n:,} | {event_count(args.n):,} | {total / 1e6:.1f} | "
        f"{total / args.n / 1e3:.2f} | {seconds:.1f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
