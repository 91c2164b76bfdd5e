"""axe-core in headless Chromium and the Nu HTML Checker over the built demo site: zero findings.

axe runs with the best-practice rules on, at desktop width and at 360 px, on one page of every type;
the Nu checker reads every built HTML file and reports errors and warnings alike.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .browserkit import AXE_JS, PAGE_TYPES, VNU_JAR

pytestmark = pytest.mark.browser

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
                   resultTypes: ['violations', 'incomplete']})
   .then(r => done({violations: r.violations.map(v => ({id: v.id, help: v.help,
                                                       nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})),
                    incomplete: r.incomplete.filter(v => v.id === 'color-contrast')
                                            .flatMap(v => v.nodes.map(n => ({target: n.target,
                                                                             key: n.any[0] ? n.any[0].data.messageKey : '',
                                                                             message: n.any[0] ? n.any[0].message : ''})))}))
   .catch(e => done({error: String(e)}));
"""

# A cell scrolled out of its table's box is "partially obscured" for axe: scroll it into view and ask again.
AXE_AGAIN = """
const done = arguments[arguments.length - 1];
const element = document.querySelector(arguments[0]);
element.scrollIntoView({block: 'center', inline: 'start'});
axe.run(element, {runOnly: ['color-contrast'], resultTypes: ['violations', 'incomplete']})
   .then(r => done(r.violations.concat(r.incomplete).map(v => v.id + ': ' + v.nodes.map(n => n.failureSummary || '').join(' '))))
   .catch(e => done([String(e)]));
"""


def run_axe(driver: Any) -> dict[str, Any]:
    """axe's violations, and the contrast it could not decide even after a second look."""
    if not AXE_JS.is_file():
        pytest.skip(f"axe-core is not installed ({AXE_JS}): npm install --prefix .ci/node axe-core (.ci/run does)")
    driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    result: dict[str, Any] = driver.execute_async_script(AXE_RUN)
    assert "error" not in result, result
    unreviewed = []
    for node in result["incomplete"]:
        again = driver.execute_async_script(AXE_AGAIN, node["target"][0]) if node["key"] == "elmPartiallyObscured" else ["?"]
        if again:
            unreviewed.append(f"{node['target']}: {node['message']} {again}")
    result["incomplete"] = unreviewed
    return result


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


def nu_messages(site: Path) -> list[dict[str, Any]]:
    java = shutil.which("java")
    if not java:
        pytest.skip("no Java on this machine, needed by the Nu HTML Checker: apt-get install default-jre-headless")
    if not VNU_JAR.is_file():
        pytest.skip(f"the Nu HTML Checker is not installed ({VNU_JAR}): npm install --prefix .ci/node vnu-jar (.ci/run does)")
    files = sorted(str(p) for p in site.rglob("*.html"))
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
                          capture_output=True, text=True, check=True)
    messages: list[dict[str, Any]] = json.loads(done.stderr or done.stdout)["messages"]
    return messages


@pytest.mark.slow
def test_nu_checker_reports_no_error_and_no_warning_on_any_page(demo_site: Path) -> None:
    messages = nu_messages(demo_site)
    assert len(list(demo_site.rglob("*.html"))) > 80
    found = [f"{m['url'].split('/_site/')[-1]}:{m.get('lastLine')}: {m['type']}/{m.get('subType', '')}: {m['message']}"
             for m in messages]
    assert found == [], "\n".join(found)
