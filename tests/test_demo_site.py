"""End to end: build the demo site (the repository root) and check what a reader gets.

The site is built once per module into a temporary folder; every HTML page is parsed
with html5lib and checked as a reader (or a screen reader, a feed reader, a search
engine) would meet it. Expected values come from the content files, never from a
copy of the output.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
import xml.etree.ElementTree as ET
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import html5lib
import pytest
import yaml

from museumsite.build import build
from museumsite.config import SiteConfig, load_config

from support import REPO, parse_html

FEED_TYPES = {"application/atom+xml": "feeds/atom.xml", "application/rss+xml": "feeds/rss.xml"}


# ---------------------------------------------------------------- fixtures and helpers


@dataclass(frozen=True)
class Content:
    """One content file, read independently of museumsite's own loader."""

    kind: str
    slug: str
    lang: str
    meta: dict[str, Any]
    body: str
    path: Path

    @property
    def draft(self) -> bool:
        return bool(self.meta.get("draft"))

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.meta.get("name"))


@dataclass
class Built:
    out: Path
    config: SiteConfig
    pages: dict[str, ET.Element]  # output-relative path ("talks/x/index.html") -> parsed tree
    content: list[Content]

    def url_of(self, item: Content) -> str:
        pattern = {"events": self.config.urls.event, "talks": self.config.urls.talk,
                   "speakers": self.config.urls.speaker, "posts": self.config.urls.post,
                   "pages": self.config.urls.page}[item.kind]
        url = pattern.format(slug=item.slug, lang=item.lang, event="", year="", month="", day="")
        if item.lang != self.config.language and "{lang}" not in pattern:
            url = f"/{item.lang}{url}"
        return url

    def page(self, url: str) -> ET.Element:
        path = page_path(url)
        assert path in self.pages, f"no page for {url} (expected {path} in the output)"
        return self.pages[path]

    def version(self, kind: str, slug: str, lang: str) -> Content:
        """The version of an entry a page in ``lang`` links to: its own language's, else the default's."""
        found = {c.lang: c for c in self.items(kind) if c.slug == slug}
        return found.get(lang) or found[self.config.language]

    def items(self, kind: str, lang: str | None = None) -> list[Content]:
        return [c for c in self.content if c.kind == kind and not c.draft and (lang is None or c.lang == lang)]


def page_path(url: str) -> str:
    """Output path of a site-relative URL: '/x/' -> 'x/index.html', '/a.css' -> 'a.css'."""
    path = unquote(url.split("#", 1)[0].split("?", 1)[0]).lstrip("/")
    return path + "index.html" if path.endswith("/") or path == "" else path


def read_content(root: Path, languages: tuple[str, ...], default: str) -> list[Content]:
    found = []
    for path in sorted((root / "content").glob("*/**/*.md")):
        kind = path.relative_to(root / "content").parts[0]
        text = path.read_text(encoding="utf-8")
        match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.DOTALL)
        assert match, f"{path} has no front matter"
        meta = yaml.safe_load(match.group(1)) or {}
        stem = path.stem
        slug, lang = stem, default
        base, _, suffix = stem.rpartition(".")
        if base and suffix in languages:
            slug, lang = base, suffix
        found.append(Content(kind=kind, slug=slug, lang=str(meta.get("lang", lang)), meta=meta,
                             body=match.group(2), path=path))
    # A translation inherits what it leaves out from the version in the default language.
    originals = {(c.kind, c.slug): c for c in found if c.lang == default}
    own = {"title", "summary", "slug", "description", "lang", "translation_key"}
    for item in found:
        original = originals.get((item.kind, item.slug))
        if original is not None and original is not item:
            for key, value in original.meta.items():
                if key not in own:
                    item.meta.setdefault(key, value)
    return found


def text_of(el: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def main_of(tree: ET.Element) -> ET.Element:
    mains = tree.findall(".//main")
    assert len(mains) == 1
    return mains[0]


def parents(tree: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in tree.iter() for child in parent}


def lang_of(el: ET.Element, parent: dict[ET.Element, ET.Element]) -> str | None:
    """The language a browser or screen reader gives an element: the nearest lang attribute."""
    node: ET.Element | None = el
    while node is not None:
        if node.get("lang") is not None:
            return node.get("lang")
        node = parent.get(node)
    return None


def links_to(root: ET.Element, url: str) -> list[ET.Element]:
    return [a for a in root.iter("a") if (a.get("href") or "").split("#", 1)[0] == url]


def row_of(link: ET.Element, parent: dict[ET.Element, ET.Element], others: set[str]) -> ET.Element:
    """The smallest element around ``link`` that holds a <time> and no link to another of ``others``."""
    node = parent[link]
    while node.find(".//time") is None:
        node = parent[node]
    href = link.get("href")
    assert not [a for a in node.iter("a") if a.get("href") in others - {href}], \
        f"the row of {href} has no <time> of its own"
    return node


def sort_key(name: str) -> str:
    """Dictionary order: accents and case do not count."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


def when(value: Any, tz: dt.tzinfo) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


@pytest.fixture(scope="module")
def site(demo_output: Path) -> Built:
    out = demo_output
    config = load_config(REPO)
    pages = {p.relative_to(out).as_posix(): parse_html(p.read_bytes()) for p in sorted(out.rglob("*.html"))}
    return Built(out=out, config=config, pages=pages,
                 content=read_content(REPO, config.all_languages, config.language))


def all_files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def references(tree: ET.Element) -> Iterator[tuple[str, str]]:
    for el in tree.iter():
        for attr in ("href", "src"):
            if el.get(attr) is not None:
                yield el.tag, el.get(attr) or ""


# ---------------------------------------------------------------- every page


def test_the_demo_has_a_page_for_every_published_content_file(site: Built) -> None:
    assert len(site.pages) > 10
    for item in site.content:
        if item.draft:
            continue
        h1 = site.page(site.url_of(item)).findall(".//h1")
        assert [text_of(h) for h in h1] == [item.title], f"{item.path.name}: the page's heading"


def test_every_page_has_a_language_one_h1_and_a_main_landmark(site: Built) -> None:
    for path, tree in site.pages.items():
        assert tree.tag == "html"
        assert (tree.get("lang") or "").strip(), f"{path}: <html> has no lang"
        assert len(tree.findall(".//h1")) == 1, f"{path}: {len(tree.findall('.//h1'))} <h1> elements"
        assert len(tree.findall(".//main")) == 1, f"{path}: no single <main> landmark"
        assert text_of(main_of(tree)), f"{path}: <main> is empty"


def test_every_image_has_alt_text(site: Built) -> None:
    images = 0
    for path, tree in site.pages.items():
        # A decorative image (alt="") inside a link whose text names it: the header's logo beside the site's
        # name, a speaker's portrait beside their name. The link says it all.
        logos = {id(img) for a in tree.iter("a") if "".join(a.itertext()).strip() for img in a.iter("img")
                 if img.get("alt") == ""}
        for img in tree.iter("img"):
            images += 1
            assert id(img) in logos or (img.get("alt") or "").strip(), f"{path}: <img src={img.get('src')!r}> has no alt text"
    assert images, "the demo's about page shows the logo: at least one image is expected"


def test_no_broken_internal_link_or_asset(site: Built) -> None:
    broken = []
    checked = 0
    base = site.config.base_url
    for path, tree in site.pages.items():
        for tag, url in references(tree):
            if url.startswith(base):  # canonical and hreflang links are absolute, but ours too
                url = "/" + url[len(base):]
            if not url.startswith("/") or url.startswith("//"):
                continue
            checked += 1
            if not (site.out / page_path(url)).is_file():
                broken.append(f"{path}: <{tag}> {url}")
    assert checked > 100
    assert not broken, "links to files that are not in the output:\n" + "\n".join(broken)


def test_no_link_points_at_a_markdown_source_file(site: Built) -> None:
    leaks = [f"{path}: {url}" for path, tree in site.pages.items() for _, url in references(tree)
             if urlsplit(url).path.endswith(".md")]
    assert not leaks, "\n".join(leaks)


def test_every_fragment_link_has_its_target(site: Built) -> None:
    ids = {path: {el.get("id") for el in tree.iter() if el.get("id")} for path, tree in site.pages.items()}
    missing = []
    checked = 0
    for path, tree in site.pages.items():
        for tag, url in references(tree):
            if "#" not in url:
                continue
            where, fragment = url.split("#", 1)
            if where == "":
                target = path
            elif where.startswith("/") and not where.startswith("//"):
                target = page_path(where)
            else:
                continue
            if not target.endswith(".html"):
                continue
            checked += 1
            if unquote(fragment) not in ids.get(target, set()):
                missing.append(f"{path}: <{tag}> {url} (no id={unquote(fragment)!r} in {target})")
    assert checked >= len(site.pages), "every page has at least its skip link"
    assert not missing, "fragments with no target:\n" + "\n".join(missing)


def _language_feed(site: Built, lang: str, kind: str) -> str:
    """Output path of a language's post feed: feeds/atom.xml, fr/feeds/atom.xml."""
    prefix = "" if lang == site.config.language else f"{lang}/"
    return f"{prefix}{FEED_TYPES[kind]}"


def test_every_page_announces_the_feeds_of_its_language(site: Built) -> None:
    for path, tree in site.pages.items():
        head = tree.find("head")
        assert head is not None
        lang = tree.get("lang", "")
        announced = [(link.get("type", ""), page_path(link.get("href", ""))) for link in head.iter("link")
                     if "alternate" in (link.get("rel") or "").split() and link.get("type") in FEED_TYPES]
        for kind in FEED_TYPES:
            assert (kind, _language_feed(site, lang, kind)) in announced, f"{path}: announces {announced}"
        for kind, feed_path in announced:
            feed = feedparser.parse((site.out / feed_path).read_bytes())
            assert not feed.bozo, f"{path} announces {feed_path}: {feed.get('bozo_exception')}"
            # Comments of one entry come in several languages: that feed declares none.
            expected = (lang, None) if "comments" in feed_path else (lang,)
            assert feed.feed.get("language") in expected, f"{path} ({lang}): a feed in {feed.feed.get('language')}"


# ---------------------------------------------------------------- talks, speakers, events


def test_talk_and_speaker_pages_link_each_other(site: Built) -> None:
    talks = site.items("talks")
    assert talks
    for talk in talks:
        talk_url = site.url_of(talk)
        main = main_of(site.page(talk_url))
        speakers = {slug: site.version("speakers", slug, talk.lang) for slug in talk.meta.get("speakers", [])}
        speaker_urls = {site.url_of(s): s for s in speakers.values()}
        linked = [a.get("href") for a in main.iter("a") if a.get("href") in speaker_urls]
        expected = [site.url_of(speakers[slug]) for slug in talk.meta.get("speakers", [])]
        assert list(dict.fromkeys(linked)) == expected, f"{talk_url}: speaker links"
        for speaker_url in expected:
            speaker_main = main_of(site.page(speaker_url))
            # The speaker's page lists the talk in the speaker page's language where translated.
            back = site.url_of(site.version("talks", talk.slug, speaker_urls[speaker_url].lang))
            assert links_to(speaker_main, back), f"{speaker_url} does not link back to {back}"
            names = [text_of(a) for a in main.iter("a") if a.get("href") == speaker_url]
            assert speaker_urls[speaker_url].title in names, f"{talk_url}: the link shows the speaker's name"


def test_every_talk_links_to_its_event(site: Built) -> None:
    events = {e.slug: e for e in site.items("events", site.config.language)}
    for talk in site.items("talks"):
        event = site.version("events", events[talk.meta["event"]].slug, talk.lang)
        links = links_to(main_of(site.page(site.url_of(talk))), site.url_of(event))
        assert links, f"{site.url_of(talk)} does not link to its event {site.url_of(event)}"
        assert event.title in [text_of(a) for a in links]


def test_event_page_lists_its_talks_in_schedule_order_with_speakers(site: Built) -> None:
    speakers = {s.slug: s for s in site.items("speakers", site.config.language)}
    for event in site.items("events", site.config.language):
        tz = zoneinfo.ZoneInfo(str(event.meta.get("timezone") or site.config.timezone))
        talks = [t for t in site.items("talks", event.lang) if t.meta["event"] == event.slug]
        assert talks, f"{event.slug} has talks in the demo"
        talk_urls = {site.url_of(t): t for t in talks}
        tree = site.page(site.url_of(event))
        main = main_of(tree)
        parent = parents(tree)
        listed = [a for a in main.iter("a") if a.get("href") in talk_urls]
        assert sorted({a.get("href", "") for a in listed}) == sorted(talk_urls), "every talk, no other"
        assert len(listed) == len(talks), "each talk listed once"
        shown = []
        for link in listed:
            talk = talk_urls[link.get("href") or ""]
            row = row_of(link, parent, set(talk_urls))
            assert text_of(link) == talk.title
            times = [dt.datetime.fromisoformat(t.get("datetime") or "") for t in row.iter("time")]
            assert times and times[0] == when(talk.meta["start"], tz), f"{talk.slug}: shown start"
            for slug in talk.meta.get("speakers", []):
                assert links_to(row, site.url_of(speakers[slug])), f"{talk.slug}: speaker {slug} not in its row"
            shown.append(times[0])
        assert shown == sorted(shown), f"talks are not in schedule order: {[t.isoformat() for t in shown]}"
        # Talks at the same time sit side by side, in the event's order of rooms.
        rooms = list(event.meta.get("rooms") or [])
        assert [talk_urls[a.get("href") or ""].slug for a in listed] == [
            t.slug for t in sorted(talks, key=lambda t: (when(t.meta["start"], tz), rooms.index(t.meta["room"])))]


def test_speakers_index_is_by_family_name_with_affiliation_and_talk_count(site: Built) -> None:
    speakers = site.items("speakers", site.config.language)
    by_url = {site.url_of(s): s for s in speakers}
    tree = site.page("/speakers/")
    parent = parents(tree)
    listed = [a for a in main_of(tree).iter("a") if a.get("href") in by_url]
    names = [text_of(a) for a in listed]
    # By family name (the name's last word), an institution by its own name (sort_as in its front matter).
    family = {s.title: str(s.meta.get("sort_as") or s.title.split()[-1]) for s in speakers}
    assert names == sorted((s.title for s in speakers), key=lambda n: (sort_key(family[n]), sort_key(n))), \
        "alphabetical by family name, every speaker once"
    for link in listed:
        speaker = by_url[link.get("href") or ""]
        item = parent[link]
        while item.tag not in ("li", "tr", "article", "dd"):
            item = parent[item]
        text = text_of(item)
        if speaker.meta.get("affiliation"):
            assert speaker.meta["affiliation"] in text, f"{speaker.slug}: affiliation not shown"
        count = sum(speaker.slug in t.meta.get("speakers", []) for t in site.items("talks", site.config.language))
        numbers = [int(n) for n in re.findall(r"\b(\d+)\s+talks?\b", text)]
        assert numbers == [count], f"{speaker.slug}: shows {text!r}, gave {count} talks"


# ---------------------------------------------------------------- posts


MD_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+\.md)(#[^)\s]*)?\)")


def test_recap_markdown_links_became_links_to_pages(site: Built) -> None:
    versions = [p for p in site.items("posts") if p.slug == "recap-of-the-day"]
    assert sorted(p.lang for p in versions) == sorted(site.config.all_languages), "the recap in every language"
    by_file = {c.path.resolve(): c for c in site.content if not c.draft}
    for post in versions:
        main = main_of(site.page(site.url_of(post)))
        anchors = [(text_of(a), a.get("href")) for a in main.iter("a")]
        links = MD_LINK.findall(post.body)
        assert any("/talks/" in target for _, target, _ in links), f"{post.path.name} links to talks"
        for label, target, fragment in links:
            linked = by_file[(post.path.parent / target).resolve()]
            # A link leads to the version in the linking post's language where there is one.
            translated = [c for c in site.content if c.kind == linked.kind and c.slug == linked.slug
                          and c.lang == post.lang and not c.draft]
            expected = site.url_of(translated[0] if translated else linked) + fragment
            assert (label, expected) in anchors, f"{post.path.name}: [{label}]({target}) should link to {expected}"
            assert (site.out / page_path(expected)).is_file()


def test_french_recap_marks_english_content_as_english(site: Built) -> None:
    (post,) = [p for p in site.items("posts", "fr") if p.slug == "recap-of-the-day"]
    tree = site.page(site.url_of(post))
    assert tree.get("lang") == "fr", f"the French recap says <html lang={tree.get('lang')!r}>"
    parent = parents(tree)
    body = tree.find("body")
    assert body is not None
    default = site.config.language
    english = {site.config.title, site.config.author} | {
        c.title for c in site.content
        if c.lang == default and not c.draft and c.kind in ("events", "talks", "posts", "pages")}
    english.discard("")
    found = []
    for phrase in english:
        for el in body.iter():
            if phrase in text_of(el) and not any(phrase in text_of(child) for child in el):
                found.append(phrase)
                assert lang_of(el, parent) == default, \
                    f"<{el.tag}> showing {phrase!r} in the French page has no lang={default!r}"
    assert site.config.title in found, "the site title is shown on the French page"
    for a in body.iter("a"):
        if a.get("hreflang"):
            assert lang_of(a, parent) == a.get("hreflang"), f"link to the {a.get('hreflang')} version"


def test_french_recap_has_no_untagged_english_interface_text(site: Built) -> None:
    """Words the theme or the Markdown converter adds (labels, tooltips) are French too, or marked."""
    from babel.messages.pofile import read_po

    from museumsite.markup.extensions import EXTENSION_CONFIGS

    with (REPO / "museumsite/themes/default/locales/fr/LC_MESSAGES/messages.po").open("rb") as handle:
        french = read_po(handle)
    interface = {m.id for m in french if isinstance(m.id, str) and m.id and m.string != m.id}
    interface |= {EXTENSION_CONFIGS["toc"]["permalink_title"], EXTENSION_CONFIGS["footnotes"]["BACKLINK_TITLE"]}
    (post,) = [p for p in site.items("posts", "fr") if p.slug == "recap-of-the-day"]
    tree = site.page(site.url_of(post))
    parent = parents(tree)
    body = tree.find("body")
    assert body is not None
    english = set()
    for el in body.iter():
        shown = [(el.text or "").strip(), (el.get("title") or "").strip(), (el.get("aria-label") or "").strip()]
        for value in shown:
            if value in interface and lang_of(el, parent) != "en":
                english.add(f"<{el.tag}> {value!r}")
    assert not english, "English interface text on the French page, without lang=\"en\":\n" + "\n".join(sorted(english))


def _post_titles_from_pages(site: Built) -> dict[str, str]:
    """Absolute URL -> the title its page shows, for every published post."""
    titles = {}
    for post in site.items("posts"):
        h1 = site.page(site.url_of(post)).find(".//h1")
        assert h1 is not None
        titles[urljoin(site.config.base_url, site.url_of(post).lstrip("/"))] = text_of(h1)
    return titles


@pytest.mark.parametrize("kind", sorted(FEED_TYPES))
def test_each_language_feed_lists_its_posts_whole_with_absolute_links(site: Built, kind: str) -> None:
    posts = _post_titles_from_pages(site)
    for lang in site.config.all_languages:
        name = _language_feed(site, lang, kind)
        feed = feedparser.parse((site.out / name).read_bytes())
        assert not feed.bozo, f"{name}: {feed.get('bozo_exception')}"
        assert feed.feed.get("language") == lang
        mine = {url: title for url, title in posts.items()
                if any(site.url_of(p) == urlsplit(url).path and p.lang == lang for p in site.items("posts"))}
        assert 0 < len(mine) <= site.config.feeds.limit
        assert sorted(" ".join(e.title.split()) for e in feed.entries) == sorted(mine.values()), name
        for entry in feed.entries:
            parts = urlsplit(entry.link)
            assert parts.scheme in ("http", "https") and parts.netloc, f"{entry.link} is not absolute"
            assert entry.link.startswith(site.config.base_url)
            assert entry.link in mine, f"{entry.title}: links to {entry.link}, not to its page"
            assert mine[entry.link] == " ".join(entry.title.split())
            # The whole post, not its summary: every paragraph of the page's body is in the feed.
            body = main_of(site.page(parts.path)).find(".//div[@class='content']")
            assert body is not None
            whole = entry.content[0].value if "content" in entry else ""
            shown = html5lib.parse(whole, treebuilder="etree", namespaceHTMLElements=False)
            paragraphs = [text_of(p) for p in body.iter("p")]
            assert paragraphs and all(text in text_of(shown) for text in paragraphs), f"{name}: {entry.title} is cut"


@pytest.mark.parametrize("name", sorted(FEED_TYPES.values()))
def test_feed_links_to_the_website_and_to_itself(site: Built, name: str) -> None:
    """A feed reader's "visit website" goes to the home page; the feed's rel=self is the feed's own URL."""
    feed = feedparser.parse((site.out / name).read_bytes())
    home = site.config.base_url
    own = urljoin(home, name)
    problems = []
    if feed.feed.get("link") != home:
        problems.append(f"the feed's website link is {feed.feed.get('link')}, not the home page {home}")
    selves = [link.get("href") for link in feed.feed.get("links", []) if link.get("rel") == "self"]
    if any(href != own for href in selves):
        problems.append(f"rel=self is {selves}, not the feed's own URL {own}")
    assert not problems, f"{name}: " + "; ".join(problems)


def test_sitemap_lists_every_page_and_robots_names_it(site: Built) -> None:
    base = site.config.base_url
    root = ET.fromstring((site.out / "sitemap.xml").read_bytes())
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [(loc.text or "").strip() for loc in root.findall("s:url/s:loc", namespace)]
    assert len(locs) == len(set(locs)), "no URL twice"
    for loc in locs:
        assert urlsplit(loc).scheme in ("http", "https") and loc.startswith(base), f"{loc} is not absolute"
    expected = set()
    for path in site.pages:
        if path.endswith("404.html"):
            continue
        url = "/" + path.removesuffix("index.html")
        expected.add(urljoin(base, url.lstrip("/")))
    assert set(locs) == expected
    robots = (site.out / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {urljoin(base, 'sitemap.xml')}" in robots.splitlines()


# ---------------------------------------------------------------- determinism


def test_two_builds_in_two_folders_are_byte_identical(demo_root: Path, tmp_path: Path) -> None:
    build(demo_root, tmp_path / "one")
    build(demo_root, tmp_path / "two")
    one, two = all_files(tmp_path / "one"), all_files(tmp_path / "two")
    assert sorted(one) == sorted(two)
    differ = [rel for rel in one if one[rel].read_bytes() != two[rel].read_bytes()]
    assert not differ, f"files that differ between two builds: {differ}"


def _snapshot_after_aging(out: Path) -> dict[str, tuple[bytes, int]]:
    """Set every file's time far in the past, so a rewrite cannot go unnoticed."""
    past = dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc).timestamp()
    for path in all_files(out).values():
        os.utime(path, (past, past))
    return {rel: (p.read_bytes(), p.stat().st_mtime_ns) for rel, p in all_files(out).items()}


def test_rebuild_in_the_same_folder_keeps_every_page_and_asset(demo_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(demo_root, out)
    before = _snapshot_after_aging(out)
    result = build(demo_root, out)
    after = {rel: (p.read_bytes(), p.stat().st_mtime_ns) for rel, p in all_files(out).items()}
    site_files = [rel for rel in before if not rel.startswith(".")]
    assert sorted(rel for rel in after if not rel.startswith(".")) == sorted(site_files)
    changed = [rel for rel in site_files if after[rel] != before[rel]]
    assert not changed, f"rewritten although nothing changed: {changed}"
    assert result.written == 0 and result.unchanged == len(site_files)


def test_rebuild_in_the_same_folder_leaves_every_file_untouched(demo_root: Path, tmp_path: Path) -> None:
    """Every file, the output manifest included: a time-comparing deploy uploads nothing."""
    out = tmp_path / "out"
    build(demo_root, out)
    before = _snapshot_after_aging(out)
    build(demo_root, out)
    after = {rel: (p.read_bytes(), p.stat().st_mtime_ns) for rel, p in all_files(out).items()}
    assert sorted(after) == sorted(before)
    changed = [rel for rel in before if after[rel] != before[rel]]
    assert not changed, f"bytes or time changed on a rebuild with nothing new: {changed}"


# ---------------------------------------------------------------- a whole site per language


def test_every_demo_page_is_reachable_from_a_home_page(site: Built) -> None:
    homes = ["index.html"] + [f"{lang}/index.html" for lang in site.config.all_languages if lang != site.config.language]
    seen: set[str] = set()
    todo = list(homes)
    while todo:
        path = todo.pop()
        if path in seen or path not in site.pages:
            continue
        seen.add(path)
        for a in site.pages[path].iter("a"):
            href = a.get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                todo.append(page_path(href))
    orphans = sorted(page for page in set(site.pages) - seen if not page.endswith("404.html"))
    redirects = {p for p, tree in site.pages.items()
                 if any(m.get("http-equiv") == "refresh" for m in tree.iter("meta"))}
    assert not set(orphans) - redirects, f"pages no link leads to: {orphans}"


def test_demo_hreflang_sets_are_reciprocal_with_self_and_x_default(site: Built) -> None:
    sets = {}
    for path, tree in site.pages.items():
        head = tree.find("head")
        assert head is not None
        found = {link.get("hreflang", ""): page_path(urlsplit(link.get("href", "")).path) for link in head.iter("link")
                 if link.get("rel") == "alternate" and link.get("hreflang") and not link.get("type")}
        if found:
            sets[path] = found
    assert len(sets) > len(site.config.all_languages) * 5, "translated pages and every list page have versions"
    for path, found in sets.items():
        assert found.get(site.pages[path].get("lang", "")) == path and "x-default" in found, path
        for other in found.values():
            assert sets.get(other) == found, f"{path} -> {other} is not reciprocal"
