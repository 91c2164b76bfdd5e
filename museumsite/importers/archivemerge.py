"""A comment archive merged comment by comment with what one import brings.

The site is the source of truth once a comment exists in its archive. An import of
WordPress or Disqus:

- adds the comments that are new;
- updates an imported comment's content (author, date, body...) only while the
  archive's record still equals what the last import wrote (a digest per comment,
  kept in the import manifest): a comment edited on the site stays as edited;
- never lowers a status: a comment approved on the site stays approved, a pending
  one becomes approved when the export says so (approval is monotonic);
- never brings back a comment rejected on the site: ``comments reject`` remembers its
  source and id, without its content, in the archive's ``rejected:`` list;
- never removes or changes a comment that no import wrote (``comments add``, by hand);
- keeps one comment that reached the site through two sources once: Disqus's
  WordPress plugin copies its comments into WordPress, so the same author at the
  same instant in both exports is one comment (``same_comment``).

Each imported comment says where it came from (``imported: wordpress|disqus``) and
keeps its source id as its archive id, so old ``#comment-<id>`` links keep working;
on a collision the id is prefixed (``disqus-3``). Who gets the plain id does not
depend on the order of the imports: comments written on the site keep theirs, then
WordPress's comments (the blog's own ids), then Disqus's. The same rule picks the
record kept for a comment that came twice. So imports in any order that ends with
the same import give the same archive, byte for byte. Two exceptions, both decisions
of the site: a comment that the site edited, or that a comment written on the site
answers, keeps its record and its id whichever import came first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from museumsite.comments.threads import IMPORT_SOURCES, source_key
from museumsite.redact import redact_html, redact_name, redact_text, url_holds_address

# What a digest covers: what the export says of a comment. Not its id (renamed on a collision),
# its parent (the export's threading is followed) nor its status (merged by its own rule).
CONTENT_FIELDS = ("author", "author_url", "date", "lang", "type", "staff", "format", "body")
Comment = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Memory:
    """What the import manifest remembers of one archive."""

    digests: Mapping[str, str] = field(default_factory=dict)  # source key -> digest of what the import wrote
    duplicates: Mapping[str, str] = field(default_factory=dict)  # source key -> key of the comment it is
    clean: bool = False  # the file is byte for byte what the last import wrote (for archives of older versions)


@dataclass(slots=True)
class Merged:
    """The archive after the merge, what the manifest keeps of it, and what the report says."""

    comments: list[Comment]
    rejected: list[str]
    digests: dict[str, str]
    duplicates: dict[str, str]
    added: list[str] = field(default_factory=list)  # archive ids
    updated: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    kept_approved: list[str] = field(default_factory=list)
    kept_out: list[str] = field(default_factory=list)  # source keys rejected on the site
    merged: list[tuple[str, str]] = field(default_factory=list)  # (source key, archive id it is merged into)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old id, new id)
    site_kept: int = 0  # comments no import wrote, kept as they are


def digest(comment: Mapping[str, Any]) -> str:
    """A fingerprint of the content of a comment, the same for a record and its YAML read back."""
    values = [_plain(comment.get(name)) for name in CONTENT_FIELDS]
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def same_comment(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Two records of one comment: the same author at the same instant."""
    return fingerprint(a) == fingerprint(b)


def fingerprint(comment: Mapping[str, Any]) -> tuple[str, float]:
    """(author, instant): the author as imports now write it, e-mail addresses cut (an archive written by an
    earlier version may still hold one in a name)."""
    name = redact_name(str(comment.get("author") or ""))[0].strip()
    return name or "Anonymous", instant(comment.get("date"))


def instant(value: Any) -> float:
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


@dataclass(slots=True)
class _Own:
    """An imported comment while merging: its record and its parent as a reference ('wordpress:2', '#7')."""

    key: str
    record: Comment
    parent: str | None
    old_id: str | None  # its id in the archive before this import
    merged: bool = False  # it took the place of the same comment from a lower-ranked source
    fresh: bool = False  # its record is this import's (already without e-mail addresses)


def merge(existing: Sequence[Mapping[str, Any]], rejected: Iterable[str], incoming: Sequence[Mapping[str, Any]],
          source: str, memory: Memory) -> Merged:
    """``existing`` (the archive's comments) with ``incoming`` (one import's records, with their
    source ids as ``id`` and ``parent``) merged by the rules of the module docstring."""
    out = Merged(comments=[], rejected=sorted(set(rejected)), digests=dict(memory.digests),
                 duplicates=dict(memory.duplicates))
    site: dict[str, Comment] = {}
    owned: dict[str, _Own] = {}
    for comment in existing:
        key = source_key(comment)
        if key is None:
            site[str(comment.get("id")).strip()] = dict(comment)
        else:
            owned[key] = _Own(key, dict(comment), None, str(comment.get("id")).strip())
    refs = {own.old_id: own.key for own in owned.values()}
    for own in owned.values():
        parent = own.record.get("parent")
        own.parent = None if parent in (None, "") else refs.get(str(parent), f"#{parent}")
    parents = {f"{source}:{r['id']}": f"{source}:{r['parent']}" if r.get("parent") is not None else None
               for r in incoming}
    prints: dict[tuple[str, float], list[str]] = {}  # the comments already there, by author and instant
    for key, own in owned.items():
        prints.setdefault(fingerprint(own.record), []).append(key)
    for ident, comment in site.items():
        prints.setdefault(fingerprint(comment), []).append(f"#{ident}")
    for record in sorted(incoming, key=lambda r: _number(r["id"])):
        _take(out, site, owned, dict(record), source, parents, memory, prints.get(fingerprint(record), []))
    for own in owned.values():  # a reply to a comment rejected on the site moves up the export's thread
        seen: set[str] = set()
        while own.parent is not None and own.parent not in owned and not own.parent.startswith("#") \
                and own.parent not in seen:
            seen.add(own.parent)
            own.parent = parents.get(own.parent)
        if own.parent is not None and own.parent not in owned and not own.parent.startswith("#"):
            own.parent = None
    _assign_ids(out, site, owned)
    for own in owned.values():  # what an earlier version or the site wrote: as the importers write today
        if not own.fresh and out.digests.get(own.key) != digest(own.record):
            own.record = _without_addresses(own.record)
    out.digests = {key: value for key, value in out.digests.items() if key in owned}
    out.site_kept = len(site)
    out.comments = sorted([*site.values(), *(own.record for own in owned.values())],
                          key=lambda c: (instant(c.get("date")), str(c.get("id"))))
    return out


def _take(out: Merged, site: dict[str, Comment], owned: dict[str, _Own], record: Comment, source: str,
          parents: Mapping[str, str | None], memory: Memory, same: Sequence[str]) -> None:
    """One incoming record: kept out, added, merged into the comment it already is, or updating it.
    ``same``: the keys ('#<id>' for the site's) of the comments with its author and instant."""
    key = f"{source}:{record['id']}"
    canonical = out.duplicates.get(key, key)
    if key in out.rejected or canonical in out.rejected:
        out.kept_out.append(key)
        return
    parent = parents.get(key)
    if parent is not None:
        parent = out.duplicates.get(parent, parent)
    found = owned.get(canonical) or next(
        (owned[k] for k in same if k in owned and not k.startswith(f"{source}:")), None)
    if found is None:
        legacy = next((k[1:] for k in same if k.startswith("#") and k[1:] in site), None)
        if legacy is not None and legacy not in (str(record["id"]), f"{source}-{record['id']}"):
            out.merged.append((key, legacy))  # the same comment, written on the site: it stays the site's
            return
        if legacy is not None:  # written by an import of a version before 'imported:' marks
            found = _Own(key, site.pop(legacy), None, legacy)
            found.record["imported"] = source
            before = found.record.get("parent")
            found.parent = None if before in (None, "") else f"#{before}"
            if memory.clean:
                out.digests[key] = digest(found.record)
            owned[key] = found
    if found is None:
        owned[key] = _Own(key, record, parent, None, fresh=True)
        out.digests[key] = digest(record)
        out.added.append(key)
        return
    if found.key != key:
        _duplicate(out, owned, found, key, record, parent, site)
        return
    _update(out, found, record, parent)


def _update(out: Merged, own: _Own, record: Comment, parent: str | None) -> None:
    """An imported comment that this import brings again: content unless edited on the site; status up only."""
    before = own.record
    status = _status(before, record)
    if status == "approved" and record.get("status") == "pending":
        out.kept_approved.append(own.key)
    edited = out.digests.get(own.key) != digest(before)
    if edited and digest(before) != digest(record):
        out.kept_edited.append(own.key)
        own.record = {**before, "status": status}
        return
    own.record = {**record, "status": status}
    own.parent = parent
    own.fresh = True
    out.digests[own.key] = digest(record)
    if any(_plain(before.get(name)) != _plain(own.record.get(name)) for name in (*CONTENT_FIELDS, "status")):
        out.updated.append(own.key)


def _duplicate(out: Merged, owned: dict[str, _Own], found: _Own, key: str, record: Comment, parent: str | None,
               site: Mapping[str, Comment]) -> None:
    """The same comment from another source: one record stays, by source rank, and the other key points at it."""
    source = key.split(":", 1)[0]
    pinned = any(str(c.get("parent")).strip() == found.old_id for c in site.values())
    edited = out.digests.get(found.key) != digest(found.record)
    if _rank(source) < _rank(found.key) and not pinned and not edited:
        del owned[found.key]
        out.duplicates = {k: (key if v == found.key else v) for k, v in out.duplicates.items()}
        out.duplicates[found.key] = key
        owned[key] = _Own(key, {**record, "status": _status(found.record, record)}, parent, found.old_id, True, True)
        for other in owned.values():
            if other.parent == found.key:
                other.parent = key
        out.digests[key] = digest(record)
        out.merged.append((found.key, key))
    else:
        out.duplicates[key] = found.key
        found.record = {**found.record, "status": _status(found.record, record)}
        out.merged.append((key, found.key))


def _assign_ids(out: Merged, site: Mapping[str, Comment], owned: Mapping[str, _Own]) -> None:
    """Archive ids: the site's stay; pinned imported ones stay; then by source rank, the plain source id first."""
    answered = {str(c.get("parent")).strip() for c in site.values() if c.get("parent") is not None}
    taken = set(site)
    ids: dict[str, Any] = {}
    for own in owned.values():
        if own.old_id is not None and own.old_id in answered:
            ids[own.key] = _typed(own.old_id)
            taken.add(own.old_id)
    for own in sorted(owned.values(), key=lambda o: (_rank(o.key), _number(o.key.split(":", 1)[1]))):
        if own.key in ids:
            continue
        source, plain = own.key.split(":", 1)
        wanted: Any = int(plain) if plain.isdigit() and len(plain) < 19 else plain
        n = 1
        while str(wanted) in taken:
            wanted = f"{source}-{plain}" if n == 1 else f"{source}-{plain}-{n}"
            n += 1
        ids[own.key] = wanted
        taken.add(str(wanted))
    by_old = {own.old_id: own.key for own in owned.values() if own.old_id is not None}

    def resolve(ref: str | None) -> Any:
        if ref is None:
            return None
        if not ref.startswith("#"):
            return ids.get(ref)
        ident = ref[1:]
        if ident in site:
            return site[ident].get("id")
        return ids[by_old[ident]] if ident in by_old else _typed(ident)

    for own in owned.values():
        own.record["id"] = ids[own.key]
        own.record["imported"] = own.key.split(":", 1)[0]
        if own.old_id is not None and own.old_id != str(ids[own.key]) and not own.merged:
            out.renamed.append((own.old_id, str(ids[own.key])))
        own.record["parent"] = resolve(own.parent)
    out.added = [str(ids[k]) for k in out.added if k in ids]
    out.updated = [str(ids[k]) for k in out.updated if k in ids]
    out.kept_edited = [str(ids[k]) for k in out.kept_edited if k in ids]
    out.kept_approved = [str(ids[k]) for k in out.kept_approved if k in ids]
    out.merged = [(k, str(ids.get(target, target))) for k, target in out.merged]


def _without_addresses(record: Comment) -> Comment:
    """An imported comment with no e-mail address in its author, URL or body: one an earlier version
    wrote, or one edited on the site, keeps the rest of its text (``redact``, as the importers do)."""
    author = str(record.get("author") or "")
    name, in_name = redact_name(author)
    url = record.get("author_url")
    body = record.get("body")
    if isinstance(body, str):
        body, in_body = redact_html(body) if record.get("format") == "html" else redact_text(body)
    else:
        in_body = 0
    in_url = url_holds_address(url) if isinstance(url, str) and url else 0
    if not (in_name or in_body or in_url):
        return record
    return {**record, "author": name.strip() or "Anonymous", "author_url": None if in_url else url, "body": body}


def _typed(ident: str) -> Any:
    """An archive id as YAML wrote it: a number when it is one."""
    return int(ident) if ident.isdigit() and len(ident) < 19 else ident


def _status(before: Mapping[str, Any], record: Mapping[str, Any]) -> str:
    """Approved when either says so: no import takes an approval back."""
    return "approved" if "approved" in (before.get("status", "approved"), record.get("status", "approved")) \
        else "pending"


def _rank(key: str) -> int:
    source = key.split(":", 1)[0]
    return IMPORT_SOURCES.index(source) if source in IMPORT_SOURCES else len(IMPORT_SOURCES)


def _number(value: Any) -> tuple[int, str]:
    text = str(value)
    return (int(text), "") if text.isdigit() and len(text) < 19 else (1 << 62, text)


def _plain(value: Any) -> Any:
    """A value as JSON can hold it: dates as their UTC instant (the zone they are written in is not content)."""
    if isinstance(value, dt.datetime):  # seconds since the epoch: UTC itself ends before 9999-12-31 in New York
        aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return f"{aware.timestamp():.6f}"
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
