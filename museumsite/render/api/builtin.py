"""The template API museumsite ships: every global and filter, in one table (name, function, bind, doc).

This table is the whole boundary between museumsite and a theme: a name is here, and
in README.md's "Template reference", or templates do not get it. Renaming one breaks
users' themes; add a name rather than change one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from museumsite.config import SiteConfig
from museumsite.lang.collation import initial
from museumsite.lang.i18n import language_name
from museumsite.model import Site
from museumsite.render.api import comments, dates, fragments, languages, links, media, programme
from museumsite.render.api.context import HelperContext
from museumsite.render.api.registry import Bind, Registry
from museumsite.urls import make_slug


def _site(helpers: HelperContext) -> Site:
    return helpers.site


def _config(helpers: HelperContext) -> SiteConfig:
    return helpers.config


GLOBALS: tuple[tuple[str, Callable[..., Any], Bind, str], ...] = (
    # The site and its settings.
    ("site", _site, "value", "every entry, and the queries: site.talks_of(event), site.posts_for(lang), site.tag(key)..."),
    ("config", _config, "value", "the site's museumsite.yaml; your own settings are under config.extra"),
    # Links.
    ("url_for", links.url_for, "site", "a link to an entry, a tag or a site path such as '/posts/', under the base path"),
    ("url_in", links.url_in, "site", "a site path in the page's language: '/posts/' on a French page is '/fr/posts/'"),
    ("absolute_url", links.absolute_url, "site", "a site path as a full URL on the site's base_url"),
    ("is_site_path", links.is_site_path, "none", "whether a link stays on this site ('/a.pdf') rather than another"),
    ("imported_rel", links.imported_rel, "none", "the rel attribute of a front-matter link (\"nofollow ugc\" from imports)"),
    ("structured_head", links.structured_head, "site", "Open Graph, Twitter card and JSON-LD tags for the <head>"),
    ("site_logo", links.site_logo, "site", "the site path of museumsite.yaml's logo (header mark, favicon), or \"\""),
    ("slug", make_slug, "none", "the ASCII slug of a text, as museumsite makes them: \"Évaluer l'usage\" -> \"evaluer-l-usage\""),
    # Interface strings and languages.
    ("_", languages.gettext, "site", "an interface string in the page's language, formatted with keyword variables"),
    ("gettext", languages.gettext, "site", "the same as _ (what {% trans %} calls)"),
    ("ngettext", languages.ngettext, "site", "singular or plural in the page's language for a number, given as num"),
    ("language_name", language_name, "none", "a language's name in that language ('fr' -> 'Français'), or in another"),
    ("lang_attr", languages.lang_attr, "none", "' lang=\"fr\"' when an element's language differs from the page's"),
    ("initial", initial, "none", "the letter a name is filed under in a language ('É' under 'E', digits under '#')"),
    # Dates.
    ("post_datetime", dates.post_datetime, "none", "the datetime attribute of a post's <time>: the day alone if untimed"),
    ("time_range", dates.time_range, "none", "two <time>s of a range, what both share said once: '12:00–2:00 PM'"),
    ("duration", dates.duration, "none", "the time between two datetimes in the page's language: '1 h 30 min'"),
    # Conference programmes.
    ("schedule_of", programme.schedule_of, "site", "an event's timetable of talks in the page's language"),
    ("zone_of", programme.zone_of, "site", "an event's time zone named in the page's language"),
    ("session_type", programme.session_type, "site", "a talk's session type ('keynote') in the page's language"),
    ("neighbours", programme.neighbours, "site", "the talks before and after a talk in its event's schedule"),
    ("calendar_url", programme.calendar_url, "site", "the site path of an entry's .ics calendar, or \"\""),
    # Slides, recordings, files.
    ("video_of", media.video_of, "site", "what a recording's URL is, and its player when from a trusted host"),
    ("slide_label", media.slide_label, "site", "what slides at a URL are ('PDF', 'Speaker Deck') in the page's language"),
    ("link_label", media.link_label, "site", "a talk link's kind ('Recording') in the page's language, or \"\""),
    ("file_size", media.file_size, "site", "the size of one of the site's files ('1.2 MB'), or \"\""),
    # Comments.
    ("comment_intake", comments.comment_intake, "site", "whether an entry's page offers to leave a comment"),
    ("comment_mailto", comments.comment_mailto, "site", "an entry's \"reply by e-mail\" link (to a comment), or \"\""),
    # Rendering.
    ("remember", fragments.remember, "none", "what a macro prints, made once per build, arguments and page language"),
)

FILTERS: tuple[tuple[str, Callable[..., Any], Bind, str], ...] = (
    ("date", dates.date, "none", "a day in the page's language: '16 October 2009' (style: short, medium, long, full)"),
    ("clock", dates.clock, "none", "a time of day in the page's language: '14:30'"),
    ("moment", dates.moment, "none", "a day and time in the page's language"),
    ("by_family_name", languages.by_family_name, "none", "speakers by family name (or sort_as) in a language's order"),
    ("groupby_initial", languages.groupby_initial, "none", "people, as (letter, people) groups by their names' initial"),
)


def builtin_registry() -> Registry:
    """A new registry holding museumsite's globals and filters; one per build, so additions stay in it."""
    registry = Registry()
    for name, function, bind, doc in GLOBALS:
        registry.register(name, function, kind="global", bind=bind, doc=doc)
    for name, function, bind, doc in FILTERS:
        registry.register(name, function, kind="filter", bind=bind, doc=doc)
    return registry
