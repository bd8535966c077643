"""Where prompts and templates are found.

The built-in prompts/ and templates/ folders are inside the installed package (briefing/_data/,
put there by the wheel build) or, in a checkout, at the top of the repository. Both hold one
folder per audience. A user's folders (`--prompts DIR`, `--templates DIR`) come before the
built-in ones, and an audience's folder before `default/`, file by file: the first folder that has
a file wins, so a user overrides one file without copying the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from briefing.errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent.parent  # briefing/, in site-packages or src/

Kind = Literal["prompts", "templates"]
KINDS: tuple[Kind, ...] = ("prompts", "templates")
DEFAULT_AUDIENCE = "default"


def user_cache_dir() -> Path:
    """The user's cache folder for briefing (XDG on Linux, the platform's elsewhere): the
    model's answers, compiled templates, web snapshots when there is no state file."""
    from platformdirs import user_cache_dir as platform_cache_dir

    return Path(platform_cache_dir("briefing", appauthor=False))


def builtin_dir(name: str) -> Path:
    """The built-in folder `name` ('prompts' or 'templates')."""
    # Installed: briefing/_data/NAME (the wheel puts it there). In a checkout installed as
    # editable: NAME at the top of the repository, two levels above src/briefing/.
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"briefing is installed without its {name}/ folder")


@dataclass(frozen=True)
class Folders:
    """The user's prompt and template folders, which come before the built-in ones."""

    prompts: tuple[Path, ...] = ()
    templates: tuple[Path, ...] = ()

    @classmethod
    def of(
        cls, prompts: Sequence[str | Path] = (), templates: Sequence[str | Path] = ()
    ) -> Folders:
        return cls(tuple(Path(p) for p in prompts), tuple(Path(t) for t in templates))

    def roots(self, kind: Kind) -> list[Path]:
        """The folders that hold one folder per audience, first match wins."""
        return [*getattr(self, kind), builtin_dir(kind)]

    def audiences(self) -> list[str]:
        """Every audience a folder exists for, of either kind, built in or the user's."""
        names = {
            p.name
            for kind in KINDS
            for root in self.roots(kind)
            if root.is_dir()
            for p in root.iterdir()
            if p.is_dir() and not p.name.startswith((".", "_"))
        }
        return sorted(names)

    def check(self, audience: str) -> None:
        """Raise ConfigError unless a prompts/ or templates/ folder exists for `audience`."""
        if audience != DEFAULT_AUDIENCE and audience not in self.audiences():
            known = ", ".join(self.audiences())
            raise ConfigError(
                f"unknown audience {audience!r}: no folder prompts/{audience}/ or "
                f"templates/{audience}/ (known: {known})"
            )

    def search_path(self, kind: Kind, audience: str = DEFAULT_AUDIENCE) -> list[Path]:
        """Folders a `kind` file for `audience` is looked up in, first match wins: the
        audience's folders (the user's, then the built-in one), then the `default/` ones.
        An audience without a folder of this kind (a user's audience that only changes the
        templates, say) gets the `default/` ones; `check` says whether it exists at all."""
        names = [audience, DEFAULT_AUDIENCE] if audience != DEFAULT_AUDIENCE else [audience]
        roots = self.roots(kind)
        return [root / name for name in names for root in roots if (root / name).is_dir()]

    def find(self, kind: Kind, audience: str, filename: str) -> Path | None:
        """The first `filename` on the search path, or None."""
        for folder in self.search_path(kind, audience):
            if (folder / filename).is_file():
                return folder / filename
        return None


def search_path(
    kind: Kind, audience: str = DEFAULT_AUDIENCE, folders: Folders | None = None
) -> list[Path]:
    """Folders a prompt or template for `audience` is looked up in, first match wins."""
    return (folders or Folders()).search_path(kind, audience)
