"""New sites and new content files: ``museumsite init`` and ``museumsite new``.

The starter site is a real site folder shipped inside the package
(``museumsite/starter``), so what ``init`` copies is exactly what the tests build.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from museumsite import CONFIG_FILE, PACKAGE, __version__
from museumsite.config import no_site
from museumsite.errors import UsageError
from museumsite.urls import page_slug

STARTER = PACKAGE / "starter"
# The publishing workflows `init --ci` writes: packaged file, and where it goes in the site.
CI_FILES = {"github": ("github-pages.yml", ".github/workflows/pages.yml"), "gitlab": ("gitlab-ci.yml", ".gitlab-ci.yml")}
REQUIREMENTS = """\
# The museumsite this site is built with: `pip install -r requirements.txt` installs it, on a new machine
# and in the publishing workflow (.github/workflows/pages.yml, .gitlab-ci.yml). Change the version to upgrade.
# Installing from somewhere else than PyPI (a fork, a wheel)? Put that here instead, for example
#   museumsite @ git+https://example.org/you/museumsite@v{version}
museumsite=={version}
"""
EXAMPLES = {"post": "My first post", "talk": "Opening keynote", "speaker": "Ada Lovelace", "event": "Spring meetup",
            "page": "About"}
NEW_KINDS = {"post": "posts", "talk": "talks", "speaker": "speakers", "event": "events", "page": "pages"}


def init_site(target: Path, ci: str | None = None) -> list[Path]:
    """Copy the starter site into ``target``, which must be new or empty; with ``ci``, add its publishing workflow.

    ``init --ci github DIR`` on an existing site adds only the workflow (and a requirements.txt
    if it has none), so a site made earlier can be published the same way.
    """
    existing = (target / CONFIG_FILE).is_file()
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not (existing and ci):
        raise UsageError(f"{target} already exists and is not empty; choose a new folder"
                         + (" (or add only a workflow to a site with --ci github or --ci gitlab)" if existing else ""))
    workflow = target / CI_FILES[ci][1] if ci else None
    if workflow is not None and workflow.exists():
        raise UsageError(f"{workflow} already exists; remove it first to write it again")
    made: list[Path] = []
    if not existing:
        shutil.copytree(STARTER, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        made += sorted(p for p in target.rglob("*") if p.is_file())
    requirements = target / "requirements.txt"
    if not requirements.exists():
        requirements.write_text(REQUIREMENTS.format(version=__version__), encoding="utf-8")
        made.append(requirements)
    if ci and workflow is not None:
        workflow.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE / "ci" / CI_FILES[ci][0], workflow)
        made.append(workflow)
    return made


def new_file(root: Path, kind: str, title: str, today: dt.date | None = None) -> Path:
    """Write a content file with front matter ready to fill; never overwrite one."""
    if kind not in NEW_KINDS:
        raise UsageError(f"unknown kind '{kind}': choose one of {', '.join(NEW_KINDS)}")
    if not (root / "museumsite.yaml").is_file():
        raise no_site(root)
    if not title.strip():
        raise UsageError(f"the {kind} needs a title: museumsite new {kind} \"{EXAMPLES[kind]}\"")
    slug = page_slug(title)
    path = root / "content" / NEW_KINDS[kind] / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{path.relative_to(root)} already exists; pick another title or edit that file")
    day = (today or dt.date.today()).isoformat()
    quoted = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    front = {
        "post": f"title: {quoted}\ndate: {day}\nauthors: []\ntags: []\ndraft: true\n",
        "talk": f"title: {quoted}\nevent: \nspeakers: []\nstart: {day} 09:00\nend: {day} 09:30\nroom: \n"
                "slides: []\nvideo: \ndraft: true\n",
        "speaker": f"name: {quoted}\naffiliation: \nlinks: []\n",
        "event": f"title: {quoted}\nstart: {day}\nend: {day}\ntimezone: UTC\nvenue: \ncity: \nrooms: []\n",
        "page": f"title: {quoted}\n",
    }[kind]
    body = {
        "post": "Write the opening paragraph here.\n\n<!--more-->\n\nThe rest of the post.\n",
        "talk": "A summary of the talk.\n",
        "speaker": "A short biography.\n",
        "event": "What the event is about.\n",
        "page": "The page's text.\n",
    }[kind]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path
