"""Under ``serve``, an edit of bodies alone starts from the previous build (``museumsite/bodyedit.py``).

Nothing is assembled, planned or hashed again: the previous build's checked site is the one
the next build starts from (the same object), only the edited bodies are converted, and only
what reads them is made again. What the session shows must still be, byte for byte, what a
clean build makes, wherever the edited text goes: the entry's page, the lists and feeds that
print it, event feeds, calendars and schedule exports for a talk, another language's pages
for a translation. An edit that changes what lists show of an entry (its summary) is a whole
build; so are problems in the edited text, which are reported as in any build.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from museumsite.build import CACHE_DIR, build
from museumsite.serve.server import DevServer

from support import SMALL_SITE, MakeSite, assert_shows_clean, clean_build, settle, shown


def _session(site: Path) -> DevServer:
    dev = DevServer(site)
    settle()
    dev.rebuild()
    return dev


def _append(site: Path, rel: str, text: str) -> None:
    path = site / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    settle()


def _started_from_the_last_build(dev: DevServer, edit: object) -> bool:
    """Whether the session's next build (after ``edit()``) started from the previous one's checked site."""
    before = dev.session.resident.snapshot.checked
    assert callable(edit)
    edit()
    dev.rebuild()
    return dev.session.resident.snapshot.checked is before


def test_a_post_body_edit_starts_from_the_last_build_and_shows_a_clean_build(
        make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    dev = _session(site)
    assert _started_from_the_last_build(dev, lambda: _append(site, "content/posts/hello.md", "\nA new ending.\n"))
    page = shown(dev, "posts/hello/index.html") or b""
    assert b"A new ending." in page
    clean = clean_build(site, tmp_path / "clean")
    assert_shows_clean(dev, clean, search=False)
    dev.catch_up()
    assert_shows_clean(dev, clean)


def test_talk_and_speaker_body_edits_reach_feeds_calendars_and_exports(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    dev = _session(site)

    def edit() -> None:
        _append(site, "content/talks/opening.md", "\nThe room was full & the questions long.\n")
        _append(site, "content/speakers/ada.md", "\nShe also wrote notes.\n")

    assert _started_from_the_last_build(dev, edit)
    clean = clean_build(site, tmp_path / "clean")
    changed = [rel for rel, data in clean.items() if b"questions long" in data]
    assert any(rel.endswith(".ics") for rel in changed) or any(rel.endswith(".json") for rel in changed), changed
    assert_shows_clean(dev, clean, search=False)


def test_a_translation_body_edit_shows_a_clean_build(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    dev = _session(site)
    assert _started_from_the_last_build(dev, lambda: _append(site, "content/posts/hello.fr.md", "\nEt la suite.\n"))
    assert b"Et la suite." in (shown(dev, "fr/posts/hello/index.html") or b"")
    assert_shows_clean(dev, clean_build(site, tmp_path / "clean"), search=False)


def test_an_edit_of_the_summary_is_a_whole_build_and_the_lists_show_it(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    dev = _session(site)
    post = site / "content/posts/second.md"

    def edit() -> None:  # the post has no <!--more-->: its first paragraph is its summary on every list
        post.write_text(post.read_text(encoding="utf-8").replace("Second.", "Second, rewritten."), encoding="utf-8")
        settle()

    assert not _started_from_the_last_build(dev, edit)
    assert b"Second, rewritten." in (shown(dev, "index.html") or b"")
    assert_shows_clean(dev, clean_build(site, tmp_path / "clean"), search=False)


def test_a_broken_link_in_an_edited_body_is_reported_and_its_fix_shows_a_clean_build(
        make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    dev = _session(site)
    good = shown(dev, "posts/hello/index.html")
    _append(site, "content/posts/hello.md", "\nSee [the missing talk](../talks/missing.md).\n")
    dev.rebuild()
    [problem] = dev.live.snapshot()[1]
    assert problem.path == "content/posts/hello.md" and "missing.md" in problem.message
    assert shown(dev, "posts/hello/index.html") == good  # the last good page stays
    post = site / "content/posts/hello.md"
    post.write_text(post.read_text(encoding="utf-8").replace("missing.md", "closing.md"), encoding="utf-8")
    settle()
    dev.rebuild()
    assert not dev.live.snapshot()[1]
    assert_shows_clean(dev, clean_build(site, tmp_path / "clean"), search=False)


def test_the_warnings_of_files_not_edited_are_still_reported(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE,
                      "content/posts/img.md": "---\ntitle: I\ndate: 2024-01-01\n---\nText.\n\n![](x.png)\n"})
    dev = _session(site)
    _append(site, "content/posts/second.md", "\nMore.\n")
    result = build(site, dev.output, in_place=True, resident=dev.session.resident)
    assert [(w.path, w.message) for w in result.warnings] == [("content/posts/img.md", "image without alt text")]
    assert result.rendered < result.pages  # started from the last build: the other pages were kept
    img = site / "content/posts/img.md"
    img.write_text(img.read_text(encoding="utf-8").replace("![](x.png)", "![a picture](x.png)"), encoding="utf-8")
    settle()
    result = build(site, dev.output, in_place=True, resident=dev.session.resident)
    assert result.warnings == ()


def test_the_record_of_what_pages_read_is_written_once_the_author_pauses(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    dev = _session(site)
    _append(site, "content/posts/hello.md", "\nWritten in a hurry.\n")
    dev.rebuild()
    dev.catch_up()  # the author paused: the search index and the record are brought up to date
    settle()
    result = build(site, dev.output)  # a plain build afterwards keeps every page the session made
    assert result.pages > 0 and result.rendered == 0 and not result.up_to_date


@pytest.mark.parametrize(("file", "old", "new"), [("hello", "title: Hello", "title: Hello again"),
                                                  ("second", "date: 2024-06-01", "date: 2024-05-01"),
                                                  ("second", "tags: [news]", "tags: []")], ids=["title", "date", "tag"])
def test_a_retitled_redated_or_retagged_post_under_serve_makes_again_only_what_shows_it(
        make_site: MakeSite, tmp_path: Path, file: str, old: str, new: str) -> None:
    """A title, a date or a tag is not a body: the session assembles the site again, then keeps (from memory)
    every page and feed that read none of the post's fields nor the lists it moved in, its variables the same
    (incremental/shape.py)."""
    site = make_site(SMALL_SITE)
    dev = _session(site)
    post = site / f"content/posts/{file}.md"
    assert old in post.read_text(encoding="utf-8")
    post.write_text(post.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    settle()
    result = build(site, dev.output, in_place=True, resident=dev.session.resident)
    assert 0 < result.rendered < result.pages and result.kept > result.rendered, result
    dev.rebuild()
    assert_shows_clean(dev, clean_build(site, tmp_path / "clean"), search=False)


def _rows(site: Path) -> set[str]:
    """The keys of the Markdown cache's rows (one per converted body)."""
    with contextlib.closing(sqlite3.connect(site / CACHE_DIR / "markup.sqlite3")) as db:
        return {key for (key,) in db.execute("SELECT key FROM entries")}


def test_a_body_save_keeps_the_other_conversions_for_the_next_builds(make_site: MakeSite, tmp_path: Path) -> None:
    """A body save converts that body alone; the conversions of every other entry stay, in the session and in the
    cache file. Before, the save kept only its own rows: the session's next whole build (a retitle) and a
    plain build after the session converted every body again (28 s on a 10,000-post blog)."""
    site = make_site(SMALL_SITE)
    dev = _session(site)
    before = _rows(site)
    assert len(before) > 5
    _append(site, "content/posts/hello.md", "\nA sentence written under serve.\n")
    dev.rebuild()
    after = _rows(site)
    assert before < after and len(after - before) == 1  # the old text's row goes at the next whole build
    resident = dev.session.resident
    assert resident.markup.keys() == after  # the session's memory: every body, for the next whole build
    post = site / "content/posts/second.md"
    post.write_text(post.read_text(encoding="utf-8").replace("title: Second post", "title: Retitled"),
                    encoding="utf-8")
    settle()
    dev.rebuild()  # a whole build: every body found in memory
    assert _rows(site) < after and len(_rows(site)) == len(before) and resident.markup.keys() == _rows(site)
    assert_shows_clean(dev, clean_build(site, tmp_path / "clean"), search=False)
