"""Stage 3: Markdown bodies into HTML, with summaries and tables of contents.

Input: a ``Site`` whose entries carry Markdown. Output: the same site with
``body_html``, ``summary_html``, ``toc_html`` and ``description`` filled in.
Relative links to other ``.md`` files become links to their pages (a link to a file
that is not in the site is an error), links into ``content/static/`` become links to
the copied files, and body headings start at ``<h2>`` because the page title is the
only ``<h1>``.
"""

from __future__ import annotations

import dataclasses
import html
import posixpath
import re
import xml.etree.ElementTree as etree
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from museumsite.errors import Problems
from museumsite.i18n import translate
from museumsite.model import Entry, Site
from museumsite.urls import link

MORE = "<!--more-->"
EXTENSIONS = ["tables", "fenced_code", "codehilite", "footnotes", "toc", "attr_list", "sane_lists"]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": True, "permalink_title": "Link to this section", "toc_depth": "2-4"},
    "footnotes": {"BACKLINK_TITLE": "Back to the text"},
}


@dataclasses.dataclass(slots=True)
class _Context:
    """What the tree processor needs to know about the document being converted."""

    entry: Entry | None = None
    pages: dict[str, str] = dataclasses.field(default_factory=dict)  # "content/talks/x.md" -> url
    base_path: str = "/"
    problems: Problems | None = None


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
                el.set("href", self._rewrite(el.get("href", ""), page_link=True))
            elif el.tag == "img":
                el.set("src", self._rewrite(el.get("src", ""), page_link=False))
                if not el.get("alt") and self.context.problems and self.context.entry:
                    entry = self.context.entry
                    self.context.problems.warn(entry.source.path, _line_of(entry, el.get("src", "")),
                                               "image without alt text",
                                               "describe the image: ![what it shows](path)")

    def _rewrite(self, url: str, page_link: bool) -> str:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith(("#", "/")) or not parts.path:
            return url
        entry = self.context.entry
        assert entry is not None
        target = posixpath.normpath(posixpath.join(posixpath.dirname(entry.source.path), unquote(parts.path)))
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if target.endswith(".md"):
            page = self.context.pages.get(target)
            if page is None:
                if self.context.problems:
                    self.context.problems.error(entry.source.path, _line_of(entry, parts.path),
                                                f"link to '{parts.path}', which is not a page of this site",
                                                f"no published file {target} (missing, misspelt or a draft)")
                return url
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


def convert_site(site: Site, problems: Problems) -> Site:
    """Fill in the HTML of every entry. Problems (broken links) are collected."""
    context = _Context(pages={e.source.path: e.url for e in site.entries},
                       base_path=site.config.base_path, problems=problems)
    md = make_markdown(context)

    def convert(entry: Any) -> Any:
        context.entry = entry
        body = _translate_titles(md.reset().convert(entry.body_md), entry.lang)
        toc = getattr(md, "toc", "")
        summary = md.reset().convert(entry.summary_md) if entry.summary_md else summary_of(body)
        return dataclasses.replace(
            entry, body_html=body.replace(MORE, ""), summary_html=summary,
            toc_html=toc if len(re.findall(r"<h[2-6][ >]", body)) >= 3 else "",
            description=entry.description or plain_text(summary, 200),
        )

    return dataclasses.replace(
        site,
        events=tuple(map(convert, site.events)), talks=tuple(map(convert, site.talks)),
        speakers=tuple(map(convert, site.speakers)), posts=tuple(map(convert, site.posts)),
        pages=tuple(map(convert, site.pages)),
    )


def _translate_titles(body: str, lang: str) -> str:
    """Markdown's permalink and footnote titles are interface text: in the entry's language."""
    for key in ("Link to this section", "Back to the text"):
        body = body.replace(f'title="{key}"', f'title="{translate(key, lang)}"')
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
