"""The import graph: dependencies point one way and nothing imports itself back.

adapters (api) -> use cases (usecases) -> feed, integrity, projections, service;
feed -> integrity -> projections -> service; service.domain imports nothing of ours
outside itself. Every import counts: at module level, under TYPE_CHECKING
and inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("service", "projections", "integrity", "feed", "usecases", "api")
MAY_NOT_IMPORT = {
    "service": ("projections", "integrity", "feed", "usecases", "api"),
    "projections": ("integrity", "feed", "usecases", "api"),
    "integrity": ("feed", "usecases", "api"),
    "feed": ("usecases", "api"),
    "usecases": ("api",),
}


def module_name(path: Path) -> str:
    """`service/domain/risk.py` -> `service.domain.risk`."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Every module of ours a file imports (`from pkg import mod` names mod)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names}
            named = submodules & modules
            found.update(named)
            if len(named) < len(submodules):
                found.add(node.module)
    return found & modules


def graph() -> dict[str, set[str]]:
    """Each module of ours and the modules of ours it imports."""
    files = [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    modules = {module_name(p): p for p in files}
    return {
        name: imports_of(path, set(modules)) - {name} for name, path in modules.items()
    }


def layer_of(module: str) -> str:
    """The most specific layer a module belongs to."""
    return (
        "service.domain"
        if module.startswith("service.domain")
        else module.split(".")[0]
    )


def allowed(module: str, target: str) -> bool:
    """Whether a module may import a target by the direction of the layers."""
    if layer_of(module) == "service.domain":
        return layer_of(target) == "service.domain"
    banned = MAY_NOT_IMPORT.get(layer_of(module), ())
    return not any(target.split(".")[0] == name for name in banned)


def test_dependencies_point_one_way() -> None:
    """No layer imports a layer above it."""
    graph_now = graph()
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph_now.items()
        for target in targets
        if not allowed(module, target)
    ]
    assert wrong == []
    assert len(graph_now) > 100


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    """No module reaches itself through its imports."""
    assert cycles(graph()) == []


# What an adapter may ask the application itself: the head, to read its own
# writes, and one head check per request. Every command and read is a use case.
ADAPTER_MAY_ASK = frozenset({"head_position", "one_check"})


def application_uses(source: str) -> list[str]:
    """Each `….app.NAME` an adapter's source reads, and each alias of `….app`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        value = getattr(node, "value", None)
        if not (isinstance(value, ast.Attribute) and value.attr == "app"):
            continue
        if isinstance(node, ast.Attribute) and node.attr not in ADAPTER_MAY_ASK:
            found.append(f"line {node.lineno}: app.{node.attr}")
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            found.append(f"line {node.lineno}: an alias of the application")
    return sorted(found)


def test_adapters_reach_the_application_through_use_cases() -> None:
    """The HTTP API, the UI and the CLI run no command or read of their own."""
    wrong = [
        f"{path.relative_to(ROOT)} {use}"
        for path in sorted((ROOT / "api").rglob("*.py"))
        for use in application_uses(path.read_text("utf-8"))
    ]
    assert wrong == []


def test_the_checks_see_a_cycle_and_a_wrong_way_import() -> None:
    """The checks themselves fail on what they are meant to catch."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert layer_of("service.domain.risk") == "service.domain"
    assert layer_of("projections.views") == "projections"
    assert not allowed("service.domain.risk", "service.config")
    assert not allowed("projections.views", "usecases.root")
    assert allowed("usecases.root", "projections.views")
    reads = "services().app.load(Document, d).title\napp = services.app\n"
    assert application_uses(reads) == [
        "line 1: app.load",
        "line 2: an alias of the application",
    ]
    assert application_uses("services().app.head_position()\nself.app = a\n") == []
