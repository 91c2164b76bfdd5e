"""The report: the machine, one table of medians, and the ratios to the peers from the same run."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

from museumbench.common import KNOWN_PEERS, SCENARIO_NAMES, SCENARIOS, TOOL_NAMES, capture, first_line, fmt_bytes, fmt_seconds
from museumbench.measure import Result
from museumbench.tools import Peers, interpreter_of


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
    rows = ["| N | tool | " + " | ".join(SCENARIO_NAMES[s] for s in SCENARIOS)
            + " | peak memory | HTML pages | pages/s (cold) |",
            "|---|---|" + "---|" * (len(SCENARIOS) + 3)]
    for r in results:
        name = versions.get(r.tool, TOOL_NAMES[r.tool])
        if r.error and not r.times["cold"]:
            rows.append(f"| {r.n:,} | {name} | failed |" + " - |" * (len(SCENARIOS) + 2))
            continue
        pps = r.pages_per_second()
        rows.append(f"| {r.n:,} | {name} | " + " | ".join(fmt_seconds(r.median(s)) for s in SCENARIOS)
                    + f" | {fmt_bytes(r.peak())} | {r.pages:,} | {f'{pps:.0f}' if pps else '-'} |")
    return rows


def cpu_table(results: list[Result], versions: dict[str, str]) -> list[str]:
    """CPU seconds (user + system, workers included): the figure to trust when the machine is busy."""
    rows = ["| N | tool | " + " | ".join(f"CPU, {SCENARIO_NAMES[s]}" for s in SCENARIOS) + " |",
            "|---|---|" + "---|" * len(SCENARIOS)]
    for r in results:
        if r.times["cold"]:
            rows.append(f"| {r.n:,} | {versions.get(r.tool, TOOL_NAMES[r.tool])} | "
                        + " | ".join(fmt_seconds(r.median_cpu(s)) for s in SCENARIOS) + " |")
    return rows


def target_table(results: list[Result]) -> list[str]:
    """museumsite's figures (search on, the default, and off) over Hugo's COLD build, the yardstick of the
    targets (issue 18), and over Hugo + Pagefind's cold build, reported beside them."""
    by_key = {(r.n, r.tool): r for r in results}
    rows = ["| N | museumsite / cold build of | " + " | ".join(SCENARIO_NAMES[s] for s in SCENARIOS) + " |",
            "|---|---|" + "---|" * len(SCENARIOS)]
    for n in sorted({r.n for r in results}):
        for tool in ("museumsite", "museumsite-nosearch"):
            for peer in ("hugo", "hugo+pagefind"):
                ms, other = by_key.get((n, tool)), by_key.get((n, peer))
                cold = other.median("cold") if other else None
                if not ms or not cold:
                    continue
                cells = [f"{a / cold:.2f}x" if (a := ms.median(s)) else "-" for s in SCENARIOS]
                rows.append(f"| {n:,} | {TOOL_NAMES[tool]} / {TOOL_NAMES[peer]} ({fmt_seconds(cold)}) | "
                            + " | ".join(cells) + " |")
    return rows if len(rows) > 2 else []


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
    rows = ["| N | museumsite / peer | " + " | ".join(SCENARIO_NAMES[s] for s in SCENARIOS) + " | peak memory |",
            "|---|---|" + "---|" * (len(SCENARIOS) + 1)]
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


