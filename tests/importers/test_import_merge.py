"""Later imports merge with what the site decided (issue 16 items 1 to 4), one rule at a time.

Each test imports the journey's exports (tests/fixtures/import/journey) through the command line into
a real site and reads back the files, the report and the built pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from museumsite.importers.contentfile import MANIFEST

from support import (
    JOURNEY,
    JOURNEY_DISQUS,
    SMALL_SITE,
    UPLOADS,
    VISIT,
    WXR_2019,
    MakeSite,
    comments_of,
    front_matter,
    import_,
    parse_html,
    run,
    walk,
)

CONFIG = """\
title: Le musée
base_url: https://musee.example.org/
language: en
languages: [en, fr, ca, es]
timezone: Europe/Paris
"""


@pytest.fixture(scope="module")
def first_import(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site after the first WordPress import, copied by each test (an import takes a second)."""
    from museumsite.cli import main

    root = tmp_path_factory.mktemp("first") / "site"
    (root / "content").mkdir(parents=True)
    (root / "museumsite.yaml").write_text(CONFIG, encoding="utf-8")
    assert main(["import", "wordpress", str(WXR_2019), "--site", str(root), "--uploads", str(UPLOADS)]) == 0
    return root


@pytest.fixture
def site(first_import: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(first_import, tmp_path / "site"))


def later_export(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """The first export as the old blog would give it again after the given edits."""
    text = WXR_2019.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "again.wxr.xml"
    path.write_text(text, encoding="utf-8")
    return path


# -- item 1: merge, never clobber ---------------------------------------------------------------------


def test_moderation_on_the_site_does_not_make_imports_skip_the_archive(site: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "comments", "approve", "posts/visite-nocturne#2", "--site", site)[0] == 0
    assert run(capsys, "comments", "add", JOURNEY / "comment.json", "--site", site)[0] == 0
    out = import_(capsys, site, WXR_2019)  # asserts '0 skipped'
    assert "posts/visite-nocturne#2: approved on the site, pending in the export: stays approved" in out
    out = import_(capsys, site, JOURNEY_DISQUS)
    comments, _ = comments_of(site)
    assert comments[2]["status"] == "approved" and comments[5]["author"] == "Ana Ribes"
    assert {2001, 2002, 7} <= set(comments)  # Disqus merged in although the archive was moderated
    assert "imported" not in comments[5] and comments[5]["status"] == "pending"


def test_a_rejected_comment_never_comes_back(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "comments", "reject", "posts/visite-nocturne#3", "--site", site)
    assert code == 0 and "wordpress:3 remembered in 'rejected:'" in out
    text = (site / VISIT).read_text(encoding="utf-8")
    assert "Spammy" not in text and "cheap watches" not in text  # remembered without its content
    for force in ([], ["--force"]):
        code, out, _ = run(capsys, "import", "wordpress", WXR_2019, "--site", site, *force)
        assert code == 0 and "wordpress:3 was rejected on the site: not brought back" in out
        comments, rejected = comments_of(site)
        assert 3 not in comments and rejected == ["wordpress:3"]
    assert run(capsys, "build", "--site", site)[0] == 0


def test_rejecting_a_comment_written_on_the_site_remembers_nothing(site: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "comments", "add", JOURNEY / "comment.json", "--site", site)[0] == 0
    code, out, _ = run(capsys, "comments", "reject", "posts/visite-nocturne#5", "--site", site)
    assert code == 0 and "remembered" not in out
    assert comments_of(site)[1] == []


def test_pending_becomes_approved_when_the_export_says_so(site: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    pending = "con los niños.]]></wp:comment_content>\n\t\t\t<wp:comment_approved><![CDATA[0]]>"
    export = later_export(tmp_path, (pending, pending.replace("[0]", "[1]")))
    assert comments_of(site)[0][4]["status"] == "pending"
    assert run(capsys, "import", "wordpress", export, "--site", site)[0] == 0
    assert comments_of(site)[0][4]["status"] == "approved"
    assert run(capsys, "import", "wordpress", WXR_2019, "--site", site)[0] == 0  # the older export again
    assert comments_of(site)[0][4]["status"] == "approved"  # approval is never taken back


def test_comment_content_follows_the_export_unless_edited_on_the_site(site: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    archive = site / VISIT
    archive.write_text(archive.read_text(encoding="utf-8").replace("les enfants ont adoré",
                                                                   "nos enfants ont adoré"), encoding="utf-8")
    export = later_export(tmp_path, ("les enfants ont adoré la visite", "les petits ont adoré la visite"),
                          ("nos encantó ver el museo", "nos gustó mucho ver el museo"))
    code, out, _ = run(capsys, "import", "wordpress", export, "--site", site)
    assert code == 0 and "posts/visite-nocturne#1: edited on the site: kept as edited" in out
    comments, _ = comments_of(site)
    assert "nos enfants ont adoré" in comments[1]["body"]  # the site's edit stays
    assert "nos gustó mucho" in comments[4]["body"]  # the site left this one alone: the export's new text
    assert "comments merged: 0 new, 1 updated" in out


def test_force_path_overwrites_only_what_it_names(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    imported = {name: (site / name).read_bytes() for name in ("content/posts/visite-nocturne.md",
                                                             "content/pages/a-propos.md")}
    for name in imported:
        path = site / name
        path.write_text(path.read_text(encoding="utf-8").replace("musée", "Musée"), encoding="utf-8")
    run(capsys, "comments", "approve", "posts/visite-nocturne#2", "--site", site)
    code, out, _ = run(capsys, "import", "wordpress", WXR_2019, "--site", site, "--uploads", UPLOADS, "--force-path",
                       site / "content/posts/visite-nocturne.md")
    assert code == 0
    assert "overwritten content/posts/visite-nocturne.md (--force)" in out
    assert (site / "content/posts/visite-nocturne.md").read_bytes() == imported["content/posts/visite-nocturne.md"]
    assert ("kept content/pages/a-propos.md: edited by hand since the last import; the export would change: "
            "body (--force-path content/pages/a-propos.md to overwrite it)") in out
    assert b"Mus\xc3\xa9e" in (site / "content/pages/a-propos.md").read_bytes()
    code, out, _ = run(capsys, "import", "wordpress", WXR_2019, "--site", site, "--uploads", UPLOADS, "--force")
    assert code == 0 and "overwritten content/pages/a-propos.md (--force)" in out
    assert comments_of(site)[0][2]["status"] == "approved"  # --force never touches moderation


def test_a_file_deleted_by_hand_stays_deleted(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "content/pages/a-propos.md").unlink()
    code, out, _ = run(capsys, "import", "wordpress", WXR_2019, "--site", site)
    assert code == 0 and not (site / "content/pages/a-propos.md").exists()
    assert "kept content/pages/a-propos.md: deleted by hand since the last import: it stays deleted" in out


def test_an_archive_of_an_earlier_version_is_adopted_without_duplicates(site: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Written before 'imported:' marks and in UTC, recorded by a version 1 manifest: merged, not doubled."""
    archive = site / VISIT
    data = yaml.safe_load(archive.read_text(encoding="utf-8"))
    for comment in data["comments"]:
        del comment["imported"]
        comment["date"] = comment["date"].astimezone(dt.timezone.utc)
    from museumsite.importers.contentfile import dump_yaml

    archive.write_text(dump_yaml(data), encoding="utf-8")
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    manifest = {"version": 1, "files": {**manifest["files"], VISIT: hashlib.sha256(archive.read_bytes()).hexdigest()}}
    (site / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert run(capsys, "import", "wordpress", WXR_2019, "--site", site)[0] == 0
    comments, _ = comments_of(site)
    assert sorted(comments) == [1, 2, 3, 4]
    assert all(c["imported"] == "wordpress" and c["date"].utcoffset() == dt.timedelta(hours=1)
               for c in comments.values())


def test_the_build_reads_imported_and_rejected(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    archive = """
        comments:
          - id: 7
            author: Ada
            date: 2024-05-11 09:00:00+02:00
            imported: disqus
            body: Hello.
        rejected: ["wordpress:12", "disqus:99"]
        """
    root = make_site({**SMALL_SITE, "content/comments/posts/hello.yaml": archive})
    code, _, err = run(capsys, "build", "--site", root)
    assert code == 0, err
    bad = archive.replace("imported: disqus", "imported: blogger").replace('"disqus:99"', '"twitter:1"')
    (root / "content/comments/posts/hello.yaml").write_text(bad.replace("\n        ", "\n").lstrip(), encoding="utf-8")
    code, _, err = run(capsys, "build", "--site", root)
    assert code == 1
    assert "content/comments/posts/hello.yaml:5: 'imported' is 'blogger'" in err
    assert "content/comments/posts/hello.yaml:7: 'rejected' holds 'twitter:1'" in err


# -- item 2: the language of posts and pages ----------------------------------------------------------


def test_each_post_gets_the_language_it_is_written_in(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    langs = {name: front_matter(site / f"content/{name}.md")[0].get("lang")
             for name in ("posts/visite-nocturne", "posts/nit-dels-museus", "posts/petit-mot", "pages/a-propos")}
    # French blog (<language>fr-FR</language>), a Catalan post, a post too short to tell: the export's language.
    assert langs == {"posts/visite-nocturne": "fr", "posts/nit-dels-museus": "ca", "posts/petit-mot": "fr",
                     "pages/a-propos": "fr"}
    assert run(capsys, "build", "--site", site)[0] == 0
    page = (site / "_site/ca/posts/nit-dels-museus/index.html").read_bytes()
    assert parse_html(page).get("lang") == "ca"
    assert "Publicat" in page.decode("utf-8")  # the Catalan interface ("Published")
    assert not (site / "_site/posts/nit-dels-museus").exists()
    # The old permalink still leads there.
    assert (site / "_site/2019/03/nit-dels-museus/index.html").is_file()


def test_a_language_the_site_does_not_list_is_never_written(make_site: MakeSite,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(config=CONFIG.replace("[en, fr, ca, es]", "[en, ca]"))
    code, out, err = run(capsys, "import", "wordpress", WXR_2019, "--site", root)
    assert code == 0
    # A warning, printed as every importer's are: on stderr, naming the export.
    assert (f"{WXR_2019}: warning: 3 posts or pages in French (fr), which museumsite.yaml does not list: imported as "
            "English; to publish them in French, write 'languages: [en, ca, fr]' in museumsite.yaml and import "
            "again") in err
    assert "1 warning" in out
    assert "lang" not in front_matter(root / "content/posts/visite-nocturne.md")[0]
    assert front_matter(root / "content/posts/nit-dels-museus.md")[0]["lang"] == "ca"
    assert run(capsys, "build", "--site", root)[0] == 0
    config = root / "museumsite.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("[en, ca]", "[en, ca, fr]"), encoding="utf-8")
    assert run(capsys, "import", "wordpress", WXR_2019, "--site", root)[0] == 0
    assert front_matter(root / "content/posts/visite-nocturne.md")[0]["lang"] == "fr"


# -- item 3: comment times in the site's time zone ----------------------------------------------------


def test_comment_times_are_local_on_the_page(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "build", "--site", site)[0] == 0
    page = parse_html((site / "_site/fr/posts/visite-nocturne/index.html").read_bytes())
    times = {el.get("datetime"): "".join(el.itertext()) for el in walk(page) if el.tag == "time"}
    assert times["2019-03-15T22:10:00+01:00"] == "15 mars 2019, 22:10"  # 21:10 UTC


def test_a_hand_written_archive_in_utc_is_shown_in_the_site_zone(make_site: MakeSite,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({**SMALL_SITE, "content/comments/posts/hello.yaml": """
        comments:
          - id: 1
            author: Ada
            date: 2024-05-11 07:00:00+00:00
            body: Morning in Paris.
        """})
    assert run(capsys, "build", "--site", root)[0] == 0
    page = parse_html((root / "_site/posts/hello/index.html").read_bytes())
    times = {el.get("datetime"): "".join(el.itertext()) for el in walk(page) if el.tag == "time"}
    assert "2024-05-11T09:00:00+02:00" in times and "9:00" in times["2024-05-11T09:00:00+02:00"]


# -- item 4: links to the old site --------------------------------------------------------------------


def test_links_to_old_permalinks_lead_to_content_files(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, visit = front_matter(site / "content/posts/visite-nocturne.md")
    assert "[la nuit des musées en catalan](../posts/nit-dels-museus.md)" in visit
    assert "[un petit mot](../posts/petit-mot.md)" in visit  # a '?p=30' link, by its WordPress id
    assert "[plan du château](../static/uploads/2009/10/castell.gif)" in visit  # the copied upload
    assert "(http://blog.musee.example/tag/nuit/)" in visit  # no entry there: left for check to report
    assert "(../posts/visite-nocturne.md)" in front_matter(site / "content/posts/nit-dels-museus.md")[1]  # https, no /
    assert "(../posts/visite-nocturne.md)" in front_matter(site / "content/pages/a-propos.md")[1]
    out = import_(capsys, site, WXR_2019)
    assert "links to the old site rewritten: 4 to imported entries' content files, 1 to copied uploads" in out


def test_links_to_entries_imported_earlier_and_in_comments(site: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    later = tmp_path / "later.wxr.xml"
    text = WXR_2019.read_text(encoding="utf-8")
    head = text.split("\t<item>", 1)[0]
    later.write_text(head + """\t<item>
\t\t<title>Encore</title>
\t\t<link>http://blog.musee.example/2019/05/encore/</link>
\t\t<content:encoded><![CDATA[Revoir <a href="http://www.blog.musee.example/2019/03/visite-nocturne#comment-1">
la visite</a>.]]></content:encoded>
\t\t<wp:post_id>60</wp:post_id>
\t\t<wp:post_date_gmt><![CDATA[2019-05-01 10:00:00]]></wp:post_date_gmt>
\t\t<wp:post_name><![CDATA[encore]]></wp:post_name>
\t\t<wp:status><![CDATA[publish]]></wp:status>
\t\t<wp:post_type><![CDATA[post]]></wp:post_type>
\t</item>
</channel>
</rss>
""", encoding="utf-8")
    assert run(capsys, "import", "wordpress", later, "--site", site)[0] == 0
    assert "[la visite](../posts/visite-nocturne.md#comment-1)" in front_matter(site / "content/posts/encore.md")[1]
    out = import_(capsys, site, JOURNEY_DISQUS)
    assert "1 in comments" in out
    body = comments_of(site)[0][2001]["body"]
    assert 'href="https://musee.example.org/ca/posts/nit-dels-museus/"' in body
    assert "blog.musee.example" not in body


def test_check_warns_about_links_to_the_old_site(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--links", "--site", site)
    lines = [line for line in out.splitlines() if "old-site" in line]
    assert len(lines) == 1 and code == 0  # a warning
    path, line = lines[0].split(":")[:2]
    assert path == "content/posts/visite-nocturne.md"
    assert "http://blog.musee.example/tag/nuit/" in (site / path).read_text(encoding="utf-8").split("\n")[int(line) - 1]
    code, _, _ = run(capsys, "check", "--links", "--strict", "--site", site)
    assert code == 1


def _record(ident: int, author: str, hour: int, source: str | None, parent: int | None = None) -> dict[str, object]:
    record: dict[str, object] = {"id": ident, "parent": parent, "author": author, "author_url": None,
                                 "date": dt.datetime(2019, 4, 1, hour, 30, tzinfo=dt.timezone.utc), "lang": "fr",
                                 "status": "approved", "type": "comment", "staff": False, "format": "html",
                                 "body": f"<p>{author}</p>\n"}
    if source:
        record["imported"] = source
    return record


@pytest.mark.parametrize("answered", [False, True], ids=["switched", "answered-on-the-site"])
def test_the_same_comment_from_two_sources_keeps_wordpress_unless_the_site_answered_it(answered: bool) -> None:
    """Disqus's 2001 came first; WordPress's 8 is its copy. WordPress's record wins, whatever the order, unless
    a comment written on the site replies to 2001: then 2001 stays, so that the reply keeps its parent."""
    from museumsite.importers.archivemerge import Memory, digest, merge

    disqus = _record(2001, "Anne", 18, "disqus")
    reply = _record(5, "Ana", 20, None, parent=2001)
    existing = [disqus, reply] if answered else [disqus]
    merged = merge(existing, [], [_record(8, "Anne", 18, "wordpress")], "wordpress",
                   Memory(digests={"disqus:2001": digest(disqus)}))
    ids = {c["id"]: c for c in merged.comments}
    if answered:
        assert set(ids) == {2001, 5}
        assert ids[5]["parent"] == 2001 and ids[2001]["imported"] == "disqus"
        assert merged.duplicates == {"wordpress:8": "disqus:2001"}
    else:
        assert set(ids) == {8} and ids[8]["imported"] == "wordpress"
        assert merged.duplicates == {"disqus:2001": "wordpress:8"}
    assert len(merged.merged) == 1
