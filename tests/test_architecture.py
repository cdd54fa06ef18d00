"""The code's shape: imports flow one way (storage <- core <- handlers/scheduler <- features <- app)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "storage", "sandbox")
FEATURES = ("registration", "broadcasts", "tips", "events", "walks", "reports")
# What each room may import from ours; features may also use other features listed here.
ALLOWED = {
    "storage": {"storage"},
    "sandbox": {"sandbox"},
    "bot.core": {"bot.core", "storage"},
    "bot.handlers": {"bot.handlers", "bot.core", "storage"},
    "bot.scheduler": {"bot.scheduler", "bot.handlers", "bot.core", "storage"},
    "bot.app": {"bot", "storage", "sandbox"},
    "bot.__main__": {"bot.app"},
    # The coordinators' web dashboard presents several features through their services.
    "bot.dashboard": {"bot.dashboard", "bot.core", "storage", *(f"bot.{f}" for f in FEATURES)},
}
FEATURE_DEPENDS = {"walks": {"events"}, "reports": {"walks"}}
# Imports inside functions are only for optional, heavy or late-bound dependencies.
LOCAL_IMPORTS_ALLOWED = ("matplotlib", "sandbox", "weasyprint", "playwright", "traceback")
MAX_LINES = 500


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(path: Path, known: set[str]) -> list[tuple[str, bool]]:
    """(imported module of ours, imported inside a function?) for one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    local_nodes = {
        id(node)
        for func in ast.walk(tree)
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(func)
    }
    type_checking = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    out = []
    for node in ast.walk(tree):
        if id(node) in type_checking:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                out.append((name, id(node) in local_nodes))
    return out


def room(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "bot" and len(parts) > 1:
        return f"bot.{parts[1]}"
    return parts[0]


def graph() -> dict[str, set[str]]:
    found = modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in found.items():
        for target, _ in imports_of(path, set(found)):
            if target != name and not name.startswith(target + "."):
                edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
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

    for node in list(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_another_that_imports_it_back() -> None:
    assert cycles(graph()) == []


def test_no_room_imports_a_room_that_imports_it_back() -> None:
    rooms: dict[str, set[str]] = defaultdict(set)
    for source, targets in graph().items():
        for target in targets:
            if room(source) != room(target):
                rooms[room(source)].add(room(target))
    assert cycles(rooms) == []


def test_imports_flow_one_way() -> None:
    wrong = []
    for source, targets in graph().items():
        here = room(source)
        feature = here.removeprefix("bot.") if here.removeprefix("bot.") in FEATURES else None
        if feature is not None:
            allowed = {here, "bot.core", "storage"} | {
                f"bot.{f}" for f in FEATURE_DEPENDS.get(feature, ())
            }
        else:
            allowed = ALLOWED.get(here, {here})
        for target in targets:
            if not any(target == a or target.startswith(a + ".") for a in allowed):
                wrong.append(f"{source} -> {target}")
    assert wrong == []


def test_imports_inside_functions_are_only_for_heavy_optional_dependencies() -> None:
    found = modules()
    local = []
    for name, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                    if not (module or "").startswith(LOCAL_IMPORTS_ALLOWED):
                        local.append(f"{name}: {module}")
    assert local == []


def test_no_module_is_longer_than_one_sitting() -> None:
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_sql_lives_in_storage() -> None:
    """Queries are built only in storage/: no select/update/delete/text() or session.add outside."""
    markers = (
        "from sqlmodel import",
        "from sqlalchemy import",
        "session.add(",
        "session.exec(",
        "session.execute(",
    )
    leaks = []
    for name, path in modules().items():
        if room(name) in ("storage", "sandbox"):
            continue
        source = path.read_text(encoding="utf-8")
        leaks += [f"{name}: {m}" for m in markers if m in source]
    assert leaks == []
