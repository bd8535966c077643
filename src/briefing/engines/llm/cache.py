"""A disk cache of validated model answers.

The key is a hash of everything that shapes an answer: base URL, model, the messages (so the
prompt text and the document text), the response format (so the schema) and the parameters.
Only answers that passed validation are stored, so a chunk that failed is asked again next
run. Entries are written atomically (temporary file, then rename), so two runs sharing the
cache can only ever read a whole entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    """The user's cache folder for briefing (XDG on Linux, the platform's elsewhere)."""
    from briefing.deliver.resources import user_cache_dir

    return user_cache_dir()


def cache_key(parts: dict[str, Any]) -> str:
    blob = json.dumps({"v": CACHE_FORMAT, **parts}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class AnswerCache:
    """get/put JSON-able answers by key. `enabled=False` makes every get a miss and put a no-op.
    A cache that cannot be written costs money later, not correctness now: the first failure
    is said once through `warn`, and the run goes on."""

    def __init__(
        self,
        folder: Path | None,
        enabled: bool = True,
        warn: Callable[[str], None] | None = None,
    ):
        self.folder = Path(folder) if folder else default_cache_dir()
        self.enabled = enabled
        self.warn = warn
        self.failed = False
        self._made: set[Path] = set()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Any | None:
        if not self.enabled:
            return None
        try:
            with open(self._path(key), encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: Any) -> None:
        if not self.enabled:
            return
        path = self._path(key)
        tmp = None
        try:
            if path.parent not in self._made:  # one mkdir per folder and run, not per answer
                path.parent.mkdir(parents=True, exist_ok=True)
                self._made.add(path.parent)
            data = json.dumps(value, ensure_ascii=False).encode("utf-8")  # C, not json.dump's
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
            tmp = None
        except OSError as exc:
            if not self.failed and self.warn:
                reason = exc.strerror or str(exc)
                self.warn(
                    f"answers cannot be cached in {self.folder} ({reason}): the next run will "
                    "pay for every request again (see --cache-dir)"
                )
            self.failed = True
        finally:
            if tmp:
                Path(tmp).unlink(missing_ok=True)

    def delete(self, key: str) -> None:
        if self.enabled:
            self._path(key).unlink(missing_ok=True)

    def entries(self) -> list[Any]:
        """Every entry (in no particular order); unreadable ones are left out."""
        if not self.enabled or not self.folder.is_dir():
            return []
        return [v for p in sorted(self.folder.glob("*/*.json")) if (v := self.get(p.stem))]
