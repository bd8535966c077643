"""Audiences: who a briefing is for, which decides how much it says and how it is laid out.

An audience is a folder name under prompts/ or templates/ (built in, or in the user's folders).
Its folder may hold `audience.toml`:

    description = "One screen: five key points and what to watch next."

    [budget]            # any field of briefing.assemble.composing.Budget
    key_points = 5
    watch = 3
    sections = false

A budget field the file leaves out keeps its default; an audience without the file takes the
`default/` one's, like any other file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.assemble.composing import Budget
from briefing.deliver.resources import DEFAULT_AUDIENCE, KINDS, Folders
from briefing.errors import ConfigError

SETTINGS_FILE = "audience.toml"


class _BudgetSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    max_claims: int | None = None
    max_words: int | None = None
    key_points: int | None = None
    min_importance: float | None = None
    per_topic_key_points: int | None = None
    watch: int | None = None
    sections: bool | None = None
    max_conflicts: int | None = None
    skip_repeats: bool | None = None


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = ""
    budget: _BudgetSettings = _BudgetSettings()


@dataclass(frozen=True)
class Audience:
    name: str
    description: str = ""
    budget: Budget = field(default_factory=Budget)
    settings: Path | None = None
    """The audience.toml it was read from, if any."""


def load_audience(name: str, folders: Folders | None = None) -> Audience:
    """The audience `name`: its description from its own audience.toml, its budget from the
    first audience.toml on the search path (the audience's, else default's)."""
    folders = folders or Folders()
    folders.check(name)
    own = _own_settings(name, folders)
    path = own or folders.find("templates", name, SETTINGS_FILE)
    settings = _read(path) if path else _Settings()
    budget = replace(Budget(), **settings.budget.model_dump(exclude_none=True))
    description = settings.description if own or name == DEFAULT_AUDIENCE else ""
    return Audience(name=name, description=description, budget=budget, settings=path)


def list_audiences(folders: Folders | None = None) -> list[Audience]:
    folders = folders or Folders()
    return [load_audience(name, folders) for name in folders.audiences()]


def _own_settings(name: str, folders: Folders) -> Path | None:
    """The audience's own audience.toml (templates folders first, then prompts), if any."""
    for kind in reversed(KINDS):
        for root in folders.roots(kind):
            if (root / name / SETTINGS_FILE).is_file():
                return root / name / SETTINGS_FILE
    return None


def _read(path: Path) -> _Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _Settings.model_validate(data)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {where}: {err['msg']}") from exc
