"""Small rebuilds in place: a few changed files put into the output through a journal rolled forward.

The atomic swap (write.py) stages a whole new tree of hard links, one folder and one
link per page: on a site of 10,000 posts that costs seconds, even when one post was
edited. When a build changes only a few files, they are written instead into a flat
folder beside the output, with a journal of where each goes and which of our files
go away. Renaming that folder to ``.<out>.commit-<tag>`` commits the change; then each
file is moved into place (one atomic rename each) and the stale ones removed, the
output's manifest last. A build killed before the commit leaves the output as it was
(the next build deletes the folder); one killed after it leaves a journal that the
next build, before anything else, rolls forward to the complete new site. A web
server reading the output during those few renames may see some new files beside
old ones, never a partly written file. That is why only ``serve`` (whose reader is
the author, reloaded once the build is done) and ``build --in-place`` use it; a plain
``build`` keeps the whole-tree swap, after which a reader sees the old or the new site.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from museumsite.incremental.atomic import beside, scratch_tag, scratches, sync_folder, write_json

LIMIT = 500  # changed or removed files: above this, the whole-tree swap
JOURNAL = "journal.json"


@dataclass(frozen=True, slots=True)
class Change:
    """What a small rebuild does to the output folder."""

    writes: tuple[tuple[str, bytes | Path], ...]  # output path -> new bytes, or a file to copy
    removes: tuple[str, ...]  # our files of the previous build that this one does not make
    made: frozenset[str]  # folders our previous files were in (emptied ones go with them)


def folders_of(paths: Iterable[str]) -> set[str]:
    """Every folder the output paths are in: 'a/b/c.html' -> 'a' and 'a/b'."""
    found: set[str] = set()
    for rel in paths:
        end = rel.find("/")
        while end != -1:
            found.add(rel[:end])
            end = rel.find("/", end + 1)
    return found


def fits(change: Change, output: Path) -> bool:
    """Whether the change can go in place: few files, and no file where a folder is needed or the reverse."""
    if len(change.writes) + len(change.removes) > LIMIT:
        return False
    removed = set(change.removes)
    for rel, _ in change.writes:
        target = output / rel
        if target.is_dir() and not target.is_symlink():
            return False
        for parent in PurePosixPath(rel).parents:
            if parent.as_posix() in removed:
                return False
            folder = output / parent
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                return False
    return True


def apply(change: Change, output: Path, manifest_name: str, manifest: bytes) -> None:
    """Stage, commit and roll the change forward (see the module docstring)."""
    tag = scratch_tag()
    staging = beside(output, "patch", tag)
    staging.mkdir()
    try:
        moves: list[tuple[str, str]] = []
        for number, (rel, data) in enumerate([*change.writes, (manifest_name, manifest)]):
            name = f"{number}"
            if isinstance(data, Path):
                shutil.copy2(data, staging / name)
            else:
                (staging / name).write_bytes(data)
            moves.append((name, rel))
        journal = {"moves": moves, "removes": list(change.removes), "made": sorted(change.made)}
        write_json(staging / JOURNAL, journal)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    committed = beside(output, "commit", tag)
    staging.rename(committed)
    sync_folder(output.parent)  # the commit
    roll_forward(committed, output)


def roll_forward(committed: Path, output: Path) -> None:
    """Finish a committed change; safe to run again after a kill at any point of it."""
    journal = json.loads((committed / JOURNAL).read_text(encoding="utf-8"))
    moves: Sequence[tuple[str, str]] = journal["moves"]
    for rel in journal["removes"]:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            (output / rel).unlink()
    for name, rel in moves:  # the manifest comes last: until then, it lists the previous files
        source = committed / name
        if source.exists():
            target = output / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    made = set(journal["made"])
    for rel in sorted(folders_of(journal["removes"]) & made,
                      key=lambda p: -p.count("/")):
        with contextlib.suppress(OSError):  # not empty: it still holds pages, or someone's files
            (output / rel).rmdir()
    shutil.rmtree(committed)


def recover(output: Path) -> None:
    """Roll forward committed changes, drop uncommitted ones (only the lock holder calls this)."""
    for committed in scratches(output, "commit"):
        if output.is_dir() and (committed / JOURNAL).is_file():
            roll_forward(committed, output)
        else:
            shutil.rmtree(committed, ignore_errors=True)
    for staged in scratches(output, "patch"):
        shutil.rmtree(staged, ignore_errors=True)
