"""The importers' one convention: one reader with one size limit, one refusal, one report shape.

WordPress, Disqus, frab and pretalx are run through the real command line on real files; what
they print is read as a user reads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from museumsite.cli import main
from museumsite.importers import MAX_BYTES

from support import FIXTURES

# The four importers, each with a real export of ours, in an order where each finds what it needs
# (Disqus's threads match the posts the WordPress export made).
EXPORTS = (("frab", FIXTURES / "schedule" / "offsets.xml"), ("pretalx", FIXTURES / "schedule" / "links.json"),
           ("wordpress", FIXTURES / "import" / "blog.wxr.xml"), ("disqus", FIXTURES / "import" / "comments.disqus.xml"))
COUNTS = r"\d+ (would be )?created, \d+ (would be )?changed, \d+ unchanged, \d+ kept as edited on the site, \d+ skipped"


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("source", [source for source, _ in EXPORTS])
def test_a_file_over_the_size_limit_is_refused_alike_by_every_importer(
        source: str, make_site: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    export = tmp_path / "export.json" if source == "pretalx" else tmp_path / "export.xml"
    with export.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: it takes no room, and is refused before it is read
    before = files_of(site)
    code = main(["import", source, str(export), "--site", str(site)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1, err
    assert err[0] == f"{export}: the file is larger than 512 MB" and err[1].startswith("  hint: "), err
    assert err[-1] == "Import failed: 1 problem; nothing was written.", err
    assert files_of(site) == before


@pytest.mark.parametrize("source", [source for source, _ in EXPORTS if source != "pretalx"])
@pytest.mark.parametrize("declaration", [b'<?xml version="1.0" encoding="Ts"?>', b'<?xml version="" encoding="Ts"?>'])
def test_an_encoding_python_does_not_know_is_refused_alike_by_every_xml_importer(
        source: str, declaration: bytes, make_site: Callable[..., Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The XML declaration names the encoding; one Python has no codec for was a LookupError traceback."""
    site = make_site()
    export = tmp_path / "export.xml"
    export.write_bytes(declaration + b"\n<rss><channel/></rss>\n")
    before = files_of(site)
    code = main(["import", source, str(export), "--site", str(site)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1, err
    assert err[0] == f"{export}:1: the file says it is written in the encoding 'Ts', which is not one Python knows", err
    assert err[1] == "  hint: save the export as UTF-8 (or fix its first line) and import it again", err
    assert files_of(site) == before


def test_every_importer_reports_in_one_shape(make_site: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site()
    for source, export in EXPORTS:
        for dry_run in (True, False):
            code = main(["import", source, str(export), "--site", str(site), *(["--dry-run"] if dry_run else [])])
            printed = capsys.readouterr()
            assert code == 0, printed.err
            out = printed.out.splitlines()
            assert out[0] == f"{'Would import' if dry_run else 'Imported'} {export}:", (source, out)
            totals = [line for line in out if line.startswith("  files: ")]
            assert len(totals) == 1 and re.fullmatch(f"  files: {COUNTS}", totals[0]), (source, out)
            numbers = [int(n) for n in re.findall(r"\d+", totals[0])]
            assert sum(numbers[:2]) > 0, (source, out)  # each export adds to the site
            for verb, number in (("created", numbers[0]), ("changed", numbers[1])):
                listed = [line for line in out if line.startswith(f"    would be {verb} content/")]
                assert len(listed) == (number if dry_run else 0), (source, out)
            if source in ("frab", "pretalx"):  # a schedule's files, per content folder
                for kind in ("events", "talks", "speakers"):
                    assert any(re.fullmatch(f"  {kind}: {COUNTS}", line) for line in out), (source, out)
