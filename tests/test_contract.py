"""The JSON contract: a versioned schema generated from the models and committed beside them,
typed fields instead of string conventions, exact writing, lenient reading of any version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefing.models import SCHEMA_VERSION
from briefing.schema import REGENERATE, SCHEMA_FILE, schema_text, upgrade
from tests.conftest import SEEDS
from tests.support.fake_model import ModelResponder, about
from tests.support.openai_server import FakeOpenAIServer, Reply, ScriptedResponder

UNREAD = "004_24dd4cbcba9d3677"  # the seed whose extraction the fake server spoils


def test_the_committed_schema_is_generated_from_the_models():
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    assert committed == schema_text(), (
        f"{SCHEMA_FILE} differs from briefing/models.py: run `{REGENERATE}` and commit it"
    )
    assert json.loads(committed)["properties"]["schema_version"]["const"] == SCHEMA_VERSION == 2


def test_the_schema_travels_in_the_package():
    """The wheel ships the package folder whole (pyproject.toml: packages = ["src/briefing"])."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    wheel = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    assert wheel["targets"]["wheel"]["packages"] == ["src/briefing"]
    assert SCHEMA_FILE.parent.parent.name == "briefing"  # shipped with the package, wherever
    assert (root / "src" / "briefing" / "schema" / SCHEMA_FILE.name).is_file()


def written_exactly(value: Any, node: dict, defs: dict, where: str = "$") -> None:
    """Every object of `value` has exactly the properties its schema node lists, all of them
    (writing is exact); enums and consts hold."""
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        if value is None:
            return
        node = options[0]
    if "const" in node:
        assert value == node["const"], where
    if "enum" in node:
        assert value in node["enum"], where
    if node.get("type") == "object" and "properties" in node:
        assert isinstance(value, dict), where
        assert set(value) == set(node["properties"]) == set(node["required"]), where
        assert node["additionalProperties"] is False
        for key, sub in node["properties"].items():
            written_exactly(value[key], sub, defs, f"{where}.{key}")
    if node.get("type") == "array" and "items" in node:
        for n, item in enumerate(value):
            written_exactly(item, node["items"], defs, f"{where}[{n}]")


@pytest.fixture
def executive(main, tmp_path) -> dict:
    out = tmp_path / "executive.json"
    r = main("build", SEEDS, "--audience", "executive", "-o", out, "-q")
    assert r.code == 0, r.err
    return json.loads(out.read_text())


def test_a_briefing_is_written_exactly_as_the_schema_says(executive):
    schema = json.loads(SCHEMA_FILE.read_text())
    assert executive["schema_version"] == 2
    assert executive["watch"] and executive["key_points"]
    written_exactly(executive, schema, schema["$defs"])


def test_each_claim_says_what_kind_it_is(executive, main, tmp_path):
    """Extractive key points are claims; what to watch is 'watch'; no ID prefix decides."""
    assert {c["kind"] for c in executive["key_points"]} == {"claim"}
    assert {c["kind"] for c in executive["watch"]} == {"watch"}
    out = tmp_path / "default.json"
    assert main("build", SEEDS, "-o", out, "-q").code == 0
    brief = json.loads(out.read_text())
    assert {c["kind"] for s in brief["sections"] for c in s["claims"]} == {"claim"}


def test_failed_chunks_are_objects_and_model_key_points_are_key_points(main, tmp_path):
    responder = ScriptedResponder(fallback=ModelResponder())
    responder.add_rule(about(UNREAD), [Reply.content("not json")] * 3)
    out = tmp_path / "brief.json"
    with FakeOpenAIServer(responder=responder) as srv:
        env = {"OPENAI_BASE_URL": srv.base_url, "OPENAI_API_KEY": "sk-test"}
        r = main("build", SEEDS, "-o", out, "--cache-dir", tmp_path / "cache", "-q", env=env)
    assert r.code == 0, r.err
    brief = json.loads(out.read_text())
    [failed] = brief["stats"]["failed_chunks"]
    assert (failed["source"], failed["index"]) == (UNREAD, 1)
    assert "not valid JSON" in failed["reason"]
    assert brief["key_points"] and {c["kind"] for c in brief["key_points"]} == {"key_point"}
    shown = {c["id"] for s in brief["sections"] for c in s["claims"]}
    assert brief["stats"]["claims_shown"] == len(shown)  # written key points are not claims


def as_version_1(brief: dict) -> dict:
    """`brief` as briefing wrote it before the contract had a version."""
    old = json.loads(json.dumps(brief))
    del old["schema_version"]
    claims = old["key_points"] + old["watch"] + [c for s in old["sections"] for c in s["claims"]]
    for claim in claims:
        del claim["kind"]
    old["stats"]["failed_chunks"] = [
        f"{f['source']}#{f['index']}: {f['reason']}" for f in old["stats"]["failed_chunks"]
    ]
    return old


@pytest.fixture
def version_1(main, tmp_path) -> Path:
    """A version-1 briefing of the seeds whose chunk 2 of 000 could not be read."""
    out = tmp_path / "new.json"
    assert main("build", SEEDS, "-o", out, "-q").code == 0
    brief = json.loads(out.read_text())
    brief["stats"]["failed_chunks"] = [
        {"source": "000_7de08aa9a340eff1", "index": 2, "reason": "the server answered 503"}
    ]
    old = as_version_1(brief)
    assert "schema_version" not in old and "kind" not in old["key_points"][0]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    return path


def test_a_version_1_briefing_still_renders_and_checks(version_1, main, tmp_path):
    for fmt in ("md", "html", "txt"):
        r = main("render", version_1, "--format", fmt)
        assert r.code == 0, r.err
        assert "could not be read" in r.out
    r = main("render", version_1, "--format", "json")
    assert r.code == 0, r.err
    again = json.loads(r.out)
    assert again["schema_version"] == 2
    assert again["stats"]["failed_chunks"] == [
        {"source": "000_7de08aa9a340eff1", "index": 2, "reason": "the server answered 503"}
    ]
    assert {c["kind"] for c in again["key_points"]} == {"claim"}
    r = main("check", version_1, SEEDS)
    assert r.code == 0, r.out + r.err


def test_upgrade_tells_written_key_points_from_claims_as_version_1_did():
    old = {
        "key_points": [{"id": "k1", "text": "a"}, {"id": "c4", "text": "b"}],
        "sections": [{"title": "T", "claims": [{"id": "c5", "text": "c"}]}],
        "watch": [{"id": "c6", "text": "d"}],
        "stats": {"failed_chunks": ["memo#3: no answer: twice", "odd"]},
    }
    new = upgrade(old)
    assert [c["kind"] for c in new["key_points"]] == ["key_point", "claim"]
    assert new["sections"][0]["claims"][0]["kind"] == "claim"
    assert new["watch"][0]["kind"] == "watch"
    assert new["stats"]["failed_chunks"] == [
        {"source": "memo", "index": 3, "reason": "no answer: twice"},
        {"source": "odd", "index": 0, "reason": "odd"},
    ]
    assert new["schema_version"] == 2 and "schema_version" not in old  # a copy


def test_render_ignores_fields_it_does_not_know(executive, main, tmp_path):
    newer = json.loads(json.dumps(executive))
    newer["schema_version"] = 3
    newer["reading_time"] = "2 min"
    newer["key_points"][0]["confidence"] = 0.9
    newer["stats"]["usage_estimate"] = {"cost": 1}
    newer["sources"][0]["language"] = "en"
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(newer))
    r = main("render", path)
    assert r.code == 0, r.err
    assert executive["key_points"][0]["text"] in r.out
    r = main("render", path, "--format", "json")
    assert r.code == 0, r.err
    assert json.loads(r.out) == executive  # written exactly: what it does not know is left out


def test_a_newer_briefing_that_cannot_be_read_says_so(main, tmp_path):
    path = tmp_path / "newer.json"
    path.write_text(json.dumps({"schema_version": 3, "title": "x"}))
    r = main("render", path)
    assert r.code == 2
    assert len(r.err.strip().splitlines()) == 1
    assert "newer briefing (schema version 3" in r.err
