"""The import fixtures of tests/fixtures/import, as the import and journey tests use them, and leak readers."""

from __future__ import annotations

import gzip
import html
import json
import re
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml

from museumsite.content.load import parse_yaml, split_front_matter
from museumsite.render.search import RUNTIME

from support.paths import FIXTURES
from support.sites import run, snapshot

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


