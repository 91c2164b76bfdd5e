"""What every page may show, hashed: the frame, the site's shape, its structure and each entry's fields.

``reuse.py`` keeps a page when what it was made from is the same. The coarse part of that
is hashed here, at three grains:

- the **frame**: the code, the options, the theme and the catalogues (without the templates,
  each page's being among its reads);
- the **shape**: the frame, the config, the static files, the tags, the comments and every
  field of every entry but its body. While it is the same, a page is kept on its own reads
  (the bodies and templates it printed);
- the **structure**: the shape without the *leaf fields* of posts and pages (their title,
  date, tags, summary, description, authors, ``extra``...) and without the order of their
  lists. A leaf field shows where a template prints it, and where a list holds the entry: no
  page is planned, no link made by it. The lists are one more "entry" of their own
  (``LISTS``): the order of every list of the site and which entries each tag holds, read
  by a template through the site (``site.posts``, ``site.tags``; any attribute of the site
  but ``SITE_LOOKUPS``) or a tag (``tag.entries``). A page that is given a list gets it in
  its variables, by name, in order. So when the shape changed and the structure did not,
  only the leaf fields of some posts and pages (and maybe the lists) changed
  (``Shape.fields`` says whose), and a page is kept when it read none of them and its
  variables are the same (``render/pages.py``'s context read). A date edit makes again the
  post's page, the lists whose slice it moves through and the feeds that hold it; a tag
  the site already has, given or taken, the tag's pages and feeds besides.

What stays structural: an entry's address, its template, its menu place, its aliases; the
tags the site has and their names (a tag new to the site, or one that no entry holds any
more, makes the whole site again).

The leaf fields of talks, speakers and events are in the structure: the programme's helpers
(the schedule grid, the JSON-LD of a talk and its speakers) read them in Python, across
entries, where no read is noted. A retitled talk makes the whole site again, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from museumsite import __version__
from museumsite.incremental.store import Store, files_under
from museumsite.model import Entry, Page, Post, Site

# What an entry's page may print of its body: a page that reads none of them is kept when a body changes.
BODY_FIELDS = frozenset({"body_md", "body_html", "toc_html"})
# The fields of a post or a page that decide where it is (its address, its template, its place in the menu):
# everything else of theirs is a leaf field, its date and tags too (see the module's docstring). Reading one of
# these is not noted as a read of the entry.
STRUCTURAL_FIELDS = frozenset({"kind", "key", "lang", "slug", "url", "source", "template", "draft", "aliases",
                               "menu"})
LEAF_KINDS = (Post, Page)
# 3: the structure and each entry's fields, and the leaf fields and variables a page read; 4: dates, tags and the
# lists' order out of the structure, and the lists a page read
RECORD_VERSION = 4
# The "entry" of the site's lists among ``Shape.fields``: its read is ``FIELDS + LISTS`` (incremental/reuse.py).
LISTS = "\0lists"
# What a template may ask of the site whose answer is the same whatever the order of the posts and pages and
# whichever entries a tag holds: a look-up by key, the config, the comments, the programme (wholly structural),
# a tag by name (which tags the site has is structural; reading a tag's ``entries`` is a read of the lists).
# Any other attribute (``posts``, ``tags``, ``posts_for``, ``menu_pages``, one added later) is a read of the lists.
SITE_LOOKUPS = frozenset({"config", "static", "static_file", "get", "original", "versions", "translations",
                          "thread_of", "comment_count", "threads", "tag", "tag_of", "tag_labels", "events",
                          "talks", "speakers", "events_for", "talks_for", "speakers_for", "talks_of", "talks_by",
                          "speakers_of", "event_of"})


def read_name(entry: Entry) -> str:
    """How an entry is named among a page's reads (its body read, render/theme.py's environment; its fields,
    ``reuse.field_read``) and among ``Shape.fields``: its key and language."""
    return f"{entry.key}\0{entry.lang}"


@dataclass(frozen=True, slots=True)
class Shape:
    """The shape and structure of one site (hex digests), and the digest of each entry's fields by ``read_name``,
    the site's lists being one more "entry" there (``LISTS``)."""

    shape: str
    structure: str
    fields: dict[str, str]

    def changed(self, before: dict[str, str]) -> set[str]:
        """The entries (``read_name``) whose fields differ from ``before`` (a record's), or are new."""
        return {name for name, digest in self.fields.items() if before.get(name) != digest}


def frame_digest(theme_dirs: Sequence[Path], locales: Path, store: Store, *, templates: bool = True) -> str:
    """A hash of what shows the site, whatever its content: the code, the options, the theme and the
    catalogues (``locales``: the site's own). ``templates=False`` leaves the themes' templates out: the
    shape's frame, each page's templates being among its reads instead."""
    digest = hashlib.sha256(json.dumps([RECORD_VERSION, __version__, sys.version, store.options.key("pages")])
                            .encode())
    digest.update(store.code().encode())
    left_out = () if templates else tuple(os.path.join(folder, "templates", "") for folder in theme_dirs)
    for folder in [*theme_dirs, locales]:
        for path in sorted(files_under(folder)):
            if left_out and str(path).startswith(left_out):
                continue
            digest.update(f"{path}\0".encode())
            with contextlib.suppress(OSError):
                digest.update(store.digest(path))
    return digest.hexdigest()


def site_shape(site: Site, frame: str) -> Shape:
    """The site's shape, structure and fields (see the module's docstring); one pass over the entries."""
    shape = hashlib.sha256(frame.encode())
    structure = hashlib.sha256(frame.encode())
    # The tags the site has, as pages show them: ``tag_labels`` also holds the tags of drafts (which may
    # become the first to hold one), and ``site.tag()`` answers for published entries only.
    tags = [(tag.key, tag.lang, tag.name, tag.url) for tag in site.tags]
    rest = repr([site.config, site.static, sorted(site.tag_of.items()), sorted(site.tag_labels.items()), tags,
                 sorted(site.threads.items())]).encode()
    shape.update(rest)
    structure.update(rest)
    digests: dict[str, str] = {}
    leaves: list[str] = []
    lists = hashlib.sha256()
    for entry in site.entries:  # the site's lists, one after the other, in their order
        values = _shape_of(entry)
        text = repr(values).encode()
        shape.update(text)
        name = read_name(entry)
        if isinstance(entry, LEAF_KINDS):  # the structure holds them in no order: their order is the lists'
            leaves.append(repr(tuple(getattr(entry, field) for field in _structural(type(entry)))))
            lists.update(repr((name, entry.tags)).encode())
        else:
            structure.update(text)
        digests[name] = hashlib.sha256(text).hexdigest()
    structure.update(repr(sorted(leaves)).encode())
    digests[LISTS] = lists.hexdigest()
    return Shape(shape.hexdigest(), structure.hexdigest(), digests)


def _shape_of(entry: Entry) -> tuple[Any, ...]:
    return (type(entry).__name__, *(getattr(entry, f.name) for f in fields(entry) if f.name not in BODY_FIELDS))


_STRUCTURAL: dict[type, tuple[str, ...]] = {}


def _structural(kind: type) -> tuple[str, ...]:
    """The structural fields of a kind of entry, in the order of its fields (found once per kind)."""
    found = _STRUCTURAL.get(kind)
    if found is None:
        found = _STRUCTURAL[kind] = ("__class__", *(f.name for f in fields(kind) if f.name in STRUCTURAL_FIELDS))
    return found
