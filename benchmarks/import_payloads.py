"""Payloads through every import entry point: how many were tried, how many leaked.

Each entry point is one field an importer reads (a WordPress post body, a Disqus author, a
pretalx biography...) or one field of ``museumsite comments add``. Every payload of
``../shared/corpora/xss/`` goes in, as it is and inside a ``<div>`` an importer strips, together
with Markdown payloads that only a second Markdown pass would make active (attribute lists,
``javascript:`` and reference links, remote images). The export is imported into a fresh site,
the site is built, and every page and feed is read by tests/support.py's ``active_content``:
a script that is not the theme's, an event handler, a ``javascript:``/``vbscript:``/``data:``
URL, a style with ``url(``, or a load from another host. Each such finding is a leak.

Run by benchmarks/security.py; ``python benchmarks/import_payloads.py [--quick]`` runs it alone.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path[:0] = [str(REPO / "tests")]

from test_sanitize import corpus_payloads

from museumsite.build import build
from museumsite.comments.moderate import add_comment
from museumsite.errors import MuseumError
from museumsite.importers.disqus import import_disqus
from museumsite.importers.schedules.files import import_schedule
from museumsite.importers.schedules.frab import read_frab
from museumsite.importers.schedules.pretalx import read_pretalx
from museumsite.importers.wordpress.importer import import_wordpress
from museumsite.yamlfile import CONTROL_CHARS

from support import active_content_in_tree

CONFIG = "title: T\nbase_url: https://example.org/\nlanguage: en\nlanguages: [en, fr]\ntimezone: Europe/Paris\n"
POST = "---\ntitle: Target\ndate: 2024-01-01\naliases: [/2009/10/target/]\n---\nText.\n"
MARKDOWN = [
    'Kept text\n{: tabindex="0" autofocus="" onfocus="alert(document.domain)" }',
    "[Read](javascript:alert(1))", "![](https://tracker.example/p.gif)",
    "[Read][r]\n\n[r]: javascript:alert(1)", "![pixel][i]\n\n[i]: https://tracker.example/i.gif",
    "[x](JaVaScRiPt&#58;alert(1)) [y](&#106;avascript:alert(2))",
    'para\n{: style="background:url(https://tracker.example/s.png)" }',
    '[link](https://ok.example/){: onclick="alert(1)" href="javascript:alert(1)" }',
    '## heading {: onmouseover="alert(1)" }', "![](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
]


def payloads(quick: bool) -> list[str]:
    corpus = SHARED / "corpora" / "xss"
    found: list[str] = []
    if corpus.is_dir():
        found = sorted({CONTROL_CHARS.sub("", p) for f in sorted(corpus.iterdir())
                        if f.suffix in {".txt", ".json", ".md", ".svg"} for p in corpus_payloads(f)} - {""})
    if quick:
        found = found[:150]
    found += MARKDOWN
    return found + [f"<div>{p}</div>" for p in found] + [f"<section>{p}</section>" for p in MARKDOWN]


def new_site(folder: Path) -> Path:
    (folder / "content" / "posts").mkdir(parents=True)
    (folder / "museumsite.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "content" / "posts" / "target.md").write_text(POST, encoding="utf-8")
    return folder


def _wxr(items: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>B</title><link>http://old.example</link>'
            "<wp:base_site_url>http://old.example</wp:base_site_url>" + items + "</channel></rss>\n")


def wordpress(field: str) -> Callable[[list[str]], str]:
    def make(values: list[str]) -> str:
        items = []
        for n, value in enumerate(values):
            body = escape(value) if field == "body" else "Body."
            title = escape(value) if field == "title" else f"Post {n}"
            comment = {"comment body": ("Hi", value), "comment author": (value, "Hi")}.get(field)
            comments = "" if comment is None else (
                f"<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>{escape(comment[0])}"
                f"</wp:comment_author><wp:comment_author_url>{escape(value)}</wp:comment_author_url>"
                f"<wp:comment_date_gmt>2010-01-02 10:00:00</wp:comment_date_gmt><wp:comment_content>"
                f"{escape(comment[1])}</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>")
            items.append(f"<item><title>{title}</title><content:encoded>{body}</content:encoded>"
                         f"<wp:post_id>{n + 1}</wp:post_id><wp:post_date_gmt>2010-01-01 10:00:00</wp:post_date_gmt>"
                         f"<wp:post_name>p{n}</wp:post_name><wp:status>publish</wp:status>"
                         f"<wp:post_type>post</wp:post_type>{comments}</item>")
        return _wxr("".join(items))
    return make


def disqus(field: str) -> Callable[[list[str]], str]:
    def make(values: list[str]) -> str:
        posts = "".join(
            f'<post dsq:id="{n + 1}"><message>{escape(value if field == "message" else "Hi")}</message>'
            f"<createdAt>2010-02-01T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>"
            f"<author><name>{escape(value if field == 'author' else 'Ann')}</name><isAnonymous>true</isAnonymous>"
            f'</author><thread dsq:id="10"/></post>' for n, value in enumerate(values))
        return ('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
                'xmlns:dsq="http://disqus.com/disqus-internals"><thread dsq:id="10">'
                "<link>https://example.org/posts/target/</link></thread>" + posts + "</disqus>\n")
    return make


def frab(field: str) -> Callable[[list[str]], str]:
    def make(values: list[str]) -> str:
        events = []
        for n, value in enumerate(values):
            text = {key: escape(value) if key == field else f"{key} {n}" for key in ("title", "abstract", "description")}
            person = escape(value) if field == "person" else "Ada"
            link = quoteattr(value) if field == "link" else '"https://ok.example/"'
            events.append(
                f'<event guid="00000000-0000-4000-8000-{n:012d}" id="{n + 1}">'
                f"<date>2025-01-20T09:00:00+01:00</date><start>09:00</start><duration>00:15</duration>"
                f"<room>R{n % 7}</room><title>{text['title']}</title><abstract>{text['abstract']}</abstract>"
                f'<description>{text["description"]}</description><persons><person id="{n}">{person}</person>'
                f"</persons><links><link href={link}>Video</link></links></event>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<schedule><version>1</version><conference><acronym>c'
                "</acronym><title>C</title><start>2025-01-20</start><end>2025-01-20</end><time_zone_name>"
                'Europe/Paris</time_zone_name></conference><day index="1" date="2025-01-20"><room name="R">'
                + "".join(events) + "</room></day></schedule>\n")
    return make


def pretalx(field: str) -> Callable[[list[str]], str]:
    def make(values: list[str]) -> str:
        talks = []
        for n, value in enumerate(values):
            own = {key: value if key == field else f"{key} {n}" for key in
                   ("title", "abstract", "description", "biography", "public_name")}
            talks.append({
                "id": n + 1, "guid": f"00000000-0000-4000-8000-{n:012d}", "date": "2025-05-17T20:00:00+02:00",
                "start": "20:00", "duration": "00:30", "room": "R", "title": own["title"], "type": "Talk",
                "abstract": own["abstract"], "description": own["description"],
                "persons": [{"id": n + 1, "code": f"C{n}", "public_name": own["public_name"],
                             "biography": own["biography"],
                             "avatar": value if field == "avatar" else None}],
                "links": [{"url": value if field == "link" else "https://ok.example/", "title": "Video"}],
                "attachments": []})
        return json.dumps({"schedule": {"version": "1", "base_url": "https://schedule.example.org/", "conference": {
            "acronym": "c", "title": "C", "start": "2025-05-17", "end": "2025-05-17", "time_zone_name": "Europe/Paris",
            "days": [{"index": 1, "date": "2025-05-17", "rooms": {"R": talks}}]}}})
    return make


def run_import(kind: str, export: Path, site: Path) -> None:
    if kind == "wordpress":
        import_wordpress(export, site)
    elif kind == "disqus":
        import_disqus(export, site)
    elif kind == "frab":
        import_schedule(read_frab(export, str(export), "Europe/Paris"), site.resolve())
    else:
        import_schedule(read_pretalx(export, str(export), "Europe/Paris"), site.resolve())


ENTRY_POINTS: dict[str, tuple[str, Callable[[list[str]], str]]] = {
    "WordPress post body": ("wordpress", wordpress("body")),
    "WordPress post title": ("wordpress", wordpress("title")),
    "WordPress comment body": ("wordpress", wordpress("comment body")),
    "WordPress comment author and URL": ("wordpress", wordpress("comment author")),
    "Disqus message": ("disqus", disqus("message")),
    "Disqus author": ("disqus", disqus("author")),
    "frab abstract": ("frab", frab("abstract")),
    "frab description": ("frab", frab("description")),
    "frab title": ("frab", frab("title")),
    "frab person": ("frab", frab("person")),
    "frab link": ("frab", frab("link")),
    "pretalx abstract": ("pretalx", pretalx("abstract")),
    "pretalx description": ("pretalx", pretalx("description")),
    "pretalx biography": ("pretalx", pretalx("biography")),
    "pretalx speaker name": ("pretalx", pretalx("public_name")),
    "pretalx avatar": ("pretalx", pretalx("avatar")),
    "pretalx link": ("pretalx", pretalx("link")),
}


# `comments add` reads the whole site for each comment: a sample of the payloads, all the Markdown ones.
INBOX_SAMPLE = 120


def inbox_values(values: list[str]) -> list[str]:
    return values[:INBOX_SAMPLE] + [p for p in values[INBOX_SAMPLE:] if any(m in p for m in MARKDOWN)]


def inbox(site: Path, values: list[str], field: str) -> None:
    for n, value in enumerate(values):
        form = {"entry": "posts/target", "author": "Ann", "body": "Hi", "date": "2024-01-02T10:00:00+00:00"}
        form[field] = value
        path = site.parent / f"form-{field}-{n}.json"
        path.write_text(json.dumps(form), encoding="utf-8")
        with contextlib.suppress(MuseumError):
            add_comment(site, path)
    archive = site / "content" / "comments" / "posts" / "target.yaml"
    if archive.is_file():  # publish every comment: pending ones are not shown
        archive.write_text(archive.read_text(encoding="utf-8").replace("status: pending", "status: approved"),
                           encoding="utf-8")


def import_payloads(folder: Path, quick: bool) -> None:
    values = payloads(quick)
    started = time.perf_counter()
    total_tried = total_leaks = 0
    print(f"Imports: {len(values)} payloads per entry point ({len(MARKDOWN)} of them Markdown-level)")
    cases: list[tuple[str, int, Callable[[Path], None]]] = []
    for name, (kind, make) in ENTRY_POINTS.items():
        def run(site: Path, kind: str = kind, make: Callable[[list[str]], str] = make) -> None:
            export = site.parent / ("export.json" if kind == "pretalx" else "export.xml")
            export.write_text(make(values), encoding="utf-8")
            run_import(kind, export, site)
        cases.append((name, len(values), run))
    sample = inbox_values(values)
    for field in ("body", "author", "author_url"):
        cases.append((f"comments add (form JSON) {field}", len(sample),
                      lambda site, field=field: inbox(site, sample, field)))
    for number, (name, tried, run) in enumerate(cases):
        site = new_site(folder / f"imports-{number}" / "site")
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                run(site)
                build(site, site / "_site", use_cache=False)
        except MuseumError as exc:
            print(f"  {name:40} refused: {str(exc).splitlines()[0][:100]}")
            continue
        found = active_content_in_tree(site / "_site", host="example.org")
        leaks = sum(len(hits) for hits in found.values())
        total_tried, total_leaks = total_tried + tried, total_leaks + leaks
        print(f"  {name:40} {tried:6} tried  leaks: {leaks}")
        for page, hits in list(found.items())[:3]:
            print(f"    leak: {page}: {hits[:2]}")
    print(f"Imports: {total_tried} payloads tried through {len(cases)} entry points; leaks: {total_leaks} "
          f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="150 corpus payloads instead of the whole corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        import_payloads(Path(name), args.quick)
