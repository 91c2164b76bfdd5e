"""What ``serve`` shows: the last build's pages and feeds from memory, everything else from the output folder.

A save starts a build with the session's ``Resident`` (``incremental/resident.py``): the
files that did not change are not read again, the pages whose inputs did not change are
taken from memory. As soon as the pages and feeds are made (before the search index and
before anything is written), the build hands them to ``Session.ready``: from then on they
are answered from memory and the reload event goes out, while the build goes on to write.
The search index (Pagefind: the slowest part of a small change) is not made again by a
build that follows a save: its files stay those of the previous build until the author
pauses (``watch.IDLE`` seconds without a save), when a full build brings it up to date
without a reload event (the page on screen did not change). Files not in memory (static
files, the search index) come from the output folder, which the build finishes updating a
moment later; a page this build removes answers 404 at once. A build that fails after ``ready`` puts the previous pages back.

Requests are answered from the output folder only: a path is decoded, any ``..`` refused,
then resolved (symlinks included) and checked to be inside the folder; in memory, a path is
looked up as the exact name of an output, after the same checks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from museumsite.incremental.resident import Resident
from museumsite.model import Output


@dataclass(frozen=True, slots=True)
class Found:
    """Where a request path leads: a file, bytes from memory, a redirect, or nothing (all None)."""

    file: Path | None = None
    redirect: str | None = None
    data: bytes | None = None


def _parts(request_path: str, base_path: str) -> tuple[str, list[str]] | Found:
    """The raw path and its decoded segments below ``base_path``; a Found (redirect or nothing) when it has none."""
    raw = urlsplit(request_path).path
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return Found()
    if "\x00" in path or "\\" in path:
        return Found()
    if not path.startswith(base_path):
        return Found(redirect=base_path) if path in ("/", base_path.rstrip("/")) else Found()
    parts = path[len(base_path):].split("/")
    if any(part in (".", "..") for part in parts):
        return Found()
    return raw, parts


def locate(request_path: str, output: Path, base_path: str = "/") -> Found:
    """Map a URL path to a file inside ``output``, never outside it.

    ``..`` segments are refused after percent-decoding (``%2e%2e``), and the
    resolved file (symlinks followed) must still lie inside the resolved output.
    """
    split = _parts(request_path, base_path)
    if isinstance(split, Found):
        return split
    raw, parts = split
    root = output.resolve()
    target = root.joinpath(*[p for p in parts if p]).resolve()
    if target.is_dir() and _inside(target, root):
        if not raw.endswith("/"):
            return Found(redirect=raw + "/")
        target = (target / "index.html").resolve()
    return Found(file=target) if _inside(target, root) and target.is_file() else Found()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class Session:
    """The resident memory of one ``serve`` and the outputs it answers from memory."""

    def __init__(self, output: Path, on_ready: Callable[[], None] = lambda: None) -> None:
        self.output = output
        self.on_ready = on_ready
        self.resident = Resident()
        self.resident.ready = self.ready
        self._lock = threading.Lock()
        self._shown: dict[str, bytes] = {}  # output path -> bytes: the latest build's pages and feeds
        self._before: dict[str, bytes] = {}  # what was shown before it, until it is written
        self._gone: frozenset[str] = frozenset()  # shown before, not any more, maybe still on disk
        self.announced = False  # ready was called during the current build
        self.quiet = False  # the current build only brings the search index up to date: no reload event

    def starting(self, *, defer_search: bool, quiet: bool = False) -> None:
        """A build begins; ``defer_search``: keep the last search index if there is one (see ``idle``)."""
        self.announced, self.quiet = False, quiet
        self.resident.defer_late = defer_search

    @property
    def behind(self) -> bool:
        """Whether the last build kept the previous search index: the next idle moment makes it again."""
        return self.resident.deferred

    def ready(self, outputs: Sequence[Output]) -> None:
        """Show ``outputs`` from memory from now on, then announce them (the reload event)."""
        shown = {o.path: o.data for o in outputs}
        with self._lock:
            self._before, self._shown = self._shown, shown
            self._gone = frozenset(self._before.keys() - shown.keys())
        self.announced = True
        if not self.quiet:
            self.on_ready()

    def finished(self, good: bool) -> None:
        """The build is over: written (``good``), or failed after ``ready``, when the previous pages come back."""
        with self._lock:
            if not good and self.announced:
                self._shown = self._before
            self._before, self._gone = {}, frozenset()

    def find(self, request_path: str, base_path: str) -> Found:
        """What a request for ``request_path`` gets: an output in memory, else a file of the output folder."""
        split = _parts(request_path, base_path)
        if isinstance(split, Found):
            return split
        raw, parts = split
        rel = "/".join(p for p in parts if p)
        with self._lock:
            shown, gone = self._shown, self._gone
        if raw.endswith("/") or not rel:
            rel = f"{rel}/index.html".lstrip("/")
        elif f"{rel}/index.html" in shown:
            return Found(redirect=raw + "/")
        if rel in shown:
            return Found(data=shown[rel])
        if rel in gone:
            return Found()
        return locate(request_path, self.output, base_path)

    def page(self, rel: str) -> Found:
        """The output ``rel`` (``404.html``), from memory or the output folder."""
        with self._lock:
            data = self._shown.get(rel)
        if data is not None:
            return Found(data=data)
        file = self.output / rel
        return Found(file=file) if file.is_file() else Found()
