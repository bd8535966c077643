"""The command line: `parser` reads the arguments, `commands` does what they ask, `progress` shows
how far a long run has got. A thin layer over `briefing.pipeline`."""

from briefing.cli.parser import main

__all__ = ["main"]
