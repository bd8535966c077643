"""Prompts: Jinja templates in prompts/<audience>/, with the same lookup as output templates
(the user's folders first, an audience's files before default/'s).

Documents and metadata are passed in as variables, never rendered as template source, and
`StrictUndefined` makes a misspelt variable an error. A prompt is rendered as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from briefing.errors import TemplateError
from briefing.rendering import search_path


class Prompts:
    """Renders the prompt templates of one audience."""

    def __init__(self, audience: str = "default", user_dirs: Sequence[str | Path] = ()):
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(
                [str(p) for p in search_path(audience, user_dirs, kind="prompts")]
            ),
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )

    def source(self, name: str) -> str:
        """The template's own text (part of the cache key: a changed prompt is a new answer)."""
        try:
            loader = self.env.loader
            assert loader is not None
            return loader.get_source(self.env, name)[0]
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"prompt template {name} not found") from exc

    def render(self, name: str, **variables: Any) -> str:
        try:
            return self.env.get_template(name).render(**variables).strip()
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"prompt template {exc.name} not found") from exc
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{name}: {exc}") from exc
