"""Checking: does a briefing hold against the files it cites? It lets a reader trust a briefing
someone else sent.

Every kind of claim is checked: key points, sections, what to watch, and each value of where
sources differ. For a JSON briefing every citation is checked where it points: the file with its
ID among the given paths (`files_by_id`, as the build gives IDs; else the one file whose path
ends as the ID does), read again with the reader the briefing recorded, must have the quote at
the citation's offsets; a file whose sha256 differs from the recorded one is reported as
changed; and every figure and name of a claim must be in the quotes it cites from each file
(`support`, as the build decides it), so a changed figure in a claim's text fails. A Markdown
briefing has no offsets: every cited `[id]` must be a file among the paths, every figure and
name of a claim must be in each file it cites, and every passage a claim puts in quotation marks
must be in one of them, after the folding grounding uses (white space, quotes, dashes).

What it cannot check: that a claim means what its quotes mean. A paraphrase with the same
figures and names that says something else ("rose" for "fell") passes.

Pure apart from reading the files: the command line prints the report.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefing.assemble.support import describe, unsupported
from briefing.errors import InputError
from briefing.ingest.decoding import Unreadable
from briefing.ingest.sources import (
    file_for_id,
    files_by_id,
    find_files,
    read_file,
    reader_for,
)
from briefing.text import count, normalise

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
        what = count(self.checked, "citation")
        if self.kind == "md":
            what = f"{count(self.checked, 'cited ID')} and {count(self.passages, 'quoted passage')}"
        scope = f"{what} of {count(self.claims, 'claim')}, against {count(self.files, 'file')}"
        return f"ok: {scope}, hold" if self.ok else f"{len(self.failures):,} failed: {scope}"


def check_file(brief: str | Path, paths: Iterable[str | Path]) -> Report:
    """Check the briefing in file `brief` (.json or .md) against the files under `paths`.
    Raises InputError when the briefing cannot be read or a path does not exist."""
    brief = Path(brief)
    try:
        text = brief.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"{brief}: cannot read the briefing ({reason or exc})") from exc
    files = files_by_id(find_files(paths, exclude=[brief]).files)
    if brief.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{brief}: not JSON ({exc.msg}, line {exc.lineno})") from exc
        return check_json(data, files, name=str(brief))
    if brief.suffix.lower() in (".md", ".markdown"):
        report = check_markdown(text, files)
        if not report.claims:
            raise InputError(
                f"{brief}: not a briefing: no line cites a file as 'briefing build' writes "
                "claims ('... [file-id]')"
            )
        return report
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
    for where, claim, citations in claims:
        for cit in citations:
            report.checked += 1
            problem = _citation_problem(cit, texts)
            if problem:
                report.failures.append(Failure(where, problem))
        for sid, missing in _unsupported(claim, citations):
            report.failures.append(
                Failure(where, f"[{sid}] does not give {describe(missing)}, as the claim does")
            )
    return report


def _unsupported(text: str, citations: list[dict]) -> list[tuple[str, list[str]]]:
    """(source, what it lacks) for each source whose quotes lack a figure or name of `text`."""
    quotes: dict[str, list[str]] = {}
    for cit in citations:
        if isinstance(cit.get("quote"), str):
            quotes.setdefault(str(cit["source"]), []).append(cit["quote"])
    return [(s, m) for s, qs in quotes.items() if (m := unsupported(text, qs))]


def _parse(brief: object, name: str) -> tuple[list[dict], list[tuple[str, str, list[dict]]]]:
    """The sources and (where, text, citations) of every claim of a briefing: key points,
    sections, what to watch, and each value of where sources differ. InputError when it is
    not a briefing."""
    not_one = InputError(f"{name}: not a briefing written by 'briefing build --format json'")
    if not isinstance(brief, dict):
        raise not_one
    try:
        sources = [dict(s) for s in brief["sources"]]
        claims = [(c["id"] or f"key point {n}", c) for n, c in enumerate(brief["key_points"], 1)]
        claims += [(c["id"], c) for s in brief["sections"] for c in s["claims"]]
        claims += [(c["id"] or f"watch {n}", c) for n, c in enumerate(brief.get("watch", []), 1)]
        claims += [
            (d["id"], {"text": v["value"], "citations": v["citations"]})
            for d in brief.get("conflicts", [])
            for v in d["values"]
        ]
        cited = [
            (str(where), str(c["text"]), [dict(cit) for cit in c["citations"]])
            for where, c in claims
        ]
        well_formed = all(isinstance(s["id"], str) for s in sources) and all(
            {"source", "quote", "start", "end"} <= set(cit) for _, _, cs in cited for cit in cs
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
    file = file_for_id(files, sid)
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
    if where >= 0:
        return (
            f"[{source}] quote {_show(quote)} is not at {start}:{end}; it is at "
            f"{where}:{where + len(quote)}"
        )
    return f"[{source}] quote is not in the file: {_difference(quote, text[start:end], start)}"


def _show(passage: str) -> str:
    passage = " ".join(passage.split())
    return f"“{passage[:_SHOWN]}…”" if len(passage) > _SHOWN else f"“{passage}”"


def _difference(quote: str, found: str, start: int) -> str:
    """Where `quote` and the file's text at its offsets part: a little of each around the
    first character that differs, spaces kept and line breaks shown as ⏎."""
    n = next(
        (i for i, (a, b) in enumerate(zip(quote, found, strict=False)) if a != b),
        min(len(quote), len(found)),
    )
    lo = max(0, n - 25)

    def around(text: str) -> str:
        piece = text[lo : n + 20].replace("\n", "⏎")
        return ("…" if lo else "") + piece + ("…" if n + 20 < len(text) else "")

    return (
        f"from character {start + n} the quote has “{around(quote)}” where the file has "
        f"“{around(found)}”"
    )


# ---------------------------------------------------------------------------------------------
# Markdown: cited IDs exist, quoted passages are in the cited files
# ---------------------------------------------------------------------------------------------

_TRAILING_IDS = re.compile(r"(?:\s*\[[^\[\]\n]+\])+\s*$")
_ID = re.compile(r"\[([^\[\]\n]+)\]")
_QUOTED = re.compile(r"“([^“”]+)”|\"([^\"]+)\"")
_LABELLED = re.compile(r"^- \*\*(?P<label>.+?)\*\*:\s*(?P<rest>.*\])\s*$")
_SEGMENT = re.compile(r"\s*(?P<text>[^\[\]]*?)\s*(?P<ids>(?:\[[^\[\]\n]+\]\s*)+)(?:;|·|$)")
_MARKUP = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+|\*\*New:\*\*\s*|\*\*|(?<!\w)_|_(?!\w)")
# The date a relative time of a claim stands for, which the briefing adds: ' *(Tuesday 2
# December 2025)*'. It is the briefing's reading of the claim, not a claim of the files.
_WHEN = re.compile(r"\s\*\((?:[A-Z][a-z]+day |week of )?(?:\d{1,2} )?[A-Z][a-z]+ \d{4}\)\*")


@dataclass
class _Cited:
    """What one part of a Markdown line claims: `ids` it cites; `claim`, text whose figures and
    names must be in each of them (or in `passage`, when it quotes one); `passage`, quoted
    text that must be in one of them."""

    ids: list[str]
    claim: str | None = None
    passage: str | None = None


@dataclass
class _File:
    text: str | None
    folded: str | None


def check_markdown(text: str, files: dict[str, Path]) -> Report:
    """Check a briefing as `briefing build` writes it in Markdown against `files` (by ID).
    The claims are the lines before '## Sources' that end in citations `[id]`; the values in
    'Where sources differ' cite a file after each quote or value."""
    report = Report(kind="md")
    read: dict[str, _File] = {}
    for number, line in _claim_lines(text):
        cited = _citations(line)
        if not cited:
            continue
        report.claims += 1
        where = f"line {number}"
        for sid in dict.fromkeys(sid for c in cited for sid in c.ids):
            report.checked += 1
            file = file_for_id(files, sid)
            if file is None:
                report.failures.append(
                    Failure(where, f"cites [{sid}], which is not among the files given")
                )
                continue
            if sid not in read:
                read[sid] = _read(file)
            if read[sid].text is None:
                report.failures.append(Failure(where, f"[{sid}] {file} cannot be read"))
        for part in cited:
            known = [sid for sid in part.ids if sid in read and read[sid].text is not None]
            if not known:
                continue  # files already reported
            if part.passage is not None:
                report.passages += 1
                needle = normalise(part.passage)[0].strip()
                if not any(needle in (read[sid].folded or "") for sid in known):
                    cites = " or ".join(f"[{sid}]" for sid in part.ids)
                    report.failures.append(
                        Failure(where, f"{_show(part.passage)} is not in {cites}")
                    )
                    continue
            if part.claim is None:
                continue
            for sid in known:
                evidence = part.passage if part.passage is not None else read[sid].text or ""
                missing = unsupported(part.claim, evidence)
                if missing:
                    report.failures.append(
                        Failure(where, f"[{sid}] does not give {describe(missing)}")
                    )
    report.files = sum(1 for f in read.values() if f.text is not None)
    return report


def _claim_lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered lines of the briefing before its list of sources."""
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"^#{1,6}\s+Sources\s*$", line):
            return
        yield number, line


def _citations(line: str) -> list[_Cited]:
    """What a claim line claims and cites; [] for a line that cites nothing."""
    labelled = _LABELLED.match(line)
    if labelled:  # '- **36%**: “quote” [a]; “quote” [b]' or '- **Loan**: €5m [a]; €6m [b]'
        parts = []
        for seg in _SEGMENT.finditer(labelled.group("rest")):
            ids = _ID.findall(seg.group("ids"))
            quoted = _QUOTED.fullmatch(seg.group("text"))
            if quoted:
                parts.append(_Cited(ids, labelled.group("label"), quoted.group(1) or quoted[2]))
            elif seg.group("text"):
                parts.append(_Cited(ids, seg.group("text")))
        if parts:
            return [_Cited([sid for p in parts for sid in p.ids]), *parts]
    m = _TRAILING_IDS.search(line)
    if not m:
        return []
    ids = _ID.findall(m.group(0))
    body = _WHEN.sub("", line[: m.start()])
    claim = _MARKUP.sub("", body).strip()
    return [_Cited(ids, claim or None)] + [
        _Cited(ids, None, a or b) for a, b in _QUOTED.findall(body)
    ]


def _read(file: Path) -> _File:
    try:
        _, decoded = read_file(file)
    except (OSError, Unreadable):
        return _File(None, None)
    return _File(decoded.text, normalise(decoded.text)[0])
