#!/usr/bin/env python3
"""E-mail address redaction figures: the shared corpora, the corpora with addresses added, hostile text.

    .venv/bin/python benchmarks/redaction.py

1. Corpora: each export of ``../shared/corpora/wxr`` and ``disqus`` imported into a
   fresh site (for Disqus, one post per thread, found by its old path), then built.
   Printed: the addresses in the file (any field: the export's own e-mail fields
   included), those in what an import publishes (comment bodies, authors, URLs), how
   many the import cut, and how many of the file's addresses are readable in a file
   the import wrote or the build published (tests/test_redact.py's reader: raw,
   entity-, percent-, JSON- and YAML-decoded, gzip opened). Addresses in the site's own
   posts are kept on purpose and counted apart.
2. The same corpora with an address added to every comment body and author name, in
   turn in each spelling the redaction knows (Unicode and quoted local parts, IDN
   domains, character references, mailto links, URL user names). A leak is an added
   address readable anywhere after the import or the build.
3. Hostile text: the time ``redact_text`` and ``redact_html`` take on 1 MB built to
   make an address search slow, and ``comments add`` of a form whose body is 1 MB of
   address-like text (a child process: wall time and peak memory).

Nothing is asserted: the figures are printed (tests/test_redact.py and the fuzzers assert).
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
sys.path[:0] = [str(REPO / "tests")]

from test_redact import leaks

from museumsite.build import build
from museumsite.errors import MuseumError
from museumsite.importers.disqus import import_disqus
from museumsite.importers.wordpress.importer import import_wordpress
from museumsite.importers.wordpress.wxr import read_wxr
from museumsite.importers.xmlread import local, read_xml, text_of
from museumsite.redact import find, redact_html, redact_text
from museumsite.sanitize import clean_html

CONFIG = "title: T\nbase_url: https://example.org/\nlanguage: en\nlanguages: [en, fr, ca]\ntimezone: UTC\n"


def new_site(folder: Path, thread_paths: list[str]) -> Path:
    site = folder / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "museumsite.yaml").write_text(CONFIG, encoding="utf-8")
    for number, path in enumerate(thread_paths):
        (site / "content" / "posts" / f"t{number}.md").write_text(
            f"---\ntitle: T{number}\ndate: 2010-01-01\naliases: [{json.dumps(path)}]\n---\nText.\n", encoding="utf-8")
    return site


def thread_paths(export: Path) -> list[str]:
    root = read_xml(export, str(export))
    links = {text_of(next((c for c in el if local(c.tag)[1] == "link"), None)).strip()
             for el in root if local(el.tag)[1] == "thread"}
    paths = {re.sub(r"/{2,}", "/", re.sub(r"^[a-z]+://[^/]+", "", link).split("?")[0].split("#")[0])
             for link in links if link}
    paths = {re.sub(r"/index\.html?$", "/", p) for p in paths}
    return sorted(p if p.endswith("/") else p + "/" for p in paths if p.startswith("/") and p != "/")


def published_fields(export: Path, kind: str) -> tuple[list[str], list[str]]:
    """(comment bodies, authors and URLs) and (post bodies) as the export holds them."""
    if kind == "wxr":
        data = read_wxr(export, str(export))
        comments = [t for item in data.items for c in item.comments for t in (c.content, c.author, c.author_url)]
        return comments, [item.content for item in data.items]
    root = read_xml(export, str(export))
    texts = [text_of(el).strip() for post in root if local(post.tag)[1] == "post"
             for el in post.iter() if local(el.tag)[1] in ("message", "name", "username")]
    return texts, []


def addresses_in(texts: list[str]) -> list[str]:
    return [text[s:e] for text in texts for s, e in find(text)]


def run_import(kind: str, export: Path) -> tuple[int, int, int, str]:
    """(addresses cut, of the file's addresses: readable after import, after build; error)."""
    raw = export.read_text(encoding="utf-8", errors="replace")
    secrets = sorted({re.sub(r"^mailto:|[<>]", "", raw[s:e]) for s, e in find(raw)})
    with tempfile.TemporaryDirectory() as folder:
        site = new_site(Path(folder), thread_paths(export) if kind == "disqus" else [])
        try:
            report = (import_wordpress if kind == "wxr" else import_disqus)(export, site)
        except MuseumError as exc:
            return 0, 0, 0, str(exc).splitlines()[0][:70]
        written = len({s for _, s in leaks(site / "content", secrets)})
        build(site, site / "_site", drafts=True, use_cache=False)
        published = len({s for _, s in leaks(site / "_site", secrets)})
        return sum(report.redacted.values()), written, published, ""


SPELLINGS: list[Callable[[str, str], str]] = [
    lambda local, domain: f"{local}@{domain}",
    lambda local, domain: f"{local}&#64;{domain}",
    lambda local, domain: "".join(f"&#{ord(c)};" for c in f"{local}@{domain}"),
    lambda local, domain: f'<a href="mailto:{local}@{domain}">{local}@{domain}</a>',
    lambda local, domain: f'<a href="mailto:{local}@{domain}?subject=Hola">escriu-me</a>',
    lambda local, domain: f'"{local} bis"@{domain}',
    lambda local, domain: f"https://{local}@{domain}/cv",
    lambda local, domain: f"&lt;{local}@{domain}&gt;",
]


def with_addresses(raw: str, kind: str) -> tuple[str, list[str]]:
    """``raw`` with an address in front of every comment body and author name; and those addresses."""
    added: list[str] = []

    def add(match: re.Match[str]) -> str:
        number = len(added)
        local, domain = f"visitant{number}.ñú", f"exämple{number}.cat"
        spelled = SPELLINGS[number % len(SPELLINGS)](local, domain)
        added.append(f"{local}@{domain}" if "bis" not in spelled else f'"{local} bis"@{domain}')
        return match.group(0) + escape(spelled + " ")

    tags = (r"<wp:comment_content>", r"<wp:comment_author>") if kind == "wxr" else (r"<message>", r"<name>")
    return re.sub("|".join(tags), add, raw), added


def injected(kind: str, export: Path) -> tuple[int, int, int, int]:
    """(addresses added, cut by the import, readable after the import, after the build)."""
    text, added = with_addresses(export.read_text(encoding="utf-8", errors="replace"), kind)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / export.name
        copy.write_text(text, encoding="utf-8")
        site = new_site(Path(folder), thread_paths(copy) if kind == "disqus" else [])
        try:
            report = (import_wordpress if kind == "wxr" else import_disqus)(copy, site)
        except MuseumError:
            return len(added), 0, 0, 0
        written = len({s for _, s in leaks(site / "content", added)})
        build(site, site / "_site", drafts=True, use_cache=False)
        return len(added), sum(report.redacted.values()), written, len({s for _, s in leaks(site / "_site", added)})


def corpora() -> None:
    print("1. Corpora: addresses in the file / in published fields (comments; posts kept) / cut by the import / "
          "readable after import / after build")
    for kind, folder in (("wxr", "wxr"), ("disqus", "disqus")):
        for export in sorted((SHARED / "corpora" / folder).glob("*.xml")):
            raw = export.read_text(encoding="utf-8", errors="replace")
            try:
                comments, posts = published_fields(export, kind)
            except MuseumError:
                comments, posts = [], []
            cut, written, published, error = run_import(kind, export)
            print(f"  {export.name:45} {len(find(raw)):3} | {len(addresses_in(comments)):2} "
                  f"(posts {len(addresses_in(posts))}) | {cut:2} | {written} | {published}"
                  + (f"  refused: {error}" if error else ""))
    print("\n2. Corpora with an address in every comment body and author name: added / cut / "
          "readable after import / after build")
    for kind, folder in (("wxr", "wxr"), ("disqus", "disqus")):
        for export in sorted((SHARED / "corpora" / folder).glob("*.xml")):
            added, cut, written, published = injected(kind, export)
            if added:
                print(f"  {export.name:45} {added:3} | {cut:3} | {written} | {published}")


HOSTILE = {
    "'@' x 1M": "@" * 1_000_000,
    "'a@' x 500k": "a@" * 500_000,
    "'a@b.' x 250k": "a@b." * 250_000,
    "'a@b.c1 ' x 140k (all addresses)": "a@b.c1 " * 140_000,
    "'a@b.c' x 200k (one long address)": "a@b.c" * 200_000,
    "'&#64;' x 200k": "&#64;" * 200_000,
    "'x [at] ' x 140k": "x [at] " * 140_000,
    "'a@b .cd ' x 125k (split by a space)": "a@b .cd " * 125_000,
    "'@' + '  .' x 330k": "@" + "  ." * 330_000,
    "RLO + 'gro.elpmaxe@a ' x 60k (shown backwards)": "\u202egro.elpmaxe@a " * 60_000,
    "'\"@' x 500k": '"@' * 500_000,
    "('a' x 1000 + '@') x 1000": ("a" * 1000 + "@") * 1000,
    "'[x](mailto:a@b.cd) ' x 50k": "[x](mailto:a@b.cd) " * 50_000,
}


def hostile() -> None:
    print("\n3. Hostile text, about 1 MB each: redact_text / redact_html (seconds, addresses cut)")
    for name, text in HOSTILE.items():
        started = time.perf_counter()
        _, cut = redact_text(text)
        as_text = time.perf_counter() - started
        fragment = clean_html(f"<p>{text.replace('<', ' ')}</p>")
        started = time.perf_counter()
        _, cut_html = redact_html(fragment)
        print(f"  {name:38} {as_text:5.2f} s ({cut}) / {time.perf_counter() - started:5.2f} s ({cut_html})")
    for what, body in (("words", "hello world " * 80_000), ("'[at]' spellings", "hello [at] world.org " * 45_000),
                       ("addresses", "a@b.c1 " * 140_000)):
        with tempfile.TemporaryDirectory() as folder:
            site = new_site(Path(folder), ["/p/"])
            form = Path(folder) / "c.json"
            form.write_text(json.dumps({"entry": "posts/t0", "author": "A", "body": body}))
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "museumsite", "comments", "add", str(form), "--site",
                                   str(site)], capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            notes = [line.strip() for line in done.stdout.splitlines() if "cut" in line]
            print(f"  comments add, a {form.stat().st_size / 1e6:.2f} MB form body of {what}: exit {done.returncode}, "
                  f"{wall:.2f} s, peak so far {peak:.0f} MB; {'; '.join(notes) or done.stderr.strip()[:100]}")


def main() -> int:
    if not (SHARED / "corpora").is_dir():
        print(f"{SHARED / 'corpora'} is missing: the shared corpora sit next to the repository", file=sys.stderr)
        return 2
    corpora()
    hostile()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
