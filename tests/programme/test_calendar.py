"""Calendar files (.ics) of real built sites, read back with the icalendar package."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import icalendar
import pytest

from museumsite.build import build

from support import SMALL_SITE, MakeSite

PARIS = "Europe/Paris"


def _calendar(path: Path) -> Any:
    return icalendar.Calendar.from_ical(path.read_bytes())


def _events(calendar: Any) -> list[Any]:
    return list(calendar.walk("VEVENT"))


def _by_summary(calendar: Any) -> dict[str, Any]:
    return {str(e["SUMMARY"]): e for e in _events(calendar)}


def _ics_files(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*.ics"))}


def test_event_calendar_holds_every_talk_in_local_time_with_a_vtimezone(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    path = site / "_site/events/conf/calendar.ics"
    raw = path.read_bytes()
    assert b"\r\n" in raw and raw.startswith(b"BEGIN:VCALENDAR\r\n")
    calendar = _calendar(path)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["METHOD"]) == "PUBLISH"
    zones = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert zones == [PARIS]
    talks = _by_summary(calendar)
    assert sorted(talks) == ["Closing talk", "Opening talk"]
    opening = talks["Opening talk"]
    start, end = opening.decoded("DTSTART"), opening.decoded("DTEND")
    assert (start.hour, start.minute, end.hour, end.minute) == (9, 0, 9, 30)
    assert str(start.tzinfo) == PARIS and start.utcoffset() == dt.timedelta(hours=2)
    assert b"DTSTART;TZID=Europe/Paris:20240502T090000" in raw
    closing = talks["Closing talk"].decoded("DTSTART")
    assert (closing.date(), closing.hour) == (dt.date(2024, 5, 2), 17)  # a bare time falls on the first day
    assert str(opening["LOCATION"]) == "Room A, Hall, Lyon"
    assert str(opening["URL"]) == "https://example.org/talks/opening/"
    description = str(opening["DESCRIPTION"])
    assert "Ada Lovelace (Analytical Society)" in description and "Bob Builder" in description
    assert "First paragraph of the talk." in description and "https://example.org/talks/opening/" in description
    assert "ATTENDEE" not in opening, "speakers are named in DESCRIPTION: ATTENDEE is not for published calendars"
    assert str(opening["UID"]) == "talks/opening@example.org"
    assert opening.decoded("DTSTAMP") == dt.datetime(2024, 5, 2, 7, 0, tzinfo=dt.timezone.utc)


def test_talk_and_speaker_calendars_share_the_talks_uids(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    out = site / "_site"
    event_uids = {str(e["SUMMARY"]): str(e["UID"]) for e in _events(_calendar(out / "events/conf/calendar.ics"))}
    talk = _events(_calendar(out / "talks/opening/calendar.ics"))
    assert [str(e["SUMMARY"]) for e in talk] == ["Opening talk"]
    assert str(talk[0]["UID"]) == event_uids["Opening talk"]
    ada = _events(_calendar(out / "speakers/ada/calendar.ics"))
    assert [str(e["SUMMARY"]) for e in ada] == ["Opening talk", "Closing talk"], "in time order"
    assert {str(e["UID"]) for e in ada} == set(event_uids.values())
    bob = _events(_calendar(out / "speakers/bob/calendar.ics"))
    assert [str(e["UID"]) for e in bob] == [event_uids["Opening talk"]]
    assert str(_calendar(out / "speakers/ada/calendar.ics")["X-WR-CALNAME"]) == "Ada Lovelace"


def test_calendars_are_byte_identical_across_builds_and_folders(make_site: MakeSite, tmp_path: Path) -> None:
    first = make_site(SMALL_SITE, name="one")
    second = make_site(SMALL_SITE, name="two")
    build(first)
    build(first, tmp_path / "again")
    build(second)
    files = _ics_files(first / "_site")
    assert sorted(files) == ["events/conf/calendar.ics", "speakers/ada/calendar.ics", "speakers/bob/calendar.ics",
                             "talks/closing/calendar.ics", "talks/opening/calendar.ics"]
    assert files == _ics_files(tmp_path / "again")
    assert files == _ics_files(second / "_site")


def test_only_the_original_gets_a_calendar_in_its_own_language(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "content/talks/opening.fr.md": "---\ntitle: Discours d'ouverture\n---\nPremier.\n"})
    build(site)
    out = site / "_site"
    assert (out / "fr/talks/opening/index.html").exists()
    assert not list((out / "fr").rglob("*.ics"))
    opening = _events(_calendar(out / "talks/opening/calendar.ics"))[0]
    assert str(opening["SUMMARY"]) == "Opening talk"
    assert opening["SUMMARY"].params["LANGUAGE"] == "en"


def test_event_without_talk_times_is_one_all_day_event(make_site: MakeSite) -> None:
    site = make_site({
        "content/events/day.md": "---\ntitle: Study day\nstart: 2024-03-14\nend: 2024-03-15\n"
                                 "venue: Library\ncity: Nantes\n---\nA day of study.\n",
        "content/speakers/ada.md": "---\nname: Ada\n---\nBio.\n",
        "content/talks/untimed.md": "---\ntitle: Untimed\nevent: day\nspeakers: [ada]\n---\nNo time yet.\n",
    })
    build(site)
    out = site / "_site"
    events = _events(_calendar(out / "events/day/calendar.ics"))
    assert len(events) == 1
    day = events[0]
    assert str(day["SUMMARY"]) == "Study day"
    assert day.decoded("DTSTART") == dt.date(2024, 3, 14)
    assert day.decoded("DTEND") == dt.date(2024, 3, 16), "DTEND of an all-day event is the day after"
    assert not isinstance(day.decoded("DTSTART"), dt.datetime)
    assert str(day["LOCATION"]) == "Library, Nantes"
    assert str(day["UID"]) == "events/day@example.org"
    assert not (out / "talks/untimed/calendar.ics").exists(), "a talk without a time has no calendar"
    assert not (out / "speakers/ada/calendar.ics").exists()
    assert not list(_calendar(out / "events/day/calendar.ics").walk("VTIMEZONE"))


def test_times_stay_in_the_events_zone_across_daylight_saving(make_site: MakeSite) -> None:
    """A New York event in March: one talk before the switch, one after; an offset-written time is shown locally."""
    site = make_site({
        "content/events/nyc.md": "---\ntitle: NYC\nstart: 2024-03-09\nend: 2024-03-11\n"
                                 "timezone: America/New_York\n---\nIn New York.\n",
        "content/speakers/ada.md": "---\nname: Ada\n---\nBio.\n",
        "content/talks/before.md": "---\ntitle: Before\nevent: nyc\nspeakers: [ada]\n"
                                   "start: 2024-03-09 10:00\nend: 2024-03-09 11:00\n---\nBefore.\n",
        "content/talks/after.md": "---\ntitle: After\nevent: nyc\nspeakers: [ada]\n"
                                  "start: 2024-03-11 10:00\nend: 2024-03-11 11:00\n---\nAfter.\n",
        "content/talks/utc.md": "---\ntitle: Written in UTC\nevent: nyc\nspeakers: [ada]\n"
                                "start: 2024-03-11T18:00:00+00:00\n---\nUTC.\n",
    })
    build(site)
    path = site / "_site/events/nyc/calendar.ics"
    raw = path.read_bytes()
    calendar = _calendar(path)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    talks = _by_summary(calendar)
    before, after = talks["Before"].decoded("DTSTART"), talks["After"].decoded("DTSTART")
    assert before.hour == after.hour == 10
    assert before.utcoffset() == dt.timedelta(hours=-5) and after.utcoffset() == dt.timedelta(hours=-4)
    assert b"DTSTART;TZID=America/New_York:20240311T140000" in raw, "18:00 UTC is 14:00 in New York (EDT)"
    assert "DTEND" not in talks["Written in UTC"], "no end: RFC 5545 makes it end when it starts"


def test_hostile_text_stays_text_in_the_calendar(make_site: MakeSite) -> None:
    title = "Evil; talk, with\\ backslash END:VEVENT"
    site = make_site({**SMALL_SITE, "content/talks/evil.md":
                      '---\ntitle: "Evil; talk, with\\\\ backslash\\nEND:VEVENT\\nBEGIN:VEVENT"\nevent: conf\n'
                      "speakers: [ada]\nstart: 2024-05-03 10:00\nend: 2024-05-03 11:00\n"
                      'room: "Room; A, \\"1\\""\n---\nBody.\n'})
    build(site)
    calendar = _calendar(site / "_site/talks/evil/calendar.ics")
    events = _events(calendar)
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]).startswith(title.split(" END")[0])
    assert "END:VEVENT" in str(events[0]["SUMMARY"])
    assert str(events[0]["LOCATION"]).startswith('Room; A, "1"')
    raw = (site / "_site/talks/evil/calendar.ics").read_bytes()
    assert b"\r\nX-WR-CALNAME:Evil\\; talk\\, with\\\\ backslash END:VEVENT BEGIN:VEVENT\r\n" in raw
    assert raw.count(b"\r\nBEGIN:VEVENT\r\n") == 1


def test_every_line_is_folded_to_75_octets(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "content/talks/long.md":
                      "---\ntitle: " + "Éléphant " * 30 + "\nevent: conf\nspeakers: [ada]\n"
                      "start: 2024-05-03 10:00\n---\nBody.\n"})
    build(site)
    raw = (site / "_site/talks/long/calendar.ics").read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75
    assert str(_events(icalendar.Calendar.from_ical(raw))[0]["SUMMARY"]) == ("Éléphant " * 30).strip()


@pytest.fixture
def demo(demo_output: Path) -> Path:
    return demo_output


def test_demo_site_calendars(demo: Path) -> None:
    event = _calendar(demo / "events/rencontres-web-musees-2009/calendar.ics")
    assert [str(tz["TZID"]) for tz in event.walk("VTIMEZONE")] == [PARIS]
    talks = _events(event)
    assert len(talks) == 6
    starts = [t.decoded("DTSTART") for t in talks]
    assert starts == sorted(starts)
    assert all(str(s.tzinfo) == PARIS and s.utcoffset() == dt.timedelta(hours=2) for s in starts)
    first = _by_summary(event)["From conservation to conversation"]
    assert (first.decoded("DTSTART").hour, first.decoded("DTSTART").minute) == (9, 30)
    assert str(first["LOCATION"]) == "Auditorium, Musée du Louvre, Paris"
    assert "Samuel Bausson" in str(first["DESCRIPTION"])
    uids = [str(t["UID"]) for t in talks]
    assert len(set(uids)) == 6 and all(u.endswith("@museumsite.example.org") for u in uids)
    for talk_dir in (demo / "talks").iterdir():
        if talk_dir.is_dir():
            own = _events(_calendar(talk_dir / "calendar.ics"))
            assert len(own) == 1 and str(own[0]["UID"]) in uids
    speaker = _events(_calendar(demo / "speakers/samuel-bausson/calendar.ics"))
    assert [str(t["SUMMARY"]) for t in speaker] == ["From conservation to conversation"]
    assert not list(demo.glob("fr/**/*.ics")) and not list(demo.glob("ca/**/*.ics"))


def test_demo_site_calendars_are_reproducible(demo: Path, demo_root: Path, tmp_path: Path) -> None:
    build(demo_root, tmp_path / "again", use_cache=False)
    files = _ics_files(demo)
    assert len(files) == 13
    assert files == _ics_files(tmp_path / "again")
    for data in files.values():  # the stamp is the talk's start, never the build's clock
        for event in _events(icalendar.Calendar.from_ical(data)):
            assert event.decoded("DTSTAMP") == event.decoded("DTSTART").astimezone(dt.timezone.utc)


def test_a_speaker_across_zones_gets_one_vtimezone_per_zone(make_site: MakeSite) -> None:
    site = make_site({
        **SMALL_SITE,
        "content/events/nyc.md": "---\ntitle: NYC\nstart: 2024-09-10\nend: 2024-09-10\n"
                                 "timezone: America/New_York\n---\nIn New York.\n",
        "content/talks/again.md": "---\ntitle: Again\nevent: nyc\nspeakers: [ada]\n"
                                  "start: 2024-09-10 09:00\nend: 2024-09-10 10:00\n---\nAgain.\n",
    })
    build(site)
    calendar = _calendar(site / "_site/speakers/ada/calendar.ics")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York", PARIS]
    talks = _by_summary(calendar)
    assert list(talks) == ["Opening talk", "Closing talk", "Again"]
    again = talks["Again"].decoded("DTSTART")
    assert (again.hour, str(again.tzinfo)) == (9, "America/New_York")
    assert "LOCATION" not in talks["Again"], "no room, venue or city: no location"
