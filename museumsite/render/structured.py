"""Structured data for a page's <head>: schema.org JSON-LD, Open Graph and a Twitter card.

Search engines read JSON-LD (an event with its talks, a person, a blog post);
chat and social apps read Open Graph when a link is shared. Both are data, not
script: nothing here makes a reader's browser ask anything of another host.

Every function is pure: the entry and the site in, plain values out. Titles, names
and rooms are untrusted plain text, so the JSON is escaped for a ``<script>``
element (every ``<``, ``>`` and ``&`` as ``\\u003c``...: a title reading
``</script><script>...`` stays a string) and meta attributes go through
MarkupSafe. URLs are kept only when ``sanitize.safe_url`` accepts them, and are
always made absolute, since the data is read away from the page.
"""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from museumsite.config import SiteConfig
from museumsite.content.media import VIDEO_FILES
from museumsite.markup.convert import plain_text
from museumsite.model import Entry, Event, Link, Post, Site, Speaker, Talk
from museumsite.render.chain import site_logo
from museumsite.sanitize import safe_url
from museumsite.urls import absolute

SCHEMA = "https://schema.org"
DESCRIPTION_LIMIT = 300
OG_TYPES = {"posts": "article", "speakers": "profile"}


def script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/ld+json">``: no ``</script`` nor ``<!--``.

    ``<``, ``>`` and ``&`` become JSON escapes, which every JSON parser reads back
    as the same characters; U+2028 and U+2029 too, for old JavaScript parsers.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def json_ld(site: Site, entry: Entry | None) -> dict[str, Any] | None:
    """The schema.org object describing a page's entry, or None for pages without one."""
    if isinstance(entry, Event):
        data = _event(site, entry)
        talks = site.talks_of(entry, entry.lang)
        if talks:
            data["subEvent"] = [_talk(site, talk, entry, brief=True) for talk in talks]
    elif isinstance(entry, Talk):
        event = site.event_of(entry, entry.lang)
        data = _talk(site, entry, event)
        if event is not None:
            data["superEvent"] = _compact(_event(site, event), "@type", "@id", "name", "url", "startDate", "endDate")
    elif isinstance(entry, Speaker):
        data = _person(site, entry, full=True)
    elif isinstance(entry, Post):
        data = _post(site, entry)
    else:
        return None
    return {"@context": SCHEMA, **data}


def open_graph(site: Site, entry: Entry | None, *, lang: str, url: str, title: str,
               description: str) -> list[tuple[str, str]]:
    """Open Graph properties (and the Twitter card) of a page, as (property, content) pairs.

    ``url`` is the page's site path; ``title`` and ``description`` are the page's own,
    used where there is no entry.
    """
    config = site.config
    if entry is not None:
        title = entry.name if isinstance(entry, Speaker) else entry.title
        description = _description(entry) or description
    props = [("og:title", title), ("og:type", OG_TYPES.get(entry.kind, "website") if entry else "website"),
             ("og:url", absolute(url, config.base_url))]
    if description:
        props.append(("og:description", description))
    props.append(("og:site_name", config.title_in(lang)))
    props.append(("og:locale", og_locale(lang)))
    if entry is not None:
        props.extend(("og:locale:alternate", og_locale(other.lang)) for other in site.translations(entry))
        image = _image(site, entry)
        if image:
            props.append(("og:image", image))
            props.append(("og:image:alt", entry.name if isinstance(entry, Speaker) else entry.title))
    if not any(prop == "og:image" for prop, _ in props):
        shared = share_image(config)
        if shared:
            props.append(("og:image", absolute(shared, config.base_url)))
            props.append(("og:image:alt", config.title_in(lang)))
    if isinstance(entry, Post):
        props.append(("article:published_time", _post_date(entry, entry.date)))
        if entry.updated is not None:
            props.append(("article:modified_time", entry.updated.isoformat()))
        props.extend(("article:tag", tag.name) for key in entry.tags
                     if (tag := site.tag(key, entry.lang)) is not None)
    props.append(("twitter:card", "summary"))
    return props


def head_html(site: Site, entry: Entry | None, *, lang: str, url: str, title: str, description: str) -> Markup:
    """The meta tags and the JSON-LD script for a page's <head>, escaped."""
    # Open Graph is RDFa (``property``); Twitter reads its own keys from ``name``.
    lines = [f'<meta {"name" if prop.startswith("twitter:") else "property"}="{escape(prop)}" '
             f'content="{escape(value)}">'
             for prop, value in open_graph(site, entry, lang=lang, url=url, title=title, description=description)]
    data = json_ld(site, entry)
    if data is not None:
        lines.append(f'<script type="application/ld+json">{script_json(data)}</script>')
    return Markup("\n".join(lines))


@functools.lru_cache(maxsize=64)
def og_locale(lang: str) -> str:
    """Open Graph's language_TERRITORY form: 'fr' -> 'fr_FR', 'ca' -> 'ca_ES', 'pt-BR' -> 'pt_BR'."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return lang.replace("-", "_")
    if not locale.territory:
        likely = get_global("likely_subtags").get(locale.language)
        if likely:
            locale = Locale.parse(likely)
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language


def _event(site: Site, event: Event) -> dict[str, Any]:
    url = absolute(event.url, site.config.base_url)
    data: dict[str, Any] = {
        "@type": "Event", "@id": url + "#event", "name": event.title, "url": url,
        "startDate": event.start.isoformat(), "endDate": max(event.end, event.start).isoformat(),
        "eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
        "eventStatus": f"{SCHEMA}/EventScheduled", "inLanguage": event.lang,
    }
    if description := _description(event):
        data["description"] = description
    if place := _place(event.venue, event.city):
        data["location"] = place
    organizer = event.extra.get("organizer")
    if isinstance(organizer, str) and organizer.strip():
        data["organizer"] = {"@type": "Organization", "name": organizer.strip()}
    return data


def _talk(site: Site, talk: Talk, event: Event | None, *, brief: bool = False) -> dict[str, Any]:
    """A talk as an Event; ``brief`` (a sub-event of an event page) leaves out what the event already says
    and the summary, which its own page gives: a programme of 200 talks stays a reasonable page."""
    url = absolute(talk.url, site.config.base_url)
    data: dict[str, Any] = {"@type": "Event", "@id": url + "#event", "name": talk.title, "url": url}
    if talk.start is not None:
        data["startDate"] = talk.start.isoformat()
        if talk.end is not None:
            data["endDate"] = talk.end.isoformat()
    if not brief:
        data["eventAttendanceMode"] = f"{SCHEMA}/OfflineEventAttendanceMode"
        data["eventStatus"] = f"{SCHEMA}/EventScheduled"
        data["inLanguage"] = talk.language or talk.lang
        if description := _description(talk):
            data["description"] = description
    venue = _place(event.venue if event else "", event.city if event else "")
    if talk.room:
        room: dict[str, Any] = {"@type": "Place", "name": talk.room}
        if venue:
            if "address" in venue:
                room["address"] = venue["address"]
            if "name" in venue and not brief:
                room["containedInPlace"] = venue
        data["location"] = room
    elif venue:
        data["location"] = venue
    performers = [_person(site, s, brief=brief) for s in site.speakers_of(talk, talk.lang)]
    if performers:
        data["performer"] = performers
    slides = [_slides(site, link) for link in talk.slides]
    if found := [s for s in slides if s]:
        data["workFeatured"] = found
    if video := _video(site, talk):
        data["recordedIn"] = video
    if talk.track:
        data["about"] = talk.track
    return data


def _person(site: Site, speaker: Speaker, *, full: bool = False, brief: bool = False) -> dict[str, Any]:
    url = absolute(speaker.url, site.config.base_url)
    data: dict[str, Any] = {"@type": "Person", "@id": url + "#person", "name": speaker.name, "url": url}
    if speaker.affiliation and not brief:
        data["affiliation"] = {"@type": "Organization", "name": speaker.affiliation}
    if not full:
        return data
    if image := _image(site, speaker):
        data["image"] = image
    same = [link.url for link in speaker.links if _external(link.url)]
    if same:
        data["sameAs"] = same
    if description := _description(speaker):
        data["description"] = description
    talks = site.talks_by(speaker, speaker.lang)
    if talks:
        data["performerIn"] = [_compact(_talk(site, t, None, brief=True), "@type", "@id", "name", "url", "startDate")
                               for t in talks]
    return data


def _post(site: Site, post: Post) -> dict[str, Any]:
    url = absolute(post.url, site.config.base_url)
    data: dict[str, Any] = {
        "@type": "BlogPosting", "@id": url + "#post", "headline": post.title, "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": _post_date(post, post.date),
        "dateModified": post.updated.isoformat() if post.updated else _post_date(post, post.date),
        "inLanguage": post.lang,
    }
    if post.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in post.authors]
    if description := _description(post):
        data["description"] = description
    keywords = [tag.name for key in post.tags if (tag := site.tag(key, post.lang)) is not None]
    if keywords:
        data["keywords"] = keywords
    data["isPartOf"] = {"@type": "Blog", "name": site.config.title_in(post.lang),
                        "url": absolute("/", site.config.base_url)}
    return data


def _post_date(post: Post, when: Any) -> str:
    """A day alone when the author gave no time: it stays that day in every zone."""
    return str(when.date().isoformat()) if not post.timed else str(when.isoformat())


def _place(venue: str, city: str) -> dict[str, Any] | None:
    if not venue and not city:
        return None
    place: dict[str, Any] = {"@type": "Place"}
    if venue:
        place["name"] = venue
    if city:
        place["address"] = {"@type": "PostalAddress", "addressLocality": city}
    return place


def _slides(site: Site, link: Link) -> dict[str, Any] | None:
    url = safe_url(link.url)
    if url is None:
        return None
    url = absolute(url, site.config.base_url)
    data: dict[str, Any] = {"@type": "PresentationDigitalDocument", "name": link.title or url, "url": url}
    if url.lower().split("?", 1)[0].endswith(".pdf"):
        data["encodingFormat"] = "application/pdf"
    return data


def _video(site: Site, talk: Talk) -> dict[str, Any] | None:
    """A recording: ``contentUrl`` for a direct file, else ``url`` (the page of a video host)."""
    url = safe_url(talk.video) if talk.video else None
    if url is None:
        return None
    url = absolute(url, site.config.base_url)
    data: dict[str, Any] = {"@type": "VideoObject", "name": talk.title}
    path = url.lower().split("?", 1)[0].split("#", 1)[0]
    kind = next((mime for ext, mime in VIDEO_FILES.items() if path.endswith(ext)), None)
    if kind:
        data.update(contentUrl=url, encodingFormat=kind)
    else:
        data["url"] = url
    return data


def _image(site: Site, entry: Entry) -> str | None:
    """The image a share card shows for ``entry``, as an absolute URL: its own (a talk's ``image:``, a speaker's
    photo), else for a talk its first speaker's photo with one. Only a PNG or JPEG at a site path or an https
    URL: social sites show no SVG (the site's share image is used then)."""
    own = [entry.image] if isinstance(entry, Talk) else [getattr(entry, "photo", "")]
    if isinstance(entry, Talk):
        own += [speaker.photo for speaker in site.speakers_of(entry, entry.lang)]
    for candidate in own:
        url = safe_url(candidate) if candidate else None
        if url is None or not (url.startswith("/") or url.lower().startswith("https://")):
            continue
        if urlsplit(url).path.lower().endswith(RASTER_IMAGES):
            return absolute(url, site.config.base_url)
    return None


RASTER_IMAGES = (".png", ".jpg", ".jpeg")


def share_image(config: SiteConfig) -> str:
    """The site path of the image shown when any page is shared: the logo if PNG or JPEG, else a PNG or
    JPEG of the same name beside it in content/static. Social sites show no SVG, and rasterizing one would
    take a native library; so the site gives the raster, or there is no image.
    """
    logo = site_logo(config)
    if not logo:
        return ""
    stem, dot, ext = logo.rpartition(".")
    if dot and "." + ext.lower() in RASTER_IMAGES:
        return logo
    static = config.content_dir / "static"
    for suffix in RASTER_IMAGES:
        candidate = (stem if dot else logo) + suffix
        if (static / candidate.lstrip("/")).is_file():
            return candidate
    return ""


def _external(url: str) -> bool:
    found = safe_url(url, site_paths=False)
    return found is not None


def _description(entry: Entry) -> str:
    return entry.description or plain_text(entry.summary_html, DESCRIPTION_LIMIT)


def _compact(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: data[key] for key in keys if key in data}

