"""Checking: does a briefing hold against the files it cites? It lets a reader trust a briefing
someone else sent.

For a JSON briefing every citation is checked where it points: the file with its ID among the
given paths, read again with the reader the briefing recorded, must have the quote at the
citation's offsets; a file whose sha256 differs from the recorded one is reported as changed.
A Markdown briefing has no offsets: every cited `[id]` must be a file among the paths, and every
passage a claim puts in quotation marks must be in one of the files it cites, after the folding
grounding uses (white space, quotes, dashes).

Pure apart from reading the files: the command line prints the report.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefing.errors import InputError
from briefing.ingest.decoding import Unreadable
from briefing.ingest.sources import files_by_id, find_files, read_file, reader_for
from briefing.text import normalise

_SHOWN = 60  # characters of a passage quoted in a failure


@dataclass
class Failure:
    """One thing that does not hold, and where: a claim ID, a source ID or a line."""

    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass
class Report:
    kind: str  # "json" or "md"
    claims: int = 0
    checked: int = 0  # citations (JSON) or cited IDs (Markdown)
    passages: int = 0  # quoted passages (Markdown)
    files: int = 0
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        what = f"{self.checked} citations"
        if self.kind == "md":
            what = f"{self.checked} cited IDs and {self.passages} quoted passages"
        scope = f"{what} of {self.claims} claims, against {self.files} files"
        return f"ok: {scope}, hold" if self.ok else f"{len(self.failures)} failed: {scope}"


def check_file(brief: str | Path, paths: Iterable[str | Path]) -> Report:
    """Check the briefing in file `brief` (.json or .md) against the files under `paths`.
    Raises InputError when the briefing cannot be read or a path does not exist."""
    brief = Path(brief)
    try:
        text = brief.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"{brief}: cannot read the briefing ({reason or exc})") from exc
    files = files_by_id(find_files(paths).files)
    if brief.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{brief}: not JSON ({exc.msg}, line {exc.lineno})") from exc
        return check_json(data, files, name=str(brief))
    if brief.suffix.lower() in (".md", ".markdown"):
        return check_markdown(text, files)
    raise InputError(f"{brief}: give a briefing written as .json or .md")


# ---------------------------------------------------------------------------------------------
# JSON: every citation at its offsets
# ---------------------------------------------------------------------------------------------


def check_json(brief: object, files: dict[str, Path], name: str = "briefing") -> Report:
    """Check a briefing as `briefing build --format json` writes it against `files` (by ID)."""
    sources, claims = _parse(brief, name)
    report = Report(kind="json", claims=len(claims))
    texts: dict[str, str | None] = {}
    for source in sources:
        texts[source["id"]] = _reread(source, files, report)
    report.files = sum(1 for t in texts.values() if t is not None)
    for where, citations in claims:
        for cit in citations:
            report.checked += 1
            problem = _citation_problem(cit, texts)
            if problem:
                report.failures.append(Failure(where, problem))
    return report


def _parse(brief: object, name: str) -> tuple[list[dict], list[tuple[str, list[dict]]]]:
    """The sources and (claim ID, citations) of a briefing; InputError when it is not one."""
    not_one = InputError(f"{name}: not a briefing written by 'briefing build --format json'")
    if not isinstance(brief, dict):
        raise not_one
    try:
        sources = [dict(s) for s in brief["sources"]]
        claims = [(c["id"] or f"key point {n}", c) for n, c in enumerate(brief["key_points"], 1)]
        claims += [(c["id"], c) for s in brief["sections"] for c in s["claims"]]
        claims += [(d["id"], v) for d in brief.get("conflicts", []) for v in d["values"]]
        cited = [(str(where), [dict(cit) for cit in c["citations"]]) for where, c in claims]
        well_formed = all(isinstance(s["id"], str) for s in sources) and all(
            {"source", "quote", "start", "end"} <= set(cit) for _, cs in cited for cit in cs
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise not_one from exc
    if not well_formed:
        raise not_one
    return sources, cited


def _reread(source: dict, files: dict[str, Path], report: Report) -> str | None:
    """The text of the source's file read as the briefing recorded, or None (with a failure)."""
    sid, label = source["id"], source.get("reader") or "text"
    where = f"[{sid}]"
    file = files.get(sid)
    if file is None:
        report.failures.append(Failure(where, "no file with this ID among the paths given"))
        return None
    reader = reader_for(label)
    if reader is None:
        report.failures.append(Failure(where, f"read by {label!r}, which this version lacks"))
        return None
    try:
        data = file.read_bytes()
        decoded = reader(data)
    except OSError as exc:
        report.failures.append(Failure(where, f"{file} cannot be read ({exc.strerror or exc})"))
        return None
    except Unreadable as exc:
        report.failures.append(Failure(where, f"{file}: {exc}"))
        return None
    if source.get("sha256") and hashlib.sha256(data).hexdigest() != source["sha256"]:
        report.failures.append(
            Failure(where, f"{file} has changed since the briefing was made (sha256 differs)")
        )
    if decoded.reader != label or decoded.encoding != source.get("encoding", decoded.encoding):
        report.notes.append(
            f"{where} was read as {label} ({source.get('encoding')}), now as "
            f"{decoded.reader} ({decoded.encoding})"
        )
    return decoded.text


def _citation_problem(cit: dict, texts: dict[str, str | None]) -> str | None:
    source, quote, start, end = cit["source"], cit["quote"], cit["start"], cit["end"]
    if source not in texts:
        return f"cites [{source}], which is not among the briefing's sources"
    text = texts[source]
    if text is None:
        return f"[{source}] could not be checked (see [{source}])"
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(quote, str)):
        return f"[{source}] citation without whole-number offsets"
    if text[start:end] == quote:
        return None
    where = text.find(quote) if quote else -1
    found = f"it is at {where}:{where + len(quote)}" if where >= 0 else "it is not in the file"
    return (
        f"[{source}] quote {_show(quote)} is not at {start}:{end} ({found}; the file has "
        f"{_show(text[start:end])} there)"
    )


def _show(passage: str) -> str:
    passage = " ".join(passage.split())
    return f"“{passage[:_SHOWN]}…”" if len(passage) > _SHOWN else f"“{passage}”"


# ---------------------------------------------------------------------------------------------
# Markdown: cited IDs exist, quoted passages are in the cited files
# ---------------------------------------------------------------------------------------------

_TRAILING_IDS = re.compile(r"(?:\s*\[[^\[\]\n]+\])+\s*$")
_ID = re.compile(r"\[([^\[\]\n]+)\]")
_QUOTED = re.compile(r"“([^“”]+)”|\"([^\"]+)\"")
_CONFLICT_VALUE = re.compile(r"“([^”]*)” \[([^\[\]\n]+)\]")


def check_markdown(text: str, files: dict[str, Path]) -> Report:
    """Check a briefing as `briefing build` writes it in Markdown against `files` (by ID).
    The claims are the lines before '## Sources' that end in citations `[id]`; the values in
    'Where sources differ' cite a file after each quote."""
    report = Report(kind="md")
    folded: dict[str, str | None] = {}
    for number, line in _claim_lines(text):
        cited = _citations(line)
        if not cited:
            continue
        report.claims += 1
        where = f"line {number}"
        for sid in dict.fromkeys(sid for _, ids in cited for sid in ids):
            report.checked += 1
            if sid not in files:
                report.failures.append(
                    Failure(where, f"cites [{sid}], which is not among the files given")
                )
                continue
            if sid not in folded:
                folded[sid] = _folded_file(files[sid])
            if folded[sid] is None:
                report.failures.append(Failure(where, f"[{sid}] {files[sid]} cannot be read"))
        for passage, ids in cited:
            texts = [folded[sid] for sid in ids if folded.get(sid) is not None]
            if passage is None or not texts:
                continue  # the IDs themselves, or files already reported
            report.passages += 1
            needle = normalise(passage)[0].strip()
            if not any(needle in t for t in texts if t):
                cites = " or ".join(f"[{sid}]" for sid in ids)
                report.failures.append(Failure(where, f"{_show(passage)} is not in {cites}"))
    report.files = sum(1 for t in folded.values() if t is not None)
    return report


def _claim_lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered lines of the briefing before its list of sources."""
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"^#{1,6}\s+Sources\s*$", line):
            return
        yield number, line


def _citations(line: str) -> list[tuple[str | None, list[str]]]:
    """(quoted passage, IDs it must be in) for a claim line, with (None, IDs) for the IDs
    themselves; [] for a line that cites nothing."""
    if line.startswith("- **"):  # '- **36%**: “quote” [a]; “quote” [b]'
        pairs = _CONFLICT_VALUE.findall(line)
        if pairs:
            return [(None, [sid for _, sid in pairs])] + [(q, [sid]) for q, sid in pairs]
    m = _TRAILING_IDS.search(line)
    if not m:
        return []
    ids = _ID.findall(m.group(0))
    return [(None, ids)] + [(a or b, ids) for a, b in _QUOTED.findall(line[: m.start()])]


def _folded_file(file: Path) -> str | None:
    try:
        _, decoded = read_file(file)
    except (OSError, Unreadable):
        return None
    return normalise(decoded.text)[0]
