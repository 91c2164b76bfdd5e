"""Importers: outside formats (WordPress WXR, Disqus XML, frab and pretalx schedules) into ``content/``.

Every importer reads its whole input first, builds the files it would write in
memory, and only then hands them to ``contentfile.apply``, the one writer: so an
export that is refused (a DOCTYPE, malformed XML) writes nothing at all, and a
re-import is byte-identical and never clobbers a file edited by hand. They share one
convention: the input is read by ``read_export`` (one size limit), a refusal is an
``ImportRefused``, and what was done is an ``report.ImportReport``.
"""

from __future__ import annotations

from pathlib import Path

from museumsite.errors import BuildError, Problem

# An export larger than this is refused before it is read: a large blog's WXR is a few hundred MB.
MAX_BYTES = 512 * 1024 * 1024


class ImportRefused(BuildError):
    """The input file cannot be imported, and nothing was written: ``problem`` says why.

    A ``BuildError`` with that one problem (``path:line: message`` and a hint), so the
    command line reports it as it reports the build's problems.
    """

    def __init__(self, problem: Problem):
        super().__init__([problem])

    @property
    def problem(self) -> Problem:
        return self.problems[0]


def read_export(path: Path, shown: str, too_large: str) -> bytes:
    """The bytes of the file to import; ImportRefused naming ``shown`` when it cannot be read or is
    larger than MAX_BYTES (``too_large`` is the hint then: what to do with such a file)."""
    def refused(message: str, hint: str) -> ImportRefused:
        return ImportRefused(Problem(shown, None, message, hint))

    limit = f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB"
    try:
        if path.stat().st_size > MAX_BYTES:  # a regular file: refused without reading it
            raise refused(limit, too_large)
        data = path.read_bytes()
    except OSError as exc:
        raise refused(f"cannot read the file: {exc.strerror or exc}", "check the path") from None
    if len(data) > MAX_BYTES:  # a pipe or a device says no size
        raise refused(limit, too_large)
    return data
