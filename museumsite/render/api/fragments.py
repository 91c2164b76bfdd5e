"""``remember``: a fragment printed on many pages, rendered once per build, arguments and language.

A post's summary is printed on its list page, each of its tags' pages, the home page and
its year's archive: in the default theme ten or so times per post, a quarter of the CPU
that rendering a cold build's pages takes. ``{{ remember(macro, item, "h2") }}`` calls the
macro the first time a build asks for those arguments on a page in that language, and
prints the same Markup every later time. So the macro must depend on nothing else: its
arguments, the page's language, and what is the same on every page (``site``, the
interface strings). It must not print the page's URL or title, for instance.

The bodies and templates the macro reads while it runs are noted for every page that
prints the fragment, remembered or not, so keeping pages from the previous build
(``incremental/reuse.py``) sees the reads it would see without ``remember``. What is
remembered lives in the environment and is emptied when a build starts to render
(``render.pages``); forked workers each start from what the parent held then.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.runtime import Context, Macro

_PLAIN = (str, int, float, bool, type(None))


@jinja2.pass_context
def remember(context: Context, macro: Any, *args: Any, **kwargs: Any) -> Any:
    """What ``macro(*args, **kwargs)`` prints, made once per build and page language."""
    env = context.environment
    memo: dict[tuple[Any, ...], tuple[Any, frozenset[str], tuple[Any, ...]]] | None = getattr(env, "remembered", None)
    reads: set[str] | None = getattr(env, "reads", None)
    if not isinstance(macro, Macro) or memo is None or reads is None:
        return macro(*args, **kwargs)
    # The macro's compiled code is the same object for every page that imports its template.
    code = getattr(getattr(macro, "_func", None), "__code__", None) or macro
    held = (*args, *kwargs.values())
    key = (code, context.get("lang"), *map(_key, args), *sorted((k, _key(v)) for k, v in kwargs.items()))
    found = memo.get(key)
    if found is None:
        inner: set[str] = set()
        setattr(env, "reads", inner)  # noqa: B010 (the environment's reads, swapped for the macro's own)
        try:
            printed = macro(*args, **kwargs)
        finally:
            setattr(env, "reads", reads)  # noqa: B010
        found = memo[key] = (printed, frozenset(inner), held)  # the arguments held: their ids stay theirs
    reads |= found[1]
    return found[0]


def _key(value: Any) -> Any:
    """A value as part of the key: plain values by value, anything else (an entry, a list) by identity."""
    return (type(value).__name__, value) if isinstance(value, _PLAIN) else ("id", id(value))
