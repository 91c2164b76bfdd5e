"""Re-render only what changed: what each page and feed was made from, kept from one build to the next.

A page is a pure function of the code, the theme (templates, catalogues, assets), the
options, and the site: every entry's fields, the comments, the static files. Of these,
only the entries' *bodies* change one page at a time; anything else (a title, a date,
a tag, a comment, a template, the config) may show on any page. So the build hashes
the site without the bodies (the *shape*), and the render stage notes, page by page,
whose bodies the templates actually read (``theme.py``'s environment sees every read
of ``body_html``, ``body_md`` or ``toc_html`` of an entry, whichever template or
override does it). A page is kept from the previous build, read back from the output
instead of rendered, when the shape is the same, its own identity (URL, template,
language) is the same, the bodies it read are the same, and its file in the output is
still the one that build wrote (size, time and inode). Post feeds work the same way,
their posts being the bodies they print.

Editing one post's body re-renders its page, its feeds and the few lists that print
it; anything else re-renders the site, as a cold build would. The record lives in
the cache (``render-<output>.json``); a missing, foreign or damaged record means
rendering everything, never a stale page.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from museumsite import __version__
from museumsite.content.stat import stat_key
from museumsite.incremental.atomic import write_json
from museumsite.incremental.store import Store, files_under, read_record
from museumsite.model import Entry, Output, Site
from museumsite.urls import url_to_path

if TYPE_CHECKING:
    from museumsite.incremental.resident import Resident

# What an entry's page may print of its body: a page that reads none of them is kept when a body changes.
BODY_FIELDS = frozenset({"body_md", "body_html", "toc_html"})
RECORD_VERSION = 1


def read_name(entry: Entry) -> str:
    """How a read body is noted (render/theme.py's environment) and looked up (here): the entry's key and language."""
    return f"{entry.key}\0{entry.lang}"


class PageJob(Protocol):
    """What a page's identity is made of (render/plan.py's ``Job``)."""

    @property
    def url(self) -> str: ...
    @property
    def template(self) -> str: ...
    @property
    def page_key(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def title(self) -> str: ...


class PostFeed(Protocol):
    """What a post feed's identity is made of (feeds/posts.py's ``Feed``)."""

    @property
    def folder(self) -> str: ...
    @property
    def prefix(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def posts(self) -> Sequence[Entry]: ...
    def url(self, kind: str) -> str: ...


J = TypeVar("J", bound=PageJob)
F = TypeVar("F", bound=PostFeed)


@dataclass(frozen=True, slots=True)
class Record:
    """What the previous build made: the shape it saw and, per output path, what it was made from."""

    shape: str
    files: dict[str, list[Any]]  # path -> [identity, bodies digest, reads, size, mtime_ns, inode]


def load_record(path: Path | None) -> Record | None:
    data = read_record(path)
    if data is None or data.get("version") != RECORD_VERSION or not isinstance(data.get("files"), dict):
        return None
    return Record(shape=str(data.get("shape")), files=data["files"])


def shape_digest(site: Site, theme_dirs: Sequence[Path], store: Store) -> str:
    """A hash of everything any page may show but the entries' bodies, and of everything that shows it."""
    digest = hashlib.sha256(json.dumps([RECORD_VERSION, __version__, sys.version, store.options.key("pages")])
                            .encode())
    digest.update(store.code().encode())
    for folder in [*theme_dirs, site.config.root / "locales"]:
        for path in sorted(files_under(folder)):
            digest.update(f"{path}\0".encode())
            with contextlib.suppress(OSError):
                digest.update(store.digest(path))
    digest.update(repr(site.config).encode())
    for entry in site.entries:
        digest.update(repr(_shape_of(entry)).encode())
    digest.update(repr([site.static, sorted(site.tag_of.items()), sorted(site.tag_labels.items()),
                        sorted(site.threads.items())]).encode())
    return digest.hexdigest()


def _shape_of(entry: Entry) -> tuple[Any, ...]:
    return (type(entry).__name__, *(getattr(entry, f.name) for f in fields(entry) if f.name not in BODY_FIELDS))


class Bodies:
    """The hash of each entry's body, computed once per entry when first asked."""

    def __init__(self, site: Site):
        self._entries = {read_name(e): e for e in site.entries}
        self._digests: dict[str, str] = {}
        self._combined: dict[tuple[str, ...], str | None] = {}

    def digest(self, reads: Iterable[str]) -> str | None:
        """One hash over the bodies of ``reads``; None when one of them is gone."""
        names = tuple(reads)
        if names not in self._combined:
            self._combined[names] = self._digest(names)
        return self._combined[names]

    def _digest(self, reads: Iterable[str]) -> str | None:
        combined = hashlib.sha256()
        for name in sorted(reads):
            found = self._digests.get(name)
            if found is None:
                entry = self._entries.get(name)
                if entry is None:
                    return None
                found = hashlib.sha256(f"{entry.body_md}\x00{entry.body_html}\x00{entry.toc_html}"
                                       .encode()).hexdigest()
                self._digests[name] = found
            combined.update(f"{name}\0{found}\n".encode())
        return combined.hexdigest()


def keep(wanted: Sequence[tuple[str, str]], record: Record | None, shape: str, bodies: Bodies,
         output: Path, memory: Mapping[str, bytes] | None = None) -> dict[str, Output]:
    """The outputs among ``wanted`` ((path, identity) pairs) that can be read back from ``output``, by path.

    ``memory`` (a serve session's last outputs) holds the bytes of the files as written: a file
    still the one recorded (size, time, inode) is taken from there instead of read again.
    """
    if record is None or record.shape != shape:
        return {}
    kept: dict[str, Output] = {}
    memory, base = memory or {}, os.fspath(output)
    for path, identity in wanted:
        saved = record.files.get(path)
        try:
            if saved is None or saved[0] != identity or bodies.digest(saved[2]) != saved[1]:
                continue
            file = os.path.join(base, path)
            stat = os.stat(file, follow_symlinks=False)
            if [stat.st_size, stat.st_mtime_ns, stat.st_ino] != saved[3:6]:
                continue
            data = memory.get(path)
            if data is None or len(data) != saved[3]:
                with open(file, "rb") as handle:
                    data = handle.read()
        except (OSError, TypeError, ValueError, IndexError):
            continue
        if len(data) == saved[3]:
            kept[path] = Output(path=path, data=data, origin=f"the previous build's {path}", reads=tuple(saved[2]),
                                kept=True)
    return kept


def identity(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def save(path: Path, shape: str, made: Iterable[tuple[Output, str]], bodies: Bodies, output: Path,
         previous: Record | None = None) -> Record:
    """Record what each output was made from, with its file as written (atomically; failures ignored).

    A kept output's file was left as it was (``output/write.py`` never rewrites one): its size, time
    and inode are the ones ``previous`` recorded, and are not taken again.
    """
    files: dict[str, list[Any]] = {}
    for item, ident in made:
        digest = bodies.digest(item.reads)
        if digest is None:
            continue
        saved = previous.files.get(item.path) if previous is not None and item.kept else None
        if saved is not None and saved[0] == ident and saved[1] == digest and len(saved) == 6:
            files[item.path] = saved
            continue
        try:
            stat = (output / item.path).stat(follow_symlinks=False)
        except OSError:
            continue
        files[item.path] = [ident, digest, sorted(item.reads), stat.st_size, stat.st_mtime_ns, stat.st_ino]
    with contextlib.suppress(OSError):
        # Not flushed with its folder: each page it keeps is checked against its file's size, time and inode.
        write_json(path, {"version": RECORD_VERSION, "shape": shape, "files": files}, durable=False)
    return Record(shape=shape, files=files)


def in_order(paths: Sequence[str], kept: dict[str, Output], made: Sequence[Output]) -> list[Output]:
    """Kept and newly made outputs in the order of ``paths`` (made ones keep their own order among equals)."""
    fresh: dict[str, list[Output]] = {}
    for item in made:
        fresh.setdefault(item.path, []).append(item)
    result: list[Output] = []
    for path in dict.fromkeys(paths):
        result.extend([kept[path]] if path in kept else fresh.get(path, []))
    return result


@dataclass
class Reuse:
    """One build's use of the record: what it keeps, what it makes, and the new record it leaves."""

    path: Path | None  # the record; None: neither read nor written (a build without cache)
    previous: Record | None
    shape: str
    bodies: Bodies
    output: Path
    identities: dict[str, str] = field(default_factory=dict)
    made: int = 0
    kept: int = 0
    resident: Resident | None = None  # a serve session: the record and the outputs are in memory

    @classmethod
    def start(cls, store: Store, site: Site, theme_dirs: Sequence[Path]) -> Reuse:
        """Read the record of ``store``'s output; a build without cache neither reads nor keeps one."""
        path = store.pages_record
        if path is None:
            return cls(None, None, "", Bodies(site), store.options.output)
        resident = store.resident
        known = resident.record if resident is not None else None
        previous = known[1] if known is not None and known[0] == stat_key(path) else load_record(path)
        return cls(path, previous, shape_digest(site, theme_dirs, store), Bodies(site), store.options.output,
                   resident=resident)

    def pages(self, jobs: Sequence[J], render: Callable[[list[J]], list[Output]]) -> list[Output]:
        """Every job's page, in order: kept ones read back, the others rendered by ``render``."""
        ids = [(url_to_path(job.url), identity(job.url, job.template, job.page_key, job.lang, job.title))
               for job in jobs]
        # Two jobs writing one file are an error reported later, with both named: render both.
        kept = self._keep(ids) if len({path for path, _ in ids}) == len(ids) else {}
        made = render([job for job, (path, _) in zip(jobs, ids) if path not in kept])
        self.made, self.kept = self.made + len(made), self.kept + len(kept)
        return in_order([path for path, _ in ids], kept, made)

    def feeds(self, feeds: Sequence[F], kinds: Sequence[str], make: Callable[[list[F]], list[Output]],
              ) -> list[Output]:
        """The ``kinds`` ("atom", "rss", "json") of each post feed, in order; a feed is made again when
        one of its files cannot be kept. A feed prints the whole text of its posts."""
        paths = [(feed.url(kind).lstrip("/"), ident) for feed in feeds
                 for ident in [identity(feed.folder, feed.prefix, feed.lang, feed.title,
                                        [read_name(p) for p in feed.posts])]
                 for kind in kinds]
        kept = self._keep(paths)
        todo = [feed for feed in feeds if not all(feed.url(kind).lstrip("/") in kept for kind in kinds)]
        reads = {feed.url(kind).lstrip("/"): tuple(read_name(p) for p in feed.posts) for feed in todo for kind in kinds}
        made = [replace(o, reads=reads.get(o.path, ())) for o in make(todo)]
        kept = {path: o for path, o in kept.items() if path not in reads}
        self.made, self.kept = self.made + len(made), self.kept + len(kept)
        return in_order([path for path, _ in paths], kept, made)

    def shaped(self, paths: Sequence[str], make: Callable[[], list[Output]]) -> list[Output]:
        """Outputs that print no body (the sitemap, robots.txt): kept whole while the shape is the same."""
        kept = self._keep([(path, identity("shape only", path)) for path in paths])
        if len(kept) == len(paths):
            self.kept += len(kept)
            return [kept[path] for path in paths]
        made = make()
        self.made += len(made)
        return made

    def _keep(self, wanted: list[tuple[str, str]]) -> dict[str, Output]:
        self.identities.update(wanted)
        return keep(wanted, self.previous, self.shape, self.bodies, self.output,
                    self.resident.outputs if self.resident is not None else None)

    def save(self, outputs: Sequence[Output]) -> None:
        """Record the outputs of a successful build, after they are written."""
        if self.path is not None:
            record = save(self.path, self.shape, ((o, self.identities[o.path]) for o in outputs
                                                  if o.path in self.identities), self.bodies, self.output,
                          self.previous)
            if self.resident is not None:
                self.resident.record = (stat_key(self.path), record)
                self.resident.remember(outputs)
