"""Numbers and JSON from outside (a form's comment, a schedule, an export) within bounds.

``json.loads`` fails on hostile input with exceptions that are not JSON errors: a
number of more than 4,300 digits raises ValueError from the int conversion (Python's
guard against quadratic conversions, which ``PYTHONINTMAXSTRDIGITS=0`` turns off), and
100,000 nested brackets raise RecursionError. Neither says where, so both are checked
here, on the text, with the line: nesting deeper than MAX_DEPTH is refused before the
parser runs, and an integer longer than MAX_DIGITS while it runs. No comment or
schedule needs either: a schedule nests about eight levels, its ids are short.

Ids in exports and front matter are text, and ``str.isdigit`` is no test for them:
it is true of "²" and "٣" (which ``int`` refuses or reads as another number) and of
5,000 digits. ``small_number`` is the one test.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64
MAX_DIGITS = 100
_ID_NUMBER = re.compile(r"[0-9]{1,20}")  # an unsigned 64-bit id (WordPress's bigint) has at most 20 digits
# A string (skipped whole, so that brackets and digits inside it do not count) or a bracket.
_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
# A string, or an integer (not the digits of a fraction or an exponent) that is too long.
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
