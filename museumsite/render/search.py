"""Stage 4c: the client-side search index, one per language, made by Pagefind, in shards.

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

Pagefind has no incremental mode: it reads every page it is given, about 2 ms of CPU
each. So the pages of a site with more than SHARD_SIZE of them are split into shards, by
language, then by a hash of their output path (stable whatever the rendering order), one
shard per ~SHARD_SIZE pages of a language. Each shard is a Pagefind bundle of its own,
cached by a hash of its own pages, and an edit re-runs Pagefind over one shard only. The
search page loads the first shard of its language and merges the others into it in the
browser (``mergeIndex``): splitting by language first keeps a search page from fetching
the shards of the other languages (each merged shard costs a request per word searched).

Layout: a site of one shard has the whole bundle in ``/pagefind/``, as it always had; a
sharded one has ``/pagefind/<lang>-<n>/`` (``en-0``, ``en-1``, ``fr-0``...). In both,
``/pagefind/shards.json`` maps each language of the index to its shards, in order,
relative to ``/pagefind/`` (``{"en": ["en-0/", "en-1/"], ...}``, or ``{"en": [""], ...}``).
Pagefind's script, worker and language module are fetched from the first shard of a
language only, so the other shards publish only their index files.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from museumsite.content.stat import DigestMemo
from museumsite.errors import Problems
from museumsite.incremental.shards import BUNDLE as CACHE_BUNDLE
from museumsite.incremental.shards import FileKey, ShardCache, forget
from museumsite.markup.pool import cores
from museumsite.model import Output
from museumsite.render.plan import Job
from museumsite.urls import url_to_path

BUNDLE = "pagefind"  # the index folder in the output; the search page loads /pagefind/shards.json first
SHARDS_FILE = "shards.json"
OFF = "turn search off with 'search: false'"  # the way out every problem of the index ends its hint with
# About this many indexed pages per shard, and at most so many shards per language: each costs the search page
# two small requests when it loads, and one per word searched. Pagefind takes ~2 ms a page, so an edit re-indexes
# its shard in ~0.25 s at 1,000 posts (5 English shards there). The cap is the count that the English pages of a
# 10,000-post blog had with shards of 250 (24): past 24 x 125 pages of a language the shards grow instead, so no
# search page merges more shards than one already did.
SHARD_SIZE = 125
MAX_SHARDS = 24
# What is indexed of a page, and what is left out of it: navigation, heading permalinks (¶), the table of
# contents, the comment language filter, the search form itself.
ROOT_SELECTOR = "main"
EXCLUDE_SELECTORS = ("nav", ".toc", ".headerlink", ".translations", ".comment-filter", ".pagination", "form")
CACHE_VERSION = "6"
# Pagefind's ready-made interfaces: the search page has its own (theme/js/search.js), so these 400 KB
# (which carry their authors' e-mail addresses) are not published.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
# What the search page fetches from the first shard of its language only: the script, its worker and
# the language's WebAssembly module (wasm.<language>.pagefind).
RUNTIME = ("pagefind.js", "pagefind-worker.js")
# Pagefind also indexes the parts of "l'escafandre" and "d'accord" (so "escafandre" finds it), but only
# with the ASCII apostrophe; the typography pass writes the typographic one, so the copy it reads has ASCII.
TYPOGRAPHIC_APOSTROPHE = "\u2019".encode()


@dataclass(frozen=True, slots=True)
class Shard:
    """Some of the indexed pages, indexed together; ``key`` names its cached bundle."""

    name: str  # "" for the one shard of a small site, else "<lang>-<n>"
    pages: tuple[Output, ...]
    key: str

    @property
    def prefix(self) -> str:
        """Where its files go in the output, and (after ``/pagefind/``) in shards.json."""
        return f"{self.name}/" if self.name else ""


def indexed_paths(jobs: Iterable[Job]) -> dict[str, str]:
    """The output paths of the pages a reader can find by searching (every entry page, no list or
    redirect), with their languages."""
    return {url_to_path(job.url): job.lang for job in jobs if job.entry is not None and job.template != "redirect.html"}


def shard_count(pages: int, shard_size: int = SHARD_SIZE) -> int:
    """How many shards for so many indexed pages: fixed thresholds, so the same pages give the same split."""
    if pages <= shard_size:
        return 1
    return min(MAX_SHARDS, -(-pages // shard_size))


def shard_of(path: str, count: int) -> int:
    """The shard of the page at ``path``: a hash of the path, so a page stays in its shard while it exists."""
    return int.from_bytes(hashlib.sha256(path.encode("utf-8")).digest()[:8], "big") % count


def make_search_index(pages: list[Output], jobs: Iterable[Job], problems: Problems,
                      cache: ShardCache | None = None, *, shard_size: int | None = None) -> list[Output]:
    """The Pagefind bundles for ``pages`` as outputs under ``pagefind/``; [] with an error if they cannot be made.

    ``cache`` (``.museumsite-cache/search``, incremental/shards.py) keeps the bundle of each
    shard of the last build, in a folder named by the hash of the shard's pages; Pagefind runs
    only for the shards without one, or whose kept one is damaged. ``shard_size`` (default SHARD_SIZE) is
    the pages per shard.
    """
    cache = cache or ShardCache()
    wanted = indexed_paths(jobs)
    chosen = sorted((page for page in pages if page.path in wanted), key=lambda page: page.path)
    if not chosen:  # Pagefind refuses to make an empty index; the search page then says it found nothing
        return [_shards_output({})]
    binary = pagefind_binary()
    if binary is None:
        problems.error("museumsite.yaml", None, "search needs the Pagefind program, which is not installed",
                       f"install it with 'pip install pagefind[bin]', or {OFF}")
        return []
    try:
        version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False).stdout
    except OSError as exc:  # not executable, another machine's program: the CLI would blame a folder
        problems.error("museumsite.yaml", None, f"search cannot run the Pagefind program {binary}: {exc.strerror}",
                       "make it executable (chmod +x), install it again with 'pip install --force-reinstall "
                       f"pagefind[bin]', point PAGEFIND_BINARY_PATH at a working one, or {OFF}")
        return []
    known = cache.parts()
    parts: DigestMemo = {}
    shards = _split(chosen, wanted, version, SHARD_SIZE if shard_size is None else shard_size, cache.salt,
                    lambda page: _part_digest(page, known, parts))
    if parts:  # a serve session's pages are in memory, not files: the last build's record stays for the next
        cache.keep_parts(parts)
    bundles = _bundles(shards, binary, cache, problems)
    return [] if bundles is None else _outputs(shards, bundles)


def _bundles(shards: list[Shard], binary: Path, cache: ShardCache,
             problems: Problems) -> dict[str, dict[str, bytes]] | None:
    """Each shard's bundle, by shard name: kept, or made by Pagefind; None with an error when it failed.

    Pagefind starts on the shards without a kept bundle before the kept ones are read (an edit's one shard
    takes 0.25-0.35 s; reading the others' ~1,000 files meanwhile is off that path). A kept bundle found
    damaged only then is indexed after them. The first failure in the shards' order is reported, and the
    runs not started yet are cancelled.
    """
    missing = [shard for shard in shards if not cache.holds(shard.key)]
    stale = cache.stale({shard.key for shard in shards})
    bundles: dict[str, dict[str, bytes]] = {}
    with ThreadPoolExecutor(max_workers=cores() + 1) as pool:  # threads start as runs are submitted
        forgotten = pool.submit(forget, stale)  # while Pagefind runs: deleting a shard's files takes a while
        running = {shard.name: pool.submit(_run_pagefind, shard, binary, cache) for shard in missing}
        for shard in shards:
            if shard.name not in running and (cached := cache.read(shard.key)) is not None:
                bundles[shard.name] = cached
        running.update({shard.name: pool.submit(_run_pagefind, shard, binary, cache) for shard in shards
                        if shard.name not in running and shard.name not in bundles})
        forgotten.result()
        for shard in shards:
            if shard.name not in running:
                continue
            files, failure = running[shard.name].result()
            if files is None:
                problems.error("museumsite.yaml", None, f"Pagefind could not index the site: {failure}",
                               f"upgrade it with 'pip install -U pagefind[bin]', or {OFF}")
                pool.shutdown(cancel_futures=True)
                return None
            bundles[shard.name] = files
    return bundles


def pagefind_binary() -> Path | None:
    """The Pagefind executable: $PAGEFIND_BINARY_PATH, the extended or plain binary package, or PATH.

    The order of ``pagefind.service.get_executable``, whose module is not imported: it loads asyncio
    (about 55 ms of every build) for a service this module does not use.
    """
    given = os.environ.get("PAGEFIND_BINARY_PATH")
    if given is not None:
        return Path(given) if Path(given).is_file() else None
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            found = importlib.import_module(package).get_executable()
        except ImportError:
            continue
        except FileNotFoundError:  # the binary package installed without its program
            return None
        return found if isinstance(found, Path) and found.is_file() else None
    external = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(external) if external else None


def _split(pages: list[Output], langs: dict[str, str], version: str, shard_size: int, salt: str,
           part: Callable[[Output], bytes]) -> list[Shard]:
    """The shards of ``pages`` (sorted by path) in order, each keyed by Pagefind's ``version``, its options, the
    build's (``salt``) and its pages (``part``: the digest of what Pagefind reads of one): one for a small
    site, else by language (``langs``: path -> language), then by path hash."""
    groups: dict[tuple[str, int], list[Output]] = {}
    if len(pages) <= shard_size:
        groups[("", 0)] = pages
    else:
        by_lang: dict[str, list[Output]] = {}
        for page in pages:
            by_lang.setdefault(langs[page.path].lower(), []).append(page)
        for lang, group in sorted(by_lang.items()):
            count = shard_count(len(group), shard_size)
            for page in group:
                groups.setdefault((lang, shard_of(page.path, count)), []).append(page)
    base = hashlib.sha256(f"{CACHE_VERSION}\0{version}\0{ROOT_SELECTOR}\0{EXCLUDE_SELECTORS}\0{salt}\0".encode())
    shards = []
    for (lang, number), group in sorted(groups.items()):  # a shard the hash left empty is not made
        digest = base.copy()
        for page in group:
            digest.update(page.path.encode("utf-8") + b"\0")
            digest.update(part(page))
        shards.append(Shard(name=f"{lang}-{number}" if lang else "", pages=tuple(group),
                            key=digest.hexdigest()[:32]))
    return shards


def _part_digest(page: Output, known: DigestMemo, found: DigestMemo) -> bytes:
    """The digest of ``indexed_part`` of ``page``; from ``known`` when the page's file is the one it was taken
    from (a page kept from the last build is its file, not read: at 1,000 posts, 0.13 s of each edit).
    What was taken from a file goes into ``found``, the next build's ``known``."""
    key: FileKey | None = None
    if page.file:
        try:
            stat = os.stat(page.file)
            key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        except OSError:
            key = None
        hit = known.get(page.path)
        if key is not None and hit is not None and hit[0] == key:
            found[page.path] = hit
            return hit[1]
    value = hashlib.sha256(indexed_part(page.content())).digest()
    if key is not None:
        found[page.path] = (key, value)
    return value


def indexed_part(data: bytes) -> bytes:
    """What Pagefind reads of a page: the ``<html>`` tag (its ``lang``), the ``<title>`` and the ``<main>``.

    Pagefind indexes only inside ROOT_SELECTOR, with its metadata and filters; a change
    elsewhere (a stylesheet link, the footer, a template comment) must not make every
    shard be indexed again, as it did when the cache was keyed by the whole page.
    A page without these parts counts whole.
    """
    html, main, end = data.find(b"<html"), data.find(b"<main"), data.rfind(b"</main>")
    title = data.find(b"<title")
    if html == -1 or main == -1 or end < main or title == -1:
        return data
    return b"\0".join([data[html:data.find(b">", html) + 1], data[title:data.find(b"</title>", title)],
                       data[main:end]])


def _run_pagefind(shard: Shard, binary: Path, cache: ShardCache) -> tuple[dict[str, bytes] | None, str]:
    """Index one shard: (its files by bundle-relative name, "") or (None, Pagefind's complaint).

    Pagefind works in a folder of the cache, which the cache then keeps under the shard's key.
    """
    work = cache.work_folder()
    try:
        site, bundle = work / "site", work / CACHE_BUNDLE
        for page in shard.pages:
            dest = site / page.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(page.content().replace(TYPOGRAPHIC_APOSTROPHE, b"'"))
        command = [str(binary), "--site", str(site), "--output-path", str(bundle),
                   "--root-selector", ROOT_SELECTOR, "--silent"]
        for selector in EXCLUDE_SELECTORS:
            command += ["--exclude-selectors", selector]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as exc:  # replaced or removed since its version was asked
            return None, f"it could not be run: {exc.strerror}"
        if done.returncode != 0 or not (bundle / "pagefind.js").is_file():
            message = (done.stderr or done.stdout).strip().splitlines()
            return None, message[-1] if message else _silent(done.returncode)
        _sort_entry(bundle / "pagefind-entry.json")
        for unused in bundle.glob("pagefind-*"):
            if unused.name.startswith(UNUSED):
                unused.unlink()
        files = {path.relative_to(bundle).as_posix(): path.read_bytes()
                 for path in sorted(bundle.rglob("*")) if path.is_file()}
        cache.keep(work, files, shard.key)
        return files, ""
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _silent(status: int) -> str:
    """What to say of a Pagefind that printed nothing: it was killed, it failed, or it wrote no index."""
    if status < 0:
        return f"it was stopped by signal {-status} (out of memory, or stopped from outside), and said nothing"
    if status > 0:
        return f"it stopped with status {status} and said nothing"
    return "it finished without writing an index, and said nothing"


def _sort_entry(entry: Path) -> None:
    """Pagefind lists the languages in ``pagefind-entry.json`` in no fixed order: fix it, so that
    the same pages always give the same bytes (and an unchanged site rewrites nothing)."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["languages"] = dict(sorted(data.get("languages", {}).items()))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _outputs(shards: list[Shard], bundles: dict[str, dict[str, bytes]]) -> list[Output]:
    """Every shard's files under its prefix, and shards.json; the script, worker and language modules
    only where the search page of some language starts (the one shard of a small site keeps the
    whole bundle, as it always had)."""
    languages: dict[str, list[Shard]] = {}
    wasm: dict[str, str] = {}
    for shard in shards:  # a shard's languages are Pagefind's, read from the <html lang> of its pages
        entry = json.loads(bundles[shard.name]["pagefind-entry.json"])
        for lang, index in entry.get("languages", {}).items():
            languages.setdefault(lang, []).append(shard)
            wasm[lang] = index.get("wasm") or "unknown"
    starts: dict[str, set[str]] = {}
    for lang, holding in languages.items():
        starts.setdefault(holding[0].name, set()).update(RUNTIME + (f"wasm.{wasm[lang]}.pagefind",))
    outputs = []
    for shard in shards:
        for name, data in bundles[shard.name].items():
            runtime = name in RUNTIME or (name.startswith("wasm.") and "/" not in name)
            if not shard.name or not runtime or name in starts.get(shard.name, ()):
                outputs.append(Output(path=f"{BUNDLE}/{shard.prefix}{name}", data=data,
                                      origin="the search index (Pagefind)"))
    outputs.append(_shards_output({lang: [shard.prefix for shard in holding] for lang, holding in languages.items()}))
    return sorted(outputs, key=lambda output: output.path)


def _shards_output(languages: dict[str, list[str]]) -> Output:
    data = json.dumps(dict(sorted(languages.items())), ensure_ascii=False, separators=(",", ":")) + "\n"
    return Output(path=f"{BUNDLE}/{SHARDS_FILE}", data=data.encode("utf-8"), origin="the search index (Pagefind)")
