"""Where a finding of ``museumsite check`` comes from, and what to do about it.

``check`` reads the built files, so it sees output URLs ('/talks/welcome/'). An author
fixes content files: each finding on an entry's page is traced back to the entry's
source file and to the line where the link is written (the link as it appears in the
page, its '#fragment', or its file name), like the build's own errors, and gets a hint.
A link the theme made (a menu, a tag list) names the page's source without a line.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from museumsite.config import SiteConfig
from museumsite.errors import Problems

ERROR_KINDS = {"link", "anchor", "image", "feed", "external"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with the built site, on one page (a site path such as '/fr/posts/x/')."""

    kind: str  # errors: link, anchor, image, feed, external; warnings: hreflang, orphan, size, unreachable, old-site
    page: str
    target: str
    message: str
    source: str = ""  # the content file the page is made from, when it is an entry's page (traced here)
    line: int | None = None  # the line of that file where the target is written, when found
    hint: str = ""  # what to do

    @property
    def error(self) -> bool:
        """Errors make ``check`` fail; warnings only under ``--strict``."""
        return self.kind in ERROR_KINDS


def page_sources(config: SiteConfig) -> dict[str, str]:
    """Site path of every entry page (and of its old addresses) -> its content file, from the site as it is now."""
    from museumsite.content.assemble import load_site

    # Problems: the build reports them; a finding only needs the files that did load.
    site = load_site(config.root, Problems(), config=config)
    sources: dict[str, str] = {}
    for entry in site.entries:
        for url in (entry.url, *entry.aliases):
            sources.setdefault(url, entry.source.path)
    return sources


def trace(finding: Finding, sources: Mapping[str, str], root: Path, config: SiteConfig) -> Finding:
    """The finding with its source file, line and hint filled in where they can be known."""
    hint = _hint(finding, config)
    source = sources.get(finding.page, "")
    line = _line_of(root / source, finding.target) if source and finding.target else None
    return dataclasses.replace(finding, source=source, line=line, hint=hint)


def _line_of(path: Path, target: str) -> int | None:
    """The first line of ``path`` that names ``target``: as written, by its fragment, or by its file name."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    parts = urlsplit(target)
    name = posixpath.basename(unquote(parts.path).rstrip("/"))
    needles = [target, unquote(target)]
    if parts.fragment:
        needles.append(f"#{parts.fragment}")
    if len(name) > 3:
        needles.append(name)
    for needle in needles:
        for number, text in enumerate(lines, 1):
            if needle in text:
                return number
    return None


def _hint(finding: Finding, config: SiteConfig) -> str:
    """What to do, per kind of finding."""
    kind, target = finding.kind, finding.target
    if kind in ("link", "image"):
        path = unquote(urlsplit(target).path)
        if target.startswith(("http://", "https://")):
            return (f"{target} is on this site's own address (base_url {config.base_url}), so it must be in the "
                    f"output: put the file at content/static{path[len(config.base_path) - 1:]}, or link it "
                    "elsewhere")
        what = "the image" if kind == "image" else "the page or file"
        return f"fix the address, or add {what} (files under content/static/ are copied to the site's root)"
    return {
        "anchor": "link to an id the page has (a heading's id is in its ¶ link), or drop the '#...' part",
        "feed": "museumsite writes valid feeds: if a theme override or a hand edit made this one, fix it; "
                "otherwise please report it",
        "external": "the page is gone or moved: update the link or remove it",
        "unreachable": "check the address; run check --external again later",
        "hreflang": "a theme override changed the alternate links: keep the default theme's <link rel=alternate>",
        "orphan": "link to it from another page, or give a page 'menu: N' to put it in the main menu",
        "size": "split the page, lower posts_per_page, or raise --max-kb if the page is meant to be long",
        "old-site": "the old site will go offline: link the entry's content file (../posts/x.md) or a file under "
                    "content/static/ instead, or import the export again, which rewrites links to imported entries "
                    "(and to uploads with --uploads)",
    }.get(kind, "")
