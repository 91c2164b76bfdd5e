"""Shared fixtures: small real sites written into a temporary folder. Helpers live in tests/support/."""

from __future__ import annotations

from pathlib import Path

import pytest

from museumsite.build import build

from support import BASE_CONFIG, SMALL_SITE, MakeSite, copy_demo, write_site


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


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's demo site, copied once per session outside the checkout: builds of it write nothing there."""
    return copy_demo(tmp_path_factory.mktemp("demo-source") / "site")


@pytest.fixture(scope="session")
def demo_output(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site built once per session (without cache) into a temporary folder. Tests only read it."""
    output = tmp_path_factory.mktemp("demo-output") / "_site"
    build(demo_root, output, use_cache=False)
    return output
