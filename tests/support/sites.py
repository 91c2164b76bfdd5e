"""Small real sites written into folders, the demo copied out of the checkout, snapshots, CLI runs."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from museumsite.cli import main

from support.paths import REPO

# -- sites -----------------------------------------------------------------------------------

BASE_CONFIG = """\
title: Test site
base_url: https://example.org/
language: en
languages: [en, fr]
timezone: Europe/Paris
posts_per_page: 2
"""

MakeSite = Callable[..., Path]


def write_site(root: Path, files: dict[str, str] | None = None, config: str = BASE_CONFIG) -> Path:
    """A site folder at ``root``: ``config`` as its museumsite.yaml, then ``files`` (path -> text, dedented)."""
    root.mkdir()
    (root / "museumsite.yaml").write_text(config, encoding="utf-8")
    (root / "content").mkdir()
    for rel, text in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


# A small but complete site: one event with two talks, two speakers, posts in two languages.
SMALL_SITE = {
    "content/events/conf.md": """
        ---
        title: Test Conference
        start: 2024-05-02
        end: 2024-05-03
        timezone: Europe/Paris
        venue: Hall
        city: Lyon
        ---
        The conference.
        """,
    "content/talks/opening.md": """
        ---
        title: Opening talk
        event: conf
        speakers: [ada, bob]
        start: 2024-05-02 09:00
        end: 2024-05-02 09:30
        room: Room A
        tags: [museums]
        slides:
          - title: Slides
            url: https://example.org/slides.pdf
        video: https://example.org/video
        ---
        First paragraph of the talk.

        <!--more-->

        More about the talk.
        """,
    "content/talks/closing.md": """
        ---
        title: Closing talk
        event: conf
        speakers: [ada]
        start: "17:00"
        end: "17:30"
        room: Room B
        ---
        Closing words.
        """,
    "content/speakers/ada.md": """
        ---
        name: Ada Lovelace
        affiliation: Analytical Society
        ---
        Ada's bio.
        """,
    "content/speakers/bob.md": """
        ---
        name: Bob Builder
        ---
        Bob's bio.
        """,
    "content/posts/hello.md": """
        ---
        title: Hello
        date: 2024-05-10
        tags: [news, museums]
        ---
        Intro paragraph.

        <!--more-->

        See [the opening](../talks/opening.md) and [Ada](../speakers/ada.md#bio).
        """,
    "content/posts/hello.fr.md": """
        ---
        title: Bonjour
        ---
        Paragraphe d'introduction.
        """,
    "content/posts/second.md": """
        ---
        title: Second post
        date: 2024-06-01
        tags: [news]
        ---
        Second.
        """,
    "content/posts/third.md": """
        ---
        title: Third post
        date: 2023-01-01
        ---
        Third.
        """,
    "content/pages/about.md": """
        ---
        title: About
        menu: 1
        ---
        About us.
        """,
}


# The demo site at the repository's root: its configuration and content (its theme is the package's).
DEMO_FILES = ("museumsite.yaml", "content")


def copy_demo(dest: Path) -> Path:
    """A copy of the repository's demo site at ``dest``: a build of it keeps its cache and output out of the checkout."""
    dest.mkdir(parents=True)
    for name in DEMO_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, dest / name)
        else:
            shutil.copy2(REPO / name, dest / name)
    return dest


def snapshot(root: Path, skip: str | None = None) -> dict[str, bytes]:
    """Every file under ``root`` by relative path (a symlink as its target's name, not followed), except
    those under a folder named ``skip``: two snapshots are equal when the trees are byte-identical."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if skip is not None and skip in rel.parts:
            continue
        if path.is_symlink():
            found[rel.as_posix()] = os.readlink(path).encode()
        elif path.is_file():
            found[rel.as_posix()] = path.read_bytes()
    return found


# -- the command line ------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """``museumsite ARGS`` in this process: exit code, standard output and standard error (with whatever
    the test printed since it last read them)."""
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def run_code(*args: object) -> int:
    """``museumsite ARGS`` in this process; only its exit code (pytest's capture keeps its output)."""
    return main([str(a) for a in args])


