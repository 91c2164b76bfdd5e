"""Links and the page's <head>: site paths under the base path, absolute URLs, rel of imported links.

Helpers taking a ``HelperContext`` first are bound to the build's (``registry``); those
marked ``pass_context`` get the template's context, to read the page's language or URL.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.runtime import Context
from markupsafe import Markup, escape

from museumsite.render.api.context import HelperContext, shows_entries
from museumsite.render.chain import site_logo as configured_logo
from museumsite.render.structured import head_html
from museumsite.urls import absolute, link, localize

NO_MARKUP = Markup("")


def url_for(helpers: HelperContext, target: Any) -> str:
    """A link to an entry, a tag (anything with a ``url``) or a site path such as '/posts/'."""
    return link(target if isinstance(target, str) else target.url, helpers.base_path)


@jinja2.pass_context
def url_in(helpers: HelperContext, context: Context, path: str) -> str:
    """A site path in the page's language: '/posts/' on a French page is '/fr/posts/'."""
    return link(localize(path, context["lang"], helpers.language, helpers.prefix), helpers.base_path)


def absolute_url(helpers: HelperContext, url: str) -> str:
    """A site path as a full URL on the site's ``base_url`` (hreflang links, feeds)."""
    return absolute(url, helpers.base_url)


def is_site_path(url: str) -> bool:
    """Whether a link stays on this site ('/slides/a.pdf'), as opposed to another ('https://...', '//...')."""
    return url.startswith("/") and not url.startswith("//")


@shows_entries
def imported_rel(entry: Any, url: str, rel: str = "") -> Markup:
    """`` rel="..."`` of a link in an entry's front matter (slides, video, a speaker's links).

    An importer's entry (``imported:`` in its front matter) holds what strangers typed
    into a schedule: its links to other sites get "nofollow ugc", as comments' do, so
    that search engines do not credit them to the site.
    """
    tokens = [rel] if rel else []
    if getattr(entry, "imported", "") and not is_site_path(url):
        tokens += ["nofollow", "ugc"]
    return Markup(f' rel="{escape(" ".join(tokens))}"') if tokens else NO_MARKUP


@shows_entries
@jinja2.pass_context
def structured_head(helpers: HelperContext, context: Context, entry: Any = None) -> Markup:
    """Open Graph, Twitter card and JSON-LD for the page's <head> (see ``render.structured``)."""
    return head_html(helpers.site, entry, lang=context["lang"], url=context["page_url"], title=context["title"],
                     description=context.get("description") or "")


def site_logo(helpers: HelperContext) -> str:
    """The site path of museumsite.yaml's ``logo`` (the header's mark and the favicon), or "" when unset."""
    return configured_logo(helpers.config)
