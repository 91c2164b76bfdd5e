"""Links to the old site in imported bodies, pointed at the new site.

A blog's posts link to each other by their old permalinks. Each permalink became an
alias of its entry, so each can be known: any URL the shared matcher (``urlmatch``)
accepts for an entry, on the old site's host(s) or the new one, or as a site path,
and WordPress's ``?p=<id>``/``?page_id=<id>`` links of this export. Such a link
becomes:

- in a Markdown body, a relative link to the entry's content file
  (``../posts/x.md``), which the build turns into the page's URL in each language,
  and which ``check`` and the build verify;
- in HTML kept as HTML in a body (a figure, a table: Markdown does not read links
  there), the site path of the entry's page (``/posts/x/``);
- in a comment (HTML, published on every translation and in feeds), the entry's
  whole new address.

Links to other hosts are never touched, even when their path looks like an entry's.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from museumsite.config import SiteConfig
from museumsite.content.urlmatch import EntryIndex, normalize
from museumsite.errors import Problems
from museumsite.model import Site
from museumsite.urls import absolute, link

# '[text](url)' and '[text](url "title")' as markdownify writes them; '<url>' destinations too.
_MD_LINK = re.compile(r'(\]\()(<[^>\n]*>|[^)\s]+)((?:\s+"[^"\n]*")?\))')
_HREF = re.compile(r"""(\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Target:
    """Where an old link now leads: the entry's content file and the site path of its page."""

    path: str  # "content/posts/x.md"
    url: str  # "/posts/x/", "/ca/posts/x/"


class OldLinks:
    """The entries an old link may name, and the rewriting of bodies that hold such links."""

    def __init__(self, config: SiteConfig, hosts: Iterable[str]):
        self.config = config
        self.index = EntryIndex(config=config)
        self.targets: dict[str, Target] = {}
        self.post_ids: dict[str, str] = {}  # WordPress post id -> entry key
        own = normalize(config.base_url)[0]
        self.hosts = {h.lower().removeprefix("www.") for h in (*hosts, own) if h}
        self.base_path = config.base_path

    def add(self, key: str, target: Target, aliases: Iterable[str] = (), post_id: str = "") -> None:
        self.targets[key] = target
        self.index.add(key, target.url, aliases)
        if post_id:
            self.post_ids[post_id] = key

    def add_site(self, site: Site) -> None:
        """The entries already on the site, by their original version (the one whose file a link names)."""
        for entry in site.entries:
            original = site.original(entry.key) or entry
            if entry.key not in self.targets:
                self.targets[entry.key] = Target(original.source.path, original.url)
            self.index.add(entry.key, entry.url, entry.aliases)

    def find(self, url: str) -> tuple[Target, str] | None:
        """(target, '#fragment' or '') of a link to an entry on the old site or this one; None otherwise."""
        text = html.unescape(url.strip()).removeprefix("<").removesuffix(">")
        try:
            parts = urlsplit(text)
        except ValueError:
            return None
        host = (parts.hostname or "").lower().removeprefix("www.")
        if parts.scheme not in ("http", "https", "") or (host and host not in self.hosts) or \
                (not host and not text.startswith("/")) or text.startswith("//") and not host:
            return None
        key: str | None = None
        query = parse_qs(parts.query)
        if parts.path in ("", "/", "/index.php") and (query.get("p") or query.get("page_id")):
            key = self.post_ids.get((query.get("p") or query.get("page_id") or [""])[0])
        elif parts.path not in ("", "/"):
            key = self.index.match(text if host else f"https://{next(iter(sorted(self.hosts)))}{text}")
        target = self.targets.get(key) if key else None
        return (target, f"#{parts.fragment}" if parts.fragment else "") if target else None

    def markdown(self, body: str, source: str) -> tuple[str, int]:
        """``body`` of the content file ``source`` with its links to entries made relative links to their files."""
        count = 0

        def relative(match: re.Match[str]) -> str:
            nonlocal count
            found = self.find(match.group(2))
            if found is None:
                return match.group(0)
            count += 1
            return match.group(1) + relative_path(found[0].path, source) + found[1] + match.group(3)

        body = _MD_LINK.sub(relative, body)
        body, more = self.html(body, whole=False)
        return body, count + more

    def html(self, fragment: str, *, whole: bool) -> tuple[str, int]:
        """``href`` attributes to entries made the site path of their page, or their whole address."""
        count = 0

        def rewrite(match: re.Match[str]) -> str:
            nonlocal count
            found = self.find(match.group(3))
            if found is None:
                return match.group(0)
            count += 1
            target, anchor = found
            url = absolute(target.url, self.config.base_url) if whole else link(target.url, self.base_path)
            return f"{match.group(1)}{match.group(2)}{html.escape(url + anchor)}{match.group(2)}"

        return _HREF.sub(rewrite, fragment), count


def relative_path(target: str, source: str) -> str:
    """'../posts/x.md': the content file ``target`` as a link from the content file ``source``."""
    here = posixpath.dirname(source)
    rel = posixpath.relpath(target, here)
    return rel if "/" in rel else f"../{posixpath.basename(here)}/{rel}"


def current_site(config: SiteConfig, root: Path) -> Site:
    """The site as it is, drafts included, its problems left to the build: only its entries are wanted."""
    from museumsite.content.assemble import assemble_site
    from museumsite.content.load import load_documents

    problems = Problems()
    documents = load_documents(root, config.content_dir, config.all_languages, config.language, problems)
    return assemble_site(documents, config, problems, drafts=True)
