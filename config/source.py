"""YAML loading that remembers where every value came from.

Pydantic reports errors by location (``("inboxes", 0, "kind")``); operators need
``hub.yaml:12``. We compose the YAML node tree once, build plain Python data from it and
record the line of every mapping key and sequence item, so any validation location can be
mapped back to the closest line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from config.errors import ConfigError, Problem

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceFile:
    """A loaded YAML document plus the line of every location in it (1-based)."""

    path: str
    data: Any
    lines: Mapping[Location, int] = field(default_factory=dict)

    def line_of(self, loc: Location) -> int:
        """Line of the deepest known prefix of ``loc`` (1 when nothing is known)."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1

    def problem(self, loc: Location, message: str, severity: str = "error") -> Problem:
        return Problem(self.path, self.line_of(loc), message, severity)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader; duplicate keys are reported by :func:`_build` rather than silently merged."""


def _scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    return loader.construct_object(node, deep=True)


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    loc: Location,
    lines: dict[Location, int],
    problems: list[Problem],
    path: str,
) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None or isinstance(key, list | dict):
                problems.append(Problem(path, key_node.start_mark.line + 1, "keys must be scalars"))
                continue
            key = str(key)
            if key in result:
                problems.append(
                    Problem(path, key_node.start_mark.line + 1, f"duplicate key '{key}'")
                )
            child = (*loc, key)
            lines[child] = key_node.start_mark.line + 1
            result[key] = _build(loader, value_node, child, lines, problems, path)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            items.append(_build(loader, item, (*loc, index), lines, problems, path))
        return items
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(loader, node)


def parse_yaml(text: str, path: str) -> SourceFile:
    """Parse one YAML document; syntax errors become a :class:`ConfigError`."""
    loader = _UniqueKeyLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError([Problem(path, line, f"invalid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(path, 1, f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if root is None:
        return SourceFile(path, {}, {(): 1})
    lines: dict[Location, int] = {}
    problems: list[Problem] = []
    try:
        data = _build(loader, root, (), lines, problems, path)
    except yaml.YAMLError as exc:
        raise ConfigError(
            [Problem(path, root.start_mark.line + 1, f"invalid YAML: {exc}")]
        ) from None
    if problems:
        raise ConfigError(problems)
    return SourceFile(path, data, lines)


def load_yaml(path: Path, display: str | None = None) -> SourceFile:
    """Read and parse a YAML file; unreadable files become a :class:`ConfigError`."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(name, 1, f"cannot read file: {exc}")]) from None
    return parse_yaml(text, name)
