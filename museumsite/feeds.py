"""Feeds of posts: Atom and RSS 2.0 through feedgen, per language, per tag and site-wide.

Input: the converted ``Site``. Output: ``Output``s. Each language has its feeds in
its part of the site (``/feeds/atom.xml``, ``/fr/feeds/atom.xml``) holding the posts
written in that language, with the channel's language set; each tag has its feeds
per language beside its page (``/tags/museums/atom.xml``); a site with several
languages also has one feed of every post (``/feeds/all.atom.xml``). Entries carry the
summary and the whole post (Atom ``content type="html"``, RSS ``content:encoded``).
Every time stamp comes from the content (the newest post), never from the clock, so
that a rebuild with nothing changed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from museumsite.i18n import N_, Interface
from museumsite.model import Comment, Entry, Event, Output, Post, Site, Tag
from museumsite.urls import absolute, localize

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
FORMATS = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed to write: where, in which language ('' for all), its title and posts."""

    folder: str  # site path of the folder, "/fr/feeds/" or "/tags/museums/"
    lang: str
    title: str
    posts: tuple[Post, ...]
    prefix: str = ""  # "all." for the site-wide feed: /feeds/all.atom.xml

    def url(self, kind: str) -> str:
        return f"{self.folder}{self.prefix}{kind}.xml"


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
        sources = tuple(p.source.path for p in feed.posts)
        if config.feeds.atom:
            data = _feed(site, feed, feed.url("atom")).atom_str(pretty=True)
            outputs.append(Output(path=feed.url("atom").lstrip("/"), data=data, sources=sources,
                                  origin=f"the Atom feed {feed.url('atom')}"))
        if config.feeds.rss:
            data = _feed(site, feed, feed.url("rss")).rss_str(pretty=True)
            outputs.append(Output(path=feed.url("rss").lstrip("/"), data=data, sources=sources,
                                  origin=f"the RSS feed {feed.url('rss')}"))
    return outputs


def feed_links(feeds: list[Feed], site: Site, lang: str, tag: Tag | None = None) -> tuple[dict[str, str], ...]:
    """The feeds a page announces: its language's, and its tag's on a tag page."""
    config = site.config
    wanted = {localize("/feeds/", lang, config.language, config.urls.language), tag.url if tag else ""}
    links = []
    for feed in feeds:
        if feed.lang == lang and feed.folder in wanted:
            for kind, mime in FORMATS.items():
                if getattr(config.feeds, kind):
                    label = "Atom" if kind == "atom" else "RSS"
                    links.append({"url": feed.url(kind), "type": mime, "title": f"{feed.title} ({label})",
                                  "label": label, "lang": feed.lang})
    return tuple(links)


def _feed(site: Site, feed: Feed, self_url: str) -> Any:
    from feedgen.feed import FeedGenerator

    config = site.config
    home = absolute(localize("/", feed.lang or config.language, config.language, config.urls.language),
                    config.base_url)
    newest = max((p.updated or p.date for p in feed.posts), default=EPOCH)
    fg = FeedGenerator()
    fg.id(absolute(self_url, config.base_url))
    fg.title(feed.title)
    fg.subtitle(config.description_in(feed.lang or config.language) or feed.title)  # RSS requires one
    # feedgen takes the last link added as RSS's channel <link>: the home page goes last.
    fg.link(href=absolute(self_url, config.base_url), rel="self")
    fg.link(href=home, rel="alternate")
    if feed.lang:
        fg.language(feed.lang)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    fg.generator("museumsite")
    # Atom requires an author for every entry; the site's stands in for posts without one.
    fg.author({"name": config.author or config.title})
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(config.base_url))
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


def absolute_links(fragment: str, origin: str) -> str:
    """Feed readers have no page to resolve '/x/' against: make links absolute."""
    return re.sub(r'(href|src)="/(?!/)', rf'\1="{origin}/', fragment)


# ---------------------------------------------------------------- comments

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
            for kind, mime in FORMATS.items():
                if getattr(config.feeds, kind):
                    label = "Atom" if kind == "atom" else "RSS"
                    links.append({"url": feed.url(kind), "type": mime, "title": f"{feed.title} ({label})",
                                  "label": label, "lang": feed.lang})
    return tuple(links)


def make_comment_feeds(site: Site, feeds: list[CommentFeed], interface: Interface) -> list[Output]:
    config = site.config
    outputs = []
    for feed in feeds:
        sources = tuple(dict.fromkeys(site.threads[e.key].source.path for _, e in feed.items))
        for kind in ("atom", "rss"):
            if getattr(config.feeds, kind):
                fg = _comment_feed(site, feed, feed.url(kind), interface)
                data = fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)
                outputs.append(Output(path=feed.url(kind).lstrip("/"), data=data, sources=sources,
                                      origin=f"the comment feed {feed.url(kind)}"))
    return outputs


def _comment_feed(site: Site, feed: CommentFeed, self_url: str, interface: Interface) -> Any:
    from feedgen.feed import FeedGenerator

    config = site.config
    fg = FeedGenerator()
    fg.register_extension("thread", _ThreadFeed, _ThreadEntry, atom=True, rss=False)
    fg.id(absolute(self_url, config.base_url))
    fg.title(feed.title)
    fg.subtitle(feed.title)
    fg.link(href=absolute(self_url, config.base_url), rel="self")
    home = feed.items[0][1].url if feed.entry_key else localize("/", feed.lang or config.language,
                                                                config.language, config.urls.language)
    fg.link(href=absolute(home, config.base_url), rel="alternate")
    if feed.lang:
        fg.language(feed.lang)
    newest = max((c.date for c, _ in feed.items), default=EPOCH)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    fg.generator("museumsite")
    fg.author({"name": config.author or config.title})
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(config.base_url))
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


class _ThreadFeed:
    """RFC 4685 for feedgen: the namespace on the feed, ``thr:in-reply-to`` on entries."""

    def extend_ns(self) -> dict[str, str]:
        return {"thr": THREAD_NS}

    def extend_atom(self, feed: Any) -> Any:
        return feed

    def extend_rss(self, feed: Any) -> Any:
        return feed


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


# ---------------------------------------------------------------- events


def event_feeds(site: Site) -> list[Event]:
    """Every event version with talks gets a feed of its programme beside its page."""
    return [e for e in site.events if site.talks_of(e)]


def event_feed_links(site: Site, entry: Entry | None) -> tuple[dict[str, str], ...]:
    if not isinstance(entry, Event) or not site.talks_of(entry):
        return ()
    links = []
    for kind, mime in FORMATS.items():
        if getattr(site.config.feeds, kind):
            label = "Atom" if kind == "atom" else "RSS"
            links.append({"url": f"{entry.url}{kind}.xml", "type": mime, "title": f"{entry.title} ({label})",
                          "label": label, "lang": entry.lang})
    return tuple(links)


def make_event_feeds(site: Site, interface: Interface) -> list[Output]:
    """Each talk of the event as an entry: its summary, its slides, its recording as an enclosure."""
    from museumsite.media import video_of

    config = site.config
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(config.base_url))
    outputs = []
    for event in event_feeds(site):
        talks = site.talks_of(event)
        for kind in ("atom", "rss"):
            if not getattr(config.feeds, kind):
                continue
            from feedgen.feed import FeedGenerator

            self_url = f"{event.url}{kind}.xml"
            fg = FeedGenerator()
            fg.register_extension("media", _AtomLinks, _AtomLinksEntry, atom=True, rss=False)
            fg.id(absolute(self_url, config.base_url))
            fg.title(event.title)
            fg.subtitle(event.description or event.title)
            fg.link(href=absolute(self_url, config.base_url), rel="self")
            fg.link(href=absolute(event.url, config.base_url), rel="alternate")
            fg.language(event.lang)
            stamp = max((t.end or t.start for t in talks if t.start), default=None) or \
                dt.datetime.combine(event.end, dt.time(), tzinfo=dt.timezone.utc)
            fg.updated(stamp)
            fg.lastBuildDate(stamp)
            fg.generator("museumsite")
            fg.author({"name": config.author or config.title})
            for talk in talks:
                item = fg.add_entry(order="append")
                url = absolute(talk.url, config.base_url)
                item.id(url)
                item.title(talk.title)
                item.link(href=url)
                when = talk.start or stamp
                item.published(when)
                item.updated(when)
                for speaker in site.speakers_of(talk, event.lang):
                    item.author({"name": speaker.name})
                slides = "".join(
                    f'<li><a href="{html.escape(absolute(s.url, config.base_url) if s.url.startswith("/") else s.url)}">'
                    f"{html.escape(s.title)}</a></li>" for s in talk.slides)
                label = interface.gettext(event.lang, N_("Slides"))
                body = talk.summary_html + (f"<p>{html.escape(label)}</p><ul>{slides}</ul>" if slides else "")
                item.summary(absolute_links(talk.summary_html, origin), type="html")
                item.content(absolute_links(body, origin), type="html")
                if talk.video and video_of(talk.video).file_type:
                    video = absolute(talk.video, config.base_url) if talk.video.startswith("/") else talk.video
                    found = site.static_file(talk.video) if talk.video.startswith("/") else None
                    size, mime = str(found.size if found else 0), video_of(talk.video).file_type
                    if kind == "rss":
                        item.enclosure(video, size, mime)
                    else:  # feedgen 1.0 drops the rel and type of an Atom entry's extra links
                        item.media.enclosure(video, size, mime)
            data = fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)
            outputs.append(Output(path=self_url.lstrip("/"), data=data, origin=f"the event feed {self_url}",
                                  sources=tuple(t.source.path for t in talks) + (event.source.path,)))
    return outputs


class _AtomLinks(_ThreadFeed):
    """``<link rel="enclosure">`` on Atom entries, written whole."""

    def extend_ns(self) -> dict[str, str]:
        return {}


class _AtomLinksEntry(_AtomLinks):
    def __init__(self) -> None:
        self._links: list[dict[str, str]] = []

    def enclosure(self, href: str, length: str, mime: str) -> None:
        self._links.append({"href": href, "rel": "enclosure", "type": mime, "length": length})

    def extend_atom(self, entry: Any) -> Any:
        from lxml import etree

        for attributes in self._links:
            link = etree.SubElement(entry, "{http://www.w3.org/2005/Atom}link")
            for name, value in attributes.items():
                link.set(name, value)
        return entry
