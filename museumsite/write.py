"""Stage 5: put the outputs on disk. The only stage that writes.

The new site is written into a temporary folder beside the output and swapped in
with two renames, so a failed or killed build leaves the previous site as it was.
Files whose bytes did not change are hard links to the previous ones, keeping
their times, so deploy tools that compare times upload only real changes. The
output folder carries a manifest of what museumsite wrote; files it did not write
(a deploy tool's ``.git``, a CNAME) are carried over, never deleted.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from museumsite.errors import Problems, UsageError
from museumsite.load import site_relative
from museumsite.model import Output, StaticFile

MANIFEST = ".museumsite-output.json"


@dataclass(frozen=True, slots=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


def check_output_dir(output: Path, root: Path) -> None:
    """Refuse output folders a build could damage: the site itself, or someone else's folder."""
    out, site = output.resolve(), root.resolve()
    protected = [site, site / "content", site / "themes", Path.home().resolve(), Path(out.anchor)]
    if out in protected or out in site.parents or (site / "content") in out.parents:
        raise UsageError(f"refusing to use {output} as the output folder: it holds the site's own files; "
                         "choose a new folder such as _site")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {output} exists and is not a folder")
    if out.is_dir() and not (out / MANIFEST).is_file() and any(out.iterdir()):
        raise UsageError(f"refusing to write into {output}: it is not empty and was not made by museumsite; "
                         "empty it, or choose another folder with --output")


def check_collisions(outputs: list[Output], static: list[StaticFile], root: Path,
                     problems: Problems) -> None:
    """Two sources writing the same file: reported at the content file, naming the other."""
    writers: dict[str, list[str]] = {}
    for path, origin in [*((o.path, o.origin) for o in outputs),
                         *((s.path, site_relative(s.source, root)) for s in static)]:
        # Case-insensitive file systems (macOS, Windows) would merge the two.
        writers.setdefault(path.casefold(), []).append(origin)
    for path, origins in writers.items():
        if len(origins) < 2:
            continue
        origins.sort(key=lambda o: not o.startswith(("content/", "themes/")))
        where, _, line = origins[0].rpartition(":")
        if not line.isdigit():
            where, line = origins[0], ""
        problems.error(where, int(line) if line else None,
                       f"writes {path}, which {' and '.join(origins[1:])} writes too",
                       "change the slug, the file name or the urls: pattern so each page has its own URL")


def write_outputs(outputs: list[Output], static: list[StaticFile], output: Path) -> WriteStats:
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.parent / f".{output.name}.new-{os.getpid()}"
    retired = output.parent / f".{output.name}.old-{os.getpid()}"
    for leftover in output.parent.glob(f".{output.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)  # from a killed build: ours by name
    staging.mkdir()
    try:
        written = unchanged = 0
        for item in outputs:
            same = _place(staging, output, item.path, lambda dest, data=item.data: dest.write_bytes(data),
                          lambda old, data=item.data: old.stat().st_size == len(data) and old.read_bytes() == data)
            written, unchanged = written + (not same), unchanged + same
        for static_file in static:
            src = static_file.source
            same = _place(staging, output, static_file.path, lambda dest, src=src: shutil.copy2(src, dest),
                          lambda old, src=src: _same_file(old, src))
            written, unchanged = written + (not same), unchanged + same
        ours = sorted({o.path for o in outputs} | {s.path for s in static})
        removed = _carry_foreign(output, staging, set(ours))
        manifest = (json.dumps({"files": ours}, indent=0) + "\n").encode("utf-8")
        _place(staging, output, MANIFEST, lambda dest: dest.write_bytes(manifest),
               lambda old: old.read_bytes() == manifest)
        if output.exists():
            output.rename(retired)
            staging.rename(output)
            shutil.rmtree(retired)
        else:
            staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not output.exists():
            retired.rename(output)
        raise
    return WriteStats(written=written, unchanged=unchanged, removed=removed)


def _place(staging: Path, output: Path, rel: str, write, same_as) -> bool:  # type: ignore[no-untyped-def]
    """Write one file into staging; hard-link the previous one if its bytes are the same."""
    dest = _inside(staging, rel)
    dest.parent.mkdir(parents=True, exist_ok=True)
    old = output / rel
    if old.is_file() and not old.is_symlink() and same_as(old):
        try:
            os.link(old, dest)
        except OSError:
            shutil.copy2(old, dest)
        return True
    write(dest)
    return False


def _inside(folder: Path, rel: str) -> Path:
    dest = (folder / rel).resolve()
    if folder.resolve() not in dest.parents:
        raise UsageError(f"refusing to write {rel!r}: it points outside the output folder")
    return dest


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


def _carry_foreign(output: Path, staging: Path, ours: set[str]) -> int:
    """Move files museumsite did not write into the new site; count our stale ones."""
    if not output.is_dir():
        return 0
    manifest = output / MANIFEST
    previous = set(json.loads(manifest.read_text(encoding="utf-8"))["files"]) if manifest.is_file() else set()
    removed = 0
    for path in sorted(output.rglob("*"), reverse=True):
        rel = path.relative_to(output).as_posix()
        if rel == MANIFEST or path.is_dir() and not path.is_symlink():
            continue
        if rel in previous:
            removed += rel not in ours
            continue
        if rel in ours:
            continue  # a hand-placed file where the site now has a page: the page wins
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target) if not path.is_symlink() else shutil.copy2(path, target, follow_symlinks=False)
    return removed
