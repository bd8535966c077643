"""Rendering: the briefing through Jinja templates, or as JSON.

One Environment per (audience, user folders): the user's folders come before the built-in ones,
and an audience's folder before `default/`, file by file, so a user overrides one template
without copying the rest. Citations are written here, from data (`[file-id]`), never by an
engine. HTML templates escape everything they print; a missing variable is an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import jinja2

from briefing.errors import ConfigError, TemplateError
from briefing.models import Briefing, Citation
from briefing.resources import builtin_dir

FORMATS = {"md": "briefing.md.j2", "html": "briefing.html.j2", "txt": "briefing.txt.j2"}
ALL_FORMATS = [*FORMATS, "json"]


def search_path(
    audience: str, user_dirs: Sequence[str | Path] = (), kind: str = "templates"
) -> list[Path]:
    """Folders a template of `kind` ('templates' or 'prompts') is looked up in, first match
    wins: the audience's folder before default/, the user's folders before the built-in one."""
    roots = [Path(d) for d in user_dirs] + [builtin_dir(kind)]
    known = any((r / audience).is_dir() for r in roots)
    if kind == "templates" and audience != "default" and not known:
        raise ConfigError(f"unknown audience {audience!r}: no folder {kind}/{audience}/")
    names = [audience, "default"] if audience != "default" else ["default"]
    return [root / name for name in names for root in roots if (root / name).is_dir()]


def environment(
    audience: str = "default", user_dirs: Sequence[str | Path] = ()
) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path(audience, user_dirs)]),
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".html")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cite"] = cite
    env.filters["long_date"] = long_date
    env.globals["date_range"] = date_range
    return env


def cite(citations: Sequence[Citation]) -> str:
    """'[a] [b]': one marker per cited file, in order, never repeated."""
    seen: list[str] = []
    for c in citations:
        if c.source not in seen:
            seen.append(c.source)
    return " ".join(f"[{s}]" for s in seen)


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


def render(
    briefing: Briefing,
    fmt: str = "md",
    audience: str | None = None,
    user_dirs: Sequence[str | Path] = (),
) -> str:
    """The briefing as text in format `fmt` (md, html, txt or json)."""
    if fmt == "json":
        return briefing.model_dump_json(indent=2) + "\n"
    if fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (choose from {', '.join(ALL_FORMATS)})")
    env = environment(audience or briefing.audience, user_dirs)
    try:
        template = env.get_template(FORMATS[fmt])
        return template.render(b=briefing)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            f"template {exc.name} not found for audience {audience or briefing.audience!r}"
        ) from exc
    except jinja2.TemplateError as exc:
        where = _template_frame(exc)
        raise TemplateError(f"{where}: {exc.message or exc}") from exc


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
