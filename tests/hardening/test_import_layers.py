"""The layers hold: no import cycle between the project's modules (imports inside
functions counted), `cities` (the lower layer) imports nothing from `agreements`,
the pages (views) and the API import selectors and services but never each other,
the documents (`agreements.pdf`) import neither and are used only through the
package's public names, and no module reaches into Django's ORM internals
(`django.db.models.sql`). And no module is over 800 lines.

The graph is read from the source (ast), so an import hidden in a function to
dodge a cycle is seen like any other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["agreements", "cities", "config"]
SCANNED_FOR_INTERNALS = [*PACKAGES, "bench", "tests"]
OUTPUTS = ["agreements.views", "agreements.api", "agreements.pdf"]
DOCUMENTS = "agreements.pdf"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules(packages: list[str]) -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in packages
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


MODULES = _modules(PACKAGES)


def _imports(name: str, path: Path) -> list[tuple[str, str]]:
    """(module, name) of every import in the module, wherever the statement is:
    `import a.b` gives ("a.b", "a.b"), `from a import b` gives ("a", "a.b")."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            found += [(module, f"{module}.{alias.name}") for alias in node.names]
    return found


def _project_module(dotted: str) -> str | None:
    """The project module a dotted name lies in (a module, or a name inside one)."""
    while dotted and dotted not in MODULES:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def _graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (`from . import x` is an edge to the
    module x when there is one, else to the package)."""
    graph = {}
    for name, path in MODULES.items():
        targets = {
            _project_module(full if full in MODULES else module)
            for module, full in _imports(name, path)
        }
        graph[name] = {t for t in targets if t and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read():
    graph = _graph()
    assert "agreements.services" in graph["agreements.views.records"]
    assert "cities.models" in graph["agreements.search"]
    # An import inside a function is an edge like any other.
    assert "agreements.pdf" in graph["agreements.views.files"]


def test_there_is_no_import_cycle():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_cities_imports_nothing_from_agreements():
    wrong = [
        f"{name} imports {target}"
        for name, targets in _graph().items()
        if name.startswith("cities")
        for target in targets
        if target.startswith("agreements")
    ]
    assert wrong == []


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("output", OUTPUTS)
def test_an_output_imports_no_other_output(output):
    """The pages and the API may render a document, through `agreements.pdf` itself
    (its public functions), never through its modules; nothing else crosses."""
    wrong = [
        f"{name} imports {target}"
        for name, targets in _graph().items()
        if _in(name, output)
        for target in targets
        for other in OUTPUTS
        if other != output
        and _in(target, other)
        and not (other == DOCUMENTS and target == DOCUMENTS and output != DOCUMENTS)
    ]
    assert wrong == []


def test_the_selectors_import_no_output():
    wrong = [
        f"{name} imports {target}"
        for name, targets in _graph().items()
        if _in(name, "agreements.selectors")
        for target in targets
        if any(_in(target, output) for output in OUTPUTS)
    ]
    assert wrong == []


def test_no_module_reaches_into_the_orm_internals():
    wrong = [
        f"{name} imports {dotted}"
        for name, path in _modules(SCANNED_FOR_INTERNALS).items()
        for imported in _imports(name, path)
        for dotted in imported
        if dotted == "django.db.models.sql" or dotted.startswith("django.db.models.sql.")
    ]
    assert wrong == []


MAX_MODULE_LINES = 800


def test_no_module_is_over_800_lines():
    """A module that grows past this is split by part of the domain, as
    `agreements.models` and `agreements.services` are."""
    long = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
