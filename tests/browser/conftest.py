"""Fixtures of the real-browser tests (tests/browser is a package, so this conftest does not shadow tests/conftest.py)."""

from __future__ import annotations

from .browserkit import browser, demo_site, demo_url, page  # noqa: F401
