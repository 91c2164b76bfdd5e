"""``museumsite import frab|pretalx``: real schedules and our own fixtures, through the CLI and a build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from museumsite.cli import main
from museumsite.content.load import split_front_matter
from museumsite.content.media import slide_kind
from museumsite.importers.schedules.frab import read_frab
from museumsite.importers.schedules.links import is_slides, video_kind
from museumsite.importers.schedules.pretalx import read_pretalx
from museumsite.importers.schedules.text import import_body

from support import FIXTURES, MakeSite, parse_html, run_code, shared, shared_files, snapshot

SCHEDULES = FIXTURES / "schedule"


BIG_SCHEDULES = {"eventfahrplan-38c3-day1.xml", "giggity-debconf23.xml", "giggity-fosdem-2021.xml", "c3voc-pretalx-rc3.json",
                 "c3voc-frab-camp2019.json"}


def new_site(tmp_path: Path, name: str = "site") -> Path:
    site = tmp_path / name
    assert main(["init", str(site)]) == 0
    return site


def front(path: Path) -> dict[str, object]:
    text, _, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
    return yaml.safe_load(text or "") or {}


def executable(document: object) -> list[str]:
    """What a browser could run: script elements, on* handlers, javascript:/data: URLs."""
    found = []
    for element in document.iter():  # type: ignore[attr-defined]
        tag = str(element.tag)
        ours = tag == "script" and (element.get("type") == "application/ld+json"  # data, not a program
                                    or str(element.get("src", "")).startswith("/theme/"))  # the theme's own file
        if tag in ("script", "iframe", "object", "embed") and not ours:
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            if str(name).lower().startswith("on"):
                found.append(f"{tag} {name}")
            if str(name) in ("href", "src", "action", "formaction") and \
                    re.match(r"\s*(javascript|data|vbscript):", value, re.IGNORECASE):
                found.append(f"{tag} {name}={value}")
    return found


# -- the 38C3 day: import, build, links both ways, idempotent re-import ----------------------

@pytest.mark.slow
def test_38c3_day_imports_and_builds_with_every_talk_and_speaker_linked_both_ways(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day1 = shared("corpora", "frab", "eventfahrplan-38c3-day1.xml")
    site = new_site(tmp_path)
    assert run_code("import", "frab", day1, "--site", site) == 0
    report = capsys.readouterr().out
    assert "talks: 245 created" in report
    fronts = {p: front(p) for p in (site / "content/talks").glob("*.md")}
    talks = [p for p, meta in fronts.items() if meta.get("event") == "38c3"]
    speakers = [p for p in (site / "content/speakers").glob("*.md") if front(p).get("person_id")]
    assert len(talks) == 245
    opening = front(site / "content/talks/38c3-opening-ceremony.md")
    # The day starts at 09:30 UTC, the talk at 10:30+01:00: kept as local time in Europe/Berlin.
    assert opening["start"] == "2024-12-27 10:30" and opening["end"] == "2024-12-27 11:00"
    assert front(site / "content/events/38c3.md")["timezone"] == "Europe/Berlin"
    assert opening["title"] == "38C3: Opening Ceremony" and opening["language"] == "en"

    assert run_code("build", "--site", site) == 0
    out = site / "_site"
    for talk in talks:
        page = out / "talks" / talk.stem / "index.html"
        assert page.is_file(), talk
        hrefs = {a.get("href") for a in parse_html(page).iter("a")}  # type: ignore[attr-defined]
        for slug in fronts[talk]["speakers"]:  # type: ignore[union-attr]
            assert f"/speakers/{slug}/" in hrefs, (talk, slug)
    for speaker in speakers:
        page = out / "speakers" / speaker.stem / "index.html"
        hrefs = {a.get("href") for a in parse_html(page).iter("a")}  # type: ignore[attr-defined]
        own = [t.stem for t in talks if speaker.stem in fronts[t]["speakers"]]  # type: ignore[operator]
        assert own and all(f"/talks/{slug}/" in hrefs for slug in own), speaker

    before = snapshot(site / "content")
    assert run_code("import", "frab", day1, "--site", site) == 0
    assert "talks: 0 created, 0 changed, 245 unchanged" in capsys.readouterr().out
    assert snapshot(site / "content") == before


# -- every corpus file --------------------------------------------------------------------------

# The schedules of more than a hundred talks take seconds; the small ones stay in the fast lane.
@pytest.mark.parametrize("path", shared_files("corpora/frab", "*.xml", slow=BIG_SCHEDULES)
                         + [p for p in shared_files("corpora/pretalx", "*.json", slow=BIG_SCHEDULES) if "schema" not in p.id])
def test_every_corpus_schedule_imports_and_builds(path: Path, make_site: MakeSite) -> None:
    """Real exports deviate from the schemas (the invalid example too): warnings, never failures."""
    site = make_site()
    command = "frab" if path.suffix == ".xml" else "pretalx"
    assert run_code("import", command, path, "--site", site) == 0
    talks = list((site / "content/talks").glob("*.md"))
    assert talks and all(front(t)["guid"] for t in talks)
    assert run_code("build", "--site", site) == 0


def test_corpora_are_present_or_skipped() -> None:
    assert sorted(shared("corpora", "frab").glob("*.xml")) and sorted(shared("corpora", "pretalx").glob("*.json"))


@pytest.mark.parametrize("path", shared_files("corpora/pretalx", "*schema*.json"))
def test_a_json_schema_is_not_a_schedule(path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    assert run_code("import", "pretalx", path, "--site", site) == 1
    assert "not a schedule JSON" in capsys.readouterr().err
    assert not (site / "content/talks").exists()


@pytest.mark.parametrize("path", shared_files("corpora/xml-attacks", "*.xml"))
def test_xml_attacks_are_refused_and_nothing_is_written(path: Path, make_site: MakeSite,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    before = snapshot(site, skip="_site")
    assert run_code("import", "frab", path, "--site", site) == 1
    err = capsys.readouterr().err
    assert "the file declares a DOCTYPE" in err and "Traceback" not in err
    assert snapshot(site, skip="_site") == before


# -- our own fixtures -----------------------------------------------------------------------

def test_hostile_text_stays_characters_and_nothing_executable_reaches_the_pages(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    assert run_code("import", "frab", SCHEDULES / "hostile.xml", "--site", site) == 0
    warnings = capsys.readouterr().err
    assert "unsafe or unreadable link 'javascript:alert(3)' dropped" in warnings
    assert "hostile.xml:17:" in warnings  # the line of the <event>
    talk = front(site / "content/talks/b-x-b.md")
    assert talk["title"] == "<b>x</b>"  # verbatim in the front matter
    assert talk["subtitle"] == '<script>alert("subtitle")</script>'
    assert talk["room"] == "Salle <i>1</i>"
    body = (site / "content/talks/b-x-b.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert "<script" not in body and "javascript:" not in body and "onerror" not in body and "<svg" not in body
    assert "<strong>Bold</strong>" in body  # the Markdown still means what it said
    assert run_code("build", "--site", site) == 0

    out = site / "_site"
    pages = [out / "talks/b-x-b/index.html", out / "speakers/script-alert-name-script/index.html",
             out / "events/museumday/index.html", out / "talks/index.html", out / "speakers/index.html"]
    for page in pages:
        document = parse_html(page)
        assert executable(document) == [], page
    document = parse_html(pages[0])
    h1 = next(document.iter("h1"))  # type: ignore[attr-defined]
    assert "".join(h1.itertext()) == "<b>x</b>" and len(h1) == 0  # characters, not a <b> element
    text = "".join(document.itertext())  # type: ignore[attr-defined]
    assert '<script>alert("name")</script>' in text and "Salle <i>1</i>" in text


def test_links_and_attachments_become_typed_slides_and_one_video(make_site: MakeSite) -> None:
    site = make_site()
    assert run_code("import", "frab", SCHEDULES / "hostile.xml", "--site", site) == 0
    first = front(site / "content/talks/b-x-b.md")
    assert all(is_slides(s["url"], s["title"]) for s in first["slides"])  # type: ignore[index,union-attr]
    slides = {s["url"]: slide_kind(s["url"]) for s in first["slides"]}  # type: ignore[index,union-attr]
    # A relative attachment is resolved against the schedule's base_url; data: and javascript: are dropped.
    assert slides == {"https://speakerdeck.com/emilie/care": "speakerdeck",
                      "https://schedule.example.org/system/attachments/1/slides.pdf": "pdf"}
    assert first["video"] == "https://www.youtube.com/watch?v=abc123"
    assert first["links"] == [{"title": "Project homepage", "url": "https://project.example.org/"}]
    assert "extra" not in first
    second = front(site / "content/talks/muzeinye-kollektsii.md")
    assert all(is_slides(s["url"], s["title"]) for s in second["slides"])  # type: ignore[index,union-attr]
    kinds = [slide_kind(s["url"]) for s in second["slides"]]  # type: ignore[index,union-attr]
    assert kinds == ["slideshare", "google", "zenodo", "html"]
    assert second["video"] == "https://media.ccc.de/v/museumday-2-collections"  # a player before a file
    assert second["language"] == "de"  # "de, en": the first
    assert second["type"] == "workshop" and first["type"] == "keynote"


@pytest.mark.parametrize(("url", "kind"), [
    ("https://example.org/a/deck.PDF", "pdf"), ("https://www.slideshare.net/x/y", "slideshare"),
    ("https://speakerdeck.com/a/b", "speakerdeck"), ("https://docs.google.com/presentation/d/1/edit", "google"),
    ("https://zenodo.org/records/1", "zenodo"), ("https://doi.org/10.6084/m9.figshare.9", "figshare"),
    ("https://example.org/", None), ("https://docs.google.com/document/d/1", None),
    ("https://doi.org/10.1000/182", None), ("https://example.org/talk.mp4", None),
])
def test_slide_kinds(url: str, kind: str | None) -> None:
    """The importer takes a link for slides from its URL alone, and the theme labels it in the same words."""
    assert is_slides(url) == (kind is not None)
    if kind is not None:
        assert slide_kind(url) == kind


@pytest.mark.parametrize(("url", "kind"), [
    ("https://www.youtube.com/watch?v=a", "youtube"), ("https://youtu.be/a", "youtube"),
    ("https://vimeo.com/123", "vimeo"), ("https://tube.example.org/w/9xYz", "peertube"),
    ("https://media.ccc.de/v/38c3-1", "media.ccc.de"), ("https://cdn.example.org/a.webm", "file"),
    ("https://cdn.example.org/a.mp4", "file"), ("https://example.org/video", None),
])
def test_video_kinds(url: str, kind: str | None) -> None:
    assert video_kind(url) == kind


def test_names_in_any_script_get_readable_slugs(make_site: MakeSite) -> None:
    site = make_site()
    assert run_code("import", "frab", SCHEDULES / "hostile.xml", "--site", site) == 0
    names = {p.stem: front(p)["name"] for p in (site / "content/speakers").glob("*.md")}
    assert names["emilie-roda"] == "Émilie Rodà"
    assert names["iuliia-petrova"] == "Юлия Петрова"
    assert names["li-ming"] == "李明"
    assert (site / "content/talks/muzeinye-kollektsii.md").is_file()


def test_one_person_in_a_frab_xml_and_a_pretalx_json_gets_one_speaker_page(make_site: MakeSite) -> None:
    site = make_site()
    assert run_code("import", "frab", SCHEDULES / "hostile.xml", "--site", site) == 0
    assert run_code("import", "pretalx", SCHEDULES / "same-person.json", "--site", site) == 0
    pages = [p for p in (site / "content/speakers").glob("*.md") if front(p).get("person_id") == "26"]
    assert [p.stem for p in pages] == ["emilie-roda"]
    emilie = pages[0].read_text(encoding="utf-8")
    assert "photo: https://schedule.example.org/media/emilie.jpg" in emilie
    assert "<em>the museum</em>" in emilie and "<script" not in emilie  # biography sanitized
    assert front(site / "content/talks/caring-for-paintings-at-night.md")["speakers"] == ["emilie-roda"]
    assert front(site / "content/talks/b-x-b.md")["speakers"] == ["emilie-roda", "script-alert-name-script"]
    # The frab XML again (names only) keeps what the JSON added, and changes nothing.
    before = snapshot(site / "content")
    assert run_code("import", "frab", SCHEDULES / "hostile.xml", "--site", site) == 0
    assert snapshot(site / "content") == before
    assert run_code("build", "--site", site) == 0


def test_the_same_id_with_another_name_is_another_person(make_site: MakeSite, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    assert run_code("import", "frab", SCHEDULES / "hostile.xml", "--site", site) == 0
    other = tmp_path / "other.json"
    other.write_text((SCHEDULES / "same-person.json").read_text(encoding="utf-8").replace("Émilie Rodà", "Bob Other"),
                     encoding="utf-8")
    assert run_code("import", "pretalx", other, "--site", site) == 0
    assert "person id 26 is 'Émilie Rodà'" in capsys.readouterr().err
    assert front(site / "content/speakers/bob-other.md")["person_id"] == "26"
    assert front(site / "content/speakers/emilie-roda.md")["name"] == "Émilie Rodà"


def test_a_schedule_without_a_zone_name_keeps_its_offset_and_local_times(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    assert run_code("import", "frab", SCHEDULES / "offsets.xml", "--site", site) == 0
    err = capsys.readouterr().err
    assert "kept at their offset as Etc/GMT-1" in err
    assert "offsets.xml:25: warning: language 'English' is not an ISO code" in err
    event = front(site / "content/events/winterday.md")
    assert event["timezone"] == "Etc/GMT-1"
    assert str(event["start"]) == "2025-01-20" and str(event["end"]) == "2025-01-21"  # covers the late talk
    late = front(site / "content/talks/late-session.md")
    assert late["start"] == "2025-01-20 23:30" and late["end"] == "2025-01-21 00:30"
    assert "language" not in late and late["type"] == "lightning"
    assert run_code("build", "--site", site) == 0
    page = (site / "_site/talks/late-session/index.html").read_text(encoding="utf-8")
    assert 'datetime="2025-01-20T23:30:00+01:00"' in page


def test_a_hand_edited_file_is_kept_unless_force(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    assert run_code("import", "frab", SCHEDULES / "offsets.xml", "--site", site) == 0
    talk = site / "content/talks/opening.md"
    edited = talk.read_text(encoding="utf-8").replace("Welcome.", "Welcome, edited by hand.")
    talk.write_text(edited, encoding="utf-8")
    capsys.readouterr()
    assert run_code("import", "frab", SCHEDULES / "offsets.xml", "--site", site) == 0
    out = capsys.readouterr().out
    assert "kept content/talks/opening.md: edited by hand since the last import; the export would change: body" in out
    assert "talks: 0 created, 0 changed" in out and "1 kept as edited on the site" in out
    assert talk.read_text(encoding="utf-8") == edited
    assert run_code("import", "frab", SCHEDULES / "offsets.xml", "--site", site, "--force") == 0
    assert "edited by hand" not in talk.read_text(encoding="utf-8")


def test_a_file_written_by_hand_with_the_same_guid_is_updated_in_place_only_with_force(
        make_site: MakeSite) -> None:
    site = make_site({"content/talks/my-opening.md": """
        ---
        title: My opening
        event: winterday
        guid: 44444444-4444-4444-8444-444444444444
        ---
        Mine.
        """})
    assert run_code("import", "frab", SCHEDULES / "offsets.xml", "--site", site) == 0
    assert not (site / "content/talks/opening.md").exists()  # no duplicate of the same guid
    assert "Mine." in (site / "content/talks/my-opening.md").read_text(encoding="utf-8")
    assert run_code("import", "frab", SCHEDULES / "offsets.xml", "--site", site, "--force") == 0
    assert front(site / "content/talks/my-opening.md")["title"] == "Opening"


def test_dry_run_writes_nothing_and_says_what_would_change(make_site: MakeSite,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    before = snapshot(site, skip="_site")
    assert run_code("import", "frab", SCHEDULES / "hostile.xml", "--site", site, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would be created content/talks/b-x-b.md" in out and "talks: 2 would be created" in out
    assert snapshot(site, skip="_site") == before
    assert run_code("import", "frab", SCHEDULES / "hostile.xml", "--site", site) == 0
    talk = site / "content/talks/muzeinye-kollektsii.md"
    talk.write_text(talk.read_text(encoding="utf-8") + "Added by hand.\n", encoding="utf-8")
    before = snapshot(site, skip="_site")
    assert run_code("import", "frab", SCHEDULES / "hostile.xml", "--site", site, "--dry-run", "--force") == 0
    assert "would be changed content/talks/muzeinye-kollektsii.md" in capsys.readouterr().out
    assert snapshot(site, skip="_site") == before


@pytest.mark.parametrize(("name", "command", "expected"), [
    ("broken.xml", "frab", "broken.xml:11: malformed XML: mismatched tag"),
    ("broken.json", "pretalx", "broken.json:7: not valid JSON: Expecting property name"),
    ("same-person.json", "frab", "same-person.json:1: this is a JSON file, not a frab schedule XML"),
    ("hostile.xml", "pretalx", "hostile.xml:1: this is an XML file, not a schedule JSON"),
    ("missing.xml", "frab", "missing.xml: cannot read the file"),
])
def test_a_bad_file_gives_its_line_and_writes_nothing(name: str, command: str, expected: str, make_site: MakeSite,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    before = snapshot(site, skip="_site")
    assert run_code("import", command, SCHEDULES / name, "--site", site) == 1
    err = capsys.readouterr().err
    assert expected in err and "Import failed: 1 problem; nothing was written." in err and "Traceback" not in err
    assert snapshot(site, skip="_site") == before


def test_a_frab_file_with_another_root_is_refused(tmp_path: Path, make_site: MakeSite,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rss = tmp_path / "feed.xml"
    rss.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n', encoding="utf-8")
    assert run_code("import", "frab", rss, "--site", make_site()) == 1
    assert "feed.xml:2: not a frab schedule: the root element is <rss>" in capsys.readouterr().err


def test_import_outside_a_site_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_code("import", "frab", SCHEDULES / "hostile.xml", "--site", tmp_path) == 2
    assert "no museumsite.yaml" in capsys.readouterr().err


def test_readers_keep_plain_text_verbatim_and_report_deviations() -> None:
    schedule = read_frab(SCHEDULES / "hostile.xml", "hostile.xml", "UTC")
    assert schedule.conference.title == "Museum <Day> 2025"
    assert schedule.sessions[0].persons[1].name == '<script>alert("name")</script>'
    json_schedule = read_pretalx(SCHEDULES / "same-person.json", "same-person.json", "UTC")
    assert json_schedule.sessions[0].persons[0].person_id == "26"
    assert json_schedule.conference.timezone == "Europe/Paris"


def test_import_body_keeps_safe_markdown_and_sanitizes_the_rest() -> None:
    assert import_body("Plain *Markdown*", "[link](https://example.org/)") == \
        "Plain *Markdown*\n\n[link](https://example.org/)"
    assert import_body("<p>FOSDEM's HTML</p>") == "<p>FOSDEM's HTML</p>"
    hostile = import_body("[x](javascript:alert(1)) <script>alert(2)</script>", "<b onclick=alert(3)>b</b>")
    assert "javascript:" not in hostile and "<script" not in hostile and "onclick" not in hostile
    assert "<b>b</b>" in hostile
    assert import_body("", "  ") == ""


def test_a_talk_listed_twice_with_one_guid_gets_one_page(make_site: MakeSite, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """pretalx lists a talk given in two slots twice, with the same guid: one page, the first slot."""
    text = (SCHEDULES / "offsets.xml").read_text(encoding="utf-8")
    twice = tmp_path / "twice.xml"
    twice.write_text(text.replace("55555555-5555-4555-8555-555555555555", "44444444-4444-4444-8444-444444444444"),
                     encoding="utf-8")
    site = make_site()
    assert run_code("import", "frab", twice, "--site", site) == 0
    assert "talks: 1 created" in capsys.readouterr().out
    assert front(site / "content/talks/opening.md")["start"] == "2025-01-20 09:00"
    assert not (site / "content/talks/late-session.md").exists()


def test_a_talk_gone_from_the_schedule_is_kept_and_reported(make_site: MakeSite, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    assert run_code("import", "frab", SCHEDULES / "offsets.xml", "--site", site) == 0
    text = (SCHEDULES / "offsets.xml").read_text(encoding="utf-8")
    shorter = tmp_path / "shorter.xml"
    shorter.write_text(re.sub(r'<event guid="5555.*?</event>', "", text, flags=re.DOTALL), encoding="utf-8")
    capsys.readouterr()
    assert run_code("import", "frab", shorter, "--site", site) == 0
    assert "content/talks/late-session.md is no longer in this schedule" in capsys.readouterr().err
    assert (site / "content/talks/late-session.md").is_file()
