"""Alphabetical order as readers of a language expect it, for indexes of names.

Python sorts by code point, which puts "Élodie" after "Zoé" and "Rodà" before "Roda".
This key compares letters without their accents first and the accents only to break
ties (É with E; "Roda" before "Rodà"), which is what CLDR's root collation does for
Latin script, plus the tailorings our languages need: Spanish orders ñ after n;
Catalan ignores the middle dot of l·l. Deterministic and without system locales.
"""

from __future__ import annotations

import unicodedata


def collation_key(text: str, lang: str) -> tuple[str, str, str]:
    base = lang.split("-")[0]
    folded = text.casefold()
    if base == "ca":
        folded = folded.replace("·", "")
    letters: list[str] = []
    for char in unicodedata.normalize("NFD", folded):
        if unicodedata.combining(char):
            if base == "es" and char == "\u0303" and letters and letters[-1] == "n":
                letters[-1] = "n\uffff"  # ñ: a letter of its own, after n
            continue
        letters.append(char)
    primary = "".join(ch for ch in "".join(letters) if ch.isalnum() or ch in " \uffff")
    return (primary, unicodedata.normalize("NFD", folded), text)


def initial(text: str, lang: str) -> str:
    """The letter a name is filed under: 'É' under 'E', digits and symbols under '#'."""
    primary = collation_key(text, lang)[0].lstrip()
    if not primary:
        return "#"
    first = primary[0]
    if lang.split("-")[0] == "es" and primary.startswith("n\uffff"):
        return "Ñ"
    return first.upper() if first.isalpha() else "#"


def family_name_key(name: str, sort_as: str, lang: str) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    """The order of a speakers index: by ``sort_as`` when given (an institution's own name, "van Gogh"),
    else by the name's last word, the family name in most of the names a conference lists; then by
    the whole name. In the language's alphabetical order."""
    family = sort_as.strip() or (name.split()[-1] if name.split() else "")
    return collation_key(family, lang), collation_key(name, lang)
