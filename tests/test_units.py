"""Per-module tests of the pure stages: urls, load, config, assemble, markup, i18n."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from museumsite.config import load_config
from museumsite.content.assemble import assemble_site
from museumsite.content.load import load_documents, parse_yaml, split_front_matter
from museumsite.errors import Problems
from museumsite.lang.i18n import format_day, load_interface
from museumsite.markup.convert import convert_site, plain_text, summary_of
from museumsite.model import Speaker, Talk
from museumsite.render.theme import locale_dirs
from museumsite.urls import expand, link, make_slug, url_to_path

from support import REPO, SMALL_SITE, MakeSite

# urls

@pytest.mark.parametrize("title, slug", [("Évaluer", "evaluer"), ("Musée d'art, Lyon!", "musee-d-art-lyon"),
                                         ("Web 2.0", "web-2-0"), ("«»", "untitled")])
def test_slugs_are_ascii_and_handle_accents(title: str, slug: str) -> None:
    assert make_slug(title) == slug


def test_permalinks_prefix_other_languages_and_fill_dates() -> None:
    day = dt.date(2009, 10, 16)
    assert expand("/posts/{slug}/", slug="x", lang="en", default_language="en") == "/posts/x/"
    assert expand("/posts/{slug}/", slug="x", lang="fr", default_language="en") == "/fr/posts/x/"
    assert expand("/{year}/{month}/{slug}/", slug="x", lang="en", default_language="en", date=day) == "/2009/10/x/"


def test_url_to_path_stays_inside_the_output() -> None:
    assert url_to_path("/talks/x/") == "talks/x/index.html"
    assert url_to_path("/feeds/atom.xml") == "feeds/atom.xml"
    with pytest.raises(ValueError):
        url_to_path("/../../etc/passwd")


def test_links_carry_the_base_path() -> None:
    assert link("/talks/x/", "/") == "/talks/x/"
    assert link("/talks/x/", "/proceedings/") == "/proceedings/talks/x/"


# load

def test_front_matter_lines_count_from_the_top_of_the_file() -> None:
    front, front_line, body, body_line = split_front_matter("---\ntitle: A\nspeakers:\n  - a\n  - b\n---\nBody\n")
    assert (front_line, body, body_line) == (2, "Body\n", 7)
    data, lines = parse_yaml(front or "", front_line)
    assert data == {"title": "A", "speakers": ["a", "b"]}
    assert lines == {"title": 2, "speakers": 3, "speakers.0": 4, "speakers.1": 5}


def test_clock_times_stay_text_not_sexagesimal_numbers() -> None:
    data, _ = parse_yaml("start: 10:00\nn: 600\n")
    assert data == {"start": "10:00", "n": 600}


def test_language_comes_from_the_file_name(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    problems = Problems()
    docs = load_documents(site, site / "content", ("en", "fr"), "en", problems)
    by_path = {d.path: (d.kind, d.slug, d.lang) for d in docs}
    assert by_path["content/posts/hello.fr.md"] == ("posts", "hello", "fr")
    assert by_path["content/posts/hello.md"] == ("posts", "hello", "en")
    assert not problems.items


# config

def test_config_defaults_and_base_path(make_site: MakeSite) -> None:
    site = make_site(config="title: T\nbase_url: https://example.org/proceedings\n")
    config = load_config(site)
    assert config.base_path == "/proceedings/"
    assert config.all_languages == ("en",)
    assert config.posts_per_page == 10 and config.feeds.limit == 20


# assemble

def _assembled(make_site: MakeSite, files: dict[str, str] | None = None, drafts: bool = False,
               name: str = "site"):  # type: ignore[no-untyped-def]
    root = make_site(files or SMALL_SITE, name=name)
    config = load_config(root)
    problems = Problems()
    docs = load_documents(root, config.content_dir, config.all_languages, config.language, problems)
    site = assemble_site(docs, config, problems, drafts=drafts)
    interface, _ = load_interface(locale_dirs(config), config.all_languages, root)
    return convert_site(site, problems, interface), problems


def test_talks_link_events_and_speakers_both_ways(make_site: MakeSite) -> None:
    site, problems = _assembled(make_site)
    assert not problems.errors
    [event] = site.events
    assert [t.slug for t in site.talks_of(event)] == ["opening", "closing"]  # schedule order
    ada = site.get("speakers/ada")
    assert isinstance(ada, Speaker)
    assert [t.slug for t in site.talks_by(ada)] == ["opening", "closing"]
    opening = site.get("talks/opening")
    assert isinstance(opening, Talk)
    assert [s.name for s in site.speakers_of(opening)] == ["Ada Lovelace", "Bob Builder"]
    assert site.event_of(opening) is event


def test_a_bare_time_falls_on_the_event_day_in_its_time_zone(make_site: MakeSite) -> None:
    site, _ = _assembled(make_site)
    closing = site.get("talks/closing")
    assert isinstance(closing, Talk) and closing.start is not None
    assert closing.start.isoformat() == "2024-05-02T17:00:00+02:00"


def test_posts_newest_first_translations_and_tags(make_site: MakeSite) -> None:
    site, _ = _assembled(make_site)
    assert [(p.slug, p.lang) for p in site.posts] == [("second", "en"), ("hello", "en"), ("hello", "fr"),
                                                       ("third", "en")]
    hello = site.get("posts/hello")
    assert hello is not None and [e.lang for e in site.translations(hello)] == ["fr"]
    news = site.tag("news")
    assert news is not None and news.url == "/tags/news/"
    # A tag counts entries, not translations; the French tag page lists the French version.
    assert [e.key for e in news.entries] == ["posts/second", "posts/hello"]
    french_news = site.tag("news", "fr")
    assert french_news is not None and french_news.url == "/fr/tags/news/"
    assert [(e.key, e.lang) for e in french_news.entries] == [("posts/second", "en"), ("posts/hello", "fr")]


def test_drafts_are_left_out_unless_asked_for(make_site: MakeSite) -> None:
    files = {**SMALL_SITE, "content/posts/wip.md": "---\ntitle: WIP\ndate: 2024-07-01\ndraft: true\n---\n"}
    site, _ = _assembled(make_site, files)
    assert "wip" not in [p.slug for p in site.posts]
    site, _ = _assembled(make_site, files, drafts=True, name="with-drafts")
    assert "wip" in [p.slug for p in site.posts]


# markup

def test_markdown_features_and_md_links(make_site: MakeSite) -> None:
    body = """---
title: Features
date: 2024-01-01
---
Intro with a footnote.[^1]

<!--more-->

# Heading one

## Heading two

### Heading three

| a | b |
|---|---|
| 1 | 2 |

```python
print("hi")
```

Link to [the talk](../talks/opening.md#top) and an image ![a logo](../static/logo.svg).

A paragraph with attributes.
{: .note }

[^1]: The note.
"""
    site, problems = _assembled(make_site, {**SMALL_SITE, "content/posts/features.md": body})
    assert not problems.items
    post = site.get("posts/features")
    assert post is not None
    html = post.body_html
    assert '<h2 id="heading-one">' in html and "<h1" not in html  # body headings start at h2
    assert "<table>" in html and 'class="highlight"' in html and 'class="footnote"' in html
    assert 'href="/talks/opening/#top"' in html and 'src="/logo.svg"' in html
    assert '<p class="note">' in html
    assert post.summary_html == "<p>Intro with a footnote.</p>", "no footnote link away from the footnotes"
    assert 'href="#heading-one"' in post.toc_html


def test_summary_falls_back_to_first_paragraph_and_description_is_plain() -> None:
    assert summary_of("<p>One <em>x</em></p>\n<p>Two</p>") == "<p>One <em>x</em></p>"
    assert plain_text("<p>One &amp; <em>two</em></p>", 200) == "One & two"
    assert plain_text("<p>" + "word " * 100 + "</p>", 20) == "word word word word…"


def test_images_without_alt_text_are_warned_about(make_site: MakeSite) -> None:
    body = "---\ntitle: Img\ndate: 2024-01-01\n---\nText.\n\n![](../static/x.png)\n"
    _, problems = _assembled(make_site, {**SMALL_SITE, "content/posts/img.md": body})
    assert [str(p).split("\n")[0] for p in problems.warnings] == [
        "content/posts/img.md:7: warning: image without alt text"]


# i18n

def test_dates_and_plurals_follow_the_page_language() -> None:
    day = dt.date(2009, 10, 16)
    assert format_day(day, "fr") == "16 octobre 2009"
    assert format_day(day, "en") == "October 16, 2009"
    assert format_day(day, "ca") == "16 d’octubre del 2009"  # CLDR: "del" before a year
    assert format_day(day, "es") == "16 de octubre de 2009"
    interface, problems = load_interface(locale_dirs(load_config(REPO)), ("en", "fr", "ca", "es"), REPO)
    assert not problems

    def talks(lang: str, n: int) -> str:
        return interface.ngettext(lang, "%(num)d talk", "%(num)d talks", n) % {"num": n}

    assert [talks("en", n) for n in (0, 1, 2)] == ["0 talks", "1 talk", "2 talks"]
    assert [talks("fr", n) for n in (0, 1, 2)] == ["0 intervention", "1 intervention", "2 interventions"]
    assert [talks("ca", n) for n in (0, 1, 3)] == ["0 ponències", "1 ponència", "3 ponències"]
    assert [talks("es", n) for n in (1, 3)] == ["1 ponencia", "3 ponencias"]


def test_repository_root_is_a_valid_site() -> None:
    config = load_config(Path(__file__).resolve().parent.parent)
    assert config.title and "fr" in config.all_languages


def test_tags_differing_only_in_case_are_one_tag(make_site: MakeSite) -> None:
    files = {**SMALL_SITE, "content/posts/caps.md": "---\ntitle: Caps\ndate: 2024-02-01\ntags: [News]\n---\nX.\n"}
    site, problems = _assembled(make_site, files)
    assert not problems.errors
    news, caps = site.tag("news"), site.tag("News")
    assert news is not None and news is caps
    assert "posts/caps" in [e.key for e in news.entries]
