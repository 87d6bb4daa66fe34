"""The package's import structure: no import circles, no PEP 562 lazy re-exports.

A circle between modules works only as long as every module of it is first imported
from the right end, and a module-level ``__getattr__`` hides where a name really lives
(and is what let those circles creep in). Both are checked on the source with ``ast``,
so the test imports nothing of pyward and fails with the full list of offenders.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "pyward"
PACKAGE = "pyward"
#: ``try: ... except* ...`` (Python 3.11+).
TRY_STAR: type[ast.Try] = getattr(ast, "TryStar", ast.Try)  # same fields as Try


def module_name(path: Path) -> str:
    """``src/pyward/_advisory/_store.py`` -> ``pyward._advisory._store``."""
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name."""
    return {module_name(path): path for path in sorted(SRC.rglob("*.py"))}


def is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def module_level(body: list[ast.stmt], *, classes: bool = True) -> Iterator[ast.stmt]:
    """The statements run when the module is imported: not those inside functions
    (run later, if ever) nor inside ``if TYPE_CHECKING:`` (never run); with
    ``classes=False``, not those of class bodies either."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            if not is_type_checking(node.test):
                yield from module_level(node.body, classes=classes)
            yield from module_level(node.orelse, classes=classes)
        elif isinstance(node, ast.ClassDef):
            if classes:
                yield from module_level(node.body, classes=classes)
        elif isinstance(node, ast.With | ast.For | ast.While):
            yield from module_level(node.body, classes=classes)
            if isinstance(node, ast.For | ast.While):
                yield from module_level(node.orelse, classes=classes)
        elif isinstance(node, ast.Try | TRY_STAR):
            yield from module_level(node.body, classes=classes)
            for handler in node.handlers:
                yield from module_level(handler.body, classes=classes)
            yield from module_level(node.orelse, classes=classes)
            yield from module_level(node.finalbody, classes=classes)


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The pyward modules that module ``name`` imports at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in module_level(tree.body):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            targets.add(source)
            # ``from pyward.x import y`` also imports ``pyward.x.y`` when that is a module.
            targets.update(f"{source}.{alias.name}" for alias in node.names)
    return {target for target in targets if target in known and target != name}


def import_graph() -> dict[str, set[str]]:
    """Module -> the pyward modules it imports at module level."""
    found = modules()
    known = set(found)
    return {name: imported(name, path, known) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle of ``graph``, each starting at its smallest module
    (a DFS from each module that only visits larger ones finds each cycle once)."""
    found: list[list[str]] = []
    for start in sorted(graph):
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for target in sorted(graph[node]):
                if target == start:
                    found.append(path)
                elif target > start and target not in path:
                    stack.append((target, [*path, target]))
    return found


def test_the_graph_sees_the_package() -> None:
    graph = import_graph()
    assert "pyward._advisory._store" in graph
    assert "pyward._model" in graph["pyward._inventory"]


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    for cycle in found:
        print(" -> ".join([*cycle, cycle[0]]))
    assert found == []


def test_only_module_level_imports_are_edges(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from pyward.a import b, name\n"
        "from . import c\n"
        "import pyward.d as d\n"
        "if TYPE_CHECKING:\n"
        "    from pyward import e\n"
        "else:\n"
        "    import pyward.f\n"
        "try:\n"
        "    import pyward.g\n"
        "except ImportError:\n"
        "    pass\n"
        "class K:\n"
        "    import pyward.h\n"
        "def later():\n"
        "    import pyward.i\n",
        encoding="utf-8",
    )
    known = {f"pyward.{m}" for m in ("a", "a.b", "c", "d", "e", "f", "g", "h", "i", "x")}
    assert imported("pyward.x", source, known) == {
        "pyward.a",
        "pyward.a.b",
        "pyward.c",
        "pyward.d",
        "pyward.f",
        "pyward.g",
        "pyward.h",
    }


def test_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c"]]


def defines_module_getattr(path: Path) -> bool:
    """Whether the module defines ``__getattr__`` outside any class (PEP 562)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "__getattr__"
        for node in module_level(tree.body, classes=False)
    )


def test_no_module_level_getattr() -> None:
    found = sorted(
        name
        for name, path in modules().items()
        # The package's public API is its one lazy boundary (see pyward/__init__.py).
        if defines_module_getattr(path) and name != PACKAGE
    )
    for name in found:
        print(f"{name} defines a module-level __getattr__ (PEP 562)")
    assert found == []
