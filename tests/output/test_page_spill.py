"""A plain build holds no rendered page in memory: the render stage writes each one beside the output
(render/pages.py's ``spill``) and the swap links it into the new site (output/write.py).

The memory is measured as a user sees it: the peak resident set of a real ``museumsite build`` process
over a site whose pages are large and whose sources are small.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from museumsite.build import build
from museumsite.errors import BuildError

from support import MakeSite, snapshot

POSTS = 40
REPEAT = 300  # each post page prints its body this often: ~40 pages of ~1.3 MB from ~4 KB sources
CONFIG = "title: Big pages\nbase_url: https://example.org/\nlanguage: en\nsearch: false\n"
# A post page that prints its body REPEAT times: the pages weigh ~50 MB, the sources and bodies ~0.2 MB.
BIG_POST = ('{% extends "default/post.html" %}{% block content %}'
            f'{{% for _ in range({REPEAT}) %}}{{{{ entry.body_html }}}}{{% endfor %}}{{% endblock %}}')


def big_site(make_site: MakeSite, name: str, *, big: bool) -> Path:
    body = "\n\n".join(f"Paragraph {j}: the museum's night opening, room {j}, with a *guided* tour." for j in range(50))
    files = {f"content/posts/post-{i:03d}.md": f"---\ntitle: Post {i}\ndate: 2024-03-{i % 28 + 1:02d}\n---\n{body}\n"
             for i in range(POSTS)}
    if big:
        files["themes/default/templates/post.html"] = BIG_POST
    return make_site(files, config=CONFIG, name=name)


def peak_of_build(site: Path) -> int:
    """The peak resident set (bytes) of one serial ``museumsite build`` of ``site``, its children included."""
    env = {**os.environ, "MUSEUMSITE_WORKERS": "1"}  # one process: every page passes through it
    process = subprocess.Popen([sys.executable, "-m", "museumsite", "build", "--quiet", "--site", str(site)], env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0
    return usage.ru_maxrss * 1024 if sys.platform != "darwin" else usage.ru_maxrss


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="measuring a process's peak memory needs os.wait4")
def test_a_build_process_holds_one_rendered_page_at_a_time_not_the_whole_site(make_site: MakeSite) -> None:
    small, big = big_site(make_site, "small", big=False), big_site(make_site, "big", big=True)
    base = peak_of_build(small)
    peak = peak_of_build(big)
    pages = sum(p.stat().st_size for p in (big / "_site/posts").rglob("*.html"))
    assert pages > 40_000_000, "the site's pages should outweigh what a build process holds besides them"
    # Holding the pages until the swap (as before) costs their weight at least; one page at a time, a few MB.
    assert peak - base < pages / 3, f"peak {peak / 2**20:.0f} MiB against {base / 2**20:.0f} MiB for small pages"


def test_pages_written_during_rendering_make_the_same_site_as_pages_kept_in_memory(
        make_site: MakeSite, tmp_path: Path) -> None:
    site = big_site(make_site, "site", big=False)
    build(site, tmp_path / "spilled")
    build(site, tmp_path / "in-memory", in_place=True)  # writing file by file keeps the pages in memory
    assert snapshot(tmp_path / "spilled") == snapshot(tmp_path / "in-memory")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failed_build_leaves_no_rendered_page_beside_the_output(make_site: MakeSite) -> None:
    site = big_site(make_site, "site", big=False)
    build(site)
    before = snapshot(site / "_site")
    broken = site / "themes/default/templates/tag.html"
    broken.parent.mkdir(parents=True)
    broken.write_text("{{ no_such_name }}", encoding="utf-8")
    (site / "content/posts/post-000.md").write_text("---\ntitle: Post 0\ndate: 2024-03-01\ntags: [night]\n---\nChanged.\n")
    with pytest.raises(BuildError, match="no_such_name"):
        build(site)
    assert snapshot(site / "_site") == before
    assert [p.name for p in site.iterdir() if p.name.startswith("._site.")] == []


def test_the_pages_a_killed_build_wrote_are_removed_by_the_next_build(make_site: MakeSite) -> None:
    site = big_site(make_site, "site", big=False)
    left = site / "._site.pages-4242-dead"  # what a build killed while rendering leaves
    left.mkdir()
    (left / "0").write_bytes(b"<!doctype html><title>half</title>")
    build(site)
    assert not left.exists()
    assert [p.name for p in site.iterdir() if p.name.startswith("._site.")] == []
