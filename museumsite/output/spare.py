"""The spare tree: the site before the last swap, kept to become the next build's staging folder.

A plain build stages the whole new site beside the output and swaps it in, so a reader
sees the old site or the new one, never a mix. Staging a site of thousands of pages from
nothing makes a folder per page and a hard link per file, and removing the retired site
after the swap removes them all again: seconds for a one-post edit on a large site, most
of it folders made and removed. So the retired site is kept in the cache
(``.museumsite-cache/spare-<o>``, ``Store.spare``: a build without the cache has none, and
``clean`` removes it with the cache) instead of removed, and the next swap starts from it: every file of
the spare that is the very file of the current output (same inode) and is not changed by
this build stays where it is; so does, for a moment, a file of the previous build that a file
made later (the search index) may have again and that no other output is in the way of
(``write._claim`` and ``drop``); every other file goes, and ``write.py`` places the rest as
usual. The swap itself is unchanged, so the atomicity is the same; a build killed while
it prepares the staging folder leaves a scratch folder, removed by the next build as any
other (``write.recover_output``), which then starts from nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING

from museumsite.output.journal import folders_of

if TYPE_CHECKING:
    from museumsite.model import Output, StaticFile  # in annotations only: a no-op build never loads them


def from_spare(output: Path, staging: Path, outputs: Sequence[Output], static: Sequence[StaticFile],
               changed: set[str] | None, spare: Path | None,
               later: AbstractSet[str] = frozenset()) -> tuple[set[str], set[str]]:
    """Make ``staging``, from ``spare`` when there is one; return the paths it already holds as they must be,
    and those it holds for files that only outputs made later may claim (``write._claim``).

    ``changed`` (what this build changes in the output; None when unknown) must be known:
    a file is kept only when it is unchanged and is the output's own file. ``later``: the paths of
    the previous build that files made later (the search index) may have again; those that are the
    output's own file wait in the staging folder, to be compared with what comes, not linked again.
    """
    if spare is not None and (changed is None or not spare.is_dir() or spare.is_symlink()):
        _discard(spare)
    if spare is None or changed is None or not spare.is_dir():
        staging.mkdir()
        return set(), set()
    try:
        spare.rename(staging)  # fails across file systems (an output elsewhere): start from nothing
    except OSError:
        _discard(spare)
        staging.mkdir()
        return set(), set()
    wanted = {o.path for o in outputs} | {s.path for s in static}
    keep = (wanted - changed) | (later - wanted - in_the_way(wanted, later))
    present: set[str] = set()
    base, live = os.fspath(staging), os.fspath(output)
    emptied: set[str] = set()  # the folders something was removed from: only they may be empty now
    for top, dirs, files in os.walk(base, topdown=False):
        prefix = top[len(base) + 1:].replace(os.sep, "/") + "/" if top != base else ""  # os.walk joins below base
        for name in [*files, *(d for d in dirs if os.path.islink(os.path.join(top, d)))]:
            rel = prefix + name
            path = os.path.join(top, name)
            if rel in keep and _same_inode(path, os.path.join(live, rel)):
                present.add(rel)
            else:
                os.unlink(path)
                emptied.add(top)
        if top != base and (top in emptied or not (files or dirs)):
            try:
                os.rmdir(top)  # only when nothing is left in it
                emptied.add(os.path.dirname(top))
            except OSError:
                pass
    return present & wanted, present - wanted


def in_the_way(paths: AbstractSet[str], others: Iterable[str]) -> set[str]:
    """The ``others`` that cannot stay beside ``paths``: a file where one of them needs a folder (``news``
    before ``news/index.html``), or a file below one of them (``info/index.html`` before ``info``)."""
    folders = folders_of(paths)
    return {other for other in others if other in folders or not folders_of([other]).isdisjoint(paths)}


def drop(staging: Path, files: AbstractSet[str], waiting: set[str] | None = None) -> None:
    """Remove these files that waited in ``staging`` (nothing claimed them, or a file to come is in their way),
    and the folders they leave empty; they no longer wait."""
    for rel in files:
        (staging / rel).unlink(missing_ok=True)
    for rel in sorted(folders_of(files), key=lambda folder: -folder.count("/")):  # the deepest first
        with contextlib.suppress(OSError):  # not empty: it still holds other files
            (staging / rel).rmdir()
    if waiting is not None:
        waiting -= files


def _same_inode(path: str, other: str) -> bool:
    try:
        mine, theirs = os.lstat(path), os.lstat(other)
    except OSError:
        return False
    return (stat.S_ISREG(mine.st_mode) and stat.S_ISREG(theirs.st_mode)
            and (mine.st_ino, mine.st_dev) == (theirs.st_ino, theirs.st_dev))


def keep_spare(retired: Path, spare: Path | None) -> None:
    """Keep the site a swap retired as ``spare`` (removed where it cannot be, or without a cache)."""
    if spare is not None:
        _discard(spare)
        with contextlib.suppress(OSError):
            spare.parent.mkdir(parents=True, exist_ok=True)
            retired.rename(spare)
            return
    shutil.rmtree(retired)


def _discard(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
