"""What a piece of code opens or compiles, seen through Python's audit hooks (PEP 578), without patching it.

A hook cannot be removed once added: the one hook here stays for the process and records only inside
``audited``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_WATCHING: list[frozenset[str]] = []  # the events ``audited`` records now, if any
_SEEN: list[tuple[str, str]] = []
_INSTALLED: list[bool] = []


def _hook(event: str, args: tuple[object, ...]) -> None:
    if not _WATCHING or event not in _WATCHING[0]:
        return
    target = args[1] if event == "compile" else args[0]  # compile(source, filename); open(path, mode, flags)
    if isinstance(target, (str, os.PathLike)):
        path = os.fspath(target)
        if isinstance(path, str):
            _SEEN.append((event, path))


@contextmanager
def audited(*events: str) -> Iterator[list[tuple[str, str]]]:
    """The (event, path) of every ``open`` or ``compile`` (as named) inside the block, in the list yielded."""
    if not _INSTALLED:
        sys.addaudithook(_hook)
        _INSTALLED.append(True)
    found: list[tuple[str, str]] = []
    _SEEN.clear()
    _WATCHING[:] = [frozenset(events)]
    try:
        yield found
    finally:
        _WATCHING.clear()
        found.extend(_SEEN)
        _SEEN.clear()
