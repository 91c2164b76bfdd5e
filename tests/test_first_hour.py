"""The first hour of a newcomer (issue 20): messages worth reading and the small stumbles, on real sites.

Each test is one item a new user met: a traceback or a repr where a sentence belongs,
"1 errors", a site not found from a subfolder, a slug read in the wrong language...
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest
from icalendar import Calendar

from museumsite.build import build

from support import BASE_CONFIG, IMPORT_FIXTURES, SMALL_SITE, UPLOADS, WORDPRESS_CONFIG, WXR, MakeSite, run

ONE_LANGUAGE = "title: T\nbase_url: https://example.org/\nlanguage: en\ntimezone: UTC\n"
# "1 errors", "(1 warnings)", "1 entries", "1 threads matched", "image(s)": a count and a noun that disagree.
WRONG_NUMBER = re.compile(r"(?<![\d.,])1 (\w+s)\b(?! (?:and|or) )|\w\(s\)")
SINGULAR_S = {"news", "class", "status", "process", "address"}


def wrong_numbers(text: str) -> list[str]:
    return [m.group(0) for m in WRONG_NUMBER.finditer(text) if (m.group(1) or "") not in SINGULAR_S]


def _page(path: Path):  # type: ignore[no-untyped-def]
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)


# item 6: tracebacks and reprs

@pytest.mark.parametrize("port", ["99999", "-5", "http"])
def test_a_wrong_port_is_a_usage_error_before_any_build(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                                        port: str) -> None:
    root = make_site(SMALL_SITE)
    code, _, err = run(capsys, "serve", "--site", root, f"--port={port}")
    assert code == 2 and "is not a port number: give one from 1 to 65535" in err and "Traceback" not in err
    assert not (root / ".museumsite-cache").exists(), "the port is checked before the site is built"


def test_sigterm_stops_serve_cleanly(make_site: MakeSite) -> None:
    root = make_site(SMALL_SITE)
    process = subprocess.Popen([sys.executable, "-m", "museumsite", "serve", "--site", str(root), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        port = int(line.rsplit(":", 1)[1].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/")
        assert connection.getresponse().status == 200
        connection.close()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert err.strip().splitlines()[-1] == "Stopped." and "Traceback" not in err


def test_a_translation_mismatch_shows_dates_as_written(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/posts/p.md": "---\ntitle: P\ndate: 2026-03-15\ntags: [a, b]\n---\nText.\n",
                      "content/posts/p.fr.md": "---\ntitle: P\ndate: 2026-03-16\ntags: [c]\n---\nTexte.\n"})
    code, _, err = run(capsys, "build", "--site", root)
    assert code == 0
    assert "'date' is 2026-03-16 here but 2026-03-15 in the original content/posts/p.md:3" in err
    assert "'tags' is ['c'] here but ['a', 'b']" in err
    assert "datetime" not in err


# item 7: words

def test_counts_agree_with_their_nouns_across_commands(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/posts/x.md": "---\ntitle: X\ndate: 2024-05-01\nwhatever: 1\n---\n"
                                            "Intro.\n\n<!--more-->\n\n[broken](/missing/)\n"},
                     config=ONE_LANGUAGE + "languages: [en, fr]\n")
    code, out, err = run(capsys, "build", "--site", root)
    assert code == 0 and "(1 warning)" in out, out
    code, out, err = run(capsys, "check", "--site", root)
    assert code == 1 and re.search(r": 1 error, 0 warnings\.", out), out
    assert "fr: 1 entry without a translation" in out
    code, out, _ = run(capsys, "build", "--site", root, "-v")
    assert "Nothing changed since the last build" in out and "0 pages and feeds made" not in out, out
    assert wrong_numbers(out + err) == []


def test_import_counts_agree_and_an_unchanged_upload_is_not_copied_again(make_site: MakeSite,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({}, config=WORDPRESS_CONFIG)
    code, first, err = run(capsys, "import", "wordpress", WXR, "--site", site, "--uploads", UPLOADS)
    assert code == 0 and "1 upload copied" in first and wrong_numbers(first) == [], first + err
    code, again, _ = run(capsys, "import", "wordpress", WXR, "--site", site, "--uploads", UPLOADS)
    assert code == 0 and "copied" not in again.split("\n")[1], again
    code, out, _ = run(capsys, "import", "disqus", IMPORT_FIXTURES / "comments.disqus.xml", "--site", site)
    assert code == 0 and "threads matched" in out and wrong_numbers(out) == [], out


COMMANDS = [["build"], ["check"], ["check", "--translations"], ["new", "post", "X"], ["clean"], ["comments", "list"],
            ["serve", "--port", "0"], ["import", "wordpress", "x.xml"], ["import", "frab", "x.xml"],
            ["import", "pretalx", "x.json"]]


def test_no_site_here_is_said_one_way_by_every_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    said = set()
    for command in COMMANDS:
        code, _, err = run(capsys, *command)
        assert code == 2, (command, err)
        said.add(err.splitlines()[0])
        assert "Build failed" not in err or command == ["build"], (command, err)
    assert said == {f"museumsite.yaml: no museumsite.yaml in {tmp_path.resolve()} or any folder above it"}, said


def test_check_and_import_end_in_their_own_words(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    root = make_site({"content/posts/a.md": "---\ntitle: A\n---\nNo date.\n"})
    code, _, err = run(capsys, "check", "--site", root)
    assert code == 1 and err.splitlines()[-1] == "Check stopped: the site does not build (1 problem).", err
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    code, _, err = run(capsys, "import", "pretalx", broken, "--site", root)
    assert code == 1 and err.splitlines()[-1] == "Import failed: 1 problem; nothing was written.", err


def test_the_wrong_schedule_importer_says_which_one_to_use(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    root = make_site({})
    xml, json_file = tmp_path / "schedule.xml", tmp_path / "schedule.json"
    xml.write_text('<?xml version="1.0"?>\n<schedule><conference><title>C</title></conference></schedule>\n',
                   encoding="utf-8")
    json_file.write_text('{"schedule": {"conference": {"title": "C"}}}\n', encoding="utf-8")
    code, _, err = run(capsys, "import", "pretalx", xml, "--site", root)
    assert code == 1 and "an XML file, not a schedule JSON" in err and f"museumsite import frab {xml}" in err
    assert "damaged" not in err
    code, _, err = run(capsys, "import", "frab", json_file, "--site", root)
    assert code == 1 and "a JSON file, not a frab schedule XML" in err and "museumsite import pretalx" in err
    assert "download" not in err


# item 8: small ones

def test_commands_find_the_site_from_a_subfolder(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site(SMALL_SITE)
    monkeypatch.chdir(root / "content" / "posts")
    code, out, err = run(capsys, "build")
    assert code == 0, err
    assert (root / "_site" / "index.html").is_file() and not (root / "content/posts/_site").exists()
    assert run(capsys, "new", "post", "From below")[0] == 0
    assert (root / "content/posts/from-below.md").is_file()
    code, out, _ = run(capsys, "check", "--translations")
    assert code == 0 and "fr: " in out


def test_template_errors_name_the_site_file_and_suggest_a_name(make_site: MakeSite,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    default = Path(__file__).resolve().parent.parent / "museumsite/themes/default/templates/page.html"
    lines = default.read_text(encoding="utf-8").split("\n")
    line = next(n for n, text in enumerate(lines, 1) if "{{ entry.title }}" in text)
    lines[line - 1] = lines[line - 1].replace("{{ entry.title }}", "{{ titel }}")
    root = make_site({"content/pages/about.md": "---\ntitle: About\n---\nText.\n"}, config=ONE_LANGUAGE)
    (root / "themes/default/templates").mkdir(parents=True)
    (root / "themes/default/templates/page.html").write_text("\n".join(lines), encoding="utf-8")
    code, _, err = run(capsys, "build", "--site", root)
    assert code == 1
    assert err.startswith(f"themes/default/templates/page.html:{line}: template error: UndefinedError: 'titel' "), err
    assert "hint: did you mean 'title'?" in err and str(root) not in err


def test_new_keeps_a_title_in_another_script_and_refuses_an_empty_one(make_site: MakeSite,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({}, config=ONE_LANGUAGE)
    code, out, _ = run(capsys, "new", "post", "日本語のタイトル", "--site", root)
    assert code == 0 and "日本語のタイトル.md" in out
    path = root / "content/posts/日本語のタイトル.md"
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    build(root)
    assert (root / "_site/posts/日本語のタイトル/index.html").is_file()
    for empty in ("", "   "):
        code, _, err = run(capsys, "new", "post", empty, "--site", root)
        assert code == 2 and "needs a title" in err
    assert sorted(p.name for p in (root / "content/posts").iterdir()) == ["日本語のタイトル.md"]


def test_comments_list_prints_text_not_html(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({**SMALL_SITE, "content/comments/posts/hello.yaml": """
        comments:
          - id: 1
            author: Ana
            date: 2024-05-11 10:00:00+02:00
            format: html
            body: "<p>Fish &amp; <em>chips</em></p>\\n<p>second paragraph</p>"
        """})
    code, out, _ = run(capsys, "comments", "list", "--site", root)
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith("\tFish & chips second paragraph"), lines
    assert "<" not in out and "&amp;" not in out


def test_previous_and_next_talk_follow_the_events_room_order(make_site: MakeSite) -> None:
    root = make_site({
        "content/events/conf.md": "---\ntitle: Conf\nstart: 2024-05-02\nrooms: [Zeta hall, Alpha room]\n---\n",
        "content/speakers/ada.md": "---\nname: Ada\n---\n",
        "content/talks/in-zeta.md": "---\ntitle: In Zeta\nevent: conf\nspeakers: [ada]\nstart: '10:00'\n"
                                    "end: '10:30'\nroom: Zeta hall\n---\n",
        "content/talks/in-alpha.md": "---\ntitle: In Alpha\nevent: conf\nspeakers: [ada]\nstart: '10:00'\n"
                                     "end: '10:30'\nroom: Alpha room\n---\n",
    }, config=ONE_LANGUAGE)
    build(root)
    zeta = _page(root / "_site/talks/in-zeta/index.html")
    assert [a.get("href") for a in zeta.iter("a") if a.get("rel") == "next"] == ["/talks/in-alpha/"]
    alpha = _page(root / "_site/talks/in-alpha/index.html")
    assert [a.get("href") for a in alpha.iter("a") if a.get("rel") == "prev"] == ["/talks/in-zeta/"]


def test_the_calendar_description_is_in_the_body_language(make_site: MakeSite) -> None:
    root = make_site({
        "content/events/conf.md": "---\ntitle: Conf\nstart: 2024-05-02\n---\n",
        "content/speakers/ada.md": "---\nname: Ada\n---\n",
        "content/talks/vortrag.md": "---\ntitle: A talk\nevent: conf\nspeakers: [ada]\nstart: '10:00'\n"
                                    "body_lang: de\n---\nEin Vortrag über Museen.\n",
    }, config=ONE_LANGUAGE)
    build(root)
    calendar = Calendar.from_ical((root / "_site/talks/vortrag/calendar.ics").read_bytes())
    event = next(c for c in calendar.walk() if c.name == "VEVENT")
    assert event["DESCRIPTION"].params["LANGUAGE"] == "de"
    assert event["SUMMARY"].params["LANGUAGE"] == "en"


def test_no_page_links_to_a_package_page_that_does_not_exist(make_site: MakeSite) -> None:
    root = make_site(SMALL_SITE, config=BASE_CONFIG)
    build(root)
    for path in (root / "_site").rglob("*.html"):
        assert "pypi.org" not in path.read_text(encoding="utf-8"), path


def test_the_readme_lists_every_runtime_dependency_with_a_reason() -> None:
    import tomllib

    repo = Path(__file__).resolve().parent.parent
    declared = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.split(r"[\[<>=!~ ]", spec, maxsplit=1)[0].lower() for spec in declared}
    readme = (repo / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Why these dependencies\n", 1)[1].lstrip("\n")
    table = section.split("\n\n", 1)[0].splitlines()
    rows = [line.split("|")[1].strip() for line in table[2:]]  # after the header and its rule
    listed = {re.split(r"[\[ ]", row, maxsplit=1)[0].lower() for row in rows}
    assert names == listed, (names - listed, listed - names)



# items 4 and 5: one mistake, one error, at its line; and every problem in one run

@pytest.mark.parametrize(("broken", "line"), [("date 2026-03-15", 3), ("tags: [news, museums", 4)])
def test_one_yaml_mistake_is_one_error_at_its_line(make_site: MakeSite, capsys: pytest.CaptureFixture[str],
                                                   broken: str, line: int) -> None:
    front = ["title: Post", "date: 2026-03-15", "tags: [news]", "authors: [Ada]"]
    front[line - 2] = broken
    root = make_site({"content/posts/post.md": "---\n" + "\n".join(front) + "\n---\nText.\n",
                      "content/posts/post.fr.md": "---\ntitle: Article\n---\nTexte.\n"})
    code, _, err = run(capsys, "build", "--site", root)
    assert code == 1
    assert err.startswith(f"content/posts/post.md:{line}: invalid YAML: "), err
    assert "post.fr.md" not in err and "missing date" not in err
    assert err.splitlines()[-1] == "Build failed: 1 problem; nothing was written."


def test_every_problem_is_reported_in_one_run(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({
        "content/posts/unreadable.md": "---\ntitle: A\ndate: 2026-03-45\n---\nSee [this](gone.md).\n",
        "content/posts/undated.md": "---\ntitle: B\n---\nSee [that](also-gone.md).\n",
        "content/posts/fine.md": "---\ntitle: C\ndate: 2026-03-01\n---\nLinks [a](unreadable.md), [b](undated.md).\n",
        "content/comments/posts/unreadable.yaml": "comments:\n  - id: 1\n    author: Ana\n"
                                                  "    date: 2026-03-02 10:00:00+01:00\n    body: Hi\n",
        "content/events/conf.md": "---\ntitle: Conf\nstart: [2026\n---\n",
        "content/speakers/ada.md": "---\nname: Ada\n---\nSee [me](../pages/nothing.md).\n",
        "content/talks/opening.md": "---\ntitle: Opening\nevent: conf\nspeakers: [ada]\nstart: '09:30'\n---\n"
                                    "See [slides](../pages/slides.md).\n",
    }, config=ONE_LANGUAGE)
    code, _, err = run(capsys, "build", "--site", root)
    assert code == 1
    found = sorted(line.split(": ", 1)[0] for line in err.splitlines() if not line.startswith(("  ", "Build")))
    assert "warning" not in err, err
    assert found == ["content/events/conf.md:3", "content/posts/undated.md:1", "content/posts/undated.md:4",
                     "content/posts/unreadable.md:3", "content/posts/unreadable.md:5", "content/speakers/ada.md:4",
                     "content/talks/opening.md:7"], err
    assert "'gone.md'" in err and "'also-gone.md'" in err and "'../pages/slides.md'" in err
    assert "unknown event" not in err and "comments for" not in err


# items 1 and 2: the starter site passes check --strict; findings name their source, line and a hint

def test_the_starter_site_passes_check_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "x"
    assert run(capsys, "init", site)[0] == 0
    assert run(capsys, "build", "--site", site)[0] == 0
    code, out, err = run(capsys, "check", "--strict", "--site", site)
    assert code == 0, out + err
    assert ": 0 errors, 0 warnings." in out
    assert (site / "_site/slides/welcome.pdf").read_bytes().startswith(b"%PDF-")


def test_check_findings_name_source_line_and_hint(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({
        "content/events/conf.md": "---\ntitle: Conf\nstart: 2024-05-02\n---\n",
        "content/speakers/ada.md": "---\nname: Ada\n---\nBio.\n",
        "content/talks/welcome.md": "---\ntitle: Welcome\nevent: conf\nspeakers: [ada]\nslides:\n"
                                    "  - title: Slides\n    url: https://example.org/slides/welcome.pdf\n---\n"
                                    "Summary.\n\nSee [Ada's bio](../speakers/ada.md#bio).\n",
        "content/pages/about.md": "---\ntitle: About\nmenu: 1\n---\nText\n\n![a map](/images/map.png)\n",
    }, config=ONE_LANGUAGE)
    code, out, _ = run(capsys, "check", "--links", "--site", root)
    assert code == 1
    assert ("content/talks/welcome.md:7: error: link: https://example.org/slides/welcome.pdf: missing page or file: "
            "/slides/welcome.pdf is not in the output (on /talks/welcome/)\n  hint: https://example.org/slides/"
            "welcome.pdf is on this site's own address (base_url https://example.org/), so it must be in the output: "
            "put the file at content/static/slides/welcome.pdf") in out, out
    assert "content/talks/welcome.md:11: error: anchor: /speakers/ada/#bio: " in out
    assert "content/pages/about.md:7: error: image: /images/map.png: " in out
    code, out, _ = run(capsys, "check", "--links", "--site", root, "--format", "json")
    findings = {(f["source"], f["line"], f["kind"]): f for f in json.loads(out)["findings"]}
    assert set(findings) == {("content/talks/welcome.md", 7, "link"), ("content/talks/welcome.md", 11, "anchor"),
                             ("content/pages/about.md", 7, "image")}
    assert all(f["hint"] for f in findings.values())
    assert findings[("content/talks/welcome.md", 11, "anchor")]["page"] == "/talks/welcome/"


def test_a_site_without_posts_passes_check_strict(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_site({"content/pages/about.md": "---\ntitle: About\nmenu: 1\n---\nText.\n"}, config=ONE_LANGUAGE)
    code, out, _ = run(capsys, "check", "--strict", "--site", root)
    assert code == 0, out
    assert not (root / "_site").exists() or not (root / "_site/posts").exists()
