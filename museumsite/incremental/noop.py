"""No-op rebuilds: what a build read and wrote, so that the next one can see nothing changed.

Before building, the build takes a fingerprint of its inputs: every file of the site
(sources, templates, static files, catalogues, config; hidden files and folders, the
output and the cache left out), the site theme wherever it is, the installed package,
and the options. After a successful build it records that fingerprint with one of its
files in the output folder (the name, size, time and inode of each) and the build's figures.
When both fingerprints match at the next build, the previous output is exactly what
this build would write: nothing is rendered or written, and the recorded warnings are
reported again. Any doubt (a missing, unreadable or foreign record) means a full build.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import secrets
import sys
from pathlib import Path

from museumsite import PACKAGE, __version__
from museumsite.errors import Problem
from museumsite.model import BuildResult

# Libraries whose upgrade can change the output; known by their files' sizes and times, not imported.
LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml", "feedgen", "slugify", "babel", "pygments", "lxml", "nh3",
             "icalendar")
OUTPUT_MANIFEST = ".museumsite-output.json"  # the list of files a build wrote, in the output folder (write.py)
HASHED_UP_TO = 1 << 20  # bytes: smaller files are hashed; larger ones (video, audio) are known by size and time


def inputs_fingerprint(root: Path, extra_dirs: list[Path], skip: list[Path], options: object) -> str:
    """A hash of everything a build of ``root`` reads, with the options that change its output."""
    digest = hashlib.sha256(json.dumps([__version__, sys.version, str(options)]).encode())
    digest.update(code_fingerprint().encode())
    seen: set[Path] = set()
    for folder in [root, *extra_dirs]:
        for path in sorted(_files(folder, skip)):
            if path in seen:
                continue
            seen.add(path)
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\n".encode())
            if stat.st_size <= HASHED_UP_TO:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            else:
                digest.update(f"{stat.st_mtime_ns}\0{stat.st_ino}\n".encode())
    return digest.hexdigest()


def code_fingerprint() -> str:
    """The installed package and libraries, by their files' sizes and times: an upgrade (even editable) is a change."""
    digest = hashlib.sha256()
    for path in sorted(_files(PACKAGE, [])) + _libraries():
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def files_under(folder: Path) -> list[Path]:
    """The files a build reads under ``folder`` (hidden ones and ``__pycache__`` left out)."""
    return _files(folder, [])


def _libraries() -> list[Path]:
    """The entry file of each library, found without importing it (or nothing, when it cannot be found)."""
    found = []
    for name in LIBRARIES:
        with contextlib.suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin and Path(spec.origin).is_file():
                found.append(Path(spec.origin))
    return found


def output_fingerprint(output: Path) -> str:
    """A hash of our files in the output folder as they are on disk (names, sizes, times, inodes; not the bytes).

    Only the files the output's manifest lists (and the manifest) count: a deploy tool's
    files beside them change nothing this build would write.
    """
    digest = hashlib.sha256()
    base = os.fspath(output)
    try:
        listed = json.loads((output / OUTPUT_MANIFEST).read_text(encoding="utf-8"))["files"]
        names = [OUTPUT_MANIFEST, *(str(name) for name in listed)]
    except (OSError, ValueError, KeyError, TypeError):
        return secrets.token_hex(16)  # no manifest: this folder can never match a record
    for name in names:
        try:
            stat = os.stat(os.path.join(base, name), follow_symlinks=False)
            digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\0{stat.st_mode}\n".encode())
        except OSError:
            digest.update(f"{name}\0missing\n".encode())
    return digest.hexdigest()


def record_path(cache: Path, output: Path) -> Path:
    return cache / f"build-{hashlib.sha256(str(output).encode()).hexdigest()[:16]}.json"


def unchanged(record: Path, inputs: str, output: Path, seconds: float) -> BuildResult | None:
    """The previous build's result when neither its inputs nor its output changed since, else None."""
    try:
        saved = json.loads(record.read_text(encoding="utf-8"))
        if saved["inputs"] != inputs or saved["output"] != output_fingerprint(output):
            return None
        warnings = tuple(Problem(str(p), int(line) if line is not None else None, str(m), str(h), warning=True)
                         for p, line, m, h in saved["warnings"])
        figures = {k: int(saved[k]) for k in ("pages", "feeds", "files")}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return BuildResult(output_dir=output, written=0, unchanged=figures["files"], removed=0, seconds=seconds,
                       warnings=warnings, up_to_date=True, **figures)


def remember(record: Path, inputs: str, result: BuildResult) -> None:
    """Record a successful build (atomically: a torn record is never read as a good one)."""
    data = {"inputs": inputs, "output": output_fingerprint(result.output_dir), "pages": result.pages,
            "feeds": result.feeds, "files": result.files,
            "warnings": [[w.path, w.line, w.message, w.hint] for w in result.warnings]}
    with contextlib.suppress(OSError):
        record.parent.mkdir(parents=True, exist_ok=True)
        temporary = record.with_name(f"{record.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(record)


def forget(record: Path) -> None:
    """A build that fails or changes the output leaves no record behind that could vouch for it."""
    with contextlib.suppress(OSError):
        record.unlink()


def _files(folder: Path, skip: list[Path], visited: set[Path] | None = None) -> list[Path]:
    """Files under ``folder``, hidden ones left out; linked folders are followed, as the loader does."""
    found: list[Path] = []
    visited = set() if visited is None else visited
    try:
        entries = list(os.scandir(folder))
        real = folder.resolve()
    except OSError:
        return found
    if real in visited:
        return found
    visited.add(real)
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith(".") or entry.name == "__pycache__" or path in skip:
            continue
        if entry.is_dir():
            found.extend(_files(path, skip, visited))
        elif entry.is_file():
            found.append(path)
    return found


