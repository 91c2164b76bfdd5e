"""Comment archives: checked like front matter, published threaded, tagged, sanitized and fed.

Real sites are built from real archive files; the pages and feeds are parsed and
checked for what a reader (and a feed reader) gets, and for what must never appear:
pending comments, e-mail addresses, scripts.
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import html5lib
import pytest

from museumsite.build import build
from museumsite.errors import BuildError

from support import BASE_CONFIG, SMALL_SITE, MakeSite

ARCHIVE = """\
comments:
  - id: 1
    parent: null
    author: Marta
    author_url: https://example.cat/marta
    date: 2024-05-11 10:00:00+02:00
    lang: ca
    status: approved
    type: comment
    staff: false
    format: markdown
    body: |
      Quina entrada més bona!
  - id: 2
    parent: 1
    author: Site team
    date: 2024-05-11 11:00:00+02:00
    lang: en
    staff: true
    body: Thank you, Marta.
  - id: 3
    parent: 2
    author: Pau
    author_url: "javascript:alert(1)"
    date: 2024-05-11 12:00:00+02:00
    body: |
      Estic d'acord amb tot el que has escrit, és una entrada molt interessant.
  - id: 4
    parent: 3
    author: Claire
    date: 2024-05-11 13:00:00+02:00
    lang: fr
    body: Moi aussi, je suis tout à fait d'accord.
  - id: 5
    parent: 4
    author: Deep
    date: 2024-05-11 14:00:00+02:00
    lang: en
    body: The fifth level.
  - id: 6
    parent: null
    author: Early bird
    date: 2024-05-10 09:00:00+02:00
    lang: en
    body: First!
  - id: 7
    parent: null
    author: Someone
    date: 2024-05-12 09:00:00+02:00
    lang: en
    status: pending
    body: Not yet moderated.
  - id: 8
    parent: null
    author: Another blog
    author_url: https://blog.example.net/post
    date: 2024-05-13 09:00:00+02:00
    lang: en
    type: pingback
    format: html
    body: "<p>[...] read this [...]</p>"
  - id: 9
    parent: null
    author: "<script>alert('name')</script>"
    author_url: https://example.org/x
    date: 2024-05-13 10:00:00+02:00
    lang: en
    format: html
    body: |
      <p onclick="alert(1)">Hi <script>alert(2)</script><a href="javascript:alert(3)">x</a>
      <img src="https://tracker.example/pixel.gif" alt="pixel"><iframe src="https://evil.example"></iframe></p>
  - id: 10
    parent: null
    author: Short
    date: 2024-05-13 11:00:00+02:00
    body: ok
"""

CONFIG = BASE_CONFIG + "comments:\n  display_depth: 3\n"


@pytest.fixture
def built(make_site: MakeSite) -> Path:
    site = make_site({**SMALL_SITE, "content/comments/posts/hello.yaml": ARCHIVE}, config=CONFIG)
    build(site)
    return site / "_site"


def parse(path: Path) -> ET.Element:
    tree: ET.Element = html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    return tree


def text(el: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def comments_of(tree: ET.Element) -> dict[str, ET.Element]:
    return {li.get("id", ""): li for li in tree.iter("li") if "comment" in (li.get("class") or "").split()}


def own_article(li: ET.Element) -> ET.Element:
    article = li.find("article")
    assert article is not None
    return article


def test_comments_are_threaded_by_nesting_oldest_first_to_the_display_depth(built: Path) -> None:
    tree = parse(built / "posts/hello/index.html")
    comments = comments_of(tree)
    assert set(comments) == {f"comment-{n}" for n in (1, 2, 3, 4, 5, 6, 9, 10)}, "approved comments only"
    listing = tree.find(".//ol[@class='comment-list']")
    assert listing is not None
    assert [li.get("id") for li in listing.findall("li")] == ["comment-6", "comment-1", "comment-9", "comment-10"]
    replies = comments["comment-1"].find("ol")
    assert replies is not None and [li.get("id") for li in replies.findall("li")] == ["comment-2"]
    third = comments["comment-2"].find("ol")
    assert third is not None and [li.get("id") for li in third.findall("li")] == ["comment-3"]
    # Display depth 3: 4 and 5 are shown at the third level, each saying whom it answers.
    deeper = comments["comment-3"].find("ol")
    assert deeper is not None and [li.get("id") for li in deeper.findall("li")] == ["comment-4", "comment-5"]
    answer = [a for a in own_article(comments["comment-5"]).iter("a") if "in-reply-to" in (a.get("class") or "")]
    assert [(a.get("href"), text(a)) for a in answer] == [("#comment-4", "in reply to Claire")]
    assert not [a for a in own_article(comments["comment-4"]).iter("a") if "in-reply-to" in (a.get("class") or "")]


def test_each_comment_carries_its_language_and_dates_in_the_page_language(built: Path) -> None:
    comments = comments_of(parse(built / "posts/hello/index.html"))
    assert comments["comment-1"].get("lang") == "ca"
    assert comments["comment-3"].get("lang") == "ca", "detected when the archive does not say"
    assert comments["comment-4"].get("lang") == "fr"
    assert comments["comment-10"].get("lang") == "", "too short to tell: no guess"
    header = own_article(comments["comment-1"]).find("header")
    assert header is not None and header.get("lang") == "en", "interface words are in the page's language"
    time = header.find(".//time")
    assert time is not None and time.get("datetime") == "2024-05-11T10:00:00+02:00"
    assert text(time) == "May 11, 2024, 10:00 AM"
    french = comments_of(parse(built / "fr/posts/hello/index.html"))
    time = own_article(french["comment-1"]).find(".//time")
    assert time is not None and text(time) == "11 mai 2024, 10:00"


def test_staff_replies_are_marked_in_words_and_authors_link_only_to_the_web(built: Path) -> None:
    comments = comments_of(parse(built / "posts/hello/index.html"))
    badge = own_article(comments["comment-2"]).find(".//strong[@class='staff-badge']")
    assert badge is not None and text(badge) == "Site team"
    assert own_article(comments["comment-1"]).find(".//strong[@class='staff-badge']") is None
    author = own_article(comments["comment-1"]).find(".//span[@class='comment-author']/a")
    assert author is not None and author.get("href") == "https://example.cat/marta"
    assert author.get("rel") == "nofollow ugc noopener"
    pau = own_article(comments["comment-3"]).find(".//span[@class='comment-author']")
    assert pau is not None and pau.find("a") is None and text(pau) == "Pau", "a javascript: URL is not linked"


def test_hostile_comments_are_inert(built: Path) -> None:
    tree = parse(built / "posts/hello/index.html")
    hostile = comments_of(tree)["comment-9"]
    assert text(own_article(hostile).find(".//span[@class='comment-author']")) == "<script>alert('name')</script>"  # type: ignore[arg-type]
    for el in hostile.iter():
        assert el.tag not in ("script", "iframe", "img"), f"<{el.tag}> from a comment"
        assert not any(name.startswith("on") for name in el.attrib)
        assert not (el.get("href") or "").lower().startswith("javascript")
    # No image from another host: the reader's browser asks nothing of the tracker.
    assert [a.get("href") for a in hostile.iter("a")][-1] == "https://tracker.example/pixel.gif"
    for feed_path in built.rglob("*.xml"):
        for entry in feedparser.parse(feed_path.read_bytes()).entries:
            for content in entry.get("content", []):
                shown = html5lib.parse(content.value, treebuilder="etree", namespaceHTMLElements=False)
                assert not [el for el in shown.iter() if el.tag in ("script", "iframe", "img")], feed_path


def test_pending_comments_appear_nowhere(built: Path) -> None:
    for path in built.rglob("*"):
        if path.is_file():
            assert b"Not yet moderated" not in path.read_bytes(), path


def test_mentions_are_listed_apart(built: Path) -> None:
    tree = parse(built / "posts/hello/index.html")
    mentions = tree.find(".//ul[@class='mentions']")
    assert mentions is not None
    assert [a.get("href") for a in mentions.iter("a")] == ["https://blog.example.net/post"]
    assert "comment-8" not in comments_of(tree)


def test_counts_with_plural_forms_per_language_and_a_filter_without_script(built: Path) -> None:
    tree = parse(built / "posts/hello/index.html")
    heading = tree.find(".//section[@id='comments']/h2")
    assert heading is not None and text(heading) == "8 comments"
    labels = {text(label) for label in tree.iter("label")}
    assert {"every language (8)", "English (4)", "Català (2)", "Français (1)", "an unknown language (1)"} <= labels
    radios = [i for i in tree.iter("input") if i.get("type") == "radio"]
    assert len(radios) == 5 and radios[0].get("checked") is not None
    style = "".join(s.text or "" for s in tree.iter("style"))
    assert '#comments-only-ca:checked) .comment:not([lang="ca"]) > article' in style, "CSS hides, never repeats"
    assert sum(1 for li in tree.iter("li") if li.get("id") == "comment-1") == 1
    index = parse(built / "posts/index.html")
    counts = [text(a) for a in index.iter("a") if "comment-count" in (a.get("class") or "")]
    assert counts == ["8 comments: Hello"]
    french = parse(built / "fr/posts/index.html")
    assert [text(a) for a in french.iter("a") if "comment-count" in (a.get("class") or "")] == ["8 commentaires: Bonjour"]


def test_comment_feeds_with_threading_and_autodiscovery(built: Path) -> None:
    feed = feedparser.parse((built / "posts/hello/comments.atom.xml").read_bytes())
    assert not feed.bozo
    assert [e.link.rsplit("#", 1)[1] for e in feed.entries] == [
        "comment-10", "comment-9", "comment-5", "comment-4", "comment-3", "comment-2", "comment-1", "comment-6"]
    root = ET.fromstring((built / "posts/hello/comments.atom.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom", "thr": "http://purl.org/syndication/thread/1.0"}
    replies = {e.findtext("a:id", namespaces=ns): e.find("thr:in-reply-to", ns) for e in root.findall("a:entry", ns)}
    assert replies["https://example.org/posts/hello/#comment-2"].get("ref") == "https://example.org/posts/hello/#comment-1"  # type: ignore[union-attr]
    assert replies["https://example.org/posts/hello/#comment-1"].get("ref") == "https://example.org/posts/hello/"  # type: ignore[union-attr]
    rss = feedparser.parse((built / "posts/hello/comments.rss.xml").read_bytes())
    assert not rss.bozo and len(rss.entries) == 8
    site_wide = feedparser.parse((built / "feeds/all-comments.atom.xml").read_bytes())
    assert len(site_wide.entries) == 8
    english = feedparser.parse((built / "feeds/comments.atom.xml").read_bytes())
    assert english.feed.language == "en" and len(english.entries) == 4
    french = feedparser.parse((built / "fr/feeds/comments.atom.xml").read_bytes())
    assert french.feed.language == "fr" and [e.link.rsplit("#", 1)[1] for e in french.entries] == ["comment-4"]
    page = parse(built / "posts/hello/index.html")
    announced = {link.get("href") for link in page.iter("link") if link.get("type") == "application/atom+xml"}
    assert "/posts/hello/comments.atom.xml" in announced
    for path in built.rglob("*"):
        assert b"Not yet moderated" not in (path.read_bytes() if path.is_file() else b"")


BAD = {
    "an unknown parent": ("  - {id: 1, parent: 9, date: 2024-05-11 10:00:00+02:00, body: x}\n",
                          ["content/comments/posts/hello.yaml:2: comment 1 replies to 9, which is not here"]),
    "a duplicate id": (("  - {id: 1, date: 2024-05-11 10:00:00+02:00, body: x}\n"
                       "  - {id: 1, date: 2024-05-11 11:00:00+02:00, body: y}\n"),
                       ["content/comments/posts/hello.yaml:3: a second comment with id 1"]),
    "a cycle": (("  - {id: 1, parent: 2, date: 2024-05-11 10:00:00+02:00, body: x}\n"
                "  - {id: 2, parent: 1, date: 2024-05-11 11:00:00+02:00, body: y}\n"),
                ["content/comments/posts/hello.yaml:2: comments 1 -> 2 -> 1 reply to each other in a loop"]),
    "a date without a zone": ("  - {id: 1, date: 2024-05-11 10:00:00, body: x}\n",
                              [("content/comments/posts/hello.yaml:2: comment 1: date 2024-05-11 10:00:00 has no "
                               "time zone")]),
    "spam in an archive": ("  - {id: 1, status: spam, date: 2024-05-11 10:00:00+02:00, body: x}\n",
                           ["content/comments/posts/hello.yaml:2: 'status' is 'spam'"]),
    "an e-mail field": ("  - id: 1\n    email: a@b.c\n    date: 2024-05-11 10:00:00+02:00\n    body: x\n",
                        ["content/comments/posts/hello.yaml:3: unknown field 'email' in a comment"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_archives_are_reported_at_their_lines(make_site: MakeSite, case: str) -> None:
    body, expected = BAD[case]
    site = make_site({**SMALL_SITE, "content/comments/posts/hello.yaml": "comments:\n" + body})
    with pytest.raises(BuildError) as caught:
        build(site)
    assert [str(p).split("\n")[0] for p in caught.value.problems] == expected
    assert not (site / "_site").exists(), "a failed build writes nothing"


def test_every_problem_of_every_archive_at_once_and_an_archive_without_entry(make_site: MakeSite) -> None:
    files = {**SMALL_SITE,
             "content/comments/posts/hello.yaml": "comments:\n" + BAD["an unknown parent"][0] + BAD["a cycle"][0]
             .replace("id: 1", "id: 3").replace("parent: 2", "parent: 4").replace("id: 2", "id: 4")
             .replace("parent: 1", "parent: 3"),
             "content/comments/posts/gone.yaml": "comments: []\n"}
    site = make_site(files)
    with pytest.raises(BuildError) as caught:
        build(site)
    shown = [str(p).split("\n")[0] for p in caught.value.problems]
    assert shown == ["content/comments/posts/gone.yaml:1: comments for 'posts/gone', which is not an entry of the site",
                     "content/comments/posts/hello.yaml:2: comment 1 replies to 9, which is not here",
                     "content/comments/posts/hello.yaml:3: comments 3 -> 4 -> 3 reply to each other in a loop"]


def test_a_catalan_comment_on_an_english_only_blog_is_tagged_catalan(make_site: MakeSite) -> None:
    archive = textwrap.dedent("""\
        comments:
          - id: 1
            date: 2024-05-11 10:00:00+02:00
            body: Moltes gràcies per compartir aquesta informació tan interessant sobre el museu.
        """)
    site = make_site({**SMALL_SITE, "content/comments/posts/second.yaml": archive},
                     config="title: T\nbase_url: https://example.org/\nlanguages: [en, fr]\n")
    build(site)
    comments = comments_of(parse(site / "_site/posts/second/index.html"))
    assert comments["comment-1"].get("lang") == "ca"


@pytest.mark.slow
def test_xss_corpus_through_comment_bodies_authors_and_urls_of_a_built_site(make_site: MakeSite) -> None:
    """Every payload of ../shared/corpora/xss/ as a comment's body, author and URL: nothing executable out."""
    import yaml

    from museumsite.sanitize import clean_text

    from support import OWN_PAYLOADS, corpus_payloads, executable_constructs, shared

    payloads = list(OWN_PAYLOADS)
    for path in sorted(shared("corpora", "xss").glob("*")):
        if path.suffix in {".txt", ".json", ".md", ".svg"}:
            payloads += corpus_payloads(path)
    # Archives hold no control characters (importers remove them; the YAML reader refuses
    # them with the line): the payloads go in as an importer would write them.
    payloads = [clean_text(p) for p in payloads]
    comments = [{"id": n + 1, "author": p[:200], "author_url": p[:300], "date": "2024-05-11 10:00:00+02:00",
                 "lang": "en", "format": "html", "body": p} for n, p in enumerate(payloads)]
    archive = yaml.safe_dump({"comments": comments}, allow_unicode=True).replace(
        "'2024-05-11 10:00:00+02:00'", "2024-05-11 10:00:00+02:00")
    site = make_site({**SMALL_SITE, "content/comments/posts/hello.yaml": archive})
    build(site)
    page = (site / "_site/posts/hello/index.html").read_text(encoding="utf-8")
    section = page[page.index('<section class="comments"'):page.index("</section>", page.index('<section class="comments"'))]
    assert section.count('class="comment"') == len(payloads)
    assert executable_constructs(section) == []
    for feed in (site / "_site").rglob("*comments*.xml"):
        for entry in feedparser.parse(feed.read_bytes()).entries:
            for content in entry.get("content", []):
                assert executable_constructs(content.value) == [], feed
