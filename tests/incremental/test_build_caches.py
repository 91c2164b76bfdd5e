"""The one-edit build's caches: parsed front matter kept between builds, and the retired site kept to stage the next.

Both are conveniences (``.museumsite-cache/``): the output must be exactly a clean build's,
whatever they hold. No test here measures time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from museumsite.build import CACHE_DIR, BuildOptions, build
from museumsite.content.load import load_documents
from museumsite.errors import Problems
from museumsite.incremental.frontmatter import FILE, FrontMatterCache
from museumsite.incremental.store import Store

from support import REPO, SMALL_SITE, MakeSite, audited, snapshot

ODD = """\
---
title: Odd values
date: 2024-05-01 10:30:00+02:00
updated: 2024-05-02
tags: [1.10, "yes"]
extra:
  1: one
  flag: yes
  when: 2024-01-01T00:00:00Z
  nothing: null
  ratio: 0.5
  blob: !!binary aGVsbG8=
---
Body.
"""


def test_front_matter_parsed_once_comes_back_the_same(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "content/posts/odd.md": ODD})
    store = Store(site, BuildOptions(output=site / "_site"))

    def load(fronts: FrontMatterCache | None) -> list[object]:
        problems = Problems()
        docs = load_documents(site, site / "content", ("en", "fr"), "en", problems, fronts=fronts)
        assert not problems.errors
        return [(d, repr(d.meta), {k: type(v) for k, v in d.meta.items()}) for d in docs]

    plain = load(None)
    first = store.front_matter()
    assert load(first) == plain and first.hits == 0
    first.save()
    assert (site / CACHE_DIR / FILE).is_file()
    again = store.front_matter()
    assert load(again) == plain
    # Every file but the one holding a binary value (which JSON cannot carry exactly) came from the cache.
    assert again.hits == len(plain) - 1


def test_a_damaged_or_foreign_front_matter_cache_is_ignored(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    cache = site / CACHE_DIR / FILE
    text = cache.read_text(encoding="utf-8")
    assert '{"m":' in text
    cache.write_text(text.replace('{"m":', '{"q":'), encoding="utf-8")  # rows no build can read back
    post = site / "content/posts/hello.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    build(site)
    build(site, tmp_path / "clean", use_cache=False)
    assert snapshot(site / "_site") == snapshot(tmp_path / "clean")
    cache.write_bytes(b"\x00not json")
    build(site, tmp_path / "again")
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / "clean")


def test_the_retired_site_stages_the_next_swap_and_only_the_outputs_own_files_are_kept(
        make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    post = site / "content/posts/hello.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nFirst edit.\n", encoding="utf-8")
    build(site)
    [spare] = (site / CACHE_DIR).glob("spare-*")
    assert (spare / "index.html").is_file()  # the site before the last swap
    assert not [p for p in site.iterdir() if p.name.startswith("._site.")]  # nothing left beside the output
    about = spare / "about/index.html"
    # A file of the spare that is not the output's own is never kept, even with the right name.
    about.unlink()
    about.write_text("stale", encoding="utf-8")
    (spare / "stray.html").write_text("not ours", encoding="utf-8")
    (spare / "stray/empty").mkdir(parents=True)  # a folder the output no longer has, with nothing in it
    post.write_text(post.read_text(encoding="utf-8") + "\nSecond edit.\n", encoding="utf-8")
    kept = (site / "_site/speakers/index.html").stat().st_ino
    build(site)
    build(site, tmp_path / "clean", use_cache=False)
    assert snapshot(site / "_site") == snapshot(tmp_path / "clean")
    assert folders(site / "_site") == folders(tmp_path / "clean")
    (site / "content/posts/second.md").unlink()  # its folder goes with it
    build(site)
    build(site, tmp_path / "clean1", use_cache=False)
    assert snapshot(site / "_site") == snapshot(tmp_path / "clean1")  # its search fragment too
    assert folders(site / "_site") == folders(tmp_path / "clean1") and "posts/second" not in folders(site / "_site")
    assert (site / "_site/speakers/index.html").stat().st_ino == kept  # an unchanged file is the same file
    shutil.rmtree(site / CACHE_DIR)  # a build without the spare starts from nothing, as before
    post.write_text(post.read_text(encoding="utf-8") + "\nThird edit.\n", encoding="utf-8")
    build(site)
    build(site, tmp_path / "clean2", use_cache=False)
    assert snapshot(site / "_site") == snapshot(tmp_path / "clean2")
    assert os.listdir(site / CACHE_DIR)


def folders(root: Path) -> list[str]:
    """Every folder under ``root``: a snapshot lists files only."""
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_dir())


POST = "---\ntitle: A\ndate: 2024-01-01\n---\nBody.\n"


@pytest.mark.parametrize("before,after", [
    ({"content/pages/info.md": "---\ntitle: Info\n---\nInfo.\n"}, {"content/static/info": "plain\n"}),
    ({"content/static/news": "plain\n"}, {"content/pages/news.md": "---\ntitle: News\n---\nNews.\n"}),
    ({"content/static/docs/index.html": "<p>docs</p>\n"}, {"content/static/docs": "plain\n"}),
], ids=["a folder becomes a file", "a file becomes a folder", "a static folder becomes a file"])
def test_a_file_of_the_last_build_waiting_for_the_search_index_is_never_in_the_way(
        make_site: MakeSite, tmp_path: Path, before: dict[str, str], after: dict[str, str]) -> None:
    site = make_site({"content/posts/a.md": POST, **before})
    build(site)
    post = site / "content/posts/a.md"
    post.write_text(POST + "Edit.\n", encoding="utf-8")
    build(site)  # the spare tree exists from here on: the next build stages the site from it
    assert list((site / CACHE_DIR).glob("spare-*"))
    for name in before:
        (site / name).unlink()
        if not any((site / name).parent.iterdir()):
            (site / name).parent.rmdir()  # docs/ goes with docs/index.html
    for name, text in after.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    build(site)
    build(site, tmp_path / "clean", use_cache=False)
    assert snapshot(site / "_site") == snapshot(tmp_path / "clean")
    assert folders(site / "_site") == folders(tmp_path / "clean")
    assert build(site).up_to_date


def test_a_process_compiles_the_packaged_theme_once_for_every_site_it_builds(make_site: MakeSite) -> None:
    """Jinja compiles a template from its source alone: a second site built by the same process (a script, the
    test suite) uses what the first compiled, with or without a cache folder, and still follows an override."""
    theme = f"{REPO / 'museumsite/themes/default/templates'}{os.sep}"
    first = make_site(SMALL_SITE, name="first")
    build(first, use_cache=False)
    second = make_site({**SMALL_SITE, "themes/default/templates/404.html": '{% extends "default/404.html" %}'
                        "{% block content %}<p>Ours.</p>{% endblock %}"}, name="second")
    with audited("compile") as events:
        build(second, use_cache=False)
        build(second)
    compiled = [path for _, path in events if path.endswith(".html")]
    assert [path for path in compiled if path.startswith(theme)] == []
    assert compiled and all(path.endswith("themes/default/templates/404.html") for path in compiled)
    assert b"<p>Ours.</p>" in (second / "_site/404.html").read_bytes()
    # The next process finds the theme in the site's cache folder all the same.
    assert sorted((second / CACHE_DIR / "templates").rglob("*.cache"))
