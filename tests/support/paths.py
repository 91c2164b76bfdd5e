"""Where the tests find the repository, its fixtures and the shared corpora (which may be absent)."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
# The shared corpora (../shared beside the checkout); MUSEUMSITE_SHARED points elsewhere, e.g. to a
# folder that does not exist, to check that every test needing them skips instead of failing.
SHARED = Path(os.environ.get("MUSEUMSITE_SHARED") or REPO.parent / "shared")
FIXTURES = REPO / "tests" / "fixtures"


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


