"""axe-core in headless Chromium and the Nu HTML Checker over the built demo site: zero findings.

axe runs with the best-practice rules on, at desktop width and at 360 px, on one page of every type;
the Nu checker reads every built HTML file and reports errors and warnings alike.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .browserkit import PAGE_TYPES, nu_messages, run_axe

pytestmark = pytest.mark.browser

@pytest.mark.parametrize(("name", "path"), PAGE_TYPES, ids=[name for name, _ in PAGE_TYPES])
@pytest.mark.parametrize("width", [1280, 360])
def test_axe_finds_nothing(page: Any, demo_url: str, name: str, path: str, width: int) -> None:
    page.set_window_size(width, 900)
    page.get(demo_url + path)
    result = run_axe(page)
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)
    # Contrast axe cannot decide (text too short to judge, a background it cannot see) is a finding to review.
    assert result["incomplete"] == [], "\n".join(result["incomplete"])


@pytest.mark.parametrize(("name", "path"), PAGE_TYPES, ids=[name for name, _ in PAGE_TYPES])
def test_axe_finds_nothing_in_dark_mode(page: Any, demo_url: str, name: str, path: str) -> None:
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        page.get(demo_url + path)
        assert page.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches")
        result = run_axe(page)
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)
    assert result["incomplete"] == [], "\n".join(result["incomplete"])


@pytest.mark.slow
def test_nu_checker_reports_no_error_and_no_warning_on_any_page(demo_site: Path) -> None:
    messages = nu_messages(demo_site)
    assert len(list(demo_site.rglob("*.html"))) > 80
    found = [f"{m['url'].split('/_site/')[-1]}:{m.get('lastLine')}: {m['type']}/{m.get('subType', '')}: {m['message']}"
             for m in messages]
    assert found == [], "\n".join(found)
