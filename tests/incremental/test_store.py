"""The incremental store (museumsite/incremental/): one set of options keys every layer, one atomic write.

Real builds of real sites: a build option that nobody taught the layers about must still
invalidate each of them (no-op record, page reuse, Markdown cache, search shards), while
the layers keyed by content are shared by builds whose options cannot change them. Killed
writers leave every file whole, and the files an importer rewrites keep their mode.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from museumsite.build import build, build_with
from museumsite.cli import main
from museumsite.errors import UsageError
from museumsite.incremental.shards import PARTS
from museumsite.incremental.store import CACHE_DIR, LAYERS, OUTPUT_MANIFEST, BuildOptions
from museumsite.render.search import pagefind_binary

from support import FIXTURES, SMALL_SITE, MakeSite

SCHEDULE = FIXTURES / "schedule" / "offsets.xml"
SEARCH = pytest.mark.skipif(pagefind_binary() is None, reason="the Pagefind program is not installed")


@dataclass(frozen=True, slots=True, kw_only=True)
class WithColour(BuildOptions):
    """Tomorrow's option, added by someone who did not tell any layer about it."""

    colour: str = "blue"


def markdown_rows(site: Path) -> set[str]:
    with sqlite3.connect(site / CACHE_DIR / "markup.sqlite3") as db:
        return {key for (key,) in db.execute("SELECT key FROM entries")}


def shards(site: Path) -> set[str]:
    """The kept shards' names (the record of the pages' digests beside them left out)."""
    return {path.name for path in (site / CACHE_DIR / "search").iterdir() if path.name != PARTS}


def test_every_field_of_the_options_is_in_the_key_of_every_layer_unless_it_says_why_not() -> None:
    plain, wider = BuildOptions(output=Path("/out")), WithColour(output=Path("/out"))
    assert all(wider.key(layer) != plain.key(layer) for layer in LAYERS)
    assert WithColour(output=Path("/out"), colour="red").key("markdown") != wider.key("markdown")
    # The options that cannot change the Markdown or a shard say so; the records of an output see them all.
    drafts = BuildOptions(output=Path("/out"), drafts=True)
    assert drafts.key("noop") != plain.key("noop") and drafts.key("pages") != plain.key("pages")
    assert drafts.key("markdown") == plain.key("markdown") and drafts.key("search") == plain.key("search")
    assert BuildOptions(output=Path("/out"), in_place=True).key("noop") == plain.key("noop")
    with pytest.raises(ValueError, match="unknown layer"):
        plain.key("everything")


@SEARCH
def test_a_new_build_option_invalidates_every_layer(make_site: MakeSite) -> None:
    site = make_site(SMALL_SITE)
    output = (site / "_site").resolve()
    build_with(site, BuildOptions(output=output))
    rows, bundles = markdown_rows(site), shards(site)
    assert rows and bundles
    again = build_with(site, BuildOptions(output=output))
    assert again.up_to_date, "the same options: a no-op"
    result = build_with(site, WithColour(output=output))
    assert not result.up_to_date, "the no-op record"
    assert result.kept == 0 and result.rendered > 20, "page reuse"
    assert markdown_rows(site).isdisjoint(rows), "the Markdown cache"
    assert shards(site).isdisjoint(bundles), "the search shards"
    assert build_with(site, WithColour(output=output)).up_to_date


@SEARCH
def test_builds_into_two_outputs_share_the_markdown_and_the_search_shards(make_site: MakeSite,
                                                                            tmp_path: Path) -> None:
    site = make_site(SMALL_SITE)
    build(site)
    rows, bundles = markdown_rows(site), shards(site)
    other = build(site, tmp_path / "preview", strict=True)
    assert not other.up_to_date and other.kept == 0  # another output: its own records
    assert markdown_rows(site) == rows and shards(site) == bundles
    assert build(site).up_to_date  # the first output's record is still good


def test_a_damaged_output_manifest_is_a_clear_error_not_a_traceback(small_site: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    build(small_site)
    manifest = small_site / "_site" / OUTPUT_MANIFEST
    for damage in ("not json at all", '{"files": 3}', '{"files": [1, 2]}', "[]"):
        manifest.write_text(damage, encoding="utf-8")
        with pytest.raises(UsageError, match=r"\.museumsite-output\.json.*damaged"):
            build(small_site)
    capsys.readouterr()
    assert main(["build", "--site", str(small_site)]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "museumsite clean" in err and "Traceback" not in err
    assert main(["clean", "--site", str(small_site)]) == 0
    assert main(["build", "--site", str(small_site)]) == 0


def test_a_file_an_import_rewrites_keeps_its_mode(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    assert main(["import", "frab", str(SCHEDULE), "--site", str(site)]) == 0
    talk = site / "content/talks/opening.md"
    talk.chmod(0o600)  # the author keeps it private
    changed = tmp_path / "changed.xml"
    changed.write_text(SCHEDULE.read_text(encoding="utf-8").replace("Welcome.", "Welcome back."), encoding="utf-8")
    assert main(["import", "frab", str(changed), "--site", str(site)]) == 0
    assert "Welcome back." in talk.read_text(encoding="utf-8")
    assert talk.stat().st_mode & 0o777 == 0o600
    assert not [p.name for p in site.rglob(".*") if ".tmp-" in p.name], "no temporary file left"


# A writer that replaces one file, or a batch of files, with numbered versions as fast as it can.
WRITER = """
import sys
from pathlib import Path
from museumsite.incremental.atomic import atomic_write, batch
folder, mode = Path(sys.argv[1]), sys.argv[2]
version = 0
while True:
    version += 1
    data = (b"%d\\n" % version) * 200_000
    if mode == "one":
        atomic_write(folder / "file.txt", data)
    else:
        with batch() as files:
            for n in range(20):
                files.write(folder / f"part-{n}.txt", data)
            files.write(folder / "manifest.txt", b"%d\\n" % version)
"""


def versions_of(path: Path) -> set[int]:
    """The version a whole file holds; a torn or mixed file holds several, or a partial line."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    assert lines[-1] == b"", f"{path.name} ends in the middle of a line"
    return {int(line) for line in lines[:-1]}


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["one", "batch"])
def test_atomic_writes_killed_anywhere_leave_whole_files(tmp_path: Path, mode: str) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    for attempt in range(12):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), mode])
        time.sleep(0.3 + 0.07 * attempt)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        if mode == "one":
            if (folder / "file.txt").exists():
                assert len(versions_of(folder / "file.txt")) == 1
            continue
        if not (folder / "manifest.txt").exists():
            continue
        manifest = versions_of(folder / "manifest.txt")
        assert len(manifest) == 1
        parts = [versions_of(folder / f"part-{n}.txt") for n in range(20)]
        assert all(len(found) == 1 for found in parts), "each file is one version, whole"
        # The manifest is renamed last: every file is at least the version the manifest names.
        assert all(found.pop() >= next(iter(manifest)) for found in parts)
    leftovers = [p for p in folder.iterdir() if p.name.startswith(".")]
    for leftover in leftovers:  # hidden: the loader, the watcher and git status pass over them
        assert ".tmp-" in leftover.name
    shutil.rmtree(folder)
