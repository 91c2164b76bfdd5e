"""``museumsite import wordpress|disqus|frab|pretalx FILE``: an export into the site's content folder.

The parsers and the printing; the importers are in ``museumsite.importers``. All four
return the same ``ImportReport`` and refuse a file the same way (``ImportRefused``, which
``cli`` prints as it prints the build's problems).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from museumsite.commands import Subparsers, add_site_option

if TYPE_CHECKING:  # the importers are imported when one runs, not for every command's parser
    from museumsite.importers.report import ImportReport


def add_parser(commands: Subparsers) -> None:
    imports = commands.add_parser("import", help="import content: WordPress, Disqus, frab or pretalx",
                                  description="Import an export file into the site's content folder. "
                                              "Re-importing is safe: files edited by hand are kept.")
    sources = imports.add_subparsers(title="sources", metavar="SOURCE")
    for name, text in (("wordpress", "a WordPress export (WXR, Tools > Export)"),
                       ("disqus", "a Disqus comments export (XML)")):
        source = sources.add_parser(name, help=text, description=f"Import {text}.")
        source.add_argument("file", type=Path, metavar="FILE", help="the export file")
        add_site_option(source)
        if name == "wordpress":
            source.add_argument("--uploads", type=Path, metavar="DIR",
                                help="the old site's wp-content/uploads folder: images are copied from it")
        else:
            source.add_argument("--staff", action="append", default=[], metavar="USERNAME",
                                help="a Disqus username whose comments are marked as staff (repeatable)")
        source.add_argument("--dry-run", action="store_true", help="report what would be written; write nothing")
        source.add_argument("--force", action="store_true", help="also overwrite files edited by hand")
        source.set_defaults(run=run_import, source=name)
    for name, what in (("frab", "a frab schedule XML (schedule.xml)"),
                       ("pretalx", "a pretalx or frab schedule JSON (schedule.json)")):
        command = sources.add_parser(
            name, help=f"import {what}",
            description=f"Import {what} as event, talk and speaker files. Re-importing updates the same files; "
                        "files edited by hand are kept unless --force.")
        command.add_argument("file", type=Path, metavar="FILE", help="the schedule file")
        add_site_option(command)
        command.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        command.add_argument("--force", action="store_true", help="also replace files edited by hand")
        command.set_defaults(run=run_import, source=name)


def run_import(args: argparse.Namespace) -> int:
    """Import, then print the warnings (stderr) and the report (stdout)."""
    report = _imported(args)
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    print("\n".join(report.lines()))
    return 0


def _imported(args: argparse.Namespace) -> ImportReport:
    if args.source == "wordpress":
        from museumsite.importers.wordpress.importer import import_wordpress

        return import_wordpress(args.file, args.site, uploads=args.uploads, dry_run=args.dry_run, force=args.force)
    if args.source == "disqus":
        from museumsite.importers.disqus import import_disqus

        return import_disqus(args.file, args.site, dry_run=args.dry_run, force=args.force, staff=args.staff)
    from museumsite.importers.schedules.files import import_schedule_file

    return import_schedule_file(args.file, args.site, reader=args.source, dry_run=args.dry_run, force=args.force)
