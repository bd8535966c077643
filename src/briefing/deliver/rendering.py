"""Rendering: the briefing through Jinja templates, or as JSON; and the prompts, through the same
lookup.

One Environment per (kind, audience, user folders), built once: the user's folders come before
the built-in ones, and an audience's folder before `default/`, file by file, so a user overrides
one template without copying the rest (see `briefing.deliver.resources`). Citations are written
here, from data (`[file-id]`), never by an engine. HTML templates escape everything they print; a
missing variable is an error; a template error names the file and line.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from briefing.deliver.resources import DEFAULT_AUDIENCE, Folders, Kind
from briefing.errors import ConfigError, TemplateError
from briefing.models import GENERATOR, WRITTEN_BY, Briefing, Citation, Claim
from briefing.text import count

FORMATS = {"md": "briefing.md.j2", "html": "briefing.html.j2", "txt": "briefing.txt.j2"}
ALL_FORMATS = [*FORMATS, "json"]
TEXT_WIDTH = 78


def _folders(kind: Kind, dirs: Folders | Sequence[str | Path]) -> Folders:
    """`dirs` as Folders: a plain list of folders is the user's folders of `kind`."""
    if isinstance(dirs, Folders):
        return dirs
    return Folders.of(**{kind: dirs})


def search_path(
    audience: str,
    user_dirs: Folders | Sequence[str | Path] = (),
    kind: Kind = "templates",
) -> list[Path]:
    """Folders a template of `kind` ('templates' or 'prompts') for `audience` is looked up in,
    first match wins (see `briefing.deliver.resources.Folders.search_path`)."""
    return _folders(kind, user_dirs).search_path(kind, audience)


def environment(
    audience: str = DEFAULT_AUDIENCE,
    user_dirs: Folders | Sequence[str | Path] = (),
    kind: Kind = "templates",
) -> jinja2.Environment:
    """The Jinja environment for `audience`'s templates (or prompts, with kind='prompts')."""
    return _environment(kind, audience, _folders(kind, user_dirs))


def prompt_environment(
    audience: str = DEFAULT_AUDIENCE, user_dirs: Folders | Sequence[str | Path] = ()
) -> jinja2.Environment:
    """The Jinja environment for `audience`'s prompts: prompts/<audience>/, then default/."""
    return environment(audience, user_dirs, kind="prompts")


def _escapes(name: str | None) -> bool:
    """HTML templates escape everything they print; the others print text as it is."""
    return bool(name) and str(name).endswith((".html.j2", ".html"))


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled once and kept in the user's cache folder (a template's compiled code
    is keyed by its file and checked against its source, so an edited template is compiled
    again): compiling the output templates took about a third of a small build. A cache that
    cannot be read or written is no cache, never an error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


@functools.lru_cache(maxsize=1)
def _compiled_templates() -> jinja2.BytecodeCache:
    from briefing.deliver.resources import user_cache_dir

    return _CompiledTemplates(str(user_cache_dir() / "templates"))


@functools.lru_cache(maxsize=32)
def _environment(kind: Kind, audience: str, folders: Folders) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in folders.search_path(kind, audience)]),
        bytecode_cache=_compiled_templates(),
        autoescape=_escapes,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cite"] = cite
    env.filters["cited"] = cited
    env.filters["long_date"] = long_date
    env.filters["wrap"] = wrap
    env.filters["number"] = number
    env.globals["count"] = count
    env.globals["date_range"] = date_range
    env.globals["is_new"] = is_new
    env.globals["stats_line"] = stats_line
    env.globals["generator"] = GENERATOR
    env.globals["written_by"] = WRITTEN_BY
    return env


def render_template(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render template `name` of `env`; any template error becomes a TemplateError naming the
    file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        searched = ", ".join(getattr(env.loader, "searchpath", []))
        raise TemplateError(f"template {exc.name} not found (looked in {searched})") from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{_template_frame(exc)}: {exc.message or exc}") from exc


def render(
    briefing: Briefing,
    fmt: str = "md",
    audience: str | None = None,
    user_dirs: Folders | Sequence[str | Path] = (),
) -> str:
    """The briefing as text in format `fmt` (md, html, txt or json), with the templates of
    `audience` (default: the one it was built for). For another audience than the one it was
    built for, it is first composed again within that audience's budget from the claims it
    holds (`for_audience`)."""
    if fmt not in ALL_FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (choose from {', '.join(ALL_FORMATS)})")
    folders = _folders("templates", user_dirs)
    if audience and audience != briefing.audience:
        briefing = for_audience(briefing, audience, folders)
    if fmt == "json":
        return briefing.model_dump_json(indent=2) + "\n"
    folders.check(briefing.audience)
    env = environment(briefing.audience, folders)
    return render_template(env, FORMATS[fmt], b=briefing)


def check_templates(
    formats: Sequence[str], audience: str, user_dirs: Folders | Sequence[str | Path] = ()
) -> None:
    """Render a small briefing that has every part (key points, sections, what to watch,
    where sources differ, new sources, a chunk not read) in each of `formats`: a template
    error is found now, before any model request is paid for, not after."""
    sample = _sample()
    for fmt in formats:
        if fmt != "json":
            render(sample, fmt, audience, user_dirs)


def _sample() -> Briefing:
    from briefing.models import (
        Conflict,
        ConflictValue,
        FailedChunk,
        Period,
        Section,
        SourceInfo,
        Stats,
    )

    when = dt.datetime(2026, 1, 2, 9, 0, tzinfo=dt.UTC)
    cite = Citation(source="a", quote="The council approved a loan of €5 million.", start=0, end=42)
    other = Citation(source="b", quote="The council approved a loan of €6m.", start=0, end=35)
    claim = Claim(id="c1", text="The council approved a loan of €5 million.", citations=[cite])
    watch = Claim(id="c2", text="The council will vote again on Monday.", citations=[cite])
    source = SourceInfo(
        id="a",
        path="a.txt",
        title="Loan",
        date=when.date(),
        url="https://example.com/a",
        sha256="0" * 64,
        reader="text",
        encoding="utf-8",
        excerpt="The council approved",
    )
    return Briefing(
        title="Briefing: sample",
        generated_at=when,
        engine="extractive",
        period=Period(start=when.date(), end=when.date()),
        sources=[source, source.model_copy(update={"id": "b", "title": None})],
        key_points=[claim.model_copy(update={"id": "k1"})],
        sections=[Section(title="Sample", claims=[claim])],
        watch=[watch],
        conflicts=[
            Conflict(
                id="d1",
                title="Loan: €5 million, €6m",
                measure="Loan",
                values=[
                    ConflictValue(value="€5 million", citations=[cite]),
                    ConflictValue(value="€6m", citations=[other]),
                ],
            )
        ],
        stats=Stats(
            documents=2,
            chunks=2,
            facts_found=2,
            claims=2,
            claims_shown=2,
            failed_chunks=[FailedChunk(source="b", index=2, reason="a chunk not read")],
        ),
        new_sources=["a"],
        since=when,
    )


def for_audience(briefing: Briefing, audience: str, folders: Folders | None = None) -> Briefing:
    """`briefing`, built for another audience, as `audience` would have it. When the two
    audiences' budgets differ, its key points, what to watch next, sections and where sources
    differ are chosen again within `audience`'s budget from the claims the briefing holds (see
    `briefing.assemble.composing.recompose`); an audience with the same budget (one that only
    changes the templates) shows what the briefing holds."""
    from briefing.assemble.composing import recompose
    from briefing.deliver.audiences import load_audience

    folders = folders or Folders()
    budget = load_audience(audience, folders).budget
    try:
        built = load_audience(briefing.audience, folders).budget
    except ConfigError:  # an audience of someone else's: its budget is not known here
        built = None
    if built != budget:
        briefing = recompose(briefing, budget)
    return briefing.model_copy(update={"audience": audience})


# ---------------------------------------------------------------------------------------------
# What templates use
# ---------------------------------------------------------------------------------------------


def cited(citations: Sequence[Citation]) -> list[str]:
    """The cited file IDs, in order, each once."""
    seen: list[str] = []
    for c in citations:
        if c.source not in seen:
            seen.append(c.source)
    return seen


def cite(citations: Sequence[Citation]) -> str:
    """'[a] [b]': one marker per cited file, in order, never repeated."""
    return " ".join(f"[{s}]" for s in cited(citations))


def is_new(claim: Claim, briefing: Briefing) -> bool:
    """True when every file `claim` cites is new since the last briefing (see --state)."""
    return bool(briefing.new_sources) and all(
        c.source in briefing.new_sources for c in claim.citations
    )


def stats_line(b: Briefing, full: bool = True) -> str:
    """'5 documents read · 87 facts found · ... · generated 2025-12-04 09:00 UTC'; without
    `full`, only how many documents, how many passages could not be read, the engine and when.
    Why a passage could not be read is for the JSON's stats and stderr, not for readers."""
    st = b.stats
    parts = [f"{count(st.documents, 'document')} read"]
    if full:
        parts += [
            f"{count(st.facts_found, 'fact')} found",
            f"{st.facts_dropped:,} dropped as unverifiable",
            f"{count(st.claims, 'claim')} after merging, {st.claims_shown:,} shown",
        ]
    if st.failed_chunks:  # what a reader needs: how much is missing, and from which files
        sources = ", ".join(dict.fromkeys(f.source for f in st.failed_chunks))
        parts.append(f"{count(len(st.failed_chunks), 'passage')} could not be read ({sources})")
    parts.append(f"engine: {b.engine}" + (f" ({b.model})" if b.model else ""))
    parts.append(f"generated {b.generated_at:%Y-%m-%d %H:%M UTC}")
    return " · ".join(parts)


def number(n: int) -> str:
    """12345 as '12,345'."""
    return f"{n:,}"


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "", first: str | None = None) -> str:
    """`text` wrapped at `width` columns, `first` before the first line (default `indent`) and
    `indent` before the others; file IDs, URLs and hyphenated words are never split."""
    return textwrap.fill(
        " ".join(str(text).split()),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def long_date(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "undated"


def date_range(start: dt.date | None, end: dt.date | None) -> str:
    if not start or not end:
        return "undated sources"
    if start == end:
        return long_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{long_date(start)} – {long_date(end)}"


def _template_frame(exc: BaseException) -> str:
    """'file:line' of the innermost template frame in the traceback of `exc`."""
    tb = exc.__traceback__
    where = "template"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
