"""briefing: turn a folder of documents into a short, sourced briefing.

The library's front door is `briefing.build(paths)`, which returns a `Briefing` (see
`briefing.models`); `briefing.render(b, "md")` turns it into text. Both are imported on first
use, so `import briefing` costs nothing. The command line (`briefing.cli`) is a thin layer over
them.

    import briefing
    b = briefing.build(["reports/"])                 # the extractive engine: no model needed
    print(briefing.render(b, "md"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from briefing.version import __version__

__all__ = ["__version__", "build", "render"]

if TYPE_CHECKING:
    from briefing.deliver.rendering import render
    from briefing.pipeline import build


def __getattr__(name: str) -> Any:
    if name == "build":
        from briefing.pipeline import build

        return build
    if name == "render":
        from briefing.deliver.rendering import render

        return render
    raise AttributeError(f"module 'briefing' has no attribute {name!r}")
