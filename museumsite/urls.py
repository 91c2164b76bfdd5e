"""Slugs, permalinks and the mapping from URLs to output files.

A URL is site-relative ("/talks/keynote/") until a template asks for it with the
base path ("/project/talks/keynote/") or a feed with the whole base_url. An output
path is derived from a URL, never from a slug or a file name directly, and is
checked to stay inside the output folder.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from urllib.parse import quote, urljoin

from slugify import slugify as _slugify


def make_slug(text: str) -> str:
    """ASCII slug for a title or tag: "Évaluer l'usage" -> "evaluer-l-usage"."""
    return _slugify(text) or "untitled"


def expand(pattern: str, *, slug: str, lang: str, default_language: str,
           date: dt.date | None = None, event: str = "", prefix: str = "/{lang}/") -> str:
    """Fill a permalink pattern; other languages than the default get their prefix ('/fr/')."""
    values = {"slug": slug, "lang": lang, "event": event,
              "year": f"{date.year:04d}" if date else "",
              "month": f"{date.month:02d}" if date else "",
              "day": f"{date.day:02d}" if date else ""}
    url = pattern.format(**values)
    if "{lang}" not in pattern:
        url = localize(url, lang, default_language, prefix)
    return posixpath.normpath(url).rstrip("/") + "/" if url != "/" else "/"


def localize(path: str, lang: str, default_language: str, prefix: str = "/{lang}/") -> str:
    """A site path in a language's part of the site: '/posts/' -> '/fr/posts/' (the default stays)."""
    if lang == default_language:
        return path
    return prefix.format(lang=lang).rstrip("/") + path


def url_to_path(url: str) -> str:
    """Output path for a site URL: '/talks/x/' -> 'talks/x/index.html', '/feed.xml' -> 'feed.xml'.

    Raises ValueError for a URL that would leave the output folder.
    """
    path = url.split("#", 1)[0].split("?", 1)[0]
    if path.endswith("/"):
        path += "index.html"
    clean = posixpath.normpath(path.lstrip("/"))
    if clean.startswith("..") or posixpath.isabs(clean) or clean == ".":
        raise ValueError(f"URL {url!r} points outside the site")
    return clean


def link(url: str, base_path: str) -> str:
    """A root-relative link that works when the site lives under a sub-path."""
    return base_path.rstrip("/") + quote(url, safe="/#?=&%:@~!$'()*+,;")


def absolute(url: str, base_url: str) -> str:
    return urljoin(base_url if base_url.endswith("/") else base_url + "/", url.lstrip("/"))
