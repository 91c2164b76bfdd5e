"""``museumsite check``: the built site's links, anchors, images and feeds, and what each language lacks.

The parser and the printing; the checks themselves are in ``museumsite.check``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from museumsite.commands import Subparsers, add_site_option


def add_parser(commands: Subparsers) -> None:
    check = commands.add_parser("check", help="check the built site: links, anchors, images, feeds; translations",
                                description="Build the site into a temporary folder (or read --output) and check "
                                            "internal links and anchors, images, hreflang sets, feeds, orphan pages "
                                            "and page sizes; --translations reports what each language lacks. "
                                            "Without a choice, both. Exit 1 on broken links, anchors, images or "
                                            "feeds, and with --strict on any finding.")
    add_site_option(check)
    check.add_argument("--output", type=Path, metavar="DIR",
                       help="check this already built folder instead of building the site into a temporary one")
    check.add_argument("--links", action="store_true", help="check the built site (links, images, feeds...)")
    check.add_argument("--external", action="store_true",
                       help="also ask every outside link on a public address (HEAD, short timeout); "
                            "skipped when there is no network")
    check.add_argument("--external-private", action="store_true",
                       help="with --external, also ask links to loopback, private and link-local addresses "
                            "(skipped by default: a comment's link must not make this machine ask its own network)")
    check.add_argument("--translations", action="store_true", help="report missing translations")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings and missing translations too")
    check.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    check.add_argument("--base-url", metavar="URL",
                       help="the address the site is published at, when it was built with build --base-url URL")
    check.add_argument("--max-kb", type=int, default=100, metavar="KB",
                       help="size budget of a page, raw (default: 100)")
    check.add_argument("--timeout", type=float, default=5.0, metavar="S",
                       help="seconds to wait for each outside link (default: 5)")
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from museumsite.check.output import check_translations, format_report, report_json, report_text

    links = args.links or args.external or not args.translations
    translations = args.translations or not (args.links or args.external)
    report = _check_output(args) if links else None
    reports = check_translations(args.site) if translations else None
    if args.format == "json":
        print(report_json(report, reports))
    else:
        if report is not None:
            print(report_text(report))
        if reports is not None:
            print(format_report(reports))
    failed = bool(report and any(f.error for f in report.findings))
    if args.strict:
        failed = failed or bool(report and report.findings) or any(not r.complete for r in reports or [])
    return 1 if failed else 0


def _check_output(args: argparse.Namespace) -> Any:
    """Check ``--output`` as it is, or a fresh build of the site in a temporary folder."""
    import tempfile

    from museumsite.build import build
    from museumsite.check.output import check_output
    from museumsite.config import load_config

    config = load_config(args.site.resolve(), args.base_url)
    options = {"max_kb": args.max_kb, "external": args.external, "timeout": args.timeout,
               "external_private": args.external_private}
    if args.output is not None:
        if not args.output.is_dir():
            from museumsite.errors import UsageError

            raise UsageError(f"{args.output} is not a folder: build the site first, or leave out --output")
        return check_output(args.output, config, **options)
    with tempfile.TemporaryDirectory(prefix="museumsite-check-") as folder:
        result = build(args.site, Path(folder) / "site", base_url=args.base_url)
        return check_output(result.output_dir, config, **options)
