"""Progress on stderr: a live line when stderr is a terminal, nothing otherwise.

Anything else said while the line is shown goes through `say`, which clears the line first, so
a message never lands on the bar's line; the next update draws the bar again below it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class ProgressLine:
    """`progress(done, total)` redraws one status line, at most ten times a second. `extra` is
    a function giving what to show after the count (facts, tokens), called at each redraw."""

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.extra: Callable[[], str] | None = None
        self._last = 0.0
        self._shown = False
        self._state: tuple[int, int] | None = None

    def __call__(self, done: int, total: int) -> None:
        self._state = (done, total)
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        self._draw(done, total)

    def _draw(self, done: int, total: int) -> None:
        width = 24
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        extra = self.extra() if self.extra else ""
        extra = f"  {extra}" if extra else ""
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}{extra}\x1b[K")
        self.stream.flush()
        self._shown = True

    def say(self, line: str) -> None:
        """Print `line` on a line of its own: the bar's line is cleared first, and the bar is
        drawn again under it."""
        if self._shown:
            self.stream.write("\r\x1b[K")
        self.stream.write(line + "\n")
        self.stream.flush()
        if self._shown and self._state is not None:
            self._draw(*self._state)

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False
