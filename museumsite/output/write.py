"""Stage 5: put the outputs on disk. The only stage that writes the output folder.

The new site is written into a temporary folder beside the output and swapped in
(in one atomic exchange on Linux, else two renames), so a failed or killed build
leaves the previous site as it was; the next build finishes the cleanup. Files whose
bytes did not change are hard links to the previous ones, keeping their times, so
deploy tools that compare times upload only real changes. The output folder carries
a manifest of what museumsite wrote; everything else in it (a deploy tool's ``.git``,
a CNAME, empty folders, symlinks) is carried over as it is, never deleted.

One build at a time: a lock beside the output serializes the builds (and ``serve``
rebuilds) that write it, so two of them never write over each other's files.
"""

from __future__ import annotations

import errno
import itertools
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from museumsite import PACKAGE
from museumsite.errors import Problems, UsageError
from museumsite.incremental.atomic import beside, scratch_tag, scratches, tag_of
from museumsite.incremental.store import OUTPUT_MANIFEST, OutputManifest, output_manifest_bytes, read_output_manifest
from museumsite.output import journal as patch
from museumsite.output.spare import drop as _drop
from museumsite.output.spare import from_spare as _from_spare
from museumsite.output.spare import in_the_way as _in_the_way
from museumsite.output.spare import keep_spare as _keep_spare
from museumsite.urls import same_file_key

if TYPE_CHECKING:
    from concurrent.futures import Future

    from museumsite.model import Output, StaticFile  # in annotations only: a no-op build never loads them

LOCK_WAIT = 60.0  # seconds a build waits for another build of the same site before giving up


@dataclass(frozen=True, slots=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


def check_output_dir(output: Path, root: Path) -> None:
    """Refuse output folders a build could damage: the site itself, or someone else's folder."""
    out, site = output.resolve(), root.resolve()
    protected = [site, site / "content", site / "themes", Path.home().resolve(), Path(out.anchor)]
    if out in protected or out in site.parents:
        raise UsageError(f"refusing to use {output} as the output folder: it holds the site's own files; "
                         "choose a new folder such as _site")
    for source in (site / "content", site / "themes", PACKAGE):
        if source in out.parents:
            raise UsageError(f"refusing to use {output} as the output folder: it is inside {source}, which the "
                             "build reads, so every build would publish the last one again; choose a folder "
                             "outside it, such as _site")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {output} exists and is not a folder")
    blocking = next((folder for folder in out.parents if folder.exists() and not folder.is_dir()), None)
    if blocking is not None:
        raise UsageError(f"cannot make the output folder {output}: {blocking} is a file, not a folder; "
                         "choose another folder with --output")
    if out.is_dir() and not (out / OUTPUT_MANIFEST).is_file() and any(out.iterdir()):
        raise UsageError(f"refusing to write into {output}: it is not empty and was not made by museumsite; "
                         "empty it, or choose another folder with --output")
    if (out / OUTPUT_MANIFEST).is_file() and read_output_manifest(out) is None:
        raise UsageError(f"refusing to write into {output}: its {OUTPUT_MANIFEST}, the list of the files museumsite wrote "
                         "there, is damaged, so the build cannot tell them from yours; remove the folder (or "
                         "'museumsite clean' for _site) and build again")


@contextmanager
def build_lock(output: Path, waiting: Callable[[], object] = lambda: None) -> Iterator[None]:
    """Hold the lock of ``output`` (``.<name>.lock`` beside it), then repair what a killed build left.

    A second build waits up to LOCK_WAIT seconds (calling ``waiting`` once), then gives
    up with a UsageError rather than writing over the first one's files. The lock file
    is removed while still held, so a finished build leaves nothing behind; a build
    that locked a file someone has just removed tries again with the new one.
    """
    if sys.platform == "win32":  # no flock: builds there are not serialized
        recover_output(output)
        yield
        return
    import fcntl

    lock = output.parent / f".{output.name}.lock"
    output.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + LOCK_WAIT
    for attempt in itertools.count():
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pass
            else:
                if not _is_file(handle.fileno(), lock):
                    continue
                try:
                    recover_output(output)
                    yield
                finally:
                    lock.unlink(missing_ok=True)
                return
        if attempt == 0:
            waiting()
        if time.monotonic() > deadline:
            raise UsageError(f"another build of this site is running (it holds {lock}); "
                             "wait for it to finish, or stop it, and build again")
        time.sleep(0.05)


def _is_file(fd: int, path: Path) -> bool:
    """Whether the open file ``fd`` is still the one at ``path`` (not unlinked meanwhile)."""
    try:
        found, held = path.stat(), os.fstat(fd)
    except FileNotFoundError:
        return False
    return (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino)


def recover_output(output: Path) -> None:
    """Undo a killed build: roll back a swap cut between its two renames, drop temporary folders.

    Only the lock holder may call this: the ``.new-`` folder of a running build looks
    just like a killed one's.
    """
    patch.recover(output)
    retired = scratches(output, "old")
    if not output.exists():
        # Cut between the renames: the old site is complete in .old-X, the new one in .new-X.
        # An unpaired .old- folder may be a half-deleted one: never bring that back.
        pairs = [p for p in retired if beside(output, "new", tag_of(p, "old")).is_dir() and (p / OUTPUT_MANIFEST).is_file()]
        if pairs:
            pairs[-1].rename(output)
    for leftover in [*scratches(output, "new"), *retired, *scratches(output, "pages")]:
        if leftover.exists():
            shutil.rmtree(leftover)


@contextmanager
def spill_folder(output: Path, wanted: bool) -> Iterator[Path | None]:
    """An empty scratch folder beside ``output`` for the rendered pages (render/pages.py), removed after the
    build, whatever happens (a killed build's is removed by the next one, in ``recover_output``); None when
    not ``wanted``. Beside the output, so the swap links its files into the new site instead of copying."""
    if not wanted:
        yield None
        return
    folder = beside(output, "pages")
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_collisions(outputs: list[Output], static: list[StaticFile], root: Path,
                     problems: Problems) -> None:
    """Two sources writing the same file, or a file where another needs a folder: reported
    at the content file, naming the other."""
    from museumsite.content.load import site_relative  # the loader, and the model with it: not for a no-op build

    writers: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    spellings: dict[str, set[str]] = {}
    for path, origin in [*((o.path, o.origin) for o in outputs),
                         *((s.path, site_relative(s.source, root)) for s in static)]:
        key = same_file_key(path)
        writers.setdefault(key, []).append(origin)
        shown.setdefault(key, path)
        spellings.setdefault(key, set()).add(path)
    hint = "change the slug, the file name or the urls: pattern so each page has its own URL"
    for path, origins in writers.items():
        if len(origins) > 1:
            first, *others = sorted(origins, key=_preferred)
            spelt = (" (spelt differently, but one file on macOS or Windows: "
                     f"{', '.join(ascii(s) for s in sorted(spellings[path]))})" if len(spellings[path]) > 1 else "")
            problems.error(*_where(first), f"writes {shown[path]}, which {' and '.join(others)} writes too{spelt}",
                           hint)
    inside: dict[str, str] = {}  # folder -> the first file written in it
    for path in writers:
        parts = path.split("/")
        for end in range(1, len(parts)):
            inside.setdefault("/".join(parts[:end]), path)
    for path, origins in writers.items():
        if path in inside:
            file_writer, folder_writer = origins[0], writers[inside[path]][0]
            inner = shown[inside[path]]
            if _preferred(file_writer) <= _preferred(folder_writer):
                problems.error(*_where(file_writer), f"writes the file {shown[path]}, but {folder_writer} "
                               f"writes {inner}, which needs a folder of that name", hint)
            else:
                problems.error(*_where(folder_writer), f"writes {inner}, which needs a folder {shown[path]}/, "
                               f"but {file_writer} writes a file of that name", hint)


def _preferred(origin: str) -> bool:
    """Content and theme files first: that is where the author can fix a collision."""
    return not origin.startswith(("content/", "themes/"))


def _where(origin: str) -> tuple[str, int | None]:
    where, _, line = origin.rpartition(":")
    return (where, int(line)) if line.isdigit() else (origin, None)


def write_outputs(outputs: list[Output], static: list[StaticFile], output: Path, *,
                  in_place: bool = False, spare: Path | None = None,
                  later: Callable[[], Sequence[Output]] | None = None) -> WriteStats:
    """Make ``output`` hold exactly these files (and whatever else it held that is not ours).

    By default the new site is swapped in whole, so a reader never sees old and new pages
    together; ``in_place`` writes a small change file by file through journal.py.
    The output is compared with the new files once, by ``_change``, for all three ways.
    ``spare`` is where the swap keeps the site it retires, to stage the next one (spare.py).

    ``later`` makes the last outputs and checks the whole build (it raises BuildError to stop
    it): the search index, for which Pagefind takes seconds while this process would wait. It runs
    in a thread from the start, so when the site is swapped in whole the other files are staged
    meanwhile: writing thousands of files is mostly the system's work, Pagefind's is its own
    processes'. Nothing is swapped in before it returns, and its error removes the staged tree.
    """
    from concurrent.futures import ThreadPoolExecutor  # here: a no-op build writes nothing

    output = output.resolve()
    previous = read_output_manifest(output)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(later) if later is not None else None
        change = _change(outputs, static, output, previous)
        if pending is not None and (in_place or (change is not None and not change.writes)):
            # What the rest makes decides: a change small enough to go in place, or no change at all.
            outputs, pending = [*outputs, *pending.result()], None
            change = _change(outputs, static, output, previous)
        if pending is None:
            manifest = output_manifest_bytes([*(o.path for o in outputs), *(s.path for s in static)])
            if (change is not None and not change.writes and not change.removes and previous
                    and previous.data == manifest):
                return WriteStats(written=0, unchanged=len(outputs) + len(static), removed=0)  # nothing to do
            if in_place and change is not None and patch.fits(change, output):
                patch.apply(change, output, OUTPUT_MANIFEST, manifest)
                return WriteStats(written=len(change.writes), unchanged=len(outputs) + len(static) - len(change.writes),
                                  removed=len(change.removes))
        return _swap(outputs, static, output, previous, change, spare, pending)


def _swap(outputs: list[Output], static: list[StaticFile], output: Path, previous: OutputManifest | None,
          change: patch.Change | None, spare: Path | None, pending: Future[Sequence[Output]] | None) -> WriteStats:
    """Stage the whole new site beside ``output`` and swap it in (see the module docstring).

    A file the change does not write is the previous one, hard-linked; without a change
    (no previous build, or one in doubt) each file is compared here, as are the outputs
    ``pending`` brings once the others are staged (``change`` did not see them): with the
    previous build's file where it waits in the staging folder (``_claim``), else with
    the output's.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    tag = scratch_tag()
    staging, retired = beside(output, "new", tag), beside(output, "old", tag)
    changed = None if change is None else {rel for rel, _ in change.writes}
    # What the previous build wrote and this one has not made yet may come again from ``pending``.
    later = set(previous.files) if previous is not None and pending is not None else set()
    present, waiting = _from_spare(output, staging, outputs, static, changed, spare, later)
    try:
        folders: set[Path] = set()
        written = sum(not _place_output(staging, output, item, folders, changed, present) for item in outputs)
        for static_file in static:
            src = static_file.source
            written += not _place(staging, output, static_file.path, lambda dest, src=src: shutil.copy2(src, dest),
                                  lambda old, src=src: _same_file(old, src), folders, changed, present)
        if pending is not None:
            late = pending.result()
            outputs = [*outputs, *late]
            _drop(staging, _in_the_way({item.path for item in late}, waiting), waiting)
            written += sum(not _claim(staging, item, waiting) and not _place_output(staging, output, item, folders, None)
                           for item in late)
        _drop(staging, waiting)  # files of the previous build that this one no longer has
        ours = {o.path for o in outputs} | {s.path for s in static}
        manifest = output_manifest_bytes(ours)
        removed = _carry_foreign(output, staging, ours, set(previous.files) if previous else set())
        _place(staging, output, OUTPUT_MANIFEST, lambda dest: dest.write_bytes(manifest),
               lambda old: old.read_bytes() == manifest, folders, None)
        if not output.exists():
            staging.rename(output)
        elif _exchange(staging, output):
            _keep_spare(staging, spare)  # it now holds the previous site
        else:
            output.rename(retired)
            staging.rename(output)
            shutil.rmtree(retired)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not output.exists():
            retired.rename(output)
        raise
    total = len(outputs) + len(static)
    return WriteStats(written=written, unchanged=total - written, removed=removed)


def _place_output(staging: Path, output: Path, item: Output, folders: set[Path], changed: set[str] | None,
                  present: AbstractSet[str] = frozenset()) -> bool:
    """``_place`` for a made file: written from its bytes (linked from its ``file``), or compared by them
    with the previous one."""
    write = (lambda dest: _link(Path(item.file), dest)) if item.file else (lambda dest: dest.write_bytes(item.data))
    return _place(staging, output, item.path, write, lambda old: item.kept or _holds(old, item), folders, changed,
                  present)


def _claim(staging: Path, item: Output, waiting: set[str]) -> bool:
    """Whether the previous build's file that waits in ``staging`` where ``item`` goes (``spare.from_spare``)
    already holds it; with other bytes it is removed, for ``item`` to be written. Either way it no longer waits."""
    if item.path not in waiting:
        return False
    waiting.discard(item.path)
    path = staging / item.path
    if _holds(path, item):
        return True
    path.unlink()
    return False


def _holds(old: Path, item: Output) -> bool:
    """Whether the file ``old`` has ``item``'s bytes (from memory, or compared with its ``file``)."""
    if item.file:
        return _same_file(old, Path(item.file))
    return old.stat().st_size == len(item.data) and old.read_bytes() == item.data


def _change(outputs: list[Output], static: list[StaticFile], output: Path,
            previous: OutputManifest | None) -> patch.Change | None:
    """What this build changes in ``output``, file by file; None when there is no previous build to change.

    Outputs read back from the previous build (``kept``) are known to be there; every
    other file is compared byte for byte. Any doubt means None: the swap compares each file itself.
    """
    if previous is None:
        return None
    try:
        writes: list[tuple[str, bytes | Path]] = []
        for item in outputs:
            if item.kept:  # read from this very file a moment ago (reuse.py checked its size, time and inode)
                continue
            old = _within(output, item.path)
            if old.is_symlink() or not old.is_file() or not _holds(old, item):
                writes.append((item.path, Path(item.file) if item.file else item.data))
        for static_file in static:
            old = _within(output, static_file.path)
            if old.is_symlink() or not old.is_file() or not _same_file(old, static_file.source):
                writes.append((static_file.path, static_file.source))
        ours = {o.path for o in outputs} | {s.path for s in static}
        removes = []
        for rel in sorted(set(previous.files) - ours):
            old = _within(output, rel)
            if old.is_symlink() or old.is_file():
                removes.append(rel)
    except (OSError, UsageError):
        return None
    return patch.Change(writes=tuple(writes), removes=tuple(removes), made=frozenset(patch.folders_of(previous.files)))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE), so a kill at any
    moment leaves a complete site; False where the system or file system cannot."""
    import ctypes  # here: a no-op build swaps nothing

    rename = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) if sys.platform == "linux" else None
    if rename is None:
        return False
    at_cwd, exchange = -100, 2
    if rename(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _place(staging: Path, output: Path, rel: str, write, same_as, folders: set[Path],  # type: ignore[no-untyped-def]
           changed: set[str] | None, present: AbstractSet[str] = frozenset()) -> bool:
    """Write one file into staging; hard-link the previous one if its bytes are the same.

    ``changed`` (the paths ``_change`` found different) says which are; without it,
    ``same_as`` compares. Until the foreign files are carried over, after every output is
    placed, the staging folder holds only folders made here, the files ``present`` names,
    and files of the previous build that wait for the late outputs, none of them in the way
    of another output (``spare.in_the_way``): checking ``rel`` by its words is enough.
    """
    if rel in present:
        return True  # in the staging folder already: the very file of the output (spare.py)
    dest = _within(staging, rel)
    if dest.parent not in folders:
        dest.parent.mkdir(parents=True, exist_ok=True)
        folders.add(dest.parent)
    old = output / rel
    if old.is_file() and not old.is_symlink() and (rel not in changed if changed is not None else same_as(old)):
        _link(old, dest)
        return True
    write(dest)
    return False


def _within(folder: Path, rel: str) -> Path:
    """``folder / rel``, checked by its words (no ``..``, not absolute): resolving every path of a large
    site costs seconds. For reading the output, or writing where no link can be (a new staging
    folder; patch.fits checks the output's folders)."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\0" in rel:
        raise UsageError(f"refusing to write {rel!r}: it points outside the output folder")
    return folder / rel


def _same_file(old: Path, src: Path) -> bool:
    if old.stat().st_size != src.stat().st_size:
        return False
    with old.open("rb") as a, src.open("rb") as b:
        while True:
            chunk = a.read(1 << 16)
            if chunk != b.read(1 << 16):
                return False
            if not chunk:
                return True


def _carry_foreign(output: Path, staging: Path, ours: set[str], previous: set[str]) -> int:
    """Carry everything museumsite did not write into the new site as it is; count our stale files.

    ``previous`` is what the previous build wrote (its manifest). Files become hard links
    (same inode and times), symlinks are copied as links, and folders the build did not
    make (``.git``, an empty ``keep/``) keep their mode and times. Folders that only held
    our own pages go with them.
    """
    if not output.is_dir():
        return 0
    made = patch.folders_of(previous)
    removed = 0
    folders: list[str] = []  # a folder always comes before the folders inside it
    stack, base = [""], os.fspath(output)
    while stack:  # by names, not Paths: on a large site this walk is most of a one-edit build's writing
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(os.path.join(base, folder)), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            rel = f"{folder}/{entry.name}" if folder else entry.name
            if entry.is_dir(follow_symlinks=False):  # a link to a folder is carried as a link, below
                if rel not in made:
                    folders.append(rel)
                stack.append(rel)
            elif rel == OUTPUT_MANIFEST or rel in ours:
                continue  # a hand-placed file where the site now has a page: the page wins
            elif rel in previous:
                removed += 1
            else:
                _carry(Path(entry.path), staging / rel)
    for rel in reversed(folders):  # deepest first, so a parent's times are set after its children
        target = staging / rel
        try:
            target.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            continue  # the site now writes a file of that name
        shutil.copystat(output / rel, target)
    return removed


def _carry(path: Path, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        return  # the site now writes a file where this one's folder was: the page wins
    if target.exists() or target.is_symlink():
        return
    if path.is_symlink():
        os.symlink(os.readlink(path), target)
        return
    _link(path, target)


def _link(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` (same inode and times), a copy where the file system has none."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
