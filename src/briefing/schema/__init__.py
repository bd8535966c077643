"""The JSON contract: what `briefing build --format json` writes, described as a JSON Schema
generated from the pydantic models (`briefing.schema.json` beside this file, shipped in the
wheel), and how a saved briefing is read back, whatever version wrote it.

Writing is exact: every field of `briefing.models.Briefing`, and nothing else. Reading is
lenient: a field this version does not know is ignored (a newer briefing may have added it),
and a file of an older version is brought up to this one first (`upgrade`).

    python -m briefing.schema            # write briefing.schema.json again from the models
    python -m briefing.schema --check    # exit 1 when the committed file and the models differ
"""

from __future__ import annotations

import json
import re
import types
import typing
from pathlib import Path
from typing import Any

from briefing.errors import InputError
from briefing.models import SCHEMA_VERSION, Briefing

SCHEMA_FILE = Path(__file__).with_name("briefing.schema.json")
REGENERATE = "python -m briefing.schema"

__all__ = ["REGENERATE", "SCHEMA_FILE", "json_schema", "read_briefing", "schema_text", "upgrade"]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of what `--format json` writes (every field present; no others)."""
    schema = Briefing.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": f"Generated from briefing/models.py by '{REGENERATE}'; do not edit.",
        **schema,
    }


def schema_text() -> str:
    """`json_schema()` as the committed file holds it."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read_briefing(raw: str | bytes, name: str = "briefing") -> Briefing:
    """The briefing saved in `raw` (JSON text), of any version up to this one's; fields this
    version does not know are ignored. InputError, naming `name`, when it is not a briefing."""
    from pydantic import ValidationError

    not_one = f"{name}: not a briefing saved with --format json"
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InputError(f"{not_one} ({exc})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{not_one} (a JSON object is expected)")
    version = data.get("schema_version", 1)
    try:
        data = _known(upgrade(data), Briefing)
        return Briefing.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        where = f"{where}: " if where else ""
        newer = ""
        if isinstance(version, int) and version > SCHEMA_VERSION:
            newer = f"; written by a newer briefing (schema version {version}, this one reads "
            newer += f"up to {SCHEMA_VERSION})"
        raise InputError(f"{not_one} ({where}{err['msg']}{newer})") from exc


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """A briefing's JSON (as parsed) brought up to this version. Version 1, written before the
    contract had a version, gave failed chunks as "source#n: reason" strings and claims no
    kind (a key point whose ID did not start with "c" was written by a model)."""
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or version >= SCHEMA_VERSION:
        return {**data, "schema_version": SCHEMA_VERSION}
    data = dict(data)
    stats = data.get("stats")
    if isinstance(stats, dict) and isinstance(stats.get("failed_chunks"), list):
        failed = [_failed_chunk(f) if isinstance(f, str) else f for f in stats["failed_chunks"]]
        data["stats"] = {**stats, "failed_chunks": failed}

    def kinds(claims: Any, kind: Any) -> Any:
        if not isinstance(claims, list):
            return claims
        return [
            {"kind": kind(c) if callable(kind) else kind, **c} if isinstance(c, dict) else c
            for c in claims
        ]

    data["key_points"] = kinds(
        data.get("key_points"),
        lambda c: "claim" if str(c.get("id", "")).startswith("c") else "key_point",
    )
    data["watch"] = kinds(data.get("watch", []), "watch")
    if isinstance(data.get("sections"), list):
        data["sections"] = [
            {**s, "claims": kinds(s.get("claims"), "claim")} if isinstance(s, dict) else s
            for s in data["sections"]
        ]
    data["schema_version"] = SCHEMA_VERSION
    return data


_FAILED = re.compile(r"^(?P<source>.*?)#(?P<index>\d+): (?P<reason>.*)$", re.DOTALL)


def _failed_chunk(text: str) -> dict[str, Any]:
    """'source#n: reason' (version 1) as a FailedChunk's fields."""
    m = _FAILED.match(text)
    if not m:
        return {"source": text.split(":", 1)[0], "index": 0, "reason": text}
    return {"source": m["source"], "index": int(m["index"]), "reason": m["reason"]}


def _known(value: Any, annotation: Any) -> Any:
    """`value` with every key that the models of `annotation` do not have left out, at any
    depth: reading ignores what it does not know, while the models themselves forbid it."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if not isinstance(value, dict):
            return value
        fields = annotation.model_fields
        return {k: _known(v, fields[k].annotation) for k, v in value.items() if k in fields}
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, typing.Sequence) and isinstance(value, list) and args:
        return [_known(v, args[0]) for v in value]
    if origin in (typing.Union, types.UnionType):
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(models) == 1:
            return _known(value, models[0])
    return value
