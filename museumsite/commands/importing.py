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
                                              "Re-importing is safe: files edited by hand are kept, comment "
                                              "archives are merged and the site's moderation decisions stay.")
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
        force_options(source)
        source.set_defaults(run=run_import, source=name)
    for name, what in (("frab", "a frab schedule XML (schedule.xml)"),
                       ("pretalx", "a pretalx or frab schedule JSON (schedule.json)")):
        command = sources.add_parser(
            name, help=f"import {what}",
            description=f"Import {what} as event, talk and speaker files. Re-importing updates the same files; "
                        "files edited by hand are kept unless --force or --force-path.")
        command.add_argument("file", type=Path, metavar="FILE", help="the schedule file")
        add_site_option(command)
        command.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        force_options(command)
        command.set_defaults(run=run_import, source=name)


def force_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--force", action="store_true",
                         help="overwrite every entry file edited, deleted or written by hand that the export also has "
                              "(each one is printed); comment archives are merged all the same, never overwritten")
    command.add_argument("--force-path", action="append", default=[], metavar="PATH",
                         help="overwrite only this file, or the files in this folder (repeatable): "
                              "content/posts/hello.md, content/pages")


def forced(args: argparse.Namespace) -> bool | list[str]:
    """--force (every file), --force-path (those paths, site-relative, as typed from here or from the site)."""
    if args.force:
        return True
    root = args.site.resolve()
    paths = []
    for typed in args.force_path:
        path = Path(typed)
        here = (Path.cwd() / path).resolve()
        paths.append(here.relative_to(root).as_posix() if here.is_relative_to(root) else path.as_posix().strip("/"))
    return paths


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

        return import_wordpress(args.file, args.site, uploads=args.uploads, dry_run=args.dry_run,
                                force=forced(args))
    if args.source == "disqus":
        from museumsite.importers.disqus import import_disqus

        return import_disqus(args.file, args.site, dry_run=args.dry_run, force=forced(args), staff=args.staff)
    from museumsite.importers.schedules.files import import_schedule_file

    return import_schedule_file(args.file, args.site, reader=args.source, dry_run=args.dry_run,
                                force=forced(args))
