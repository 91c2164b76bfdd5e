"""A ``SourceSchedule`` into event, talk and speaker files, matched against what ``content/`` holds.

Identity: an event by its ``guid`` (the conference's guid, else its acronym), a talk
by its ``guid`` (the schedule's GUID, else its id, which then only counts within the
same event), a speaker by ``person_id`` and name (see ``_speaker_slug``). Existing
files are found by reading ``content/``, so a re-import updates them even without
the import record, and a speaker page keeps what earlier imports or the author put
there: an import only fills in or replaces the fields it has a value for.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml

from museumsite.content.load import split_front_matter
from museumsite.errors import Problem
from museumsite.importers import contentfile
from museumsite.importers.contentfile import FileOut
from museumsite.importers.report import ImportReport
from museumsite.importers.schedules.links import PAGE_KINDS, is_slides, link_kind, video_kind, video_rank
from museumsite.importers.schedules.model import (
    KINDS,
    Person,
    RawLink,
    Session,
    SourceSchedule,
    Warn,
)
from museumsite.importers.schedules.text import import_body, language_code, talk_type, text
from museumsite.sanitize import safe_url
from museumsite.urls import make_slug
from museumsite.yamlfile import YamlProblem, parse_yaml

_UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


@dataclass(slots=True)
class _Existing:
    """What ``content/`` already holds, by identity."""

    events: dict[str, str] = field(default_factory=dict)  # guid -> slug
    talks: dict[str, str] = field(default_factory=dict)  # guid (or "event/id") -> slug
    talk_events: dict[str, str] = field(default_factory=dict)  # talk slug -> its event's slug
    speakers: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, person_id, name)
    files: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)  # path -> (meta, body)
    taken: set[str] = field(default_factory=set)  # "talks/slug" of every file, planned ones too


def _read_existing(root: Path) -> _Existing:
    found = _Existing()
    for kind in KINDS:
        folder = root / "content" / kind
        for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
            slug = path.stem.split(".")[0]
            found.taken.add(f"{kind}/{slug}")
            if "." in path.stem:
                continue  # a translation: the original carries the identity
            try:
                front, line, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
                meta = parse_yaml(front, line)[0] if front is not None else {}
            except (YamlProblem, UnicodeDecodeError):
                continue
            found.files[f"content/{kind}/{path.name}"] = (meta, body)
            guid = str(meta.get("guid") or "")
            if kind == "events" and guid:
                found.events.setdefault(guid, slug)
            elif kind == "talks" and guid:
                found.talks.setdefault(_talk_key(guid, str(meta.get("event") or "")), slug)
                found.talk_events[slug] = str(meta.get("event") or "")
            elif kind == "speakers":
                found.speakers.append((slug, str(meta.get("person_id") or ""),
                                       str(meta.get("name") or meta.get("title") or "")))
    return found


def _talk_key(guid: str, event: str) -> str:
    return guid.lower() if _UUID.fullmatch(guid) else f"{event}/{guid}"


def _new_slug(kind: str, base: str, existing: _Existing) -> str:
    if base == "untitled" or not base:
        base = kind[:-1]
    if len(base) > 60:
        base = base[:61].rsplit("-", 1)[0] or base[:60]
    slug, number = base, 2
    while f"{kind}/{slug}" in existing.taken:
        slug, number = f"{base}-{number}", number + 1
    existing.taken.add(f"{kind}/{slug}")
    return slug


def _same_name(a: str, b: str) -> bool:
    return make_slug(a) == make_slug(b)


def _file_bytes(front: dict[str, Any], body: str) -> bytes:
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)
    return ("---\n" + dumped + "---\n" + (body.strip("\n") + "\n" if body.strip() else "")).encode("utf-8")


def _sort_links(links: Sequence[RawLink], base_url: str, warn: Warn, line: int | None,
                ) -> tuple[list[dict[str, str]], str, list[dict[str, str]]]:
    """(slides, video, other links) from a talk's links and attachments; unsafe URLs dropped.

    Nothing else is dropped: what is neither slides nor the one recording the page plays
    is an other link, with its kind (``media.LINK_KINDS``) where the schedule tells it,
    so that the talk page shows it. A link without a title gets none: the theme names
    it by its kind in the page's language.
    """
    slides: list[dict[str, str]] = []
    videos: list[tuple[str, str]] = []
    other: list[dict[str, str]] = []
    seen: set[str] = set()
    for raw in links:
        absolute = urljoin(base_url, raw.url.strip()) if base_url and not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:",
                                                                                   raw.url.strip()) else raw.url
        url = safe_url(absolute, site_paths=False)
        if url is None:
            if raw.url.strip():
                warn(line, f"unsafe or unreadable link '{raw.url.strip()[:80]}' dropped")
            continue
        if url in seen:
            continue
        seen.add(url)
        title = text(raw.title)
        hint = raw.hint.strip().lower()
        if hint not in PAGE_KINDS and is_slides(url, title, raw.hint):
            slides.append({"title": title or "Slides", "url": url})
        elif hint not in PAGE_KINDS and video_kind(url):
            videos.append((url, title))
        else:
            other.append(_other_link(url, title, link_kind(title, raw.hint)))
    videos.sort(key=lambda video: video_rank(video[0]))  # stable: the schedule's order within a rank
    other.extend(_other_link(url, title, "video") for url, title in videos[1:])
    other.sort(key=lambda link: _LINK_ORDER.get(link.get("kind", ""), 1))  # stable, as above
    return slides, videos[0][0] if videos else "", other


# Recordings first, the talk's own pages (schedule, origin, feedback) last; the others as the schedule lists them.
_LINK_ORDER = {"video": 0, "schedule": 2, "origin": 3, "feedback": 4}


def _other_link(url: str, title: str, kind: str) -> dict[str, str]:
    link = {"title": title} if title else {}
    link["url"] = url
    if kind:
        link["kind"] = kind
    return link


def plan_files(schedule: SourceSchedule, root: Path) -> tuple[list[tuple[str, bytes]], list[Problem], Counter[str]]:
    """The files this schedule makes (path, bytes), given what ``content/`` holds, warnings, and where
    the talks' links went (``slides``, ``video``, ``links`` and ``links:<kind>``: counts for the report)."""
    existing = _read_existing(root)
    problems: list[Problem] = []
    counts: Counter[str] = Counter()

    def warn(line: int | None, message: str) -> None:
        problems.append(Problem(schedule.path, line, message, warning=True))

    conference = schedule.conference
    event_slug = existing.events.get(conference.guid) or _new_slug(
        "events", make_slug(conference.acronym or conference.title), existing)
    talks: list[tuple[str, dict[str, Any], str]] = []
    people: dict[str, tuple[str, Person]] = {}  # identity -> (slug, merged person)
    local_days: list[dt.date] = []
    seen: set[str] = set()
    for session in schedule.sessions:
        identity = _talk_key(session.guid, event_slug)
        if identity in seen:  # pretalx repeats a talk given in several slots; one page per talk
            warn(session.line, f"talk '{session.title}' appears again with the same guid {session.guid}; "
                               "only its first slot is kept")
            continue
        seen.add(identity)
        speakers = [_speaker_slug(person, people, existing, warn) for person in session.persons]
        front = _talk_front(schedule, session, event_slug, speakers, warn, counts, local_days)
        slug = existing.talks.get(identity) or _new_slug("talks", make_slug(session.title), existing)
        existing.talks[identity] = slug
        talks.append((f"content/talks/{slug}.md", front, import_body(session.abstract, session.description)))

    kept = {existing.talks[identity] for identity in seen}
    for slug, event in sorted(existing.talk_events.items()):
        if event == event_slug and slug not in kept:
            warn(None, f"content/talks/{slug}.md is no longer in this schedule (cancelled or moved?); "
                       "it is left as it is: delete it if the talk did not take place")
    event_path = f"content/events/{event_slug}.md"
    previous = existing.files.get(event_path)
    files = [(event_path, _file_bytes(_event_front(schedule, local_days, warn), previous[1] if previous else ""))]
    files += [(path, _file_bytes(front, body)) for path, front, body in talks]
    for slug, person in sorted(people.values(), key=lambda item: item[0]):
        files.append(_speaker_file(slug, person, existing, conference.base_url, warn, schedule.format))
    return files, problems, counts


def _talk_front(schedule: SourceSchedule, session: Session, event_slug: str, speakers: list[str], warn: Warn,
                counts: Counter[str], local_days: list[dt.date]) -> dict[str, Any]:
    """A talk's front matter, in the order a person would write it; its local days and its links are counted."""
    tz = zoneinfo.ZoneInfo(schedule.conference.timezone)
    front: dict[str, Any] = {"title": session.title}
    if session.subtitle:
        front["subtitle"] = session.subtitle
    front["event"] = event_slug
    front["speakers"] = list(dict.fromkeys(speakers))
    for key, when in (("start", session.start), ("end", session.end)):
        if when is not None:
            local = when.astimezone(tz) if when.tzinfo else when.replace(tzinfo=tz)
            front[key] = f"{local:%Y-%m-%d %H:%M}"
            local_days.append(local.date())
    for key, value in (("room", session.room), ("track", session.track)):
        if value:
            front[key] = value
    front["type"] = talk_type(session.type)
    language = language_code(session.language, warn, session.line)
    if language:
        front["language"] = language
        # The abstract is in the language the talk was given in: pages in another language mark it so.
        front["body_lang"] = language
    slides, video, other = _sort_links(session.links, schedule.conference.base_url, warn, session.line)
    if slides:
        front["slides"] = slides
    if video:
        front["video"] = video
    if other:
        front["links"] = other
    front["guid"] = session.guid
    front["imported"] = schedule.format
    counts.update(slides=len(slides), video=1 if video else 0, links=len(other))
    counts.update(f"links:{link.get('kind', '')}" for link in other)
    return front


def _event_front(schedule: SourceSchedule, local_days: list[dt.date], warn: Warn) -> dict[str, Any]:
    """The event's front matter. It covers its talks even when the schedule's own dates are narrower
    (a talk running past midnight on the last day), so no talk falls outside its event."""
    conference = schedule.conference
    starts = [d for d in (conference.start, min(local_days, default=None)) if d is not None]
    ends = [d for d in (conference.end, max(local_days, default=None)) if d is not None]
    front: dict[str, Any] = {"title": conference.title, "start": min(starts, default=None),
                             "end": max(ends, default=None)}
    if front["start"] is None:
        warn(None, "the schedule gives no dates at all; the event is dated today")
        front["start"] = front["end"] = dt.date.today()
    elif front["end"] is not None and front["end"] < front["start"]:
        warn(None, f"the schedule ends ({front['end']}) before it starts ({front['start']}); "
                   "the event is given its first day only")
        front["end"] = front["start"]
    front["timezone"] = conference.timezone
    for key, value in (("venue", conference.venue), ("city", conference.city)):
        if value:
            front[key] = value
    front["rooms"] = list(dict.fromkeys([*conference.rooms, *(s.room for s in schedule.sessions if s.room)]))
    front["tracks"] = list(dict.fromkeys([*conference.tracks, *(s.track for s in schedule.sessions if s.track)]))
    front["guid"] = conference.guid
    front["imported"] = schedule.format
    return front


def _speaker_slug(person: Person, people: dict[str, tuple[str, Person]], existing: _Existing, warn: Warn) -> str:
    identity = f"id:{person.person_id}:{make_slug(person.name)}" if person.person_id else f"name:{make_slug(person.name)}"
    if identity in people:
        slug, known = people[identity]
        people[identity] = (slug, Person(
            person_id=known.person_id, name=known.name, biography=known.biography or person.biography,
            photo=known.photo or person.photo, links=known.links or person.links))
        return slug
    slug = ""
    for other_slug, other_id, other_name in existing.speakers:
        if person.person_id and other_id == person.person_id:
            if _same_name(other_name, person.name):
                slug = other_slug
                break
            warn(None, f"person id {person.person_id} is '{other_name}' in content/speakers/{other_slug}.md "
                       f"but '{person.name}' here; they get separate pages (merge them by hand if one person)")
        elif not person.person_id and not other_id and _same_name(other_name, person.name):
            slug = other_slug
            break
    if not slug:
        base = make_slug(person.name)
        if base == "untitled" and person.person_id:
            base = f"speaker-{make_slug(person.person_id)}"
        slug = _new_slug("speakers", base, existing)
        existing.speakers.append((slug, person.person_id, person.name))
    people[identity] = (slug, person)
    return slug


def _speaker_file(slug: str, person: Person, existing: _Existing, base_url: str, warn: Warn,
                  source: str) -> tuple[str, bytes]:
    """A speaker page: what the file already says, with this schedule's values filled in."""
    path = f"content/speakers/{slug}.md"
    meta, body = existing.files.get(path, ({}, ""))
    front = dict(meta)
    front["name"] = person.name or front.get("name") or slug
    if person.person_id:
        front["person_id"] = person.person_id
    photo = safe_url(urljoin(base_url, person.photo), site_paths=False) if person.photo else None
    if person.photo and photo is None:
        warn(None, f"unsafe photo URL of '{person.name}' dropped")
    if photo:
        front["photo"] = photo
    links = []
    for raw in person.links:
        url = safe_url(raw.url, site_paths=False)
        if url:
            links.append({"title": text(raw.title) or text(raw.hint).title() or url, "url": url})
        elif raw.url.strip():
            warn(None, f"unsafe link of '{person.name}' dropped")
    if links:
        front["links"] = links
    front.setdefault("imported", source)  # a speaker in two schedules keeps the first one's mark
    biography = import_body(person.biography)
    return path, _file_bytes(front, biography or body)


def import_schedule(schedule: SourceSchedule, root: Path, *, dry_run: bool = False,
                    force: bool | Sequence[str] = False) -> ImportReport:
    """Plan every file first, then write: a schedule that fails to read writes nothing."""
    files, problems, links = plan_files(schedule, root)
    return ImportReport(
        source=schedule.path, dry_run=dry_run, kinds=KINDS, links=links, warnings=[*schedule.warnings, *problems],
        files=contentfile.apply(root, [FileOut(path, data) for path, data in files], dry_run=dry_run, force=force))


def import_schedule_file(export_file: Path, site: Path, *, reader: str, dry_run: bool = False,
                         force: bool | Sequence[str] = False) -> ImportReport:
    """``museumsite import frab|pretalx FILE``: read ``export_file`` with ``reader`` ("frab" or "pretalx"),
    times without a zone in the site's, and import it into the site at ``site``."""
    from museumsite.config import load_config
    from museumsite.importers.schedules.frab import read_frab
    from museumsite.importers.schedules.pretalx import read_pretalx

    root = site.resolve()
    read = read_frab if reader == "frab" else read_pretalx
    schedule = read(export_file, str(export_file), load_config(root).timezone)
    return import_schedule(schedule, root, dry_run=dry_run, force=force)
