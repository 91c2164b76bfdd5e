"""Stage 0: ``museumsite.yaml`` into a validated, frozen ``SiteConfig``.

The schema is the dataclasses below: a key the dataclass does not have is an
error with a "did you mean" hint, and every problem in the file is reported in
one run, each with its line.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from museumsite.errors import ConfigError, Problem, Problems, did_you_mean
from museumsite.yamlfile import YamlProblem, read_yaml_file

CONFIG_FILE = "museumsite.yaml"
URL_FIELDS = {"slug", "year", "month", "day", "lang", "event"}


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedConfig:
    """Post feeds: how many entries, and which formats."""

    limit: int = 20
    rss: bool = True
    atom: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class UrlConfig:
    """Permalink patterns. Placeholders: {slug} {year} {month} {day} {lang} {event}."""

    event: str = "/events/{slug}/"
    talk: str = "/talks/{slug}/"
    speaker: str = "/speakers/{slug}/"
    post: str = "/posts/{slug}/"
    page: str = "/{slug}/"
    tag: str = "/tags/{slug}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    """Everything a build needs to know besides the content itself."""

    root: Path = field(default=Path("."), metadata={"internal": True})
    title: str
    base_url: str = "http://localhost:8000/"
    description: str = ""
    author: str = ""
    language: str = "en"
    languages: tuple[str, ...] = ()
    timezone: str = "UTC"
    theme: str = "default"
    posts_per_page: int = 10
    feeds: FeedConfig = field(default_factory=FeedConfig)
    urls: UrlConfig = field(default_factory=UrlConfig)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def all_languages(self) -> tuple[str, ...]:
        """The default language first, then the others, each once."""
        return tuple(dict.fromkeys((self.language, *self.languages)))

    @property
    def base_path(self) -> str:
        """The path part of base_url, '/' or '/project/': prefixed to every link."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


def load_config(root: Path) -> SiteConfig:
    """Read and validate ``root/museumsite.yaml``; raise ConfigError listing every problem."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError([Problem(CONFIG_FILE, None, f"no {CONFIG_FILE} in {root}",
                                    "run the command from a site folder, pass --site DIR, "
                                    "or create a site with 'museumsite init DIR'")])
    try:
        data, lines = read_yaml_file(path)
    except YamlProblem as exc:
        raise ConfigError([Problem(CONFIG_FILE, exc.line, exc.message, exc.hint)]) from None
    problems = Problems()
    values = _read_section(SiteConfig, data, lines, "", problems)
    # Check the values that could be read even when others could not, so that one run
    # lists every problem; a setting that was missing or wrong is checked as its default.
    placeholders: dict[str, Any] = {f.name: "" for f in dataclasses.fields(SiteConfig) if f.name not in values
                    and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    config = SiteConfig(root=root, **placeholders, **values)
    _check_values(config, lines, problems)
    if "title" in values and not config.title.strip():  # feeds cannot be written without one
        problems.error(CONFIG_FILE, lines.get("title"), "title is empty", "write the site's name after 'title:'")
    problems.raise_if_any(ConfigError)
    return config


def _read_section(
    cls: type, data: Mapping[str, Any], lines: Mapping[str, int], prefix: str, problems: Problems
) -> dict[str, Any]:
    """Check ``data`` against dataclass ``cls``; return constructor arguments."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = prefix + key
        line = lines.get(name)
        if key not in fields:
            problems.error(CONFIG_FILE, line, f"unknown setting '{name}'",
                           did_you_mean(key, fields) or f"known settings: {', '.join(sorted(fields))}")
            continue
        converted = _convert(hints[key], value, name, line, lines, problems)
        if converted is not _INVALID:
            values[key] = converted
    for name, f in fields.items():
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and name not in data:
            problems.error(CONFIG_FILE, None, f"missing required setting '{prefix}{name}'",
                           f"add a line '{name}: ...' to {CONFIG_FILE}")
    return values


_INVALID = object()


def _convert(hint: Any, value: Any, name: str, line: int | None, lines: Mapping[str, int],
             problems: Problems) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            problems.error(CONFIG_FILE, line, f"'{name}' must be a mapping of settings")
            return _INVALID
        return hint(**_read_section(hint, value, lines, name + ".", problems))
    origin = typing.get_origin(hint)
    if hint is bool:
        ok = isinstance(value, bool)
        expected = "true or false"
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        expected = "a whole number"
    elif hint is str:
        ok = isinstance(value, str)
        expected = "text"
    elif origin is tuple:
        if isinstance(value, str):
            value = [value]
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        expected = "a list of text values"
        value = tuple(value) if ok else value
    else:  # Mapping[str, Any]: free-form, handed to templates as is
        ok = isinstance(value, dict)
        expected = "a mapping"
    if not ok:
        problems.error(CONFIG_FILE, line, f"'{name}' must be {expected}, not {value!r}")
        return _INVALID
    return value


def _check_values(config: SiteConfig, lines: Mapping[str, int], problems: Problems) -> None:
    from babel import Locale, UnknownLocaleError

    if urlsplit(config.base_url).scheme not in ("http", "https") or not urlsplit(config.base_url).netloc:
        problems.error(CONFIG_FILE, lines.get("base_url"), f"base_url '{config.base_url}' is not an absolute URL",
                       "write it like https://example.org/ (feeds and the sitemap need absolute links)")
    for lang in config.all_languages:
        try:
            Locale.parse(lang.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            where = "languages" if lang in config.languages else "language"
            problems.error(CONFIG_FILE, lines.get(where), f"unknown language code '{lang}'",
                           "use a code such as en, fr, ca or pt-BR")
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.error(CONFIG_FILE, lines.get("timezone"), f"unknown time zone '{config.timezone}'",
                       "use an IANA name such as Europe/Paris or UTC")
    if config.posts_per_page < 1:
        problems.error(CONFIG_FILE, lines.get("posts_per_page"), "posts_per_page must be at least 1")
    if config.feeds.limit < 1:
        problems.error(CONFIG_FILE, lines.get("feeds.limit"), "feeds.limit must be at least 1")
    for f in dataclasses.fields(UrlConfig):
        pattern = getattr(config.urls, f.name)
        placeholders = set(re.findall(r"{(\w+)}", pattern))
        line = lines.get(f"urls.{f.name}")
        if not pattern.startswith("/") or not pattern.endswith("/") or "{slug}" not in pattern:
            problems.error(CONFIG_FILE, line, f"urls.{f.name} '{pattern}' must start and end with '/' and contain {{slug}}",
                           f"for example '{getattr(UrlConfig(), f.name)}'")
        for unknown in sorted(placeholders - URL_FIELDS):
            problems.error(CONFIG_FILE, line, f"urls.{f.name} uses unknown placeholder {{{unknown}}}",
                           did_you_mean(unknown, URL_FIELDS) or f"placeholders: {', '.join(sorted(URL_FIELDS))}")
