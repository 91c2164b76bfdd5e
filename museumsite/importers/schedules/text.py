"""Reading helpers shared by the frab and pretalx readers: text, times, zones, languages, bodies.

Plain-text fields stay verbatim (``text``); only abstracts, descriptions and
biographies are HTML-capable, and go through ``import_body``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from typing import Any

from museumsite.bounds import small_number
from museumsite.importers.schedules.model import Warn
from museumsite.sanitize import clean_html, clean_text

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z]{2,4})?")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_TYPES = (("keynote", "keynote"), ("workshop", "workshop"), ("panel", "panel"), ("podium", "panel"),
          ("lightning", "lightning"), ("lecture", "talk"), ("talk", "talk"), ("vortrag", "talk"),
          ("maintrack", "talk"))


def text(value: Any) -> str:
    """A plain-text field: verbatim but for control characters and surrounding whitespace."""
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return clean_text(str(value)).strip()


_DURATION_UNITS = {2: ("hours", "minutes"), 3: ("hours", "minutes", "seconds"),
                   4: ("days", "hours", "minutes", "seconds")}


def duration(value: str) -> dt.timedelta | None:
    """'00:30', '01:15:00' or '1:02:30:00' (days first) as a timedelta; None if unreadable."""
    parts = value.strip().split(":")
    numbers = [n for p in parts if (n := small_number(p.strip())) is not None]
    units = _DURATION_UNITS.get(len(parts))
    if units is None or len(numbers) != len(parts):
        return None
    try:
        return dt.timedelta(**dict(zip(units, numbers, strict=True)))
    except OverflowError:  # more days than a timedelta holds: no talk lasts that long
        return None


def parse_datetime(value: str) -> dt.datetime | None:
    """An ISO date and time; None when unreadable or outside the years 1000 to 9998.

    At the ends of the calendar a talk's end, its UTC time or its calendar's time-zone
    rules fall outside the years Python has (OverflowError in the build).
    """
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if 1000 <= when.year < 9999 else None


def parse_day(value: str) -> dt.date | None:
    """A date, or the date part of a datetime (in its own offset)."""
    value = value.strip()
    when = parse_datetime(value)
    if when is not None:
        return when.date()
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if 1000 <= day.year < 9999 else None


def choose_zone(name: str, times: Sequence[dt.datetime], site_zone: str, warn: Warn) -> str:
    """The event's IANA time zone.

    ``time_zone_name`` when the schedule gives a valid one. Otherwise the offset the
    talks' times carry: a whole-hour offset is the IANA zone ``Etc/GMT-1`` (+01:00;
    POSIX signs are inverted), which keeps the local times exact but knows no summer
    time; an offset that is not whole hours has no IANA name, so times are kept in
    UTC. A schedule without offsets at all (FOSDEM's) gives local times only; they
    are taken in the site's time zone. Each guess is a warning, so the author can
    set ``timezone:`` on the event and import again.
    """
    if name:
        try:
            zoneinfo.ZoneInfo(name)
            return name
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'Europe' is a folder
            warn(None, f"unknown time zone '{name}'; guessing from the talks' times")
    offsets = Counter(t.utcoffset() for t in times if t.tzinfo is not None)
    if not offsets:
        warn(None, f"the schedule names no time zone and its times carry no offset; "
                   f"they are taken as local times in the site's time zone {site_zone}")
        return site_zone
    offset, _ = offsets.most_common(1)[0]
    assert offset is not None
    if len(offsets) > 1:
        warn(None, "the talks' times carry several UTC offsets (summer time?) and no time zone name; "
                   "all are shown at the most common one")
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    if minutes % 60 == 0 and -12 <= minutes // 60 <= 14:
        zone = f"Etc/GMT{-minutes // 60:+d}"
        warn(None, f"the schedule names no time zone; times are kept at their offset as {zone}")
        return zone
    warn(None, "the schedule names no time zone and its offset is not whole hours; times are shown in UTC")
    return "UTC"


def language_code(value: str, warn: Warn, line: int | None) -> str:
    """The first ISO code of 'de, en' or 'en'; '' (with a warning) for anything else."""
    first = value.strip().lower().replace("_", "-").split(",")[0].strip()
    if not first:
        return ""
    if _LANGUAGE.fullmatch(first):
        return first
    warn(line, f"language '{value}' is not an ISO code such as 'en'; left out")
    return ""


def talk_type(value: str) -> str:
    """'Talk', 'lecture', 'Long talk (45 minutes)' -> talk; other words kept in lower case."""
    lower = value.strip().lower()
    for word, kind in _TYPES:
        if word in lower:
            return kind
    return lower or "talk"


def import_body(*parts: str) -> str:
    """Abstract and description as a body that builds into safe HTML.

    Schedules hold Markdown (pretalx, frab) that may embed HTML (FOSDEM's is all
    HTML). The text is converted with the site's own Markdown settings and the
    result sanitized; when sanitizing changes nothing (no raw HTML, no unsafe link),
    the Markdown is kept as it was written, since the build will make that same safe
    HTML of it. Otherwise the sanitized HTML is the body, which Markdown passes
    through unchanged at build time. Text nested deeper than any build converts
    (``NestingLimit``) is kept as escaped paragraphs, read as it was written.
    """
    import markdown

    from museumsite.bounds import TooDeep, markdown_bounds
    from museumsite.markup.extensions import converter_arguments

    body = "\n\n".join(p.replace("\r\n", "\n").replace("\r", "\n").strip() for p in parts if p and p.strip())
    if not body:
        return ""
    try:
        extensions, configs = converter_arguments()
        rendered = markdown.markdown(body, extensions=[*extensions, *markdown_bounds()], extension_configs=configs,
                                     output_format="html")
        if clean_html(rendered).replace(' rel="nofollow ugc noopener"', "") == rendered:
            return body
        return clean_html(markdown.markdown(body, extensions=markdown_bounds(), output_format="html")).strip()
    except (TooDeep, RecursionError):
        return "\n\n".join(f"<p>{html.escape(p.strip(), quote=False)}</p>" for p in _BLANK_LINE.split(body) if p.strip())

