"""``bounds.LinearLinks``: Python-Markdown's links and images read with bounded work, to the same HTML.

Python-Markdown scans from every ``[`` to its ``]`` and from every ``(`` to its ``)``
in Python; unclosed ones are scanned to the end of the paragraph, so a comment of
brackets took minutes (to build, to ``comments add``, to import). The work is counted
here, not timed: the Python lines run while converting, traced with ``sys.settrace``.
The HTML must be the original's, on the CommonMark examples and on generated text
that reaches the table look-ups (SCAN lowered for that).
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import markdown
import pytest

from museumsite.bounds import LinearLinks, _Brackets
from museumsite.comments.threads import _markdown
from museumsite.importers.wordpress.tomarkdown import _render

from support import shared


class TooMuchWork(Exception):
    pass


@contextmanager
def line_budget(budget: int) -> Iterator[list[int]]:
    """Count the Python lines run; stop with TooMuchWork past ``budget`` (the old code ran for minutes)."""
    count = [0]

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            count[0] += 1
            if count[0] > budget:
                raise TooMuchWork
        return tracer

    sys.settrace(tracer)
    try:
        yield count
    finally:
        sys.settrace(None)


@pytest.mark.parametrize("text", [
    "[" * 4000, "![" * 2000, "[a](" * 1000, "[a](b" * 800, "[a]((b)" * 600, "[a](x'y)" * 500, "[[a]" * 1000,
    "[a][" * 1000, "[a](b) " * 600, "x [" + "y" * 4000,
])
@pytest.mark.parametrize("convert", [_markdown, _render], ids=["comment", "import"])
def test_links_and_images_are_read_with_work_linear_in_the_text(text: str, convert: Any) -> None:
    """1,000 Python lines per character of the text at most, whatever it holds (the old code: n²)."""
    with line_budget(1000 * len(text)) as count:
        convert(text)
    assert count[0] <= 1000 * len(text)


def original(text: str) -> str:
    return str(markdown.markdown(text, extensions=["sane_lists"]))


def bounded(text: str) -> str:
    return str(markdown.markdown(text, extensions=["sane_lists", LinearLinks()]))


def test_the_html_of_every_commonmark_example_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = shared("corpora", "markdown", "commonmark-spec-0.31.2.json")
    examples = [case["markdown"] for case in json.loads(spec.read_text(encoding="utf-8"))]
    for scan in (_Brackets.SCAN, 3):  # as shipped, and with every far bracket read from the tables
        monkeypatch.setattr(_Brackets, "SCAN", scan)
        monkeypatch.setattr(_Brackets, "TITLED", 10**9)
        assert [bounded(text) for text in examples] == [original(text) for text in examples]


def test_the_html_of_generated_link_syntax_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Brackets, "SCAN", 4)
    monkeypatch.setattr(_Brackets, "TITLED", 10**9)
    generator = random.Random(15)
    pieces = ["[", "]", "(", ")", "![", "'", '"', " ", "a", "b", "<", ">", "\\", "\n", "]:", "http://x/", "*"]
    for _ in range(1500):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 60)))
        assert bounded(text) == original(text), text


def test_a_title_is_read_within_its_first_characters() -> None:
    """The one difference: a URL and title longer than TITLED characters are read as cut there."""
    near = '[a](https://example.org/ "' + "t" * 100 + '")'
    assert bounded(near) == original(near) and 'title="' in bounded(near)
    far = '[a](https://example.org/ "' + "t" * 600 + '")'
    assert "<a" not in bounded(far)
