"""humans.txt (https://humanstxt.org/) for a museumsite site: the people behind its talks and posts.

The template for a plugin: a subclass of ``museumsite.plugins.Plugin`` that overrides
the hooks it needs (here only ``outputs``), named by an entry point of the group
``museumsite.plugins`` in its ``pyproject.toml``. A site enables it with
``plugins: [humans]``, or ``plugins: [{humans: {path: team.txt}}]`` to change an option.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from museumsite.plugins import Output, Plugin, Site


class Humans(Plugin):
    """Writes ``/humans.txt``: every speaker, every post author, then the site's name, address and languages."""

    defaults: ClassVar[Mapping[str, Any]] = {"path": "humans.txt"}  # the options a site may set, with their defaults

    def outputs(self, site: Site, pages: Sequence[Output]) -> Iterable[Output]:
        speakers = _names(speaker.name for speaker in site.speakers)
        authors = _names(author for post in site.posts for author in post.authors)
        lines = ["/* TEAM */", *(f"Speaker: {name}" for name in speakers), *(f"Author: {name}" for name in authors),
                 "", "/* SITE */", f"Site: {_one_line(site.config.title)}", f"URL: {site.config.base_url}",
                 f"Languages: {', '.join(site.config.all_languages)}", "Software: museumsite", ""]
        yield Output(path=str(self.options["path"]), data="\n".join(lines).encode("utf-8"))


def _names(found: Iterable[str]) -> list[str]:
    """Each name once (every translation of a speaker's page names them again), in alphabetical order."""
    unique = {_one_line(name) for name in found} - {""}
    return sorted(unique, key=lambda name: (name.casefold(), name))


def _one_line(text: str) -> str:
    """A name on one line: humans.txt is one field per line."""
    return " ".join(text.split())
