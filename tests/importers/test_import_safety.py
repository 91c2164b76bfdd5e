"""Imported text stays untrusted to the end: whatever an importer wrote builds into no active content.

Importers sanitize what they read, then write ``.md`` files that the build converts with
Python-Markdown (``attr_list`` included) and, for a site, with extensions of its own. Markdown
syntax that survived sanitizing as text (a wrapper tag stripped, its text kept) would become live
markup in that second pass. These tests put payloads of each class (attribute lists, ``javascript:``
and entity-encoded links, reference links, remote and ``data:`` images, raw HTML) inside different
wrapper tags in every HTML-capable field of every importer, build, and read every page and feed as
a browser and a feed reader would.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from xml.sax.saxutils import escape

from museumsite.build import build
from museumsite.cli import main
from museumsite.content.load import split_front_matter
from museumsite.incremental.markdown import _crc

from support import MakeSite, active_content_in_tree, parse_html, text_of

# Markdown-level payloads; "{n}" is the number of the case, for the visible text around it.
PAYLOADS = [
    'Kept{n} text\n{{: tabindex="0" autofocus="" onfocus="alert(document.domain)" }}',
    "Kept{n} [Read](javascript:alert(1))",
    "Kept{n} ![](https://tracker.example/p.gif)",
    "Kept{n} [Read][r{n}]\n\n[r{n}]: javascript:alert(1)",
    "Kept{n} ![pixel][i{n}]\n\n[i{n}]: https://tracker.example/i.gif",
    "Kept{n} [x](JaVaScRiPt&#58;alert(1)) [y](&#106;avascript:alert(2)) [z](vbscript:msgbox)",
    'Kept{n} para\n{{: style="background:url(https://tracker.example/s.png)" }}',
    'Kept{n} [link](https://ok.example/){{: onclick="alert(1)" href="javascript:alert(1)" }}',
    '## Kept{n} heading {{: onmouseover="alert(1)" }}',
    "Kept{n} ![](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    'Kept{n} &lt;img src=x onerror=alert(1)&gt; and <img src="https://tracker.example/raw.gif">',
    'Kept{n} [a](https://ok.example/ "t"){{: style="x:expression(alert(1))" }}',
    "Kept{n}\n\n> quote\n{{: onclick=alert(1) }}",
]
WRAPPERS = ["div", "section", "article", "span", "font", "center", "details", "aside", ""]


def wrapped(index: int, shift: int = 0) -> str:
    """Payload ``index`` inside one of the wrapper tags (a different one per shift)."""
    payload = PAYLOADS[index % len(PAYLOADS)].format(n=index)
    tag = WRAPPERS[(index + shift) % len(WRAPPERS)]
    return f"<{tag}>{payload}</{tag}>" if tag else payload


def cases() -> list[int]:
    return list(range(2 * len(PAYLOADS)))


def assert_inert_and_published(site: Path, markers: list[str]) -> None:
    output = site / "_site"
    found = active_content_in_tree(output, host="example.org")
    assert found == {}, json.dumps(found, indent=1)[:3000]
    shown = "".join(text_of(parse_html(p.read_bytes())) for p in output.rglob("*.html"))
    missing = [m for m in markers if m not in shown]
    assert not missing, f"the text around a payload was lost: {missing}"


def frab_schedule() -> str:
    events = []
    for n in cases():
        field = "abstract" if n % 2 == 0 else "description"
        text = escape(wrapped(n)) if n % 3 else f"<![CDATA[{wrapped(n)}]]>"
        events.append(
            f'<event guid="00000000-0000-4000-8000-{n:012d}" id="{n + 1}">'
            f"<date>2025-01-20T{9 + n // 4:02d}:{(n % 4) * 15:02d}:00+01:00</date>"
            f"<start>{9 + n // 4:02d}:{(n % 4) * 15:02d}</start><duration>00:15</duration>"
            f"<room>Hall</room><title>Talk {n}</title><language>en</language><type>Talk</type>"
            f"<{field}>{text}</{field}><persons><person id=\"1\">Ada Host</person></persons></event>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<schedule><version>1</version><conference>'
            f"<acronym>safe</acronym><title>Safe Day</title><start>2025-01-20</start><end>2025-01-20</end>"
            f"<time_zone_name>Europe/Paris</time_zone_name></conference>"
            f'<day index="1" date="2025-01-20"><room name="Hall">{"".join(events)}</room></day></schedule>\n')


def pretalx_schedule() -> str:
    talks = []
    for n in cases():
        talks.append({
            "id": n + 1, "guid": f"00000000-0000-4000-8000-{n:012d}",
            "date": f"2025-05-17T{9 + n // 4:02d}:{(n % 4) * 15:02d}:00+02:00", "start": "09:00",
            "duration": "00:15", "room": "Hall", "title": f"Talk {n}", "type": "Talk", "language": "en",
            "abstract": wrapped(n) if n % 2 == 0 else "", "description": wrapped(n, 4) if n % 2 else None,
            "persons": [{"id": 100 + n, "code": f"P{n}", "public_name": f"Person {n}",
                         "biography": wrapped(n + 1, 2).replace(f"Kept{n + 1}", f"Bio{n}")}],
            "links": [], "attachments": []})
    document = {"schedule": {"version": "1", "base_url": "https://schedule.example.org/", "conference": {
        "acronym": "safe", "title": "Safe Night", "start": "2025-05-17", "end": "2025-05-17",
        "time_zone_name": "Europe/Paris",
        "days": [{"index": 1, "date": "2025-05-17", "rooms": {"Hall": talks}}]}}}
    return json.dumps(document, ensure_ascii=False)


def wordpress_export() -> str:
    items = []
    for n in cases():
        kind = "page" if n % 5 == 4 else "post"
        body = f"<p>Intro{n}</p>\n{wrapped(n)}" if n % 2 else wrapped(n)
        items.append(
            f"<item><title>Post {n}</title><link>http://blog.example.cat/?p={n + 1}</link>"
            f"<dc:creator>marta</dc:creator><content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<wp:post_id>{n + 1}</wp:post_id><wp:post_date>2010-01-{n % 28 + 1:02d} 10:00:00</wp:post_date>"
            f"<wp:post_date_gmt>2010-01-{n % 28 + 1:02d} 09:00:00</wp:post_date_gmt>"
            f"<wp:post_name>post-{n}</wp:post_name><wp:status>publish</wp:status>"
            f"<wp:post_type>{kind}</wp:post_type></item>\n")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
            "<channel><title>Blog</title><link>http://blog.example.cat</link>\n"
            "<wp:base_site_url>http://blog.example.cat</wp:base_site_url>\n"
            "<wp:author><wp:author_login>marta</wp:author_login><wp:author_display_name>Marta"
            "</wp:author_display_name></wp:author>\n" + "".join(items) + "</channel></rss>\n")


def imported(site: Path, kind: str, text: str, name: str) -> Path:
    export = site.parent / name
    export.write_text(text, encoding="utf-8")
    assert main(["import", kind, str(export), "--site", str(site)]) == 0
    return export


def test_a_frab_abstract_or_description_never_becomes_active_content(make_site: MakeSite) -> None:
    site = make_site()
    imported(site, "frab", frab_schedule(), "schedule.xml")
    build(site, site / "_site", use_cache=False)
    assert_inert_and_published(site, [f"Kept{n}" for n in cases()])


def test_a_pretalx_abstract_or_biography_never_becomes_active_content(make_site: MakeSite) -> None:
    site = make_site()
    imported(site, "pretalx", pretalx_schedule(), "schedule.json")
    build(site, site / "_site", use_cache=False)
    assert_inert_and_published(site, [f"Kept{n}" for n in cases()] + [f"Bio{n}" for n in cases()])


def test_a_wordpress_body_never_becomes_active_content_in_pages_or_feeds(make_site: MakeSite) -> None:
    site = make_site()
    imported(site, "wordpress", wordpress_export(), "blog.xml")
    build(site, site / "_site", use_cache=False)
    assert_inert_and_published(site, [f"Kept{n}" for n in cases()])
    feeds = [p for p in (site / "_site").rglob("*") if p.suffix in (".xml", ".json") and "feed" in p.as_posix()]
    assert len(feeds) >= 3, "the Atom, RSS and JSON feeds were read"


def test_every_importer_marks_what_it_wrote(make_site: MakeSite) -> None:
    site = make_site()
    imported(site, "frab", frab_schedule(), "schedule.xml")
    imported(site, "wordpress", wordpress_export(), "blog.xml")
    marks = {}
    for path in sorted((site / "content").rglob("*.md")):
        front, _, _, _ = split_front_matter(path.read_text(encoding="utf-8"))
        marks[path.relative_to(site).as_posix()] = "imported:" in (front or "")
    assert marks and all(marks.values()), [p for p, marked in marks.items() if not marked]


def test_an_imported_file_built_with_a_sites_own_extensions_stays_inert(make_site: MakeSite) -> None:
    """What reaches the page is sanitized after conversion: any Markdown configuration is covered."""
    body = ('Kept0 text\n{: onfocus="alert(1)" autofocus="" }\n\n'
            '<div markdown="1">[x](javascript:alert(2))</div>\n\n<img src=x onerror=alert(3)>\n\n'
            '<a href="javascript:alert(4)">Kept1</a> <iframe src="https://evil.example/"></iframe>\n\n'
            "| a |\n|:-:|\n| Kept2 |\n")
    site = make_site({
        "content/posts/p.md": f"---\ntitle: P\ndate: 2024-01-01\nimported: wordpress\n---\n{body}",
        "content/posts/own.md": f"---\ntitle: Own\ndate: 2024-01-02\n---\n{body}",
    })
    build(site, site / "_site", use_cache=False)
    found = active_content_in_tree(site / "_site")
    assert [page for page in found if "posts/p/" in page] == []
    # The site's own post is the author's page: its raw HTML is published as written.
    assert any("posts/own/" in page for page in found)
    page = parse_html((site / "_site" / "posts" / "p" / "index.html").read_bytes())
    assert all(word in text_of(page) for word in ("Kept0", "Kept1", "Kept2"))


def test_a_crafted_cache_entry_for_an_imported_entry_is_sanitized(make_site: MakeSite) -> None:
    """A cache row rewritten with a valid checksum cannot publish script for an imported entry."""
    site = make_site({"content/posts/p.md": "---\ntitle: P\ndate: 2024-01-01\nimported: wordpress\n---\nKept0 body.\n"})
    build(site, site / "_site")
    caches = list((site / ".museumsite-cache").rglob("*.sqlite*")) or list((site / ".museumsite-cache").rglob("*.db"))
    database = next(p for p in caches if p.suffix in (".sqlite", ".db", ".sqlite3"))
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT key, value FROM entries").fetchall()
        assert rows
        for key, value in rows:
            data = json.loads(value)
            for field in ("body", "summary"):
                data[field] = data[field].replace("Kept0", 'Kept0<img src=x onerror="alert(1)"><script>alert(2)</script>')
            text = json.dumps(data, sort_keys=True, ensure_ascii=False)
            db.execute("UPDATE entries SET crc = ?, value = ? WHERE key = ?", (_crc(key, text), text, key))
    (site / "content/posts/p.md").write_text("---\ntitle: P2\ndate: 2024-01-01\nimported: wordpress\n---\nKept0 body.\n",
                                             encoding="utf-8")
    build(site, site / "_site")
    page = parse_html((site / "_site" / "posts" / "p" / "index.html").read_bytes())
    assert "P2" in text_of(page), "the second build rendered the page again"
    assert active_content_in_tree(site / "_site") == {}
