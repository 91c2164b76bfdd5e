"""Stage 4b: render each planned page through the theme.

Input: the ``Job``s of ``plan``, the converted ``Site`` and the Jinja environment.
Output: ``Output``s. The context each template gets is documented in the README
("Themes"); everything language-dependent in it (navigation, feeds, the language
switcher, interface strings) is in the page's language.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from museumsite.comments.inbox import mail_subject
from museumsite.config import CommentConfig
from museumsite.content.media import LINK_KINDS, SLIDE_KINDS, Video, human_size, slide_kind, video_of
from museumsite.errors import Problem, Problems
from museumsite.feeds.comments import CommentFeed, comment_feed_links
from museumsite.feeds.events import event_feed_links
from museumsite.feeds.posts import Feed, feed_links
from museumsite.lang.collation import initial
from museumsite.lang.i18n import N_, Interface, format_clock, format_day, format_moment, language_name, zone_name
from museumsite.markup.pool import map_entries
from museumsite.model import Event, Output, Site, Speaker, Talk
from museumsite.programme.calendars import calendar_path, has_calendar
from museumsite.programme.grid import ProgrammeGrid, make_grid
from museumsite.render.plan import Job, x_default
from museumsite.render.structured import head_html
from museumsite.render.theme import ThemeEnvironment
from museumsite.urls import absolute, link, localize, make_slug, url_to_path

# Session types with a name in the interface catalogues; others are shown as written.
SESSION_TYPES = {"talk": N_("Talk"), "keynote": N_("Keynote"), "workshop": N_("Workshop"), "panel": N_("Panel"),
                 "lightning": N_("Lightning talk"), "tutorial": N_("Tutorial"), "break": N_("Break")}

_NO_MARKUP = Markup("")


def template_helpers(site: Site, interface: Interface) -> tuple[dict[str, Any], dict[str, Callable[..., Any]]]:
    """Globals and filters every template gets, bound to this site; gettext for the i18n extension."""
    config = site.config
    # Read once: templates ask for dozens of links a page.
    base_path, base_url, language, prefix = config.base_path, config.base_url, config.language, config.urls.language

    def url_for(target: Any) -> str:
        """A link to an entry, a tag (anything with a ``url``) or a site path such as '/posts/'."""
        return link(target if isinstance(target, str) else target.url, base_path)

    @jinja2.pass_context
    def url_in(context: Any, path: str) -> str:
        """A site path in the page's language: '/posts/' on a French page is '/fr/posts/'."""
        return link(localize(path, context["lang"], language, prefix), base_path)

    def absolute_url(url: str) -> str:
        return absolute(url, base_url)

    @jinja2.pass_context
    def gettext(context: Any, message: str) -> str:
        return interface.gettext(context["lang"], message)

    made: dict[tuple[str, str, bool], str] = {}

    @jinja2.pass_context
    def underscore(context: Any, message: str, **variables: Any) -> str:
        """``_()``, the i18n extension's newstyle gettext without its two indirect calls.

        The same string: the translation, made Markup under autoescape, then formatted
        with the variables (with none, '%%' still becomes '%'). A string without
        variables is the same on every page of a language, so it is made once.
        """
        autoescape = context.eval_ctx.autoescape
        if variables:
            text = interface.gettext(context["lang"], message)
            return (Markup(text) if autoescape else text) % variables
        key = (context["lang"], message, autoescape)
        found = made.get(key)
        if found is None:
            text = interface.gettext(key[0], message)
            found = made[key] = (Markup(text) if autoescape else text) % {}
        return found

    @jinja2.pass_context
    def ngettext(context: Any, singular: str, plural: str, number: int) -> str:
        return interface.ngettext(context["lang"], singular, plural, number)

    @jinja2.pass_context
    def date(context: Any, value: dt.date, style: str = "long") -> str:
        return format_day(value, context["lang"], style)

    @jinja2.pass_context
    def clock(context: Any, value: dt.datetime) -> str:
        return format_clock(value, context["lang"])

    @jinja2.pass_context
    def moment(context: Any, value: dt.datetime) -> str:
        return format_moment(value, context["lang"])

    def day_iso(value: Any) -> str:
        """``datetime`` attribute of a post's date: the day alone when no time was given."""
        if getattr(value, "timed", True) is False:
            return str(value.date.date().isoformat())
        when = getattr(value, "date", value)
        return str(when.isoformat())

    @jinja2.pass_context
    def schedule_of(context: Any, event: Event) -> ProgrammeGrid:
        return make_grid(event, site.talks_of(event, context["lang"]))

    @jinja2.pass_context
    def zone_of(context: Any, event: Event) -> str:
        """The event's time zone named in the page's language, once per page."""
        first = next((t.start for t in site.talks_of(event) if t.start), None)
        if first is None:
            return event.timezone
        return f"{zone_name(first, context['lang'])} ({event.timezone})"

    @jinja2.pass_context
    def session_type(context: Any, kind: str) -> str:
        label = SESSION_TYPES.get(kind)
        return interface.gettext(context["lang"], label) if label else kind

    @jinja2.pass_context
    def slide_label(context: Any, url: str) -> str:
        return interface.gettext(context["lang"], SLIDE_KINDS[slide_kind(url)])

    @jinja2.pass_context
    def link_label(context: Any, kind: str) -> str:
        """A talk link's kind in the page's language ("" for a link without a known kind)."""
        label = LINK_KINDS.get(kind)
        return interface.gettext(context["lang"], label) if label else ""

    @jinja2.pass_context
    def file_size(context: Any, url: str) -> str:
        found = site.static_file(url) if url.startswith("/") else None
        return human_size(found.size, context["lang"]) if found else ""

    @jinja2.pass_context
    def neighbours(context: Any, talk: Talk) -> tuple[Talk | None, Talk | None]:
        """The talks before and after this one in its event's schedule."""
        event = site.event_of(talk)
        talks = [t for t in site.talks_of(event, context["lang"]) if t.start] if event else []
        keys = [t.key for t in talks]
        if talk.key not in keys:
            return None, None
        index = keys.index(talk.key)
        return (talks[index - 1] if index > 0 else None, talks[index + 1] if index + 1 < len(talks) else None)

    @jinja2.pass_context
    def duration(context: Any, start: dt.datetime, end: dt.datetime) -> str:
        """'45 min', '1 h 30 min'... in the page's language."""
        from babel.dates import format_timedelta

        minutes = int((end - start).total_seconds() // 60)
        locale = context["lang"].replace("-", "_")
        if minutes < 60 or minutes % 60 == 0:
            return str(format_timedelta(end - start, format="short", threshold=1, locale=locale))
        hours = format_timedelta(dt.timedelta(hours=minutes // 60), format="short", locale=locale)
        rest = format_timedelta(dt.timedelta(minutes=minutes % 60), format="short", threshold=1, locale=locale)
        return f"{hours} {rest}"

    def is_site_path(url: str) -> bool:
        return url.startswith("/") and not url.startswith("//")

    def lang_attr(entry_lang: str, page_lang: str) -> Markup:
        """` lang="fr"` when an element's language differs from the page's, else nothing."""
        return _NO_MARKUP if entry_lang == page_lang else Markup(f' lang="{escape(entry_lang)}"')

    @jinja2.pass_context
    def structured_head(context: Any, entry: Any = None) -> Markup:
        """Open Graph, Twitter card and JSON-LD for the page's <head> (see ``structured``)."""
        return head_html(site, entry, lang=context["lang"], url=context["page_url"], title=context["title"],
                         description=context.get("description") or "")

    def video(url: str) -> Video:
        """The recording at ``url``, framed only from built-in players and the site's ``video.hosts``."""
        return video_of(url, config.video.hosts)

    def calendar_url(entry: Any) -> str:
        """Site path of the entry's .ics ("add to calendar"), or "" when it has none."""
        return calendar_path(site.original(entry.key) or entry) if has_calendar(site, entry) else ""

    globals_: dict[str, Any] = {"site": site, "config": config, "url_for": url_for, "url_in": url_in, "lang_attr": lang_attr,
                "language_name": language_name, "absolute_url": absolute_url,
                "post_datetime": day_iso, "gettext": gettext, "ngettext": ngettext, "_": underscore, "schedule_of": schedule_of,
                "zone_of": zone_of, "session_type": session_type, "slide_label": slide_label, "link_label": link_label,
                "video_of": video,
                "file_size": file_size, "neighbours": neighbours, "is_site_path": is_site_path, "duration": duration,
                "initial": initial, "slug": make_slug, "structured_head": structured_head,
                "calendar_url": calendar_url, "imported_rel": imported_rel, **comment_helpers(config.comments)}
    @jinja2.pass_context
    def groupby_initial(context: Any, people: Any, lang: str) -> list[tuple[str, list[Any]]]:
        """Speakers (already in the language's order) under the letter each is filed under."""
        groups: dict[str, list[Any]] = {}
        for person in people:
            groups.setdefault(initial(person.name, lang), []).append(person)
        return list(groups.items())

    filters: dict[str, Callable[..., Any]] = {"date": date, "clock": clock, "moment": moment,
                                             "groupby_initial": groupby_initial}
    return globals_, filters


def comment_helpers(comments: CommentConfig) -> dict[str, Callable[..., Any]]:
    """What the "Leave a comment" block asks: whether a page offers it, and its "reply by e-mail" links."""

    def comment_intake(entry: Any) -> bool:
        """Whether the entry's page offers to leave a comment (``comments.form``/``email``, ``kinds``)."""
        return bool(comments.form or comments.email) and getattr(entry, "kind", "") in comments.kinds

    def comment_mailto(entry: Any, parent: str = "") -> str:
        """A "reply by e-mail" link, or "": its subject names the entry and the comment answered, as
        ``comments add`` reads them back (``inbox.mail_subject``)."""
        if not comments.email:
            return ""
        return f"mailto:{comments.email}?subject={quote(mail_subject(entry.title, entry.key, parent), safe='')}"

    return {"comment_intake": comment_intake, "comment_mailto": comment_mailto}


def imported_rel(entry: Any, url: str, rel: str = "") -> Markup:
    """`` rel="..."`` of a link in an entry's front matter (slides, video, a speaker's links).

    An importer's entry (``imported:`` in its front matter) holds what strangers typed
    into a schedule: its links to other sites get "nofollow ugc", as comments' do, so
    that search engines do not credit them to the site.
    """
    tokens = [rel] if rel else []
    if getattr(entry, "imported", "") and not (url.startswith("/") and not url.startswith("//")):
        tokens += ["nofollow", "ugc"]
    return Markup(f' rel="{escape(" ".join(tokens))}"') if tokens else _NO_MARKUP


def render_pages(jobs: list[Job], env: ThemeEnvironment, site: Site, interface: Interface,
                 table: Mapping[str, Mapping[str, str]], feeds: tuple[list[Feed], list[CommentFeed]],
                 problems: Problems,
                 progress: Callable[[str, int, int], None] | None = None, workers: int | None = None) -> list[Output]:
    """Render every job, on every core for a large site; template errors are collected (once per template and line).

    The templates are compiled here, before the workers fork, so each is compiled once;
    the pages come back in the order of the jobs, so the output is the serial one.
    """
    for name in dict.fromkeys(job.template for job in jobs):
        with contextlib.suppress(Exception):  # reported with the page that uses it, below
            env.get_template(name)
    navs = {lang: _nav(site, interface, lang) for lang in site.config.all_languages}
    shared = _Shared(env, site, navs, table, feeds, _FeedIndex(feeds))
    if progress:
        progress("rendering", 0, len(jobs))
    rendered = map_entries(_render_one, shared, jobs, workers)
    outputs: list[Output] = []
    seen: set[Problem] = set()
    for job, result in zip(jobs, rendered):
        if isinstance(result, Problem):
            if result not in seen:
                seen.add(result)
                problems.items.append(result)
            continue
        origin = f"{job.entry.source}" if job.entry else f"the page made by {job.template}"
        data, reads = result
        outputs.append(Output(path=url_to_path(job.url), data=data, origin=origin, reads=reads))
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
class _Shared:
    """What every page's rendering reads; built once, shared with the workers by fork."""

    env: ThemeEnvironment
    site: Site
    navs: dict[str, tuple[dict[str, Any], ...]]
    table: Mapping[str, Mapping[str, str]]
    feeds: tuple[list[Feed], list[CommentFeed]]
    index: _FeedIndex


def _render_one(shared: _Shared, job: Job) -> tuple[bytes, tuple[str, ...]] | Problem:
    """The page's bytes and the entries whose bodies it read (see reuse.py)."""
    env = shared.env
    context: dict[str, Any] = {}
    try:
        template = env.get_template(job.template)
        context = _context(job, shared.site, shared.navs.get(job.lang, ()), shared.table, shared.index)
        env.reads = set()
        data = template.render(context).encode("utf-8")
        return data, tuple(sorted(env.reads))
    except Exception as exc:  # noqa: BLE001 (any template failure: report it, render the rest)
        from museumsite.render.theme import template_problem

        return template_problem(exc, job.template, shared.site.config.root, [*context, *env.globals])


def _context(job: Job, site: Site, nav: tuple[dict[str, Any], ...],
             table: Mapping[str, Mapping[str, str]], feeds: _FeedIndex) -> dict[str, Any]:
    entry = job.entry
    config = site.config
    versions = table.get(job.page_key, {job.lang: job.url})
    context: dict[str, Any] = {
        "title": job.title, "lang": job.lang, "page_url": job.url, "nav": nav,
        "home_url": localize("/", job.lang, config.language, config.urls.language),
        "site_title": config.title_in(job.lang),
        # A language without a title of its own shows the site's, which is in the default language.
        "site_title_lang": job.lang if config.language_config(job.lang).title else config.language,
        "canonical": absolute(job.url, config.base_url),
        "description": entry.description if entry else config.description_in(job.lang),
        "entry": entry, "translations": site.translations(entry) if entry else (),
        "alternates": tuple(versions.items()) if len(versions) > 1 else (),
        "x_default": x_default(versions, site),
        "switcher": _switcher(job, site, versions),
        "feeds": feeds.links(site, job.lang, job.context.get("tag"), entry),
        **job.context,
    }
    if isinstance(entry, Talk):
        context.update(event=site.event_of(entry), speakers=site.speakers_of(entry))
    elif isinstance(entry, Speaker):
        context.update(talks=site.talks_by(entry))
    elif isinstance(entry, Event):
        context.update(talks=site.talks_of(entry))
    return context


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
