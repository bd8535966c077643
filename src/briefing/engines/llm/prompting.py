"""Prompts: Jinja templates in prompts/<audience>/, through the same lookup, environment and
error reporting as the output templates (the user's folders first, an audience's files before
default/'s).

Documents and metadata are passed in as variables, never rendered as template source, and
`StrictUndefined` makes a misspelt variable an error. A prompt is rendered as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from briefing.deliver.rendering import prompt_environment, render_template


class Prompts:
    """Renders the prompt templates of one audience."""

    def __init__(self, audience: str = "default", user_dirs: Sequence[str | Path] = ()):
        self.env = prompt_environment(audience, tuple(user_dirs))

    def render(self, name: str, **variables: Any) -> str:
        return render_template(self.env, name, **variables).strip()
