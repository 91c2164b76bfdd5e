"""``markdown_extensions:`` in museumsite.yaml: Python-Markdown extensions added to the built-in set.

Real sites are built and their pages parsed: the extensions' markup is there, a bad name
or option is a config error at its line (exit 2), the Markdown cache converts again when
an extension, its options or its code change, and an imported entry is sanitized whatever
the extensions add.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from museumsite.build import build
from museumsite.cli import main
from museumsite.errors import ConfigError

from support import BASE_CONFIG, MakeSite, parse_html, walk

POST = """\
---
title: Glossary
date: 2024-05-10
---
The HTML spec is long.

*[HTML]: Hyper Text Markup Language

Apple
:   A fruit.

!!! note "Mind the gap"
    Trains stop here.

```python
x = 1
```
"""


def page(site: Path, path: str = "posts/glossary/index.html") -> Any:
    return parse_html((site / "_site" / path).read_bytes())


def elements(document: Any, tag: str) -> list[Any]:
    return [e for e in walk(document) if e.tag == tag]


def config_error(site: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        build(site)
    return [str(problem) for problem in caught.value.problems]


def test_added_extensions_convert_every_body(make_site: MakeSite) -> None:
    site = make_site({"content/posts/glossary.md": POST},
                     config=BASE_CONFIG + "markdown_extensions:\n  - abbr\n  - def_list\n  - admonition\n")
    build(site)
    document = page(site)
    assert [(a.get("title"), a.text) for a in elements(document, "abbr")] == [("Hyper Text Markup Language", "HTML")]
    assert [e.text for e in elements(document, "dt")] == ["Apple"]
    assert [e.text for e in elements(document, "dd")] == ["A fruit."]
    admonition = [e for e in elements(document, "div") if "admonition" in (e.get("class") or "").split()]
    assert len(admonition) == 1 and "note" in admonition[0].get("class").split()
    assert "Trains stop here." in "".join(admonition[0].itertext())
    # The built-in set is still there: fenced code highlighted by codehilite.
    assert any("highlight" in (e.get("class") or "").split() for e in elements(document, "div"))


def test_without_the_setting_the_built_in_set_only(make_site: MakeSite) -> None:
    site = make_site({"content/posts/glossary.md": POST})
    build(site)
    document = page(site)
    assert not elements(document, "abbr") and not elements(document, "dl")
    assert "!!! note" in "".join(document.itertext())


def test_options_of_a_built_in_extension_are_laid_over_ours(make_site: MakeSite) -> None:
    site = make_site({"content/posts/glossary.md": POST},
                     config=BASE_CONFIG + "markdown_extensions:\n  - codehilite: {css_class: code}\n")
    build(site)
    classes = {c for e in elements(page(site), "div") for c in (e.get("class") or "").split()}
    assert "code" in classes and "highlight" not in classes


def test_the_markdown_cache_converts_again_when_an_extension_or_its_options_change(make_site: MakeSite) -> None:
    site = make_site({"content/posts/glossary.md": POST})
    config = site / "museumsite.yaml"
    build(site)
    assert not elements(page(site), "abbr")
    config.write_text(BASE_CONFIG + "markdown_extensions: [abbr]\n", encoding="utf-8")
    build(site)
    assert elements(page(site), "abbr"), "an added extension converts the cached entries again"
    config.write_text(BASE_CONFIG + "markdown_extensions: [abbr, {codehilite: {css_class: code}}]\n", encoding="utf-8")
    build(site)
    classes = {c for e in elements(page(site), "div") for c in (e.get("class") or "").split()}
    assert "code" in classes, "changed options convert again"
    config.write_text(BASE_CONFIG, encoding="utf-8")
    build(site)
    assert not elements(page(site), "abbr"), "a removed extension converts again"


SHOUT = '''
import xml.etree.ElementTree as etree
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor


class Shout(Treeprocessor):
    def run(self, root):
        for element in root.iter("p"):
            element.set("data-shout", "{mark}")
            element.set("onclick", "alert(1)")
            element.set("style", "color: red")


class ShoutExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(Shout(md), "shout", 1)


def makeExtension(**options):
    return ShoutExtension(**options)
'''


@pytest.fixture
def shout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site-local Markdown extension module, ``shout_ext``, importable by name; it marks every paragraph
    and adds an event handler and a style, as any extension may."""
    folder = tmp_path / "extensions"
    folder.mkdir()
    (folder / "shout_ext.py").write_text(SHOUT.replace("{mark}", "one"), encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    importlib.invalidate_caches()
    yield folder / "shout_ext.py"
    sys.modules.pop("shout_ext", None)


def test_the_markdown_cache_converts_again_when_an_extensions_code_changes(make_site: MakeSite, shout: Path) -> None:
    site = make_site({"content/posts/glossary.md": POST}, config=BASE_CONFIG + "markdown_extensions: [shout_ext]\n")
    build(site)
    assert {p.get("data-shout") for p in elements(page(site), "p") if p.get("data-shout")} == {"one"}
    shout.write_text(SHOUT.replace("{mark}", "two") + "# a newer release\n", encoding="utf-8")
    sys.modules.pop("shout_ext", None)  # as a new run of museumsite would
    build(site)
    assert {p.get("data-shout") for p in elements(page(site), "p") if p.get("data-shout")} == {"two"}


def test_an_imported_entry_is_sanitized_whatever_the_extensions_add(make_site: MakeSite, shout: Path) -> None:
    body = POST.split("---\n", 2)[2] + '\nA paragraph with attributes.\n{: onmouseover="alert(2)" style="x" }\n'
    site = make_site({"content/posts/glossary.md": "---\ntitle: Glossary\ndate: 2024-05-10\nimported: wordpress\n---\n"
                      + body, "content/posts/mine.md": "---\ntitle: Mine\ndate: 2024-05-11\n---\nMy own words.\n"},
                     config=BASE_CONFIG + "markdown_extensions: [abbr, def_list, admonition, shout_ext]\n")
    build(site)
    article = next(e for e in walk(page(site)) if e.tag == "main")
    attributes = {name for e in walk(article) for name in e.attrib}
    assert not {name for name in attributes if name.startswith("on")} and "style" not in attributes
    assert "data-shout" not in attributes, "what an extension adds goes through the one policy"
    text = "".join(article.itertext())
    assert "Trains stop here." in text and "A fruit." in text and "A paragraph with attributes." in text
    # The author's own post keeps what the extension made: only strangers' text is sanitized.
    own = [p for p in elements(page(site, "posts/mine/index.html"), "p") if p.text == "My own words."]
    assert own and own[0].get("onclick") == "alert(1)"


@pytest.mark.parametrize("item,message,hint", [
    ("- nope_not_installed", ("markdown_extensions: 'nope_not_installed' cannot be imported: no module named "
     "'nope_not_installed'"), "pip install"),
    ("- abr", "markdown_extensions: 'abr' cannot be imported: no module named 'abr'", "did you mean 'abbr'?"),
    ("- pymdownx.tilde", "markdown_extensions: 'pymdownx.tilde' cannot be imported: no module named 'pymdownx'",
     "pip install pymdown-extensions"),
    ("- json", "markdown_extensions: 'json' is not a Markdown extension (its module has no makeExtension)", "abbr"),
    ("- toc: {permalinks: true}", "markdown_extensions: 'toc' has no option 'permalinks'", "did you mean 'permalink'?"),
    ("- admonition: {x: 1}", "markdown_extensions: 'admonition' has no option 'x'", "it takes no options"),
    ("- codehilite: {linenums: maybe}", ("markdown_extensions: 'codehilite' refuses its options: ValueError: "
     "Cannot parse bool value: 'maybe'"), "linenums"),
    ("- abbr: [x]", "markdown_extensions: the options of 'abbr' must be a mapping, not ['x']", ""),
    ("- [abbr]", ("each item of 'markdown_extensions' must be a name, or a name with a mapping of options, "
     "not ['abbr']"), ""),
])
def test_a_bad_extension_is_a_config_error_at_its_line(make_site: MakeSite, item: str, message: str,
                                                       hint: str) -> None:
    site = make_site({}, config=BASE_CONFIG + f"markdown_extensions:\n  - abbr\n  {item}\n")
    line = BASE_CONFIG.count("\n") + 3
    [problem] = config_error(site)
    assert problem.splitlines()[0] == f"museumsite.yaml:{line}: {message}"
    assert hint in problem


def test_every_bad_extension_is_reported_at_once_with_exit_2(make_site: MakeSite,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site({}, config=BASE_CONFIG + textwrap.dedent("""\
        markdown_extensions:
          - nope
          - abbr
          - toc: {bogus: 1}
        """))
    first = BASE_CONFIG.count("\n") + 2
    assert main(["build", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert f"museumsite.yaml:{first}: markdown_extensions: 'nope' cannot be imported" in err
    assert f"museumsite.yaml:{first + 2}: markdown_extensions: 'toc' has no option 'bogus'" in err
    assert "Traceback" not in err
    assert not (site / "_site").exists()


def test_an_extension_listed_twice_is_a_config_error_at_the_second(make_site: MakeSite) -> None:
    site = make_site({}, config=BASE_CONFIG + "markdown_extensions:\n  - abbr\n  - toc: {}\n  - abbr\n")
    first = BASE_CONFIG.count("\n") + 2
    assert config_error(site) == [(f"museumsite.yaml:{first + 2}: markdown_extensions: 'abbr' is listed twice "
                                  f"(first at line {first})\n  hint: keep one, with all its options")]
