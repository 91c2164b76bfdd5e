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
import hashlib
import html
import itertools
import json
import posixpath
import re
import xml.etree.ElementTree as etree
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from museumsite import __version__
from museumsite.bounds import TooDeep, markdown_bounds
from museumsite.errors import Problem, Problems
from museumsite.incremental.markdown import MarkupCache
from museumsite.lang import N_
from museumsite.lang.i18n import Interface
from museumsite.lang.typography import typeset_html, typeset_text
from museumsite.markup.extensions import BUILT_IN, converter_arguments, extensions_key
from museumsite.markup.pool import map_entries
from museumsite.model import Entry, Site
from museumsite.sanitize import clean_converted
from museumsite.urls import link

MORE = "<!--more-->"
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
        """The page a link to a content file leads to: its version in ``lang`` where translated.

        A file that could not be built (``Site.unbuilt``) was reported already: a link to it is not
        a second problem, so it gets the stand-in's URL (never published: the build fails).
        """
        key = self.pages.get(path)
        found = self.site.get(key, lang) if key and self.site else None
        if found is None and self.site is not None:
            return next((e.url for e in self.site.unbuilt if e.source.path == path), None)
        return found.url if found else None


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
    extensions, configs = converter_arguments(context.site.config.markdown_extensions if context.site else ())
    return markdown.Markdown(extensions=[*extensions, _SiteExtension(context), *markdown_bounds()],
                             extension_configs=configs, output_format="html")


def convert_site(site: Site, problems: Problems, interface: Interface, cache: MarkupCache | None = None,
                 workers: int | None = None) -> Site:
    """Fill in the HTML of every entry. Problems (broken links) are collected.

    Entries the cache does not hold are converted on every core when there are
    enough of them (see ``pool.py``); the results and the order in which problems
    are reported are those of the serial path.
    """
    done: list[Any] = convert_entries(site, site.entries, problems, interface, cache, workers)  # Site.entries' order
    if site.unbuilt:  # their other problems are reported: their links are too, in the same run
        context = _Context(site=site, pages={e.source.path: e.key for e in site.entries},
                           base_path=site.config.base_path)
        titles = {e.lang: [interface.gettext(e.lang, title) for title in MARKDOWN_TITLES] for e in site.unbuilt}
        for stand_in in site.unbuilt:
            for problem in _convert_entry((context, titles), stand_in)[1]:
                (problems.warn if problem.warning else problems.error)(problem.path, problem.line, problem.message,
                                                                       problem.hint)
    ends = list(itertools.accumulate(map(len, (site.events, site.talks, site.speakers, site.posts, site.pages))))
    return dataclasses.replace(
        site, events=tuple(done[:ends[0]]), talks=tuple(done[ends[0]:ends[1]]),
        speakers=tuple(done[ends[1]:ends[2]]), posts=tuple(done[ends[2]:ends[3]]), pages=tuple(done[ends[3]:]))


def convert_entries(site: Site, entries: Sequence[Entry], problems: Problems, interface: Interface,
                    cache: MarkupCache | None = None, workers: int | None = None) -> list[Entry]:
    """``entries`` of ``site`` (its links are resolved against it) with their HTML filled in, in order.

    A serve session converts only the entries whose bodies were edited (``bodyedit.py``).
    """
    context = _Context(site=site, pages={e.source.path: e.key for e in site.entries}, base_path=site.config.base_path)
    cache = cache if cache is not None else MarkupCache()
    # The site's extensions, their options and their code: changing any of them converts every entry again.
    added = extensions_key(site.config)
    salt = json.dumps([__version__, markdown.__version__, list(BUILT_IN), context.base_path, *([added] if added else [])])
    titles = {lang: [interface.gettext(lang, title) for title in MARKDOWN_TITLES] for lang in {e.lang for e in entries}}
    keys = [hashlib.sha256(json.dumps([salt, titles[e.lang], e.source.path, e.lang, e.body_md, e.summary_md])
                           .encode("utf-8")).hexdigest() for e in entries]
    results: list[dict[str, Any] | None] = []
    for entry, key in zip(entries, keys):
        hit = cache.get(key)
        fresh = hit is not None and all(context.url_of(target, entry.lang) == url
                                        for target, url in hit["linked"].items())
        results.append(hit if fresh else None)
    missing = [index for index, found in enumerate(results) if found is None]
    converted = map_entries(_convert_entry, (context, titles), [entries[i] for i in missing], workers)
    found_by_index = dict(zip(missing, converted))

    def finish(index: int, entry: Entry) -> Entry:
        if index in found_by_index:
            html, found = found_by_index[index]
            for problem in found:
                report = problems.warn if problem.warning else problems.error
                report(problem.path, problem.line, problem.message, problem.hint)
            if all(p.warning for p in found):
                cache.put(keys[index], html)
        else:
            cached = results[index]
            assert cached is not None
            html = cached
            for warning in html["warnings"]:
                problems.warn(*warning)
            cache.put(keys[index], html)
        if entry.imported:
            html = untrusted(html)
        return dataclasses.replace(
            entry, body_html=html["body"], summary_html=html["summary"], toc_html=html["toc"],
            title=typeset_text(entry.title, entry.lang),
            description=entry.description or plain_text(html["summary"], 200),
        )

    return [finish(index, entry) for index, entry in enumerate(entries)]


def untrusted(html: dict[str, Any]) -> dict[str, Any]:
    """An imported entry's conversion through the one sanitizer policy, every build.

    Done after the cache, not before it: what the cache holds is only data the build
    wrote, so a crafted row cannot bring active content to an imported entry either.
    """
    return {**html, "body": clean_converted(html["body"]), "summary": clean_converted(html["summary"]),
            "toc": clean_converted(html["toc"]) if html["toc"] else ""}


_CONVERTER: list[tuple[_Context, markdown.Markdown]] = []  # one per process and build (a worker makes its own)


def _convert_entry(shared: tuple[_Context, dict[str, list[str]]], entry: Entry) -> tuple[dict[str, Any], list[Problem]]:
    """One entry's HTML (body, summary, toc) and the problems found in it; one Markdown conversion."""
    context, all_titles = shared
    if not _CONVERTER or _CONVERTER[0][0] is not context:
        _CONVERTER[:] = [(context, make_markdown(context))]
    md = _CONVERTER[0][1]
    titles = all_titles[entry.lang]
    context.entry, context.linked, context.found = entry, {}, []
    try:  # "1. " 3,000 times on a line nests 3,000 lists: TooDeep (RecursionError kept as the last guard)
        body = _translate_titles(md.reset().convert(entry.body_md), titles)
        toc = getattr(md, "toc", "")
        if not entry.summary_md:
            summary = summary_of(body)
        elif (plain := plain_paragraph(entry.summary_md)) is not None:
            summary = plain
        else:
            summary = md.reset().convert(entry.summary_md)
    except (TooDeep, RecursionError):
        _CONVERTER.clear()  # a converter stopped half-way is not trusted with the next document
        context.found.append(Problem(entry.source.path, entry.body_line, "the text nests lists or quotes too deeply "
                                     "to be converted", "no page needs more than a few levels: remove the extra "
                                     "'1. ', '- ' or '> ' markers"))
        return {"body": "", "summary": "", "linked": {}, "toc": "", "warnings": []}, list(context.found)
    html = {"body": typeset_html(body.replace(MORE, ""), entry.lang),
            "summary": typeset_html(summary, entry.lang), "linked": context.linked,
            "toc": typeset_html(toc, entry.lang) if len(re.findall(r"<h[2-6][ >]", body)) >= 3 else "",
            "warnings": [[p.path, p.line, p.message, p.hint] for p in context.found if p.warning]}
    return html, list(context.found)


# One line of prose with nothing Markdown would act on: letters first, no markup characters.
_PLAIN = re.compile(r"[^\W\d_][^\W_]*(?:[ ,.;:?!'\"()’«»…–—%/-]+[^\W_]*)*[.?!…)»\"’]?")


def plain_paragraph(text: str) -> str | None:
    """``<p>text</p>`` when Markdown would make exactly that of ``text``, else None.

    Most front-matter summaries are one sentence of prose; converting them with the
    full converter cost as much as a body. The test suite checks the equivalence
    against Python-Markdown on generated text.
    """
    if "  " in text or not _PLAIN.fullmatch(text):
        return None
    return f"<p>{text}</p>"


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


_TAG = re.compile(r"<[^>]+>")


def html_text(fragment: str, *, between: str = " ") -> str:
    """The text an HTML fragment reads as: each tag replaced by ``between``, entities decoded,
    white space as written. The one HTML-to-text of the package: ``plain_text`` below, and the
    abstracts of the schedule exports (``between=""``, line breaks kept)."""
    return html.unescape(_TAG.sub(between, fragment))


def plain_text(fragment: str, limit: int | None = None) -> str:
    """Text of an HTML fragment on one line, cut at a word boundary after ``limit`` characters when given.

    For what must be plain text: meta descriptions, calendar descriptions, JSON Feed
    summaries, the words of a comment in ``comments list``.
    """
    text = " ".join(html_text(fragment).split())
    if limit is None or len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _line_of(entry: Entry, needle: str) -> int:
    index = entry.body_md.find(needle)
    if index < 0:
        return entry.body_line
    return entry.body_line + entry.body_md.count("\n", 0, index)


