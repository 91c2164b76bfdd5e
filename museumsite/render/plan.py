"""Stage 4a: which pages the site has, in every language, before anything is rendered.

Input: the converted ``Site`` and its interface strings. Output: ``Job``s, one per HTML
page. Every language is a whole site: its home, post index, tag pages, archive and
the events, talks and speakers indexes, under its prefix (``/fr/``). An entry has a
page only in the languages it is written in; the lists of a language show every entry
once, in that language where it is translated and as the original otherwise.

Pages that are the same page in another language share a ``page_key``, so the
language switcher, ``hreflang`` links and the sitemap's alternates come from one
table (``alternates``) and are reciprocal by construction.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from museumsite.errors import Problems
from museumsite.feeds.index import feeds_for_page
from museumsite.lang import N_
from museumsite.lang.collation import collation_key
from museumsite.lang.i18n import Interface
from museumsite.model import Entry, Post, Site
from museumsite.urls import localize

ENTRY_TEMPLATES = {"events": "event.html", "talks": "talk.html", "speakers": "speaker.html",
                   "posts": "post.html", "pages": "page.html"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One page to render: where it goes, with which template, from what."""

    url: str
    template: str
    title: str
    lang: str
    page_key: str  # the same page in every language: "posts/recap", "tags/museums", "home"
    context: dict[str, Any] = field(default_factory=dict)
    entry: Entry | None = None


def plan_pages(site: Site, interface: Interface) -> list[Job]:
    """Every HTML page of the site, in a stable order."""
    jobs = [Job(url=e.url, template=e.template or ENTRY_TEMPLATES[e.kind], title=e.title, lang=e.lang,
                page_key=e.key, entry=e) for e in site.entries]
    for lang in site.config.all_languages:
        jobs.extend(_language_pages(site, interface, lang))
    for entry in site.entries:
        for alias in entry.aliases:
            url = alias if alias.endswith(("/", ".html", ".htm")) else alias + "/"
            jobs.append(Job(url=url, template="redirect.html", title=entry.title, lang=entry.lang,
                            page_key=f"redirect:{url}", entry=entry,
                            context={"target": entry}))
    # A "page not found" in every language: /404.html, which static hosts serve for any missing address, and
    # /fr/404.html... for a server told to answer a language's addresses with its own.
    for lang in site.config.all_languages:
        url = localize("/404.html", lang, site.config.language, site.config.urls.language)
        jobs.append(Job(url=url, template="404.html", lang=lang, page_key="404" if url == "/404.html" else f"404:{lang}",
                        title=interface.gettext(lang, N_("Page not found"))))
    return jobs


def _language_pages(site: Site, interface: Interface, lang: str) -> list[Job]:
    config = site.config

    def here(path: str) -> str:
        return localize(path, lang, config.language, config.urls.language)

    def _(message: str) -> str:
        return interface.gettext(lang, message)

    posts = site.posts_for(lang)
    jobs = [Job(url=here("/"), template="home.html", title=config.title_in(lang), lang=lang, page_key="home",
                context={"posts": posts[:5]})]
    if posts or (site.posts and lang == config.language):  # no posts, no empty index (it linked to no archive)
        jobs += _paginate(site, interface, here("/posts/"), "posts", "posts.html", _(N_("Posts")), lang, posts)
    tags = site.tags_in(lang)
    for tag in tags:
        jobs += _paginate(site, interface, tag.url, f"tags/{tag.key}", "tag.html", tag.name, lang, tag.entries,
                          {"tag": tag})
    if tags:
        jobs.append(Job(url=here("/tags/"), template="tags.html", title=_(N_("Tags")), lang=lang, page_key="tags",
                        context={"tags": tags}))
    by_year: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        by_year[post.date.year].append(post)
    for year, in_year in sorted(by_year.items()):
        jobs.append(Job(url=here(f"/archive/{year}/"), template="archive.html", lang=lang, page_key=f"archive/{year}",
                        title=_(N_("Archive %(year)s")) % {"year": year},
                        context={"year": year, "posts": tuple(in_year)}))
    if by_year:
        jobs.append(Job(url=here("/archive/"), template="archives.html", title=_(N_("Archive")), lang=lang,
                        page_key="archive",
                        context={"years": tuple((y, len(p)) for y, p in sorted(by_year.items(), reverse=True))}))
    for kind, title, template, entries in (
            ("events", N_("Events"), "events.html", site.events_for(lang)),
            ("talks", N_("Talks"), "talks.html", site.talks_for(lang)),
            ("speakers", N_("Speakers"), "speakers.html",
             tuple(sorted(site.speakers_for(lang), key=lambda s: collation_key(s.name, lang))))):
        if entries:
            jobs.append(Job(url=here(f"/{kind}/"), template=template, title=_(title), lang=lang, page_key=kind,
                            context={"items": entries}))
    jobs.append(Job(url=here("/feeds/"), template="feeds.html", title=_(N_("Feeds")), lang=lang, page_key="feeds",
                    context={"listings": feeds_for_page(site, interface, lang)}))
    if config.search.enabled:
        jobs.append(Job(url=here("/search/"), template="search.html", title=_(N_("Search")), lang=lang,
                        page_key="search"))
    return jobs


def _paginate(site: Site, interface: Interface, first_url: str, page_key: str, template: str, title: str,
              lang: str, items: tuple[Any, ...], extra: dict[str, Any] | None = None) -> list[Job]:
    size = site.config.posts_per_page
    count = max(1, math.ceil(len(items) / size))
    urls = [first_url] + [f"{first_url}page/{n}/" for n in range(2, count + 1)]
    jobs = []
    for index, url in enumerate(urls):
        pager = {"number": index + 1, "count": count, "urls": urls,
                 "previous": urls[index - 1] if index > 0 else None,
                 "next": urls[index + 1] if index + 1 < count else None}
        numbered = interface.gettext(lang, N_("%(title)s (page %(number)s)")) % {"title": title, "number": index + 1}
        jobs.append(Job(url=url, template=template, lang=lang, title=title if index == 0 else numbered,
                        page_key=page_key if index == 0 else f"{page_key}/page/{index + 1}",
                        context={**(extra or {}), "items": items[index * size:(index + 1) * size], "pager": pager}))
    return jobs


def drop_shadowed_redirects(jobs: list[Job], problems: Problems) -> list[Job]:
    """An old address (alias) that is now a page of the site stays that page: the redirect goes, with a warning."""
    pages = {job.url for job in jobs if job.template != "redirect.html"}
    kept = []
    for job in jobs:
        if job.template == "redirect.html" and job.url in pages:
            assert job.entry is not None
            problems.warn(job.entry.source.path, job.entry.field_lines.get("aliases", 1),
                          f"alias {job.url} is a page of this site; no redirect is made there",
                          "remove the alias, or give that page another URL")
            continue
        kept.append(job)
    return kept


def alternates(jobs: list[Job]) -> Mapping[str, Mapping[str, str]]:
    """page_key -> {language: url}: every version of every page."""
    table: dict[str, dict[str, str]] = defaultdict(dict)
    for job in jobs:
        table[job.page_key].setdefault(job.lang, job.url)
    return table


def x_default(versions: Mapping[str, str], site: Site) -> str:
    """The version for readers whose language the site lacks: the default language's, else the first."""
    for lang in site.config.all_languages:
        if lang in versions:
            return versions[lang]
    return next(iter(versions.values()))
