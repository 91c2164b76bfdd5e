"""Writing a file so that a reader, even after a kill or a power cut, finds its old bytes or its new ones.

One helper for every file museumsite rewrites whole (the build's records in the cache, the
in-place journal, an importer's content files and its manifest, a moderated comment
archive): the bytes go to a temporary file in the same folder (a rename never crosses file
systems), are flushed to the disk (``fsync``), take the mode of the file they replace (or
the umask's for a new one), and are renamed over the target in one step; for the files a
person keeps (``durable``), the folder is flushed too, so the rename itself survives a
power cut. A temporary file left by a kill is hidden, so the loader and ``serve``'s
watcher pass over it.

Scratch names follow one pattern, ``.<name>.<kind>-<pid>-<random>`` beside what they
are for: the temporary files here, the build's staging and retired folders
(``.<out>.new-``, ``.<out>.old-``), the in-place journal's (``.<out>.patch-``,
``.<out>.commit-``) and the search index's work folders. Recovery finds a killed build's
leftovers by that pattern, and one tag pairs the folders of one build.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def scratch_tag() -> str:
    """Unique to this process and this call: two builds, or two writes of one build, never share a name."""
    return f"{os.getpid()}-{os.urandom(4).hex()}"  # os.urandom: the secrets module loads random, hmac, base64


def beside(path: Path, kind: str, tag: str | None = None) -> Path:
    """The scratch name ``.<name>.<kind>-<tag>`` next to ``path`` (a new tag unless one is given)."""
    return path.parent / f".{path.name}.{kind}-{tag or scratch_tag()}"


def scratches(path: Path, kind: str) -> list[Path]:
    """The scratch files or folders of ``kind`` next to ``path`` (a killed build's leftovers), sorted."""
    return sorted(path.parent.glob(f".{path.name}.{kind}-*"))


def tag_of(scratch: Path, kind: str) -> str:
    """The tag of a scratch name made by ``beside``: it pairs the folders of one build."""
    return scratch.name.rpartition(f".{kind}-")[2]


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` in one step (see the module docstring); raises OSError.

    ``durable=False`` leaves the folder unflushed: for records that vouch for nothing by
    themselves (a lost rename only means the previous record, which no longer matches).
    """
    temporary = _stage(path, data, flush=True)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        sync_folder(path.parent)


class Batch:
    """Many files replaced, each as ``atomic_write`` does, with one flush to the disk for all of them.

    An import writes thousands of files: flushing each costs ~5 ms (its own journal commit),
    flushing the file system once costs about that for all. Files are staged by ``write``
    and, when the ``batch()`` block ends, flushed together, renamed in the order they were
    written (an importer's manifest last) and their folders flushed; a block left by an
    exception renames nothing and removes what it staged.
    """

    def __init__(self) -> None:
        self.staged: dict[Path, bytes] = {}  # what this batch writes, by path: the files as they will be
        self._temporaries: collections.deque[tuple[Path, Path]] = collections.deque()  # (temporary, target)

    def write(self, path: Path, data: bytes) -> None:
        self._temporaries.append((_stage(path, data, flush=False), path))
        self.staged[path] = data

    def _commit(self) -> None:
        _flush([temporary for temporary, _ in self._temporaries])
        while self._temporaries:
            temporary, target = self._temporaries[0]
            os.replace(temporary, target)
            self._temporaries.popleft()
        for folder in sorted({path.parent for path in self.staged}):
            sync_folder(folder)

    def _discard(self) -> None:
        for temporary, _ in self._temporaries:
            temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def batch() -> Iterator[Batch]:
    """A ``Batch`` committed when the block ends, discarded if it raises."""
    files = Batch()
    try:
        yield files
        files._commit()
    finally:
        files._discard()


def _stage(path: Path, data: bytes, *, flush: bool) -> Path:
    """A new temporary file beside ``path`` holding ``data``, with the mode of ``path`` (or the umask's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    temporary = beside(path, "tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            if flush:
                os.fsync(file.fileno())
        os.chmod(temporary, mode)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _flush(paths: list[Path]) -> None:
    """Flush these files' bytes to the disk: the file systems holding them at once on Linux, else one by one."""
    import ctypes  # here: a no-op build flushes nothing

    syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None) if sys.platform == "linux" else None
    pending = list(paths)
    if syncfs is not None:
        devices: dict[int, Path] = {}
        for path in paths:
            devices.setdefault(path.stat().st_dev, path)
        for path in devices.values():
            handle = os.open(path, os.O_RDONLY)
            try:
                if syncfs(handle) != 0:
                    break
            finally:
                os.close(handle)
        else:
            pending = []
    for path in pending:
        handle = os.open(path, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def write_json(path: Path, value: Any, *, durable: bool = True) -> None:
    """``value`` as compact JSON through ``atomic_write``."""
    atomic_write(path, json.dumps(value, separators=(",", ":")).encode("utf-8"), durable=durable)


def read_json(path: Path) -> Any:
    """The JSON in ``path``; None when it is missing, unreadable or not JSON (a record in doubt is no record)."""
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename, a new file) to the disk; where a system cannot, do nothing."""
    if not hasattr(os, "O_DIRECTORY"):  # Windows: folders cannot be opened, renames are flushed with the file
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@functools.cache
def _umask() -> int:
    """The process's umask, read once (setting it to read it back is not thread-safe to repeat)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
