"""The measures: cold, no-op, one-edit and warm (template changed) builds, and peak memory."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from museumbench.common import SCENARIO_NAMES, SCENARIOS, Run, contains_text, count_html, first_line, tail
from museumbench.tools import Tool


@dataclass
class Result:
    tool: str
    n: int
    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SCENARIOS})
    rss: dict[str, list[int]] = field(default_factory=lambda: {s: [] for s in SCENARIOS})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SCENARIOS})
    pages: int = 0
    warnings: int = 0
    first_warning: str = ""
    summary: str = ""
    edit_seen: list[bool] = field(default_factory=list)
    error: str = ""

    def median(self, scenario: str) -> float | None:
        values = self.times[scenario]
        return statistics.median(values) if values else None

    def median_cpu(self, scenario: str) -> float | None:
        values = self.cpu[scenario]
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
        result.cpu[scenario].append(run.cpu)
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
        marker = f"Benchmark edit number {run_no} was followed by another one."
        with open(edit_file, "a", encoding="utf-8") as f:
            f.write(f"\n{marker}\n")
        if not record("again", tool.build()):
            return
        result.edit_seen.append(contains_text(tool.output, marker))
    finally:
        edit_file.write_bytes(original)  # the next run starts from the corpus as generated

    # Warm: the caches are there, one template every page uses has changed, so every page is rendered again.
    # (Pelican's templates live in its package: it has no warm figure.)
    if tool.template is None or not tool.template.is_file():
        return
    template = tool.template.read_bytes()
    try:
        tool.build()  # unmeasured: the restored post, so that the warm build changes only the template
        tool.template.write_bytes(template + f"\n<!-- benchmark run {run_no} -->\n".encode())
        record("warm", tool.build())
    finally:
        tool.template.write_bytes(template)


