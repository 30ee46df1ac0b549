"""channels/ imports only config/ (and itself) from the project (DESIGN.md, layers)."""

from __future__ import annotations

import ast
from pathlib import Path

import channels

FORBIDDEN = ("hub", "automations", "snippets", "tests")


def test_channels_never_import_other_layers() -> None:
    offenders = []
    for path in Path(channels.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
