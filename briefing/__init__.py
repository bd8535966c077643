"""briefing: turn a folder of documents into a short, sourced briefing.

The library core is `briefing.pipeline.build`; the command line in `briefing.cli` is a thin layer
over it.
"""

__version__ = "0.1.0"
