"""The package's plan, checked: folders by concern whose imports point one way, small modules and functions;
and the tests' own plan: helpers come from ``support``, never from ``conftest`` or another test module.

Every ``import`` counts, wherever it stands: at the top, inside a function (a lazy import) or under
``if TYPE_CHECKING:``. A node is a folder directly under ``museumsite/`` (with everything below it)
or a module at the top of ``museumsite/``, so ``build`` and ``incremental/`` are two nodes and may
not import each other either. Imports inside one folder are that folder's own business.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
PACKAGE = TESTS.parent / "museumsite"
MAX_MODULES = 12
MAX_LINES = 500
MAX_FUNCTION_LINES = 80


def modules() -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every module of the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imported(name: str, path: Path) -> set[str]:
    """The museumsite modules ``path`` imports, by dotted name, wherever the import stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # "from museumsite import model"
    known = {module for module, _ in modules()}
    return {module for module in found if module in known}


def node_of(module: str) -> str:
    """The part of the plan a module belongs to: ``museumsite.feeds.posts`` -> ``feeds``; ``museumsite.build``
    -> ``build`` (a top module is a node of its own); the package's ``__init__`` -> ``museumsite``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def node_graph(node: Callable[[str], str] = node_of) -> dict[str, dict[str, set[str]]]:
    """node -> node it imports -> the module pairs that make the arrow."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for module, path in modules():
        for target in imported(module, path):
            if node(module) != node(target):
                graph[node(module)][node(target)].add(f"{module} -> {target}")
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_folders_or_top_modules() -> None:
    graph = node_graph()
    loops = cycles(graph)
    detail = {" / ".join(loop): sorted(pair for a in loop for b in loop for pair in graph[a].get(b, ()))
              for loop in loops}
    assert not loops, detail


def test_no_import_cycle_between_modules_inside_a_folder_either() -> None:
    """Two modules that import each other are one concern cut in two: the names they share belong lower."""
    graph = node_graph(lambda module: module)
    loops = cycles(graph)
    assert not loops, {" / ".join(loop): sorted(pair for a in loop for b in loop for pair in graph[a].get(b, ()))
                       for loop in loops}


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph: dict[str, dict[str, set[str]]] = {"a": {"b": {"a.x -> b.y"}}, "b": {"c": set()}, "c": {"a": set()}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b": set()}, "b": {}}) == []


def test_each_folder_holds_at_most_twelve_modules() -> None:
    counts = {folder.relative_to(PACKAGE.parent).as_posix(): len([p for p in folder.glob("*.py")
                                                                 if p.name != "__init__.py"])
              for folder in [PACKAGE, *(p.parent for p in PACKAGE.rglob("__init__.py"))]}
    counts[PACKAGE.name] += 1  # __main__ is counted with the rest at the top
    assert {folder: n for folder, n in counts.items() if n > MAX_MODULES} == {}


@pytest.mark.parametrize("name,path", list(modules()), ids=[name for name, _ in modules()])
def test_modules_and_functions_are_small(name: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{name} has {len(text.splitlines())} lines"
    long = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > MAX_FUNCTION_LINES:
                long.append(f"{node.name} ({length} lines, from line {first})")
    assert not long, f"{name}: {long}"


def forbidden_imports(source: str) -> list[str]:
    """The imports of ``conftest`` or of a test module (``test_*``, relative or not) in a test file's source.

    Shared helpers belong in tests/support/ (and tests/browser/browserkit.py); fixtures in ``conftest.py``,
    which pytest loads by itself.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module] if node.module else [alias.name for alias in node.names]
        else:
            continue
        found += [f"line {node.lineno}: {name}" for name in names
                  if name.rsplit(".", 1)[-1] == "conftest" or name.rsplit(".", 1)[-1].startswith("test_")]
    return found


def test_no_test_module_imports_conftest_or_another_test_module() -> None:
    found = {path.relative_to(TESTS).as_posix(): bad for path in sorted(TESTS.rglob("*.py"))
             if (bad := forbidden_imports(path.read_text(encoding="utf-8")))}
    assert found == {}, "import these from support (helpers) or let pytest load them (fixtures)"


def test_the_test_import_check_sees_each_spelling() -> None:
    for source in ("from conftest import REPO", "import conftest", "from test_sanitize import XSS",
                   "from .test_accessibility import run_axe", "from . import test_reading",
                   "def f():\n    from tests.conftest import SHARED\n", "import content.test_load as t"):
        assert forbidden_imports(source), source
    assert forbidden_imports("from support import REPO\nfrom .browserkit import serve\nimport testing") == []
