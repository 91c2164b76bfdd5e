"""Reading an export's XML safely: defusedxml with DTDs forbidden, and one lenient repair.

An export is untrusted input. A DOCTYPE is what every XML attack needs (entity
bombs, external entities, DTD fetches), and no WordPress or Disqus export has one,
so any DOCTYPE is refused outright instead of being half-trusted.

Old WordPress versions wrote CDATA sections inside CDATA sections, which no XML
parser accepts. When strict parsing fails, one repair is tried, the one WordPress's
own importer makes: the text of a leaf element that starts with ``<![CDATA[`` runs
to the last ``]]>`` before its closing tag. The repaired text must then parse
strictly; otherwise the original error is reported with its line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET

from museumsite.errors import Problem
from museumsite.importers import ImportRefused

# <tag attrs><![CDATA[ ... ]]></tag> for one leaf element, up to the closing tag of
# the same name; the body may hold further CDATA markers (the broken part).
_CDATA_LEAF = re.compile(
    r"(<(?P<tag>[A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>)\s*<!\[CDATA\[(?P<body>.*?)\]\]>\s*(</(?P=tag)\s*>)",
    re.DOTALL)
# "]]></tag>" inside the body: the match ran past its own element (a damaged closing tag)
# into the next ones, which a repair would silently swallow.
_SPANS_ELEMENTS = re.compile(r"\]\]>\s*</[A-Za-z_][\w.:-]*\s*>")
MAX_BYTES = 512 * 1024 * 1024


def read_xml(path: Path, shown: str) -> ET.Element:
    """The root element of ``path``; ImportRefused naming ``shown`` and the line otherwise."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRefused(Problem(shown, None, f"cannot read the file: {exc.strerror or exc}",
                                    "check the path")) from None
    if len(data) > MAX_BYTES:
        raise ImportRefused(Problem(shown, None, "the file is larger than 512 MB",
                                    "split the export (WordPress: Tools > Export, by date range)"))
    return parse_xml(data, shown)


def parse_xml(data: bytes, shown: str, lines: dict[ET.Element, int] | None = None) -> ET.Element:
    """The root element of ``data``; when ``lines`` is given, it is filled with each element's line."""
    try:
        return _strict(data, lines)
    except defusedxml.DefusedXmlException as exc:
        raise _refusal(data, shown, exc) from None
    except ET.ParseError as exc:
        first = exc
    repaired = _repair_cdata(data)  # adds no line breaks: the lines stay those of the file
    if repaired != data:
        try:
            return _strict(repaired, lines)
        except (defusedxml.DefusedXmlException, ET.ParseError):
            pass
    line = first.position[0] if first.position else None
    message = re.sub(r":\s*line \d+, column \d+$", "", str(first))
    at_end = line is not None and line >= data.rstrip().count(b"\n") + 1
    hint = ("the file ends too early: download the export again"
            if "no element found" in message or at_end
            else "the export is not well-formed XML; open it in an editor at that line")
    raise ImportRefused(Problem(shown, line, f"malformed XML: {message}", hint))


class _LineBuilder(ET.TreeBuilder):
    """Records the line each element starts on, for messages that name it."""

    def __init__(self, lines: dict[ET.Element, int]) -> None:
        super().__init__()
        self.parser: SafeET.DefusedXMLParser | None = None
        self.lines = lines

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def _strict(data: bytes, lines: dict[ET.Element, int] | None = None) -> ET.Element:
    builder = None
    if lines is not None:
        lines.clear()
        builder = _LineBuilder(lines)
    parser = SafeET.DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True,
                                     forbid_external=True)
    if builder is not None:
        builder.parser = parser
    parser.feed(data)
    root: ET.Element = parser.close()
    return root


def _refusal(data: bytes, shown: str, exc: Exception) -> ImportRefused:
    match = re.search(rb"<!DOCTYPE|<!ENTITY", data)
    line = data.count(b"\n", 0, match.start()) + 1 if match else None
    return ImportRefused(Problem(
        shown, line, f"the file declares a DOCTYPE ({type(exc).__name__}); refused, nothing was imported",
        "exports from WordPress, Disqus, frab and pretalx never have one: this file was altered or is not an export"))


def _repair_cdata(data: bytes) -> bytes:
    """Nested CDATA re-encoded the well-formed way (``]]>`` split as ``]]]]><![CDATA[>``)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data

    def fix(match: re.Match[str]) -> str:
        body = match.group("body")
        if "<![CDATA[" not in body and "]]>" not in body or _SPANS_ELEMENTS.search(body):
            return match.group(0)
        return f"{match.group(1)}<![CDATA[{body.replace(']]>', ']]]]><![CDATA[>')}]]>{match.group(4)}"

    return _CDATA_LEAF.sub(fix, text).encode("utf-8")


def local(tag: str) -> tuple[str, str]:
    """('namespace URI', 'local name') of an ElementTree tag."""
    if tag.startswith("{"):
        uri, _, name = tag[1:].partition("}")
        return uri, name
    return "", tag


def text_of(element: ET.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""
