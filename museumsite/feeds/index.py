"""Every feed of the site, for the feeds page of each language (``/feeds/``, ``/fr/feeds/``).

Input: the ``Site`` and its interface strings. Output: ``FeedListing``s grouped by what they
follow (posts, tags, events, comments). The plans are the same functions the build uses to
write the feeds (``plan_feeds``, ``plan_comment_feeds``, ``event_feeds``), so the page lists
exactly the files that exist. The template says in words what each feed holds, from its
``kind``; the formats are those the config turns on, plus JSON Feed for post feeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from museumsite.feeds.comments import plan_comment_feeds
from museumsite.feeds.common import FORMATS, JSON_LABEL, JSON_MIME, LABELS, xml_formats
from museumsite.feeds.events import event_feeds
from museumsite.feeds.posts import plan_feeds
from museumsite.lang.i18n import Interface
from museumsite.model import Site
from museumsite.urls import localize


@dataclass(frozen=True, slots=True)
class FeedLink:
    label: str  # "Atom", "RSS", "JSON Feed"
    url: str
    type: str


@dataclass(frozen=True, slots=True)
class FeedListing:
    """One feed in its formats, and what it follows."""

    group: str  # "posts", "tags", "events", "comments"
    kind: str  # "language", "all", "tag", "event", "comments-language", "comments-all", "comments-entry"
    title: str
    lang: str  # the language of its title
    subject: str  # the tag, event or entry followed; the language's code for "language" feeds
    count: int
    links: tuple[FeedLink, ...]


def feeds_for_page(site: Site, interface: Interface, lang: str) -> tuple[FeedListing, ...]:
    """The feeds a reader of ``lang`` may follow: that language's, and those of the whole site."""
    config = site.config
    own = localize("/feeds/", lang, config.language, config.urls.language)
    formats = xml_formats(config)

    def xml_links(url_of: Callable[[str], str]) -> tuple[FeedLink, ...]:
        return tuple(FeedLink(LABELS[k], url_of(k), FORMATS[k]) for k in formats)

    listings = []
    for feed in plan_feeds(site, interface):
        links = xml_links(feed.url) + (FeedLink(JSON_LABEL, feed.url("json"), JSON_MIME),)
        if feed.folder == own and feed.lang == lang:
            listings.append(FeedListing("posts", "language", feed.title, lang, lang, len(feed.posts), links))
        elif not feed.lang:
            listings.append(FeedListing("posts", "all", feed.title, config.language, "", len(feed.posts), links))
        elif feed.lang == lang:
            tag = next((t for t in site.tags_in(lang) if t.url == feed.folder), None)
            listings.append(FeedListing("tags", "tag", feed.title, lang, tag.name if tag else feed.title,
                                        len(feed.posts), links))
    events = event_feeds(site)
    for event in events:
        chosen = event.lang == lang or (
            event is site.original(event.key) and not any(e.key == event.key and e.lang == lang for e in events))
        if chosen and formats:
            listings.append(FeedListing("events", "event", event.title, event.lang, event.title,
                                        len(site.talks_of(event)),
                                        xml_links(partial("{0}{1}.xml".format, event.url))))
    if formats:
        for comments in plan_comment_feeds(site, interface):
            kind = ("comments-entry" if comments.entry_key else
                    "comments-language" if comments.lang else "comments-all")
            if kind == "comments-language" and comments.lang != lang:
                continue
            subject = comments.items[0][1].title if comments.entry_key else comments.lang
            entry_lang = comments.items[0][1].lang if comments.entry_key else comments.lang or config.language
            listings.append(FeedListing("comments", kind, comments.title, entry_lang, subject, len(comments.items),
                                        xml_links(comments.url)))
    order = {"posts": 0, "tags": 1, "events": 2, "comments": 3}
    return tuple(sorted(listings, key=lambda f: order[f.group]))  # stable: plan order within a group
