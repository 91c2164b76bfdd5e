"""Interface strings and languages: gettext in the page's language, ``lang`` attributes, alphabetical groups.

``gettext``/``_`` and ``ngettext`` are the i18n extension's "newstyle" callables, written
out: the translation (Markup under autoescape) formatted with the keyword variables, so
``{% trans %}`` blocks and ``_()`` calls reach the catalogue without Jinja's two indirect
calls per string.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.runtime import Context
from markupsafe import Markup, escape

from museumsite.lang.collation import family_name_key, initial
from museumsite.render.api.context import HelperContext, shows_entries
from museumsite.render.api.links import NO_MARKUP


@jinja2.pass_context
def gettext(helpers: HelperContext, context: Context, message: str, /, **variables: Any) -> str:
    """``_("Talks")``: the page language's translation, formatted with ``variables`` (``%(name)s``).

    With no variables ('%%' still becomes '%'), a string is the same on every page of a
    language, so it is made once per build (and per worker).
    """
    autoescape = context.eval_ctx.autoescape
    if variables:
        text = helpers.interface.gettext(context["lang"], message)
        return (Markup(text) if autoescape else text) % variables
    key = (context["lang"], message, autoescape)
    found = helpers.made.get(key)
    if found is None:
        text = helpers.interface.gettext(key[0], message)
        found = helpers.made[key] = (Markup(text) if autoescape else text) % {}
    return found


@jinja2.pass_context
def ngettext(helpers: HelperContext, context: Context, singular: str, plural: str, number: int, /,
             **variables: Any) -> str:
    """The singular or plural of the page's language for ``number``, formatted with ``num`` and ``variables``."""
    variables.setdefault("num", number)
    text = helpers.interface.ngettext(context["lang"], singular, plural, number)
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


def lang_attr(entry_lang: str, page_lang: str) -> Markup:
    """` lang="fr"` when an element's language differs from the page's, else nothing."""
    return NO_MARKUP if entry_lang == page_lang else Markup(f' lang="{escape(entry_lang)}"')


@shows_entries
def groupby_initial(people: Any, lang: str) -> list[tuple[str, list[Any]]]:
    """Filter: speakers (already in the language's order) under the letter each is filed under."""
    groups: dict[str, list[Any]] = {}
    for person in people:
        groups.setdefault(initial(person.name, lang), []).append(person)
    return list(groups.items())


@shows_entries
def by_family_name(people: Any, lang: str) -> list[Any]:
    """Filter: speakers by family name (or ``sort_as``: an institution by its name) in the language's order."""
    return sorted(people, key=lambda person: family_name_key(person.name, getattr(person, "sort_as", ""), lang))
