"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) beside each Atom and RSS post feed.

Input: the ``Feed`` plan of ``feeds`` (per language, per tag, all languages). Output:
``Output``s at ``feed.url("json")`` (``/feeds/feed.json``, ``/fr/feeds/feed.json``,
``/tags/museums/feed.json``, ``/feeds/all.feed.json``). Items hold the whole post as
``content_html`` with absolute links, a plain-text ``summary`` (the spec wants text, not
HTML there), RFC 3339 dates, authors and tag names. Keys are written in a fixed order
with no time stamp from the clock, so a rebuild gives the same bytes.

``json_feed_problems`` checks a document against the spec's structure; ``check`` uses it
on the built site, and it is written from the spec, not from what ``make_json_feeds`` does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from museumsite.feeds.common import absolute_links, site_origin
from museumsite.feeds.posts import Feed
from museumsite.markup.convert import plain_text
from museumsite.model import Output, Post, Site
from museumsite.urls import absolute, localize

VERSION = "https://jsonfeed.org/version/1.1"
# RFC 3339 date-time: full date, full time, and an offset (Z or +hh:mm).
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def make_json_feeds(site: Site, feeds: list[Feed]) -> list[Output]:
    """One JSON Feed per planned post feed, whatever the Atom and RSS switches say."""
    outputs = []
    for feed in feeds:
        document = json_feed(site, feed)
        data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        outputs.append(Output(path=feed.url("json").lstrip("/"), data=data, origin=f"the JSON feed {feed.url('json')}"))
    return outputs


def json_feed(site: Site, feed: Feed) -> dict[str, Any]:
    """The feed as a JSON-ready mapping, keys in the order the spec lists them."""
    config = site.config
    lang = feed.lang or config.language
    home = localize("/", lang, config.language, config.urls.language)
    document: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": absolute(home, config.base_url),
        "feed_url": absolute(feed.url("json"), config.base_url),
    }
    if description := config.description_in(lang):
        document["description"] = description
    document["authors"] = [{"name": config.author or config.title}]
    if feed.lang:
        document["language"] = feed.lang
    document["items"] = [_item(site, post, feed.lang) for post in feed.posts]
    return document


def _item(site: Site, post: Post, feed_lang: str) -> dict[str, Any]:
    config = site.config
    origin = site_origin(config)
    url = absolute(post.url, config.base_url)
    # Heading links ("#section") point into the post's page, which a feed reader does not show.
    body = absolute_links(post.body_html, origin).replace('href="#', f'href="{url}#')
    item: dict[str, Any] = {"id": url, "url": url, "title": post.title, "content_html": body}
    if summary := plain_text(post.summary_html):  # the spec's summary is plain text, not HTML
        item["summary"] = summary
    item["date_published"] = rfc3339(post.date)
    item["date_modified"] = rfc3339(post.updated or post.date)
    if post.authors:
        item["authors"] = [{"name": name} for name in post.authors]
    tags = []
    for key in post.tags:
        found = site.tag(key, post.lang)
        tags.append(found.name if found else key)
    if tags:
        item["tags"] = tags
    if post.lang != feed_lang:  # the all-languages feed: each item says its own
        item["language"] = post.lang
    return item


def rfc3339(when: dt.datetime) -> str:
    """``2009-10-16T09:30:00+02:00``; a naive time (never expected) is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.isoformat(timespec="seconds")


def json_feed_problems(document: Any) -> list[str]:
    """What a parsed document lacks to be a JSON Feed 1.1 (empty when it is one)."""
    if not isinstance(document, dict):
        return ["the top level is not an object"]
    problems = []
    if document.get("version") != VERSION:
        problems.append(f"'version' is not {VERSION!r}")
    if not isinstance(document.get("title"), str):
        problems.append("'title' (a string) is missing")
    for key in ("home_page_url", "feed_url", "description", "language", "icon", "favicon", "next_url"):
        if key in document and not isinstance(document[key], str):
            problems.append(f"'{key}' is not a string")
    problems += _authors_problems(document, "the feed")
    items = document.get("items")
    if not isinstance(items, list):
        return problems + ["'items' (an array) is missing"]
    seen: set[str] = set()
    for number, item in enumerate(items, 1):
        where = f"item {number}"
        if not isinstance(item, dict):
            problems.append(f"{where} is not an object")
            continue
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: 'id' (a string) is missing")
        elif item["id"] in seen:
            problems.append(f"{where}: 'id' {item['id']!r} is used twice")
        else:
            seen.add(item["id"])
        if not isinstance(item.get("content_html"), str) and not isinstance(item.get("content_text"), str):
            problems.append(f"{where}: neither 'content_html' nor 'content_text'")
        for key in ("url", "external_url", "title", "summary", "image", "banner_image", "language"):
            if key in item and not isinstance(item[key], str):
                problems.append(f"{where}: '{key}' is not a string")
        for key in ("date_published", "date_modified"):
            if key in item and not (isinstance(item[key], str) and RFC3339.match(item[key])):
                problems.append(f"{where}: '{key}' is not an RFC 3339 date-time")
        if "tags" in item and not (isinstance(item["tags"], list) and all(isinstance(t, str) for t in item["tags"])):
            problems.append(f"{where}: 'tags' is not an array of strings")
        problems += _authors_problems(item, where)
    return problems


def _authors_problems(holder: dict[str, Any], where: str) -> list[str]:
    if "authors" not in holder:
        return []
    authors = holder["authors"]
    if not isinstance(authors, list):
        return [f"{where}: 'authors' is not an array"]
    problems = []
    for author in authors:
        if not isinstance(author, dict) or not any(isinstance(author.get(k), str) for k in ("name", "url", "avatar")):
            problems.append(f"{where}: an author has none of 'name', 'url', 'avatar'")
    return problems
