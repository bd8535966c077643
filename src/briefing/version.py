"""The version of briefing, where every layer may read it (`briefing.__version__` is this)."""

__version__ = "0.1.0"
