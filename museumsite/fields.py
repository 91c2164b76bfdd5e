"""Typed reading of one document's front matter, for ``assemble``.

Each accessor returns a value of the type the model wants, or a default, and reports
what is wrong at the key's line. A field a translation inherits from its original is
reported once, at the original, not again at every translation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from museumsite.errors import Problems, did_you_mean
from museumsite.load import to_date
from museumsite.model import Document, Link


class Fields:
    """Typed access to one document's front matter, reporting problems at the key's line."""

    def __init__(self, doc: Document, problems: Problems):
        self.doc = doc
        self.problems = problems

    def error(self, key: str | None, message: str, hint: str = "") -> None:
        if key in self.doc.inherited:
            return  # the original has the same value and reports it
        self.problems.error(self.doc.path, self.doc.line_of(key) if key else 1, message, hint)

    def text(self, key: str, default: str = "", required: bool = False) -> str:
        value = self.doc.meta.get(key)
        if isinstance(value, (bool, dict, list)):
            self.error(key, f"'{key}' must be text, not {value!r}")
            return default
        text = "" if value is None else _lines(str(value)).strip()
        if not text and required:
            # 'title:' or 'title: ""' is at its own line; only a missing key is at line 1.
            if key in self.doc.meta:
                self.error(key, f"{key} is empty", f"write the {key} after '{key}:'")
            else:
                self.error(None, f"missing {key}", f"add a line '{key}: ...' to the front matter")
        return text or default

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.doc.meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str) and key == "tags":
            # 'tags: museums, history' is two tags, as in Jekyll and Hugo.
            value = [tag for tag in value.split(",") if tag.strip()]
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
            self.error(key, f"'{key}' must be a list of names, like [a, b]")
            return ()
        return tuple(_lines(str(v)).strip() for v in value)

    def flag(self, key: str) -> bool:
        value = self.doc.meta.get(key, False)
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false, not {value!r}")
            return False
        return value

    def number(self, key: str) -> int | None:
        value = self.doc.meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"'{key}' must be a whole number, not {value!r}")
            return None
        return value

    def links(self, key: str, *, kinds: bool = False) -> tuple[Link, ...]:
        """A list of {title, url} mappings, or plain URLs (titled with the URL).

        With ``kinds`` (a talk's ``links:``), an item may say its ``kind`` (one of
        ``media.LINK_KINDS``) and may leave out its title: the theme then names it by its
        kind, in the page's language. ``key`` may be a dotted path ('extra.links').
        """
        value = self._nested(key) or []
        if isinstance(value, (str, dict)):
            value = [value]
        found = []
        for index, item in enumerate(value if isinstance(value, list) else [None]):
            line = self.doc.line_of(f"{key}.{index}") if f"{key}.{index}" in self.doc.meta_lines else self.doc.line_of(key)
            if isinstance(item, str):
                item = {"url": item}
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                self.error(key, f"'{key}' entries need a url", "write '- {title: Slides, url: https://...}'")
                continue
            url = item["url"].strip()
            if not url.lower().startswith(("http://", "https://", "/")):
                self.problems.error(self.doc.path, line, f"'{key}' url '{url}' must start with https://, http:// or /",
                                    "link to the web address of the file, or to a file under content/static/")
                continue
            title = str(item.get("title") or ("" if kinds else url)).strip()
            found.append(Link(title=title, url=url, line=line, kind=self._link_kind(key, item, line) if kinds else ""))
        return tuple(found)

    def _nested(self, key: str) -> object:
        value: object = self.doc.meta
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return value

    def _link_kind(self, key: str, item: dict[str, object], line: int) -> str:
        from museumsite.media import LINK_KINDS

        kind = str(item.get("kind") or "").strip().lower()
        if kind and kind not in LINK_KINDS:
            if key not in self.doc.inherited:  # the original reports it
                self.problems.warn(self.doc.path, line, f"'{key}': unknown kind '{kind}'; the link is shown without one",
                                   did_you_mean(kind, LINK_KINDS) or f"kinds: {', '.join(LINK_KINDS)}")
            return ""
        return kind

    def when(self, key: str, tz: dt.tzinfo, required: bool = False,
             day: dt.date | None = None) -> dt.datetime | dt.date | None:
        """A date or datetime; naive times are in ``tz``; a bare '09:30' falls on ``day``."""
        raw = self.doc.meta.get(key)
        if raw is None:
            if required and not self.doc.original:
                self.error(key if key in self.doc.meta else None,
                           f"{key} is empty" if key in self.doc.meta else f"missing {key}",
                           f"add a line '{key}: 2009-10-16' to the front matter")
            return None
        value = to_date(raw)
        if value is None and day is not None and isinstance(raw, str):
            value = to_date(f"{day.isoformat()} {raw.strip().zfill(5)}")
        if value is None:
            self.error(key, f"cannot read {key} {raw!r} as a date",
                       "write it as 2009-10-16, or 2009-10-16 09:30 for a time")
            return None
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        return value


def _lines(text: str) -> str:
    """Line breaks as LF: a CR ('title: "a\\rb"' in YAML) would reach attributes and XML raw."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
