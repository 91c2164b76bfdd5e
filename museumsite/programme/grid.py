"""An event's programme as data: days, rooms side by side, rows of time, breaks.

Input: an event and its talks (any language versions, one per talk). Output: a
``ProgrammeGrid`` the event template draws as a grid (rooms across, time down, a talk
spanning the rows it lasts) and, on a narrow screen, reads as a single list by time.
Pure: no theme, no disk. Times stay in the event's own time zone: they are aware
datetimes built in it, and only their wall-clock values are compared here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from museumsite.model import Break, Event, Talk
from museumsite.urls import make_slug


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    talk: Talk | None = None  # None for a break spanning every room
    title: str = ""  # a break's title
    rows: int = 1  # how many rows of time it spans
    columns: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    start: dt.datetime
    end: dt.datetime
    cells: tuple[Cell | None, ...]  # one per room; None where a cell above spans into this row


@dataclass(frozen=True, slots=True, kw_only=True)
class Day:
    date: dt.date
    rows: tuple[Row, ...]
    unscheduled: tuple[Talk, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgrammeGrid:
    rooms: tuple[str, ...]
    days: tuple[Day, ...]
    unscheduled: tuple[Talk, ...]  # talks without a time: listed after the grid
    tracks: tuple[tuple[str, str], ...]  # (slug, name) of every track used
    types: tuple[tuple[str, str], ...]  # (slug, name) of every session type used


def make_grid(event: Event, talks: tuple[Talk, ...]) -> ProgrammeGrid:
    """Lay out the event's talks: rooms in the event's order, then any others by first use."""
    timed = [t for t in talks if t.start is not None]
    rooms = list(event.rooms)
    for talk in timed:
        if talk.room not in rooms:
            rooms.append(talk.room)
    if not rooms:
        rooms = [""]
    days: dict[dt.date, list[Any]] = {}
    items: list[Talk | Break] = [*timed, *event.breaks]
    for item in items:
        assert item.start is not None
        days.setdefault(item.start.date(), []).append(item)
    laid = tuple(_day(day, items, tuple(rooms)) for day, items in sorted(days.items()))
    tracks = sorted({t.track for t in talks if t.track})
    types = sorted({t.type for t in talks if t.type})
    return ProgrammeGrid(rooms=tuple(rooms), days=laid, unscheduled=tuple(t for t in talks if t.start is None),
                    tracks=tuple((make_slug(x), x) for x in tracks),
                    types=tuple((make_slug(x), x) for x in types) if len(types) > 1 else ())


def _end(item: Any) -> dt.datetime:
    start: dt.datetime = item.start
    end: dt.datetime | None = item.end
    return end if end is not None and end > start else start + dt.timedelta(minutes=30)


def _day(day: dt.date, items: list[Any], rooms: tuple[str, ...]) -> Day:
    bounds = sorted({item.start for item in items} | {_end(item) for item in items})
    spans = [(a, b) for a, b in itertools.pairwise(bounds)
             if any(item.start <= a and _end(item) >= b for item in items)]
    index = {span[0]: number for number, span in enumerate(spans)}
    grid: list[list[Cell | None | bool]] = [[False] * len(rooms) for _ in spans]  # False: free
    for item in sorted(items, key=lambda i: (i.start, isinstance(i, Talk), getattr(i, "room", ""))):
        first = index[item.start]
        last = max(n for n, (a, _) in enumerate(spans) if a < _end(item))
        height = last - first + 1
        if isinstance(item, Break) and not item.room:
            columns = range(len(rooms))
            cell = Cell(title=item.title, rows=height, columns=len(rooms))
        else:
            column = rooms.index(item.room) if item.room in rooms else 0
            columns = range(column, column + 1)
            cell = Cell(talk=item, rows=height) if isinstance(item, Talk) else Cell(title=item.title, rows=height)
        if any(grid[r][c] is not False for r in range(first, last + 1) for c in columns):
            continue  # overlapping sessions in one room: reported by the checks, drawn once
        for r in range(first, last + 1):
            for c in columns:
                grid[r][c] = None
        grid[first][columns[0]] = cell
    rows = tuple(Row(start=a, end=b, cells=tuple(Cell() if c is False else c for c in cells))  # type: ignore[misc]
                 for (a, b), cells in zip(spans, grid, strict=True))
    return Day(date=day, rows=rows)
