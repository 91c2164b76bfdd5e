"""Watch a site's sources for ``serve``: which changes matter, and when to rebuild.

Input: file-system events from watchdog under the site root. Output: a call to
``rebuild`` once the author has stopped saving for a moment (DEBOUNCE seconds), so
an editor writing a swap file, a backup and the file itself causes one build, not
three. Only what the build reads counts: ``content/``, ``themes/``, ``locales/`` and
``museumsite.yaml``; the output, the cache and editor droppings never do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path, PurePath

from watchdog import events as fs
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from museumsite import CONFIG_FILE

DEBOUNCE = 0.05  # seconds without a relevant change before rebuilding (editors write a save within milliseconds)
IDLE = 1.5  # seconds without a change before the work a build left for later (serve's search index)
WATCHED_DIRS = ("content", "themes", "locales")
# Files editors write beside the one being saved: vim (.swp, .swx, 4913, foo~), emacs (.#foo), others (.tmp).
EDITOR_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp")
EDITOR_NAMES = ("4913",)
# What changes a file's bytes or its place. Not "opened" nor "closed_no_write": the build itself
# opens every source, so counting reads would make each build start the next one, forever.
CHANGES = ("created", "deleted", "modified", "moved", "closed")


def is_relevant(path: str | Path, root: Path) -> bool:
    """Whether a change at ``path`` can change the built site."""
    try:
        rel = PurePath(path).relative_to(root)
    except ValueError:
        return False
    parts = rel.parts
    if not parts or any(part.startswith(".") for part in parts):
        return False  # hidden files and folders, emacs lock files (.#name), the cache
    name = parts[-1]
    if name.endswith(EDITOR_SUFFIXES) or name in EDITOR_NAMES:
        return False
    if len(parts) == 1:
        return name == CONFIG_FILE or name in WATCHED_DIRS
    return parts[0] in WATCHED_DIRS


class _Changes(FileSystemEventHandler):
    """Turns relevant watchdog events into one flag the rebuild loop waits on."""

    def __init__(self, root: Path, changed: threading.Event) -> None:
        self.root = root
        self.changed = changed

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES or (event.is_directory and event.event_type == "modified"):
            return  # a folder's times change with any file in it; the file's own event counts
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if any(p and is_relevant(_text(p), self.root) for p in paths):
            self.changed.set()


def _text(path: str | bytes) -> str:
    return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path


class Watcher:
    """Watches the site and calls ``rebuild`` from one thread, one build at a time.

    The root itself is watched without recursion (the config file, and the folders
    appearing later); each source folder recursively, so the output and the cache,
    which change at every build, are never watched at all.
    """

    def __init__(self, root: Path, rebuild: Callable[[], None], debounce: float = DEBOUNCE,
                 idle: Callable[[], None] | None = None) -> None:
        """``idle`` is called from the rebuild thread after IDLE seconds without a change (and every IDLE
        seconds after): it does what the last build left for later, if anything."""
        self.root = root
        self.rebuild = rebuild
        self.idle = idle
        self.debounce = debounce
        self.changed = threading.Event()
        self.stopping = threading.Event()
        self.observer: BaseObserver = Observer()
        self.handler = _Changes(root, self.changed)
        self.watched: dict[str, ObservedWatch] = {}
        self.thread = threading.Thread(target=self._loop, name="museumsite-rebuild", daemon=True)

    def start(self) -> None:
        self._schedule(self.root, recursive=False)
        self._watch_new_folders()
        self.observer.start()  # watches are in place when this returns
        self.thread.start()

    def stop(self) -> None:
        """Stop watching; waits for a build in progress to finish (it is atomic anyway)."""
        self.stopping.set()
        self.changed.set()
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join()
        if self.thread.is_alive():
            self.thread.join()

    def _watch_new_folders(self) -> None:
        """Follow source folders appearing and disappearing (a theme folder made mid-session)."""
        for name in WATCHED_DIRS:
            folder = self.root / name
            if name in self.watched and not folder.is_dir():
                self.observer.unschedule(self.watched.pop(name))
            if name not in self.watched and folder.is_dir():
                self.watched[name] = self._schedule(folder, recursive=True)

    def _schedule(self, folder: Path, recursive: bool) -> ObservedWatch:
        """Ask the system for changes only (watchdog 4+), so reads by the build are not even reported."""
        kinds = [getattr(fs, name) for name in ("FileCreatedEvent", "FileDeletedEvent", "FileModifiedEvent",
                                                "FileMovedEvent", "FileClosedEvent", "DirCreatedEvent",
                                                "DirDeletedEvent", "DirMovedEvent") if hasattr(fs, name)]
        try:
            return self.observer.schedule(self.handler, str(folder), recursive=recursive, event_filter=kinds)
        except TypeError:  # watchdog 3: no event_filter; _Changes drops the reads
            return self.observer.schedule(self.handler, str(folder), recursive=recursive)

    def _loop(self) -> None:
        while not self.stopping.is_set():
            if not self.changed.wait(IDLE if self.idle is not None else None):
                if self.idle is not None and not self.stopping.is_set():
                    self.idle()
                continue
            # Debounce: rebuild only once no change arrived for a whole interval.
            while self.changed.is_set() and not self.stopping.is_set():
                self.changed.clear()
                self.stopping.wait(self.debounce)
            if self.stopping.is_set():
                return
            self._watch_new_folders()
            self.rebuild()
