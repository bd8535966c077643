"""Engines turn chunks into facts. Each one sits behind the small interface in `base`."""

from briefing.engines.base import Engine, Extraction

__all__ = ["Engine", "Extraction"]
