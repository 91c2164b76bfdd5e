"""Extension points: plugins (installed packages, entry-point group ``museumsite.plugins``) and the
producers of the files made beside the pages, museumsite's own and plugins' alike.

What a plugin imports is here: ``from museumsite.plugins import Output, Plugin, RenderedPage, Site``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from museumsite.plugins.api import Plugin, RenderedPage

if TYPE_CHECKING:
    from museumsite.model import Output, Site

__all__ = ["Output", "Plugin", "RenderedPage", "Site"]


def __getattr__(name: str) -> Any:
    """``Output`` and ``Site``, from the model when a plugin first asks: a build of a site without plugins (a
    no-op one above all) imports this package, and never loads the model through it."""
    if name in ("Output", "Site"):
        from museumsite import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
