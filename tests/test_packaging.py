"""The wheel: it carries the default theme and the starter site, and works once installed.

The wheel is built once per module with ``python -m build``. The second test installs
it (not editable) into a fresh virtual environment and uses the installed command from
another folder, the way a user would; set MUSEUMSITE_SKIP_VENV_TEST=1 to skip it
(it needs the network to install the dependencies from PyPI).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import html5lib
import pytest

from support import REPO

THEME = "museumsite/themes/default"
STARTER = "museumsite/starter"


def run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, show what it printed."""
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} exited {done.returncode}\n"
        f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", outdir], cwd=REPO)
    wheels = sorted(outdir.glob("museumsite-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, found {[w.name for w in outdir.iterdir()]}"
    return wheels[0]


def test_wheel_contains_the_default_theme_and_the_starter_site(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    required = {f"{THEME}/templates/base.html", f"{THEME}/templates/talk.html", f"{STARTER}/museumsite.yaml"}
    # Everything the checkout's default theme and starter site hold must ship, CSS included.
    css = sorted((REPO / "museumsite/themes/default/static/css").glob("*.css"))
    assert css, "the checkout has CSS files to ship"
    required |= {f"{THEME}/static/css/{path.name}" for path in css}
    required |= {f"{THEME}/templates/{path.name}" for path in (REPO / "museumsite/themes/default/templates").glob("*.html")}
    starter = REPO / "museumsite/starter"
    required |= {f"{STARTER}/{path.relative_to(starter).as_posix()}" for path in starter.rglob("*")
                 if path.is_file() and "__pycache__" not in path.parts}
    required |= {f"museumsite/ci/{path.name}" for path in (REPO / "museumsite/ci").glob("*.yml")}  # init --ci
    missing = sorted(required - names)
    assert not missing, f"missing from {wheel.name}: {missing}"
    assert "museumsite/cli.py" in names
    assert not [n for n in names if n.startswith(("tests/", "content/", "_site/"))], "no demo or test files"


@pytest.mark.skipif(bool(os.environ.get("MUSEUMSITE_SKIP_VENV_TEST")),
                    reason="MUSEUMSITE_SKIP_VENV_TEST is set: not installing the wheel into a fresh venv")
@pytest.mark.slow
def test_installed_wheel_makes_and_builds_a_new_site(wheel: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path, env=env)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel], cwd=tmp_path,
        env=env)

    # The installed copy is used, not the checkout: the default theme comes from inside the venv.
    where = run([python, "-c", "import museumsite.render.theme as t; print(t.default_theme_dir())"],
                cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).resolve().is_relative_to(venv.resolve()), where.stdout

    museumsite = bindir / "museumsite"
    run([museumsite, "init", "mysite", "--ci", "github"], cwd=tmp_path, env=env)
    assert (tmp_path / "mysite/museumsite.yaml").is_file()
    assert (tmp_path / "mysite/.github/workflows/pages.yml").is_file() and (tmp_path / "mysite/requirements.txt").is_file()
    run([museumsite, "build", "--site", "mysite"], cwd=tmp_path, env=env)

    index = tmp_path / "mysite/_site/index.html"
    assert index.is_file()
    tree = html5lib.parse(index.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    assert tree.get("lang")
    assert len(tree.findall(".//h1")) == 1
    assert (tmp_path / "mysite/_site/theme/css/style.css").is_file(), "the theme's CSS is copied from the wheel"
