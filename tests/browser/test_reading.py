"""What a reader does in a real browser: follow the menu, switch language, filter the schedule and the
comments, play a video only when asked, use the keyboard alone, read on a 360 px phone.

Each test loads the demo site (or a small site of its own) from a local HTTP server in headless Chromium.
Screenshots of every page type at 360 px and 1280 px go to tests/browser/screenshots/ (git-ignored).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import html5lib
import pytest

from museumsite.build import build

from .browserkit import PAGE_TYPES, SCREENSHOTS, requested_urls, serve

pytestmark = pytest.mark.browser


def by_css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def all_css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, selector))


def test_the_main_menu_leads_to_each_section_and_marks_it_current(page: Any, demo_url: str) -> None:
    page.get(demo_url + "/")
    labels = [a.text for a in all_css(page, "header nav.main-nav a")][:6]
    assert labels[:4] == ["Home", "Events", "Talks", "Speakers"]
    by_css(page, "header nav a[href='/talks/']").click()
    assert urlsplit(page.current_url).path == "/talks/"
    assert by_css(page, "header nav a[href='/talks/']").get_attribute("aria-current") == "page"
    assert page.find_element("tag name", "h1").text
    # Deeper in the section, the section's menu item is still marked as the current one.
    all_css(page, "main a[href^='/talks/']")[0].click()
    assert urlsplit(page.current_url).path.startswith("/talks/") and urlsplit(page.current_url).path != "/talks/"
    assert by_css(page, "header nav a[href='/talks/']").get_attribute("aria-current") == "true"
    assert all_css(page, "header nav a[href='/speakers/'][aria-current]") == []


def test_the_language_switcher_leads_to_the_same_page_in_another_language(page: Any, demo_url: str) -> None:
    page.get(demo_url + "/talks/a-flickr-competition-in-barcelona/")
    assert page.find_element("tag name", "html").get_attribute("lang") == "en"
    by_css(page, "nav.languages a[hreflang='ca']").click()
    assert urlsplit(page.current_url).path == "/ca/talks/a-flickr-competition-in-barcelona/"
    assert page.find_element("tag name", "html").get_attribute("lang") == "ca"
    assert by_css(page, "nav.languages [aria-current]").text == "Català"
    by_css(page, "nav.languages a[hreflang='fr']").click()
    assert urlsplit(page.current_url).path == "/fr/talks/a-flickr-competition-in-barcelona/"
    # A post written only in English: the switcher offers the French home page, and says so.
    page.get(demo_url + "/posts/five-questions-for-a-museum-blog/")
    link = by_css(page, "nav.languages a[hreflang='fr']")
    assert link.text.splitlines()[0] == "Français" and "not translated" in link.get_attribute("title")
    assert "not translated" in link.get_attribute("textContent"), "said to screen readers too"
    link.click()
    assert urlsplit(page.current_url).path == "/fr/"


def visible_titles(driver: Any) -> list[str]:
    """The sessions shown in full: a filtered-out one stays on the page, dimmed (and is still displayed)."""
    cells = all_css(driver, "td.session")
    assert all(cell.is_displayed() for cell in cells), "dimmed, never blanked"
    return [cell.find_element("css selector", ".session-title a").text for cell in cells
            if float(cell.value_of_css_property("opacity")) > 0.9]


@pytest.mark.parametrize("width", [1280, 360])
def test_the_schedule_filter_dims_the_sessions_of_other_tracks(page: Any, demo_url: str, width: int) -> None:
    page.set_window_size(width, 900)
    page.get(demo_url + "/events/rencontres-web-musees-2009/")
    everything = visible_titles(page)
    tracks = {cell.get_attribute("data-track") for cell in all_css(page, "td.session")} - {""}
    assert len(everything) >= 6 and len(tracks) >= 2
    for track in sorted(tracks):
        by_css(page, f"label[for='only-track-{track}']").click()
        shown = visible_titles(page)
        expected = [cell.find_element("css selector", ".session-title a").get_attribute("textContent")
                    for cell in all_css(page, f"td.session[data-track='{track}']")]
        assert shown == expected and 0 < len(shown) < len(everything)
    by_css(page, "label[for='only-track-all']").click()
    assert visible_titles(page) == everything


def visible_comment_languages(driver: Any) -> set[str]:
    return {c.get_attribute("lang") for c in all_css(driver, "li.comment")
            if c.find_element("css selector", ":scope > article").is_displayed()}


def test_the_comment_filter_shows_the_comments_in_one_language(page: Any, demo_url: str) -> None:
    page.get(demo_url + "/posts/recap-of-the-day/")
    assert visible_comment_languages(page) >= {"ca", "fr", "es", "en"}
    for code in ("ca", "fr", "es", "en"):
        by_css(page, f"label[for='comments-only-{code}']").click()
        assert visible_comment_languages(page) == {code}
    by_css(page, "label[for='comments-only-all']").click()
    assert visible_comment_languages(page) >= {"ca", "fr", "es", "en"}


def test_keyboard_alone_reaches_the_skip_link_first_and_it_moves_focus_to_main(page: Any, demo_url: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page.get(demo_url + "/posts/recap-of-the-day/")
    ActionChains(page).send_keys(Keys.TAB).perform()
    focused = page.switch_to.active_element
    assert focused.get_attribute("class") == "skip-link" and focused.is_displayed()
    outline = page.execute_script("return getComputedStyle(arguments[0]).outlineStyle", focused)
    assert outline != "none", "the focused skip link shows a focus outline"
    ActionChains(page).send_keys(Keys.ENTER).perform()
    assert page.switch_to.active_element.get_attribute("id") == "main"
    ActionChains(page).send_keys(Keys.TAB).perform()
    inside = page.execute_script("return document.getElementById('main').contains(document.activeElement)")
    assert inside, "the next Tab goes on inside the main content, past the navigation"


@pytest.mark.parametrize(("name", "path"), PAGE_TYPES, ids=[name for name, _ in PAGE_TYPES])
def test_every_page_type_fits_a_360_px_phone_and_is_saved_as_screenshots(page: Any, demo_url: str, name: str, path: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_window_size(1280, 900)
    page.get(demo_url + path)
    page.save_screenshot(str(SCREENSHOTS / f"{name}-1280.png"))
    page.set_window_size(360, 800)
    page.get(demo_url + path)
    width = page.execute_script("return window.innerWidth")
    assert width == 360
    wide = page.execute_script("return document.documentElement.scrollWidth")
    assert wide <= 360, f"{path} is {wide} px wide at 360 px"
    body_font = page.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_font >= 16
    page.save_screenshot(str(SCREENSHOTS / f"{name}-360.png"))
    assert (SCREENSHOTS / f"{name}-360.png").stat().st_size > 1000


VIDEO_SITE = {
    "museumsite.yaml": "title: Video site\nbase_url: https://example.org/\nlanguage: en\n",
    "content/events/conf.md": """
        ---
        title: Conference
        start: 2024-05-02
        timezone: Europe/Paris
        ---
        The conference.
        """,
    "content/talks/filmed.md": """
        ---
        title: A filmed talk
        event: conf
        start: 2024-05-02 10:00
        end: 2024-05-02 10:30
        video: https://www.youtube.com/watch?v=dQw4w9WgXcQ
        ---
        A talk with a recording on YouTube.
        """,
}


@pytest.fixture(scope="module")
def video_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("video-site")
    for rel, text in VIDEO_SITE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    build(root, root / "_site", use_cache=False)
    yield from serve(root / "_site")


def test_a_video_is_loaded_from_its_host_only_after_the_click(page: Any, video_url: str) -> None:
    page.get(video_url + "/talks/filmed/")
    local = urlsplit(video_url).netloc
    before = requested_urls(page)
    assert before and all(urlsplit(u).netloc == local for u in before if u.startswith("http")), before
    assert all_css(page, "iframe") == []
    button = by_css(page, "figure.video .video-load")
    assert button.is_displayed()
    button.click()
    frame = by_css(page, "figure.video iframe.video-player")
    assert urlsplit(frame.get_attribute("src")).netloc.endswith(("youtube-nocookie.com", "youtube.com"))
    # The player is sandboxed: its scripts run on its own origin, never on or over this page.
    assert sorted(frame.get_attribute("sandbox").split()) == [
        "allow-popups", "allow-presentation", "allow-same-origin", "allow-scripts"]
    assert frame.get_attribute("referrerpolicy") == "strict-origin-when-cross-origin"
    after = requested_urls(page)
    assert any("youtube" in urlsplit(u).netloc for u in after), "the click asks the video host for the player"


def outside_references(html: Path, host: str) -> list[str]:
    """Every address on the page that the browser would fetch by itself from another host."""
    tree = html5lib.parse(html.read_bytes(), namespaceHTMLElements=False)
    found = []
    for element in tree.iter():
        for attribute in ("src", "srcset", "poster", "data"):
            for value in (element.get(attribute) or "").split(","):
                address = value.strip().split(" ")[0]
                if urlsplit(address).netloc and urlsplit(address).netloc != host:
                    found.append(f"{element.tag} {attribute}={address}")
        if element.tag == "link" and "stylesheet" in (element.get("rel") or "") or element.tag in ("script", "iframe"):
            address = element.get("href") or element.get("src") or ""
            if urlsplit(address).netloc and urlsplit(address).netloc != host:
                found.append(f"{element.tag} {address}")
        if element.tag == "noscript":
            inner = html5lib.parseFragment(element.text or "", namespaceHTMLElements=False)
            found += [f"noscript {e.tag}" for e in inner.iter() if urlsplit(e.get("src") or "").netloc]
    return found


def test_no_page_makes_the_browser_fetch_anything_from_another_host(demo_site: Path) -> None:
    pages = list(demo_site.rglob("*.html"))
    assert len(pages) > 80
    found = {str(p.relative_to(demo_site)): refs for p in pages if (refs := outside_references(p, "museumsite.example.org"))}
    assert found == {}


def test_pages_load_nothing_from_another_host_in_the_browser(page: Any, demo_url: str) -> None:
    local = urlsplit(demo_url).netloc
    for _, path in PAGE_TYPES:
        page.get(demo_url + path)
    requests = [u for u in requested_urls(page) if u.startswith("http")]
    assert len(requests) > len(PAGE_TYPES)
    assert [u for u in requests if urlsplit(u).netloc != local] == []


def test_syntax_colours_are_linked_only_by_pages_with_code(demo_site: Path) -> None:
    with_code = (demo_site / "about/index.html").read_text(encoding="utf-8")
    without = (demo_site / "posts/five-questions-for-a-museum-blog/index.html").read_text(encoding="utf-8")
    assert 'class="highlight"' in with_code and "pygments.css" in with_code
    assert 'class="highlight"' not in without and "pygments.css" not in without
    assert 'media="print"' in without and "print.css" in without
    # A post without code stays under 12 KB of HTML (issue 11's budget): no syntax colours, no inlined CSS.
    assert len(without.encode("utf-8")) < 12 * 1024


def test_the_logo_keeps_a_light_backdrop_in_dark_mode(page: Any, demo_url: str) -> None:
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        page.get(demo_url + "/about/")
        logo = by_css(page, "main img[src$='logo.svg']")
        backdrop = page.execute_script("return getComputedStyle(arguments[0]).backgroundColor", logo)
        page_bg = page.execute_script("return getComputedStyle(document.body).backgroundColor")
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert backdrop == "rgb(243, 239, 230)" and page_bg != backdrop


def test_printing_hides_the_navigation_and_prints_link_addresses(page: Any, demo_url: str) -> None:
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        page.get(demo_url + "/talks/a-flickr-competition-in-barcelona/")
        menu_shown = by_css(page, "header nav").is_displayed()
        article_break = page.execute_script("return getComputedStyle(document.querySelector('article.talk')).breakBefore")
        link = all_css(page, "main p a[href^='/'], main li a[href^='/']")[0]
        after = page.execute_script("return getComputedStyle(arguments[0], '::after').content", link)
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert not menu_shown
    assert article_break == "page"
    assert link.get_attribute("href").endswith(after.strip('" <>').split("/", 1)[-1]) and "<" in after
