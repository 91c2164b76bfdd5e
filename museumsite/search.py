"""Stage 4c: the client-side search index, one per language, made by Pagefind.

Pagefind (the ``pagefind`` package from PyPI, with the binary from ``pagefind-bin``)
reads HTML and writes a static index that the browser queries in pieces: no server,
no third-party request. It keeps one index per ``<html lang>``, stemming each with its
own language, so ``/fr/search/`` searches the French pages and ``/ca/search/`` the
Catalan ones.

The index is made from the rendered pages *before* anything is written, and its
files become ordinary outputs: they go through the same atomic swap as the pages,
the output manifest lists them, and when a page changes the files of the old index
(Pagefind names them by content hash) are removed like any stale page. Only entry
pages (posts, pages, talks, speakers, events) are indexed, from their ``<main>``,
comments included; lists would repeat every summary in the results.

Pagefind writes the same files from the same pages, so the index is cached by a hash
of the pages it reads: a build whose entry pages did not change does not run it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from museumsite.errors import Problems
from museumsite.model import Output
from museumsite.plan import Job
from museumsite.urls import url_to_path

BUNDLE = "pagefind"  # the index folder in the output; the search page loads /pagefind/pagefind.js
# What is indexed of a page, and what is left out of it: navigation, heading permalinks (¶), the table of
# contents, the comment language filter, the search form itself.
ROOT_SELECTOR = "main"
EXCLUDE_SELECTORS = ("nav", ".toc", ".headerlink", ".translations", ".comment-filter", ".pagination", "form")
CACHE_VERSION = "4"
# Pagefind's ready-made interfaces: the search page has its own (theme/js/search.js), so these 400 KB
# (which carry their authors' e-mail addresses) are not published.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
# Pagefind also indexes the parts of "l'escafandre" and "d'accord" (so "escafandre" finds it), but only
# with the ASCII apostrophe; the typography pass writes the typographic one, so the copy it reads has ASCII.
TYPOGRAPHIC_APOSTROPHE = "\u2019".encode()


def indexed_paths(jobs: Iterable[Job]) -> set[str]:
    """The output paths of the pages a reader can find by searching: every entry page, no list or redirect."""
    return {url_to_path(job.url) for job in jobs if job.entry is not None and job.template != "redirect.html"}


def make_search_index(pages: list[Output], jobs: Iterable[Job], problems: Problems,
                      cache_dir: Path | None = None) -> list[Output]:
    """The Pagefind bundle for ``pages`` as outputs under ``pagefind/``; [] with an error if it cannot be made.

    ``cache_dir`` (``.museumsite-cache/search``) keeps the last index made, by the hash of
    the pages it was made from.
    """
    wanted = indexed_paths(jobs)
    chosen = sorted((page for page in pages if page.path in wanted), key=lambda page: page.path)
    if not chosen:  # Pagefind refuses to make an empty index; the search page then says it found nothing
        return []
    binary = pagefind_binary()
    if binary is None:
        problems.error("museumsite.yaml", None, "search needs the Pagefind program, which is not installed",
                       "install it with 'pip install pagefind[bin]', or turn search off with 'search: false'")
        return []
    key = _cache_key(chosen, binary)
    if cache_dir is not None and (cached := _read_cached(cache_dir / key)) is not None:
        return cached
    with tempfile.TemporaryDirectory(prefix="museumsite-search-") as tmp:
        site, bundle = Path(tmp) / "site", Path(tmp) / "bundle"
        for page in chosen:
            dest = site / page.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(page.data.replace(TYPOGRAPHIC_APOSTROPHE, b"'"))
        site.mkdir(exist_ok=True)
        command = [str(binary), "--site", str(site), "--output-path", str(bundle),
                   "--root-selector", ROOT_SELECTOR, "--silent"]
        for selector in EXCLUDE_SELECTORS:
            command += ["--exclude-selectors", selector]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not (bundle / "pagefind.js").is_file():
            message = (done.stderr or done.stdout).strip().splitlines()
            problems.error("museumsite.yaml", None,
                           f"Pagefind could not index the site: {message[-1] if message else 'no output'}",
                           "upgrade it with 'pip install -U pagefind[bin]', or turn search off with 'search: false'")
            return []
        _sort_entry(bundle / "pagefind-entry.json")
        for unused in bundle.glob("pagefind-*"):
            if unused.name.startswith(UNUSED):
                unused.unlink()
        outputs = _read_bundle(bundle)
        if cache_dir is not None:
            _write_cache(cache_dir, key, bundle)
    return outputs


def pagefind_binary() -> Path | None:
    """The Pagefind executable: $PAGEFIND_BINARY_PATH, the extended or plain binary package, or PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:  # the Python wrapper is missing: look for the binary packages ourselves
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        return Path(found) if found else None
    try:
        binary = get_executable()
    except FileNotFoundError:  # pagefind-bin installed without its program
        return None
    return binary if binary is not None and binary.is_file() else None


def _cache_key(pages: list[Output], binary: Path) -> str:
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False).stdout
    digest = hashlib.sha256(f"{CACHE_VERSION}\0{version}\0{ROOT_SELECTOR}\0{EXCLUDE_SELECTORS}\0".encode())
    for page in pages:
        digest.update(page.path.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(page.data).digest())
    return digest.hexdigest()[:32]


def _sort_entry(entry: Path) -> None:
    """Pagefind lists the languages in ``pagefind-entry.json`` in no fixed order: fix it, so that
    the same pages always give the same bytes (and an unchanged site rewrites nothing)."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["languages"] = dict(sorted(data.get("languages", {}).items()))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _read_bundle(bundle: Path) -> list[Output]:
    return [Output(path=f"{BUNDLE}/{path.relative_to(bundle).as_posix()}", data=path.read_bytes(),
                   origin="the search index (Pagefind)")
            for path in sorted(bundle.rglob("*")) if path.is_file()]


def _read_cached(folder: Path) -> list[Output] | None:
    if not (folder / "pagefind.js").is_file():
        return None
    return _read_bundle(folder)


def _write_cache(cache_dir: Path, key: str, bundle: Path) -> None:
    """Keep only the latest index: an older one is never asked for again once the pages changed."""
    try:
        if cache_dir.is_dir():
            shutil.rmtree(cache_dir)
        cache_dir.mkdir(parents=True)
        shutil.copytree(bundle, cache_dir / key)
    except OSError:  # a cache that cannot be written only costs time
        shutil.rmtree(cache_dir, ignore_errors=True)
