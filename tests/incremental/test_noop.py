"""The no-op check: a build that changes nothing says so without rendering, reading or importing what it need not.

The record of a build keeps each input file's stat with the digest of its bytes, so the next
build reads only the files whose stat changed; these tests check that it still sees every
change (same size and time but another inode or change time, a damaged record) and that a
no-op run of the command imports neither the template engine nor Markdown, and opens none
of the unchanged sources. The subprocess runs are real ``museumsite build`` commands. No
test here measures time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from museumsite.build import CACHE_DIR, build
from museumsite.content.stat import RACY
from museumsite.render.theme import default_theme_dir

from support import SMALL_SITE, MakeSite, snapshot

# Run as ``museumsite build``: the modules the process loaded and the files it opened, as JSON on stdout.
PROBE = """
import json, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from museumsite.cli import main
code = main(["build", "--site", sys.argv[1], "--verbose"])
print(json.dumps({"code": code, "modules": sorted(sys.modules), "opened": opened}))
"""
# What only a real build needs: the template engine, Markdown, the structured data, the sanitizer, the renderers.
NOT_FOR_A_NO_OP = ("jinja2", "markdown", "babel", "museumsite.lang.i18n", "museumsite.render.theme",
                   "museumsite.render.structured", "museumsite.render.pages", "museumsite.markup.convert", "museumsite.sanitize",
                   "museumsite.incremental.reuse", "museumsite.incremental.resident",
                   # nor, on a site without Markdown extensions or plugins, the config (YAML) and what reads it
                   "yaml", "museumsite.yamlfile", "museumsite.config", "museumsite.markup.extensions",
                   "museumsite.plugins.registry", "museumsite.output.write",
                   # nor what the standard library offers beside what is used: secrets (random, hmac, base64) for
                   # a random name, difflib for a suggestion that no no-op makes
                   "secrets", "random", "difflib")


def settle() -> None:
    """Wait until files written just now are past the racy window, and may be known by their stat."""
    time.sleep(RACY / 1e9 + 0.02)


def run_build(site: Path, before: str = "") -> tuple[str, set[str], list[str]]:
    """``museumsite build --verbose`` in a new process: what it said, the modules it loaded, the files it opened.
    ``before``: Python run first (a smaller search shard, for a small site to have several)."""
    done = subprocess.run([sys.executable, "-c", before + PROBE, str(site)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    *said, last = done.stdout.strip().splitlines()
    found = json.loads(last)
    assert found["code"] == 0, done.stderr
    return "\n".join(said), set(found["modules"]), found["opened"]


def test_a_no_op_build_loads_no_template_engine_no_markdown_and_opens_no_unchanged_source(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    settle()
    build(site)
    said, modules, opened = run_build(site)
    assert "Nothing changed since the last build" in said
    assert [name for name in NOT_FOR_A_NO_OP if name in modules] == []
    sources = (str(site / "content"), str(default_theme_dir()))
    assert [name for name in opened if name.startswith(sources)] == []


# What no build needs, though a library it uses offers it: Pagefind's service client (asyncio), the SAX helpers
# (they load urllib.request and http.client), and the entry points of every installed package, which
# Python-Markdown reads to find an extension given by name; the reader of e-mailed comments (the theme's
# "reply by e-mail" links need only the Subject they write). Each costs every build 15-55 ms.
NOT_FOR_A_BUILD = ("asyncio", "pagefind.service", "xml.sax", "urllib.request", "http.client", "importlib.metadata",
                   "museumsite.comments.inbox", "email.policy")


def test_a_whole_build_loads_no_module_it_does_not_use(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    said, modules, _ = run_build(site)
    assert "Built " in said and (site / "_site/sitemap.xml").is_file()
    assert {"jinja2", "markdown", "museumsite.render.search"} <= modules  # it did build
    assert [name for name in NOT_FOR_A_BUILD if name in modules] == []


def test_a_record_that_does_not_name_the_theme_or_names_extensions_is_checked_with_the_config(
        make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    settle()
    build(site)
    (record,) = (site / CACHE_DIR).glob("build-*.json")
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert saved["stamp"] == "" and any(Path(folder) == default_theme_dir() for folder in saved["dirs"])
    older = {key: value for key, value in saved.items() if key != "dirs"}  # an older museumsite's record
    for doubtful in (older, {**saved, "stamp": "extensions"}, {**saved, "dirs": "themes"}):
        record.write_text(json.dumps(doubtful), encoding="utf-8")
        said, modules, _ = run_build(site)
        assert "Nothing changed since the last build" in said and "museumsite.config" in modules
    record.write_text(json.dumps(saved), encoding="utf-8")
    config = site / "museumsite.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("posts_per_page: 2", "posts_per_page: 1"),
                      encoding="utf-8")
    said, modules, _ = run_build(site)  # the config is an input: a change to it is never a no-op
    assert "Nothing changed" not in said and (site / "_site/posts/page/2/index.html").is_file()


def test_a_one_edit_build_reads_no_kept_page_outside_the_shard_it_indexes_again(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    shards = "import museumsite.render.search as search\nsearch.SHARD_SIZE = 2\n"  # this site's 10 pages in 5 shards
    run_build(site, shards)
    post = site / "content/posts/hello.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    said, _, opened = run_build(site, shards)
    assert "Built " in said and b"Edited." in (site / "_site/posts/hello/index.html").read_bytes()
    output = str((site / "_site").resolve())
    pages = {name[len(output) + 1:] for name in opened if name.startswith(output) and name.endswith(".html")}
    # Pagefind reads the other pages of the edited page's shard (here one); what it reads of the 8 others is
    # known by the page's file (shards.PARTS), so they are not opened. Before, all 9 kept pages were.
    assert 0 < len(pages) <= 3 and "about/index.html" not in pages, pages
    (site / CACHE_DIR / "search/parts.json").write_text('{"about/index.html": [1, 2', encoding="utf-8")
    post.write_text(post.read_text(encoding="utf-8").replace("Edited.", "Edited twice."), encoding="utf-8")
    said, _, opened = run_build(site, shards)  # a damaged record of the parts costs reading the pages again
    assert "Built " in said and str((site / "_site/about/index.html").resolve()) in opened
    build(site, site / "clean", use_cache=False)  # with the usual shards: the index and the manifest differ
    made, clean = ({rel: data for rel, data in snapshot(root, skip="pagefind").items() if not rel.startswith(".")}
                   for root in (site / "_site", site / "clean"))
    assert made == clean


def test_a_touched_file_is_read_once_and_then_known_by_its_new_stat(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    settle()
    build(site)
    post = site / "content/posts/hello.md"
    os.utime(post)  # touched, not changed
    settle()
    said, _, opened = run_build(site)
    assert "Nothing changed since the last build" in said and str(post) in opened
    said, _, opened = run_build(site)
    assert "Nothing changed since the last build" in said and str(post) not in opened


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_seen(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    settle()
    build(site)
    assert build(site).up_to_date
    post = site / "content/posts/second.md"
    before = post.stat()
    text = post.read_text(encoding="utf-8")
    assert "Second." in text
    post.write_text(text.replace("Second.", "Secund."), encoding="utf-8")  # same size; the change time moves
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert post.stat().st_size == before.st_size and post.stat().st_mtime_ns == before.st_mtime_ns
    result = build(site)
    assert not result.up_to_date
    assert b"Secund." in (site / "_site/posts/second/index.html").read_bytes()


def test_a_file_replaced_by_another_of_the_same_size_and_times_is_seen(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    post = site / "content/posts/second.md"
    text = post.read_text(encoding="utf-8")
    twin = tmp_path / "twin.md"
    twin.write_text(text.replace("Second.", "Secund."), encoding="utf-8")
    settle()
    build(site)
    stat = post.stat()
    os.utime(twin, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(twin, post)  # another inode, the same size and modification time
    result = build(site)
    assert not result.up_to_date
    assert b"Secund." in (site / "_site/posts/second/index.html").read_bytes()


def test_a_damaged_or_forged_stat_record_costs_a_read_or_a_build_never_a_stale_site(make_site: MakeSite,
                                                                                     tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    settle()
    build(site)
    (record,) = (site / CACHE_DIR).glob("build-*.json")
    saved = json.loads(record.read_text(encoding="utf-8"))
    digests = saved["digests"]
    assert digests, "the record keeps the settled inputs' stats"
    for value in ("not a list", [1, 2], [None] * 6, [1, 2, 3, 4, 5, "zz" * 32]):
        record.write_text(json.dumps({**saved, "digests": {name: value for name in digests}}), encoding="utf-8")
        assert build(site).up_to_date, f"{value!r}: the files are read again, and match"
    # A digest that is not the file's, under the file's own stat: the fingerprint no longer matches.
    forged = {name: [*entry[:5], "00" * 32] for name, entry in digests.items()}
    record.write_text(json.dumps({**saved, "digests": forged}), encoding="utf-8")
    assert not build(site).up_to_date
    clean = tmp_path / "clean"
    build(site, clean, use_cache=False)
    assert snapshot(site / "_site") == snapshot(clean)
