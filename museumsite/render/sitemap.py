"""sitemap.xml and robots.txt: what search engines need to find every page.

Input: the planned pages, their versions per language and the site. Output: two
``Output``s. Each page of a translated set lists every version, itself included, as
``xhtml:link rel="alternate" hreflang`` (plus ``x-default``), as search engines ask.
``lastmod`` comes from post dates only, so the sitemap is as deterministic as the pages.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from museumsite.model import Output, Site
from museumsite.render.plan import Job, x_default
from museumsite.urls import absolute


def make_sitemap(site: Site, jobs: list[Job], table: Mapping[str, Mapping[str, str]]) -> list[Output]:
    base = site.config.base_url
    modified = {p.url: (p.updated or p.date) for p in site.posts}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
              'xmlns:xhtml="http://www.w3.org/1999/xhtml">')]
    for job in sorted(jobs, key=lambda j: j.url):
        if job.url.endswith("404.html") or job.template == "redirect.html":
            continue
        lastmod = f"<lastmod>{modified[job.url].date().isoformat()}</lastmod>" if job.url in modified else ""
        lines.append(f"  <url><loc>{html.escape(absolute(job.url, base), quote=False)}</loc>{lastmod}")
        versions = table.get(job.page_key, {})
        if len(versions) > 1:
            for lang, url in [*versions.items(), ("x-default", x_default(versions, site))]:
                lines.append(f'    <xhtml:link rel="alternate" hreflang="{lang}" href="{_attribute(absolute(url, base))}"/>')
        lines.append("  </url>")
    lines.append("</urlset>\n")
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {absolute('/sitemap.xml', base)}\n"
    return [Output(path="sitemap.xml", data="\n".join(lines).encode("utf-8"), origin="the sitemap"),
            Output(path="robots.txt", data=robots.encode("utf-8"), origin="robots.txt")]


def _attribute(value: str) -> str:
    """``value`` for a double-quoted XML attribute: ``&``, ``<``, ``>`` and ``"`` escaped, an apostrophe kept
    (as the sitemap always wrote it: ``o'neil``, not ``o&#x27;neil``)."""
    return html.escape(value, quote=False).replace('"', "&quot;")
