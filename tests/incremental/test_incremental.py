"""Incremental builds are exact: a build over the previous output and cache equals a clean build.

A hypothesis state machine edits, adds, deletes and renames posts, talks, speakers,
translations, comment archives, templates, static files and the config of a real
small site, and after every step builds it twice: incrementally (over the previous
output, with the Markdown cache and the no-op record) and from scratch into a fresh
folder without a cache. The two outputs must be byte-identical. Other tests damage
the cache and the build record, and check that a parallel build equals a serial one.
No test here measures time.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from museumsite.build import CACHE_DIR, build
from museumsite.content.stat import RACY
from museumsite.markup.pool import map_entries
from museumsite.serve.server import DevServer

from support import BASE_CONFIG, REPO, SMALL_SITE, MakeSite, assert_shows_clean, snapshot

CACHE_FILE = f"{CACHE_DIR}/markup.sqlite3"
WORDS = st.sampled_from(["museum", "archive", "talk", "vitrine", "collection", "catalogue", "opening"])
ARCHIVE = """\
comments:
  - id: 1
    parent: null
    author: Marta
    date: 2024-05-11 10:00:00+02:00
    lang: en
    body: {body}
"""


def times(folder: Path) -> dict[str, tuple[int, int]]:
    """Times and inodes of every file and folder, the output folder included: untouched means all the same."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in [folder, *folder.rglob("*")]}


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def assert_same_as_clean(root: Path, scratch: Path) -> None:
    """Build ``root`` incrementally and from scratch; the outputs must be the same bytes."""
    build(root)
    clean = scratch / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(root, clean, use_cache=False)
    assert snapshot(root / "_site") == snapshot(clean)


# Where an edit of a shared template shows: in the posts' pages, and in every list's summaries.
MARKS = {"post.html": "{% block content %}", "_macros.html": '{% macro summary(item, heading="h2") %}'}


class IncrementalSite(RuleBasedStateMachine):
    """One real site, changed a step at a time; every build over the last one must equal a clean build."""

    def __init__(self) -> None:
        super().__init__()
        self.scratch = Path(tempfile.mkdtemp(prefix="museumsite-incremental-"))
        self.root = self.scratch / "site"
        write(self.root, "museumsite.yaml", BASE_CONFIG)
        for rel, text in SMALL_SITE.items():
            write(self.root, rel, text)
        self.posts: list[str] = []  # extra posts, by slug
        self.counter = 0
        build(self.root)
        # serve's session over the same steps: what it shows must be the clean build too (test_resident.py).
        self.served = DevServer(self.root)
        self.served.rebuild()

    def teardown(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    @rule(word=WORDS, tagged=st.booleans())
    def add_post(self, word: str, tagged: bool) -> None:
        slug = f"p{self._next()}"
        tags = "tags: [news]\n" if tagged else ""
        write(self.root, f"content/posts/{slug}.md",
              f"---\ntitle: Post {word}\ndate: 2024-0{1 + self.counter % 9}-0{1 + self.counter % 9}\n{tags}"
              f"summary: A {word} in one sentence.\n---\nThe {word}, *at length*.\n\n## One\n\n## Two\n\n## Three\n")
        self.posts.append(slug)

    @rule(data=st.data(), word=WORDS)
    def edit_post(self, data: st.DataObject, word: str) -> None:
        slug = data.draw(st.sampled_from([*self.posts, "hello", "second"]))
        path = self.root / f"content/posts/{slug}.md"
        path.write_text(path.read_text(encoding="utf-8") + f"\nAlso a {word} ({self._next()}).\n", encoding="utf-8")

    @rule(data=st.data(), word=WORDS)
    def retitle_post(self, data: st.DataObject, word: str) -> None:
        """A leaf field alone (incremental/shape.py): only what shows the title is made again."""
        slug = data.draw(st.sampled_from([*self.posts, "hello", "second"]))
        path = self.root / f"content/posts/{slug}.md"
        text = path.read_text(encoding="utf-8")
        start = text.index("title: ")
        end = text.index("\n", start)
        path.write_text(f"{text[:start]}title: {word.title()} {self._next()}{text[end:]}", encoding="utf-8")

    @rule(data=st.data(), month=st.integers(1, 12), tags=st.sampled_from(["[]", "[news]", "[news, museums]"]))
    def redate_and_retag_post(self, data: st.DataObject, month: int, tags: str) -> None:
        """Dates and tags are leaf fields too: the lists they move the post through are made again."""
        slug = data.draw(st.sampled_from([*self.posts, "hello", "second"]))
        path = self.root / f"content/posts/{slug}.md"
        lines = [line for line in path.read_text(encoding="utf-8").split("\n") if not line.startswith("tags:")]
        lines = [f"date: 202{month % 3 + 2}-{month:02}-1{month % 9}" if line.startswith("date:") else line
                 for line in lines]
        lines.insert(lines.index("---", 1), f"tags: {tags}")
        path.write_text("\n".join(lines), encoding="utf-8")

    @rule(data=st.data())
    def delete_post(self, data: st.DataObject) -> None:
        if self.posts:
            slug = data.draw(st.sampled_from(self.posts))
            self.posts.remove(slug)
            (self.root / f"content/posts/{slug}.md").unlink()
            (self.root / f"content/posts/{slug}.fr.md").unlink(missing_ok=True)

    @rule(data=st.data())
    def rename_post(self, data: st.DataObject) -> None:
        if self.posts:
            slug = data.draw(st.sampled_from(self.posts))
            new = f"p{self._next()}"
            (self.root / f"content/posts/{slug}.md").rename(self.root / f"content/posts/{new}.md")
            translation = self.root / f"content/posts/{slug}.fr.md"
            if translation.exists():
                translation.rename(self.root / f"content/posts/{new}.fr.md")
            self.posts[self.posts.index(slug)] = new

    @rule(data=st.data(), word=WORDS)
    def translate_post(self, data: st.DataObject, word: str) -> None:
        slug = data.draw(st.sampled_from([*self.posts, "second"]))
        write(self.root, f"content/posts/{slug}.fr.md", f"---\ntitle: Billet {word}\n---\nUn {word} en français.\n")

    @rule(word=WORDS)
    def edit_talk_and_speaker(self, word: str) -> None:
        write(self.root, "content/talks/closing.md",
              f'---\ntitle: Closing {word}\nevent: conf\nspeakers: [ada]\nstart: "17:00"\nend: "17:30"\n---\n{word}.\n')
        write(self.root, "content/speakers/bob.md", f"---\nname: Bob {word.title()}\n---\nBob's {word}.\n")

    @rule(word=WORDS)
    def add_talk(self, word: str) -> None:
        write(self.root, f"content/talks/t{self._next()}.md",
              f"---\ntitle: Talk {word}\nevent: conf\nspeakers: [bob]\nstart: 2024-05-03 10:00\n"
              f"end: 2024-05-03 10:30\n---\nOn {word}.\n")

    @rule(word=st.one_of(st.none(), WORDS))
    def comments(self, word: str | None) -> None:
        path = self.root / "content/comments/posts/hello.yaml"
        if word is None:
            path.unlink(missing_ok=True)
        else:
            write(self.root, "content/comments/posts/hello.yaml", ARCHIVE.format(body=f"Nice {word}."))

    @rule(number=st.integers(0, 3))
    def template(self, number: int) -> None:
        path = self.root / "themes/default/templates/404.html"
        if number == 0:
            path.unlink(missing_ok=True)
        else:
            default = (REPO / "museumsite/themes/default/templates/404.html").read_text(encoding="utf-8")
            if number == 3:  # a page that prints another entry's body, which no job of it names
                default = default.replace("{% block content %}",
                                          "{% block content %}{{ site.get('posts/second').body_html|safe }}", 1)
            write(self.root, "themes/default/templates/404.html", default + f"<!-- version {number} -->\n")

    @rule(name=st.sampled_from(sorted(MARKS)), number=st.integers(0, 2))
    def shared_template(self, name: str, number: int) -> None:
        """A template some pages load (their own, or imported by the lists), overridden, edited, removed."""
        path = self.root / "themes/default/templates" / name
        if number == 0:
            path.unlink(missing_ok=True)
        else:
            default = (REPO / "museumsite/themes/default/templates" / name).read_text(encoding="utf-8")
            write(self.root, f"themes/default/templates/{name}",
                  default.replace(MARKS[name], f"{MARKS[name]}<!-- version {number} -->", 1))

    @rule(text=st.one_of(st.none(), WORDS))
    def static_file(self, text: str | None) -> None:
        path = self.root / "content/static/notes.txt"
        if text is None:
            path.unlink(missing_ok=True)
        else:
            write(self.root, "content/static/notes.txt", text)

    @rule(per_page=st.integers(1, 3), title=WORDS)
    def config(self, per_page: int, title: str) -> None:
        config = BASE_CONFIG.replace("posts_per_page: 2", f"posts_per_page: {per_page}")
        write(self.root, "museumsite.yaml", config.replace("title: Test site", f"title: Site {title}"))

    @invariant()
    def incremental_equals_clean(self) -> None:
        assert_same_as_clean(self.root, self.scratch)
        # The session knows unchanged files by their stat once they are older than the racy window.
        time.sleep(RACY / 1e9 + 0.01)
        self.served.rebuild()
        clean = snapshot(self.scratch / "clean")
        assert_shows_clean(self.served, clean, search=False)
        self.served.catch_up()
        assert_shows_clean(self.served, clean)


TestIncrementalSite = pytest.mark.slow(IncrementalSite.TestCase)
IncrementalSite.TestCase.settings = settings(max_examples=8, stateful_step_count=4, deadline=None,
                                             suppress_health_check=list(HealthCheck))


def test_a_no_op_rebuild_writes_nothing_and_keeps_the_warnings(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "content/posts/img.md": "---\ntitle: I\ndate: 2024-01-01\n---\nText.\n\n![](x.png)\n"})
    first = build(site)
    before, files = times(site / "_site"), snapshot(site / "_site")
    again = build(site)
    assert again.written == 0 and again.pages == first.pages and again.files == first.files
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings] != []
    assert times(site / "_site") == before and snapshot(site / "_site") == files


def test_a_deleted_or_changed_output_file_is_built_again(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    (site / "_site/posts/hello/index.html").unlink()
    (site / "_site/about/index.html").write_text("vandalised", encoding="utf-8")
    assert_same_as_clean(site, tmp_path)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "not a database", "empty", "edited row", "record"])
def test_the_cache_survives_damage(make_site: MakeSite, tmp_path: Path, damage: str) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    cache = site / CACHE_FILE
    data = cache.read_bytes()
    if damage == "truncate":
        cache.write_bytes(data[:len(data) // 2])
    elif damage == "garbage":
        cache.write_bytes(data[:1024] + os.urandom(len(data) - 2048) + data[-1024:])
    elif damage == "not a database":
        cache.write_text("this is not a database", encoding="utf-8")
    elif damage == "empty":
        cache.write_bytes(b"")
    elif damage == "edited row":  # a row changed behind museumsite's back: its checksum no longer matches
        with sqlite3.connect(cache) as db:
            db.execute("UPDATE entries SET value = replace(value, 'Intro paragraph', 'Forged paragraph')")
        db.close()
    else:  # the no-op record says the output is current, but the content changed
        for record in (site / CACHE_DIR).glob("build-*.json"):
            record.write_text("{not json", encoding="utf-8")
    if damage != "record":  # a real build, not a no-op one, so that the cache is read
        post = site / "content/posts/second.md"
        post.write_text(post.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    assert_same_as_clean(site, tmp_path)
    assert b"Forged" not in b"".join(snapshot(site / "_site").values())
    with sqlite3.connect(site / CACHE_FILE) as db:  # built again, and usable by the next build
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] > 0
    db.close()


def test_a_post_edited_under_an_unchanged_cache_is_converted_again(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    post = site / "content/posts/second.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Second.", "Second, edited."), encoding="utf-8")
    assert_same_as_clean(site, tmp_path)
    assert b"Second, edited." in (site / "_site/posts/second/index.html").read_bytes()


@pytest.mark.slow
def test_a_parallel_build_equals_a_serial_one(make_site: MakeSite, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    files = dict(SMALL_SITE)
    for number in range(170):  # more than pool.MIN_ITEMS entries and pages
        files[f"content/posts/n{number}.md"] = (f"---\ntitle: Note {number}\ndate: 2024-02-{1 + number % 28:02d}\n"
                                                f"tags: [t{number % 7}]\nsummary: Note number {number}.\n---\n"
                                                f"Body of [note](n{(number + 1) % 170}.md) {number}.\n")
    site = make_site(files)
    monkeypatch.setenv("MUSEUMSITE_WORKERS", "2")
    build(site, tmp_path / "parallel", use_cache=False)
    monkeypatch.setenv("MUSEUMSITE_WORKERS", "1")
    build(site, tmp_path / "serial", use_cache=False)
    assert snapshot(tmp_path / "parallel") == snapshot(tmp_path / "serial")


def _square_or_pid(shared: int, item: int) -> tuple[int, int]:
    return shared * item * item, os.getpid()


def test_the_pool_keeps_the_order_and_uses_other_processes() -> None:
    results = map_entries(_square_or_pid, 3, list(range(40)), workers=2, min_items=2)
    assert [value for value, _ in results] == [3 * n * n for n in range(40)]
    if "fork" in __import__("multiprocessing").get_all_start_methods():
        assert os.getpid() not in {pid for _, pid in results}
    assert map_entries(_square_or_pid, 3, [5], workers=2)[0] == (75, os.getpid())  # small: serial


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # as ``museumsite serve`` does on SIGTERM (commands/serving.py)


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX signals")
def test_the_pool_stops_its_workers_quietly_under_a_process_that_handles_sigterm(
        capfd: pytest.CaptureFixture[str]) -> None:
    """``serve`` turns SIGTERM into a clean stop; its pool's workers, forked from it, are stopped with SIGTERM
    after each map. They must just end: before, each printed a KeyboardInterrupt traceback into the
    server's console ("Process ForkPoolWorker-9: Traceback...") at most builds of a large site."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        for _ in range(3):
            results = map_entries(_square_or_pid, 2, list(range(60)), workers=2, min_items=2)
            assert [value for value, _ in results] == [2 * n * n for n in range(60)]
            time.sleep(0.2)  # the workers, stopped, have written whatever they write
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert "Traceback" not in capfd.readouterr().err


def test_a_rebuild_that_renders_the_same_bytes_touches_no_file(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    (site / "_site/CNAME").write_text("example.org\n", encoding="utf-8")  # someone else's file
    for record in (site / CACHE_DIR).glob("build-*.json"):
        record.unlink()  # no no-op record: the pipeline runs, and renders what is already there
    before, files = times(site / "_site"), snapshot(site / "_site")
    again = build(site)
    assert again.written == 0 and again.removed == 0
    assert times(site / "_site") == before and snapshot(site / "_site") == files
    (site / "_site/about/index.html").write_text("changed by hand", encoding="utf-8")
    for record in (site / CACHE_DIR).glob("build-*.json"):
        record.unlink()
    assert build(site).written == 1
    assert (site / "_site/CNAME").read_text(encoding="utf-8") == "example.org\n"


@pytest.mark.parametrize("damage", ["garbage", "empty", "other template"])
def test_compiled_templates_in_the_cache_survive_damage_and_follow_their_source(
        make_site: MakeSite, tmp_path: Path, damage: str) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    compiled = sorted((site / CACHE_DIR / "templates").rglob("*.cache"))
    assert compiled  # a later build, a new process, does not compile the theme again
    for number, path in enumerate(compiled):
        if damage == "garbage":
            path.write_bytes(os.urandom(path.stat().st_size))
        elif damage == "empty":
            path.write_bytes(b"")
        else:  # each file holds another template's code: Jinja checks the source it was compiled from
            path.write_bytes(compiled[(number + 1) % len(compiled)].read_bytes() if len(compiled) > 1 else b"")
    post = site / "content/posts/second.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    assert_same_as_clean(site, tmp_path)
    default = (REPO / "museumsite/themes/default/templates/404.html").read_text(encoding="utf-8")
    write(site, "themes/default/templates/404.html",
          default.replace("{% block content %}", "{% block content %}<p>Mine.</p>", 1))
    assert_same_as_clean(site, tmp_path)
    assert b"<p>Mine.</p>" in (site / "_site/404.html").read_bytes()
