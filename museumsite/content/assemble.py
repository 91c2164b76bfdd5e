"""Stage 2: documents into a linked ``Site`` of typed entries.

Input: ``Document``s and the config. Output: a ``Site`` whose events, talks,
speakers, posts and pages have typed fields, URLs, and checked references (a talk's
event and speakers must exist). Every problem is collected with its file and line;
nothing is rendered until the whole site is known to be consistent.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from museumsite.config import SiteConfig, load_config
from museumsite.content.fields import Fields
from museumsite.content.load import load_documents, to_date
from museumsite.content.translations import inherit_translations
from museumsite.errors import Problems, did_you_mean
from museumsite.model import (
    Break,
    Document,
    Entry,
    Event,
    Link,
    Page,
    Post,
    Site,
    Source,
    Speaker,
    StaticFile,
    Talk,
)
from museumsite.urls import check_url, expand, make_slug, page_slug, tag_slug

COMMON_FIELDS = {"title", "lang", "draft", "tags", "template", "summary", "description", "slug", "extra",
                 "translation_key", "aliases", "body_lang", "imported"}
KIND_FIELDS = {
    "events": {"start", "end", "timezone", "venue", "city", "rooms", "tracks", "breaks", "guid"},
    "talks": {"event", "speakers", "start", "end", "room", "track", "slides", "video", "links", "language", "type",
              "subtitle", "guid", "image", "captions", "transcript"},
    "speakers": {"name", "affiliation", "photo", "links", "person_id", "sort_as"},
    "posts": {"date", "updated", "authors", "author"},
    "pages": {"menu"},
}


def load_site(root: Path, problems: Problems, *, drafts: bool = False, config: SiteConfig | None = None) -> Site:
    """Config, then load, then assemble: the site's entries and URLs, for the commands that read the site
    without building it (``check``, ``comments``, ``import disqus``).

    Markdown is not converted. Problems are collected into ``problems`` and not raised: for
    these commands they are the build's business, unless the caller says otherwise. ``build``
    runs the same stages itself, as it also needs the documents and the static files.
    """
    config = config or load_config(root)
    documents = load_documents(config.root, config.content_dir, config.all_languages, config.language, problems)
    return assemble_site(documents, config, problems, drafts=drafts)


def assemble_site(documents: list[Document], config: SiteConfig, problems: Problems,
                  static: tuple[StaticFile, ...] = (), drafts: bool = False) -> Site:
    """Build the linked site. Problems are collected; the caller raises once."""
    site_tz = zoneinfo.ZoneInfo(config.timezone)
    tag_of, tag_labels = _tag_index(documents, config)

    def tag_key(name: str) -> str:
        return tag_of.get(tag_slug(name), tag_slug(name))

    # A file whose front matter could not be read was reported at its line; its translations (which would
    # miss what they inherit) and the talks of such an event are held back with it, not blamed for it.
    held = {(d.kind, d.key) for d in documents if d.unreadable}
    held |= {("talks", d.key) for d in documents
             if d.kind == "talks" and ("events", f"events/{_text(d.meta.get('event'))}") in held}
    unbuilt = [d for d in documents if (d.kind, d.key) in held]
    documents = inherit_translations([d for d in documents if (d.kind, d.key) not in held], config, problems,
                                     tag_key)
    by_kind: dict[str, list[Entry]] = defaultdict(list)
    builders: dict[str, Callable[[Document, Fields, dict[str, Any], SiteConfig, dt.tzinfo], Entry | None]] = {
        "events": _event, "speakers": _speaker, "posts": _post, "pages": _page,
    }
    events_by_key: dict[str, Document] = {}
    for doc in documents:
        if doc.kind == "events" and (doc.key not in events_by_key or not doc.original):
            events_by_key[doc.key] = doc
    known_speakers = {d.key for d in [*documents, *unbuilt] if d.kind == "speakers"}
    stand_ins = [_stand_in(doc, config, tag_key) for doc in unbuilt]
    for doc in documents:
        reader = Fields(doc, problems)
        _check_fields(doc, problems)
        common = _common(doc, reader, config, tag_key)
        if common["draft"] and not drafts:
            continue
        if doc.kind == "talks":
            entry = _talk(doc, reader, common, config, events_by_key, known_speakers, problems)
        else:
            entry = builders[doc.kind](doc, reader, common, config, site_tz)
        # An entry with a bad reference still goes on to markup, so its broken links are
        # reported in the same run; the build stops before rendering anyway.
        if entry is None:  # a required field is missing or wrong (reported): check its links all the same
            stand_ins.append(_stand_in(doc, config, tag_key, common))
        else:
            if _slug_is_safe(doc, entry.slug) and (problem := check_url(entry.url)):
                reader.error("slug" if "slug" in doc.meta else None, f"URL '{entry.url}' {problem}",
                             "check the slug, the file's folder and the permalink pattern in museumsite.yaml")
            by_kind[doc.kind].append(entry)

    events = sorted(by_kind["events"], key=lambda e: (-_ordinal(e.start), e.slug, e.lang))  # type: ignore[attr-defined]
    talks = sorted(by_kind["talks"], key=_talk_order(by_kind["events"]))
    speakers = sorted(by_kind["speakers"], key=lambda s: (make_slug(s.name), s.slug, s.lang))  # type: ignore[attr-defined]
    posts = sorted(by_kind["posts"], key=lambda p: (-p.date.timestamp(), p.slug, p.lang))  # type: ignore[attr-defined]
    pages = sorted(by_kind["pages"], key=lambda p: (p.menu is None, p.menu or 0, p.title, p.lang))  # type: ignore[attr-defined]
    return Site(config=config, events=tuple(events), talks=tuple(talks),  # type: ignore[arg-type]
                speakers=tuple(speakers), posts=tuple(posts), pages=tuple(pages),  # type: ignore[arg-type]
                static=static, tag_of=tag_of, tag_labels=tag_labels, unbuilt=tuple(stand_ins))


def _stand_in(doc: Document, config: SiteConfig, tag_key: Callable[[str], str],
              common: dict[str, Any] | None = None) -> Entry:
    """An entry that is never published, for its body's links alone (its problems were reported)."""
    common = common or _common(doc, Fields(doc, Problems()), config, tag_key)
    return Page(**common, title=doc.slug, url=_url(config, config.urls.page, common))


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, (str, int)) else ""


def _tag_index(documents: list[Document], config: SiteConfig) -> tuple[dict[str, str], dict[str, str]]:
    """Which tag each name means (slug of any name -> key), and how unnamed tags are shown.

    A tag named in the config is known by its key and by each of its translated
    names; any other tag is known by its slug, and shown as first written.
    """
    tag_of: dict[str, str] = {}
    for key, names in config.tags.items():
        for name in (key, *names.values()):
            tag_of.setdefault(tag_slug(name), key)
    labels: dict[str, str] = {}
    for doc in documents:
        raw = doc.meta.get("tags")
        for name in raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []:
            if isinstance(name, (str, int, float)) and not isinstance(name, bool):
                slug = tag_slug(str(name).strip())
                labels.setdefault(tag_of.get(slug, slug), str(name).strip())
    return tag_of, labels


def _check_fields(doc: Document, problems: Problems) -> None:
    known = COMMON_FIELDS | KIND_FIELDS[doc.kind]
    for key in doc.meta:
        if key not in known:
            problems.warn(doc.path, doc.line_of(key), f"unknown field '{key}' in a {doc.kind[:-1]}",
                          did_you_mean(key, known) or "put custom values under 'extra:'")


def _common(doc: Document, reader: Fields, config: SiteConfig, tag_key: Callable[[str], str]) -> dict[str, Any]:
    slug = reader.text("slug") or doc.slug
    if not _slug_is_safe(doc, slug):
        shown = slug if len(slug) <= 80 else slug[:80] + "…"
        reader.error("slug" if "slug" in doc.meta else None, f"slug '{shown}' is not URL-safe",
                     f"rename the file or set 'slug: {page_slug(slug)}'")
    if doc.lang not in config.all_languages:
        reader.error("lang" if "lang" in doc.meta else None, f"language '{doc.lang}' is not one of the site's languages",
                     f"add it to 'languages:' in museumsite.yaml ({', '.join(config.all_languages)} now)")
    extra = doc.meta.get("extra", {})
    if not isinstance(extra, dict):
        reader.error("extra", "'extra' must be a mapping of your own fields")
        extra = {}
    return {
        "kind": doc.kind, "key": doc.key, "lang": doc.lang, "slug": slug,
        "source": Source(path=doc.path, line=1), "body_md": doc.body, "body_line": doc.body_line,
        "summary_md": reader.text("summary"), "description": reader.text("description"),
        "template": reader.text("template"), "draft": reader.flag("draft"),
        "tags": tuple(dict.fromkeys(tag_key(name) for name in reader.texts("tags"))), "extra": extra,
        "aliases": _aliases(doc, reader), "field_lines": dict(doc.meta_lines), "body_lang": _body_lang(reader),
        "imported": reader.text("imported"),
    }


def _slug_is_safe(doc: Document, slug: str) -> bool:
    """A file in a subfolder keeps its folders in its URL, each checked like a file name;
    a 'slug:' is one name: '../..' or 'a/b' there would move the page elsewhere."""
    parts = doc.slug.split("/") if slug == doc.slug else [slug]
    return all(page_slug(part) == part.lower() for part in parts)


def _body_lang(reader: Fields) -> str:
    """A language code; any BCP 47-looking code is accepted, the site need not list it."""
    code = reader.text("body_lang")
    if code and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", code):
        reader.error("body_lang", f"'{code}' is not a language code", "write a code such as de, fr or pt-BR")
        return ""
    return code


def _aliases(doc: Document, reader: Fields) -> tuple[str, ...]:
    """Old addresses of the entry (an import's permalinks): site paths that get a redirect page."""
    found = []
    for index, alias in enumerate(reader.texts("aliases")):
        line = doc.line_of(f"aliases.{index}") if f"aliases.{index}" in doc.meta_lines else doc.line_of("aliases")
        path = alias.split("#", 1)[0]
        if problem := check_url(path):
            reader.problems.error(doc.path, line, f"alias '{alias}' is not a path of this site",
                                  f"it {problem}; write it like /2009/10/old-slug/ (no host, query or '..')")
            continue
        found.append(path)
    return tuple(found)


def _url(config: SiteConfig, pattern: str, common: dict[str, Any], date: dt.date | None = None,
         event: str = "") -> str:
    return expand(pattern, slug=common["slug"], lang=common["lang"], default_language=config.language,
                  date=date, event=event, prefix=config.urls.language)


def _event(doc: Document, reader: Fields, common: dict[str, Any], config: SiteConfig,
           site_tz: dt.tzinfo) -> Entry | None:
    title = reader.text("title", required=True)
    tz_name = reader.text("timezone", config.timezone)
    tz = _zone(tz_name, reader) or site_tz
    start = _as_date(reader.when("start", tz, required=True))
    end = _as_date(reader.when("end", tz)) or start
    if start and end and end < start:
        reader.error("end", f"end {end} is before start {start}", "swap them, or fix the date")
    if start is None or end is None:
        return None
    return Event(**common, title=title, url=_url(config, config.urls.event, common, start),
                 start=start, end=end, timezone=tz_name, venue=reader.text("venue"), city=reader.text("city"),
                 rooms=reader.texts("rooms"), tracks=reader.texts("tracks"), breaks=_breaks(doc, reader, tz, start))


def _breaks(doc: Document, reader: Fields, tz: dt.tzinfo, day: dt.date) -> tuple[Break, ...]:
    """``breaks: [{title: Lunch, start: "12:30", end: "14:00"}]``: slots of the programme without a talk."""
    value = doc.meta.get("breaks") or []
    found = []
    for index, item in enumerate(value if isinstance(value, list) else [None]):
        line = doc.line_of(f"breaks.{index}") if f"breaks.{index}" in doc.meta_lines else doc.line_of("breaks")
        times = [_moment(item.get(k), tz, day) if isinstance(item, dict) else None for k in ("start", "end")]
        if not isinstance(item, dict) or not isinstance(item.get("title"), str) or None in times:
            reader.problems.error(doc.path, line, "a break needs a title, a start and an end",
                                  "write '- {title: Lunch, start: \"12:30\", end: \"14:00\"}'")
            continue
        start, end = times
        assert start is not None and end is not None
        found.append(Break(title=item["title"].strip(), start=start, end=end, room=str(item.get("room") or "")))
    return tuple(found)


def _moment(raw: Any, tz: dt.tzinfo, day: dt.date) -> dt.datetime | None:
    value = to_date(raw)
    if value is None and isinstance(raw, str):
        value = to_date(f"{day.isoformat()} {raw.strip().zfill(5)}")
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _talk(doc: Document, reader: Fields, common: dict[str, Any], config: SiteConfig,
          events: dict[str, Document], speakers: set[str], problems: Problems) -> Entry | None:
    title = reader.text("title", required=True)
    event_slug = reader.text("event", required=True)
    event_doc = events.get(f"events/{event_slug}")
    tz: dt.tzinfo = zoneinfo.ZoneInfo(config.timezone)
    day = None
    if event_slug and event_doc is None:
        reader.error("event", f"unknown event '{event_slug}'",
                     did_you_mean(event_slug, [k.split("/", 1)[1] for k in events])
                     or f"create content/events/{event_slug}.md or fix the slug")
    elif event_doc is not None:
        tz = _zone(str(event_doc.meta.get("timezone") or config.timezone), None) or tz
        day = _as_date(to_date(event_doc.meta.get("start")))
    speaker_slugs = reader.texts("speakers")
    for index, slug in enumerate(speaker_slugs):
        if f"speakers/{slug}" not in speakers:
            problems.error(doc.path, doc.line_of(f"speakers.{index}") if f"speakers.{index}" in doc.meta_lines
                           else doc.line_of("speakers"), f"unknown speaker '{slug}'",
                           did_you_mean(slug, [k.split("/", 1)[1] for k in speakers])
                           or f"create content/speakers/{slug}.md or fix the slug")
    if not speaker_slugs and "speakers" not in doc.meta:
        problems.warn(doc.path, 1, "talk has no speakers", "add 'speakers: [slug]'")
    start = reader.when("start", tz, day=day)
    end = reader.when("end", tz, day=day)
    if isinstance(start, dt.date) and not isinstance(start, dt.datetime):
        reader.error("start", "a talk's start needs a time", "write it as 2009-10-16 09:30")
    if start and end and isinstance(start, dt.datetime) and isinstance(end, dt.datetime) and end < start:
        reader.error("end", f"end {end:%Y-%m-%d %H:%M} is before start {start:%Y-%m-%d %H:%M}",
                     "a bare time like 09:00 falls on the event's first day; write the full date otherwise")
    return Talk(**common, title=title, url=_url(config, config.urls.talk, common, _as_date(start), event_slug),
                event=f"events/{event_slug}", speakers=tuple(f"speakers/{s}" for s in speaker_slugs),
                start=start if isinstance(start, dt.datetime) else None,
                end=end if isinstance(end, dt.datetime) else None,
                room=reader.text("room"), track=reader.text("track"), slides=reader.links("slides"),
                video=_single_url(reader, "video"), links=_talk_links(reader, common), language=_delivery_language(reader),
                type=reader.text("type", "talk").lower(), subtitle=reader.text("subtitle"), guid=reader.text("guid"),
                image=_single_url(reader, "image"), captions=_single_url(reader, "captions"),
                transcript=_single_url(reader, "transcript"))


def _talk_links(reader: Fields, common: dict[str, Any]) -> tuple[Link, ...]:
    """``links:``, then what an older import kept in ``extra.links`` (no template showed it).

    Imports before ``links:`` existed put a schedule's other links under ``extra``;
    they are read from there too, so such a talk shows them without a re-import.
    Only from an imported file: a hand-written ``extra.links`` is the author's own data.
    """
    links = reader.links("links", kinds=True)
    if common["imported"] and isinstance(common["extra"].get("links"), list):
        known = {link.url for link in links}
        links += tuple(link for link in reader.links("extra.links", kinds=True) if link.url not in known)
    return links


def _delivery_language(reader: Fields) -> str:
    """The language a talk is given in, if it is a code the interface can name ('fr', 'pt-BR').

    Schedules imported from frab or pretalx carry whatever was typed there; an unknown
    code is a warning at its line and is not shown, rather than a template error.
    """
    from babel import Locale, UnknownLocaleError

    code = reader.text("language")
    try:
        Locale.parse(code.replace("-", "_")) if code else None
    except (UnknownLocaleError, ValueError):
        reader.problems.warn(reader.doc.path, reader.doc.line_of("language"), f"unknown language code '{code}'",
                             "write a code such as en, fr or pt-BR; the talk page leaves it out")
        return ""
    return code


def _speaker(doc: Document, reader: Fields, common: dict[str, Any], config: SiteConfig,
             site_tz: dt.tzinfo) -> Entry | None:
    name = reader.text("name") or reader.text("title")
    if not name:
        reader.error(None, "missing name", "add a line 'name: ...' to the front matter")
    return Speaker(**common, title=name, name=name, url=_url(config, config.urls.speaker, common),
                   affiliation=reader.text("affiliation"), photo=reader.text("photo"),
                   links=reader.links("links"), person_id=reader.text("person_id"), sort_as=reader.text("sort_as"))


def _post(doc: Document, reader: Fields, common: dict[str, Any], config: SiteConfig,
          site_tz: dt.tzinfo) -> Entry | None:
    title = reader.text("title", required=True)
    when = reader.when("date", site_tz, required=True)
    date = _as_datetime(when, site_tz)
    updated = _as_datetime(reader.when("updated", site_tz), site_tz)
    if date is None:
        return None
    # "author: Name" is what Pelican, Hugo and Jekyll users write; it means a list of one.
    authors = reader.texts("authors") or reader.texts("author") or ((config.author,) if config.author else ())
    return Post(**common, title=title, url=_url(config, config.urls.post, common, date.date()),
                date=date, timed=isinstance(when, dt.datetime), updated=updated, authors=authors)


def _page(doc: Document, reader: Fields, common: dict[str, Any], config: SiteConfig,
          site_tz: dt.tzinfo) -> Entry | None:
    title = reader.text("title", required=True)
    return Page(**common, title=title, url=_url(config, config.urls.page, common), menu=reader.number("menu"))


def _zone(name: str, reader: Fields | None) -> dt.tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'Europe' is a folder
        if reader:
            reader.error("timezone", f"unknown time zone '{name}'", "use an IANA name such as Europe/Paris")
        return None


def _single_url(reader: Fields, key: str) -> str:
    url = reader.text(key)
    if url and not url.lower().startswith(("http://", "https://", "/")):
        reader.error(key, f"'{key}' must be a URL starting with https://, http:// or /",
                     "give the full web address of the recording")
        return ""
    return url


def _as_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def _as_datetime(value: dt.date | dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=tz)


def _ordinal(day: dt.date) -> int:
    return day.toordinal()


def _talk_order(events: list[Entry]) -> Callable[[Entry], tuple[Any, ...]]:
    """Talks by event, time, then room in the event's ``rooms:`` order (the grid's columns), not by name;
    rooms the event does not list come after, by name."""
    rooms: dict[str, dict[str, int]] = {}
    for event in events:
        assert isinstance(event, Event)
        rooms.setdefault(event.key, {name: index for index, name in enumerate(event.rooms)})

    def order(talk: Entry) -> tuple[Any, ...]:
        assert isinstance(talk, Talk)
        start = talk.start.timestamp() if talk.start else float("inf")
        listed = rooms.get(talk.event, {})
        return (talk.event, start, listed.get(talk.room, len(listed)), talk.room, talk.title, talk.lang)

    return order
