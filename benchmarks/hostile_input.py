#!/usr/bin/env python3
"""Hostile sizes: malformed exports, schedules, form comments and e-mails near the size limits.

    .venv/bin/python benchmarks/hostile_input.py [--pythonpath DIR] [--size 1000000]

Each input runs through the command line (``museumsite import wordpress|disqus|frab|
pretalx FILE`` or ``museumsite comments add FILE``) in a child process on a small site
made by ``museumsite init``. Printed per input: its size, the verdict (refused: exit 1
or 2 with a ``path:`` message and no traceback; added/imported: exit 0; crash:
a traceback or a signal; timeout), wall time and the child's peak resident memory
(``os.wait4``). An ordinary e-mail and a well-formed export come first, as the
yardstick: a hostile input should cost no more than they do. ``--pythonpath`` runs
another checkout of the package (for example main before a fix). The child has a
4 GiB address-space limit and a timeout. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile_yaml import run_child, verdict_of

MAIL_HEAD = ("From: Ann <ann@example.org>\nTo: comments@example.org\nSubject: Re: Hello, world\n"
             "Date: Sun, 12 May 2024 21:05:00 +0200\nMIME-Version: 1.0\n")
MAIL_TEXT = "Content-Type: text/plain; charset=utf-8\n\nThank you for this post, it was a very good read.\n"
WXR_HEAD = ('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">'
            "\n<channel><wp:base_site_url>http://wp.example</wp:base_site_url>\n")
ITEM = ("<item><title>Post {n}</title><content:encoded><![CDATA[<p>Words {n}.</p>]]></content:encoded>"
        "<wp:post_name>post-{n}</wp:post_name><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>"
        "<wp:post_date_gmt>2012-01-05 14:30:46</wp:post_date_gmt></item>\n")


def repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def nested_multiparts(levels: int) -> str:
    head = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(levels))
    return MAIL_HEAD + head + MAIL_TEXT + "".join(f"\n--b{i}--\n" for i in reversed(range(levels)))


def wxr_item(body: str) -> str:
    return WXR_HEAD + ITEM.format(n=1).replace("<p>Words 1.</p>", body) + "</channel></rss>\n"


def mails(size: int) -> dict[str, str]:
    """name -> the text of an .eml; the ordinary one first. ``size`` is the limit: bodies stay under it."""
    words = "Merci pour cet article, très intéressant et bien écrit. "
    body = size - 2000  # room for the headers, in bytes; the words above are mostly ASCII
    kb = f"{body // 1000} KB"
    plain = MAIL_HEAD + MAIL_TEXT
    return {
        "ordinary e-mail": plain,
        "From: 100 KB of 'a.'": plain.replace("Ann <ann@example.org>", repeat("a.", 100_000)),
        "From: 175 KB of encoded words": plain.replace("Ann", repeat("=?utf-8?q?a?= ", 175_000)),
        f"From: {kb} of 'a.'": plain.replace("Ann <ann@example.org>", repeat("a.", body)),
        "From: 998 bytes of 'a.' (the limit)": plain.replace("Ann <ann@example.org>", repeat("a.", 996)),
        "From: 998 bytes of encoded words": plain.replace("Ann", repeat("=?utf-8?q?a?= ", 984)),
        "From: 998 bytes of ',' (address list)": plain.replace("Ann <ann@example.org>", repeat("a@b.c, ", 996)),
        "Subject: folded, 100 KB": plain.replace("Hello, world", repeat("=?utf-8?b?YQ==?=\n ", 100_000)),
        "Content-Type of a part: 100 KB": MAIL_HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
                                          "Content-Type: text/plain; " + repeat('a="b"; ', 100_000) + "\n\nhi\n--b--\n",
        "2,000 nested multiparts": nested_multiparts(2000),
        "16 nested multiparts (the limit)": nested_multiparts(16),
        "100,000 header fields": MAIL_HEAD + repeat("X-A: b\n", 700_000) + MAIL_TEXT,
        "16 KB unread header x 3": MAIL_HEAD + ("Autocrypt: " + repeat("a.", 16_000) + "\n") * 3 + MAIL_TEXT,
        f"text body, {kb}": plain + repeat(words + "\n", body - 50_000),
        f"body of distinct URLs, {kb}": plain + "".join(
            f"https://example.org/posts/{n}/ " for n in range(body // 34)),
        f"base64 body, {kb}": MAIL_HEAD + "Content-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(repeat(words, body * 3 // 4).encode()).decode(),
        f"quoted lines, {kb}": plain + repeat("> quoted\n", body),
        f"one line of {kb} without '@', then a quote": plain + repeat("a", body) + ":\n> q\n" * 2,
        f"one word of {kb}": plain + repeat("a", body) + "\n",
        "100 parts": MAIL_HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\n'
                     + "--b\n" + MAIL_TEXT + "".join("--b\nContent-Type: text/html\n\n<p>x</p>\n" for _ in range(98))
                     + "--b--\n",
        "10,000 parts": MAIL_HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\n'
                        + repeat("--b\n" + MAIL_TEXT, 800_000) + "--b--\n",
    }


def exports(size: int) -> dict[str, tuple[str, str]]:
    """name -> (importer, text of the file); the well-formed one first."""
    return {
        f"well-formed WXR, {size // 1000} KB": ("wordpress", WXR_HEAD + "".join(
            ITEM.format(n=n) for n in range(size // len(ITEM.format(n=10_000)))) + "</channel></rss>\n"),
        **{f"{importer}: unclosed CDATA openings, {size // 1000} KB": (
            importer, WXR_HEAD + repeat("<t><![CDATA[x\n", size)) for importer in ("wordpress", "disqus", "frab")},
        f"CDATA closed by other tags, {size // 1000} KB": ("wordpress", WXR_HEAD + repeat("<t><![CDATA[x]]></u>\n", size)),
        f"nested CDATA repaired, then cut, {size // 1000} KB": (
            "wordpress", WXR_HEAD + repeat("<t a='1'>\n<![CDATA[<![CDATA[ ]]></t>\n", size)),
        f"long attribute run, {size // 1000} KB": ("wordpress", WXR_HEAD + "<t " + "a" * size),
        f"one element of {size // 1000} KB of nested CDATA": (
            "wordpress", wxr_item(repeat("<![CDATA[x]]>", size - 1000))),
        **{f"post body of {len(unit) * 30} KB of {unit!r} (Markdown)": ("wordpress", wxr_item(repeat(unit, len(unit) * 30_000)))
           for unit in ("[", "&", "*", "<", "> ", "<b><i>")},
        "pretalx JSON nested 100,000 deep": ("pretalx", '{"schedule": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        "pretalx JSON with a 5,000-digit number": ("pretalx", '{"schedule": {"version": ' + "9" * 5000 + "}}"),
        f"pretalx JSON, {size // 1000} KB of one string": ("pretalx", '{"schedule": "' + "[" * size + '"}'),
    }


def run(argv: list[str], cwd: Path, pythonpath: str | None, timeout: float) -> tuple[str, float, float, str]:
    """(verdict, seconds, peak RSS in MB, first line of stderr) of ``python -m museumsite ARGV`` in a child."""
    code, seconds, peak, text = run_child(argv, cwd, pythonpath, timeout)[:4]
    verdict = verdict_of(code, text, r"(error: )?[^\n]*?:(\d+:)? ").replace("exit 0", "ok")
    return verdict, seconds, peak, text.split(str(cwd), 1)[-1].split("\n", 1)[0][:90]


Row = tuple[str, int, str, float, float, str]


def measure(folder: Path, size: int, pythonpath: str | None, timeout: float,
            show: Callable[[Row], None] = lambda row: None, only: str = "") -> tuple[list[Row], list[Row]]:
    """Rows (name, bytes, verdict, seconds, MB, message) for the mails and for the imports."""
    site = folder / "site"
    subprocess.run([sys.executable, "-m", "museumsite", "init", str(site)], check=True, capture_output=True,
                   env=dict(os.environ, PYTHONPATH=pythonpath or os.environ.get("PYTHONPATH", "")))
    rows: tuple[list[Row], list[Row]] = ([], [])
    for number, (name, text) in enumerate(mails(size).items() if only != "exports" else ()):
        path = folder / f"mail-{number}.eml"
        path.write_text(text, encoding="utf-8")
        rows[0].append((name, path.stat().st_size,
                        *run(["comments", "add", str(path), "--site", str(site)], folder, pythonpath, timeout)))
        show(rows[0][-1])
    for number, (name, (importer, text)) in enumerate(exports(size).items() if only != "mails" else ()):
        path = folder / f"export-{number}.{'json' if importer == 'pretalx' else 'xml'}"
        path.write_text(text, encoding="utf-8")
        target = folder / f"import-{number}"
        subprocess.run(["cp", "-r", str(site), str(target)], check=True)
        rows[1].append((name, path.stat().st_size,
                        *run(["import", importer, str(path), "--site", str(target), "--dry-run"], folder,
                             pythonpath, timeout)))
        show(rows[1][-1])
    return rows


def print_row(row: Row) -> None:
    name, size, verdict, seconds, peak, message = row
    print(f"  {name[:46]:46} {size:>10,} B  {verdict:8} {seconds:7.2f} s {peak:7.0f} MB  {message}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pythonpath", help="run the museumsite package found here instead")
    parser.add_argument("--size", type=int, default=1_000_000, help="bytes of the large inputs (default: 1 MB)")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--only", choices=["mails", "exports"], help="only the e-mails, or only the imports")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        measure(Path(name), args.size, args.pythonpath, args.timeout, print_row, args.only or "")


if __name__ == "__main__":
    main()
