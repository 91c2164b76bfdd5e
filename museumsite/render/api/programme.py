"""A conference's programme on its pages: the schedule grid, time zone, session types, neighbours, calendars."""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.runtime import Context

from museumsite.lang import N_
from museumsite.lang.i18n import zone_name
from museumsite.model import Event, Talk
from museumsite.programme.calendars import calendar_path, has_calendar
from museumsite.programme.grid import ProgrammeGrid, make_grid
from museumsite.render.api.context import HelperContext, shows_entries

# Session types with a name in the interface catalogues; others are shown as written.
SESSION_TYPES = {"talk": N_("Talk"), "keynote": N_("Keynote"), "workshop": N_("Workshop"), "panel": N_("Panel"),
                 "lightning": N_("Lightning talk"), "tutorial": N_("Tutorial"), "break": N_("Break")}


@jinja2.pass_context
def schedule_of(helpers: HelperContext, context: Context, event: Event) -> ProgrammeGrid:
    """The event's timetable (days, rooms, tracks, types) of its talks in the page's language."""
    return make_grid(event, helpers.site.talks_of(event, context["lang"]))


@jinja2.pass_context
def zone_of(helpers: HelperContext, context: Context, event: Event) -> str:
    """The event's time zone named in the page's language: 'Central European Time (Europe/Berlin)'."""
    first = next((t.start for t in helpers.site.talks_of(event) if t.start), None)
    if first is None:
        return event.timezone
    return f"{zone_name(first, context['lang'])} ({event.timezone})"


@jinja2.pass_context
def session_type(helpers: HelperContext, context: Context, kind: str) -> str:
    """A talk's type ("keynote") in the page's language; a type without a catalogue name as written."""
    label = SESSION_TYPES.get(kind)
    return helpers.interface.gettext(context["lang"], label) if label else kind


@shows_entries
@jinja2.pass_context
def neighbours(helpers: HelperContext, context: Context, talk: Talk) -> tuple[Talk | None, Talk | None]:
    """The talks before and after this one in its event's schedule."""
    site = helpers.site
    event = site.event_of(talk)
    talks = [t for t in site.talks_of(event, context["lang"]) if t.start] if event else []
    keys = [t.key for t in talks]
    if talk.key not in keys:
        return None, None
    index = keys.index(talk.key)
    return (talks[index - 1] if index > 0 else None, talks[index + 1] if index + 1 < len(talks) else None)


@shows_entries
def calendar_url(helpers: HelperContext, entry: Any) -> str:
    """Site path of the entry's .ics ("add to calendar"), or "" when it has none."""
    site = helpers.site
    return calendar_path(site.original(entry.key) or entry) if has_calendar(site, entry) else ""
