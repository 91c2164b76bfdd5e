"""The data every stage passes on: frozen dataclasses, no behaviour but queries.

``load`` makes ``Document``s, ``assemble`` turns them into typed entries inside a
``Site``, ``markup`` fills in their HTML, ``render`` and ``feeds`` turn the site into
``Output``s, and ``write`` reports a ``BuildResult``. Nothing here touches the disk but
``Output.content()``, which reads back a page that a plain build's render stage left in a
scratch file; every stage in between can be tested with values alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from museumsite.config import KINDS
from museumsite.errors import BuildResult

if TYPE_CHECKING:
    from museumsite.config import SiteConfig

# The content kinds, defined beside the config that names them (comments.kinds); the result of a build, beside the
# problems a build reports (errors.py): a no-op build reports one, and needs nothing else from here.
__all__ = ["KINDS", "BuildResult"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where something came from, for error messages: site-relative path and line."""

    path: str
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One content file, split but not yet interpreted."""

    path: str  # relative to the site root, with forward slashes
    kind: str  # one of KINDS
    slug: str
    lang: str
    meta: Mapping[str, Any]
    meta_lines: Mapping[str, int]  # front-matter key -> line in the file
    body: str
    body_line: int  # line of the file where the body starts
    key: str = ""  # translation key, "posts/recap": the base name or front matter's translation_key
    original: str = ""  # path of the original this translation inherits from, if any
    inherited: frozenset[str] = frozenset()  # front-matter keys taken from the original
    unreadable: bool = False  # its front matter could not be read (reported): only its body's links are checked

    def line_of(self, key: str) -> int:
        return self.meta_lines.get(key, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Archive:
    """One comment archive file, parsed but not yet checked."""

    path: str  # "content/comments/posts/recap.yaml"
    target: str  # the entry key it belongs to: "posts/recap"
    data: Mapping[str, Any]
    lines: Mapping[str, int]  # "comments.3.parent" -> line


@dataclass(frozen=True, slots=True, kw_only=True)
class Comment:
    """One published comment: sanitized, never an e-mail or an IP address."""

    id: str
    parent: str | None
    author: str
    author_url: str  # http(s) only, else empty
    date: dt.datetime  # aware
    lang: str  # the comment's own language; "und" when unknown
    type: str  # comment, pingback or trackback
    staff: bool
    body_html: str  # sanitized
    replies: tuple[Comment, ...] = ()  # shown inside it, oldest first
    reply_to: Comment | None = None  # set when shown flattened below its real parent (past the display depth)


@dataclass(frozen=True, slots=True, kw_only=True)
class Thread:
    """The published conversation of one entry, shared by all its translations."""

    target: str  # entry key
    source: Source
    comments: tuple[Comment, ...]  # top-level comments, each holding its replies
    mentions: tuple[Comment, ...]  # pingbacks and trackbacks, listed apart
    flat: tuple[Comment, ...]  # every published comment in date order, for feeds and counts

    def count(self) -> int:
        return len(self.flat)

    def languages(self) -> tuple[tuple[str, int], ...]:
        """(language, number of comments), most used first, "und" last."""
        counts: dict[str, int] = {}
        for comment in self.flat:
            counts[comment.lang] = counts.get(comment.lang, 0) + 1
        return tuple(sorted(counts.items(), key=lambda item: (item[0] == "und", -item[1], item[0])))


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    title: str  # may be empty for a talk's link: the theme then names it by its kind
    url: str
    line: int = 1  # where the author wrote it
    kind: str = ""  # a talk link's kind (media.LINK_KINDS: video, schedule, feedback...); "" when unknown


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """What every page-backed piece of content has."""

    kind: str
    key: str  # "talks/keynote": the same for every translation
    lang: str
    slug: str
    title: str
    url: str  # site-relative, starts and (for pages) ends with "/"
    source: Source
    body_md: str
    body_line: int
    body_html: str = ""
    summary_html: str = ""
    toc_html: str = ""
    summary_md: str = ""
    description: str = ""
    template: str = ""
    draft: bool = False
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # old site paths that redirect here ("/2009/10/recap/")
    body_lang: str = ""  # the language the body is written in, when not the page's (an imported abstract)
    imported: str = ""  # the importer that wrote the file ('wordpress', 'frab'...): its body is untrusted
    field_lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key -> line, for later checks
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Break:
    """A slot of the programme that is not a talk: lunch, coffee, a visit."""

    title: str
    start: dt.datetime
    end: dt.datetime
    room: str = ""  # empty: every room


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(Entry):
    start: dt.date
    end: dt.date
    timezone: str = "UTC"
    venue: str = ""
    city: str = ""
    rooms: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Talk(Entry):
    event: str  # key of the event, "events/<slug>"
    speakers: tuple[str, ...]  # keys of speakers, "speakers/<slug>"
    start: dt.datetime | None = None  # aware, in the event's time zone
    end: dt.datetime | None = None
    room: str = ""
    track: str = ""
    slides: tuple[Link, ...] = ()
    video: str = ""
    links: tuple[Link, ...] = ()  # every other link the talk has: typed where the kind is known
    language: str = ""  # language the talk was given in
    type: str = "talk"  # talk, keynote, workshop, panel, lightning, break...
    subtitle: str = ""
    guid: str = ""  # the schedule's id of the talk (frab/pretalx), kept by importers
    image: str = ""  # the recording's poster (a site path): a still of the talk, its first slide
    captions: str = ""  # a WebVTT file of the recording's captions
    transcript: str = ""  # a page or file with the recording's transcript


@dataclass(frozen=True, slots=True, kw_only=True)
class Speaker(Entry):
    name: str
    affiliation: str = ""
    photo: str = ""
    links: tuple[Link, ...] = ()
    person_id: str = ""  # the schedule's numeric person id: one person, one page, across imports
    sort_as: str = ""  # what indexes file the speaker under: the family name by default, an institution's name


@dataclass(frozen=True, slots=True, kw_only=True)
class Post(Entry):
    date: dt.datetime  # aware
    timed: bool = True  # False when the author wrote a day without a time: it stays that day
    updated: dt.datetime | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Entry):
    menu: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    """A tag as one language's pages show it; ``key`` is the same in every language."""

    key: str
    lang: str
    name: str
    slug: str
    url: str
    entries: tuple[Entry, ...]  # one version per entry, in ``lang`` where translated: posts, talks, events


@dataclass(frozen=True, slots=True, kw_only=True)
class StaticFile:
    """A file copied as is: from content/static or a theme's static folder."""

    source: Path  # absolute
    path: str  # output-relative
    size: int = 0  # bytes, shown beside local slide files


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """Every entry, linked; the templates' view of the content.

    The lists are in display order so templates need not sort: events newest first,
    talks by event and start time, speakers by name, posts newest first, pages by menu
    then title. They hold every version of every entry; the queries that take a
    ``lang`` give one version per entry (``pick``), so a page in one language lists
    each entry once, in its language where it is translated and as the original
    otherwise. Look-up tables and tags are derived here, so a stage that replaces
    entries (markup fills in HTML) gets consistent indices for free.
    """

    config: SiteConfig
    events: tuple[Event, ...] = ()
    talks: tuple[Talk, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    posts: tuple[Post, ...] = ()
    pages: tuple[Page, ...] = ()
    static: tuple[StaticFile, ...] = ()
    tag_of: Mapping[str, str] = field(default_factory=dict)  # slug of any tag name -> tag key
    tag_labels: Mapping[str, str] = field(default_factory=dict)  # tag key -> name as first written
    threads: Mapping[str, Thread] = field(default_factory=dict)  # entry key -> its comments
    # Entries that could not be built (a file whose front matter is unreadable, a post without a date...): never
    # published (the build fails for them already), kept so that the links of their bodies are checked in the same run.
    unbuilt: tuple[Entry, ...] = ()
    tags: tuple[Tag, ...] = field(init=False, default=())
    _by_key: Mapping[tuple[str, str], Entry] = field(init=False, repr=False, default_factory=dict)
    _tags: Mapping[tuple[str, str], Tag] = field(init=False, repr=False, default_factory=dict)
    _translations: Mapping[str, tuple[Entry, ...]] = field(init=False, repr=False, default_factory=dict)
    # Look-ups a page makes many times: an event's talks (each talk page finds its neighbours), static files.
    _event_talks: Mapping[str, tuple[Talk, ...]] = field(init=False, repr=False, default_factory=dict)
    _static_at: Mapping[str, StaticFile] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        order = {lang: i for i, lang in enumerate(self.config.all_languages)}
        versions: dict[str, list[Entry]] = {}
        for entry in self.entries:
            versions.setdefault(entry.key, []).append(entry)
        for found in versions.values():
            found.sort(key=lambda e: (order.get(e.lang, len(order)), e.lang))
        object.__setattr__(self, "_by_key", {(e.key, e.lang): e for e in self.entries})
        object.__setattr__(self, "_translations", {k: tuple(v) for k, v in versions.items()})
        event_talks: dict[str, list[Talk]] = {}
        for talk in self.talks:
            event_talks.setdefault(talk.event, []).append(talk)
        object.__setattr__(self, "_event_talks", {k: tuple(v) for k, v in event_talks.items()})
        object.__setattr__(self, "_static_at", {f.path: f for f in reversed(self.static)})
        tags = self._make_tags()
        object.__setattr__(self, "tags", tags)
        object.__setattr__(self, "_tags", {(t.key, t.lang): t for t in tags})

    def _make_tags(self) -> tuple[Tag, ...]:
        from museumsite.urls import expand, tag_slug

        config = self.config
        tagged: dict[str, list[Entry]] = {}
        for entry in (*self.posts, *self.talks, *self.events, *self.pages):
            for key in entry.tags:
                tagged.setdefault(key, []).append(entry)
        tags = []
        for key in sorted(tagged):
            for lang in config.all_languages:
                names = config.tags.get(key, {})
                name = names.get(lang) or names.get(config.language) or self.tag_labels.get(key, key)
                slug = tag_slug(name)
                url = expand(config.urls.tag, slug=slug, lang=lang, default_language=config.language,
                             prefix=config.urls.language)
                tags.append(Tag(key=key, lang=lang, name=name, slug=slug, url=url,
                                entries=self.pick_all(tuple(tagged[key]), lang)))
        return tuple(tags)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return (*self.events, *self.talks, *self.speakers, *self.posts, *self.pages)

    def get(self, key: str, lang: str | None = None) -> Entry | None:
        """The entry with this key in ``lang`` if translated, else its original."""
        found = self._by_key.get((key, lang or self.config.language))
        if found is None:
            found = self.original(key)
        return found

    def original(self, key: str) -> Entry | None:
        """The version others translate: the default language's, else the first in language order."""
        versions = self._translations.get(key, ())
        return versions[0] if versions else None

    def versions(self, entry: Entry) -> tuple[Entry, ...]:
        """Every version of ``entry``, itself included, in the configured language order."""
        return self._translations.get(entry.key, (entry,))

    def translations(self, entry: Entry) -> tuple[Entry, ...]:
        """The other-language versions of ``entry``, in the configured language order."""
        return tuple(e for e in self.versions(entry) if e.lang != entry.lang)

    def with_bodies(self, new: Mapping[tuple[str, str], Entry]) -> Site:
        """This site with the entries of ``new`` (by key and language) in place of its own, which differ from
        them only in fields no index is made from (their bodies: incremental/bodyedit.py). The indices are
        patched, not made again: on a 10,000-post site, ``__post_init__`` costs a writer's save 0.2 s."""
        def swap(entries: tuple[Any, ...]) -> tuple[Any, ...]:
            if not any((entry.key, entry.lang) in new for entry in entries):
                return entries
            return tuple(new.get((entry.key, entry.lang), entry) for entry in entries)

        site = object.__new__(Site)
        for name in (f.name for f in fields(Site)):
            object.__setattr__(site, name, getattr(self, name))
        for name in ("events", "talks", "speakers", "posts", "pages"):
            object.__setattr__(site, name, swap(getattr(self, name)))
        keys = {key for key, _ in new}
        object.__setattr__(site, "_by_key", {**self._by_key, **new})
        object.__setattr__(site, "_translations", {**self._translations,
                                                   **{k: swap(self._translations[k]) for k in keys if k in self._translations}})
        object.__setattr__(site, "_event_talks", {k: swap(v) for k, v in self._event_talks.items()})
        tagged = {key for entry in new.values() for key in entry.tags}
        tags = tuple(tag if tag.key not in tagged else replace(tag, entries=swap(tag.entries)) for tag in self.tags)
        object.__setattr__(site, "tags", tags)
        object.__setattr__(site, "_tags", {(t.key, t.lang): t for t in tags})
        return site

    def pick_all(self, entries: tuple[Any, ...], lang: str) -> tuple[Any, ...]:
        """One version per key, in ``lang`` where there is one, keeping the order of first appearance."""
        chosen: dict[str, Any] = {}
        for entry in entries:
            if entry.key not in chosen:
                chosen[entry.key] = self.get(entry.key, lang)
        return tuple(chosen.values())

    def posts_for(self, lang: str) -> tuple[Post, ...]:
        """The posts a page in ``lang`` lists: every post once, in ``lang`` where translated."""
        return self.pick_all(self.posts, lang)

    def posts_in(self, lang: str | None = None) -> tuple[Post, ...]:
        """Only the posts written in ``lang`` (a language's feed)."""
        return tuple(p for p in self.posts if lang is None or p.lang == lang)

    def events_for(self, lang: str) -> tuple[Event, ...]:
        return self.pick_all(self.events, lang)

    def talks_for(self, lang: str) -> tuple[Talk, ...]:
        return self.pick_all(self.talks, lang)

    def speakers_for(self, lang: str) -> tuple[Speaker, ...]:
        return self.pick_all(self.speakers, lang)

    def talks_of(self, event: Event, lang: str | None = None) -> tuple[Talk, ...]:
        """Every talk of the event, whatever language its page is in, in schedule order."""
        return self.pick_all(self._event_talks.get(event.key, ()), lang or event.lang)

    def talks_by(self, speaker: Speaker, lang: str | None = None) -> tuple[Talk, ...]:
        """Every talk of the speaker, across events, in time order (untimed ones last)."""
        talks = self.pick_all(tuple(t for t in self.talks if speaker.key in t.speakers), lang or speaker.lang)
        return tuple(sorted(talks, key=lambda t: (t.start is None, t.start.timestamp() if t.start else 0, t.key)))

    def static_file(self, url: str) -> StaticFile | None:
        """The copied file a site path names ('/slides/x.pdf'), if there is one."""
        wanted = url.split("#", 1)[0].split("?", 1)[0].lstrip("/")
        return self._static_at.get(wanted)

    def speakers_of(self, talk: Talk, lang: str | None = None) -> tuple[Speaker, ...]:
        found = (self.get(key, lang or talk.lang) for key in talk.speakers)
        return tuple(s for s in found if isinstance(s, Speaker))

    def event_of(self, talk: Talk, lang: str | None = None) -> Event | None:
        event = self.get(talk.event, lang or talk.lang)
        return event if isinstance(event, Event) else None

    def tag(self, name: str, lang: str | None = None) -> Tag | None:
        """The tag an entry names, in ``lang``: "Web 2.0", "web 2.0" and its translations are one tag."""
        from museumsite.urls import tag_slug

        slug = tag_slug(name)
        key = self.tag_of.get(slug, slug)
        return self._tags.get((key, lang or self.config.language))

    def tags_in(self, lang: str) -> tuple[Tag, ...]:
        return tuple(t for t in self.tags if t.lang == lang)

    def thread_of(self, entry: Entry) -> Thread | None:
        return self.threads.get(entry.key)

    def comment_count(self, entry: Entry) -> int:
        thread = self.threads.get(entry.key)
        return thread.count() if thread else 0

    def menu_pages(self, lang: str | None = None) -> tuple[Page, ...]:
        return tuple(p for p in self.pick_all(self.pages, lang or self.config.language) if p.menu is not None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Output:
    """One file of the generated site.

    A plain build's rendered pages leave their bytes in ``file`` (``data`` empty): the render
    workers write them there, so the build process never holds the whole site (render/pages.py).
    Read them with ``content()``; plugins and ``serve`` only ever see pages with ``data``.
    """

    path: str  # output-relative, forward slashes
    data: bytes
    origin: str = ""  # who made it, for error messages: "content/talks/x.md:1", "the tag page"
    reads: tuple[str, ...] = ()  # the entries whose bodies it shows ("key\0lang"): see reuse.py
    kept: bool = False  # read back from the previous build's output, where it still is, unchanged
    file: str = ""  # where the bytes are, when not in ``data``: a scratch file beside the output

    def content(self) -> bytes:
        """The file's bytes, from memory or from ``file``."""
        return Path(self.file).read_bytes() if self.file else self.data
