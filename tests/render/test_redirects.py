"""Old addresses (an imported blog's permalinks) lead to the new pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import html5lib
import pytest

from museumsite.build import build
from museumsite.errors import BuildError

from support import SMALL_SITE, MakeSite


def test_aliases_become_redirect_pages_outside_the_sitemap(make_site: MakeSite) -> None:
    post = ("---\ntitle: Moved\ndate: 2024-01-01\naliases: [/2009/10/moved/, /old/moved.html]\n---\nText.\n")
    site = make_site({**SMALL_SITE, "content/posts/moved.md": post})
    build(site)
    for path in ("2009/10/moved/index.html", "old/moved.html"):
        tree = html5lib.parse((site / "_site" / path).read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
        canonical = [link.get("href") for link in tree.iter("link") if link.get("rel") == "canonical"]
        refresh = [m.get("content") for m in tree.iter("meta") if m.get("http-equiv") == "refresh"]
        assert canonical == ["https://example.org/posts/moved/"]
        assert refresh == ["0; url=/posts/moved/"]
        assert [a.get("href") for a in tree.iter("a")] == ["/posts/moved/"]
    sitemap = (site / "_site/sitemap.xml").read_text(encoding="utf-8")
    assert "2009/10/moved" not in sitemap and "/posts/moved/" in sitemap
    ET.fromstring(sitemap)


@pytest.mark.parametrize("alias", ["https://old.example/x/", "/a/../../etc/", "/?p=12", "relative/"])
def test_an_alias_outside_the_site_is_an_error_at_its_line(make_site: MakeSite, alias: str) -> None:
    post = f"---\ntitle: Moved\ndate: 2024-01-01\naliases:\n  - \"{alias}\"\n---\nText.\n"
    site = make_site({**SMALL_SITE, "content/posts/moved.md": post})
    with pytest.raises(BuildError) as caught:
        build(site)
    assert [str(p).split("\n")[0] for p in caught.value.problems] == [
        f"content/posts/moved.md:5: alias '{alias}' is not a path of this site"]


def test_an_alias_on_an_existing_page_leaves_the_page_with_a_warning(make_site: MakeSite) -> None:
    post = "---\ntitle: Moved\ndate: 2024-01-01\naliases: [/about/, /tags/]\n---\nText.\n"
    site = make_site({**SMALL_SITE, "content/posts/moved.md": post})
    result = build(site)
    shown = [str(w).split("\n")[0] for w in result.warnings]
    assert "content/posts/moved.md:4: warning: alias /about/ is a page of this site; no redirect is made there" in shown
    tree = html5lib.parse((site / "_site/about/index.html").read_bytes(), treebuilder="etree",
                          namespaceHTMLElements=False)
    assert not [m for m in tree.iter("meta") if m.get("http-equiv") == "refresh"], "the page stays"


def test_the_404_page_names_no_address_of_its_own(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    tree = html5lib.parse((site / "_site/404.html").read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    assert not [link for link in tree.iter("link") if link.get("rel") == "canonical"]
    assert not [m for m in tree.iter("meta") if m.get("property") == "og:url"]
