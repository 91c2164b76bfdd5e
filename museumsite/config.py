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

from museumsite import CONFIG_FILE
from museumsite.errors import ConfigError, Problem, Problems, UsageError, did_you_mean
from museumsite.lang import known_language
from museumsite.urls import check_url

# What the importers wrote, file by file and comment by comment (importers/contentfile.py); the comments
# commands read the copies of a comment it knows.
IMPORT_MANIFEST = ".museumsite-import.json"
# The kinds of content, each a folder of content/ and a kind of page.
KINDS = ("events", "talks", "speakers", "posts", "pages")
URL_FIELDS = {"slug", "year", "month", "day", "lang", "event"}
_SAMPLE = {"slug": "s", "year": "2024", "month": "01", "day": "01", "lang": "en", "event": "e"}
LANGUAGE_FIELDS = ("name", "title", "description", "menu")
# A DNS name of two labels or more (letters, digits, inner hyphens); IDNs in their xn-- form.
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_HOST_NAME = re.compile(r"(?=.{1,253}\Z)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                        r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedConfig:
    """Post feeds: how many entries, and which formats."""

    limit: int = 20
    rss: bool = True
    atom: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentConfig:
    """Comment archives: how deep replies nest on the page, and how languages are detected."""

    display_depth: int = 4
    # Candidate languages for comments whose archive does not say; empty means the
    # site's languages plus the common European ones.
    languages: tuple[str, ...] = ()
    threshold: float = 0.6  # below this confidence a comment's language is "und"
    # Where new comments come from: the default theme's "Leave a comment" block, off while both are empty.
    form: str = ""  # the address its form posts to: a collector keeping each comment as a JSON file
    email: str = ""  # an address readers reply to: mailto: links whose subject names the entry and the comment
    kinds: tuple[str, ...] = ("posts", "pages", "talks", "events")  # the entries whose pages offer them

    def candidates(self, site_languages: tuple[str, ...]) -> tuple[str, ...]:
        from museumsite.lang.detect import DEFAULT_CANDIDATES, known_languages

        chosen = self.languages or (*site_languages, *DEFAULT_CANDIDATES)
        known = known_languages()  # a site language the detector lacks cannot be detected
        return tuple(dict.fromkeys(code for lang in chosen if (code := lang.split("-")[0]) in known))


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchConfig:
    """Client-side search (Pagefind): ``search: false`` or ``search: {enabled: false}`` turns it off."""

    enabled: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoConfig:
    """Recordings: the PeerTube instances (host names) whose players talk pages may frame.

    YouTube, Vimeo and media.ccc.de are trusted as built in; any other host a schedule
    names stays a plain link, because a PeerTube-shaped path proves nothing about its host.
    """

    hosts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class UrlConfig:
    """Permalink patterns. Placeholders: {slug} {year} {month} {day} {lang} {event}."""

    event: str = "/events/{slug}/"
    talk: str = "/talks/{slug}/"
    speaker: str = "/speakers/{slug}/"
    post: str = "/posts/{slug}/"
    page: str = "/{slug}/"
    tag: str = "/tags/{slug}/"
    # Where each language other than the default lives: its home and every page under it.
    language: str = "/{lang}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class Extension:
    """One item of ``markdown_extensions:`` or ``plugins:``: a name, its options, and the line where a build that
    cannot load it says so (``markup/extensions.py``, ``plugins/registry.py``); not in ``repr``, which is hashed."""

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class MenuLink:
    title: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LanguageConfig:
    """Per-language settings; empty values fall back to the site-wide ones."""

    code: str
    name: str = ""  # how the language switcher names it; Babel's name in that language otherwise
    title: str = ""
    description: str = ""
    menu: tuple[MenuLink, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    """Everything a build needs to know besides the content itself."""

    root: Path = field(default=Path("."), metadata={"internal": True})
    title: str
    base_url: str = "http://localhost:8000/"
    description: str = ""
    author: str = ""
    # A site path under content/static ('/images/logo.svg'): the header's mark and the favicon; a PNG or
    # JPEG one (or a .png beside an SVG one) is also the image shown when a page is shared.
    logo: str = ""
    language: str = "en"
    default_language: str = ""  # the same as language; whichever is given wins
    languages: tuple[str, ...] = field(default=(), metadata={"convert": "languages"})
    # Filled from a mapping form of ``languages``: per-language titles, names and menus.
    language_settings: Mapping[str, LanguageConfig] = field(default_factory=dict, metadata={"internal": True})
    # Tag names per language: {museums: {en: Museums, fr: Musées}}; any of the names finds the tag.
    tags: Mapping[str, Mapping[str, str]] = field(default_factory=dict, metadata={"convert": "tags"})
    timezone: str = "UTC"
    theme: str = "default"
    posts_per_page: int = 10
    feeds: FeedConfig = field(default_factory=FeedConfig)
    comments: CommentConfig = field(default_factory=CommentConfig)
    search: SearchConfig = field(default_factory=SearchConfig, metadata={"convert": "search"})
    video: VideoConfig = field(default_factory=VideoConfig)
    urls: UrlConfig = field(default_factory=UrlConfig)
    # Python-Markdown extensions added to the built-in ones; plugins (installed packages) by entry-point name.
    markdown_extensions: tuple[Extension, ...] = field(default=(), metadata={"convert": "extensions"})
    plugins: tuple[Extension, ...] = field(default=(), metadata={"convert": "extensions"})
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def all_languages(self) -> tuple[str, ...]:
        """The default language first, then the others, each once."""
        return tuple(dict.fromkeys((self.language, *self.languages)))

    def language_config(self, lang: str) -> LanguageConfig:
        return self.language_settings.get(lang) or LanguageConfig(code=lang)

    def title_in(self, lang: str) -> str:
        return self.language_config(lang).title or self.title

    def description_in(self, lang: str) -> str:
        return self.language_config(lang).description or self.description

    @property
    def base_path(self) -> str:
        """The path part of base_url, '/' or '/project/': prefixed to every link."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


def no_site(root: Path, searched_up: bool = False) -> ConfigError:
    """The one wording of "this is not a site", whichever command meets it (exit 2)."""
    where = f"{root} or any folder above it" if searched_up else str(root)
    return ConfigError([Problem(CONFIG_FILE, None, f"no {CONFIG_FILE} in {where}",
                                "run the command inside a site folder, pass --site DIR, "
                                "or create a site with 'museumsite init DIR'")])


def load_config(root: Path, base_url: str | None = None) -> SiteConfig:
    """Read and validate ``root/museumsite.yaml``; raise ConfigError listing every problem.

    ``base_url`` replaces the file's (``build --base-url``, for a preview deploy): every
    absolute URL, feed and sitemap follows it, and nothing else changes.
    """
    if base_url is not None and (urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc):
        raise UsageError(f"--base-url '{base_url}' is not an absolute URL: write it like https://preview.example.org/")
    path = root / CONFIG_FILE
    if not path.is_file():
        raise no_site(root)
    from museumsite.yamlfile import YamlProblem, read_yaml_file  # here: a no-op build finds its site without YAML

    try:
        data, lines = read_yaml_file(path)
    except YamlProblem as exc:
        raise ConfigError([Problem(CONFIG_FILE, exc.line, exc.message, exc.hint)]) from None
    problems = Problems()
    values = _read_section(SiteConfig, data, lines, "", problems)
    if base_url is not None:
        values["base_url"] = base_url
    if values.get("default_language"):
        values["language"] = values["default_language"]
        if "language" in data and data["language"] != values["default_language"]:
            problems.error(CONFIG_FILE, lines.get("default_language"),
                           f"default_language '{values['language']}' contradicts language '{data['language']}'",
                           "keep one of the two settings")
    values["language"] = values.get("language", "en")
    values["default_language"] = values["language"]
    values["languages"], values["language_settings"] = values.pop("languages", ((), {}))
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
        special = fields[key].metadata.get("convert")
        if special:
            converted = _SPECIAL[special](value, name, line, lines, problems)
        else:
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
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        expected = "a number"
        value = float(value) if ok else value
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


def _languages(value: Any, name: str, line: int | None, lines: Mapping[str, int],
               problems: Problems) -> Any:
    """``[fr, ca]`` or ``{fr: {name: Français, title: ..., menu: [...]}, ca: {}}``."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value), {}
    if not isinstance(value, dict):
        problems.error(CONFIG_FILE, line, f"'{name}' must be a list of language codes or a mapping of them",
                       "write 'languages: [fr, ca]', or 'languages: {fr: {title: ...}}'")
        return _INVALID
    codes, settings = [], {}
    for code, options in value.items():
        where = lines.get(f"{name}.{code}", line)
        options = options or {}
        if not isinstance(options, dict):
            problems.error(CONFIG_FILE, where, f"settings of language '{code}' must be a mapping",
                           f"keys: {', '.join(LANGUAGE_FIELDS)}")
            continue
        for key in options:
            if key not in LANGUAGE_FIELDS:
                problems.error(CONFIG_FILE, lines.get(f"{name}.{code}.{key}", where),
                               f"unknown setting '{name}.{code}.{key}'",
                               did_you_mean(str(key), LANGUAGE_FIELDS) or f"known: {', '.join(LANGUAGE_FIELDS)}")
        texts = {key: options.get(key) or "" for key in ("name", "title", "description")}
        if not all(isinstance(v, str) for v in texts.values()):
            problems.error(CONFIG_FILE, where, f"name, title and description of '{code}' must be text")
            continue
        menu = []
        for item in options.get("menu") or []:
            if not (isinstance(item, dict) and isinstance(item.get("title"), str) and isinstance(item.get("url"), str)):
                problems.error(CONFIG_FILE, lines.get(f"{name}.{code}.menu", where),
                               f"menu items of '{code}' need a title and a url",
                               "write '- {title: Venue, url: /fr/venue/}'")
                continue
            menu.append(MenuLink(title=item["title"], url=item["url"]))
        codes.append(str(code))
        settings[str(code)] = LanguageConfig(code=str(code), menu=tuple(menu), **texts)
    return tuple(codes), settings


def _tag_names(value: Any, name: str, line: int | None, lines: Mapping[str, int],
               problems: Problems) -> Any:
    """``{museums: {en: Museums, fr: Musées}}``: the key is the tag, the values its names."""
    if not isinstance(value, dict) or not all(
            isinstance(names, dict) and all(isinstance(n, str) for n in names.values())
            for names in value.values()):
        problems.error(CONFIG_FILE, line, f"'{name}' must map each tag to its names per language",
                       "write 'tags: {museums: {en: Museums, fr: Musées}}'")
        return _INVALID
    return {str(key): {str(lang): text for lang, text in names.items()} for key, names in value.items()}


def _search(value: Any, name: str, line: int | None, lines: Mapping[str, int], problems: Problems) -> Any:
    """``search: false`` is short for ``search: {enabled: false}``."""
    if isinstance(value, bool):
        return SearchConfig(enabled=value)
    return _convert(SearchConfig, value, name, line, lines, problems)


def _extensions(value: Any, name: str, line: int | None, lines: Mapping[str, int], problems: Problems) -> Any:
    """``[abbr, {toc: {permalink: true}}]``: names, each alone or with a mapping of options (MkDocs' form)."""
    example = f"write '{name}: [abbr, {{toc: {{toc_depth: 2-3}}}}]'" if name == "markdown_extensions" else \
        f"write '{name}: [humans]', or '{name}: [{{humans: {{path: team.txt}}}}]' to give options"
    if value is None or isinstance(value, str):
        value = [value] if value else []
    if not isinstance(value, list):
        problems.error(CONFIG_FILE, line, f"'{name}' must be a list of names", example)
        return _INVALID
    found: dict[str, Extension] = {}
    for index, item in enumerate(value):
        where = lines.get(f"{name}.{index}", line)
        key, options = next(iter(item.items())) if isinstance(item, dict) and len(item) == 1 else (item, {})
        options = {} if options is None else options
        if not isinstance(key, str) or not key.strip():
            problems.error(CONFIG_FILE, where, f"each item of '{name}' must be a name, or a name with a mapping "
                           f"of options, not {item!r}", example)
        elif not isinstance(options, dict):
            problems.error(CONFIG_FILE, where, f"{name}: the options of '{key}' must be a mapping, not {options!r}",
                           example)
        elif key in found:
            problems.error(CONFIG_FILE, where, f"{name}: '{key}' is listed twice (first at line {found[key].line})",
                           "keep one, with all its options")
        else:
            found[key] = Extension(name=key, options={str(k): v for k, v in options.items()}, line=where)
    return tuple(found.values())


_SPECIAL = {"languages": _languages, "tags": _tag_names, "search": _search, "extensions": _extensions}


def _check_intake(comments: CommentConfig, lines: Mapping[str, int], problems: Problems) -> None:
    """``comments.form``, ``comments.email`` and ``comments.kinds``: what the theme will publish as links."""
    try:
        form = urlsplit(comments.form)
        host = form.hostname
    except ValueError:  # 'https://[oops/'
        form, host = urlsplit(""), None
    local = host in ("localhost", "127.0.0.1", "::1")  # a collector tried out on this machine
    if comments.form and not (form.scheme == "https" and host or form.scheme == "http" and local
                              or comments.form.startswith("/") and not comments.form.startswith("//")):
        problems.error(CONFIG_FILE, lines.get("comments.form"),
                       f"comments.form '{comments.form}' is not an https:// address or a path of this site",
                       "write where the form posts, such as https://comments.example.org/submit: readers' "
                       "comments must not travel unencrypted")
    if comments.email and not _ADDRESS.fullmatch(comments.email):
        problems.error(CONFIG_FILE, lines.get("comments.email"), f"comments.email '{comments.email}' is not an "
                       "e-mail address", "write the address alone, such as comments@example.org (no 'mailto:', "
                       "no name)")
    for index, kind in enumerate(comments.kinds):
        if kind not in KINDS:
            problems.error(CONFIG_FILE, lines.get(f"comments.kinds.{index}", lines.get("comments.kinds")),
                           f"comments.kinds: '{kind}' is not a kind of entry",
                           did_you_mean(kind, KINDS) or f"kinds: {', '.join(KINDS)}")


def _check_values(config: SiteConfig, lines: Mapping[str, int], problems: Problems) -> None:
    if urlsplit(config.base_url).scheme not in ("http", "https") or not urlsplit(config.base_url).netloc:
        problems.error(CONFIG_FILE, lines.get("base_url"), f"base_url '{config.base_url}' is not an absolute URL",
                       "write it like https://example.org/ (feeds and the sitemap need absolute links)")
    for lang in config.all_languages:
        if not known_language(lang):
            where = lines.get(f"languages.{lang}") or lines.get(
                "languages" if lang in config.languages else "default_language" if "default_language" in lines
                else "language")
            problems.error(CONFIG_FILE, where, f"unknown language code '{lang}'",
                           "use a code such as en, fr, ca or pt-BR")
    for tag, names in config.tags.items():
        for lang in names:
            if lang not in config.all_languages:
                problems.error(CONFIG_FILE, lines.get(f"tags.{tag}.{lang}", lines.get("tags")),
                               f"tag '{tag}' is named in '{lang}', which is not one of the site's languages",
                               f"languages: {', '.join(config.all_languages)}")
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: 'Europe' is a folder
        problems.error(CONFIG_FILE, lines.get("timezone"), f"unknown time zone '{config.timezone}'",
                       "use an IANA name such as Europe/Paris or UTC")
    if config.posts_per_page < 1:
        problems.error(CONFIG_FILE, lines.get("posts_per_page"), "posts_per_page must be at least 1")
    if config.comments.display_depth < 1:
        problems.error(CONFIG_FILE, lines.get("comments.display_depth"), "comments.display_depth must be at least 1")
    if config.comments.languages:
        from museumsite.lang.detect import known_languages

        for code in sorted(set(config.comments.languages) - known_languages()):
            problems.error(CONFIG_FILE, lines.get("comments.languages"),
                           f"comments.languages: the detector does not know '{code}'",
                           "leave it out; comments in it can still say 'lang:' in the archive")
    if not 0 <= config.comments.threshold <= 1:
        problems.error(CONFIG_FILE, lines.get("comments.threshold"), "comments.threshold must be between 0 and 1")
    _check_intake(config.comments, lines, problems)
    if config.feeds.limit < 1:
        problems.error(CONFIG_FILE, lines.get("feeds.limit"), "feeds.limit must be at least 1")
    for index, host in enumerate(config.video.hosts):
        if not _HOST_NAME.fullmatch(host):
            problems.error(CONFIG_FILE, lines.get(f"video.hosts.{index}", lines.get("video.hosts")),
                           f"video.hosts: '{host}' is not a host name",
                           "write the PeerTube instance's name alone, such as 'tube.example.org' "
                           "(no https://, path, port or wildcard)")
    language_prefix = config.urls.language
    if not (language_prefix.startswith("/") and language_prefix.endswith("/") and "{lang}" in language_prefix
            and set(re.findall(r"{(\w+)}", language_prefix)) == {"lang"}
            and check_url(language_prefix.format_map(_SAMPLE)) is None):
        problems.error(CONFIG_FILE, lines.get("urls.language"),
                       f"urls.language '{language_prefix}' must start and end with '/' and contain only {{lang}}",
                       "for example '/{lang}/'")
    for f in dataclasses.fields(UrlConfig):
        if f.name == "language":
            continue
        pattern = getattr(config.urls, f.name)
        placeholders = set(re.findall(r"{(\w+)}", pattern))
        line = lines.get(f"urls.{f.name}")
        if not pattern.startswith("/") or not pattern.endswith("/") or "{slug}" not in pattern:
            problems.error(CONFIG_FILE, line, f"urls.{f.name} '{pattern}' must start and end with '/' and contain {{slug}}",
                           f"for example '{getattr(UrlConfig(), f.name)}'")
        for unknown in sorted(placeholders - URL_FIELDS):
            problems.error(CONFIG_FILE, line, f"urls.{f.name} uses unknown placeholder {{{unknown}}}",
                           did_you_mean(unknown, URL_FIELDS) or f"placeholders: {', '.join(sorted(URL_FIELDS))}")
        if not placeholders - URL_FIELDS and (problem := check_url(pattern.format_map(_SAMPLE))):
            problems.error(CONFIG_FILE, line, f"urls.{f.name} '{pattern}' {problem}", "write a path inside the site")
