"""The import graph of store/ and tui/ (issue 14): an AST scan of every import — function-level
ones included, ``if TYPE_CHECKING:`` blocks left out (they never run) — has no cycle, and the
headless parts (store/, tui/cli, tui/documents, tui/views) never reach Textual, except through
the one command that opens the app."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO

PACKAGES = ("store", "tui")
HEADLESS = ("store", "tui.cli", "tui.documents", "tui.views")
UI_LIBRARIES = ("textual",)  # store/ keeps rich and plotext out too: tests/store/test_layering.py
# The one way from the command line into the app: the command that opens it.
APP_ENTRY = "tui.app"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            out[module_name(path)] = path
    return out


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import statement that runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                up = up[: len(up) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if sub in known else base), node.lineno


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {m: set() for m in known}
    for name, path in known.items():
        for target, _line in imports_of(name, path, known):
            if target != name:
                edges[name].add(target)
    return edges


def _ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(t for t in edges.get(v, ()) if t in edges):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_the_scan_sees_a_cycle() -> None:
    # the check itself: a → b → a is found, a → b → c is not
    assert cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def _headless(name: str) -> bool:
    return any(name == h or name.startswith(h + ".") for h in HEADLESS)


def test_headless_parts_never_reach_textual() -> None:
    edges = graph()
    bad = []
    for start in sorted(m for m in edges if _headless(m)):
        seen, todo = {start}, [(start, [start])]
        while todo:
            here, path = todo.pop()
            for target in sorted(edges.get(here, ())):
                if target == APP_ENTRY and here.startswith("tui.cli"):
                    continue  # `intervene` (no command) and `demo` open the app
                if target.split(".")[0] in UI_LIBRARIES:
                    bad.append(" → ".join([*path, target]))
                elif _ours(target) and target not in seen:
                    seen.add(target)
                    todo.append((target, [*path, target]))
    assert bad == []
