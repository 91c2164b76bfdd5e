"""The template API is explicit: one registry fills the environment, and the README lists exactly it.

What a theme's templates get (globals, filters, page variables) is the boundary users'
themes depend on. The registry (``render.api.builtin``) is the one place a name is added;
the Jinja environment holds its names and Jinja's own, nothing more and nothing popped;
the README's "Template reference" names each one; the default theme uses nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2 import nodes
from jinja2.defaults import DEFAULT_NAMESPACE
from jinja2.filters import FILTERS
from jinja2.runtime import Context

from museumsite.build import build
from museumsite.config import load_config
from museumsite.lang.i18n import Interface
from museumsite.model import Site
from museumsite.render.api.builtin import builtin_registry
from museumsite.render.api.context import HelperContext
from museumsite.render.api.page import KIND_VARIABLES, PAGE_VARIABLES, PageContext
from museumsite.render.theme import default_theme_dir, load_theme

from support import REPO, parse_html

README = REPO / "README.md"
MakeSite = Callable[..., Path]
GROUPS = {"Page variables": "page", "Variables of some pages": "kind", "Globals": "global", "Filters": "filter"}
# Names Jinja gives every template, and the variables its tags make.
JINJA_NAMES = set(DEFAULT_NAMESPACE) | {"loop", "caller", "self", "super", "varargs", "kwargs"}


def reference() -> dict[str, list[str]]:
    """The names of README.md's "Template reference", by group (the bold lead-in before each list)."""
    text = README.read_text(encoding="utf-8")
    start = text.index("\n### Template reference\n")
    end = text.index("\n## ", start)
    found: dict[str, list[str]] = {group: [] for group in GROUPS.values()}
    group = ""
    for line in text[start:end].splitlines():
        lead = re.match(r"\*\*([^*]+)\*\*", line)
        if lead:
            group = GROUPS[lead.group(1)]
        item = re.match(r"- `(\w+)", line)
        if item:
            assert group, f"a listed name before any group: {line}"
            found[group].append(item.group(1))
    return found


def environment(root: Path) -> jinja2.Environment:
    """The environment a build of ``root`` renders with, filled from the built-in registry."""
    config = load_config(root)
    return load_theme(config, *builtin_registry().bind(HelperContext.of(Site(config=config), Interface())))


def test_the_readme_lists_exactly_what_is_registered() -> None:
    listed = reference()
    registry = builtin_registry()
    for group, names in listed.items():
        assert len(names) == len(set(names)), f"{group}: listed twice: {sorted(n for n in names if names.count(n) > 1)}"
    assert set(listed["global"]) == set(registry.names("global"))
    assert set(listed["filter"]) == set(registry.names("filter"))
    assert listed["page"] == list(PAGE_VARIABLES)
    assert set(listed["kind"]) == set(KIND_VARIABLES)


def test_the_environment_holds_the_registry_and_jinja_own_names_only(make_site: MakeSite) -> None:
    """Nothing is popped from what is registered, nothing is added beside it (the i18n extension's included)."""
    env = environment(make_site({}))
    registry = builtin_registry()
    assert set(env.globals) == set(DEFAULT_NAMESPACE) | set(registry.names("global"))
    assert set(env.filters) == set(FILTERS) | set(registry.names("filter"))
    assert all(env.globals[name] is not None for name in registry.names("global"))


def names_in(template: str) -> tuple[set[str], set[str]]:
    """(names a template reads but does not make itself, filters it applies)."""
    tree = jinja2.Environment(extensions=["jinja2.ext.i18n"]).parse(template)
    made = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    made |= {n.name for n in tree.find_all(nodes.Macro)} | {n.target for n in tree.find_all(nodes.Import)}
    made |= {name if isinstance(name, str) else name[1] for n in tree.find_all(nodes.FromImport) for name in n.names}
    read = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    return read - made, {n.name for n in tree.find_all(nodes.Filter)}


def test_the_default_theme_uses_only_documented_names() -> None:
    registry = builtin_registry()
    documented = set(registry.names("global")) | set(PAGE_VARIABLES) | set(KIND_VARIABLES) | JINJA_NAMES
    filters = set(registry.names("filter")) | set(FILTERS)
    templates = sorted((default_theme_dir() / "templates").glob("*.html"))
    assert len(templates) > 15
    for path in templates:
        read, applied = names_in(path.read_text(encoding="utf-8"))
        assert read <= documented, f"{path.name} reads undocumented {sorted(read - documented)}"
        assert applied <= filters, f"{path.name} applies undocumented filters {sorted(applied - filters)}"


def test_the_reference_checker_sees_an_undocumented_name() -> None:
    read, applied = names_in("{% set x = 1 %}{% for y in items %}{{ x }}{{ y|shout }}{{ secret(y) }}{% endfor %}")
    assert read == {"items", "secret"}
    assert applied == {"shout"}


@jinja2.pass_context
def _greeting(helpers: HelperContext, context: Context, name: str) -> str:
    return f"{helpers.config.title} greets {name} in {context['lang']}"


def test_a_registered_global_and_filter_reach_templates(make_site: MakeSite) -> None:
    """What a plugin will do: add names to the registry before the environment is filled."""
    root = make_site({"themes/default/templates/hello.html": "{{ greeting('Ada') }} / {{ 'quiet'|shout }}\n"})
    config = load_config(root)
    registry = builtin_registry()
    registry.register("greeting", _greeting, bind="site", doc="greets someone, in the page's language")
    registry.register("shout", str.upper, kind="filter", doc="upper case")
    env = load_theme(config, *registry.bind(HelperContext.of(Site(config=config), Interface())))
    assert env.get_template("hello.html").render(lang="fr") == "Test site greets Ada in fr / QUIET\n"
    assert "greeting" not in builtin_registry().names("global")  # the next build starts from the built-in table


@pytest.mark.parametrize("name,kind,doc,message", [
    ("url_for", "global", "again", "already registered"),
    ("date", "filter", "again", "already registered"),
    ("shout", "filter", "", "one-line doc"),
    ("shout", "filter", "two\nlines", "one-line doc"),
    ("not a name", "global", "spaces", "identifier"),
])
def test_the_registry_refuses_a_taken_name_or_an_undocumented_one(name: str, kind: Any, doc: str,
                                                                  message: str) -> None:
    registry = builtin_registry()
    with pytest.raises(ValueError, match=message) as error:
        registry.register(name, str.upper, kind=kind, doc=doc)
    assert repr(name)[1:-1] in str(error.value)


def test_a_page_variable_that_is_not_documented_is_refused() -> None:
    common: dict[str, Any] = {name: () for name in PAGE_VARIABLES}
    assert set(PageContext(**common, kind={"pager": {}}).variables()) == {*PAGE_VARIABLES, "pager"}
    with pytest.raises(ValueError, match="secret"):
        PageContext(**common, kind={"secret": 1})


TRANS = """\
<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>
<p>{% trans title=entry.title %}About {{ title }}{% endtrans %}</p>
<p>{% trans count=3 %}{{ count }} talk{% pluralize %}{{ count }} talks{% endtrans %}</p>
<p>{{ _("Read more") }} {{ gettext("Read more") }} {{ ngettext("%(num)d talk", "%(num)d talks", 1) }}</p>
</body></html>
"""
FRENCH = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "About %(title)s"
msgstr "À propos de %(title)s"

msgid "%(num)d talk"
msgid_plural "%(num)d talks"
msgstr[0] "%(num)d exposé"
msgstr[1] "%(num)d exposés"

msgid "%(count)s talk"
msgid_plural "%(count)s talks"
msgstr[0] "%(count)s exposé"
msgstr[1] "%(count)s exposés"

msgid "Read more"
msgstr "Lire la suite"
"""


def test_trans_blocks_and_gettext_calls_speak_the_page_language(make_site: MakeSite) -> None:
    """{% trans %} reaches the registered gettext/ngettext: translated, plural, variables escaped."""
    root = make_site({
        "museumsite.yaml": "title: Test site\nbase_url: https://example.org/\nlanguage: en\nlanguages: [en, fr]\n"
                           "search: false\n",  # Pagefind refuses a site whose only entry pages have no body to index
        "themes/default/templates/about.html": TRANS,
        "locales/fr/LC_MESSAGES/messages.po": FRENCH,
        "content/pages/about.md": "---\ntitle: Tom <b> & Jerry\ntemplate: about.html\n---\nHi.\n",
        "content/pages/about.fr.md": "---\ntitle: Tom <b> & Jerry\ntemplate: about.html\n---\nSalut.\n",
    })
    build(root, root / "_site", use_cache=False)

    def paragraphs(path: str) -> list[str]:
        tree = parse_html((root / "_site" / path).read_bytes())
        return ["".join(p.itertext()) for p in tree.iter("p")]

    assert paragraphs("about/index.html") == ["About Tom <b> & Jerry", "3 talks", "Read more Read more 1 talk"]
    assert paragraphs("fr/about/index.html") == ["À propos de Tom <b> & Jerry", "3 exposés",
                                                 "Lire la suite Lire la suite 1 exposé"]
    assert b"Tom &lt;b&gt; &amp; Jerry" in (root / "_site/about/index.html").read_bytes()


@pytest.mark.parametrize("programme", [False, True], ids=["a blog", "a blog and a programme"])
def test_indexes_name_the_index_pages_the_language_has(make_site: MakeSite, programme: bool) -> None:
    """``indexes`` gives each index page of INDEXES its site path in the page's language where the site has it,
    "" where it has none: every path named is a page of the site, and each of them the site has is named."""
    from museumsite.render.api.page import INDEXES

    base = (REPO / "museumsite/themes/default/templates/404.html").read_text(encoding="utf-8")
    override = base.replace("{% block content %}", "{% block content %}<pre id=indexes>{{ indexes|tojson }}</pre>", 1)
    files = {"content/posts/one.md": "---\ntitle: One\ndate: 2024-05-10\n---\nA post without tags.\n",
             "themes/default/templates/404.html": override}
    if programme:
        files |= {"content/events/conf.md": "---\ntitle: Conf\nstart: 2024-05-01\nend: 2024-05-02\n---\nAn event.\n",
                  "content/posts/two.md": "---\ntitle: Two\ndate: 2024-05-11\ntags: [news]\n---\nA tagged post.\n"}
    site = make_site(files)
    assert build(site).pages > 0
    for page, lang_prefix in (("404.html", "/"), ("fr/404.html", "/fr/")):
        pre = parse_html((site / "_site" / page).read_bytes()).find(".//pre[@id='indexes']")
        assert pre is not None
        indexes = json.loads(pre.text or "")
        assert sorted(indexes) == sorted(INDEXES)
        for name, path in indexes.items():
            folder = site / "_site" / lang_prefix.lstrip("/") / name
            assert (path == f"{lang_prefix}{name}/") == (folder / "index.html").is_file(), (page, name, path)
        assert indexes["posts"] and indexes["archive"] and indexes["feeds"]
        assert bool(indexes["tags"]) == programme and bool(indexes["events"]) == programme
        assert not indexes["talks"] and not indexes["speakers"]
