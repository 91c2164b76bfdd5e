"""Reading an export's XML safely: defusedxml with DTDs forbidden, and one lenient repair.

An export is untrusted input. A DOCTYPE is what every XML attack needs (entity
bombs, external entities, DTD fetches), and no WordPress or Disqus export has one,
so any DOCTYPE is refused outright instead of being half-trusted.

Old WordPress versions wrote CDATA sections inside CDATA sections, which no XML
parser accepts. When strict parsing fails, one repair is tried, the one WordPress's
own importer makes: the text of a leaf element that starts with ``<![CDATA[`` runs
to the last ``]]>`` before its closing tag. The repaired text must then parse
strictly; otherwise the file is refused, naming the line of the first error the repair
did not get past. No recovering parser ever reads an export: what it would guess is
not what the author wrote.
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET

from museumsite.errors import Problem
from museumsite.importers import ImportRefused, read_export

# "<tag attrs>" and the white space before a "<![CDATA[" that starts the element's text.
_CDATA_OPEN = re.compile(r"<(?P<tag>[A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>\s*<!\[CDATA\[")
# "]]>" and the white space before a closing tag: where a CDATA element's text may end.
_CDATA_CLOSE = re.compile(r"\]\]>\s*</(?P<tag>[A-Za-z_][\w.:-]*)\s*>")


def read_xml(path: Path, shown: str) -> ET.Element:
    """The root element of ``path``; ImportRefused naming ``shown`` and the line otherwise."""
    return parse_xml(read_export(path, shown, "split the export (WordPress: Tools > Export, by date range)"), shown)


def parse_xml(data: bytes, shown: str, lines: dict[ET.Element, int] | None = None) -> ET.Element:
    """The root element of ``data``; when ``lines`` is given, it is filled with each element's line."""
    try:
        return _strict(data, lines)
    except defusedxml.DefusedXmlException as exc:
        raise _refusal(data, shown, exc) from None
    except ET.ParseError as exc:
        error = exc
    except LookupError:  # the declaration names an encoding Python has no codec for
        declared = re.search(rb"""encoding\s*=\s*["']([^"']*)""", data[:1024])
        name = declared.group(1).decode("ascii", "replace") if declared else "?"
        raise ImportRefused(Problem(shown, data.count(b"\n", 0, declared.start()) + 1 if declared else 1,
                                    f"the file says it is written in the encoding '{name}', which is not one "
                                    "Python knows", "save the export as UTF-8 (or fix its first line) and import "
                                    "it again")) from None
    repaired = _repair_cdata(data)  # changes no line breaks: the lines stay those of the file
    if repaired != data:
        try:
            return _strict(repaired, lines)
        except defusedxml.DefusedXmlException as exc:
            raise _refusal(data, shown, exc) from None
        except ET.ParseError as exc:
            if _line(exc) > _line(error):  # the repair got past the first error: the next one is the real one
                error = exc
    line = error.position[0] if error.position else None
    message = re.sub(r":\s*line \d+, column \d+$", "", str(error))
    at_end = line is not None and line >= data.rstrip().count(b"\n") + 1
    hint = ("the file ends too early: download the export again"
            if "no element found" in message or at_end
            else "the export is not well-formed XML; open it in an editor at that line")
    raise ImportRefused(Problem(shown, line, f"malformed XML: {message}", hint))


def _line(error: ET.ParseError) -> int:
    return error.position[0] if error.position else 0


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
    """Nested CDATA re-encoded the well-formed way (``]]>`` split as ``]]]]><![CDATA[>``).

    An element whose text starts with ``<![CDATA[`` ends at the first ``]]></x>`` after
    it. When ``x`` is its own name and the text holds further CDATA markers, the text is
    re-encoded; when ``x`` is another element's name the closing tag is damaged, and the
    element is left as it is (a repair would swallow the elements up to its own name).

    One pass: every opening and every ``]]></x>`` is found once, and each opening looks
    up the first one after it, so the work grows with the size of the file, whatever
    it holds (a regular expression that searched for each opening's end scanned to the
    end of the file for every unclosed one: minutes for a megabyte).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    closes = list(_CDATA_CLOSE.finditer(text))
    starts = [close.start() for close in closes]
    parts: list[str] = []
    done = 0  # the text before this offset is in parts
    for opening in _CDATA_OPEN.finditer(text):
        if opening.start() < done:
            continue  # inside an element already repaired
        index = bisect.bisect_left(starts, opening.end())
        if index == len(closes) or closes[index].group("tag") != opening.group("tag"):
            continue  # no end, or a damaged closing tag: left as it is
        body = text[opening.end():starts[index]]
        if "<![CDATA[" in body or "]]>" in body:
            # The white space around the markers is kept: the lines stay those of the file.
            parts += [text[done:opening.end()], body.replace("]]>", "]]]]><![CDATA[>")]
            done = starts[index]
    if not parts:
        return data
    parts.append(text[done:])
    return "".join(parts).encode("utf-8")


def local(tag: str) -> tuple[str, str]:
    """('namespace URI', 'local name') of an ElementTree tag."""
    if tag.startswith("{"):
        uri, _, name = tag[1:].partition("}")
        return uri, name
    return "", tag


def text_of(element: ET.Element | None) -> str:
    """The text of ``element`` and everything inside it, as ``itertext`` gives it, without recursion.

    ``itertext`` recurses once per nested element: an export with a few thousand
    nested tags inside a title ended in RecursionError.
    """
    if element is None:
        return ""
    parts: list[str] = []
    stack: list[tuple[ET.Element, bool]] = [(element, False)]
    while stack:
        node, finished = stack.pop()
        if finished:  # after its children: the text that follows it, inside its parent
            parts.append(node.tail or "" if node is not element else "")
            continue
        stack.append((node, True))
        if isinstance(node.tag, str):  # comments and processing instructions hold no text of the element
            parts.append(node.text or "")
            stack.extend((child, False) for child in reversed(node))
    return "".join(parts)
