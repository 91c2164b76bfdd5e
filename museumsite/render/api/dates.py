"""Dates, times and durations in the page's language (Babel, memoized in ``lang.i18n``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2
from jinja2.runtime import Context
from markupsafe import Markup, escape

from museumsite.lang.i18n import format_clock, format_clock_range, format_day, format_moment
from museumsite.render.api.context import shows_entries


@jinja2.pass_context
def date(context: Context, value: dt.date, style: str = "long") -> str:
    """Filter: a day, '16 October 2009' ('short', 'medium', 'long', 'full' as Babel names them)."""
    return format_day(value, context["lang"], style)


@jinja2.pass_context
def clock(context: Context, value: dt.datetime) -> str:
    """Filter: the time of day, '14:30' or '2:30 PM' as the language writes it."""
    return format_clock(value, context["lang"])


@jinja2.pass_context
def time_range(context: Context, start: dt.datetime, end: dt.datetime | None = None) -> Markup:
    """Two <time> elements joined by a dash, what both ends share said once: '12:00–2:00 PM'."""
    if end is None or end == start:
        return Markup('<time datetime="{}">{}</time>').format(start.isoformat(), format_clock(start, context["lang"]))
    first, second = format_clock_range(start, end, context["lang"])
    return Markup(f'<time datetime="{escape(start.isoformat())}">{escape(first)}</time>\u2013'
                  f'<time datetime="{escape(end.isoformat())}">{escape(second)}</time>')


@jinja2.pass_context
def moment(context: Context, value: dt.datetime) -> str:
    """Filter: a day and a time, for a comment's date."""
    return format_moment(value, context["lang"])


@shows_entries
def post_datetime(value: Any) -> str:
    """``datetime`` attribute of a post's date: the day alone when no time was given."""
    if getattr(value, "timed", True) is False:
        return str(value.date.date().isoformat())
    when = getattr(value, "date", value)
    return str(when.isoformat())


@jinja2.pass_context
def duration(context: Context, start: dt.datetime, end: dt.datetime) -> str:
    """'45 min', '1 h 30 min'... in the page's language."""
    from babel.dates import format_timedelta

    minutes = int((end - start).total_seconds() // 60)
    locale = context["lang"].replace("-", "_")
    if minutes < 60 or minutes % 60 == 0:
        return str(format_timedelta(end - start, format="short", threshold=1, locale=locale))
    hours = format_timedelta(dt.timedelta(hours=minutes // 60), format="short", locale=locale)
    rest = format_timedelta(dt.timedelta(minutes=minutes % 60), format="short", threshold=1, locale=locale)
    return f"{hours} {rest}"
