"""The bad-input catalogue: files in, the exact ``path:line: message`` lines out.

Each case is a small real site with one thing wrong. The build must fail with
exactly these problem lines (hints are checked separately), exit 1 from the CLI,
and leave a previous output folder untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from museumsite.build import build
from museumsite.cli import main
from museumsite.errors import BuildError, ConfigError

from conftest import BASE_CONFIG, SMALL_SITE, MakeSite

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
    site = make_site(SMALL_SITE, config=BASE_CONFIG + "titel: x\nposts_per_page: many\nfeeds:\n  limt: 3\n")
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
