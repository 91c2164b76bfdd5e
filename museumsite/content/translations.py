"""Stage 2a: translations share what is not language-specific.

Input: the loaded documents and the config. Output: the same documents, each
translation completed with the fields of its original that it leaves out, so that
``recap.fr.md`` needs only a title and a body. The original of an entry is its
version in the default language, or the first in the configured language order when
the entry exists only in other languages (``note.es.md`` alone). A translation that
says something else than its original on a shared field gets a warning naming both
files: a date or a room that differs between languages is almost always a mistake.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from museumsite.config import SiteConfig
from museumsite.errors import Problems
from museumsite.model import Document

# Language-specific by nature: never inherited.
OWN_FIELDS = frozenset({"title", "summary", "slug", "description", "lang", "translation_key", "aliases", "body_lang",
                        "imported"})
# Inherited when left out, but a translation may say them in its own words without a warning.
WORDED_FIELDS = frozenset({"name", "affiliation", "venue", "city", "template", "extra", "menu", "breaks", "track",
                           "tracks"})


def inherit_translations(documents: Iterable[Document], config: SiteConfig, problems: Problems,
                         tag_key: Callable[[str], str]) -> list[Document]:
    """Complete every translation from its original; report versions that clash.

    ``tag_key`` says which tag a name means, so "Musées" and "Museums" agree when
    the config names one tag so in both languages.
    """
    order = {lang: index for index, lang in enumerate(config.all_languages)}
    groups: dict[tuple[str, str], list[Document]] = {}
    for doc in documents:
        groups.setdefault((doc.kind, doc.key), []).append(doc)
    result: list[Document] = []
    for versions in groups.values():
        versions.sort(key=lambda d: (order.get(d.lang, len(order)), d.lang, d.path))
        original = versions[0]
        seen: dict[str, Document] = {}
        for doc in versions:
            if doc.lang in seen:
                problems.error(doc.path, doc.line_of("lang") if "lang" in doc.meta else 1,
                               f"a second '{doc.lang}' version of {doc.kind}/{doc.key.split('/', 1)[1]}, "
                               f"besides {seen[doc.lang].path}",
                               "give one of them another language, or another translation_key")
                continue
            seen[doc.lang] = doc
            result.append(doc if doc is original else _complete(doc, original, problems, tag_key))
    result.sort(key=lambda d: d.path)
    return result


def _complete(doc: Document, original: Document, problems: Problems, tag_key: Callable[[str], str]) -> Document:
    inherited = {key: value for key, value in original.meta.items()
                 if key not in OWN_FIELDS and key not in doc.meta}
    for key, value in doc.meta.items():
        if key in OWN_FIELDS or key in WORDED_FIELDS or key not in original.meta:
            continue
        if _normal(key, value, tag_key) != _normal(key, original.meta[key], tag_key):
            problems.warn(doc.path, doc.line_of(key),
                          f"'{key}' is {shown_value(value)} here but {shown_value(original.meta[key])} in the original "
                          f"{original.path}:{original.line_of(key)}",
                          f"remove '{key}' from the translation to inherit it, or make the two agree")
    lines = {**{k: 1 for k in inherited}, **doc.meta_lines}
    return dataclasses.replace(doc, meta={**inherited, **doc.meta}, meta_lines=lines,
                               original=original.path, inherited=frozenset(inherited))


def shown_value(value: Any) -> str:
    """A front-matter value as the author wrote it: 2026-03-16, not datetime.date(2026, 3, 16)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(shown_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown_value(v)}" for k, v in value.items()) + "}"
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _normal(key: str, value: Any, tag_key: Callable[[str], str]) -> Any:
    """Compare what the author meant: tags in any order, case or language, dates as text."""
    if key == "tags" and isinstance(value, (list, str)):
        items = value.split(",") if isinstance(value, str) else value
        return sorted({tag_key(str(v).strip()) for v in items})
    if isinstance(value, (list, tuple)):
        return [_normal(key, v, tag_key) for v in value]
    if isinstance(value, dict):
        return {k: _normal(key, v, tag_key) for k, v in value.items()}
    return str(value).strip() if value is not None else None
