"""``museumsite import disqus``: threads matched to entries by URL, merged with WordPress comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from museumsite.importers.contentfile import COMMENT_FIELDS, MANIFEST

from support import (
    IMPORT_FIXTURES,
    UPLOADS,
    WORDPRESS_CONFIG,
    WXR,
    MakeSite,
    archive,
    assert_private,
    run,
    shared,
    snapshot,
)

DISQUS = IMPORT_FIXTURES / "comments.disqus.xml"


@pytest.fixture
def site(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> Path:
    """Our WordPress export imported first, as a blog leaving WordPress+Disqus would do."""
    root = make_site({}, config=WORDPRESS_CONFIG)
    assert run(capsys, "import", "wordpress", WXR, "--site", root, "--uploads", UPLOADS)[0] == 0
    return root


def test_threads_match_old_urls_and_merge_in_date_order(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "import", "disqus", DISQUS, "--site", site, "--staff", "martavidal")
    assert code == 0, err
    # https + www + no trailing slash matched the alias /2009/10/quina-jornada/ of the post
    comments = archive(site / "content/comments/posts/quina-jornada.yaml")
    assert list(comments) == [1, 2, 3, 4, 5, 7, 8, 9, "disqus-3", 5002, 5003]
    assert all(tuple(c) == COMMENT_FIELDS for c in comments.values())
    dates = [c["date"] for c in comments.values()]
    assert dates == sorted(dates)
    assert comments[3]["author"] == "Lucía Fernández"  # WordPress's comment 3 kept its id...
    assert comments["disqus-3"]["author"] == "Jordi Soler"  # ...so Disqus's 3 got a prefixed one
    assert comments["disqus-3"]["lang"] == "ca" and comments[5002]["lang"] == "fr"
    assert comments[5002]["parent"] is None  # a reply to a deleted post: attached to the thread
    assert comments[5003]["parent"] == 5002 and comments[5003]["staff"] is True
    assert comments[5002]["staff"] is False
    # a query string and a fragment on the old URL of the second post
    second = archive(site / "content/comments/posts/second-post.yaml")
    assert list(second) == [21, 5005] and "<script" not in second[5005]["body"]
    assert second[5005]["author"] == "Bob" and second[5005]["status"] == "approved"
    assert "1 thread matched no entry" in out and "http://blog.example.cat/2012/01/never-existed/" in out
    assert "dropped 1: deleted posts" in out and "dropped 1: spam posts" in out
    assert_private(site)


def test_staff_needs_a_named_account(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "import", "disqus", DISQUS, "--site", site)[0] == 0
    comments = archive(site / "content/comments/posts/quina-jornada.yaml")
    assert [i for i, c in comments.items() if c["staff"]] == [4]  # only WordPress's author reply


def test_reimports_in_any_order_change_nothing(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "import", "disqus", DISQUS, "--site", site)
    before = snapshot(site)
    code, out, _ = run(capsys, "import", "disqus", DISQUS, "--site", site)
    assert code == 0 and snapshot(site) == before and "0 changed, 2 unchanged" in out
    assert run(capsys, "import", "wordpress", WXR, "--site", site, "--uploads", UPLOADS)[0] == 0
    assert snapshot(site) == before  # WordPress again keeps the merged Disqus comments
    assert len(archive(site / "content/comments/posts/quina-jornada.yaml")) == 11


def test_dry_run_and_hand_edited_archive(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(site)
    code, out, _ = run(capsys, "import", "disqus", DISQUS, "--site", site, "--dry-run")
    assert code == 0 and snapshot(site) == before
    assert "would be changed content/comments/posts/quina-jornada.yaml" in out
    path = site / "content/comments/posts/second-post.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: approved", "status: pending"),
                    encoding="utf-8")
    code, out, _ = run(capsys, "import", "disqus", DISQUS, "--site", site)
    assert code == 0 and "skipped" not in out.split("files:")[1].split("\n", 1)[1]  # merged, not skipped (bug 1)
    merged = archive(path)
    assert list(merged) == [21, 5005] and merged[21]["status"] == "pending"  # the hand edit kept, Disqus added


NO_XMLNS = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="1"><link>http://www.example.org/posts/hello?ref=x#disqus_thread</link></thread>
  <thread dsq:id="2"><link>https://example.org/talks/opening/index.html</link></thread>
  <post dsq:id="7"><message>&lt;p&gt;Salut, très bon article sur les musées, merci beaucoup !&lt;/p&gt;</message>
    <createdAt>2024-06-01T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Zoé</name><isAnonymous>true</isAnonymous></author><thread dsq:id="1"/></post>
  <post dsq:id="8"><message>&lt;p&gt;Reply&lt;/p&gt;</message>
    <createdAt>2024-06-02T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name></name><username>kim</username><isAnonymous>false</isAnonymous></author>
    <thread dsq:id="2"/><parent dsq:id="404"/></post>
</disqus>
"""


def test_matches_current_urls_without_default_namespace(make_site: MakeSite, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from support import SMALL_SITE

    root = make_site(SMALL_SITE)  # base_url https://example.org/, no import before
    export = tmp_path / "d.xml"
    export.write_text(NO_XMLNS, encoding="utf-8")
    code, out, err = run(capsys, "import", "disqus", export, "--site", root)
    assert code == 0, err
    hello = archive(root / "content/comments/posts/hello.yaml")
    assert hello[7]["author"] == "Zoé" and hello[7]["lang"] == "fr"
    opening = archive(root / "content/comments/talks/opening.yaml")
    assert opening[8]["author"] == "kim" and opening[8]["parent"] is None  # a missing parent: the root
    assert "2 threads matched" in out
    assert run(capsys, "build", "--site", root)[0] == 0


def test_not_a_disqus_file(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({}, config=WORDPRESS_CONFIG)
    code, _, err = run(capsys, "import", "disqus", WXR, "--site", root)
    assert code == 1 and "not a Disqus export" in err and not (root / MANIFEST).exists()




@pytest.mark.parametrize("name", ["isso-disqus.xml", "pygameweb-disqus-sample.xml"])
def test_corpus_into_a_fresh_site(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    run(capsys, "init", site)
    code, out, err = run(capsys, "import", "disqus", shared("corpora", "disqus", name), "--site", site)
    assert code == 0, err
    assert "matched no entry" in out  # the corpora's URLs are not the new site's: listed, not fatal
    assert ("http://example.org/" in out) if name.startswith("isso") else ("http://example.com/project/1820/" in out)
    assert run(capsys, "build", "--site", site)[0] == 0


def test_corpus_pygameweb_threads_on_a_matching_site(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/pages/project/1820.md": "---\ntitle: Project 1820\n---\nA project.\n"},
                     config="title: P\nbase_url: https://www.example.com/\nlanguage: en\n")
    code, _, err = run(capsys, "import", "disqus", shared("corpora", "disqus", "pygameweb-disqus-sample.xml"), "--site", root)
    assert code == 0, err
    comments = archive(root / "content/comments/pages/project/1820.yaml")
    assert [(i, c["parent"]) for i, c in comments.items()] == [
        (194227070, None), (194229307, None), (194253320, 194229307), (194253444, 194253320)]
    assert comments[194227070]["body"] == "<p>Another message is here..</p>\n"  # entity-escaped HTML
    assert_private(root)


def test_corpus_isso_deleted_parent_and_orphans(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/pages/redacted.md": "---\ntitle: R\n---\nR.\n"},
                     config="title: P\nbase_url: https://example.org/\nlanguage: en\n")
    page = root / "content/pages/redacted.md"
    page.write_text("---\ntitle: R\naliases: [/blog/2013/02/12/redacted/]\n---\nR.\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", "disqus", shared("corpora", "disqus", "isso-disqus.xml"), "--site", root)
    assert code == 0
    comments = archive(root / "content/comments/pages/redacted.yaml")  # via its alias, index.html dropped
    assert list(comments) == [8]
    assert "dropped 1: posts in a thread missing from the export" in out and "dropped 1: deleted posts" in out
    assert_private(root)


def test_hand_written_archive_is_merged(make_site: MakeSite, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from support import SMALL_SITE

    root = make_site(SMALL_SITE)
    mine = root / "content/comments/posts/hello.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("comments:\n  - id: 1\n    author: Ada\n    date: 2024-05-11 09:00:00+02:00\n"
                    "    body: Hand-written.\n", encoding="utf-8")
    export = tmp_path / "d.xml"
    export.write_text(NO_XMLNS, encoding="utf-8")
    code, out, _ = run(capsys, "import", "disqus", export, "--site", root)
    assert code == 0 and "posts/hello: 1 comment written on the site, kept as written" in out
    merged = archive(mine)
    assert list(merged) == [1, 7] and merged[1]["body"] == "Hand-written." and "imported" not in merged[1]
    mine.write_text("comments: [unclosed\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", "disqus", export, "--site", root, "--force")
    assert code == 0 and "not a comment archive (invalid YAML)" in out
    assert mine.read_text(encoding="utf-8") == "comments: [unclosed\n"
