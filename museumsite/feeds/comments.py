"""Feeds of comments: one per entry, one per language, one of the whole site, RSS and Atom.

Input: the site's published threads. Output: ``Output``s. Atom entries say what they
answer with the Atom Threading Extension (RFC 4685 ``thr:in-reply-to``): the comment
replied to, or the entry itself. Pending and spam comments never reach a thread, so
they never reach a feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from museumsite.feeds.common import (
    EPOCH,
    EntryExtension,
    absolute_links,
    announced,
    new_channel,
    serialized,
    site_origin,
    xml_formats,
)
from museumsite.lang import N_
from museumsite.lang.i18n import Interface
from museumsite.model import Comment, Entry, Output, Site
from museumsite.urls import absolute, localize

THREAD_NS = "http://purl.org/syndication/thread/1.0"


@dataclass(frozen=True, slots=True)
class CommentFeed:
    """Comments to publish as a feed: of one entry, of one language, or of the whole site."""

    path: str  # site path without the extension: "/posts/recap/comments", "/fr/feeds/comments"
    lang: str  # the channel's language; '' when the comments are in several
    title: str
    items: tuple[tuple[Comment, Entry], ...]  # newest first
    entry_key: str = ""  # set for the feed of one entry's comments

    def url(self, kind: str) -> str:
        return f"{self.path}.{kind}.xml" if kind == "atom" else f"{self.path}.rss.xml"


def plan_comment_feeds(site: Site, interface: Interface) -> list[CommentFeed]:
    """A feed per entry with comments, per site language, and one of every comment."""
    config = site.config
    everything: list[tuple[Comment, Entry]] = []
    feeds = []
    for key, thread in sorted(site.threads.items()):
        original = site.original(key)
        if original is None or not thread.flat:
            continue
        items = tuple((c, original) for c in sorted(thread.flat, key=lambda c: c.date, reverse=True))
        everything.extend(items)
        title = interface.gettext(original.lang, N_("Comments on %(title)s")) % {"title": original.title}
        feeds.append(CommentFeed(path=f"{original.url}comments", lang="", title=title,
                                 items=items[:config.feeds.limit], entry_key=key))
    everything.sort(key=lambda item: (item[0].date, item[0].id), reverse=True)
    for lang in config.all_languages:
        mine = tuple(item for item in everything if item[0].lang == lang)
        if mine:
            title = interface.gettext(lang, N_("%(site)s: comments")) % {"site": config.title_in(lang)}
            path = localize("/feeds/", lang, config.language, config.urls.language) + "comments"
            feeds.append(CommentFeed(path=path, lang=lang, title=title, items=mine[:config.feeds.limit]))
    if everything:
        title = interface.gettext(config.language, N_("%(site)s: comments")) % {"site": config.title}
        feeds.append(CommentFeed(path="/feeds/all-comments", lang="", title=title,
                                 items=tuple(everything[:config.feeds.limit])))
    return feeds


def comment_feed_links(feeds: list[CommentFeed], site: Site, lang: str,
                       entry: Entry | None) -> tuple[dict[str, str], ...]:
    """An entry's page announces its comment feed; other pages, their language's."""
    config = site.config
    own = localize("/feeds/", lang, config.language, config.urls.language) + "comments"
    links = []
    for feed in feeds:
        if (entry is not None and feed.entry_key == entry.key) or (entry is None and feed.path == own):
            links += announced(config, feed.url, feed.title, feed.lang, "comments")
    return tuple(links)


def make_comment_feeds(site: Site, feeds: list[CommentFeed], interface: Interface) -> list[Output]:
    config = site.config
    outputs = []
    for feed in feeds:
        for kind in xml_formats(config):
            data = serialized(_comment_feed(site, feed, feed.url(kind), interface), kind)
            outputs.append(Output(path=feed.url(kind).lstrip("/"), data=data,
                                  origin=f"the comment feed {feed.url(kind)}"))
    return outputs


def _comment_feed(site: Site, feed: CommentFeed, self_url: str, interface: Interface) -> Any:
    config = site.config
    home = feed.items[0][1].url if feed.entry_key else localize("/", feed.lang or config.language,
                                                                config.language, config.urls.language)
    newest = max((c.date for c, _ in feed.items), default=EPOCH)
    fg = new_channel(config, self_url=self_url, home=home, title=feed.title, subtitle=feed.title, lang=feed.lang,
                     updated=newest)
    fg.register_extension("thread", _ThreadFeed, _ThreadEntry, atom=True, rss=False)
    origin = site_origin(config)
    for comment, entry in feed.items:
        item = fg.add_entry(order="append")
        page = absolute(entry.url, config.base_url)
        url = f"{page}#comment-{comment.id}"
        item.id(url)
        author = comment.author or interface.gettext(feed.lang or config.language, N_("Anonymous"))
        item.title(interface.gettext(feed.lang or config.language, N_("%(author)s on %(title)s"))
                   % {"author": author, "title": entry.title})
        item.link(href=url)
        item.published(comment.date)
        item.updated(comment.date)
        item.author({"name": author, **({"uri": comment.author_url} if comment.author_url else {})})
        item.content(absolute_links(comment.body_html, origin), type="html")
        parent = f"{page}#comment-{comment.parent}" if comment.parent else page
        item.thread.in_reply_to(parent)
    return fg


class _ThreadFeed(EntryExtension):
    """RFC 4685 for feedgen: the namespace on the feed, ``thr:in-reply-to`` on entries."""

    def extend_ns(self) -> dict[str, str]:
        return {"thr": THREAD_NS}


class _ThreadEntry(_ThreadFeed):
    def __init__(self) -> None:
        self._ref = ""

    def in_reply_to(self, ref: str) -> None:
        self._ref = ref

    def extend_atom(self, entry: Any) -> Any:
        from lxml import etree

        if self._ref:
            reply = etree.SubElement(entry, f"{{{THREAD_NS}}}in-reply-to")
            reply.set("ref", self._ref)
            reply.set("href", self._ref)
            reply.set("type", "text/html")
        return entry
