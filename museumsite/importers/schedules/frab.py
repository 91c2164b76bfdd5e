"""frab schedule XML (``schedule.xml`` of frab, pretalx, wafer, FOSDEM's Pentabarf) into a ``SourceSchedule``.

The XML is untrusted: it is read by ``xmlread``, the importers' one XML reader
(defusedxml with DTDs forbidden, since a DOCTYPE is what every XML attack needs and
no schedule has one; such a file is refused before anything is read from it). Real
schedules deviate from the c3voc XSD (no ``guid``, no ``<version>``, empty
``<recording/>``): deviations are warnings naming the line, and only a talk
without any identity or title is left out.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
import zoneinfo
from pathlib import Path

from museumsite.errors import Problem
from museumsite.importers import ImportRefused, read_export, xmlread
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

# What to do with a schedule over the importers' size limit.
TOO_LARGE = "is it really a schedule?"


def parse_xml(data: bytes, shown: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The root element and element lines, read by ``xmlread`` (the importers' one safe XML reader)."""
    lines: dict[ET.Element, int] = {}
    return xmlread.parse_xml(data, shown, lines), lines


def read_frab(path: Path, shown: str, site_zone: str) -> SourceSchedule:
    """Read a frab ``schedule.xml``; times without a zone are placed by ``choose_zone``."""
    data = read_export(path, shown, TOO_LARGE)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):  # the wrong importer, not a damaged file
        raise ImportRefused(Problem(shown, 1, "this is a JSON file, not a frab schedule XML",
                                    f"for a schedule.json (pretalx or frab) use 'museumsite import pretalx {shown}'"))
    root, lines = parse_xml(data, shown)
    warnings: list[Problem] = []

    def warn(line: int | None, message: str) -> None:
        warnings.append(Problem(shown, line, message, warning=True))

    if root.tag != "schedule":
        raise ImportRefused(Problem(shown, lines.get(root), f"not a frab schedule: the root element is <{root.tag}>",
                                    "export the schedule as frab XML (schedule.xml); "
                                    "for JSON use 'museumsite import pretalx'"))
    conference = root.find("conference")
    if conference is None:
        warn(lines.get(root), "no <conference> element; the event has no title")
        conference = ET.Element("conference")
    if root.find("version") is None:
        warn(lines.get(root), "no <version> element (the c3voc schema asks for one)")
    title = text(conference.findtext("title")) or "Untitled event"
    acronym = text(conference.findtext("acronym"))
    day_change = duration(conference.findtext("day_change") or "") or dt.timedelta(0)
    sessions: list[Session] = []
    rooms: list[str] = []
    times: list[dt.datetime] = []
    without_guid = 0
    for day in root.iter("day"):
        day_date = parse_day(day.get("date", ""))
        for room in day.findall("room"):
            room_name = text(room.get("name"))
            if room_name:
                rooms.append(room_name)
            for event in room.findall("event"):
                line = lines.get(event)
                session = _session(event, line, room_name, day_date, day_change, warn)
                if session is None:
                    continue
                without_guid += not event.get("guid")
                if session.start is not None:
                    times.append(session.start)
                sessions.append(session)
    if without_guid:
        warn(None, f"{without_guid} talk{'s have' if without_guid > 1 else ' has'} no guid; "
                   "the schedule's ids identify them on re-import")
    zone = choose_zone(text(conference.findtext("time_zone_name")), times, site_zone, warn)
    start = parse_day(text(conference.findtext("start")))
    end = parse_day(text(conference.findtext("end")))
    for key, value in (("start", start), ("end", end)):
        raw = parse_datetime(text(conference.findtext(key)))
        if raw is not None and raw.tzinfo is not None and value is not None:
            local = raw.astimezone(zoneinfo.ZoneInfo(zone)).date()
            start, end = (local, end) if key == "start" else (start, local)
    tracks = [text(t.get("name") or t.text) for t in conference.findall("track")]
    return SourceSchedule(path=shown, format="frab", sessions=tuple(sessions), warnings=tuple(warnings), conference=Conference(
        guid=text(conference.findtext("guid")) or acronym or make_slug(title), title=title, acronym=acronym,
        start=start, end=end, timezone=zone, venue=text(conference.findtext("venue")),
        city=text(conference.findtext("city")), rooms=tuple(dict.fromkeys(rooms)),
        tracks=tuple(dict.fromkeys(t for t in tracks if t)),
        base_url=text(conference.findtext("base_url")) or text(conference.findtext("url"))))


def _session(event: ET.Element, line: int | None, room_name: str, day: dt.date | None,
             day_change: dt.timedelta, warn: Warn) -> Session | None:
    guid = text(event.get("guid")) or text(event.get("id"))
    title = text(event.findtext("title"))
    if not guid or not title:
        warn(line, f"talk without {'a guid or id' if not guid else 'a title'} left out")
        return None
    start = parse_datetime(event.findtext("date") or "")
    if start is None:
        clock = duration(event.findtext("start") or "")
        if clock is not None and day is not None:
            after_midnight = day_change and clock < day_change
            try:
                start = dt.datetime.combine(day, dt.time()) + clock + dt.timedelta(days=1 if after_midnight else 0)
            except OverflowError:  # past the year 9999
                start = None
        else:
            warn(line, f"talk '{title}' has no readable <date> or <start>; imported without a time")
    length = duration(event.findtext("duration") or "")
    if start is not None and length is None:
        warn(line, f"talk '{title}' has no readable <duration>; its end is left out")
    elif start is not None and length is not None and dt.datetime.max - start.replace(tzinfo=None) < length:
        warn(line, f"talk '{title}' ends after the year 9999; its end is left out")
        length = None
    persons = tuple(
        Person(person_id=text(p.get("id")) or text(p.get("code")) or text(p.get("guid")), name=text(p.text))
        for p in event.iter("person") if text(p.text))
    links = [RawLink(url=link.get("href", ""), title=text(link.text), hint=text(link.get("type")))
             for link in event.iter("link")]
    links += [RawLink(url=item.get("href", ""), title=text(item.text), hint=text(item.get("type")) or "attachment")
              for item in event.iter("attachment")]
    for recording in event.iter("recording"):
        links += [RawLink(url=text(recording.findtext(key)), hint="recording") for key in ("url", "link")
                  if text(recording.findtext(key))]
    # The talk's own pages: in this schedule, at its origin, its feedback form; and the deprecated download.
    links += [RawLink(url=text(event.findtext(key)), hint=hint) for key, hint in PAGE_FIELDS
              if text(event.findtext(key))]
    return Session(
        guid=guid, line=line, title=title, subtitle=text(event.findtext("subtitle")), start=start,
        end=start + length if start is not None and length is not None else None,
        room=text(event.findtext("room")) or room_name, track=text(event.findtext("track")),
        type=text(event.findtext("type")), language=text(event.findtext("language")),
        abstract=event.findtext("abstract") or "", description=event.findtext("description") or "",
        persons=persons, links=tuple(links))
