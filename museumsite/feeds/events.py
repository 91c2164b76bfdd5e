"""Feeds of an event's programme: each talk with its summary, slides and recording.

Input: the site's events and talks. Output: ``Output``s beside each event page
(``/events/<slug>/atom.xml``). A direct video file is an enclosure, so podcast-style
readers can fetch the recording.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from museumsite.feeds.common import EntryExtension, absolute_links, announced, new_channel, serialized, site_origin, xml_formats
from museumsite.lang import N_
from museumsite.lang.i18n import Interface
from museumsite.model import Entry, Event, Output, Site
from museumsite.urls import absolute


def event_feeds(site: Site) -> list[Event]:
    """Every event version with talks gets a feed of its programme beside its page."""
    return [e for e in site.events if site.talks_of(e)]


def event_feed_links(site: Site, entry: Entry | None) -> tuple[dict[str, str], ...]:
    if not isinstance(entry, Event) or not site.talks_of(entry):
        return ()
    return tuple(announced(site.config, lambda kind: f"{entry.url}{kind}.xml", entry.title, entry.lang, "event"))


def make_event_feeds(site: Site, interface: Interface) -> list[Output]:
    """Each talk of the event as an entry: its summary, its slides, its recording as an enclosure."""
    from museumsite.content.media import video_of

    config = site.config
    origin = site_origin(config)
    outputs = []
    for event in event_feeds(site):
        talks = site.talks_of(event)
        for kind in xml_formats(config):
            self_url = f"{event.url}{kind}.xml"
            stamp = max((t.end or t.start for t in talks if t.start), default=None) or \
                dt.datetime.combine(event.end, dt.time(), tzinfo=dt.timezone.utc)
            fg = new_channel(config, self_url=self_url, home=event.url, title=event.title,
                             subtitle=event.description or event.title, lang=event.lang, updated=stamp)
            fg.register_extension("media", _AtomLinks, _AtomLinksEntry, atom=True, rss=False)
            for talk in talks:
                item = fg.add_entry(order="append")
                url = absolute(talk.url, config.base_url)
                item.id(url)
                item.title(talk.title)
                item.link(href=url)
                when = talk.start or stamp
                item.published(when)
                item.updated(when)
                for speaker in site.speakers_of(talk, event.lang):
                    item.author({"name": speaker.name})
                slides = "".join(
                    f'<li><a href="{html.escape(absolute(s.url, config.base_url) if s.url.startswith("/") else s.url)}">'
                    f"{html.escape(s.title)}</a></li>" for s in talk.slides)
                label = interface.gettext(event.lang, N_("Slides"))
                body = talk.summary_html + (f"<p>{html.escape(label)}</p><ul>{slides}</ul>" if slides else "")
                item.summary(absolute_links(talk.summary_html, origin), type="html")
                item.content(absolute_links(body, origin), type="html")
                if talk.video and video_of(talk.video).file_type:
                    video = absolute(talk.video, config.base_url) if talk.video.startswith("/") else talk.video
                    found = site.static_file(talk.video) if talk.video.startswith("/") else None
                    size, mime = str(found.size if found else 0), video_of(talk.video).file_type
                    if kind == "rss":
                        item.enclosure(video, size, mime)
                    else:  # feedgen 1.0 drops the rel and type of an Atom entry's extra links
                        item.media.enclosure(video, size, mime)
            data = serialized(fg, kind)
            outputs.append(Output(path=self_url.lstrip("/"), data=data, origin=f"the event feed {self_url}"))
    return outputs


class _AtomLinks(EntryExtension):
    """``<link rel="enclosure">`` on Atom entries, written whole."""


class _AtomLinksEntry(_AtomLinks):
    def __init__(self) -> None:
        self._links: list[dict[str, str]] = []

    def enclosure(self, href: str, length: str, mime: str) -> None:
        self._links.append({"href": href, "rel": "enclosure", "type": mime, "length": length})

    def extend_atom(self, entry: Any) -> Any:
        from lxml import etree

        for attributes in self._links:
            link = etree.SubElement(entry, "{http://www.w3.org/2005/Atom}link")
            for name, value in attributes.items():
                link.set(name, value)
        return entry
