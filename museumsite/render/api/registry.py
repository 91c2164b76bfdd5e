"""One table of the names templates see, from which the Jinja environment is filled.

A helper is registered once, with its kind (a ``global`` or a ``filter``), a one-line
doc (README.md's "Template reference" prints the same names) and how it is bound:

- ``"none"``: the function as it is (``lang_attr(entry.lang, lang)``);
- ``"site"``: its first parameter is the build's ``HelperContext``, bound here, so a
  template calls ``url_for(entry)`` and the function reads ``helpers.base_path``;
- ``"value"``: called once with the ``HelperContext``; what it returns is the global
  (``site``, ``config``).

A function that needs the page (its language, its URL) is marked with Jinja's
``pass_context`` and gets the template's context after the ``HelperContext``. Binding
makes a ``functools.partial`` carrying the function's attributes (that mark among them):
Jinja calls it as fast as the closures it replaces. (A bound method would be as fast
for a marked function but 0.7 µs slower a call for an unmarked one, since Jinja asks
every callable for the mark and a method answers "no" with an exception.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial, update_wrapper
from typing import Any, Literal

from museumsite.render.api.context import HelperContext

Kind = Literal["global", "filter"]
Bind = Literal["none", "site", "value"]
KINDS: tuple[Kind, ...] = ("global", "filter")
BINDS: tuple[Bind, ...] = ("none", "site", "value")


@dataclass(frozen=True, slots=True, kw_only=True)
class Helper:
    """One registered name: what templates call, what kind of name it is, and what it does in one line."""

    name: str
    function: Callable[..., Any]
    kind: Kind
    doc: str
    bind: Bind = "none"

    def bound(self, helpers: HelperContext) -> Any:
        """What the environment holds under ``name`` for this build."""
        if self.bind == "site":
            return update_wrapper(partial(self.function, helpers), self.function)
        if self.bind == "value":
            return self.function(helpers)
        return self.function


class Registry:
    """The globals and filters of the template API, by kind and name, in the order they were registered.

    ``builtin.builtin_registry()`` makes the one museumsite ships with; code that adds
    names (a plugin) calls ``register`` on it before the environment is filled.
    """

    def __init__(self, helpers: Iterable[Helper] = ()) -> None:
        self._helpers: dict[tuple[Kind, str], Helper] = {}
        for helper in helpers:
            self.register(helper.name, helper.function, kind=helper.kind, doc=helper.doc, bind=helper.bind)

    def register(self, name: str, function: Callable[..., Any], *, kind: Kind = "global", doc: str,
                 bind: Bind = "none") -> None:
        """Add ``name``; a name already taken or a doc that is not one line is refused (ValueError)."""
        if kind not in KINDS or bind not in BINDS:
            raise ValueError(f"template {kind} '{name}': kind must be one of {KINDS}, bind one of {BINDS}")
        if not name.isidentifier():
            raise ValueError(f"template {kind} '{name}': a name templates can call must be an identifier")
        if (kind, name) in self._helpers:
            raise ValueError(f"template {kind} '{name}' is already registered; choose another name")
        if not doc.strip() or "\n" in doc:
            raise ValueError(f"template {kind} '{name}' needs a one-line doc")
        if not callable(function):
            raise TypeError(f"template {kind} '{name}' must be a function")
        self._helpers[kind, name] = Helper(name=name, function=function, kind=kind, doc=doc, bind=bind)

    def helpers(self, kind: Kind) -> tuple[Helper, ...]:
        """The helpers of one kind, in the order they were registered."""
        return tuple(h for h in self._helpers.values() if h.kind == kind)

    def names(self, kind: Kind) -> tuple[str, ...]:
        return tuple(h.name for h in self.helpers(kind))

    def copy(self) -> Registry:
        return Registry(self._helpers.values())

    def bind(self, helpers: HelperContext) -> tuple[dict[str, Any], dict[str, Callable[..., Any]]]:
        """The globals and the filters of the environment, bound to this build's site."""
        return ({h.name: h.bound(helpers) for h in self.helpers("global")},
                {h.name: h.bound(helpers) for h in self.helpers("filter")})
