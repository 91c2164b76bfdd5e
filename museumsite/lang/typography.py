"""Typographic spaces and marks that French and Catalan readers expect.

French sets a no-break space before ``: ; ! ?`` and inside « » so that the mark never
starts a line; the narrow one (U+202F) before ``; ! ?`` and inside guillemets, the
full one (U+00A0) before ``:``. Authors type ordinary spaces; this turns them into the
right ones. Catalan writes the apostrophe as ’ and the geminated l with a middle dot
(col·lecció); keyboards make both hard to type.

Only text is touched: never tags, attributes, URLs, or what sits inside ``code``,
``pre``, ``kbd``, ``samp``, ``script`` or ``style``.
"""

from __future__ import annotations

import re

NNBSP = "\u202f"  # narrow no-break space
NBSP = "\u00a0"
_VERBATIM = {"code", "pre", "kbd", "samp", "script", "style", "textarea", "math", "svg"}
_TOKENS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9]*)")
_URLISH = re.compile(r"\S*(?:://|www\.|@)\S*")

_FRENCH = [
    (re.compile(r"[ \u00a0\u202f]+([;!?])"), NNBSP + r"\1"),
    (re.compile(r"[ \u00a0\u202f]+:"), NBSP + ":"),
    (re.compile(r"«[ \u00a0\u202f]*"), "«" + NNBSP),
    (re.compile(r"[ \u00a0\u202f]*»"), NNBSP + "»"),
]
_CATALAN = [
    (re.compile(r"(?<=[A-Za-zÀ-ÿ])'(?=[A-Za-zÀ-ÿ])"), "’"),
    (re.compile(r"(?<=[aeiouàèéíòóúïüAEIOU])([lL])[.•]([lL])(?=[aeiouàèéíòóúïü])"), r"\1·\2"),
]
RULES = {"fr": _FRENCH, "ca": _CATALAN}
# Every rule of a language needs one of these characters: text without any is left as
# it is without running the rules (most of a page's text: a sentence between two tags).
_TRIGGERS = {"fr": re.compile("[;!?:«»]"), "ca": re.compile("'|[lL][.•][lL]")}


def typeset_text(text: str, lang: str) -> str:
    """Apply the language's rules to plain text (a title), leaving URL-like words alone."""
    base = lang.split("-")[0]
    rules = RULES.get(base)
    if not rules or not text or not _TRIGGERS[base].search(text):
        return text
    pieces = []
    last = 0
    for match in _URLISH.finditer(text):
        pieces.append(_apply(text[last:match.start()], rules))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(_apply(text[last:], rules))
    return "".join(pieces)


def typeset_html(fragment: str, lang: str) -> str:
    """Apply the language's rules to the text of an HTML fragment."""
    if not RULES.get(lang.split("-")[0]) or not fragment:
        return fragment
    out: list[str] = []
    verbatim = 0
    for token in _TOKENS.split(fragment):
        if token.startswith("<"):
            match = _TAG_NAME.match(token)
            if match and match.group(1).lower() in _VERBATIM and not token.endswith("/>"):
                verbatim += -1 if token.startswith("</") else 1
                verbatim = max(verbatim, 0)
            out.append(token)
        elif verbatim:
            out.append(token)
        else:
            out.append(typeset_text(token, lang))
    return "".join(out)


def _apply(text: str, rules: list[tuple[re.Pattern[str], str]]) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text
