"""Stage 4c: iCalendar (RFC 5545) files for events, talks and speakers.

Every event gets ``<event url>calendar.ics`` with all its timed talks, every timed
talk ``<talk url>calendar.ics`` and every speaker with a timed talk
``<speaker url>calendar.ics``: "add to calendar" for a whole programme, one slot or
one person. Only the original version of each entry gets one (a calendar holds
no page language, and one file per talk keeps one UID per talk).

The bytes depend on the content alone, so two builds give identical files and
``write`` leaves them untouched:

- DTSTAMP, which RFC 5545 requires, is the talk's start in UTC (the event's first
  day for an all-day event), never the build's clock;
- a UID is the talk's schedule ``guid`` (else its key) ``@`` the site's host, the
  same in every file that holds the talk, so importing two files never doubles it;
- times stay local (``DTSTART;TZID=Europe/Paris:20240502T090000``) with a VTIMEZONE
  built from the system's zoneinfo for the years the file covers.

Speakers are named in DESCRIPTION, not as ATTENDEE: RFC 5545 (3.8.4.1) says ATTENDEE
"MUST NOT be specified" when publishing, it needs a calendar address (an e-mail we
never have), and clients show attendees as people invited to a meeting.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from museumsite.markup.convert import plain_text
from museumsite.model import Entry, Event, Output, Site, Speaker, Talk
from museumsite.urls import absolute, url_to_path

if TYPE_CHECKING:
    from icalendar import Calendar

PRODID = "-//museumsite//museumsite//EN"
FILE_NAME = "calendar.ics"
DESCRIPTION_LIMIT = 1000  # characters of summary text; the URL leads to the rest


def calendar_path(entry: Entry) -> str:
    """Site path of an entry's calendar: '/events/conf/' -> '/events/conf/calendar.ics'."""
    return entry.url.rstrip("/") + "/" + FILE_NAME


def has_calendar(site: Site, entry: Entry) -> bool:
    """Whether ``make_calendars`` writes a calendar for this entry (in any of its languages).

    Every event has one; a talk only with a start time; a speaker only with a timed talk.
    """
    original = site.original(entry.key) or entry
    if isinstance(original, Event):
        return True
    if isinstance(original, Talk):
        return original.start is not None
    if isinstance(original, Speaker):
        return any(t.start is not None for t in site.talks_by(original))
    return False


def make_calendars(site: Site) -> list[Output]:
    """One ``Output`` per event, timed talk and speaker with timed talks (originals only)."""
    outputs: list[Output] = []
    for event in _originals(site, site.events):
        talks = [t for t in site.talks_of(event) if t.start is not None]
        components = [_talk_event(site, t) for t in talks] if talks else [_all_day(site, event)]
        outputs.append(_output(event, event.title, components))
    for talk in _originals(site, site.talks):
        if talk.start is not None:
            outputs.append(_output(talk, talk.title, [_talk_event(site, talk)]))
    for speaker in _originals(site, site.speakers):
        talks = sorted((t for t in site.talks_by(speaker) if t.start is not None),
                       key=lambda t: (_utc(t.start), t.key))
        if talks:
            outputs.append(_output(speaker, speaker.name, [_talk_event(site, t) for t in talks]))
    return outputs


def _originals(site: Site, entries: Iterable[Any]) -> list[Any]:
    return [e for e in entries if site.original(e.key) is e]


def _output(entry: Entry, name: str, components: list[Any]) -> Output:
    """The calendar file of ``entry``, named ``name``, holding ``components``."""
    return Output(path=url_to_path(calendar_path(entry)), data=_calendar(name, components).to_ical(),
                  origin=f"the calendar of {entry.source}")


def _calendar(name: str, components: list[Any]) -> Calendar:
    from icalendar import Calendar, Timezone, vText

    name = " ".join(name.split())  # one line; vText escapes the rest (icalendar 7 leaves NAME unescaped)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", vText(name))  # RFC 7986
    calendar.add("x-wr-calname", vText(name))  # what Apple and Google calendars show
    years: dict[str, set[int]] = {}
    for component in components:
        for prop in ("dtstart", "dtend"):
            value = component.get(prop)
            when = value.dt if value is not None else None
            if isinstance(when, dt.datetime) and isinstance(when.tzinfo, zoneinfo.ZoneInfo) \
                    and when.tzinfo.key != "UTC":
                years.setdefault(when.tzinfo.key, set()).add(when.year)
    for zone in sorted(years):
        calendar.add_component(Timezone.from_tzid(zone, first_date=dt.date(min(years[zone]), 1, 1),
                                                  last_date=dt.date(min(max(years[zone]) + 1, 9999), 1, 1)))
    for component in components:
        calendar.add_component(component)
    return calendar


def _talk_event(site: Site, talk: Talk) -> Any:
    from icalendar import Event as VEvent

    assert talk.start is not None
    event = site.event_of(talk, site.config.language)
    zone = _zone_of(event, talk.start)
    vevent = VEvent()
    vevent.add("uid", _uid(site, talk.guid or talk.key))
    vevent.add("dtstamp", _utc(talk.start))
    vevent.add("dtstart", talk.start.astimezone(zone))
    if talk.end is not None and talk.end > talk.start:
        vevent.add("dtend", talk.end.astimezone(zone))
    vevent.add("summary", talk.title, parameters={"LANGUAGE": talk.lang})
    location = ", ".join(p for p in (talk.room, event.venue if event else "", event.city if event else "") if p)
    if location:
        vevent.add("location", location, parameters={"LANGUAGE": talk.lang})
    speakers = ", ".join(_person(s) for s in site.speakers_of(talk, talk.lang))
    text = plain_text(talk.description or talk.summary_html, DESCRIPTION_LIMIT)
    url = absolute(talk.url, site.config.base_url)
    description = "\n\n".join(p for p in (talk.subtitle, speakers, text, url) if p)
    # Most of the description is the abstract: in the body's language (an imported one may be in another).
    vevent.add("description", description, parameters={"LANGUAGE": talk.body_lang or talk.lang})
    vevent.add("url", url)
    categories = [c for c in (talk.track, event.title if event else "") if c]
    if categories:
        vevent.add("categories", categories)
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    return vevent


def _all_day(site: Site, event: Event) -> Any:
    """The event itself, for an event whose talks have no times (DATE values, end exclusive)."""
    from icalendar import Event as VEvent

    vevent = VEvent()
    vevent.add("uid", _uid(site, event.key))
    vevent.add("dtstamp", dt.datetime.combine(event.start, dt.time(0), dt.timezone.utc))
    vevent.add("dtstart", event.start)
    last = max(event.end, event.start)
    vevent.add("dtend", last + dt.timedelta(days=1) if last < dt.date.max else last)  # end exclusive
    vevent.add("summary", event.title, parameters={"LANGUAGE": event.lang})
    location = ", ".join(p for p in (event.venue, event.city) if p)
    if location:
        vevent.add("location", location, parameters={"LANGUAGE": event.lang})
    url = absolute(event.url, site.config.base_url)
    text = plain_text(event.description or event.summary_html, DESCRIPTION_LIMIT)
    vevent.add("description", "\n\n".join(p for p in (text, url) if p),
               parameters={"LANGUAGE": event.body_lang or event.lang})
    vevent.add("url", url)
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")  # a day-long conference does not block the whole day
    return vevent


def _person(speaker: Speaker) -> str:
    return f"{speaker.name} ({speaker.affiliation})" if speaker.affiliation else speaker.name


def _uid(site: Site, ident: str) -> str:
    host = urlsplit(site.config.base_url).hostname or "localhost"
    return f"{ident}@{host}"


def _zone_of(event: Event | None, when: dt.datetime) -> dt.tzinfo:
    """The event's zone (a talk time written with an offset is shown in it), else the time's own."""
    if event is not None:
        try:
            return zoneinfo.ZoneInfo(event.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    if isinstance(when.tzinfo, zoneinfo.ZoneInfo):
        return when.tzinfo
    return dt.timezone.utc


def _utc(when: dt.datetime | None) -> dt.datetime:
    assert when is not None
    return when.astimezone(dt.timezone.utc)
