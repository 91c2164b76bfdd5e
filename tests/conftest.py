"""Shared fixtures: small real sites written into a temporary folder."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

BASE_CONFIG = """\
title: Test site
base_url: https://example.org/
language: en
languages: [en, fr]
timezone: Europe/Paris
posts_per_page: 2
"""

MakeSite = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write ``files`` (path -> text, dedented) into a new site folder and return it.

    The config defaults to BASE_CONFIG; pass ``config=...`` to replace it, or a
    ``museumsite.yaml`` entry in ``files``.
    """

    def make(files: dict[str, str] | None = None, config: str = BASE_CONFIG, name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir()
        (root / "museumsite.yaml").write_text(config, encoding="utf-8")
        (root / "content").mkdir()
        for rel, text in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return make


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


@pytest.fixture
def small_site(make_site: MakeSite) -> Path:
    return make_site(SMALL_SITE)
