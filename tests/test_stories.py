"""Stories: documents grouped by what they report, titled by their names; sections by story."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.assemble import stories
from briefing.assemble.stories import OTHER, assign, find_stories, headline
from briefing.ingest.sources import load_documents
from briefing.models import Citation, Claim, Document
from briefing.pipeline import build

CORPORA = Path(__file__).resolve().parent / "corpora"
SEEDS = CORPORA.parent.parent / "seeds"
WEEKDAYS_AND_MONTHS = {
    *"Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    *"January February March April May June July August September October November".split(),
    "December",
}


def doc(n: str, text: str) -> Document:
    return Document(id=n, path=f"{n}.txt", text=text, body=[(0, len(text))], sha256="0")


def manifest_stories(folder: Path) -> dict[str, str]:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {Path(f).stem: s for s, files in data["stories"].items() for f in files}


@pytest.mark.parametrize(
    "corpus", ["stories_dev", "stories_dev2", "stories_languages", "disagree_dev", "disagree_dev2"]
)
def test_documents_of_unrelated_stories_are_grouped_by_story(corpus):
    docs, _ = load_documents([CORPORA / corpus])
    truth = manifest_stories(CORPORA / corpus)
    found = find_stories(docs)
    assert len(found) == len(set(truth.values()))
    for story in found:
        assert len({truth[s] for s in story.sources}) == 1, story


def test_sections_are_stories_and_key_points_span_them():
    briefing = build([CORPORA / "stories_dev"])
    truth = manifest_stories(CORPORA / "stories_dev")
    assert len(briefing.sections) == 4
    for section in briefing.sections:
        assert len(section.claims) >= 2
        assert len({truth[c.source] for x in section.claims for c in x.citations}) == 1
    assert len({truth[c.citations[0].source] for c in briefing.key_points}) == 4
    for word in briefing.title.replace(";", " ").replace(",", " ").split():
        assert word not in WEEKDAYS_AND_MONTHS
    assert "Hochfeld" in briefing.title and "Veltrix" in briefing.title


def test_a_story_is_titled_by_its_names_with_variants_folded():
    texts = [
        "Officials in Ottawa said on Monday that Canadian exports of lumber fell sharply.",
        "The Canadian government in Ottawa said lumber exports to Japan would recover.",
        "Exporters told Canada's trade minister in Ottawa that lumber prices were falling.",
        "Rescuers in Kyoto said on Tuesday that the flood had reached the old temple district.",
        "The flood in Kyoto damaged the temple district, and rescuers evacuated residents.",
        "Kyoto residents said the flood waters in the temple district were receding slowly.",
    ]
    found = find_stories([doc(f"d{n}", t) for n, t in enumerate(texts)])
    assert [sorted(s.sources) for s in found] == [["d0", "d1", "d2"], ["d3", "d4", "d5"]]
    lumber, flood = found
    assert "Ottawa" in lumber.names and "Canada" in lumber.names
    assert "Canadian" not in lumber.title and "Monday" not in lumber.title
    assert "Kyoto" in flood.names and "Tuesday" not in flood.title


def test_a_one_story_folder_gets_sub_sections_from_its_documents():
    docs, _ = load_documents([SEEDS])
    found = find_stories(docs)
    assert 2 <= len(found) <= stories.MAX_PARTS
    assert sorted(s for story in found for s in story.sources) == sorted(d.id for d in docs)
    assert headline(docs, found) == "Briefing: India, Putin and Russia"


def test_a_claim_goes_to_the_story_most_of_its_citations_come_from():
    found = [stories.Story("A", ["a1", "a2"]), stories.Story("B", ["b1"])]

    def cite(source: str) -> Citation:
        return Citation(source=source, quote="q", start=0, end=1)

    claims = [
        Claim(id="c1", text="t", citations=[cite("a1"), cite("b1"), cite("a2")]),
        Claim(id="c2", text="t", citations=[cite("b1")]),
        Claim(id="c3", text="t", citations=[cite("a1"), cite("b1")]),  # a tie: the larger
        Claim(id="c4", text="t", citations=[cite("zz")], topic=OTHER),
    ]
    assert [c.topic for c in assign(claims, found)] == ["A", "B", "A", OTHER]


def test_a_thousand_documents_of_fifty_stories_are_fifty_stories():
    """Through the inverted index (how fast is bench/readability.py's and
    bench/extractive_scale.py's to say, not a test's)."""
    words = [f"w{n}x" for n in range(400)]
    docs = []
    for n in range(1000):
        story = n % 50
        own = " ".join(words[story * 8 : story * 8 + 8])
        docs.append(doc(f"d{n}", f"Story {own} reported on {words[(n * 7) % 400]} today."))
    found = find_stories(docs)
    assert len(found) == 50
    assert all(len(s.sources) == 20 for s in found)


def test_a_folder_of_one_story_is_divided_into_parts_by_its_documents():
    common = "The Northhaven harbour council approved the ferry budget after the port vote."
    texts = [
        f"{common} Councillor Daly said the Kestrel ferry loan would cover repairs.",
        f"{common} The Kestrel ferry loan covers repairs, Councillor Daly said.",
        f"{common} Dockers at the Pier warehouse walked out over Pier wages on Monday.",
        f"{common} The Pier warehouse dockers walked out over wages at the Pier.",
    ]
    docs = [doc(f"d{n}", t) for n, t in enumerate(texts)]
    assert (
        len(
            stories._cluster(
                4, stories._edges(stories._weights([stories._terms(d) for d in docs])), stories.CUT
            )
        )
        == 1
    )  # one story at the cut-off
    parts = find_stories(docs)
    assert sorted(sorted(p.sources) for p in parts) == [["d0", "d1"], ["d2", "d3"]]
    assert any("Kestrel" in p.title or "Daly" in p.title for p in parts)
    assert any("Pier" in p.title for p in parts)


def test_a_title_does_not_name_a_story_twice():
    """A term that is part of a name already in the title ('bouches', 'Bouches-du-Rhône') is
    not added to it again."""
    stories = find_stories(load_documents([CORPORA / "stories_languages"])[0])
    for story in stories:
        words = [w.lower() for w in story.names]
        parts = [p for w in words for p in w.replace("-", " ").split()]
        assert len(parts) == len(set(parts)), story.title
