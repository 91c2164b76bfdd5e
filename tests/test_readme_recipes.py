"""The README's "Your first site" and "Publishing" run as written, and the workflows `init --ci` writes run.

The commands are read from README.md, so a README that drifts from what museumsite does fails here.
They run in a temporary folder with the installed ``museumsite`` on the PATH. Only what cannot run on
a test machine is stood in for, each in one place below: ``serve`` gets a free port and is stopped
with SIGTERM once it answered; rsync's remote host is a local folder; the CI's install step is the
package already installed here; the addresses GitHub, GitLab and Netlify give a site are set as they
would set them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

README = Path(__file__).resolve().parent.parent / "README.md"
BIN = str(Path(sys.executable).parent)  # where pip put the museumsite command
PREVIEW = "https://deploy-preview-12--mysite.netlify.app"
GITHUB = "https://owner.github.io/mysite"  # actions/configure-pages's base_url: no trailing slash
GITLAB = "https://group.gitlab.io/mysite"  # $CI_PAGES_URL: no trailing slash


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else None]


def commands(title: str) -> list[str]:
    """Every line of the section's ```sh blocks, in order."""
    blocks = re.findall(r"```sh\n(.*?)```", section(title), re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", ""), **extra}


def serve_briefly(line: str, cwd: Path) -> None:
    """`museumsite serve` until it answered once; then SIGTERM, which must stop it cleanly."""
    process = subprocess.Popen([*shlex.split(line), "--port", "0"], cwd=cwd, env=environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Serving "), first + (process.stderr.read() if process.stderr else "")
        url = first.split(" at ", 1)[1].split(" ", 1)[0]
        with urllib.request.urlopen(url + "posts/my-first-post/", timeout=30) as answer:  # the draft is served
            assert answer.status == 200 and b"My first post" in answer.read()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0 and err.strip().endswith("Stopped."), err


def run_lines(lines: list[str], cwd: Path, **env: str) -> Path:
    """Run each line as a shell would, following `cd`; return the folder the lines ended in."""
    for line in lines:
        if line.startswith("cd "):
            cwd = (cwd / line[3:].strip()).resolve()
        elif line.startswith("museumsite serve"):
            serve_briefly(line, cwd)
        else:
            done = subprocess.run(line, shell=True, cwd=cwd, env=environment(**env), capture_output=True, text=True,
                                  check=False)
            assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    return cwd


@pytest.fixture
def first_site(tmp_path: Path) -> Path:
    """The README's "Your first site", as written."""
    lines = commands("Your first site")
    assert lines[:2] == ["museumsite init mysite", "cd mysite"] and "museumsite check --strict" in lines
    site = run_lines(lines, tmp_path)
    assert site == tmp_path / "mysite"
    assert (site / "content/posts/my-first-post.md").is_file() and (site / "_site/index.html").is_file()
    return site


def publishing(command: str) -> str:
    """One command of "Publishing": the line itself, or the one line that starts with ``command`` and more."""
    lines = commands("Publishing")
    found = [line for line in lines if line == command] or [line for line in lines if line.startswith(command)]
    assert len(found) == 1, (command, commands("Publishing"))
    return found[0]


def run_step(script: str, cwd: Path, env: dict[str, str]) -> None:
    """A workflow's shell step, under bash -e as the runners do; the install step stands for the package here."""
    lines = [line for line in script.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("pip install"):
            assert line == "pip install -r requirements.txt"
            assert re.search(r"^museumsite==\d", (cwd / "requirements.txt").read_text(encoding="utf-8"), re.MULTILINE)
            continue  # the museumsite being tested is installed already
        done = subprocess.run(["bash", "-e", "-c", line], cwd=cwd, env=environment(**env), capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"


def expand(value: str, outputs: dict[str, str]) -> str:
    """GitHub's ${{ ... }} expressions, with the outputs the actions would give."""
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: outputs[m.group(1)], value)


def assert_published_at(output: Path, base: str) -> None:
    """Every absolute URL of the feeds and the sitemap is at ``base``; pages link within its path."""
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs and all(loc.startswith(base) for loc in locs), locs[:3]
    atom = (output / "feeds/atom.xml").read_text(encoding="utf-8")
    assert f'href="{base}' in atom and ("example.org" in base or "example.org" not in atom)
    feed = json.loads((output / "feeds/feed.json").read_text(encoding="utf-8"))
    assert feed["home_page_url"] == base and all(item["url"].startswith(base) for item in feed["items"])
    path = "/" + base.split("/", 3)[3]
    page = (output / "index.html").read_text(encoding="utf-8")
    assert f'href="{path}posts/hello/"' in page and 'href="/posts/' not in page.replace(f'href="{path}', "")


def comparable(path: str, data: bytes, base: str = "") -> bytes:
    """A file with ``base`` put back to the site's own address, and what is made from the address masked.

    Calendar UIDs and the schedule exports' GUIDs are made from the site's host (a preview is another
    site to a calendar), and a calendar's lines are folded at 75 octets, so they move with its length.
    """
    if path.endswith(".ics"):
        data = data.replace(b"\r\n ", b"")
    if base:
        data = data.replace(base.encode() + b"/", b"https://example.org/").replace(
            base.split("//", 1)[1].encode(), b"example.org")
    if path.endswith(("schedule.json", "schedule.xml")):
        data = re.sub(rb'\b(guid|version|id)(": "|": |>|=")[0-9a-f-]+', rb"\1\2", data)
    return data


@pytest.mark.slow
def test_your_first_site_runs_as_written(first_site: Path) -> None:
    assert json.loads((first_site / "_site/.museumsite-output.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_github_pages_workflow_is_valid_and_its_steps_build_the_site(first_site: Path) -> None:
    run_lines([publishing("museumsite init --ci github")], first_site)
    workflow: dict[Any, Any] = yaml.safe_load((first_site / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    on = workflow[True]  # YAML 1.1 reads the key `on` as true, as PyYAML does; GitHub reads it as "on"
    assert on["push"]["branches"] == ["main"] and "workflow_dispatch" in on
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step["uses"].split("@")[0] for step in build["steps"] if "uses" in step]
    assert uses == ["actions/checkout", "actions/setup-python", "actions/configure-pages",
                    "actions/upload-pages-artifact"]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    outputs = {"steps.pages.outputs.base_url": GITHUB}
    for step in build["steps"]:
        if "run" in step:
            env = {key: expand(str(value), outputs) for key, value in step.get("env", {}).items()}
            run_step(step["run"], first_site, env)
    assert_published_at(first_site / upload["with"]["path"], GITHUB + "/")


@pytest.mark.slow
def test_gitlab_pages_job_is_valid_and_its_script_builds_the_site(first_site: Path) -> None:
    run_lines([publishing("museumsite init --ci gitlab")], first_site)
    job = yaml.safe_load((first_site / ".gitlab-ci.yml").read_text(encoding="utf-8"))["pages"]
    assert job["artifacts"]["paths"] == ["public"] and job["image"].startswith("python:3")
    run_step("\n".join(job["script"]), first_site, {"CI_PAGES_URL": GITLAB})
    assert_published_at(first_site / "public", GITLAB + "/")


@pytest.mark.slow
def test_a_preview_build_follows_its_address_and_changes_nothing_else(first_site: Path) -> None:
    before = {p.relative_to(first_site / "_site").as_posix(): p.read_bytes()
              for p in (first_site / "_site").rglob("*") if p.is_file()}
    config = (first_site / "museumsite.yaml").read_bytes()
    run_lines([publishing("museumsite build --base-url")], first_site, DEPLOY_PRIME_URL=PREVIEW)
    after = {p.relative_to(first_site / "_site").as_posix(): p.read_bytes()
             for p in (first_site / "_site").rglob("*") if p.is_file()}
    assert_published_at(first_site / "_site", PREVIEW + "/")
    assert (first_site / "museumsite.yaml").read_bytes() == config
    # The same files, and the same bytes once the address is put back: nothing else changed.
    assert set(after) == set(before)
    differ = [path for path in before if comparable(path, after[path], PREVIEW) != comparable(path, before[path])]
    assert differ == [], differ
    # A build without the option is the site at its own address again (not a kept preview).
    run_lines(["museumsite build"], first_site)
    assert_published_at(first_site / "_site", "https://example.org/")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed (apt-get install rsync)")
def test_rsync_recipe_copies_the_site(first_site: Path, tmp_path: Path) -> None:
    line = publishing("rsync ")
    host, remote = re.search(r"(\S+@\S+?):(\S+)", line).groups()  # type: ignore[union-attr]
    server = tmp_path / "server"
    (server / remote.strip("/")).parent.mkdir(parents=True)
    run_lines([publishing("museumsite build"), line.replace(f"{host}:", str(server))], first_site)
    copied = server / remote.strip("/")
    assert (copied / "index.html").read_bytes() == (first_site / "_site/index.html").read_bytes()
    assert (copied / "slides/welcome.pdf").is_file()
