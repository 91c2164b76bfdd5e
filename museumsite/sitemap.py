"""sitemap.xml and robots.txt: what search engines need to find every page.

Input: the rendered pages' URLs and the site. Output: two ``Output``s. ``lastmod``
comes from post dates only, so the sitemap is as deterministic as the pages.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from museumsite.model import Output, Post, Site
from museumsite.urls import absolute


def make_sitemap(site: Site, page_urls: list[str]) -> list[Output]:
    base = site.config.base_url
    modified = {p.url: (p.updated or p.date) for p in site.posts if isinstance(p, Post)}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in sorted(set(page_urls)):
        if url.endswith("404.html"):
            continue
        lines.append(f"  <url><loc>{escape(absolute(url, base))}</loc>"
                     + (f"<lastmod>{modified[url].date().isoformat()}</lastmod>" if url in modified else "")
                     + "</url>")
    lines.append("</urlset>\n")
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {absolute('/sitemap.xml', base)}\n"
    return [Output(path="sitemap.xml", data="\n".join(lines).encode("utf-8")),
            Output(path="robots.txt", data=robots.encode("utf-8"))]
