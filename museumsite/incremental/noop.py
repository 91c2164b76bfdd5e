"""No-op rebuilds: what a build read and wrote, so that the next one can see nothing changed.

Before building, the build takes a fingerprint of its inputs: every file of the site
(sources, templates, static files, catalogues, config; hidden files and folders, the
output and the cache left out), the site theme wherever it is, the installed package,
and the options. After a successful build it records that fingerprint with one of its
files in the output folder (the name, size, time and inode of each) and the build's figures.
When both fingerprints match at the next build, the previous output is exactly what
this build would write: nothing is rendered or written, and the recorded warnings are
reported again. Any doubt (a missing, unreadable or foreign record) means a full build.

The record also keeps each input file's stat (size, modification and change times, inode,
device) with the digest of its bytes, so that the next fingerprint reads only the files
whose stat changed (``store.known_digest``; a file changed within the racy window of its
hashing is not kept, and a damaged entry is no entry: the file is read).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from museumsite import __version__
from museumsite.content.stat import DigestMemo, digests_of, digests_record, stat_key
from museumsite.errors import BuildResult, Problem
from museumsite.incremental.atomic import write_json
from museumsite.incremental.store import (
    OUTPUT_MANIFEST,
    BuildOptions,
    Store,
    file_names_under,
    read_output_manifest,
    read_record,
)

HASHED_UP_TO = 1 << 20  # bytes: smaller files are hashed; larger ones (video, audio) are known by size and time


@dataclass(frozen=True, slots=True)
class Inputs:
    """The fingerprint of a build's inputs, with the record it is compared with and the stats to record."""

    value: str
    saved: dict[str, Any] | None  # the previous build's record, as it was read before hashing
    known: DigestMemo  # the inputs whose digest is known by their stat, for the next build


def inputs_fingerprint(root: Path, extra_dirs: list[Path], skip: list[Path], store: Store) -> Inputs:
    """A hash of everything a build of ``root`` reads, with the options that change its output."""
    saved = read_record(store.noop_record)
    # Five fields: ``stat_key``'s size, modification and change times, inode and device.
    for name, entry in digests_of(saved.get("digests") if saved is not None else None, 5).items():
        store.memo.setdefault(name, entry)
    digest = hashlib.sha256(json.dumps([__version__, sys.version, store.options.key("noop")]).encode())
    digest.update(store.code().encode())
    seen: set[str] = set()
    for folder in [root, *extra_dirs]:
        for name in sorted(file_names_under(folder, skip)):
            if name in seen:
                continue
            seen.add(name)
            key = stat_key(name)  # size, modification and change times, inode, device
            if key is None:  # gone since it was listed: this fingerprint matches no record
                digest.update(f"{name}\0missing\n".encode())
                continue
            digest.update(f"{name}\0{key[0]}\n".encode())
            if key[0] <= HASHED_UP_TO:
                digest.update(store.digest(name, key))
            else:
                digest.update(f"{key[1]}\0{key[3]}\n".encode())
    known = {name: store.memo[name] for name in sorted(seen) if name in store.memo}
    return Inputs(digest.hexdigest(), saved, known)


def output_fingerprint(output: Path) -> str:
    """A hash of our files in the output folder as they are on disk (names, sizes, times, inodes; not the bytes).

    Only the files the output's manifest lists (and the manifest) count: a deploy tool's
    files beside them change nothing this build would write.
    """
    manifest = read_output_manifest(output)
    if manifest is None:
        return os.urandom(16).hex()  # no manifest: this folder can never match a record
    base = os.fspath(output)
    # Each file is looked up from the folder, opened once, rather than from the root of the file system.
    folder = None
    if os.stat in os.supports_dir_fd:
        try:
            folder = os.open(base, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return os.urandom(16).hex()
    lines = []
    try:
        for name in [OUTPUT_MANIFEST, *manifest.files]:
            try:
                stat = (os.stat(name, dir_fd=folder, follow_symlinks=False) if folder is not None
                        else os.stat(os.path.join(base, name), follow_symlinks=False))
                lines.append(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\0{stat.st_mode}\n")
            except OSError:
                lines.append(f"{name}\0missing\n")
    finally:
        if folder is not None:
            os.close(folder)
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def unchanged(record: Path | None, inputs: Inputs, output: Path, seconds: float) -> BuildResult | None:
    """The previous build's result when neither its inputs nor its output changed since, else None.

    When files were read again to learn that (a file touched, not changed), ``record`` keeps their new stats.
    """
    saved = inputs.saved
    try:
        if saved is None or saved["inputs"] != inputs.value or saved["output"] != output_fingerprint(output):
            return None
        warnings = tuple(Problem(str(p), int(line) if line is not None else None, str(m), str(h), warning=True)
                         for p, line, m, h in saved["warnings"])
        figures = {k: int(saved[k]) for k in ("pages", "feeds", "files")}
    except (ValueError, KeyError, TypeError):
        return None
    digests = digests_record(inputs.known)
    if record is not None and saved.get("digests") != digests:
        with contextlib.suppress(OSError):
            write_json(record, {**saved, "digests": digests}, durable=False)
    return BuildResult(output_dir=output, written=0, unchanged=figures["files"], removed=0, seconds=seconds,
                       warnings=warnings, up_to_date=True, **figures)


def recorded(root: Path, options: BuildOptions, started: float) -> BuildResult | None:
    """The previous build's result when nothing changed since, seen without reading the config; else None.

    The config says where the theme is and which Markdown extensions and plugins the site uses,
    and reading it (PyYAML, the config's types) is a third of a no-op build. So the record also
    keeps the theme folders that build read (``dirs``); the config file itself is among the inputs,
    so the same inputs mean the same folders. A site with extensions or plugins (a ``stamp``: their
    code is found through the config), an input known by its stat no longer (a touched file, whose
    new stat the build records under its lock) or any doubt is left to the build, which checks again.
    """
    store = Store(root, options)
    if store.folder is None:  # a build without the cache is never a no-op
        return None
    saved = read_record(store.noop_record)
    dirs = saved.get("dirs") if saved is not None else None
    if (saved is None or saved.get("stamp") != "" or not isinstance(dirs, list)
            or not all(isinstance(folder, str) for folder in dirs)):
        return None
    inputs = inputs_fingerprint(root, [Path(folder) for folder in dirs], [options.output, store.folder], store)
    if saved.get("digests") != digests_record(inputs.known):
        return None
    return unchanged(None, inputs, options.output, time.perf_counter() - started)


def remember(record: Path | None, inputs: Inputs, result: BuildResult, dirs: list[Path], stamp: str) -> None:
    """Record a successful build (atomically: a torn record is never read as a good one), with the theme
    folders it read and its extensions' and plugins' stamp, for ``recorded``."""
    if record is None:
        return
    data = {"inputs": inputs.value, "output": output_fingerprint(result.output_dir), "pages": result.pages,
            "feeds": result.feeds, "files": result.files,
            "warnings": [[w.path, w.line, w.message, w.hint] for w in result.warnings],
            "digests": digests_record(inputs.known), "dirs": [str(folder) for folder in dirs], "stamp": stamp}
    with contextlib.suppress(OSError):
        # Not flushed with its folder: it vouches only for an output whose files' inodes and times it names.
        write_json(record, data, durable=False)


def forget(record: Path | None) -> None:
    """A build that fails or changes the output leaves no record behind that could vouch for it."""
    if record is not None:
        with contextlib.suppress(OSError):
            record.unlink()
