"""A serve session's rebuild after edits of entries' bodies alone: only what reads them is made again.

Rewriting the text of a post is what a writer does all day under ``serve``, and the only
edit that cannot change what any other page shows but the few that print that text.
A whole build still reads, assembles, plans and hashes the site before it can see that
(on a 10,000-post blog: seconds a save). So ``build.py`` leaves a ``Snapshot`` of each
good build in the session's ``Resident``, and the next build, once it has loaded the
documents (unchanged files come from memory), asks ``edited`` whether nothing but bodies
changed: the same frame (code, options, theme, catalogues), config, static files and
comment archives, the same documents, the changed ones equal but for their bodies. Then:

- only the edited bodies are converted, with links resolved against the previous site
  (no URL changed); if what the lists print of them (summary, description) changed,
  it is a whole build after all;
- the new entries replace the old ones in the previous site, whose tags and look-ups are
  made again from them;
- every page and post feed that read none of the edited bodies is kept from memory; the
  others are made again from jobs brought up to date with the new site (``refresh``);
- the cheap families (comment and event feeds, calendars, schedule exports) are made again
  as in every build, and nothing new is checked for collisions (no path changed).

Anything else (a title, a tag, a new or removed file, a template, a comment) is a whole
build, with the usual reuse (which, for a retitled post, keeps what shows none of its fields:
``shape.py``). ``tests/incremental/test_incremental.py``'s state machine checks
that what ``serve`` shows equals a clean build after any sequence of edits, and
``tests/serve/test_body_edits.py`` each place an edited body shows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from museumsite.config import SiteConfig
from museumsite.errors import Problem, Problems
from museumsite.incremental.markdown import MarkupCache
from museumsite.incremental.reuse import Reuse
from museumsite.incremental.shape import BODY_FIELDS, Shape, read_name
from museumsite.incremental.store import Store
from museumsite.model import Archive, Document, Entry, Site, StaticFile

# markup/convert.py's ``convert_entries``, given by build.py (the incremental layer sits below the stages).
Convert = Callable[[Site, Sequence[Entry], Problems, Any, MarkupCache], list[Entry]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """What a good build of a serve session leaves for the next one; see the module docstring."""

    config: SiteConfig
    frame: str  # reuse.frame_digest: code, options, theme and catalogues
    documents: tuple[Document, ...]
    static: tuple[StaticFile, ...]
    archives: tuple[Archive, ...]
    checked: Site  # assembled, with its comments, checked; before conversion: links resolve against it
    site: Site  # converted
    interface: Any  # lang/i18n.py's Interface
    catalogue_problems: tuple[Problem, ...]
    assembled_warnings: tuple[Problem, ...]  # of assembling and checking: the same while no field changes
    converted_warnings: tuple[Problem, ...]  # of converting the bodies, by the file they are in
    shape: Shape
    jobs: tuple[Any, ...]  # render/plan.py's Jobs
    table: Mapping[str, Mapping[str, str]]
    plans: Any  # plugins/producers.py's Plans
    ids: Mapping[str, list[tuple[str, str]]]  # Reuse.ids: the identity of every page and feed of that plan
    drafts: int  # the drafts left out: the same while no field changes


def edited(snapshot: Any, config: SiteConfig, frame: str, documents: Sequence[Document],
           static: Sequence[StaticFile], archives: Sequence[Archive]) -> tuple[Snapshot, list[Document]] | None:
    """``snapshot`` (a ``Snapshot`` or None) and the documents whose bodies alone changed since, in order;
    None when anything else may have changed."""
    if not isinstance(snapshot, Snapshot) or snapshot.frame != frame or snapshot.config != config:
        return None
    if tuple(static) != snapshot.static or tuple(archives) != snapshot.archives:
        return None
    if len(documents) != len(snapshot.documents):
        return None
    changed = []
    for before, now in zip(snapshot.documents, documents):
        if now is before:
            continue
        if dataclasses.replace(now, body=before.body) != before:
            return None
        if now.body != before.body:
            changed.append(now)
    return snapshot, changed


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """The site after the edits, and the reuse that keeps what did not read them."""

    site: Site
    reuse: Reuse


def after_edits(snapshot: Snapshot, changed: Sequence[Document], problems: Problems, cache: MarkupCache,
                store: Store, convert: Convert) -> Rebuilt | None:
    """Convert the edited bodies and swap them into the previous site; None when a whole build is needed
    (an edited file is not an entry of the site, or what the lists show of it changed)."""
    checked = {entry.source.path: entry for entry in snapshot.checked.entries}
    shown = {entry.source.path: entry for entry in snapshot.site.entries}
    if any(doc.path not in checked or doc.path not in shown for doc in changed):
        return None  # a draft left out, a file that could not be built: the whole build says what to do
    found = Problems(strict=problems.strict)
    raw = [dataclasses.replace(checked[doc.path], body_md=doc.body) for doc in changed]
    new = convert(snapshot.checked, raw, found, snapshot.interface, cache)
    if any(_shown_of(entry) != _shown_of(shown[entry.source.path]) for entry in new):
        return None
    site = snapshot.site.with_bodies({(entry.key, entry.lang): entry for entry in new})
    names = frozenset(read_name(entry) for entry in new)
    reuse = Reuse.after_edits(store, site, snapshot.shape, names, lambda item: refresh(item, site), snapshot.ids)
    if reuse is None:
        return None
    edited_paths = {doc.path for doc in changed}
    problems.items.extend(snapshot.assembled_warnings)
    problems.items.extend(w for w in snapshot.converted_warnings if w.path not in edited_paths)
    problems.items.extend(found.items)
    return Rebuilt(site, reuse)


def _shown_of(entry: Entry) -> tuple[Any, ...]:
    """Every field of ``entry`` but its body: what pages that do not print the body may show of it."""
    return tuple(getattr(entry, f.name) for f in dataclasses.fields(entry) if f.name not in BODY_FIELDS)


def refresh(value: Any, site: Site) -> Any:
    """``value`` (a page job, a feed, what their contexts hold) with every entry, tag and site in it taken
    from ``site``: the plan of an earlier build holds the entries of that build, whose bodies may be old."""
    if isinstance(value, Entry):
        found = site.get(value.key, value.lang)
        return found if found is not None and found.lang == value.lang else value
    if isinstance(value, Site):
        return site
    if isinstance(value, tuple):
        items = [refresh(item, site) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)  # a named tuple stays one
    if isinstance(value, list):
        return [refresh(item, site) for item in value]
    if isinstance(value, dict):
        return {key: refresh(item, site) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: refresh(getattr(value, f.name), site)
                                             for f in dataclasses.fields(value) if f.init})
    return value
