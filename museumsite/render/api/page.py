"""The page context: the variables a page template receives besides the registered globals and filters.

Every page gets the fields of ``PageContext``; a page of one kind gets some more
(``KIND_VARIABLES``: a talk's ``event``, a list's ``items``...), named by the plan
(``render.plan``) and by ``render.pages`` for entry pages. README.md's "Template
reference" lists both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from museumsite.model import Entry

# Variables only some pages get, and which: a page of another kind has no such variable.
KIND_VARIABLES: dict[str, str] = {
    "event": "a talk's page: the talk's event (or none)",
    "speakers": "a talk's page: its speakers",
    "talks": "a speaker's or an event's page: their talks",
    "items": "list pages (posts, a tag, events, talks, speakers): the entries of this page",
    "pager": "paginated lists: number, count, urls, previous, next",
    "posts": "the home page: the latest posts; a year's archive: its posts",
    "tag": "a tag's pages: the tag (name, url, entries)",
    "tags": "the tags page: the language's tags",
    "year": "a year's archive: the year",
    "years": "the archive page: (year, number of posts), the latest first",
    "listings": "the feeds page: the feeds to subscribe to, by group",
    "target": "a redirect (an alias): the entry it leads to",
}


# The index pages a language may have, by the plan's page key (render.plan): ``indexes`` names those it has.
INDEXES = ("posts", "archive", "tags", "events", "talks", "speakers", "feeds", "search")


@dataclass(frozen=True, slots=True, kw_only=True)
class PageContext:
    """What every page template receives, in the page's language."""

    title: str
    lang: str
    page_url: str
    nav: tuple[dict[str, Any], ...]  # menu items: url, label, lang
    home_url: str
    site_title: str
    site_title_lang: str  # the language site_title is written in
    canonical: str
    description: str
    entry: Entry | None  # the entry of an entry page, else none
    translations: tuple[Entry, ...]
    alternates: tuple[tuple[str, str], ...]  # (language, url) of every version, when there are several
    x_default: str
    switcher: tuple[dict[str, Any], ...]  # one item per site language: lang, name, url, current, exists
    feeds: tuple[dict[str, str], ...]  # the feeds the page announces: type, title, url, lang
    # The site path of each of this language's index pages (INDEXES), "" where it has none: a footer's links. A page that
    # asked the site for its lists instead (``site.tags``) is made again whenever a tag or a date changes.
    indexes: Mapping[str, str]
    kind: Mapping[str, Any]  # this kind of page's own variables (KIND_VARIABLES)

    def __post_init__(self) -> None:
        if not KIND_VARIABLES.keys() >= self.kind.keys():  # a variable themes would rely on, undocumented
            unknown = sorted(self.kind.keys() - KIND_VARIABLES.keys())
            raise ValueError(f"page variables {unknown} are not documented in render.api.page.KIND_VARIABLES "
                             "and README.md's \"Template reference\"")

    def variables(self) -> dict[str, Any]:
        """The template's variables: the fields (but ``kind``), then the kind's own; written out, as it is per page."""
        return {"title": self.title, "lang": self.lang, "page_url": self.page_url, "nav": self.nav,
                "home_url": self.home_url, "site_title": self.site_title, "site_title_lang": self.site_title_lang,
                "canonical": self.canonical, "description": self.description, "entry": self.entry,
                "translations": self.translations, "alternates": self.alternates, "x_default": self.x_default,
                "switcher": self.switcher, "feeds": self.feeds, "indexes": self.indexes, **self.kind}


# The names every page gets, in order: README.md's "Template reference" lists them.
PAGE_VARIABLES: tuple[str, ...] = tuple(f.name for f in fields(PageContext) if f.name != "kind")
