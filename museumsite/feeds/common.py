"""What every feed shares: formats and their labels, the links a page announces, the channel, absolute links.

The post, comment and event feeds (``posts``, ``comments``, ``events``), the JSON Feed
(``jsonfeed``) and the feeds page (``index``) all say "Atom" and "RSS" the same way, turn
the site's links absolute against the same origin and describe their channel the same way:
here once, so that a new feed (or a change to how feeds are announced) is made in one place.
Every time stamp comes from the content, never from the clock, so that a rebuild with nothing
changed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from museumsite.config import SiteConfig
from museumsite.urls import absolute

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
# The XML formats a site may turn on (``feeds: {atom: .., rss: ..}``), their MIME types and names.
FORMATS = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
LABELS = {"atom": "Atom", "rss": "RSS"}
JSON_MIME = "application/feed+json"
JSON_LABEL = "JSON Feed"


def xml_formats(config: SiteConfig) -> list[str]:
    """The XML formats the config turns on, in FORMATS' order."""
    return [kind for kind in FORMATS if getattr(config.feeds, kind)]


def announced(config: SiteConfig, url_of: Callable[[str], str], title: str, lang: str,
              kind: str) -> list[dict[str, str]]:
    """The ``<link rel="alternate">`` of a feed in each XML format turned on: what a page announces."""
    return [{"url": url_of(fmt), "type": FORMATS[fmt], "title": f"{title} ({LABELS[fmt]})", "label": LABELS[fmt],
             "lang": lang, "kind": kind} for fmt in xml_formats(config)]


def site_origin(config: SiteConfig) -> str:
    """``https://example.org`` of the base URL: what ``absolute_links`` puts before a site path."""
    return "{0.scheme}://{0.netloc}".format(urlsplit(config.base_url))


_SITE_LINK = re.compile(r'(href|src)="/(?!/)')


@functools.lru_cache(maxsize=2048)
def absolute_links(fragment: str, origin: str) -> str:
    """Feed readers have no page to resolve '/x/' against: make links absolute.

    A post is in several feeds (its language's, its tags', all languages', each in
    Atom, RSS and JSON): its summary and body are rewritten once. A fragment with no
    site link (no '="/') is returned without running the pattern over it.
    """
    if '="/' not in fragment:
        return fragment
    return _SITE_LINK.sub(rf'\1="{origin}/', fragment)


def new_channel(config: SiteConfig, *, self_url: str, home: str, title: str, subtitle: str, lang: str,
                updated: dt.datetime) -> Any:
    """A feedgen generator with the channel filled in; ``self_url`` and ``home`` are site paths.

    RSS requires a subtitle (its description), Atom an author for every entry: the site's
    stands in for entries without one.
    """
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    address(fg, config, self_url, home)
    fg.title(title)
    fg.subtitle(subtitle)
    if lang:
        fg.language(lang)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    fg.generator("museumsite")
    fg.author({"name": config.author or config.title})
    return fg


def address(fg: Any, config: SiteConfig, self_url: str, home: str) -> None:
    """The channel's id and links: its own address (Atom or RSS), then its home page.

    feedgen takes the last link added as RSS's channel ``<link>``: the home page goes last.
    Called again on the same generator, it readdresses it (one generator serves Atom and RSS).
    """
    fg.id(absolute(self_url, config.base_url))
    fg.link(href=absolute(self_url, config.base_url), rel="self", replace=True)
    fg.link(href=absolute(home, config.base_url), rel="alternate")


def serialized(fg: Any, kind: str) -> bytes:
    """The feed's bytes in ``kind`` ("atom" or "rss")."""
    data: bytes = fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)
    return data


class EntryExtension:
    """A feedgen extension that writes on Atom entries only: nothing on the channel, nothing in RSS."""

    def extend_ns(self) -> dict[str, str]:
        return {}

    def extend_atom(self, feed: Any) -> Any:
        return feed

    def extend_rss(self, feed: Any) -> Any:
        return feed
