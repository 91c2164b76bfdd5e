"""The "Leave a comment" block in a real browser: Reply fills the form, the form reaches a collector, axe and Nu agree.

A small site is built with ``comments.form`` pointing at a collector running in the test (a few lines
that keep each POST as one JSON file, as the README describes), and ``comments.email``. Chromium
clicks "Reply", types and sends; ``museumsite comments add`` then takes the collector's file.
"""

from __future__ import annotations

import http.server
import json
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from museumsite.build import build
from museumsite.cli import main

from .browserkit import nu_messages, requested_urls, run_axe, serve

pytestmark = pytest.mark.browser

ARCHIVE = (Path(__file__).resolve().parents[1] / "fixtures" / "intake" / "hello.yaml").read_text(encoding="utf-8")


class Collector(http.server.BaseHTTPRequestHandler):
    """A comment collector: each POST kept as one JSON object in ``inbox``."""

    inbox: Path

    def do_POST(self) -> None:  # the name http.server calls
        length = int(self.headers.get("Content-Length", "0"))
        fields = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True).items()}
        number = len(list(self.inbox.glob("*.json"))) + 1
        (self.inbox / f"{number}.json").write_text(json.dumps(fields), encoding="utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"Thanks: your comment waits for moderation.")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    """(site folder, its URL, the collector's inbox)."""
    root = tmp_path_factory.mktemp("intake")
    inbox = root / "inbox"
    inbox.mkdir()
    handler = type("Handler", (Collector,), {"inbox": inbox})
    collector = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    files = {
        "museumsite.yaml": f"""
            title: Intake
            base_url: https://example.org/
            languages: [en, fr]
            timezone: Europe/Paris
            comments:
              form: http://localhost:{collector.server_address[1]}/submit
              email: comments@example.org
            """,
        "content/posts/hello.md": "---\ntitle: Hello\ndate: 2024-05-10\n---\nHello, readers.\n",
        "content/posts/hello.fr.md": "---\ntitle: Bonjour\n---\nBonjour.\n",
        "content/posts/quiet.md": "---\ntitle: Quiet\ndate: 2024-05-12\n---\nNo comments yet.\n",
        "content/comments/posts/hello.yaml": ARCHIVE,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    build(root, root / "_site", use_cache=False)
    try:
        for url in serve(root / "_site"):
            yield root, url, inbox
    finally:
        collector.shutdown()
        collector.server_close()


def test_reply_fills_the_form_and_the_comment_reaches_the_archive(page: Any, site: tuple[Path, str, Path]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    root, url, inbox = site
    page.get(url + "/posts/hello/")
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in requested_urls(page) if u.startswith("http"))
    page.find_element(By.CSS_SELECTOR, 'a.comment-reply[data-parent="2"]').click()
    assert page.find_element(By.ID, "respond-parent").get_attribute("value") == "2"
    assert page.switch_to.active_element.get_attribute("id") == "respond-body"
    mail = page.find_element(By.CSS_SELECTOR, ".comment-by-mail a").get_attribute("href")
    assert mail.endswith("subject=Hello%20%5Bposts%2Fhello%232%5D")  # the mail names the chosen comment too
    # Nothing asked before sending; the page's own icon is fetched by the browser whenever it likes (not by
    # the page), so it may show up here or in the first read.
    icons = set(page.execute_script("return [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)"))
    assert [u for u in requested_urls(page) if u.startswith("http") and u not in icons] == []

    page.switch_to.active_element.send_keys("D'acord amb en Pau.")
    page.find_element(By.ID, "respond-author").send_keys("Núria")
    page.find_element(By.CSS_SELECTOR, ".comment-form button[type=submit]").click()
    WebDriverWait(page, 10).until(lambda _: list(inbox.glob("*.json")))
    kept = json.loads(next(inbox.glob("*.json")).read_text(encoding="utf-8"))
    assert kept == {"entry": "posts/hello", "parent": "2", "author": "Núria", "author_url": "",
                    "body": "D'acord amb en Pau.", "website": ""}
    assert main(["comments", "add", str(next(inbox.glob("*.json"))), "--site", str(root)]) == 0
    text = (root / "content/comments/posts/hello.yaml").read_text(encoding="utf-8")
    assert "id: 3\n    parent: 2\n    author: Núria" in text and "status: pending" in text


@pytest.mark.parametrize("path", ["/posts/hello/", "/fr/posts/hello/", "/posts/quiet/"])
@pytest.mark.parametrize("width", [1280, 360])
def test_axe_finds_nothing_in_the_comment_block(page: Any, site: tuple[Path, str, Path], path: str,
                                                width: int) -> None:
    page.set_window_size(width, 900)
    page.get(site[1] + path)
    result = run_axe(page)
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)
    assert result["incomplete"] == [], "\n".join(result["incomplete"])


def test_nu_checker_finds_nothing_on_pages_with_the_form(site: tuple[Path, str, Path]) -> None:
    messages = nu_messages(site[0] / "_site")
    found = [f"{m['url'].split('/_site/')[-1]}:{m.get('lastLine')}: {m['type']}: {m['message']}" for m in messages]
    assert found == [], "\n".join(found)
