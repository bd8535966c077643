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
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from briefing.deliver.resources import DEFAULT_AUDIENCE, Folders, Kind
from briefing.errors import ConfigError, TemplateError
from briefing.models import GENERATOR, WRITTEN_BY, Briefing, Citation, Claim

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


@functools.lru_cache(maxsize=32)
def _environment(kind: Kind, audience: str, folders: Folders) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in folders.search_path(kind, audience)]),
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".html")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cite"] = cite
    env.filters["cited"] = cited
    env.filters["long_date"] = long_date
    env.filters["wrap"] = wrap
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
    `audience` (default: the one it was built for)."""
    if fmt == "json":
        return briefing.model_dump_json(indent=2) + "\n"
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (choose from {', '.join(ALL_FORMATS)})")
    audience = audience or briefing.audience
    _folders("templates", user_dirs).check(audience)
    env = environment(audience, user_dirs)
    return render_template(env, FORMATS[fmt], b=briefing)


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
    `full`, only how many documents, the engine and when."""
    st = b.stats
    parts = [f"{st.documents} document{'s' if st.documents != 1 else ''} read"]
    if full:
        parts += [
            f"{st.facts_found} facts found",
            f"{st.facts_dropped} dropped as unverifiable",
            f"{st.claims} claims after merging, {st.claims_shown} shown",
        ]
        if st.failed_chunks:
            failed = ", ".join(st.failed_chunks)
            parts.append(f"{len(st.failed_chunks)} chunk(s) could not be read: {failed}")
    parts.append(f"engine: {b.engine}" + (f" ({b.model})" if b.model else ""))
    parts.append(f"generated {b.generated_at:%Y-%m-%d %H:%M UTC}")
    return " · ".join(parts)


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
