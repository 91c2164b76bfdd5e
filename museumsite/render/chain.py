"""The theme chain: the folders a site's templates, catalogues and theme files come from, and what
the theme needs from museumsite.yaml (the theme itself, the logo).

Apart from ``theme.py`` (the Jinja environment) so that a build that turns out to be a no-op,
which checks the theme and hashes its files, never imports Jinja (``incremental/noop.py``).
"""

from __future__ import annotations

from pathlib import Path

from museumsite import PACKAGE
from museumsite.config import SiteConfig
from museumsite.errors import Problem


def default_theme_dir() -> Path:
    """The packaged default theme, package data beside the code in a checkout and in the wheel alike."""
    candidate = PACKAGE / "themes" / "default"
    if (candidate / "templates").is_dir():
        return candidate
    raise FileNotFoundError("the default theme is missing from this installation; reinstall museumsite")


def theme_dirs(config: SiteConfig) -> list[Path]:
    """Site theme first (if the site has one of that name), then the packaged default."""
    default = default_theme_dir()
    site_theme = config.root / "themes" / config.theme
    dirs = [site_theme] if site_theme.is_dir() and site_theme.resolve() != default.resolve() else []
    return [*dirs, default]


def locale_dirs(config: SiteConfig) -> list[Path]:
    """Where interface strings come from, first wins: the site's ``locales/``, then each theme's."""
    return [config.root / "locales", *(d / "locales" for d in theme_dirs(config))]


def site_logo(config: SiteConfig) -> str:
    """The ``logo`` of museumsite.yaml as a site path, or "" when unset or not a site path."""
    if not config.logo:
        return ""
    from museumsite.sanitize import safe_url  # its HTML parser and policy: only for a site with a logo

    url = safe_url(config.logo)
    return url if url and url.startswith("/") and not url.startswith("//") else ""


def check_theme(config: SiteConfig) -> list[Problem]:
    """What the theme needs from museumsite.yaml that is not there: the theme itself, the ``logo`` file."""
    problems = []
    if config.theme != "default" and not (config.root / "themes" / config.theme).is_dir():
        problems.append(Problem("museumsite.yaml", None, f"theme '{config.theme}' not found",
                                f"create themes/{config.theme}/templates/ or set 'theme: default'"))
    logo = site_logo(config)
    if config.logo and not logo:  # a link elsewhere would make every page load another site's file
        problems.append(Problem("museumsite.yaml", None, f"logo '{config.logo}' is not a path of this site",
                                "put the image in content/static and write its path, such as /images/logo.svg"))
    elif logo and not (config.content_dir / "static" / logo.lstrip("/")).is_file():
        problems.append(Problem("museumsite.yaml", None, f"logo '{logo}' is not a file in content/static",
                                f"add content/static{logo}, or correct the path"))
    return problems
