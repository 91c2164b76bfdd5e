"""Re-render only what changed: what each page and feed was made from, kept from one build to the next.

A page is a pure function of the code, the theme (templates, catalogues, assets), the
options, and the site: every entry's fields, the comments, the static files. Of these,
the entries' *bodies* and the theme's *templates* change one page, or one kind of page,
at a time; anything else (a title, a date, a tag, a comment, a catalogue, the config) may
show on any page. So the build hashes the site without the bodies and the theme without its
templates (the *shape*), and the render stage notes, page by page, whose bodies the
templates actually read (``theme.py``'s environment sees every read of ``body_html``,
``body_md`` or ``toc_html`` of an entry, whichever template or override does it) and which
templates it loaded (its own, those it extends, imports or includes, as the theme chain
resolves them). A page is kept from the previous build, read back from the output instead
of rendered, when the shape is the same, its own identity (URL, template, language) is the
same, the bodies and templates it read are the same, and its file in the output is still
the one that build wrote (size, time and inode). Post feeds work the same way, their posts
being the bodies they print.

Editing one post's body re-renders its page, its feeds and the few lists that print
it; editing ``post.html`` re-renders the posts' pages. Retitling, redating or retagging a post
changes the shape but not its *structure* (``shape.py``): the environment notes, too, the entries
whose other fields a page read (``field_read``), whether it read the site's lists (``LISTS_READ``)
and a hash of its variables (``context_read``), so the pages and feeds that read none of the post's
fields nor the changed lists, with the same variables, are kept (``Leaves``).
Anything else re-renders the site, as a cold build would. The record lives in the cache
(``render-<output>.json``); a missing, foreign or damaged record means rendering everything,
never a stale page.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from museumsite.content.stat import stat_key
from museumsite.incremental.atomic import write_json
from museumsite.incremental.shape import LISTS, RECORD_VERSION, Shape, read_name, site_shape
from museumsite.incremental.store import Store, read_record
from museumsite.model import Entry, Output, Site
from museumsite.urls import url_to_path

if TYPE_CHECKING:
    from museumsite.incremental.resident import Resident

TEMPLATE = "\0template\0"  # a read template's name follows; no entry's key starts with NUL
FIELDS = "\0fields\0"  # the read_name of an entry whose leaf fields (shape.py) the page read follows
CONTEXT = "\0context\0"  # the digest of the page's variables follows (render/pages.py)


def template_read(name: str) -> str:
    """How a loaded template is noted among a page's reads (render/theme.py's environment)."""
    return f"{TEMPLATE}{name}"


def field_read(entry: Entry) -> str:
    """How a read of an entry's other fields (its title, its summary...) is noted among a page's reads."""
    return FIELDS + read_name(entry)


# How a read of the site's lists (their order, which entries each tag holds) is noted among a page's reads.
LISTS_READ = f"{FIELDS}{LISTS}"


def context_read(digest: str) -> str:
    """How the digest of a page's variables is noted among its reads (render/pages.py)."""
    return f"{CONTEXT}{digest}"


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
    """What the previous build made: the shape it saw (shape.py) and, per output path, what it was made from."""

    shape: Shape
    files: dict[str, list[Any]]  # path -> [identity, bodies digest, reads, size, mtime_ns, inode]
    _readers: dict[str, set[str]] = field(default_factory=dict, compare=False, repr=False)

    def readers(self, names: Iterable[str]) -> set[str]:
        """The paths of the outputs that read any of ``names`` (bodies, fields: the index is made once per record)."""
        if not self._readers and self.files:
            for path, saved in self.files.items():
                with contextlib.suppress(TypeError, IndexError):
                    for name in saved[2]:
                        self._readers.setdefault(name, set()).add(path)
        return set().union(*(self._readers.get(name, ()) for name in names))

    def reading(self, names: set[str]) -> set[str]:
        """``readers`` for one question, without the index: a pass over the rows (at 10,000 posts, 20,000
        rows in about 20 ms, where making the index takes 0.3 s)."""
        found = set()
        for path, saved in self.files.items():
            with contextlib.suppress(TypeError, IndexError):
                if not names.isdisjoint(saved[2]):
                    found.add(path)
        return found

    def carry(self, previous: Record) -> None:
        """Take over the index of ``previous``, a record of the same outputs, for the rows that changed
        (a serve session's next record: indexing 20,000 rows again cost a save 0.1 s)."""
        index = dict(previous._readers)
        previous._readers.clear()
        if not index:
            return
        for path, saved in self.files.items():
            before = previous.files[path]
            if before[2] != saved[2]:
                for name in before[2]:
                    index.get(name, set()).discard(path)
                for name in saved[2]:
                    index.setdefault(name, set()).add(path)
        self._readers.update(index)


def load_record(path: Path | None) -> Record | None:
    data = read_record(path)
    if data is None or data.get("version") != RECORD_VERSION or not isinstance(data.get("files"), dict):
        return None
    digests = data.get("fields")
    if not isinstance(digests, dict):
        return None
    return Record(shape=Shape(str(data.get("shape")), str(data.get("structure")), digests), files=data["files"])


class Bodies:
    """The hash of each entry's body, computed once per entry when first asked; and of each template, by
    ``templates`` (render/theme.py's ``template_digests``, set once the theme is loaded)."""

    def __init__(self, site: Site):
        self._entries = {read_name(e): e for e in site.entries}
        self._digests: dict[str, str] = {}
        self._combined: dict[tuple[str, ...], str] = {}
        self.templates: Callable[[str], str] | None = None

    def digest(self, reads: Iterable[str]) -> str | None:
        """One hash over the bodies and templates of ``reads``; None when one of them is gone. The fields and
        variables a page read are compared apart (``Leaves``): left out, pages that read the same bodies and
        templates (a language's tag pages) share one hash."""
        names = tuple(name for name in reads if not name.startswith((FIELDS, CONTEXT)))
        found = self._combined.get(names)
        if found is None:
            found = self._digest(names)
            if found is not None:
                self._combined[names] = found
        return found

    def _digest(self, reads: Iterable[str]) -> str | None:
        combined = hashlib.sha256()
        for name in sorted(reads):
            found = self._digests.get(name)
            if found is None and name.startswith(TEMPLATE):
                if self.templates is None:
                    return None
                found = self._digests[name] = self.templates(name[len(TEMPLATE):])
            elif found is None:
                entry = self._entries.get(name)
                if entry is None:
                    return None
                found = hashlib.sha256(f"{entry.body_md}\x00{entry.body_html}\x00{entry.toc_html}"
                                       .encode()).hexdigest()
                self._digests[name] = found
            combined.update(f"{name}\0{found}\n".encode())
        return combined.hexdigest()


@dataclass(frozen=True, slots=True)
class Leaves:
    """A build whose site differs from the previous one's in leaf fields of some entries alone (shape.py).

    ``readers``: the outputs that read one of those entries' fields; ``contexts``: the context read
    (``context_read``) of each page to keep, computed from the new site, or None for outputs that
    have none (feeds: their identity names their posts). An output is kept when it is not a reader
    and its variables are the same as when it was made.
    """

    readers: set[str]
    contexts: Mapping[str, str] | None = None

    def keeps(self, path: str, reads: Sequence[str]) -> bool:
        if path in self.readers:
            return False
        return self.contexts is None or (path in self.contexts and self.contexts[path] in reads)


def keep(wanted: Sequence[tuple[str, str]], record: Record | None, shape: str, bodies: Bodies,
         output: Path, memory: Mapping[str, Output] | None = None, *, lazy: bool = False,
         leaves: Leaves | None = None) -> dict[str, Output]:
    """The outputs among ``wanted`` ((path, identity) pairs) that can be read back from ``output``, by path.

    ``memory`` (a serve session's last outputs) holds the bytes of the files as written: a file
    still the one recorded (size, time, inode) is taken from there instead of read again.
    ``lazy``: a file still the one recorded is named, not read (``Output.file``): the writer keeps it
    without its bytes, and the search index reads only the pages it indexes.
    ``leaves``: the shape changed, in leaf fields alone; without it, a changed shape keeps nothing.
    """
    if record is None or (record.shape.shape != shape and leaves is None):
        return {}
    kept: dict[str, Output] = {}
    memory, base = memory or {}, os.fspath(output)
    for path, identity in wanted:
        saved = record.files.get(path)
        try:
            if saved is None or saved[0] != identity or bodies.digest(saved[2]) != saved[1]:
                continue
            if leaves is not None and not leaves.keeps(path, saved[2]):
                continue
            file = os.path.join(base, path)
            stat = os.stat(file, follow_symlinks=False)
            if [stat.st_size, stat.st_mtime_ns, stat.st_ino] != saved[3:6]:
                continue
            if lazy:
                kept[path] = Output(path=path, data=b"", origin=f"the previous build's {path}",
                                    reads=tuple(saved[2]), kept=True, file=file)
                continue
            found = memory.get(path)
            data = found.data if found is not None else None
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


def save(path: Path, shape: Shape, made: Iterable[tuple[Output, str]], bodies: Bodies, output: Path,
         previous: Record | None = None, *, trusted: bool = False, write: bool = True) -> Record:
    """Record what each output was made from, with its file as written (atomically; failures ignored).

    A kept output's file was left as it was (``output/write.py`` never rewrites one): its size, time
    and inode are the ones ``previous`` recorded, and are not taken again. ``trusted``: the build kept
    only outputs whose bodies did not change (``keep_unedited``), so their rows stand as recorded.
    ``write``: False leaves the file as it is (a serve session keeps the record in memory meanwhile).
    """
    files: dict[str, list[Any]] = {}
    for item, ident in made:
        saved = previous.files.get(item.path) if previous is not None and item.kept else None
        if trusted and saved is not None and saved[0] == ident and len(saved) == 6:
            files[item.path] = saved
            continue
        digest = bodies.digest(item.reads)
        if digest is None:
            continue
        if saved is not None and saved[0] == ident and saved[1] == digest and len(saved) == 6:
            files[item.path] = saved
            continue
        try:
            stat = (output / item.path).stat(follow_symlinks=False)
        except OSError:
            continue
        files[item.path] = [ident, digest, sorted(item.reads), stat.st_size, stat.st_mtime_ns, stat.st_ino]
    if write:
        with contextlib.suppress(OSError):
            # Not flushed with its folder: each page it keeps is checked against its file's size, time and inode.
            write_json(path, {"version": RECORD_VERSION, "shape": shape.shape, "structure": shape.structure,
                              "fields": shape.fields, "files": files}, durable=False)
    record = Record(shape=shape, files=files)
    if trusted and previous is not None and previous.files.keys() == files.keys():
        record.carry(previous)
    return record


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
    """One build's use of the record: what it keeps, what it makes, and the new record it leaves.

    A serve session's rebuild after edits of bodies alone (``bodyedit.py``) knows which bodies
    changed (``changed``, their ``read_name``s) and that nothing else did: it keeps every output
    of the previous build that read none of them, from memory, without checking bodies or files,
    and ``fresh`` brings the pages and feeds it makes again up to date with the new site.

    A build whose site changed in leaf fields alone since the record (``shape.py``: a post retitled)
    keeps the pages and feeds that read none of those entries' fields, when their variables are the
    same (``pages``' ``contexts``), and makes the sitemap again.
    """

    path: Path | None  # the record; None: neither read nor written (a build without cache)
    previous: Record | None
    shape: Shape
    bodies: Bodies
    output: Path
    identities: dict[str, str] = field(default_factory=dict)
    made: int = 0
    kept: int = 0
    resident: Resident | None = None  # a serve session: the record and the outputs are in memory
    changed: frozenset[str] | None = None  # the bodies edited since the session's last build, when only they were
    fresh: Callable[[Any], Any] = lambda item: item
    lazy: bool = False  # kept files named, not read (``keep``): a plain build without plugins, which read every page
    # The (path, identity) of every page and feed, per call: after edits of bodies alone the plan is the previous
    # build's, and so are these (20,000 hashes on a large site).
    ids: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    leaves: bool = False  # whether leaf-field edits keep what did not read them: not with plugins, which read anything
    _leaf_readers: set[str] | None = None

    @classmethod
    def start(cls, store: Store, site: Site, frame: str, *, leaves: bool = True) -> Reuse:
        """Read the record of ``store``'s output; a build without cache neither reads nor keeps one."""
        path = store.pages_record
        if path is None:
            return cls(None, None, Shape("", "", {}), Bodies(site), store.options.output)
        return cls(path, _previous(store, path), site_shape(site, frame), Bodies(site), store.options.output,
                   resident=store.resident, leaves=leaves)

    @classmethod
    def after_edits(cls, store: Store, site: Site, shape: Shape, changed: frozenset[str],
                    fresh: Callable[[Any], Any], ids: Mapping[str, list[tuple[str, str]]]) -> Reuse | None:
        """A serve session's reuse after edits of the bodies ``changed`` alone, the site's ``shape`` being the
        previous build's; None when the session holds no record of that build."""
        path, resident = store.pages_record, store.resident
        if path is None or resident is None or not resident.kept:
            return None
        previous = _previous(store, path)
        if previous is None or previous.shape.shape != shape.shape:
            return None
        return cls(path, previous, shape, Bodies(site), store.options.output, resident=resident, changed=changed,
                   fresh=fresh, ids=dict(ids))

    def pages(self, jobs: Sequence[J], render: Callable[[list[J]], list[Output]],
              contexts: Callable[[Sequence[J]], list[str]] | None = None) -> list[Output]:
        """Every job's page, in order: kept ones read back, the others rendered by ``render``.
        ``contexts``: each job's context read, as its rendering notes it; asked only after leaf-field edits."""
        ids = self._ids("pages", lambda: [(url_to_path(job.url), identity(job.url, job.template, job.page_key,
                                                                             job.lang, job.title)) for job in jobs])
        readers = self._leaves()
        leaves = None
        if readers is not None:  # keep a page only if its variables did not change either
            leaves = Leaves(readers, dict(zip((p for p, _ in ids), contexts(jobs))) if contexts else {})
        # Two jobs writing one file are an error reported later, with both named: render both.
        kept = self._keep(ids, leaves) if len({path for path, _ in ids}) == len(ids) else {}
        made = render([self.fresh(job) for job, (path, _) in zip(jobs, ids) if path not in kept])
        self.made, self.kept = self.made + len(made), self.kept + len(kept)
        return in_order([path for path, _ in ids], kept, made)

    def feeds(self, feeds: Sequence[F], kinds: Sequence[str], make: Callable[[list[F]], list[Output]],
              ) -> list[Output]:
        """The ``kinds`` ("atom", "rss", "json") of each post feed, in order; a feed is made again when
        one of its files cannot be kept. A feed prints the whole text of its posts."""
        paths = self._ids(f"feeds {kinds}", lambda: [
            (feed.url(kind).lstrip("/"), ident) for feed in feeds
            for ident in [identity(feed.folder, feed.prefix, feed.lang, feed.title, [read_name(p) for p in feed.posts])]
            for kind in kinds])
        readers = self._leaves()
        kept = self._keep(paths, Leaves(readers) if readers is not None else None)
        todo = [self.fresh(feed) for feed in feeds if not all(feed.url(kind).lstrip("/") in kept for kind in kinds)]
        reads = {feed.url(kind).lstrip("/"): (*map(read_name, feed.posts), *map(field_read, feed.posts))
                 for feed in todo for kind in kinds}
        made = [replace(o, reads=reads.get(o.path, ())) for o in make(todo)]
        kept = {path: o for path, o in kept.items() if path not in reads}
        self.made, self.kept = self.made + len(made), self.kept + len(kept)
        return in_order([path for path, _ in paths], kept, made)

    def shaped(self, paths: Sequence[str], make: Callable[[], list[Output]]) -> list[Output]:
        """Outputs that print no body (the sitemap, robots.txt): kept whole while the shape is the same (a leaf
        field such as a post's ``updated`` may show in them)."""
        kept = self._keep([(path, identity("shape only", path)) for path in paths])
        if len(kept) == len(paths):
            self.kept += len(kept)
            return [kept[path] for path in paths]
        made = make()
        self.made += len(made)
        return made

    def _ids(self, call: str, make: Callable[[], list[tuple[str, str]]]) -> list[tuple[str, str]]:
        """The (path, identity) pairs of one call: made, unless known from the plan they belong to (``ids``)."""
        if self.changed is None or call not in self.ids:
            self.ids[call] = make()
        return self.ids[call]

    def _leaves(self) -> set[str] | None:
        """After edits of leaf fields alone since the record, the outputs that read one of the edited entries'
        fields; None when the record is of the same shape, or of another structure (or leaves are off)."""
        previous = self.previous
        if (not self.leaves or previous is None or previous.shape.shape == self.shape.shape
                or previous.shape.structure != self.shape.structure):
            return None
        if self._leaf_readers is None:
            edited = {FIELDS + name for name in self.shape.changed(previous.shape.fields)}
            self._leaf_readers = previous.reading(edited)
        return self._leaf_readers

    def _keep(self, wanted: list[tuple[str, str]], leaves: Leaves | None = None) -> dict[str, Output]:
        self.identities.update(wanted)
        if self.changed is not None and self.previous is not None and self.resident is not None:
            return keep_unedited(wanted, self.previous, self.changed, self.resident.kept)
        return keep(wanted, self.previous, self.shape.shape, self.bodies, self.output,
                    self.resident.kept if self.resident is not None else None, lazy=self.lazy, leaves=leaves)

    def save(self, outputs: Sequence[Output]) -> None:
        """Record the outputs of a successful build, after they are written.

        A serve session's build right after a save keeps its record in memory only (at 10,000 posts,
        writing it cost 0.25 s a save): the file is brought up to date once the author pauses. A stale
        file is only ever a record of older outputs, whose files no longer match it: a build that reads
        it makes those again."""
        if self.path is not None:
            deferred = self.changed is not None and self.resident is not None and self.resident.defer_late
            record = save(self.path, self.shape, ((o, self.identities[o.path]) for o in outputs
                                                  if o.path in self.identities), self.bodies, self.output,
                          self.previous, trusted=self.changed is not None, write=not deferred)
            if self.resident is not None:
                self.resident.record = (stat_key(self.path), record)
                self.resident.remember(outputs)


def _previous(store: Store, path: Path) -> Record | None:
    """The record of the previous build: a serve session's copy while the file is the one it wrote."""
    known = store.resident.record if store.resident is not None else None
    return known[1] if known is not None and known[0] == stat_key(path) else load_record(path)


def keep_unedited(wanted: Sequence[tuple[str, str]], record: Record, changed: frozenset[str],
                  memory: Mapping[str, Output]) -> dict[str, Output]:
    """``keep`` after edits of the bodies ``changed`` alone, in a serve session: the outputs of the previous
    build (``memory``) with the same identity that read none of them."""
    kept: dict[str, Output] = {}
    readers = record.readers(changed)
    files = record.files
    for path, ident in wanted:
        saved = files.get(path)
        found = memory.get(path)
        if saved is not None and found is not None and saved[0] == ident and path not in readers:
            kept[path] = found
    return kept
