"""``museumsite comments add|list|approve|reject``: moderation in files.

The parsers and the printing; the work is in ``museumsite.comments.moderate``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from museumsite.commands import Subparsers, add_site_option
from museumsite.errors import BuildError

if TYPE_CHECKING:
    from museumsite.comments.moderate import Done


def add_parser(commands: Subparsers) -> None:
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
    for action, run in ((add, run_add), (listing, run_list), (approve, run_approve), (reject, run_reject)):
        if action is approve or action is reject:
            action.add_argument("ref", metavar="ID", help="posts/<slug>#12, or 12 when only one archive has it")
        add_site_option(action)
        action.set_defaults(run=run)


def run_add(args: argparse.Namespace) -> int:
    from museumsite.comments.moderate import add_comment

    return _moderated(lambda: add_comment(args.site, args.file))


def run_approve(args: argparse.Namespace) -> int:
    from museumsite.comments.moderate import approve

    return _moderated(lambda: approve(args.site, args.ref))


def run_reject(args: argparse.Namespace) -> int:
    from museumsite.comments.moderate import reject

    return _moderated(lambda: reject(args.site, args.ref))


def _moderated(action: Callable[[], Done]) -> int:
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


def run_list(args: argparse.Namespace) -> int:
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
