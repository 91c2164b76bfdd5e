"""Problems found in a site, and how they are reported; and what a build that succeeds reports.

Every stage collects what is wrong instead of stopping at the first problem, so
that one build shows the author everything to fix. A problem carries the file
(relative to the site root, as the author sees it), the line when known, and a
hint saying what to do. A build that succeeds reports a ``BuildResult``: its figures
and its warnings (here rather than in ``model.py``, whose entries a no-op build never loads).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input; ``str()`` gives ``path:line: message``."""

    path: str
    line: int | None
    message: str
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {'warning: ' if self.warning else ''}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


# What a terminal must never receive from untrusted text: C0 and C1 controls but tab and
# line feed (ESC and CSI start the sequences that move the cursor, retitle the window,
# write the clipboard or hide text; CR overwrites the line), DEL, the bidirectional
# overrides and isolates (they reorder what is shown), and lone surrogates (from file
# names that are not UTF-8: printing one is an encoding error).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal_text(text: str) -> str:
    """``text`` safe to print: each character above written as ``\\uXXXX``, visible and inert.

    The notation is also JSON's, so a JSON report keeps its meaning. Every line the
    command line prints goes through here (see ``cli.main``): file names, imported
    links and titles reach messages, reports and warnings from many places.
    """
    return _UNPRINTABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


class MuseumError(Exception):
    """Base class of every error museumsite raises on purpose."""

    exit_code = 1


class BuildError(MuseumError):
    """The content has problems; all of them are in ``problems``.

    ``warnings`` are those found before the build failed: an author fixing the errors
    should see them too, not meet them only after the next run.
    """

    def __init__(self, problems: Iterable[Problem], warnings: Iterable[Problem] = ()):
        self.problems = tuple(problems)
        self.warnings = tuple(warnings)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(BuildError):
    """The configuration is unusable: a usage error (exit 2), not a content one."""

    exit_code = 2


class UsageError(MuseumError):
    """The command line asks for something impossible (exit 2)."""

    exit_code = 2


@dataclass(slots=True)
class Problems:
    """Collects problems across a stage; ``raise_if_any`` fails once at the end."""

    items: list[Problem] = field(default_factory=list)
    strict: bool = False

    def error(self, path: str | Path, line: int | None, message: str, hint: str = "") -> None:
        self.items.append(Problem(str(path), line, message, hint))

    def warn(self, path: str | Path, line: int | None, message: str, hint: str = "") -> None:
        # Under --strict a warning is an error: the author asked for a clean build.
        self.items.append(Problem(str(path), line, message, hint, warning=not self.strict))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.warning]

    def raise_if_any(self, error_class: type[BuildError] = BuildError) -> None:
        if self.errors:
            raise error_class(sorted(self.errors, key=_problem_order), self.warnings)


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.message)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest known word, or an empty string."""
    import difflib  # here: every command loads this module, few need a suggestion

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def counted(number: int, singular: str, plural: str = "") -> str:
    """'1 error', '2 errors': every count a command prints goes through here, never '(s)'.

    Command output is English; the plural is the singular plus 's' unless given
    ('1 entry', '2 entries'). The theme's own counts use the catalogues' plural rules.
    """
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    """What a build that succeeded reports: the figures ``museumsite build`` prints, and its warnings."""

    output_dir: Path
    pages: int
    feeds: int
    files: int
    written: int
    unchanged: int
    removed: int
    seconds: float
    warnings: tuple[Problem, ...] = ()
    drafts: int = 0  # draft files left out (0 when built with drafts)
    rendered: int = 0  # pages and post feeds rendered by this build
    kept: int = 0  # pages and post feeds read back from the previous build instead (incremental/reuse.py)
    up_to_date: bool = False  # nothing changed since the last build: nothing was made or read (incremental/noop.py)
