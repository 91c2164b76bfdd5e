"""Paths, constants, formatting and running one whole build process (wall time, peak RSS)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
BENCH = REPO.parent / "shared" / "bench"
MAKE_CORPUS = BENCH / "make_corpus.py"
PEERS = BENCH / "peers"
KNOWN_PEERS = ("pelican", "hugo")
SCENARIOS = ("cold", "warm", "noop", "edit", "again")
# "edit" is the first edit after the cold build; "again" the next one, as every later save of a writing session
# (museumsite's swap then starts from the tree the first edit retired: output/spare.py).
SCENARIO_NAMES = {"cold": "cold build", "warm": "warm (template changed)", "noop": "no-op rebuild",
                  "edit": "one-edit rebuild", "again": "next edit"}
TOOL_NAMES = {"museumsite": "museumsite", "museumsite-nosearch": "museumsite (search off)", "pelican": "Pelican",
              "hugo": "Hugo", "hugo+pagefind": "Hugo + Pagefind"}
# Measured beside the peers and museumsite: museumsite without its search index, and Hugo followed by Pagefind
# over its output (what a Hugo user adds for search). Reported, not targets (issue 18).
VARIANTS = ("museumsite-nosearch", "hugo+pagefind")
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
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for (pool workers)


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
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                   usage.ru_utime + usage.ru_stime)


def capture(argv: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    return (done.stdout + done.stderr).strip()


