"""JSON-LD and Open Graph in the <head> of real built pages, read back with html5lib and json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import html5lib
import pytest

from museumsite.build import build
from museumsite.config import load_config
from museumsite.model import Site, Source, Speaker
from museumsite.render.structured import og_locale, open_graph, script_json

from support import SMALL_SITE, MakeSite

HOSTILE = "</script><script>alert(1)</script>"


def _page(path: Path) -> Any:
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)


def _json_ld(page: Any) -> list[dict[str, Any]]:
    return [json.loads(s.text or "") for s in page.iter("script") if s.get("type") == "application/ld+json"]


def _one(path: Path) -> dict[str, Any]:
    found = _json_ld(_page(path))
    assert len(found) == 1, f"{path}: {len(found)} JSON-LD blocks"
    assert found[0]["@context"] == "https://schema.org"
    return found[0]


def _og(page: Any) -> dict[str, list[str]]:
    props: dict[str, list[str]] = {}
    for meta in page.find("head").iter("meta"):
        key = meta.get("property") or meta.get("name")
        if key and key.startswith(("og:", "twitter:", "article:")):
            props.setdefault(key, []).append(meta.get("content"))
    return props


@pytest.fixture
def small(make_site: MakeSite) -> Path:
    site = make_site({**SMALL_SITE, "content/speakers/ada.md":
                      "---\nname: Ada Lovelace\naffiliation: Analytical Society\nphoto: /images/ada.png\n"
                      "links:\n  - {title: Home, url: 'https://ada.example/'}\n  - {title: Local, url: /about/}\n"
                      "---\nAda's bio.\n"})
    build(site)
    return site / "_site"


def test_event_is_an_event_with_its_talks_as_sub_events(small: Path) -> None:
    data = _one(small / "events/conf/index.html")
    assert data["@type"] == "Event" and data["name"] == "Test Conference"
    assert (data["startDate"], data["endDate"]) == ("2024-05-02", "2024-05-03")
    assert data["url"] == "https://example.org/events/conf/"
    assert data["location"] == {"@type": "Place", "name": "Hall",
                                "address": {"@type": "PostalAddress", "addressLocality": "Lyon"}}
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    talks = {t["name"]: t for t in data["subEvent"]}
    assert sorted(talks) == ["Closing talk", "Opening talk"]
    assert all(t["@type"] == "Event" for t in talks.values())
    opening = talks["Opening talk"]
    assert opening["startDate"] == "2024-05-02T09:00:00+02:00"
    assert opening["endDate"] == "2024-05-02T09:30:00+02:00"
    assert dt.datetime.fromisoformat(opening["startDate"]).utcoffset() == dt.timedelta(hours=2)
    assert [p["name"] for p in opening["performer"]] == ["Ada Lovelace", "Bob Builder"]
    assert all(p["@type"] == "Person" and p["url"].startswith("https://example.org/speakers/")
               for p in opening["performer"])
    assert opening["location"] == {"@type": "Place", "name": "Room A",
                                   "address": {"@type": "PostalAddress", "addressLocality": "Lyon"}}
    assert "description" not in opening, "a sub-event is brief: its page has the rest"
    assert opening["workFeatured"] == [{"@type": "PresentationDigitalDocument", "name": "Slides",
                                        "url": "https://example.org/slides.pdf", "encodingFormat": "application/pdf"}]
    assert opening["recordedIn"] == {"@type": "VideoObject", "name": "Opening talk", "url": "https://example.org/video"}
    assert "workFeatured" not in talks["Closing talk"] and "recordedIn" not in talks["Closing talk"]


def test_talk_page_is_an_event_inside_its_super_event(small: Path) -> None:
    data = _one(small / "talks/opening/index.html")
    assert data["@type"] == "Event" and data["name"] == "Opening talk"
    assert data["superEvent"]["@type"] == "Event"
    assert data["superEvent"]["name"] == "Test Conference"
    assert data["superEvent"]["@id"] == "https://example.org/events/conf/#event"
    assert data["description"] == "First paragraph of the talk."
    assert data["performer"][0]["affiliation"] == {"@type": "Organization", "name": "Analytical Society"}
    assert data["location"]["name"] == "Room A"
    assert data["location"]["containedInPlace"]["name"] == "Hall"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["workFeatured"][0]["url"] == "https://example.org/slides.pdf"
    assert data["recordedIn"]["@type"] == "VideoObject"


def test_speaker_page_is_a_person(small: Path) -> None:
    data = _one(small / "speakers/ada/index.html")
    assert data["@type"] == "Person" and data["name"] == "Ada Lovelace"
    assert data["url"] == "https://example.org/speakers/ada/"
    assert data["affiliation"] == {"@type": "Organization", "name": "Analytical Society"}
    assert data["image"] == "https://example.org/images/ada.png"
    assert data["sameAs"] == ["https://ada.example/"], "only outside profiles are sameAs"
    assert [t["name"] for t in data["performerIn"]] == ["Opening talk", "Closing talk"]
    og = _og(_page(small / "speakers/ada/index.html"))
    assert og["og:type"] == ["profile"] and og["og:image"] == ["https://example.org/images/ada.png"]
    assert og["og:title"] == ["Ada Lovelace"]
    assert "image" not in _one(small / "speakers/bob/index.html")


def test_post_is_a_blog_posting_in_its_language(small: Path) -> None:
    data = _one(small / "posts/hello/index.html")
    assert data["@type"] == "BlogPosting" and data["headline"] == "Hello"
    assert data["datePublished"] == "2024-05-10", "a day without a time stays that day"
    assert data["inLanguage"] == "en"
    assert data["url"] == data["mainEntityOfPage"]["@id"] == "https://example.org/posts/hello/"
    assert data["keywords"] == ["news", "museums"]
    french = _one(small / "fr/posts/hello/index.html")
    assert french["headline"] == "Bonjour" and french["inLanguage"] == "fr"
    assert french["url"] == "https://example.org/fr/posts/hello/"
    og = _og(_page(small / "fr/posts/hello/index.html"))
    assert og["og:type"] == ["article"] and og["og:locale"] == ["fr_FR"]
    assert og["og:locale:alternate"] == ["en_US"]
    assert og["article:published_time"] == ["2024-05-10"]
    assert _og(_page(small / "posts/hello/index.html"))["og:locale:alternate"] == ["fr_FR"]


def test_post_authors_are_people(make_site: MakeSite) -> None:
    site = make_site({"content/posts/p.md": "---\ntitle: P\ndate: 2024-05-10 10:30\nupdated: 2024-05-11 08:00\n"
                                            "authors: [Ada Lovelace, Bob Builder]\n---\nBody.\n"})
    build(site)
    data = _one(site / "_site/posts/p/index.html")
    assert data["author"] == [{"@type": "Person", "name": "Ada Lovelace"}, {"@type": "Person", "name": "Bob Builder"}]
    assert data["datePublished"] == "2024-05-10T10:30:00+02:00"
    assert data["dateModified"] == "2024-05-11T08:00:00+02:00"


def test_open_graph_on_every_kind_of_page_has_absolute_urls(small: Path) -> None:
    expected = {"index.html": "website", "posts/index.html": "website", "events/conf/index.html": "website",
                "talks/opening/index.html": "website", "speakers/ada/index.html": "profile",
                "posts/hello/index.html": "article", "about/index.html": "website",
                "fr/index.html": "website"}
    for rel, og_type in expected.items():
        page = _page(small / rel)
        og = _og(page)
        canonical = next(link.get("href") for link in page.iter("link") if link.get("rel") == "canonical")
        assert og["og:type"] == [og_type], rel
        assert og["og:url"] == [canonical] and canonical.startswith("https://example.org/"), rel
        assert og["og:site_name"] == ["Test site"], rel
        assert og["twitter:card"] == ["summary"], rel
        assert og["og:locale"] == (["fr_FR"] if rel.startswith("fr/") else ["en_US"]), rel
        assert og["og:title"][0], rel
    assert _og(_page(small / "talks/opening/index.html"))["og:description"] == ["First paragraph of the talk."]
    assert not _json_ld(_page(small / "index.html")), "no JSON-LD where there is no entry"


def test_hostile_titles_and_names_stay_text(make_site: MakeSite) -> None:
    site = make_site({
        **SMALL_SITE,
        "content/events/conf.md": f"---\ntitle: '{HOSTILE}'\nstart: 2024-05-02\nend: 2024-05-03\n"
                                  "venue: '<!--'\ncity: '\"><img src=x onerror=alert(1)>'\n---\nThe conference.\n",
        "content/talks/opening.md": f"---\ntitle: '{HOSTILE}'\nevent: conf\nspeakers: [ada]\n"
                                    "start: 2024-05-02 09:00\nroom: '</SCRIPT ><!--<script>'\n"
                                    "description: \"it's <b>&amp;</b> \\u2028 x\"\n---\nBody.\n",
        "content/speakers/ada.md": "---\nname: '<!--<script>alert(1)//'\naffiliation: '</script >'\n---\nBio.\n",
    })
    build(site)
    for rel in ("events/conf/index.html", "talks/opening/index.html", "speakers/ada/index.html"):
        raw = (site / "_site" / rel).read_bytes()
        page = _page(site / "_site" / rel)
        scripts = list(page.iter("script"))
        assert [s.get("type") for s in scripts] == ["application/ld+json"], rel
        assert b"<img" not in raw and b"<!--<script" not in raw and raw.count(b"</script>") == 1, rel
        data = json.loads(scripts[0].text or "")
        names = json.dumps(data, ensure_ascii=False)
        assert "<!--<script>alert(1)//" in names, rel
        if not rel.startswith("events/"):
            assert "</script >" in names, rel
        og = _og(page)
        assert og["og:title"][0] in (HOSTILE, "<!--<script>alert(1)//"), rel
    talk = _one(site / "_site/talks/opening/index.html")
    assert talk["name"] == HOSTILE and talk["location"]["name"] == "</SCRIPT ><!--<script>"
    assert talk["description"] == "it's <b>&amp;</b> \u2028 x"
    assert talk["superEvent"]["name"] == HOSTILE
    event = _one(site / "_site/events/conf/index.html")
    assert event["location"]["address"]["addressLocality"] == '"><img src=x onerror=alert(1)>'


def test_script_json_escapes_what_ends_a_script_and_reads_back() -> None:
    value = {"a": "</script><!-- & > \u2028 </SCRIPT"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


@pytest.mark.parametrize(("lang", "locale"), [("en", "en_US"), ("fr", "fr_FR"), ("ca", "ca_ES"),
                                              ("pt-BR", "pt_BR"), ("zz", "zz")])
def test_og_locale(lang: str, locale: str) -> None:
    assert og_locale(lang) == locale


@pytest.mark.parametrize(("photo", "image"), [
    ("/images/a.png", "https://example.org/project/images/a.png"),
    ("https://cdn.example/a.png", "https://cdn.example/a.png"),
    ("http://cdn.example/a.png", None),
    ("javascript:alert(1)", None),
    ("//evil.example/a.png", None),
    ("images/a.png", None),
])
def test_og_image_only_from_a_site_path_or_https(make_site: MakeSite, photo: str, image: str | None) -> None:
    root = make_site(config="title: T\nbase_url: https://example.org/project/\n")
    speaker = Speaker(kind="speakers", key="speakers/a", lang="en", slug="a", title="A", url="/speakers/a/",
                      source=Source(path="content/speakers/a.md"), body_md="", body_line=1, name="A", photo=photo)
    site = Site(config=load_config(root), speakers=(speaker,))
    props = dict(open_graph(site, speaker, lang="en", url=speaker.url, title="A", description=""))
    assert props.get("og:image") == image
    assert props["og:url"] == "https://example.org/project/speakers/a/"


def test_demo_site_structured_data(demo_output: Path) -> None:
    demo = demo_output
    event = _one(demo / "events/rencontres-web-musees-2009/index.html")
    assert event["@type"] == "Event" and len(event["subEvent"]) == 6
    assert all(t["startDate"].endswith("+02:00") for t in event["subEvent"])
    first = event["subEvent"][0]
    assert first["name"] == "From conservation to conversation"
    assert first["startDate"] == "2009-10-16T09:30:00+02:00"
    assert [p["name"] for p in first["performer"]] == ["Samuel Bausson"]
    french = _one(demo / "fr/events/rencontres-web-musees-2009/index.html")
    assert french["inLanguage"] == "fr" and french["url"].startswith("https://museumsite.example.org/fr/")
    assert all(t["url"].startswith("https://museumsite.example.org/fr/talks/") for t in french["subEvent"])
    assert _one(demo / "speakers/samuel-bausson/index.html")["@type"] == "Person"
    assert _one(demo / "posts/recap-of-the-day/index.html")["@type"] == "BlogPosting"
    pages = [p for p in demo.rglob("*.html") if "<meta http-equiv=\"refresh\"" not in p.read_text()
             and p.name != "404.html"]  # the 404 page is served at any address: no og:url of its own
    for path in pages:
        page = _page(path)
        og = _og(page)
        assert og.get("og:url", [""])[0].startswith("https://museumsite.example.org/"), path
        for data in _json_ld(page):  # every block parses and says what it is
            assert data["@type"] in {"Event", "Person", "BlogPosting"}, path


def test_event_organizer_from_extra(make_site: MakeSite) -> None:
    site = make_site({"content/events/day.md": "---\ntitle: Day\nstart: 2024-03-14\nend: 2024-03-14\n"
                                               "extra: {organizer: Musée du Louvre}\n---\nA day.\n"})
    build(site)
    data = _one(site / "_site/events/day/index.html")
    assert data["organizer"] == {"@type": "Organization", "name": "Musée du Louvre"}
    assert "subEvent" not in data and "location" not in data


def test_a_talk_is_shared_with_its_own_image_else_a_speakers_photo_and_never_an_svg(make_site: MakeSite) -> None:
    """Issue 19: a share card shows the entry's own picture (a talk's ``image:``, a speaker's photo), a talk
    without one its first speaker's photo; social sites show no SVG, so an SVG photo gives no card image."""
    opening = SMALL_SITE["content/talks/opening.md"].replace("title: Opening talk\n",
                                                             "title: Opening talk\n        image: /images/still.jpg\n")
    site = make_site({**SMALL_SITE, "content/talks/opening.md": opening,
                      "content/speakers/ada.md": "---\nname: Ada Lovelace\nphoto: /images/ada.png\n---\nBio.\n",
                      "content/speakers/bob.md": "---\nname: Bob Builder\nphoto: /images/bob.svg\n---\nBio.\n"})
    build(site)
    out = site / "_site"

    def image(page: str) -> list[str]:
        return _og(_page(out / page)).get("og:image", [])

    assert image("talks/opening/index.html") == ["https://example.org/images/still.jpg"]
    assert image("talks/closing/index.html") == ["https://example.org/images/ada.png"]
    assert image("speakers/ada/index.html") == ["https://example.org/images/ada.png"]
    assert image("speakers/bob/index.html") == []
