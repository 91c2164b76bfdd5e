"""Multilingual sites: every language a whole site, read as a reader and a search engine would.

A small museum blog written in Catalan (the default), Spanish, English and French is
built for real; the pages, feeds and sitemap are parsed and checked for what issue 6
promises: language of every page and mixed element, reciprocal hreflang, a switcher,
interface words and dates in the page's language, inheritance of shared fields,
per-language and per-tag feeds with whole posts, typography that never touches code.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import html5lib
import pytest

from museumsite.build import build
from museumsite.cli import main
from museumsite.errors import BuildError, ConfigError

from support import REPO, MakeSite

CONFIG = """\
title: Bloc del museu
base_url: https://example.org/blog/
default_language: ca
languages:
  ca: {}
  es: {title: Blog del museo, description: Notas del museo}
  en: {name: English (UK)}
  fr: {}
timezone: Europe/Madrid
posts_per_page: 2
tags:
  museums: {ca: Museus, es: Museos, en: Museums, fr: Musées}
"""

FILES = {
    "content/posts/visita.md": """
        ---
        title: Visita al museu
        date: 2024-03-01
        tags: [Museus, fotografia]
        authors: [Anna Puig]
        ---
        Vam visitar l'exposició de la col.lecció permanent.

        <!--more-->

        Una segona part amb més detalls.
        """,
    "content/posts/visita.es.md": """
        ---
        title: Visita al museo
        ---
        Visitamos la exposición de la colección permanente.

        <!--more-->

        Una segunda parte con más detalles.
        """,
    "content/posts/visita.en.md": """
        ---
        title: A visit to the museum
        date: 2024-03-02
        ---
        We visited the exhibition of the permanent collection.
        """,
    "content/posts/nota.es.md": """
        ---
        title: Una nota
        date: 2024-04-01 18:30
        ---
        Sólo en castellano.
        """,
    "content/posts/avis.fr.md": """
        ---
        title: "Avis : bientôt !"
        date: 2024-05-01
        tags: [Musées]
        ---
        Il dit « bonjour » ; vraiment ? Voir `a : b ?` et [le lien](https://example.org/?q=1).

        ```
        x ? y : z
        ```
        """,
    "content/posts/antic.md": """
        ---
        title: Un article antic
        date: 2023-01-10
        ---
        Del 2023.
        """,
    "content/events/jornada.md": """
        ---
        title: Jornada de museus
        start: 2024-06-01
        timezone: Europe/Madrid
        rooms: [Sala gran]
        ---
        La jornada.
        """,
    "content/events/jornada.en.md": """
        ---
        title: Museum day
        ---
        The day.
        """,
    "content/talks/obertura.md": """
        ---
        title: Obertura
        event: jornada
        speakers: [anna]
        start: "10:00"
        end: "10:30"
        room: Sala gran
        ---
        L'obertura.
        """,
    "content/talks/conference.md": """
        ---
        title: Une conférence en français
        lang: fr
        language: fr
        event: jornada
        speakers: [anna]
        start: "11:00"
        end: "11:30"
        room: Sala gran
        ---
        Résumé.
        """,
    "content/speakers/anna.md": """
        ---
        name: Anna Puig
        ---
        Conservadora.
        """,
    "content/pages/about.md": """
        ---
        title: Qui som
        menu: 1
        ---
        El museu.
        """,
}

PREFIX = {"ca": "/blog/", "es": "/blog/es/", "en": "/blog/en/", "fr": "/blog/fr/"}
LANGS = tuple(PREFIX)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[object]]:
    import textwrap

    root = tmp_path_factory.mktemp("multi") / "site"
    root.mkdir()
    (root / "museumsite.yaml").write_text(CONFIG, encoding="utf-8")
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    result = build(root)
    return root / "_site", list(result.warnings)


def parse(path: Path) -> ET.Element:
    tree: ET.Element = html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    return tree


def page(out: Path, url: str) -> ET.Element:
    rel = urlsplit(url).path.removeprefix("/blog/")
    return parse(out / (rel + "index.html" if rel.endswith("/") or not rel else rel))


def text(el: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def lang_of(el: ET.Element, tree: ET.Element) -> str:
    parents = {c: p for p in tree.iter() for c in p}
    node: ET.Element | None = el
    while node is not None:
        if node.get("lang"):
            return str(node.get("lang"))
        node = parents.get(node)
    return ""


def html_pages(out: Path) -> dict[str, ET.Element]:
    return {"/blog/" + p.relative_to(out).as_posix().removesuffix("index.html"): parse(p)
            for p in sorted(out.rglob("*.html"))}


# ---------------------------------------------------------------- a whole site per language


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_has_its_home_indexes_tags_and_archive(built: tuple[Path, list[object]], lang: str) -> None:
    out, _ = built
    prefix = PREFIX[lang]
    for path in ("", "posts/", "tags/", "archive/", "archive/2024/", "events/", "talks/", "speakers/"):
        tree = page(out, prefix + path)
        assert tree.get("lang") == lang, f"{prefix}{path} says lang={tree.get('lang')}"
    nav = page(out, prefix).find(".//nav")
    assert nav is not None
    for a in nav.iter("a"):
        href = a.get("href", "")
        # Every link of a language's navigation stays in that language, or says it does not.
        if not href.startswith(prefix) or (lang == "ca" and any(href.startswith(p) for p in PREFIX.values()
                                                                 if p != "/blog/")):
            assert lang_of(a, page(out, prefix)) != lang, f"{lang} navigation leads to {href} unmarked"


def test_every_page_is_reachable_from_a_home_page(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    pages = html_pages(out)
    seen, todo = set(), [PREFIX[lang] for lang in LANGS]
    while todo:
        url = todo.pop()
        if url in seen or url not in pages:
            continue
        seen.add(url)
        for a in pages[url].iter("a"):
            href = urlsplit(urljoin("https://example.org" + url, a.get("href", ""))).path
            if href.startswith("/blog/"):
                todo.append(href)
    orphans = sorted(page for page in set(pages) - seen if not page.endswith("/404.html"))
    assert not orphans, f"pages no link leads to: {orphans}"


def test_an_entry_has_pages_only_in_its_languages_and_lists_mark_the_original(
        built: tuple[Path, list[object]]) -> None:
    out, _ = built
    assert (out / "es/posts/nota/index.html").is_file()
    for lang in ("ca", "en", "fr"):
        assert not (out / PREFIX[lang].removeprefix("/blog/") / "posts/nota").exists(), "no fallback copy"
    english = page(out, "/blog/en/posts/")
    assert english.get("lang") == "en"
    # The English index lists the Spanish-only note, marked as Spanish, linking to its one page.
    titles = [a for h2 in english.iter("h2") for a in h2.iter("a") if a.get("href") == "/blog/es/posts/nota/"]
    assert titles and all(lang_of(a, english) == "es" for a in titles)
    # "Read more" is interface text: in the page's language, even inside the Spanish summary.
    more = [a for a in english.iter("a") if a.get("href") == "/blog/es/posts/nota/" and a not in titles]
    assert more and all(lang_of(a, english) == "en" for a in more)


def test_a_talk_in_french_stays_in_every_schedule(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    for url in ("/blog/events/jornada/", "/blog/en/events/jornada/"):
        tree = page(out, url)
        links = [a for a in tree.iter("a") if a.get("href") == "/blog/fr/talks/conference/"]
        assert links, f"{url} leaves out the French talk"
        assert all(lang_of(a, tree) == "fr" for a in links)
    talk = page(out, "/blog/fr/talks/conference/")
    facts = {text(dt): text(dd) for dt, dd in zip(talk.iter("dt"), talk.iter("dd"), strict=False)}
    assert facts.get("Donnée en") == "Français"


def test_tags_count_entries_not_translations_and_have_translated_names(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    names = {"ca": "Museus", "es": "Museos", "en": "Museums", "fr": "Musées"}
    for lang, name in names.items():
        tags = page(out, PREFIX[lang] + "tags/")
        counts = {text(li.find("a")): text(li) for li in tags.iter("li") if li.find("a") is not None
                  and "tag" in (li.find("a").get("rel") or "")}  # type: ignore[union-attr]
        # visita (in three languages) and avis: two entries.
        assert counts.get(name, "").endswith("(2)"), f"{lang}: {counts}"


# ---------------------------------------------------------------- hreflang, switcher, sitemap


def test_hreflang_sets_are_reciprocal_with_self_and_x_default(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    pages = html_pages(out)
    sets: dict[str, dict[str, str]] = {}
    for url, tree in pages.items():
        head = tree.find("head")
        assert head is not None
        alternates = {link.get("hreflang", ""): urlsplit(link.get("href", "")).path for link in head.iter("link")
                      if link.get("rel") == "alternate" and link.get("hreflang") and not link.get("type")}
        if alternates:
            sets[url] = alternates
    visita = sets["/blog/posts/visita/"]
    assert visita == {"ca": "/blog/posts/visita/", "es": "/blog/es/posts/visita/",
                      "en": "/blog/en/posts/visita/", "x-default": "/blog/posts/visita/"}
    for url, alternates in sets.items():
        assert alternates.get(pages[url].get("lang", "")) == url, f"{url} lists itself"
        assert "x-default" in alternates
        for lang, other in alternates.items():
            assert sets.get(other) == alternates, f"{url} -> {other} ({lang}) is not reciprocal"


def test_sitemap_lists_each_pages_alternates(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring((out / "sitemap.xml").read_bytes())
    entries = {u.findtext("s:loc", namespaces=ns): {link.get("hreflang"): link.get("href")
                                                    for link in u.findall("x:link", ns)}
               for u in root.findall("s:url", ns)}
    visita = entries["https://example.org/blog/es/posts/visita/"]
    assert visita["es"] == "https://example.org/blog/es/posts/visita/"
    assert visita["x-default"] == "https://example.org/blog/posts/visita/"
    assert entries["https://example.org/blog/es/posts/nota/"] == {}, "a page alone has no alternates"


def test_sitemap_alternates_keep_an_apostrophe_of_the_address_as_written(tmp_path: Path) -> None:
    import textwrap

    root = tmp_path / "site"
    for rel, text in {"museumsite.yaml": CONFIG, **FILES}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    build(root, base_url="https://example.org/o'neil&co/")
    data = (root / "_site/sitemap.xml").read_bytes()
    assert b'href="https://example.org/o\'neil&amp;co/es/posts/visita/"' in data  # quoted as it always was
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    assert "https://example.org/o'neil&co/es/posts/visita/" in {
        link.get("href") for link in ET.fromstring(data).iter(f"{{{ns['x']}}}link")}


def test_switcher_links_the_translation_or_the_marked_home(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    tree = page(out, "/blog/es/posts/nota/")
    switcher = [n for n in tree.iter("nav") if "languages" in (n.get("class") or "")]
    assert len(switcher) == 1
    links = {a.get("hreflang"): a for a in switcher[0].iter("a")}
    assert set(links) == {"ca", "en", "fr"}
    for lang, a in links.items():
        assert a.get("href") == PREFIX[lang], "no translation: the switcher offers that language's home"
        assert "home-of-language" in (a.get("class") or "") and text(a) != text(a.find("span"))  # type: ignore[arg-type]
    tree = page(out, "/blog/posts/visita/")
    switcher = next(n for n in tree.iter("nav") if "languages" in (n.get("class") or ""))
    assert {a.get("hreflang"): a.get("href") for a in switcher.iter("a")} == {
        "es": "/blog/es/posts/visita/", "en": "/blog/en/posts/visita/", "fr": "/blog/fr/"}
    assert "English (UK)" in text(switcher), "a configured language name is used"


# ---------------------------------------------------------------- interface, dates, typography


INTERFACE = {"ca": {"Inici", "Entrades", "Etiquetes", "Arxiu"}, "es": {"Inicio", "Entradas", "Etiquetas", "Archivo"},
             "fr": {"Accueil", "Billets", "Mots-clés", "Archives"}, "en": {"Home", "Posts", "Tags", "Archive"}}


def _same_in(lang: str) -> set[str]:
    """Interface strings a language writes as English does ("Pagination" in French)."""
    from babel.messages.pofile import read_po

    with (REPO / f"museumsite/themes/default/locales/{lang}/LC_MESSAGES/messages.po").open("rb") as handle:
        return {m.id for m in read_po(handle) if isinstance(m.id, str) and m.id == m.string}


def _english_messages() -> set[str]:
    from babel.messages.pofile import read_po

    with (REPO / "museumsite/themes/default/locales/messages.pot").open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", ["ca", "es", "fr"])
def test_no_english_interface_word_on_other_language_pages(built: tuple[Path, list[object]], lang: str) -> None:
    out, _ = built
    english = {m for m in _english_messages() if "%" not in m} - _same_in(lang)
    for url, tree in html_pages(out).items():
        if tree.get("lang") != lang:
            continue
        for el in tree.iter():
            for shown in ((el.text or "").strip(), (el.get("title") or "").strip(),
                          (el.get("aria-label") or "").strip()):
                if shown in english and lang_of(el, tree) == lang and shown not in INTERFACE[lang]:
                    pytest.fail(f"{url}: English interface text {shown!r} in <{el.tag}>")
    nav_words = {text(a) for a in page(out, PREFIX[lang]).iter("a")}
    assert INTERFACE[lang] <= nav_words


def test_dates_are_localized_and_a_day_stays_that_day(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    shown = {}
    for lang in ("ca", "es", "en"):
        tree = page(out, PREFIX[lang] + "posts/visita/")
        time = tree.find(".//article//time")
        assert time is not None
        shown[lang] = (time.get("datetime"), text(time))
    assert shown["ca"] == ("2024-03-01", "1 de març del 2024")
    assert shown["es"] == ("2024-03-01", "1 de marzo de 2024"), "the translation inherits the date"
    assert shown["en"] == ("2024-03-02", "March 2, 2024"), "a date set in the translation wins, with a warning"
    nota = page(out, "/blog/es/posts/nota/").find(".//article//time")
    assert nota is not None and nota.get("datetime") == "2024-04-01T18:30:00+02:00"
    for url, tree in html_pages(out).items():
        for el in tree.iter("time"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d\d:\d\d)?", el.get("datetime", "")), url
            assert not re.search(r"\d+/\d+/\d+", text(el)), f"{url}: a short numeric date {text(el)!r}"


def test_french_typography_in_text_never_in_code_or_urls(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    tree = page(out, "/blog/fr/posts/avis/")
    h1 = tree.find(".//h1")
    assert h1 is not None and "".join(h1.itertext()) == "Avis\u00a0: bientôt\u202f!"
    paragraph = tree.find(".//div[@class='content']/p")
    assert paragraph is not None
    said = "".join(paragraph.itertext())
    assert "«\u202fbonjour\u202f»\u202f; vraiment\u202f?" in said
    code = [c.text for c in tree.iter("code")]
    assert "a : b ?" in code and any("x ? y : z" in "".join(c.itertext()) for c in tree.iter("pre"))
    assert [a.get("href") for a in paragraph.iter("a")] == ["https://example.org/?q=1"]


def test_catalan_typography(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    paragraph = page(out, "/blog/posts/visita/").find(".//div[@class='content']/p")
    assert paragraph is not None and text(paragraph) == "Vam visitar l’exposició de la col·lecció permanent."


# ---------------------------------------------------------------- inheritance


def test_translations_inherit_shared_fields_and_clashes_are_warned(built: tuple[Path, list[object]]) -> None:
    out, warnings = built
    spanish = page(out, "/blog/es/posts/visita/")
    meta = text(spanish.find(".//p[@class='meta']"))  # type: ignore[arg-type]
    assert "Anna Puig" in meta, "authors inherited"
    tags = {a.get("href") for a in spanish.iter("a") if a.get("rel") == "tag"}
    assert tags == {"/blog/es/tags/museos/", "/blog/es/tags/fotografia/"}, "tags inherited, named in Spanish"
    clashes = [str(w) for w in warnings if "content/posts/visita.en.md" in str(w)]
    assert len(clashes) == 1 and "'date'" in clashes[0] and "content/posts/visita.md" in clashes[0]


def test_contradicting_translation_fails_under_strict(make_site: MakeSite) -> None:
    site = make_site({k: v for k, v in FILES.items() if "posts/" in k}, config=CONFIG)
    with pytest.raises(BuildError) as caught:
        build(site, strict=True)
    assert any(p.path == "content/posts/visita.en.md" and "content/posts/visita.md" in p.message
               for p in caught.value.problems)


def test_translation_key_joins_files_with_different_names(make_site: MakeSite) -> None:
    files = {"content/posts/recap.md": "---\ntitle: Recap\ndate: 2024-01-05\ntags: [a]\n---\nText.\n",
             "content/posts/compte-rendu.fr.md": "---\ntitle: Compte rendu\ntranslation_key: recap\n---\nTexte.\n"}
    site = make_site(files)
    build(site)
    tree = parse(site / "_site/fr/posts/compte-rendu/index.html")
    hreflang = {link.get("hreflang"): link.get("href") for link in tree.iter("link") if link.get("hreflang")}
    assert hreflang["en"] == "https://example.org/posts/recap/"
    time = tree.find(".//article//time")
    assert time is not None and time.get("datetime") == "2024-01-05"


# ---------------------------------------------------------------- feeds


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_feeds_declaring_it_with_whole_posts(built: tuple[Path, list[object]], lang: str) -> None:
    out, _ = built
    folder = out / PREFIX[lang].removeprefix("/blog/") / "feeds"
    for name in ("atom.xml", "rss.xml"):
        feed = feedparser.parse((folder / name).read_bytes())
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.feed.language == lang
        assert feed.entries, f"{lang} {name} is empty"
        for entry in feed.entries:
            assert entry.content and entry.summary, "summary and the whole post"
            assert len(entry.content[0].value) >= len(entry.summary)
        _check_structure((folder / name).read_bytes(), f"https://example.org{PREFIX[lang]}feeds/{name}")
    home = page(out, PREFIX[lang])
    announced = {urlsplit(link.get("href", "")).path for link in home.iter("link") if link.get("type")}
    assert announced == {f"{PREFIX[lang]}feeds/atom.xml", f"{PREFIX[lang]}feeds/rss.xml", f"{PREFIX[lang]}feeds/feed.json"}


def test_catalan_feed_carries_the_part_after_the_cut(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    atom = ET.fromstring((out / "feeds/atom.xml").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = next(e for e in atom.findall("a:entry", ns) if e.findtext("a:title", namespaces=ns) == "Visita al museu")
    content = entry.find("a:content", ns)
    assert content is not None and content.get("type") == "html"
    assert "Una segona part" in (content.text or "") and "Una segona part" not in (entry.findtext("a:summary",
                                                                                                   namespaces=ns) or "")


def test_tag_feeds_per_language_are_announced_on_tag_pages(built: tuple[Path, list[object]]) -> None:
    out, _ = built
    tag_page = page(out, "/blog/fr/tags/musees/")
    feeds = {urlsplit(link.get("href", "")).path for link in tag_page.iter("link") if link.get("type")}
    assert "/blog/fr/tags/musees/atom.xml" in feeds
    feed = feedparser.parse((out / "fr/tags/musees/atom.xml").read_bytes())
    assert not feed.bozo and feed.feed.language == "fr"
    assert [e.title for e in feed.entries] == ["Avis\u00a0: bientôt\u202f!"]


def _check_structure(data: bytes, url: str) -> None:
    """What the W3C validator requires of Atom and RSS, checked on the parsed XML."""
    root = ET.fromstring(data)
    if root.tag == "{http://www.w3.org/2005/Atom}feed":
        ns = {"a": "http://www.w3.org/2005/Atom"}
        for required in ("a:id", "a:title", "a:updated"):
            assert root.find(required, ns) is not None, required
        assert [link.get("href") for link in root.findall("a:link[@rel='self']", ns)] == [url]
        has_author = root.find("a:author/a:name", ns) is not None
        ids = set()
        for entry in root.findall("a:entry", ns):
            for required in ("a:id", "a:title", "a:updated", "a:link"):
                assert entry.find(required, ns) is not None, required
            assert has_author or entry.find("a:author/a:name", ns) is not None
            entry_id = entry.findtext("a:id", namespaces=ns)
            assert entry_id not in ids
            ids.add(entry_id)
    else:
        channel = root.find("channel")
        assert channel is not None
        for required in ("title", "link", "description"):
            assert (channel.findtext(required) or "").strip(), required
        atom_self = channel.find("{http://www.w3.org/2005/Atom}link[@rel='self']")
        assert atom_self is not None and atom_self.get("href") == url
        for item in channel.findall("item"):
            assert item.findtext("title") and item.findtext("link") and item.findtext("guid")


# ---------------------------------------------------------------- catalogues


def test_catalogues_are_complete_and_match_what_pybabel_extracts() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    method_map = [("museumsite/**.py", "python"), ("museumsite/themes/default/templates/**.html", "jinja2")]
    options = {"museumsite/themes/default/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    extracted = {m[2] if isinstance(m[2], str) else m[2][0]
                 for m in extract_from_dir(str(REPO), method_map, options)
                 if not m[0].startswith((".venv", "tests"))}
    assert extracted == _english_messages(), "themes/default/locales/messages.pot is out of date: run pybabel extract"
    for lang in ("en", "fr", "ca", "es"):
        with (REPO / f"museumsite/themes/default/locales/{lang}/LC_MESSAGES/messages.po").open("rb") as handle:
            catalogue = read_po(handle, locale=lang)
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
        assert ids == extracted, f"{lang}: catalogue differs from the templates"
        empty = [m.id for m in catalogue if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])]
        assert not empty, f"{lang}: untranslated {empty}"


def test_a_site_overrides_one_string_and_keeps_the_others(make_site: MakeSite) -> None:
    from support import SMALL_SITE

    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
          'msgid "Read more"\nmsgstr "Continuer"\n')
    site = make_site({**SMALL_SITE, "locales/fr/LC_MESSAGES/messages.po": po})
    build(site)
    home = parse(site / "_site/fr/index.html")
    words = {text(a) for a in home.iter("a")}
    assert any(w.startswith("Continuer") for w in words), "the site's string"
    assert "Accueil" in words, "the theme's other strings"


def test_a_broken_catalogue_is_reported_with_its_line(make_site: MakeSite) -> None:
    from support import SMALL_SITE

    site = make_site({**SMALL_SITE, "locales/fr/LC_MESSAGES/messages.po": 'msgid "x"\nmsgstr "y"\ngarbage\n'})
    with pytest.raises(BuildError) as caught:
        build(site)
    assert [(p.path, p.line) for p in caught.value.problems] == [("locales/fr/LC_MESSAGES/messages.po", 3)]


def test_a_language_without_catalogue_falls_back_to_english_and_is_reported(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    from support import SMALL_SITE

    site = make_site(SMALL_SITE, config="title: T\nbase_url: https://example.org/\nlanguages: [en, fr, de]\n")
    build(site)
    german = parse(site / "_site/de/index.html")
    assert german.get("lang") == "de" and "Home" in {text(a) for a in german.iter("a")}
    assert main(["check", "--translations", "--site", str(site)]) == 0
    report = capsys.readouterr().out
    assert "de: " in report and "missing string: 'Home'" in report and "untranslated: content/posts/hello.md" in report
    assert main(["check", "--translations", "--strict", "--site", str(site)]) == 1


# ---------------------------------------------------------------- config


@pytest.mark.parametrize(("languages", "unknown"), [
    ("[en, pt-BR, zh-Hant, sr-Latn]", []),  # as Babel names its locales: known without asking it
    ("[en, pt-br, EN]", []),  # other spellings are Babel's to parse, and it knows them
    ("[en, xx, ../en, 'e n', pt_BR/../fr]", ["xx", "../en", "e n", "pt_BR/../fr"]),
])
def test_language_codes_are_the_ones_babel_knows(make_site: MakeSite, languages: str, unknown: list[str]) -> None:
    site = make_site({}, config=f"title: T\nbase_url: https://example.org/\nlanguage: en\nlanguages: {languages}\n")
    if not unknown:
        build(site)
        return
    with pytest.raises(ConfigError) as caught:
        build(site)
    assert sorted(str(p).split("\n")[0] for p in caught.value.problems) == sorted(
        f"museumsite.yaml:4: unknown language code '{code}'" for code in unknown)


def test_language_settings_are_checked_all_at_once(make_site: MakeSite) -> None:
    config = ("title: T\nbase_url: https://example.org/\ndefault_language: ca\nlanguage: es\n"
              "languages:\n  ca: {}\n  xx: {}\ntags: {museums: {de: Museen}}\n")
    with pytest.raises(ConfigError) as caught:
        build(make_site({}, config=config))
    messages = [str(p).split("\n")[0] for p in caught.value.problems]
    assert "museumsite.yaml:3: default_language 'ca' contradicts language 'es'" in messages
    assert "museumsite.yaml:7: unknown language code 'xx'" in messages
    assert "museumsite.yaml:8: tag 'museums' is named in 'de', which is not one of the site's languages" in messages
    config = "title: T\nbase_url: https://example.org/\nlanguages:\n  fr: {titel: X}\n"
    with pytest.raises(ConfigError) as caught:
        build(make_site({}, config=config, name="second"))
    assert str(caught.value.problems[0]) == ("museumsite.yaml:4: unknown setting 'languages.fr.titel'\n"
                                             "  hint: did you mean 'title'?")
