"""The resident layer: what ``serve`` keeps in memory from one build to the next.

A ``build`` is a new process: it must read, parse and hash every input, and read back the
pages it keeps, before it knows what changed. ``serve`` is one process for a whole editing
session, so it keeps a ``Resident`` and passes it to every build (``Store.resident``):

- the parsed documents, each with the stat of its file (``content/load.py``'s ``DocumentMemo``):
  a save re-reads only the files whose size, times or inode changed;
- the digest of every input file, by the same stat (the no-op record and the site's shape hash
  the theme and catalogues: unchanged files are not read again);
- the converted Markdown of the last build (beside the SQLite rows, which stay the record);
- the compiled templates (Jinja's bytecode, keyed by each template's source);
- the last good build's outputs, by path: a page kept from the previous build is taken from
  here instead of read back from the output folder (its file is still checked by size, time
  and inode, as for a plain build), and the pages record is not parsed again;
- the last good build's site, page plan and problems (``bodyedit.py``): when the
  edits since changed only the bodies of some entries, the next build converts those bodies,
  renders the pages and feeds that read them and keeps everything else, without assembling,
  planning or hashing the site again.

None of it is a source of truth: every lookup checks what it was made from (a file's stat, a
template's source, a page's record), exactly as the on-disk layers do, so a session gives the
same bytes as a clean build (``tests/test_resident.py`` and the state machine of
``tests/test_incremental.py`` check it). ``ready`` lets the server see the pages and feeds as
soon as they are made, before the search index and the writing (see ``serve/server.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import jinja2

from museumsite.content.load import DocumentMemo
from museumsite.model import Output


class MemoryBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory; Jinja checks each one against its template's source.

    ``behind``: a cache to read what this one lacks from and to write to as well (the cache folder's).
    ``limit``: at most so many templates, the oldest dropped first (one process building many sites).
    """

    def __init__(self, behind: jinja2.BytecodeCache | None = None, limit: int = 0,
                 compiled: dict[str, bytes] | None = None) -> None:
        self.compiled: dict[str, bytes] = {} if compiled is None else compiled
        self.behind, self.limit = behind, limit

    def in_front_of(self, behind: jinja2.BytecodeCache) -> MemoryBytecode:
        """This memory, read first and written along with ``behind`` (a build's cache folder)."""
        return MemoryBytecode(behind, self.limit, self.compiled)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self.compiled.get(bucket.key)
        if found is not None:
            bucket.bytecode_from_string(found)  # left empty when compiled from another source
        if self.behind is None:
            return
        if bucket.code is None:
            self.behind.load_bytecode(bucket)
            return
        with contextlib.suppress(OSError):  # the folder serves the next process: it gets what this one knows
            self.behind.dump_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()
        if self.limit and len(self.compiled) > self.limit:
            with contextlib.suppress(KeyError, RuntimeError, StopIteration):  # two builds in threads of one script
                del self.compiled[next(iter(self.compiled))]
        if self.behind is not None:
            self.behind.dump_bytecode(bucket)


# The templates this process compiled, for its next builds: Jinja compiles from a template's source alone (the
# environment's options are the same for every site), and checks the source before using what is here. A
# command line build compiles once either way; a process that builds many sites (the test suite, a script)
# no longer compiles the packaged theme for each, which was most of a small site's build.
PROCESS_TEMPLATES = MemoryBytecode(limit=1000)


class Resident:
    """One ``serve`` session's memory; see the module docstring. Used by one build at a time."""

    def __init__(self) -> None:
        self.documents = DocumentMemo()
        self.digests: dict[str, tuple[tuple[Any, ...], bytes]] = {}  # by file name: content/stat.py's DigestMemo
        self.markup: dict[str, dict[str, Any]] = {}
        self.templates = MemoryBytecode()
        self.kept: dict[str, Output] = {}  # the last good build's outputs by path, as the next build keeps them
        self.record: tuple[tuple[Any, ...] | None, Any] | None = None  # the pages record, with its file's stat
        # Called with every output but the search index once they are made and checked: serve shows them at once.
        self.ready: Callable[[Sequence[Output]], None] | None = None
        # The search index of the last good build, by producer: while ``defer_late`` is set, a build keeps
        # these files as they are (``deferred`` then says so) and the session indexes again once idle.
        self.late: dict[str, list[Output]] = {}
        self.made_late: dict[str, list[Output]] = {}
        self.defer_late = False
        self.deferred = False
        # The last good build's site, plan and problems (``bodyedit.Snapshot``): the next build starts from it
        # when the session's edits changed bodies alone.
        self.snapshot: Any = None

    def begin(self) -> None:
        """A new build: nothing made or deferred yet."""
        self.made_late, self.deferred = {}, False

    def remember(self, outputs: Sequence[Output]) -> None:
        """The outputs of a build that succeeded (written): the next build may keep them from here."""
        # As outputs to keep (``reuse.keep``, ``reuse.keep_unedited``): made again only for the files this build made.
        self.kept = {o.path: o if o.kept else dataclasses.replace(o, kept=True) for o in outputs}
        self.late.update(self.made_late)
        self.made_late = {}
