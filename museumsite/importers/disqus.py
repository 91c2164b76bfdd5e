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
another comment: then ``disqus-<id>``. Disqus exports say nothing that proves a
commenter is staff, so ``staff`` is true only for non-anonymous accounts named with
``--staff USERNAME``.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from museumsite.assemble import assemble_site
from museumsite.config import SiteConfig, load_config
from museumsite.errors import BuildError, Problem, Problems
from museumsite.importers import ImportRefused, contentfile
from museumsite.importers.contentfile import ArchiveOut
from museumsite.importers.records import comment_record, nearest_kept, site_languages
from museumsite.importers.report import ImportReport
from museumsite.importers.xmlread import local, read_xml, text_of
from museumsite.load import load_documents
from museumsite.redact import redact_name
from museumsite.urls import absolute


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


def import_disqus(export_file: Path, site: Path, *, dry_run: bool = False, force: bool = False,
                  staff: Iterable[str] = ()) -> ImportReport:
    root = site.resolve()
    config = load_config(root)
    shown = str(export_file)
    tree = read_xml(export_file, shown)
    if local(tree.tag)[1] != "disqus":
        raise ImportRefused(Problem(shown, None, "not a Disqus export (the root element is not <disqus>)",
                                    "export from Disqus: Admin > Moderation > Export"))
    threads = {_dsq_id(el): text_of(_find(el, "link")).strip() for el in tree if local(el.tag)[1] == "thread"}
    posts = [_post(el) for el in tree if local(el.tag)[1] == "post"]
    report = ImportReport(source=shown, dry_run=dry_run)
    index = _EntryIndex(config, root)
    languages = site_languages(config)
    staff_names = {s.lower() for s in staff}

    by_archive: dict[str, list[Post]] = {}
    unmatched: dict[str, int] = {}
    for post in posts:
        if post.deleted or post.spam:
            report.comments_by_status["spam" if post.spam else "deleted"] += 1
            report.dropped["spam posts" if post.spam else "deleted posts"] += 1
            continue
        if not post.id.isdigit():  # Disqus's ids are numbers; anything else is no id an archive takes
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
    report.unmatched = sorted(unmatched)

    parents = {p.id: p.parent for p in posts}
    outputs = []
    for path, kept in sorted(by_archive.items()):
        current = root / path
        existing = {str(c.get("id")): c for c in (contentfile.read_archive(current.read_bytes()) or [])
                    } if current.is_file() else {}
        records: dict[str, dict[str, Any]] = {}
        for post in kept:
            author = post.name or (post.username if not post.anonymous else "") or "Anonymous"
            assert post.created is not None
            record = comment_record(
                id=int(post.id) if post.id.isdigit() else post.id, parent=None, author=author, author_url="",
                date=post.created, status="approved", type="comment", body_html=post.message,
                staff=not post.anonymous and post.username.lower() in staff_names, languages=languages,
                redacted=report.redacted)
            taken = existing.get(str(record["id"]))
            if taken is not None:  # written before addresses were cut from names: compare what is kept
                taken = {**taken, "author": redact_name(str(taken.get("author") or ""))[0] or "Anonymous"}
            if taken is not None and not contentfile.same_comment(taken, record):
                record["id"] = f"disqus-{post.id}"
            records[post.id] = record
        for post in kept:
            parent = nearest_kept(post.parent, parents, set(records), post.id)
            records[post.id]["parent"] = records[parent]["id"] if parent else None
            report.comments_by_status["approved"] += 1
            report.comments_by_lang[records[post.id]["lang"]] += 1
        outputs.append(ArchiveOut(path, tuple(records.values())))
    report.counts["threads matched"] = len(by_archive)
    report.files = contentfile.apply(root, outputs, dry_run=dry_run, force=force)
    return report


class _EntryIndex:
    """Entry keys by normalized URL (current URLs and aliases), and by path alone."""

    def __init__(self, config: SiteConfig, root: Path):
        problems = Problems()
        documents = load_documents(root, config.content_dir, config.all_languages, config.language, problems)
        site = assemble_site(documents, config, problems, drafts=True)
        if problems.errors:
            raise BuildError(problems.errors)
        self.full: dict[tuple[str, str], str] = {}
        self.paths: dict[str, set[str]] = {}
        host = _norm(config.base_url)[0]
        prefix = config.base_path.rstrip("/")
        aliases = {d.path: d.meta.get("aliases") for d in documents}
        for entry in site.entries:
            urls = [absolute(entry.url, config.base_url)]
            found = aliases.get(entry.source.path)
            for alias in found if isinstance(found, list) else []:
                if isinstance(alias, str) and alias.startswith("/"):
                    urls.append(f"https://{host}{prefix}{alias}")
            for url in urls:
                key = _norm(url)
                self.full.setdefault(key, entry.key)
                self.paths.setdefault(key[1], set()).add(entry.key)
                if prefix and key[1].startswith(prefix + "/"):  # the old site may have lived at the root
                    self.paths.setdefault(key[1][len(prefix):], set()).add(entry.key)

    def match(self, url: str) -> str | None:
        if not url:
            return None
        key = _norm(url)
        if key in self.full:
            return self.full[key]
        candidates = self.paths.get(key[1], set())
        return next(iter(candidates)) if len(candidates) == 1 else None


def _norm(url: str) -> tuple[str, str]:
    """(host without www., path without trailing slash or index file), case of the path kept."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    path = re.sub(r"/{2,}", "/", unquote(parts.path) or "/")
    path = re.sub(r"/index\.(?:html?|php)$", "/", path)
    path = posixpath.normpath(path) if path not in ("", "/") else "/"
    return host, path.rstrip("/") or "/"


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
