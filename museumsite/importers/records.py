"""One imported comment as an archive record: sanitized, language-tagged, no personal data.

Both importers build their comments here, so the rules are the same whatever the
source: the body through ``clean_html``, the author through ``clean_text``, the
author's URL only when it is http(s), the language detected among the site's
languages and the common European ones. The record has no field for an e-mail
address, an IP address or a user agent, so none can be written; addresses written
in the body, the author's name or URL are cut here too (``redact``), before any
file is written, and counted for the report.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from museumsite.config import SiteConfig
from museumsite.lang.detect import (
    DEFAULT_CANDIDATES,
    DEFAULT_THRESHOLD,
    detect_language,
    known_languages,
)
from museumsite.redact import redact_html, redact_name, url_holds_address
from museumsite.sanitize import clean_html, clean_text, safe_url


@dataclass(frozen=True, slots=True)
class Languages:
    """The candidate languages for detection on one site."""

    candidates: tuple[str, ...]
    threshold: float = DEFAULT_THRESHOLD

    def detect(self, body_html: str) -> str:
        return detect_language(body_html, self.candidates, self.threshold)


def site_languages(config: SiteConfig) -> Languages:
    """The site's languages plus DEFAULT_CANDIDATES, keeping only codes the model knows."""
    known = known_languages()
    wanted = dict.fromkeys((*(lang.split("-")[0].lower() for lang in config.all_languages),
                            *DEFAULT_CANDIDATES))
    return Languages(tuple(lang for lang in wanted if lang in known))


def local_date(date: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """``date`` written in the site's time zone, as posts are; in UTC when the zone's offset then had
    seconds (local mean time, before 1900), which YAML cannot read back; as it is at the ends of the
    calendar (9999-12-31 in New York is the year 10000 in Paris)."""
    try:
        local = date.astimezone(zone)
    except OverflowError:
        return date
    offset = local.utcoffset() or dt.timedelta(0)
    return local if not offset % dt.timedelta(minutes=1) else date.astimezone(dt.timezone.utc)


def comment_record(*, id: int | str, parent: int | str | None, author: str, author_url: str,
                   date: dt.datetime, status: str, type: str, staff: bool, body_html: str,
                   languages: Languages, source: str, redacted: Counter[str] | None = None) -> dict[str, Any]:
    """An archive comment with every field in README order; the body is sanitized here.

    ``source`` ('wordpress', 'disqus') is written as its ``imported`` field; ``redacted`` counts the
    e-mail addresses cut, by field, for the import's report.
    """
    body, in_body = redact_html(clean_html(body_html))
    body = re.sub(r"<p>\s*</p>", "", body).strip()
    body = re.sub(r"[ \t]+\n", "\n", body)
    name, in_name = redact_name(clean_text(author))  # first: "Ana <ana@x.org>" is no markup
    if re.search(r"<[A-Za-z/!]", name):  # markup in a name is never meant: keep its text only
        name = html.unescape(re.sub(r"<[^>]*>?", "", name))
    url = safe_url(author_url, site_paths=False) if author_url.strip() else None
    in_url = url_holds_address(url) if url else 0
    if redacted is not None:
        redacted.update({"comment bodies": in_body, "author names": in_name, "author URLs": in_url})
    return {
        "id": id,
        "parent": parent,
        "author": name.strip() or "Anonymous",
        "author_url": None if in_url else url,
        "date": date,
        "lang": languages.detect(body),
        "status": status,
        "type": type,
        "staff": staff,
        "format": "html",
        "imported": source,
        "body": body + "\n" if body else "",
    }


def nearest_kept(parent: str | None, parents: Mapping[str, str | None], kept: set[str],
                 own: str | None = None) -> str | None:
    """The closest ancestor of comment ``own`` that survives the import (None: the thread root).

    A reply to a dropped comment (spam, trash, deleted) is kept and moves up to the
    dropped one's own parent, and so on: its text still makes sense under the thread,
    and no placeholder comment without an author has to be invented. A comment whose
    ancestors lead back to itself (a reply loop in the export) is attached to the root,
    since the build refuses loops.
    """
    seen: set[str] = set()
    while parent is not None and parent not in kept:
        if parent in seen:  # a cycle in the export: give up and attach to the root
            return None
        seen.add(parent)
        parent = parents.get(parent)
    ancestor, seen = parent, set()
    while ancestor is not None and own is not None:
        if ancestor == own:
            return None
        if ancestor in seen:  # a loop above, without this comment: its members go to the root
            break
        seen.add(ancestor)
        ancestor = parents.get(ancestor)
    return parent
