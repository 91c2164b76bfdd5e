"""The commands, theme overrides and the writer's safety rules, on real folders."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest

from museumsite import __version__
from museumsite.build import build
from museumsite.cli import main
from museumsite.errors import BuildError, UsageError

from support import SMALL_SITE, MakeSite


def _page(path: Path):  # type: ignore[no-untyped-def]
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)


# commands

def test_version_and_help_on_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"museumsite {__version__}"
    for command in (["--help"], ["build", "--help"], ["init", "--help"], ["new", "--help"]):
        assert main(command) == 0
        assert "usage: museumsite" in capsys.readouterr().out


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "museumsite", "--version"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0 and done.stdout.startswith("museumsite ")


def test_init_makes_a_site_that_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "mysite"
    assert main(["init", str(site)]) == 0
    assert main(["build", "--site", str(site)]) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    match = re.match(r"Built (\d+) pages and (\d+) feeds in ", summary)
    assert match, summary
    written = list((site / "_site").rglob("*"))
    assert int(match.group(1)) == len([p for p in written if p.suffix == ".html"])
    feeds = [p for p in written if (p.suffix == ".xml" and p.name not in ("sitemap.xml", "schedule.xml"))
             or p.name.endswith("feed.json")]
    assert int(match.group(2)) == len(feeds) >= 2
    kinds = {p.parent.name for p in (site / "content").glob("*/*.md")}
    assert kinds == {"events", "talks", "speakers", "posts", "pages"}
    talk = _page(site / "_site/talks/welcome/index.html")
    assert [a.get("href") for a in talk.iter("a") if "/speakers/ada" in (a.get("href") or "")] == ["/speakers/ada-host/"]
    assert main(["init", str(site)]) == 2, "init refuses a non-empty folder"


@pytest.mark.parametrize("kind", ["post", "talk", "speaker", "event", "page"])
def test_new_writes_front_matter_with_an_accent_free_slug(make_site: MakeSite, kind: str) -> None:
    site = make_site(SMALL_SITE)
    assert main(["new", kind, "Évaluer nos réseaux", "--site", str(site)]) == 0
    path = site / "content" / f"{kind}s" / "evaluer-nos-reseaux.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n") and ('title: "Évaluer nos réseaux"' in text or 'name: "Évaluer nos réseaux"' in text)
    assert main(["build", "--site", str(site), "--quiet"]) == 0, "a new file never breaks the build"
    assert main(["new", kind, "Évaluer nos réseaux", "--site", str(site)]) == 2, "never overwrites"


def test_drafts_flag_publishes_drafts(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    assert main(["new", "post", "Work in progress", "--site", str(site)]) == 0
    assert main(["build", "--site", str(site), "--quiet"]) == 0
    assert not (site / "_site/posts/work-in-progress/index.html").exists()
    assert main(["build", "--site", str(site), "--quiet", "--drafts"]) == 0
    assert (site / "_site/posts/work-in-progress/index.html").exists()


# theme

def test_site_template_replaces_the_default_one(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "themes/mine/templates/speaker.html":
                      '<!DOCTYPE html><html lang="{{ lang }}"><title>x</title><h1 class="mine">{{ entry.name }}</h1>'},
                     config="title: T\nbase_url: https://example.org/\nlanguages: [fr]\ntheme: mine\n")
    build(site)
    h1 = _page(site / "_site/speakers/ada/index.html").find(".//h1")
    assert h1 is not None and h1.get("class") == "mine" and h1.text == "Ada Lovelace"
    other = _page(site / "_site/talks/opening/index.html").find(".//h1")  # untouched templates still work
    assert other is not None and other.text == "Opening talk"


def test_site_template_can_extend_the_default_and_override_one_block(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "themes/default/templates/talk.html":
                      '{% extends "default/talk.html" %}{% block materials %}<p id="custom">no slides here</p>'
                      '{% endblock %}'})
    build(site)
    page = _page(site / "_site/talks/opening/index.html")
    custom = page.find(".//p[@id='custom']")
    assert custom is not None and custom.text == "no slides here"
    assert page.find(".//section[@class='materials']") is None
    assert page.find(".//dl[@class='facts']") is not None, "the rest of the default template is kept"


def test_autoescaping_is_on(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "content/speakers/eve.md": "---\nname: <script>alert(1)</script>\n---\nBio.\n"})
    build(site)
    page = _page(site / "_site/speakers/eve/index.html")
    scripts = page.findall(".//script")  # the JSON-LD data block is the only script, and is data
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert json.loads(scripts[0].text or "")["name"] == "<script>alert(1)</script>"
    assert page.find(".//h1").text == "<script>alert(1)</script>"  # type: ignore[union-attr]


def test_theme_static_files_override_file_by_file(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "themes/default/static/css/style.css": "body { color: red }\n"})
    build(site)
    assert (site / "_site/theme/css/style.css").read_text() == "body { color: red }\n"
    assert (site / "_site/theme/css/pygments.css").stat().st_size > 100


# writer

def test_refuses_to_write_over_a_folder_it_did_not_make(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me")
    for output in (foreign, site, site / "content", site.parent):
        with pytest.raises(UsageError):
            build(site, output)
    assert (foreign / "precious.txt").read_text() == "keep me"


def test_rebuild_prunes_own_stale_files_but_keeps_foreign_ones(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    out = site / "_site"
    (out / "CNAME").write_text("example.org\n")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref\n")
    (site / "content/posts/third.md").unlink()
    result = build(site)
    assert not (out / "posts/third/index.html").exists()
    assert (out / "CNAME").read_text() == "example.org\n" and (out / ".git/HEAD").read_text() == "ref\n"
    assert result.removed >= 1


def test_unchanged_files_keep_their_times_and_changed_ones_are_rewritten(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    out = site / "_site"
    about, bob = out / "about/index.html", out / "speakers/bob/index.html"
    before = about.stat().st_mtime_ns, bob.stat().st_mtime_ns
    (site / "content/speakers/bob.md").write_text("---\nname: Bob Builder\n---\nA new bio.\n")
    result = build(site)
    assert about.stat().st_mtime_ns == before[0]
    assert "A new bio." in bob.read_text()
    assert result.written >= 1 and result.unchanged > result.written


def test_base_url_with_a_path_prefixes_every_link(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE, config="title: T\nbase_url: https://example.org/proc/\nlanguages: [fr]\n")
    build(site)
    page = _page(site / "_site/talks/opening/index.html")
    hrefs = [a.get("href") for a in page.iter("a") if (a.get("href") or "").startswith("/")]
    assert hrefs and all(h.startswith("/proc/") for h in hrefs)


# markup cache

def test_warm_build_equals_cold_build(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    build(site, tmp_path / "cold", use_cache=False)
    assert not (site / ".museumsite-cache").exists()
    build(site, tmp_path / "first")  # writes the cache
    build(site, tmp_path / "warm")  # reads it
    assert (site / ".museumsite-cache/markup.sqlite3").stat().st_size > 0
    cold = {p.relative_to(tmp_path / "cold"): p.read_bytes() for p in (tmp_path / "cold").rglob("*") if p.is_file()}
    warm = {p.relative_to(tmp_path / "warm"): p.read_bytes() for p in (tmp_path / "warm").rglob("*") if p.is_file()}
    assert cold == warm


def test_cached_page_follows_a_linked_page_that_moved(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    talk = site / "content/talks/opening.md"
    talk.write_text(talk.read_text().replace("title: Opening talk", "title: Opening talk\nslug: keynote"))
    build(site)
    hrefs = [a.get("href") for a in _page(site / "_site/posts/hello/index.html").iter("a")]
    assert "/talks/keynote/" in hrefs and "/talks/opening/" not in hrefs


def test_cached_warnings_are_repeated_and_errors_found_again(make_site: MakeSite, tmp_path: Path) -> None:
    files = {**SMALL_SITE, "content/posts/img.md": "---\ntitle: I\ndate: 2024-01-01\n---\nText.\n\n![](x.png)\n"}
    site = make_site(files)
    first = build(site, tmp_path / "a")
    second = build(site, tmp_path / "b")
    assert [str(w) for w in first.warnings] == [str(w) for w in second.warnings] != []
    (site / "content/posts/broken.md").write_text("---\ntitle: B\ndate: 2024-01-01\n---\n[x](gone.md)\n")
    for _ in range(2):
        with pytest.raises(BuildError) as caught:
            build(site, tmp_path / "c")
        assert [p.message for p in caught.value.problems] == ["link to 'gone.md', which is not a page of this site"]


def test_a_tag_written_in_two_cases_builds_one_tag_page(make_site: MakeSite) -> None:
    site = make_site({**SMALL_SITE, "content/posts/caps.md": "---\ntitle: Caps\ndate: 2024-02-01\ntags: [News]\n---\nX.\n"})
    build(site)
    page = _page(site / "_site/posts/caps/index.html")
    assert [a.get("href") for a in page.iter("a") if a.get("rel") == "tag"] == ["/tags/news/"]
    tag_pages = sorted((site / "_site/tags").glob("news/**/index.html"))  # paginated: two per page
    titles = {a.text for page in tag_pages for a in _page(page).iter("a")}
    assert {"Caps", "Hello"} <= titles
    assert [p.relative_to(site / "_site/tags").as_posix() for p in sorted((site / "_site/tags").glob("*/index.html"))] \
        == ["museums/index.html", "news/index.html"], "one tag page for News and news"
