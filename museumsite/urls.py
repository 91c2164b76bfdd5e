"""Slugs, permalinks and the mapping from URLs to output files.

A URL is site-relative ("/talks/keynote/") until a template asks for it with the
base path ("/project/talks/keynote/") or a feed with the whole base_url. An output
path is derived from a URL, never from a slug or a file name directly, and is
checked to stay inside the output folder.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import posixpath
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote, unquote, urljoin

# File systems refuse names over 255 bytes; a segment (one folder or file name of a URL)
# stays well under that, and a whole URL under what every server and OS path accepts.
MAX_SEGMENT_BYTES = 200
MAX_URL_BYTES = 1800
# A slug is shorter still, so a pattern can add to it ('{slug}.ics', a language prefix).
MAX_SLUG_BYTES = 100
# Pure functions called for every link of every page (a tag list, a feed entry) keep
# their answers: the same few thousand names and paths recur on thousands of pages.
_MEMO = 1 << 16
# Symbols that name things in tags ('C++', 'C#'): spelt out rather than dropped, so
# 'C++', 'C#' and 'C' are three tags, not one.
_SYMBOLS = {"+": " plus ", "#": " sharp "}
_SYMBOL = re.compile("[" + re.escape("".join(_SYMBOLS)) + "]")
# Bidirectional overrides and isolates: invisible, and used to disguise names.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@functools.cache
def _slugifier() -> Callable[..., str]:
    """python-slugify's function, imported when first needed: a no-op build (config and URL checks) never is."""
    from slugify import slugify

    return slugify


def _slugify(text: str, **options: bool) -> str:
    return _slugifier()(text, **options)


def make_slug(text: str) -> str:
    """ASCII slug for a title or a file name: "Évaluer l'usage" -> "evaluer-l-usage".

    Always a valid URL segment (see ``check_url``): a slug longer than MAX_SLUG_BYTES
    is cut and given a short hash of the text, so it stays distinct. Text with no
    letter or digit is "untitled" (callers put a better name in its place).
    """
    return _shorten(_slugify(text), text) or "untitled"


@functools.lru_cache(maxsize=_MEMO)
def tag_slug(name: str) -> str:
    """The slug of a tag's page: like ``make_slug``, but fit for names in any script.

    Latin letters lose their accents ("Musées" -> "musees"); letters of other scripts
    are kept as written ("日本語" stays "日本語", percent-encoded in links), because
    transliteration guesses the language: Japanese kanji came out as Chinese pinyin,
    Arabic as bare consonants. 'C++' and 'C#' are spelt out, so they, and 'C', are three
    tags; a name with no letter or digit ('***') is 'untitled-' and a hash of the name,
    so two such tags never share a page. File names keep ``make_slug``'s ASCII, which
    every keyboard can type.
    """
    text = unicodedata.normalize("NFKC", name).strip()
    spelt = _SYMBOL.sub(lambda m: _SYMBOLS[m.group()], text)
    latin = "".join(_latin_ascii(spelt))
    slug = _shorten(_slugify(latin, allow_unicode=True), text)
    if not slug:
        return f"untitled-{_digest(text)}" if text else "untitled"
    return slug


def _latin_ascii(text: str) -> list[str]:
    """Latin letters as ASCII, with the accents that follow them ('À' + a combining grave is still
    'a': left alone, the mark would come back on the 'a' and the slug would not slug to itself)."""
    out: list[str] = []
    after_latin = False
    for ch in text:
        if after_latin and unicodedata.combining(ch):
            continue
        after_latin = _is_latin(ch)
        out.append(_slugify(ch, lowercase=False) or " " if after_latin else ch)
    return out


@functools.lru_cache(maxsize=_MEMO)
def page_slug(text: str) -> str:
    """The slug of a new content file: ``make_slug`` for Latin text, ``tag_slug`` for other scripts.

    "日本語のタイトル" stays as written (a page URL percent-encodes it, as tag pages
    do) instead of becoming Chinese pinyin; Latin titles keep the ASCII slug every
    keyboard can type.
    """
    if any(char.isalpha() and ord(char) > 127 and not _is_latin(char) for char in text):
        return tag_slug(text)
    return make_slug(text)


def _shorten(slug: str, text: str) -> str:
    if len(slug.encode("utf-8")) <= MAX_SLUG_BYTES:
        return slug
    cut = slug.encode("utf-8")[: MAX_SLUG_BYTES - 10].decode("utf-8", "ignore")
    head, dash, _ = cut.rpartition("-")
    cut = head if dash and len(head) >= len(cut) // 2 else cut
    return f"{cut.strip('-')}-{_digest(text)}"


def _is_latin(char: str) -> bool:
    return ord(char) > 127 and unicodedata.name(char, "").startswith("LATIN")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def check_url(url: str) -> str | None:
    """What is wrong with a site path as the address of a page or file, or None if it is safe.

    The one check every URL goes through, whatever made it (a slug, a permalink
    pattern, a translated slug, an alias from an import, a tag): a URL that passes
    maps to a file inside the output folder (no '..', no '//', no backslash, no
    hidden '.name' that could reach a '.git' kept in the output), holds no control
    character or NUL, and has segments short enough for any file system.
    """
    if not url.startswith("/"):
        return "does not start with '/'"
    if url.startswith("//"):
        return "starts with '//', which names another host"
    for char in url:
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI:
            return f"contains the control character U+{ord(char):04X}"
    for char in "\\?#":
        if char in url:
            return f"contains '{char}'"
    if len(url.encode("utf-8")) > MAX_URL_BYTES:
        return f"is longer than {MAX_URL_BYTES} bytes"
    segments = url[1:].split("/")
    for index, segment in enumerate(segments):
        decoded = unquote(segment)
        if not segment:
            if index < len(segments) - 1:
                return "contains '//'"
        elif decoded in (".", ".."):
            return f"contains '{segment}'"
        elif any(c in decoded for c in "/\\\x00"):
            return f"contains an encoded '/', '\\' or NUL in '{segment}'"
        elif segment.startswith(".") or decoded.startswith("."):
            return f"has a hidden name '{segment}'"
        elif len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            return f"has a part longer than {MAX_SEGMENT_BYTES} bytes"
    return None


def expand(pattern: str, *, slug: str, lang: str, default_language: str,
           date: dt.date | None = None, event: str = "", prefix: str = "/{lang}/") -> str:
    """Fill a permalink pattern; other languages than the default get their prefix ('/fr/')."""
    values = {"slug": slug, "lang": lang, "event": event,
              "year": f"{date.year:04d}" if date else "",
              "month": f"{date.month:02d}" if date else "",
              "day": f"{date.day:02d}" if date else ""}
    url = pattern.format(**values)
    if "{lang}" not in pattern:
        url = localize(url, lang, default_language, prefix)
    # Empty values ('{year}' of an undated page) leave '//', which is closed up; '..'
    # is kept as written, for check_url to refuse, never flattened into another path.
    url = re.sub("/{2,}", "/", url)
    return url.rstrip("/") + "/" if url != "/" else "/"


def localize(path: str, lang: str, default_language: str, prefix: str = "/{lang}/") -> str:
    """A site path in a language's part of the site: '/posts/' -> '/fr/posts/' (the default stays)."""
    if lang == default_language:
        return path
    return prefix.format(lang=lang).rstrip("/") + path


def same_file_key(path: str) -> str:
    """One key for the spellings of a path that name one file somewhere (the build's
    collision check, an importer's claim on an old address).

    Case-insensitive file systems (macOS, Windows) merge "A" and "a", and macOS merges
    the composed and decomposed spellings of an accent ("é" as one character or as "e"
    and a combining accent, NFC and NFD): Unicode's canonical caseless form covers both.
    """
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", path).casefold())


@functools.lru_cache(maxsize=_MEMO)
def url_to_path(url: str) -> str:
    """Output path for a site URL: '/talks/x/' -> 'talks/x/index.html', '/feed.xml' -> 'feed.xml'.

    Raises ValueError for a URL that ``check_url`` refuses: the last guard before a write.
    """
    path = url.split("#", 1)[0].split("?", 1)[0]
    if problem := check_url(path):
        raise ValueError(f"URL {url!r} {problem}")
    if path.endswith("/"):
        path += "index.html"
    clean = posixpath.normpath(path.lstrip("/"))
    if clean.startswith("..") or posixpath.isabs(clean) or clean == ".":
        raise ValueError(f"URL {url!r} points outside the site")
    return clean


@functools.lru_cache(maxsize=_MEMO)
def link(url: str, base_path: str) -> str:
    """A root-relative link that works when the site lives under a sub-path."""
    return base_path.rstrip("/") + quote(url, safe="/#?=&%:@~!$'()*+,;")


@functools.lru_cache(maxsize=_MEMO)
def absolute(url: str, base_url: str) -> str:
    """The whole address of a site path, for feeds, canonical links and alternates."""
    return urljoin(base_url if base_url.endswith("/") else base_url + "/", url.lstrip("/"))
