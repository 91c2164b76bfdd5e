"""Slides, recordings and files of a talk: their kinds named in the page's language, sizes, players."""

from __future__ import annotations

import jinja2
from jinja2.runtime import Context

from museumsite.content.media import LINK_KINDS, SLIDE_KINDS, Video, human_size, slide_kind
from museumsite.content.media import video_of as recording_of
from museumsite.render.api.context import HelperContext


def video_of(helpers: HelperContext, url: str) -> Video:
    """The recording at ``url``, framed only from built-in players and the site's ``video.hosts``."""
    return recording_of(url, helpers.config.video.hosts)


@jinja2.pass_context
def slide_label(helpers: HelperContext, context: Context, url: str) -> str:
    """What the slides at ``url`` are ("PDF", "Speaker Deck"...) in the page's language."""
    return helpers.interface.gettext(context["lang"], SLIDE_KINDS[slide_kind(url)])


@jinja2.pass_context
def link_label(helpers: HelperContext, context: Context, kind: str) -> str:
    """A talk link's kind in the page's language ("" for a link without a known kind)."""
    label = LINK_KINDS.get(kind)
    return helpers.interface.gettext(context["lang"], label) if label else ""


@jinja2.pass_context
def file_size(helpers: HelperContext, context: Context, url: str) -> str:
    """'1.2 MB' for a file of the site ('/slides/a.pdf'), "" for another site's or a missing one."""
    found = helpers.site.static_file(url) if url.startswith("/") else None
    return human_size(found.size, context["lang"]) if found else ""
