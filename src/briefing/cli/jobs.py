"""Job files: `briefing run JOB.toml`, a briefing described once and run on a schedule.

A job names its sources (files, folders, feeds, pages), who it is for, where it is written and
whom it is mailed to. A file holds one job (its keys at the top) or several (`[jobs.NAME]`),
which take the keys at the top as their defaults:

    sources = ["https://example.com/feed.xml", "reports/"]
    audience = "executive"
    to = ["team@example.com"]
    smtp = "smtp://briefing@mail.example.com:587"   # the password: BRIEFING_SMTP_PASSWORD
    state = "~/.local/state/briefing/morning.json"
    only_new = true

The whole file is checked before any work: an unknown key or a value of the wrong type is one
error naming the key and its line. Each job then runs as the `build` command (no `to`) or the
`send` command (`to`) would, given the same options: the job becomes a command line, read by
the same parser, and runs through the same code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.errors import ConfigError, InputError

_FORMATS = ("md", "html", "txt", "json")
_ENGINES = ("auto", "extractive", "llm")


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _texts(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(_text(v) for v in value)


def _text_or_texts(value: object) -> bool:
    return _text(value) or _texts(value)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _seconds(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _flag(value: object) -> bool:
    return isinstance(value, bool)


def _formats(value: object) -> bool:
    return isinstance(value, list) and _texts(value) and all(v in _FORMATS for v in value)


def _engine(value: object) -> bool:
    return value in _ENGINES


def _smtp(value: object) -> bool:
    return _text(value) and str(value).lower().startswith(("smtp://", "smtps://"))


def _budget(value: object) -> bool:
    return isinstance(value, dict)


# key -> (check, what it must be)
KEYS: dict[str, tuple[Callable[[object], bool], str]] = {
    "sources": (_text_or_texts, "a list of paths, folders or URLs"),
    "audience": (_text, "an audience name"),
    "title": (_text, "a string"),
    "output": (_text, "a file path"),
    "formats": (_formats, f"a list of formats among {', '.join(_FORMATS)}"),
    "to": (_text_or_texts, "an address or a list of addresses"),
    "from": (_text, "an address"),
    "subject": (_text, "a string"),
    "smtp": (_smtp, "an smtp:// or smtps:// URL"),
    "state": (_text, "a file path"),
    "only_new": (_flag, "true or false"),
    "snapshots": (_text, "a folder path"),
    "fetch_timeout": (_seconds, "a number of seconds above 0"),
    "engine": (_engine, f"one of {', '.join(_ENGINES)}"),
    "model": (_text, "a model name"),
    "base_url": (_text, "an http:// or https:// URL"),
    "budget": (_budget, "a table with max_claims and key_points"),
    "cache_dir": (_text, "a folder path"),
    "strict": (_flag, "true or false"),
    "templates": (_text_or_texts, "a folder or a list of folders"),
    "prompts": (_text_or_texts, "a folder or a list of folders"),
}
BUDGET_KEYS = {"max_claims": _whole, "key_points": _whole}


@dataclass
class Job:
    name: str
    settings: dict[str, Any]
    folder: Path  # relative paths in the job are relative to the job file's folder
    outputs: list[tuple[str, str]] = field(default_factory=list)

    def path(self, value: str) -> str:
        """A path of the job as the command line takes it: URLs and absolute paths as they
        are, '~' expanded, others relative to the job file."""
        if re.match(r"^https?://", value, re.IGNORECASE):
            return value
        path = Path(value).expanduser()
        return str(path if path.is_absolute() else self.folder / path)

    def list(self, key: str) -> list[str]:
        value = self.settings.get(key, [])
        return [value] if isinstance(value, str) else list(value)

    @property
    def sends(self) -> bool:
        return bool(self.settings.get("to"))


def load_jobs(path: str | Path, names: list[str] | None = None) -> list[Job]:
    """The jobs of the file at `path` (only those `names`, in file order), every one checked.
    Raises ConfigError naming the key and line for anything wrong, InputError for a file that
    cannot be read."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"{path}: cannot read the job file ({reason or exc})") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    lines = _key_lines(raw)
    jobs_table = data.pop("jobs", None)
    shared = _checked(data, (), lines, path)
    folder = path.resolve().parent
    jobs: list[Job] = []
    if jobs_table is None:
        jobs.append(Job(path.stem, shared, folder))
    else:
        if not isinstance(jobs_table, dict) or not jobs_table:
            where = _where(path, lines, (), "jobs")
            raise ConfigError(f"{where}: 'jobs' must hold tables such as [jobs.morning]")
        for name, table in jobs_table.items():
            if not isinstance(table, dict):
                where = _where(path, lines, ("jobs",), name)
                raise ConfigError(f"{where}: jobs.{name} must be a table ([jobs.{name}])")
            own = _checked(table, ("jobs", name), lines, path)
            jobs.append(Job(name, {**shared, **own}, folder))
    for job in jobs:
        _complete(job, path, lines)
    if names:
        known = {j.name for j in jobs}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(
                f"{path}: no job named {unknown[0]!r} (jobs: {', '.join(sorted(known))})"
            )
        jobs = [j for j in jobs if j.name in names]
    return jobs


def _checked(
    table: dict[str, Any], at: tuple[str, ...], lines: dict[tuple[str, ...], int], path: Path
) -> dict[str, Any]:
    for key, value in table.items():
        where = _where(path, lines, at, key)
        if key not in KEYS:
            close = [k for k in KEYS if k.replace("_", "") == key.replace("_", "").replace("-", "")]
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                f"{where}: unknown key '{key}'{hint}; a job's keys are {', '.join(KEYS)}"
            )
        check, want = KEYS[key]
        if not check(value):
            raise ConfigError(f"{where}: '{key}' must be {want}, not {_shown(value)}")
        if key == "budget":
            for sub, v in value.items():
                inner = _where(path, lines, (*at, "budget"), sub)
                if sub not in BUDGET_KEYS:
                    raise ConfigError(
                        f"{inner}: unknown key 'budget.{sub}'; budget keys are max_claims, "
                        "key_points"
                    )
                if not BUDGET_KEYS[sub](v):
                    raise ConfigError(
                        f"{inner}: 'budget.{sub}' must be a whole number of at least 1, not "
                        f"{_shown(v)}"
                    )
        if key == "smtp" and re.match(r"^smtps?://[^/@:]*:[^/@]+@", str(value), re.I):
            raise ConfigError(
                f"{where}: 'smtp' must not hold a password; put it in BRIEFING_SMTP_PASSWORD"
            )
    return table


def _complete(job: Job, path: Path, lines: dict[tuple[str, ...], int]) -> None:
    """Keys that must be there, and the files the job writes."""
    s = job.settings
    at = f"{path}: job '{job.name}'"
    if not s.get("sources"):
        raise ConfigError(f"{at}: 'sources' is missing (a list of paths, folders or URLs)")
    if s.get("only_new") and not s.get("state"):
        raise ConfigError(f"{at}: 'only_new' needs 'state', where earlier runs are remembered")
    if not job.sends and not s.get("output"):
        raise ConfigError(f"{at}: give 'output' (a file to write) or 'to' (whom to mail it to)")
    output = s.get("output")
    if output:
        formats = s.get("formats")
        base = job.path(output)
        if formats:
            stem = Path(base)
            stem = stem.with_suffix("") if stem.suffix.lstrip(".") in _FORMATS else stem
            job.outputs = [(f"{stem}.{fmt}", fmt) for fmt in formats]
        else:
            ext = Path(base).suffix.lower().lstrip(".")
            fmt = {"markdown": "md", "htm": "html"}.get(ext, ext)
            if fmt not in _FORMATS:
                line = _where(path, lines, ("jobs", job.name), "output")
                raise ConfigError(
                    f"{line}: 'output' {output!r} needs an extension among .md .html .txt "
                    ".json, or 'formats'"
                )
            job.outputs = [(base, fmt)]
    elif s.get("formats"):
        raise ConfigError(f"{at}: 'formats' needs 'output', the file name to write them under")


def command_line(job: Job) -> list[str]:
    """The `build` or `send` command line the job stands for (its files to write apart: those
    are `job.outputs`)."""
    s = job.settings
    argv = ["send" if job.sends else "build", *[job.path(p) for p in job.list("sources")]]
    if job.sends:
        for address in job.list("to"):
            argv += ["--to", address]
        for key, flag in (("subject", "--subject"), ("smtp", "--smtp"), ("from", "--from")):
            if key in s:
                argv += [flag, s[key]]
    for key, flag in (
        ("title", "--title"),
        ("audience", "--audience"),
        ("engine", "--engine"),
        ("model", "--model"),
        ("base_url", "--base-url"),
    ):
        if key in s:
            argv += [flag, str(s[key])]
    if "state" in s:
        argv += ["--state", job.path(s["state"])]
    if "snapshots" in s:
        argv += ["--snapshots", job.path(s["snapshots"])]
    elif "state" not in s:  # beside the state file, else beside the job file
        argv += ["--snapshots", str(job.folder / "snapshots")]
    if "cache_dir" in s:
        argv += ["--cache-dir", job.path(s["cache_dir"])]
    if "fetch_timeout" in s:
        argv += ["--fetch-timeout", str(s["fetch_timeout"])]
    for folder in job.list("templates"):
        argv += ["--templates", job.path(folder)]
    for folder in job.list("prompts"):
        argv += ["--prompts", job.path(folder)]
    budget = s.get("budget", {})
    if "max_claims" in budget:
        argv += ["--max-claims", str(budget["max_claims"])]
    if "key_points" in budget:
        argv += ["--key-points", str(budget["key_points"])]
    if s.get("only_new"):
        argv.append("--only-new")
    if s.get("strict"):
        argv.append("--strict")
    return argv


def describe(job: Job) -> list[str]:
    """What the job would do, line by line (for --dry-run)."""
    from briefing.deliver.mail import redact

    s = job.settings
    out = [f"job {job.name}:"]
    for source in job.list("sources"):
        kind = "fetch" if re.match(r"^https?://", source, re.I) else "read"
        out.append(f"  {kind} {job.path(source)}")
    engine = s.get("engine", "auto") + (f" ({s['model']})" if s.get("model") else "")
    out.append(f"  build for audience {s.get('audience', 'default')}, engine {engine}")
    if s.get("state"):
        only = ", only what is new" if s.get("only_new") else ""
        out.append(f"  state {job.path(s['state'])}{only}")
    for file, fmt in job.outputs:
        out.append(f"  write {file} ({fmt})")
    if job.sends:
        via = redact(s["smtp"]) if s.get("smtp") else "$BRIEFING_SMTP_URL"
        subject = f", subject {s['subject']!r}" if s.get("subject") else ""
        out.append(f"  send to {', '.join(job.list('to'))} via {via}{subject}")
    return out


def _key_lines(raw: str) -> dict[tuple[str, ...], int]:
    """Line numbers of the keys of a TOML text: (table..., key) -> line. Tables are followed
    through [a.b] headers and dotted keys; enough to point a user at a line."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(raw.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\[\]]+?)\s*\]", stripped)
        if header:
            table = tuple(_unquote(p) for p in header.group(1).split("."))
            lines.setdefault(table, number)
            continue
        key = re.match(r"^([A-Za-z0-9_\-\"'. ]+?)\s*=", stripped)
        if key:
            parts = tuple(_unquote(p) for p in key.group(1).split("."))
            lines.setdefault(table + parts, number)
            inline = re.findall(r"([A-Za-z0-9_-]+)\s*=", stripped[key.end() :])
            for sub in inline:
                lines.setdefault((*table, *parts, sub), number)
    return lines


def _unquote(part: str) -> str:
    return part.strip().strip("\"'")


def _where(path: Path, lines: dict[tuple[str, ...], int], at: tuple[str, ...], key: str) -> str:
    line = lines.get((*at, key)) or lines.get(at)
    return f"{path}, line {line}" if line else str(path)


def _shown(value: object) -> str:
    text = (
        repr(value)
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )
    return text if len(text) <= 40 else text[:39] + "…"
