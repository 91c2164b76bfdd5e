"""JSON Feed 1.1 beside Atom and RSS, its autodiscovery, and the feeds page of each language.

Real sites are built; every JSON feed is validated against a JSON Schema written here from
the JSON Feed 1.1 specification (https://www.jsonfeed.org/version/1.1/), independently of
museumsite's own validator, and compared with the Atom feed a reader would also see.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import html5lib
import jsonschema
import pytest

from museumsite.build import build
from museumsite.feeds.jsonfeed import json_feed_problems

from support import SMALL_SITE, MakeSite

# From the spec: top-level "version", "title", "items" required; an item needs "id" and one of
# "content_html"/"content_text"; an author object has at least one of name, url, avatar;
# dates are RFC 3339; tags are strings.
RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
AUTHORS = {"type": "array", "items": {"type": "object", "minProperties": 1,
                                      "properties": {"name": {"type": "string"}, "url": {"type": "string"},
                                                     "avatar": {"type": "string"}},
                                      "anyOf": [{"required": ["name"]}, {"required": ["url"]},
                                                {"required": ["avatar"]}]}}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"}, "home_page_url": {"type": "string", "pattern": "^https?://"},
        "feed_url": {"type": "string", "pattern": "^https?://"}, "description": {"type": "string"},
        "language": {"type": "string", "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]+)*$"},
        "authors": AUTHORS,
        "items": {"type": "array", "items": {
            "type": "object", "required": ["id"],
            "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
            "properties": {
                "id": {"type": "string", "minLength": 1}, "url": {"type": "string", "pattern": "^https?://"},
                "title": {"type": "string"}, "content_html": {"type": "string"}, "summary": {"type": "string"},
                "date_published": {"type": "string", "pattern": RFC3339},
                "date_modified": {"type": "string", "pattern": RFC3339},
                "authors": AUTHORS, "tags": {"type": "array", "items": {"type": "string"}},
                "language": {"type": "string"}}}},
    },
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import textwrap

    root = tmp_path_factory.mktemp("jsonfeed") / "site"
    for rel, body in {**SMALL_SITE, "museumsite.yaml": CONFIG}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    build(root)
    return root / "_site"


CONFIG = """\
title: Test site
base_url: https://example.org/
author: The team
language: en
languages: [en, fr]
timezone: Europe/Paris
posts_per_page: 2
"""


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA)
    return document


def parse(path: Path) -> ET.Element:
    tree: ET.Element = html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    return tree


def test_every_post_feed_has_a_valid_json_feed_beside_it(small: Path) -> None:
    atoms = sorted(small.rglob("atom.xml")) + sorted(small.rglob("all.atom.xml"))
    post_feeds = [p for p in atoms if "events" not in p.parts]
    assert len(post_feeds) >= 4, post_feeds
    for atom in post_feeds:
        json_path = atom.with_name("all.feed.json" if atom.name == "all.atom.xml" else "feed.json")
        document = load(json_path)
        assert json_feed_problems(document) == []
        url = "https://example.org/" + json_path.relative_to(small).as_posix()
        assert document["feed_url"] == url
        # The same items, in the same order, as the Atom feed a reader may also follow.
        parsed = feedparser.parse(atom.read_bytes())
        assert not parsed.bozo
        assert [i["id"] for i in document["items"]] == [e.id for e in parsed.entries]
        assert [i["title"] for i in document["items"]] == [e.title for e in parsed.entries]
        assert document["title"] == parsed.feed.title


def test_language_feed_fields(small: Path) -> None:
    english = load(small / "feeds/feed.json")
    assert english["language"] == "en" and english["home_page_url"] == "https://example.org/"
    assert english["authors"] == [{"name": "The team"}]
    hello = next(i for i in english["items"] if i["title"] == "Hello")
    assert hello["id"] == hello["url"] == "https://example.org/posts/hello/"
    # The whole post (after the cut too), with absolute links.
    assert "Intro paragraph." in hello["content_html"]
    assert 'href="https://example.org/talks/opening/"' in hello["content_html"]
    assert 'href="https://example.org/speakers/ada/#bio"' in hello["content_html"]
    assert 'href="/' not in hello["content_html"]
    # The summary is plain text, as the spec asks.
    assert hello["summary"] == "Intro paragraph."
    assert dt.datetime.fromisoformat(hello["date_published"]) == dt.datetime(2024, 5, 10, tzinfo=dt.timezone(
        dt.timedelta(hours=2)))
    assert hello["date_modified"] == hello["date_published"]
    assert hello["tags"] == ["news", "museums"]
    french = load(small / "fr/feeds/feed.json")
    assert french["language"] == "fr" and french["home_page_url"] == "https://example.org/fr/"
    assert [i["title"] for i in french["items"]] == ["Bonjour"]
    assert "language" not in french["items"][0], "an item in the feed's own language does not repeat it"


def test_tag_and_all_languages_feeds(small: Path) -> None:
    news = load(small / "tags/news/feed.json")
    assert [i["title"] for i in news["items"]] == ["Second post", "Hello"]
    everything = load(small / "feeds/all.feed.json")
    assert "language" not in everything
    assert {i["title"]: i["language"] for i in everything["items"]}["Bonjour"] == "fr"
    assert {i["title"] for i in everything["items"]} >= {"Hello", "Bonjour", "Second post", "Third post"}


def test_json_feeds_are_byte_identical_from_build_to_build(make_site: MakeSite, small: Path) -> None:
    site = make_site({**SMALL_SITE, "museumsite.yaml": CONFIG})
    build(site, use_cache=False)
    for path in small.rglob("*feed.json"):
        assert (site / "_site" / path.relative_to(small)).read_bytes() == path.read_bytes(), path


@pytest.mark.parametrize(("page", "expected"), [
    ("index.html", "/feeds/feed.json"), ("fr/index.html", "/fr/feeds/feed.json"),
    ("tags/news/index.html", "/tags/news/feed.json"), ("posts/hello/index.html", "/feeds/feed.json")])
def test_pages_announce_their_json_feed_beside_atom_and_rss(small: Path, page: str, expected: str) -> None:
    links = [link for link in parse(small / page).iter("link") if link.get("rel") == "alternate" and link.get("type")]
    json_links = {link.get("href") for link in links if link.get("type") == "application/feed+json"}
    assert expected in json_links
    for href in json_links:
        assert (small / str(href).lstrip("/")).is_file()
    atom = {link.get("href") for link in links if link.get("type") == "application/atom+xml"}
    assert expected.replace("feed.json", "atom.xml") in atom


def test_validator_names_what_breaks_the_spec() -> None:
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "T",
            "items": [{"id": "1", "content_html": "<p>x</p>", "date_published": "2024-05-10T00:00:00+02:00"}]}
    assert json_feed_problems(good) == []
    assert json_feed_problems([]) == ["the top level is not an object"]
    bad = {"version": "https://jsonfeed.org/version/1", "items": [
        {"id": "1", "date_published": "10 May 2024"}, {"content_text": "x"}, {"id": "1", "content_text": "y"},
        {"id": "2", "content_text": "z", "authors": [{}], "tags": "news"}]}
    problems = json_feed_problems(bad)
    for expected in ("'version' is not", "'title' (a string) is missing", "item 1: neither",
                     "item 1: 'date_published' is not an RFC 3339", "item 2: 'id' (a string) is missing",
                     "item 3: 'id' '1' is used twice", "item 4: an author has none", "item 4: 'tags' is not"):
        assert any(p.startswith(expected) for p in problems), (expected, problems)


# ---------------------------------------------------------------- the feeds page


def test_feeds_page_lists_every_feed_with_what_it_holds(make_site: MakeSite) -> None:
    archive = """\
        comments:
          - id: 1
            author: Marta
            date: 2024-05-11 10:00:00+02:00
            lang: fr
            body: Très bien.
        """
    site = make_site({**SMALL_SITE, "museumsite.yaml": CONFIG, "content/comments/posts/hello.yaml": archive})
    build(site)
    out = site / "_site"
    for prefix in ("", "fr/"):
        tree = parse(out / prefix / "feeds/index.html")
        main = tree.find(".//main")
        assert main is not None
        hrefs = {str(a.get("href")) for a in main.iter("a")}
        for href in hrefs:
            assert (out / href.lstrip("/")).is_file(), f"{prefix}feeds/ links to missing {href}"
        for expected in ("feeds/atom.xml", "feeds/rss.xml", "feeds/feed.json"):
            assert f"/{prefix}{expected}" in hrefs
        assert {"/feeds/all.atom.xml", "/feeds/all.feed.json", "/feeds/all-comments.atom.xml",
                "/posts/hello/comments.atom.xml"} <= hrefs
        text = " ".join("".join(main.itertext()).split())
        if prefix:
            assert "/fr/feeds/comments.atom.xml" in hrefs and "Les derniers commentaires écrits" in text
            assert "/tags/news/feed.json" not in hrefs, "another language's tag feeds are on its own page"
        else:
            assert {"/tags/news/feed.json", "/tags/museums/rss.xml", "/events/conf/atom.xml"} <= hrefs
            assert "The newest posts tagged news." in text and "(2 posts)" in text
            assert "The programme of the event" in text and "(2 talks)" in text
    # Every page's footer leads to the feeds page of its language.
    for path in out.rglob("*.html"):
        tree = parse(path)
        if tree.find(".//meta[@http-equiv='refresh']") is not None:
            continue
        footer = tree.find(".//footer[@class='site-footer']")
        assert footer is not None, path
        wanted = "/fr/feeds/" if tree.get("lang") == "fr" else "/feeds/"
        assert wanted in {a.get("href") for a in footer.iter("a")}, path


def test_demo_site_json_feeds_are_valid(demo_output: Path) -> None:
    feeds = sorted(demo_output.rglob("*feed.json"))
    assert {f.relative_to(demo_output).as_posix() for f in feeds} >= {
        "feeds/feed.json", "fr/feeds/feed.json", "ca/feeds/feed.json", "feeds/all.feed.json"}
    for path in feeds:
        document = load(path)
        assert json_feed_problems(document) == [], path
        for item in document["items"]:
            assert not re.search(r'(href|src)="/', item["content_html"]), (path, item["id"])
            assert urlsplit(item["url"]).netloc == "museumsite.example.org"


def test_the_json_summary_is_the_text_the_page_description_reads(make_site: MakeSite) -> None:
    """One HTML-to-text for every plain-text summary: a JSON Feed item's summary is the page's description,
    '<>' written in a post's own HTML included (the JSON feed's own copy of the code read it as a tag)."""
    root = make_site({"content/posts/p.md": """
        ---
        title: P
        date: 2024-05-01
        ---
        <p>Less <> more &amp; <em>better</em>  said   the curator.</p>
        """})
    build(root)
    feed = json.loads((root / "_site/feeds/feed.json").read_text(encoding="utf-8"))
    page = next((root / "_site").glob("**/p/index.html"))
    document = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
    description = document.find(".//meta[@name='description']").get("content")
    assert feed["items"][0]["summary"] == description == "Less <> more & better said the curator."
