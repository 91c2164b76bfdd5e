"""The bad-input catalogue: files in, the exact ``path:line: message`` lines out.

Each case is a small real site with one thing wrong. The build must fail with
exactly these problem lines (hints are checked separately), exit 1 from the CLI,
and leave a previous output folder untouched.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest

from museumsite.build import build
from museumsite.cli import main
from museumsite.errors import BuildError, ConfigError

from support import BASE_CONFIG, SMALL_SITE, MakeSite

TALK = """\
---
title: A talk
event: conf
speakers: [ada]
start: 2024-05-02 10:00
---
Body.
"""

CASES = {
    "broken YAML points at the unclosed bracket": (
        {"content/posts/broken.md": "---\ntitle: Broken\ndate: 2024-01-01\ntags: [a, b\n---\nBody\n"},
        [("content/posts/broken.md:4: invalid YAML: while parsing a flow sequence; "
          "did not find expected ',' or ']'")],
    ),
    "bad indentation": (
        {"content/posts/indent.md": "---\ntitle: X\n  date: 2024-01-01\n---\n"},
        ["content/posts/indent.md:3: invalid YAML: mapping values are not allowed in this context"],
    ),
    "front matter never closed": (
        {"content/posts/open.md": "---\ntitle: X\n"},
        ["content/posts/open.md:1: front matter starts with '---' but never ends"],
    ),
    "missing title": (
        {"content/posts/untitled.md": "---\ndate: 2024-01-01\n---\nBody\n"},
        ["content/posts/untitled.md:1: missing title"],
    ),
    "unparseable date": (
        {"content/posts/when.md": "---\ntitle: When\ndate: next tuesday\n---\n"},
        ["content/posts/when.md:3: cannot read date 'next tuesday' as a date"],
    ),
    "unknown speaker, on its own list line": (
        {"content/talks/t.md": TALK.replace("speakers: [ada]", "speakers:\n  - ada\n  - jdoe")},
        ["content/talks/t.md:6: unknown speaker 'jdoe'"],
    ),
    "unknown event": (
        {"content/talks/t.md": TALK.replace("event: conf", "event: conff")},
        ["content/talks/t.md:3: unknown event 'conff'"],
    ),
    "link to a missing page": (
        {"content/posts/links.md": "---\ntitle: L\ndate: 2024-01-01\n---\nIntro.\n\nSee [this](nope.md).\n"},
        ["content/posts/links.md:7: link to 'nope.md', which is not a page of this site"],
    ),
    "talk ends before it starts": (
        {"content/talks/t.md": TALK.replace("start: 2024-05-02 10:00", "start: 2024-05-02 10:00\nend: 09:00")},
        ["content/talks/t.md:6: end 2024-05-02 09:00 is before start 2024-05-02 10:00"],
    ),
    "slide link that is not a URL": (
        {"content/talks/t.md": TALK.replace("---\nBody", "slides:\n  - title: S\n    url: javascript:alert(1)\n---\nBody")},
        ["content/talks/t.md:7: 'slides' url 'javascript:alert(1)' must start with https://, http:// or /"],
    ),
    "two sources writing the same URL": (
        {"content/pages/talks.md": "---\ntitle: Talks\n---\nA page at /talks/.\n"},
        ["content/pages/talks.md:1: writes talks/index.html, which the page made by talks.html writes too"],
    ),
    "language suffix not configured": (
        {"content/posts/p.de.md": "---\ntitle: P\ndate: 2024-01-01\n---\n"},
        ["content/posts/p.de.md:1: language 'de' is not one of the site's languages"],
    ),
    "language not configured": (
        {"content/posts/p.md": "---\ntitle: P\ndate: 2024-01-01\nlang: de\n---\n"},
        ["content/posts/p.md:4: language 'de' is not one of the site's languages"],
    ),
}


def _messages(error: BuildError) -> list[str]:
    return [str(p).split("\n", 1)[0] for p in error.problems]


@pytest.mark.parametrize("files, expected", CASES.values(), ids=list(CASES))
def test_bad_input_is_reported_with_path_and_line(make_site: MakeSite, tmp_path: Path,
                                                   files: dict[str, str], expected: list[str]) -> None:
    site = make_site({**SMALL_SITE, **files})
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out")
    assert _messages(caught.value) == expected
    assert all(p.hint for p in caught.value.problems), "every problem says what to do"
    assert not (tmp_path / "out").exists()


def test_all_problems_of_a_build_are_reported_at_once_and_site_is_untouched(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(SMALL_SITE)
    assert main(["build", "--site", str(site), "--quiet"]) == 0
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / "_site").rglob("*") if p.is_file()}

    (site / "content/posts/broken.md").write_text("---\ntitle: [oops\n---\n", encoding="utf-8")
    (site / "content/talks/t.md").write_text(TALK.replace("[ada]", "[jdoe]"), encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert "content/posts/broken.md:2: invalid YAML" in err
    assert "content/talks/t.md:4: unknown speaker 'jdoe'" in err
    assert "2 problems" in err
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / "_site").rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in site.iterdir() if p.name.startswith("._site")], "no staging folder left behind"


def test_config_errors_are_all_reported_with_lines_and_suggestions(make_site: MakeSite,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # (BASE_CONFIG sets posts_per_page too: a duplicate key, which is an error of its own)
    config = BASE_CONFIG.replace("posts_per_page: 2", "description: D")
    site = make_site(SMALL_SITE, config=config + "titel: x\nposts_per_page: many\nfeeds:\n  limt: 3\n")
    with pytest.raises(ConfigError) as caught:
        build(site)
    assert _messages(caught.value) == [
        "museumsite.yaml:7: unknown setting 'titel'",
        "museumsite.yaml:8: 'posts_per_page' must be a whole number, not 'many'",
        "museumsite.yaml:10: unknown setting 'feeds.limt'",
    ]
    hints = [p.hint for p in caught.value.problems]
    assert hints[0] == "did you mean 'title'?" and hints[2] == "did you mean 'limit'?"
    assert main(["build", "--site", str(site)]) == 2


def test_missing_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--site", str(tmp_path)]) == 2
    assert "no museumsite.yaml" in capsys.readouterr().err


def test_strict_turns_warnings_into_errors(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SMALL_SITE, "content/posts/typo.md": "---\ntitle: T\ndate: 2024-01-01\ntagz: [x]\n---\n"})
    result = build(site, tmp_path / "out")
    assert [str(w).split("\n")[0] for w in result.warnings] == [
        "content/posts/typo.md:4: warning: unknown field 'tagz' in a post"]
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out2", strict=True)
    assert _messages(caught.value) == ["content/posts/typo.md:4: unknown field 'tagz' in a post"]


def test_template_errors_name_the_template_file_and_line(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SMALL_SITE, "themes/default/templates/talk.html":
                      '{% extends "default/talk.html" %}\n{% block facts %}\n{{ entry.no_such_field }}\n{% endblock %}\n'})
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out")
    [problem] = caught.value.problems
    assert problem.path.endswith(os.path.join("themes", "default", "templates", "talk.html"))
    assert problem.line == 3
    assert "no_such_field" in problem.message


# Issue 9: bad YAML and bad characters, each a `path:line` error (or a warning), never a traceback.

POST = "---\ntitle: P\ndate: 2024-01-01\n{extra}---\nBody.\n"

YAML_CASES = {
    "impossible date": (
        {"content/posts/x.md": "---\ntitle: P\ndate: 2025-02-30\n---\n"},
        ["content/posts/x.md:3: not a date: 2025-02-30 (day is out of range for month)"],
    ),
    "duplicate key names both lines": (
        {"content/posts/x.md": "---\ntitle: P\ndate: 2024-01-01\ntitle: Q\n---\n"},
        ["content/posts/x.md:4: duplicate key 'title' (first at line 2)"],
    ),
    "nested duplicate key": (
        {"content/posts/x.md": POST.format(extra="extra:\n  a: 1\n  b: 2\n  a: 3\n")},
        ["content/posts/x.md:7: duplicate key 'a' (first at line 5)"],
    ),
    "null title at its own line": (
        {"content/posts/x.md": "---\ndate: 2024-01-01\n\ntitle: null\n---\n"},
        ["content/posts/x.md:4: title is empty"],
    ),
    "control character written as an escape": (
        {"content/posts/x.md": '---\ntitle: "bell\\a"\ndate: 2024-01-01\n---\n'},
        ["content/posts/x.md:2: the control character U+0007 in a value"],
    ),
    "NUL byte in the body": (
        {"content/posts/x.md": POST.format(extra="") + "one\n\ntwo \x00 three\n"},
        ["content/posts/x.md:8: a NUL character at column 5 is not allowed"],
    ),
    "front matter too large": (
        {"content/posts/x.md": POST.format(extra="summary: " + "x" * (1 << 20) + "\n")},
        ["content/posts/x.md:2: more than 1024 KiB of YAML"],
    ),
    "a list as a top-level key": (
        {"content/posts/x.md": POST.format(extra="? [a, b]\n: c\n")},
        ["content/posts/x.md:4: a key must be a name, not a list or mapping"],
    ),
}


@pytest.mark.parametrize("files, expected", YAML_CASES.values(), ids=list(YAML_CASES))
def test_bad_yaml_is_reported_with_path_and_line(make_site: MakeSite, tmp_path: Path,
                                                  files: dict[str, str], expected: list[str]) -> None:
    test_bad_input_is_reported_with_path_and_line(make_site, tmp_path, files, expected)


def test_invalid_utf8_is_reported_by_line_and_column(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    (site / "content/posts/latin1.md").write_bytes(b"---\ntitle: T\ndate: 2024-01-01\n---\nok\ncaf\xe9 au lait\n")
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out")
    assert _messages(caught.value) == [
        "content/posts/latin1.md:6: not valid UTF-8 text (invalid continuation byte, byte 0xe9 at column 4)"]


def test_control_characters_are_stripped_with_a_warning_naming_line_and_column(
        make_site: MakeSite, tmp_path: Path) -> None:
    # Form feeds come with text pasted from PDFs, ESC with terminal output: invisible,
    # and fatal to XML feeds. Removing them loses nothing a reader could see.
    site = make_site({**SMALL_SITE, "content/posts/ctl.md":
                      "---\ntitle: Ctl\ndate: 2030-01-01\n---\nPasted \x0cfrom a PDF \x1b[1mbold\x1b[0m.\n"})
    result = build(site, tmp_path / "out")
    assert [str(w).split("\n")[0] for w in result.warnings] == [
        "content/posts/ctl.md:5: warning: removed 3 control characters (the first, U+000C, at column 8)"]
    html = (tmp_path / "out/posts/ctl/index.html").read_text(encoding="utf-8")
    assert "Pasted from a PDF [1mbold[0m." in html
    atom = (tmp_path / "out/feeds/atom.xml").read_bytes()
    assert b"\x0c" not in atom and b"\x1b" not in atom


def test_crlf_bom_and_empty_files(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    (site / "content/posts/win.md").write_bytes(
        "\ufeff---\r\ntitle: Windows\r\ndate: 2024-01-01\r\ntagz: x\r\n---\r\nBody\r\n".encode())
    (site / "content/pages/empty.md").write_bytes(b"")
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out")
    assert [str(p).split("\n")[0] for p in caught.value.warnings] == [
        "content/posts/win.md:4: warning: unknown field 'tagz' in a post"]
    assert _messages(caught.value) == ["content/pages/empty.md:1: missing title"]
    config = (site / "museumsite.yaml").read_text(encoding="utf-8")
    (site / "museumsite.yaml").write_bytes(b"\xef\xbb\xbf" + config.replace("\n", "\r\n").encode() + b"bad: 1\r\n")
    with pytest.raises(ConfigError) as config_error:
        build(site, tmp_path / "out")
    assert _messages(config_error.value) == ["museumsite.yaml:7: unknown setting 'bad'"]


def _laughs(levels: int) -> str:
    """The 'billion laughs': each level is ten aliases of the one before."""
    rows = ["  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    rows += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "extra:\n" + "\n".join(rows) + f"\ntitle: *l{levels - 1}\n"


HOSTILE = {
    # name: (YAML, line of the error counted from the YAML's first line, what the error says);
    # line 0 is the start of the document (the size is refused before parsing).
    "billion laughs as the title": (_laughs(9), 6, "YAML aliases expand to more than 100,000"),
    "alias bomb kept in extra": (_laughs(9).replace("\ntitle: *l8", "\ntitle: fine"), 6, "aliases expand"),
    "30,000 nested [": ("title: " + "[" * 30_000 + "]" * 30_000 + "\n", 1, "nested more than 50 levels"),
    "900 nested [": ("title: " + "[" * 900 + "]" * 900 + "\n", 1, "nested more than 50 levels"),
    "5,000 nested {": ("title: " + "{" * 5000 + "}" * 5000 + "\n", 1, "nested more than 50 levels"),
    "deep block nesting": ("title:\n" + "".join("  " * i + "-\n" for i in range(900)) + "  " * 900 + "- x\n",
                           51, "nested more than 50 levels"),
    "2 MiB of YAML": ("title: " + "lol " * (1 << 19) + "\n", 0, "more than 1024 KiB of YAML"),
    "recursive alias": ("title: &a [*a]\n", 1, "refers to a value that contains it"),
}


def _run_cli(site: Path) -> subprocess.CompletedProcess[str]:
    """A subprocess, so that a crash in libyaml cannot take pytest down with it."""
    return subprocess.run([sys.executable, "-m", "museumsite", "build", "--site", str(site), "--quiet"],
                          check=False, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("hostile, line, says", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_front_matter_is_refused_clearly(make_site: MakeSite, hostile: str, line: int,
                                                 says: str) -> None:
    site = make_site({**SMALL_SITE, "content/posts/hostile.md": f"---\ndate: 2024-01-01\n{hostile}---\nBody.\n"})
    done = _run_cli(site)
    assert done.returncode == 1, done.stderr[-2000:]
    assert done.stderr.startswith(f"content/posts/hostile.md:{line + 2}: ")
    assert says in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr) < 1000


@pytest.mark.parametrize("hostile, line, says", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_config_is_refused_clearly(make_site: MakeSite, hostile: str, line: int, says: str) -> None:
    config = "base_url: https://example.org/\n" + hostile
    if "title:" not in hostile:
        config += "title: T\n"
    done = _run_cli(make_site(SMALL_SITE, config=config))
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith(f"museumsite.yaml:{line + 1}: ")
    assert says in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr) < 1000


def test_every_config_problem_is_reported_in_one_run(make_site: MakeSite) -> None:
    config = BASE_CONFIG.replace("language: en", "language: xx").replace("posts_per_page: 2", "description: D")
    site = make_site(SMALL_SITE, config=config + "titel: x\nposts_per_page: many\ndate: 2025-02-31\n")
    with pytest.raises(ConfigError) as caught:
        build(site)
    assert _messages(caught.value) == ["museumsite.yaml:9: not a date: 2025-02-31 (day is out of range for month)"]
    (site / "museumsite.yaml").write_text(config + "titel: x\nposts_per_page: many\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        build(site)
    assert _messages(caught.value) == [
        "museumsite.yaml:3: unknown language code 'xx'",
        "museumsite.yaml:7: unknown setting 'titel'",
        "museumsite.yaml:8: 'posts_per_page' must be a whole number, not 'many'",
    ]


def test_duplicate_config_key_names_both_lines(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE, config=BASE_CONFIG + "feeds:\n  limit: 3\n  limit: 4\n")
    with pytest.raises(ConfigError) as caught:
        build(site)
    assert _messages(caught.value) == ["museumsite.yaml:9: duplicate key 'limit' (first at line 8)"]


def test_unknown_fields_are_always_shown_with_their_hint(make_site: MakeSite,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({**SMALL_SITE, "content/posts/typo.md": "---\ntitle: T\ndate: 2024-01-01\ntagz: [x]\n---\n"})
    assert main(["build", "--site", str(site)]) == 0
    err = capsys.readouterr().err
    assert "content/posts/typo.md:4: warning: unknown field 'tagz' in a post\n  hint: did you mean 'tags'?" in err


def test_warnings_are_printed_before_the_errors_of_a_failed_build(make_site: MakeSite,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({**SMALL_SITE,
                      "content/posts/typo.md": "---\ntitle: T\ndate: 2024-01-01\ntagz: [x]\n---\n",
                      "content/posts/bad.md": "---\ntitle: B\ndate: soon\n---\n"})
    assert main(["build", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    warning = err.find("content/posts/typo.md:4: warning: unknown field 'tagz'")
    error = err.find("content/posts/bad.md:3: cannot read date 'soon'")
    assert 0 <= warning < error
    assert "did you mean 'tags'?" in err
    assert "Build failed: 1 problem" in err


def test_tags_as_written(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SMALL_SITE,
                      "content/posts/commas.md": "---\ntitle: C\ndate: 2024-01-01\ntags: alpha, beta gamma\n---\n",
                      "content/posts/version.md": "---\ntitle: V\ndate: 2024-01-02\ntags: [1.10, 2.0, yes]\n---\n",
                      "content/posts/number.md": "---\ntitle: 1.10\ndate: 2024-01-03\ntags: 1.10\n---\n"})
    build(site, tmp_path / "out")
    tags = {p.parent.name for p in (tmp_path / "out/tags").glob("*/index.html")}
    assert {"alpha", "beta-gamma", "1-10", "2-0", "yes"} <= tags
    assert not {"alpha-beta-gamma", "1-1", "true"} & tags
    page = (tmp_path / "out/posts/number/index.html").read_text(encoding="utf-8")
    assert "<title>1.10" in page


def test_a_reader_that_stops_reading_is_not_a_traceback(make_site: MakeSite) -> None:
    """``museumsite build | head -1``: the reader goes away before the last line is printed."""
    site = make_site(SMALL_SITE)
    process = subprocess.Popen([sys.executable, "-m", "museumsite", "build", "--site", str(site)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # nobody reads what it prints
    errors = process.stderr.read().decode()
    process.wait(timeout=120)
    assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors
    assert (site / "_site/index.html").is_file()  # the build itself was done


def test_the_comments_of_a_draft_wait_for_it_instead_of_failing_the_build(make_site: MakeSite) -> None:
    """A WordPress draft or password-protected post comes with its comments: the site builds without
    them, and they are published with the post (``--drafts`` shows both)."""
    archive = ("comments:\n  - id: 1\n    parent: null\n    author: Marta\n    date: 2024-05-11 10:00:00+02:00\n"
               "    lang: en\n    body: Waiting for the post.\n")
    site = make_site({**SMALL_SITE,
                      "content/posts/later.md": "---\ntitle: Later\ndate: 2024-05-10\ndraft: true\n---\nNot yet.\n",
                      "content/comments/posts/later.yaml": archive})
    build(site)
    assert not (site / "_site/posts/later").exists()
    build(site, site / "preview", drafts=True)
    page = html5lib.parse((site / "preview/posts/later/index.html").read_bytes(), namespaceHTMLElements=False)
    assert "Waiting for the post." in "".join(page.itertext())
    (site / "content/comments/posts/typo.yaml").write_text(archive, encoding="utf-8")
    with pytest.raises(BuildError) as caught:  # an archive for no entry at all is still a mistake
        build(site)
    assert [p.path for p in caught.value.problems] == ["content/comments/posts/typo.yaml"]


def test_an_output_path_through_a_file_is_a_usage_error_not_a_traceback(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(SMALL_SITE)
    (site.parent / "notes.txt").write_text("a file, not a folder")
    assert main(["build", "--site", str(site), "--output", str(site.parent / "notes.txt/out")]) == 2
    err = capsys.readouterr().err
    assert "notes.txt is a file, not a folder" in err and "--output" in err and "Traceback" not in err


def test_a_failed_write_names_the_file_and_the_cause_without_a_traceback(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(SMALL_SITE)
    too_long = site.parent / ("o" * 300)  # longer than any file system allows a name: the system refuses it
    assert main(["build", "--site", str(site), "--output", str(too_long)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {os.strerror(errno.ENAMETOOLONG)}: ") and "o" * 300 in err
    assert "check that path" in err
    assert "Traceback" not in err and sorted(p.name for p in site.parent.iterdir()) == ["site"]
