"""Schedules (frab XML, pretalx JSON) into event, talk and speaker files: the shared part.

``frab`` and ``pretalx`` each read their format into the format-neutral ``SourceSchedule``
below (the schedule as its source file gives it); ``files`` turns it into content files and hands them to
``importers.contentfile.apply``, the one writer of every importer (same import
record, same rules for hand-edited files). Decisions, and why:

- **Identity.** An event is known by its ``guid`` (the conference's guid, else its
  acronym), a talk by its ``guid`` (the schedule's GUID, else its id, which then
  only counts within the same event), a speaker by ``person_id`` (the numeric id,
  else pretalx's code, else the person's guid) *and* name: ids are per schedule
  server, so the same id with another name is another person (a warning says so)
  rather than two people merged into one page. Existing files are found by reading
  ``content/``, so a re-import updates them even without the import record.
- **Speakers merge.** A speaker page keeps what earlier imports (or the author,
  with ``--force``) put there; an import only fills in or replaces fields it has a
  value for, so a frab XML (names only) after a pretalx JSON (with biographies)
  loses nothing.
- **Times.** Talks are written as local times (``YYYY-MM-DD HH:MM``) in the event's
  IANA zone (see ``choose_zone``).
- **Text.** Plain-text fields are kept verbatim (control characters aside); the
  templates escape them. Abstracts and descriptions go through ``import_body``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from museumsite.errors import Problem

KINDS = ("events", "talks", "speakers")
Warn = Callable[[int | None, str], None]
# A talk's fields that are links, in frab XML and schedule JSON alike, and what each is (a RawLink's hint).
PAGE_FIELDS = (("video_download_url", "recording"), ("url", "schedule"), ("origin_url", "origin"),
               ("feedback_url", "feedback"))

@dataclass(frozen=True, slots=True, kw_only=True)
class RawLink:
    """A link or attachment as the schedule gives it; sorted into slides and video later."""

    url: str
    title: str = ""
    hint: str = ""  # an attachment's or link's type ("slides", "paper", "FEEDBACK")


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    person_id: str  # numeric id, else pretalx code, else guid; "" when the schedule gives none
    name: str
    biography: str = ""
    photo: str = ""
    links: tuple[RawLink, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """One talk (frab ``<event>``): times aware, or naive when the schedule gives no offset."""

    guid: str
    line: int | None
    title: str
    subtitle: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    room: str = ""
    track: str = ""
    type: str = ""
    language: str = ""
    abstract: str = ""
    description: str = ""
    persons: tuple[Person, ...] = ()
    links: tuple[RawLink, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Conference:
    guid: str
    title: str
    acronym: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    timezone: str = "UTC"  # an IANA name, chosen by choose_zone
    venue: str = ""
    city: str = ""
    rooms: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    base_url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceSchedule:
    path: str  # the input as the user named it, for messages
    format: str  # "frab" or "pretalx": written as each file's 'imported:' field
    conference: Conference
    sessions: tuple[Session, ...]
    warnings: tuple[Problem, ...] = ()
