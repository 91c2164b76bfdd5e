"""Command line: ``museumsite build | init | new | check | comments | import | serve | clean``. The only module that prints.

Exit codes: 0 ok, 1 content errors, 2 usage or configuration errors.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any, TextIO, cast

from museumsite import __version__
from museumsite.errors import BuildError, MuseumError, counted, terminal_text


def main(argv: list[str] | None = None) -> int:
    """Run one command; everything printed meanwhile, by any thread, goes through ``terminal_text``.

    File names, imported titles and links, request paths in ``serve``'s log: untrusted
    text reaches the terminal from many places, so the one place that makes it safe is
    the output streams themselves, not each message.
    """
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafe.around(sys.stdout), _TerminalSafe.around(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams


class _TerminalSafe:
    """A text stream writing ``terminal_text`` of what it is given to ``unescaped``."""

    def __init__(self, stream: TextIO) -> None:
        self.unescaped = stream

    @classmethod
    def around(cls, stream: TextIO) -> TextIO:
        return cast(TextIO, stream if isinstance(stream, cls) else cls(stream))

    def write(self, text: str) -> int:
        self.unescaped.write(terminal_text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding...: the stream's own
        return getattr(self.unescaped, name)


def _unescaped(stream: TextIO) -> TextIO:
    """The stream under ``_TerminalSafe``: for our own escape sequences (the progress line)."""
    return cast(TextIO, getattr(stream, "unescaped", stream))


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help
        return int(exc.code or 0)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        if hasattr(args, "site"):  # --site DIR names the site; without it, the one holding this folder
            from museumsite.config import find_site

            args.site = find_site(Path(".")) if args.site is None else args.site
        return int(args.run(args))
    except MuseumError as exc:
        problems = getattr(exc, "problems", None)
        if not getattr(args, "quiet", False):
            for warning in getattr(exc, "warnings", ()):
                print(warning, file=sys.stderr)
        if problems:
            for problem in problems:
                print(problem, file=sys.stderr)
            print(failed_line(getattr(args, "command", None), len(problems)), file=sys.stderr)
        else:
            print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; the previous output is unchanged", file=sys.stderr)
        return 130


CI_CHOICES = {"github", "gitlab"}  # scaffold.CI_FILES; named here so that --help needs no import
SITE_HELP = "the site folder, holding museumsite.yaml (default: the one holding the current folder)"


def failed_line(command: str | None, count: int) -> str:
    """The last line of a command stopped by problems: said in its own words, counted right."""
    problems = counted(count, "problem")
    if command == "check":
        return f"Check stopped: the site does not build ({problems})."
    done = {"build": "Build failed", "import": "Import failed", "serve": "Serve stopped"}.get(command or "", "Stopped")
    return f"{done}: {problems}; nothing was written."


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="museumsite", description="Build static sites for conference proceedings, event recaps and blogs.")
    parser.add_argument("--version", action="version", version=f"museumsite {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")

    build = commands.add_parser("build", help="build the site into a folder of static files",
                                description="Build the site into a folder of static files.")
    build.add_argument("--site", type=Path, metavar="DIR",
                       help=SITE_HELP)
    build.add_argument("--output", type=Path, metavar="DIR", help="where to write the site (default: DIR/_site)")
    build.add_argument("--drafts", action="store_true", help="include entries marked 'draft: true'")
    build.add_argument("--in-place", action="store_true",
                       help="write a small change into the output file by file instead of swapping in a new "
                            "tree: faster on a large site, but a web server reading the output meanwhile may "
                            "briefly serve old and new pages together")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--base-url", metavar="URL",
                       help="publish at this address instead of museumsite.yaml's base_url (a preview deploy): "
                            "every absolute URL, feed and the sitemap follow it")
    loud = build.add_mutually_exclusive_group()
    loud.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    loud.add_argument("--verbose", "-v", action="store_true", help="also print file counts")
    build.set_defaults(run=_build)

    init = commands.add_parser("init", help="create a small working site in a new folder",
                               description="Create a small working site (one event, talk, speaker and post).")
    init.add_argument("directory", type=Path, metavar="DIR", help="the new site folder (must be new or empty)")
    init.add_argument("--ci", choices=sorted(CI_CHOICES), metavar="HOST",
                      help="also write the workflow that publishes the site: 'github' (GitHub Pages, "
                           ".github/workflows/pages.yml) or 'gitlab' (GitLab Pages, .gitlab-ci.yml); on an existing "
                           "site, only that")
    init.set_defaults(run=_init)

    new = commands.add_parser("new", help="create a content file with front matter ready to fill",
                              description="Create content/<kind>s/<slug>.md, the slug made from the title.")
    new.add_argument("kind", choices=["post", "talk", "speaker", "event", "page"], help="what to create")
    new.add_argument("title", help='its title, e.g. "Évaluer nos réseaux" (slug: evaluer-nos-reseaux)')
    new.add_argument("--site", type=Path, metavar="DIR", help=SITE_HELP)
    new.set_defaults(run=_new)

    check = commands.add_parser("check", help="check the built site: links, anchors, images, feeds; translations",
                                description="Build the site into a temporary folder (or read --output) and check "
                                            "internal links and anchors, images, hreflang sets, feeds, orphan pages "
                                            "and page sizes; --translations reports what each language lacks. "
                                            "Without a choice, both. Exit 1 on broken links, anchors, images or "
                                            "feeds, and with --strict on any finding.")
    check.add_argument("--site", type=Path, metavar="DIR", help=SITE_HELP)
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
    check.set_defaults(run=_check)
    _comments_parser(commands)

    imports = commands.add_parser("import", help="import content: WordPress, Disqus, frab or pretalx",
                                  description="Import an export file into the site's content folder. "
                                              "Re-importing is safe: files edited by hand are kept.")
    sources = imports.add_subparsers(title="sources", metavar="SOURCE")
    for name, text in (("wordpress", "a WordPress export (WXR, Tools > Export)"),
                       ("disqus", "a Disqus comments export (XML)")):
        source = sources.add_parser(name, help=text, description=f"Import {text}.")
        source.add_argument("file", type=Path, metavar="FILE", help="the export file")
        source.add_argument("--site", type=Path, metavar="DIR", help=SITE_HELP)
        if name == "wordpress":
            source.add_argument("--uploads", type=Path, metavar="DIR",
                                help="the old site's wp-content/uploads folder: images are copied from it")
        else:
            source.add_argument("--staff", action="append", default=[], metavar="USERNAME",
                                help="a Disqus username whose comments are marked as staff (repeatable)")
        source.add_argument("--dry-run", action="store_true", help="report what would be written; write nothing")
        _force_options(source)
        source.set_defaults(run=_import, source=name)
    _add_schedule_imports(sources)
    _serve_parsers(commands)
    return parser


def _serve_parsers(commands: Any) -> None:
    serve = commands.add_parser("serve", help="serve the site locally, rebuilding and reloading on every save",
                                description="Build the site into .museumsite-cache/serve/, serve it on "
                                            "127.0.0.1, rebuild when content, themes, locales or the config "
                                            "change, and reload open pages. Ctrl-C stops it.")
    serve.add_argument("--site", type=Path, metavar="DIR", help=SITE_HELP)
    serve.add_argument("--port", type=_port, default=8000, metavar="N", help="the port (default: 8000; 0: any free one)")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDR",
                       help="the address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME", type=_host_option,
                       help="also answer requests for this host name (repeatable); by default only localhost, "
                            "127.0.0.1, [::1] and the --bind address, so no other site can read the preview "
                            "through DNS rebinding")
    serve.add_argument("--drafts", action="store_true", help="include entries marked 'draft: true'")
    serve.set_defaults(run=_serve)
    clean = commands.add_parser("clean", help="remove the output (_site) and the cache (.museumsite-cache)",
                                description="Remove _site/ (only if museumsite wrote it) and .museumsite-cache/.")
    clean.add_argument("--site", type=Path, metavar="DIR", help=SITE_HELP)
    clean.set_defaults(run=_clean)


def _host_option(value: str) -> str:
    """A host name or IP address for --allow-host: what a browser puts in the Host header."""
    from museumsite.serve.server import host_name, is_ip

    name = host_name(value)
    if (name is None or name != value.strip("[]").lower().rstrip(".")
            or not (re.fullmatch(r"[a-z0-9_]([a-z0-9_.-]*[a-z0-9])?", name) or is_ip(name))):
        raise argparse.ArgumentTypeError(f"'{value}' is not a host name; write it as in the address bar, "
                                         "without http:// or a port, such as preview.example.test")
    return name


def _port(text: str) -> int:
    """A TCP port, checked while parsing: a wrong one is a usage error before any build, not a traceback after it."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number: give one from 1 to 65535") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port number: give one from 1 to 65535")
    return number


def _serve(args: argparse.Namespace) -> int:
    import signal

    from museumsite.serve.server import DevServer

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # `kill`, a process manager or a container stop: the same clean stop as Ctrl-C

    server = DevServer(args.site, bind=args.bind, port=args.port, drafts=args.drafts,
                       allow_hosts=tuple(args.allow_host),
                       log=lambda message: print(message, file=sys.stderr, flush=True))
    server.start()
    # Before the address is printed: whoever read it may stop the server at once.
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        print(f"Serving {_shown(args.site)} at {server.url} (Ctrl-C to stop)", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
        print("Stopped.", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def _clean(args: argparse.Namespace) -> int:
    from museumsite.commands.clean import clean_site

    removed = clean_site(args.site)
    print("\n".join(f"Removed {_shown(path)}" for path in removed) or "Nothing to remove.")
    return 0


def _comments_parser(commands: Any) -> None:
    group = commands.add_parser("comments", help="moderate new comments: add, list, approve, reject",
                                description="Moderation in files: 'add' appends a comment (a form's JSON file or "
                                            "an .eml e-mail) to its entry's archive as pending; build publishes "
                                            "only approved ones.")
    actions = group.add_subparsers(title="actions", metavar="ACTION")
    add = actions.add_parser("add", help="append a comment from a JSON file or an e-mail (.eml), pending")
    add.add_argument("file", type=Path, metavar="FILE", help="the comment: FILE.json from a form, or FILE.eml")
    listing = actions.add_parser("list", help="one line per comment: entry#id, date, author, lang, status, words")
    listing.add_argument("--pending", action="store_true", help="only comments waiting for approval")
    approve = actions.add_parser("approve", help="publish a comment (status: approved) at the next build")
    reject = actions.add_parser("reject", help="delete a comment from its archive")
    for action, run in ((add, _comments_add), (listing, _comments_list), (approve, _comments_approve),
                        (reject, _comments_reject)):
        if action is approve or action is reject:
            action.add_argument("ref", metavar="ID", help="posts/<slug>#12, or 12 when only one archive has it")
        action.add_argument("--site", type=Path, metavar="DIR", help=SITE_HELP)
        action.set_defaults(run=run)


def _comments_add(args: argparse.Namespace) -> int:
    from museumsite.comments.moderate import add_comment

    return _moderated(lambda: add_comment(args.site, args.file))


def _comments_approve(args: argparse.Namespace) -> int:
    from museumsite.comments.moderate import approve

    return _moderated(lambda: approve(args.site, args.ref))


def _comments_reject(args: argparse.Namespace) -> int:
    from museumsite.comments.moderate import reject

    return _moderated(lambda: reject(args.site, args.ref))


def _moderated(action: Any) -> int:
    try:
        done = action()
    except BuildError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return exc.exit_code
    print(done.message)
    for note in done.notes:
        print(f"  note: {note}")
    return 0


def _comments_list(args: argparse.Namespace) -> int:
    from museumsite.comments.moderate import list_comments

    try:
        rows, problems = list_comments(args.site, pending=args.pending)
    except BuildError as exc:  # no usable museumsite.yaml
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return exc.exit_code
    for problem in problems:
        print(problem, file=sys.stderr)
    for row in rows:
        print(f"{row.ref}\t{row.date}\t{row.author}\t{row.lang}\t{row.status}\t{row.words}")
    return 1 if problems else 0




def _add_schedule_imports(import_subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``import frab FILE`` and ``import pretalx FILE``: schedules into events, talks and speakers."""
    for name, what in (("frab", "a frab schedule XML (schedule.xml)"),
                       ("pretalx", "a pretalx or frab schedule JSON (schedule.json)")):
        command = import_subparsers.add_parser(
            name, help=f"import {what}",
            description=f"Import {what} as event, talk and speaker files. Re-importing updates the same files; "
                        "files edited by hand are kept unless --force.")
        command.add_argument("file", type=Path, metavar="FILE", help="the schedule file")
        command.add_argument("--site", type=Path, metavar="DIR",
                             help=SITE_HELP)
        command.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        _force_options(command)
        command.set_defaults(run=_import_schedule, schedule_format=name)


def _import_schedule(args: argparse.Namespace) -> int:
    from museumsite.config import load_config
    from museumsite.errors import BuildError
    from museumsite.importers.schedules.files import import_schedule
    from museumsite.importers.schedules.model import format_report

    config = load_config(args.site)
    if args.schedule_format == "frab":
        from museumsite.importers.schedules.frab import read_frab as read
    else:
        from museumsite.importers.schedules.pretalx import read_pretalx as read
    try:
        schedule = read(args.file, str(args.file), config.timezone)
    except BuildError as exc:  # a file we cannot read: say so plainly, nothing was written
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(failed_line("import", len(exc.problems)), file=sys.stderr)
        return exc.exit_code
    report = import_schedule(schedule, args.site.resolve(), dry_run=args.dry_run, force=_forced(args))
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    print(format_report(report))
    return 0


def _build(args: argparse.Namespace) -> int:
    from museumsite.build import build

    started = time.perf_counter()
    live = sys.stderr.isatty() and not args.quiet

    def progress(stage: str, done: int, total: int) -> None:
        # Only builds that take a while get a progress line; quick ones stay quiet.
        if live and time.perf_counter() - started > 1.0:
            counts = f" {done}/{total}" if total else ""
            print(f"\r\033[K{stage}{counts}…", end="", file=_unescaped(sys.stderr), flush=True)

    try:
        result = build(args.site, args.output, drafts=args.drafts, strict=args.strict, progress=progress,
                       in_place=args.in_place, base_url=args.base_url)
    finally:
        if live and time.perf_counter() - started > 1.0:
            print("\r\033[K", end="", file=_unescaped(sys.stderr), flush=True)
    if not args.quiet:
        for warning in result.warnings:
            print(warning, file=sys.stderr)
        if args.verbose and result.up_to_date:
            print(f"Nothing changed since the last build: its {counted(result.unchanged, 'file')} are up to date")
        elif args.verbose:
            print(f"{counted(result.written, 'file')} written, {result.unchanged} unchanged, {result.removed} removed; "
                  f"{counted(result.rendered, 'page or feed', 'pages and feeds')} made, "
                  f"{result.kept} kept from the last build")
        print(f"Built {counted(result.pages, 'page')} and {counted(result.feeds, 'feed')} in {result.seconds:.2f} s "
              f"into {_shown(result.output_dir)}"
              + (f" ({counted(len(result.warnings), 'warning')})" if result.warnings else ""))
        if result.drafts:
            print(f"{counted(result.drafts, 'draft')} left out: build with --drafts to include them")
    return 0


def _init(args: argparse.Namespace) -> int:
    from museumsite.commands.scaffold import init_site

    existing = (args.directory / "museumsite.yaml").is_file()
    made = init_site(args.directory, args.ci)
    if not existing:
        print(f"Created a site in {args.directory}. Build it with: museumsite build --site {args.directory}")
    for path in made:
        if path.name in ("pages.yml", ".gitlab-ci.yml"):
            print(f"Wrote {_shown(path)}: commit it and push; the README's \"Publishing\" says what to turn on once.")
    return 0


def _new(args: argparse.Namespace) -> int:
    from museumsite.commands.scaffold import new_file

    path = new_file(args.site, args.kind, args.title)
    print(f"Created {_shown(path)}")
    return 0


def _check(args: argparse.Namespace) -> int:
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


def _force_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--force", action="store_true",
                         help="overwrite every entry file edited, deleted or written by hand that the export also has "
                              "(each one is printed); comment archives are merged all the same, never overwritten")
    command.add_argument("--force-path", action="append", default=[], metavar="PATH",
                         help="overwrite only this file, or the files in this folder (repeatable): "
                              "content/posts/hello.md, content/pages")


def _forced(args: argparse.Namespace) -> bool | list[str]:
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


def _import(args: argparse.Namespace) -> int:
    if args.source == "wordpress":
        from museumsite.importers.wordpress.importer import import_wordpress

        report = import_wordpress(args.file, args.site, uploads=args.uploads, dry_run=args.dry_run,
                                  force=_forced(args))
    else:
        from museumsite.importers.disqus import import_disqus

        report = import_disqus(args.file, args.site, dry_run=args.dry_run, force=_forced(args), staff=args.staff)
    print("\n".join(report.lines()))
    return 0


def _shown(path: Path) -> str:
    """A path as the user would type it from here: relative below this folder, and upwards from a subfolder
    of the folder that holds it (``../../_site`` from ``content/posts``); anything else as given."""
    import os

    here, there = Path.cwd().resolve(), path.resolve()
    if there.is_relative_to(here) or here.is_relative_to(there.parent):
        return os.path.relpath(there, here)
    return str(path)
