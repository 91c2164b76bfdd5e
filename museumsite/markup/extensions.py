"""The Markdown extensions a site adds (``markdown_extensions:``): checked when a build starts, and keyed.

Python-Markdown finds an extension by name, as in MkDocs: one of its own (``abbr``,
``admonition``, ``def_list``...) or another package's through the ``markdown.extensions``
entry points, or by module path (``pymdownx.tilde``, ``package.module:ClassName``). The
site's extensions are added to the built-in ones (``converter_arguments``). One
that cannot be imported, is not an extension, or refuses its options is a config error at
its line, before anything is read: each is tried on a small document with the built-in
set, as the build will use it. The Markdown cache key holds each one's name, options and
code (the files of its package, by size and time), so changing any of them converts
every entry again.

Markdown is imported inside the functions: a no-op build of a site without extensions
never needs it.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from museumsite import CONFIG_FILE
from museumsite.config import Extension, SiteConfig
from museumsite.errors import Problem, did_you_mean
from museumsite.lang import N_

GROUP = "markdown.extensions"  # where Python-Markdown, and packages that add extensions, register them by name
# What each extension is tried on: a heading, inline markup, a link, a list, a table, a code block.
PROBE = "# Heading\n\nText with *emphasis*, `code` and a [link](https://example.org/).\n\n- one\n- two\n\n" \
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n"

# Python-Markdown's own extensions that every site has, by short name and class. The converter is given
# instances: given a name, Python-Markdown first reads the entry points of every installed package to look
# for it (about 40 ms in each process that makes a converter).
BUILT_IN = {"tables": "TableExtension", "fenced_code": "FencedCodeExtension", "codehilite": "CodeHiliteExtension",
            "footnotes": "FootnoteExtension", "toc": "TocExtension", "attr_list": "AttrListExtension",
            "sane_lists": "SaneListExtension"}
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": True, "permalink_title": N_("Link to this section"), "toc_depth": "2-4"},
    "footnotes": {"BACKLINK_TITLE": N_("Back to the text")},
}


def converter_arguments(added: Sequence[Extension] = ()) -> tuple[list[Any], dict[str, dict[str, Any]]]:
    """The extensions a converter is made with, and the options of those given by name: the built-in ones
    (as instances, with their options), then the site's (``markdown_extensions:``, by name). A site's
    options for a built-in extension are laid over ours. An option an extension does not know raises
    its KeyError here."""
    names = list(BUILT_IN)
    configs = {name: dict(options) for name, options in EXTENSION_CONFIGS.items()}
    for extension in added:
        name = builtin_name(extension.name)
        if name not in names:
            names.append(name)
        configs[name] = {**configs.get(name, {}), **extension.options}
    made = [_built_in(name, configs.pop(name, {})) if name in BUILT_IN else name for name in names]
    return made, configs


def _built_in(name: str, options: dict[str, Any]) -> Any:
    module = importlib.import_module(f"markdown.extensions.{name}")
    return getattr(module, BUILT_IN[name])(**options)


def builtin_name(name: str) -> str:
    """'markdown.extensions.toc' is 'toc', one of ours: one extension, configured once."""
    short = name.removeprefix("markdown.extensions.")
    return short if short in BUILT_IN else name


def check_extensions(config: SiteConfig) -> list[Problem]:
    """Every ``markdown_extensions:`` item that cannot be used as written, at its line."""
    if not config.markdown_extensions:
        return []
    import markdown

    problems = []
    for extension in config.markdown_extensions:
        try:
            extensions, configs = converter_arguments([extension])
            markdown.Markdown(extensions=extensions, extension_configs=configs).convert(PROBE)
        except Exception as exc:  # noqa: BLE001 (an extension's import or options may fail in any way: report it)
            message, hint = _explain(extension, exc)
            problems.append(Problem(CONFIG_FILE, extension.line, f"markdown_extensions: '{extension.name}' {message}",
                                    hint))
    return problems


def _explain(extension: Extension, exc: Exception) -> tuple[str, str]:
    """What went wrong with an extension, and what to do, from what Python-Markdown raised."""
    name = extension.name
    own = list(_registered())
    if isinstance(exc, ModuleNotFoundError):
        missing = exc.name or name.split(":")[0]
        guess = did_you_mean(name, own)
        install = (f"install the package that provides '{missing}' into the environment museumsite runs in "
                   "('pip install <package>'; for pymdownx.* that is 'pip install pymdown-extensions'), or correct the "
                   f"name. Python-Markdown's own: {', '.join(own)}")
        return (f"cannot be imported: no module named '{missing}'",
                f"{guess} Otherwise, {install}" if guess else install[0].upper() + install[1:])
    if isinstance(exc, KeyError) and extension.options:
        known = _option_names(name)
        option = str(exc.args[0]) if exc.args else ""
        return (f"has no option '{option}'",
                did_you_mean(option, known) or (f"its options: {', '.join(known)}" if known else "it takes no options"))
    if isinstance(exc, AttributeError) and "makeExtension" in str(exc):
        return ("is not a Markdown extension (its module has no makeExtension)",
                "name a Python-Markdown extension, such as " + ", ".join(own[:4]))
    if extension.options:
        return (f"refuses its options: {type(exc).__name__}: {exc}",
                f"see the extension's documentation; its options: {', '.join(_option_names(name)) or 'none'}")
    return f"cannot be loaded: {type(exc).__name__}: {exc}", "check the extension's package, or remove it from the list"


def _registered() -> dict[str, str]:
    """The extensions installed under a short name (Python-Markdown's own, and other packages' that register
    one): name -> ``module:object``. Reading the entry points costs milliseconds: once per call."""
    from importlib.metadata import entry_points

    return {entry.name: entry.value for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name)}


def _option_names(name: str) -> list[str]:
    import markdown

    try:
        return sorted(markdown.Markdown().build_extension(name, {}).getConfigs())
    except Exception:  # noqa: BLE001 (only for a hint)
        return []


def extensions_key(config: SiteConfig) -> str:
    """The site's extensions as the Markdown cache key holds them: names, options and their code ("" for none).

    A name is found as Python-Markdown finds it: a registered short name's module, else the name's own.
    """
    if not config.markdown_extensions:
        return ""
    registered = _registered()
    modules = [registered.get(e.name, e.name).split(":")[0] for e in config.markdown_extensions]
    return repr([(e.name, dict(e.options)) for e in config.markdown_extensions]) + code_stamp(modules)


def code_stamp(modules: Iterable[str]) -> str:
    """A hash of the code of these modules' packages: every file under each one's top-level package (or its
    file, for a lone module), by path, size and time; found without importing them.

    A reinstall or an edit (an editable install included) changes it. Shared by the
    plugins (``plugins/registry.py``): what a build's output depends on besides museumsite.
    """
    digest = hashlib.sha256()
    for top in sorted({module.split(".")[0] for module in modules}):
        digest.update(f"{top}\n".encode())
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            digest.update(b"missing\n")
            continue
        if spec.submodule_search_locations:
            paths = sorted(path for folder in spec.submodule_search_locations for path in _files_under(Path(folder)))
        else:
            paths = [Path(spec.origin)] if spec.origin and os.path.isfile(spec.origin) else []
        for path in paths:
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _files_under(folder: Path) -> list[Path]:
    """A package's files, its ``__pycache__`` left out (compiling it is not a change)."""
    found: list[Path] = []
    for parent, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        found.extend(Path(parent, name) for name in files)
    return found
