"""Stage 3: Markdown bodies into HTML, with summaries and tables of contents.

Input: a ``Site`` whose entries carry Markdown. Output: the same site with
``body_html``, ``summary_html``, ``toc_html`` and ``description`` filled in.
Relative links to other ``.md`` files become links to their pages (a link to a file
that is not in the site is an error), links into ``content/static/`` become links to
the copied files, and body headings start at ``<h2>`` because the page title is the
only ``<h1>``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import html
import json
import os
import posixpath
import re
import secrets
import xml.etree.ElementTree as etree
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from museumsite import __version__
from museumsite.errors import Problem, Problems
from museumsite.i18n import N_, Interface
from museumsite.model import Entry, Site
from museumsite.typography import typeset_html, typeset_text
from museumsite.urls import link

MORE = "<!--more-->"
EXTENSIONS = ["tables", "fenced_code", "codehilite", "footnotes", "toc", "attr_list", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": True, "permalink_title": N_("Link to this section"), "toc_depth": "2-4"},
    "footnotes": {"BACKLINK_TITLE": N_("Back to the text")},
}
# Markdown's own interface words, translated into each entry's language afterwards.
MARKDOWN_TITLES = (N_("Link to this section"), N_("Back to the text"))


@dataclasses.dataclass(slots=True)
class _Context:
    """What the tree processor needs to know about the document being converted,
    and what it found: the pages it linked to and the problems, per document, so
    that a cached conversion can be checked and its warnings replayed."""

    entry: Entry | None = None
    site: Site | None = None
    pages: dict[str, str] = dataclasses.field(default_factory=dict)  # "content/talks/x.md" -> entry key
    base_path: str = "/"
    linked: dict[str, str] = dataclasses.field(default_factory=dict)
    found: list[Problem] = dataclasses.field(default_factory=list)

    def url_of(self, path: str, lang: str) -> str | None:
        """The page a link to a content file leads to: its version in ``lang`` where translated."""
        key = self.pages.get(path)
        found = self.site.get(key, lang) if key and self.site else None
        return found.url if found else None


@dataclasses.dataclass(slots=True)
class MarkupCache:
    """Converted HTML from the previous build (``old``) and this one (``new``).

    A document is converted again when its Markdown, its path, its language, the
    base path or the converter's version change, or when a page it links to has
    moved; otherwise its HTML is taken as it is. Documents with errors are never
    cached, so their errors are found again.
    """

    old: dict[str, Any] = dataclasses.field(default_factory=dict)
    new: dict[str, Any] = dataclasses.field(default_factory=dict)


class _SiteLinks(Treeprocessor):  # type: ignore[misc]
    def __init__(self, md: markdown.Markdown, context: _Context):
        super().__init__(md)
        self.context = context

    def run(self, root: etree.Element) -> None:
        levels = [int(el.tag[1]) for el in root.iter() if re.fullmatch(r"h[1-6]", el.tag)]
        if levels and min(levels) == 1:
            for el in root.iter():
                if re.fullmatch(r"h[1-5]", el.tag):
                    el.tag = f"h{int(el.tag[1]) + 1}"
        for el in root.iter():
            if el.tag == "a" and el.get("href"):
                el.set("href", self._rewrite(el.get("href", "")))
            elif el.tag == "img":
                el.set("src", self._rewrite(el.get("src", "")))
                if not el.get("alt") and self.context.entry:
                    entry = self.context.entry
                    self.context.found.append(Problem(entry.source.path, _line_of(entry, el.get("src", "")),
                                                      "image without alt text",
                                                      "describe the image: ![what it shows](path)", warning=True))

    def _rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith(("#", "/")) or not parts.path:
            return url
        entry = self.context.entry
        assert entry is not None
        target = posixpath.normpath(posixpath.join(posixpath.dirname(entry.source.path), unquote(parts.path)))
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if target.endswith(".md"):
            page = self.context.url_of(target, entry.lang)
            if page is None:
                self.context.found.append(Problem(entry.source.path, _line_of(entry, parts.path),
                                                  f"link to '{parts.path}', which is not a page of this site",
                                                  f"no published file {target} (missing, misspelt or a draft)"))
                return url
            self.context.linked[target] = page
            return link(page, self.context.base_path) + fragment
        static_prefix = "content/static/"
        if target.startswith(static_prefix):
            return link("/" + target[len(static_prefix):], self.context.base_path) + fragment
        return url


class _SiteExtension(Extension):  # type: ignore[misc]
    def __init__(self, context: _Context):
        super().__init__()
        self.context = context

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After "inline" (links exist) and before "toc" reads the headings.
        md.treeprocessors.register(_SiteLinks(md, self.context), "museumsite_links", 6)


def make_markdown(context: _Context) -> markdown.Markdown:
    """The one configured converter; ``reset()`` between documents, not rebuilt."""
    return markdown.Markdown(extensions=[*EXTENSIONS, _SiteExtension(context)],
                             extension_configs=EXTENSION_CONFIGS, output_format="html")


def convert_site(site: Site, problems: Problems, interface: Interface, cache: MarkupCache | None = None) -> Site:
    """Fill in the HTML of every entry. Problems (broken links) are collected."""
    context = _Context(site=site, pages={e.source.path: e.key for e in site.entries}, base_path=site.config.base_path)
    md = make_markdown(context)
    cache = cache if cache is not None else MarkupCache()
    salt = json.dumps([__version__, markdown.__version__, EXTENSIONS, context.base_path])

    def convert(entry: Any) -> Any:
        titles = [interface.gettext(entry.lang, title) for title in MARKDOWN_TITLES]
        key = hashlib.sha256(json.dumps([salt, titles, entry.source.path, entry.lang, entry.body_md,
                                         entry.summary_md]).encode("utf-8")).hexdigest()
        hit = cache.old.get(key)
        cacheable = True
        if hit and all(context.url_of(target, entry.lang) == url for target, url in hit["linked"].items()):
            html = hit
            for warning in hit["warnings"]:
                problems.warn(*warning)
        else:
            context.entry, context.linked, context.found = entry, {}, []
            body = _translate_titles(md.reset().convert(entry.body_md), titles)
            toc = getattr(md, "toc", "")
            summary = md.reset().convert(entry.summary_md) if entry.summary_md else summary_of(body)
            html = {"body": typeset_html(body.replace(MORE, ""), entry.lang),
                    "summary": typeset_html(summary, entry.lang), "linked": context.linked,
                    "toc": typeset_html(toc, entry.lang) if len(re.findall(r"<h[2-6][ >]", body)) >= 3 else "",
                    "warnings": [[p.path, p.line, p.message, p.hint] for p in context.found if p.warning]}
            for found in context.found:
                report = problems.warn if found.warning else problems.error
                report(found.path, found.line, found.message, found.hint)
            cacheable = all(p.warning for p in context.found)
        if cacheable:
            cache.new[key] = html
        return dataclasses.replace(
            entry, body_html=html["body"], summary_html=html["summary"], toc_html=html["toc"],
            title=typeset_text(entry.title, entry.lang),
            description=entry.description or plain_text(html["summary"], 200),
        )

    return dataclasses.replace(
        site,
        events=tuple(map(convert, site.events)), talks=tuple(map(convert, site.talks)),
        speakers=tuple(map(convert, site.speakers)), posts=tuple(map(convert, site.posts)),
        pages=tuple(map(convert, site.pages)),
    )


def _translate_titles(body: str, titles: list[str]) -> str:
    """Markdown's permalink and footnote titles are interface text: in the entry's language."""
    for english, translated in zip(MARKDOWN_TITLES, titles):
        body = body.replace(f'title="{english}"', f'title="{html.escape(translated)}"')
    return body


def summary_of(body_html: str) -> str:
    """What comes before ``<!--more-->``, else the first paragraph.

    A summary is shown on list pages, away from its footnotes and beside other
    summaries: footnote references, heading permalinks and ids are dropped so
    that it neither links to nothing nor repeats an id on the page.
    """
    if MORE in body_html:
        summary = body_html.split(MORE, 1)[0].strip()
        if summary.count("<p>") > summary.count("</p>"):  # the cut was inside a paragraph
            summary += "</p>"
    else:
        match = re.search(r"<p>.*?</p>", body_html, re.DOTALL)
        summary = match.group(0) if match else ""
    summary = re.sub(r'<sup id="fnref[^"]*">.*?</sup>', "", summary, flags=re.DOTALL)
    summary = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", summary, flags=re.DOTALL)
    return re.sub(r' id="[^"]*"', "", summary)


def plain_text(fragment: str, limit: int) -> str:
    """Text of an HTML fragment, cut at a word boundary, for meta descriptions."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _line_of(entry: Entry, needle: str) -> int:
    index = entry.body_md.find(needle)
    if index < 0:
        return entry.body_line
    return entry.body_line + entry.body_md.count("\n", 0, index)


def read_cache(path: Path) -> MarkupCache:
    """The previous build's conversions; an unreadable cache is an empty one, never an error.

    A cache that is corrupt, truncated, from another version or edited by hand is
    only a cache: each entry of the wrong shape is dropped (and converted again),
    so a bad file costs one slower build and is replaced, never a failed build.
    """
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        old = {}
    if not isinstance(old, dict):
        return MarkupCache(old={})
    return MarkupCache(old={key: value for key, value in old.items() if _cached_shape(value)})


def _cached_shape(value: Any) -> bool:
    """True if ``value`` is what ``convert_site`` stores: HTML strings, links and warnings."""
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in ("body", "summary", "toc")):
        return False
    linked, warnings = value.get("linked"), value.get("warnings")
    return (isinstance(linked, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in linked.items())
            and isinstance(warnings, list)
            and all(isinstance(w, list) and len(w) == 4 and isinstance(w[0], str) and isinstance(w[2], str)
                    and isinstance(w[3], str) and (w[1] is None or type(w[1]) is int) for w in warnings))


def save_cache(path: Path, cache: MarkupCache) -> None:
    """Keep only what this build used, so the cache never outgrows the site.

    A cache that cannot be written (read-only site, a folder in its place) is skipped:
    the next build converts again, which is slower but correct.
    """
    if cache.new == cache.old:
        return
    temporary = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")  # one per build
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(cache.new, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
