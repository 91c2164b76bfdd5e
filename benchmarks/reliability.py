#!/usr/bin/env python3
"""Reliability figures: real builds killed at random moments, and real builds run two at once.

    .venv/bin/python benchmarks/reliability.py [--kills 20] [--races 10] [--posts 300] [--work DIR]

Run it with the Python of a venv where museumsite is installed. It writes a site of
``--posts`` posts in two versions (b retitles one post, drops one, adds one) into a
scratch folder and builds both once to know what a complete old and new site hold.

  kills   switch the site to the other version, start ``museumsite build``, SIGKILL it:
          odd kills after a random share (0.3-1.1) of a normal build's time, even ones
          a random 0-30 % of it after the build starts writing (its temporary folder
          appears), where the swap and the cleanup happen. The kill is survived
          when the output is then exactly the old or the new site, and the next build
          succeeds, gives exactly the new site and leaves no temporary folder or lock.
  in-place kills  edit one post, start ``museumsite build --in-place``, SIGKILL it at a
          random 50-105 % of a one-edit build's time. Survived when the output is the old
          site, the new one, or the old one being rolled forward from a committed journal,
          and the next build completes it to exactly the new site.
  races   start two builds of one site at the same moment. The site is broken when a
          build fails or the output differs from the reference build.

Only the standard library is used; nothing in this repository is written to.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILD = [sys.executable, "-m", "museumsite", "build", "--quiet", "--site"]
CONFIG = "title: Reliability\nbase_url: https://example.org/\nlanguage: en\ntimezone: UTC\nposts_per_page: 10\n"


def write_site(root: Path, posts: int, version: str) -> None:
    folder = root / "content/posts"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (root / "museumsite.yaml").write_text(CONFIG, encoding="utf-8")
    for i in range(posts) if version == "a" else [*range(1, posts), posts]:
        title = f"Post {i}" + (" (revised)" if version == "b" and i == 5 else "")
        body = "\n\n".join(f"Paragraph {j} of post {i}, with *some* words and a [link](https://example.org/{j})."
                           for j in range(20))
        (folder / f"post-{i:04d}.md").write_text(
            f"---\ntitle: {title}\ndate: 2024-01-{i % 28 + 1:02d}\ntags: [t{i % 15}]\n---\n{body}\n", encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def leftovers(output: Path) -> list[str]:
    return [p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}.")]


def build(site: Path, output: Path | None = None) -> subprocess.CompletedProcess[str]:
    extra = ["--output", str(output)] if output else []
    return subprocess.run([*BUILD, str(site), *extra], capture_output=True, text=True, check=False)


def kills(work: Path, count: int, posts: int, rng: random.Random) -> None:
    site, out = work / "kills", work / "kills/_site"
    site.mkdir()
    sites = {}
    for version in "ab":
        write_site(site, posts, version)
        build(site, work / f"reference-{version}")
        sites[version] = snapshot(work / f"reference-{version}")
    build(site)  # the published site is version b
    write_site(site, posts, "a")  # a real build to time (a second build of the same sources is a no-op)
    started = time.perf_counter()
    build(site)
    duration = time.perf_counter() - started
    current, survived, seen = "a", 0, {"old": 0, "new": 0, "neither": 0}
    for attempt in range(count):
        target = "a" if current == "b" else "b"
        write_site(site, posts, target)
        run = subprocess.Popen([*BUILD, str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt % 2:
            time.sleep(rng.uniform(0.3, 1.1) * duration)
        else:
            while run.poll() is None and not any(work.glob("kills/._site.new-*")):
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.3) * duration)
        run.send_signal(signal.SIGKILL)
        run.wait()
        after = snapshot(out) if out.is_dir() else {}
        state = "old" if after == sites[current] else "new" if after == sites[target] else "neither"
        seen[state] += 1
        recovered = build(site).returncode == 0 and snapshot(out) == sites[target] and not leftovers(out)
        survived += state != "neither" and recovered
        current = target
    print(f"kills: {survived}/{count} survived (a normal build takes {duration:.2f} s; after the kill the "
          f"output was the old site {seen['old']} times, the new site {seen['new']} times, "
          f"neither {seen['neither']} times)")


def in_place_kills(work: Path, count: int, posts: int, rng: random.Random) -> None:
    """``build --in-place`` after a one-post edit, killed at a random moment near its end (where it writes)."""
    site, out = work / "in-place", work / "in-place/_site"
    site.mkdir()
    write_site(site, posts, "a")
    command = [*BUILD[:-1], "--in-place", "--site", str(site)]
    subprocess.run(command, check=True)
    started = time.perf_counter()
    edit(site, 0, "warm-up")
    subprocess.run(command, check=True)
    duration = time.perf_counter() - started
    survived, seen = 0, {"old": 0, "new": 0, "journal": 0, "neither": 0}
    for attempt in range(count):
        before = snapshot(out)
        edit(site, rng.randrange(posts), f"edit {attempt}")
        run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 1.05) * duration)
        run.send_signal(signal.SIGKILL)
        run.wait()
        reference = work / "reference-in-place"
        shutil.rmtree(reference, ignore_errors=True)
        build(site, reference)
        after, new = snapshot(out), snapshot(reference)
        state = ("old" if after == before else "new" if after == new
                 else "journal" if any(site.glob("._site.commit-*")) else "neither")
        seen[state] += 1
        recovered = subprocess.run(command, check=False).returncode == 0 and snapshot(out) == new
        survived += state != "neither" and recovered and not leftovers(out)
    print(f"in-place kills: {survived}/{count} survived (a one-edit build takes {duration:.2f} s; after the kill "
          f"the output was the old site {seen['old']} times, the new site {seen['new']} times, being rolled "
          f"forward from its committed journal {seen['journal']} times, neither {seen['neither']} times)")


def edit(site: Path, number: int, words: str) -> None:
    path = site / f"content/posts/post-{number:04d}.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\nOne more paragraph: {words}.\n", encoding="utf-8")


def races(work: Path, count: int, posts: int) -> None:
    site, out = work / "races", work / "races/_site"
    site.mkdir()
    write_site(site, posts, "a")
    build(site, work / "reference-races")
    reference = snapshot(work / "reference-races")
    broken = 0
    for _ in range(count):
        shutil.rmtree(site / ".museumsite-cache", ignore_errors=True)
        runs = [subprocess.Popen([*BUILD, str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for _ in range(2)]
        failed = [run.wait() for run in runs].count(0) != 2
        broken += failed or snapshot(out) != reference or bool(leftovers(out))
    print(f"concurrent builds: {count} pairs tried, {broken} broken sites")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--races", type=int, default=10)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new temporary one, removed after)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="museumsite-reliability-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"museumsite reliability, {args.posts} posts, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        kills(work, args.kills, args.posts, random.Random(args.seed))
        in_place_kills(work, args.kills, args.posts, random.Random(args.seed))
        races(work, args.races, args.posts)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
