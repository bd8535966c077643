"""Where the built-in prompts/ and templates/ folders are: inside the installed package
(briefing/_data/, put there by the wheel build) or, in a checkout, at the top of the repository."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_dir(name: str) -> Path:
    """The built-in folder `name` ('prompts' or 'templates')."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"briefing is installed without its {name}/ folder")
