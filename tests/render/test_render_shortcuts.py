"""The shortcuts that make rendering cheap keep every answer: remembered strings, dates, links and feeds.

Interface strings, dates, slugs and links are remembered per value and language, a
feed's Atom and RSS come from one generator, a post's links are made absolute once.
Each test builds a real site and reads what a reader would get.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import html5lib
import pytest

from museumsite.build import build
from museumsite.lang.i18n import format_clock, format_day
from museumsite.lang.typography import typeset_html, typeset_text

from support import BASE_CONFIG, SMALL_SITE, MakeSite

ATOM = "{http://www.w3.org/2005/Atom}"


def text_of(path: Path) -> str:
    tree = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
    return " ".join(" ".join(tree.itertext()).split())


def test_clock_times_of_one_instant_in_two_zones_stay_apart() -> None:
    """Equal instants in two zones are equal datetimes: the remembered clock time must not mix them."""
    paris = dt.datetime(2024, 5, 2, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))
    new_york = paris.astimezone(ZoneInfo("America/New_York"))
    assert paris == new_york
    assert format_clock(paris, "en") == "3:00\u202fPM"
    assert format_clock(new_york, "en") == "9:00\u202fAM"
    assert format_clock(paris, "fr") == "15:00"
    # A datetime shows its own local day, as a date does.
    late = dt.datetime(2024, 5, 2, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert format_day(late, "en") == "May 2, 2024"
    assert format_day(late.astimezone(ZoneInfo("Europe/Paris")), "en") == "May 3, 2024"
    assert format_day(dt.date(2024, 5, 3), "fr", "medium") == "3 mai 2024"


def test_interface_strings_are_formatted_as_jinja_does_in_each_language(make_site: MakeSite) -> None:
    """'%%' in a translation prints '%', with and without variables; each language keeps its own words."""
    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
          'msgid "Read more"\nmsgstr "Lire 100 %% plus"\n\n'
          'msgid "Page %(number)s of %(count)s"\nmsgstr "Page %(number)s sur %(count)s (%%)"\n')
    site = make_site({**SMALL_SITE, "locales/fr/LC_MESSAGES/messages.po": po})
    build(site)
    french, english = text_of(site / "_site/fr/posts/index.html"), text_of(site / "_site/posts/index.html")
    assert "Lire 100 % plus" in french and "%%" not in french
    assert "Page 1 sur 2 (%)" in french
    assert "Read more" in english and "Page 1 of 2" in english and "Lire" not in english


def test_atom_and_rss_each_name_their_own_address(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    out = site / "_site"
    for folder in ("feeds", "tags/news"):
        atom = ET.parse(out / folder / "atom.xml").getroot()
        assert atom.findtext(f"{ATOM}id") == f"https://example.org/{folder}/atom.xml"
        links = {link.get("rel"): link.get("href") for link in atom.iter(f"{ATOM}link") if link in list(atom)}
        assert links["self"] == f"https://example.org/{folder}/atom.xml"
        rss = ET.parse(out / folder / "rss.xml").getroot().find("channel")
        assert rss is not None
        selves = [link.get("href") for link in rss.iter(f"{ATOM}link") if link.get("rel") == "self"]
        assert selves == [f"https://example.org/{folder}/rss.xml"]
        assert rss.findtext("link") == "https://example.org/"
        atom_feed, rss_feed = feedparser.parse(out / folder / "atom.xml"), feedparser.parse(out / folder / "rss.xml")
        assert [e.link for e in atom_feed.entries] == [e.link for e in rss_feed.entries]
        assert atom_feed.entries and not atom_feed.bozo and not rss_feed.bozo


def test_rss_alone_names_its_own_address(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE, config=BASE_CONFIG + "feeds: {atom: false}\n")
    build(site)
    assert not (site / "_site/feeds/atom.xml").exists()
    rss = ET.parse(site / "_site/feeds/rss.xml").getroot().find("channel")
    assert rss is not None
    assert [link.get("href") for link in rss.iter(f"{ATOM}link")] == ["https://example.org/feeds/rss.xml"]


def test_a_post_in_many_feeds_has_absolute_links_in_each(make_site: MakeSite) -> None:
    post = """
        ---
        title: Links
        date: 2024-07-01
        tags: [news, museums]
        summary: "See [the talks](/talks/)."
        ---
        [Recap](/posts/hello/), [a host](//cdn.example.com/x.js), [outside](https://example.com/a/)
        and ![a picture](/images/x.png).
        """
    plain = """
        ---
        title: Plain
        date: 2024-07-02
        tags: [news]
        ---
        No link at all.
        """
    site = make_site({**SMALL_SITE, "content/posts/links.md": post, "content/posts/plain.md": plain})
    build(site)
    for name in ("feeds/atom.xml", "feeds/rss.xml", "tags/news/atom.xml", "tags/museums/rss.xml"):
        entries = {e.title: e for e in feedparser.parse(site / "_site" / name).entries}
        body = entries["Links"].content[0].value
        assert 'href="https://example.org/posts/hello/"' in body, name
        assert 'src="https://example.org/images/x.png"' in body, name
        assert 'href="//cdn.example.com/x.js"' in body and 'href="https://example.com/a/"' in body, name
        assert 'href="https://example.org/talks/"' in entries["Links"].summary, name
        if "museums" not in name:
            assert entries["Plain"].content[0].value.strip() == "<p>No link at all.</p>", name


@pytest.mark.parametrize("lang, text, expected", [
    ("fr", "Une phrase sans ponctuation haute", "Une phrase sans ponctuation haute"),
    ("fr", "Vraiment ? Oui : « bien »", "Vraiment\u202f? Oui\u00a0: «\u202fbien\u202f»"),
    ("fr", "Voir https://example.org/a:b ; fin", "Voir https://example.org/a:b\u202f; fin"),
    ("ca", "Una frase. Una altra.", "Una frase. Una altra."),
    ("ca", "col.lecció sense apòstrof", "col·lecció sense apòstrof"),
    ("ca", "l'art", "l’art"),
    ("ca-ES", "Al.la i l'obra", "Al·la i l’obra"),
])
def test_typography_is_applied_only_where_a_rule_can_apply(lang: str, text: str, expected: str) -> None:
    """Text without the characters a rule needs is skipped; text with them is still set."""
    assert typeset_text(text, lang) == expected
    assert typeset_html(f"<p>{text}</p><code>{text}</code>", lang) == f"<p>{expected}</p><code>{text}</code>"
