"""The one writer of imported content files: Markdown posts, comment archives, uploads.

Importers hand it what they would write, all at once, and it decides what is safe:

- Idempotent: the same input gives the same bytes (fixed key order, comments sorted
  by date then id), so a re-import changes nothing and duplicates nothing.
- Hand edits win: the sha256 of every file it writes is recorded in
  ``.museumsite-import.json`` at the site root. A file whose bytes no longer match
  the record (edited or deleted by hand), or that exists without a record (written
  by hand), is skipped and reported, unless ``force``.
- Comment archives merge: comments already in an archive (from another importer,
  or added by hand with ``force``) are kept; an imported comment replaces the one
  with the same id; the result is in date order.
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

from museumsite.content.load import ARCHIVE_LIMITS
from museumsite.incremental.atomic import Batch, batch
from museumsite.yamlfile import YamlProblem, parse_yaml

MANIFEST = ".museumsite-import.json"
# The order of an archive comment's fields, as README's "Comment archives" shows them.
COMMENT_FIELDS = ("id", "parent", "author", "author_url", "date", "lang", "status", "type", "staff",
                  "format", "body")


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
    """Comments to merge into the archive at ``path``; each a mapping of COMMENT_FIELDS."""

    path: str
    comments: tuple[Mapping[str, Any], ...]


@dataclass(slots=True)
class WriteReport:
    """What was (or, on a dry run, would be) done to each file."""

    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)


def same_comment(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Two records of one comment: the same author at the same instant."""
    return bool(a.get("author") == b.get("author") and _instant(a.get("date")) == _instant(b.get("date")))


def merge_comments(existing: Iterable[Mapping[str, Any]],
                   incoming: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``existing`` with ``incoming`` added (same id: replaced), sorted by date, then id."""
    merged: dict[str, dict[str, Any]] = {}
    for comment in (*existing, *incoming):
        merged[str(comment.get("id"))] = _ordered(comment)
    return sorted(merged.values(), key=lambda c: (_instant(c.get("date")), str(c.get("id"))))


def archive_bytes(comments: Sequence[Mapping[str, Any]]) -> bytes:
    return dump_yaml({"comments": [_ordered(c) for c in comments]}).encode("utf-8")


def read_archive(data: bytes) -> list[dict[str, Any]] | None:
    """The comments of an archive's bytes, or None when it is not an archive we can merge."""
    try:
        loaded, _ = parse_yaml(data.decode("utf-8"), limits=ARCHIVE_LIMITS)  # as the build reads archives
    except (YamlProblem, UnicodeDecodeError):
        return None
    if not isinstance(loaded.get("comments", []), list):
        return None
    return [c for c in loaded.get("comments") or [] if isinstance(c, dict)]


def apply(root: Path, outputs: Sequence[FileOut | ArchiveOut], *, dry_run: bool = False,
          force: bool = False) -> WriteReport:
    """Write ``outputs`` under ``root`` by the rules in the module docstring."""
    manifest = _read_manifest(root)
    recorded: dict[str, str] = manifest.setdefault("files", {})
    report = WriteReport()
    with batch() as files:  # every file flushed at once, then renamed, the manifest last
        _apply(root, outputs, recorded, report, files, dry_run, force)
        if not dry_run:
            manifest["files"] = dict(sorted(recorded.items()))
            files.write(root / MANIFEST, (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    return report


def _apply(root: Path, outputs: Sequence[FileOut | ArchiveOut], recorded: dict[str, str], report: WriteReport,
           files: Batch, dry_run: bool, force: bool) -> None:
    for out in outputs:
        target = _inside(root, out.path)
        current = files.staged[target] if target in files.staged else target.read_bytes() if target.is_file() else None
        edited = _hand_edited(out.path, current, recorded)
        if edited and not force:
            report.skipped.append((out.path, edited))
            continue
        if isinstance(out, ArchiveOut):
            existing = read_archive(current) if current is not None else []
            if existing is None:
                report.skipped.append((out.path, "not a comment archive (invalid YAML); fix it or remove it"))
                continue
            data = archive_bytes(merge_comments(existing, out.comments))
        else:
            data = out.data
        if current == data:
            report.unchanged.append(out.path)
        else:
            (report.changed if current is not None else report.created).append(out.path)
            if not dry_run:
                files.write(target, data)
        recorded[out.path] = hashlib.sha256(data).hexdigest()


def _hand_edited(path: str, current: bytes | None, recorded: Mapping[str, str]) -> str:
    """Why the file is the author's, not ours; empty when the importer may write it."""
    digest = recorded.get(path)
    if digest is None:
        return "" if current is None else "exists and was not written by an import; --force to replace or merge"
    if current is None:
        return "deleted by hand since the last import; --force to write it again"
    if hashlib.sha256(current).hexdigest() != digest:
        return "edited by hand since the last import; --force to overwrite"
    return ""


def _inside(root: Path, rel: str) -> Path:
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()) or ".." in rel.split("/"):
        raise ValueError(f"refusing to write outside the site: {rel}")
    return target


def _read_manifest(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": 1, "files": {}}
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return {"version": 1, "files": {}}
    return data


def _ordered(comment: Mapping[str, Any]) -> dict[str, Any]:
    ordered = {name: comment[name] for name in COMMENT_FIELDS if name in comment}
    ordered.update((k, v) for k, v in comment.items() if k not in ordered)
    return ordered


def _instant(value: Any) -> float:
    """Seconds since the epoch of an archive date (aware datetime or ISO text); 0 if none."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return 0.0
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc).timestamp()
    return 0.0
