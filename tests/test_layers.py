"""The import direction of DESIGN.md, enforced over every module of every package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = {"config", "channels", "automations", "snippets", "hub", "tests"}
#: package -> project packages it may import
ALLOWED = {
    "config": set(),
    "channels": {"config"},
    "automations": {"config"},
    "snippets": {"config"},
    "hub": {"config", "channels", "automations", "snippets"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & PROJECT


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_design_allows(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for imported in _imports(path) - ALLOWED[package] - {package}:
            offenders.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert offenders == []


def test_nothing_imports_tests() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ALLOWED
        for path in (ROOT / package).rglob("*.py")
        if "tests" in _imports(path)
    ]
    assert offenders == []


# -- inside hub: the subpackages of DESIGN.md ---------------------------------------------------

HUB = ROOT / "hub"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


#: every module of hub, by dotted name (the migrations are generated and import only models)
HUB_MODULES = {_module_name(path): path for path in sorted(HUB.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The hub module ``name`` refers to: itself, else its longest prefix that is one."""
    while name:
        if name in HUB_MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _hub_imports(module: str) -> set[str]:
    """The hub modules ``module`` imports, counting every import statement wherever it is
    (under ``if TYPE_CHECKING:``, inside functions): a late import still couples the two."""
    path = HUB_MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from a import b`` imports the module a.b when there is one, else a
            targets = [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            resolved = _resolve(target)
            if resolved is not None and resolved != module:
                found.add(resolved)
    return found


HUB_GRAPH = {module: _hub_imports(module) for module in HUB_MODULES}


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_store_imports_nothing_else_of_hub() -> None:
    offenders = [
        f"{module} imports {imported}"
        for module, imports in HUB_GRAPH.items()
        if _inside(module, "hub.store")
        for imported in sorted(imports)
        if not _inside(imported, "hub.store") and imported != "hub"
    ]
    assert offenders == []


#: package -> the only places that may import it (besides itself)
IMPORTED_ONLY_BY = {
    "hub.web": ("hub.cli", "hub.__main__"),
    "hub.cli": ("hub.__main__",),
}


@pytest.mark.parametrize("package", sorted(IMPORTED_ONLY_BY))
def test_web_and_cli_are_imported_only_from_the_top(package: str) -> None:
    allowed = (package, *IMPORTED_ONLY_BY[package])
    offenders = [
        f"{module} imports {imported}"
        for module, imports in HUB_GRAPH.items()
        if not any(_inside(module, a) for a in allowed)
        for imported in sorted(imports)
        if _inside(imported, package)
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["hub.inbound", "hub.outbound", "hub.store", "hub.jobs"])
def test_the_data_path_never_imports_web(package: str) -> None:
    offenders = [
        f"{module} imports {imported}"
        for module, imports in HUB_GRAPH.items()
        if _inside(module, package)
        for imported in sorted(imports)
        if _inside(imported, "hub.web")
    ]
    assert offenders == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), and modules
    that import themselves: every import cycle is inside one of them."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    """The finder itself: a late import that closes a circle is a cycle."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_hub_has_no_import_cycles() -> None:
    assert _cycles(HUB_GRAPH) == []
