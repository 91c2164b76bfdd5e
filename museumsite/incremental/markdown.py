"""The Markdown cache: converted HTML kept between builds, one SQLite row per entry.

Rows are keyed by a hash of everything the HTML depends on (the Markdown, the
entry's path and language, the converter's configuration and versions: the key
``markup/convert.py`` makes) and of the build options this layer depends on
(``BuildOptions.key("markdown")``), so a key either matches exactly or not at all. One changed entry writes one row; the file
is never rewritten whole. The cache is a convenience, never a source of truth: a
row whose checksum does not match is ignored, and a file SQLite cannot read
(truncated, overwritten, not a database) is deleted and built again, silently.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sqlite3
import zlib
from pathlib import Path
from typing import Any

FIELDS = {"body": str, "summary": str, "toc": str, "linked": dict, "warnings": list}


@dataclasses.dataclass(slots=True)
class MarkupCache:
    """The previous builds' conversions (read on demand) and this build's (kept to save).

    A document is converted again when its key changes, or when a page it links to
    has moved; documents with errors are never stored, so their errors are found again.
    Without a ``path`` the cache holds nothing and saves nothing (``use_cache=False``).
    """

    path: Path | None = None
    salt: str = ""  # the options' key: rows made under other options are never read
    db: sqlite3.Connection | None = None
    stored: set[str] = dataclasses.field(default_factory=set)  # keys in the file
    kept: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # keys this build used
    broken: bool = False
    # A serve session's conversions (resident.py), looked up before the file and left holding this build's.
    memory: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    def row(self, key: str) -> str:
        """The row of the converter's ``key`` under this build's options."""
        return hashlib.sha256(f"{self.salt}\0{key}".encode()).hexdigest()

    def get(self, key: str) -> dict[str, Any] | None:
        key = self.row(key)
        if key in self.memory:
            return self.memory[key]
        if self.db is None or key not in self.stored:
            return None
        try:
            row = self.db.execute("SELECT crc, value FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            self.broken = True
            return None
        if row is None or row[0] != _crc(key, row[1]):
            return None
        try:
            value = json.loads(row[1])
        except ValueError:
            return None
        if not isinstance(value, dict) or any(not isinstance(value.get(k), t) for k, t in FIELDS.items()):
            return None
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        self.kept[self.row(key)] = value

    def save(self, *, partial: bool = False) -> None:
        """Store this build's new rows and drop the rows it did not use, so the cache never outgrows the site.

        ``partial``: the build converted some entries only (a serve session's body save, bodyedit.py) and
        used no other row: every row stays, for the next whole build (the replaced texts' until then).
        """
        if not partial:
            self.memory.clear()
        self.memory.update(self.kept)
        if self.path is None:
            return
        try:
            if self.db is None or self.broken:
                self.close()
                _remove(self.path)
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db, self.stored = _open(self.path), set()
            new = [(k, json.dumps(v, sort_keys=True, ensure_ascii=False)) for k, v in self.kept.items()
                   if k not in self.stored]
            stale = [] if partial else [(k,) for k in self.stored - self.kept.keys()]
            if new or stale:
                with self.db:
                    self.db.executemany("INSERT OR REPLACE INTO entries (key, crc, value) VALUES (?, ?, ?)",
                                        [(k, _crc(k, text), text) for k, text in new])
                    self.db.executemany("DELETE FROM entries WHERE key = ?", stale)
        except (sqlite3.Error, OSError):
            self.close()
            _remove(self.path)  # the next build starts a new cache
        finally:
            self.close()

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None


def read_cache(path: Path | None, salt: str = "") -> MarkupCache:
    """Open the cache at ``path`` (None: no cache); a missing or unreadable one is an empty one, never an error."""
    if path is None or not path.is_file():
        return MarkupCache(path=path, salt=salt)
    try:
        db = _open(path)
        stored = {key for (key,) in db.execute("SELECT key FROM entries")}
    except sqlite3.Error:
        return MarkupCache(path=path, salt=salt, broken=True)
    return MarkupCache(path=path, salt=salt, db=db, stored=stored)


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30)
    db.execute("PRAGMA synchronous = OFF")  # a cache: a torn write is caught by the checksums
    db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, crc INTEGER NOT NULL, value TEXT NOT NULL)")
    return db


def _crc(key: str, text: str) -> int:
    return zlib.crc32(text.encode("utf-8"), zlib.crc32(key.encode("utf-8")))


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        with contextlib.suppress(OSError):
            leftover.unlink()
