"""Languages for readers: interface catalogues, typography, collation, language detection. Imports only ``errors``."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


def N_(message: str) -> str:
    """Marks a string for ``pybabel extract`` where it is translated later, per page. Here, not in ``i18n``:
    the Markdown options that use it are read by a no-op build, which loads no Babel."""
    return message


def known_language(code: str) -> bool:
    """Whether Babel (CLDR) knows the language ``code`` ("fr", "pt-BR", "zh-Hant").

    Babel's locale data holds one file per locale it knows, so a code written the way it names them is
    known without importing Babel: a no-op build checks the config's languages and has no other use for
    it. Any other spelling ("pt-br", an alias) is Babel's to parse.
    """
    name = code.replace("-", "_")
    folder = _locale_data()
    if folder is not None and name.isascii() and name.replace("_", "").isalnum() and (folder / f"{name}.dat").is_file():
        return True
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return False
    return True


@cache
def _locale_data() -> Path | None:
    """Babel's locale-data folder, found without importing Babel; None where it is elsewhere (a zipped install)."""
    spec = importlib.util.find_spec("babel")
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    folder = Path(places[0]) / "locale-data" if places else None
    return folder if folder is not None and folder.is_dir() else None
