"""Numbers and JSON from outside (a form's comment, a schedule, an export) within bounds.

``json.loads`` fails on hostile input with exceptions that are not JSON errors: a
number of more than 4,300 digits raises ValueError from the int conversion (Python's
guard against quadratic conversions, which ``PYTHONINTMAXSTRDIGITS=0`` turns off), and
100,000 nested brackets raise RecursionError. Neither says where, so both are checked
here, on the text, with the line: nesting deeper than MAX_DEPTH is refused before the
parser runs, and an integer longer than MAX_DIGITS while it runs. No comment or
schedule needs either: a schedule nests about eight levels, its ids are short.

Markdown nests a list or a quote in a list or a quote by recursion. Up to version
3.11.3 Python-Markdown raised RecursionError near 500 levels; 3.11.4 stops nesting
within 100 frames of the interpreter's limit and keeps the rest as text, so the same
text came out differently from a shallow and a deep call stack (a build, a worker,
``serve``). ``NestingLimit`` refuses more than MAX_NESTING levels in every version,
the same wherever it is called from; no page needs more than a few. A loose list nested
by indentation builds a deep tree without that recursion: the tree's depth is bounded too.

Ids in exports and front matter are text, and ``str.isdigit`` is no test for them:
it is true of "²" and "٣" (which ``int`` refuses or reads as another number) and of
5,000 digits. ``small_number`` is the one test.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor

MAX_DEPTH = 64
MAX_NESTING = 100
MAX_TREE = 3 * MAX_NESTING  # a level of list is two elements (ul, li), with room for what is inside
MAX_DIGITS = 100
_ID_NUMBER = re.compile(r"[0-9]{1,20}")  # an unsigned 64-bit id (WordPress's bigint) has at most 20 digits
# A string (skipped whole, so that brackets and digits inside it do not count) or a bracket.
_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
# A string, or an integer (not the digits of a fraction or an exponent) that is too long.
_SQUARE = re.compile(r"[\[\]]")
_PAREN = re.compile(r"""[()'"]""")
_LONG_NUMBER = re.compile(rf'"(?:[^"\\]|\\.)*"|(?<![0-9.eE+-])-?[0-9]{{{MAX_DIGITS + 1},}}(?![0-9.eE])')


class JsonProblem(ValueError):
    """The text is not JSON we read; ``line`` is where (1-based), when known."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_json(text: str) -> Any:
    """The value of ``text``; JsonProblem with the line when it is malformed or out of bounds."""
    _check_depth(text)
    try:
        return json.loads(text, parse_int=_int)
    except _TooLong:
        position = next((m.start() for m in _LONG_NUMBER.finditer(text) if m.group()[0] != '"'), 0)
        raise JsonProblem(_line(text, position), f"a number of more than {MAX_DIGITS} digits") from None
    except RecursionError:  # not reached below MAX_DEPTH; kept so that no traceback can escape
        raise JsonProblem(None, "nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise JsonProblem(exc.lineno, f"{exc.msg} (column {exc.colno})") from None


def small_number(text: str) -> int | None:
    """The value of ``text`` when it is an id-sized number in ASCII digits, else None."""
    return int(text) if _ID_NUMBER.fullmatch(text) else None


def markdown_bounds() -> list[Extension]:
    """The bounds every Markdown conversion carries (the build's, a comment's, an importer's): links found
    in time linear in the text, nesting refused past MAX_NESTING. One list, so that a bound added later
    reaches every converter. New instances: an extension binds to the converter it extends."""
    return [LinearLinks(), NestingLimit()]


class TooDeep(ValueError):
    """Markdown text that nests lists or quotes more than MAX_NESTING levels."""


class NestingLimit(Extension):  # type: ignore[misc]
    """Python-Markdown refusing nesting deeper than MAX_NESTING (TooDeep), in two places.

    - The block parser: a list, a list item or a quote written on one line ("1. 1. 1.",
      "> > >") is parsed by a call of ``parseBlocks`` inside the one for its parent, so the
      depth of those calls is the nesting. Refused there, before the recursion gets deep.
    - The tree, right after the block parser: a loose list indented one level more on
      each line is nested by a loop, not by recursion, and the tree processors and the
      serializer then recurse once per element (RecursionError near 500 levels). The tree
      is measured without recursion, and refused deeper than MAX_TREE elements.

    After a refusal the parser's state (which nested blocks are open) is emptied, since
    ``Markdown.reset()`` does not: a converter reused for the next document would
    otherwise leave that document's paragraphs without their ``<p>``.
    """

    def extendMarkdown(self, md: Markdown) -> None:
        parse_blocks = md.parser.parseBlocks
        depth = [0]

        def bounded(parent: Any, blocks: list[str]) -> None:
            if depth[0] > MAX_NESTING:  # the document itself is the first call
                raise TooDeep(f"the text nests lists or quotes more than {MAX_NESTING} levels deep")
            depth[0] += 1
            try:
                parse_blocks(parent, blocks)
            except BaseException:
                if depth[0] == 1:
                    md.parser.state.clear()
                raise
            finally:
                depth[0] -= 1

        md.parser.parseBlocks = bounded
        md.treeprocessors.register(_TreeDepth(md), "museumsite_tree_depth", 50)  # before every other one


class _TreeDepth(Treeprocessor):  # type: ignore[misc]
    def run(self, root: Any) -> None:
        stack = [(root, 1)]
        while stack:
            element, level = stack.pop()
            if level > MAX_TREE:
                raise TooDeep(f"the text nests lists or quotes more than {MAX_TREE} elements deep")
            stack.extend((child, level + 1) for child in element)


class _TooLong(Exception):
    """An integer longer than MAX_DIGITS: raised from inside the parser, located afterwards."""


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _TooLong
    return int(digits)


def _check_depth(text: str) -> None:
    depth = 0
    for match in _BRACKET.finditer(text):
        bracket = match.group()
        if bracket[0] == '"':
            continue
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise JsonProblem(_line(text, match.start()), f"nested too deeply (more than {MAX_DEPTH} levels)")
        else:
            depth -= 1


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


class LinearLinks(Extension):  # type: ignore[misc]
    """Python-Markdown's link and image syntax found in time linear in the text.

    To read ``[text](url)`` Python-Markdown scans from each ``[`` to its matching
    ``]``, one character at a time in Python; a ``[`` that never closes is scanned to
    the end of the paragraph, so 8,000 of them took 14 s and a comment of 65 KB of
    ``![`` minutes. Here the scan stops after SCAN characters, and the match of a
    bracket further away, and of every bracket of that text after it, is read from a
    table of the text's brackets, made once per text: the same answer, with the work
    bounded (a text is rebuilt only when a link is found, and a link found after a
    long scan is at least SCAN characters long).
    """

    def extendMarkdown(self, md: Markdown) -> None:
        for name in ("reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref"):
            processor = md.inlinePatterns[name] if name in md.inlinePatterns else None  # noqa: SIM401 (no get())
            if isinstance(processor, LinkInlineProcessor):
                brackets = _Brackets(processor)
                setattr(processor, "getText", brackets.get_text)  # noqa: B010 (replacing a method)
                setattr(processor, "getLink", brackets.get_link)  # noqa: B010


class _Brackets:
    """``getText`` and ``getLink`` of a LinkInlineProcessor with far matches looked up, not scanned for."""

    SCAN = 1000
    TITLED = 500  # a URL and its title: longer ones are read as cut there

    def __init__(self, processor: LinkInlineProcessor) -> None:
        self.data: str | None = None
        self.matches: dict[int, int] = {}
        self.processor = processor
        self.original_get_link = processor.getLink
        self.parens: tuple[str | None, dict[int, int], list[int]] = (None, {}, [])

    def get_link(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        """Python-Markdown's own reading of ``(url "title")`` after ``[text]``, bounded.

        Without a quote before its ``)``, its loop only counts parentheses, up to the
        match of that ``(`` (or the end of the text without one): near, it is counted
        here; far, it is read from a table of the text's parentheses. ``<url>`` is the
        original's (one regular expression), and so is a title (see ``_titled``).
        """
        found = self.processor.RE_LINK.match(data, pos=index)
        if found is None or found.group(1):
            return tuple(self.original_get_link(data, index))
        start = found.end()
        if self.parens[0] is not data:
            depth = 1
            for position in range(start, min(len(data), start + self.SCAN)):  # near: as the original
                char = data[position]
                if char in "'\"":
                    return self._titled(data, index, start)
                depth += (char == "(") - (char == ")")
                if depth == 0:
                    return self._link(data, start, position)
            if start + self.SCAN >= len(data):
                return "", None, len(data), False
            self.parens = (data, *_matching_parens(data))
        _, matches, quotes = self.parens
        end = matches.get(index)
        quote = bisect.bisect_left(quotes, start)
        if quote < len(quotes) and (end is None or quotes[quote] < end):
            return self._titled(data, index, start)
        return ("", None, len(data), False) if end is None else self._link(data, start, end)

    def _titled(self, data: str, index: int, start: int) -> tuple[str, str | None, int, bool]:
        """A link with a quote (a title) read by the original, within TITLED characters of its start.

        Its reading of quotes has no shortcut: each one unclosed sent it to the end of
        the text. A URL and its title take a line; longer ones are read as cut there.
        """
        return tuple(self.original_get_link(data[:start + self.TITLED], index))

    def _link(self, data: str, start: int, end: int) -> tuple[str, str | None, int, bool]:
        return str(self.processor.unescape(data[start:end])).strip(), None, end + 1, True

    def get_text(self, data: str, index: int) -> tuple[str, int, bool]:
        """(text between the brackets, the index after the ']', closed?) for the '[' before ``index``."""
        if data is self.data and data[index - 1:index] == "[":
            return self._looked_up(data, index)
        depth = 1
        for position in range(index, min(len(data), index + self.SCAN)):
            char = data[position]
            if char == "]":
                depth -= 1
                if depth == 0:
                    return data[index:position], position + 1, True
            elif char == "[":
                depth += 1
        if index + self.SCAN >= len(data) or data[index - 1:index] != "[":
            return data[index:], len(data), False  # scanned to the end (or not after a '[': never so)
        self.data, self.matches = data, _matching_brackets(data)
        return self._looked_up(data, index)

    def _looked_up(self, data: str, index: int) -> tuple[str, int, bool]:
        end = self.matches.get(index - 1)
        return (data[index:end], end + 1, True) if end is not None else (data[index:], len(data), False)


def _matching_parens(data: str) -> tuple[dict[int, int], list[int]]:
    """Position of each '(' -> its ')', by nesting; and the positions of quotes (which start titles)."""
    opened: list[int] = []
    matches: dict[int, int] = {}
    quotes: list[int] = []
    for found in _PAREN.finditer(data):
        char = found.group()
        if char == "(":
            opened.append(found.start())
        elif char == ")":
            if opened:
                matches[opened.pop()] = found.start()
        else:
            quotes.append(found.start())
    return matches, quotes


def _matching_brackets(data: str) -> dict[int, int]:
    """Position of each '[' -> position of its ']', by nesting; unclosed ones are absent."""
    opened: list[int] = []
    matches: dict[int, int] = {}
    for found in _SQUARE.finditer(data):
        if found.group() == "[":
            opened.append(found.start())
        elif opened:
            matches[opened.pop()] = found.start()
    return matches
