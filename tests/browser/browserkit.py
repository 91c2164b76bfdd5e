"""Helpers and fixtures for the real-browser tests: the demo site built once, served over HTTP, and headless Chromium.

The tools come from the machine, not from PyPI: Debian's ``chromium`` and ``chromium-driver``, Java for
the Nu HTML Checker, and the npm packages ``axe-core`` and ``vnu-jar`` that ``.ci/run`` installs into
``.ci/node/``. Whatever is missing makes the tests that need it skip, saying what to install.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from museumsite.build import build

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(os.environ.get("MUSEUMSITE_NODE_MODULES", REPO / ".ci/node/node_modules"))
AXE_JS = NODE_MODULES / "axe-core/axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar/build/dist/vnu.jar"
SCREENSHOTS = REPO / "tests/browser/screenshots"
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars")

# One page of each type of the demo site: (name, path).
PAGE_TYPES = [
    ("home-en", "/"),
    ("home-fr", "/fr/"),
    ("home-ca", "/ca/"),
    ("post", "/posts/five-questions-for-a-museum-blog/"),
    ("post-with-comments", "/posts/recap-of-the-day/"),
    ("post-ca", "/ca/posts/recap-of-the-day/"),
    ("talk", "/talks/a-flickr-competition-in-barcelona/"),
    ("talk-fr", "/fr/talks/talking-with-visitors-on-facebook/"),
    ("speaker", "/speakers/samuel-bausson/"),
    ("event-schedule", "/events/rencontres-web-musees-2009/"),
    ("events", "/events/"),
    ("talks", "/talks/"),
    ("speakers", "/speakers/"),
    ("tag", "/tags/museums/"),
    ("tags", "/tags/"),
    ("post-index", "/posts/"),
    ("archive", "/archive/"),
    ("archive-year", "/archive/2009/"),
    ("page", "/about/"),
    ("404", "/404.html"),
    ("search", "/search/"),
    ("search-ca", "/ca/search/"),
    ("feeds", "/feeds/"),
    ("talk-with-video", "/talks/from-conservation-to-conversation/"),
]


def chromium_binary() -> str | None:
    """The Debian Chromium, or whatever ``MUSEUMSITE_CHROMIUM`` names."""
    named = os.environ.get("MUSEUMSITE_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def need_browser() -> tuple[str, str]:
    """Chromium and its driver, or a skip that says how to get them."""
    binary, driver = chromium_binary(), shutil.which("chromedriver")
    if not binary or not driver:
        pytest.skip("no Chromium or chromedriver on this machine: apt-get install chromium chromium-driver (.ci/run does)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("selenium is not installed: pip install -e '.[test]'")
    return binary, driver


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site like a plain web server, without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on a free local port in a thread; yield its base URL."""
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's demo site, built once for all browser tests."""
    out = tmp_path_factory.mktemp("demo") / "_site"
    build(REPO, out, use_cache=False)
    return out


@pytest.fixture(scope="session")
def demo_url(demo_site: Path) -> Iterator[str]:
    yield from serve(demo_site)


def make_driver(tmp: Path) -> Any:
    """A headless Chromium with a fresh profile that logs every network request (performance log)."""
    binary, driver_path = need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp}")
    options.add_argument("--window-size=1280,900")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=driver_path))


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One browser for the session (starting Chromium takes a second); tests reset the window size."""
    driver = make_driver(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser: Any) -> Any:
    """The session browser at desktop width, with its performance log emptied."""
    browser.set_window_size(1280, 900)
    browser.get_log("performance")
    return browser


def requested_urls(driver: Any) -> list[str]:
    """Every URL the browser asked for since the last call (from the DevTools performance log)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


# -- the checkers shared by the accessibility and comment-form tests -----------------------------

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
                   resultTypes: ['violations', 'incomplete']})
   .then(r => done({violations: r.violations.map(v => ({id: v.id, help: v.help,
                                                       nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})),
                    incomplete: r.incomplete.filter(v => v.id === 'color-contrast')
                                            .flatMap(v => v.nodes.map(n => ({target: n.target,
                                                                             key: n.any[0] ? n.any[0].data.messageKey : '',
                                                                             message: n.any[0] ? n.any[0].message : ''})))}))
   .catch(e => done({error: String(e)}));
"""

# A cell scrolled out of its table's box is "partially obscured" for axe: scroll it into view and ask again.
AXE_AGAIN = """
const done = arguments[arguments.length - 1];
const element = document.querySelector(arguments[0]);
element.scrollIntoView({block: 'center', inline: 'start'});
axe.run(element, {runOnly: ['color-contrast'], resultTypes: ['violations', 'incomplete']})
   .then(r => done(r.violations.concat(r.incomplete).map(v => v.id + ': ' + v.nodes.map(n => n.failureSummary || '').join(' '))))
   .catch(e => done([String(e)]));
"""


def run_axe(driver: Any) -> dict[str, Any]:
    """axe's violations, and the contrast it could not decide even after a second look."""
    if not AXE_JS.is_file():
        pytest.skip(f"axe-core is not installed ({AXE_JS}): npm install --prefix .ci/node axe-core (.ci/run does)")
    driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    result: dict[str, Any] = driver.execute_async_script(AXE_RUN)
    assert "error" not in result, result
    unreviewed = []
    for node in result["incomplete"]:
        again = driver.execute_async_script(AXE_AGAIN, node["target"][0]) if node["key"] == "elmPartiallyObscured" else ["?"]
        if again:
            unreviewed.append(f"{node['target']}: {node['message']} {again}")
    result["incomplete"] = unreviewed
    return result


def nu_messages(site: Path) -> list[dict[str, Any]]:
    java = shutil.which("java")
    if not java:
        pytest.skip("no Java on this machine, needed by the Nu HTML Checker: apt-get install default-jre-headless")
    if not VNU_JAR.is_file():
        pytest.skip(f"the Nu HTML Checker is not installed ({VNU_JAR}): npm install --prefix .ci/node vnu-jar (.ci/run does)")
    files = sorted(str(p) for p in site.rglob("*.html"))
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
                          capture_output=True, text=True, check=True)
    messages: list[dict[str, Any]] = json.loads(done.stderr or done.stdout)["messages"]
    return messages
