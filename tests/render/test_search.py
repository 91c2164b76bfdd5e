"""Client-side search: a real multilingual site with comments is built, and the Pagefind
bundle it writes is read back: one index per language, the words of each language (and
words found only in comments) in that language's fragments, navigation left out; the
search page per language works without another host and says what to do without
JavaScript; ``search: false`` turns it all off; the index follows the pages. A site with
more pages than a shard holds is indexed in shards that the queries merge, and an edit
re-indexes only the shard of the page it changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest

from museumsite.build import CACHE_DIR, build
from museumsite.errors import BuildError, ConfigError
from museumsite.incremental.shards import PARTS
from museumsite.render import search
from museumsite.render.search import MAX_SHARDS, pagefind_binary, shard_count, shard_of

from support import FIXTURES, REPO, MakeSite, fragments, snapshot

NS = {"h": "http://www.w3.org/1999/xhtml"}
A = "{http://www.w3.org/1999/xhtml}a"
CONFIG = """\
title: Search test
base_url: https://example.org/
language: en
languages: [en, fr, ca]
timezone: Europe/Paris
"""
FILES = {
    "content/posts/harbour.md": """
        ---
        title: The harbour museum
        date: 2024-05-10
        tags: [museums]
        ---
        The lighthouse keepers kept a logbook of every storm.

        ## Storms

        The worst came in 1910.
        """,
    "content/posts/harbour.fr.md": """
        ---
        title: Le musée du port
        ---
        Les gardiens du phare tenaient un carnet des tempêtes.
        """,
    "content/posts/harbour.ca.md": """
        ---
        title: El museu del port
        ---
        Els fareros escrivien un dietari de cada tempesta.
        """,
    "content/comments/posts/harbour.yaml": """
        comments:
          - id: 1
            author: Marta
            date: 2024-05-11 10:00:00+02:00
            lang: ca
            body: M’encanta l’escafandre antic de la sala gran.
          - id: 2
            parent: 1
            author: Claire
            date: 2024-05-11 11:00:00+02:00
            lang: fr
            body: Le scaphandrier était mon grand-père.
        """,
}

pytestmark = pytest.mark.skipif(pagefind_binary() is None, reason="the Pagefind program is not installed")


def parse(path: Path):  # type: ignore[no-untyped-def]
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=True)


def test_each_language_has_its_own_index_with_its_words_comments_included(make_site: MakeSite) -> None:
    site = make_site(FILES, config=CONFIG)
    build(site)
    out = site / "_site"
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert sorted(entry["languages"]) == ["ca", "en", "fr"]
    assert list(entry["languages"]) == sorted(entry["languages"])  # a fixed order: same pages, same bytes
    for asset in ("pagefind.js", "pagefind-worker.js", "wasm.ca.pagefind", "wasm.fr.pagefind"):
        assert (out / "pagefind" / asset).is_file(), asset
    # Only what the search page uses: Pagefind's own UI bundles (400 KB, with their authors' e-mail
    # addresses in them) are not published.
    assert not [p.name for p in (out / "pagefind").iterdir() if p.name.startswith(("pagefind-ui", "pagefind-modular",
                                                                                   "pagefind-component", "pagefind-highlight"))]
    assert not [p for p in (out / "pagefind").rglob("*.js") if b"@cloudcannon" in p.read_bytes()]
    text = fragments(out)
    assert "lighthouse keepers" in text["en"]["/posts/harbour/"]
    assert "gardiens du phare" in text["fr"]["/fr/posts/harbour/"]
    assert "fareros escrivien" in text["ca"]["/ca/posts/harbour/"]
    # The comments are on the post page of every language, so their words are found from each.
    for lang, url in (("en", "/posts/harbour/"), ("fr", "/fr/posts/harbour/"), ("ca", "/ca/posts/harbour/")):
        assert "escafandre" in text[lang][url] and "scaphandrier" in text[lang][url]
    # Only entry pages, from <main>: no list pages, no navigation, no language links.
    assert set(text["en"]) == {"/posts/harbour/"}
    english = text["en"]["/posts/harbour/"]
    assert "Main navigation" not in english and "Skip to content" not in english
    assert "Français" not in english and "Subscribe" not in english
    assert "Storms" in english and "¶" not in english  # headings, without their permalink sign


def test_search_page_per_language_is_local_and_says_what_to_do_without_javascript(make_site: MakeSite) -> None:
    site = make_site(FILES, config=CONFIG.replace("https://example.org/", "https://example.org/museum/"))
    build(site)
    out = site / "_site"
    for url, lang in (("search", "en"), ("fr/search", "fr"), ("ca/search", "ca")):
        doc = parse(out / url / "index.html")
        assert doc.find(".", NS).get("lang") == lang
        box = doc.find(".//h:div[@id='search']", NS)
        assert box.get("data-bundle") == "/museum/pagefind/" and box.get("data-base") == "/museum/"
        form = box.find("h:form", NS)
        assert form.get("role") == "search" and form.get("hidden") is not None  # shown by the script
        label = box.find(".//h:label[@for='search-query']", NS)
        assert label is not None and box.find(".//h:input[@id='search-query']", NS).get("type") == "search"
        no_js = box.find("h:p[@class='search-no-js']", NS)
        links = [a.get("href") for a in no_js.iter(A)]
        prefix = "/museum/" if lang == "en" else f"/museum/{lang}/"
        assert f"{prefix}archive/" in links and f"{prefix}tags/" in links
        sources = [e.get("src") for e in doc.iter() if e.get("src")]
        assert sources == ["/museum/theme/js/search.js"]
        elsewhere = box.find("h:p[@class='search-elsewhere']", NS)
        assert len([a for a in elsewhere.iter(A)]) == 2
    french = parse(out / "fr" / "search" / "index.html")
    assert french.find(".//h:h1", NS).text == "Recherche"
    assert "JavaScript" in "".join(french.find(".//h:p[@class='search-no-js']", NS).itertext())
    assert (out / "theme" / "js" / "search.js").is_file()
    # Every page links to the search page of its language, in the header's menu.
    post = parse(out / "ca" / "posts" / "harbour" / "index.html")
    header_links = [a.get("href") for a in post.find(".//h:header[@class='site-header']", NS).iter(A)]
    assert "/museum/ca/search/" in header_links
    # The search page itself is not a search result.
    assert all("search" not in url for urls in fragments(out).values() for url in urls)


@pytest.mark.parametrize("setting", ["search: false", "search: {enabled: false}"])
def test_search_can_be_turned_off(make_site: MakeSite, setting: str) -> None:
    site = make_site(FILES, config=CONFIG + setting + "\n")
    build(site)
    out = site / "_site"
    assert not (out / "pagefind").exists() and not (out / "search").exists() and not (out / "fr" / "search").exists()
    page = (out / "posts" / "harbour" / "index.html").read_text(encoding="utf-8")
    assert "/search/" not in page


def test_bad_search_setting_is_reported_at_its_line(make_site: MakeSite) -> None:
    site = make_site(FILES, config=CONFIG + "search:\n  enabeld: true\n")
    with pytest.raises(ConfigError) as caught:
        build(site)
    assert "museumsite.yaml:7: unknown setting 'search.enabeld'" in str(caught.value)
    site = make_site(FILES, config=CONFIG + "search: sometimes\n", name="other")
    with pytest.raises(ConfigError) as caught:
        build(site)
    assert "museumsite.yaml:6: 'search' must be a mapping of settings" in str(caught.value)


def test_index_follows_the_pages_and_an_unchanged_site_rewrites_nothing(make_site: MakeSite) -> None:
    site = make_site(FILES, config=CONFIG)
    build(site, use_cache=False)
    out = site / "_site"
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
    manifest = json.loads((out / ".museumsite-output.json").read_text(encoding="utf-8"))["files"]
    assert set(before) <= set(manifest)  # museumsite wrote them: a later build may remove them
    again = build(site, use_cache=False)  # Pagefind runs again: the same pages give the same bytes
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
    assert after == before and again.removed == 0
    post = site / "content" / "posts" / "harbour.ca.md"
    post.write_text(post.read_text(encoding="utf-8").replace("tempesta", "tramuntana"), encoding="utf-8")
    changed = build(site)
    now = {p.relative_to(out).as_posix() for p in (out / "pagefind").rglob("*") if p.is_file()}
    stale = set(before) - now
    assert any(name.startswith("pagefind/fragment/ca_") for name in stale)  # named by content hash
    assert changed.removed == len(stale)  # the old index files are gone, not kept as foreign files
    manifest = json.loads((out / ".museumsite-output.json").read_text(encoding="utf-8"))["files"]
    assert now <= set(manifest) and not stale & set(manifest)
    assert "tramuntana" in fragments(out)["ca"]["/ca/posts/harbour/"]
    assert all("tempesta" not in text for text in fragments(out)["ca"].values())
    # The cached index is used when the pages did not change, and gives the same files.
    cached = build(site)
    assert {p.relative_to(out).as_posix() for p in (out / "pagefind").rglob("*") if p.is_file()} == now
    assert cached.removed == 0


def test_missing_pagefind_is_a_clear_error(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    site = make_site(FILES, config=CONFIG)
    with pytest.raises(BuildError) as caught:
        build(site)
    message = str(caught.value)
    assert "search needs the Pagefind program" in message and "search: false" in message
    assert not (site / "_site").exists()


@pytest.mark.parametrize("program", ["not executable", "not a program"])
def test_a_pagefind_that_cannot_be_run_is_a_clear_error_that_blames_no_folder(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, program: str) -> None:
    broken = tmp_path / "pagefind"
    broken.write_bytes(b"\x00\x01 not an executable format\n")
    broken.chmod(0o755 if program == "not a program" else 0o644)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    site = make_site(FILES, config=CONFIG)
    with pytest.raises(BuildError) as caught:
        build(site)
    [problem] = caught.value.problems
    assert problem.message.startswith(f"search cannot run the Pagefind program {broken}: ")
    assert "chmod +x" in problem.hint and "search: false" in problem.hint and "folder" not in str(caught.value)
    assert not (site / "_site").exists()


SILENT = {  # what a Pagefind that prints nothing does, and what the build says of it
    "sys.exit(3)": "it stopped with status 3 and said nothing",
    "os.kill(os.getpid(), 9)": "it was stopped by signal 9 (out of memory, or stopped from outside), and said nothing",
    "pass": "it finished without writing an index, and said nothing",
}


@pytest.mark.parametrize("does", list(SILENT))
def test_a_pagefind_that_fails_without_a_word_is_reported_with_its_status(make_site: MakeSite,
                                                                           monkeypatch: pytest.MonkeyPatch,
                                                                           tmp_path: Path, does: str) -> None:
    silent = tmp_path / "pagefind"
    silent.write_text(f"#!{sys.executable}\nimport os, sys\nif '--version' in sys.argv: print('pagefind 1.5.2')\n"
                      f"else: {does}\n", encoding="utf-8")
    silent.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(silent))
    with pytest.raises(BuildError) as caught:
        build(make_site(FILES, config=CONFIG))
    [problem] = caught.value.problems
    assert problem.message == f"Pagefind could not index the site: {SILENT[does]}"


def test_a_failing_pagefind_stops_the_shards_not_started_yet(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", 2)
    runs = tmp_path / "runs.log"
    failing = tmp_path / "pagefind"  # each run notes itself, takes a moment, then fails
    failing.write_text(f"#!{sys.executable}\nimport sys, time\nif '--version' in sys.argv: print('pagefind 1.5.2')\n"
                       f"else:\n    open({str(runs)!r}, 'a').write('run\\n')\n    time.sleep(0.3)\n"
                       "    sys.exit('Error: the disk is full')\n", encoding="utf-8")
    failing.chmod(0o755)
    site = make_site(sharded_files(), config=CONFIG)
    made = build(site, tmp_path / "with-pagefind", use_cache=False).output_dir
    shards = sum(map(len, json.loads((made / "pagefind" / "shards.json").read_text(encoding="utf-8")).values()))
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing))
    with pytest.raises(BuildError) as caught:
        build(site, use_cache=False)
    assert "Pagefind could not index the site: Error: the disk is full" in str(caught.value)
    assert shards >= 8 and 1 <= len(runs.read_text(encoding="utf-8").splitlines()) < shards


def test_pagefind_failing_while_the_site_is_staged_leaves_the_last_site(make_site: MakeSite,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    """A plain build stages its pages while Pagefind indexes them; Pagefind's failure must still stop it
    with the error, the last site untouched and no staged tree left beside it."""
    site = make_site(FILES, config=CONFIG)
    build(site)
    out = site / "_site"
    before = snapshot(out)
    failing = tmp_path / "pagefind"  # answers --version as Pagefind does, then fails to index
    failing.write_text(f"#!{sys.executable}\nimport sys\nif '--version' in sys.argv: print('pagefind 1.5.2')\n"
                       "else: sys.exit('Error: the disk is full')\n", encoding="utf-8")
    failing.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing))
    (site / "content/posts/harbour.md").write_text((site / "content/posts/harbour.md").read_text(encoding="utf-8")
                                                   .replace("logbook", "diary"), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build(site, use_cache=False)
    assert "Pagefind could not index the site: Error: the disk is full" in str(caught.value)
    assert snapshot(out) == before
    assert sorted(p.name for p in site.iterdir() if p.name.startswith("_site")) == ["_site"]


def test_a_file_where_the_index_goes_is_reported_with_every_other_problem(make_site: MakeSite) -> None:
    """The index's files are made last, while the others are staged; a collision with one of them is still
    found, with the other problems of the build, before anything is swapped in."""
    site = make_site(FILES, config=CONFIG)
    build(site)
    out = site / "_site"
    before = snapshot(out)
    (site / "content/static/pagefind").mkdir(parents=True)
    (site / "content/static/pagefind/shards.json").write_text("{}", encoding="utf-8")
    (site / "themes/default/templates").mkdir(parents=True)
    (site / "themes/default/templates/tag.html").write_text(
        "{% extends 'base.html' %}{% block content %}{{ missing() }}{% endblock %}", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build(site)
    message = str(caught.value)
    assert "writes pagefind/shards.json, which the search index (Pagefind) writes too" in message
    assert "themes/default/templates/tag.html" in message and "'missing' is undefined" in message  # same run
    assert snapshot(out) == before
    assert sorted(p.name for p in site.iterdir() if p.name.startswith("_site")) == ["_site"]


def test_a_talk_is_found_by_its_words_not_by_its_video_frame(make_site: MakeSite) -> None:
    """The video frame repeats the title and the speakers on a title card, for the eye only: the index reads
    the talk's own text, so a result's excerpt does not start with the frame run together ("conversationSamuel")."""
    site = make_site({
        "content/events/meetup.md": "---\ntitle: Museum meetup\nstart: 2024-05-10\n---\nA day of talks.\n",
        "content/speakers/ada-marsh.md": "---\ntitle: Ada Marsh\n---\nCurator.\n",
        "content/talks/tide-tables.md": "---\ntitle: Reading tide tables\nevent: meetup\nspeakers: [ada-marsh]\n"
                                        "start: 2024-05-10 10:00\nend: 2024-05-10 10:30\n"
                                        "video: https://example.org/tide-tables.mp4\n---\nHow keepers read the sea.\n",
    }, config=CONFIG)
    build(site)
    content = fragments(site / "_site")["en"]["/talks/tide-tables/"]
    assert content.count("Reading tide tables") == 1, content  # the heading, not the title card too
    assert "Reading tide tablesAda Marsh" not in content and "How keepers read the sea." in content


def query(bundle: Path, lang: str, words: str) -> list[str]:
    """Search ``bundle`` as the search page of ``lang`` does, with pagefind.js run by Node."""
    done = subprocess.run(["node", str(FIXTURES / "search" / "query.mjs"), str(bundle),
                           lang, words], capture_output=True, text=True, timeout=60, check=True)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed: no real query without it")
def test_real_queries_find_catalan_french_english_and_comment_words(make_site: MakeSite) -> None:
    site = make_site(FILES, config=CONFIG)
    build(site)
    bundle = site / "_site" / "pagefind"
    assert query(bundle, "en", "lighthouse") == ["/posts/harbour/"]
    assert query(bundle, "fr", "phare") == ["/fr/posts/harbour/"]
    assert query(bundle, "ca", "fareros") == ["/ca/posts/harbour/"]
    assert query(bundle, "ca", "escafandre") == ["/ca/posts/harbour/"]  # only in a comment
    assert query(bundle, "en", "scaphandrier") == ["/posts/harbour/"]  # a French comment on the English page
    assert query(bundle, "ca", "lighthouse") == []  # each language searches its own pages
    assert query(bundle, "en", "zzqqxx") == []


# A site of 19 indexed pages (14 English posts, 4 French translations, 1 Catalan post), indexed in shards
# of about 4 pages: 4 English shards at most, one French, one Catalan. Every English post has "lighthouse"
# and a word of its own.
WORDS = ("alder", "birch", "cedar", "damson", "elder", "fig", "ginkgo", "hazel", "juniper", "larch", "maple",
         "nutmeg", "olive", "poplar")
SMALL_SHARDS = 4


def sharded_files() -> dict[str, str]:
    files = {}
    for number, word in enumerate(WORDS):
        files[f"content/posts/{word}.md"] = f"""
            ---
            title: Notes on the {word} tree
            date: 2024-03-{number + 1:02d}
            ---
            The lighthouse garden has a {word} planted by the keepers.
            """
    for word in WORDS[:4]:
        files[f"content/posts/{word}.fr.md"] = f"""
            ---
            title: Le {word} du jardin
            ---
            Le jardin du phare a un {word} planté par les gardiens.
            """
    files["content/posts/vent.md"] = """
        ---
        title: La tramuntana
        date: 2024-04-01
        lang: ca
        ---
        La tramuntana bufa sobre el far.
        """
    return files


def test_shard_count_has_fixed_thresholds_and_a_page_keeps_its_shard() -> None:
    assert shard_count(1) == shard_count(search.SHARD_SIZE) == 1
    assert shard_count(search.SHARD_SIZE + 1) == 2
    assert shard_count(10 * search.SHARD_SIZE) == 10
    assert shard_count(10_000 * search.SHARD_SIZE) == MAX_SHARDS
    assert shard_count(9, 4) == 3
    # A hash of the path, not Python's hash(): the same in every process, whatever PYTHONHASHSEED.
    code = "from museumsite.render.search import shard_of; print([shard_of(f'p{n}/index.html', 7) for n in range(20)])"
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(seen) == 1 and len(set(json.loads(seen.pop()))) > 1


@pytest.mark.slow
def test_a_large_site_is_indexed_in_shards_that_every_query_merges(make_site: MakeSite,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", SMALL_SHARDS)
    site = make_site(sharded_files(), config=CONFIG)
    build(site)
    bundle = site / "_site" / "pagefind"
    shards = json.loads((bundle / "shards.json").read_text(encoding="utf-8"))
    english = shard_count(len(WORDS), SMALL_SHARDS)
    assert shards["ca"] == ["ca-0/"] and shards["fr"] == ["fr-0/"]  # a language with few pages: one shard
    assert len(shards["en"]) >= 3 and all(prefix.startswith("en-") for prefix in shards["en"])
    assert shards["en"] == sorted(shards["en"], key=lambda prefix: int(prefix[3:-1]))
    folders = [prefix.strip("/") for prefixes in shards.values() for prefix in prefixes]
    assert sorted(p.name for p in bundle.iterdir()) == sorted(["shards.json", *folders])  # no bundle at the top
    for lang, prefixes in shards.items():  # each shard is a Pagefind index of one language
        for prefix in prefixes:
            entry = json.loads((bundle / prefix / "pagefind-entry.json").read_text(encoding="utf-8"))
            assert list(entry["languages"]) == [lang]
            assert (bundle / prefix / f"pagefind.{entry['languages'][lang]['hash']}.pf_meta").is_file()
            assert list((bundle / prefix / "fragment").iterdir())
    # The script, its worker and the language's module only in the first shard of each language, where
    # its search page starts; the other shards have their index files only.
    assert sorted(p.parent.name for p in bundle.glob("*/pagefind.js")) == ["ca-0", shards["en"][0][:-1], "fr-0"]
    assert sorted(p.parent.name for p in bundle.glob("*/pagefind-worker.js")) == ["ca-0", shards["en"][0][:-1], "fr-0"]
    assert sorted(p.name for p in (bundle / shards["en"][0]).glob("wasm.*")) == ["wasm.en.pagefind"]
    assert sorted(p.name for p in bundle.glob("*/wasm.*")) == ["wasm.ca.pagefind", "wasm.en.pagefind",
                                                                "wasm.fr.pagefind"]
    # Queries merge the shards of their language: every English post is found, from several shards.
    found = query(bundle, "en", "lighthouse")
    assert found == sorted(f"/posts/{word}/" for word in WORDS)
    assert len({shard_of(url.strip("/") + "/index.html", english) for url in found}) >= 3
    assert query(bundle, "en", WORDS[9]) == [f"/posts/{WORDS[9]}/"]
    assert query(bundle, "fr", "gardiens") == sorted(f"/fr/posts/{word}/" for word in WORDS[:4])
    assert query(bundle, "ca", "tramuntana") == ["/ca/posts/vent/"]
    assert query(bundle, "ca", "lighthouse") == [] and query(bundle, "en", "tramuntana") == []
    assert set(fragments(site / "_site")) == {"ca", "en", "fr"}


def kept_shards(cache: Path) -> dict[str, int]:
    """The search layer's kept shards, by name, with the time each was written (the parts' record left out)."""
    return {p.name: p.stat().st_mtime_ns for p in cache.iterdir() if p.name != PARTS}


@pytest.mark.slow
def test_an_edit_reindexes_one_shard_and_equals_a_clean_build(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", SMALL_SHARDS)
    site = make_site(sharded_files(), config=CONFIG)
    cache = site / CACHE_DIR / "search"
    build(site)
    before = kept_shards(cache)
    shards = json.loads((site / "_site" / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert len(before) == sum(map(len, shards.values()))  # one cached bundle per shard, named by its pages' hash
    post = site / "content" / "posts" / f"{WORDS[5]}.md"
    post.write_text(post.read_text(encoding="utf-8").replace("keepers", "quincunx keepers"), encoding="utf-8")
    build(site)
    after = kept_shards(cache)
    assert len(set(after) - set(before)) == 1 and len(set(before) - set(after)) == 1  # Pagefind ran once
    assert all(after[name] == before[name] for name in set(after) & set(before))  # the others were not touched
    assert snapshot(site / "_site") == snapshot(build(site, tmp_path / "clean", use_cache=False).output_dir)
    assert query(site / "_site" / "pagefind", "en", "quincunx") == [f"/posts/{WORDS[5]}/"]
    # A post removed: its shard's old files go like a stale page (the clean build has none of them).
    (site / "content" / "posts" / f"{WORDS[10]}.md").unlink()
    build(site)
    shutil.rmtree(tmp_path / "clean")
    assert snapshot(site / "_site") == snapshot(build(site, tmp_path / "clean", use_cache=False).output_dir)
    shards = json.loads((site / "_site" / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert len(kept_shards(cache)) == len({prefix for held in shards.values() for prefix in held})


def test_sharded_index_is_the_same_whatever_the_hash_seed_and_the_workers(make_site: MakeSite,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", SMALL_SHARDS)
    site = make_site(sharded_files(), config=CONFIG)
    build(site, use_cache=False)
    code = ("import sys; from pathlib import Path; import museumsite.render.search as s; s.SHARD_SIZE = 4; "
            "from museumsite.build import build; build(Path(sys.argv[1]), Path(sys.argv[2]), use_cache=False)")
    other = site.parent / "other-seed"
    subprocess.run([sys.executable, "-c", code, str(site), str(other)], check=True,
                   env={**os.environ, "PYTHONHASHSEED": "12345", "MUSEUMSITE_WORKERS": "1"})
    assert snapshot(site / "_site") == snapshot(other)


@pytest.mark.parametrize("unlisted_too", [True, False], ids=["with a shard whose list is gone", "alone"])
def test_a_damaged_cached_shard_is_indexed_again(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path, unlisted_too: bool) -> None:
    """A truncated file is found when the kept bundle is read, after Pagefind started on the shards without one
    (none at all in the second case): that shard is indexed then."""
    monkeypatch.setattr(search, "SHARD_SIZE", SMALL_SHARDS)
    site = make_site(sharded_files(), config=CONFIG)
    build(site)
    cache = site / CACHE_DIR / "search"
    names = sorted(kept_shards(cache))
    truncated, unlisted = cache / names[0], cache / names[1]
    fragment = next((truncated / "bundle" / "fragment").iterdir())
    fragment.write_bytes(fragment.read_bytes()[:10])
    if unlisted_too:
        (unlisted / "files.json").unlink()
    (site / "_site" / "pagefind" / "shards.json").unlink()  # so that the build is not a no-op
    build(site)
    assert sorted(kept_shards(cache)) == names  # the same shards, made again
    assert len(fragment.read_bytes()) > 10 and (unlisted / "files.json").is_file()
    assert snapshot(site / "_site") == snapshot(build(site, tmp_path / "clean", use_cache=False).output_dir)


@pytest.mark.slow
def test_a_template_change_outside_main_reindexes_nothing_and_one_inside_reindexes(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(search, "SHARD_SIZE", SMALL_SHARDS)
    base = (REPO / "museumsite/themes/default/templates/base.html").read_text(encoding="utf-8")
    site = make_site(sharded_files(), config=CONFIG)
    cache = site / CACHE_DIR / "search"
    build(site)
    before = kept_shards(cache)
    # A comment after </html>: every page's bytes change, nothing Pagefind reads does.
    template = site / "themes/default/templates/base.html"
    template.parent.mkdir(parents=True)
    template.write_text(base + "<!-- a theme comment -->\n", encoding="utf-8")
    build(site)
    assert kept_shards(cache) == before
    assert snapshot(site / "_site") == snapshot(build(site, tmp_path / "clean", use_cache=False).output_dir)
    # Inside <main>: every entry page's indexed text changes, so every shard is made again.
    template.write_text(base.replace("<main", "<main data-theme-version=\"2\"", 1), encoding="utf-8")
    build(site)
    assert not set(before) & set(kept_shards(cache))
    shutil.rmtree(tmp_path / "clean")
    assert snapshot(site / "_site") == snapshot(build(site, tmp_path / "clean", use_cache=False).output_dir)
