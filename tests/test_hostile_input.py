"""Hostile input through the real entry points: malformed exports, e-mails, form and schedule JSON.

Each input goes through the command line (``museumsite import ...``, ``comments add``,
``build``) into a real site; the tests read what was printed and written. Speed is
measured in benchmarks/security.py, never here: these tests check what happens.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from museumsite.importers.wordpress.wxr import read_wxr
from museumsite.importers.xmlread import parse_xml, text_of

from support import MakeSite, run, snapshot
from support.pages import parse_html
from support.pages import text_of as page_text

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


# Item 3, the rest of an import: a post body's shortcodes, players, comments and <pre> -----


@pytest.mark.parametrize(("body", "kept", "gone"), [
    # unclosed openings (each once scanned to the end of the body) keep the closed ones working
    ("<!-- a --> one <!-- b --> two " + "<!-- x " * 300, ["one", "two"], [" a ", " b "]),
    ("<iframe src='https://www.youtube.com/embed/abc'></iframe> " + "<iframe> " * 300, ["watch?v=abc"], ["<iframe"]),
    ("<pre>a\n\nb</pre>\n\n" + "<pre> " * 300, ["a\n\nb"], []),
    ("[caption]cap[/caption] " + "[gallery ids='9'] " * 300 + "[video src='https://v.example/a.mp4']",
     ["cap", "https://v.example/a.mp4"], ["[gallery", "[caption"]),
    ("[embed]https://vimeo.com/1[/EMBED] [Embed]https://vimeo.com/2[/embed]", ["vimeo.com/1", "vimeo.com/2"], ["[embed"]),
])
def test_many_unclosed_openings_leave_the_closed_ones_converted(body: str, kept: list[str], gone: list[str],
                                                                tmp_path: Path) -> None:
    from museumsite.importers.wordpress.importer import convert_post
    from museumsite.importers.wordpress.wphtml import Notes

    markdown_body = convert_post(body, {}, "http://wp.example", None, Notes())
    for text in kept:
        assert text in markdown_body, (text, markdown_body[:300])
    for text in gone:
        assert text not in markdown_body, (text, markdown_body[:300])


@pytest.mark.parametrize("nesting", ["<ul><li>", "<b><i>", "<blockquote>", pytest.param("<div><p>", marks=pytest.mark.slow)])
def test_a_post_nested_thousands_deep_is_imported_as_html_without_a_traceback(
        nesting: str, make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(config=CONFIG)
    export = tmp_path / "export.xml"
    export.write_text(wxr(("Deep", "<![CDATA[" + nesting * 3000 + "x]]>", "deep")), encoding="utf-8")
    code, _, err = run(capsys, "import", "wordpress", export, "--site", site)
    assert code == 0 and "Traceback" not in err, err
    assert "x" in (site / "content/posts/deep.md").read_text(encoding="utf-8")
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 0 and "Traceback" not in err, err


# Item 10: numbers and nesting in schedules, ids, front matter --------------------------

PRETALX = (Path(__file__).resolve().parent / "fixtures" / "schedule" / "same-person.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ('"version": "1"', '"version": ' + "9" * 5000, 4, "a number of more than 100 digits"),
    ('"id": 26', '"id": ' + "2" * 4301, 40, "a number of more than 100 digits"),
    ('"answers": []', '"answers": ' + "[" * 100_000 + "]" * 100_000, 45, "nested too deeply"),
    ('"answers": []', '"answers": ' + "[" * 70 + "]" * 70, 45, "nested too deeply"),
])
def test_a_hostile_pretalx_file_is_an_error_at_its_line(old: str, new: str, line: int, message: str,
                                                        make_site: MakeSite, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(config=CONFIG)
    before = snapshot(site)
    schedule = tmp_path / "schedule.json"
    assert old in PRETALX
    schedule.write_text(PRETALX.replace(old, new, 1), encoding="utf-8")
    code, _, err = run(capsys, "import", "pretalx", schedule, "--site", site)
    assert code == 1 and f"{schedule}:{line}: not valid JSON: {message}" in err and "Traceback" not in err, err
    assert snapshot(site) == before


def test_a_text_too_deep_does_not_change_the_next_text_converted(make_site: MakeSite,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The converter is reused from one document to the next: the one refused must leave nothing behind
    (it left the block parser's state, and the next post's paragraphs lost their <p>, in the cache too)."""
    from support import SMALL_SITE

    deep = "---\ntitle: Deep\ndate: 2024-01-05\n---\n" + "1. " * 200 + "x\n"
    plain = {f"content/posts/{name}-plain.md": f"---\ntitle: {name}\ndate: 2024-01-0{day}\n---\nHello.\n\nWorld.\n"
             for name, day in (("a", 9), ("b", 1), ("x", 2), ("y", 8))}  # before and after it, by name and by date
    site = make_site({**SMALL_SITE, "content/posts/m-deep.md": deep, **plain})
    assert run(capsys, "build", "--site", site)[0] == 1
    (site / "content/posts/m-deep.md").unlink()
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 0, err
    for name in ("a", "b", "x", "y"):
        document = parse_html((site / f"_site/posts/{name}-plain/index.html").read_bytes())
        paragraphs = ["".join(p.itertext()).strip() for p in document.iter("p")]
        assert "Hello." in paragraphs and "World." in paragraphs, (name, paragraphs)


LOOSE = "- a\\n\\n" + "".join("    " * level + "- b\\n\\n" for level in range(1, 600))  # nested by a loop, not recursion


@pytest.mark.parametrize("deep", ["1. " * 3000, "- " * 3000, "> " * 3000, "- > " * 3000, LOOSE],
                         ids=["ordered", "bullets", "quotes", "both", "loose-indented"])
def test_an_abstract_nested_thousands_deep_is_imported_and_built_without_a_traceback(
        deep: str, make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Kept as Markdown, it would be imported and then refused by every build; it becomes escaped text."""
    site = make_site(config=CONFIG)
    schedule = tmp_path / "schedule.json"
    old = '"abstract": "What happens after closing time."'
    schedule.write_text(PRETALX.replace(old, f'"abstract": "Before.\\n\\n{deep}Deep end"'), encoding="utf-8")
    code, _, err = run(capsys, "import", "pretalx", schedule, "--site", site)
    assert code == 0 and "Traceback" not in err, err
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 0 and "Traceback" not in err, err
    talk = next(p for p in (site / "_site").rglob("index.html") if "caring-for-paintings" in str(p))
    shown = page_text(parse_html(talk.read_bytes()))
    assert "Before." in shown and "Deep end" in shown
    assert deep.replace(" ", "").replace("\\n", "")[:300] in shown.replace(" ", "").replace("\n", "")


@pytest.mark.parametrize("duration", ["9" * 30 + ":00", "99999999999999:00", "²:30", "١:٣٠", "1:" + "0" * 5000])
def test_a_duration_out_of_bounds_is_left_out_not_a_traceback(duration: str, make_site: MakeSite, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(config=CONFIG)
    schedule = tmp_path / "schedule.json"
    schedule.write_text(PRETALX.replace('"duration": "00:30"', f'"duration": "{duration}"'), encoding="utf-8")
    code, _, err = run(capsys, "import", "pretalx", schedule, "--site", site)
    assert code == 0 and "Traceback" not in err, err
    assert run(capsys, "build", "--site", site)[0] == 0


@pytest.mark.parametrize("ident", ["9" * 5000, "²", "٣", "1" * 21])
def test_an_export_id_that_is_no_small_number_is_dropped_and_reported(
        ident: str, make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(config=CONFIG)
    comment = ("<wp:comment><wp:comment_id>{}</wp:comment_id><wp:comment_author>A</wp:comment_author>"
               "<wp:comment_date_gmt>2012-01-06 10:00:00</wp:comment_date_gmt><wp:comment_content>Hi {}"
               "</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>\n")
    export = tmp_path / "export.xml"
    export.write_text(wxr(("One", "<![CDATA[Body]]>", "one")).replace(
        "</item>", comment.format(ident, "x") + comment.format(2, "y") + "</item>"), encoding="utf-8")
    code, out, err = run(capsys, "import", "wordpress", export, "--site", site)
    assert code == 0 and "Traceback" not in err, err
    assert "non-numeric id" in out
    archive = (site / "content/comments/posts/one.yaml").read_text(encoding="utf-8")
    assert "Hi y" in archive and "Hi x" not in archive


@pytest.mark.parametrize(("field", "value"), [("guid", "9" * 5000), ("guid", "²"), ("person_id", "²"),
                                              ("person_id", "9" * 5000)])
def test_an_id_in_front_matter_that_is_no_small_number_builds(field: str, value: str, make_site: MakeSite,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    import xml.etree.ElementTree as ET

    from support import SMALL_SITE

    files = dict(SMALL_SITE)
    where = "content/talks/opening.md" if field == "guid" else "content/speakers/ada.md"
    files[where] = files[where].replace("---\n        ", f"---\n        {field}: '{value}'\n        ", 1)
    site = make_site(files)
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 0 and "Traceback" not in err, err
    for schedule in (site / "_site").rglob("schedule.xml"):
        ET.parse(schedule)


@pytest.mark.parametrize("deep", ["1. " * 3000 + "x", "- " * 3000 + "x", "* " * 3000 + "x",
                                  "- a\n\n" + "".join("    " * level + "- b\n\n" for level in range(1, 200))],
                         ids=["ordered", "dashes", "stars", "loose-indented-200"])
@pytest.mark.parametrize("where", ["post", "comment"])
def test_markdown_nested_thousands_deep_is_an_error_at_its_file(deep: str, where: str, make_site: MakeSite,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Refused by our own bound, whichever Python-Markdown converts it (3.11.4 stops nesting near the
    interpreter's limit, so its output depended on the call stack's depth)."""
    from support import SMALL_SITE

    files = {**SMALL_SITE, "content/posts/deep.md": f"---\ntitle: Deep\ndate: 2024-01-01\n---\nOk.\n\n{deep}\n"}
    if where == "comment":
        files["content/posts/deep.md"] = "---\ntitle: Deep\ndate: 2024-01-01\n---\nOk.\n"
        body = "\n".join("      " + line for line in deep.split("\n"))
        files["content/comments/posts/deep.yaml"] = ("comments:\n  - id: 1\n    author: A\n"
                                                     f"    date: 2024-05-11 10:00:00+02:00\n    body: |\n{body}\n")
    site = make_site(files)
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 1 and "Traceback" not in err, err
    expected = ("content/posts/deep.md:5: the text" if where == "post" else
                "content/comments/posts/deep.yaml:5: comment 1: the text")
    assert f"{expected} nests lists or quotes too deeply" in err, err


@pytest.mark.parametrize("source", ["wordpress", "disqus"])
def test_an_export_element_nested_thousands_deep_is_read_without_a_traceback(
        source: str, make_site: MakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(config=CONFIG)
    deep = "<b>" * 5000 + "Deep" + "</b>" * 5000
    export = tmp_path / "export.xml"
    if source == "wordpress":
        export.write_text(wxr(("Title", "<![CDATA[Body]]>", "one")).replace("<title>Title</title>",
                                                                             f"<title>{deep}</title>"), encoding="utf-8")
    else:
        export.write_text('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
                          'xmlns:dsq="http://disqus.com/disqus-internals">\n<thread dsq:id="1"><link>'
                          f'https://example.org/{deep}</link><title>T</title></thread>\n</disqus>\n', encoding="utf-8")
    code, _, err = run(capsys, "import", source, export, "--site", site)
    assert code == 0 and "Traceback" not in err, err
    if source == "wordpress":
        assert "title: Deep" in (site / "content/posts/one.md").read_text(encoding="utf-8")
