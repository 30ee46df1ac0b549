"""automations/ stays pure: it imports config only, and nothing that does I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "automations"
FORBIDDEN = {
    "hub",
    "channels",
    "snippets",
    "tests",  # layers automations must not reach
    "aiohttp",
    "tortoise",
    "redis",
    "arq",
    "sqlite3",
    "aiosqlite",
    "asyncpg",
    "socket",
    "requests",
    "httpx",
    "urllib",
    "smtplib",  # storage and network
}
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "nlu" not in p.relative_to(PACKAGE).parts)


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_package_has_modules() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in MODULES}
    assert {"fields.py", "surveys.py", "actions.py", "rules/engine.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_config_only(path: Path) -> None:
    assert imported_roots(path) & FORBIDDEN == set()
