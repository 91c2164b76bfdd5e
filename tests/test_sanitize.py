"""The sanitizer: hostile payloads through every entry point, parsed the way browsers do.

Each payload goes in as an HTML body (``clean_html``), as a name or title
(``clean_text`` then a Jinja template with autoescape, as the theme renders it), and as
a URL (``safe_url``, then into an ``href``). The output is parsed with html5lib and must
hold nothing executable. The corpus in ``../shared/corpora/xss/`` is used when present;
the small list below covers the same ground without it.
"""

from __future__ import annotations

from pathlib import Path

import html5lib
import jinja2
import pytest

from museumsite.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    clean_html,
    clean_text,
    safe_url,
)

from support import OWN_PAYLOADS, corpus_payloads, executable_constructs, walk, xss_corpus_files


def outside_allow_list(markup: str) -> list[str]:
    """Elements and attributes of ``clean_html`` output that the policy does not allow."""
    fragment = html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for element in walk(fragment):
        if not isinstance(element.tag, str) or element.tag == "DOCUMENT_FRAGMENT":
            continue
        if element.tag not in ALLOWED_TAGS:
            found.append(f"<{element.tag}>")
        allowed = (ALLOWED_ATTRIBUTES.get(element.tag, set()) | ALLOWED_ATTRIBUTES["*"]
                   | ({"rel"} if element.tag == "a" else set()))
        found += [f"{element.tag}[{name}]" for name in element.attrib if name not in allowed]
        if element.tag == "img" and not element.attrib.get("src", "/").startswith("/"):
            found.append(f"remote image {element.attrib['src']!r}")
        if element.tag == "a" and element.attrib.get("rel") != LINK_REL:
            found.append(f"link without rel: {element.attrib}")
    return found


_PAGE = jinja2.Environment(autoescape=True).from_string(
    "<!DOCTYPE html><html><head><title>{{ name }}</title></head><body>"
    "<p class=\"author\" title=\"{{ name }}\">{{ name }}</p>"
    "{% if url %}<a href=\"{{ url }}\" rel=\"nofollow ugc noopener\">{{ name }}</a>{% endif %}"
    "</body></html>"
)
_LINK = jinja2.Environment(autoescape=True).from_string('<a href="{{ url }}">x</a>')


def render_author(name: str, url: str) -> str:
    """A comment's author as the theme shows it: name escaped, URL linked only when safe."""
    return _PAGE.render(name=clean_text(name), url=safe_url(url, site_paths=False))


def leaks(payload: str) -> list[str]:
    """What gets through any entry point, labelled by entry point; empty when all is well."""
    body = clean_html(payload)
    problems = [f"body: {p}" for p in executable_constructs(body) + outside_allow_list(body)]
    problems += [f"author: {p}" for p in executable_constructs(render_author(payload, payload))]
    for site_paths in (True, False):
        url = safe_url(payload, site_paths=site_paths, mailto=True)
        if url is not None:
            problems += [f"url: {p}" for p in executable_constructs(_LINK.render(url=url))]
    return problems



@pytest.mark.parametrize("path", xss_corpus_files())
def test_corpus_payloads_leak_nothing_through_any_entry_point(path: Path) -> None:
    payloads = corpus_payloads(path)
    assert payloads, f"no payloads read from {path.name}"
    failures = {p: found for p in payloads if (found := leaks(p))}
    assert not failures, f"{len(failures)} of {len(payloads)} payloads leak: " + repr(
        list(failures.items())[:5])


@pytest.mark.parametrize("payload", OWN_PAYLOADS)
def test_classic_payloads_leak_nothing(payload: str) -> None:
    assert leaks(payload) == []


def test_the_checker_itself_sees_each_kind_of_leak() -> None:
    # A checker that finds nothing proves nothing: show it catches what it looks for.
    assert executable_constructs("<script>x</script>")
    assert executable_constructs("<svg></svg>")
    assert executable_constructs("<p onclick=x>")
    assert executable_constructs('<a href=" java&#x09;script:x">')
    assert executable_constructs('<img src="DATA:text/html,x">')
    assert executable_constructs("a\x01b")
    assert outside_allow_list('<p class="x">') == ["p[class]"]
    assert outside_allow_list('<img src="https://t.example/p.gif">')
    assert not leaks("<p>fine</p>")


# --- what survives --------------------------------------------------------------------


def test_links_keep_href_and_get_rel() -> None:
    assert clean_html('<a href="https://example.org/a?b=1&amp;c=2" title="T">x</a>') == (
        '<a href="https://example.org/a?b=1&amp;c=2" title="T" rel="nofollow ugc noopener">x</a>')


def test_mailto_site_paths_and_comment_anchors_are_kept() -> None:
    out = clean_html('<a href="mailto:ada@example.org">m</a> <a href="/talks/x/">t</a> '
                     '<a href="#comment-12">c</a>')
    assert 'href="mailto:ada@example.org"' in out
    assert 'href="/talks/x/"' in out
    assert 'href="#comment-12"' in out


def test_unsafe_hrefs_are_dropped_but_the_link_text_stays() -> None:
    for href in ["javascript:alert(1)", "//evil.example/", "ftp://x.example/", "data:,x",
                 "relative/path"]:
        assert clean_html(f'<a href="{href}">text</a>') == '<a rel="nofollow ugc noopener">text</a>'


def test_structure_and_text_survive() -> None:
    source = ("<p>Un <em>très</em> bon <strong>exposé</strong>.</p>"
              "<blockquote cite=\"https://example.org/\"><p>Cited</p></blockquote>"
              "<pre><code>x = 1 &lt; 2</code></pre>"
              "<ul><li>one</li></ul><ol start=\"3\"><li>three</li></ol>"
              "<dl><dt>term</dt><dd>def</dd></dl>"
              "<h2>Part</h2><p><abbr title=\"HyperText\">HTML</abbr> <q>quote</q><br>"
              "<code>&lt;script&gt;</code> a &amp; b</p>")
    assert clean_html(source) == source


def test_h1_style_class_and_unknown_tags_lose_their_markup_not_their_text() -> None:
    out = clean_html('<h1>Title</h1><div class="staff" style="color:red" id="x" lang="fr">'
                     'Hi <span title="t">there</span></div>')
    assert out == "TitleHi there"


def test_script_and_style_content_is_dropped_with_the_tag() -> None:
    assert clean_html("a<script>alert(1)</script>b<style>p{}</style>c<svg><text>s</text></svg>") == "abc"


def test_remote_images_become_links_and_local_images_stay() -> None:
    assert clean_html('<img src="https://tracker.example/p.gif" alt="A cat">') == (
        '<a href="https://tracker.example/p.gif" rel="nofollow ugc noopener">A cat</a>')
    assert clean_html('<img src="/images/cat.jpg" alt="A cat" width="10">') == (
        '<img src="/images/cat.jpg" alt="A cat" width="10">')
    # Inside a link, a remote image leaves its alt text (no link inside a link).
    assert clean_html('<a href="/x/"><img src="https://t.example/i.png" alt="cat"></a>') == (
        '<a href="/x/" rel="nofollow ugc noopener">cat</a>')
    # No usable source and no alt: nothing is left.
    assert clean_html('<img src="javascript:alert(1)">') == ""


def test_control_characters_are_removed_first() -> None:
    assert clean_html("a\x00b\x0b\x0c\x1b[0m\x7fc\x85<b>d</b>\ttab\r\n") == "ab[0mc<b>d</b>\ttab\n"
    assert clean_html('<a href="java\x01script:alert(1)">x</a>') == (
        '<a rel="nofollow ugc noopener">x</a>')


def test_clean_text_keeps_text_verbatim_except_controls() -> None:
    assert clean_text("Ada <b>&amp;</b> \"Bob\"\x00\x1b\t") == "Ada <b>&amp;</b> \"Bob\"\t"
    assert clean_text("Núria Solé i Pérez") == "Núria Solé i Pérez"


@pytest.mark.parametrize("url", [
    "https://example.org/", "http://example.org", "HTTPS://Example.org/a?b#c",
    "https://xn--caf-dma.example/", "https://example.org:8080/p",
])
def test_safe_url_accepts_web_urls(url: str) -> None:
    assert safe_url(url) == url
    assert safe_url(f"  {url}\n") == url


@pytest.mark.parametrize("url", [
    "", " ", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "\x01javascript:alert(1)", "vbscript:msgbox(1)", "data:text/html,x",
    "//evil.example/", "/\\evil.example/", "\\\\evil.example\\", "https:\\\\evil.example",
    "http:evil.example", "http:///path", "https://user:pw@bank.example@evil.example/",
    "https://bank.example@evil.example/", "https://example.org:port/", "https://exa mple.org/",
    "https://example.org/\x00", "ftp://example.org/", "relative/path", "#frag", "mailto:a@b.example",
])
def test_safe_url_refuses(url: str) -> None:
    assert safe_url(url) is None


def test_safe_url_site_paths_and_mailto_are_opt_in_and_opt_out() -> None:
    assert safe_url("/talks/keynote/") == "/talks/keynote/"
    assert safe_url("/talks/keynote/", site_paths=False) is None
    assert safe_url("mailto:ada@example.org", mailto=True) == "mailto:ada@example.org"
    assert safe_url("mailto:", mailto=True) is None


def test_author_names_are_escaped_by_the_template_not_mangled() -> None:
    page = render_author("<b>Ada</b> & \"Bob\"", "javascript:alert(1)")
    assert "&lt;b&gt;Ada&lt;/b&gt; &amp; &#34;Bob&#34;" in page
    assert "<a " not in page
    assert 'href="https://ada.example/"' in render_author("Ada", " https://ada.example/ ")
