"""The writer under stress: concurrent builds, kills, foreign files, bad output folders.

Every test runs real builds on real folders; the concurrency and kill tests run the
installed ``museumsite`` command in subprocesses, the way two terminals or a killed
CI job would.
"""

from __future__ import annotations

import fcntl
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

import html5lib
import pytest

from museumsite.build import build
from museumsite.cli import main
from museumsite.commands.scaffold import init_site
from museumsite.errors import BuildError, UsageError
from museumsite.incremental.store import OUTPUT_MANIFEST
from museumsite.output import write

from support import SMALL_SITE, MakeSite, snapshot

COMMAND = [sys.executable, "-m", "museumsite", "build", "--quiet"]


def write_posts(root: Path, count: int, version: str = "a") -> None:
    """A site of ``count`` posts; ``version`` b retitles one post, drops one and adds one."""
    posts = root / "content/posts"
    shutil.rmtree(posts, ignore_errors=True)
    posts.mkdir(parents=True)
    numbers = list(range(count)) if version == "a" else [*range(1, count), count]
    for i in numbers:
        title = f"Post {i}" + (" (revised)" if version == "b" and i == 5 else "")
        body = "\n\n".join(f"Paragraph {j} of post {i}, with *some* words and a [link](https://example.org/{j})."
                           for j in range(20))
        (posts / f"post-{i:04d}.md").write_text(
            f"---\ntitle: {title}\ndate: 2024-01-{i % 28 + 1:02d}\ntags: [t{i % 15}]\n---\n{body}\n",
            encoding="utf-8")


def leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}."))


def assert_complete(output: Path) -> None:
    """Every file the manifest lists is there, and every page parses with a title."""
    listed = json.loads((output / OUTPUT_MANIFEST).read_text(encoding="utf-8"))["files"]
    assert listed
    for rel in listed:
        path = output / rel
        assert path.is_file(), f"{rel} is listed but missing"
        if rel.endswith(".html"):
            tree = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
            assert tree.find(".//title") is not None and tree.find(".//title").text, rel


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main",
               *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


# 1. two builds at once

@pytest.mark.slow
def test_two_builds_at_once_both_succeed_and_publish_a_complete_site(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    write_posts(site, 120)
    build(site, tmp_path / "reference")
    reference = snapshot(tmp_path / "reference")
    for _ in range(6):
        shutil.rmtree(site / ".museumsite-cache", ignore_errors=True)
        runs = [subprocess.Popen([*COMMAND, "--site", str(site)], stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
        for run in runs:
            _, err = run.communicate()
            assert run.returncode == 0, err
        assert_complete(site / "_site")
        assert snapshot(site / "_site") == reference
        assert leftovers(site / "_site") == []
        assert not list((site / ".museumsite-cache").glob("*.tmp"))


def test_a_build_waits_for_the_lock_then_says_another_build_is_running(
        small_site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(write, "LOCK_WAIT", 0.2)
    with (small_site / "._site.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(UsageError, match="another build of this site is running"):
            build(small_site)
        assert main(["build", "--site", str(small_site)]) == 2
    assert "another build of this site is running" in capsys.readouterr().err
    assert not (small_site / "_site").exists()
    build(small_site)  # the lock is free again, and removed after the build
    assert_complete(small_site / "_site")
    assert leftovers(small_site / "_site") == []


# 2. foreign files, empty folders, a git repository and symlinks survive a rebuild

def test_a_git_repository_empty_folders_and_symlinks_in_the_output_survive_a_rebuild(small_site: Path) -> None:
    out = small_site / "_site"
    build(small_site)
    assert git(out, "init", "-q").returncode == 0
    assert git(out, "add", "-A").returncode == 0
    assert git(out, "commit", "-q", "-m", "deploy").returncode == 0
    (out / "keep/empty").mkdir(parents=True)
    (out / ".hidden").mkdir()
    (out / "latest").symlink_to("posts/index.html")
    (out / "talks-link").symlink_to("talks", target_is_directory=True)
    (out / "dangling").symlink_to("nowhere")
    (small_site / "content/speakers/bob.md").write_text("---\nname: Bob Builder\n---\nA new bio.\n")

    build(small_site)

    assert git(out, "fsck", "--strict").returncode == 0, git(out, "fsck", "--strict").stderr
    status = git(out, "status", "--porcelain")
    assert status.returncode == 0, status.stderr
    changed = {line[3:] for line in status.stdout.splitlines()}
    assert "speakers/bob/index.html" in changed and "about/index.html" not in changed
    assert (out / "keep/empty").is_dir() and (out / ".hidden").is_dir()
    assert os.readlink(out / "latest") == "posts/index.html" and os.readlink(out / "dangling") == "nowhere"
    assert (out / "talks-link").is_symlink() and os.readlink(out / "talks-link") == "talks"
    assert git(out, "commit", "-q", "-am", "again").returncode == 0


def test_folders_the_build_made_go_when_their_pages_go(small_site: Path) -> None:
    build(small_site)
    (small_site / "content/posts/third.md").unlink()
    build(small_site)
    assert not (small_site / "_site/posts/third").exists()


# 3. recovery from a killed build

def test_a_build_killed_between_the_renames_is_rolled_back_by_the_next_build(small_site: Path) -> None:
    out = small_site / "_site"
    build(small_site)
    old = snapshot(out)
    # The state a kill between "output -> .old" and ".new -> output" leaves: no output at all.
    out.rename(small_site / "._site.old-4242")
    shutil.copytree(small_site / "._site.old-4242", small_site / "._site.new-4242")
    (small_site / "._site.new-4242" / "half-written.html").write_text("<p")
    (small_site / "._site.old-17").mkdir()  # an old leftover of an earlier crash
    build(small_site)
    assert snapshot(out) == old
    assert leftovers(out) == []


def test_the_two_rename_swap_used_without_an_atomic_exchange_leaves_no_leftovers(
        small_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)  # as on macOS or a file system without it
    out = small_site / "_site"
    build(small_site)
    (out / "CNAME").write_text("example.org\n")
    (small_site / "content/posts/third.md").unlink()
    build(small_site)
    assert_complete(out)
    assert (out / "CNAME").is_file() and not (out / "posts/third").exists() and leftovers(out) == []


@pytest.mark.slow
def test_a_killed_build_leaves_the_complete_old_or_new_site_and_the_next_build_recovers(
        make_site: MakeSite, tmp_path: Path) -> None:
    site, sites = make_site(), {}
    for version in "ab":
        write_posts(site, 300, version)
        build(site, tmp_path / version)
        sites[version] = snapshot(tmp_path / version)
    out = site / "_site"
    build(site)
    write_posts(site, 300, "a")  # a real build to time (a second build of the same sources is a no-op)
    started = time.perf_counter()
    subprocess.run([*COMMAND, "--site", str(site)], check=True)
    duration = time.perf_counter() - started
    current, rng = "a", random.Random(9)
    # Ten kills, five anywhere and five while it swaps: benchmarks/reliability.py runs the long campaign.
    for attempt in range(10):
        target = "a" if current == "b" else "b"
        write_posts(site, 300, target)
        run = subprocess.Popen([*COMMAND, "--site", str(site)])
        if attempt % 2:  # anywhere in the build
            time.sleep(rng.uniform(0.3, 1.1) * duration)
        else:  # while it writes, swaps and cleans up
            while run.poll() is None and not list(site.glob("._site.new-*")):
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.3) * duration)
        run.send_signal(signal.SIGKILL)
        run.wait()
        after = snapshot(out)
        assert after in (sites[current], sites[target]), "the output is neither the old nor the new site"
        build(site)
        assert snapshot(out) == sites[target] and leftovers(out) == []
        current = target


# 9. a static file where the site has a page folder

def test_a_static_file_named_like_a_page_folder_is_an_error_naming_both(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "content/static/posts": "not a folder\n"})
    with pytest.raises(BuildError) as caught:
        build(site)
    text = "\n".join(map(str, caught.value.problems))
    assert re.search(r"^content/static/posts: writes the file posts, but \S+ writes posts/\S*index.html", text), text


# 13. output folders that would nest, the manifest, .gitignore

@pytest.mark.parametrize("output", ["themes/default/static/out", "themes/mine/out", "content/static/out"])
def test_an_output_folder_inside_the_sources_is_refused_and_nothing_is_left(
        make_site: MakeSite, output: str) -> None:
    site = make_site({**SMALL_SITE, "themes/default/static/x.css": "a {}\n", "themes/mine/x.txt": "x\n"})
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    with pytest.raises(UsageError, match="inside"):
        build(site, site / output)
    assert main(["build", "--site", str(site), "--output", str(site / output)]) == 2
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before


def test_a_refused_build_leaves_nothing_in_the_site(small_site: Path) -> None:
    foreign = small_site / "public"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me")
    before = sorted(p.name for p in small_site.iterdir())
    with pytest.raises(UsageError, match="not made by museumsite"):
        build(small_site, foreign)
    assert sorted(p.name for p in small_site.iterdir()) == before
    assert [p.name for p in foreign.iterdir()] == ["precious.txt"]


def test_the_published_manifest_lists_only_the_sites_own_public_files(small_site: Path) -> None:
    out = small_site / "_site"
    build(small_site)
    (out / "CNAME").write_text("example.org\n")
    (out / ".git").mkdir()
    (out / ".git/config").write_text("[core]\n")
    build(small_site)
    manifest = json.loads((out / OUTPUT_MANIFEST).read_text(encoding="utf-8"))
    assert list(manifest) == ["files"]
    assert "CNAME" not in manifest["files"] and not any(f.startswith(".") for f in manifest["files"])
    assert str(small_site) not in (out / OUTPUT_MANIFEST).read_text(encoding="utf-8")
    assert all((out / rel).is_file() for rel in manifest["files"])


def test_init_writes_a_gitignore_so_output_and_cache_stay_out_of_git(tmp_path: Path) -> None:
    site = tmp_path / "mysite"
    init_site(site)
    assert {"_site/", ".museumsite-cache/"} <= set((site / ".gitignore").read_text().split())
    build(site)
    assert git(site, "init", "-q").returncode == 0
    status = git(site, "status", "--porcelain", "--untracked-files=all").stdout
    assert status and "_site" not in status and ".museumsite-cache" not in status
