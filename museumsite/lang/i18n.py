"""Languages for readers: interface strings, dates and language names per page language.

Content is translated by authors (``post.fr.md``). The words the theme itself prints
("Speakers", "Read more") come from gettext catalogues: ``.po`` files in the theme's
``locales/<lang>/LC_MESSAGES/messages.po``, which translators edit with their usual
tools (Poedit, Weblate, ``pybabel``). They are the source of truth: they are compiled
in memory at build time, so a plain checkout builds without a compile step. A site
overrides any string in its own ``locales/`` folder; a string missing everywhere falls
back to the English text. Dates, times and plural rules come from Babel (CLDR), so a
French page says "16 octobre 2009" and "0 commentaire".
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale

from museumsite.errors import Problem

if TYPE_CHECKING:
    # Imported where they are used: a build that does not render never loads them.
    from babel.support import Translations

DOMAIN = "messages"


@dataclass(frozen=True, slots=True)
class Interface:
    """The interface strings of every site language, each a chain of catalogues."""

    catalogues: Mapping[str, NullTranslations] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # the .po files read, for the cache key and reports
    # Each (language, message) is looked up once: a page asks for a dozen strings, the
    # same on every page, and a lookup walks the chain of catalogues.
    _memo: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)

    def gettext(self, lang: str, message: str) -> str:
        found = self._memo.get((lang, message))
        if found is None:
            found = self._memo[lang, message] = str(self._for(lang).gettext(message))
        return found

    def ngettext(self, lang: str, singular: str, plural: str, number: int) -> str:
        return str(self._for(lang).ngettext(singular, plural, number))

    def translated(self, lang: str, message: str) -> bool:
        """Whether some catalogue of ``lang`` translates ``message`` (English needs none)."""
        if lang.split("-")[0] == "en":
            return True
        catalogue: object = self._for(lang)
        while isinstance(catalogue, GNUTranslations):
            if message in catalogue._catalog or (message, 0) in catalogue._catalog:  # type: ignore[attr-defined]
                return True
            catalogue = catalogue._fallback  # type: ignore[attr-defined]
        return False

    def _for(self, lang: str) -> NullTranslations:
        return self.catalogues.get(lang) or NullTranslations()


def load_interface(folders: Iterable[Path], languages: Iterable[str], root: Path) -> tuple[Interface, list[Problem]]:
    """Read the catalogues of each language from ``folders``, the first one winning.

    ``folders`` are ``locales/`` folders in priority order (site, site theme, default
    theme). ``pt-BR`` also looks for ``pt``. A broken ``.po`` file is a problem naming
    its line; the build reports it with the others.
    """
    folders = [f for f in folders if f.is_dir()]
    problems: list[Problem] = []
    catalogues: dict[str, NullTranslations] = {}
    read: list[str] = []
    for lang in languages:
        chain: list[Translations] = []
        for folder in folders:
            for name in dict.fromkeys((lang.replace("-", "_"), lang, lang.split("-")[0])):
                path = folder / name / "LC_MESSAGES" / f"{DOMAIN}.po"
                if path.is_file():
                    compiled = _compile(path, lang, root, problems)
                    if compiled is not None:
                        chain.append(compiled)
                        read.append(path.as_posix())
                    break
        if chain:
            for first, then in itertools.pairwise(chain):
                first.add_fallback(then)
            catalogues[lang] = chain[0]
    return Interface(catalogues=catalogues, files=tuple(read)), problems


def _compile(path: Path, lang: str, root: Path, problems: list[Problem]) -> Translations | None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po
    from babel.support import Translations

    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=lang.replace("-", "_"), abort_invalid=True)
    except PoFileError as exc:
        line = getattr(exc, "lineno", None)  # Babel counts from 0
        problems.append(Problem(shown, line + 1 if isinstance(line, int) else None,
                                f"broken translation catalogue: {exc}",
                                "fix the .po file (msgfmt --check-format shows the same problems)"))
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.append(Problem(shown, None, f"unreadable translation catalogue: {exc}", "save it as UTF-8"))
        return None
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang.replace("-", "_"))


@functools.lru_cache(maxsize=1024)
def language_name(code: str, in_lang: str | None = None) -> str:
    """'fr' -> 'Français' (in French by default: how readers look for their language).

    Asked for by every page's language switcher: each answer is looked up once.
    """
    name = _locale(code).get_display_name(_locale(in_lang or code)) or code
    return name[:1].upper() + name[1:]


def format_day(value: dt.date | dt.datetime, lang: str, style: str = "long") -> str:
    """A calendar day in the page's language; a datetime shows its own local day."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return _format_day(value, lang, style)


# Babel reads the locale's patterns anew on every call; a post's date is shown on its
# page, on index, tag and archive pages, in every language: each is formatted once.
@functools.lru_cache(maxsize=1 << 16)
def _format_day(value: dt.date, lang: str, style: str) -> str:
    from babel.dates import format_date

    return str(format_date(value, format=style, locale=_locale(lang)))


def format_clock(value: dt.datetime, lang: str) -> str:
    """Local time of the event, as the event's own time zone reads it."""
    # Keyed by the wall-clock time, its fold and its zone: aware datetimes that are the
    # same instant in two zones are equal, and would share an entry.
    return _format_clock(value.replace(tzinfo=None), value.fold, value.tzinfo, lang)


@functools.lru_cache(maxsize=1 << 16)
def _format_clock(wall: dt.datetime, fold: int, zone: dt.tzinfo | None, lang: str) -> str:
    from babel.dates import format_time

    value = wall.replace(tzinfo=zone, fold=fold)
    return str(format_time(value, format="short", tzinfo=zone, locale=_locale(lang)))


def format_clock_range(start: dt.datetime, end: dt.datetime, lang: str) -> tuple[str, str]:
    """The two ends of a time range as the language writes a range: ('12:00', '2:00 PM'), each once.

    Babel's interval formats say what the two ends share once ("AM" in English); the
    start's part is what comes before the end's own text, without the dash between.
    """
    return _format_clock_range(start.replace(tzinfo=None), end.replace(tzinfo=None), start.tzinfo, lang)


@functools.lru_cache(maxsize=1 << 14)
def _format_clock_range(start: dt.datetime, end: dt.datetime, zone: dt.tzinfo | None,
                        lang: str) -> tuple[str, str]:
    from babel.dates import format_interval

    locale = _locale(lang)
    alone = format_clock(start.replace(tzinfo=zone), lang), format_clock(end.replace(tzinfo=zone), lang)
    twelve = "a" in str(locale.time_formats["short"].pattern)
    try:
        both = str(format_interval(start.time(), end.time(), "hm" if twelve else "Hm", locale=locale))
    except (KeyError, ValueError):
        return alone
    if not both.endswith(alone[1]):
        return alone
    first = both[: -len(alone[1])].rstrip(" \u2009\u202f\xa0\u2013\u2014-")
    return (first, alone[1]) if first else alone


def format_moment(value: dt.datetime, lang: str) -> str:
    """A day and a clock time, as the language joins them ("October 19, 2009 at 9:40 PM")."""
    from babel.dates import get_datetime_format

    pattern = str(get_datetime_format("long", locale=_locale(lang)))
    day = format_day(value, lang, "long")
    return pattern.replace("{1}", day).replace("{0}", format_clock(value, lang)).replace("'", "")


def zone_name(value: dt.datetime, lang: str) -> str:
    """'heure normale d’Europe centrale (Paris)'-like name of a moment's zone, in ``lang``."""
    from babel.dates import get_timezone_name

    return str(get_timezone_name(value, width="long", locale=_locale(lang)))
