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

import contextlib
import functools
import json
import os
import secrets
from pathlib import Path
from typing import Any


def scratch_tag() -> str:
    """Unique to this process and this call: two builds, or two writes of one build, never share a name."""
    return f"{os.getpid()}-{secrets.token_hex(4)}"


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
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    temporary = beside(path, "tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        sync_folder(path.parent)


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
