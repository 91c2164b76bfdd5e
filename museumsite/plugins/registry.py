"""The site's plugins: found among the installed packages, checked when a build starts, and run.

``plugins: [humans]`` names entry points of the group ``museumsite.plugins``. When a build
starts, each is found, imported and made with its options; a name no installed package
provides, code that fails to import, an object that is not a ``Plugin`` subclass, or an
option it does not take is a config error at the item's line (exit 2), all of them in
one run. A hook that raises is an error naming the plugin and where it failed, never a
traceback. Without ``plugins:`` nothing here reads the installed packages.

The plugins' code (each one's package, by its files' sizes and times) is part of the
build's options: changing a plugin means a full build, not a no-op or kept pages.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from museumsite import CONFIG_FILE
from museumsite.config import Extension, SiteConfig
from museumsite.errors import Problem, Problems, did_you_mean
from museumsite.plugins.api import Plugin, RenderedPage
from museumsite.urls import check_url

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from museumsite.model import Output, Site
    from museumsite.plugins.producers import Made, Producer
    from museumsite.render.plan import Job

GROUP = "museumsite.plugins"


@dataclass(frozen=True, slots=True)
class Enabled:
    """One plugin of the site: the config item that names it, and the plugin made from it."""

    setting: Extension
    plugin: Plugin


@dataclass(frozen=True, slots=True)
class Plugins:
    """The site's plugins, in the order ``plugins:`` lists them, and a stamp of their code."""

    enabled: tuple[Enabled, ...] = ()
    stamp: str = ""

    def site_assembled(self, site: Site, problems: Problems) -> Site:
        """The site after every plugin's ``site_assembled``: each gets the previous one's result."""
        from museumsite.model import Site  # here, not at the top: a no-op build never loads the model

        for one in self.enabled:
            if _overrides(one.plugin, "site_assembled"):
                result = _call(one, "site_assembled", problems, site)
                if isinstance(result, Site):
                    site = result
                elif result is not None and result is not _FAILED:
                    _refuse(one, problems, f"site_assembled() returned {type(result).__name__}, not a Site or None")
        return site

    def pages(self, pages: list[Output], jobs: Sequence[Job], problems: Problems) -> list[Output]:
        """Rendered pages after every plugin's ``page_rendered``; the same list when no plugin has one."""
        hooked = [one for one in self.enabled if _overrides(one.plugin, "page_rendered")]
        if not hooked:
            return pages
        from museumsite.urls import url_to_path

        job_at = {url_to_path(job.url): job for job in reversed(jobs)}  # the first job of a path: its page
        changed = []
        for page in pages:
            job = job_at[page.path]
            data = page.data
            for one in hooked:
                event = RenderedPage(url=job.url, path=page.path, lang=job.lang, template=job.template,
                                     entry=job.entry, data=data)
                result = _call(one, "page_rendered", problems, event)
                if isinstance(result, bytes):
                    data = result
                elif result is not None and result is not _FAILED:
                    _refuse(one, problems, f"page_rendered() returned {type(result).__name__} for {page.path}, "
                            "not bytes or None")
            changed.append(page if data is page.data else replace(page, data=data))
        return changed

    def producers(self) -> list[Producer]:
        """One producer per plugin with an ``outputs`` hook: run after museumsite's own."""
        from museumsite.plugins.producers import Producer

        return [Producer(f"plugin '{one.setting.name}'", _outputs_of(one))
                for one in self.enabled if _overrides(one.plugin, "outputs")]


def load_plugins(config: SiteConfig, problems: list[Problem]) -> Plugins:
    """The plugins ``config`` enables, made with their options; what is wrong is added to ``problems``."""
    if not config.plugins:
        return Plugins()
    from importlib.metadata import entry_points

    from museumsite.markup.extensions import code_stamp

    installed: dict[str, list[EntryPoint]] = {}
    for entry in sorted(entry_points(group=GROUP), key=lambda e: (e.name, e.value)):
        installed.setdefault(entry.name, []).append(entry)
    enabled = []
    for setting in config.plugins:
        plugin = _make(setting, installed, problems)
        if plugin is not None:
            enabled.append(Enabled(setting, plugin))
    versions = [(one.setting.name, installed[one.setting.name][0].value, _version(installed[one.setting.name][0]))
                for one in enabled]
    return Plugins(tuple(enabled), repr(versions) + code_stamp(value.split(":")[0] for _, value, _ in versions))


def _make(setting: Extension, installed: dict[str, list[EntryPoint]], problems: list[Problem]) -> Plugin | None:
    """The plugin ``setting`` names, made with its options; None, with a problem, when it cannot be."""
    name = setting.name

    def refuse(message: str, hint: str) -> None:
        problems.append(Problem(CONFIG_FILE, setting.line, f"plugins: '{name}' {message}", hint))

    entries = installed.get(name, [])
    if not entries:
        known = ", ".join(sorted(installed)) or "none"
        refuse("is not installed", f"{did_you_mean(name, installed)} installed plugins: {known}. A plugin is a Python "
               "package: install it into the environment museumsite runs in ('pip install <package>')".lstrip())
        return None
    if len({entry.value for entry in entries}) > 1:
        refuse("is provided by two installed packages", "uninstall one of: " + ", ".join(
            f"{_distribution(entry)} ({entry.value})" for entry in entries))
        return None
    try:
        found = entries[0].load()
    except Exception as exc:  # noqa: BLE001 (a plugin's import may fail in any way: report it at the config line)
        refuse(f"cannot be imported: {type(exc).__name__}: {exc}", f"{_where(exc)}: check or reinstall the package "
               f"{_distribution(entries[0])}, or remove '{name}' from plugins:")
        return None
    if not (isinstance(found, type) and issubclass(found, Plugin)):
        refuse(f"is not a museumsite plugin: its entry point '{entries[0].value}' names {found!r}",
               "the entry point must name a subclass of museumsite.plugins.Plugin")
        return None
    if bad := _option_problems(found, setting.options):
        refuse(*bad)
        return None
    try:
        return found(name, setting.options)
    except Exception as exc:  # noqa: BLE001
        refuse(f"failed to start: {type(exc).__name__}: {exc}", f"a bug in the plugin, at {_where(exc)}")
        return None


def _option_problems(plugin: type[Plugin], options: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first option the plugin does not take, or whose value is not of its default's type."""
    known = plugin.defaults
    for key, value in options.items():
        if key not in known:
            return (f"has no option '{key}'", did_you_mean(key, known) or (
                f"its options: {', '.join(sorted(known))}" if known else "it takes no options"))
        default = known[key]
        fits = isinstance(value, (int, float) if isinstance(default, float) else type(default))  # 2 for 2.0 too
        if default is not None and (not fits or isinstance(value, bool) != isinstance(default, bool)):
            return (f"option '{key}' must be {type(default).__name__} (like its default, {default!r}), not {value!r}",
                    f"write '{key}: {default!r}'")
    return None


_FAILED = object()  # what a hook that raised "returned"


def _call(one: Enabled, hook: str, problems: Problems, *args: Any) -> Any:
    """Run a plugin's hook; an exception is reported at the plugin's config line, naming where it happened."""
    try:
        result = getattr(one.plugin, hook)(*args)
        return list(result) if hook == "outputs" else result  # a generator fails while iterated
    except Exception as exc:  # noqa: BLE001 (trusted code, but its bugs are reported, not a traceback)
        _refuse(one, problems, f"failed in {hook}(): {type(exc).__name__}: {exc}",
                f"a bug in the plugin, at {_where(exc)}; remove '{one.setting.name}' from plugins: to build without it")
        return _FAILED


def _refuse(one: Enabled, problems: Problems, message: str, hint: str = "") -> None:
    problems.error(CONFIG_FILE, one.setting.line, f"plugin '{one.setting.name}' {message}",
                   hint or "a bug in the plugin: see museumsite.plugins.Plugin for what each hook returns")


def _outputs_of(one: Enabled) -> Callable[[Made], list[Output]]:
    """The producer of a plugin's ``outputs``: its files, checked like museumsite's own."""

    def make(made: Made) -> list[Output]:
        from museumsite.model import Output

        found = _call(one, "outputs", made.problems, made.site, tuple(made.pages))
        if found is _FAILED:
            return []
        outputs = []
        for item in found:
            if not isinstance(item, Output) or not isinstance(item.data, bytes) or item.file:
                # ``file`` is how the build hands its own pages over: a plugin's would publish any file it names.
                _refuse(one, made.problems, f"outputs() gave {item!r:.80}, not an Output with bytes")
            elif problem := _path_problem(item.path):
                _refuse(one, made.problems, f"outputs() gave the path {item.path!r}, which {problem}",
                        "a path relative to the site's root, such as 'humans.txt' or 'team/index.html'")
            else:
                outputs.append(replace(item, origin=f"plugin '{one.setting.name}'", reads=(), kept=False))
        return outputs

    return make


def _path_problem(path: str) -> str | None:
    """What is wrong with a plugin's output path: the rules of every URL, for a file."""
    if not isinstance(path, str) or not path or path.startswith("/") or path.endswith("/"):
        return "is not a file's path relative to the site's root"
    return check_url("/" + path)


def _overrides(plugin: Plugin, hook: str) -> bool:
    return getattr(type(plugin), hook) is not getattr(Plugin, hook)


def _where(exc: BaseException) -> str:
    """The file and line where an exception was raised: the place to look in the plugin."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "an unknown place"


def _distribution(entry: EntryPoint) -> str:
    dist = getattr(entry, "dist", None)
    return f"'{dist.name}'" if dist is not None else "that provides it"


def _version(entry: EntryPoint) -> str:
    dist = getattr(entry, "dist", None)
    return str(dist.version) if dist is not None else ""
