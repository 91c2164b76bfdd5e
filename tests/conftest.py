"""Shared fixtures: small real sites written into a temporary folder. Constants and helpers live in support.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import BASE_CONFIG, SMALL_SITE, MakeSite, write_site


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write ``files`` (path -> text, dedented) into a new site folder and return it.

    The config defaults to BASE_CONFIG; pass ``config=...`` to replace it, or a
    ``museumsite.yaml`` entry in ``files``.
    """

    def make(files: dict[str, str] | None = None, config: str = BASE_CONFIG, name: str = "site") -> Path:
        return write_site(tmp_path / name, files, config)

    return make


@pytest.fixture
def small_site(make_site: MakeSite) -> Path:
    return make_site(SMALL_SITE)
