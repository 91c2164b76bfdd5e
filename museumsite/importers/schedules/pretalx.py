"""pretalx / frab schedule JSON (the c3voc ``schedule.json``) into a ``SourceSchedule``.

Two layouts exist and both are read: the classic one (``conference.days[].rooms``
mapping room names to talks, speakers inside each talk as ``persons``), written by
pretalx and frab, and the newer "schema2" one (top-level ``events`` with ISO
``start``/``end`` and ``participants``, speakers in a top-level ``persons`` list).
Real exports deviate from the JSON schema (acronyms, string ids, nulls): those are
warnings; only malformed JSON, or JSON that is not a schedule, is an error.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from museumsite.bounds import JsonProblem, load_json
from museumsite.errors import Problem
from museumsite.importers import ImportRefused, read_export
from museumsite.importers.schedules.frab import TOO_LARGE
from museumsite.importers.schedules.model import (
    PAGE_FIELDS,
    Conference,
    Person,
    RawLink,
    Session,
    SourceSchedule,
    Warn,
)
from museumsite.importers.schedules.text import choose_zone, duration, parse_datetime, parse_day, text
from museumsite.urls import make_slug


def read_pretalx(path: Path, shown: str, site_zone: str) -> SourceSchedule:
    """Read a schedule.json; ImportRefused naming the line for malformed JSON."""
    data = read_export(path, shown, TOO_LARGE)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):  # the wrong importer, not a damaged file
        raise ImportRefused(Problem(shown, 1, "this is an XML file, not a schedule JSON",
                                    f"for a frab schedule.xml use 'museumsite import frab {shown}'"))
    try:
        document = load_json(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportRefused(Problem(shown, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                    "export the schedule again as JSON")) from None
    except JsonProblem as exc:
        raise ImportRefused(Problem(shown, exc.line, f"not valid JSON: {exc.message}",
                                    "the file is damaged or not a schedule.json; download it again")) from None
    schedule = document.get("schedule") if isinstance(document, dict) else None
    conference = schedule.get("conference") if isinstance(schedule, dict) else None
    if not isinstance(schedule, dict) or not isinstance(conference, dict):
        raise ImportRefused(Problem(shown, 1, "not a schedule JSON: no 'schedule' with a 'conference' inside",
                                    "export the schedule from pretalx or frab as JSON (schedule.json); "
                                    "for XML use 'museumsite import frab'"))
    warnings: list[Problem] = []

    def warn(line: int | None, message: str) -> None:
        warnings.append(Problem(shown, line, message, warning=True))

    title = text(conference.get("title")) or "Untitled event"
    acronym = text(conference.get("acronym"))
    if acronym and not all(c.islower() or c.isdigit() or c in "-_" for c in acronym):
        warn(None, f"acronym '{acronym}' does not follow the schema (lower-case letters, digits, - and _)")
    people = _people(schedule.get("persons"))
    tracks = {text(t.get("slug")): text(t.get("name")) for t in _dicts(conference.get("tracks"))}
    sessions: list[Session] = []
    rooms = [text(r.get("name")) for r in _dicts(conference.get("rooms"))]
    for room_name, raw in _talks(schedule, conference):
        if room_name:
            rooms.append(room_name)
        session = _session(raw, room_name, people, tracks, warn)
        if session is not None:
            sessions.append(session)
    zone = choose_zone(text(conference.get("time_zone_name")),
                       [s.start for s in sessions if s.start is not None], site_zone, warn)
    start, end = (_local_day(text(conference.get(key)), zone) for key in ("start", "end"))
    return SourceSchedule(path=shown, format="pretalx", sessions=tuple(sessions), warnings=tuple(warnings), conference=Conference(
        guid=text(conference.get("guid")) or acronym or make_slug(title), title=title, acronym=acronym,
        start=start, end=end, timezone=zone, rooms=tuple(dict.fromkeys(r for r in rooms if r)),
        tracks=tuple(dict.fromkeys(n for n in tracks.values() if n)),
        base_url=text(schedule.get("base_url")) or text(conference.get("url"))))


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _local_day(value: str, zone: str) -> dt.date | None:
    when = parse_datetime(value)
    if when is not None and when.tzinfo is not None:
        return when.astimezone(zoneinfo.ZoneInfo(zone)).date()
    return parse_day(value)


def _talks(schedule: dict[str, Any], conference: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(room name, talk) in schedule order, from either layout."""
    for event in _dicts(schedule.get("events")):
        room = event.get("room")
        yield text(room.get("name") if isinstance(room, dict) else room), event
    for day in _dicts(conference.get("days")):
        rooms = day.get("rooms")
        for name, talks in rooms.items() if isinstance(rooms, dict) else []:
            for talk in _dicts(talks):
                yield text(name), talk


def _people(value: Any) -> dict[str, dict[str, Any]]:
    """schema2's top-level persons by guid, so participants find their biography and photo."""
    return {text(p.get("guid")): p for p in _dicts(value) if text(p.get("guid"))}


def _person(raw: dict[str, Any], people: dict[str, dict[str, Any]], warn: Warn, title: str) -> Person | None:
    full = {**people.get(text(raw.get("guid")), {}), **raw}
    name = text(full.get("public_name")) or text(full.get("name"))
    if not name:
        warn(None, f"a speaker of '{title}' has no name; left out")
        return None
    raw_id = full.get("id")
    if raw_id is not None and not (isinstance(raw_id, int) or str(raw_id).isdigit()):
        warn(None, f"person id {raw_id!r} of '{name}' is not a number (the schema asks for one)")
    avatar = full.get("avatar")
    photo = text(avatar.get("url")) if isinstance(avatar, dict) else text(avatar)
    links = tuple(RawLink(url=text(link.get("url")), title=text(link.get("title")),
                          hint=text(link.get("service")) or text(link.get("type")))
                  for link in _dicts(full.get("links")))
    return Person(person_id=text(raw_id) or text(full.get("code")) or text(full.get("guid")), name=name,
                  biography=text(full.get("biography")), photo=photo, links=links)


def _session(raw: dict[str, Any], room_name: str, people: dict[str, dict[str, Any]], tracks: dict[str, str],
             warn: Warn) -> Session | None:
    guid = text(raw.get("guid")) or text(raw.get("id")) or text(raw.get("code"))
    title = text(raw.get("title"))
    if not guid or not title:
        warn(None, f"talk {title or guid or '(no title)'!r} without {'a guid or id' if not guid else 'a title'}"
                   " left out")
        return None
    start = parse_datetime(text(raw.get("date")) or text(raw.get("start")))
    if start is None:
        warn(None, f"talk '{title}' has no readable date; imported without a time")
    end = parse_datetime(text(raw.get("end"))) if raw.get("end") else None
    length = duration(text(raw.get("duration")))
    if end is None and start is not None:
        if length is None:
            warn(None, f"talk '{title}' has no readable duration; its end is left out")
        elif dt.datetime.max - start.replace(tzinfo=None) < length:
            warn(None, f"talk '{title}' ends after the year 9999; its end is left out")
        else:
            end = start + length
    track = raw.get("track")
    if isinstance(track, dict):
        track = text(track.get("name")) or tracks.get(text(track.get("slug")), text(track.get("slug")))
    persons = [_person(p, people, warn, title) for p in _dicts(raw.get("persons") or raw.get("participants"))]
    links = [RawLink(url=text(link.get("url")), title=text(link.get("title")), hint=text(link.get("type")))
             for link in _dicts(raw.get("links"))]
    links += [RawLink(url=text(item.get("url")), title=text(item.get("title")),
                      hint=text(item.get("type")) or "attachment") for item in _dicts(raw.get("attachments"))]
    for key in ("video_download_url", "recording_url"):
        if text(raw.get(key)):
            links.append(RawLink(url=text(raw.get(key)), hint="recording"))
    links += [RawLink(url=text(raw.get(key)), hint=hint) for key, hint in PAGE_FIELDS
              if key != "video_download_url" and text(raw.get(key))]
    return Session(
        guid=guid, line=None, title=title, subtitle=text(raw.get("subtitle")), start=start, end=end,
        room=text(raw.get("room")) if isinstance(raw.get("room"), str) and text(raw.get("room")) else room_name,
        track=text(track), type=text(raw.get("type")), language=text(raw.get("language")),
        abstract=text(raw.get("abstract")), description=text(raw.get("description")),
        persons=tuple(p for p in persons if p is not None), links=tuple(links))
