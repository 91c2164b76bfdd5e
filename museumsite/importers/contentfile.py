"""The one writer of imported content files: Markdown entries, comment archives, uploads.

Importers hand it what they would write, all at once, and it decides what is safe.
The site is the source of truth once a file exists; an import merges, never clobbers:

- Idempotent: the same input gives the same bytes (fixed key order, comments sorted
  by date then id), so a re-import changes nothing and duplicates nothing.
- Entry files (posts, pages, talks, speakers, events, uploads): the sha256 of every
  file written is recorded in ``.museumsite-import.json`` at the site root. A file
  whose bytes still match the record is updated; one edited by hand is kept, and the
  report names the fields (front-matter keys, ``body``) the export would have
  changed; one deleted by hand stays deleted; one written by hand is kept. ``force``
  (every such file, or only the paths it lists) overwrites them, each one reported.
- Comment archives are never skipped: they merge comment by comment
  (``archivemerge``), and ``force`` never touches them: moderation decisions stay.
- ``dry_run`` reports the same decisions and touches nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from museumsite.config import IMPORT_MANIFEST
from museumsite.content.load import ARCHIVE_LIMITS
from museumsite.importers.archivemerge import Memory, Merged, merge
from museumsite.incremental.atomic import Batch, batch
from museumsite.yamlfile import YamlProblem, parse_yaml

MANIFEST = IMPORT_MANIFEST
# The order of an archive comment's fields, as README's "Comment archives" shows them.
COMMENT_FIELDS = ("id", "parent", "author", "author_url", "date", "lang", "status", "type", "staff",
                  "format", "imported", "body")


class _Dumper(yaml.SafeDumper):
    """SafeDumper writing multi-line text as ``|`` blocks, readable and diff-friendly."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100)


def markdown_file(front: Mapping[str, Any], body: str) -> bytes:
    """A content file: ``---``, front matter in the given key order, ``---``, body."""
    text = "---\n" + dump_yaml(dict(front)) + "---\n" + body.strip("\n") + "\n"
    return text.encode("utf-8")


@dataclass(frozen=True, slots=True)
class FileOut:
    """Bytes for ``path`` (site-relative, forward slashes)."""

    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ArchiveOut:
    """Comments of one source to merge into the archive at ``path``: each a mapping of COMMENT_FIELDS
    whose ``id`` and ``parent`` are the source's own ids (``archivemerge`` gives the archive ids)."""

    path: str
    comments: tuple[Mapping[str, Any], ...]
    source: str = "wordpress"


@dataclass(frozen=True, slots=True)
class Kept:
    """A file the site changed, left as it is: why, and what the export would have changed in it."""

    path: str
    why: str
    fields: tuple[str, ...] = ()


@dataclass(slots=True)
class WriteReport:
    """What was (or, on a dry run, would be) done to each file."""

    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)  # entry files the site edited, deleted or wrote
    forced: list[str] = field(default_factory=list)  # such files overwritten by --force
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why): archives that cannot be read
    archives: dict[str, Merged] = field(default_factory=dict)  # what each archive's merge kept and why

    def kept_lines(self, would: str = "") -> list[str]:
        """One line per entry file kept or overwritten, saying why and what to do."""
        lines = []
        for kept in self.kept:
            fields = f"; the export would change: {', '.join(kept.fields)}" if kept.fields else ""
            todo = "" if kept.why.startswith("deleted") else f" (--force-path {kept.path} to overwrite it)"
            lines.append(f"kept {kept.path}: {kept.why}{fields}{todo}")
        return lines + [f"{would}overwritten {path} (--force): it had been changed by hand" for path in self.forced]


def archive_bytes(comments: Sequence[Mapping[str, Any]], rejected: Sequence[str] = ()) -> bytes:
    data: dict[str, Any] = {"comments": [_ordered(c) for c in comments]}
    if rejected:
        data["rejected"] = sorted(set(rejected))
    return dump_yaml(data).encode("utf-8")


def read_archive(data: bytes) -> list[dict[str, Any]] | None:
    """The comments of an archive's bytes, or None when it is not an archive we can merge."""
    loaded = _archive_data(data)
    return None if loaded is None else loaded[0]


def _archive_data(data: bytes) -> tuple[list[dict[str, Any]], list[str]] | None:
    """(comments, rejected) of an archive's bytes, read as the build reads archives; None if unreadable."""
    try:
        loaded, _ = parse_yaml(data.decode("utf-8"), limits=ARCHIVE_LIMITS)
    except (YamlProblem, UnicodeDecodeError):
        return None
    comments, rejected = loaded.get("comments") or [], loaded.get("rejected") or []
    if not isinstance(comments, list) or not isinstance(rejected, list):
        return None
    return [c for c in comments if isinstance(c, dict)], [str(r).strip() for r in rejected]


def apply(root: Path, outputs: Sequence[FileOut | ArchiveOut], *, dry_run: bool = False,
          force: bool | Sequence[str] = False, hosts: Iterable[str] = ()) -> WriteReport:
    """Write ``outputs`` under ``root`` by the rules in the module docstring.

    ``force``: True overwrites every entry file the site changed; a list of site-relative
    paths (files or folders) only those. ``hosts``: the old site's host names, remembered
    in the manifest for ``check``.
    """
    manifest = _read_manifest(root)
    report = WriteReport()
    with batch() as files:  # every file flushed at once, then renamed, the manifest last
        _apply(root, outputs, manifest, report, files, dry_run, force)
        if not dry_run:
            manifest["files"] = dict(sorted(manifest["files"].items()))
            manifest["hosts"] = sorted({*manifest.get("hosts", []), *(h.lower() for h in hosts if h)})
            for name in ("comments", "duplicates"):
                manifest[name] = {path: dict(sorted(values.items()))
                                  for path, values in sorted(manifest[name].items()) if values}
            files.write(root / MANIFEST, (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    return report


def _apply(root: Path, outputs: Sequence[FileOut | ArchiveOut], manifest: dict[str, Any], report: WriteReport,
           files: Batch, dry_run: bool, force: bool | Sequence[str]) -> None:
    recorded: dict[str, str] = manifest["files"]
    for out in outputs:
        target = _inside(root, out.path)
        current = files.staged[target] if target in files.staged else target.read_bytes() if target.is_file() else None
        if isinstance(out, ArchiveOut):
            data = _merge_archive(out, current, manifest, report)
            if data is None:
                continue
        else:
            kept = _kept(out, current, recorded.get(out.path))
            if kept is not None and not _forced(out.path, force):
                report.kept.append(kept)
                continue
            if kept is not None and current != out.data:
                report.forced.append(out.path)
            data = out.data
        if current == data:
            report.unchanged.append(out.path)
        else:
            (report.changed if current is not None else report.created).append(out.path)
            if not dry_run:
                files.write(target, data)
        recorded[out.path] = hashlib.sha256(data).hexdigest()


def _merge_archive(out: ArchiveOut, current: bytes | None, manifest: dict[str, Any],
                   report: WriteReport) -> bytes | None:
    """The archive's new bytes (the current ones when nothing changed), or None when it cannot be read."""
    existing = _archive_data(current) if current is not None else ([], [])
    if existing is None:
        report.skipped.append((out.path, "not a comment archive (invalid YAML); fix it, then import again"))
        return None
    comments, rejected = existing
    clean = current is not None and manifest["files"].get(out.path) == hashlib.sha256(current).hexdigest()
    memory = Memory(digests=manifest["comments"].get(out.path, {}), duplicates=manifest["duplicates"].get(out.path, {}),
                    clean=clean)
    merged = merge(comments, rejected, out.comments, out.source, memory)
    report.archives[out.path] = merged
    manifest["comments"][out.path] = merged.digests
    manifest["duplicates"][out.path] = merged.duplicates
    if current is not None and _canonical(existing) == _canonical((merged.comments, merged.rejected)):
        return current  # the same comments as they are: a hand-written layout is left alone
    return archive_bytes(merged.comments, merged.rejected)


def _kept(out: FileOut, current: bytes | None, digest: str | None) -> Kept | None:
    """Why the file is the site's, not the import's; None when the import may write it."""
    if digest is None:
        if current is None or current == out.data:
            return None
        return Kept(out.path, "exists and was not written by an import", _fields(current, out.data))
    if current is None:
        return Kept(out.path, "deleted by hand since the last import: it stays deleted")
    if hashlib.sha256(current).hexdigest() != digest and current != out.data:
        return Kept(out.path, "edited by hand since the last import", _fields(current, out.data))
    return None


def _fields(current: bytes, new: bytes) -> tuple[str, ...]:
    """The front-matter keys and 'body' whose values differ between two content files (a file that
    is not Markdown with front matter, an upload, differs as a whole: 'file')."""
    mine, theirs = _split(current), _split(new)
    if mine is None or theirs is None:
        return ("file",)
    keys = [k for k in dict.fromkeys((*theirs[0], *mine[0])) if _plain(mine[0].get(k)) != _plain(theirs[0].get(k))]
    return (*keys, *(["body"] if mine[1].strip() != theirs[1].strip() else []))


def _split(data: bytes) -> tuple[dict[str, Any], str] | None:
    from museumsite.content.load import split_front_matter

    try:
        front, line, body, _ = split_front_matter(data.decode("utf-8"))
        meta = parse_yaml(front, line)[0] if front is not None else None
    except (YamlProblem, UnicodeDecodeError):
        return None
    return (meta, body) if isinstance(meta, dict) else None


def _forced(path: str, force: bool | Sequence[str]) -> bool:
    if isinstance(force, bool):
        return force
    return any(path == p.strip("/") or path.startswith(p.strip("/") + "/") for p in force)


def _canonical(data: tuple[list[dict[str, Any]], list[str]]) -> str:
    """Archive data compared as written: a date's zone counts, a key's order does not."""
    comments, rejected = data
    return json.dumps([[{k: _plain(v) for k, v in sorted(c.items())} for c in comments], sorted(set(rejected))],
                      ensure_ascii=False, sort_keys=True)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _inside(root: Path, rel: str) -> Path:
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()) or ".." in rel.split("/"):
        raise ValueError(f"refusing to write outside the site: {rel}")
    return target


def _read_manifest(root: Path) -> dict[str, Any]:
    """The manifest, with every section present; a missing or unreadable one is empty (version 1 had files only)."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        data = {}
    manifest: dict[str, Any] = {"version": 2, "files": data.get("files", {})}
    for name in ("comments", "duplicates"):
        section = data.get(name)
        manifest[name] = {str(k): dict(v) for k, v in section.items() if isinstance(v, dict)} \
            if isinstance(section, dict) else {}
    hosts = data.get("hosts")
    manifest["hosts"] = [str(h) for h in hosts] if isinstance(hosts, list) else []
    return manifest


def old_hosts(root: Path) -> list[str]:
    """The host names of the sites imports came from ('blog.example.cat'), as the manifest remembers them."""
    return list(_read_manifest(root)["hosts"])


def _ordered(comment: Mapping[str, Any]) -> dict[str, Any]:
    ordered = {name: comment[name] for name in COMMENT_FIELDS if name in comment}
    ordered.update((k, v) for k, v in comment.items() if k not in ordered)
    return ordered
