"""Extension points: plugins (installed packages, entry-point group ``museumsite.plugins``) and the
producers of the files made beside the pages, museumsite's own and plugins' alike.

What a plugin imports is here: ``from museumsite.plugins import Output, Plugin, RenderedPage, Site``.
"""

from __future__ import annotations

from museumsite.model import Output, Site
from museumsite.plugins.api import Plugin, RenderedPage

__all__ = ["Output", "Plugin", "RenderedPage", "Site"]
