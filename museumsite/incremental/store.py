"""The store's plumbing: the options that change the output, where each layer keeps its record, what a build hashed.

``BuildOptions`` is the one description of what a build was asked for. Each layer keys what
it keeps with ``BuildOptions.key(layer)``: every field counts, unless the field itself says
that it cannot change what that layer keeps (and why). So a new option invalidates every
layer until its author shows, beside the field, which layers it cannot reach.

``Store`` is one build's view of ``.museumsite-cache/``: the path of each layer's record
(None for a build without cache), and the hashes the layers share, taken once per build
(the installed code; each file the build reads, by its bytes).

The output manifest (``.museumsite-output.json``, the list of files a build wrote into its
output folder) is written by ``output/write.py`` and read here only, by ``read_output_manifest``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from museumsite import PACKAGE
from museumsite.content.stat import DigestMemo, settled, stat_key
from museumsite.incremental.atomic import read_json

if TYPE_CHECKING:  # the layers are imported by the methods that open them: a no-op build opens none
    from museumsite.incremental.frontmatter import FrontMatterCache
    from museumsite.incremental.markdown import MarkupCache
    from museumsite.incremental.resident import Resident
    from museumsite.incremental.shards import ShardCache

CACHE_DIR = ".museumsite-cache"  # beside museumsite.yaml; everything in it may be deleted at any time
SERVE_OUTPUT = Path(CACHE_DIR) / "serve"  # what ``serve`` builds into, inside the site folder
OUTPUT_MANIFEST = ".museumsite-output.json"  # in the output folder: the files a build wrote there
LAYERS = ("noop", "pages", "markdown", "search")  # the layers keyed by the options (see __init__.py)
# Libraries whose upgrade can change the output; known by their files' sizes and times, not imported.
LIBRARIES = ("jinja2", "markupsafe", "markdown", "yaml", "feedgen", "slugify", "babel", "pygments", "lxml", "nh3",
             "icalendar")
_UNKEYED = "museumsite.unkeyed"


def unkeyed(*layers: str, why: str) -> dict[str, Any]:
    """Field metadata: this option cannot change what ``layers`` keep (none named: no layer), because ``why``."""
    unknown = set(layers) - set(LAYERS)
    if unknown or not why:
        raise ValueError(f"unknown layers {sorted(unknown)} or no reason given")
    return {_UNKEYED: frozenset(layers or LAYERS), "why": why}


_BY_CONTENT = ("markdown", "search")
_BY_CONTENT_WHY = ("the Markdown cache and the search shards are keyed by what they are made from (a document's "
                   "text, links and base path; a shard's pages), through which alone this option acts")


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    """What a build was asked for; ``key(layer)`` is the part of it that layer's records depend on."""

    output: Path = field(metadata=unkeyed(*_BY_CONTENT, why=_BY_CONTENT_WHY))
    drafts: bool = field(default=False, metadata=unkeyed(*_BY_CONTENT, why=_BY_CONTENT_WHY))
    strict: bool = field(default=False, metadata=unkeyed(
        *_BY_CONTENT, why="it turns warnings into errors; the Markdown cache keeps warnings and replays them"))
    base_url: str | None = field(default=None, metadata=unkeyed(*_BY_CONTENT, why=_BY_CONTENT_WHY))
    in_place: bool = field(default=False, metadata=unkeyed(why="it changes how files are written, not what they hold"))
    use_cache: bool = field(default=True, metadata=unkeyed(why="it says whether the layers are used at all"))

    def key(self, layer: str) -> str:
        """The fields ``layer`` depends on, by name and value, as text to hash with what it keeps."""
        if layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r}; one of {', '.join(LAYERS)}")
        chosen = {f.name: getattr(self, f.name) for f in fields(self) if layer not in f.metadata.get(_UNKEYED, ())}
        return json.dumps(chosen, sort_keys=True, default=str)


class Store:
    """One build's view of the cache folder: each layer's record, and the hashes the layers share."""

    def __init__(self, root: Path, options: BuildOptions, stamp: str = "", resident: Resident | None = None):
        """``stamp``: what else names the code that makes the output (the site's Markdown extensions and
        plugins, by version): part of ``code()``, so the no-op record and the page records see it.
        ``resident``: what a ``serve`` session keeps in memory between its builds (``resident.py``)."""
        self.options = options
        self.resident = resident if options.use_cache else None
        self._stamp = stamp
        self.folder: Path | None = root / CACHE_DIR if options.use_cache else None
        self._code: str | None = None
        self._digests: dict[str, bytes] = {}
        # Digests known by stat from earlier builds: a serve session's, or the no-op record's (incremental/noop.py).
        self.memo: DigestMemo = self.resident.digests if self.resident is not None else {}

    def _per_output(self, kind: str) -> Path | None:
        """A record of one output folder: two outputs of one site keep two records."""
        if self.folder is None:
            return None
        return self.folder / f"{kind}-{hashlib.sha256(str(self.options.output).encode()).hexdigest()[:16]}.json"

    @property
    def noop_record(self) -> Path | None:
        return self._per_output("build")

    @property
    def pages_record(self) -> Path | None:
        return self._per_output("render")

    @property
    def spare(self) -> Path | None:
        """Where a swap keeps the site it retired, to stage the next build's (output/spare.py)."""
        record = self._per_output("spare")
        return record.with_suffix("") if record is not None else None

    def markdown_cache(self) -> MarkupCache:
        """The Markdown layer, its rows keyed by the options it depends on."""
        from museumsite.incremental.markdown import read_cache

        cache = read_cache(self.folder / "markup.sqlite3" if self.folder else None, self.options.key("markdown"))
        if self.resident is not None:
            cache.memory = self.resident.markup
        return cache

    def front_matter(self) -> FrontMatterCache:
        """The front matter layer, keyed by the installed code (which parses it)."""
        from museumsite.incremental.frontmatter import FrontMatterCache

        return FrontMatterCache(self.folder, self.code())

    def template_cache(self) -> Any:
        """The compiled templates layer: a ``jinja2.BytecodeCache`` (a serve session's in memory; else this
        process's, in front of the cache folder's when there is one). A build is a new process: compiling the
        theme's templates again cost a one-edit build 0.25 s. Jinja checks each one against its template's
        source; the folder is named by the installed code."""
        if self.resident is not None:
            return self.resident.templates
        import jinja2  # here: a no-op build never loads Jinja

        from museumsite.incremental.resident import PROCESS_TEMPLATES

        if self.folder is None:
            return PROCESS_TEMPLATES
        folder = self.folder / "templates" / hashlib.sha256(self.code().encode()).hexdigest()[:16]
        try:
            if not folder.is_dir():
                shutil.rmtree(self.folder / "templates", ignore_errors=True)  # an older code's
                folder.mkdir(parents=True)
        except OSError:
            return PROCESS_TEMPLATES
        return PROCESS_TEMPLATES.in_front_of(jinja2.FileSystemBytecodeCache(str(folder)))

    def shard_cache(self) -> ShardCache:
        """The search layer, its shards keyed by the options it depends on."""
        from museumsite.incremental.shards import ShardCache

        return ShardCache.open(self.folder / "search" if self.folder else None, self.options.key("search"))

    def code(self) -> str:
        """The installed package and libraries, by their files' sizes and times: an upgrade (even editable) is a
        change. Taken once per build: the no-op record and the page records both depend on it."""
        if self._code is None:
            digest = hashlib.sha256()
            for name in sorted(file_names_under(PACKAGE)) + [str(path) for path in _libraries()]:
                stat = os.stat(name)
                digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            digest.update(self._stamp.encode())
            self._code = digest.hexdigest()
        return self._code

    def digest(self, path: Path | str, key: tuple[Any, ...] | None = None) -> bytes:
        """The SHA-256 of a file's bytes, read once per build (the theme's files are in both the inputs
        and the shape), and not at all when ``memo`` knows the file by its stat (``key``, when the caller
        has just taken it); raises OSError."""
        name = os.fspath(path)
        found = self._digests.get(name)
        if found is None:
            found = known_digest(self.memo, name, key)
            self._digests[name] = found
        return found


def known_digest(memo: DigestMemo, name: str, key: tuple[Any, ...] | None = None) -> bytes:
    """The SHA-256 of a file's bytes, unless the file's stat (``key``, or taken now) is the one ``memo`` holds.

    What is read is kept in ``memo`` only when the file had settled (``content/stat.py``'s ``settled``:
    a file saved twice within one tick of the file system's clock keeps its stat) and its stat did not
    change during the read.
    """
    key = key or stat_key(name)
    known = memo.get(name)
    if key is not None and known is not None and known[0] == key:
        return known[1]
    read_at = time.time_ns()
    with open(name, "rb") as file:
        found = hashlib.sha256(file.read()).digest()
    if key is not None and settled(key, read_at) and stat_key(name) == key:
        memo[name] = (key, found)
    return found


@dataclass(frozen=True, slots=True)
class OutputManifest:
    """The files the previous build wrote into an output folder, as its manifest lists them."""

    files: tuple[str, ...]
    data: bytes  # the manifest's bytes: a build that would write the same ones leaves it alone


def read_output_manifest(output: Path) -> OutputManifest | None:
    """The manifest of ``output``; None when there is none or it is not one a build wrote (a list of paths)."""
    try:
        data = (output / OUTPUT_MANIFEST).read_bytes()
    except OSError:
        return None
    value = read_json_bytes(data)
    listed = value.get("files") if isinstance(value, dict) else None
    if not isinstance(listed, list) or not all(isinstance(name, str) for name in listed):
        return None
    return OutputManifest(files=tuple(listed), data=data)


def output_manifest_bytes(paths: Iterable[str]) -> bytes:
    """The manifest listing ``paths`` (sorted), as ``output/write.py`` writes it."""
    return (json.dumps({"files": sorted(set(paths))}, indent=0) + "\n").encode("utf-8")


def read_json_bytes(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:
        return None


def read_record(path: Path | None) -> dict[str, Any] | None:
    """A layer's JSON record; None without cache, or when it is missing or damaged."""
    value = read_json(path) if path is not None else None
    return value if isinstance(value, dict) else None


def files_under(folder: Path, skip: Iterable[Path] = ()) -> list[Path]:
    """The files a build reads under ``folder``: hidden ones, ``__pycache__`` and ``skip`` left out, linked
    folders followed (as the loader does)."""
    return [Path(name) for name in file_names_under(folder, skip)]


def file_names_under(folder: Path, skip: Iterable[Path] = ()) -> list[str]:
    """``files_under``, as the file names themselves: the no-op check walks every input folder on every
    build, and makes no ``Path`` of a file it does not read."""
    return _files(os.fspath(folder), {os.fspath(path) for path in skip}, set())


def _files(folder: str, skip: set[str], visited: set[str]) -> list[str]:
    found: list[str] = []
    try:
        entries = list(os.scandir(folder))
        real = os.path.realpath(folder)
    except OSError:
        return found
    if real in visited:
        return found
    visited.add(real)
    for entry in entries:
        if entry.name.startswith(".") or entry.name == "__pycache__" or entry.path in skip:
            continue
        if entry.is_dir():
            found.extend(_files(entry.path, skip, visited))
        elif entry.is_file():
            found.append(entry.path)
    return found


def _libraries() -> list[Path]:
    """The entry file of each library, found without importing it (or nothing, when it cannot be found)."""
    found = []
    for name in LIBRARIES:
        with contextlib.suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin and Path(spec.origin).is_file():
                found.append(Path(spec.origin))
    return found
