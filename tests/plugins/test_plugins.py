"""Plugins: installed packages named under ``plugins:``, found through the ``museumsite.plugins`` entry points.

The plugins are made visible the way an installed package is: a ``*.dist-info`` folder
with its ``entry_points.txt`` on ``sys.path``, beside the plugin's code, so
``importlib.metadata`` finds them as it finds any installed distribution (the example
plugin is the shipped ``examples/plugins/humans/museumsite_humans.py`` itself). One slow
test installs the example with pip and builds in a new process, as a user would.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from museumsite.build import build
from museumsite.cli import main
from museumsite.errors import BuildError, ConfigError

from support import BASE_CONFIG, REPO, SMALL_SITE, MakeSite, parse_html, walk

EXAMPLE = REPO / "examples" / "plugins" / "humans"
MODULE = "museumsite_test_plugins"

PLUGINS = '''
from dataclasses import replace

from museumsite.plugins import Output, Plugin

VERSION = "v1"


class Stamp(Plugin):
    defaults = {"text": "stamped"}

    def page_rendered(self, page):
        mark = f"<!-- {self.options['text']} {page.lang} {page.template} {page.path} -->"
        return page.data.replace(b"</body>", mark.encode() + b"</body>")


class Upper(Plugin):
    def site_assembled(self, site):
        return replace(site, posts=tuple(replace(p, title=p.title.upper()) for p in site.posts))


class Paths(Plugin):
    defaults = {"paths": ["made.txt"]}

    def outputs(self, site, pages):
        for path in self.options["paths"]:
            yield Output(path=path, data=f"{len(pages)} pages".encode())


class Version(Plugin):
    def outputs(self, site, pages):
        return [Output(path="version.txt", data=VERSION.encode())]


class Tuned(Plugin):
    defaults = {"ratio": 0.5, "enabled": True, "count": 2, "anything": None}

    def outputs(self, site, pages):
        return [Output(path="tuned.txt", data=repr(sorted(self.options.items())).encode())]


class Broken(Plugin):
    def outputs(self, site, pages):
        raise RuntimeError("boom")


class Smuggle(Plugin):
    defaults = {"file": ""}

    def outputs(self, site, pages):
        return [Output(path="copied.txt", data=b"", file=self.options["file"])]


class BadReturn(Plugin):
    def site_assembled(self, site):
        return "not a site"


def not_a_plugin():
    pass
'''
ENTRY_POINTS = {name: f"{MODULE}:{obj}" for name, obj in [
    ("stamp", "Stamp"), ("upper", "Upper"), ("paths", "Paths"), ("version", "Version"), ("broken", "Broken"),
    ("badreturn", "BadReturn"), ("notaplugin", "not_a_plugin"), ("tuned", "Tuned"), ("smuggle", "Smuggle"),
]} | {"unimportable": "museumsite_unimportable:Plugin"}

Install = Callable[..., Path]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """``install(dist, entry_points, modules, code_dir=None)``: a distribution on ``sys.path``, as pip leaves one."""
    written: list[str] = []

    def make(dist: str, entry_points: dict[str, str], modules: dict[str, str], code_dir: Path | None = None) -> Path:
        folder = tmp_path / f"site-packages-{dist}"
        info = folder / f"{dist}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8")
        lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
        (info / "entry_points.txt").write_text(f"[museumsite.plugins]\n{lines}", encoding="utf-8")
        for module, source in modules.items():
            (folder / f"{module}.py").write_text(source, encoding="utf-8")
            written.append(module)
        monkeypatch.syspath_prepend(str(folder))
        if code_dir is not None:
            monkeypatch.syspath_prepend(str(code_dir))
        importlib.invalidate_caches()
        return folder

    yield make
    for module in [*written, "museumsite_humans"]:
        sys.modules.pop(module, None)


@pytest.fixture
def test_plugins(install: Install) -> Path:
    return install("museumsite-test-plugins", ENTRY_POINTS,
                   {MODULE: PLUGINS, "museumsite_unimportable": "raise ImportError('it needs the frobnicator')\n"})


@pytest.fixture
def humans(install: Install) -> None:
    """The example plugin, its shipped module, with the entry point its pyproject.toml declares."""
    declared = (EXAMPLE / "pyproject.toml").read_text(encoding="utf-8")
    assert 'humans = "museumsite_humans:Humans"' in declared
    install("museumsite-humans", {"humans": "museumsite_humans:Humans"}, {}, code_dir=EXAMPLE)


PEOPLE = {
    **SMALL_SITE,
    "content/speakers/ada.fr.md": "---\nname: Ada Lovelace\naffiliation: Société analytique\n---\nBio.\n",
    "content/posts/second.md": "---\ntitle: Second post\ndate: 2024-06-01\nauthors: [Carol Writer, Ada Lovelace]\n"
                               "---\nSecond.\n",
    "content/posts/third.md": "---\ntitle: Third post\ndate: 2023-01-01\nauthor: Dan Penman\n---\nThird.\n",
}


def config_error(site: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        build(site)
    return [str(problem) for problem in caught.value.problems]


def test_humans_names_every_speaker_and_post_author(make_site: MakeSite, humans: None) -> None:
    site = make_site(PEOPLE, config=BASE_CONFIG + "plugins: [humans]\n")
    build(site)
    lines = (site / "_site" / "humans.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "/* TEAM */"
    team = lines[1:lines.index("")]
    assert team == ["Speaker: Ada Lovelace", "Speaker: Bob Builder",  # once each, the French page too
                    "Author: Ada Lovelace", "Author: Carol Writer", "Author: Dan Penman"]
    assert "Site: Test site" in lines and "Languages: en, fr" in lines


def test_a_site_without_plugins_gets_no_humans_txt(make_site: MakeSite, humans: None) -> None:
    site = make_site(PEOPLE)
    build(site)
    assert not (site / "_site" / "humans.txt").exists()


def test_a_plugin_takes_its_options(make_site: MakeSite, humans: None) -> None:
    site = make_site(PEOPLE, config=BASE_CONFIG + "plugins:\n  - humans: {path: about/team.txt}\n")
    build(site)
    assert (site / "_site" / "about/team.txt").read_text(encoding="utf-8").startswith("/* TEAM */")
    assert not (site / "_site" / "humans.txt").exists()


@pytest.mark.parametrize("item,message,hint", [
    ("- humasn", "plugins: 'humasn' is not installed", "did you mean 'humans'? installed plugins: humans"),
    ("- humans: {colour: red}", "plugins: 'humans' has no option 'colour'", "its options: path"),
    ("- humans: {pth: x.txt}", "plugins: 'humans' has no option 'pth'", "did you mean 'path'?"),
    ("- humans: {path: 3}", "plugins: 'humans' option 'path' must be str (like its default, 'humans.txt'), not 3",
     "path: 'humans.txt'"),
    ("- humans: [x]", "plugins: the options of 'humans' must be a mapping, not ['x']", ""),
])
def test_a_bad_plugin_item_is_a_config_error_at_its_line(make_site: MakeSite, humans: None, item: str, message: str,
                                                         hint: str) -> None:
    site = make_site(SMALL_SITE, config=BASE_CONFIG + f"plugins:\n  {item}\n")
    [problem] = config_error(site)
    assert problem.splitlines()[0] == f"museumsite.yaml:{BASE_CONFIG.count(chr(10)) + 2}: {message}"
    assert hint in problem


@pytest.mark.parametrize("options,problem", [
    ("{ratio: 1, enabled: false, count: 3, anything: [x]}", ""),  # a whole number is a number; None takes anything
    ("{ratio: '1'}", "option 'ratio' must be float (like its default, 0.5), not '1'"),
    ("{enabled: 1}", "option 'enabled' must be bool (like its default, True), not 1"),
    ("{count: true}", "option 'count' must be int (like its default, 2), not True"),
    ("{count: 2.5}", "option 'count' must be int (like its default, 2), not 2.5"),
])
def test_an_option_has_its_defaults_type(make_site: MakeSite, test_plugins: Path, options: str, problem: str) -> None:
    site = make_site({}, config=BASE_CONFIG + f"plugins:\n  - tuned: {options}\n")
    if not problem:
        build(site)
        made = (site / "_site/tuned.txt").read_text(encoding="utf-8")
        assert made == repr([("anything", ["x"]), ("count", 3), ("enabled", False), ("ratio", 1)])
    else:
        assert [line.splitlines()[0] for line in config_error(site)] == [
            f"museumsite.yaml:{BASE_CONFIG.count(chr(10)) + 2}: plugins: 'tuned' {problem}"]


def test_an_unknown_plugin_exits_2_listing_what_is_installed(make_site: MakeSite, test_plugins: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(SMALL_SITE, config=BASE_CONFIG + "plugins:\n  - stamp\n  - nobody\n")
    assert main(["build", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert f"museumsite.yaml:{BASE_CONFIG.count(chr(10)) + 3}: plugins: 'nobody' is not installed" in err
    assert "installed plugins: badreturn, broken, notaplugin, paths, smuggle, stamp, tuned, unimportable, upper, version" in err
    assert "pip install" in err and "Traceback" not in err
    assert not (site / "_site").exists()


def test_code_that_is_not_a_plugin_or_fails_to_import_is_a_config_error(make_site: MakeSite,
                                                                        test_plugins: Path) -> None:
    site = make_site(SMALL_SITE, config=BASE_CONFIG + "plugins: [notaplugin, unimportable]\n")
    line = BASE_CONFIG.count("\n") + 1
    first, second = config_error(site)
    assert first.startswith(f"museumsite.yaml:{line}: plugins: 'notaplugin' is not a museumsite plugin: its entry point "
                            f"'{MODULE}:not_a_plugin' names <function not_a_plugin")
    assert "subclass of museumsite.plugins.Plugin" in first
    assert second.startswith(f"museumsite.yaml:{line}: plugins: 'unimportable' cannot be imported: ImportError: it "
                             "needs the frobnicator")
    assert "museumsite_unimportable.py:1" in second and "'museumsite-test-plugins'" in second


def pages_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site / "_site").as_posix(): p.read_bytes() for p in (site / "_site").rglob("*.html")}


def test_page_rendered_changes_every_page_and_kept_pages_keep_it(make_site: MakeSite, test_plugins: Path) -> None:
    site = make_site(SMALL_SITE, config=BASE_CONFIG + "plugins: [stamp]\n")
    build(site)
    pages = pages_of(site)
    assert len(pages) > 20
    for path, data in pages.items():
        assert data.count(b"<!-- stamped ") == 1, path
        assert f" {path} -->".encode() in data
    talk = pages["talks/opening/index.html"].decode()
    assert "<!-- stamped en talk.html talks/opening/index.html -->" in talk
    assert parse_html(talk).find(".//body") is not None
    assert b"stamped" not in (site / "_site/feeds/atom.xml").read_bytes(), "pages only, not feeds"
    # An edited body: its pages are rendered again, the others kept, all with the hook's bytes.
    post = site / "content/posts/hello.md"  # after its summary: only its own page and feeds show it
    post.write_text(post.read_text(encoding="utf-8").replace("See [the", "Do see [the"), encoding="utf-8")
    result = build(site)
    assert result.kept > 0 and result.rendered > 0
    assert pages_of(site).keys() == pages.keys()
    assert all(data.count(b"<!-- stamped ") == 1 for data in pages_of(site).values())
    # The plugin's options are part of what every page is made from: all rendered again.
    (site / "museumsite.yaml").write_text(BASE_CONFIG + "plugins: [{stamp: {text: inked}}]\n", encoding="utf-8")
    result = build(site)
    assert result.kept == 0
    assert all(b"<!-- inked " in data and b"stamped" not in data for data in pages_of(site).values())


def test_site_assembled_may_return_a_new_site(make_site: MakeSite, test_plugins: Path) -> None:
    site = make_site(SMALL_SITE, config=BASE_CONFIG + "plugins: [upper]\n")
    build(site)
    heading = [e for e in walk(parse_html((site / "_site/posts/hello/index.html").read_bytes())) if e.tag == "h1"]
    assert [h.text for h in heading] == ["HELLO"]
    assert b"<title>SECOND POST</title>" in (site / "_site/feeds/atom.xml").read_bytes().replace(b' type="text"', b"")


def test_outputs_go_through_the_path_rules(make_site: MakeSite, test_plugins: Path) -> None:
    bad = ["../up.txt", "/abs.txt", ".git/config", "folder/", "a//b.txt", "ok/file.txt"]
    site = make_site(SMALL_SITE, config=BASE_CONFIG + f"plugins:\n  - paths: {{paths: {bad}}}\n")
    line = BASE_CONFIG.count("\n") + 2
    with pytest.raises(BuildError) as caught:
        build(site)
    messages = [p.message for p in caught.value.problems]
    assert [p.line for p in caught.value.problems] == [line] * 5 and {p.path for p in caught.value.problems} == {
        "museumsite.yaml"}
    for path in bad[:-1]:
        assert any(f"outputs() gave the path {path!r}" in m for m in messages), (path, messages)
    assert not (site / "_site").exists()


def test_an_output_naming_a_file_instead_of_bytes_is_refused(make_site: MakeSite, test_plugins: Path,
                                                             tmp_path: Path) -> None:
    """``Output.file`` is how the build hands over its own rendered pages; from a plugin it would publish any
    file of the machine it names."""
    private = tmp_path / "private.txt"
    private.write_text("not for the web", encoding="utf-8")
    site = make_site(SMALL_SITE, config=BASE_CONFIG + f"plugins:\n  - smuggle: {{file: '{private}'}}\n")
    with pytest.raises(BuildError) as caught:
        build(site)
    assert [p.path for p in caught.value.problems] == ["museumsite.yaml"]
    assert "not an Output with bytes" in caught.value.problems[0].message
    assert not (site / "_site").exists()


def test_outputs_written_beside_the_pages_and_collisions_name_the_plugin(make_site: MakeSite,
                                                                        test_plugins: Path) -> None:
    site = make_site(SMALL_SITE, config=BASE_CONFIG + "plugins:\n  - paths: {paths: [made.txt, deep/er/x.txt]}\n")
    build(site)
    pages = len(pages_of(site))
    assert (site / "_site/made.txt").read_text(encoding="utf-8") == f"{pages} pages"
    assert (site / "_site/deep/er/x.txt").is_file()
    (site / "museumsite.yaml").write_text(BASE_CONFIG + "plugins:\n  - paths: {paths: [index.html]}\n",
                                          encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build(site)
    assert any("index.html" in str(p) and "plugin 'paths'" in str(p) for p in caught.value.problems)


def test_a_hook_that_raises_is_an_error_naming_the_plugin(make_site: MakeSite, test_plugins: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(SMALL_SITE, config=BASE_CONFIG + "plugins: [broken, badreturn]\n")
    assert main(["build", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    line = BASE_CONFIG.count("\n") + 1
    assert f"museumsite.yaml:{line}: plugin 'badreturn' site_assembled() returned str, not a Site or None" in err
    assert "Traceback" not in err
    (site / "museumsite.yaml").write_text(BASE_CONFIG + "plugins: [broken]\n", encoding="utf-8")
    assert main(["build", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert f"museumsite.yaml:{line}: plugin 'broken' failed in outputs(): RuntimeError: boom" in err
    assert f"{MODULE}.py:" in err and "remove 'broken' from plugins:" in err and "Traceback" not in err


def test_a_changed_plugin_is_a_new_build_not_a_no_op(make_site: MakeSite, test_plugins: Path) -> None:
    site = make_site(SMALL_SITE, config=BASE_CONFIG + "plugins: [version]\n")
    build(site)
    assert build(site).up_to_date
    module = test_plugins / f"{MODULE}.py"
    module.write_text(PLUGINS.replace('VERSION = "v1"', 'VERSION = "v2.0"'), encoding="utf-8")
    sys.modules.pop(MODULE, None)  # as a new run of museumsite would import it
    result = build(site)
    assert not result.up_to_date
    assert (site / "_site/version.txt").read_text(encoding="utf-8") == "v2.0"


@pytest.mark.slow
def test_the_example_plugin_works_once_pip_installed(make_site: MakeSite, tmp_path: Path) -> None:
    """A real ``pip install`` of examples/plugins/humans (into a target folder: museumsite itself is the
    test environment's), then ``museumsite build`` in a new process with ``markdown_extensions: [abbr]``."""
    target = tmp_path / "installed"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                           str(EXAMPLE)], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert (target / "museumsite_humans-1.0.0.dist-info/entry_points.txt").is_file()
    site = make_site({**PEOPLE, "content/pages/glossary.md": "---\ntitle: Glossary\n---\nThe HTML spec.\n\n"
                      "*[HTML]: Hyper Text Markup Language\n"},
                     config=BASE_CONFIG + textwrap.dedent("""\
                         markdown_extensions: [abbr]
                         plugins: [humans]
                         """))
    done = subprocess.run([sys.executable, "-m", "museumsite", "build", "--site", str(site)], capture_output=True,
                          text=True, env={**env, "PYTHONPATH": str(target)}, check=False)
    assert done.returncode == 0, done.stderr
    assert "Speaker: Bob Builder" in (site / "_site/humans.txt").read_text(encoding="utf-8")
    abbr = [e for e in walk(parse_html((site / "_site/glossary/index.html").read_bytes())) if e.tag == "abbr"]
    assert [(a.get("title"), a.text) for a in abbr] == [("Hyper Text Markup Language", "HTML")]
