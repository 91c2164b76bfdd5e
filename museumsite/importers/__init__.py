"""Importers: outside formats (WordPress WXR, Disqus XML, frab and pretalx schedules) into ``content/``.

Every importer reads its whole input first, builds the files it would write in
memory, and only then hands them to ``contentfile.apply``, the one writer: so an
export that is refused (a DOCTYPE, malformed XML) writes nothing at all, and a
re-import is byte-identical and never clobbers a file edited by hand.
"""

from __future__ import annotations

from museumsite.errors import MuseumError, Problem


class ImportRefused(MuseumError):
    """The input file cannot be imported; ``str()`` is ``path:line: message`` + hint."""

    exit_code = 1

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))
