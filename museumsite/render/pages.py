"""Stage 4b: render each planned page through the theme.

Input: the ``Job``s of ``plan``, the converted ``Site`` and the Jinja environment.
Output: ``Output``s. Each template gets a ``PageContext`` (``render.api.page``) and the
registered globals and filters (``render.api.builtin``), listed in the README's
"Template reference"; everything language-dependent in it (navigation, feeds, the
language switcher, interface strings) is in the page's language.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from museumsite.errors import Problem, Problems
from museumsite.feeds.comments import CommentFeed, comment_feed_links
from museumsite.feeds.events import event_feed_links
from museumsite.feeds.posts import Feed, feed_links
from museumsite.incremental.reuse import context_read, field_read
from museumsite.lang import N_
from museumsite.lang.i18n import Interface, language_name
from museumsite.markup.pool import map_entries
from museumsite.model import Entry, Event, Output, Site, Speaker, Tag, Talk
from museumsite.render.api.page import INDEXES, PageContext
from museumsite.render.plan import Job, x_default
from museumsite.render.theme import ThemeEnvironment
from museumsite.urls import absolute, localize, url_to_path


def render_pages(jobs: list[Job], env: ThemeEnvironment, site: Site, interface: Interface,
                 table: Mapping[str, Mapping[str, str]], feeds: tuple[list[Feed], list[CommentFeed]],
                 problems: Problems,
                 progress: Callable[[str, int, int], None] | None = None, workers: int | None = None,
                 spill: Path | None = None) -> list[Output]:
    """Render every job, on every core for a large site; template errors are collected (once per template and line).

    The templates are compiled here, before the workers fork, so each is compiled once;
    the pages come back in the order of the jobs, so the output is the serial one.
    With ``spill`` (an empty folder), each page's bytes are written there by the worker that
    renders it, and its ``Output`` names that file: the build process then holds no page, which
    on a large site is half its memory (10,000 posts: 20,000 pages, about 310 MiB), and the bytes
    do not travel through a pipe. The writer links the files into the new site.
    """
    for name in dict.fromkeys(job.template for job in jobs):
        with contextlib.suppress(Exception):  # reported with the page that uses it, below
            env.get_template(name)
    env.remembered = {}  # fragments are keyed by the entries of this site: none from another render may show
    shared = _Shared(env, _Variables.of(site, interface, table, feeds), str(spill) if spill is not None else "")
    if progress:
        progress("rendering", 0, len(jobs))
    rendered = map_entries(_render_one, shared, list(enumerate(jobs)), workers)
    outputs: list[Output] = []
    seen: set[Problem] = set()
    for job, result in zip(jobs, rendered):
        if isinstance(result, Problem):
            if result not in seen:
                seen.add(result)
                problems.items.append(result)
            continue
        origin = f"{job.entry.source}" if job.entry else f"the page made by {job.template}"
        data, reads, file = result
        outputs.append(Output(path=url_to_path(job.url), data=data, origin=origin, reads=reads, file=file))
    return outputs


class _FeedIndex:
    """The feeds each page announces, found by (language, folder) and by entry instead of scanning every feed."""

    def __init__(self, feeds: tuple[list[Feed], list[CommentFeed]]):
        self.post_feeds: dict[tuple[str, str], list[tuple[int, Feed]]] = {}
        for number, feed in enumerate(feeds[0]):
            self.post_feeds.setdefault((feed.lang, feed.folder), []).append((number, feed))
        self.comment_feeds: dict[str, list[tuple[int, CommentFeed]]] = {}
        for number, comment_feed in enumerate(feeds[1]):
            self.comment_feeds.setdefault(f"path:{comment_feed.path}", []).append((number, comment_feed))
            if comment_feed.entry_key:
                self.comment_feeds.setdefault(f"entry:{comment_feed.entry_key}", []).append((number, comment_feed))

    def links(self, site: Site, lang: str, tag: Any, entry: Any) -> tuple[dict[str, str], ...]:
        config = site.config
        own = localize("/feeds/", lang, config.language, config.urls.language)
        posts = sorted(self.post_feeds.get((lang, own), []) + (self.post_feeds.get((lang, tag.url), [])
                                                                if tag and tag.url != own else []))
        key = f"entry:{entry.key}" if entry is not None else f"path:{own}comments"
        comments = self.comment_feeds.get(key, [])
        return (feed_links([f for _, f in posts], site, lang, tag)
                + comment_feed_links([f for _, f in comments], site, lang, entry) + event_feed_links(site, entry))


@dataclass(frozen=True, slots=True)
class _Variables:
    """What the pages' variables are made from; built once per render."""

    site: Site
    navs: dict[str, tuple[dict[str, Any], ...]]
    table: Mapping[str, Mapping[str, str]]
    index: _FeedIndex

    @classmethod
    def of(cls, site: Site, interface: Interface, table: Mapping[str, Mapping[str, str]],
           feeds: tuple[list[Feed], list[CommentFeed]]) -> _Variables:
        navs = {lang: _nav(site, interface, lang) for lang in site.config.all_languages}
        return cls(site, navs, table, _FeedIndex(feeds))

    def of_job(self, job: Job) -> dict[str, Any]:
        """The job's template variables (but the registered globals)."""
        return _context(job, self.site, self.navs.get(job.lang, ()), self.table, self.index).variables()


@dataclass(frozen=True, slots=True)
class _Shared:
    """What every page's rendering reads; built once, shared with the workers by fork."""

    env: ThemeEnvironment
    variables: _Variables
    spill: str  # the folder the pages are written to, or "" to return their bytes


def page_contexts(jobs: Sequence[Job], site: Site, interface: Interface, table: Mapping[str, Mapping[str, str]],
                  feeds: tuple[list[Feed], list[CommentFeed]]) -> list[str]:
    """Each job's context read, as rendering it notes it: what incremental/reuse.py compares, after edits
    of leaf fields alone, to keep a page whose variables are the same. On every core, as rendering is: at
    10,000 posts, 20,000 pages' variables take seconds to make and hash."""
    return map_entries(_context_read, _Variables.of(site, interface, table, feeds), list(jobs))


def _context_read(variables: _Variables, job: Job) -> str:
    try:
        return context_read(context_digest(variables.of_job(job)))
    except Exception:  # noqa: BLE001 (the page is rendered, and its rendering reports the problem)
        return context_read(_unmatched())


def context_digest(variables: Mapping[str, Any]) -> str:
    """A hash of a page's variables, each entry and tag in them by name, in their order (a list's slice, a
    tag's posts): the fields a template reads of those are noted as it reads them (render/theme.py), and
    their links are the site's structure (incremental/shape.py). Strings made from fields (a menu label, a
    feed's title) are here."""
    return hashlib.sha256(repr(_plain(variables)).encode()).hexdigest()


_SCALARS = frozenset({str, int, bool, float, type(None)})


def _unmatched() -> str:
    """A digest no other page's variables have: the page is made again (its variables cannot be compared)."""
    return os.urandom(16).hex()


def _plain(value: Any) -> Any:
    """``value`` with entries, tags and the site by name, containers and dataclasses by their items, dates and
    paths by value. Anything else cannot be compared from one build to the next: a value that never matches.
    (Every page's variables go through here, about a hundred values each: plain ones are tested first.)"""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return tuple([(key, item if type(item) in _SCALARS else _plain(item)) for key, item in value.items()])
    if kind is tuple or kind is list:
        return tuple([item if type(item) in _SCALARS else _plain(item) for item in value])
    if isinstance(value, Entry):
        return ("entry", kind.__name__, value.key, value.lang)
    if isinstance(value, (str, int, float)):  # Markup, an enumeration
        return value
    if isinstance(value, Tag):
        return ("tag", value.key, value.lang)
    if isinstance(value, Site):
        return "site"
    if isinstance(value, Mapping):
        return tuple((key, _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_plain(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (kind.__name__, *(_plain(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, (dt.date, dt.time, dt.timedelta, Path)):
        return value
    if isinstance(value, (set, frozenset)):
        return ("set", *sorted(repr(_plain(item)) for item in value))
    return _unmatched()


def _render_one(shared: _Shared, numbered: tuple[int, Job]) -> tuple[bytes, tuple[str, ...], str] | Problem:
    """The page's bytes (or b"" and the file that holds them, with ``spill``) and what it read: the
    entries' bodies and fields, its variables and the templates (see reuse.py)."""
    number, job = numbered
    env = shared.env
    context: dict[str, Any] = {}
    try:
        env.reads = set()  # from here: the page's own template is one it reads
        template = env.get_template(job.template)
        context = shared.variables.of_job(job)
        env.reads.add(context_read(context_digest(context)))
        if job.entry is not None:
            env.reads.add(field_read(job.entry))
        data = template.render(context).encode("utf-8")
    except Exception as exc:  # noqa: BLE001 (any template failure: report it, render the rest)
        from museumsite.render.theme import template_problem

        return template_problem(exc, job.template, shared.variables.site.config.root, [*context, *env.globals])
    if not shared.spill:
        return data, tuple(sorted(env.reads)), ""
    file = os.path.join(shared.spill, str(number))
    with open(file, "xb") as handle:  # "x": a name is never written twice; a full disk stops the build as writing does
        handle.write(data)
    return b"", tuple(sorted(env.reads)), file


def _context(job: Job, site: Site, nav: tuple[dict[str, Any], ...],
             table: Mapping[str, Mapping[str, str]], feeds: _FeedIndex) -> PageContext:
    """What the job's template gets (README's "Template reference"), besides the registered globals."""
    entry = job.entry
    config = site.config
    versions = table.get(job.page_key, {job.lang: job.url})
    kind = job.context
    if isinstance(entry, Talk):
        kind = {**kind, "event": site.event_of(entry), "speakers": site.speakers_of(entry)}
    elif isinstance(entry, Speaker):
        kind = {**kind, "talks": site.talks_by(entry)}
    elif isinstance(entry, Event):
        kind = {**kind, "talks": site.talks_of(entry)}
    return PageContext(
        title=job.title, lang=job.lang, page_url=job.url, nav=nav,
        home_url=localize("/", job.lang, config.language, config.urls.language),
        site_title=config.title_in(job.lang),
        # A language without a title of its own shows the site's, which is in the default language.
        site_title_lang=job.lang if config.language_config(job.lang).title else config.language,
        canonical=absolute(job.url, config.base_url),
        description=entry.description if entry else config.description_in(job.lang),
        entry=entry, translations=site.translations(entry) if entry else (),
        alternates=tuple(versions.items()) if len(versions) > 1 else (),
        x_default=x_default(versions, site),
        switcher=_switcher(job, site, versions),
        feeds=feeds.links(site, job.lang, job.context.get("tag"), entry),
        indexes={key: table.get(key, {}).get(job.lang, "") for key in INDEXES},
        kind=kind,
    )


def _switcher(job: Job, site: Site, versions: Mapping[str, str]) -> tuple[dict[str, Any], ...]:
    """One link per site language: this page in that language, else that language's home."""
    config = site.config
    items = []
    for lang in config.all_languages:
        exists = lang in versions
        items.append({"lang": lang, "current": lang == job.lang, "exists": exists,
                      "name": config.language_config(lang).name or language_name(lang),
                      "url": versions[lang] if exists else localize("/", lang, config.language, config.urls.language)})
    return tuple(items) if len(items) > 1 else ()


def _nav(site: Site, interface: Interface, lang: str) -> tuple[dict[str, Any], ...]:
    """Menu items of one language's pages: its indexes, its menu pages, its configured links."""
    config = site.config

    def here(path: str) -> str:
        return localize(path, lang, config.language, config.urls.language)

    items: list[dict[str, Any]] = [{"url": here("/"), "label": interface.gettext(lang, N_("Home")), "lang": lang}]
    for path, label, present in (("/events/", N_("Events"), site.events), ("/talks/", N_("Talks"), site.talks),
                                 ("/speakers/", N_("Speakers"), site.speakers), ("/posts/", N_("Posts"), site.posts)):
        if present:
            items.append({"url": here(path), "label": interface.gettext(lang, label), "lang": lang})
    items.extend({"url": p.url, "label": p.title, "lang": p.lang} for p in site.menu_pages(lang))
    items.extend({"url": m.url, "label": m.title, "lang": lang} for m in config.language_config(lang).menu)
    return tuple(items)
