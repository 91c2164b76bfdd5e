"""Every template of the default theme rendered with hostile values: nothing becomes active content.

One real site carries a payload in every untrusted plain-text field it has (titles, names,
tags, summaries, affiliation, room, track, venue, city, break titles, slide and link
titles, comment authors, the site's title, description, author and menu labels, in both
languages) and URL fields that are web addresses full of quotes and angle brackets. It is
built, and every HTML page is parsed with html5lib: no script but the theme's own, no
event handler, no ``javascript:`` URL, no style rule that is not the theme's; and each
payload is shown as the text it is, on the page that shows that field. ``javascript:``
in a URL field is refused (or dropped, for a comment's author URL). Every template file of
the theme is rendered: each maps to a page type whose output is checked to exist.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import html5lib
import pytest

from museumsite.build import build
from museumsite.config import load_config
from museumsite.errors import BuildError
from museumsite.render.theme import default_theme_dir, load_theme

from support import MakeSite, active_content, local_name, text_of, walk

TEMPLATES = default_theme_dir() / "templates"
PAYLOAD = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>'><svg onload=alert(1)> javascript:alert(1)"
# A web address that is http(s) but carries the same characters: it must stay one attribute value.
HOSTILE_URL = "https://evil.example/x?a=1&amp;b='\"><script>alert(1)</script><img/src=x/onerror=alert(1)>"


def hostile(field: str) -> str:
    """The payload, marked with the field it is in, so each can be found on its page."""
    return f"{field}#{PAYLOAD}"


def q(field: str) -> str:
    """The hostile value as a YAML double-quoted scalar (JSON is one)."""
    return json.dumps(hostile(field))


def qurl(field: str) -> str:
    return json.dumps(f"{HOSTILE_URL}{field}")


CONFIG = f"""\
title: {q("site-title")}
base_url: https://example.org/
description: {q("site-description")}
author: {q("site-author")}
language: en
languages:
  en:
    menu:
      - {{title: {q("menu-en")}, url: /about/}}
  fr:
    name: {q("language-name-fr")}
    title: {q("site-title-fr")}
    description: {q("site-description-fr")}
    menu:
      - {{title: {q("menu-fr")}, url: /fr/about/}}
timezone: Europe/Paris
tags:
  museums: {{en: {q("tag-name-en")}, fr: {q("tag-name-fr")}}}
"""

FILES = {
    "content/events/conf.md": f"""\
---
title: {q("event-title")}
start: 2024-05-02
end: 2024-05-03
timezone: Europe/Paris
venue: {q("event-venue")}
city: {q("event-city")}
rooms: [{q("room-a")}, {q("room-b")}]
tracks: [{q("track")}]
breaks:
  - {{title: {q("break-title")}, start: 2024-05-02 12:00, end: 2024-05-02 13:00}}
tags: [museums, {q("event-tag")}]
---
The conference.
""",
    "content/talks/opening.md": f"""\
---
title: {q("talk-title")}
subtitle: {q("talk-subtitle")}
event: conf
speakers: [ada, bob]
start: 2024-05-02 09:00
end: 2024-05-02 09:30
room: {q("room-a")}
track: {q("track")}
type: {q("talk-type")}
tags: [museums, {q("talk-tag")}]
slides:
  - title: {q("slide-title")}
    url: {qurl("slide-url")}
video: {qurl("video-url")}
---
First paragraph of the talk.
""",
    "content/talks/closing.md": f"""\
---
title: {q("talk2-title")}
event: conf
speakers: [ada]
start: 2024-05-03 17:00
end: 2024-05-03 17:30
room: {q("room-b")}
---
Closing words.
""",
    "content/talks/unscheduled.md": f"""\
---
title: {q("talk3-title")}
event: conf
speakers: [bob]
---
Not yet scheduled.
""",
    "content/speakers/ada.md": f"""\
---
name: {q("speaker-name")}
affiliation: {q("speaker-affiliation")}
photo: {qurl("speaker-photo")}
links:
  - title: {q("speaker-link-title")}
    url: {qurl("speaker-link-url")}
---
Ada's bio.
""",
    "content/speakers/bob.md": f"""\
---
name: {q("speaker2-name")}
---
Bob's bio.
""",
    "content/posts/hello.md": f"""\
---
title: {q("post-title")}
date: 2024-05-10
authors: [{q("post-author")}]
tags: [museums, {q("post-tag")}]
summary: "A plain summary (Markdown, written by the author, trusted: see SECURITY.md)."
description: {q("post-description")}
aliases: [/2009/10/old-hello/]
---
Intro paragraph.
""",
    "content/posts/hello.fr.md": f"""\
---
title: {q("post-title-fr")}
---
Paragraphe.
""",
    "content/posts/second.md": f"""\
---
title: {q("post2-title")}
date: 2023-06-01
---
Second.
""",
    "content/pages/about.md": f"""\
---
title: {q("page-title")}
menu: 1
---
About us.
""",
    "content/pages/about.fr.md": f"""\
---
title: {q("page-title-fr")}
---
À propos.
""",
    "content/comments/posts/hello.yaml": f"""\
comments:
- id: 1
  author: {q("comment-author")}
  author_url: {qurl("comment-author-url")}
  date: 2024-05-11 10:00:00+02:00
  lang: en
  body: A first comment, in English, long enough to be one.
- id: 2
  parent: 1
  author: {q("reply-author")}
  author_url: "javascript:alert(1)"
  date: 2024-05-11 11:00:00+02:00
  lang: fr
  body: Une réponse, en français, assez longue pour en être une.
- id: 3
  type: pingback
  author: {q("mention-author")}
  author_url: {qurl("mention-url")}
  date: 2024-05-12 10:00:00+02:00
  lang: en
  body: A mention.
""",
}

# Each template of the theme, the output page that only it renders, and what on that page shows it
# ran (a CSS selector-like check: an element with this tag and class or id).
TEMPLATE_PAGES = {
    "404.html": ("404.html", ("p", None)),
    "archive.html": ("archive/2024/index.html", ("h1", None)),
    "archives.html": ("archive/index.html", ("h1", None)),
    "base.html": ("index.html", ("header", "site-header")),
    "event.html": ("events/conf/index.html", ("article", "entry event")),
    "events.html": ("events/index.html", ("h1", None)),
    "feeds.html": ("feeds/index.html", ("table", "feed-table")),
    "home.html": ("index.html", ("p", "lead")),
    "page.html": ("about/index.html", ("h1", None)),
    "post.html": ("posts/hello/index.html", ("article", None)),
    "posts.html": ("posts/index.html", ("article", "summary")),
    "redirect.html": ("2009/10/old-hello/index.html", ("main", None)),
    "search.html": ("search/index.html", ("div", "search")),
    "speaker.html": ("speakers/ada/index.html", ("article", "entry speaker")),
    "speakers.html": ("speakers/index.html", ("h1", None)),
    "tag.html": ("tags/tag-name-en-*/index.html", ("h1", None)),
    "tags.html": ("tags/index.html", ("h1", None)),
    "talk.html": ("talks/opening/index.html", ("article", "entry talk")),
    "talks.html": ("talks/index.html", ("h1", None)),
    "_comments.html": ("posts/hello/index.html", ("section", "comments")),
    "_macros.html": ("talks/opening/index.html", ("p", "tags")),
    "_schedule.html": ("events/conf/index.html", ("table", "schedule-grid")),
}

# Which page shows which field as text (English pages unless the field is French).
SHOWN = {
    "index.html": ["site-title", "site-description", "site-author", "menu-en", "event-title", "event-city",
                   "post-title", "post-author"],
    "fr/index.html": ["site-title-fr", "site-description-fr", "menu-fr", "post-title-fr"],
    "events/conf/index.html": ["event-title", "event-venue", "event-city", "room-a", "room-b", "track",
                               "break-title", "talk-title", "talk2-title", "talk3-title", "speaker-name",
                               "speaker2-name", "tag-name-en", "event-tag"],
    "talks/opening/index.html": ["talk-title", "talk-subtitle", "speaker-name", "speaker2-name", "event-title",
                                 "room-a", "track", "slide-title", "tag-name-en", "talk-tag", "talk2-title"],
    "speakers/ada/index.html": ["speaker-name", "speaker-affiliation", "speaker-link-title", "talk-title",
                                "event-title"],
    "speakers/index.html": ["speaker-name", "speaker-affiliation", "speaker2-name"],
    "posts/hello/index.html": ["post-title", "post-author", "tag-name-en", "post-tag", "comment-author",
                               "reply-author", "mention-author"],
    "fr/posts/hello/index.html": ["post-title-fr", "tag-name-fr"],
    "tags/tag-name-en-*/index.html": ["tag-name-en", "post-title", "talk-title", "event-title"],
    "fr/tags/tag-name-fr-*/index.html": ["tag-name-fr", "post-title-fr", "site-title-fr"],
    "tags/index.html": ["tag-name-en", "post-tag"],
    "about/index.html": ["page-title", "menu-en"],
    "fr/about/index.html": ["page-title-fr", "menu-fr"],
    "talks/index.html": ["talk-title", "event-title"],
    "events/index.html": ["event-title", "event-city"],
    "archive/2024/index.html": ["post-title"],
    "archive/2023/index.html": ["post2-title"],
    "404.html": ["site-title", "site-author", "menu-en"],
    "2009/10/old-hello/index.html": ["post-title"],
    "search/index.html": ["site-title", "menu-en"],
    "feeds/index.html": ["site-title"],
}


def parse(path: Path) -> Any:
    """The page at ``path``, which may be a glob pattern naming one file (tag pages end with a hash)."""
    if "*" in str(path):
        matches = list(path.parent.parent.glob(f"{path.parent.name}/{path.name}"))
        assert len(matches) == 1, (path, matches)
        path = matches[0]
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("hostile") / "site"
    (site / "content").mkdir(parents=True)
    (site / "museumsite.yaml").write_text(CONFIG, encoding="utf-8")
    for rel, text in FILES.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
    build(site, site / "_site", use_cache=False)
    return site / "_site"


def test_no_page_has_active_content(output: Path) -> None:
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > 30
    leaks = {p.relative_to(output).as_posix(): found for p in pages if (found := active_content(parse(p)))}
    assert leaks == {}


@pytest.mark.parametrize("page", sorted(SHOWN))
def test_each_payload_is_shown_as_text_where_its_field_is_shown(output: Path, page: str) -> None:
    text = text_of(parse(output / page))
    # A tag written all in lower case is shown with a capital first letter (README, "Outputs"): the rest verbatim.
    missing = [field for field in SHOWN[page] if hostile(field) not in text
               and not ("tag" in field and hostile(field)[:1].upper() + hostile(field)[1:] in text)]
    assert missing == [], f"{page} does not show these fields as text: {missing}"


def test_every_template_of_the_theme_is_rendered(output: Path) -> None:
    assert {p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.is_file()} == set(TEMPLATE_PAGES)
    for template, (page, (tag, marker)) in TEMPLATE_PAGES.items():
        document = parse(output / page)
        found = [e for e in walk(document) if isinstance(e.tag, str) and local_name(e.tag) == tag
                 and (marker is None or e.get("class") == marker or e.get("id") == marker)]
        assert found, f"{template}: no <{tag}> {marker or ''} on {page}"


def test_payloads_in_url_fields_stay_one_attribute(output: Path) -> None:
    """An http(s) URL full of quotes and brackets is one href, whole, never markup."""
    talk = parse(output / "talks/opening/index.html")
    hrefs = [e.get("href") for e in walk(talk) if isinstance(e.tag, str) and e.get("href")]
    assert f"{HOSTILE_URL}slide-url" in hrefs and f"{HOSTILE_URL}video-url" in hrefs
    speaker = parse(output / "speakers/ada/index.html")
    hrefs = [e.get("href") for e in walk(speaker) if isinstance(e.tag, str) and e.get("href")]
    assert f"{HOSTILE_URL}speaker-link-url" in hrefs and f"{HOSTILE_URL}speaker-photo" in hrefs


@pytest.mark.parametrize(("rel", "field"), [
    ("content/talks/opening.md", "video"),
    ("content/talks/opening.md", "slides"),
    ("content/speakers/ada.md", "photo"),
    ("content/speakers/ada.md", "links"),
])
def test_javascript_in_a_url_field_is_an_error_naming_the_file(make_site: MakeSite, rel: str, field: str) -> None:
    files = dict(FILES)
    text = files[rel]
    if field in ("slides", "links"):
        text = re.sub(rf"(?m)^(    url: ).*{field[:-1] if field == 'slides' else 'speaker-link'}.*$",
                      r'\1"javascript:alert(1)"', text)
    else:
        text = re.sub(rf"(?m)^{field}: .*$", f'{field}: "javascript:alert(1)"', text)
    assert "javascript:alert(1)\"\n" in text
    files[rel] = text
    site = make_site({}, config=CONFIG)
    for path, content in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(content, encoding="utf-8")
    with pytest.raises(BuildError) as error:
        build(site, site / "_site", use_cache=False)
    assert any(p.path == rel for p in error.value.problems), str(error.value)


def test_a_javascript_comment_author_url_is_dropped(output: Path) -> None:
    post = parse(output / "posts/hello/index.html")
    reply = next(e for e in walk(post) if isinstance(e.tag, str) and e.get("id") == "comment-2")
    assert hostile("reply-author") in "".join(reply.itertext())
    assert not any("javascript" in (e.get("href") or "") for e in walk(reply) if isinstance(e.tag, str))


def test_autoescaping_is_on_for_every_template_name(make_site: MakeSite) -> None:
    site = make_site({})
    env = load_theme(load_config(site), {"gettext": lambda _c, m: m, "ngettext": lambda _c, s, p, n: s}, {})
    names = env.list_templates()
    assert set(names) >= set(TEMPLATE_PAGES)
    for name in [*names, "feed.xml", "robots.txt", "x.atom", "page.htm"]:
        autoescape = env.autoescape
        assert (autoescape(name) if callable(autoescape) else autoescape) is True, name


# What the theme marks safe: HTML made by the Markdown pipeline (the author's own, or imported and
# sanitized) and the redirect's link, built from escaped parts. A new '|safe' must be reviewed here.
SAFE_USES = {
    "_comments.html": ["{{ c.body_html|safe }}"],
    "_macros.html": ["{{ item.summary_html|safe }}"],
    "event.html": ["{{ entry.body_html|safe }}"],
    "home.html": ["{{ event.summary_html|safe }}"],
    "page.html": ["{{ entry.body_html|safe }}"],
    "post.html": ["{{ entry.toc_html|safe }}", "{{ entry.body_html|safe }}"],
    "redirect.html": ["""link=('<a href="%s">%s</a>'|format(url_for(target)|e, target.url|e))|safe)"""],
    "speaker.html": ["{{ entry.body_html|safe }}"],
    "talk.html": ["{{ entry.body_html|safe }}"],
}


def test_only_reviewed_values_are_marked_safe() -> None:
    uses = {}
    for path in sorted(TEMPLATES.rglob("*")):
        source = path.read_text(encoding="utf-8")
        found = re.findall(r"\{\{ [\w.]+\|safe \}\}|link=\(.*?\)\|safe\)", source)
        assert source.count("|safe") == len(found) and source.count("Markup") == 0, path.name
        if found:
            uses[path.name] = found
    assert uses == SAFE_USES
