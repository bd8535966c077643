"""`briefing render`: a saved JSON briefing rendered again, for any audience and format, with no
engine and no model call; and the HTML and plain-text formats themselves."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import DISAGREE, SEEDS, run_cli
from tests.support.openai_server import FakeOpenAIServer

pytestmark = pytest.mark.e2e

HOSTILE = (
    "Ministry warns about <b>markup</b> {{ title }}\n"
    "date 2025-12-01\n\n"
    'Finance Minister Anna Berg said on Monday in Oslo that the <script>alert("x")</script> '
    "tag and the {{ 7 * 7 }} marker appeared in the 2025 budget report of 5 million euros.\n\n"
    "Anna Berg told reporters in Oslo that the Finance Ministry will publish a corrected report "
    "on Friday, December 5.\n"
)


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("render") / "brief.json"
    r = run_cli("build", DISAGREE, "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    return out


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if a.get("href"):
            self.hrefs.append(a["href"] or "")
        if a.get("id"):
            self.ids.add(a["id"] or "")


def test_audiences_render_differently_from_one_json_with_no_model_call(saved, tmp_path):
    with FakeOpenAIServer() as server:
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test"}
        outputs = {}
        for audience in ("default", "executive", "analyst"):
            for fmt in ("md", "html", "txt"):
                out = tmp_path / f"{audience}.{fmt}"
                r = run_cli("render", saved, "--audience", audience, "-o", out, env=env)
                assert r.returncode == 0, r.stderr
                outputs[audience, fmt] = out.read_text()
        assert server.request_count == 0
    for fmt in ("md", "html", "txt"):
        texts = {outputs[a, fmt] for a in ("default", "executive", "analyst")}
        assert len(texts) == 3, fmt
    assert "Where sources differ" in outputs["default", "md"]
    assert "**€5 million**: “" in outputs["default", "md"]  # each value with its quotes
    executive = outputs["executive", "md"]
    assert "Where sources differ" in executive  # briefly: each value with its files
    assert re.search(r"^- \*\*Emergency loan.*€5 million \[harbour-gazette\]", executive, re.M)
    assert outputs["executive", "md"].count("\n1. ") == 1
    assert not re.search(r"^6\. ", outputs["executive", "md"], re.MULTILINE)  # five at most
    assert "build it with `--audience analyst` for every claim" in outputs["analyst", "md"]
    assert "harbour-gazette.txt" in outputs["analyst", "md"]


def test_html_citations_link_to_the_source_list(saved):
    r = run_cli("render", saved, "--format", "html")
    assert r.returncode == 0, r.stderr
    page = r.stdout
    assert page.startswith("<!DOCTYPE html>") and "<style" not in page
    assert "max-width:680px" in page
    links = _Links()
    links.feed(page)
    brief = json.loads(saved.read_text())
    cites = [h for h in links.hrefs if h.startswith("#")]
    assert len(cites) >= 30
    assert {h[1:] for h in cites} <= links.ids
    assert {f"src-{s['id']}" for s in brief["sources"]} <= links.ids
    assert links.scripts == 0


def test_document_text_is_escaped_in_html(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "memo.txt").write_text(HOSTILE)
    r = run_cli("build", tmp_path / "docs", "--audience", "analyst", "--format", "html", "-q")
    assert r.returncode == 0, r.stderr
    page = r.stdout
    links = _Links()
    links.feed(page)
    assert links.scripts == 0
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "{{ 7 * 7 }}" in page and "49 marker" not in page  # not "49": the time may have it
    assert "&lt;b&gt;markup&lt;/b&gt; {{ title }}" in page  # the document's title, as text
    r = run_cli("build", tmp_path / "docs", "--audience", "analyst", "-q")
    assert "{{ 7 * 7 }}" in r.stdout and '<script>alert("x")</script>' in r.stdout


def test_plain_text_is_wrapped_and_cited(saved):
    r = run_cli("render", saved, "--format", "txt")
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert "KEY POINTS" in text and "SOURCES" in text
    for line in text.splitlines():
        assert len(line) <= 78 or line.strip().startswith("https://"), line
    assert "[harbour-gazette]" in text
    assert "<" not in text.split("SOURCES")[0]


def test_format_follows_the_output_name(saved, tmp_path):
    for name, start in (
        ("b.html", "<!DOCTYPE html>"),
        ("b.txt", "Briefing:"),
        ("b.md", "# "),
        ("b.json", "{"),
    ):
        r = run_cli("render", saved, "-o", tmp_path / name)
        assert r.returncode == 0, r.stderr
        assert (tmp_path / name).read_text().startswith(start), name
    again = json.loads((tmp_path / "b.json").read_text())
    assert again == json.loads(saved.read_text())


def test_render_reads_stdin(saved):
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "briefing", "render", "-", "--format", "txt"],
        input=saved.read_text(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "KEY POINTS" in r.stdout


def test_older_json_without_the_new_fields_still_renders(saved, tmp_path):
    brief = json.loads(saved.read_text())
    for key in ("watch", "new_sources", "since"):
        brief.pop(key)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(brief))
    r = run_cli("render", old, "--audience", "executive")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a briefing saved with --format json"),
        ('{"title": "x"}', "generated_at"),
        ('{"title": "x", "surprise": 1}', "not a briefing"),
    ],
)
def test_a_file_that_is_not_a_briefing_is_one_line(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    r = run_cli("render", bad)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr


def test_missing_file_is_one_line(tmp_path):
    r = run_cli("render", tmp_path / "none.json")
    assert r.returncode == 2 and "cannot be read" in r.stderr


def test_unknown_audience_is_one_line(saved):
    r = run_cli("render", saved, "--audience", "board")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "unknown audience 'board'" in r.stderr


def test_render_for_executive_lists_what_to_watch_from_the_claims_the_json_holds(main, tmp_path):
    """A default briefing has no 'watch'; rendered for the executive, whose budget asks for
    three, what to watch comes from the claims the JSON holds, as a build would choose them."""
    from briefing.assemble.composing import looks_ahead
    from briefing.models import Claim

    saved = tmp_path / "default.json"
    assert main("build", SEEDS, "-o", saved, "-q").code == 0
    brief = json.loads(saved.read_text())
    assert brief["watch"] == []
    held = {
        c["id"]: c
        for c in brief["key_points"] + [c for s in brief["sections"] for c in s["claims"]]
    }

    with FakeOpenAIServer() as server:
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "sk-test"}
        md = main("render", saved, "--audience", "executive", env=env)
        as_json = main("render", saved, "--audience", "executive", "--format", "json", env=env)
        assert server.request_count == 0
    assert md.code == 0 and as_json.code == 0, md.err + as_json.err
    assert "## What to watch next" in md.out
    executive = json.loads(as_json.out)
    assert executive["audience"] == "executive" and executive["sections"] == []
    assert 1 <= len(executive["watch"]) <= 3 and len(executive["key_points"]) <= 5
    for claim in executive["watch"]:
        assert claim["kind"] == "watch" and claim["id"] in held
        assert claim["text"] == held[claim["id"]]["text"]
        assert looks_ahead(Claim.model_validate(claim))
        assert f"- {claim['text']} " in md.out
    assert not {c["id"] for c in executive["watch"]} & {c["id"] for c in executive["key_points"]}


def test_render_for_the_audience_it_was_built_for_changes_nothing(main, tmp_path):
    saved = tmp_path / "executive.json"
    r = main("build", SEEDS, "--audience", "executive", "--key-points", "7", "-o", saved, "-q")
    assert r.code == 0, r.err
    again = main("render", saved, "--audience", "executive", "--format", "json")
    assert json.loads(again.out) == json.loads(saved.read_text())
    md = main("render", saved)
    assert re.search(r"^7\. ", md.out, re.MULTILINE)  # the 7 asked for, not the budget's 5
