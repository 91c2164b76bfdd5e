"""A schedule's links never vanish: every link a frab or pretalx talk carries reaches its page.

Real imports through the command line, a real build, the talk page parsed with html5lib:
each URL of the export is a link of the page (slides, the recording, or the "Links"
list, named by its kind in the page's language), imported ones without our credit
(``rel="nofollow ugc noopener"``), and the import report says what went where.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from museumsite.content.load import split_front_matter

from support import BASE_CONFIG, FIXTURES, MakeSite, local_name, parse_html, run, walk

SCHEDULES = FIXTURES / "schedule"
NO_CREDIT = {"nofollow", "ugc"}  # rel of an imported entry's links to other sites (render.api.links.imported_rel)

FRAB_URLS = {
    "https://videos.example.net/watch/keeping-every-link",  # titled "Video", on a host the media rules do not know
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://project.example.org/",
    "https://papers.example.org/keeping.html",
    "https://schedule.example.org/system/attachments/3/keeping.pdf",
    "https://cdn.example.net/keeping-every-link.webm",
    "https://schedule.example.org/linkday/talk/3/",  # the frab <url>: the schedule's own page of the talk
    "https://pretalx.example.org/linkday/talk/ABC123/",
    "https://pretalx.example.org/linkday/talk/ABC123/feedback/",
}
PRETALX_URLS = {
    "https://stream.example.net/v/links-from-pretalx",
    "https://pretalx.example.org/linkday/talk/DEF456/feedback/",
    "https://blog.example.org/links/",
    "https://example.net/elsewhere",
    "https://example.net/deck.pdf",
    "https://pretalx.example.org/linkday/talk/DEF456/",  # pretalx's url of the talk
}


def page(site: Path, path: str) -> Any:
    return parse_html((site / "_site" / path / "index.html").read_bytes())


def links_section(document: Any) -> list[tuple[str, str, set[str]]]:
    """(href, text of its list item, rel) of each link in the talk's "Links" section."""
    section = next(e for e in walk(document) if isinstance(e.tag, str) and local_name(e.tag) == "section"
                   and e.get("aria-labelledby") == "links-title")
    found = []
    for item in (e for e in walk(section) if local_name(e.tag) == "li"):
        a = next(e for e in walk(item) if local_name(e.tag) == "a")
        found.append((a.get("href"), " ".join("".join(item.itertext()).split()), set(a.get("rel", "").split())))
    return found


def hrefs(document: Any) -> set[str]:
    return {e.get("href") for e in walk(document) if isinstance(e.tag, str) and local_name(e.tag) == "a"}


def front(path: Path) -> dict[str, Any]:
    import yaml

    text = split_front_matter(path.read_text(encoding="utf-8"))[0]
    return dict(yaml.safe_load(text or "") or {})


def import_and_build(site: Path, capsys: pytest.CaptureFixture[str], command: str, export: str) -> str:
    """The import's report, once the site is built with it."""
    code, out, err = run(capsys, "import", command, SCHEDULES / export, "--site", site)
    assert code == 0, err
    code, _, err = run(capsys, "build", "--site", site, "--quiet")
    assert code == 0, err
    return out


def test_every_link_of_a_frab_talk_is_on_its_page(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    report = import_and_build(site, capsys, "frab", "links.xml")
    assert "talk links: 1 as slides, 1 as video, 7 under links (1 feedback, 1 origin, 1 paper, 1 schedule, " \
           "2 video, 1 without a kind)" in report
    assert "extra" not in front(site / "content/talks/keeping-every-link.md")
    document = page(site, "talks/keeping-every-link")
    assert FRAB_URLS <= hrefs(document)
    listed = links_section(document)
    assert all(rel == NO_CREDIT for _, _, rel in listed)  # an imported talk's outside links
    named = {href: text for href, text, _ in listed}
    assert named["https://videos.example.net/watch/keeping-every-link"] == "Video (Recording)"
    assert named["https://cdn.example.net/keeping-every-link.webm"] == "Recording"
    assert named["https://schedule.example.org/linkday/talk/3/"] == "Page in the schedule"
    assert named["https://pretalx.example.org/linkday/talk/ABC123/"] == "Page in the original schedule"
    assert named["https://pretalx.example.org/linkday/talk/ABC123/feedback/"] == "Feedback"
    assert named["https://papers.example.org/keeping.html"] == "The paper (Paper)"
    assert named["https://project.example.org/"] == "Project homepage"


def test_every_link_of_a_pretalx_talk_is_on_its_page(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    report = import_and_build(site, capsys, "pretalx", "links.json")
    assert "talk links: 1 as slides, 0 as video, 5 under links (1 blog, 1 feedback, 1 schedule, 1 video, " \
           "1 without a kind)" in report
    document = page(site, "talks/links-from-pretalx")
    assert PRETALX_URLS <= hrefs(document)
    named = {href: text for href, text, _ in links_section(document)}
    assert named["https://stream.example.net/v/links-from-pretalx"] == "Video (Recording)"
    assert named["https://pretalx.example.org/linkday/talk/DEF456/"] == "Page in the schedule"
    assert named["https://example.net/elsewhere"] == "https://example.net/elsewhere"  # plainly linked


def test_a_translation_names_the_kinds_in_its_language(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    assert run(capsys, "import", "frab", SCHEDULES / "links.xml", "--site", site)[0] == 0
    (site / "content/talks/keeping-every-link.fr.md").write_text("---\ntitle: Garder chaque lien\n---\n",
                                                                 encoding="utf-8")
    code, _, err = run(capsys, "build", "--site", site, "--quiet")
    assert code == 0, err
    named = {href: text for href, text, _ in links_section(page(site, "fr/talks/keeping-every-link"))}
    assert named["https://pretalx.example.org/linkday/talk/ABC123/feedback/"] == "Votre avis"
    assert named["https://schedule.example.org/linkday/talk/3/"] == "Page au programme"


TALK = """\
---
title: A talk
event: conf
speakers: []
links:
  - {title: Notes, url: /notes/}
  - {url: "https://example.org/feedback", kind: feedback}
  - {title: Old, url: "ftp://example.org/x", kind: paper}
  - {title: Odd, url: "https://example.org/odd", kind: podcast}
---
Text.
"""
EVENT = "---\ntitle: Conf\nstart: 2024-05-02\n---\n"


def test_a_link_that_is_not_http_or_a_site_path_is_an_error_at_its_line(
        make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({"content/talks/a-talk.md": TALK, "content/events/conf.md": EVENT,
                      "content/pages/notes.md": "---\ntitle: Notes\n---\nNotes.\n"})
    code, _, err = run(capsys, "build", "--site", site)
    assert code == 1
    assert "content/talks/a-talk.md:8: 'links' url 'ftp://example.org/x' must start with https://, http:// or /" in err
    assert "content/talks/a-talk.md:9: warning: 'links': unknown kind 'podcast'" in err
    assert "Traceback" not in err


def test_hand_written_links_are_ours_and_take_their_kind(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    talk = TALK.replace('  - {title: Old, url: "ftp://example.org/x", kind: paper}\n', "").replace("podcast", "web")
    site = make_site({"content/talks/a-talk.md": talk, "content/events/conf.md": EVENT,
                      "content/pages/notes.md": "---\ntitle: Notes\n---\nNotes.\n"})
    code, _, err = run(capsys, "build", "--site", site, "--quiet")
    assert code == 0, err
    listed = links_section(page(site, "talks/a-talk"))
    assert listed == [("/notes/", "Notes", set()), ("https://example.org/feedback", "Feedback", set()),
                      ("https://example.org/odd", "Odd (Website)", set())]


def test_links_an_older_import_kept_under_extra_are_shown(make_site: MakeSite,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    older = textwrap.dedent("""\
        ---
        title: A talk
        event: conf
        speakers: []
        video: https://www.youtube.com/watch?v=dQw4w9WgXcQ
        guid: 55555555-5555-4555-8555-555555555555
        imported: frab
        extra:
          links:
          - title: Project homepage
            url: https://project.example.org/
          - title: Video
            url: https://cdn.example.net/talk.webm
        ---
        Text.
        """)
    site = make_site({"content/talks/a-talk.md": older, "content/events/conf.md": EVENT})
    code, _, err = run(capsys, "build", "--site", site, "--quiet")
    assert code == 0, err
    assert links_section(page(site, "talks/a-talk")) == [
        ("https://project.example.org/", "Project homepage", NO_CREDIT),
        ("https://cdn.example.net/talk.webm", "Video", NO_CREDIT)]


def test_a_talk_without_links_has_no_links_section(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({"content/talks/a-talk.md": "---\ntitle: A talk\nevent: conf\nspeakers: []\n---\nText.\n",
                      "content/events/conf.md": EVENT}, config=BASE_CONFIG)
    assert run(capsys, "build", "--site", site, "--quiet")[0] == 0
    document = page(site, "talks/a-talk")
    assert not any(e.get("aria-labelledby") == "links-title" for e in walk(document) if isinstance(e.tag, str))
