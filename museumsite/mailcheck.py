"""Bounds on an e-mail before Python's mail parser reads it.

The standard library's parser is built for mail a program wrote, not for mail an
attacker wrote: its structured-header parser takes seconds and hundreds of megabytes
on a ``From:`` of a few tens of kilobytes (100 KB of ``a.`` took 52 s, 175 KB of
encoded words 2.2 GB), and it recurses once per nested multipart (2,000 levels end in
RecursionError). No comment needs any of that, so a message is measured first, in one
pass over its lines, and refused before the parser sees it when it is out of bounds:

- a header the parser or museumsite reads (``From``, ``Subject``, ``Date``,
  ``Content-*``, ``X-Museumsite-*``...) longer than one RFC 5322 line (998 bytes once
  unfolded): those are small in every real mail, and what they cost grows faster
  than their length;
- any other header longer than 16 KB (``References`` of a long thread, an
  ``Autocrypt`` key, signatures stay well under it; they are never parsed);
- more than 64 KB or 500 fields in one header block;
- more than 16 multipart or ``message/*`` containers, or more than 100 parts.

The bounds are on the raw bytes the way the parser splits them (CRLF, CR or LF), so
what is measured is what would be parsed. Headers of every part are measured, since
the parser reads the ``Content-*`` headers of each; a part starts after a line that
is a boundary some Content-Type declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from museumsite.errors import BuildError, Problem

MAX_READ_HEADER = 998  # RFC 5322's line length: a header museumsite or the parser reads
MAX_OTHER_HEADER = 16 * 1024
MAX_HEADER_BLOCK = 64 * 1024
MAX_FIELDS = 500
MAX_CONTAINERS = 16  # multipart/* and message/* parts: the parser recurses into each
MAX_PARTS = 100

# Headers that are parsed: by museumsite (inbox), by the mail parser (Content-*), and the
# address headers a reader of the mail might be shown.
_READ = re.compile(rb"(from|sender|reply-to|to|cc|subject|date|mime-version|content-[\w-]*|x-museumsite-[\w-]*)",
                   re.IGNORECASE)
_LINE = re.compile(rb"\r\n|\r|\n")
_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]*):")  # the parser's own idea of a header line
_BOUNDARY = re.compile(rb"""\bboundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))""", re.IGNORECASE)
_ENCODED_PARAMETER = re.compile(rb"\bboundary\*", re.IGNORECASE)
_CONTAINER = re.compile(rb"^\s*(multipart|message)/", re.IGNORECASE)
_HINT = "this is not an ordinary e-mail: delete it, or copy its text into a JSON comment file"


@dataclass(slots=True)
class _Block:
    """The header block being measured: its fields so far and the one still open."""

    start: int  # line number of its first line
    size: int = 0
    fields: int = 0
    name: bytes = b""
    value: list[bytes] = field(default_factory=list)
    line: int = 0
    nested_message: bool = False  # a message/* part: the body starts with headers again


def check_mail(data: bytes, where: str) -> None:
    """Raise BuildError naming ``where`` and the line when ``data`` is out of the bounds above."""
    boundaries: set[bytes] = set()
    containers = parts = 0
    block: _Block | None = _Block(start=1)
    for number, line in enumerate(_LINE.split(data), 1):
        if block is not None:
            if line[:1] in (b" ", b"\t"):  # a folded line (the parser skips one that opens the block)
                if block.name:
                    block.value.append(line)
                continue
            containers += _close_field(block, boundaries, where)
            if containers > MAX_CONTAINERS:
                raise _refuse(where, block.line, f"more than {MAX_CONTAINERS} nested multipart or message parts",
                              "a comment is one text; nesting this deep only serves to crash mail readers")
            if line.startswith(b"From "):
                continue  # an mbox "From " line: part of the header block, not a field
            found = _FIELD.match(line)
            if found:
                block.name, block.value, block.line = found.group(1), [line[found.end():]], number
                block.fields += 1
                if block.fields > MAX_FIELDS:
                    raise _refuse(where, number, f"more than {MAX_FIELDS} header fields in one header block")
                continue
            # The block ends; a message/* part's body starts with the headers of the message inside.
            block = _Block(start=number + 1) if block.nested_message and line == b"" else None
            continue
        delimiter = _delimiter(line, boundaries) if line.startswith(b"--") else None
        if delimiter:
            parts += 1
            if parts > MAX_PARTS:
                raise _refuse(where, number, f"more than {MAX_PARTS} MIME parts")
            if delimiter == "open":  # the headers of a part follow
                block = _Block(start=number + 1)
    if block is not None:
        _close_field(block, boundaries, where)


def _close_field(block: _Block, boundaries: set[bytes], where: str) -> int:
    """Measure the field ``block`` has open; 1 when it declares a container part."""
    if not block.name:
        return 0
    name, value = block.name, b" ".join(block.value)
    block.name, block.value = b"", []
    block.size += len(name) + 1 + len(value)
    shown = name.decode("ascii", "replace")[:60]
    limit = MAX_READ_HEADER if _READ.fullmatch(name) else MAX_OTHER_HEADER
    if len(value) > limit:
        raise _refuse(where, block.line, f"the {shown} header is {len(value):,} bytes long (at most {limit:,})")
    if block.size > MAX_HEADER_BLOCK:
        raise _refuse(where, block.line, f"the headers are more than {MAX_HEADER_BLOCK // 1024} KB long")
    if name.lower() != b"content-type":
        return 0
    container = _CONTAINER.match(value)
    if container and _ENCODED_PARAMETER.search(value):
        raise _refuse(where, block.line, "the Content-Type header gives its boundary in RFC 2231 form, "
                      "which is not read here", "copy the e-mail's text into a JSON comment file and add that")
    found = _BOUNDARY.search(value)
    if found:
        boundaries.add(found.group(1) or found.group(2))
    block.nested_message = bool(container and container.group(1).lower() == b"message")
    return 1 if container else 0


def _delimiter(line: bytes, boundaries: set[bytes]) -> str:
    """"open" for a line ``--b``, "close" for ``--b--`` of a declared boundary (blanks may follow), else ""."""
    text = line.rstrip(b" \t")[2:]
    if text in boundaries:
        return "open"
    return "close" if text.endswith(b"--") and text[:-2] in boundaries else ""


def _refuse(where: str, line: int, message: str, hint: str = _HINT) -> BuildError:
    return BuildError([Problem(where, line, f"refused before reading the e-mail: {message}", hint)])
