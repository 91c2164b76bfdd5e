"""WordPress eXtended RSS (WXR 1.0, 1.1, 1.2) into plain data. Parsing only, no decisions.

Elements are matched by namespace URI, never by prefix: an export may bind ``wp:``
to something else on one element, mix 1.1 and 1.2 namespaces, or use a default
namespace. Every WXR version's URI is accepted, over http and https (the theme unit
test data uses https).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from museumsite.errors import Problem
from museumsite.importers import ImportRefused
from museumsite.importers.xmlread import local, read_xml, text_of

WP = frozenset(f"{scheme}://wordpress.org/export/{version}/"
               for scheme in ("http", "https") for version in ("1.0", "1.1", "1.2"))
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"


@dataclass(frozen=True, slots=True)
class Author:
    id: str
    login: str
    email: str
    display_name: str


@dataclass(frozen=True, slots=True)
class WpComment:
    id: str
    parent: str | None
    author: str
    author_email: str  # only to recognise staff; never written
    author_url: str
    date_gmt: str
    date_local: str
    content: str
    approved: str
    type: str
    user_id: str


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    link: str
    guid: str
    creator: str
    content: str
    post_id: str
    post_name: str
    post_type: str
    status: str
    password: str
    date_gmt: str
    date_local: str
    pub_date: str
    attachment_url: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    comments: tuple[WpComment, ...]


@dataclass(frozen=True, slots=True)
class Export:
    base_url: str
    authors: tuple[Author, ...]
    items: tuple[Item, ...]
    language: str = ""  # the blog's, as the channel's <language> says: 'fr-FR'


def read_wxr(path: Path, shown: str) -> Export:
    """Parse the export at ``path``; ImportRefused when it is not a WXR file at all."""
    root = read_xml(path, shown)
    channel = root.find("channel") if local(root.tag)[1] == "rss" else None
    if channel is None:
        raise ImportRefused(Problem(shown, None, "not a WordPress export (no <rss><channel>)",
                                    "export with WordPress: Tools > Export > All content"))
    base = _wp(channel, "base_blog_url") or _wp(channel, "base_site_url") or text_of(channel.find("link"))
    authors = tuple(_author(el) for el in channel if _is_wp(el, "author"))
    items = tuple(_item(el) for el in channel if el.tag == "item")
    return Export(base_url=base.strip(), authors=authors, items=items,
                  language=text_of(channel.find("language")).strip())


def _is_wp(element: ET.Element, name: str) -> bool:
    uri, tag = local(element.tag)
    return tag == name and uri in WP


def _wp(parent: ET.Element, name: str) -> str:
    for child in parent:
        if _is_wp(child, name):
            return text_of(child)
    return ""


def _author(element: ET.Element) -> Author:
    login = _wp(element, "author_login").strip()
    return Author(id=_wp(element, "author_id").strip(), login=login,
                  email=_wp(element, "author_email").strip().lower(),
                  display_name=_wp(element, "author_display_name").strip() or login)


def _child(parent: ET.Element, uri: str | frozenset[str], name: str) -> str:
    uris = {uri} if isinstance(uri, str) else uri
    for child in parent:
        child_uri, tag = local(child.tag)
        if tag == name and child_uri in uris:
            return text_of(child)
    return ""


def _item(element: ET.Element) -> Item:
    categories: list[str] = []
    tags: list[str] = []
    for child in element:
        if child.tag == "category" and (child.text or "").strip():
            domain = child.get("domain", "category")
            if domain == "category":
                categories.append(child.text.strip())  # type: ignore[union-attr]
            elif domain == "post_tag":
                tags.append(child.text.strip())  # type: ignore[union-attr]
    comments = tuple(_comment(el) for el in element if _is_wp(el, "comment"))
    return Item(
        title=text_of(element.find("title")), link=text_of(element.find("link")).strip(),
        guid=text_of(element.find("guid")).strip(), creator=_child(element, DC, "creator").strip(),
        content=_child(element, CONTENT, "encoded"), post_id=_wp(element, "post_id").strip(),
        post_name=_wp(element, "post_name").strip(), post_type=_wp(element, "post_type").strip(),
        status=_wp(element, "status").strip(), password=_wp(element, "post_password"),
        date_gmt=_wp(element, "post_date_gmt").strip(), date_local=_wp(element, "post_date").strip(),
        pub_date=text_of(element.find("pubDate")).strip(),
        attachment_url=_wp(element, "attachment_url").strip(),
        categories=tuple(categories), tags=tuple(tags), comments=comments)


def _comment(element: ET.Element) -> WpComment:
    parent = _wp(element, "comment_parent").strip()
    return WpComment(
        id=_wp(element, "comment_id").strip(), parent=parent if parent not in ("", "0") else None,
        author=_wp(element, "comment_author"), author_email=_wp(element, "comment_author_email").strip().lower(),
        author_url=_wp(element, "comment_author_url").strip(),
        date_gmt=_wp(element, "comment_date_gmt").strip(), date_local=_wp(element, "comment_date").strip(),
        content=_wp(element, "comment_content"), approved=_wp(element, "comment_approved").strip(),
        type=_wp(element, "comment_type").strip(), user_id=_wp(element, "comment_user_id").strip())


def wp_date(gmt: str, local_text: str, zone: dt.tzinfo, pub_date: str = "") -> dt.datetime | None:
    """An aware datetime: the GMT field when valid, else the local one in the site's zone.

    WordPress writes ``0000-00-00 00:00:00`` for dates it never set (drafts), and that
    zero date formatted as a pubDate, ``Mon, 30 Nov -0001 00:00:00 +0000``, which the
    e-mail date parser misreads as November 2000: both mean "no date".
    """
    for text, tz in ((gmt, dt.timezone.utc), (local_text, zone)):
        if text and not text.startswith("0000"):
            try:
                return dt.datetime.fromisoformat(text).replace(tzinfo=tz)
            except ValueError:
                continue
    if pub_date and not re.search(r"\s-0*1\s", pub_date):
        try:
            return email.utils.parsedate_to_datetime(pub_date)
        except (TypeError, ValueError):
            return None
    return None
