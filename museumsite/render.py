"""Stage 4: plan which pages exist, then render each through the theme.

Input: the converted ``Site`` and the Jinja environment. Output: ``Output``s.
``plan_pages`` decides every page of the site up front (one job per entry, index,
tag, archive year, pagination page), so collisions can be found before anything is
written and rendering is a plain loop over jobs. The context each template gets is
documented in the README ("Theme context").
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jinja2
from markupsafe import Markup

from museumsite.errors import Problem, Problems
from museumsite.i18n import (
    format_clock,
    format_day,
    format_moment,
    language_name,
    plural,
    translate,
)
from museumsite.model import Entry, Event, Output, Post, Site, Speaker, Talk
from museumsite.urls import absolute, expand, link, url_to_path

ENTRY_TEMPLATES = {"events": "event.html", "talks": "talk.html", "speakers": "speaker.html",
                   "posts": "post.html", "pages": "page.html"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One page to render: where it goes, with which template, from what."""

    url: str
    template: str
    title: str
    lang: str
    context: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    entry: Entry | None = None


def plan_pages(site: Site) -> list[Job]:
    """Every HTML page of the site, in a stable order."""
    config = site.config
    default = config.language
    jobs: list[Job] = []
    for entry in site.entries:
        jobs.append(Job(url=entry.url, template=entry.template or ENTRY_TEMPLATES[entry.kind],
                        title=entry.title, lang=entry.lang, entry=entry, sources=(entry.source.path,)))
    post_sources = tuple(p.source.path for p in site.posts)
    jobs.append(Job(url="/", template="home.html", title=config.title, lang=default,
                    context={"posts": _one_per_key(site.posts, default)[:5]}, sources=post_sources))
    for lang in config.all_languages:
        posts = _one_per_key(site.posts, lang) if lang == default else site.posts_in(lang)
        if posts or lang == default:
            jobs.extend(_paginate(site, expand("/posts/", slug="", lang=lang, default_language=default),
                                  "posts.html", translate("Posts", lang), lang, posts))
    for tag in site.tags:
        entries = _one_per_key(tag.entries, default)
        jobs.extend(_paginate(site, tag.url, "tag.html", tag.name, default, entries, {"tag": tag}))
    if site.tags:
        jobs.append(Job(url="/tags/", template="tags.html", title=translate("Tags", default), lang=default,
                        sources=post_sources))
    by_year: dict[int, list[Post]] = defaultdict(list)
    for post in _one_per_key(site.posts, default):
        by_year[post.date.year].append(post)
    for year, in_year in sorted(by_year.items()):
        jobs.append(Job(url=f"/archive/{year}/", template="archive.html", title=f"{translate('Archive', default)} {year}",
                        lang=default, context={"year": year, "posts": tuple(in_year)}, sources=post_sources))
    if by_year:
        jobs.append(Job(url="/archive/", template="archives.html", title=translate("Archive", default), lang=default,
                        context={"years": tuple((y, len(p)) for y, p in sorted(by_year.items(), reverse=True))},
                        sources=post_sources))
    if site.talks:
        jobs.append(Job(url="/talks/", template="talks.html", title=translate("Talks", default), lang=default,
                        sources=tuple(t.source.path for t in site.talks)))
    if site.speakers:
        jobs.append(Job(url="/speakers/", template="speakers.html", title=translate("Speakers", default),
                        lang=default, sources=tuple(s.source.path for s in site.speakers)))
    if site.events:
        jobs.append(Job(url="/events/", template="events.html", title=translate("Events", default), lang=default,
                        sources=tuple(e.source.path for e in site.events)))
    jobs.append(Job(url="/404.html", template="404.html", title=translate("Page not found", default), lang=default))
    return jobs


def _one_per_key(entries: tuple[Any, ...], lang: str) -> tuple[Any, ...]:
    """One version of each entry: the one in ``lang`` if there is one, else the first seen."""
    chosen: dict[str, Any] = {}
    for entry in entries:
        if entry.key not in chosen or entry.lang == lang and chosen[entry.key].lang != lang:
            chosen[entry.key] = entry
    return tuple(chosen.values())


def _paginate(site: Site, first_url: str, template: str, title: str, lang: str, items: tuple[Any, ...],
              extra: dict[str, Any] | None = None) -> list[Job]:
    size = site.config.posts_per_page
    count = max(1, math.ceil(len(items) / size))
    urls = [first_url] + [f"{first_url}page/{n}/" for n in range(2, count + 1)]
    jobs = []
    for index, url in enumerate(urls):
        pager = {"number": index + 1, "count": count, "urls": urls,
                 "previous": urls[index - 1] if index > 0 else None,
                 "next": urls[index + 1] if index + 1 < count else None}
        jobs.append(Job(url=url, template=template, lang=lang,
                        title=title if index == 0 else f"{title} ({translate('Page', lang)} {index + 1})",
                        context={**(extra or {}), "items": items[index * size:(index + 1) * size], "pager": pager},
                        sources=tuple(i.source.path for i in items)))
    return jobs


def template_helpers(site: Site) -> tuple[dict[str, Any], dict[str, Callable[..., Any]]]:
    """Globals and filters every template gets, bound to this site."""
    config = site.config

    def url_for(target: Any) -> str:
        """A link to an entry, a tag (anything with a ``url``) or a site path such as '/posts/'."""
        return link(target if isinstance(target, str) else target.url, config.base_path)

    @jinja2.pass_context
    def t(context: Any, text: str) -> str:
        return translate(text, context.get("lang", config.language))

    @jinja2.pass_context
    def date(context: Any, value: dt.date, style: str = "long") -> str:
        return format_day(value, context.get("lang", config.language), style)

    @jinja2.pass_context
    def clock(context: Any, value: dt.datetime) -> str:
        return format_clock(value, context.get("lang", config.language))

    @jinja2.pass_context
    def moment(context: Any, value: dt.datetime) -> str:
        return format_moment(value, context.get("lang", config.language))

    def lang_attr(entry_lang: str, page_lang: str) -> Markup:
        """` lang="fr"` when an element's language differs from the page's, else nothing."""
        return Markup("") if entry_lang == page_lang else Markup(' lang="{}"').format(entry_lang)

    @jinja2.pass_context
    def count(context: Any, number: int, singular: str, plural_: str) -> str:
        return plural(number, singular, plural_, context.get("lang", config.language))

    globals_ = {"site": site, "config": config, "url_for": url_for, "t": t, "lang_attr": lang_attr, "count": count,
                "language_name": language_name, "absolute_url": lambda u: absolute(u, config.base_url),
                "feeds": feed_links(site)}
    filters = {"date": date, "clock": clock, "moment": moment}
    return globals_, filters


def feed_links(site: Site) -> tuple[dict[str, str], ...]:
    """The site's post feeds, announced in every page's head."""
    links = []
    if site.config.feeds.atom:
        links.append({"url": "/feeds/atom.xml", "type": "application/atom+xml", "title": f"{site.config.title} (Atom)"})
    if site.config.feeds.rss:
        links.append({"url": "/feeds/rss.xml", "type": "application/rss+xml", "title": f"{site.config.title} (RSS)"})
    return tuple(links)


def render_pages(jobs: list[Job], env: jinja2.Environment, site: Site, problems: Problems,
                 progress: Callable[[str, int, int], None] | None = None) -> list[Output]:
    """Render every job; template errors are collected (once per template and line)."""
    outputs: list[Output] = []
    seen: set[Problem] = set()
    nav = _nav(site)
    for number, job in enumerate(jobs, 1):
        if progress and number % 50 == 0:
            progress("rendering", number, len(jobs))
        try:
            template = env.get_template(job.template)
            context = _context(job, site, nav)
            data = template.render(context).encode("utf-8")
        except Exception as exc:  # noqa: BLE001 (any template failure: report it, render the rest)
            from museumsite.theme import template_problem

            problem = template_problem(exc, job.template)
            if problem not in seen:
                seen.add(problem)
                problems.items.append(problem)
            continue
        origin = f"{job.entry.source}" if job.entry else f"the page made by {job.template}"
        outputs.append(Output(path=url_to_path(job.url), data=data, sources=job.sources, origin=origin))
    return outputs


def _context(job: Job, site: Site, nav: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    entry = job.entry
    context: dict[str, Any] = {
        "title": job.title, "lang": job.lang, "page_url": job.url, "nav": nav,
        "canonical": absolute(job.url, site.config.base_url),
        "description": entry.description if entry else site.config.description,
        "entry": entry, "translations": site.translations(entry) if entry else (),
        **job.context,
    }
    if isinstance(entry, Talk):
        context.update(event=site.event_of(entry), speakers=site.speakers_of(entry))
    elif isinstance(entry, Speaker):
        context.update(talks=site.talks_by(entry))
    elif isinstance(entry, Event):
        context.update(talks=site.talks_of(entry))
    return context


def _nav(site: Site) -> tuple[dict[str, str], ...]:
    """Menu items; built-in labels are translated (lang None), page titles keep their language."""
    items: list[dict[str, Any]] = [{"url": "/", "label": "Home", "lang": None}]
    for url, label, present in (("/events/", "Events", site.events), ("/talks/", "Talks", site.talks),
                                ("/speakers/", "Speakers", site.speakers), ("/posts/", "Posts", site.posts)):
        if present:
            items.append({"url": url, "label": label, "lang": None})
    items.extend({"url": p.url, "label": p.title, "lang": p.lang} for p in site.menu_pages())
    return tuple(items)
