"""Feeds of posts: Atom and RSS 2.0 through feedgen.

Input: the converted ``Site``. Output: ``Output``s under ``/feeds/``. Every time
stamp in a feed comes from the content (the newest post), never from the clock,
so that a rebuild with nothing changed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from museumsite.model import Output, Post, Site
from museumsite.urls import absolute

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def make_feeds(site: Site) -> list[Output]:
    config = site.config
    if not (config.feeds.atom or config.feeds.rss):
        return []
    posts = site.posts[: config.feeds.limit]
    outputs = []
    sources = tuple(p.source.path for p in posts)
    if config.feeds.atom:
        atom = _feed(site, posts, "/feeds/atom.xml").atom_str(pretty=True)
        outputs.append(Output(path="feeds/atom.xml", data=atom, sources=sources, origin="the Atom feed"))
    if config.feeds.rss:
        rss = _feed(site, posts, "/feeds/rss.xml").rss_str(pretty=True)
        outputs.append(Output(path="feeds/rss.xml", data=rss, sources=sources, origin="the RSS feed"))
    return outputs


def _feed(site: Site, posts: tuple[Post, ...], self_url: str) -> FeedGenerator:
    config = site.config
    home = absolute("/", config.base_url)
    newest = max((p.updated or p.date for p in posts), default=EPOCH)
    fg = FeedGenerator()
    fg.id(home)
    fg.title(config.title)
    fg.subtitle(config.description or config.title)  # RSS requires a description
    # feedgen takes the last link added as RSS's channel <link>: the home page goes last.
    fg.link(href=absolute(self_url, config.base_url), rel="self")
    fg.link(href=home, rel="alternate")
    fg.language(config.language)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    fg.generator("museumsite")
    if config.author:
        fg.author({"name": config.author})
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(config.base_url))
    for post in posts:
        entry = fg.add_entry(order="append")
        url = absolute(post.url, config.base_url)
        entry.id(url)
        entry.title(post.title)
        entry.link(href=url)
        entry.published(post.date)
        entry.updated(post.updated or post.date)
        for author in post.authors:
            entry.author({"name": author})
        for tag in post.tags:
            entry.category(term=tag)
        entry.summary(absolute_links(post.summary_html, origin), type="html")
        entry.content(absolute_links(post.body_html, origin), type="html")
        entry.description(absolute_links(post.summary_html, origin))
    return fg


def absolute_links(fragment: str, origin: str) -> str:
    """Feed readers have no page to resolve '/x/' against: make links absolute."""
    return re.sub(r'(href|src)="/(?!/)', rf'\1="{origin}/', fragment)
