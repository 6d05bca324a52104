"""The package's import graph, read from the source with ``ast`` (nothing is imported).

Every import counts, also those inside functions: a late import still ties the two modules
together, it only hides the circle until run time.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

# (importing package, imported prefix): what the layers forbid.
FORBIDDEN: list[tuple[str, str]] = [
    *[(layer, banned)
      for layer in ("taskboard.core", "taskboard.excel", "taskboard.charts", "taskboard.notify")
      for banned in ("PySide6", "shiboken6", "taskboard.ui", "taskboard.cli")],
    *[("taskboard.core", other) for other in ("taskboard.excel", "taskboard.charts",
                                              "taskboard.notify")],
    ("taskboard.ui", "taskboard.cli"),
]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Module name → file, for every .py below ``root / package``."""
    names = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _resolve(name: str, modules: dict[str, Path]) -> str:
    """The longest known module a dotted name starts with (``a.b.func`` → ``a.b``)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return name


def edges(root: Path, package: str = "taskboard") -> list[Edge]:
    modules = module_names(root, package)
    found = []
    for source, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = source.split(".") if is_package else source.split(".")[:-1]
                    here = here[:len(here) - (node.level - 1)]
                    base = ".".join(here + ([base] if base else []))
                # ``from a import b`` imports the module a.b when there is one.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            for target in targets:
                resolved = _resolve(target, modules) if _within(target, package) else target
                if resolved != source:
                    found.append(Edge(source, resolved, node.lineno))
    return found


def cycles(all_edges: list[Edge], package: str = "taskboard") -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for e in all_edges:
        if _within(e.target, package):
            graph.setdefault(e.source, set()).add(e.target)
            graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(groups)


def violations(all_edges: list[Edge]) -> list[str]:
    out = []
    for e in all_edges:
        for layer, banned in FORBIDDEN:
            if _within(e.source, layer) and _within(e.target, banned):
                out.append(f"{e.source}:{e.line} imports {e.target} ({layer} must not import "
                           f"{banned})")
    return sorted(set(out))
