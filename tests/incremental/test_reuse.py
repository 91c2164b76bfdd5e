"""One-edit rebuilds: only the pages and feeds that print the edited body are made again, and the
output is changed in place through a journal that a killed build's successor rolls forward.

Every test builds real sites and compares the result with a clean build of the same
sources (no cache, fresh folder), byte for byte. No test here measures time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from museumsite.build import build
from museumsite.incremental.store import OUTPUT_MANIFEST, BuildOptions, Store

from support import BASE_CONFIG, REPO, SMALL_SITE, MakeSite, audited, parse_html, snapshot, text_of

COMMAND = [sys.executable, "-m", "museumsite", "build", "--quiet", "--in-place"]


def same_as_clean(site: Path, scratch: Path) -> bool:
    shutil.rmtree(scratch, ignore_errors=True)
    build(site, scratch, use_cache=False)
    return snapshot(site / "_site") == snapshot(scratch)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_editing_one_body_makes_only_the_pages_and_feeds_that_print_it(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    first = build(site)
    assert first.kept == 0 and first.rendered > 20
    append(site / "content/posts/hello.md", "\nA sentence added to the body.\n")
    second = build(site)
    # The post's page and the feeds that carry its whole text (Atom, RSS, JSON: the site's, the
    # all-languages one, two tags'); no list page (lists print summaries).
    assert 1 <= second.rendered <= 1 + 3 * 4, second
    assert second.kept == first.rendered - second.rendered
    assert same_as_clean(site, tmp_path / "clean")
    page = (site / "_site/posts/hello/index.html").read_text(encoding="utf-8")
    assert "A sentence added to the body." in page


def test_a_template_printing_another_entry_body_is_made_again_when_that_body_changes(
        make_site: MakeSite, tmp_path: Path) -> None:
    # A site override of the 404 page shows a post's body, reached through ``site``: no job names it.
    base = (REPO / "museumsite/themes/default/templates/404.html").read_text(encoding="utf-8")
    override = base.replace("{% block content %}", "{% block content %}{{ site.get('posts/second').body_html|safe }}", 1)
    assert override != base
    site = make_site({**SMALL_SITE, "themes/default/templates/404.html": override})
    build(site)
    append(site / "content/posts/second.md", "\nWords only the 404 page and the post print.\n")
    result = build(site)
    assert result.kept > 0
    assert "Words only the 404 page" in (site / "_site/404.html").read_text(encoding="utf-8")
    assert same_as_clean(site, tmp_path / "clean")


def shows(file: Path, words: str) -> bool:
    """Whether a reader of the page or feed ``file`` sees ``words``: in its text, parsed (HTML, XML, JSON)."""
    data = file.read_bytes()
    if file.suffix == ".html":
        return words in text_of(parse_html(data))
    if file.suffix == ".xml":
        return any(words in text for text in ElementTree.fromstring(data).itertext())
    if file.suffix == ".json":
        return words in json.dumps(json.loads(data), ensure_ascii=False)
    return False


def test_a_retitled_post_makes_again_only_the_pages_and_feeds_that_show_its_title(
        make_site: MakeSite, tmp_path: Path) -> None:
    """A title is printed on the post's page, the lists, tags and archives that list it and the feeds that
    carry it; every other page (the talks, the speakers, the other posts, the event) is kept. Before, any
    field but a body made the whole site again."""
    site = make_site(SMALL_SITE)
    first = build(site)
    post = site / "content/posts/second.md"
    post.write_text(post.read_text(encoding="utf-8").replace("title: Second post", "title: A new name", 1),
                    encoding="utf-8")
    second = build(site)
    assert same_as_clean(site, tmp_path / "clean")
    showing = [f for f in (site / "_site").rglob("*") if f.is_file() and shows(f, "A new name")]
    names = {f.relative_to(site / "_site").as_posix() for f in showing}
    assert {"posts/second/index.html", "index.html", "posts/index.html", "tags/news/index.html",
            "feeds/atom.xml", "tags/news/rss.xml", "feeds/feed.json"} <= names, names
    # What shows the title, and the sitemap and robots.txt (made again whenever the shape changes).
    assert len(showing) <= second.rendered <= len(showing) + 2, (second, sorted(names))
    assert second.kept == first.rendered - second.rendered and second.kept > 30


# Leaf fields (incremental/shape.py) besides a post's title: (file, text replaced, by what).
LEAF_EDITS = {
    "summary": ("posts/second.md", "title: Second post\n", "title: Second post\nsummary: In a few words.\n"),
    "description": ("posts/hello.md", "title: Hello\n", "title: Hello\ndescription: Greetings, briefly.\n"),
    "authors": ("posts/third.md", "title: Third post\n", "title: Third post\nauthors: [Ada, Bob]\n"),
    "extra field": ("posts/second.md", "title: Second post\n", "title: Second post\nmood: cheerful\n"),
    "translation's title": ("posts/hello.fr.md", "title: Bonjour", "title: Bonjour à tous"),
}


@pytest.mark.parametrize("edit", sorted(LEAF_EDITS))
def test_a_leaf_field_edit_keeps_what_does_not_show_it(make_site: MakeSite, tmp_path: Path, edit: str) -> None:
    file, old, new = LEAF_EDITS[edit]
    site = make_site(SMALL_SITE)
    first = build(site)
    path = site / "content" / file
    assert old in path.read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = build(site)
    assert same_as_clean(site, tmp_path / "clean")
    assert 0 < result.rendered < first.rendered and result.kept == first.rendered - result.rendered, result


@pytest.mark.parametrize("edit", ["tag new to the site", "menu page title", "talk title"])
def test_an_edit_that_moves_an_entry_or_shows_everywhere_changes_every_page(
        make_site: MakeSite, tmp_path: Path, edit: str) -> None:
    """A tag new to the site changes the site's tags (structural: incremental/shape.py); a menu page's title is
    in every page's menu; a talk's title is read by the programme's helpers in Python, across entries: each
    makes the whole site again."""
    file, old, new = {"tag new to the site": ("posts/third.md", "date: 2023-01-01\n",
                                              "date: 2023-01-01\ntags: [ceramics]\n"),
                      "menu page title": ("pages/about.md", "title: About", "title: Who we are"),
                      "talk title": ("talks/opening.md", "title: Opening talk", "title: Welcome")}[edit]
    site = make_site(SMALL_SITE)
    first = build(site)
    path = site / "content" / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = build(site)
    if edit == "menu page title":  # every page; the feeds, which have no menu, are kept
        assert result.rendered >= result.pages and result.kept < first.rendered - result.pages, result
    else:  # everything (the new tag adds its pages and feeds)
        assert result.kept == 0 and result.rendered >= first.rendered
    assert same_as_clean(site, tmp_path / "clean")


# Dates and tags (a tag the site already has) of posts: (file, text replaced, by what).
LIST_EDITS = {
    "date within the year": ("posts/second.md", "date: 2024-06-01", "date: 2024-05-01"),
    "date in another year": ("posts/second.md", "date: 2024-06-01", "date: 2022-06-01"),
    "tag given": ("posts/third.md", "date: 2023-01-01\n", "date: 2023-01-01\ntags: [news]\n"),
    "tag taken": ("posts/second.md", "tags: [news]", "tags: []"),
}
RENDERED = re.compile(rb"<!-- rendered \d+ -->")  # a number drawn by each rendering of a page (below)


@pytest.mark.parametrize("edit", sorted(LIST_EDITS))
def test_a_date_or_tag_edit_makes_again_the_lists_it_moves_through_and_keeps_the_rest(
        make_site: MakeSite, tmp_path: Path, edit: str) -> None:
    """A date orders the lists, a tag fills a tag's pages: the pages whose text changes are made again (the
    post's own, the lists, tags and archives it leaves or joins, the tags pages counting it), and every other
    page is kept: the other posts, the talks, the speakers, the event, the pages. Before, either edit made the
    whole site again. Each page of this theme prints a number drawn when it is rendered, so a page made again
    differs from its previous version even where its text is the same."""
    base = (REPO / "museumsite/themes/default/templates/base.html").read_text(encoding="utf-8")
    marked = base.replace("</body>", "<!-- rendered {{ range(10**12)|random }} -->\n</body>", 1)
    assert marked != base
    site = make_site({**SMALL_SITE, "themes/default/templates/base.html": marked})
    first = build(site)
    before = snapshot(site / "_site")
    file, old, new = LIST_EDITS[edit]
    path = site / "content" / file
    assert old in path.read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = build(site)
    after = snapshot(site / "_site")
    pages = [name for name in after if name.endswith(".html")]
    made = {name for name in pages if before.get(name) != after[name]}
    changed = {name for name in pages if RENDERED.sub(b"", before.get(name, b"")) != RENDERED.sub(b"", after[name])}
    assert changed <= made and changed, (sorted(changed), sorted(made))
    kept = {name for name in pages if name.startswith(("talks/", "speakers/", "events/", "about/", "posts/hello/",
                                                       "fr/posts/bonjour/", "search/"))}
    assert kept and not kept & made, sorted(kept & made)
    # Made again with the same text: lists alone, the ones that show the post (they read its fields) and the tags
    # and feeds pages (they count the tags' posts).
    lists = ("index.html", "posts/index.html", "posts/page/", "archive/", "tags/", "feeds/")
    assert all(name.removeprefix("fr/").startswith(lists) for name in made - changed), sorted(made - changed)
    assert 0 < result.rendered < first.rendered // 2 < result.kept, result
    clean = tmp_path / "clean"
    build(site, clean, use_cache=False)
    assert {name: RENDERED.sub(b"", data) for name, data in after.items()} == \
        {name: RENDERED.sub(b"", data) for name, data in snapshot(clean).items()}


# A site override of the 404 page shows the second post's title, reached four ways no job names.
REACHED = {
    "attribute": "{{ site.get('posts/second').title }}",
    "sorted by title": "{{ (site.posts|sort(attribute='title')|first).url }}",
    "helper": "{{ comment_mailto(site.get('posts/second')) }}",
    # Jinja keeps a module imported without context once per process: its reads are noted on every import.
    "imported without context": '{% import "_featured.html" as featured %}{{ featured.title }}',
}


@pytest.mark.parametrize("how", sorted(REACHED))
def test_a_template_showing_another_entry_title_is_made_again_when_it_changes(
        make_site: MakeSite, tmp_path: Path, how: str) -> None:
    base = (REPO / "museumsite/themes/default/templates/404.html").read_text(encoding="utf-8")
    override = base.replace("{% block content %}", "{% block content %}<p id=shown>" + REACHED[how] + "</p>", 1)
    config = BASE_CONFIG + "comments:\n  email: editor@example.org\n" if how == "helper" else BASE_CONFIG
    featured = {"themes/default/templates/_featured.html": "{% set title = site.get('posts/second').title %}\n"}
    site = make_site({**SMALL_SITE, **featured, "themes/default/templates/404.html": override}, config)
    build(site)
    before = (site / "_site/404.html").read_bytes()
    post = site / "content/posts/second.md"
    # "Aaa" sorts first: the sorted variant links to this post instead of another.
    post.write_text(post.read_text(encoding="utf-8").replace("title: Second post", "title: Aaa renamed", 1),
                    encoding="utf-8")
    result = build(site)
    assert result.kept > 0
    assert (site / "_site/404.html").read_bytes() != before
    assert same_as_clean(site, tmp_path / "clean")  # the French 404 page too: the second page to import it


EDITS = {  # a template of the default theme, overridden by the site after a first build: (what, marked so)
    "post.html": ("{% block content %}", '{% block content %}<p class="edit-mark">new</p>'),  # one kind of page
    "_macros.html": ('{% macro summary(item, heading="h2") %}',
                     '{% macro summary(item, heading="h2") %}<span class="edit-mark"></span>'),  # imported by lists
    "base.html": ("<body>", '<body><p class="edit-mark">new</p>'),  # extended by every page
}


# A site override of the 404 page shows what a date or tag edit changes, through the site's lists (read four ways)
# or a helper: (what it shows, the edit of LIST_EDITS that changes it).
LISTED = {
    "the newest post": ("{{ (site.posts|first).url }}", "date in another year"),
    "a language's newest post": ("{{ (site.posts_for(lang)|first).slug }}", "date within the year"),
    "a tag's count": ("{{ site.tag('news').entries|length }}", "tag given"),
    "the posts of a tag, by url": (("{{ site.tags|selectattr('key', 'eq', 'news')|map(attribute='entries')"
                                    "|first|map(attribute='url')|join(' ') }}"), "tag taken"),
    # Not a list: a helper reads the date in Python (a date is a leaf field now, noted as the post's).
    "a helper given the post": ("{{ post_datetime(site.get('posts/second')) }}", "date within the year"),
}


@pytest.mark.parametrize("how", sorted(LISTED))
def test_a_template_reading_the_site_lists_is_made_again_when_a_date_or_tag_changes_them(
        make_site: MakeSite, tmp_path: Path, how: str) -> None:
    """Reading a list of the site (its order, which posts a tag holds) through the site or a tag is noted: the page
    is made again when a date or tag edit changes them, though it reads no field of the edited post."""
    shown, edit = LISTED[how]
    base = (REPO / "museumsite/themes/default/templates/404.html").read_text(encoding="utf-8")
    override = base.replace("{% block content %}", "{% block content %}<p id=shown>" + shown + "</p>", 1)
    site = make_site({**SMALL_SITE, "themes/default/templates/404.html": override})
    build(site)
    before = (site / "_site/404.html").read_bytes()
    file, old, new = LIST_EDITS[edit]
    path = site / "content" / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = build(site)
    assert result.kept > 0
    assert (site / "_site/404.html").read_bytes() != before
    assert same_as_clean(site, tmp_path / "clean")


@pytest.mark.parametrize("holder", ["a draft", "a speaker"])
def test_a_tag_that_starts_to_exist_on_the_site_makes_a_page_asking_for_it_again(
        make_site: MakeSite, tmp_path: Path, holder: str) -> None:
    """A draft's tags or a speaker's are known to the site's tag index but give it no tag: the first published post
    to hold one brings the tag into being, which a page asking ``site.tag(name)`` shows (found by a review: the
    page was kept, the tag's index being the same)."""
    base = (REPO / "museumsite/themes/default/templates/404.html").read_text(encoding="utf-8")
    asking = '{% set t = site.tag("ceramics") %}{% if t %}<a id=tag href="{{ url_for(t) }}">{{ t.name }}</a>{% endif %}'
    override = base.replace("{% block content %}", "{% block content %}" + asking, 1)
    holding = {"a draft": {"content/posts/wip.md": "---\ntitle: WIP\ndate: 2024-07-01\ndraft: true\n"
                                                   "tags: [ceramics]\n---\nNot yet.\n"},
               "a speaker": {"content/speakers/ada.md": SMALL_SITE["content/speakers/ada.md"].replace(
                   "affiliation:", "tags: [ceramics]\n        affiliation:", 1)}}[holder]
    site = make_site({**SMALL_SITE, **holding, "themes/default/templates/404.html": override})
    build(site)
    assert parse_html((site / "_site/404.html").read_bytes()).find(".//a[@id='tag']") is None
    path = site / "content/posts/third.md"
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2023-01-01\n", "date: 2023-01-01\ntags: [ceramics]\n",
                                                             1), encoding="utf-8")
    build(site)
    assert parse_html((site / "_site/404.html").read_bytes()).find(".//a[@id='tag']") is not None
    assert same_as_clean(site, tmp_path / "clean")


def marked_pages(output: Path) -> int:
    return sum('class="edit-mark"' in page.read_text(encoding="utf-8") for page in output.rglob("*.html"))


@pytest.mark.parametrize("template", sorted(EDITS))
def test_a_template_edit_makes_again_only_the_pages_that_load_it(make_site: MakeSite, tmp_path: Path,
                                                                 template: str) -> None:
    """A page is made from its templates as from the bodies it prints: a template the site overrides (or
    edits) makes again the pages that load it (as their own, by extending, importing or including it),
    and every other page and feed is kept. Before, any template edit made the whole site again."""
    site = make_site(SMALL_SITE)
    first = build(site)
    old, new = EDITS[template]
    text = (REPO / "museumsite/themes/default/templates" / template).read_text(encoding="utf-8")
    assert old in text
    (site / "themes/default/templates").mkdir(parents=True)
    (site / "themes/default/templates" / template).write_text(text.replace(old, new, 1), encoding="utf-8")
    second = build(site)
    assert same_as_clean(site, tmp_path / "clean")
    marked = marked_pages(site / "_site")
    assert marked > 0 and second.kept == first.rendered - second.rendered, second
    if template == "post.html":  # exactly the posts' pages: no list extends or imports it
        posts = [p for p in (site / "_site").rglob("index.html") if p.parent.parent.name == "posts"]
        assert second.rendered == marked == len(posts), posts
    elif template == "base.html":  # every page, and no feed
        assert second.rendered == marked == second.pages
    else:  # the pages that import the macros; those that call the summary among them
        assert marked <= second.rendered < second.pages
    (site / "themes/default/templates" / template).unlink()  # back to the default theme's
    third = build(site)
    assert third.rendered == second.rendered and marked_pages(site / "_site") == 0
    assert same_as_clean(site, tmp_path / "clean")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shape", "page edited in the output"])
def test_a_damaged_record_or_output_means_making_the_pages_again(make_site: MakeSite, tmp_path: Path,
                                                                 damage: str) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    record = Store(site, BuildOptions(output=(site / "_site").resolve())).pages_record
    assert record is not None and record.is_file()
    if damage == "garbage":
        record.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        record.write_bytes(record.read_bytes()[:100])
    elif damage == "wrong shape":
        data = json.loads(record.read_text(encoding="utf-8"))
        data["files"] = {path: ["x", 3] for path in data["files"]}
        record.write_text(json.dumps(data), encoding="utf-8")
    else:
        page = site / "_site/posts/second/index.html"
        page.write_text(page.read_text(encoding="utf-8").replace("<main", "<main data-hand-edited", 1),
                        encoding="utf-8")
    append(site / "content/posts/hello.md", "\nMore.\n")
    build(site)
    assert same_as_clean(site, tmp_path / "clean")


def test_a_small_rebuild_changes_the_output_in_place_and_keeps_foreign_files(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    out = site / "_site"
    subprocess.run(["git", "init", "-q", str(out)], check=True)
    folder, untouched = out.stat().st_ino, (out / "posts/second/index.html").stat()
    append(site / "content/posts/hello.md", "\nIn place.\n")
    build(site, in_place=True)
    assert out.stat().st_ino == folder  # no swap: the same folder
    again = (out / "posts/second/index.html").stat()
    assert (again.st_ino, again.st_mtime_ns) == (untouched.st_ino, untouched.st_mtime_ns)
    assert (out / ".git/HEAD").is_file()
    assert [p.name for p in site.iterdir() if p.name.startswith("._site.")] == []
    listed = json.loads((out / OUTPUT_MANIFEST).read_text(encoding="utf-8"))["files"]
    assert all((out / path).is_file() for path in listed)


def test_a_small_rebuild_removes_a_deleted_post_and_its_empty_folder(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SMALL_SITE, "content/posts/third.md": "---\ntitle: Third\ndate: 2024-01-02\n---\nBody.\n"})
    build(site)
    (site / "content/posts/third.md").unlink()
    build(site, in_place=True)
    assert not (site / "_site/posts/third").exists()
    assert same_as_clean(site, tmp_path / "clean")


def posts(root: Path, count: int) -> None:
    folder = root / "content/posts"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"p{i}.md").write_text(f"---\ntitle: Post {i}\ndate: 2024-01-{1 + i % 28:02d}\ntags: [t{i % 7}]\n"
                                         f"summary: Post {i} in a sentence.\n---\n" + "Some words here. " * 40 + "\n",
                                         encoding="utf-8")


@pytest.mark.slow
def test_a_small_rebuild_killed_anywhere_is_completed_by_the_next_build(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    posts(site, 120)
    subprocess.run([*COMMAND, "--site", str(site)], check=True)
    started = time.perf_counter()
    append(site / "content/posts/p0.md", "\nWarm-up.\n")
    subprocess.run([*COMMAND, "--site", str(site)], check=True)
    duration = time.perf_counter() - started
    rng = random.Random(4)
    out, clean = site / "_site", tmp_path / "clean"
    journals = 0
    for attempt in range(12):
        before = snapshot(out)
        append(site / f"content/posts/p{rng.randrange(120)}.md", f"\nEdit {attempt}.\n")
        run = subprocess.Popen([*COMMAND, "--site", str(site)])
        time.sleep(rng.uniform(0.5, 1.05) * duration)
        run.send_signal(signal.SIGKILL)
        run.wait()
        shutil.rmtree(clean, ignore_errors=True)
        build(site, clean, use_cache=False)
        after, new = snapshot(out), snapshot(clean)
        committed = list(site.glob("._site.commit-*"))
        journals += bool(committed)
        # Old, new, or a committed change that the next build finishes; never a torn file.
        assert after in (before, new) or committed, f"attempt {attempt}"
        subprocess.run([*COMMAND, "--site", str(site)], check=True)
        assert snapshot(out) == new
        assert [p.name for p in site.iterdir() if p.name.startswith("._site.")] == []


def test_by_default_even_a_small_change_swaps_in_a_whole_new_site(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    out = site / "_site"
    folder = out.stat().st_ino
    append(site / "content/posts/hello.md", "\nSwapped.\n")
    build(site)
    assert out.stat().st_ino != folder  # a reader of the output never sees old and new pages together
    assert "Swapped." in (out / "posts/hello/index.html").read_text(encoding="utf-8")


def test_a_one_edit_build_keeps_lists_and_feeds_without_reading_them_back(make_site: MakeSite, tmp_path: Path) -> None:
    """A kept file is trusted by its recorded size, time and inode: the build reads back only the pages the
    search index reads (entry pages), not the lists, tag pages, feeds and sitemap it keeps."""
    site = make_site(SMALL_SITE)
    build(site)
    append(site / "content/posts/hello.md", "\nA sentence added to the body.\n")
    with audited("open") as events:
        second = build(site)
    assert second.kept > 20
    output = f"{site / '_site'}{os.sep}"
    opened = [path[len(output):] for _, path in events if path.startswith(output)]
    # What the writer compares with the new files it made (event exports, theme files) and what the search
    # index reads (entry pages) are opened; a kept list, tag page, post feed or the sitemap is not.
    kept_lists = [rel for rel in opened if rel in ("index.html", "fr/index.html", "posts/index.html", "404.html",
                                                    "sitemap.xml", "robots.txt")
                  or (rel.startswith(("archive/", "fr/archive/", "tags/", "fr/tags/")) and rel.endswith(".html"))]
    assert kept_lists == [], sorted(set(kept_lists))
    assert same_as_clean(site, tmp_path / "clean")


def test_page_variables_that_cannot_be_compared_between_builds_never_match() -> None:
    """A page is kept after a retitle only when the hash of its variables is the one recorded: a value
    without a stable form (an object shown by its address, which a long serve session may reuse) must
    make the page again rather than match by chance; dates, paths and sets compare by value."""
    from museumsite.render.pages import context_digest

    when = {"day": dt.date(2024, 5, 2), "at": dt.datetime(2024, 5, 2, 9, tzinfo=dt.timezone.utc),
            "file": Path("a/b"), "keys": frozenset({"b", "a", "c"})}
    assert context_digest(when) == context_digest({**when, "keys": frozenset({"c", "b", "a"})})
    assert context_digest(when) != context_digest({**when, "day": dt.date(2024, 5, 3)})
    opaque = {"thing": object()}
    assert context_digest(opaque) != context_digest(opaque)
