"""Stage 2b: comment archives into published threads.

Input: the parsed archives (``content/comments/<kind>/<slug>.yaml``) and the assembled
``Site``. Output: one ``Thread`` per entry that has comments, attached to the site.
Every problem of an archive is reported at its line, all at once: a reply to a comment
that is not there, two comments with one id, a reply loop, a date without a time zone,
an archive for an entry that does not exist.

Only approved comments are published. Bodies are untrusted: imported HTML and
hand-written Markdown alike go through the one sanitizer policy (``sanitize``), and
authors and URLs are kept as plain text and http(s) links only. E-mail addresses are
cut from bodies, authors and URLs (``redact``) whoever wrote the archive, with a
warning naming the comment: importers and the inbox never write one, a hand-written
archive may. A comment whose
archive does not say its language gets one detected among the candidate languages,
or ``und`` when the detector is not sure, and then the page shows no guess.

Dates are shown in the site's ``timezone``, whatever zone an archive writes them in
(a hand-written archive in UTC too), as posts are: a comment never seems to be
written before its post. ``imported:`` (a comment's source) and the top-level
``rejected:`` list (imported comments rejected on the site, by source and id) are
the import merge's (``importers/archivemerge.py``); the build checks their values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any

from museumsite.config import SiteConfig
from museumsite.errors import Problems, did_you_mean
from museumsite.lang.typography import typeset_html
from museumsite.model import Archive, Comment, Site, Source, Thread
from museumsite.redact import redact_html, redact_name, url_holds_address
from museumsite.sanitize import clean_html, clean_text, safe_url

FIELDS = ("id", "parent", "author", "author_url", "date", "lang", "status", "type", "staff", "format", "imported",
          "body")
# Where an imported comment came from ('imported: wordpress'), in the order whose comments keep their plain
# source id when two collide (importers/archivemerge.py); also the sources of the 'rejected:' list.
IMPORT_SOURCES = ("wordpress", "disqus")
STATUSES = ("approved", "pending")
TYPES = ("comment", "pingback", "trackback")
FORMATS = ("markdown", "html")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_LANG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_REJECTED = re.compile(rf"(?:{'|'.join(IMPORT_SOURCES)}):[A-Za-z0-9][A-Za-z0-9_.:-]{{0,63}}")


@dataclasses.dataclass(frozen=True, slots=True)
class _Raw:
    """One checked archive entry, before threading."""

    comment: Comment
    status: str
    line: int


def attach_threads(site: Site, archives: list[Archive], problems: Problems) -> Site:
    """The site with the published thread of every entry that has an archive."""
    threads = {}
    for archive in archives:
        thread = _thread(archive, site, problems)
        if thread is not None:
            threads[thread.target] = thread
    return dataclasses.replace(site, threads=threads) if threads else site


def _thread(archive: Archive, site: Site, problems: Problems) -> Thread | None:
    config = site.config
    if site.original(archive.target) is None:
        if any(e.key == archive.target for e in site.unbuilt):  # its entry's own problems are reported
            return None
        kind = archive.target.split("/", 1)[0]
        problems.error(archive.path, 1, f"comments for '{archive.target}', which is not an entry of the site",
                       f"name the file after the entry it belongs to: content/comments/{kind}/<slug>.yaml "
                       "(drafts are not entries unless --drafts)")
        return None
    data = archive.data.get("comments") if isinstance(archive.data, Mapping) else None
    if not isinstance(data, list):
        problems.error(archive.path, archive.lines.get("comments", 1), "an archive is a list under 'comments:'",
                       "start the file with 'comments:' and one '- id: ...' item per comment")
        return None
    _check_rejected(archive, problems)
    zone = zoneinfo.ZoneInfo(config.timezone)
    raws: dict[str, _Raw] = {}
    for index, item in enumerate(data):
        raw = _read(item, f"comments.{index}", archive, config, problems, zone)
        if raw is None:
            continue
        if raw.comment.id in raws:
            problems.error(archive.path, raw.line, f"a second comment with id {raw.comment.id}",
                           f"the first is at line {raws[raw.comment.id].line}; give each comment its own id")
            continue
        raws[raw.comment.id] = raw
    for raw in raws.values():
        parent = raw.comment.parent
        if parent is not None and parent not in raws:
            problems.error(archive.path, raw.line, f"comment {raw.comment.id} replies to {parent}, which is not here",
                           "fix 'parent', or set it to null to make the comment a new conversation")
    for cycle in _cycles(raws):
        problems.error(archive.path, raws[cycle[0]].line, f"comments {' -> '.join(cycle)} reply to each other in a loop",
                       "one of them must reply to an earlier comment, or to none (parent: null)")
    published = {i: r.comment for i, r in raws.items() if r.status == "approved"}
    talk = {i: c for i, c in published.items() if c.type == "comment"}
    mentions = tuple(sorted((c for c in published.values() if c.type != "comment"), key=_order))
    roots = _tree(talk, {i: r.comment.parent for i, r in raws.items()}, config.comments.display_depth)
    return Thread(target=archive.target, source=Source(path=archive.path, line=1), comments=roots,
                  mentions=mentions, flat=tuple(sorted(talk.values(), key=_order)))


def _check_rejected(archive: Archive, problems: Problems) -> None:
    """``rejected:``, the comments rejected on the site that no import may bring back: 'wordpress:57'..."""
    rejected = archive.data.get("rejected", [])
    if not isinstance(rejected, list):
        problems.error(archive.path, archive.lines.get("rejected", 1), "'rejected' is a list of imported comments",
                       "write one 'wordpress:<id>' or 'disqus:<id>' per item; 'comments reject' keeps it")
        return
    for index, value in enumerate(rejected):
        if not isinstance(value, str) or not _REJECTED.fullmatch(value.strip()):
            problems.error(archive.path, archive.lines.get(f"rejected.{index}", archive.lines.get("rejected", 1)),
                           f"'rejected' holds {value!r}, which names no imported comment",
                           f"write <source>:<id>, the source one of {', '.join(IMPORT_SOURCES)}: 'wordpress:57'")


def _read(item: Any, where: str, archive: Archive, config: SiteConfig, problems: Problems,
          zone: dt.tzinfo) -> _Raw | None:
    line = archive.lines.get(where, 1)

    def at(key: str) -> int:
        return archive.lines.get(f"{where}.{key}", line)

    def error(key: str, message: str, hint: str = "") -> None:
        problems.error(archive.path, at(key), message, hint)

    if not isinstance(item, dict):
        problems.error(archive.path, line, "a comment is a mapping of fields", "write '- id: 1' then 'author: ...'")
        return None
    for key in item:
        if key not in FIELDS:
            hint = did_you_mean(str(key), FIELDS) or f"fields: {', '.join(FIELDS)}"
            if str(key).lower() in ("email", "author_email", "ip", "author_ip", "user_agent"):
                hint = "archives never hold e-mail or IP addresses: delete it"
            error(key, f"unknown field '{key}' in a comment", hint)
    before = len(problems.errors)
    ident = _text(item.get("id"))
    if not _ID.fullmatch(ident):
        error("id", f"comment id {item.get('id')!r} is missing or not a simple name",
              "use a number or letters, digits, '-' and '_'")
    parent = None if item.get("parent") in (None, "", 0) else _text(item.get("parent"))
    date = item.get("date")
    if isinstance(date, dt.datetime) and date.tzinfo is not None:
        pass
    elif isinstance(date, dt.datetime):
        error("date", f"comment {ident}: date {date} has no time zone", "add it: 2009-10-20 09:14:00+02:00")
    else:
        error("date", f"comment {ident}: {date!r} is not a date and time", "write 2009-10-20 09:14:00+02:00")
    status = _choice(item, "status", STATUSES, "approved", error)
    kind = _choice(item, "type", TYPES, "comment", error)
    body_format = _choice(item, "format", FORMATS, "markdown", error)
    imported = item.get("imported")
    if imported is not None and imported not in IMPORT_SOURCES:
        error("imported", f"'imported' is {imported!r}", f"one of: {', '.join(IMPORT_SOURCES)}; or leave it out "
              "for a comment written on the site")
    staff = item.get("staff", False)
    if not isinstance(staff, bool):
        error("staff", f"'staff' must be true or false, not {staff!r}")
    body = item.get("body", "")
    if not isinstance(body, str):
        error("body", f"comment {ident}: the body must be text", "write 'body: |' and the text indented below")
    lang = _text(item.get("lang"))
    if lang and lang != "und" and not _LANG.fullmatch(lang):
        error("lang", f"'{lang}' is not a language code", "use a code such as ca, fr, en, or und for unknown")
    if len(problems.errors) > before:
        return None
    assert isinstance(date, dt.datetime) and isinstance(body, str)
    converted = _markdown(body) if body_format == "markdown" else body
    if converted is None:
        error("body", f"comment {ident}: the text nests lists or quotes too deeply to be converted",
              "remove the extra '1. ', '- ' or '> ' markers")
        return None
    body_html, cut = redact_html(clean_html(converted))
    author, in_name = redact_name(clean_text(_text(item.get("author"))).strip())
    author_url = safe_url(_text(item.get("author_url")), site_paths=False) or ""
    in_url = url_holds_address(author_url)
    if cut + in_name + in_url:
        fields = ", ".join(f for f, n in (("body", cut), ("author", in_name), ("author_url", in_url)) if n)
        problems.warn(archive.path, line, f"comment {ident}: e-mail address in {fields} not published",
                      "delete it from the archive, which is part of the site's source (only the pages hide it)")
    if not lang:
        from museumsite.lang.detect import detect_language

        lang = detect_language(body_html, config.comments.candidates(config.all_languages),
                               config.comments.threshold)
    body_html = typeset_html(body_html, lang)
    comment = Comment(id=ident, parent=parent, author=author, author_url="" if in_url else author_url,
                      date=_local(date, zone), lang=lang, type=kind, staff=bool(staff), body_html=body_html)
    return _Raw(comment=comment, status=status, line=line)


def _local(date: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """``date`` in the site's zone; as written at the ends of the calendar, where the zone's day does not exist."""
    try:
        return date.astimezone(zone)
    except OverflowError:
        return date


def _choice(item: Mapping[str, Any], key: str, choices: tuple[str, ...], default: str, error: Any) -> str:
    value = item.get(key, default)
    if value not in choices:
        hint = "spam and trash are left out of archives: delete the comment" if value in ("spam", "trash") else \
            f"one of: {', '.join(choices)}"
        error(key, f"'{key}' is {value!r}", hint)
        return default
    return str(value)


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, (dict, list, bool)) else str(value).strip()


def _markdown(text: str) -> str | None:
    """The comment's HTML; None when it nests more lists or quotes than the converter takes."""
    import markdown

    from museumsite.bounds import TooDeep, markdown_bounds

    try:
        return str(markdown.markdown(text, extensions=["sane_lists", *markdown_bounds()], output_format="html"))
    except (TooDeep, RecursionError):
        return None


def _cycles(raws: Mapping[str, _Raw]) -> list[list[str]]:
    """Each reply loop once, as the ids along it."""
    found: list[list[str]] = []
    done: set[str] = set()
    for start in raws:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in raws and node not in done:
            if node in path:
                loop = path[path.index(node):]
                found.append(loop + [node])
                break
            path.append(node)
            node = raws[node].comment.parent
        done.update(path)
    return found


def _order(comment: Comment) -> tuple[float, str]:
    return (comment.date.timestamp(), comment.id.zfill(12))


def _tree(published: Mapping[str, Comment], parents: Mapping[str, str | None], depth: int) -> tuple[Comment, ...]:
    """Nest replies inside what they answer, oldest first, to ``depth`` levels.

    A reply to an unpublished comment goes under the nearest published ancestor (or
    starts a conversation). Past the display depth, replies are shown at the last
    level, in date order, each with ``reply_to`` naming the comment it answers.
    """
    def shown_parent(ident: str) -> str | None:
        seen = set()
        parent = parents.get(ident)
        while parent is not None and parent not in published and parent not in seen:
            seen.add(parent)
            parent = parents.get(parent)
        return parent if parent in published else None

    children: dict[str | None, list[Comment]] = {}
    for comment in published.values():
        children.setdefault(shown_parent(comment.id), []).append(comment)

    def descendants(ident: str) -> list[Comment]:
        found = []
        for child in children.get(ident, []):
            found.append(child)
            found.extend(descendants(child.id))
        return found

    def build(comment: Comment, level: int) -> Comment:
        if level < depth:
            replies = tuple(build(c, level + 1) for c in sorted(children.get(comment.id, []), key=_order))
        else:
            replies = tuple(dataclasses.replace(c, reply_to=published.get(shown_parent(c.id) or ""))
                            if shown_parent(c.id) != comment.id else c
                            for c in sorted(descendants(comment.id), key=_order))
        return dataclasses.replace(comment, replies=replies)

    return tuple(build(c, 1) for c in sorted(children.get(None, []), key=_order))


def source_key(comment: Mapping[str, Any]) -> str | None:
    """'wordpress:57' for a comment an import wrote; None for one written on the site."""
    source = comment.get("imported")
    if source not in IMPORT_SOURCES:
        return None
    return f"{source}:{str(comment.get('id')).strip().removeprefix(f'{source}-')}"
