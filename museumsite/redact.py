"""The one e-mail address redaction, for every text a stranger wrote.

A comment from an old WordPress or Disqus export, a comment from the inbox (a form's
JSON or an e-mail) and a hand-written comment archive all reach pages, feeds and the
search index; none of them may publish an e-mail address. Importers and the inbox cut
addresses before they write anything, and the build cuts them again from every
comment it publishes, so an archive written by hand (or by an older museumsite) is
covered too. Fields the site owner sets deliberately (its configuration, its own posts
and their authors) are not stranger text and are left alone.

What counts as an address, and why it is found the way it is:

- Internationalized addresses (``josé@exemple.fr``, ``user@exämple.de``, any script,
  letters with combining marks) and IDN dots (``。``): a local part or a domain label
  is any run of characters that are not space or punctuation an address cannot hold
  (``_STOP_CHARS``), since ``re``'s ``\\w`` has no combining marks; a top-level label
  needs a letter, so "3@1.50" or "10 @ 12.30" are no addresses.
- Quoted local parts (``"jean martin"@example.com``) and address literals
  (``ana@[192.0.2.1]``).
- Encoded forms a reader still sees as an address: character references
  (``ana&#64;example.org``, ``&#x40;``, ``&commat;``, Python-Markdown's all-entity
  mailto links), ``%40`` in URLs, the ``[at]``/``(at)``/``[dot]`` spellings, and an at sign
  with spaces after it (``ana @ example.org``, written so to keep robots out): then only
  with a top-level label of letters and no "www." (so "dinner @ 7.30pm" and "more @
  www.museu.cat" stay), and not with spaces before it alone, which is a handle (``follow
  @ana.bsky.social``); a dot of the domain with spaces or a line break before it
  (``ana@example .org``, a mail client's wrap), but not with spaces after it alone,
  which is prose ("write to ana@museu. Thanks"). The text
  is searched in a decoded view whose every character knows the span of the source it
  came from, so what is cut is exactly the encoded source.
- What a right-to-left override (U+202E) shows backwards: ``\u202egro.elpmaxe@ana`` is read
  "ana@example.org", so each overridden run (up to its pop, the line's end, or 500 characters)
  is searched reversed too, and cut whole when it holds an address.
- ``mailto:`` links go, with their text when it is the address; an address in a URL's
  user name, path or query is cut, and a link or author URL holding one is dropped.

Each address is replaced by ``MARKER``, "…@…": it reads the same in every language,
means nothing to Markdown (a bracketed "[…]" would be a link's text to it, and slowed
its conversion threefold on a body of many cut addresses), and the search for
addresses never finds it again (a second pass cuts nothing). A fediverse handle
(``@ana@example.social``) has the shape of an address and is cut too: nothing tells
the two apart, and publishing an address is the worse mistake. One compiled pattern
finds the candidates, each part bounded (a local part at most 128 characters, twice
RFC 5321's 64 octets; 21 labels of 63), so the time is linear in the text's length
whatever it holds (``benchmarks/redaction.py``).
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

MARKER = "…@…"
AT_SIGNS = "@\uff20\ufe6b"  # @, fullwidth, small
_DOTS = ".\u3002\uff0e\uff61"  # the dots IDNA reads as label separators
# What ends a local part: space, the punctuation RFC 5322 leaves out of an unquoted one, what
# Markdown and URLs put around an address (*, `, {, |, }, /, =, ?, &), and prose punctuation.
_STOP_CHARS = "\"(),:;<>@[]\\/=?&*`{|}~…«»“”‘’„‚‹›–—¡¿·•、。，；：！？（）【】「」『』\uff20\ufe6b"
_STOP = r"\s" + re.escape(_STOP_CHARS)
_LONGEST_LOCAL = 128  # twice RFC 5321's 64 octets: generous, and still a bound
_MAYBE = re.compile(r"[@\uff20\ufe6b]|%40|&#0*64\b|&#x0*40\b|&commat\b|[\[({<]\s*at\s*[\])}>]", re.IGNORECASE)
_LABEL = rf"[^{_STOP}{re.escape(_DOTS)}!#$%'+^_]{{1,63}}"
_CANDIDATE = (  # loose: a domain of one label will do
    rf"(?:(?P<quoted>[\"\u201c\u00ab][^\"\u201d\u00bb\n]{{1,{_LONGEST_LOCAL}}}[\"\u201d\u00bb])"
    rf"|(?<![^{_STOP}])(?P<local>[^{_STOP}]{{1,{_LONGEST_LOCAL}}}))?"
    rf"(?P<at>[{AT_SIGNS}])(?P<domain>\[(?:IPv6:)?[0-9A-Fa-f:.]{{1,45}}\]|{_LABEL}(?:[{re.escape(_DOTS)}]{_LABEL}){{MIN,20}})")
_CANDIDATES = {False: re.compile(_CANDIDATE.replace("MIN", "1")), True: re.compile(_CANDIDATE.replace("MIN", "0"))}
_SPLIT_AT = re.compile(rf"\s*([{AT_SIGNS}])\s*(?=[^\s{AT_SIGNS}]+[{re.escape(_DOTS)}][^\s{AT_SIGNS}])")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_LETTER = re.compile(r"[^\W\d_]")
_DOT = re.compile(f"[{re.escape(_DOTS)}]")
_EASY_END = re.compile(r"[.\u3002\uff0e\uff61][^\W\d_]{2,63}\Z")  # ".org": the usual top-level label
# An at sign, itself or as a character reference, with spaces after it (and maybe before): "ana @ x.org",
# "ana &#64; x.org". Spaces before it alone make a handle. First of the spellings below: it holds the others'.
_SPACED_AT = rf"[^\S\r\n]{{0,3}}(?:[{AT_SIGNS}]|&#0*64;?|&#x0*40;?|&commat;?)[^\S\r\n]{{1,3}}"
_SPACED_AT_RE = re.compile(_SPACED_AT, re.IGNORECASE)
# A dot with spaces or a line break before it (and maybe spaces after), then a top-level label of letters:
# "ana@example .org", "ana@example\n.org". Spaces after a dot alone are prose ("ana@museu. Thanks").
_SPACED_DOT = (rf"(?:[^\S\r\n]{{1,3}}|[^\S\r\n]{{0,3}}\r?\n[^\S\r\n]{{0,3}})[{re.escape(_DOTS)}][^\S\r\n]{{0,3}}"
               r"(?=[^\W\d_]{2,63}(?![^\W_]))")
# Source spellings that read as one character of an address.
_ENCODED = re.compile(
    rf"{_SPACED_AT}"
    r"|&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});?"
    r"|%40"
    r"|[ \t]*[\[({<][ \t]*(?:at|@)[ \t]*[\])}>][ \t]*"
    r"|[ \t]*[\[({<][ \t]*(?:dot|\.)[ \t]*[\])}>][ \t]*"
    rf"|{_SPACED_DOT}",
    re.IGNORECASE)
# A right-to-left override and what it shows backwards: up to its pop, the end of the line, or a bound.
_REVERSED = re.compile("\u202e([^\u202c\n]{1,500})\u202c?")
# A Markdown inline link or image: [text](destination "title")
_MD_LINK = re.compile(r"(!?)\[([^\[\]\n]{0,1000})\]\(\s*<?([^\s()<>]{0,2000})>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")


@dataclass(frozen=True, slots=True)
class _View:
    """``text`` decoded for searching; ``source_span`` maps a span of it back to ``source``."""

    source: str
    text: str
    starts: tuple[int, ...]  # view offset where each segment starts
    segments: tuple[tuple[int, int, bool], ...]  # (source start, source end, literal)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        first = self._segment(start)
        last = self._segment(end - 1)
        s_start, _, literal = self.segments[first]
        begin = s_start + (start - self.starts[first]) if literal else s_start
        l_start, l_end, literal = self.segments[last]
        finish = l_start + (end - self.starts[last]) if literal else l_end
        return begin, finish

    def _segment(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1


def _decode(token: str) -> str:
    token = token.strip()  # a spaced at sign: " &#64; " reads as "@"
    if token.startswith("&"):
        return html.unescape(token)
    if token.lower() == "%40":
        return "@"
    return "@" if re.search(rf"at|[{AT_SIGNS}]", token, re.IGNORECASE) else "."


def _view(source: str) -> _View:
    """The decoded view of ``source``: references, ``%40`` and ``[at]``/``[dot]`` decoded."""
    parts: list[str] = []
    starts: list[int] = []
    segments: list[tuple[int, int, bool]] = []
    offset = position = 0

    def add(piece: str, begin: int, end: int, literal: bool) -> None:
        nonlocal offset
        if piece:
            parts.append(piece)
            starts.append(offset)
            segments.append((begin, end, literal))
            offset += len(piece)

    for match in _ENCODED.finditer(source):
        add(source[position:match.start()], position, match.start(), True)
        add(_decode(match.group(0)), match.start(), match.end(), False)
        position = match.end()
    add(source[position:], position, len(source), True)
    return _View(source, "".join(parts), tuple(starts), tuple(segments))


def _local_start(text: str, at: int, floor: int) -> int | None:
    """Where the local part ending before ``text[at]`` starts, not before ``floor`` (the end of
    the address before it), without the punctuation that cannot start one; None when nothing
    of it is a letter or a digit."""
    start = at
    while start > floor and at - start < _LONGEST_LOCAL and text[start - 1] not in _STOP_CHARS \
            and not text[start - 1].isspace():
        start -= 1
    while start < at and text[start] in "._'-":  # "_ana@x.org_" is Markdown emphasis, "'ana@..'" a quote
        start += 1
    return start if any(c.isalnum() for c in text[start:at]) else None


def _domain_end(domain: str, loose: bool) -> int | None:
    """How long the domain at the start of ``domain`` (the pattern's run) is; None when it has no
    top-level label (``loose``: no label at all)."""
    if domain.startswith("[") or _EASY_END.search(domain):
        return len(domain)  # an address literal (ana@[192.0.2.1]), or the usual case
    labels = _DOT.split(domain)
    while labels and labels[-1] and not labels[-1][-1].isalnum() and unicodedata.category(labels[-1][-1])[0] != "M":
        labels[-1] = labels[-1][:-1]  # "x.org-" before a dash, "x.org€"
        if not labels[-1]:
            labels.pop()
    while not loose and len(labels) > 1 and not _top_level(labels[-1]):
        labels.pop()  # "x@a.org.0": the address ends at the last label that can end one
    if not labels or not labels[0] or not loose and (len(labels) < 2 or not _top_level(labels[-1])):
        return None
    return sum(len(label) + 1 for label in labels) - 1


def _top_level(label: str) -> bool:
    return len(label) >= 2 and _LETTER.search(label) is not None


def _chained(text: str, start: int, floor: int) -> int:
    """The start of an address grown over what is glued to it and holds an at sign ("ana@bob@x.org",
    'ana@"b"@x.org', "ana@@x.org", 'ana@0"b"@x.org'): cut alone, "bob@x.org" left "ana@" on the page,
    the local part as written. The run ends at a space, at ``floor`` (the address before) or after
    _LONGEST_LOCAL characters."""
    run = start
    while run > floor and start - run < _LONGEST_LOCAL and not text[run - 1].isspace():
        run -= 1
    if not any(c in AT_SIGNS for c in text[run:start]):
        return start
    while run < start and text[run] in "([{<._'-":
        run += 1
    return run


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """The span grown over a ``mailto:`` before it, its query after, and ``<...>`` around it."""
    if not start or text[start - 1] not in ":<":
        return start, end
    if text[max(0, start - 7):start].lower() == "mailto:":
        start -= 7
        if text[end:end + 1] == "?":
            query = re.match(r"[^\s)>\"'<\]]*", text[end:end + 2000])
            end += query.end() if query else 0
    if start and text[start - 1] == "<" and text[end:end + 1] == ">":
        start, end = start - 1, end + 1
    return start, end


def find(text: str, loose: bool = False) -> list[tuple[int, int]]:
    """The spans of ``text`` (source offsets) that hold an e-mail address, in order; a run that a
    right-to-left override shows backwards (``\u202egro.elpmaxe@ana``, read "ana@example.org") is
    searched as it is shown, and cut whole when it holds one."""
    found = _find(text, loose)
    if "\u202e" not in text:
        return found
    shown = [(m.start(), m.end()) for m in _REVERSED.finditer(text) if _find(m.group(1)[::-1], loose)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found + shown):  # an address found as stored may reach into a run shown backwards
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _find(text: str, loose: bool) -> list[tuple[int, int]]:
    """``find`` in the text as stored.

    ``loose`` takes any ``local@domain`` with no rule on the domain: for a name, where
    ``x@y`` is never meant, and where a mail header's folding may have broken the
    domain ("example.o rg"). One compiled pattern finds the candidates (each anchored
    after a character that cannot be in an address, each part bounded), so the time
    is linear in the text; the checks a pattern says badly run on candidates only.
    """
    if not _MAYBE.search(text):
        return []
    view = _view(text)
    found: list[tuple[int, int]] = []
    done = 0
    for match in _CANDIDATES[loose].finditer(view.text):
        at = match.start("at")
        size = _domain_end(match.group("domain"), loose)
        if size is None or _spaced(view, at) and not _spaced_domain(match.group("domain")[:size]):
            continue
        if match.group("quoted") or match.group("local") and match.start() >= done and \
                view.text[match.start()] not in "._'-" and _LETTER_OR_DIGIT.search(match.group("local")):
            start: int | None = match.start()
        else:
            start = _local_start(view.text, at, done)
        start = _chained(view.text, at if start is None else start, done)
        start = None if start == at else start
        end = at + 1 + size
        if found and at == done:  # "a@b.orgc@d.org": the first domain took "c"
            found[-1] = (found[-1][0], view.source_span(at, end)[1])
            done = end
            continue
        if start is None or start < done:
            continue
        span = _widen(view.text, start, end)
        found.append(view.source_span(*span))
        done = span[1]
    return found


def _spaced(view: _View, at: int) -> bool:
    """Whether the at sign at ``at`` (view offset) was written with spaces after it ("ana @ x.org")."""
    begin, end = view.source_span(at, at + 1)
    return _SPACED_AT_RE.fullmatch(view.source, begin, end) is not None


def _spaced_domain(domain: str) -> bool:
    """Whether a domain after a spaced at sign makes an address: a top-level label of letters ("7.30pm"
    is a time), and no "www." ("more @ www.museu.cat" is a website)."""
    return _EASY_END.search(domain) is not None and not domain.lower().startswith("www.")


def _replace(text: str, spans: list[tuple[int, int]], marker: str) -> str:
    out: list[str] = []
    position = 0
    for start, end in spans:
        if start < position:
            continue
        out += [text[position:start], marker]
        position = end
    out.append(text[position:])
    return "".join(out)


def redact_text(text: str) -> tuple[str, int]:
    """Plain or Markdown text with each address replaced by ``MARKER``; and how many were cut.

    A Markdown link to a ``mailto:`` or to a URL holding an address keeps only its text.
    """
    if not _MAYBE.search(text):
        return text, 0
    cut = 0

    def unlink(match: re.Match[str]) -> str:
        nonlocal cut
        image, label, target = match.groups()
        if not target.lower().startswith("mailto:") and not find(unquote(target)):
            return match.group(0)
        if not find(label):
            cut += len(find(unquote(target)))
        return "" if image else label

    text = _MD_LINK.sub(unlink, text)
    spans = find(text)
    return _replace(text, spans, MARKER), cut + len(spans)


def redact_name(name: str) -> tuple[str, int]:
    """An author's name without its addresses and what wrapped them: "Ana <ana@x.org>" is "Ana".

    White space beside an at sign that a dotted word follows is read as a split in one address:
    a display name encoded in two words of a mail header comes out of Python's parser as
    '"Ana Vidal"@ x.org' (RFC 2047 joins the words with nothing between them).
    The name may become empty; the caller then shows its "Anonymous".
    """
    joined = _SPLIT_AT.sub(r"\1", name)
    spans = find(joined, loose=True)
    if not spans:
        return name, 0
    text = _replace(joined, spans, "")
    text = re.sub(r"[<(\[{]\s*[>)\]}]|\"\s*\"", " ", text)
    return " ".join(text.split()).strip(" <>()[]{}\"',;:-|/"), len(spans)


def url_holds_address(url: str) -> int:
    """How many addresses ``url`` holds, percent-encoded or not (user name, path, query)."""
    return len(find(unquote(url))) or len(find(url))


def redact_html(fragment: str) -> tuple[str, int]:
    """Sanitized HTML (``clean_html``'s output) with its addresses cut; and how many.

    ``mailto:`` links and links to a URL holding an address keep only their text; an
    address split by inline tags (``ana@<b>x</b>.org``) is found as the reader sees it.
    The result goes through ``clean_html`` again, so it is always the sanitizer's own
    output; a fragment without an address comes back unchanged.
    """
    if not _MAYBE.search(fragment):
        return fragment, 0
    from museumsite.sanitize import clean_html  # sanitize must never need this module

    rewriter = _Rewriter()
    rewriter.feed(fragment)
    cut = rewriter.finish()
    return (clean_html("".join(rewriter.out)), cut) if cut or rewriter.changed else (fragment, 0)


_INLINE = frozenset({"a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s",
                     "small", "span", "strong", "sub", "sup", "u"})
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
_TEXT_ATTRIBUTES = frozenset({"title", "alt"})


class _Rewriter(HTMLParser):
    """Re-serialises a sanitized fragment with addresses cut from its text and attributes.

    Text between block boundaries is searched as one run, so inline tags inside an
    address do not hide it; the text of each piece the address spans is cut, the
    marker goes where the address started.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.run: list[int] = []  # indexes in ``out`` of the current run's text pieces
        self.texts: dict[int, str] = {}
        self.links: list[tuple[bool, int, int]] = []  # (dropped, addresses in href, first out index)
        self.cut = 0
        self.changed = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE:
            self._flush()
        kept: list[tuple[str, str]] = []
        in_url = 0
        for name, value in attrs:
            value = value or ""
            if name in _URL_ATTRIBUTES and (value.lower().startswith("mailto:") or url_holds_address(value)):
                in_url += url_holds_address(value)
                continue
            if name in _TEXT_ATTRIBUTES:
                value, count = redact_text(value)
                self.cut += count
            kept.append((name, value))
        dropped = len(kept) < len(attrs)
        self.changed = self.changed or dropped
        if tag == "a":
            self.links.append((dropped, in_url, len(self.out)))
            if dropped:
                return
        elif dropped and tag == "img":
            self.cut += in_url
            return
        else:
            self.cut += in_url
        self.out.append(f"<{tag}" + "".join(f' {n}="{html.escape(v)}"' for n, v in kept) + ">")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self._flush()
        if tag == "a" and self.links:
            dropped, in_url, first = self.links.pop()
            if dropped:
                text = "".join(self.texts.get(i, "") for i in range(first, len(self.out)))
                self.cut += 0 if find(text) else in_url  # "<a href=mailto:x>x</a>" is one address
                return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.run.append(len(self.out))
        self.texts[len(self.out)] = data
        self.out.append(html.escape(data, quote=False))

    def _flush(self) -> None:
        """Cut the addresses of the current run of text."""
        pieces = [(i, self.texts[i]) for i in self.run]
        self.run = []
        joined = "".join(text for _, text in pieces)
        spans = find(joined)
        if not spans:
            return
        self.cut += len(spans)
        offset = first = 0  # spans before ``first`` end before the current piece
        for index, text in pieces:
            stop = offset + len(text)
            while first < len(spans) and spans[first][1] <= offset:
                first += 1
            new, position, number = [], 0, first
            while number < len(spans) and spans[number][0] < stop:
                start, end = spans[number]
                new += [text[position:max(start - offset, position)], MARKER if start >= offset else ""]
                position = min(end, stop) - offset
                number += 1
            if new:
                new.append(text[position:])
                self.out[index] = html.escape("".join(new), quote=False)
            offset = stop

    def finish(self) -> int:
        self.close()
        self._flush()
        return self.cut
