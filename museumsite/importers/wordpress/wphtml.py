"""WordPress post HTML made safe and self-contained: paragraphs, shortcodes, embeds, images.

WordPress stores post and comment text half-formatted: blank lines become paragraphs
only when it is shown (``wpautop``), shortcodes (``[caption]``, ``[gallery]``...) are
expanded only by the plugins that registered them, and images point at the old
host's ``wp-content/uploads``. Here all of that is resolved once, before the
sanitizer, so the text that reaches a page holds no shortcode, no Flash and no
image served by a third party.
"""

from __future__ import annotations

import bisect
import html
import posixpath
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from museumsite.sanitize import safe_url

UPLOADS_MARK = "/wp-content/uploads/"
LOCAL_UPLOADS = "/uploads/"  # content/static/uploads/ is published here
_BLOCK = ("address|article|aside|blockquote|dd|div|dl|dt|figcaption|figure|footer|form|h[1-6]|header|hr"
          "|li|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul|object|embed|iframe|video|audio")
_STARTS_BLOCK = re.compile(rf"^\s*</?(?:{_BLOCK})\b", re.IGNORECASE)
_PRE_OPEN = re.compile(r"<pre\b", re.IGNORECASE)
_PRE_CLOSE = re.compile(r"</(pre)>", re.IGNORECASE)
# Shortcodes every WordPress site or Jetpack had: recognised even without attributes.
KNOWN_SHORTCODES = frozenset({
    "caption", "wp_caption", "gallery", "embed", "youtube", "vimeo", "audio", "video", "playlist",
    "soundcloud", "slideshare", "googlemaps", "wpvideo", "dailymotion", "flickr", "instagram", "tweet",
    "twitter", "spotify", "ted", "scribd", "archives", "contact-form", "contact-field", "sourcecode",
    "code", "source", "sc", "latex", "polldaddy", "recipe", "wufoo", "gist", "bandcamp", "issuu",
})
_OPEN = re.compile(r"\[(\[?)([A-Za-z][\w-]*)((?:\s[^\[\]]*?)?|=[^\[\]]*?)\s*(/?)\](\]?)")
_CLOSE = re.compile(r"\[/([A-Za-z][\w-]*)\]")
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
_TAG_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_FLASH = re.compile(r"<(object|embed|iframe)\b([^>]*)>", re.IGNORECASE)
_FLASH_CLOSE = re.compile(r"</(object|embed|iframe)\s*>", re.IGNORECASE)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_HREF_SRC = re.compile(r"""\b(href|src)\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE)


class _Closings:
    """The closing tags of a text by name; the first after a place is found by bisection.

    A pattern such as ``<pre\\b.*?</pre>`` searches forward from each opening, and for
    every opening left unclosed it scans to the end of the text: quadratic, minutes for
    a post of a megabyte. Here the closings are found once, in one pass.
    """

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.starts: dict[str, list[int]] = {}
        self.found: dict[str, list[re.Match[str]]] = {}
        for match in pattern.finditer(text):
            name = match.group(1).lower()
            self.starts.setdefault(name, []).append(match.start())
            self.found.setdefault(name, []).append(match)

    def after(self, name: str, position: int) -> re.Match[str] | None:
        """The first closing of ``name`` that starts at ``position`` or later."""
        starts = self.starts.get(name.lower(), [])
        index = bisect.bisect_left(starts, position)
        return self.found[name.lower()][index] if index < len(starts) else None


@dataclass(slots=True)
class Notes:
    """What converting one export found, for the report and for copying uploads."""

    shortcodes_removed: Counter[str] = field(default_factory=Counter)
    embeds_linked: int = 0
    images_linked: list[str] = field(default_factory=list)  # old image URLs now plain links
    uploads: dict[str, Path] = field(default_factory=dict)  # "2009/10/a.jpg" -> file in --uploads
    uploads_linked: int = 0  # links and images pointed at the copies of the old site's uploads


def wpautop(text: str) -> str:
    """WordPress's paragraph rule: a blank line separates paragraphs, a newline is a break.

    Chunks that already start with a block element are left alone, and ``<pre>``
    keeps its line breaks.
    """
    kept: list[str] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    closings = _Closings(_PRE_CLOSE, text)
    parts: list[str] = []
    done = 0
    for opening in _PRE_OPEN.finditer(text):  # each <pre>...</pre> held aside, its line breaks kept
        close = closings.after("pre", opening.end()) if opening.start() >= done else None
        if close is not None:
            kept.append(text[opening.start():close.end()])
            parts += [text[done:opening.start()], f"\x00pre{len(kept) - 1}\x00"]
            done = close.end()
    text = "".join([*parts, text[done:]])
    chunks = [chunk.strip("\n") for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    out = []
    for chunk in chunks:
        if _STARTS_BLOCK.match(chunk) or re.fullmatch(r"\x00pre\d+\x00", chunk.strip()):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"(?<!>)\n(?!\s*<)", "<br>\n", chunk.strip()) + "</p>")
    result = "\n\n".join(out)
    return re.sub(r"\x00pre(\d+)\x00", lambda m: kept[int(m.group(1))], result)


def attributes(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in _ATTR.finditer(text)}


def _link(url: str, text: str = "") -> str:
    safe = safe_url(html.unescape(url.strip()), site_paths=False)
    if not safe:
        return html.escape(text)
    return f'<a href="{html.escape(safe)}">{html.escape(text or safe)}</a>'


def expand_shortcodes(text: str, attachments: Mapping[str, tuple[str, str]], notes: Notes) -> str:
    """Every shortcode turned into plain HTML or removed (an unknown one keeps its inner text)."""
    for _ in range(5):  # shortcodes nest ([caption] around [embed]); a few passes settle them
        expanded = _expand_once(text, attachments, notes)
        if expanded == text:
            break
        text = expanded
    return text


def _expand_once(text: str, attachments: Mapping[str, tuple[str, str]], notes: Notes) -> str:
    out: list[str] = []
    position = 0
    closings = _Closings(_CLOSE, text)
    for match in _OPEN.finditer(text):
        if match.start() < position:
            continue
        escaped, name, raw, selfclosing, _ = match.groups()
        lname = name.lower()
        close = None if selfclosing else closings.after(name, match.end())
        has_attrs = "=" in raw
        if not (lname in KNOWN_SHORTCODES or close or has_attrs):
            continue  # "[sic]", "[1]": ordinary brackets, not a shortcode
        end = close.end() if close else match.end()
        inner = text[match.end():close.start()] if close else ""
        out.append(text[position:match.start()])
        if escaped and match.group(5):
            out.append(text[match.start() + 1:end - 1])  # [[name]] shows "[name]" literally
        else:
            out.append(_shortcode(lname, raw, inner, attachments, notes))
        position = end
    out.append(text[position:])
    return "".join(out)


def _shortcode(name: str, raw: str, inner: str, attachments: Mapping[str, tuple[str, str]],
               notes: Notes) -> str:
    attrs = attributes(raw)
    bare = raw[1:].strip().strip("\"'") if raw.startswith("=") else raw.strip()
    if name in ("caption", "wp_caption"):
        caption = attrs.get("caption", "")
        media = "".join(re.findall(r"<a\b[^>]*>\s*<img\b[^>]*>\s*</a>|<img\b[^>]*>", inner, re.IGNORECASE))
        text = caption or re.sub(r"<a\b[^>]*>\s*<img\b[^>]*>\s*</a>|<img\b[^>]*>", "", inner).strip()
        if text.count("<a") > text.count("</a"):  # a link left open around the image: drop its tag
            text = re.sub(r"<a\b[^>]*>", "", text)
        return f"<figure>{media}<figcaption>{text}</figcaption></figure>"
    if name == "gallery":
        ids = [i.strip() for i in attrs.get("ids", attrs.get("include", "")).split(",") if i.strip()]
        found = [attachments[i] for i in ids if i in attachments]
        if not found:
            notes.shortcodes_removed["gallery (no known images)"] += 1
            return ""
        return "\n\n" + "\n\n".join(f'<p><img src="{html.escape(url)}" alt="{html.escape(title)}"></p>'
                                      for url, title in found) + "\n\n"
    if name in ("embed", "youtube", "vimeo", "dailymotion", "ted", "wpvideo", "soundcloud", "spotify",
                "slideshare", "flickr", "instagram", "tweet", "gist", "bandcamp", "issuu", "scribd"):
        url = inner.strip() or attrs.get("url", attrs.get("src", attrs.get("id", ""))) or bare
        url = url.split()[0] if url.split() else ""
        if name == "youtube" and url and not url.startswith("http"):
            url = f"https://www.youtube.com/watch?v={url}"
        link = _link(url)
        if not link:
            notes.shortcodes_removed[name] += 1
            return ""
        notes.embeds_linked += 1
        return f"\n\n<p>{link}</p>\n\n"
    if name in ("audio", "video", "playlist"):
        urls = [attrs[k] for k in ("src", "mp3", "m4a", "ogg", "wav", "mp4", "m4v", "webm", "ogv", "flv")
                if attrs.get(k)] or [u for u in re.findall(r"https?://\S+", inner)]
        links = [_link(u) for u in urls]
        if not any(links):
            notes.shortcodes_removed[name] += 1
            return ""
        notes.embeds_linked += 1
        return "\n\n<p>" + "<br>".join(l for l in links if l) + "</p>\n\n"
    if name in ("sourcecode", "code", "source", "sc"):
        return f"<pre><code>{html.escape(html.unescape(inner.strip()))}</code></pre>"
    notes.shortcodes_removed[name] += 1
    return inner


def replace_embeds(text: str, notes: Notes) -> str:
    """Flash ``<object>``/``<embed>`` and ``<iframe>`` players become a plain link to their media."""

    def replace(match: re.Match[str], body: str) -> str:
        tag_attrs = {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
                     for m in _TAG_ATTR.finditer(match.group(2))}
        movie = re.search(r"""<param\b[^>]*name\s*=\s*["']?(?:movie|src)["']?[^>]*>""", body, re.IGNORECASE)
        url = ""
        if movie:
            found = re.search(r"""value\s*=\s*["']([^"']+)""", movie.group(0), re.IGNORECASE)
            url = found.group(1) if found else ""
        url = url or tag_attrs.get("data", "") or tag_attrs.get("src", "")
        if not url:
            inner = re.search(r"""<embed\b[^>]*src\s*=\s*["']([^"']+)""", body, re.IGNORECASE)
            url = inner.group(1) if inner else ""
        youtube = re.match(r"https?://(?:www\.)?youtube(?:-nocookie)?\.com/(?:v|embed)/([\w-]+)", url)
        if youtube:
            url = f"https://www.youtube.com/watch?v={youtube.group(1)}"
        if url.startswith("//"):
            url = "https:" + url
        link = _link(url)
        notes.embeds_linked += 1 if link else 0
        return f"\n\n<p>{link}</p>\n\n" if link else ""

    closings = _Closings(_FLASH_CLOSE, text)
    parts: list[str] = []
    done = 0
    for opening in _FLASH.finditer(text):  # the player up to its own closing tag, when it has one
        if opening.start() < done:
            continue
        close = closings.after(opening.group(1), opening.end())
        end = close.end() if close else opening.end()
        parts += [text[done:opening.start()], replace(opening, text[opening.end():end])]
        done = end
    return "".join([*parts, text[done:]])


def upload_path(url: str, base_url: str = "") -> str | None:
    """'2009/10/a.jpg' for an old uploads URL, None for anything else or a path that escapes."""
    url = html.unescape(url.strip())
    if base_url and url.startswith("/"):
        url = base_url.rstrip("/") + url
    try:
        path = urlsplit(url).path
    except ValueError:  # "http://[x/": not a URL, so not an upload's either
        return None
    if UPLOADS_MARK not in path:
        return None
    rel = posixpath.normpath(unquote(path.split(UPLOADS_MARK, 1)[1]))
    if rel in (".", "") or rel.startswith(("..", "/")) or "\\" in rel:
        return None
    return rel


def localize_uploads(text: str, base_url: str, uploads_dir: Path | None, notes: Notes) -> str:
    """Point uploads found in ``uploads_dir`` at the site's copy; note every image left behind.

    Images that stay remote are turned into links by the sanitizer; their old URLs are
    listed in the report so the author can fetch them.
    """

    def rewrite(match: re.Match[str]) -> str:
        quoted = match.group(2)
        url = quoted[1:-1]
        rel = upload_path(url, base_url)
        if rel and uploads_dir is not None:
            source = (uploads_dir / rel).resolve()
            if source.is_file() and source.is_relative_to(uploads_dir.resolve()):
                notes.uploads[rel] = source
                notes.uploads_linked += 1
                return f'{match.group(1)}="{LOCAL_UPLOADS}{html.escape(rel)}"'
        return match.group(0)

    def image(match: re.Match[str]) -> str:
        tag = _HREF_SRC.sub(rewrite, match.group(0))
        if base_url:  # a site path on the old site ("/theme/a.png") is not one on the new site
            tag = re.sub(r"""\bsrc\s*=\s*(["'])/(?!/|uploads/)""",
                         lambda m: f"src={m.group(1)}{base_url.rstrip('/')}/", tag, flags=re.IGNORECASE)
        src = re.search(r"""\bsrc\s*=\s*["']([^"']*)""", tag, re.IGNORECASE)
        if src and not src.group(1).startswith(LOCAL_UPLOADS):
            notes.images_linked.append(html.unescape(src.group(1)))
        return tag

    text = _IMG.sub(image, text)
    return re.sub(r"<a\b[^>]*>", lambda m: _HREF_SRC.sub(rewrite, m.group(0)), text, flags=re.IGNORECASE)
