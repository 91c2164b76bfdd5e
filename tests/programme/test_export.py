"""Each event's ``schedule.xml`` and ``schedule.json``: valid, deterministic, with slides and video."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from museumsite.build import build
from museumsite.cli import main
from museumsite.importers.schedules.frab import read_frab
from museumsite.importers.schedules.pretalx import read_pretalx

from support import FIXTURES, SMALL_SITE, MakeSite, shared

XSD = ("corpora", "frab", "c3voc-schedule.xml.xsd")
JSON_SCHEMA = ("corpora", "pretalx", "c3voc-schema.json")
SCHEDULES = FIXTURES / "schedule"

SITE = {
    **SMALL_SITE,
    "content/talks/opening.fr.md": """
        ---
        title: Conférence d'ouverture
        ---
        Premier paragraphe.
        """,
    "content/talks/deck.md": """
        ---
        title: Local deck
        subtitle: With a file
        event: conf
        speakers: [bob]
        start: 2024-05-03 10:00
        end: 2024-05-03 11:15
        room: Room A
        track: Tools
        type: workshop
        language: fr
        slides:
          - {title: Deck, url: /files/deck.pdf}
          - {title: Online, url: "https://speakerdeck.com/bob/deck"}
        video: https://cdn.example.org/deck.mp4
        guid: 77777777-7777-4777-8777-777777777777
        ---
        The deck.
        """,
    "content/talks/unscheduled.md": """
        ---
        title: Not yet scheduled
        event: conf
        speakers: [bob]
        ---
        Later.
        """,
    "content/static/files/deck.pdf": "%PDF-1.4 not really\n",
}


def validate(xml_file: Path, json_file: Path) -> None:
    """Against the c3voc XSD and JSON schema of ../shared (the test skips, saying why, when they are absent)."""
    import jsonschema
    import xmlschema

    errors = [str(e)[:300] for e in xmlschema.XMLSchema(str(shared(*XSD))).iter_errors(str(xml_file))]
    assert errors == []
    schema = json.loads(shared(*JSON_SCHEMA).read_text(encoding="utf-8"))
    errors = [f"{list(e.path)}: {e.message[:200]}" for e in
              jsonschema.Draft7Validator(schema).iter_errors(json.loads(json_file.read_bytes()))]
    assert errors == []


def talks_of(xml_file: Path) -> dict[str, ET.Element]:
    return {e.findtext("title") or "": e for e in ET.parse(xml_file).getroot().iter("event")}


def test_each_event_gets_a_valid_schedule_with_slides_video_and_original_titles(make_site: MakeSite) -> None:
    shared(*XSD)
    site = make_site(SITE)
    build(site)
    xml_file, json_file = site / "_site/events/conf/schedule.xml", site / "_site/events/conf/schedule.json"
    validate(xml_file, json_file)
    talks = talks_of(xml_file)
    # The originals only, and a talk without a time cannot sit in a day.
    assert sorted(talks) == ["Closing talk", "Local deck", "Opening talk"]
    deck = talks["Local deck"]
    assert deck.findtext("date") == "2024-05-03T10:00:00+02:00" and deck.findtext("duration") == "01:15"
    assert deck.findtext("start") == "10:00" and deck.findtext("language") == "fr"
    assert deck.findtext("type") == "workshop" and deck.findtext("subtitle") == "With a file"
    assert deck.get("guid") == "77777777-7777-4777-8777-777777777777"
    assert deck.findtext("url") == "https://example.org/talks/deck/"
    assert [(a.get("href"), a.get("type"), a.text) for a in deck.iter("attachment")] == [
        ("https://example.org/files/deck.pdf", "slides", "Deck")]
    assert [(a.get("href"), a.get("type")) for a in deck.iter("link")] == [
        ("https://speakerdeck.com/bob/deck", "slides"), ("https://cdn.example.org/deck.mp4", "media")]
    assert deck.findtext("recording/url") == "https://cdn.example.org/deck.mp4"
    assert [p.text for p in talks["Opening talk"].iter("person")] == ["Ada Lovelace", "Bob Builder"]
    opening_links = [a.get("href") for a in talks["Opening talk"].iter("link")]
    assert "https://example.org/video" in opening_links  # a page, not a file: <recording><link>
    assert talks["Opening talk"].findtext("recording/link") == "https://example.org/video"

    document = json.loads(json_file.read_bytes())
    conference = document["schedule"]["conference"]
    assert conference["time_zone_name"] == "Europe/Paris"
    events = [e for day in conference["days"] for room in day["rooms"].values() for e in room]
    assert sorted(e["title"] for e in events) == sorted(talks)
    json_deck = next(e for e in events if e["title"] == "Local deck")
    assert json_deck["attachments"] == [{"type": "slides", "url": "https://example.org/files/deck.pdf",
                                         "title": "Deck"}]
    assert {"type": "media", "url": "https://cdn.example.org/deck.mp4", "title": "Video recording"} in \
        json_deck["links"]


def test_the_export_is_deterministic_and_changes_only_with_the_programme(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SITE)
    build(site)
    first = {name: (site / "_site/events/conf" / name).read_bytes() for name in ("schedule.xml", "schedule.json")}
    build(site, tmp_path / "again", use_cache=False)
    assert {name: (tmp_path / "again/events/conf" / name).read_bytes() for name in first} == first
    talk = site / "content/talks/closing.md"
    talk.write_text(talk.read_text(encoding="utf-8").replace("Closing talk", "Closing words"), encoding="utf-8")
    build(site)
    changed = (site / "_site/events/conf/schedule.xml").read_bytes()
    assert changed != first["schedule.xml"]
    version = ET.fromstring(changed).findtext("version")
    assert version and version != ET.fromstring(first["schedule.xml"]).findtext("version")


def test_imported_hostile_text_is_exported_as_characters_and_reads_back(make_site: MakeSite) -> None:
    site = make_site()
    assert main(["import", "frab", str(SCHEDULES / "hostile.xml"), "--site", str(site)]) == 0
    assert main(["import", "pretalx", str(SCHEDULES / "same-person.json"), "--site", str(site)]) == 0
    build(site)
    xml_file = site / "_site/events/museumday/schedule.xml"
    json_file = site / "_site/events/museumday/schedule.json"
    talks = talks_of(xml_file)
    assert set(talks) == {"<b>x</b>", "Музейные коллекции"}
    assert talks["<b>x</b>"].findtext("room") == "Salle <i>1</i>"
    # Unsafe links never made it in; hostile text is characters: escaped in XML, a plain string in JSON.
    assert "javascript:" not in xml_file.read_text(encoding="utf-8") + json_file.read_text(encoding="utf-8")
    assert "<script" not in xml_file.read_text(encoding="utf-8")
    persons = {p.text: p.get("id") for p in talks["<b>x</b>"].iter("person")}
    assert persons == {"Émilie Rodà": "26", '<script>alert("name")</script>': "27"}

    again = read_frab(xml_file, "schedule.xml", "UTC")
    assert again.conference.timezone == "Europe/Paris"
    assert [(s.title, s.start.isoformat() if s.start else "") for s in again.sessions] == [
        ("<b>x</b>", "2025-03-14T09:30:00+01:00"), ("Музейные коллекции", "2025-03-14T14:00:00+01:00")]
    from_json = read_pretalx(json_file, "schedule.json", "UTC")
    assert [s.title for s in from_json.sessions] == [s.title for s in again.sessions]
    assert from_json.sessions[0].persons[0].person_id == "26"
    validate(xml_file, json_file)  # last: it skips when ../shared is absent


@pytest.mark.slow
def test_an_imported_real_schedule_exports_valid_xml(tmp_path: Path) -> None:
    day1 = shared("corpora", "frab", "eventfahrplan-38c3-day1.xml")
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    assert main(["import", "frab", str(day1), "--site", str(site)]) == 0
    assert main(["build", "--site", str(site)]) == 0
    xml_file = site / "_site/events/38c3/schedule.xml"
    validate(xml_file, site / "_site/events/38c3/schedule.json")
    assert len(talks_of(xml_file)) == 245
    links = [e.findtext("url") for e in ET.parse(xml_file).getroot().iter("event")]
    assert all(url and (site / "_site" / url.removeprefix("https://example.org/") / "index.html").is_file()
               for url in links)
