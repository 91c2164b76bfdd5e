"""The files made beside the pages, one producer per family: ``build.py`` runs them in order.

A producer is a name and a function from what the build has made so far (``Made``: the
converted site, the page plan, the rendered pages, the feeds the pages link to, and the
build's services) to a list of ``Output``. museumsite's own families are listed in
``BUILT_IN``, in the order their files always came; an enabled plugin's ``outputs`` hook
is one more producer after them (``registry.py``), checked like any other file before
anything is written.

Families that can be kept from the previous build go through the build's ``Reuse``
(``incremental/reuse.py``): post feeds per feed and format, the sitemap and robots.txt
while the site's shape is the same. The others are cheap and made every time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from museumsite.feeds.comments import CommentFeed, make_comment_feeds, plan_comment_feeds
from museumsite.feeds.events import make_event_feeds
from museumsite.feeds.jsonfeed import make_json_feeds
from museumsite.feeds.posts import Feed, make_feeds, plan_feeds
from museumsite.markup.pool import map_entries
from museumsite.model import Output, Site
from museumsite.programme.calendars import make_calendars
from museumsite.programme.exports import make_schedule_exports
from museumsite.render.search import make_search_index
from museumsite.render.sitemap import make_sitemap

if TYPE_CHECKING:
    from museumsite.errors import Problems
    from museumsite.incremental.reuse import Reuse
    from museumsite.incremental.store import Store
    from museumsite.lang.i18n import Interface
    from museumsite.render.plan import Job


@dataclass(frozen=True, slots=True, kw_only=True)
class Plans:
    """The feeds the pages link to: planned before the pages are rendered, made after."""

    posts: list[Feed]
    comments: list[CommentFeed]

    @classmethod
    def of(cls, site: Site, interface: Interface) -> Plans:
        return cls(posts=plan_feeds(site, interface), comments=plan_comment_feeds(site, interface))

    @property
    def links(self) -> tuple[list[Feed], list[CommentFeed]]:
        """What ``render_pages`` announces on each page."""
        return self.posts, self.comments


@dataclass(frozen=True, slots=True, kw_only=True)
class Made:
    """What a producer makes its files from."""

    site: Site  # converted: bodies are HTML
    interface: Interface
    jobs: Sequence[Job]
    table: Mapping[str, Mapping[str, str]]  # page key -> language -> URL (plan.alternates)
    plans: Plans
    pages: Sequence[Output]  # every page, in the plan's order, kept ones included
    reuse: Reuse
    problems: Problems
    store: Store  # the build's options and cache layers
    step: Callable[[str, int, int], None]  # progress


@dataclass(frozen=True, slots=True)
class Producer:
    """One family of files made beside the pages."""

    name: str
    make: Callable[[Made], list[Output]]
    feeds: bool = False  # its files count as feeds in the build's figures
    late: bool = False  # reads only the files made before it: serve shows those first (build.py's _produce)


def _post_feeds(made: Made) -> list[Output]:
    """Atom and RSS, one pair per language and tag (hundreds on a large site): made on every core, in order."""
    return made.reuse.feeds(made.plans.posts, ("atom", "rss"), lambda todo: [
        o for found in map_entries(lambda s, feed: make_feeds(s, [feed]), made.site, todo) for o in found])


def _json_feeds(made: Made) -> list[Output]:
    return made.reuse.feeds(made.plans.posts, ("json",), lambda todo: make_json_feeds(made.site, todo))


def _comment_feeds(made: Made) -> list[Output]:
    return make_comment_feeds(made.site, made.plans.comments, made.interface)


def _event_feeds(made: Made) -> list[Output]:
    return make_event_feeds(made.site, made.interface)


def _sitemap(made: Made) -> list[Output]:
    return made.reuse.shaped(["sitemap.xml", "robots.txt"], lambda: make_sitemap(made.site, list(made.jobs),
                                                                                 made.table))


def _calendars(made: Made) -> list[Output]:
    return make_calendars(made.site)


def _schedules(made: Made) -> list[Output]:
    return make_schedule_exports(made.site)


def _search(made: Made) -> list[Output]:
    if not made.site.config.search.enabled:
        return []
    made.step("indexing for search", 0, 0)
    return make_search_index(list(made.pages), made.jobs, made.problems, made.store.shard_cache())


BUILT_IN = (
    Producer("post feeds", _post_feeds, feeds=True),
    Producer("JSON feeds", _json_feeds, feeds=True),
    Producer("comment feeds", _comment_feeds, feeds=True),
    Producer("event feeds", _event_feeds, feeds=True),
    Producer("sitemap", _sitemap),
    Producer("calendars", _calendars),
    Producer("schedule exports", _schedules),
    Producer("search index", _search, late=True),
)
