"""Sanitized HTML into the body of a Markdown file: Markdown where it converts cleanly.

markdownify (a maintained HTML-to-Markdown converter over BeautifulSoup) does the
conversion, block by block. A block that uses only what Markdown can say
(paragraphs, emphasis, links, lists, quotes, code, headings, site images) becomes
Markdown; any other block (a figure, a table) stays as the sanitized HTML, which
Markdown passes through. As a guard, the Markdown is rendered back and its text
compared with the HTML's: if anything was lost or changed, the whole body stays HTML.

Text is escaped for Markdown *and* for HTML (``<``, ``&``): sanitized text may hold a
literal ``<script>`` that was harmless as HTML text and must stay text in Markdown.
"""

from __future__ import annotations

import html
import re
from typing import Any

import markdown
from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag
from markdownify import MarkdownConverter

from museumsite.bounds import TooDeep, markdown_bounds
from museumsite.importers.wordpress.wphtml import LOCAL_UPLOADS

MARKDOWN_TAGS = frozenset({"p", "br", "a", "em", "i", "strong", "b", "h2", "h3", "h4", "h5", "h6", "ul",
                           "ol", "li", "blockquote", "code", "pre", "img", "hr"})
MARKDOWN_ATTRIBUTES = frozenset({"href", "title", "src", "alt", "rel"})
_INLINE = frozenset({"a", "em", "i", "strong", "b", "code", "img", "br", "abbr", "q", "small", "sub", "sup",
                     "del", "ins", "mark", "s", "u", "kbd", "cite"})


_Base: Any = MarkdownConverter  # markdownify's methods are looked up by tag name, untyped


class _Converter(_Base):  # type: ignore[misc]
    def escape(self, text: str, parent_tags: Any) -> str:
        text = html.escape(text, quote=False)
        return str(super().escape(text, parent_tags))

    def convert_img(self, el: Tag, text: str, parent_tags: Any) -> str:
        src = str(el.get("src") or "")
        if src.startswith(LOCAL_UPLOADS):  # relative to content/<kind>/, so the build adds the base path
            el["src"] = "../static" + src
        return str(super().convert_img(el, text, parent_tags))

    def convert_a(self, el: Tag, text: str, parent_tags: Any) -> str:
        href = str(el.get("href") or "")
        if href.startswith(LOCAL_UPLOADS):  # the copied file, found by the build under any base path
            el["href"] = "../static" + href
        return str(super().convert_a(el, text, parent_tags))


_CONVERTER = _Converter(heading_style="ATX", bullets="-", escape_misc=False, strip=["span"],
                        autolinks=False)


def to_body(clean_html: str) -> tuple[str, bool]:
    """(Markdown body, True) or (the sanitized HTML, False) when it would not convert cleanly."""
    try:
        return _to_markdown(clean_html)
    except (RecursionError, TooDeep):  # they recurse once per nested element: thousands are too deep
        return clean_html, False


def _to_markdown(clean_html: str) -> tuple[str, bool]:
    soup = BeautifulSoup(clean_html, "html.parser")
    blocks: list[str] = []
    inline: list[str] = []
    for node in list(soup.contents):
        if isinstance(node, Tag) and node.name not in _INLINE:
            if inline:
                blocks.append(_block(BeautifulSoup(f"<p>{''.join(inline).strip()}</p>", "html.parser")))
                inline = []
            blocks.append(_block(node))
        elif isinstance(node, NavigableString) and not str(node).strip() and not inline:
            continue
        else:
            inline.append(str(node) if isinstance(node, Tag) else html.escape(str(node), quote=False))
    if "".join(inline).strip():
        blocks.append(_block(BeautifulSoup(f"<p>{''.join(inline).strip()}</p>", "html.parser")))
    body = "\n\n".join(b for b in blocks if b.strip())
    if _text(_render(body)) != _text(clean_html):
        return clean_html, False
    return body, True


def _block(node: Any) -> str:
    """One top-level block as Markdown when it converts exactly, else as its HTML."""
    original = str(node).strip()
    tags = [node] if isinstance(node, Tag) else []
    tags += list(node.find_all(True))
    if all(t.name in MARKDOWN_TAGS and set(t.attrs) <= MARKDOWN_ATTRIBUTES for t in tags) and \
            not any(t.name == "img" and not str(t.get("src", "")).startswith(LOCAL_UPLOADS) for t in tags):
        converted = str(_CONVERTER.convert_soup(node)).strip()
        if _text(_render(converted)) == _text(original):
            return converted
    return original


def _render(body: str) -> str:
    return str(markdown.markdown(body, extensions=["fenced_code", "sane_lists", *markdown_bounds()]))


def _text(fragment: str) -> str:
    """The visible text of a fragment, whitespace-normalized, for the round-trip check."""
    text = BeautifulSoup(fragment, "html.parser").get_text(" ")
    return re.sub(r"\s+", "", text)
