"""Each event's programme as ``schedule.xml`` (frab) and ``schedule.json`` (c3voc), for conference apps.

Written next to the event page (``/events/<slug>/schedule.xml``) from the assembled
site, so apps such as Giggity or EventFahrplan can read the programme as it ran.
Unlike pretalx's own export, each talk carries its slide links (``<attachments>``
for files, ``<links type="slides">`` otherwise) and its recording (``<recording>``
and a ``<link type="media">``). Choices, and why:

- Only the original (default-language) version of each talk and speaker: a schedule
  has one title per talk, and the original is what was said on the day.
- The bytes are deterministic: no build time anywhere; ``<version>`` is a digest of
  the programme, so it changes exactly when the programme does.
- Identifiers the formats require but a hand-written site lacks are derived, never
  random: a talk without a UUID ``guid`` gets ``uuid5`` of its page URL, a room
  ``uuid5`` of the event and room; the numeric ``id`` is the schedule's numeric id
  when the talk has one, else a number derived from the guid.
- Talks without a start time cannot sit in a day and are left out of the export.
- The XML validates against the c3voc XSD and the JSON against the c3voc JSON schema
  (both checked in the tests).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import uuid
import xml.etree.ElementTree as ET
import zoneinfo
from typing import Any

from museumsite import __version__
from museumsite.bounds import small_number
from museumsite.markup.convert import html_text
from museumsite.model import Entry, Event, Output, Site, Speaker, Talk
from museumsite.urls import absolute, url_to_path

_UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_ZONE_PATTERN = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")  # what the c3voc JSON schema accepts


def make_schedule_exports(site: Site) -> list[Output]:
    """``schedule.xml`` and ``schedule.json`` for every event, in its original language."""
    outputs: list[Output] = []
    for event in site.events:
        if site.original(event.key) is not event:
            continue
        talks = [t for t in site.talks if t.event == event.key and site.original(t.key) is t]
        model = _model(site, event, talks)
        origin = f"{event.source.path}:1"
        outputs.append(Output(path=url_to_path(event.url + "schedule.xml"), data=_xml(model),
                              origin=origin))
        outputs.append(Output(path=url_to_path(event.url + "schedule.json"), data=_json(model), origin=origin))
    return outputs


def _plain(fragment: str) -> str:
    """The text of a fragment, with ``<`` and ``&`` still escaped.

    Readers of a schedule (pretalx, c3voc tools, other generators) treat abstracts as
    Markdown, which passes raw HTML through: text that reads as a tag must not become one.
    """
    return html.escape(html_text(fragment, between=""), quote=False).strip()


def _body(entry: Entry) -> str:
    """An entry's description for other tools: its Markdown, or for an imported entry the
    sanitized HTML the site published (its Markdown is untrusted input, and the reader's
    Markdown converter would make of it what ours refused)."""
    return entry.body_html.strip() if entry.imported else entry.body_md.strip()


def _is_pdf(url: str) -> bool:
    """A slide file (an attachment in frab's terms) rather than a page."""
    return url.lower().split("?", 1)[0].split("#", 1)[0].endswith(".pdf")


def _hhmm(delta: dt.timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{min(minutes // 60, 99):02d}:{minutes % 60:02d}"


def _talk_guid(site: Site, talk: Talk) -> str:
    if _UUID.fullmatch(talk.guid):
        return talk.guid.lower()
    return str(uuid.uuid5(uuid.NAMESPACE_URL, absolute(talk.url, site.config.base_url)))


def _model(site: Site, event: Event, talks: list[Talk]) -> dict[str, Any]:
    """The programme, format-neutral: conference, then days of rooms of talk dicts."""
    base = site.config.base_url
    tz = zoneinfo.ZoneInfo(event.timezone)
    acronym = event.slug.replace("-", "_").ljust(4, "_")
    used_ids: set[int] = set()
    days: dict[dt.date, dict[str, list[dict[str, Any]]]] = {}
    spans: dict[dt.date, list[dt.datetime]] = {}
    for talk in talks:
        if talk.start is None:
            continue
        start = talk.start.astimezone(tz)
        end = talk.end.astimezone(tz) if talk.end else start
        guid = _talk_guid(site, talk)
        number = small_number(talk.guid) or int(guid[:7], 16) + 1
        while number in used_ids:
            number += 1
        used_ids.add(number)
        room = talk.room or "-"
        days.setdefault(start.date(), {}).setdefault(room, []).append(
            _talk(site, talk, start, end, guid, number, acronym))
        spans.setdefault(start.date(), []).extend((start, end))
    room_order = {name: i for i, name in enumerate(event.rooms)}
    rooms = sorted({r for day in days.values() for r in day}, key=lambda r: (room_order.get(r, len(room_order)), r))
    return {
        "acronym": acronym, "title": event.title, "start": event.start.isoformat(),
        "end": event.end.isoformat(), "time_zone_name": event.timezone,
        "url": absolute(event.url, base), "base_url": base,
        "schedule_url": absolute(event.url + "schedule.xml", base),
        "tracks": list(dict.fromkeys([*event.tracks, *(t.track for t in talks if t.track)])),
        "rooms": [{"name": r, "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{absolute(event.url, base)}#room={r}"))}
                  for r in rooms],
        "days": [{"index": index, "date": day.isoformat(), "start": min(spans[day]).isoformat(),
                  "end": max(spans[day]).isoformat(),
                  "rooms": {r: days[day][r] for r in rooms if r in days[day]}}
                 for index, day in enumerate(sorted(days), start=1)],
    }


def _talk(site: Site, talk: Talk, start: dt.datetime, end: dt.datetime, guid: str, number: int,
          acronym: str) -> dict[str, Any]:
    base = site.config.base_url
    speakers: tuple[Speaker, ...] = tuple(
        s for s in (site.original(key) for key in talk.speakers) if isinstance(s, Speaker))
    slides = [{"title": s.title, "url": absolute(s.url, base)} for s in talk.slides]
    video = absolute(talk.video, base) if talk.video else ""
    return {
        "guid": guid, "id": number, "date": start.isoformat(), "start": f"{start:%H:%M}",
        "duration": _hhmm(end - start), "room": talk.room or "-",
        "slug": f"{acronym}-{talk.slug if len(talk.slug) >= 4 else talk.slug + '-talk'}",
        "url": absolute(talk.url, base), "title": talk.title, "subtitle": talk.subtitle, "track": talk.track,
        "type": talk.type, "language": talk.language, "abstract": _plain(talk.summary_html),
        "description": _body(talk),
        "persons": [{"name": s.name, "id": small_number(s.person_id),
                     "guid": s.person_id.lower() if _UUID.fullmatch(s.person_id) else None,
                     "biography": _body(s)} for s in speakers],
        "slides": slides, "video": video,
        "video_is_file": video.lower().split("?", 1)[0].endswith((".mp4", ".webm")),
    }


def _digest(model: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(model, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:12]


def _xml(model: dict[str, Any]) -> bytes:
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", {"name": "museumsite", "version": __version__})
    ET.SubElement(root, "url").text = model["schedule_url"]
    ET.SubElement(root, "version").text = _digest(model)
    conference = ET.SubElement(root, "conference")
    for key in ("acronym", "title", "start", "end"):
        ET.SubElement(conference, key).text = model[key]
    ET.SubElement(conference, "days").text = str(len(model["days"]))
    ET.SubElement(conference, "timeslot_duration").text = "00:05"
    ET.SubElement(conference, "base_url").text = model["base_url"]
    ET.SubElement(conference, "url").text = model["url"]
    ET.SubElement(conference, "time_zone_name").text = model["time_zone_name"]
    for track in model["tracks"]:
        ET.SubElement(conference, "track", {"name": track})
    guids = {r["name"]: r["guid"] for r in model["rooms"]}
    for day in model["days"]:
        day_element = ET.SubElement(root, "day", {"index": str(day["index"]), "date": day["date"],
                                                  "start": day["start"], "end": day["end"]})
        for room, talks in day["rooms"].items():
            room_element = ET.SubElement(day_element, "room", {"name": room, "guid": guids[room]})
            for talk in talks:
                _xml_talk(ET.SubElement(room_element, "event", {"guid": talk["guid"], "id": str(talk["id"])}), talk)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def _xml_talk(element: ET.Element, talk: dict[str, Any]) -> None:
    for key in ("date", "start", "duration", "room", "slug", "url", "title", "subtitle", "language", "track",
                "type", "abstract", "description"):
        ET.SubElement(element, key).text = str(talk[key])
    persons = ET.SubElement(element, "persons")
    for person in talk["persons"]:
        attributes = {k: str(person[k]) for k in ("id", "guid") if person[k] is not None}
        ET.SubElement(persons, "person", attributes).text = person["name"]
    links = ET.SubElement(element, "links")
    attachments = ET.SubElement(element, "attachments")
    for slide in talk["slides"]:
        is_file = _is_pdf(slide["url"])
        ET.SubElement(attachments if is_file else links, "attachment" if is_file else "link",
                      {"href": slide["url"], "type": "slides"}).text = slide["title"]
    if talk["video"]:
        ET.SubElement(links, "link", {"href": talk["video"], "type": "media"}).text = "Video recording"
        recording = ET.SubElement(element, "recording")
        ET.SubElement(recording, "license").text = ""
        ET.SubElement(recording, "optout").text = "false"
        ET.SubElement(recording, "url" if talk["video_is_file"] else "link").text = talk["video"]


def _json(model: dict[str, Any]) -> bytes:
    conference: dict[str, Any] = {
        "acronym": model["acronym"], "title": model["title"], "start": model["start"], "end": model["end"],
        "daysCount": len(model["days"]), "timeslot_duration": "00:05", "url": model["url"],
    }
    if _ZONE_PATTERN.search(model["time_zone_name"]):
        conference["time_zone_name"] = model["time_zone_name"]
    conference["tracks"] = [{"name": t} for t in model["tracks"]]
    conference["rooms"] = model["rooms"]
    conference["days"] = [
        {"index": day["index"], "date": day["date"], "day_start": day["start"], "day_end": day["end"],
         "rooms": {room: [_json_talk(t) for t in talks] for room, talks in day["rooms"].items()}}
        for day in model["days"]]
    document = {"$schema": "https://c3voc.de/schedule/schema.json",
                "generator": {"name": "museumsite", "version": __version__},
                "schedule": {"version": _digest(model), "base_url": model["base_url"], "conference": conference}}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_talk(talk: dict[str, Any]) -> dict[str, Any]:
    keys = ("guid", "id", "date", "start", "duration", "room", "slug", "url", "title", "subtitle", "track",
            "type", "language", "abstract", "description")
    result = {key: talk[key] for key in keys}
    result["language"] = talk["language"] or None
    result["persons"] = [
        {"id": p["id"], "public_name": p["name"]} if p["id"] is not None
        else {"name": p["name"], **({"guid": p["guid"]} if p["guid"] else {}), "biography": p["biography"] or None}
        for p in talk["persons"]]
    files = [_is_pdf(s["url"]) for s in talk["slides"]]
    result["links"] = [{"type": "slides", "url": s["url"], "title": s["title"]}
                       for s, is_file in zip(talk["slides"], files) if not is_file]
    if talk["video"]:
        result["links"].append({"type": "media", "url": talk["video"], "title": "Video recording"})
    result["attachments"] = [{"type": "slides", "url": s["url"], "title": s["title"]}
                             for s, is_file in zip(talk["slides"], files) if is_file]
    return result
