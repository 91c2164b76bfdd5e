"""What ``serve`` shows, read through the lookup its request handler uses, against a clean build."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from museumsite.build import build
from museumsite.content.stat import RACY
from museumsite.incremental.store import OUTPUT_MANIFEST  # it lists the index's files too
from museumsite.serve.server import DevServer

SEARCH_INDEX = "pagefind/"  # the search index: made again when the author pauses, not at every save


def settle() -> None:
    """Let the files just written age past the racy window, so the session may know them by their stat."""
    time.sleep(RACY / 1e9 + 0.02)


def save(path: Path, text: str) -> None:
    """Save ``path`` as an editor that writes a new file and renames it over the old one: the watcher never sees
    it empty or half written (a file truncated then written may be read in between on a busy machine)."""
    new = path.with_name(f".{path.name}.saving")
    new.write_text(text, encoding="utf-8")
    new.replace(path)


def until(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    """Whether ``condition`` came true within ``timeout`` seconds: a limit for waiting, never a measurement."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def shown(dev: DevServer, rel: str) -> bytes | None:
    """What the server answers for the output ``rel`` (before the live script is added to a page)."""
    found = dev.session.find(dev.base_path + rel, dev.base_path)
    if found.data is not None:
        return found.data
    return found.file.read_bytes() if found.file is not None else None


def visible_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but hidden ones (the output manifest, the build's own bookkeeping), by path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def clean_build(root: Path, scratch: Path) -> dict[str, bytes]:
    shutil.rmtree(scratch, ignore_errors=True)
    build(root, scratch, use_cache=False)
    return visible_files(scratch)


def assert_shows_clean(dev: DevServer, clean: dict[str, bytes], *, search: bool = True) -> None:
    """Every file of the clean build is what ``dev`` serves (the search index too unless ``search`` is False);
    the pages it serves from memory are all in the clean build."""
    for rel, data in clean.items():
        if search or not (rel.startswith(SEARCH_INDEX) or rel == OUTPUT_MANIFEST):
            assert shown(dev, rel) == data, rel
    assert set(dev.session._shown) <= set(clean)
