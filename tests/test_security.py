"""Security: nothing outside the site is published, no URL leaves the output, the cache
cannot break a build, and the same sources give the same bytes.

Real sites with real symbolic links, real builds, real output folders; the property
tests run ``check_url`` and ``make_slug`` over arbitrary strings.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import html5lib
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from museumsite.build import CACHE_DIR, build
from museumsite.cli import main
from museumsite.errors import BuildError, ConfigError
from museumsite.urls import MAX_SEGMENT_BYTES, check_url, expand, make_slug, tag_slug, url_to_path

from support import SMALL_SITE, MakeSite

POST = "---\ntitle: {title}\ndate: 2024-01-01\n{extra}---\nText.\n"


def post(title: str = "P", **fields: str) -> str:
    return POST.format(title=title, extra="".join(f"{k}: {v}\n" for k, v in fields.items()))


def messages(error: BuildError | ConfigError) -> list[str]:
    return [str(p).split("\n", 1)[0] for p in error.problems]


def published(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


# 7. symbolic links


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A private file beside the site, which no build may publish."""
    path = tmp_path / "private" / "secret.md"
    path.parent.mkdir()
    path.write_text(post("Private diary"), encoding="utf-8")
    return path


def test_a_static_link_to_a_file_outside_the_site_is_refused_naming_link_and_target(
        make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    (site / "content/static").mkdir(exist_ok=True)
    (site / "content/static/passwd").symlink_to("/etc/passwd")
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out")
    assert messages(caught.value) == [
        "content/static/passwd: a symbolic link to /etc/passwd, outside the site; not published"]
    assert not (tmp_path / "out").exists()


def test_a_markdown_link_to_a_file_outside_the_site_is_refused(make_site: MakeSite, tmp_path: Path,
                                                                 secret: Path) -> None:
    site = make_site(SMALL_SITE)
    (site / "content/posts/diary.md").symlink_to(secret)
    (site / "content/comments/posts").mkdir(parents=True)
    (site / "content/comments/posts/hello.yaml").symlink_to(secret)
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out")
    assert messages(caught.value) == [
        f"content/comments/posts/hello.yaml: a symbolic link to {secret}, outside the site; not published",
        f"content/posts/diary.md: a symbolic link to {secret}, outside the site; not published"]


def test_a_folder_link_leaving_the_site_and_a_link_to_nothing_are_refused(make_site: MakeSite, tmp_path: Path,
                                                                          secret: Path) -> None:
    site = make_site(SMALL_SITE)
    (site / "content/static").mkdir(exist_ok=True)
    (site / "content/static/home").symlink_to(secret.parent, target_is_directory=True)
    (site / "content/static/gone.png").symlink_to(site / "nowhere.png")
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out")
    assert messages(caught.value) == [
        f"content/static/gone.png: a symbolic link to {site / 'nowhere.png'}, which does not exist",
        f"content/static/home: a symbolic link to {secret.parent}, outside the site; not published"]


def test_a_theme_static_link_leaving_the_site_is_refused(make_site: MakeSite, tmp_path: Path, secret: Path) -> None:
    site = make_site(SMALL_SITE, config="title: T\nbase_url: https://example.org/\nlanguage: en\n"
                                        "languages: [en, fr]\ntimezone: Europe/Paris\ntheme: mine\n")
    (site / "themes/mine/templates").mkdir(parents=True)
    (site / "themes/mine/static").mkdir()
    (site / "themes/mine/static/style.css").symlink_to(secret)
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out")
    assert messages(caught.value) == [
        f"themes/mine/static/style.css: a symbolic link to {secret}, outside the site; not published"]


def test_links_inside_the_site_are_followed_and_a_loop_of_links_ends(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SMALL_SITE, "shared/hello.md": post("Shared post"), "assets/logo.svg": "<svg/>",
                      "assets/img/a.png": "png"})
    (site / "content/static").mkdir(exist_ok=True)
    (site / "content/posts/shared.md").symlink_to(site / "shared/hello.md")
    (site / "content/static/logo.svg").symlink_to("../../assets/logo.svg")
    (site / "content/static/assets").symlink_to(site / "assets", target_is_directory=True)
    (site / "assets/loop").symlink_to(site / "assets", target_is_directory=True)
    build(site, tmp_path / "out")
    out = tmp_path / "out"
    assert (out / "logo.svg").read_text() == "<svg/>"
    assert (out / "assets/img/a.png").read_text() == "png"
    assert not (out / "assets/loop").exists()
    page = html5lib.parse((out / "posts/shared/index.html").read_bytes(), namespaceHTMLElements=False)
    assert page.find(".//h1").text == "Shared post"


def test_a_link_to_a_hidden_path_inside_the_site_is_refused_naming_link_and_target(
        make_site: MakeSite, tmp_path: Path) -> None:
    """.env and .git are inside the site, so "stays inside the site" is not enough."""
    site = make_site({**SMALL_SITE, ".env": "SECRET_KEY=hunter2\n", ".git/config": "[http]\nextraheader = x\n",
                      "assets/.private/notes.txt": "private", "assets/public/ok.txt": "ok"})
    (site / "content/static").mkdir(exist_ok=True)
    (site / "content/static/env.txt").symlink_to("../../.env")
    (site / "content/static/gitdir").symlink_to("../../.git", target_is_directory=True)
    (site / "content/static/notes.txt").symlink_to(site / "assets/.private/notes.txt")
    # A chain of links: a visible name inside the site that itself points at a hidden one.
    (site / "assets/visible").symlink_to(site / ".git", target_is_directory=True)
    (site / "content/static/chain").symlink_to("../../assets/visible", target_is_directory=True)
    (site / "content/static/ok.txt").symlink_to("../../assets/public/ok.txt")
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out")
    assert messages(caught.value) == [
        "content/static/chain: a symbolic link to .git, a hidden path of the site; not published",
        "content/static/env.txt: a symbolic link to .env, a hidden path of the site; not published",
        "content/static/gitdir: a symbolic link to .git, a hidden path of the site; not published",
        ("content/static/notes.txt: a symbolic link to assets/.private/notes.txt, a hidden path of the site; "
         "not published")]
    assert all("hint:" in str(p) for p in caught.value.problems)
    assert not (tmp_path / "out").exists()


def test_a_theme_static_link_to_a_hidden_path_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SMALL_SITE, ".env": "SECRET_KEY=hunter2\n"},
                     config="title: T\nbase_url: https://example.org/\nlanguage: en\n"
                            "languages: [en, fr]\ntimezone: Europe/Paris\ntheme: mine\n")
    (site / "themes/mine/templates").mkdir(parents=True)
    (site / "themes/mine/static").mkdir()
    (site / "themes/mine/static/style.css").symlink_to("../../../.env")
    (site / "content/posts/env.md").symlink_to(site / ".env")
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "out")
    assert messages(caught.value) == [
        "content/posts/env.md: a symbolic link to .env, a hidden path of the site; not published",
        "themes/mine/static/style.css: a symbolic link to .env, a hidden path of the site; not published"]


def test_a_site_inside_a_hidden_folder_still_follows_its_links(tmp_path: Path) -> None:
    """Only components below the site root count: a site kept in ~/.sites/blog builds."""
    site = tmp_path / ".sites" / "blog"
    (site / "content/static").mkdir(parents=True)
    (site / "assets").mkdir()
    (site / "museumsite.yaml").write_text("title: T\nbase_url: https://example.org/\nlanguage: en\n")
    (site / "assets/logo.svg").write_text("<svg/>")
    (site / "content/static/logo.svg").symlink_to("../../assets/logo.svg")
    build(site, tmp_path / "out")
    assert (tmp_path / "out/logo.svg").read_text() == "<svg/>"


# 8. every URL validated at one place


@pytest.mark.parametrize("files, expected", [
    ({"content/posts/sub/p.md": post(slug="../../evil")}, "content/posts/sub/p.md:4: slug '../../evil' is not URL-safe"),
    ({"content/posts/p.md": post(slug="a/b")}, "content/posts/p.md:4: slug 'a/b' is not URL-safe"),
    ({"content/posts/p.md": post(slug="a" * 300)}, f"content/posts/p.md:4: slug '{'a' * 80}…' is not URL-safe"),
    ({"content/posts/Été/p.md": post()}, "content/posts/Été/p.md:1: slug 'Été/p' is not URL-safe"),
    ({"content/posts/p.fr.md": post(slug="'../x'")}, "content/posts/p.fr.md:4: slug '../x' is not URL-safe"),
    ({"content/posts/p.md": post(aliases="['/.git/hooks/post-commit']")},
     "content/posts/p.md:4: alias '/.git/hooks/post-commit' is not a path of this site"),
    ({"content/posts/p.md": post(aliases="['/a/%2e%2e/%2e%2e/x/']")},
     "content/posts/p.md:4: alias '/a/%2e%2e/%2e%2e/x/' is not a path of this site"),
    ({"content/posts/p.md": post(aliases="['/a%2f..%2f..%2fx/']")},
     "content/posts/p.md:4: alias '/a%2f..%2f..%2fx/' is not a path of this site"),
], ids=["dotdot-in-subfolder", "slash", "too-long", "accented-folder", "translated", "dot-git", "encoded-dots",
        "encoded-slash"])
def test_hostile_slugs_and_aliases_are_errors_at_their_line(make_site: MakeSite, tmp_path: Path,
                                                            files: dict[str, str], expected: str) -> None:
    site = make_site({**SMALL_SITE, **files})
    with pytest.raises(BuildError) as caught:
        build(site, tmp_path / "site" / "out")
    assert messages(caught.value) == [expected]
    assert not (tmp_path / "site/out").exists() and [p.name for p in tmp_path.iterdir()] == ["site"]


@pytest.mark.parametrize("pattern, says", [
    ("/../../{slug}/", "urls.post '/../../{slug}/' contains '..'"),
    ("/./{slug}/", "urls.post '/./{slug}/' contains '.'"),
    ("/posts/.{slug}/", "urls.post '/posts/.{slug}/' has a hidden name '.s'"),
    ("/a\\\\{slug}/", "urls.post '/a\\{slug}/' contains '\\'"),
])
def test_a_permalink_pattern_leaving_the_site_is_a_config_error_not_flattened(
        make_site: MakeSite, pattern: str, says: str) -> None:
    config = ("title: T\nbase_url: https://example.org/\nlanguage: en\ntimezone: UTC\n"
              f"urls:\n  post: \"{pattern}\"\n")
    site = make_site({"content/posts/p.md": post()}, config=config)
    with pytest.raises(ConfigError) as caught:
        build(site)
    assert messages(caught.value) == [f"museumsite.yaml:6: {says}"]


def test_a_5000_character_tag_builds_with_a_short_distinct_page(make_site: MakeSite, tmp_path: Path) -> None:
    long_a, long_b = "x" * 5000, "x" * 4999 + "y"
    site = make_site({**SMALL_SITE, "content/posts/long.md": post(tags=f"[{long_a}, {long_b}]")})
    build(site, tmp_path / "out")
    pages = [p.parent.name for p in (tmp_path / "out/tags").glob("x*/index.html")]
    assert len(pages) == 2 and all(len(name.encode()) <= 100 for name in pages)


def test_symbol_and_non_latin_tags_get_distinct_stable_pages(make_site: MakeSite, tmp_path: Path) -> None:
    tags = "['+++', '***', '!!!', 'C++', 'C#', 'C', '日本語', '中文', 'Ελληνικά']"
    site = make_site({**SMALL_SITE, "content/posts/tags.md": post(tags=tags)})
    build(site, tmp_path / "out")
    names = sorted(p.parent.name for p in (tmp_path / "out/tags").glob("*/index.html"))
    assert set(names) >= {"plus-plus-plus", "c-plus-plus", "c-sharp", "c", "日本語", "中文", "ελληνικά",
                          tag_slug("***"), tag_slug("!!!")}
    assert tag_slug("***") != tag_slug("!!!") and tag_slug("***").startswith("untitled-")
    assert "ri-ben" not in " ".join(names) and "untitled" not in names
    page = html5lib.parse((tmp_path / "out/tags/index.html").read_bytes(), namespaceHTMLElements=False)
    hrefs = {a.text: a.get("href") for a in page.iter("a") if (a.get("href") or "").startswith("/tags/")}
    target = unquote(hrefs["日本語"])
    assert hrefs["日本語"].isascii() and (tmp_path / "out" / target.strip("/") / "index.html").is_file()


@pytest.mark.parametrize("text, tag, file", [
    ("Évaluer l'usage", "evaluer-l-usage", "evaluer-l-usage"), ("Straße", "strasse", "strasse"),
    ("Tokyo 東京", "tokyo-東京", "tokyo-dong-jing"), ("Москва", "москва", "moskva"), ("C#", "c-sharp", "c"),
    ("", "untitled", "untitled"), ("«»", tag_slug("«»"), "untitled")])
def test_tags_keep_non_latin_scripts_and_file_names_stay_ascii(text: str, tag: str, file: str) -> None:
    assert (tag_slug(text), make_slug(text)) == (tag, file)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet="/.%2eEfF\\\x00a-#?", max_size=40))
@example("/#")  # a link to the home page's top: its file is the home page's (found by this test)
def test_a_url_that_passes_check_url_never_leaves_the_output(url: str) -> None:
    # A link's fragment and query name no file: url_to_path checks the path before them.
    where = url.split("#", 1)[0].split("?", 1)[0]
    if check_url(where) is not None:
        with pytest.raises(ValueError):
            url_to_path(url)
        return
    path = url_to_path(url)
    out = Path("/srv/out")
    assert (out / path).resolve().is_relative_to(out) and (out / path).resolve() != out
    parts = where.split("/")
    assert not {"..", "."} & {unquote(p) for p in parts}
    assert not any(ord(c) < 32 or c == "\x7f" for c in where)
    assert all(len(p.encode("utf-8")) <= MAX_SEGMENT_BYTES for p in path.split("/"))
    assert posixpath.normpath(path) == path


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=6000))
@example("\u00c0\u0300")  # a Latin letter and an accent of its own: found by this test
def test_every_slug_is_a_valid_url_segment(text: str) -> None:
    for make in (make_slug, tag_slug):
        slug = make(text)
        assert check_url(f"/{slug}/") is None and len(slug.encode()) <= 100
        assert make(slug) == slug  # stable: a slug written into a file name comes back the same
        for pattern in ("/posts/{slug}/", "/{year}/{month}/{slug}/", "/{lang}/{event}/{slug}/"):
            assert check_url(expand(pattern, slug=slug, lang="fr", default_language="en", event="e")) is None


# 10. a cache of any shape


CORRUPT = {
    "truncated": lambda good: good[: len(good) // 2],
    "binary": lambda good: b"\x00\xff garbage" * 100,
    "empty": lambda good: b"",
    "another file's header": lambda good: b"SQLite format 2\x00" + good[16:],
}


@pytest.mark.parametrize("corrupt", CORRUPT.values(), ids=list(CORRUPT))
def test_a_corrupt_cache_is_ignored_and_rebuilt(make_site: MakeSite, tmp_path: Path, corrupt: object) -> None:
    site = make_site(SMALL_SITE)
    build(site, tmp_path / "clean")
    cache = site / CACHE_DIR / "markup.sqlite3"
    good = cache.read_bytes()
    cache.write_bytes(corrupt(good))  # type: ignore[operator]
    build(site, tmp_path / "again")
    assert published(tmp_path / "again") == published(tmp_path / "clean")


def test_a_cache_that_cannot_be_read_or_written_does_not_fail_the_build(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    (site / CACHE_DIR).write_text("a file where the cache folder goes", encoding="utf-8")
    build(site, tmp_path / "one")
    (site / CACHE_DIR).unlink()
    (site / CACHE_DIR / "markup.sqlite3").mkdir(parents=True)
    build(site, tmp_path / "two")
    assert published(tmp_path / "one") == published(tmp_path / "two")


# 13. small ones


def test_an_unknown_talk_language_is_a_warning_at_its_line_not_a_template_error(
        make_site: MakeSite, tmp_path: Path) -> None:
    talk = SMALL_SITE["content/talks/opening.md"].replace("room: Room A", "room: Room A\n        language: xx")
    site = make_site({**SMALL_SITE, "content/talks/opening.md": talk})
    result = build(site, tmp_path / "out")
    assert [str(w).split("\n")[0] for w in result.warnings] == [
        "content/talks/opening.md:8: warning: unknown language code 'xx'"]


def test_an_unknown_site_language_is_reported_at_the_config_line(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE, config="title: T\nbase_url: https://example.org/\nlanguage: xx\ntimezone: UTC\n")
    with pytest.raises(ConfigError) as caught:
        build(site)
    assert messages(caught.value) == ["museumsite.yaml:3: unknown language code 'xx'"]


def test_the_build_says_how_many_drafts_it_left_out(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({**SMALL_SITE, "content/posts/wip.md": post("WIP", draft="true"),
                      "content/posts/wip.fr.md": post("En cours"), "content/posts/idea.md": post("Idea", draft="true")})
    assert main(["build", "--site", str(site)]) == 0
    assert "3 drafts left out: build with --drafts to include them" in capsys.readouterr().out
    assert main(["build", "--site", str(site), "--drafts"]) == 0
    assert "draft" not in capsys.readouterr().out


# determinism


def _build_in(site: Path, env_changes: dict[str, str], cwd: Path, output: Path) -> None:
    env = {**os.environ, **env_changes}
    subprocess.run([sys.executable, "-m", "museumsite", "build", "--quiet", "--site", str(site),
                    "--output", str(output)], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.mark.slow
def test_the_demo_site_builds_to_the_same_bytes_whatever_the_environment(demo_root: Path, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b/deeper").mkdir(parents=True)
    _build_in(demo_root, {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
              tmp_path / "a", tmp_path / "a/_site")
    _build_in(demo_root, {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Chatham", "LC_ALL": "C", "LANG": "tr_TR.UTF-8",
               "LANGUAGE": "tr"}, tmp_path / "b/deeper", tmp_path / "b/other-name")
    first, second = published(tmp_path / "a/_site"), published(tmp_path / "b/other-name")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    kinds = {posixpath.splitext(name)[1] for name in first}
    assert {".html", ".xml", ".ics", ".json"} <= kinds
    assert any(name.endswith("schedule.xml") for name in first)
