"""Stage 2c: does the programme make sense? Checks across entries, after assembling.

Input: the assembled ``Site``. Output: problems at the lines that cause them. A talk
outside its event's days, two talks in one room at once, a room the event does not
list, a speaker without talks, a local slide or photo that is not in the site: each is
a warning (an error with ``--strict``), because the author may be midway through
entering a programme. A link that is not http, https or a site path is an error: it
would be published as it is, and ``javascript:`` in a photo is a script.
"""

from __future__ import annotations

import itertools

from museumsite.errors import Problems
from museumsite.model import Entry, Event, Site, Speaker, Talk
from museumsite.sanitize import safe_url


def check_site(site: Site, problems: Problems) -> None:
    """Every check over the originals (translations share their times, rooms and links)."""
    originals = [e for e in site.entries if site.original(e.key) is e]
    talks = [e for e in originals if isinstance(e, Talk)]
    for entry in site.entries:  # a translation may give its own links: those are checked at its own file
        _check_urls(entry, site, problems)
    for talk in talks:
        event = site.event_of(talk, site.config.language)
        if event is not None:
            _check_talk_in_event(talk, event, problems)
    _check_rooms_at_once(talks, problems)
    # A talk that could not be built (reported) may be the one a speaker gives: no second message for it.
    held_talks = any(e.kind == "talks" for e in site.unbuilt)
    for speaker in (e for e in originals if isinstance(e, Speaker)):
        if not site.talks_by(speaker) and not held_talks:
            problems.warn(speaker.source.path, 1, f"speaker '{speaker.name}' gives no talk",
                          "list the speaker in a talk's 'speakers:', or remove the file")


def _url_fields(entry: Entry) -> list[tuple[str, str, int]]:
    """(front-matter key, URL, line) of every link an entry publishes."""
    fields: list[tuple[str, str, int]] = []
    if isinstance(entry, Talk):
        fields += [("slides", link.url, link.line) for link in entry.slides]
        fields += [("links", link.url, link.line) for link in entry.links]
        fields += [(key, url, entry.field_lines.get(key, 1))
                   for key, url in (("video", entry.video), ("image", entry.image), ("captions", entry.captions),
                                    ("transcript", entry.transcript)) if url]
    if isinstance(entry, Speaker):
        fields += [("links", link.url, link.line) for link in entry.links]
        if entry.photo:
            fields.append(("photo", entry.photo, entry.field_lines.get("photo", 1)))
    return fields


def _check_urls(entry: Entry, site: Site, problems: Problems) -> None:
    """The entry's links; for a translation, those the original does not have (it reports its own)."""
    original = site.original(entry.key)
    shared = {(key, url) for key, url, _ in _url_fields(original)} if original not in (None, entry) else set()
    for key, url, line in _url_fields(entry):
        if (key, url) in shared:
            continue
        if safe_url(url) is None:
            problems.error(entry.source.path, line, f"'{key}' URL {url!r} is not http, https or a path of this site",
                           "write the web address (https://...) or a path such as /slides/talk.pdf")
        elif url.startswith("/") and site.static_file(url) is None and not _is_page(url, site):
            problems.warn(entry.source.path, line, f"'{key}' points to {url}, which is not in the site",
                          "put the file under content/static/ (content/static/slides/x.pdf is /slides/x.pdf)")


def _is_page(url: str, site: Site) -> bool:
    path = url.split("#", 1)[0]
    return any(e.url == path for e in site.entries)


def _check_talk_in_event(talk: Talk, event: Event, problems: Problems) -> None:
    if talk.start is not None:
        day = talk.start.date()
        if not event.start <= day <= event.end:
            problems.warn(talk.source.path, talk.field_lines.get("start", 1),
                          f"the talk is on {day}, outside its event ({event.start} to {event.end})",
                          "check the date, or the event's start and end")
    if event.rooms and talk.room and talk.room not in event.rooms:
        problems.warn(talk.source.path, talk.field_lines.get("room", 1),
                      f"room '{talk.room}' is not one of the event's rooms ({', '.join(event.rooms)})",
                      f"fix the name, or add it to 'rooms:' in {event.source.path}")


def _check_rooms_at_once(talks: list[Talk], problems: Problems) -> None:
    by_room: dict[tuple[str, str], list[Talk]] = {}
    for talk in talks:
        if talk.start is not None and talk.room:
            by_room.setdefault((talk.event, talk.room), []).append(talk)
    for (_, room), in_room in sorted(by_room.items()):
        in_room.sort(key=lambda t: (t.start, t.key))
        for earlier, later in itertools.pairwise(in_room):
            assert earlier.start is not None and later.start is not None
            end = earlier.end or earlier.start
            if later.start < end:
                problems.warn(later.source.path, later.field_lines.get("start", 1),
                              f"'{later.title}' overlaps '{earlier.title}' ({earlier.source.path}) in room '{room}'",
                              "move one of them to another time or room")
