"""Moderation in files: add pending comments to archives, list them, approve, reject.

The archives are the moderation queue: ``museumsite comments add`` appends a comment
with ``status: pending`` (never published), ``approve`` turns that one line into
``status: approved``, ``reject`` deletes the comment's lines (and, for an imported
comment, adds its source and id to the archive's ``rejected:`` list, so that no later
import brings it back). Archives are often written
or touched up by hand, so they are edited as text, never re-serialised: every other
byte of the file (other comments, their order, YAML comments, quoting, blank lines)
stays as it was. The positions come from PyYAML's pure-Python composer, whose marks
count characters in the same string we edit.

Every edit is checked before it is written: the new text is parsed back and must hold
exactly the old comments plus (or minus, or with one status changed) the one we meant,
and must pass the build's own archive checks. The file is then replaced atomically
(a temporary file beside it, then a rename), so a reader never sees half an archive.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from museumsite.comments.archivetext import (
    NUMBER,
    append,
    delete,
    item_line,
    item_text,
    remember_rejected,
    replace_value,
    scalar,
)
from museumsite.comments.inbox import Submission, describe, read_submission
from museumsite.content.assemble import load_site
from museumsite.content.load import site_relative
from museumsite.errors import BuildError, Problem, Problems, UsageError
from museumsite.incremental.atomic import atomic_write
from museumsite.markup.convert import plain_text
from museumsite.model import Archive, Site


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Done:
    """What a command changed, for the CLI to report."""

    message: str
    notes: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """One comment of an archive, as ``comments list`` shows it."""

    ref: str  # "posts/recap-of-the-day#12": what approve and reject accept
    date: str
    author: str
    lang: str  # "?" when the archive does not say (detected at build)
    status: str
    words: str


@dataclasses.dataclass(frozen=True, slots=True)
class _Found:
    """One comment located in its archive file."""

    path: Path
    rel: str
    target: str
    text: str
    index: int  # position in the archive's list
    ident: str


def add_comment(root: Path, source: Path) -> Done:
    """Append the comment in ``source`` (JSON or e-mail) to its entry's archive, pending."""
    root = root.resolve()
    site = load_site(root, Problems())
    sub = read_submission(source, site)
    base = site.config.content_dir / "comments" / sub.target
    path = next((p for p in (base.with_name(base.name + ".yaml"), base.with_name(base.name + ".yml")) if p.exists()),
                base.with_name(base.name + ".yaml"))
    rel = site_relative(path, root)
    old = _read(path) if path.exists() else None
    items: list[Any] = []
    if old is not None:
        _require_valid(site, rel, sub.target, old, "fix the archive, then add the comment again")
        items = _items(old, rel)
    ids = [str(item.get("id")).strip() for item in items if isinstance(item, Mapping)]
    if sub.parent is not None and sub.parent not in ids:
        raise BuildError([Problem(str(source), None, f"'parent' {sub.parent} is not a comment of {sub.target}",
                                  f"comments there: {', '.join(ids) or 'none'}; or leave 'parent' out")])
    ident = _next_id(ids)
    lang = sub.lang or _detect(site, sub.body)
    fields = [("id", ident), ("parent", scalar(sub.parent) if sub.parent else "null"), ("author", scalar(sub.author)),
              *([("author_url", scalar(sub.author_url))] if sub.author_url else []),
              ("date", sub.date.replace(microsecond=0).isoformat(sep=" ")), ("lang", scalar(lang)),
              ("status", "pending"), ("type", "comment"), ("format", "markdown")]

    def attempt(block: bool) -> str | None:
        text = append(old, lambda dash, key: item_text(fields, sub.body, dash, key, block))
        after = _parses(text, rel)
        return text if after and after[:-1] == items and _same_item(after[-1], sub, ident, lang) else None

    # A body that YAML cannot hold as a literal block is written as a quoted string.
    new = attempt(True) or attempt(False)
    if new is None:
        raise BuildError([Problem(rel, None, f"cannot append comment {ident} without changing the others",
                                  "'comments:' must be a list of '- id: ...' items; or add the comment by hand")])
    _require_valid(site, rel, sub.target, new, "this is a bug in museumsite: please report it")
    _write(path, old, new)
    line = item_line(new, len(items))
    return Done(message=f"Added {sub.target}#{ident} as pending to {rel}:{line}", notes=sub.notes)


def list_comments(root: Path, pending: bool = False) -> tuple[list[Row], list[Problem]]:
    """Every comment of every archive, in file order; and the archives that cannot be read."""
    root = root.resolve()
    rows: list[Row] = []
    problems: list[Problem] = []
    for path, rel, target in _archives(root):
        try:
            items = _items(_read(path), rel)
        except BuildError as exc:
            problems.extend(exc.problems)
            continue
        for item in items:
            if not isinstance(item, Mapping):
                continue
            status = str(item.get("status", "approved"))
            if pending and status != "pending":
                continue
            date = item.get("date")
            shown = date.isoformat(sep=" ", timespec="minutes") if isinstance(date, dt.datetime) else str(date)
            body = str(item.get("body", ""))
            # An imported comment is HTML: the terminal shows its text, not its tags and entities.
            words = describe(plain_text(body) if item.get("format") == "html" else body)
            rows.append(Row(ref=f"{target}#{describe(item.get('id'))}", date=shown,
                            author=describe(item.get("author") or "") or "-", lang=describe(item.get("lang") or "?"),
                            status=describe(status), words=words if len(words) <= 60 else words[:59] + "…"))
    return rows, problems


def approve(root: Path, ref: str) -> Done:
    """Set the comment's ``status`` to approved, changing only that value's characters."""
    root = root.resolve()
    found = _find(root, ref)
    before = _items(found.text, found.rel)
    if before[found.index].get("status", "approved") == "approved":  # no status: approved, as the build reads it
        line = item_line(found.text, found.index)
        return Done(message=f"{found.target}#{found.ident} is already approved ({found.rel}:{line}); nothing changed")
    edited = replace_value(found.text, found.index, "status", "approved")
    expected = [dict(item) for item in before]
    expected[found.index]["status"] = "approved"
    if edited is None or _parses(edited[0], found.rel) != expected:
        raise BuildError([Problem(found.rel, item_line(found.text, found.index), "cannot change this status alone",
                                  "set 'status: approved' by hand")])
    new, line = edited
    _require_valid(load_site(root, Problems()), found.rel, found.target, new, "fix the archive, then approve again")
    _write(found.path, found.text, new)
    return Done(message=f"Approved {found.target}#{found.ident} ({found.rel}:{line}); build the site to publish it")


def reject(root: Path, ref: str) -> Done:
    """Delete the comment's lines from its archive; refuse while other comments reply to it."""
    root = root.resolve()
    found = _find(root, ref)
    before = _items(found.text, found.rel)
    replies = [str(item.get("id")) for item in before
               if isinstance(item, Mapping) and str(item.get("parent")).strip() == found.ident]
    if replies:
        raise UsageError(f"{found.target}#{found.ident} has replies ({', '.join(replies)}); reject those first, "
                         f"or edit {found.rel} by hand")
    new = delete(found.text, found.index)
    if new is None or _parses(new, found.rel) != before[:found.index] + before[found.index + 1:]:
        raise BuildError([Problem(found.rel, item_line(found.text, found.index),
                                  "cannot delete this comment's lines alone", "delete it by hand")])
    keys = _source_keys(root, found.rel, before[found.index])
    if keys:  # an imported comment: its source and id stay, so that no later import brings it back
        remembered = remember_rejected(new, keys)
        if remembered is None or _rejected(remembered) != [*(_rejected(new) or []), *keys]:
            raise BuildError([Problem(found.rel, None, "cannot add to the 'rejected:' list of this archive",
                                      f"add {', '.join(keys)} to 'rejected:' by hand, or write it as a block list")])
        new = remembered
    _require_valid(load_site(root, Problems()), found.rel, found.target, new, "fix the archive, then reject again")
    _write(found.path, found.text, new)
    kept = f"; {', '.join(keys)} remembered in 'rejected:', so no import brings it back" if keys else ""
    return Done(message=f"Rejected {found.target}#{found.ident}: deleted from {found.rel}{kept}")


def _source_keys(root: Path, rel: str, item: Any) -> list[str]:
    """'wordpress:57' of an imported comment, and the keys of its copies from other sources (the import
    manifest knows them); none for a comment written on the site."""
    import json

    from museumsite.comments.threads import source_key
    from museumsite.config import IMPORT_MANIFEST as MANIFEST

    key = source_key(item) if isinstance(item, Mapping) else None
    if key is None:
        return []
    try:
        duplicates = json.loads((root / MANIFEST).read_text(encoding="utf-8")).get("duplicates", {}).get(rel, {})
    except (OSError, ValueError, AttributeError):
        duplicates = {}
    copies = sorted(k for k, v in duplicates.items() if v == key) if isinstance(duplicates, dict) else []
    return [key, *copies]


def _rejected(text: str) -> list[Any] | None:
    """The ``rejected`` list of an archive's text as the build reads it, or None."""
    from museumsite.content.load import ARCHIVE_LIMITS
    from museumsite.yamlfile import YamlProblem, parse_yaml

    try:
        data, _ = parse_yaml(text, limits=ARCHIVE_LIMITS)
    except YamlProblem:
        return None
    value = data.get("rejected", [])
    return list(value) if isinstance(value, list) else None


# -- finding comments -------------------------------------------------------------------


def _archives(root: Path) -> list[tuple[Path, str, str]]:
    from museumsite.config import load_config

    folder = load_config(root).content_dir / "comments"
    found = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file() and path.suffix in (".yaml", ".yml") and not path.name.startswith("."):
            found.append((path, site_relative(path, root), path.relative_to(folder).with_suffix("").as_posix()))
    return found


def _find(root: Path, ref: str) -> _Found:
    """The comment named ``posts/slug#12``, or ``12`` when only one archive has that id."""
    target, _, ident = ref.strip().rpartition("#")
    target = target.strip("/").removeprefix("content/comments/").removesuffix(".yaml")
    ident = ident.strip().removeprefix("comment-")
    if not ident:
        raise UsageError(f"'{ref}' names no comment; write posts/<slug>#<id> or the id alone")
    candidates = []
    for path, rel, key in _archives(root):
        if target and key != target:
            continue
        text = _read(path)
        try:
            items = _items(text, rel)
        except BuildError:
            if target:
                raise
            continue
        for index, item in enumerate(items):
            if isinstance(item, Mapping) and str(item.get("id")).strip() == ident:
                candidates.append(_Found(path, rel, key, text, index, ident))
    if not candidates:
        where = f"in content/comments/{target}.yaml" if target else "in any archive"
        raise UsageError(f"no comment {ident} {where}; 'museumsite comments list' shows them")
    if len(candidates) > 1:
        names = ", ".join(f"{c.target}#{c.ident}" for c in candidates)
        raise UsageError(f"comment id {ident} is in several archives: {names}; name one of them")
    return candidates[0]


def _parses(text: str | None, rel: str) -> list[Any] | None:
    """The ``comments`` list of an edited text, or None if it no longer parses."""
    try:
        return _items(text, rel) if text is not None else None
    except BuildError:
        return None


def _items(text: str, rel: str) -> list[Any]:
    """The parsed ``comments`` list, the way the build reads it."""
    from museumsite.content.load import ARCHIVE_LIMITS
    from museumsite.yamlfile import YamlProblem, parse_yaml

    try:
        data, _ = parse_yaml(text, limits=ARCHIVE_LIMITS)
    except YamlProblem as exc:
        raise BuildError([Problem(rel, exc.line, exc.message)]) from None
    items = data.get("comments")
    return list(items) if isinstance(items, list) else []


# -- writing comments -------------------------------------------------------------------


def _next_id(ids: list[str]) -> str:
    numbers = [int(i) for i in ids if NUMBER.fullmatch(i)]
    candidate = max(numbers, default=0) + 1
    while str(candidate) in ids:
        candidate += 1
    return str(candidate)


def _detect(site: Site, body: str) -> str:
    from museumsite.comments.threads import _markdown
    from museumsite.lang.detect import detect_language
    from museumsite.sanitize import clean_html

    comments = site.config.comments
    converted = _markdown(body)  # None when nested too deeply: then the words as written
    text = clean_html(converted) if converted is not None else body
    return detect_language(text, comments.candidates(site.config.all_languages),
                           comments.threshold)


def _same_item(item: Any, sub: Submission, ident: str, lang: str) -> bool:
    if not isinstance(item, Mapping):
        return False
    parent = int(sub.parent) if sub.parent and NUMBER.fullmatch(sub.parent) else sub.parent
    return (str(item.get("id")) == ident and item.get("parent") == parent and item.get("author") == sub.author
            and item.get("author_url", "") == sub.author_url and item.get("date") == sub.date.replace(microsecond=0)
            and item.get("lang") == lang and item.get("status") == "pending"
            and item.get("body") in (sub.body, sub.body + "\n"))


# -- checking and writing ---------------------------------------------------------------


def _require_valid(site: Site, rel: str, target: str, text: str, hint: str) -> None:
    """Raise with the build's own problems if ``text`` is not a good archive for ``target``."""
    from museumsite.comments.threads import attach_threads
    from museumsite.content.load import ARCHIVE_LIMITS
    from museumsite.yamlfile import YamlProblem, parse_yaml

    problems = Problems()
    try:
        data, lines = parse_yaml(text, limits=ARCHIVE_LIMITS)
    except YamlProblem as exc:
        raise BuildError([Problem(rel, exc.line, exc.message, hint)]) from None
    attach_threads(site, [Archive(path=rel, target=target, data=data, lines=lines)], problems)
    if problems.errors:
        raise BuildError([dataclasses.replace(p, hint=f"{p.hint}; {hint}" if p.hint else hint)
                          for p in problems.errors])


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError([Problem(str(path), None, f"not valid UTF-8 text ({exc.reason} at byte {exc.start})",
                                  "save it as UTF-8")]) from None


def _write(path: Path, old: str | None, new: str) -> None:
    """Replace ``path`` with ``new`` atomically, unless someone changed it since we read ``old``."""
    current = _read(path) if path.exists() else None
    if current != old:
        raise UsageError(f"{path} changed while it was being edited; nothing was written, run the command again")
    atomic_write(path, new.encode("utf-8"))
