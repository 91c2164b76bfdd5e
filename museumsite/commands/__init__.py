"""The command line's commands: what each one parses and prints, and the small ones' work.

``museumsite.cli`` is the entry point: it makes the output streams safe for untrusted
text, assembles the parser and runs one command; it holds ``build``, ``init``, ``new``
and ``clean`` itself. The command groups with a concern of their own have their parser
and their printing here, beside it: ``checking`` (``check``), ``importing`` (``import
wordpress|disqus|frab|pretalx``), ``moderating`` (``comments add|list|approve|reject``)
and ``serving`` (``serve``); the work is done in ``check/``, ``importers/``,
``comments/`` and ``serve/``. ``scaffold`` and ``clean`` are the work of ``init``,
``new`` and ``clean``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TypeAlias

from museumsite import CONFIG_FILE

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
SITE_HELP = "the site folder, holding museumsite.yaml (default: the one holding the current folder)"


def add_site_option(parser: argparse.ArgumentParser) -> None:
    """``--site DIR``: every command that works on a site takes it (``cli`` finds the site without it)."""
    parser.add_argument("--site", type=Path, metavar="DIR", help=SITE_HELP)


def find_site(start: Path) -> Path:
    """The site folder holding ``start``: the nearest folder upwards with a museumsite.yaml.

    Like git, Hugo and Zola, a command run in ``content/posts/`` works on its site;
    ``--site DIR`` names the folder itself and is not searched from. Without the config's
    module: a no-op build is done before it reads museumsite.yaml (``noop.recorded``).
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder if folder != here else start
    from museumsite.config import no_site

    raise no_site(here, searched_up=True)


def shown(path: Path) -> str:
    """A path as the user would type it from here: relative below this folder, and upwards from a subfolder
    of the folder that holds it (``../../_site`` from ``content/posts``); anything else as given."""
    here, there = Path.cwd().resolve(), path.resolve()
    if there.is_relative_to(here) or here.is_relative_to(there.parent):
        return os.path.relpath(there, here)
    return str(path)
