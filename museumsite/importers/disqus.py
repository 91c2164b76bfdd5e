"""``museumsite import disqus``: a Disqus XML export merged into the site's comment archives.

Threads are matched to entries by URL: each entry's current URL and its ``aliases``
(the old WordPress permalinks), computed from the site itself. Matching forgives what
changes between a blog's old and new life: http or https, ``www.``, a trailing slash
or ``index.html``, query strings and fragments; when the host differs (the blog moved
domain) a path that names exactly one entry still matches. Unmatched threads are
listed in the report, never fatal.

Decisions: deleted and spam posts are dropped (counted); a reply to a dropped post is
kept and attached to the nearest surviving ancestor (the thread root at worst), as
no placeholder comment is invented. Ids stay Disqus's numbers, so old
``#comment-<id>`` links keep working, unless that number is taken in the archive by
another comment: then ``disqus-<id>`` (the archive merge decides, ``archivemerge``). Disqus exports say nothing that proves a
commenter is staff, so ``staff`` is true only for non-anonymous accounts named with
``--staff USERNAME``.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from museumsite.bounds import small_number
from museumsite.config import SiteConfig, load_config
from museumsite.content.assemble import load_site
from museumsite.content.urlmatch import EntryIndex
from museumsite.errors import BuildError, Problem, Problems
from museumsite.importers import ImportRefused, contentfile
from museumsite.importers.contentfile import ArchiveOut
from museumsite.importers.links import OldLinks
from museumsite.importers.records import comment_record, local_date, nearest_kept, site_languages
from museumsite.importers.report import ImportReport
from museumsite.importers.xmlread import local, read_xml, text_of
from museumsite.model import Site


@dataclass(frozen=True, slots=True)
class Post:
    id: str
    thread: str
    parent: str | None
    message: str
    created: dt.datetime | None
    deleted: bool
    spam: bool
    name: str
    username: str
    anonymous: bool


def import_disqus(export_file: Path, site_dir: Path, *, dry_run: bool = False, force: bool | Sequence[str] = False,
                  staff: Iterable[str] = ()) -> ImportReport:
    root = site_dir.resolve()
    config = load_config(root)
    shown = str(export_file)
    tree = read_xml(export_file, shown)
    if local(tree.tag)[1] != "disqus":
        raise ImportRefused(Problem(shown, None, "not a Disqus export (the root element is not <disqus>)",
                                    "export from Disqus: Admin > Moderation > Export"))
    threads = {_dsq_id(el): text_of(_find(el, "link")).strip() for el in tree if local(el.tag)[1] == "thread"}
    posts = [_post(el) for el in tree if local(el.tag)[1] == "post"]
    report = ImportReport(source=shown, dry_run=dry_run)
    site = _entry_site(config, root)
    index = EntryIndex(site)
    languages = site_languages(config)
    staff_names = {s.lower() for s in staff}

    by_archive: dict[str, list[Post]] = {}
    hosts: set[str] = set()  # the old site's, as its threads name them
    unmatched: dict[str, int] = {}
    for post in posts:
        if post.deleted or post.spam:
            report.comments_by_status["spam" if post.spam else "deleted"] += 1
            report.dropped["spam posts" if post.spam else "deleted posts"] += 1
            continue
        if small_number(post.id) is None:  # Disqus's ids are numbers; anything else is no id an archive takes
            report.dropped["posts without a numeric id"] += 1
            continue
        if post.thread not in threads:
            report.dropped["posts in a thread missing from the export"] += 1
            continue
        if post.created is None:
            report.dropped["posts without a date"] += 1
            continue
        key = index.match(threads[post.thread])
        if key is None:
            unmatched[threads[post.thread] or f"(thread {post.thread} without a link)"] = 1
            report.dropped["posts in threads that match no entry"] += 1
            continue
        by_archive.setdefault(f"content/comments/{key}.yaml", []).append(post)
        hosts.add(urlsplit(threads[post.thread]).hostname or "")
    report.unmatched = sorted(unmatched)

    parents = {p.id: p.parent for p in posts}
    zone = zoneinfo.ZoneInfo(config.timezone)
    links = OldLinks(config, [*contentfile.old_hosts(root), *hosts])
    links.add_site(site)
    outputs = []
    for path, kept in sorted(by_archive.items()):
        records: list[dict[str, Any]] = []
        ids = {post.id for post in kept}
        for post in kept:
            author = post.name or (post.username if not post.anonymous else "") or "Anonymous"
            assert post.created is not None
            body, count = links.html(post.message, whole=True)
            report.rewritten["comments"] += count
            parent = nearest_kept(post.parent, parents, ids, post.id)
            record = comment_record(
                id=int(post.id), parent=int(parent) if parent else None, author=author, author_url="",
                date=local_date(post.created, zone), status="approved", type="comment", body_html=body,
                staff=not post.anonymous and post.username.lower() in staff_names, languages=languages,
                source="disqus", redacted=report.redacted)
            report.comments_by_status["approved"] += 1
            report.comments_by_lang[record["lang"]] += 1
            records.append(record)
        outputs.append(ArchiveOut(path, tuple(records), "disqus"))
    report.counts["threads matched"] = len(by_archive)
    report.files = contentfile.apply(root, outputs, dry_run=dry_run, force=force)
    return report


def _entry_site(config: SiteConfig, root: Path) -> Site:
    """The site's entries (drafts too: their comments are kept for later), to match threads by URL."""
    problems = Problems()
    site = load_site(root, problems, drafts=True, config=config)
    if problems.errors:
        raise BuildError(problems.errors)
    return site


def _find(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if local(child.tag)[1] == name:
            return child
    return None


def _dsq_id(element: ET.Element | None) -> str:
    if element is None:
        return ""
    for attribute, value in element.attrib.items():
        if local(attribute)[1] == "id":
            return value.strip()
    return ""


def _flag(element: ET.Element | None, name: str) -> bool:
    found = _find(element, name) if element is not None else None
    return text_of(found).strip().lower() == "true"


def _post(element: ET.Element) -> Post:
    author = _find(element, "author")
    created = text_of(_find(element, "createdAt")).strip()
    try:
        when: dt.datetime | None = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        if when is not None and (when.utcoffset() or dt.timedelta(0)) % dt.timedelta(minutes=1):
            when = when.astimezone(dt.timezone.utc)  # YAML reads offsets in whole minutes only
    except (ValueError, OverflowError):
        when = None
    parent = _dsq_id(_find(element, "parent"))
    return Post(
        id=_dsq_id(element), thread=_dsq_id(_find(element, "thread")), parent=parent or None,
        message=text_of(_find(element, "message")), created=when,
        deleted=_flag(element, "isDeleted"), spam=_flag(element, "isSpam"),
        name=text_of(_find(author, "name")).strip() if author is not None else "",
        username=text_of(_find(author, "username")).strip() if author is not None else "",
        anonymous=_flag(author, "isAnonymous"))
