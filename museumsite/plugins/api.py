"""What a plugin is: a subclass of ``Plugin`` overriding the hooks it needs, each typed.

A plugin is an installed Python package that names its ``Plugin`` subclass under the
entry-point group ``museumsite.plugins``; a site enables it by that name under
``plugins:`` (``registry.py`` finds, checks and runs them). Three hooks, called in the
order the site lists its plugins:

- ``site_assembled(site)``: the site as read and assembled, before it is checked and its
  Markdown converted. Return a new ``Site`` (``dataclasses.replace(site, posts=...)``:
  the model is frozen, and a new ``Site`` rebuilds its indices) or None to keep it.
- ``page_rendered(page)``: one HTML page as the theme rendered it. Return new bytes, or
  None to keep them.
- ``outputs(site, pages)``: files to write beside the pages (``Output(path=..., data=...)``,
  the path relative to the site root), given the converted site and every page. They go
  through the same checks as museumsite's own files: a safe path inside the output, no
  file written twice.

Hooks must be pure functions of what they are given: a build that finds nothing changed
runs no hook, and a page whose inputs did not change is kept from the previous build
with the bytes its hooks made then. A plugin is trusted code (SECURITY.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # in annotations only: a build of a site without plugins, a no-op one above all, never loads them
    from museumsite.model import Entry, Output, Site


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedPage:
    """One HTML page, as handed to ``Plugin.page_rendered``."""

    url: str  # the page's address in the site: "/talks/keynote/", "/fr/"
    path: str  # its file in the output: "talks/keynote/index.html"
    lang: str
    template: str  # the theme's template that made it: "talk.html"
    entry: Entry | None  # the entry of an entry page; None for lists, the home page, 404
    data: bytes  # UTF-8 HTML


class Plugin:
    """Base class of a plugin: override the hooks you need; the others do nothing.

    ``defaults`` names the options the plugin takes, with their default values: a site
    writes ``plugins: [{name: {option: value}}]``, and an option that is not in
    ``defaults``, or whose value is not of its default's type, is a config error at its
    line. The plugin reads ``self.options`` (the defaults with the site's values laid over)
    and ``self.name`` (the name the site enabled it by).
    """

    defaults: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, name: str, options: Mapping[str, Any]) -> None:
        self.name = name
        self.options: dict[str, Any] = {**self.defaults, **options}

    def site_assembled(self, site: Site) -> Site | None:
        """The assembled site (bodies still Markdown): a replacement, or None to keep it."""
        return None

    def page_rendered(self, page: RenderedPage) -> bytes | None:
        """One rendered page: its new bytes, or None to keep them."""
        return None

    def outputs(self, site: Site, pages: Sequence[Output]) -> Iterable[Output]:
        """Files to write beside the pages, given the converted site and every page."""
        return ()
