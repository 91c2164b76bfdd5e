"""Feeds of posts: Atom and RSS 2.0 through feedgen, per language, per tag and site-wide.

Input: the converted ``Site``. Output: ``Output``s. Each language has its feeds in
its part of the site (``/feeds/atom.xml``, ``/fr/feeds/atom.xml``) holding the posts
written in that language, with the channel's language set; each tag has its feeds
per language beside its page (``/tags/museums/atom.xml``); a site with several
languages also has one feed of every post (``/feeds/all.atom.xml``). Entries carry the
summary and the whole post (Atom ``content type="html"``, RSS ``content:encoded``).
Every time stamp comes from the content (the newest post). What the other feeds share
with these (formats, channel, absolute links) is in ``common``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from museumsite.feeds.common import (
    EPOCH,
    JSON_LABEL,
    JSON_MIME,
    absolute_links,
    address,
    announced,
    new_channel,
    site_origin,
)
from museumsite.lang import N_
from museumsite.lang.i18n import Interface
from museumsite.model import Output, Post, Site, Tag
from museumsite.urls import absolute, localize


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed to write: where, in which language ('' for all), its title and posts."""

    folder: str  # site path of the folder, "/fr/feeds/" or "/tags/museums/"
    lang: str
    title: str
    posts: tuple[Post, ...]
    prefix: str = ""  # "all." for the site-wide feed: /feeds/all.atom.xml

    def url(self, kind: str) -> str:
        return f"{self.folder}{self.prefix}feed.json" if kind == "json" else f"{self.folder}{self.prefix}{kind}.xml"


def plan_feeds(site: Site, interface: Interface) -> list[Feed]:
    """Every post feed of the site; a feed with no post is not made."""
    config = site.config
    feeds = []
    limit = config.feeds.limit
    for lang in config.all_languages:
        posts = site.posts_in(lang)
        if posts or lang == config.language:
            folder = localize("/feeds/", lang, config.language, config.urls.language)
            feeds.append(Feed(folder=folder, lang=lang, title=config.title_in(lang), posts=posts[:limit]))
        for tag in site.tags_in(lang):
            tagged = _tagged_posts(tag, lang)
            if tagged:
                title = interface.gettext(lang, N_("%(site)s: %(tag)s")) % {"site": config.title_in(lang),
                                                                            "tag": tag.name}
                feeds.append(Feed(folder=tag.url, lang=lang, title=title, posts=tagged[:limit]))
    if len(config.all_languages) > 1 and site.posts:
        feeds.append(Feed(folder="/feeds/", lang="", title=config.title, posts=site.posts[:limit], prefix="all."))
    return feeds


def _tagged_posts(tag: Tag, lang: str) -> tuple[Post, ...]:
    return tuple(e for e in tag.entries if isinstance(e, Post) and e.lang == lang)


def make_feeds(site: Site, feeds: list[Feed]) -> list[Output]:
    config = site.config
    outputs = []
    for feed in feeds:
        # One generator serves both formats: only the feed's own address differs.
        generator = None
        if config.feeds.atom:
            generator = _feed(site, feed, feed.url("atom"))
            data = generator.atom_str(pretty=True)
            outputs.append(Output(path=feed.url("atom").lstrip("/"), data=data,
                                  origin=f"the Atom feed {feed.url('atom')}"))
        if config.feeds.rss:
            if generator is None:
                generator = _feed(site, feed, feed.url("rss"))
            else:
                address(generator, config, feed.url("rss"), _home(site, feed))
            data = generator.rss_str(pretty=True)
            outputs.append(Output(path=feed.url("rss").lstrip("/"), data=data,
                                  origin=f"the RSS feed {feed.url('rss')}"))
    return outputs


def feed_links(feeds: list[Feed], site: Site, lang: str, tag: Tag | None = None) -> tuple[dict[str, str], ...]:
    """The feeds a page announces: its language's, and its tag's on a tag page."""
    config = site.config
    wanted = {localize("/feeds/", lang, config.language, config.urls.language), tag.url if tag else ""}
    links = []
    for feed in feeds:
        if feed.lang == lang and feed.folder in wanted:
            kind = "tag" if tag and feed.folder == tag.url else "posts"
            links += announced(config, feed.url, feed.title, feed.lang, kind)
            links.append({"url": feed.url("json"), "type": JSON_MIME, "title": f"{feed.title} ({JSON_LABEL})",
                          "label": JSON_LABEL, "lang": feed.lang, "kind": kind})
    return tuple(links)


def _home(site: Site, feed: Feed) -> str:
    config = site.config
    return localize("/", feed.lang or config.language, config.language, config.urls.language)


def _feed(site: Site, feed: Feed, self_url: str) -> Any:
    config = site.config
    newest = max((p.updated or p.date for p in feed.posts), default=EPOCH)
    fg = new_channel(config, self_url=self_url, home=_home(site, feed), title=feed.title,
                     subtitle=config.description_in(feed.lang or config.language) or feed.title, lang=feed.lang,
                     updated=newest)
    origin = site_origin(config)
    for post in feed.posts:
        entry = fg.add_entry(order="append")
        url = absolute(post.url, config.base_url)
        entry.id(url)
        entry.title(post.title)
        entry.link(href=url)
        entry.published(post.date)
        entry.updated(post.updated or post.date)
        for author in post.authors:
            entry.author({"name": author})
        for key in post.tags:
            found = site.tag(key, post.lang)
            entry.category(term=found.name if found else key)
        # summary() also sets RSS's description; content() the Atom content and RSS content:encoded.
        entry.summary(absolute_links(post.summary_html, origin), type="html")
        entry.content(absolute_links(post.body_html, origin), type="html")
    return fg
