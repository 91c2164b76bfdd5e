"""Hostile input through the real entry points: malformed exports, e-mails, form and schedule JSON.

Each input goes through the command line (``museumsite import ...``, ``comments add``,
``build``) into a real site; the tests read what was printed and written. Speed is
measured in benchmarks/security.py, never here: these tests check what happens.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_import_wordpress import run, snapshot

from museumsite.importers.wxr import read_wxr
from museumsite.importers.xmlread import parse_xml, text_of

from conftest import MakeSite

CONFIG = """\
title: T
base_url: https://example.org/
language: en
languages: [en, fr]
timezone: Europe/Paris
"""
WXR_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><wp:base_site_url>http://wp.example</wp:base_site_url>
"""
ITEM = """<item><title>{title}</title>
<content:encoded>{body}</content:encoded>
<wp:post_name>{name}</wp:post_name><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<wp:post_date_gmt>2012-01-05 14:30:46</wp:post_date_gmt></item>
"""


def wxr(*items: tuple[str, str, str]) -> str:
    return WXR_HEAD + "".join(ITEM.format(title=t, body=b, name=n) for t, b, n in items) + "</channel></rss>\n"


# Item 3: the CDATA repair -------------------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [
    ("<![CDATA[A <![CDATA[ nested ]]> section]]>", "A <![CDATA[ nested ]]> section"),
    ("<![CDATA[]]>]]>", "]]>"),
    ("<![CDATA[<![CDATA[<![CDATA[x]]>]]>]]>", "<![CDATA[<![CDATA[x]]>]]>"),
    ("<![CDATA[<p>code: a[b[0]]> c</p>]]>", "<p>code: a[b[0]]> c</p>"),
    ("\n  <![CDATA[two\nlines <![CDATA[ in ]]> it]]>\n", "\n  two\nlines <![CDATA[ in ]]> it\n"),
])
def test_nested_cdata_is_repaired_whatever_its_shape(body: str, expected: str, tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    export.write_text(wxr(("One", body, "one"), ("Two", "<![CDATA[x <![CDATA[y]]> z]]>", "two"),
                          ("Three", "<![CDATA[plain]]>", "three")), encoding="utf-8")
    items = read_wxr(export, "export.xml").items
    assert [(i.post_name, i.content) for i in items] == [
        ("one", expected), ("two", "x <![CDATA[y]]> z"), ("three", "plain")]


def test_repair_with_attributes_and_prefixed_names_keeps_every_element() -> None:
    data = (b'<r xmlns:a="urn:a">\n<a:v k="1" j=\'2\'><![CDATA[one <![CDATA[1]]> ]]></a:v>\n'
            b"<a:v><![CDATA[two]]></a:v>\n<a:v>\n<![CDATA[three ]]> ]]>\n</a:v >\n<w/>\n</r>\n")
    lines: dict[object, int] = {}
    root = parse_xml(data, "x.xml", lines)  # type: ignore[arg-type]
    values = [text_of(v) for v in root.iter("{urn:a}v")]
    assert values == ["one <![CDATA[1]]> ", "two", "\nthree ]]> \n"]
    assert [v.get("k") for v in root.iter("{urn:a}v")] == ["1", None, None]


def test_the_repair_keeps_the_lines_of_the_file() -> None:
    """Messages name the lines of elements after a repaired one: the repair must not remove line breaks."""
    data = (b"<schedule>\n<version>1</version>\n<title>\n  <![CDATA[A <![CDATA[b]]> c]]>\n</title>\n"
            b"<conference>\n<acronym>x</acronym>\n</conference>\n</schedule>\n")
    lines: dict[object, int] = {}
    root = parse_xml(data, "schedule.xml", lines)  # type: ignore[arg-type]
    conference = root.find("conference")
    assert conference is not None and lines[conference] == 6
    assert lines[conference.find("acronym")] == 7  # type: ignore[index]


@pytest.mark.parametrize(("tail", "line", "hint"), [
    # the nested CDATA of line 5 is repaired; what is left is the file ending early, at its last line
    ("<item><title>Cut", 10, "the file ends too early"),
    # a damaged closing tag further down: that is the line named, not the repaired one
    ("<item><title><![CDATA[x]]></titl></item>\n</channel></rss>\n", 10, "not well-formed XML"),
])
def test_a_file_still_broken_after_the_repair_names_the_line_left(
        tail: str, line: int, hint: str, make_site: MakeSite, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(config=CONFIG)
    export = tmp_path / "export.xml"
    export.write_text(wxr(("One", "<![CDATA[A <![CDATA[ nested ]]> b]]>", "one")).replace("</channel></rss>\n", "")
                      + "\n" + tail, encoding="utf-8")
    before = snapshot(site)
    code, _, err = run(capsys, "import", "wordpress", export, "--site", site)
    assert code == 1 and f"{export}:{line}: malformed XML" in err and hint in err, err
    assert "Traceback" not in err and snapshot(site) == before


@pytest.mark.parametrize("hostile", [
    "<t><![CDATA[x\n" * 2000,  # openings that never close
    "<t><![CDATA[x]]></u>\n" * 2000,  # each closed by another element's tag
    "<t a='1'>\n<![CDATA[<![CDATA[ ]]></t>\n" * 2000 + "<t><![CDATA[",  # repaired, then cut
])
def test_a_hostile_export_is_refused_with_a_line_and_nothing_written(
        hostile: str, make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(config=CONFIG)
    before = snapshot(site)
    for source in ("wordpress", "disqus", "frab"):
        export = tmp_path / f"{source}.xml"
        export.write_text(WXR_HEAD + hostile, encoding="utf-8")
        code, _, err = run(capsys, "import", source, export, "--site", site)
        assert code == 1 and f"{export}:" in err and ": malformed XML" in err, err
        assert "Traceback" not in err and snapshot(site) == before
