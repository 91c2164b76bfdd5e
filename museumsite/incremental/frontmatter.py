"""The front matter cache: YAML parsed by earlier builds, keyed by the front matter's text.

Parsing the front matter of every content file is the largest part of loading a site
(YAML, 0.2 ms to 1 ms a file): a build after a one-file edit would parse 9,999 unchanged
files again. So each front matter parsed without a problem is kept in
``.museumsite-cache/frontmatter.json``, keyed by a hash of its text and first line, with
the installed code's fingerprint (``Store.code``) as the file's key: any other code or
library version means parsing everything again. A file the cache cannot read is an
empty cache, never an error; rows no build asked for are dropped when it is saved.

Values are stored as tagged JSON (``{"d": "2024-05-01"}`` is a date, ``{"m": [[k, v]]}`` a
mapping, ``{"l": [...]}`` a list), and a parse is kept only when its value comes back from
that form with the same ``repr`` (the shape of the site is hashed from reprs): anything
the form cannot carry exactly (a binary value, a set) is simply parsed every time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from museumsite.incremental.atomic import read_json, write_json

FILE = "frontmatter.json"
VERSION = 1


class _Unfit(Exception):
    """A value the tagged JSON form cannot carry exactly."""


def encode(value: Any) -> Any:
    """``value`` as tagged JSON; raises _Unfit."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, list):
        return {"l": [encode(item) for item in value]}
    if isinstance(value, dict):
        return {"m": [[encode(key), encode(item)] for key, item in value.items()]}
    raise _Unfit(type(value).__name__)


def decode(value: Any) -> Any:
    """The value ``encode`` was given; raises _Unfit for what it never makes."""
    if not isinstance(value, dict):
        return value
    if "t" in value:
        return dt.datetime.fromisoformat(value["t"])
    if "d" in value:
        return dt.date.fromisoformat(value["d"])
    if "l" in value:
        return [decode(item) for item in value["l"]]
    if "m" in value:
        return {decode(key): decode(item) for key, item in value["m"]}
    raise _Unfit("unknown tag")


class FrontMatterCache:
    """One build's view of the cache: rows read at the start, rows used kept, saved at the end."""

    def __init__(self, folder: Path | None, code: str) -> None:
        self.path = folder / FILE if folder is not None else None
        self.code = code
        self.rows: dict[str, Any] = {}
        self.used: dict[str, Any] = {}
        data = read_json(self.path) if self.path is not None else None
        if isinstance(data, dict) and data.get("version") == VERSION and data.get("code") == code \
                and isinstance(data.get("rows"), dict):
            self.rows = data["rows"]
        self.hits = 0

    @staticmethod
    def _key(front: str, line: int) -> str:
        return hashlib.sha256(f"{line}\0{front}".encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, front: str, line: int) -> tuple[dict[str, Any], dict[str, int]] | None:
        """The parse of ``front`` (starting at file line ``line``) by an earlier build, if kept."""
        key = self._key(front, line)
        row = self.rows.get(key)
        if not isinstance(row, list) or len(row) != 2 or not isinstance(row[1], dict):
            return None
        try:
            meta = decode(row[0])
        except (_Unfit, ValueError, TypeError, KeyError):
            return None
        if not isinstance(meta, dict):
            return None
        self.used[key] = row
        self.hits += 1
        return meta, dict(row[1])

    def put(self, front: str, line: int, meta: dict[str, Any], lines: dict[str, int]) -> None:
        """Keep a parse that succeeded, if its value survives the JSON form exactly."""
        try:
            encoded = encode(meta)
            if repr(decode(encoded)) != repr(meta):
                return
        except (_Unfit, ValueError, TypeError):
            return
        self.used[self._key(front, line)] = [encoded, dict(lines)]

    def save(self) -> None:
        """Write the rows this build used (if they differ from the file's); failures are ignored."""
        if self.path is None or self.used.keys() == self.rows.keys():
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_json(self.path, {"version": VERSION, "code": self.code, "rows": self.used}, durable=False)
