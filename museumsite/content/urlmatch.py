"""Which entry an outside URL means: a Disqus thread's link, a comment form's page, a reader's e-mail.

One matcher for every place that meets a URL written elsewhere, so that they all
forgive the same things. A URL names an entry by its current page or by one of its
``aliases`` (the old permalinks an import kept), whatever changed between the blog's
old and new life: http or https, ``www.``, another host (the blog moved domain) when
the path names exactly one entry, the site's base path or none, a trailing slash or
not, ``index.html`` (or ``.htm``, ``.php``), a query string and a fragment, the case
of the path, and the language prefix: one too many (``/fr/posts/x/`` of a post that
has no French version) or one missing (``/posts/x/`` of a post written only in
Catalan, at ``/ca/posts/x/``). A path that could mean two entries means none.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from museumsite.model import Site
from museumsite.urls import absolute

if TYPE_CHECKING:
    from museumsite.config import SiteConfig


class EntryIndex:
    """Entry keys by normalized URL (current URLs and aliases), by path alone, and by path without its language."""

    def __init__(self, site: Site | None = None, *, config: SiteConfig | None = None):
        """Every entry of ``site``; or none yet (``config`` alone), for ``add`` to fill: an import
        knows the entries it is about to write before they are on disk."""
        config = site.config if site is not None else config
        assert config is not None, "EntryIndex needs a site or a config"
        self.full: dict[tuple[str, str], str] = {}
        self.paths: dict[str, set[str]] = {}  # casefolded path -> keys
        self.bare: dict[str, set[str]] = {}  # casefolded path without its language prefix -> keys
        self.base = config.base_path.rstrip("/")
        self.base_url = config.base_url
        # '/fr', '/ca'...: where each language's part of the site starts (urls.language), the default's too,
        # for patterns that give every language a prefix.
        self.languages = tuple(config.urls.language.format(lang=lang).rstrip("/").casefold()
                               for lang in config.all_languages)
        self.host = normalize(config.base_url)[0]
        for entry in site.entries if site is not None else ():
            self.add(entry.key, entry.url, entry.aliases)

    def add(self, key: str, url: str, aliases: Iterable[str] = ()) -> None:
        """Entry ``key`` at its site path ``url``, with its old addresses ``aliases`` (site paths)."""
        urls = [absolute(url, self.base_url)]
        urls += [f"https://{self.host}{self.base}{alias}" for alias in aliases if alias.startswith("/")]
        for found in urls:
            normal = normalize(found)
            self.full.setdefault(normal, key)
            for path in self._site_paths(normal[1]):
                self.paths.setdefault(path, set()).add(key)
                bare = self._unprefixed(path)
                if bare is not None:
                    self.bare.setdefault(bare, set()).add(key)

    def match(self, url: str) -> str | None:
        """The key of the entry ``url`` names, or None when it names none or several."""
        if not url.strip():
            return None
        try:
            key = normalize(url)
        except ValueError:  # "http://[oops/": not a URL at all
            return None
        if key in self.full:
            return self.full[key]
        for path in self._site_paths(key[1]):
            bare = self._unprefixed(path)
            for candidates in (self.paths.get(path), self.paths.get(bare or ""), self.bare.get(path),
                               self.bare.get(bare or "")):
                if candidates is not None and len(candidates) == 1:
                    return next(iter(candidates))
        return None

    def _site_paths(self, path: str) -> list[str]:
        """The path casefolded, and without the site's base path when it has it (the old site may have lived at
        the root)."""
        folded = path.casefold()
        base = self.base.casefold()
        if base and (folded == base or folded.startswith(base + "/")):
            return [folded, folded[len(base):] or "/"]
        return [folded]

    def _unprefixed(self, path: str) -> str | None:
        """``path`` without its language prefix ('/fr/posts/x' -> '/posts/x'), or None when it has none."""
        for prefix in self.languages:
            if prefix and path.startswith(prefix + "/"):
                return path[len(prefix):]
        return None


def normalize(url: str) -> tuple[str, str]:
    """(host without www., path without trailing slash or index file), case of the path kept."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    path = re.sub(r"/{2,}", "/", unquote(parts.path) or "/")
    path = re.sub(r"/index\.(?:html?|php)$", "/", path)
    path = posixpath.normpath(path) if path not in ("", "/") else "/"
    return host, path.rstrip("/") or "/"
