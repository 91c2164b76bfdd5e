"""The search index's layer: each shard's Pagefind bundle, kept from one build to the next.

``render/search.py`` splits the indexed pages into shards and names each by a hash of
Pagefind's version and options, the shard's pages (what Pagefind reads of them) and
``BuildOptions.key("search")``; this module keeps each shard's bundle in a folder of that
name under ``.museumsite-cache/search/``, beside the list of its files with their CRC-32.
Pagefind works in a scratch folder in the cache, which is renamed to the shard's name when
done: a bundle is kept without being copied, and a half-written one never has a shard's
name. A bundle that is missing, incomplete or altered is indexed again; the bundles of
older shards (and the scratch folders of a killed build) are removed by the next build.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from museumsite.content.stat import DigestMemo, digests_of, digests_record
from museumsite.incremental.atomic import beside, read_json, write_json

FILES = "files.json"  # in each kept shard: the name and CRC-32 of every file of its bundle
# Beside the shards: what Pagefind reads of each indexed page, hashed, with the page's file as it was then.
PARTS = "parts.json"
# A page's file: size, modification time, inode. Not the change time: linking the file into the next
# site, or removing it from the retired one, changes that, not the bytes.
FileKey = tuple[int, int, int]
BUNDLE = "bundle"
REQUIRED = ("pagefind.js", "pagefind-entry.json")


@dataclass(frozen=True, slots=True)
class ShardCache:
    """Where the bundles are kept (None: nowhere, every shard is indexed) and the options' key."""

    folder: Path | None = None
    salt: str = ""

    @classmethod
    def open(cls, folder: Path | None, salt: str = "") -> ShardCache:
        """The cache in ``folder``, made if missing; one that cannot be made keeps nothing."""
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                folder = None
        return cls(folder if folder is not None and folder.is_dir() else None, salt)

    def read(self, key: str) -> dict[str, bytes] | None:
        """The kept bundle of the shard ``key``, by file name; None when it is missing, incomplete or altered."""
        if self.folder is None:
            return None
        folder = self.folder / key
        listed = read_json(folder / FILES)
        try:
            files = {name: (folder / BUNDLE / name).read_bytes() for name in listed}
            if any(zlib.crc32(data) != listed[name] for name, data in files.items()):
                return None
        except (OSError, ValueError, TypeError):
            return None
        return files if all(name in files for name in REQUIRED) else None

    def holds(self, key: str) -> bool:
        """Whether a bundle of the shard ``key`` is kept, unread: ``read`` may still find it damaged."""
        return self.folder is not None and (self.folder / key / FILES).is_file()

    def work_folder(self) -> Path:
        """A new folder for Pagefind to work in: in the cache (to be kept by renaming it), else the system's."""
        if self.folder is None:
            return Path(tempfile.mkdtemp(prefix=".work-"))
        work = beside(self.folder / "shard", "work")
        work.mkdir()
        return work

    def keep(self, work: Path, files: dict[str, bytes], key: str) -> None:
        """Make ``work`` the kept shard ``key``: Pagefind's bundle in its ``bundle/`` stays, the rest goes."""
        if self.folder is None:
            return
        try:
            forget([other for other in work.iterdir() if other.name != BUNDLE])
            (work / FILES).write_text(json.dumps({name: zlib.crc32(data) for name, data in files.items()},
                                                 sort_keys=True), encoding="utf-8")
            target = self.folder / key
            if target.exists():  # a damaged copy of the same shard
                shutil.rmtree(target)
            work.rename(target)
        except OSError:  # a cache that cannot be written only costs time
            pass

    def stale(self, keys: set[str]) -> list[Path]:
        """What the cache holds besides the shards ``keys`` and the parts: older shards are never asked for
        again once their pages changed (nor are the scratch folders of a killed build)."""
        if self.folder is None:
            return []
        try:
            return sorted(path for path in self.folder.iterdir() if path.name not in keys and path.name != PARTS)
        except OSError:
            return []

    def parts(self) -> DigestMemo:
        """The digests of the last build's indexed pages by output path, each with its file's key (``FileKey``);
        an entry in doubt is left out."""
        return digests_of(read_json(self.folder / PARTS) if self.folder is not None else None, 3)  # a FileKey

    def keep_parts(self, parts: DigestMemo) -> None:
        """Record this build's ``parts`` (a cache that cannot be written only costs time)."""
        if self.folder is not None:
            with contextlib.suppress(OSError):
                write_json(self.folder / PARTS, digests_record(parts), durable=False)


def forget(paths: list[Path]) -> None:
    for path in paths:
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        except OSError:
            pass
