"""The one Jinja environment, over the theme chain (``chain.py``).

A template is looked up in the site's theme (``themes/<name>/templates``), then in
the packaged default theme. The default theme is also reachable as
``default/<template>``, so a site template can ``{% extends "default/talk.html" %}``
and override one block instead of copying the whole file.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import jinja2

from museumsite.config import SiteConfig
from museumsite.content.load import list_static
from museumsite.errors import Problem, Problems, did_you_mean
from museumsite.incremental.reuse import LISTS_READ, field_read, template_read
from museumsite.incremental.shape import BODY_FIELDS, SITE_LOOKUPS, STRUCTURAL_FIELDS, read_name
from museumsite.model import Entry, Site, StaticFile, Tag
from museumsite.render.api.context import SHOWS_ENTRIES
from museumsite.render.chain import default_theme_dir, locale_dirs, theme_dirs

THEME_STATIC_PREFIX = "theme/"
# The theme chain's folders are chain.py's; named here too for the modules that want the environment with them.
__all__ = ["THEME_STATIC_PREFIX", "ThemeEnvironment", "default_theme_dir", "load_theme", "locale_dirs",
           "template_digests", "template_problem", "theme_dirs", "theme_static"]


class NotedTemplate(jinja2.Template):
    """A template whose module, imported without context, is made again on each import.

    Jinja keeps such a module once per template and process: what its top level reads (a
    ``{% set featured = site.get('posts/x').title %}``) would be noted for the first page that
    imports it only, and the others would be kept when that changes. Imports ``with context``
    (the default theme's) are made again on each import by Jinja itself.
    """

    def _get_default_module(self, ctx: jinja2.runtime.Context | None = None) -> jinja2.environment.TemplateModule:
        if ctx is not None:
            keys = ctx.globals_keys - self.globals.keys()
            if keys:
                return self.make_module({key: ctx.parent[key] for key in keys})
        return self.make_module()


class ThemeEnvironment(jinja2.Environment):
    """The Jinja environment, noting which entries' bodies (and other fields) the page being rendered reads.

    Templates reach attributes through ``getattr``/``getitem`` here, whichever template
    (or site override) does it, so ``reads`` is the set of bodies a page shows, and
    of entries whose leaf fields it shows (``field_read``; incremental/shape.py), helpers given
    an entry included (``noting``), and whether it read the site's lists (``LISTS_READ``):
    reuse.py keeps a page from the previous build when none of them changed.
    (An entry printed whole, ``{{ post }}`` or ``post|string``, is read by Python, not noted: a theme
    prints its fields.) It notes the
    templates each page loads as well (its own, what it extends, imports and includes): a page
    is kept when the templates that changed are ones it did not load.
    """

    template_class = NotedTemplate
    reads: set[str]
    remembered: dict[tuple[Any, ...], Any]  # render.api.fragments' fragments of this build
    newstyle_gettext: bool  # the i18n extension's setting

    def get_template(self, name: str | jinja2.Template, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        self._loading(name, parent)
        return super().get_template(name, parent, globals)

    def select_template(self, names: Iterable[str | jinja2.Template], parent: str | None = None,
                        globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        names = list(names)
        for name in names:  # every candidate: one that appears later changes which is chosen
            self._loading(name, parent)
        return super().select_template(names, parent, globals)

    def _loading(self, name: str | jinja2.Template, parent: str | None) -> None:
        """Note a template the page asks for by name, as Jinja names it (``join_path``)."""
        if isinstance(name, str):
            self.reads.add(template_read(self.join_path(name, parent) if parent is not None else name))

    def getattr(self, obj: Any, attribute: str) -> Any:
        self._note(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str):
            self._note(obj, argument)
        return super().getitem(obj, argument)

    def _note(self, obj: Any, name: str) -> None:
        """Note what reading ``obj.name`` shows: an entry's body or other fields, or the site's lists (a list of
        the site, any attribute of it but a look-up; which entries a tag holds)."""
        if isinstance(obj, Entry):
            if name not in STRUCTURAL_FIELDS:
                self.reads.add(read_name(obj) if name in BODY_FIELDS else field_read(obj))
        elif isinstance(obj, Site):
            if name not in SITE_LOOKUPS:
                self.reads.add(LISTS_READ)
        elif isinstance(obj, Tag) and name == "entries":
            self.reads.add(LISTS_READ)


def load_theme(config: SiteConfig, globals_: Mapping[str, Any], filters: Mapping[str, Callable[..., Any]]) -> ThemeEnvironment:
    """The environment of the site's theme chain, holding exactly ``globals_`` and ``filters`` besides Jinja's own.

    They come from the template API's registry (``render.api``): its ``gettext``, ``_``
    and ``ngettext`` are the i18n extension's newstyle callables already, read the
    page's language from the template's context, and are installed as they are.
    """
    dirs = theme_dirs(config)
    default_loader = jinja2.FileSystemLoader(str(dirs[-1] / "templates"))
    loader = jinja2.ChoiceLoader([
        *(jinja2.FileSystemLoader(str(d / "templates")) for d in dirs[:-1]),
        jinja2.PrefixLoader({"default": default_loader}),
        default_loader,
    ])
    env = ThemeEnvironment(
        loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: no need to check each template's time on every page
        extensions=["jinja2.ext.i18n"],
    )
    env.newstyle_gettext = True  # {% trans %} passes its variables to gettext/ngettext, which format them
    env.globals.update({name: _noting(env, value) for name, value in globals_.items()})
    env.filters.update({name: _noting(env, value) for name, value in filters.items()})
    env.reads = set()
    env.remembered = {}
    return env


def _noting(env: ThemeEnvironment, helper: Any) -> Any:
    """``helper``, noting among the page's reads the entries it is given and gives back when it is marked as
    reading their fields (``render.api.context.shows_entries``): Python reads them, not the template."""
    if not getattr(helper, SHOWS_ENTRIES, False):
        return helper

    def note(values: Iterable[Any]) -> None:
        for value in values:
            if isinstance(value, Entry):
                env.reads.add(field_read(value))
            elif isinstance(value, (list, tuple)):
                env.reads.update(field_read(item) for item in value if isinstance(item, Entry))

    def noted(*args: Any, **kwargs: Any) -> Any:
        note((*args, *kwargs.values()))
        result = helper(*args, **kwargs)
        note((result,))
        return result

    return functools.update_wrapper(noted, helper)  # with Jinja's pass_context mark


def template_digests(env: jinja2.Environment) -> Callable[[str], str]:
    """The hash of a template as ``env`` finds it by name (its file and text; "missing" when none), each
    read once: what reuse.py compares for the templates a page loaded."""
    import hashlib

    known: dict[str, str] = {}

    def digest(name: str) -> str:
        if name not in known:
            try:
                assert env.loader is not None
                source, filename, _ = env.loader.get_source(env, name)
                known[name] = hashlib.sha256(f"{filename}\0{source}".encode()).hexdigest()
            except jinja2.TemplateNotFound:
                known[name] = "missing"
        return known[name]

    return digest


def theme_static(config: SiteConfig, problems: Problems) -> list[StaticFile]:
    """Theme assets under /theme/: a site theme's file replaces the default's of the same name.

    Symbolic links may point anywhere inside the site (a theme in the site), or inside
    the theme itself (the packaged default, wherever it is installed); not elsewhere.
    """
    chosen: dict[str, StaticFile] = {}
    root = config.root.resolve()
    for directory in reversed(theme_dirs(config)):
        boundary = root if directory.resolve().is_relative_to(root) else directory
        for static in list_static(config.root, directory / "static", problems, THEME_STATIC_PREFIX, boundary):
            chosen[static.path] = static
    return [chosen[path] for path in sorted(chosen)]


def template_problem(exc: BaseException, template: str, root: Path | None = None,
                     names: Iterable[str] = ()) -> Problem:
    """Name the template file and line of a Jinja error, whether at parse time or render time.

    A template of the site is named from the site folder, as content files are; an
    undefined name gets a "did you mean" among ``names`` (the page's variables) or the
    fields of the site's entries.
    """
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(_shown(exc.filename or exc.name or template, root), exc.lineno,
                       f"template error: {exc.message}", "fix the template syntax")
    if isinstance(exc, jinja2.TemplateNotFound):
        return Problem(template, None, f"template '{exc.name}' not found",
                       "check the name, or add it to your theme's templates/ folder")
    tb = exc.__traceback__ if exc.__traceback__ else sys.exc_info()[2]
    where, line = template, None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".j2")):
            where, line = filename, tb.tb_lineno
        tb = tb.tb_next
    hint = _undefined_hint(str(exc), names) if isinstance(exc, jinja2.UndefinedError) else ""
    return Problem(_shown(where, root), line, f"template error: {type(exc).__name__}: {exc}", hint)


def _shown(filename: str, root: Path | None) -> str:
    path = Path(filename)
    if root is not None and path.is_absolute() and path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return filename


def _undefined_hint(message: str, names: Iterable[str]) -> str:
    """'titel' is undefined: did you mean 'title'? Attributes are looked up among the model's fields."""
    import dataclasses
    import re

    from museumsite import model

    variable = re.fullmatch(r"'([^']+)' is undefined", message)
    attribute = re.search(r"has no attribute '([^']+)'", message)
    if variable:
        return did_you_mean(variable.group(1), names) or "a variable that does not exist on this page"
    if attribute:
        fields = {f.name for kind in (model.Event, model.Talk, model.Speaker, model.Post, model.Page, model.Site)
                  for f in dataclasses.fields(kind)}
        return did_you_mean(attribute.group(1), fields) or "an attribute that does not exist"
    return "a variable or attribute that does not exist"
