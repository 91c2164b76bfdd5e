"""Fuzzing the importers and comment archives: any input is imported, or refused naming the file.

Each importer is driven through the function the command line calls (``import_wordpress``,
``import_disqus``, ``read_frab``/``read_pretalx`` then ``import_schedule``), with three
kinds of input: arbitrary bytes and text; small valid exports with fuzzed values
(titles, bodies, dates, parents, statuses, ids); and byte-level mutations of our own
fixtures. BOM, CRLF, empty and very large inputs are cases of their own.

The properties: the only exception that escapes is one of museumsite's own
(``MuseumError``), and its message names the input file; a refused import writes
nothing in the site; an accepted one writes content that builds. Each example runs
under a per-example alarm, so a hang fails the test instead of stalling CI.

``MUSEUMSITE_FUZZ_EXAMPLES=2000 pytest tests/importers/test_fuzz_importers.py`` runs a longer campaign.
"""

from __future__ import annotations

import json
import os
import random
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from museumsite.build import build
from museumsite.errors import BuildError, MuseumError
from museumsite.importers.disqus import import_disqus
from museumsite.importers.schedules.files import import_schedule
from museumsite.importers.schedules.frab import read_frab
from museumsite.importers.schedules.pretalx import read_pretalx
from museumsite.importers.wordpress.importer import import_wordpress

from support import FIXTURES, active_content_in_tree, snapshot

WXR = (FIXTURES / "import" / "blog.wxr.xml").read_bytes()
DISQUS = (FIXTURES / "import" / "comments.disqus.xml").read_bytes()
FRAB = (FIXTURES / "schedule" / "offsets.xml").read_bytes()
PRETALX = (FIXTURES / "schedule" / "same-person.json").read_bytes()

EXAMPLES = int(os.environ.get("MUSEUMSITE_FUZZ_EXAMPLES", "0"))
SECONDS = 60  # one example taking longer than this is a hang


def fuzz(default: int) -> Any:
    """Settings: ``default`` examples in CI, MUSEUMSITE_FUZZ_EXAMPLES for a long run."""
    return settings(max_examples=EXAMPLES or default, deadline=None, derandomize=not EXAMPLES,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextmanager
def no_hang(seconds: int = SECONDS) -> Iterator[None]:
    """Fail the example (instead of stalling) when it runs longer than ``seconds``."""
    def stop(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"no answer after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


CONFIG = b"""\
title: Fuzz
base_url: https://blog.example.cat/
language: en
languages: [en, ca]
timezone: Europe/Madrid
"""
# The entry the Disqus fixture's first thread names (/2009/10/quina-jornada/).
POST = b"---\ntitle: Quina jornada\ndate: 2009-10-20\naliases: [/2009/10/quina-jornada/]\n---\nBody.\n"


Importer = Callable[[Path, Path], object]


def _wordpress(export: Path, site: Path) -> object:
    return import_wordpress(export, site)


def _disqus(export: Path, site: Path) -> object:
    return import_disqus(export, site)


def _frab(export: Path, site: Path) -> object:
    return import_schedule(read_frab(export, str(export), "Europe/Madrid"), site.resolve())


def _pretalx(export: Path, site: Path) -> object:
    return import_schedule(read_pretalx(export, str(export), "Europe/Madrid"), site.resolve())


def check_import(importer: Importer, data: bytes, name: str = "export.xml") -> bool:
    """Import ``data`` into a fresh site: refused naming the file and writing nothing (False), or builds."""
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        (site / "content" / "posts").mkdir(parents=True)
        (site / "museumsite.yaml").write_bytes(CONFIG)
        (site / "content" / "posts" / "quina-jornada.md").write_bytes(POST)
        export = Path(folder) / name
        export.write_bytes(data)
        before = snapshot(site)
        with no_hang():
            try:
                importer(export, site)
            except MuseumError as exc:
                assert str(export) in str(exc), f"the error does not name the file: {exc}"
                assert "Traceback" not in str(exc)
                assert snapshot(site) == before, "a refused import wrote into the site"
                return False
            try:
                build(site, site / "_site", use_cache=False)
            except BuildError as exc:
                raise AssertionError(f"imported content does not build:\n{exc}") from None
            active = active_content_in_tree(site / "_site", host="blog.example.cat")
            assert not active, f"imported content became active in the output: {active}"
            return True


# Input shapes every importer must survive

def _with_bom(data: bytes) -> bytes:
    return data if data.startswith(b"\xef\xbb\xbf") else b"\xef\xbb\xbf" + data


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _mutate(data: bytes, seed: int, count: int) -> bytes:
    """``count`` byte-level edits of ``data``: cut, insert, duplicate, overwrite, truncate."""
    rng = random.Random(seed)
    out = bytearray(data)
    specials = [b"<", b">", b"&", b"]]>", b"<![CDATA[", b"\x00", b"\xff", b"\"", b"{", b"}", b"[", b"]", b",",
                b"null", b"-1", b"0000-00-00", b"\r", b"&#0;", b"\xe2\x80\xae"]
    for _ in range(count):
        if not out:
            out += rng.choice(specials)
            continue
        at = rng.randrange(len(out))
        end = min(len(out), at + rng.randrange(1, 64))
        action = rng.randrange(5)
        if action == 0:
            del out[at:end]
        elif action == 1:
            out[at:at] = rng.choice(specials)
        elif action == 2:
            out[at:at] = out[at:end]
        elif action == 3:
            out[at] = rng.randrange(256)
        else:
            del out[end:]
    return bytes(out)


def mutations(valid: bytes) -> st.SearchStrategy[bytes]:
    return st.builds(_mutate, st.just(valid), st.integers(0, 2**32), st.integers(1, 6))


def variants(valid: bytes) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes and text, mutations of ``valid``, each maybe with a BOM or CRLF."""
    base = st.one_of(st.binary(max_size=600), st.text(max_size=300).map(lambda t: t.encode("utf-8")),
                     mutations(valid), st.just(valid), st.just(b""))
    return st.tuples(base, st.booleans(), st.booleans()).map(
        lambda v: (_crlf(_with_bom(v[0])) if v[1] and v[2] else _with_bom(v[0]) if v[1] else
                   _crlf(v[0]) if v[2] else v[0]))


# Text values for structure-aware exports: XML-escaped, any character XML can carry

HOSTILE = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "]]>",
           "../../etc/passwd", "0000-00-00 00:00:00", "\u202e", "\ufeff", "  ", "-1", "2009-02-30 10:00:00",
           "Mon, 30 Nov -0001 00:00:00 +0000", "9999-12-31 23:59:59", "0001-01-01 00:00:00", "{{ x }}", "---",
           "comment", "1", "0", "spam", "trash", "draft", "publish", "post", "page", "attachment", "%00", "a" * 300]
XML_CHAR = st.characters(blacklist_categories=["Cs"],
                         blacklist_characters=[chr(c) for c in range(32) if c not in (9, 10, 13)] + ["\ufffe",
                                                                                                  "\uffff"])

# Markdown and attribute syntax that a sanitizer keeps as text and a later Markdown pass turns into markup.
URLS = st.sampled_from(["javascript:alert(1)", "JaVaScRiPt:alert(1)", "&#106;avascript:alert(1)", "java\tscript:x",
                        "javascript&#58;alert(1)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>",
                        "data:image/svg+xml;base64,PHN2Zz4=", "https://tracker.example/p.gif", "//tracker.example/p",
                        "https://ok.example/", "/local/", "#frag", "  javascript:alert(1)"])
ATTRIBUTES = st.sampled_from(["onfocus", "onclick", "onerror", "ONLOAD", "style", "href", "src", "id", "class",
                              "autofocus", "tabindex", "formaction", "srcset", "poster", "background"])
ATTRIBUTE_VALUES = st.one_of(URLS, st.sampled_from(["alert(1)", "background:url(https://tracker.example/s.png)",
                                                    "x:expression(alert(1))", "0", "", "staff"]))


@st.composite
def attribute_list(draw: st.DrawFn) -> str:
    pairs = " ".join(f'{draw(ATTRIBUTES)}="{draw(ATTRIBUTE_VALUES)}"' for _ in range(draw(st.integers(1, 3))))
    return draw(st.sampled_from(["{: %s }", "{:%s}", "{ %s }", "{: #x .y %s }"])) % pairs


@st.composite
def markdown_payload(draw: st.DrawFn) -> str:
    """A fragment of Markdown with an active part, wrapped in tags an importer may strip."""
    n = draw(st.integers(0, 9))
    parts = draw(st.lists(st.one_of(
        st.builds(lambda a: f"Kept text\n{a}", attribute_list()),
        st.builds(lambda u, a: f"[Read]({u}){a}", URLS, st.one_of(st.just(""), attribute_list())),
        st.builds(lambda u: f"![pixel]({u})", URLS),
        st.builds(lambda u: f"[Read][r{n}]\n\n[r{n}]: {u}", URLS),
        st.builds(lambda u: f"![i][i{n}]\n\n[i{n}]: {u}", URLS),
        st.builds(lambda u: f"<{u}>", URLS),
        st.builds(lambda a, u: f"<img src=\"{u}\" {a}=\"alert(1)\">", ATTRIBUTES, URLS),
        st.builds(lambda a: f"## Heading {a}", attribute_list()),
        st.builds(lambda a: f"> quote\n{a}", attribute_list()),
        st.builds(lambda u: f'<div markdown="1">[x]({u})</div>', URLS),
        st.builds(lambda u: f"&lt;a href={u}&gt;x&lt;/a&gt;", URLS),
    ), min_size=1, max_size=3))
    body = "\n\n".join(parts)
    wrapper = draw(st.sampled_from(["div", "section", "article", "span", "font", "center", "details", "aside", "p",
                                    "x-custom", "table", ""]))
    return f"<{wrapper}>{body}</{wrapper}>" if wrapper else body


MARKUP = markdown_payload()
VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(XML_CHAR, max_size=30), MARKUP)


def x(value: str) -> str:
    return escape(value)


def _wxr(channel: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
            f"<channel><title>Blog</title><link>http://blog.example.cat</link>\n"
            f"<wp:base_site_url>http://blog.example.cat</wp:base_site_url>\n"
            f"<wp:author><wp:author_id>1</wp:author_id><wp:author_login>marta</wp:author_login>"
            f"<wp:author_email>marta@example.cat</wp:author_email></wp:author>\n"
            f"{channel}</channel></rss>\n").encode()


@st.composite
def wxr_comment(draw: st.DrawFn) -> str:
    v = lambda: x(draw(VALUE))
    small = lambda: str(draw(st.integers(0, 5)))
    return (f"<wp:comment><wp:comment_id>{draw(st.one_of(st.just(small()), VALUE.map(x)))}</wp:comment_id>"
            f"<wp:comment_author>{v()}</wp:comment_author>"
            f"<wp:comment_author_email>{v()}</wp:comment_author_email>"
            f"<wp:comment_author_url>{v()}</wp:comment_author_url>"
            f"<wp:comment_date>{v()}</wp:comment_date><wp:comment_date_gmt>{v()}</wp:comment_date_gmt>"
            f"<wp:comment_content>{v()}</wp:comment_content>"
            f"<wp:comment_approved>{draw(st.sampled_from(['1', '0', 'spam', 'trash', '']))}</wp:comment_approved>"
            f"<wp:comment_type>{draw(st.sampled_from(['', 'comment', 'pingback', 'pingback ', 'x']))}"
            f"</wp:comment_type><wp:comment_parent>{draw(st.one_of(st.just(small()), VALUE.map(x)))}"
            f"</wp:comment_parent><wp:comment_user_id>{small()}</wp:comment_user_id></wp:comment>")


@st.composite
def wxr_item(draw: st.DrawFn) -> str:
    v = lambda: x(draw(VALUE))
    categories = "".join(f'<category domain="{draw(st.sampled_from(["category", "post_tag", "x"]))}">{v()}'
                         f"</category>" for _ in range(draw(st.integers(0, 3))))
    comments = "".join(draw(st.lists(wxr_comment(), max_size=4)))
    return (f"<item><title>{v()}</title><link>{v()}</link><guid>{v()}</guid><pubDate>{v()}</pubDate>"
            f"<dc:creator>{draw(st.sampled_from(['marta', 'nobody', '']))}</dc:creator>"
            f"<content:encoded>{v()}</content:encoded><wp:post_id>{v()}</wp:post_id>"
            f"<wp:post_date>{v()}</wp:post_date><wp:post_date_gmt>{v()}</wp:post_date_gmt>"
            f"<wp:post_name>{v()}</wp:post_name>"
            f"<wp:status>{draw(st.sampled_from(['publish', 'draft', 'trash', 'private', 'x', '']))}</wp:status>"
            f"<wp:post_type>{draw(st.sampled_from(['post', 'page', 'attachment', 'nav_menu_item', '']))}"
            f"</wp:post_type><wp:post_password>{draw(st.sampled_from(['', 'secret']))}</wp:post_password>"
            f"{categories}{comments}</item>\n")


WXR_EXPORTS = st.lists(wxr_item(), min_size=1, max_size=3).map(lambda items: _wxr("".join(items)))


@st.composite
def disqus_export(draw: st.DrawFn) -> bytes:
    """One thread that names the site's post, maybe others; posts mostly in it, with fuzzed values."""
    v = lambda: x(draw(VALUE))
    ids = st.one_of(st.integers(1, 6).map(str), st.integers(1, 6).map(str), VALUE.map(x))
    threads = st.one_of(st.just("10"), st.just("10"), ids)
    links = st.one_of(st.sampled_from(["https://blog.example.cat/2009/10/quina-jornada/",
                                       "http://www.blog.example.cat/2009/10/quina-jornada",
                                       "https://blog.example.cat/posts/quina-jornada/", ""]), VALUE.map(x))
    found = ['<thread dsq:id="10"><link>https://blog.example.cat/2009/10/quina-jornada/</link></thread>']
    found += [f'<thread dsq:id="{draw(ids)}"><link>{draw(links)}</link><title>{v()}</title></thread>'
              for _ in range(draw(st.integers(0, 2)))]
    posts = []
    for _ in range(draw(st.integers(1, 5))):
        parent = f'<parent dsq:id="{draw(ids)}"/>' if draw(st.booleans()) else ""
        created = draw(st.one_of(st.just("2010-02-01T10:00:00Z"), st.just("2010-02-01T10:00:00Z"), VALUE.map(x)))
        posts.append(
            f'<post dsq:id="{draw(ids)}"><message>{v()}</message><createdAt>{created}</createdAt>'
            f"<isDeleted>{draw(st.sampled_from(['false', 'true', '']))}</isDeleted>"
            f"<isSpam>{draw(st.sampled_from(['false', 'false', 'true']))}</isSpam>"
            f"<author><name>{v()}</name><isAnonymous>{draw(st.sampled_from(['false', 'true']))}</isAnonymous>"
            f"<username>{v()}</username></author><thread dsq:id=\"{draw(threads)}\"/>{parent}</post>")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            f'xmlns:dsq="http://disqus.com/disqus-internals">{"".join(found)}{"".join(posts)}</disqus>\n').encode()


@st.composite
def frab_export(draw: st.DrawFn) -> bytes:
    v = lambda: x(draw(VALUE))
    times = st.one_of(st.sampled_from(["2025-01-20T09:00:00+01:00", "2025-01-20T23:30:00+05:30", "09:00",
                                       "2025-01-20", "25:61"]), VALUE.map(x))
    durations = st.one_of(st.sampled_from(["00:30", "01:00:00", "1:00:00:00", "99999:00", "-1:00", ""]),
                          VALUE.map(x))
    events = []
    for _ in range(draw(st.integers(0, 3))):
        persons = "".join(f'<person id="{draw(st.one_of(st.integers(0, 3).map(str), VALUE.map(x)))}">{v()}</person>'
                          for _ in range(draw(st.integers(0, 2))))
        events.append(
            f'<event guid="{draw(st.one_of(st.sampled_from(["g1", "g2", ""]), VALUE.map(x)))}" id="{v()}">'
            f"<date>{draw(times)}</date><start>{draw(times)}</start><duration>{draw(durations)}</duration>"
            f"<room>{v()}</room><title>{v()}</title><subtitle>{v()}</subtitle><track>{v()}</track>"
            f"<type>{v()}</type><language>{v()}</language><abstract>{v()}</abstract>"
            f"<description>{v()}</description><persons>{persons}</persons>"
            f'<links><link href="{v()}">{v()}</link></links>'
            f'<attachments><attachment href="{v()}" type="{v()}">{v()}</attachment></attachments>'
            f"<recording><url>{v()}</url></recording></event>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<schedule><version>1</version><conference>'
            f"<acronym>{v()}</acronym><title>{v()}</title><start>{draw(times)}</start><end>{draw(times)}</end>"
            f"<time_zone_name>{draw(st.one_of(st.sampled_from(['Europe/Paris', 'Mars/Base', '']), VALUE.map(x)))}"
            f"</time_zone_name><day_change>{draw(durations)}</day_change><venue>{v()}</venue><city>{v()}</city>"
            f"<track>{v()}</track></conference>"
            f'<day index="1" date="{draw(times)}"><room name="{v()}">{"".join(events)}</room></day>'
            f"</schedule>\n").encode()


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40),
                         st.floats(allow_nan=False, allow_infinity=False), VALUE, MARKUP)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["name", "url", "guid", "id", "title", "x"]),
                                                 inner, max_size=3)), max_leaves=6)


def _replace(document: Any, paths: list[tuple[int, Any]]) -> Any:
    """``document`` with the values at some of its leaf or branch positions replaced."""
    nodes: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            nodes.append((node, key))
            walk(value)

    walk(document)
    for index, value in paths:
        parent, key = nodes[index % len(nodes)]
        parent[key] = value
    return document


PRETALX_EXPORTS = st.lists(st.tuples(st.integers(0, 10**6), JSON_VALUES), min_size=1, max_size=4).map(
    lambda paths: json.dumps(_replace(json.loads(PRETALX), paths), ensure_ascii=False).encode("utf-8"))


# The properties

@pytest.mark.slow
@given(variants(WXR))
@fuzz(40)
def test_wordpress_any_bytes_imported_or_refused_naming_the_file(data: bytes) -> None:
    check_import(_wordpress, data)


@pytest.mark.slow
@given(WXR_EXPORTS.flatmap(lambda data: st.sampled_from([data, _with_bom(data), _crlf(data)])))
@fuzz(40)
def test_wordpress_valid_exports_with_fuzzed_values(data: bytes) -> None:
    check_import(_wordpress, data)


@pytest.mark.slow
@given(st.one_of(variants(DISQUS), disqus_export()))
@fuzz(40)
def test_disqus_any_export_imported_or_refused_naming_the_file(data: bytes) -> None:
    check_import(_disqus, data)


@pytest.mark.slow
@given(st.one_of(variants(FRAB), frab_export()))
@fuzz(40)
def test_frab_any_schedule_imported_or_refused_naming_the_file(data: bytes) -> None:
    check_import(_frab, data)


@pytest.mark.slow
@given(st.one_of(variants(PRETALX), PRETALX_EXPORTS))
@fuzz(40)
def test_pretalx_any_schedule_imported_or_refused_naming_the_file(data: bytes) -> None:
    check_import(_pretalx, data, "schedule.json")


# Comment archives, read by a real build

ARCHIVE = b"""\
comments:
- id: 1
  parent: null
  author: Pere
  author_url: https://pere.example.cat/
  date: 2009-10-20 10:14:00+02:00
  lang: ca
  status: approved
  type: comment
  staff: false
  format: html
  body: <p>Quina jornada!</p>
- id: 2
  parent: 1
  author: Marta
  date: 2009-10-21 18:00:00+02:00
  status: approved
  body: Thank *you*.
"""
ARCHIVE_VALUE = st.one_of(VALUE.map(lambda t: json.dumps(t, ensure_ascii=False)),
                          st.sampled_from(["null", "1", "2", "-1", "[]", "{}", "true", "2009-02-30", "&a [1]",
                                           "*a", "2009-10-20", "approved", "pending", "html", "markdown",
                                           "\"\\x00\"", "\"\\u001b\"", "1e999", "0x10"]))


COMMENT = {"author": '"Pere"', "author_url": "https://pere.example.cat/", "date": "2009-10-20 10:14:00+02:00",
           "lang": "ca", "status": "approved", "type": "comment", "staff": "false", "format": "html",
           "body": '"<p>Quina jornada!</p>"'}
FIELDS = ["id", "parent", *COMMENT, "email"]


@st.composite
def archives(draw: st.DrawFn) -> bytes:
    """Mostly valid archives: each comment valid but for up to three fuzzed, dropped or added fields."""
    comments = []
    for number in range(1, draw(st.integers(1, 5)) + 1):
        fields = {"id": str(number), "parent": draw(st.sampled_from(["null", *map(str, range(1, number + 2))])),
                  **COMMENT}
        for name in draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)):
            if draw(st.integers(0, 3)) == 0:
                fields.pop(name, None)
            else:
                fields[name] = draw(ARCHIVE_VALUE)
        comments.append("- " + "\n  ".join(f"{name}: {value}" for name, value in fields.items()) if fields else "- {}")
    return ("comments:\n" + "\n".join(comments) + "\n").encode("utf-8")


def check_archive(data: bytes) -> None:
    """Build a site with ``data`` as a post's comment archive: it builds, or the error names the archive."""
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "content" / "posts").mkdir(parents=True)
        (site / "content" / "comments" / "posts").mkdir(parents=True)
        (site / "museumsite.yaml").write_bytes(CONFIG)
        (site / "content" / "posts" / "quina-jornada.md").write_bytes(POST)
        (site / "content" / "comments" / "posts" / "quina-jornada.yaml").write_bytes(data)
        with no_hang():
            try:
                build(site, site / "_site", use_cache=False)
            except BuildError as exc:
                assert exc.problems, str(exc)
                assert {p.path for p in exc.problems} == {"content/comments/posts/quina-jornada.yaml"}, str(exc)
                assert all(p.line for p in exc.problems), str(exc)


@pytest.mark.slow
@given(st.one_of(variants(ARCHIVE), archives().flatmap(lambda data: st.sampled_from([data, _crlf(data)]))))
@fuzz(40)
def test_comment_archives_build_or_fail_naming_the_archive(data: bytes) -> None:
    check_archive(data)


# BOM, CRLF and empty files, each importer

IMPORTERS = {"wordpress": (_wordpress, WXR, "export.xml"), "disqus": (_disqus, DISQUS, "export.xml"),
             "frab": (_frab, FRAB, "schedule.xml"), "pretalx": (_pretalx, PRETALX, "schedule.json")}


@pytest.mark.parametrize("source", sorted(IMPORTERS))
def test_a_bom_and_crlf_line_ends_change_nothing(source: str) -> None:
    importer, valid, name = IMPORTERS[source]
    for data in (_with_bom(valid), _crlf(valid), _crlf(_with_bom(valid))):
        assert check_import(importer, data, name), f"{source}: a valid export with a BOM or CRLF was refused"


@pytest.mark.parametrize("source", sorted(IMPORTERS))
@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n", b" "], ids=["empty", "bom", "crlf", "space"])
def test_an_empty_file_is_refused_naming_it(source: str, data: bytes) -> None:
    importer, _, name = IMPORTERS[source]
    assert not check_import(importer, data, name)


# Very large inputs: handled in one go, not example by example

@pytest.mark.slow
def test_very_large_exports_are_imported() -> None:
    body = escape("<p>" + "Una frase llarga del museu. " * 20 + "</p>\n") * 1500  # ~0.9 MB of HTML
    comment = ("<wp:comment><wp:comment_id>{n}</wp:comment_id><wp:comment_author>A{n}</wp:comment_author>"
               "<wp:comment_date_gmt>2009-10-20 10:00:00</wp:comment_date_gmt>"
               "<wp:comment_content>Comment {n}</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
               "<wp:comment_parent>{p}</wp:comment_parent></wp:comment>")
    comments = "".join(comment.format(n=n, p=n - 1 if n % 10 else 0) for n in range(1, 301))
    item = (f"<item><title>Llarg</title><content:encoded>{body}</content:encoded><wp:post_id>1</wp:post_id>"
            f"<wp:post_date_gmt>2009-10-20 07:00:00</wp:post_date_gmt><wp:post_name>llarg</wp:post_name>"
            f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>{comments}</item>")
    assert check_import(_wordpress, _wxr(item))


@pytest.mark.slow
def test_very_large_schedules_are_imported() -> None:
    document = json.loads(PRETALX)
    room = document["schedule"]["conference"]["days"][0]["rooms"]["Grande Galerie"]
    talk = room[0]
    room[:] = [{**talk, "guid": f"00000000-0000-4000-8000-{n:012d}", "id": n, "title": f"Talk {n}",
                "abstract": "Words. " * 2000} for n in range(300)]
    assert check_import(_pretalx, json.dumps(document).encode("utf-8"), "schedule.json")


# Regressions found by the fuzzer

def test_a_damaged_closing_tag_is_refused_not_repaired_across_items(tmp_path: Path) -> None:
    """The CDATA repair ran from one item's title to the next item's: one post silently swallowed the next."""
    from museumsite.importers import ImportRefused
    from museumsite.importers.xmlread import parse_xml

    data = (b"<rss><channel>\n<item><title><![CDATA[One]]></titl><link>x</link></item>\n"
            b"<item><title><![CDATA[Two]]></title></item>\n</channel></rss>\n")
    with pytest.raises(ImportRefused) as refused:
        parse_xml(data, "export.xml")
    assert str(refused.value).startswith("export.xml:2: malformed XML")


def test_explicit_yaml_tags_on_values_they_do_not_fit_are_errors_at_their_line() -> None:
    """'!!timestamp' on a date with a seconds offset (as the importer once wrote) crashed the build."""
    from museumsite.yamlfile import YamlProblem, parse_yaml

    for value in ("!!timestamp '0001-01-01 00:00:00-00:14:44'", "!!timestamp x", "!!bool maybe"):
        with pytest.raises(YamlProblem) as problem:
            parse_yaml(f"title: T\ndate: {value}\n", 2)
        assert problem.value.line == 3


def _item(post_date: str, post_date_gmt: str, comment_date: str = "2009-10-20 10:00:00", comment_id: str = "1",
          name: str = "p") -> str:
    return (f"<item><title>T {name}</title><wp:post_id>1</wp:post_id><wp:post_date>{post_date}</wp:post_date>"
            f"<wp:post_date_gmt>{post_date_gmt}</wp:post_date_gmt><wp:post_name>{name}</wp:post_name>"
            f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            f"<wp:comment><wp:comment_id>{escape(comment_id)}</wp:comment_id><wp:comment_author>A</wp:comment_author>"
            f"<wp:comment_date>{comment_date}</wp:comment_date><wp:comment_content>Hi</wp:comment_content>"
            f"<wp:comment_approved>1</wp:comment_approved></wp:comment></item>")


@pytest.mark.parametrize("items", [
    # year 1 in the site's zone has a local-mean-time offset with seconds, which YAML cannot read back
    [_item("0001-01-01 00:00:00", "", name="a"), _item("0001-01-01 00:00:00", "", name="b")],
    # the last second of year 9999 in UTC is in year 10000 in Madrid
    [_item("", "9999-12-31 23:59:59", name="a")],
    # a comment dated year 1
    [_item("", "2009-10-20 07:00:00", comment_date="0001-01-01 00:00:00")],
], ids=["year-1", "year-9999", "comment-year-1"])
def test_wordpress_dates_out_of_range_import_and_build(items: list[str]) -> None:
    check_import(_wordpress, _wxr("".join(items)))


def test_wordpress_comment_ids_that_are_not_numbers_are_dropped() -> None:
    """WordPress ids are numbers; '<script>' as an id was written and then failed the build."""
    check_import(_wordpress, _wxr(_item("", "2009-10-20 07:00:00", comment_id="<script>alert(1)</script>")))


def _frab_conference(start: str, end: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<schedule><version>1</version><conference>'
            f"<acronym>c</acronym><title>Conf</title><start>{start}</start><end>{end}</end>"
            f"<time_zone_name>Europe/Paris</time_zone_name></conference></schedule>\n").encode()


@pytest.mark.parametrize(("start", "end"), [("9999-12-31 23:59:59", "2025-01-20T09:00:00+01:00"),
                                            ("2025-01-21", "2025-01-20")], ids=["year-9999", "reversed"])
def test_a_schedule_ending_before_it_starts_imports_and_builds(start: str, end: str) -> None:
    """The event file said 'end is before start' and failed the build."""
    assert check_import(_frab, _frab_conference(start, end), "schedule.xml")


def test_an_event_ending_in_year_9999_builds(tmp_path: Path) -> None:
    """Its all-day calendar entry ends the day after: past the last date Python has (OverflowError)."""
    site = tmp_path / "site"
    (site / "content" / "events").mkdir(parents=True)
    (site / "museumsite.yaml").write_bytes(CONFIG)
    (site / "content" / "events" / "long.md").write_text("---\ntitle: Long\nstart: 2025-01-20\nend: 9999-12-31\n---\n",
                                                        encoding="utf-8")
    build(site, site / "_site", use_cache=False)
    assert (site / "_site" / "events" / "long" / "index.html").is_file()


def _comment(number: int, parent: int) -> str:
    return (f"<wp:comment><wp:comment_id>{number}</wp:comment_id><wp:comment_author>A</wp:comment_author>"
            f"<wp:comment_date_gmt>2009-10-20 10:0{number}:00</wp:comment_date_gmt>"
            f"<wp:comment_content>Hello there, comment {number}</wp:comment_content>"
            f"<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>")


def test_wordpress_comments_replying_in_a_loop_import_and_build() -> None:
    """1 -> 2 -> 1 and 3 -> 3 were written as they were, and the archive failed the build."""
    item = ("<item><title>T</title><wp:post_id>1</wp:post_id><wp:post_date_gmt>2009-10-20 07:00:00</wp:post_date_gmt>"
            "<wp:post_name>p</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            + _comment(1, 2) + _comment(2, 1) + _comment(3, 3) + _comment(4, 1) + "</item>")
    assert check_import(_wordpress, _wxr(item))


def test_disqus_posts_replying_in_a_loop_import_and_build() -> None:
    posts = "".join(
        f'<post dsq:id="{n}"><message>Hello there, post {n}</message><createdAt>2010-02-0{n}T10:00:00Z</createdAt>'
        f'<author><name>A</name></author><thread dsq:id="10"/><parent dsq:id="{p}"/></post>'
        for n, p in ((1, 2), (2, 1), (3, 3)))
    export = ('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
              'xmlns:dsq="http://disqus.com/disqus-internals"><thread dsq:id="10">'
              f"<link>https://blog.example.cat/2009/10/quina-jornada/</link></thread>{posts}</disqus>\n")
    assert check_import(_disqus, export.encode())


def _disqus_post(post_id: str, created: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals"><thread dsq:id="10">'
            "<link>https://blog.example.cat/2009/10/quina-jornada/</link></thread>"
            f'<post dsq:id="{post_id}"><message>Hello there, one post</message><createdAt>{created}</createdAt>'
            '<author><name>A</name></author><thread dsq:id="10"/></post></disqus>\n').encode()


@pytest.mark.parametrize(("post_id", "created"), [
    ("&lt;x&gt;", "2010-02-01T10:00:00Z"),  # Disqus ids are numbers: '<x>' was written, and refused by the build
    ("", "2010-02-01T10:00:00Z"),
    ("7", "2010-02-01T10:00:00+00:14:44"),  # an offset with seconds, which YAML cannot read back
    ("8", "9999-12-31T23:59:59-05:00"),
], ids=["markup-id", "no-id", "seconds-offset", "year-9999"])
def test_disqus_odd_ids_and_dates_import_and_build(post_id: str, created: str) -> None:
    assert check_import(_disqus, _disqus_post(post_id, created))


@pytest.mark.parametrize("zone", ["Europe", "a" * 300], ids=["folder", "too-long"])
def test_a_time_zone_name_that_is_a_folder_or_too_long_is_an_error_not_a_traceback(zone: str, tmp_path: Path) -> None:
    """zoneinfo raises IsADirectoryError for 'Europe' and OSError for a name too long for a file."""
    from museumsite.errors import ConfigError

    site = tmp_path / "site"
    (site / "content" / "events").mkdir(parents=True)
    (site / "museumsite.yaml").write_bytes(CONFIG.replace(b"Europe/Madrid", zone.encode()))
    with pytest.raises(ConfigError) as config_error:
        build(site, site / "_site", use_cache=False)
    assert [p.path for p in config_error.value.problems] == ["museumsite.yaml"]
    (site / "museumsite.yaml").write_bytes(CONFIG)
    (site / "content" / "events" / "e.md").write_text(f"---\ntitle: E\nstart: 2025-01-20\ntimezone: {zone}\n---\n",
                                                     encoding="utf-8")
    with pytest.raises(BuildError) as build_error:
        build(site, site / "_site", use_cache=False)
    assert [(p.path, p.line) for p in build_error.value.problems] == [("content/events/e.md", 4)]
    schedule = _frab_conference("2025-01-20", "2025-01-20").replace(b"Europe/Paris", zone.encode())
    assert check_import(_frab, schedule, "schedule.xml")


def test_a_talk_in_the_year_9999_imports_without_a_time_and_builds() -> None:
    """start + duration overflowed in the reader: such a talk is imported without a time."""
    schedule = _frab_conference("9999-12-31", "9999-12-31").replace(b"</schedule>", (
        b'<day index="1" date="9999-12-31"><room name="Hall"><event guid="g1" id="1">'
        b"<date>9999-12-31T23:30:00+01:00</date><duration>01:00</duration><title>Last</title>"
        b"</event></room></day></schedule>"))
    assert check_import(_frab, schedule, "schedule.xml")


def test_a_talk_in_year_9999_builds(tmp_path: Path) -> None:
    """The calendar's time-zone rules ran to 1 January of the next year: 10000 (ValueError in the build)."""
    site = tmp_path / "site"
    (site / "content" / "events").mkdir(parents=True)
    (site / "content" / "talks").mkdir(parents=True)
    (site / "museumsite.yaml").write_bytes(CONFIG)
    (site / "content" / "events" / "e.md").write_text("---\ntitle: E\nstart: 9999-12-31\n---\n", encoding="utf-8")
    (site / "content" / "talks" / "t.md").write_text(
        "---\ntitle: T\nevent: e\nstart: 9999-12-31 10:00\nend: 9999-12-31 11:00\n---\n", encoding="utf-8")
    build(site, site / "_site", use_cache=False)
    assert (site / "_site" / "talks" / "t" / "index.html").is_file()


def test_a_talk_in_the_year_1_imports_and_builds() -> None:
    """Its time was written '1-01-01 00:00', which the build cannot read; now the day is unreadable."""
    schedule = _frab_conference("", "").replace(b"</schedule>", (
        b'<day index="1" date="0001-01-01"><room name="Hall"><event guid="g1" id="1">'
        b"<start>00:00</start><duration>00:30</duration><title>First</title>"
        b"</event></room></day></schedule>"))
    assert check_import(_frab, schedule, "schedule.xml")


def test_a_wordpress_post_without_name_or_title_gets_a_url_safe_file_name() -> None:
    """The fallback name used the post id as written: 'post-<script>alert(1)</script>.md'."""
    item = ("<item><title></title><wp:post_id>&lt;script&gt;alert(1)&lt;/script&gt;</wp:post_id>"
            "<wp:post_date_gmt>2009-10-20 07:00:00</wp:post_date_gmt><wp:status>publish</wp:status>"
            "<wp:post_type>post</wp:post_type></item>")
    assert check_import(_wordpress, _wxr(item))


def test_a_post_id_with_a_control_character_does_not_reach_the_title() -> None:
    """An untitled post was called 'Untitled (<post id>)', control characters included, refused by the build."""
    item = ("<item><title></title><wp:post_id>\x7f</wp:post_id><wp:post_date_gmt>2009-10-20 07:00:00</wp:post_date_gmt>"
            "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>")
    assert check_import(_wordpress, _wxr(item))


def test_two_posts_with_the_longest_slug_get_url_safe_file_names() -> None:
    """The second one got '-2' after a slug already at the longest a URL segment may be."""
    title = "a" * 300
    items = "".join(f"<item><title>{title}</title><wp:post_id>{n}</wp:post_id>"
                    f"<wp:post_date_gmt>2009-10-20 07:00:00</wp:post_date_gmt><wp:status>publish</wp:status>"
                    f"<wp:post_type>post</wp:post_type></item>" for n in (1, 2))
    assert check_import(_wordpress, _wxr(items))


# No stranger's e-mail address is written by an import or the inbox, nor published by the build

LETTERS = st.characters(whitelist_categories=("Ll", "Lu", "Lo"), max_codepoint=0x2FFFF)
ALNUM = st.one_of(LETTERS, st.sampled_from("0123456789"))
WORD = st.text(ALNUM, min_size=1, max_size=8)
PROSE = st.one_of(VALUE, st.text(st.one_of(LETTERS, st.sampled_from(" .,;:!?()'\"-\n")), max_size=40))


@st.composite
def addresses(draw: st.DrawFn) -> tuple[str, list[str]]:
    """An address with a Unicode or quoted local part and an ASCII or IDN domain; and what must not leak."""
    words = draw(st.lists(WORD, min_size=1, max_size=3))
    quoted = draw(st.integers(0, 4)) == 0
    local = f'"{" ".join(words)}"' if quoted else "".join(
        w + draw(st.sampled_from("._+-")) for w in words[:-1]) + words[-1]
    labels = draw(st.lists(st.text(st.one_of(ALNUM, st.sampled_from("abcxyz")), min_size=1, max_size=10),
                           min_size=1, max_size=2))
    domain = ".".join([*labels, draw(st.one_of(st.sampled_from(["org", "cat", "de", "fr"]),
                                               st.text(LETTERS, min_size=2, max_size=6)))])
    return f"{local}@{domain}", [f"{local}@{domain}", f"{local}@", f"@{domain}"]


def _entities(text: str, everything: bool) -> str:
    return "".join(f"&#{ord(c)};" if everything or c == "@" else c for c in text)


def in_html(draw: st.DrawFn, address: str) -> str:
    """``address`` as a WordPress or Disqus comment body may hold it."""
    local, _, domain = address.rpartition("@")
    return draw(st.sampled_from([
        address, _entities(address, False), _entities(address, True), f"{local}&#x40;{domain}",
        f'<a href="mailto:{address}">{address}</a>', f'<a href="mailto:{address}?subject=Hi">{draw(PROSE)}</a>',
        f"https://{address}/cv", f'<a href="https://example.net/?to={quote(address)}">link</a>',
        f"<b>{address}</b>", f"&lt;{address}&gt;", f"<em>{local}@</em>{domain}",
    ]))


def in_markdown(draw: st.DrawFn, address: str) -> str:
    """``address`` as a form's or an e-mail's Markdown text may hold it."""
    local, _, domain = address.rpartition("@")
    return draw(st.sampled_from([
        address, _entities(address, False), _entities(address, True), f"[{draw(WORD)}](mailto:{address})",
        f"[{address}](mailto:{address})", f"<{address}>", f"<mailto:{address}>", f"https://{address}/",
        f"**{address}**", f"`{address}`", f"{local}&#x40;{domain}", f"{local} [at] {domain.replace('.', ' [dot] ')}",
    ]))


def name_with(draw: st.DrawFn, address: str) -> str:
    return draw(st.sampled_from([address, f"{draw(WORD)} <{address}>", f"{address} ({draw(WORD)})"]))


@st.composite
def texts_with_addresses(draw: st.DrawFn, spell: Callable[[st.DrawFn, str], str]) -> tuple[str, str, list[str]]:
    """A body with 1-3 addresses in generated text, an author's name with one; and the secrets."""
    secrets: list[str] = []
    body = draw(PROSE)
    for _ in range(draw(st.integers(1, 3))):
        address, private = draw(addresses())
        secrets += private
        body += draw(st.sampled_from(["", " ", "\n\n"])) + spell(draw, address) + draw(st.sampled_from(["", " ", ". "]))
        body += draw(PROSE)
    address, private = draw(addresses())
    return body, name_with(draw, address), secrets + private


@st.composite
def wxr_with_addresses(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    secrets: list[str] = []
    comments = []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        body, name, private = draw(texts_with_addresses(in_html))
        secrets += private
        comments.append(f"<wp:comment><wp:comment_id>{number}</wp:comment_id><wp:comment_author>{x(name)}"
                        f"</wp:comment_author><wp:comment_date_gmt>2009-10-20 10:00:0{number}</wp:comment_date_gmt>"
                        f"<wp:comment_content>{x(body)}</wp:comment_content>"
                        f"<wp:comment_approved>1</wp:comment_approved></wp:comment>")
    item = ("<item><title>Quina jornada</title><dc:creator>marta</dc:creator><wp:post_id>1</wp:post_id>"
            "<wp:post_date_gmt>2009-10-20 07:00:00</wp:post_date_gmt><wp:post_name>quina-jornada</wp:post_name>"
            f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>{''.join(comments)}</item>")
    return _wxr(item), secrets


@st.composite
def disqus_with_addresses(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    secrets: list[str] = []
    posts = []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        body, name, private = draw(texts_with_addresses(in_html))
        secrets += private
        username = name if draw(st.booleans()) else "user"
        posts.append(f'<post dsq:id="{number}"><message>{x(body)}</message>'
                     f"<createdAt>2010-02-0{number}T10:00:00Z</createdAt><author><name>"
                     f"{x(name) if username == 'user' else ''}</name><isAnonymous>false</isAnonymous>"
                     f'<username>{x(username)}</username></author><thread dsq:id="10"/></post>')
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            f'xmlns:dsq="http://disqus.com/disqus-internals"><thread dsq:id="10">'
            f"<link>https://blog.example.cat/2009/10/quina-jornada/</link></thread>{''.join(posts)}</disqus>\n"
            ).encode(), secrets


def fresh_site(folder: str) -> Path:
    site = Path(folder) / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "museumsite.yaml").write_bytes(CONFIG)
    (site / "content" / "posts" / "quina-jornada.md").write_bytes(POST)
    return site


def assert_no_leak(site: Path, secrets: list[str]) -> None:
    """None of ``secrets`` readable in the site's content or, after a build, in its output."""
    from support import leaks

    found = leaks(site / "content", secrets)
    assert not found, f"written by the import: {found}"
    build(site, site / "_site", use_cache=False)
    found = leaks(site / "_site", secrets)
    assert not found, f"published: {found}"


def check_no_address(importer: Importer, data: bytes, secrets: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder, no_hang():
        site = fresh_site(folder)
        export = Path(folder) / "export.xml"
        export.write_bytes(data)
        importer(export, site)
        assert_no_leak(site, secrets)


@pytest.mark.slow
@given(wxr_with_addresses())
@fuzz(30)
def test_wordpress_comments_publish_no_address(case: tuple[bytes, list[str]]) -> None:
    check_no_address(_wordpress, *case)


@pytest.mark.slow
@given(disqus_with_addresses())
@fuzz(30)
def test_disqus_comments_publish_no_address(case: tuple[bytes, list[str]]) -> None:
    check_no_address(_disqus, *case)


@st.composite
def inbox_files(draw: st.DrawFn) -> tuple[str, bytes, list[str]]:
    """A form's JSON or an e-mail (replying above an Outlook-quoted or forwarded message)."""
    body, name, secrets = draw(texts_with_addresses(in_markdown))
    if draw(st.booleans()):
        form = {"entry": "posts/quina-jornada", "author": name, "body": body or "x"}
        return "comment.json", json.dumps(form, ensure_ascii=draw(st.booleans())).encode(), secrets
    from email.headerregistry import Address
    from email.message import EmailMessage

    sender, private = draw(addresses())
    third, more = draw(addresses())
    quoted = draw(st.sampled_from([
        (f"________________________________\nFrom: {name_with(draw, third)}\nSent: Monday\nTo: {third}\n"
        f"Subject: Hello\n\nWrite to {third}."),
        f"---------- Forwarded message ---------\nFrom: <{third}>\nDate: Mon\n\nWrite to {third}.",
        f"On Monday, {name_with(draw, third)} wrote:\n> Write to {third}.",
    ]))
    message = EmailMessage()
    display = " ".join(draw(st.lists(WORD, min_size=1, max_size=2))) if draw(st.booleans()) else sender
    message["From"] = Address(display_name=display, addr_spec="sender@example.net")
    message["Subject"] = "Re: Quina jornada"
    message["X-Museumsite-Entry"] = "posts/quina-jornada"
    message["Date"] = "Sun, 12 May 2024 21:05:00 +0530"
    message.set_content(f"{body or 'x'}\n\n{quoted}\n", cte="8bit")
    return "reply.eml", message.as_bytes(), secrets + private + more + ["sender@example.net", "+05:30", "+0530"]


@pytest.mark.slow
@given(inbox_files())
@fuzz(30)
def test_inbox_comments_publish_no_address(case: tuple[str, bytes, list[str]]) -> None:
    from museumsite.cli import main

    name, data, secrets = case
    with tempfile.TemporaryDirectory() as folder, no_hang():
        site = fresh_site(folder)
        path = Path(folder) / name
        path.write_bytes(data)
        if main(["comments", "add", str(path), "--site", str(site)]) != 0:
            assert not (site / "content" / "comments").exists(), "a refused comment was written"
            return
        assert main(["comments", "approve", "posts/quina-jornada#1", "--site", str(site)]) == 0
        assert_no_leak(site, secrets)
