"""``museumsite import wordpress``: our own export (every behaviour once) and the shared corpora.

Each test imports into a real site folder through the command line and reads back the
files written: front matter and archives are parsed, never string-matched only.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import html5lib
import markdown
import pytest

from museumsite.importers.contentfile import COMMENT_FIELDS, MANIFEST
from museumsite.importers.wordpress.wxr import read_wxr

from support import (
    OWN_PAYLOADS,
    UPLOADS,
    WORDPRESS_CONFIG,
    WXR,
    MakeSite,
    archive,
    assert_private,
    corpus_payloads,
    executable_constructs,
    front_matter,
    run,
    shared,
    shared_files,
    snapshot,
)


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site({}, config=WORDPRESS_CONFIG)


@pytest.fixture
def imported(site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    code, out, err = run(capsys, "import", "wordpress", WXR, "--site", site, "--uploads", UPLOADS)
    assert code == 0, err
    return site, out


def test_posts_keep_title_zone_authors_tags_and_old_permalinks(imported: tuple[Path, str]) -> None:
    site, _ = imported
    meta, _ = front_matter(site / "content/posts/quina-jornada.md")
    assert list(meta) == ["title", "date", "authors", "tags", "aliases", "imported"]
    assert meta["imported"] == "wordpress"  # its body is untrusted at every build
    assert meta["title"] == "Quina jornada al museu"
    assert meta["date"] == dt.datetime(2009, 10, 20, 7, tzinfo=dt.timezone.utc)
    assert meta["date"].utcoffset() == dt.timedelta(hours=2)  # shown in the site's zone, Europe/Madrid
    assert meta["authors"] == ["Marta Vidal"]
    assert meta["tags"] == ["Visites", "castell"]  # categories as tags, "Uncategorized" dropped
    assert meta["aliases"] == ["/2009/10/quina-jornada/"]  # the ?p=10 guid cannot be a static page
    second, _ = front_matter(site / "content/posts/second-post.md")
    assert second["aliases"] == ["/2009/11/segon/"] and second["authors"] == ["Joan Puig"]
    assert "draft" not in meta and "draft" not in second


def test_drafts_pages_and_skipped_items(imported: tuple[Path, str]) -> None:
    site, out = imported
    draft, _ = front_matter(site / "content/posts/esborrany.md")  # no post_name: slug from the title
    assert draft["draft"] is True and draft["title"] == "Esborrany"
    # Its pubDate is WordPress's "never set" (Mon, 30 Nov -0001), not a date: the export's latest instead.
    assert draft["date"] == dt.datetime(2009, 11, 1, 10, tzinfo=dt.timezone.utc)
    page, body = front_matter(site / "content/pages/qui-som.md")
    assert page == {"title": "Qui som", "imported": "wordpress"}  # the old URL /qui-som/ is the new one: no alias
    assert body == "Som un petit museu.\n\nEscriu-nos!\n"
    assert not (site / "content/posts/castell.md").exists()
    assert "dropped 1: attachment (not a post or page)" in out
    assert "3 posts" in out and "1 page," in out and "1 draft," in out and "2 redirects" in out


def test_body_markdown_summary_cut_no_shortcodes_no_flash(imported: tuple[Path, str]) -> None:
    site, _ = imported
    _, body = front_matter(site / "content/posts/quina-jornada.md")
    intro, rest = body.split("\n<!--more-->\n")  # the summary cut is kept
    assert intro.startswith("Una jornada **plena** de visites al museu.")
    for gone in ("[caption", "[/caption", "[youtube", "[gallery", "[fancybox", "[/fancybox", "<object", "<embed",
                 "<param", "shockwave"):
        assert gone not in body
    assert "[sic]" in rest  # ordinary brackets are not shortcodes
    assert "Text dins un codi desconegut" in rest  # an unknown shortcode keeps its text
    assert "(https://www.youtube.com/watch?v=dQw4w9WgXcQ)" in rest  # Flash object -> a plain link
    assert "(http://www.youtube.com/watch?v=abc123)" in rest
    assert "<figcaption>El castell de nit</figcaption>" in intro
    assert "![castell](../static/uploads/2009/10/castell.gif)" in rest  # [gallery] of a known attachment


def test_uploads_copied_and_other_images_become_links(imported: tuple[Path, str]) -> None:
    site, out = imported
    copied = site / "content/static/uploads/2009/10/castell.gif"
    assert copied.read_bytes() == (UPLOADS / "2009/10/castell.gif").read_bytes()
    _, body = front_matter(site / "content/posts/quina-jornada.md")
    assert '<img alt="El castell" height="200" src="/uploads/2009/10/castell.gif"' in body
    assert "[Foto vella](http://blog.example.cat/wp-content/uploads/2008/01/vell.jpg)" in body
    assert "[Fora](http://photos.example.net/a.jpg)" in body
    assert not re.search(r"<img[^>]+src=\"https?:", body) and "![Fora]" not in body  # nothing hot-linked
    assert "http://blog.example.cat/wp-content/uploads/2008/01/vell.jpg" in out
    assert "http://photos.example.net/a.jpg" in out and "1 upload copied" in out


def test_without_uploads_every_image_is_a_link_and_reported(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", "wordpress", WXR, "--site", site)
    assert code == 0
    assert not (site / "content/static").exists()
    _, body = front_matter(site / "content/posts/quina-jornada.md")
    assert "<img" not in body and "![" not in body
    assert "http://blog.example.cat/wp-content/uploads/2009/10/castell.gif" in out


def test_comment_archive_threads_statuses_languages_staff(imported: tuple[Path, str]) -> None:
    site, out = imported
    comments = archive(site / "content/comments/posts/quina-jornada.yaml")
    assert list(comments) == [1, 2, 3, 4, 5, 7, 8, 9]  # date order; spam (6) dropped
    for comment in comments.values():
        assert tuple(comment) == COMMENT_FIELDS
        assert comment["date"].utcoffset() == dt.timedelta(hours=2)  # written in the site's zone, Europe/Madrid
        assert comment["format"] == "html" and comment["imported"] == "wordpress"
    assert [comments[i]["parent"] for i in (1, 2, 3, 4)] == [None, 1, 2, 1]  # three deep
    assert comments[7]["parent"] is None  # its parent was spam: moved up to the thread
    assert {i: comments[i]["lang"] for i in (1, 2, 3, 4)} == {1: "ca", 2: "fr", 3: "es", 4: "en"}
    assert [i for i, c in comments.items() if c["staff"]] == [4]  # the author's reply, by user id and e-mail
    assert comments[5]["type"] == "pingback" and comments[1]["type"] == comments[2]["type"] == "comment"
    assert comments[8]["status"] == "pending"
    assert all(comments[i]["status"] == "approved" for i in (1, 2, 3, 4, 5, 7, 9))
    assert comments[1]["author_url"] == "http://pere.example.cat/" and comments[2]["author_url"] is None
    assert comments[1]["date"] == dt.datetime(2009, 10, 20, 8, 14, tzinfo=dt.timezone.utc)
    assert "8 approved, 1 pending, 1 spam" in out and "dropped 1: comments marked spam" in out
    assert "by language: ca 3, en 3, es 1, fr 1, und 1" in out
    assert list(archive(site / "content/comments/posts/second-post.yaml")) == [21]


def test_xss_in_comments_is_sanitized(imported: tuple[Path, str]) -> None:
    site, _ = imported
    evil = archive(site / "content/comments/posts/quina-jornada.yaml")[9]
    assert evil["author"] == "Mallory" and evil["author_url"] is None
    tree = html5lib.parse(evil["body"], treebuilder="etree", namespaceHTMLElements=False)
    tags = {el.tag for el in tree.iter()}
    assert not tags & {"script", "iframe", "svg", "img", "object", "embed"}
    for el in tree.iter():
        assert not any(name.startswith("on") for name in el.attrib)
        assert "javascript" not in el.get("href", "")
    assert "Hello" in evil["body"]


def test_no_email_ip_or_user_agent_anywhere(imported: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    site, _ = imported
    assert_private(site)
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 0, err
    assert_private(site)  # the built pages and feeds too
    assert not any(b"SPAMWORD" in data for data in snapshot(site).values())


def test_reimport_is_byte_identical(imported: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    site, _ = imported
    before = snapshot(site)
    code, out, _ = run(capsys, "import", "wordpress", WXR, "--site", site, "--uploads", UPLOADS)
    assert code == 0 and snapshot(site) == before
    assert "files: 0 created, 0 changed, 7 unchanged, 0 kept as edited on the site, 0 skipped" in out
    assert "comments merged: 0 new, 0 updated from the export" in out
    assert len(archive(site / "content/comments/posts/quina-jornada.yaml")) == 8


def test_hand_edits_are_kept_unless_force(imported: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    site, _ = imported
    post = site / "content/posts/quina-jornada.md"
    imported_bytes = post.read_bytes()
    post.write_text(post.read_text(encoding="utf-8").replace("plena", "molt plena"), encoding="utf-8")
    edited = post.read_bytes()
    code, out, _ = run(capsys, "import", "wordpress", WXR, "--site", site, "--uploads", UPLOADS)
    assert code == 0 and post.read_bytes() == edited
    assert ("kept content/posts/quina-jornada.md: edited by hand since the last import; the export would change: "
            "body (--force-path content/posts/quina-jornada.md to overwrite it)") in out
    code, out, _ = run(capsys, "import", "wordpress", WXR, "--site", site, "--uploads", UPLOADS, "--force")
    assert code == 0 and post.read_bytes() == imported_bytes and "1 changed" in out
    assert "overwritten content/posts/quina-jornada.md (--force)" in out


def test_existing_hand_written_file_is_not_replaced(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = site / "content/pages/qui-som.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("---\ntitle: Qui som (la meva)\n---\nEl meu text.\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", "wordpress", WXR, "--site", site)
    assert code == 0 and "El meu text" in mine.read_text(encoding="utf-8")
    assert ("kept content/pages/qui-som.md: exists and was not written by an import; the export would change: "
            "title, imported, body") in out


def canonical(page: Path) -> list[str]:
    """The site paths a page names as its canonical address (a redirect names the page it leads to)."""
    tree = html5lib.parse(page.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    return [urlsplit(link.get("href", "")).path for link in tree.iter("link") if link.get("rel") == "canonical"]


def migrated_by_hand(site: Path, *aliases: str) -> None:
    """content/posts/our-day.md, a post the site's owner migrated by hand, keeping ``aliases``."""
    mine = site / "content/posts/our-day.md"
    mine.parent.mkdir(parents=True)
    mine.write_text(f"---\ntitle: Our day at the museum\ndate: 2009-10-20\naliases: [{', '.join(aliases)}]\n---\n"
                    "Written by hand.\n", encoding="utf-8")


def test_an_old_address_the_site_already_serves_stays_with_its_file(site: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A post migrated by hand under another name keeps its old WordPress address as an alias; importing the
    export must not give the imported copy the same address (the build refused the two redirects)."""
    migrated_by_hand(site, "/2009/10/quina-jornada/")
    code, out, err = run(capsys, "import", "wordpress", WXR, "--site", site)
    assert code == 0, err
    assert ("note: the old address /2009/10/quina-jornada/ already leads to content/posts/our-day.md: "
            "content/posts/quina-jornada.md is imported without it") in out
    front, _ = front_matter(site / "content/posts/quina-jornada.md")
    assert "/2009/10/quina-jornada/" not in front.get("aliases", [])
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 0, err
    assert canonical(site / "_site/2009/10/quina-jornada/index.html") == ["/posts/our-day/"]
    assert (site / "_site/posts/quina-jornada/index.html").is_file()


def test_an_imported_post_gets_another_slug_when_its_new_address_is_an_alias_of_the_site(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A post migrated by hand keeps the address the import would give another post: the import takes the next
    slug, the report says so, and the site builds (two files writing one page was a build error)."""
    migrated_by_hand(site, "/posts/quina-jornada/", "/posts/quina-jornada-2/")
    code, out, err = run(capsys, "import", "wordpress", WXR, "--site", site)
    assert code == 0, err
    notes = [line for line in out.splitlines() if "already leads to content/posts/our-day.md" in line]
    assert notes == [("  note: the address /posts/quina-jornada/ already leads to content/posts/our-day.md: the post is "
                      "imported as content/posts/quina-jornada-3.md")], out
    assert not (site / "content/posts/quina-jornada.md").exists()
    assert not (site / "content/posts/quina-jornada-2.md").exists()
    front, _ = front_matter(site / "content/posts/quina-jornada-3.md")
    assert "/2009/10/quina-jornada/" in front.get("aliases", [])
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 0, err
    assert canonical(site / "_site/posts/quina-jornada/index.html") == ["/posts/our-day/"]
    assert canonical(site / "_site/2009/10/quina-jornada/index.html") == ["/posts/quina-jornada-3/"]


def test_an_old_address_the_site_serves_in_another_spelling_stays_with_its_file(
        site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The hand-written alias spells the accent decomposed (as macOS writes it) and in capitals; the export
    composed, percent-encoded. One file on macOS and Windows: the build refuses two redirects to it."""
    migrated_by_hand(site, "/2009/10/Quina-Jornada-Me\u0300s/")
    export = tmp_path / "accent.xml"
    data = WXR.read_bytes()
    old = b"<link>http://blog.example.cat/2009/10/quina-jornada/</link>"
    assert old in data
    export.write_bytes(data.replace(old, b"<link>http://blog.example.cat/2009/10/quina-jornada-m%C3%A8s/</link>"))
    code, out, err = run(capsys, "import", "wordpress", export, "--site", site)
    assert code == 0, err
    assert "content/posts/quina-jornada.md is imported without it" in out, out
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 0, err
    assert (site / "_site/posts/quina-jornada/index.html").is_file()


@pytest.mark.parametrize(("old", "new"), [
    (b'src="http://blog.example.cat/wp-content/uploads/2008/01/vell.jpg"',
     b'src="http://blog.ex]ample.cat/wp-content/uploads/2008/01/vell.jpg"'),  # an image's host
    (b"<link>http://blog.example.cat/2009/11/segon/</link>", b"<link>http://[blog/2009/11/segon/</link>"),  # a link
    (b"<wp:base_site_url>http://blog.example.cat</wp:base_site_url>",
     b"<wp:base_site_url>http://[blog.example.cat</wp:base_site_url>"),  # the old site's address
])
def test_a_damaged_address_in_the_export_is_not_a_traceback(site: Path, tmp_path: Path, old: bytes, new: bytes,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Python refuses "http://[x/" as a URL (an unclosed IPv6 host); the import keeps such an address as text
    it cannot follow, and the site builds (found by the WordPress import fuzzer)."""
    data = WXR.read_bytes()
    assert old in data
    export = tmp_path / "damaged.xml"
    export.write_bytes(data.replace(old, new))
    code, _, err = run(capsys, "import", "wordpress", export, "--site", site)
    assert code == 0, err
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 0, err


def test_dry_run_writes_nothing(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(site)
    code, out, _ = run(capsys, "import", "wordpress", WXR, "--site", site, "--uploads", UPLOADS, "--dry-run")
    assert code == 0 and snapshot(site) == before and not (site / MANIFEST).exists()
    assert out.startswith("Would import")
    assert "would be created content/posts/quina-jornada.md" in out
    assert "would be created content/comments/posts/quina-jornada.yaml" in out


def test_imported_site_builds(imported: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    site, _ = imported
    code, _out, err = run(capsys, "build", "--site", site)
    assert code == 0, err
    page = html5lib.parse((site / "_site/posts/quina-jornada/index.html").read_bytes(), treebuilder="etree",
                          namespaceHTMLElements=False)
    images = [img.get("src", "") for img in page.iter("img")]
    assert images and all(src.startswith("/uploads/") for src in images)
    assert (site / "_site/uploads/2009/10/castell.gif").is_file()
    assert not (site / "_site/posts/esborrany").exists()  # the draft is not published


# refused and broken exports

DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY boom "BOOM">]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>&boom;</title>
<wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item></channel></rss>
"""


def test_doctype_is_refused_and_nothing_written(site: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "doctype.xml"
    export.write_bytes(DOCTYPE)
    before = snapshot(site)
    code, _out, err = run(capsys, "import", "wordpress", export, "--site", site)
    assert code == 1 and snapshot(site) == before
    assert f"{export}:2: the file declares a DOCTYPE" in err and "Traceback" not in err


def test_truncated_export_names_its_line(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "cut.xml"
    export.write_bytes(WXR.read_bytes()[:3000])
    code, _, err = run(capsys, "import", "wordpress", export, "--site", site)
    line = WXR.read_bytes()[:3000].count(b"\n") + 1
    assert code == 1 and f"{export}:{line}: malformed XML" in err and "download the export again" in err
    assert not (site / MANIFEST).exists()


NESTED = b"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wp="https://wordpress.org/export/1.2/" xmlns:old="http://wordpress.org/export/1.0/">
<channel><wp:base_site_url>http://wp.example</wp:base_site_url>
<item><title>Nested</title><content:encoded><![CDATA[A <![CDATA[ nested ]]> section]]></content:encoded>
<old:post_name>nested</old:post_name><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<wp:post_date_gmt>2012-01-05 14:30:46</wp:post_date_gmt>
<wp:post_id xmlns:wp="http://example.com/fake/">999</wp:post_id></item></channel></rss>
"""


def test_nested_cdata_recovers_and_namespaces_match_by_uri(tmp_path: Path) -> None:
    export = tmp_path / "nested.xml"
    export.write_bytes(NESTED)
    item = read_wxr(export, "nested.xml").items[0]
    assert item.content == "A <![CDATA[ nested ]]> section"
    assert item.post_name == "nested"  # the 1.0 namespace under another prefix
    assert item.post_id == ""  # "wp:" bound to a fake namespace is not WordPress's


# the shared corpora



@pytest.mark.parametrize("export", shared_files("corpora/wxr", "*.xml", slow={"wpimporter-theme-unit-test-data.xml"}))
def test_corpus_export_imports_and_builds(export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert run(capsys, "init", site)[0] == 0
    code, _out, err = run(capsys, "import", "wordpress", export, "--site", site)
    if export.name == "wpimporter-malformed-simple.xml":
        assert code == 1 and f"{export}:14: malformed XML" in err and "Traceback" not in err
        assert not (site / MANIFEST).exists()
        return
    assert code == 0, err
    written = snapshot(site)
    for rel, data in written.items():
        if rel.startswith("content/") and rel.endswith(".md"):
            assert not re.search(rb"\[/?(caption|gallery|embed|youtube|audio|video)\b", data), rel
        if rel.startswith("content/comments/"):
            for comment in archive(site / rel).values():
                assert tuple(comment) == COMMENT_FIELDS and comment["status"] in ("approved", "pending")
    assert run(capsys, "import", "wordpress", export, "--site", site)[0] == 0
    assert snapshot(site) == written  # idempotent on real exports too
    code, _, err = run(capsys, "build", "--site", site, "--drafts")
    assert code == 0, err


def test_corpus_crazy_cdata_oracle_values() -> None:
    export = shared("corpora", "wxr", "wpimporter-crazy-cdata.xml")
    assert read_wxr(export, export.name).items[0].content == "Content with nested <![CDATA[ tags ]]> :)"
    from museumsite.importers.xmlread import read_xml, text_of

    values = [text_of(el) for el in read_xml(export, export.name).iter() if el.tag.endswith("}meta_value")]
    assert values == ["Foo", "]]>", "This has <![CDATA[ opening and ]]> closing <![CDATA[ tags like this: ]]>"]


def test_corpus_theme_unit_test_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    run(capsys, "init", site)
    code, out, _ = run(capsys, "import", "wordpress", shared("corpora", "wxr", "wpimporter-theme-unit-test-data.xml"),
                       "--site", site)
    assert code == 0 and "30 approved, 3 pending" in out
    chain = archive(site / "content/comments/posts/template-comments.yaml")
    assert chain[914]["parent"] == 913 and chain[905]["parent"] == 904  # the ten-level reply chain
    mentions = archive(site / "content/comments/posts/template-pingbacks-an-trackbacks.yaml").values()
    assert sorted(c["type"] for c in mentions if c["type"] != "comment") == ["pingback", "pingback", "trackback",
                                                                               "trackback"]
    assert_private(site / "content")


@pytest.mark.parametrize("attack", shared_files("corpora/xml-attacks", "*.xml"))
def test_corpus_xml_attacks_refused(attack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    run(capsys, "init", site)
    before = snapshot(site)
    for source in ("wordpress", "disqus"):
        code, _out, err = run(capsys, "import", source, attack, "--site", site)
        assert code == 1 and "declares a DOCTYPE" in err and "Traceback" not in err
    assert snapshot(site) == before
    assert not list(site.rglob("*.tmp*"))
    shutil.rmtree(site)


# XSS through the post-body path: sanitizer, then Markdown, then the site's Markdown converter

def _rendered_body(payload: str) -> str:
    from museumsite.importers.wordpress.importer import convert_post
    from museumsite.importers.wordpress.wphtml import Notes
    from museumsite.markup.extensions import BUILT_IN

    body = convert_post(payload, {}, "http://old.example", None, Notes())
    return markdown.markdown(body, extensions=[e for e in BUILT_IN if e != "codehilite"])


@pytest.mark.parametrize("payload", [*OWN_PAYLOADS, "&lt;script&gt;alert(1)&lt;/script&gt; as text",
                                     "<p>5 &lt; 6 &amp;&amp; <code>&lt;b&gt;</code></p>",
                                     '[caption caption="<script>x</script>"]<img src=x onerror=y>[/caption]',
                                     '[embed]javascript:alert(1)[/embed]',
                                     '<object data="javascript:alert(1)"></object>'])
def test_post_bodies_leak_nothing_after_markdown(payload: str) -> None:
    html = _rendered_body(payload)
    assert executable_constructs(html) == [], html
    assert "[caption" not in html and "[embed" not in html


def test_escaped_markup_in_post_text_stays_text() -> None:
    from museumsite.importers.wordpress.importer import convert_post
    from museumsite.importers.wordpress.wphtml import Notes

    # Markdown, not the HTML fallback: "<" and "&" escaped as entities in the Markdown text
    assert convert_post("<p>Use &lt;script&gt; carefully &amp; well</p>", {}, "", None, Notes()) == \
        "Use &lt;script&gt; carefully &amp; well"
    assert convert_post("Line one\nline two\n\n<pre>x < y\n\n  z</pre>", {}, "", None, Notes()) == \
        "Line one  \nline two\n\n```\nx < y\n\n  z\n```"
    html = _rendered_body("<p>Use &lt;script&gt; carefully &amp; well</p>")
    assert "&lt;script&gt;" in html and "<script" not in html and "&amp; well" in html


def test_corpus_xss_payloads_as_post_bodies() -> None:
    payloads = [p for path in sorted(shared("corpora", "xss").glob("patt-*.txt")) for p in corpus_payloads(path)]
    assert len(payloads) > 500
    failures = {p: found for p in payloads if (found := executable_constructs(_rendered_body(p)))}
    assert not failures, list(failures.items())[:3]


@pytest.mark.parametrize("payload", OWN_PAYLOADS)
def test_comment_records_leak_nothing(payload: str) -> None:
    from museumsite.importers.records import Languages, comment_record

    record = comment_record(id=1, parent=None, author=payload, author_url=payload,
                            date=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), status="approved",
                            type="comment", staff=False, body_html=payload, languages=Languages(("en", "fr")),
                            source="wordpress")
    assert executable_constructs(record["body"]) == []
    assert not re.search(r"<[a-zA-Z/!]", record["author"])  # no markup left in a name
    assert record["author_url"] is None or record["author_url"].startswith(("http://", "https://"))


def test_bad_uploads_folder_is_a_usage_error(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "import", "wordpress", WXR, "--site", site, "--uploads", site / "nope")
    assert code == 2 and "--uploads" in err and not (site / MANIFEST).exists()


def test_import_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["import", "--help"], ["import", "wordpress", "--help"], ["import", "disqus", "--help"]):
        assert run(capsys, *argv)[0] == 0


def test_blocks_markdown_cannot_say_stay_html_and_old_site_images_become_links() -> None:
    from museumsite.importers.wordpress.importer import convert_post
    from museumsite.importers.wordpress.wphtml import Notes

    notes = Notes()
    body = convert_post('<em>One</em>\n\n<table><tr><td>cell</td></tr></table>\n\n<img src="/theme/a.png" alt="A">',
                        {}, "http://old.example/blog", None, notes)
    first, table, image = body.split("\n\n")
    assert first == "*One*" and table.startswith("<table>") and "<td>cell</td>" in table
    assert image == "[A](http://old.example/blog/theme/a.png)"
    assert notes.images_linked == ["http://old.example/blog/theme/a.png"]
