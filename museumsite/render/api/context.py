"""What the template helpers read: one frozen object per build, bound to the helpers that need the site."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from museumsite.config import SiteConfig
from museumsite.lang.i18n import Interface
from museumsite.model import Site

F = TypeVar("F", bound=Callable[..., Any])
SHOWS_ENTRIES = "museumsite_shows_entries"


def shows_entries(function: F) -> F:
    """Mark a helper that reads fields of the entries it is given or gives back (a title, ``imported``):
    the environment notes those entries among the page's reads (render/theme.py), as it notes what
    templates read of them, so a page is made again when one of those fields changes."""
    setattr(function, SHOWS_ENTRIES, True)
    return function


@dataclass(frozen=True, slots=True, kw_only=True)
class HelperContext:
    """The site, its config and interface strings, with the config values templates ask for on every link.

    Everything here is the same on every page of a build; what depends on the page (its
    language, its URL) the helpers read from the template's context, so one set of bound
    helpers serves every page, in every worker.
    """

    site: Site
    interface: Interface
    config: SiteConfig
    # Read once: templates ask for dozens of links a page.
    base_path: str
    base_url: str
    language: str  # the site's default language
    prefix: str  # urls.language: where other languages' pages live
    # (language, message, autoescape) -> '_()' of a string without variables, the same on every page.
    made: dict[tuple[str, str, bool], str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, site: Site, interface: Interface) -> HelperContext:
        config = site.config
        return cls(site=site, interface=interface, config=config, base_path=config.base_path,
                   base_url=config.base_url, language=config.language, prefix=config.urls.language)
