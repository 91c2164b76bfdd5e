"""Reading a built site the way a reader's browser and feed reader would, and what may never be in it."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import html5lib
from lxml import etree

# -- reading pages ---------------------------------------------------------------------------

# Attributes whose value a browser loads or follows as a URL.
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset",
                            "background", "cite", "longdesc", "data-embed", "data-file"})
# Attributes whose URL the browser fetches as soon as the page loads (no click).
LOAD_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data", "background"})
_LOADING_LINKS = frozenset({"stylesheet", "icon", "preload", "prefetch", "preconnect", "dns-prefetch",
                            "modulepreload", "manifest", "apple-touch-icon"})
_SQUASH = re.compile(r"[\x00-\x20\x7f]+")
_THEME_SCRIPT = re.compile(r"(?:/[\w.-]+)*/(theme/js|pagefind)/[\w.-]+\.js")


def walk(element: Any) -> Iterator[Any]:
    yield element
    for child in element:
        yield from walk(child)


def local_name(name: Any) -> str:
    name = name if isinstance(name, str) else name[1]
    return str(name).rsplit("}", 1)[-1]


def parse_html(data: bytes | str | Path) -> Any:
    """A page or fragment (its bytes, text or file) as an ElementTree, parsed as a browser would (html5lib)."""
    if isinstance(data, Path):
        data = data.read_bytes()
    return html5lib.parse(data, treebuilder="etree", namespaceHTMLElements=False)


def text_of(document: Any) -> str:
    """What a reader sees: every text node, except those of scripts and styles."""
    parts = []
    for element in walk(document):
        if isinstance(element.tag, str) and local_name(element.tag) not in ("script", "style"):
            parts.append(element.text or "")
        parts.append(element.tail or "")
    return "".join(parts)


def _urls(name: str, value: str) -> list[str]:
    """The URLs an attribute holds: ``srcset`` lists several, each followed by its size."""
    return value.split(",") if name == "srcset" else [value]


def _foreign(url: str, host: str) -> bool:
    """True when loading ``url`` asks another host than ``host`` (relative and site URLs do not)."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) and (parts.hostname or "") != host


def active_content(document: Any, host: str = "example.org") -> list[str]:
    """What would run or load by itself in a reader's browser, except the theme's own scripts.

    Scripts, event handlers, ``javascript:``/``vbscript:``/``data:`` URLs, frames and plugins,
    a ``style`` attribute or element carrying ``url(``/``expression(``, and anything fetched from
    another host than ``host`` when the page loads (images, media, style sheets, icons).
    """
    found = []
    for element in walk(document):
        if not isinstance(element.tag, str):
            continue
        tag = local_name(element.tag)
        if tag == "script":
            src = element.get("src", "")
            if element.get("type") == "application/ld+json":
                json.loads(element.text or "")  # structured data: JSON, whole (a break-out would cut it)
            elif not _THEME_SCRIPT.fullmatch(src) or (element.text or "").strip():
                found.append(f"script {src!r} {(element.text or '')[:60]!r}")
        if tag in ("iframe", "object", "embed", "svg", "math", "base", "frame", "applet"):
            found.append(f"<{tag}>")
        css = "".join(element.itertext()).lower() if tag == "style" else ""
        if any(token in css for token in ("<", "url(", "expression(", "javascript:", "@import", "\\")):
            found.append(f"<style> {css[:80]!r}")
        if tag == "link" and set(element.get("rel", "").lower().split()) & _LOADING_LINKS \
                and _foreign(element.get("href", ""), host):
            found.append(f"<link rel={element.get('rel')!r} href={element.get('href')!r}>")
        for name, value in element.attrib.items():
            name = local_name(name)
            squashed = _SQUASH.sub("", value).lower()
            if name.startswith("on"):
                found.append(f"{name}= on <{tag}>")
            if name == "style" and any(token in squashed for token in ("url(", "expression(", "javascript:")):
                found.append(f"style={value!r} on <{tag}>")
            if name == "content" and element.get("http-equiv", "").lower() == "refresh":
                squashed = squashed.partition("url=")[2]
                name = "href"  # the address a refresh goes to
            # A browser drops spaces, tabs and newlines from a URL before it reads the scheme;
            # "javascript:" later in a path (https://x/javascript:...) is only text.
            if name in URL_ATTRIBUTES and any(url.startswith(("javascript:", "vbscript:", "data:"))
                                              for url in _urls(name, squashed)):
                found.append(f"{name}={value!r} on <{tag}>")
            if name in LOAD_ATTRIBUTES and any(_foreign(url.strip().split(" ")[0], host)
                                               for url in value.split(",") if url.strip()):
                found.append(f"remote load {name}={value!r} on <{tag}>")
    return found


# Fields that readers take as HTML (or as Markdown, which passes HTML through): JSON Feed's
# content_html; a schedule's abstract, description and biography; Atom and RSS content. Titles,
# names and JSON Feed's summary are plain text by their specifications, shown as text.
HTML_FIELDS = frozenset({"content_html", "abstract", "description", "biography", "content", "summary", "encoded"})


def _carries_html(element: Any) -> bool:
    """An element of a feed or schedule whose text readers take as HTML, by its format's specification.

    Atom: content and summary of type html; RSS: an item's description and content:encoded (a
    channel's description is a plain-text phrase); schedules: abstracts, descriptions, biographies.
    """
    name = local_name(element.tag)
    if name in ("content", "summary") and element.get("type") in ("html", "xhtml"):
        return True
    if name == "description":
        parent = element.getparent()
        return parent is None or local_name(parent.tag) != "channel"
    return name in ("encoded", "abstract", "biography")


def _html_strings(value: Any, key: str = "") -> Iterator[str]:
    """Every string in a JSON document that readers take as markup."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _html_strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _html_strings(item, key)
    elif isinstance(value, str) and key in HTML_FIELDS - {"summary"} and "<" in value:
        yield value


def _json_urls(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("url", "external_url", "image", "banner_image", "icon", "favicon") and isinstance(item, str):
                yield item
            else:
                yield from _json_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_urls(item)


def active_content_in_file(path: Path, host: str = "example.org") -> list[str]:
    """``active_content`` of a built file: a page, or the HTML carried by an Atom/RSS/JSON feed."""
    data = path.read_bytes()
    if path.suffix == ".html":
        return active_content(parse_html(data), host)
    found: list[str] = []
    if path.suffix in (".xml", ".atom", ".rss") and data.lstrip().startswith(b"<"):
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            return [f"not well-formed XML: {exc}"]
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                if local_name(name) in ("href", "src", "url") and re.match(r"\s*(javascript|vbscript|data):",
                                                                             value, re.IGNORECASE):
                    found.append(f"{local_name(element.tag)} {name}={value!r}")
            if element.text and "<" in element.text and _carries_html(element):
                found += active_content(parse_html(element.text), host)
    elif path.suffix == ".json":
        try:
            document = json.loads(data)
        except ValueError:
            return found
        for markup in _html_strings(document):
            found += active_content(parse_html(markup), host)
        found += [f"url {url!r}" for url in _json_urls(document)
                  if re.match(r"\s*(javascript|vbscript|data):", url, re.IGNORECASE)]
    return found


def active_content_in_tree(output: Path, host: str = "example.org") -> dict[str, list[str]]:
    """Every built page and feed under ``output`` that carries active content, with what it carries."""
    found = {}
    for path in sorted(output.rglob("*")):
        if path.suffix in (".html", ".xml", ".atom", ".rss", ".json") and path.is_file() \
                and (hits := active_content_in_file(path, host)):
            found[path.relative_to(output).as_posix()] = hits
    return found


def fragments(site: Path) -> dict[str, dict[str, str]]:
    """language -> {url: indexed text}, decoded from the gzipped Pagefind fragment files of every shard."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted((site / "pagefind").glob("**/fragment/*")):
        data = gzip.decompress(path.read_bytes())
        record = json.loads(data[data.index(b"{"):])
        found.setdefault(path.name.split("_")[0], {})[record["url"]] = record["content"]
    return found

