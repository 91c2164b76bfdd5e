"""Command line: ``museumsite build | init | new | check | comments | import | serve | clean``.

The entry point (``main``) and, with ``museumsite.commands``, the only code that prints:
every line goes through ``terminal_text``. ``build``, ``init``, ``new`` and ``clean`` are
here; ``check``, ``comments``, ``import`` and ``serve`` have their parser and printing in
``commands/`` (``checking``, ``moderating``, ``importing``, ``serving``).

Exit codes: 0 ok, 1 content errors, 2 usage or configuration errors.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO, cast

from museumsite import __version__
from museumsite.commands import add_site_option, checking, find_site, importing, moderating, serving, shown
from museumsite.errors import MuseumError, counted, terminal_text


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
    except BrokenPipeError:
        # Whoever read our output went away (``museumsite build | head -1``): the command did its work, only its
        # last words are lost. Python would print a traceback, then another when it flushes the stream at exit.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), streams[0].fileno())
        return 1
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
    argv = sys.argv[1:] if argv is None else argv
    # ``museumsite build`` (most often a no-op, over in a tenth of a second) needs no other command's parser.
    parser = _parser(only_build=argv[:1] == ["build"])
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help
        return int(exc.code or 0)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        if hasattr(args, "site"):  # --site DIR names the site; without it, the one holding this folder
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
    except OSError as exc:  # a full disk, a folder we may not write: the system's words, without a traceback
        if isinstance(exc, BrokenPipeError):
            raise
        where = "".join(f" {name}" for name in (exc.filename, exc.filename2) if name)
        print(f"error: {exc.strerror or exc}:{where}; {_remedy(exc)}, then run the command again", file=sys.stderr)
        return 1


def _remedy(exc: OSError) -> str:
    """What the user can do about a failed read or write, by its cause."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "free some space on that disk"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "make that folder writable, or choose another one"
    return "check that path (its name, its length, the folders on the way)"


CI_CHOICES = {"github", "gitlab"}  # scaffold.CI_FILES; named here so that --help needs no import


def failed_line(command: str | None, count: int) -> str:
    """The last line of a command stopped by problems: said in its own words, counted right."""
    problems = counted(count, "problem")
    if command == "check":
        return f"Check stopped: the site does not build ({problems})."
    done = {"build": "Build failed", "import": "Import failed", "serve": "Serve stopped"}.get(command or "", "Stopped")
    return f"{done}: {problems}; nothing was written."


def _parser(only_build: bool = False) -> argparse.ArgumentParser:
    """The command line's parser; with ``only_build``, the same parser without the commands after ``build``."""
    parser = argparse.ArgumentParser(
        prog="museumsite", description="Build static sites for conference proceedings, event recaps and blogs.")
    parser.add_argument("--version", action="version", version=f"museumsite {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")

    build = commands.add_parser("build", help="build the site into a folder of static files",
                                description="Build the site into a folder of static files.")
    add_site_option(build)
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
    if only_build:
        return parser

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
    add_site_option(new)
    new.set_defaults(run=_new)

    checking.add_parser(commands)
    moderating.add_parser(commands)
    importing.add_parser(commands)
    serving.add_parser(commands)
    clean = commands.add_parser("clean", help="remove the output (_site) and the cache (.museumsite-cache)",
                                description="Remove _site/ (only if museumsite wrote it) and .museumsite-cache/.")
    add_site_option(clean)
    clean.set_defaults(run=_clean)
    return parser


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
              f"into {shown(result.output_dir)}"
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
            print(f"Wrote {shown(path)}: commit it and push; the README's \"Publishing\" says what to turn on once.")
    return 0


def _new(args: argparse.Namespace) -> int:
    from museumsite.commands.scaffold import new_file

    path = new_file(args.site, args.kind, args.title)
    print(f"Created {shown(path)}")
    return 0


def _clean(args: argparse.Namespace) -> int:
    from museumsite.commands.clean import clean_site

    removed = clean_site(args.site)
    print("\n".join(f"Removed {shown(path)}" for path in removed) or "Nothing to remove.")
    return 0
