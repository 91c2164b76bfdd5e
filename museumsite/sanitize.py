"""The one sanitizer policy for untrusted text: comment bodies, imported posts, schedules.

Everything that did not come from the site's own author (an old WordPress comment, a
Disqus export, an abstract pulled from a conference schedule) goes through here before
it reaches a page or a feed. Three entry points, one per kind of field:

- ``clean_html`` for HTML fragments: nh3 (Rust's ammonia, an html5ever parser, so it
  reads markup the way browsers do) with one small allow-list;
- ``clean_text`` for plain-text fields (names, titles): only control characters go,
  because templates escape the rest;
- ``safe_url`` for URL fields: a strict yes/no, so a template can link or not link.

Decisions where the brief was open, and why:

- Headings ``h2``-``h6`` are allowed: imported posts need them, and the page title is
  the page's only ``h1``, so an ``h1`` tag is dropped (its text stays).
- ``img`` survives only with a site path (``/images/x.png``: an upload the importer
  copied). An image elsewhere becomes a plain link to it, because an ``img`` pointing
  at a third-party host makes every reader's browser call that host (tracking, broken
  images once the host is gone). Inside a link it becomes its alt text.
- Links keep ``href`` (http, https, mailto, a site path, or a ``#fragment`` such as the
  ``#comment-12`` links old WordPress replies carry) and ``title``; every link gets
  ``rel="nofollow ugc noopener"``: search engines must not credit links written by
  strangers, and no page opened from a comment may script its opener.
- No ``class``, ``id``, ``style`` or ``lang`` from untrusted markup: they could spoof
  the theme's own elements (a fake "staff" badge) or clash with its ids.

A fourth entry point, ``clean_converted``, is the same policy applied at build time to
what museumsite's own Markdown conversion made of an imported file. Imported bodies are
Markdown (or HTML) that the build converts again, with extensions such as ``attr_list``
that turn plain text (``{: onfocus=...}``) into attributes; sanitizing only at import
would trust that second pass. So the converted HTML of every entry an importer wrote
goes through the allow-list once more, whatever Markdown configuration made it. The only
additions are the structures the converter itself writes and the theme styles: heading
and footnote ids (checked like fragments), and a closed set of class names (permalinks,
footnotes, highlighted code). No ``style`` (Markdown's table alignment is dropped).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from pygments.token import STANDARD_TYPES

# C0 controls except tab, LF and CR; DEL and the C1 controls; lone surrogates; the
# Unicode noncharacters. HTML calls each a parse error, validators reject the page,
# and some (NUL, \x0b, \x0c, ESC) crash XML tools downstream.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})

# "*" must be present and empty: without it ammonia allows lang and title on every tag.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": set(),
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}

# What museumsite's own Markdown conversion adds to a body (see ``clean_converted``).
CONVERTED_TAGS = frozenset({"div", "span"})
CONVERTED_IDS = frozenset({"h2", "h3", "h4", "h5", "h6", "li", "sup"})
CONVERTED_CLASSES: dict[str, set[str]] = {
    "a": {"headerlink", "footnote-ref", "footnote-backref"},
    "div": {"footnote", "highlight", "toc"},
    "span": {name for name in STANDARD_TYPES.values() if name},
}


# Dropped together with everything inside them: their content is code or a
# fallback for it, never text a reader wrote for the page.
_DROP_WITH_CONTENT = frozenset({
    "script", "style", "template", "iframe", "noscript", "noembed", "noframes", "object",
    "svg", "math", "textarea", "select", "xmp", "title",
})

LINK_REL = "nofollow ugc noopener"
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
_FRAGMENT = re.compile(r"#[A-Za-z0-9_.:-]{1,200}")
_ASCII_WHITESPACE = " \t\n\r\f"


def strip_controls(text: str) -> str:
    """Remove control characters (keeping tab, LF, CR) and other code points HTML forbids."""
    return _CONTROLS.sub("", text)


def clean_text(text: str) -> str:
    """A plain-text field (a name, a title) with control characters removed, else verbatim.

    Escaping is the templates' job (autoescape is on everywhere), so ``<`` stays ``<``
    here and shows as ``<`` on the page. A carriage return (alone or before a line feed)
    becomes a line feed: HTML and XML readers would turn it into one anyway, so a CR
    written into an attribute or ``schedule.xml`` is text the reader never sees as such.
    """
    return strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))


def safe_url(url: str, *, site_paths: bool = True, mailto: bool = False) -> str | None:
    """``url`` without surrounding whitespace if it is safe to link, else None.

    Safe means an absolute http(s) URL with a host, a ``mailto:`` address (only when
    ``mailto``), or a path on this site starting with exactly one ``/`` (only when
    ``site_paths``). Anything with control characters, inner whitespace (``java\\tscript:``
    is ``javascript:`` to a browser) or a backslash (``/\\evil.example`` is
    protocol-relative to a browser) is refused, and so are credentials in the URL
    (``https://bank.example@evil.example/`` only serves to mislead). Quotes and
    ``<`` may remain: the result is safe to link, and still escaped by the template.
    """
    url = url.strip(_ASCII_WHITESPACE)
    if not url or _CONTROLS.search(url) or "\\" in url or any(c.isspace() for c in url):
        return None
    if url.startswith("/"):
        return url if site_paths and not url.startswith("//") else None
    scheme, _, rest = url.partition(":")
    scheme = scheme.lower()
    if scheme == "mailto":
        return url if mailto and rest.strip("/") else None
    if scheme not in {"http", "https"}:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.password is not None:
        return None
    if not rest.startswith("//"):
        return None
    return url


def _href(value: str) -> str | None:
    if _FRAGMENT.fullmatch(value):
        return value
    return safe_url(value, site_paths=True, mailto=True)


def _attribute_filter(allow_remote_images: bool) -> Callable[[str, str, str], str | None]:
    """nh3's per-attribute hook: URL attributes must pass ``safe_url``, ids look like fragments, others stay."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            return value if _FRAGMENT.fullmatch("#" + value) else None
        if attribute not in _URL_ATTRIBUTES:
            return value
        if tag == "a":
            return _href(value)
        url = safe_url(value)
        if tag == "img" and url and not allow_remote_images and not url.startswith("/"):
            return None
        return url

    return keep


def _nh3(fragment: str, *, allow_remote_images: bool, converted: bool = False) -> str:
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    if converted:
        for tag in CONVERTED_IDS:
            attributes.setdefault(tag, set()).add("id")
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS | CONVERTED_TAGS) if converted else set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=attributes,
        attribute_filter=_attribute_filter(allow_remote_images),
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        allowed_classes={tag: set(names) for tag, names in CONVERTED_CLASSES.items()} if converted else None,
    )


def clean_html(fragment: str) -> str:
    """Untrusted HTML reduced to the allow-list, safe to put in a page as is.

    Control characters go first (nh3 keeps them, and validators reject them), then
    nh3 with the policy above; remote images become links in a second step, after
    which nh3 runs once more, so the result is always nh3's own output.
    """
    cleaned = _nh3(strip_controls(fragment), allow_remote_images=True)
    if "<img" not in cleaned:
        return cleaned
    return _nh3(_delink_images(cleaned), allow_remote_images=False)


def clean_converted(fragment: str) -> str:
    """The build's HTML of an imported entry, reduced to the same allow-list as ``clean_html``.

    Also kept: what the converter itself writes (heading and footnote ids, the class names
    in ``CONVERTED_CLASSES``). Comments go, so a ``<!--more-->`` cut must be made before.
    """
    cleaned = _nh3(strip_controls(fragment), allow_remote_images=True, converted=True)
    if "<img" not in cleaned:
        return cleaned
    return _nh3(_delink_images(cleaned), allow_remote_images=False, converted=True)


class _ImageRewriter(HTMLParser):
    """Re-serialises nh3's output, turning remote images into links (or alt text).

    nh3's output is well-formed and holds only allow-listed tags, so this plain parser
    reads it faithfully; its own output goes through nh3 again anyway.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.link_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "img" and not values.get("src", "").startswith("/"):
            self._remote_image(values)
            return
        if tag == "a":
            self.link_depth += 1
        rendered = "".join(f' {name}="{html.escape(value, quote=True)}"'
                           for name, value in values.items())
        self.out.append(f"<{tag}{rendered}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.link_depth = max(0, self.link_depth - 1)
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))

    def _remote_image(self, values: dict[str, str]) -> None:
        src = values.get("src", "")
        text = values.get("alt", "").strip() or values.get("title", "").strip() or src
        if not src or self.link_depth:
            self.out.append(html.escape(values.get("alt", ""), quote=False))
            return
        self.out.append(f'<a href="{html.escape(src, quote=True)}">'
                        f"{html.escape(text, quote=False)}</a>")


def _delink_images(cleaned: str) -> str:
    rewriter = _ImageRewriter()
    rewriter.feed(cleaned)
    rewriter.close()
    return "".join(rewriter.out)
