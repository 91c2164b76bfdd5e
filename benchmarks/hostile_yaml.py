#!/usr/bin/env python3
"""Hostile YAML: is each input refused, how long does it take, how much memory?

    .venv/bin/python benchmarks/hostile_yaml.py [--pythonpath DIR] [--timeout 60]

Every input is put once into a post's front matter and once into museumsite.yaml of a
small site, built with ``python -m museumsite build`` in a child process. For each it
prints: refused (exit code 1 or 2 with a ``path:line:`` message and no traceback),
wall time, peak resident memory of the child (``os.wait4`` rusage) and the size of
what it printed to stderr. ``--pythonpath`` runs another checkout of the package (for
example the code before a fix). The child gets an address-space limit of 4 GiB and a
timeout so that a bomb cannot take the machine down; hitting either shows as
``crash`` or ``timeout``. Only the standard library is used; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def laughs(levels: int) -> str:
    rows = ["  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    rows += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "extra:\n" + "\n".join(rows) + f"\ntitle: *l{levels - 1}\n"


HOSTILE = {
    "billion laughs (9 levels) as title": laughs(9),
    "alias bomb kept in extra": laughs(9).replace("\ntitle: *l8", "\ntitle: fine"),
    "long string aliased 1,000 times": "extra:\n  a: &a " + "x" * 100_000 + "\n  b: [" + ", ".join(["*a"] * 1000)
                                       + "]\ntitle: T\n",
    "30,000 nested [ (closed)": "title: " + "[" * 30_000 + "]" * 30_000 + "\n",
    "30,000 nested [ (unclosed)": "title: " + "[" * 30_000 + "\n",
    "900 nested [": "title: " + "[" * 900 + "]" * 900 + "\n",
    "5,000 nested {": "title: " + "{" * 5000 + "}" * 5000 + "\n",
    "900-level block nesting": "title:\n" + "".join("  " * i + "-\n" for i in range(900)) + "  " * 900 + "- x\n",
    "recursive alias": "title: &a [*a]\n",
    "2 MiB string": "title: " + "lol " * (1 << 19) + "\n",
    "1 MiB list of numbers": "title: T\nextra: [" + ",".join(["1"] * 300_000) + "]\n",
    "impossible date": "title: T\nwhen: 2025-02-30\n",
    "5,000-digit number": "title: T\nn: " + "9" * 5000 + "\n",
}

CONFIG = "title: T\nbase_url: https://example.org/\n"
POST = "---\ntitle: P\ndate: 2024-01-01\n---\nBody.\n"


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def run_child(argv: list[str], cwd: Path, pythonpath: str | None,
              timeout: float) -> tuple[int | None, float, float, str, int]:
    """(exit code or None on timeout, seconds, peak RSS in MB, head and tail of stderr, its size) of
    ``python -m museumsite ARGV`` in a child process limited to 4 GiB."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "museumsite", *argv], stdout=subprocess.DEVNULL, stderr=err,
                                 env=env, cwd=cwd, preexec_fn=limit_memory)  # noqa: PLW1509 (no threads here)
        code: int | None = None
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() - started > timeout:
                child.kill()
                _, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        size = err.tell()
        err.seek(0)
        head = err.read(4000).decode("utf-8", "replace")
        err.seek(max(0, size - 4000))
        tail = err.read().decode("utf-8", "replace")
    return code, seconds, usage.ru_maxrss / 1024, head + "\n" + tail, size


def run(site: Path, pythonpath: str | None, timeout: float) -> tuple[str, float, float, int]:
    code, seconds, peak, text, size = run_child(["build", "--site", str(site), "--quiet"], site, pythonpath, timeout)
    return verdict_of(code, text, r"[^:\n]+:\d+: "), seconds, peak, size


def verdict_of(code: int | None, stderr: str, refusal: str) -> str:
    """timeout, crash (a signal or a traceback), refused (exit 1 or 2, stderr matching ``refusal``), exit N."""
    if code is None:
        return "timeout"
    if code < 0 or "Traceback" in stderr:
        return "crash"
    if code in (1, 2) and re.match(refusal, stderr):
        return "refused"
    return f"exit {code}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pythonpath", help="run the museumsite package found here instead")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    print(f"{'input':38} {'where':12} {'result':8} {'time':>8} {'peak RSS':>9} {'stderr':>10}")
    with tempfile.TemporaryDirectory() as folder:
        sites = {"(normal site)": ("front matter", CONFIG, POST)}
        for name, hostile in HOSTILE.items():
            sites[name] = ("front matter", CONFIG, "---\ndate: 2024-01-01\n" + hostile + "---\nBody.\n")
        for number, (name, (where, config, post)) in enumerate(sites.items()):
            cases = [(where, config, post)]
            if name in HOSTILE:
                body = HOSTILE[name] if "title:" in HOSTILE[name] else HOSTILE[name] + "title: T\n"
                cases.append(("config", "base_url: https://example.org/\n" + body, POST))
            for index, (place, config_text, post_text) in enumerate(cases):
                site = Path(folder) / f"site{number}-{index}"
                (site / "content/posts").mkdir(parents=True)
                (site / "museumsite.yaml").write_text(config_text, encoding="utf-8")
                (site / "content/posts/p.md").write_text(post_text, encoding="utf-8")
                verdict, seconds, peak, size = run(site, args.pythonpath, args.timeout)
                print(f"{name:38} {place:12} {verdict:8} {seconds:7.2f}s {peak:7.0f}MB {size:9,}B", flush=True)


if __name__ == "__main__":
    main()
