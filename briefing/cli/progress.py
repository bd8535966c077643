"""Progress on stderr: a live line when stderr is a terminal, nothing otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressLine:
    """`progress(done, total)` redraws one status line, at most ten times a second."""

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.extra = ""
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 24
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        extra = f"  {self.extra}" if self.extra else ""
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}{extra}\x1b[K")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False
