"""``museumsite check``: real sites are built, then broken on purpose, and each break is found.

The demo site at the repository root must come out clean. Breaks are made the two ways
they happen: in the content (a link to a page that does not exist, an anchor or a comment
that is not there, a missing image) and by hand in the output (a broken feed, a page no
link leads to, a wrong hreflang set). Outside links are asked of a small HTTP server on
this machine, so the test needs no network and cannot be flaky for lack of one.
"""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from museumsite.build import build
from museumsite.check.output import check_output
from museumsite.cli import main
from museumsite.config import load_config

from support import REPO, SMALL_SITE, MakeSite

CONFIG = """\
title: Test site
base_url: https://site.example/
language: en
languages: [en, fr]
timezone: Europe/Paris
posts_per_page: 2
"""

ARCHIVE = """\
comments:
  - id: 1
    author: Marta
    date: 2024-05-11 10:00:00+02:00
    lang: en
    body: Nice.
"""

# SMALL_SITE's post links to an anchor Ada's page does not have (#bio): found by the check,
# so the clean site links her page itself.
CLEAN = {**SMALL_SITE, "museumsite.yaml": CONFIG, "content/comments/posts/hello.yaml": ARCHIVE,
         "content/posts/hello.md": SMALL_SITE["content/posts/hello.md"].replace("ada.md#bio", "ada.md")}


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["check", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def kinds(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(f["kind"], f["page"], f["target"]) for f in report["findings"]}


@pytest.fixture
def clean(make_site: MakeSite) -> Path:
    site = make_site(CLEAN)
    build(site)
    return site


@pytest.mark.slow
def test_the_demo_site_is_clean(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Build a copy, so the check's own build does not touch the repository's cache.
    site = tmp_path / "demo"
    shutil.copytree(REPO, site, ignore=shutil.ignore_patterns(".*", "_site", "tests", "benchmarks", "*.egg-info"))
    code, report = run_json(capsys, "--links", "--strict", "--site", str(site))
    assert report["findings"] == []
    assert code == 0
    assert report["pages"] > 100 and report["feeds"] > 60 and report["links"] > 4000


def test_a_clean_small_site_has_no_finding(clean: Path) -> None:
    report = check_output(clean / "_site", load_config(clean))
    assert report.findings == ()
    assert report.pages >= 20 and report.feeds >= 10


def test_broken_links_anchors_comments_and_images_in_content(make_site: MakeSite,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    post = """\
        ---
        title: Broken
        date: 2024-07-01
        ---
        A <a href="/posts/missing/">missing page</a>, [a missing anchor](../speakers/ada.md#nowhere),
        [a comment](/posts/hello/#comment-1), [a deleted comment](/posts/hello/#comment-7),
        [the top](#top) and ![a missing image](/images/missing.png).
        """
    site = make_site({**CLEAN, "content/posts/broken.md": post})
    code, report = run_json(capsys, "--links", "--site", str(site))
    assert code == 1
    found = kinds(report)
    assert ("link", "/posts/broken/", "/posts/missing/") in found
    assert ("anchor", "/posts/broken/", "/speakers/ada/#nowhere") in found
    assert ("anchor", "/posts/broken/", "/posts/hello/#comment-7") in found
    assert ("image", "/posts/broken/", "/images/missing.png") in found
    assert not [f for f in found if "comment-1" in f[2] or "#top" in f[2]], "existing anchors are fine"
    assert {f["severity"] for f in report["findings"]} == {"error"}
    assert report["errors"] == len(report["findings"])


def test_hand_broken_feeds_in_the_output(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = clean / "_site"
    assert main(["check", "--output", str(out), "--site", str(clean)]) == 0
    capsys.readouterr()
    rss = out / "feeds/rss.xml"
    rss.write_bytes(rss.read_bytes()[:-40])  # cut off: no closing tags
    (out / "fr/feeds/feed.json").write_text('{"version": "https://jsonfeed.org/version/1.1", "items": [{}]}')
    (out / "tags/news/feed.json").write_text('{"version": ')
    code, report = run_json(capsys, "--links", "--output", str(out), "--site", str(clean))
    assert code == 1
    feeds = {f["page"]: f["message"] for f in report["findings"] if f["kind"] == "feed"}
    assert set(feeds) == {"/feeds/rss.xml", "/fr/feeds/feed.json", "/tags/news/feed.json"}
    assert feeds["/feeds/rss.xml"].startswith("a feed reader cannot read it")
    assert "'title'" in feeds["/fr/feeds/feed.json"] or "item 1" in feeds["/fr/feeds/feed.json"]
    assert feeds["/tags/news/feed.json"].startswith("not JSON")


def test_orphans_hreflang_and_size_are_warnings_that_count_under_strict(clean: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = clean / "_site"
    (out / "lost").mkdir()
    (out / "lost/index.html").write_text("<!DOCTYPE html><title>Lost</title><p>Nobody links here.</p>")
    french = out / "fr/posts/hello/index.html"
    french.write_text(french.read_text(encoding="utf-8").replace('hreflang="x-default"', 'hreflang="de"'),
                      encoding="utf-8")
    args = ("--links", "--output", str(out), "--site", str(clean), "--max-kb", "4")
    code, report = run_json(capsys, *args)
    assert code == 0, "warnings alone do not fail"
    found = kinds(report)
    assert ("orphan", "/lost/", "") in found
    assert ("hreflang", "/fr/posts/hello/", "") in found  # no x-default any more
    assert ("hreflang", "/posts/hello/", "https://site.example/fr/posts/hello/") in found  # sets differ
    assert any(kind == "size" for kind, _, _ in found)
    assert not [f for f in found if f[0] == "orphan" and f[1] in ("/404.html", "/fr/feeds/")]
    assert {f["severity"] for f in report["findings"]} == {"warning"}
    code, _ = run_json(capsys, *args, "--strict")
    assert code == 1


def test_text_report_names_page_kind_and_target(make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({**CLEAN,
                      "content/pages/links.md": "---\ntitle: Links\nmenu: 2\n---\n[gone](/nowhere/)\n"})
    assert main(["check", "--site", str(site)]) == 1
    out = capsys.readouterr().out
    assert ("content/pages/links.md:5: error: link: /nowhere/: missing page or file: /nowhere/ is not in the output"
            " (on /links/)") in out
    assert "error, 0 warnings." in out
    assert "fr: 5 entries without a translation" in out or "fr:" in out, "no option: translations too"


def test_output_that_is_not_a_folder_is_a_usage_error(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--output", str(clean / "nope"), "--site", str(clean)]) == 2
    assert "is not a folder" in capsys.readouterr().err


# ---------------------------------------------------------------- outside links


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        if self.path == "/no-head":
            self.send_response(405)
        else:
            self.send_response(200 if self.path in ("/ok", "/get-only") else 404)
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200 if self.path in ("/ok", "/no-head") else 404)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_external_links_are_asked_and_broken_ones_fail(make_site: MakeSite, server: str, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    dead = f"http://127.0.0.1:{closed_port()}/"
    page = f"---\ntitle: Out\nmenu: 2\n---\n[ok]({server}/ok) [no head]({server}/no-head) [gone]({server}/gone) [dead]({dead})\n"
    site = make_site({**CLEAN, "content/pages/out.md": page})
    code, report = run_json(capsys, "--links", "--site", str(site))
    assert code == 0 and report["external"] == {"checked": 0, "note": "", "skipped": []}, \
        "outside links only with --external"
    # The server is on a loopback address, which --external skips unless asked to (test_check_external.py).
    code, report = run_json(capsys, "--external", "--external-private", "--site", str(site), "--timeout", "2")
    assert code == 1
    found = {(f["kind"], f["target"]): f for f in report["findings"]}
    assert found[("external", f"{server}/gone")]["message"].startswith("404")
    assert found[("unreachable", dead)]["severity"] == "warning"
    assert not [f for f in found if f[1] in (f"{server}/ok", f"{server}/no-head")]
    assert report["external"]["checked"] >= 4


def test_without_network_outside_links_are_skipped_once(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # A proxy that answers nothing is a machine without network, whatever this one has.
    dead = f"http://127.0.0.1:{closed_port()}"
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, dead)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    site = make_site(CLEAN)
    assert main(["check", "--external", "--site", str(site), "--timeout", "2"]) == 0
    out = capsys.readouterr().out
    assert out.count("no network") == 1
    assert "unreachable" not in out and ": error:" not in out and "0 errors, 0 warnings" in out
