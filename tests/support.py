"""Helpers shared by test modules: the sites they build, the corpora they read, the commands they run,
and reading a built site the way a reader's browser and feed reader would.

Test modules import from here, never from each other or from ``conftest`` (tests/test_architecture.py
checks it); ``conftest.py`` files hold fixtures only.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
import textwrap
import unicodedata
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import html5lib
import pytest
import yaml
from lxml import etree

from museumsite.cli import main
from museumsite.content.load import parse_yaml, split_front_matter
from museumsite.render.search import RUNTIME

REPO = Path(__file__).resolve().parent.parent
# The shared corpora (../shared beside the checkout); MUSEUMSITE_SHARED points elsewhere, e.g. to a
# folder that does not exist, to check that every test needing them skips instead of failing.
SHARED = Path(os.environ.get("MUSEUMSITE_SHARED") or REPO.parent / "shared")
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared(*parts: str) -> Path:
    """A file or folder of the shared corpora; skips the calling test, saying why, when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is absent: {path} is missing (set MUSEUMSITE_SHARED to the corpora's folder)")
    return path


def shared_files(folder: str, pattern: str = "*", slow: Collection[str] = ()) -> list[Any]:
    """Parameters for ``parametrize``: the corpus files matching ``pattern`` (``pytest.param``s named by file
    name, those named in ``slow`` marked slow), or one skipped parameter when the folder is absent, so that
    collection never fails."""
    path = SHARED / folder
    if not path.is_dir():
        return [pytest.param(path, id="shared-absent",
                             marks=pytest.mark.skip(reason=f"../shared is absent: {path} is missing"))]
    return [pytest.param(file, id=file.name, marks=[pytest.mark.slow] if file.name in slow else [])
            for file in sorted(path.glob(pattern))]


# -- sites -----------------------------------------------------------------------------------

BASE_CONFIG = """\
title: Test site
base_url: https://example.org/
language: en
languages: [en, fr]
timezone: Europe/Paris
posts_per_page: 2
"""

MakeSite = Callable[..., Path]


def write_site(root: Path, files: dict[str, str] | None = None, config: str = BASE_CONFIG) -> Path:
    """A site folder at ``root``: ``config`` as its museumsite.yaml, then ``files`` (path -> text, dedented)."""
    root.mkdir()
    (root / "museumsite.yaml").write_text(config, encoding="utf-8")
    (root / "content").mkdir()
    for rel, text in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


# A small but complete site: one event with two talks, two speakers, posts in two languages.
SMALL_SITE = {
    "content/events/conf.md": """
        ---
        title: Test Conference
        start: 2024-05-02
        end: 2024-05-03
        timezone: Europe/Paris
        venue: Hall
        city: Lyon
        ---
        The conference.
        """,
    "content/talks/opening.md": """
        ---
        title: Opening talk
        event: conf
        speakers: [ada, bob]
        start: 2024-05-02 09:00
        end: 2024-05-02 09:30
        room: Room A
        tags: [museums]
        slides:
          - title: Slides
            url: https://example.org/slides.pdf
        video: https://example.org/video
        ---
        First paragraph of the talk.

        <!--more-->

        More about the talk.
        """,
    "content/talks/closing.md": """
        ---
        title: Closing talk
        event: conf
        speakers: [ada]
        start: "17:00"
        end: "17:30"
        room: Room B
        ---
        Closing words.
        """,
    "content/speakers/ada.md": """
        ---
        name: Ada Lovelace
        affiliation: Analytical Society
        ---
        Ada's bio.
        """,
    "content/speakers/bob.md": """
        ---
        name: Bob Builder
        ---
        Bob's bio.
        """,
    "content/posts/hello.md": """
        ---
        title: Hello
        date: 2024-05-10
        tags: [news, museums]
        ---
        Intro paragraph.

        <!--more-->

        See [the opening](../talks/opening.md) and [Ada](../speakers/ada.md#bio).
        """,
    "content/posts/hello.fr.md": """
        ---
        title: Bonjour
        ---
        Paragraphe d'introduction.
        """,
    "content/posts/second.md": """
        ---
        title: Second post
        date: 2024-06-01
        tags: [news]
        ---
        Second.
        """,
    "content/posts/third.md": """
        ---
        title: Third post
        date: 2023-01-01
        ---
        Third.
        """,
    "content/pages/about.md": """
        ---
        title: About
        menu: 1
        ---
        About us.
        """,
}


# The demo site at the repository's root: its configuration and content (its theme is the package's).
DEMO_FILES = ("museumsite.yaml", "content")


def copy_demo(dest: Path) -> Path:
    """A copy of the repository's demo site at ``dest``: a build of it keeps its cache and output out of the checkout."""
    dest.mkdir(parents=True)
    for name in DEMO_FILES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, dest / name)
        else:
            shutil.copy2(REPO / name, dest / name)
    return dest


def snapshot(root: Path, skip: str | None = None) -> dict[str, bytes]:
    """Every file under ``root`` by relative path (a symlink as its target's name, not followed), except
    those under a folder named ``skip``: two snapshots are equal when the trees are byte-identical."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if skip is not None and skip in rel.parts:
            continue
        if path.is_symlink():
            found[rel.as_posix()] = os.readlink(path).encode()
        elif path.is_file():
            found[rel.as_posix()] = path.read_bytes()
    return found


# -- the command line ------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """``museumsite ARGS`` in this process: exit code, standard output and standard error (with whatever
    the test printed since it last read them)."""
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def run_code(*args: object) -> int:
    """``museumsite ARGS`` in this process; only its exit code (pytest's capture keeps its output)."""
    return main([str(a) for a in args])


# -- reading pages ---------------------------------------------------------------------------

# Attributes whose value a browser loads or follows as a URL.
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset",
                            "background", "cite", "longdesc", "data-embed", "data-file"})
# Attributes whose URL the browser fetches as soon as the page loads (no click).
LOAD_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data", "background"})
_LOADING_LINKS = frozenset({"stylesheet", "icon", "preload", "prefetch", "preconnect", "dns-prefetch",
                            "modulepreload", "manifest", "apple-touch-icon"})
_SQUASH = re.compile(r"[\x00-\x20\x7f]+")
_THEME_SCRIPT = re.compile(r"(?:/[\w.-]+)*/(theme/js|pagefind)/[\w.-]+\.js")


def walk(element: Any) -> Iterator[Any]:
    yield element
    for child in element:
        yield from walk(child)


def local_name(name: Any) -> str:
    name = name if isinstance(name, str) else name[1]
    return str(name).rsplit("}", 1)[-1]


def parse_html(data: bytes | str | Path) -> Any:
    """A page or fragment (its bytes, text or file) as an ElementTree, parsed as a browser would (html5lib)."""
    if isinstance(data, Path):
        data = data.read_bytes()
    return html5lib.parse(data, treebuilder="etree", namespaceHTMLElements=False)


def text_of(document: Any) -> str:
    """What a reader sees: every text node, except those of scripts and styles."""
    parts = []
    for element in walk(document):
        if isinstance(element.tag, str) and local_name(element.tag) not in ("script", "style"):
            parts.append(element.text or "")
        parts.append(element.tail or "")
    return "".join(parts)


def _urls(name: str, value: str) -> list[str]:
    """The URLs an attribute holds: ``srcset`` lists several, each followed by its size."""
    return value.split(",") if name == "srcset" else [value]


def _foreign(url: str, host: str) -> bool:
    """True when loading ``url`` asks another host than ``host`` (relative and site URLs do not)."""
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) and (parts.hostname or "") != host


def active_content(document: Any, host: str = "example.org") -> list[str]:
    """What would run or load by itself in a reader's browser, except the theme's own scripts.

    Scripts, event handlers, ``javascript:``/``vbscript:``/``data:`` URLs, frames and plugins,
    a ``style`` attribute or element carrying ``url(``/``expression(``, and anything fetched from
    another host than ``host`` when the page loads (images, media, style sheets, icons).
    """
    found = []
    for element in walk(document):
        if not isinstance(element.tag, str):
            continue
        tag = local_name(element.tag)
        if tag == "script":
            src = element.get("src", "")
            if element.get("type") == "application/ld+json":
                json.loads(element.text or "")  # structured data: JSON, whole (a break-out would cut it)
            elif not _THEME_SCRIPT.fullmatch(src) or (element.text or "").strip():
                found.append(f"script {src!r} {(element.text or '')[:60]!r}")
        if tag in ("iframe", "object", "embed", "svg", "math", "base", "frame", "applet"):
            found.append(f"<{tag}>")
        css = "".join(element.itertext()).lower() if tag == "style" else ""
        if any(token in css for token in ("<", "url(", "expression(", "javascript:", "@import", "\\")):
            found.append(f"<style> {css[:80]!r}")
        if tag == "link" and set(element.get("rel", "").lower().split()) & _LOADING_LINKS \
                and _foreign(element.get("href", ""), host):
            found.append(f"<link rel={element.get('rel')!r} href={element.get('href')!r}>")
        for name, value in element.attrib.items():
            name = local_name(name)
            squashed = _SQUASH.sub("", value).lower()
            if name.startswith("on"):
                found.append(f"{name}= on <{tag}>")
            if name == "style" and any(token in squashed for token in ("url(", "expression(", "javascript:")):
                found.append(f"style={value!r} on <{tag}>")
            if name == "content" and element.get("http-equiv", "").lower() == "refresh":
                squashed = squashed.partition("url=")[2]
                name = "href"  # the address a refresh goes to
            # A browser drops spaces, tabs and newlines from a URL before it reads the scheme;
            # "javascript:" later in a path (https://x/javascript:...) is only text.
            if name in URL_ATTRIBUTES and any(url.startswith(("javascript:", "vbscript:", "data:"))
                                              for url in _urls(name, squashed)):
                found.append(f"{name}={value!r} on <{tag}>")
            if name in LOAD_ATTRIBUTES and any(_foreign(url.strip().split(" ")[0], host)
                                               for url in value.split(",") if url.strip()):
                found.append(f"remote load {name}={value!r} on <{tag}>")
    return found


# Fields that readers take as HTML (or as Markdown, which passes HTML through): JSON Feed's
# content_html; a schedule's abstract, description and biography; Atom and RSS content. Titles,
# names and JSON Feed's summary are plain text by their specifications, shown as text.
HTML_FIELDS = frozenset({"content_html", "abstract", "description", "biography", "content", "summary", "encoded"})


def _carries_html(element: Any) -> bool:
    """An element of a feed or schedule whose text readers take as HTML, by its format's specification.

    Atom: content and summary of type html; RSS: an item's description and content:encoded (a
    channel's description is a plain-text phrase); schedules: abstracts, descriptions, biographies.
    """
    name = local_name(element.tag)
    if name in ("content", "summary") and element.get("type") in ("html", "xhtml"):
        return True
    if name == "description":
        parent = element.getparent()
        return parent is None or local_name(parent.tag) != "channel"
    return name in ("encoded", "abstract", "biography")


def _html_strings(value: Any, key: str = "") -> Iterator[str]:
    """Every string in a JSON document that readers take as markup."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _html_strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _html_strings(item, key)
    elif isinstance(value, str) and key in HTML_FIELDS - {"summary"} and "<" in value:
        yield value


def _json_urls(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("url", "external_url", "image", "banner_image", "icon", "favicon") and isinstance(item, str):
                yield item
            else:
                yield from _json_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_urls(item)


def active_content_in_file(path: Path, host: str = "example.org") -> list[str]:
    """``active_content`` of a built file: a page, or the HTML carried by an Atom/RSS/JSON feed."""
    data = path.read_bytes()
    if path.suffix == ".html":
        return active_content(parse_html(data), host)
    found: list[str] = []
    if path.suffix in (".xml", ".atom", ".rss") and data.lstrip().startswith(b"<"):
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            return [f"not well-formed XML: {exc}"]
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                if local_name(name) in ("href", "src", "url") and re.match(r"\s*(javascript|vbscript|data):",
                                                                             value, re.IGNORECASE):
                    found.append(f"{local_name(element.tag)} {name}={value!r}")
            if element.text and "<" in element.text and _carries_html(element):
                found += active_content(parse_html(element.text), host)
    elif path.suffix == ".json":
        try:
            document = json.loads(data)
        except ValueError:
            return found
        for markup in _html_strings(document):
            found += active_content(parse_html(markup), host)
        found += [f"url {url!r}" for url in _json_urls(document)
                  if re.match(r"\s*(javascript|vbscript|data):", url, re.IGNORECASE)]
    return found


def active_content_in_tree(output: Path, host: str = "example.org") -> dict[str, list[str]]:
    """Every built page and feed under ``output`` that carries active content, with what it carries."""
    found = {}
    for path in sorted(output.rglob("*")):
        if path.suffix in (".html", ".xml", ".atom", ".rss", ".json") and path.is_file() \
                and (hits := active_content_in_file(path, host)):
            found[path.relative_to(output).as_posix()] = hits
    return found


def fragments(site: Path) -> dict[str, dict[str, str]]:
    """language -> {url: indexed text}, decoded from the gzipped Pagefind fragment files of every shard."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted((site / "pagefind").glob("**/fragment/*")):
        data = gzip.decompress(path.read_bytes())
        record = json.loads(data[data.index(b"{"):])
        found.setdefault(path.name.split("_")[0], {})[record["url"]] = record["content"]
    return found

# -- importing: the fixtures of tests/fixtures/import, as the import tests use them ------------------

IMPORT_FIXTURES = FIXTURES / "import"
WXR = IMPORT_FIXTURES / "blog.wxr.xml"
UPLOADS = IMPORT_FIXTURES / "uploads"
WORDPRESS_CONFIG = """\
title: Bloc del museu
base_url: https://museu.example.cat/
language: ca
languages: [ca, en]
timezone: Europe/Madrid
"""
# Everything personal in our fixtures: none of it may be written anywhere.
PRIVATE = ("203.0.113.7", "198.51.100.23", "192.0.2.44", "203.0.113.99", "192.0.2.200", "192.0.2.66",
           "192.0.2.67", "192.0.2.88", "192.0.2.99", "198.51.100.5", "203.0.113.150", "192.0.2.151",
           "198.51.100.77", "198.51.100.78", "SecretBrowser", "akismet")
EMAIL = re.compile(rb"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def front_matter(path: Path) -> tuple[dict[str, Any], str]:
    front, line, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
    assert front is not None
    return parse_yaml(front, line)[0], body


def archive(path: Path) -> dict[Any, dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(data) == ["comments"]
    return {c["id"]: c for c in data["comments"]}


def assert_private(root: Path) -> None:
    """No e-mail address, IP address or user agent in any file under ``root``."""
    for rel, data in snapshot(root).items():
        assert not EMAIL.search(data), f"an e-mail address in {rel}"
        for secret in PRIVATE:
            assert secret.encode() not in data, f"{secret} in {rel}"


# The journey of a blog leaving WordPress and Disqus (tests/test_migration_journey.py).
JOURNEY = IMPORT_FIXTURES / "journey"
WXR_2019 = JOURNEY / "blog-2019.wxr.xml"
WXR_2020 = JOURNEY / "blog-2020.wxr.xml"
JOURNEY_DISQUS = JOURNEY / "disqus.xml"
VISIT = "content/comments/posts/visite-nocturne.yaml"


def comments_of(site: Path, rel: str = VISIT) -> tuple[dict[Any, dict[str, Any]], list[str]]:
    data = yaml.safe_load((site / rel).read_text(encoding="utf-8"))
    return {c["id"]: c for c in data["comments"]}, data.get("rejected", [])


def import_(capsys: pytest.CaptureFixture[str], site: Path, what: Path) -> str:
    if what == JOURNEY_DISQUS:
        code, out, err = run(capsys, "import", "disqus", what, "--site", site)
    else:
        code, out, err = run(capsys, "import", "wordpress", what, "--site", site, "--uploads", UPLOADS)
    assert code == 0, err
    files_line = next(line for line in out.splitlines() if line.strip().startswith("files:"))
    assert files_line.endswith(" 0 skipped"), out  # nothing skipped, ever
    return out


# -- what may never be published --------------------------------------------------------------

def readable(data: bytes, name: str) -> str:
    """Every text a reader or a program could decode from one file, NFC-normalised."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)  # the search index's fragments
    text = data.decode("utf-8", errors="replace")
    forms = [text]
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start >= 0:
        try:
            forms.append(json.dumps(json.loads(text[start:]), ensure_ascii=False))
        except ValueError:
            pass
    if name.endswith((".yaml", ".yml", ".md")):
        try:
            forms.extend(json.dumps(doc, ensure_ascii=False, default=str)
                         for doc in yaml.safe_load_all(text.replace("\n---\n", "\n...\n---\n")) if doc)
        except yaml.YAMLError:
            pass
    decoded = [html.unescape(html.unescape(form)) for form in forms] + [unquote(form) for form in forms]
    return unicodedata.normalize("NFC", "\n".join(forms + decoded + [unquote(d) for d in decoded]))


def leaks(folder: Path, secrets: list[str]) -> list[tuple[str, str]]:
    """(file, secret) for each secret readable in a file under ``folder``.

    Pagefind's own program (its scripts and WebAssembly modules, the same on every site)
    is skipped: its bytes hold short strings such as "E@" by chance.
    """
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "pagefind" in path.relative_to(folder).parts and (path.name in RUNTIME or path.name.startswith("wasm.")):
            continue
        text = readable(path.read_bytes(), path.name).casefold()
        found += [(path.relative_to(folder).as_posix(), s) for s in secrets
                  if unicodedata.normalize("NFC", s).casefold() in text]
    return found


# A comment form's JSON, with room for one more member.
FORM = '{{\n  "entry": "posts/hello",\n  "author": "Ann",\n  "body": "Hi",\n{extra}\n}}'


# -- hostile HTML ----------------------------------------------------------------------------

# Classic vectors, written out here so the behaviour is tested without ../shared.
OWN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<img src=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\" \x01javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"//evil.example/\">x</a>",
    "<a href=\"/\\evil.example/\">x</a>",
    "<svg onload=alert(1)>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object><embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<base href=\"javascript:alert(1)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<p title=\"</p><script>alert(1)</script>\">x</p>",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "\"><script>alert(1)</script>",
    "javascript:alert(1)",
    "<a href=\"https://ok.example/\" onmouseover=\"alert(1)\">x</a>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
]

_FORBIDDEN_ELEMENTS = {"script", "style", "iframe", "object", "embed", "svg", "math", "form",
                       "base", "meta", "link", "frame", "frameset", "applet", "template"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "style", "data",
                   "srcdoc", "background", "poster", "cite"}
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_BAD_CHARS = re.compile("[\x00-\x20\x7f-\x9f]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _local(name: str) -> str:
    """``{namespace}tag`` or ``{namespace}attr`` -> the bare name."""
    return name.rsplit("}", 1)[-1].lower()


def executable_constructs(markup: str) -> list[str]:
    """Everything in ``markup`` that a browser could run or that loads code or frames."""
    document = html5lib.parse(f"<!DOCTYPE html><html><head><title>t</title></head><body>{markup}",
                              treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for element in walk(document):
        if not isinstance(element.tag, str):
            continue  # comments
        tag = _local(element.tag)
        if tag in _FORBIDDEN_ELEMENTS or element.tag.startswith("{"):
            found.append(f"element <{tag}>")
        for raw_name, value in element.attrib.items():
            name = _local(raw_name if isinstance(raw_name, str) else raw_name[1])
            if name.startswith("on"):
                found.append(f"event handler {name}= on <{tag}>")
            if name in _URL_ATTRIBUTES or raw_name == "{http://www.w3.org/1999/xlink}href":
                squashed = _BAD_CHARS.sub("", value).lower()
                if (squashed.startswith(_BAD_SCHEMES) if name != "style"
                        else any(s in squashed for s in (*_BAD_SCHEMES, "expression("))):
                    found.append(f"{name}={value!r} on <{tag}>")
    if _CONTROL.search(markup):
        found.append("control character")
    return found



def corpus_payloads(path: Path) -> list[str]:
    """The payloads of one corpus file, in the formats SOURCES.md describes."""
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    if path.suffix == ".txt":
        return [line for line in text.splitlines() if line.strip()]
    if path.suffix == ".json":
        data = json.loads(text)
        return [item["input"] if isinstance(item, dict) else str(item) for item in data]
    if path.suffix == ".md":
        return [text, *re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.DOTALL)]
    return [text]


def xss_corpus_files() -> list[Any]:
    """Parameters: the payload files of ../shared/corpora/xss (one skipped parameter when it is absent)."""
    return [p for p in shared_files("corpora/xss") if p.values[0].suffix in {".txt", ".json", ".md", ".svg"}
            or not p.values[0].exists()]

