"""The search page in a real browser, over a one-bundle index (the demo site) and a sharded one.

A site with more pages than a shard holds gets its index in shards (/pagefind/en-0/, /pagefind/en-1/...):
the search page reads /pagefind/shards.json, loads the first shard of its language and merges
the others with Pagefind's ``mergeIndex``, so one query finds pages from every shard, and only
pages in the page's language. The sharded site is built with a small shard size (4 pages).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from museumsite.build import build
from museumsite.render import search
from museumsite.render.search import shard_count, shard_of

from .browserkit import requested_urls, serve

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(search.pagefind_binary() is None, reason="the Pagefind program is not installed")]

WORDS = ("alder", "birch", "cedar", "damson", "elder", "fig", "ginkgo", "hazel", "juniper", "larch")
CONFIG = """\
title: Sharded search
base_url: https://example.org/museum/
language: en
languages: [en, fr]
timezone: Europe/Paris
"""


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sharded-search")
    files = {"museumsite.yaml": CONFIG}
    for number, word in enumerate(WORDS):
        files[f"content/posts/{word}.md"] = f"""
            ---
            title: Notes on the {word} tree
            date: 2024-03-{number + 1:02d}
            ---
            The lighthouse garden has a {word} planted by the keepers.
            """
        files[f"content/posts/{word}.fr.md"] = f"""
            ---
            title: Le {word} du jardin
            ---
            Le jardin du phare a un {word} planté par les gardiens.
            """
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_SIZE", 4)
        build(root, root / "www" / "museum", use_cache=False)
    return root / "www" / "museum"


@pytest.fixture(scope="module")
def sharded_url(sharded_site: Path) -> Iterator[str]:
    yield from serve(sharded_site.parent)  # the site lives under /museum/, as its base_url says


def results(driver: Any, url: str) -> tuple[str, list[str]]:
    """Open a search page with a query in its address; wait for the status line; (status, result links)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "search-status").text.strip())
    status = driver.find_element(By.ID, "search-status").text
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results li a")]
    return status, [urlsplit(link).path for link in links]


def test_a_query_finds_pages_from_every_shard_of_its_language(page: Any, sharded_site: Path, sharded_url: str) -> None:
    shards = json.loads((sharded_site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert len(shards["en"]) >= 3
    status, found = results(page, sharded_url + "/museum/search/?q=lighthouse")
    assert sorted(found) == sorted(f"/museum/posts/{word}/" for word in WORDS)
    assert "10" in status
    count = shard_count(len(WORDS), 4)
    assert len({shard_of(path.removeprefix("/museum/") + "index.html", count) for path in found}) >= 3
    asked = [urlsplit(u).path for u in requested_urls(page)]
    assert "/museum/pagefind/shards.json" in asked
    # Pagefind's script once, from the first shard (the merged shards' files are fetched by its worker).
    assert [p for p in asked if p.endswith("pagefind.js")] == [f"/museum/pagefind/{shards['en'][0]}pagefind.js"]
    # The French page searches the French pages only, in all their shards.
    status, found = results(page, sharded_url + "/museum/fr/search/?q=gardiens")
    assert sorted(found) == sorted(f"/museum/fr/posts/{word}/" for word in WORDS)
    _, found = results(page, sharded_url + "/museum/fr/search/?q=lighthouse")
    assert found == []
    _, found = results(page, sharded_url + f"/museum/search/?q={WORDS[7]}")
    assert found == [f"/museum/posts/{WORDS[7]}/"]


def test_the_demo_site_of_one_shard_is_searched_as_before(page: Any, demo_site: Path, demo_url: str) -> None:
    assert json.loads((demo_site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["ca"] == [""]
    assert not [p for p in (demo_site / "pagefind").iterdir() if p.is_dir() and p.name.isdigit()]
    status, found = results(page, demo_url + "/ca/search/?q=escafandre")
    assert found and all(path.startswith("/ca/") for path in found), (status, found)
    _, found = results(page, demo_url + "/search/?q=zzqqxx")
    assert found == []
