"""The data every stage passes on: frozen dataclasses, no behaviour but queries.

``load`` makes ``Document``s, ``assemble`` turns them into typed entries inside a
``Site``, ``markup`` fills in their HTML, ``render`` and ``feeds`` turn the site into
``Output``s, and ``write`` reports a ``BuildResult``. Nothing here touches the disk,
so every stage in between can be tested with values alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from museumsite.config import SiteConfig

KINDS = ("events", "talks", "speakers", "posts", "pages")


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

    def line_of(self, key: str) -> int:
        return self.meta_lines.get(key, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    title: str
    url: str


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
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(Entry):
    start: dt.date
    end: dt.date
    timezone: str = "UTC"
    venue: str = ""
    city: str = ""
    rooms: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()


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
    language: str = ""  # language the talk was given in


@dataclass(frozen=True, slots=True, kw_only=True)
class Speaker(Entry):
    name: str
    affiliation: str = ""
    photo: str = ""
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Post(Entry):
    date: dt.datetime  # aware
    updated: dt.datetime | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Entry):
    menu: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    name: str
    slug: str
    url: str
    entries: tuple[Entry, ...]  # posts first (newest first), then talks, then events


@dataclass(frozen=True, slots=True, kw_only=True)
class StaticFile:
    """A file copied as is: from content/static or a theme's static folder."""

    source: Path  # absolute
    path: str  # output-relative


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """Every entry, linked; the templates' view of the content.

    The lists are in display order so templates need not sort: events newest first,
    talks by event and start time, speakers by name, posts newest first, pages by menu
    then title. Look-up tables and tags are derived here, so a stage that replaces
    entries (markup fills in HTML) gets consistent indices for free.
    """

    config: SiteConfig
    events: tuple[Event, ...] = ()
    talks: tuple[Talk, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    posts: tuple[Post, ...] = ()
    pages: tuple[Page, ...] = ()
    static: tuple[StaticFile, ...] = ()
    tags: tuple[Tag, ...] = field(init=False, default=())
    _by_key: Mapping[tuple[str, str], Entry] = field(init=False, repr=False, default_factory=dict)
    _tags_by_slug: Mapping[str, Tag] = field(init=False, repr=False, default_factory=dict)
    _translations: Mapping[str, tuple[Entry, ...]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        from museumsite.urls import expand, make_slug

        order = {lang: i for i, lang in enumerate(self.config.all_languages)}
        versions: dict[str, list[Entry]] = {}
        for entry in self.entries:
            versions.setdefault(entry.key, []).append(entry)
        for found in versions.values():
            found.sort(key=lambda e: (order.get(e.lang, len(order)), e.lang))
        grouped: dict[str, list[Entry]] = {}
        names: dict[str, str] = {}
        for entry in (*self.posts, *self.talks, *self.events, *self.pages):
            for name in entry.tags:
                slug = make_slug(name)
                names.setdefault(slug, name)
                grouped.setdefault(slug, []).append(entry)
        urls = self.config.urls
        tags = tuple(
            Tag(name=names[slug], slug=slug, entries=tuple(grouped[slug]),
                url=expand(urls.tag, slug=slug, lang=self.config.language,
                           default_language=self.config.language))
            for slug in sorted(grouped)
        )
        object.__setattr__(self, "_by_key", {(e.key, e.lang): e for e in self.entries})
        object.__setattr__(self, "_translations", {k: tuple(v) for k, v in versions.items()})
        object.__setattr__(self, "tags", tags)
        object.__setattr__(self, "_tags_by_slug", {t.slug: t for t in tags})

    @property
    def entries(self) -> tuple[Entry, ...]:
        return (*self.events, *self.talks, *self.speakers, *self.posts, *self.pages)

    def get(self, key: str, lang: str | None = None) -> Entry | None:
        """The entry with this key, in ``lang`` if translated, else the default language."""
        found = self._by_key.get((key, lang or self.config.language))
        if found is None:
            versions = self._translations.get(key, ())
            found = versions[0] if versions else None
        return found

    def translations(self, entry: Entry) -> tuple[Entry, ...]:
        """The other-language versions of ``entry``, in the configured language order."""
        return tuple(e for e in self._translations.get(entry.key, ()) if e.lang != entry.lang)

    def talks_of(self, event: Event) -> tuple[Talk, ...]:
        return tuple(t for t in self.talks if t.event == event.key and t.lang == event.lang) or tuple(
            t for t in self.talks if t.event == event.key
        )

    def talks_by(self, speaker: Speaker) -> tuple[Talk, ...]:
        return tuple(t for t in self.talks if speaker.key in t.speakers and t.lang == speaker.lang) or tuple(
            t for t in self.talks if speaker.key in t.speakers
        )

    def speakers_of(self, talk: Talk) -> tuple[Speaker, ...]:
        found = (self.get(key, talk.lang) for key in talk.speakers)
        return tuple(s for s in found if isinstance(s, Speaker))

    def event_of(self, talk: Talk) -> Event | None:
        event = self.get(talk.event, talk.lang)
        return event if isinstance(event, Event) else None

    def posts_in(self, lang: str | None = None) -> tuple[Post, ...]:
        return tuple(p for p in self.posts if lang is None or p.lang == lang)

    def tag(self, name: str) -> Tag | None:
        """The tag an entry names: "Web 2.0" and "web 2.0" are one tag, as they share a slug."""
        from museumsite.urls import make_slug

        return self._tags_by_slug.get(make_slug(name))

    def menu_pages(self) -> tuple[Page, ...]:
        return tuple(p for p in self.pages if p.menu is not None and p.lang == self.config.language)


@dataclass(frozen=True, slots=True, kw_only=True)
class Output:
    """One file of the generated site."""

    path: str  # output-relative, forward slashes
    data: bytes
    sources: tuple[str, ...] = ()  # content files it was made from
    origin: str = ""  # who made it, for error messages: "content/talks/x.md:1", "the tag page"


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    output_dir: Path
    pages: int
    feeds: int
    files: int
    written: int
    unchanged: int
    removed: int
    seconds: float
    warnings: tuple[Any, ...] = ()
