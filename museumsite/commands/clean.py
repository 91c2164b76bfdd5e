"""``clean``: remove what museumsite made in a site folder, and nothing else.

Input: a site folder. Output: ``_site/`` removed (only when its manifest shows that
museumsite wrote it) and ``.museumsite-cache/`` removed (the Markdown cache and the
``serve`` output). Anything else, even beside them, stays.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from museumsite.config import no_site
from museumsite.errors import UsageError
from museumsite.incremental.store import CACHE_DIR, OUTPUT_MANIFEST
from museumsite.output.write import build_lock

OUTPUT_DIR = "_site"


def clean_site(root: Path) -> list[Path]:
    """Remove the output and the cache of ``root``; return what was removed.

    Everything is checked before anything is removed, so a refusal removes nothing.
    """
    root = root.resolve()
    if not (root / "museumsite.yaml").is_file():
        raise no_site(root)
    output, cache = root / OUTPUT_DIR, root / CACHE_DIR
    for folder in (output, cache):
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise UsageError(f"refusing to clean {folder}: it is not a folder museumsite made "
                             "(a file or a symlink); remove it yourself if you mean to")
    if output.is_dir() and not (output / OUTPUT_MANIFEST).is_file():
        raise UsageError(f"refusing to remove {output}: it has no {OUTPUT_MANIFEST}, so museumsite did not write it "
                         "(or it was emptied by hand); remove it yourself if you mean to")
    removed: list[Path] = []
    if output.is_dir():
        with build_lock(output):  # never pull the folder from under a running build
            shutil.rmtree(output)
        removed.append(output)
    if cache.is_dir():
        shutil.rmtree(cache)
        removed.append(cache)
    return removed
