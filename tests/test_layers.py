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
