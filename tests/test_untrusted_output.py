"""What reaches the terminal and the pages from untrusted names, links and titles.

Real sites built through the command line; pages parsed with html5lib, ``schedule.xml``
with ElementTree, printed output scanned for control characters.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest

from support import FORM, SMALL_SITE, MakeSite, run

UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x9b31m\r\u202e"


def run_text(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    """``museumsite ARGV``: exit code and everything it printed, which never holds a traceback."""
    code, out, err = run(capsys, *argv)
    assert "Traceback" not in out + err
    return code, out + err


def page(site: Path, url: str) -> ET.Element:
    tree: ET.Element = html5lib.parse((site / "_site" / url / "index.html").read_bytes(), treebuilder="etree",
                                      namespaceHTMLElements=False)
    return tree


# Terminal escapes -----------------------------------------------------------------------


def test_file_names_with_escape_sequences_are_printed_inert(make_site: MakeSite,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({**SMALL_SITE, f"content/posts/x{ESCAPES}.md": "---\ntitle: X\ndate: 2024-01-01\n---\nx\n",
                      f"content/posts/y{ESCAPES}.md": "---\ntitle: Y\n---\nno date\n"})
    code, printed = run_text(capsys, "build", "--site", site)
    assert code == 1 and not UNPRINTABLE.search(printed), ascii(printed)
    assert "content/posts/x\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m\\u000d\\u202e.md" in printed


def test_imported_links_and_titles_in_reports_are_printed_inert(make_site: MakeSite, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The Disqus report lists the links of threads it could not place; a frab title names its talk."""
    site = make_site(SMALL_SITE)
    export = tmp_path / "disqus.xml"
    export.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals">\n<thread dsq:id="1"><link>https://example.org/gone/'
        '&#x9b;2J&#x9b;0;31m&#x202e;&#x85;</link><title>T</title></thread>\n'
        '<post dsq:id="2"><message>hi</message><createdAt>2010-02-01T10:00:00Z</createdAt>'
        "<isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>A</name>"
        '<isAnonymous>true</isAnonymous></author><thread dsq:id="1"/></post>\n</disqus>\n', encoding="utf-8")
    code, printed = run_text(capsys, "import", "disqus", export, "--site", site, "--dry-run")
    assert code == 0 and "gone/" in printed and not UNPRINTABLE.search(printed), ascii(printed)
    code, printed = run_text(capsys, "check", "--site", site, "--format", "json", "--links")
    assert not UNPRINTABLE.search(printed)


def test_our_own_progress_line_still_moves_the_cursor_on_a_terminal(make_site: MakeSite) -> None:
    """Escaping is for what we print from outside: the progress line's own sequences are ours."""
    from museumsite import cli

    class Terminal:
        def __init__(self) -> None:
            self.text = ""

        def write(self, text: str) -> int:
            self.text += text
            return len(text)

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return True

    import sys

    terminal = Terminal()
    wrapped = cli._TerminalSafe.around(terminal)  # type: ignore[arg-type]
    print(f"x{ESCAPES}", file=wrapped)
    print("\r\033[K", end="", file=cli._unescaped(wrapped))
    assert terminal.text.endswith("\r\033[K") and "\x1b]0" not in terminal.text and sys.stdout is not wrapped


def test_nothing_printed_about_a_form_file_holds_a_control_character(make_site: MakeSite, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The form's unknown field names and the file's own name reach the terminal."""
    site = make_site(SMALL_SITE)
    name = "x\x1b]0;owned\x07\x1b[2J\x9b31m.json"
    code, err = add_comment(site, tmp_path / name, FORM.format(extra='  "\\u001b[5mblink": 1'), capsys)
    assert code == 0, err
    code, err = add_comment(site, tmp_path / name, "{", capsys)
    assert code == 1 and "\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m.json:" in err, err
    assert not UNPRINTABLE.search(err)


def add_comment(site: Path, source: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    source.write_text(text, encoding="utf-8")
    return run_text(capsys, "comments", "add", source, "--site", site)


# One URL, two spellings ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["alias", "static"])
def test_nfc_and_nfd_spellings_of_one_path_collide(kind: str, make_site: MakeSite,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    nfc, nfd = (unicodedata.normalize(form, "café") for form in ("NFC", "NFD"))
    assert nfc != nfd
    files = dict(SMALL_SITE)
    for index, name in enumerate((nfc, nfd)):
        if kind == "alias":
            files[f"content/posts/p{index}.md"] = f"---\ntitle: P{index}\ndate: 2024-01-0{index + 1}\n" \
                                                  f"aliases: [/old/{name}/]\n---\nBody.\n"
        else:
            files[f"content/static/{name}.txt"] = name
    site = make_site(files)
    code, printed = run_text(capsys, "build", "--site", site)
    assert code == 1 and "writes too (spelt differently, but one file on macOS or Windows" in printed, printed
    assert not (site / "_site").exists()


# A translation's own links ---------------------------------------------------------------


@pytest.mark.parametrize(("file", "field", "value", "line"), [
    ("content/speakers/ada.fr.md", "photo", "javascript:alert(1)", 3),
    ("content/speakers/ada.fr.md", "photo", " JaVaScRiPt:alert(1)", 3),
    ("content/speakers/ada.fr.md", "photo", "data:image/svg+xml,<svg onload=alert(1)>", 3),
    ("content/speakers/ada.fr.md", "links", [{"title": "x", "url": "vbscript:x"}], 4),
    ("content/talks/closing.fr.md", "video", "javascript:alert(1)", 3),
])
def test_a_script_url_in_a_translation_is_an_error_at_its_line(file: str, field: str, value: object, line: int,
                                                               make_site: MakeSite,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    front = {"name" if "speakers" in file else "title": "Traduction", field: value}
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\nTexte.\n"
    site = make_site({**SMALL_SITE, file: text})
    code, printed = run_text(capsys, "build", "--site", site)
    assert code == 1 and f"{file}:{line}: " in printed and "is not http, https or a path of this site" in printed \
        or f"{file}:{line}: '{field}'" in printed, printed
    assert not (site / "_site").exists()


# Links from an import ---------------------------------------------------------------------


def imported_site(make_site: MakeSite, marker: str) -> Path:
    files = dict(SMALL_SITE)
    files["content/talks/opening.md"] = files["content/talks/opening.md"].replace(
        "---\n        title:", f"---\n        {marker}title:", 1).replace(
        "url: https://example.org/slides.pdf", "url: https://slides.example.net/deck.pdf\n          - title: Local\n"
        "            url: /slides/local.pdf").replace("video: https://example.org/video", "video: https://v.example.net/1")
    files["content/speakers/ada.md"] = files["content/speakers/ada.md"].replace(
        "---\n        name:", f"---\n        {marker}photo: https://img.example.net/ada.jpg\n"
        "        links:\n          - title: Site\n            url: https://ada.example.net/\n        name:", 1)
    files["content/static/slides/local.pdf"] = "%PDF"
    return make_site(files)


def rels(tree: ET.Element, host: str) -> list[set[str]]:
    return [set((a.get("rel") or "").split()) for a in tree.iter("a") if host in (a.get("href") or "")]


@pytest.mark.parametrize("source", ["frab", "pretalx"])
def test_links_of_an_imported_entry_get_nofollow_ugc(source: str, make_site: MakeSite,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    site = imported_site(make_site, f"imported: {source}\n        ")
    code, printed = run_text(capsys, "build", "--site", site)
    assert code == 0, printed
    talk, speaker = page(site, "talks/opening"), page(site, "speakers/ada")
    for tree, host in ((talk, "slides.example.net"), (talk, "v.example.net"), (speaker, "img.example.net")):
        assert rels(tree, host) and all({"nofollow", "ugc"} <= rel for rel in rels(tree, host)), host
    assert rels(speaker, "ada.example.net") == [{"me", "nofollow", "ugc"}]
    assert all("nofollow" not in rel for rel in rels(talk, "/slides/local.pdf"))  # the site's own file


def test_links_written_by_hand_are_credited(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = imported_site(make_site, "")
    assert run_text(capsys, "build", "--site", site)[0] == 0
    talk, speaker = page(site, "talks/opening"), page(site, "speakers/ada")
    assert rels(talk, "slides.example.net") == [set()] and rels(speaker, "ada.example.net") == [{"me"}]


# Carriage returns in titles ---------------------------------------------------------------


def test_a_carriage_return_in_an_imported_title_reaches_no_attribute_or_xml(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schedule = (Path(__file__).resolve().parent / "fixtures/schedule/hostile.xml").read_text(encoding="utf-8")
    schedule = schedule.replace("<title>&lt;b&gt;x&lt;/b&gt;</title>", "<title>Line&#13;one&#13;&#10;two</title>")
    # A recording the page frames (an 11-character YouTube id), so the title reaches the player's data-title.
    schedule = schedule.replace("watch?v=abc123\"", "watch?v=abc123def45\"")
    source = tmp_path / "schedule.xml"
    source.write_text(schedule, encoding="utf-8")
    site = tmp_path / "site"
    assert run_text(capsys, "init", site)[0] == 0
    assert run_text(capsys, "import", "frab", source, "--site", site)[0] == 0
    written = [p for p in (site / "content/talks").glob("*.md") if "Line" in p.read_text(encoding="utf-8")]
    assert written and "\\r" not in written[0].read_text(encoding="utf-8")
    # The same title written by hand, as YAML escapes.
    written[0].write_text(re.sub(r"title: 'Line.*?two'", lambda _: 'title: "Line\\rone\\r\\ntwo"',
                                 written[0].read_text(encoding="utf-8"), count=1, flags=re.DOTALL), encoding="utf-8")
    assert "\\r" in written[0].read_text(encoding="utf-8")
    code, printed = run_text(capsys, "build", "--site", site)
    assert code == 0, printed
    for path in (site / "_site").rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".ics") and "Line" in path.read_text(encoding="utf-8"):
            text = path.read_text(encoding="utf-8")
            assert "\r" not in text and "&#13;" not in text and "&#xd;" not in text.lower(), path
    titles = [e.get("data-title") for p in (site / "_site/talks").rglob("index.html")
              for e in html5lib.parse(p.read_bytes(), treebuilder="etree", namespaceHTMLElements=False).iter()
              if e.get("data-title") and "Line" in e.get("data-title", "")]
    assert titles == ["Line\none\ntwo"]
    xml_titles = [t.text for p in (site / "_site").rglob("schedule.xml") for t in ET.parse(p).iter("title")
                  if "Line" in (t.text or "")]
    assert xml_titles == ["Line\none\ntwo"]
