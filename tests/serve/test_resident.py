"""``serve`` keeps the site in memory between saves, and still shows exactly what a clean build makes.

A ``DevServer`` is driven through ``rebuild()`` (what its watcher calls after a save) and
``catch_up()`` (what it calls once the author pauses); what it shows is read through
``Session.find``, the lookup its request handler uses, and compared with a clean build
into a fresh folder, byte for byte. No test here measures time.
"""

from __future__ import annotations

from pathlib import Path

from museumsite.serve.server import DevServer

from support import SEARCH_INDEX, SMALL_SITE, MakeSite, assert_shows_clean, clean_build, settle, shown, visible_files


def test_a_save_rereads_only_the_file_it_changed(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    dev = DevServer(site)
    settle()
    dev.rebuild()
    assert len(dev.session.resident.documents.read) > 5  # the first build reads everything
    post = site / "content/posts/hello.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    settle()
    dev.rebuild()
    assert dev.session.resident.documents.read == ["content/posts/hello.md"]
    assert b"One more line." in (shown(dev, "posts/hello/index.html") or b"")
    settle()
    dev.rebuild()  # nothing changed: nothing read
    assert dev.session.resident.documents.read == []


def test_a_file_saved_twice_within_a_tick_is_read_again(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    dev = DevServer(site)
    dev.rebuild()  # the files are younger than the racy window: none is known by its stat yet
    post = site / "content/posts/hello.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("Hello", "Hallo"), encoding="utf-8")  # same size, maybe the same time
    dev.rebuild()
    assert "content/posts/hello.md" in dev.session.resident.documents.read
    assert b"Hallo" in (shown(dev, "posts/hello/index.html") or b"")


def test_the_reload_event_comes_when_the_page_is_in_memory_before_it_is_written(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    dev = DevServer(site)
    dev.rebuild()
    seen: list[tuple[bytes | None, bytes]] = []
    publish = dev.session.on_ready

    def at_reload() -> None:
        on_disk = (dev.output / "posts/hello/index.html").read_bytes()
        seen.append((shown(dev, "posts/hello/index.html"), on_disk))
        publish()

    dev.session.on_ready = at_reload
    version = dev.live.version
    post = site / "content/posts/hello.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nSaved just now.\n", encoding="utf-8")
    dev.rebuild()
    assert dev.live.version == version + 1  # one reload event for the save
    [(served, on_disk)] = seen
    assert served is not None and b"Saved just now." in served and b"Saved just now." not in on_disk
    assert (dev.output / "posts/hello/index.html").read_bytes() == served  # written after


def test_a_removed_page_is_gone_at_once_and_a_failed_build_shows_the_last_good_pages(
        make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SMALL_SITE, "content/posts/extra.md": "---\ntitle: Extra\ndate: 2024-03-03\n---\nExtra.\n"})
    dev = DevServer(site)
    dev.rebuild()
    assert shown(dev, "posts/extra/index.html") is not None
    (site / "content/posts/extra.md").unlink()
    dev.rebuild()
    assert shown(dev, "posts/extra/index.html") is None
    good = shown(dev, "posts/hello/index.html")
    (site / "content/posts/broken.md").write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    dev.rebuild()
    assert dev.live.snapshot()[1]  # the problems are published
    assert shown(dev, "posts/hello/index.html") == good
    (site / "content/posts/broken.md").unlink()
    dev.rebuild()
    dev.catch_up()
    assert_shows_clean(dev, clean_build(site, tmp_path / "clean"))


def test_the_search_index_is_made_again_once_the_author_pauses(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    dev = DevServer(site)
    dev.rebuild()
    assert not dev.session.behind
    (site / "content/posts/new.md").write_text("---\ntitle: Zanzibar\ndate: 2024-04-04\n---\nZanzibar.\n",
                                               encoding="utf-8")
    dev.rebuild()
    clean = clean_build(site, tmp_path / "clean")
    assert dev.session.behind  # the page is there, the index is the previous one
    assert_shows_clean(dev, clean, search=False)
    assert any(shown(dev, rel) != data for rel, data in clean.items() if rel.startswith(SEARCH_INDEX))
    version = dev.live.version
    dev.catch_up()
    assert not dev.session.behind and dev.live.version == version  # no reload for the index alone
    assert_shows_clean(dev, clean)
    assert visible_files(dev.output) == clean
