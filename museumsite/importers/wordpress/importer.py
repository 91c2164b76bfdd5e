"""``museumsite import wordpress``: a WXR export into posts, pages and comment archives.

Posts go to ``content/posts/<slug>.md``, pages to ``content/pages/<slug>.md``, their
comments to ``content/comments/<kind>/<slug>.yaml``; uploads found in ``--uploads``
to ``content/static/uploads/``. The old permalinks become ``aliases`` (site paths of
the old URLs), from which the build makes redirect pages. Attachments, menus and
other post types are skipped and counted; spam and trashed comments are counted and
never written. Nothing is written until the whole export has been read.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from museumsite.bounds import small_number
from museumsite.config import SiteConfig, load_config
from museumsite.errors import Problem, UsageError, counted
from museumsite.importers import contentfile
from museumsite.importers.contentfile import ArchiveOut, FileOut
from museumsite.importers.entrylang import EntryLanguages
from museumsite.importers.links import OldLinks, Target, current_site
from museumsite.importers.records import Languages, comment_record, local_date, nearest_kept, site_languages
from museumsite.importers.report import ImportReport
from museumsite.importers.wordpress.tomarkdown import to_body
from museumsite.importers.wordpress.wphtml import (
    Notes,
    expand_shortcodes,
    localize_uploads,
    replace_embeds,
    wpautop,
)
from museumsite.importers.wordpress.wxr import Export, Item, read_wxr, wp_date
from museumsite.sanitize import clean_html, clean_text
from museumsite.urls import expand, make_slug, same_file_key, url_to_path

KINDS = {"post": "posts", "page": "pages"}
DRAFT_STATUSES = {"draft", "pending", "private", "future"}
DROPPED_STATUSES = {"trash": "trashed posts and pages", "auto-draft": "auto-drafts (never written)"}
COMMENT_STATUSES = {"1": "approved", "0": "pending"}
COMMENT_TYPES = {"", "comment", "pingback", "trackback"}
_MORE = re.compile(r"<!--more(?:\s[^>]*)?-->")
UNCATEGORIZED = {"uncategorized", "sin-categoria", "non-classe", "sense-categoria", "allgemein"}


def import_wordpress(export_file: Path, site: Path, *, uploads: Path | None = None, dry_run: bool = False,
                     force: bool | Sequence[str] = False) -> ImportReport:
    """Import ``export_file`` into the site at ``site``; return the report (also on a dry run)."""
    root = site.resolve()
    config = load_config(root)
    if uploads is not None and not uploads.is_dir():
        raise UsageError(f"--uploads {uploads}: not a folder; give the old site's wp-content/uploads folder")
    export = read_wxr(export_file, str(export_file))
    report = ImportReport(source=str(export_file), dry_run=dry_run)
    notes = Notes()
    outputs: list[FileOut | ArchiveOut] = []
    try:
        hosts = [h for h in (urlsplit(export.base_url).hostname,) if h]
    except ValueError:  # a damaged <wp:base_site_url>: no old host to recognise links by
        hosts = []
    links = OldLinks(config, [*hosts, *contentfile.old_hosts(root)])
    now = current_site(config, root)
    links.add_site(now)
    languages = EntryLanguages(config, export.language)
    importer = _Importer(config, export, uploads, report, notes, site_languages(config))
    for entry in now.entries:  # the addresses the site's own files already serve (drafts included)
        for url in (entry.url, *entry.aliases):
            importer.claim(url, (now.original(entry.key) or entry).source.path)
    importer.run(outputs, links, languages)
    for rel, source in sorted(notes.uploads.items()):
        outputs.append(FileOut(f"content/static/uploads/{rel}", source.read_bytes()))
    report.images_linked = notes.images_linked
    report.warnings.extend(Problem(str(export_file), None, text, warning=True) for text in languages.warnings())
    if notes.uploads_linked:
        report.rewritten["uploads"] += notes.uploads_linked
    for name, count in sorted(notes.shortcodes_removed.items()):
        report.notes.append(f"shortcode [{name}] removed {counted(count, 'time')} (no static equivalent)")
    if notes.embeds_linked:
        report.notes.append(f"{counted(notes.embeds_linked, 'embedded player')} replaced by a plain link")
    report.files = contentfile.apply(root, outputs, dry_run=dry_run, force=force, hosts=hosts)
    # An upload already there, byte for byte, was not copied again: count only what was (or would be) written.
    copied = sum(path.startswith("content/static/uploads/") for path in (*report.files.created, *report.files.changed))
    if copied:
        report.counts["uploads copied"] = copied
    return report


@dataclass(slots=True)
class _Planned:
    """One post or page of the export, converted, before its links are pointed at the new site."""

    item: Item
    kind: str
    path: str
    front: dict[str, Any]
    body: str
    url: str  # the site path of its page


class _Importer:
    def __init__(self, config: SiteConfig, export: Export, uploads: Path | None, report: ImportReport,
                 notes: Notes, languages: Languages):
        self.config, self.export, self.uploads = config, export, uploads
        self.report, self.notes, self.languages = report, notes, languages
        self.zone = zoneinfo.ZoneInfo(config.timezone)
        self.display = {a.login: a.display_name for a in export.authors}
        self.staff_ids = {a.id for a in export.authors if a.id not in ("", "0")}
        self.staff_emails = {a.email for a in export.authors if a.email}
        self.attachments = {i.post_id: (i.attachment_url, clean_text(i.title)) for i in export.items
                            if i.post_type == "attachment" and i.attachment_url}
        self.slugs: dict[str, set[str]] = {kind: set() for kind in KINDS.values()}
        self.claimed: dict[str, str] = {}  # output path, casefolded -> the content file whose page or alias it is
        dates = [d for i in export.items if (d := wp_date(i.date_gmt, i.date_local, self.zone)) and _usable(d)]
        self.fallback_date = max(dates) if dates else dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

    def run(self, outputs: list[FileOut | ArchiveOut], links: OldLinks, entry_languages: EntryLanguages) -> None:
        planned: list[_Planned] = []
        for item in self.export.items:
            kind = KINDS.get(item.post_type)
            if kind is None:
                what = item.post_type or "item without a post type"
                self.report.dropped[f"{what} (not a post or page)"] += 1
                if item.comments:
                    self.report.dropped["comments on skipped items"] += len(item.comments)
                continue
            if item.status in DROPPED_STATUSES:
                self.report.dropped[DROPPED_STATUSES[item.status]] += 1
                continue
            plan = self._entry(kind, self._slug(kind, item), item, entry_languages)
            planned.append(plan)
            links.add(f"{kind}/{plan.path.rsplit('/', 1)[1][:-3]}", Target(plan.path, plan.url),
                      plan.front.get("aliases", ()), item.post_id)
        for plan in planned:  # every entry of the export is known: links between them can be rewritten
            body, count = links.markdown(plan.body, plan.path)
            self.report.rewritten["entries"] += count
            outputs.append(FileOut(plan.path, contentfile.markdown_file(plan.front, body)))
            comments = self._comments(plan.item, links)
            if comments:
                slug = plan.path.rsplit("/", 1)[1][:-3]
                outputs.append(ArchiveOut(f"content/comments/{plan.kind}/{slug}.yaml", tuple(comments), "wordpress"))

    def claim(self, url: str, path: str) -> str:
        """Note that the content file ``path`` serves the site path ``url`` (its page or an alias); return the
        file that does: another one when it served it first."""
        try:
            address = same_file_key(url_to_path(url))
        except ValueError:
            return path  # not an address any page can have: the build reports it at its file
        return self.claimed.setdefault(address, path)

    def _slug(self, kind: str, item: Item) -> str:
        base = make_slug(unquote(item.post_name)) if item.post_name else ""
        if not base or base == "untitled":
            number = make_slug(item.post_id) if item.post_id else "x"  # WordPress ids are numbers; an export may lie
            base = make_slug(item.title) if item.title.strip() else f"{kind[:-1]}-{number}"
        slug, n = base, 2
        while slug in self.slugs[kind]:
            slug, n = f"{base[:90].rstrip('-')}-{n}", n + 1  # a slug may already be as long as a URL segment may be
        self.slugs[kind].add(slug)
        return slug

    def _entry(self, kind: str, slug: str, item: Item, entry_languages: EntryLanguages) -> _Planned:
        date = wp_date(item.date_gmt, item.date_local, self.zone, item.pub_date)
        if date is None or not _usable(date):
            date = self.fallback_date
        date = date.astimezone(self.zone)
        draft = item.status in DRAFT_STATUSES or bool(item.password)
        title = clean_text(item.title).strip() or f"Untitled ({clean_text(item.post_id).strip() or slug})"
        body = self._body(item.content)
        lang = entry_languages.decide(title, body)
        self.report.entries_by_lang[lang] += 1
        front: dict[str, Any] = {"title": title}
        if lang != self.config.language:
            front["lang"] = lang
        if kind == "posts":
            front["date"] = date
            authors = [self.display.get(item.creator, item.creator)] if item.creator else []
            if authors:
                front["authors"] = [clean_text(a) for a in authors]
        tags = self._tags(item)
        if tags:
            front["tags"] = tags
        if draft:
            front["draft"] = True
            self.report.counts["drafts"] += 1
        url, path = self._address(kind, slug, item, lang, date.date())
        aliases = self._aliases(url, item, path)
        if aliases:
            front["aliases"] = aliases
            self.report.counts["redirects"] += len(aliases)
        front["imported"] = "wordpress"
        self.report.counts[kind] += 1
        return _Planned(item, kind, path, front, body, url)

    def _address(self, kind: str, slug: str, item: Item, lang: str, day: dt.date) -> tuple[str, str]:
        """The entry's site path and content file: the next free slug while another file serves that path
        (a hand-migrated post keeping it as an alias), which the report notes."""
        pattern = self.config.urls.post if kind == "posts" else self.config.urls.page
        taken: tuple[str, str] | None = None  # the first address found served, and by which file
        while True:
            url = expand(pattern, slug=slug, lang=lang, default_language=self.config.language, date=day,
                         prefix=self.config.urls.language)
            path = f"content/{kind}/{slug}.md"
            owner = self.claim(url, path)
            if owner == path:
                break
            taken = taken or (url, owner)
            slug = self._slug(kind, item)
        if taken:
            self.report.notes.append(f"the address {taken[0]} already leads to {taken[1]}: the {kind[:-1]} is "
                                     f"imported as {path}")
        return url, path

    def _tags(self, item: Item) -> list[str]:
        seen: dict[str, str] = {}
        for name in (*item.categories, *item.tags):
            key = make_slug(name)
            if key not in UNCATEGORIZED:
                seen.setdefault(key, clean_text(name))
        return list(seen.values())

    def _aliases(self, new_url: str, item: Item, file: str) -> list[str]:
        """The old addresses of ``item`` that its new file ``file`` keeps as redirects: not one that another
        file of the site (written by hand, renamed, or imported before it) already serves; the report says so."""
        found: list[str] = []
        for url in (item.link, item.guid):
            path = old_site_path(url, self.export.base_url)
            if not path or path == new_url or path in found:
                continue
            owner = self.claim(path, file)
            if owner == file:
                found.append(path)
            else:
                self.report.notes.append(f"the old address {path} already leads to {owner}: {file} is imported "
                                         "without it")
        return found

    def _body(self, content: str) -> str:
        return convert_post(content, self.attachments, self.export.base_url, self.uploads, self.notes)

    def _comments(self, item: Item, links: OldLinks) -> list[dict[str, Any]]:
        parents = {c.id: c.parent for c in item.comments}
        kept: dict[str, Any] = {}
        for c in item.comments:
            status = COMMENT_STATUSES.get(c.approved)
            if status is None:
                self.report.comments_by_status[c.approved or "unknown"] += 1
                self.report.dropped[f"comments marked {c.approved or 'without a status'}"] += 1
                continue
            if c.type not in COMMENT_TYPES:
                self.report.dropped[f"'{c.type}' comments (not a comment, pingback or trackback)"] += 1
                continue
            if c.id in kept or small_number(c.id) is None:  # WordPress's ids are numbers
                self.report.dropped["comments with a duplicate, missing or non-numeric id"] += 1
                continue
            kept[c.id] = c
        records = []
        for c in kept.values():
            date = wp_date(c.date_gmt, c.date_local, self.zone)
            if date is None or not _usable(date):
                self.report.dropped["comments without a date"] += 1
                continue
            staff = (c.user_id not in ("", "0") and c.user_id in self.staff_ids) or \
                (bool(c.author_email) and c.author_email in self.staff_emails)
            parent = nearest_kept(c.parent, parents, set(kept), c.id)
            body, count = links.html(wpautop(c.content), whole=True)
            self.report.rewritten["comments"] += count
            record = comment_record(
                id=_number(c.id), parent=_number(parent) if parent else None, author=c.author,
                author_url=c.author_url, date=local_date(date, self.zone), status=COMMENT_STATUSES[c.approved],
                type=c.type or "comment", staff=staff, body_html=body, languages=self.languages, source="wordpress",
                redacted=self.report.redacted)
            self.report.comments_by_status[record["status"]] += 1
            self.report.comments_by_lang[record["lang"]] += 1
            records.append(record)
        return records


def convert_post(content: str, attachments: Mapping[str, tuple[str, str]], base_url: str,
                 uploads: Path | None, notes: Notes) -> str:
    """A post's WordPress HTML as the body of a Markdown file, the ``<!--more-->`` cut kept.

    Order matters: shortcodes and players are resolved while their markup is intact,
    then paragraphs, then uploads; the sanitizer sees the final HTML, and only its
    output is converted to Markdown.
    """
    parts = []
    for part in _MORE.split(content, maxsplit=1):
        text = _without_comments(part)
        text = replace_embeds(expand_shortcodes(text, attachments, notes), notes)
        text = localize_uploads(wpautop(text), base_url, uploads, notes)
        body, _ = to_body(clean_html(text))
        parts.append(body.strip())
    return "\n\n<!--more-->\n\n".join(parts)


def _without_comments(text: str) -> str:
    """``text`` without ``<!-- ... -->``; an unclosed one is left to the sanitizer (a comment to the end).

    By hand, not ``<!--.*?-->``: that pattern scanned to the end of the text for each
    unclosed ``<!--`` (quadratic: 10 s for 40 KB of them).
    """
    parts: list[str] = []
    done = 0
    while (start := text.find("<!--", done)) >= 0 and (end := text.find("-->", start + 4)) >= 0:
        parts.append(text[done:start])
        done = end + 3
    return "".join([*parts, text[done:]])


def old_site_path(url: str, base_url: str) -> str | None:
    """'/2009/10/old-slug/' for an old permalink on the exported site; None for others.

    URLs with a query (``/?p=12``) cannot be static pages, and URLs on another host
    are not the site's; both give None.
    """
    try:
        parts, base = urlsplit(url.strip()), urlsplit(base_url.strip())
        parts.hostname, base.hostname  # noqa: B018 - raise ValueError on a damaged host ("http://[x/")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.query or not parts.hostname:
        return None
    if base.hostname and _host(parts.hostname) != _host(base.hostname):
        return None
    path = re.sub(r"/{2,}", "/", unquote(parts.path)) or "/"  # 'http://blog//greek/x/' is '/greek/x/'
    prefix = base.path.rstrip("/")
    if prefix and (path + "/").startswith(prefix + "/"):
        path = path[len(prefix):] or "/"
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    if path == "/" or ".." in path.split("/") or "\\" in path or any(ord(ch) < 32 for ch in path):
        return None
    return path


def _host(host: str) -> str:
    host = host.lower()
    return host.removeprefix("www.")


def _usable(date: dt.datetime) -> bool:
    """Not WordPress's unset dates (1970 and before) nor the ends of the calendar.

    Year 1 in the site's zone carries a local-mean-time offset with seconds, which
    YAML cannot read back; 9999-12-31 in UTC is in year 10000 further east.
    """
    return 1971 <= date.year < 9999


def _number(value: str) -> int | str:
    number = small_number(value)
    return value if number is None else number
