"""``remember``: a macro's fragment made once per build, arguments and page language.

The default theme prints each post's summary on about ten list pages through it. These
tests build real sites with a site override of ``tag.html`` (the English tag pages are
"museums" and "news" in the small site) and read the pages.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from museumsite.build import build

from support import SMALL_SITE, MakeSite, parse_html, snapshot

TAG = """\
{% extends "base.html" %}
{% macro where(word) %}<p class="where">{{ word }} {{ page_url }} {{ _("All tags") }}</p>{% endmacro %}
{% macro body_of(post) %}<div class="remembered">{{ post.body_html|safe }}</div>{% endmacro %}
{% block content %}
<h1>{{ tag.name }}</h1>
{{ remember(where, "first") }}{{ remember(where, "second") }}
{{ remember(body_of, site.get('posts/hello')) }}
{% endblock %}
"""


def tag_page(site: Path, tag: str, lang: str = "en") -> object:
    prefix = "" if lang == "en" else f"{lang}/"
    pages = sorted(site.glob(f"_site/{prefix}tags/{tag}*/index.html"))
    assert pages, f"no {lang} page for the tag {tag}"
    return parse_html(pages[0].read_bytes())


def classed(document: object, name: str) -> list[str]:
    return ["".join(e.itertext()).strip() for e in document.iter() if e.get("class") == name]  # type: ignore[attr-defined]


def test_a_remembered_fragment_is_made_once_per_arguments_and_page_language(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "themes/default/templates/tag.html": TAG})
    build(site)
    museums, news = classed(tag_page(site, "museums"), "where"), classed(tag_page(site, "news"), "where")
    # The macro prints the page's URL, which it must not: that shows what was made once.
    assert museums == news, (museums, news)
    first, second = museums
    assert first.startswith("first /tags/") and second.startswith("second /tags/")
    assert first.split()[1] == second.split()[1]
    assert first.endswith("All tags")
    # A French page's fragment is made again, in French.
    french = classed(tag_page(site, "museums", "fr"), "where")
    assert french[0].startswith("first /fr/tags/") and not french[0].endswith("All tags"), french


def test_a_page_printing_a_remembered_fragment_is_made_again_when_a_body_it_reads_changes(
        make_site: MakeSite, tmp_path: Path) -> None:
    """The second tag page gets the fragment made for the first: the body it reads is noted for it too."""
    site = make_site({**SMALL_SITE, "themes/default/templates/tag.html": TAG})
    build(site)
    post = site / "content/posts/hello.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nWords added to the remembered body.\n", encoding="utf-8")
    result = build(site)
    assert result.kept > 0
    for tag in ("museums", "news"):
        shown = classed(tag_page(site, tag), "remembered")
        assert len(shown) == 1 and "Words added to the remembered body." in shown[0], (tag, shown)
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(site, clean, use_cache=False)
    assert snapshot(site / "_site") == snapshot(clean)
