"""Conference proceedings: the schedule grid, talk and speaker pages, and the programme's checks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest

from museumsite.build import build
from museumsite.errors import BuildError

from support import MakeSite

CONFIG = """\
title: Proceedings
base_url: https://example.org/proc/
languages: [en, fr, es]
timezone: UTC
"""

EVENT = """\
---
title: Two-day meeting
start: 2024-06-12
end: 2024-06-13
timezone: Europe/Madrid
rooms: [Main hall, Room B]
breaks:
  - {title: Lunch, start: "2024-06-12 13:00", end: "2024-06-12 14:00"}
---
About the meeting.
"""


def talk(title: str, start: str, end: str, room: str, speakers: str = "[marta]", extra: str = "") -> str:
    return (f"---\ntitle: \"{title}\"\nevent: meeting\nspeakers: {speakers}\nstart: {start}\nend: {end}\n"
            f"room: {room}\n{extra}---\nSummary of {title}.\n")


FILES = {
    "content/events/meeting.md": EVENT,
    "content/talks/opening.md": talk("Opening", "2024-06-12 09:00", "2024-06-12 10:00", "Main hall",
                                     extra="type: keynote\ntrack: Museums\n"),
    "content/talks/side.md": talk("Side session", "2024-06-12 09:30", "2024-06-12 10:30", "Room B",
                                  speakers="[roda, elodie]", extra="type: workshop\ntrack: Archives\n"),
    "content/talks/after-lunch.md": talk("After lunch", "2024-06-12 14:00", "2024-06-12 14:45", "Main hall",
                                         speakers="[elodie]", extra=(
                                             "slides:\n  - {title: Deck, url: /slides/deck.pdf}\n"
                                             "  - {title: Online, url: 'https://www.slideshare.net/x/y'}\n"
                                             "  - {title: Paper, url: 'https://doi.org/10.5281/zenodo.123'}\n"
                                             "video: https://www.youtube.com/watch?v=abc123def45\n")),
    "content/talks/day-two.md": talk("Day two", "2024-06-13 10:00", "2024-06-13 11:30", "Main hall",
                                     speakers="[zoe]", extra="video: https://media.example.org/v/day-two.webm\n"),
    "content/speakers/marta.md": "---\nname: Marta Rodà\nphoto: /img/marta.svg\n---\nBio.\n",
    "content/speakers/roda.md": "---\nname: Marta Roda\n---\nBio.\n",
    "content/speakers/elodie.md": "---\nname: Élodie Martin\naffiliation: Musée\n---\nBio.\n",
    "content/speakers/zoe.md": "---\nname: Zoé Abad\nphoto: https://cdn.example.net/zoe.jpg\n---\nBio.\n",
    "content/static/slides/deck.pdf": "%PDF-1.4 not really a pdf, but 50 bytes long ....\n",
    "content/static/img/marta.svg": "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'></svg>\n",
}


@pytest.fixture
def built(make_site: MakeSite) -> Path:
    site = make_site(FILES, config=CONFIG)
    build(site)
    return site / "_site"


def parse(path: Path) -> ET.Element:
    tree: ET.Element = html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    return tree


def text(el: ET.Element | None) -> str:
    assert el is not None
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def test_schedule_is_a_grid_of_rooms_by_time_per_day_in_the_events_zone(built: Path) -> None:
    tree = parse(built / "events/meeting/index.html")
    main = tree.find(".//main")
    assert main is not None
    headings = [text(h) for h in main.iter("h3")]
    assert headings == ["Wednesday, June 12, 2024", "Thursday, June 13, 2024"]
    tables = list(main.iter("table"))
    assert len(tables) == 2
    first = tables[0]
    assert [text(th) for th in first.iter("th") if th.get("scope") == "col"] == ["Time", "Main hall", "Room B"]
    rows = first.findall("tbody/tr")
    assert [text(r.find("th")) for r in rows if r.find("th") is not None] == ["9:00 AM", "9:30 AM", "10:00 AM", "2:00 PM"]
    opening, side = rows[0].findall("td")[0], rows[1].findall("td")[0]
    assert opening.get("rowspan") == "2" and "Opening" in text(opening)
    assert side.get("rowspan") == "2" and "Side session" in text(side), "parallel sessions side by side"
    lunch = [td for td in first.iter("td") if "break" in (td.get("class") or "")]
    # A break across the rooms is one cell, its row's time in it: start, end and title.
    assert [(text(td), td.get("colspan")) for td in lunch] == [("1:00–2:00 PM Lunch", "3")]
    zone = [p for p in main.iter("p") if p.get("class") == "zone"]
    assert len(zone) == 1 and "Central European Summer Time (Europe/Madrid)" in text(zone[0]), "named once"
    times = [t.get("datetime", "") for t in first.iter("time")]
    assert "2024-06-12T09:00:00+02:00" in times, "local time, never the build machine's"
    schedule = tree.find(".//section[@class='schedule']")
    content = tree.find(".//div[@class='content']")
    order = list(main.iter())
    assert schedule is not None and content is not None and order.index(schedule) < order.index(content), \
        "the schedule comes before the long description"


def test_tracks_and_types_filter_without_script(built: Path) -> None:
    tree = parse(built / "events/meeting/index.html")
    legends = [text(legend) for legend in tree.iter("legend")]
    assert legends == ["Track", "Session type"]
    labels = {text(label) for label in tree.iter("label")}
    assert {"Museums", "Archives", "Keynote", "Workshop", "every track"} <= labels
    style = "".join(s.text or "" for s in tree.iter("style"))
    assert '#only-track-museums:checked) td.session:not([data-track="museums"])' in style
    sessions = [td for td in tree.iter("td") if "session" in (td.get("class") or "")]
    assert {(td.get("data-track"), td.get("data-type")) for td in sessions} >= {("museums", "keynote"),
                                                                                 ("archives", "workshop")}
    assert [s.get("type") for s in tree.iter("script")] == ["application/ld+json"], "data, no program"


def test_narrow_screens_read_the_grid_as_a_list(built: Path) -> None:
    css = (built / "theme/css/style.css").read_text(encoding="utf-8")
    narrow = css[css.index("@media (max-width: 40rem)"):]
    narrow = narrow[:narrow.index("\n}\n")]
    assert ".schedule-grid, .schedule-grid tbody, .schedule-grid tr, .schedule-grid th, .schedule-grid td" in narrow
    assert "display: block" in narrow and ".schedule-grid td.free { display: none; }" in narrow
    # The filters come before the programme on a phone as on a desktop (tests/browser/test_design.py measures it).
    assert not re.search(r"[^-\w]order:", narrow)


def test_talk_page_facts_typed_slides_and_click_to_load_video(built: Path) -> None:
    tree = parse(built / "talks/after-lunch/index.html")
    facts = {text(dt): text(dd) for dt, dd in zip(tree.iter("dt"), tree.iter("dd"), strict=False)}
    assert facts["Speaker"] == "Élodie Martin"
    assert facts["Time"].startswith("Wednesday, June 12, 2024, 2:00–2:45 PM (45 min)")
    assert facts["Room"] == "Main hall"
    items = [text(li) for li in tree.iter("li") if li.find("span[@class='slide-kind']") is not None]
    assert items == ["Deck (PDF, 50 B)", "Online (Slideshare)", "Paper (Zenodo (DOI))"]
    hrefs = [li.find("a").get("href") for li in tree.iter("li")  # type: ignore[union-attr]
             if li.find("span[@class='slide-kind']") is not None]
    assert hrefs[0] == "/proc/slides/deck.pdf", "a site path gets the base path"
    figure = tree.find(".//figure[@class='video']")
    assert figure is not None and figure.get("data-embed") == "https://www.youtube-nocookie.com/embed/abc123def45"
    assert [a.get("href") for a in figure.iter("a")] == ["https://www.youtube.com/watch?v=abc123def45"]
    assert not [el for el in tree.iter() if el.tag in ("iframe", "video", "img")], "nothing loads before a click"
    assert [h.get("id") for h in tree.iter("h2")] == ["video-title", "slides-title"], "the recording first"
    nav = tree.find(".//nav[@class='talk-nav']")
    assert nav is not None and [a.get("rel") for a in nav.iter("a")] == ["prev", "next"]
    day_two = parse(built / "talks/day-two/index.html")
    assert [h.get("id") for h in day_two.iter("h2")] == ["video-title"], "headings only for what exists"
    figure = day_two.find(".//figure[@class='video']")
    assert figure is not None and figure.get("data-file") == "https://media.example.org/v/day-two.webm"


def test_speakers_index_sorts_by_family_name_in_the_languages_collation(built: Path) -> None:
    tree = parse(built / "speakers/index.html")
    names = [text(a) for ul in tree.iter("ul") if ul.get("class") == "speaker-grid" for a in ul.iter("a")]
    assert names == ["Zoé Abad", "Élodie Martin", "Marta Roda", "Marta Rodà"]
    assert tree.find(".//nav[@class='initials']") is None, "an A–Z bar only for a long list"


def test_speaker_page_photo_and_talks_in_time_order(built: Path) -> None:
    tree = parse(built / "speakers/elodie/index.html")
    talks = [text(a) for ul in tree.iter("ul") if ul.get("class") == "talk-list" for a in ul.iter("a")
             if "/talks/" in (a.get("href") or "")]
    assert talks == ["Side session", "After lunch"]
    marta = parse(built / "speakers/marta/index.html")
    portrait = marta.find(".//img[@class='portrait']")
    assert portrait is not None and portrait.get("src") == "/proc/img/marta.svg"
    assert portrait.get("alt") == "Portrait of Marta Rodà"
    zoe = parse(built / "speakers/zoe/index.html")
    assert not list(zoe.iter("img")), "a photo on another host is not loaded"
    assert "https://cdn.example.net/zoe.jpg" in [a.get("href") for a in zoe.iter("a")]


PROGRAMME_PROBLEMS = {
    "a talk outside its event's days": ("content/talks/x.md", talk("X", "2024-06-20 09:00", "2024-06-20 10:00",
                                                                    "Main hall"),
                                        "content/talks/x.md:5: warning: the talk is on 2024-06-20, outside its event"),
    "two talks in one room at once": ("content/talks/x.md", talk("X", "2024-06-12 09:15", "2024-06-12 09:45",
                                                                  "Main hall"),
                                      "content/talks/x.md:5: warning: 'X' overlaps 'Opening'"),
    "a room the event does not list": ("content/talks/x.md", talk("X", "2024-06-12 16:00", "2024-06-12 17:00",
                                                                   "Cellar"),
                                       "content/talks/x.md:7: warning: room 'Cellar' is not one of the event's rooms"),
    "a speaker without talks": ("content/speakers/idle.md", "---\nname: Idle\n---\n",
                                "content/speakers/idle.md:1: warning: speaker 'Idle' gives no talk"),
    "a missing local slide file": ("content/talks/x.md", talk("X", "2024-06-12 16:00", "2024-06-12 17:00", "Room B",
                                                               extra="slides: [{title: S, url: /slides/none.pdf}]\n"),
                                   "content/talks/x.md:8: warning: 'slides' points to /slides/none.pdf"),
}


@pytest.mark.parametrize("case", sorted(PROGRAMME_PROBLEMS))
def test_programme_problems_are_warnings_at_their_lines_and_errors_when_strict(make_site: MakeSite, case: str) -> None:
    path, body, expected = PROGRAMME_PROBLEMS[case]
    site = make_site({**FILES, path: body}, config=CONFIG)
    result = build(site)
    assert any(str(w).startswith(expected) for w in result.warnings), [str(w) for w in result.warnings]
    with pytest.raises(BuildError):
        build(site, strict=True)


@pytest.mark.parametrize("field,value", [("photo", "javascript:alert(1)"), ("links", "[{title: x, url: 'javascript:x'}]"),
                                         ("photo", "//evil.example/x.png")])
def test_unsafe_urls_are_errors(make_site: MakeSite, field: str, value: str) -> None:
    speaker = f"---\nname: Eve\n{field}: {value if field == 'links' else repr(value)}\n---\n"
    site = make_site({**FILES, "content/speakers/eve.md": speaker,
                      "content/talks/eve.md": talk("E", "2024-06-12 16:00", "2024-06-12 17:00", "Room B", "[eve]")},
                     config=CONFIG)
    with pytest.raises(BuildError) as caught:
        build(site)
    assert any(p.path == "content/speakers/eve.md" and p.line == 3 for p in caught.value.problems), \
        [str(p) for p in caught.value.problems]


def test_event_feed_lists_its_talks_with_slides_and_video_files_as_enclosures(built: Path) -> None:
    import feedparser

    for kind in ("atom", "rss"):
        feed = feedparser.parse((built / f"events/meeting/{kind}.xml").read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        assert [e.title for e in feed.entries] == ["Opening", "Side session", "After lunch", "Day two"]
        after = feed.entries[2]
        content = after.content[0].value if kind == "atom" else after.get("content", [{}])[0].get("value", "")
        shown = html5lib.parse(content, treebuilder="etree", namespaceHTMLElements=False)
        assert [a.get("href") for a in shown.iter("a")] == [
            "https://example.org/proc/slides/deck.pdf", "https://www.slideshare.net/x/y",
            "https://doi.org/10.5281/zenodo.123"]
        day_two = feed.entries[3]
        assert [(e.href, e.type) for e in day_two.enclosures] == [
            ("https://media.example.org/v/day-two.webm", "video/webm")]
    page = parse(built / "events/meeting/index.html")
    assert "/proc/events/meeting/atom.xml" in [link.get("href") for link in page.iter("link")]
