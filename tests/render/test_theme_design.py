"""The default theme as a finished proceedings site (issue 19): what of its design is in the HTML.

The demo site (the repository root) is built once for the module and every page parsed with html5lib;
small sites of their own check the settings (a logo, none). What needs a browser to measure (where
``<main>`` begins on a phone, what a reader sees on hover) is in tests/browser/test_design.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from museumsite.build import build

from support import REPO, SMALL_SITE, MakeSite, local_name, parse_html, text_of, walk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(demo_output: Path) -> Path:
    """The session's one build of the demo site (conftest.py), read only."""
    return demo_output


_PARSED: dict[Path, Any] = {}


def pages(site: Path) -> list[Path]:
    return sorted(path for path in site.rglob("*.html") if "pagefind" not in path.parts)


def load(path: Path) -> Any:
    """A page parsed once for the module: the demo's pages are read by every test."""
    if path not in _PARSED:
        _PARSED[path] = parse_html(path.read_bytes())
    return _PARSED[path]


def find(document: Any, tag: str, **attributes: str) -> list[Any]:
    return [element for element in walk(document) if isinstance(element.tag, str) and local_name(element.tag) == tag
            and all(element.get(name.rstrip("_")) == value for name, value in attributes.items())]


def has_class(element: Any, word: str) -> bool:
    return word in (element.get("class") or "").split()


def with_class(document: Any, word: str) -> list[Any]:
    return [element for element in walk(document) if isinstance(element.tag, str) and has_class(element, word)]


def visible_text(element: Any) -> str:
    """The text a sighted reader sees: without .visually-hidden spans, scripts and styles."""
    parts = [element.text or ""] if not has_class(element, "visually-hidden") else []
    for child in element:
        if isinstance(child.tag, str) and local_name(child.tag) not in ("script", "style"):
            parts.append(visible_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def site_path(site: Path, href: str) -> Path:
    path = urlsplit(href).path
    return site / path.lstrip("/")


# ---------------------------------------------------------------- identity: favicon, og:image, one title


def test_every_page_links_a_favicon_the_build_wrote(demo: Path) -> None:
    for path in pages(demo):
        icons = [link for link in find(load(path), "link") if "icon" in (link.get("rel") or "").split()]
        assert icons, f"{path}: no <link rel=icon>"
        for icon in icons:
            href = icon.get("href") or ""
            assert not href.startswith("data:"), path
            assert site_path(demo, href).is_file(), f"{path}: the favicon {href} is not in the output"


def test_every_page_shares_a_png_or_jpeg_image_that_exists(demo: Path) -> None:
    base = yaml.safe_load((REPO / "museumsite.yaml").read_text(encoding="utf-8"))["base_url"]
    for path in pages(demo):
        if path.name == "404.html":
            continue
        images = [meta.get("content") or "" for meta in find(load(path), "meta", property="og:image")]
        assert images, f"{path}: no og:image"
        for image in images:
            assert image.startswith(base), image
            local = site_path(demo, image[len(base) - 1:])
            assert local.suffix.lower() in (".png", ".jpg", ".jpeg") or "speakers" in local.parts, image
            assert local.is_file(), f"{path}: og:image {image} is not in the output"


def test_a_png_logo_is_the_shared_image_and_an_svg_alone_gives_none(make_site: MakeSite) -> None:
    from support import BASE_CONFIG

    with_png = make_site({**SMALL_SITE, "content/static/brand/mark.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
                          "content/static/brand/mark.png": "not really a png"},
                         config=BASE_CONFIG + "logo: /brand/mark.svg\n", name="with-png")
    build(with_png)
    home = load(with_png / "_site/index.html")
    assert [m.get("content") for m in find(home, "meta", property="og:image")] == ["https://example.org/brand/mark.png"]
    assert [i.get("href") for i in find(home, "link", rel="icon")] == ["/brand/mark.svg"]
    assert find(home, "img", src="/brand/mark.svg"), "the logo beside the title"

    svg_only = make_site({**SMALL_SITE, "content/static/mark.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"},
                         config=BASE_CONFIG + "logo: /mark.svg\n", name="svg-only")
    build(svg_only)
    home = load(svg_only / "_site/index.html")
    assert find(home, "meta", property="og:image") == []
    assert [i.get("href") for i in find(home, "link", rel="icon")] == ["/mark.svg"]

    no_logo = make_site(SMALL_SITE, name="no-logo")
    build(no_logo)
    home = load(no_logo / "_site/index.html")
    icons = [i.get("href") or "" for i in find(home, "link", rel="icon")]
    assert icons and all(site_path(no_logo / "_site", href).is_file() for href in icons), "the theme's own mark"


def test_the_site_title_is_said_once_on_each_page(demo: Path) -> None:
    title = "Rencontres Web Musées 2009"
    # The event bears the site's name: its page says it as its h1, and the header's is the site's.
    for path in [p for p in pages(demo) if "events" not in p.parts]:
        document = load(path)
        seen = [element for element in walk(document) if isinstance(element.tag, str)
                and local_name(element.tag) in ("h1", "p") and " ".join(visible_text(element).split()) == title]
        assert len(seen) <= 1, f"{path}: the site title {len(seen)} times"
        assert len(find(document, "h1")) == 1, f"{path}: one h1"


def test_one_language_switcher_without_visible_notes(demo: Path) -> None:
    for path in pages(demo):
        document = load(path)
        assert with_class(document, "translations") == [], f"{path}: a second 'Also in:' switcher"
        assert "Also in:" not in text_of(document) and "Aussi en" not in text_of(document)
        for nav in with_class(document, "languages"):
            seen = visible_text(nav)
            assert "not translated" not in seen and "pas traduite" not in seen, f"{path}: {seen.strip()}"


def test_one_subscribe_link_in_the_footer(demo: Path) -> None:
    for path in pages(demo):
        footers = find(load(path), "footer")
        footer = next(f for f in footers if has_class(f, "site-footer"))
        feeds = [a for a in find(footer, "a") if a.get("type") or "feeds" in (a.get("href") or "")]
        assert len(feeds) == 1, f"{path}: {[a.get('href') for a in feeds]}"


# ---------------------------------------------------------------- schedule


def test_each_break_is_one_element_with_its_start_end_and_title(demo: Path) -> None:
    for lang in ("", "fr/", "ca/"):
        document = load(demo / f"{lang}events/rencontres-web-musees-2009/index.html")
        breaks = with_class(document, "break")
        assert len(breaks) == 2, lang
        for element in breaks:
            times = find(element, "time")
            assert len(times) == 2 and times[0].get("datetime") < times[1].get("datetime"), visible_text(element)
            titles = with_class(element, "break-title")
            assert titles and visible_text(titles[0]).strip(), visible_text(element)
    lunch = " ".join(visible_text(with_class(load(demo / "events/rencontres-web-musees-2009/index.html"),
                                             "break")[1]).split())
    assert lunch == "12:00–2:00 PM Lunch", "one time per range: what both ends share ('PM') said once"


def test_time_ranges_say_what_both_ends_share_once(demo: Path) -> None:
    english = " ".join(text_of(load(demo / "talks/from-conservation-to-conversation/index.html")).split())
    assert "9:30–10:15 AM" in english and "9:30 AM–10:15 AM" not in english
    french = " ".join(text_of(load(demo / "fr/talks/from-conservation-to-conversation/index.html")).split())
    assert "9:30–10:15" in french or "09:30–10:15" in french, "a 24-hour language keeps its clock"


def test_track_colours_come_with_the_track_name(demo: Path) -> None:
    document = load(demo / "events/rencontres-web-musees-2009/index.html")
    style = "".join(element.text or "" for element in find(document, "style"))
    for cell in with_class(document, "session"):
        track = cell.get("data-track")
        if track:
            assert f'[data-track="{track}"] {{ --track: var(--track-' in style, track
            names = with_class(cell, "session-track")
            assert names and visible_text(names[0]).strip(), "the colour never alone"


# ---------------------------------------------------------------- talk page


def test_the_recording_comes_first_and_a_site_file_plays_without_a_gate(demo: Path) -> None:
    for lang in ("", "fr/", "ca/"):
        document = load(demo / f"{lang}talks/from-conservation-to-conversation/index.html")
        order = [element for element in walk(document) if isinstance(element.tag, str)]
        recording = with_class(document, "recording")
        content = [e for e in with_class(document, "content") if local_name(e.tag) == "div"]
        facts = with_class(document, "facts")
        assert recording and content and facts, lang
        assert order.index(recording[0]) < order.index(facts[0]) < order.index(content[0]), \
            "nothing of the talk's text before its recording"
        videos = find(recording[0], "video")
        assert len(videos) == 1 and videos[0].get("preload") == "none" and videos[0].get("controls") is not None
        assert [s.get("src") for s in find(videos[0], "source")] == ["/recordings/placeholder-recording.webm"]
        assert with_class(recording[0], "video-consent") == [], "no click-to-load gate for the site's own file"
        tracks = find(videos[0], "track")
        assert [(t.get("kind"), t.get("src"), t.get("srclang")) for t in tracks] == [
            ("captions", "/recordings/placeholder-recording.vtt", "fr")]
        links = {a.get("href") for a in find(recording[0], "a")}
        assert "/recordings/placeholder-recording-transcript.txt" in links and "/recordings/placeholder-recording.vtt" in links
        card = with_class(recording[0], "title-card")
        assert card and "From conservation to conversation" in visible_text(card[0]) or lang, "a title card as poster"
        assert with_class(recording[0], "video-duration"), "the duration"


def test_captions_and_transcript_are_checked_fields(make_site: MakeSite) -> None:
    from museumsite.errors import BuildError

    bad = ("---\ntitle: Bad\nevent: conf\nspeakers: [ada]\nstart: 2024-05-02 11:00\nend: 2024-05-02 11:30\n"
           "video: /v.webm\ncaptions: javascript:alert(1)\ntranscript: /t.txt\n---\nText.\n")
    site = make_site({**SMALL_SITE, "content/talks/bad.md": bad})
    with pytest.raises(BuildError) as caught:
        build(site)
    assert "'captions' must be a URL" in str(caught.value) and "bad.md" in str(caught.value)


# ---------------------------------------------------------------- comments


def test_each_comment_in_another_language_says_it_in_its_header(demo: Path) -> None:
    from museumsite.lang.i18n import language_name

    chips = 0
    for path in pages(demo):
        document = load(path)
        page_lang = find(document, "html")[0].get("lang")
        for comment in with_class(document, "comment"):
            if local_name(comment.tag) != "li":
                continue
            header = next(h for h in find(comment, "header") if has_class(h, "comment-meta"))
            assert header in list(next(a for a in comment if local_name(a.tag) == "article")), "the comment's own header"
            assert with_class(header, "comment-author") and find(header, "time")
            shown = with_class(header, "lang-chip")
            if comment.get("lang") not in (page_lang, ""):
                assert len(shown) == 1, f"{path} #{comment.get('id')}: no language chip"
                assert visible_text(shown[0]).strip() == language_name(comment.get("lang"))
                chips += 1
            else:
                assert shown == [], f"{path} #{comment.get('id')}: a chip for the page's own language"
    assert chips >= 10, "the demo has comments in other languages than their pages"


def test_a_reply_in_another_language_than_its_parent_keeps_an_in_reply_to_stub(demo: Path) -> None:
    document = load(demo / "posts/recap-of-the-day/index.html")
    style = "".join(element.text or "" for element in find(document, "style"))
    stubs = 0
    for comment in with_class(document, "comment"):
        stub = [child for child in comment if isinstance(child.tag, str) and has_class(child, "reply-stub")]
        parent = next((li for li in with_class(document, "comment") if comment in list(walk(li)) and li is not comment
                       and comment in [r for ol in li if local_name(ol.tag) == "ol" for r in ol]), None)
        if parent is not None and parent.get("lang") != comment.get("lang"):
            assert len(stub) == 1 and "in reply to" in visible_text(stub[0]), comment.get("id")
            assert find(stub[0], "a")[0].get("href") == f"#{parent.get('id')}"
            code = comment.get("lang")
            assert f'#comments-only-{code}:checked) .comment[lang="{code}"] > .reply-stub {{ display: block; }}' in style
            stubs += 1
        else:
            assert stub == []
    assert stubs >= 1


def test_a_post_page_without_comments_stays_under_12_kb(demo: Path) -> None:
    for path in pages(demo):
        document = load(path)
        if "/posts/" in str(path) and find(document, "article") and not with_class(document, "comments") \
                and "page" not in path.parts and path.parent.name != "posts":
            assert path.stat().st_size < 12 * 1024, f"{path}: {path.stat().st_size} bytes"


# ---------------------------------------------------------------- speakers


def test_the_speakers_index_is_a_portrait_grid_by_family_name(demo: Path) -> None:
    for lang in ("", "fr/", "ca/"):
        document = load(demo / f"{lang}speakers/index.html")
        grid = with_class(document, "speaker-grid")
        assert len(grid) == 1, lang
        names = [visible_text(a).strip() for a in with_class(grid[0], "speaker-name")]
        # Bausson, Baz, Dahlem, Fabry: family names; the institutions by their own names (sort_as).
        assert names == ["Samuel Bausson", "Ana-Laura Baz", "Maud Dahlem", "Philippe Fabry",
                         "Musée d'art contemporain de Lyon", "Museu Picasso"], lang
        portraits = find(grid[0], "img")
        assert len(portraits) == 6 and all("portrait-small" in (img.get("class") or "") for img in portraits)
        assert with_class(document, "initials") == [], "no A–Z bar for six people"


def test_family_names_sort_in_the_languages_order() -> None:
    from museumsite.lang.collation import family_name_key

    people = ["Marta Rodà", "Joan Roda", "Élodie Zola", "Ana Núñez", "Pau Nuez"]
    assert sorted(people, key=lambda n: family_name_key(n, "", "es")) == [
        "Pau Nuez", "Ana Núñez", "Joan Roda", "Marta Rodà", "Élodie Zola"]
    assert sorted(["Museu Picasso", "Vincent van Gogh"], key=lambda n: family_name_key(
        n, "Museu Picasso" if n.startswith("Museu") else "Gogh", "en")) == ["Vincent van Gogh", "Museu Picasso"]


def test_a_long_speakers_list_gets_an_a_to_z_bar_by_family_name(make_site: MakeSite) -> None:
    people = [("Ada", "Zeller"), ("Bob", "Abril"), ("Cai", "Élan")] + [(f"P{n}", f"Name{n:02d}") for n in range(25)]
    files = {**SMALL_SITE, **{f"content/speakers/s{n}.md": f"---\nname: {first} {family}\n---\nBio.\n"
                              for n, (first, family) in enumerate(people)}}
    site = make_site(files)
    build(site)
    document = load(site / "_site/speakers/index.html")
    bar = with_class(document, "initials")
    assert len(bar) == 1
    letters = [visible_text(a) for a in find(bar[0], "a")]
    assert letters[:3] == ["A", "B", "E"] and letters[-1] == "Z", letters
    for a in find(bar[0], "a"):
        assert [e for e in walk(document) if e.get("id") == a.get("href")[1:]], a.get("href")


# ---------------------------------------------------------------- search


def _records(site: Path) -> dict[str, dict[str, Any]]:
    """url -> the whole Pagefind record (content, meta), from the gzipped fragment files."""
    import gzip
    import json

    found = {}
    for path in sorted((site / "pagefind").glob("**/fragment/*")):
        data = gzip.decompress(path.read_bytes())
        record = json.loads(data[data.index(b"{"):])
        found[record["url"]] = record
    return found


def test_search_fragments_hold_no_interface_chrome_and_say_what_each_page_is(demo: Path) -> None:
    from support import fragments

    chrome = ["Add to calendar", "Published", "By museumsite team", "Tagged:", "Session type", "Given in",
              "every track", "All times are in", "Watch the recording", "Ajouter à l’agenda", "Publié",
              "Afegeix al calendari", "Home", "Subscribe", "Skip to content"]
    texts = {url: text for by_lang in fragments(demo).values() for url, text in by_lang.items()}
    assert len(texts) > 30
    for url, text in texts.items():
        for words in chrome:
            assert words not in text, f"{url}: {words!r} in {text[:300]!r}"
    records = _records(demo)
    kinds = {url: record["meta"].get("kind") for url, record in records.items()}
    assert kinds["/talks/from-conservation-to-conversation/"] == "talks"
    assert kinds["/speakers/samuel-bausson/"] == "speakers"
    assert kinds["/posts/recap-of-the-day/"] == "posts"
    assert kinds["/events/rencontres-web-musees-2009/"] == "events"
    assert kinds["/about/"] == "pages"
    assert records["/posts/recap-of-the-day/"]["meta"].get("date", "").startswith("2009-10-19")
    assert records["/talks/from-conservation-to-conversation/"]["meta"].get("date", "").startswith("2009-10-16")


# ---------------------------------------------------------------- feeds, 404, tags, home


def test_the_feeds_page_is_a_table_with_a_name_of_its_own_per_feed(demo: Path) -> None:
    for lang in ("", "fr/", "ca/"):
        document = load(demo / f"{lang}feeds/index.html")
        tables = with_class(document, "feed-table")
        assert tables, lang
        names = [" ".join(visible_text(th).split()) for table in tables for th in find(table, "th", scope="row")]
        assert len(names) == len(set(names)) >= 5, names
        for table in tables:
            columns = [visible_text(th) for th in find(table, "th", scope="col")]
            assert columns[1:3] == ["Atom", "RSS"], columns
            for link in find(table, "a"):
                assert link.get("type") in ("application/atom+xml", "application/rss+xml", "application/feed+json")
                assert site_path(demo, link.get("href") or "").is_file()


def test_a_page_not_found_in_every_language_with_a_search_box(demo: Path) -> None:
    for lang, path in (("en", "404.html"), ("fr", "fr/404.html"), ("ca", "ca/404.html")):
        document = load(demo / path)
        assert find(document, "html")[0].get("lang") == lang
        forms = [f for f in find(document, "form") if f.get("role") == "search"]
        assert forms and forms[0].get("action") == ("/search/" if lang == "en" else f"/{lang}/search/")
        assert find(forms[0], "input", type="search")[0].get("name") == "q"
    assert "Page introuvable" in text_of(load(demo / "fr/404.html")) or "introuvable" in text_of(load(demo / "fr/404.html"))


def test_tag_names_follow_one_capitalisation_rule(demo: Path) -> None:
    for lang in ("", "fr/", "ca/"):
        document = load(demo / f"{lang}tags/index.html")
        names = [visible_text(a).strip() for a in find(document, "a", rel="tag")] or \
                [visible_text(a).strip() for a in find(find(document, "main")[0], "a") if "/tags/" in (a.get("href") or "")]
        assert names, lang
        for name in names:
            assert name[:1] == name[:1].upper(), f"{lang}: {name!r}"
    assert "Web 2.0" in text_of(load(demo / "events/rencontres-web-musees-2009/index.html"))


def test_the_home_page_leads_with_the_event(demo: Path) -> None:
    for lang in ("", "fr/", "ca/"):
        document = load(demo / f"{lang}index.html")
        main = find(document, "main")[0]
        leads = with_class(main, "event-lead")
        assert len(leads) == 1, lang
        order = [e for e in walk(main) if isinstance(e.tag, str)]
        summaries = with_class(main, "summary")
        assert summaries and order.index(leads[0]) < order.index(summaries[0]), "the event before the posts"
        lead = leads[0]
        assert find(lead, "time")[0].get("datetime") == "2009-10-16"
        assert "Musée du Louvre" in visible_text(lead)
        buttons = [a for a in find(lead, "a") if has_class(a, "button")]
        assert buttons and buttons[0].get("href", "").endswith("/events/rencontres-web-musees-2009/#schedule-title")
        assert len(find(lead, "img")) == 6, "the speakers' portraits"
    # A post in another language than the home page's says so before its "Read more".
    french = load(demo / "fr/index.html")
    for summary in with_class(french, "summary"):
        chips = with_class(summary, "lang-chip")
        assert bool(chips) == (summary.get("lang") not in (None, "fr")), visible_text(summary)[:60]


@pytest.mark.parametrize(("logo", "message"), [
    ("https://cdn.example/logo.png", "is not a path of this site"),
    ("javascript:alert(1)", "is not a path of this site"),
    ("/images/missing.svg", "is not a file in content/static"),
])
def test_a_logo_that_is_not_a_file_of_the_site_is_a_config_error(make_site: MakeSite, logo: str, message: str) -> None:
    """The logo is the favicon and the header's mark on every page: another site's file would be loaded by every
    reader, and a missing one would be a broken image everywhere. Before, either was ignored without a word."""
    from museumsite.errors import ConfigError

    from support import BASE_CONFIG

    root = make_site(SMALL_SITE, config=BASE_CONFIG + f"logo: '{logo}'\n")
    with pytest.raises(ConfigError) as raised:
        build(root)
    assert [(p.path, message in p.message, bool(p.hint)) for p in raised.value.problems] == \
        [("museumsite.yaml", True, True)]
    assert not (root / "_site").exists()
