"""Operator-written templates: Jinja2's sandbox, compiled once, and the variables they use.

Rule messages (``automations``) and snippets (``snippets``) render the same template
language; both may import only ``config``, and ``hub check`` must see what a template refers
to, so the one renderer lives here. Operator text is never passed to ``str.format``: a
sandboxed template cannot reach attributes such as ``__class__`` or call unsafe methods,
whatever the operator writes. Errors are Jinja's own (:class:`jinja2.TemplateError` and its
subclasses); each caller turns them into its package's error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import ChainableUndefined, StrictUndefined, Undefined, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment


class _Sandbox(SandboxedEnvironment):
    """A blocked attribute (``__class__``...) is an error the operator sees, not a blank."""

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe."
        )


#: missing values print as nothing, however deep (``{{ contact.company.name }}``): rules
LENIENT = _Sandbox(autoescape=False, keep_trailing_newline=True, undefined=ChainableUndefined)
#: an unknown variable is an error (snippets, whose variables are checked at load)
STRICT = _Sandbox(autoescape=False, keep_trailing_newline=True, undefined=StrictUndefined)

_SIMPLE = re.compile(r"\{\{\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\s*\}\}")
_MISSING = object()


class Template:
    """A text compiled once; raises :class:`jinja2.TemplateError` on a syntax error.

    Plain texts skip Jinja entirely; lenient texts whose only tags are ``{{ a.b.c }}``
    lookups are rendered by walking mappings (what Jinja would print, several times faster
    on the rule engine's hot path); anything else (filters, ``{% if %}``, every strict
    template) goes through the sandbox.
    """

    __slots__ = ("_compiled", "_parts", "source")

    def __init__(self, source: str, *, strict: bool = False) -> None:
        self.source = source
        self._parts: tuple[str | tuple[str, ...], ...] | None = None
        self._compiled = None
        if "{{" not in source and "{%" not in source and "{#" not in source:
            return
        if strict:
            self._compiled = STRICT.from_string(source)
            return
        pieces = _SIMPLE.split(source)
        literals = pieces[0::2]
        if any("{{" in t or "{%" in t or "{#" in t or "}}" in t for t in literals):
            self._compiled = LENIENT.from_string(source)
            return
        self._parts = tuple(
            piece if index % 2 == 0 else tuple(piece.split("."))
            for index, piece in enumerate(pieces)
            if piece
        )

    def render(self, context: Mapping[str, Any]) -> str:
        """The text for ``context``; raises :class:`jinja2.TemplateError` (e.g. unsafe access)."""
        if self._parts is not None:
            return "".join(
                part if isinstance(part, str) else _lookup(context, part) for part in self._parts
            )
        if self._compiled is None:
            return self.source
        return self._compiled.render(context)


def _lookup(context: Mapping[str, Any], path: tuple[str, ...]) -> str:
    """Mapping lookups only (no attributes: nothing to escape from); missing -> ""."""
    value: Any = context
    for key in path:
        value = value.get(key, _MISSING) if isinstance(value, Mapping) else _MISSING
        if value is _MISSING:
            return ""
    return str(value)


@dataclass(frozen=True, slots=True)
class VariableUse:
    """A dotted name a template reads (``("contact", "name")``), with its template line."""

    path: tuple[str, ...]
    line: int

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


def variables_used(source: str) -> tuple[VariableUse, ...]:
    """Every context variable ``source`` reads, as the longest dotted path written.

    Names the template sets itself (``{% set %}``, loop variables) and Jinja's globals
    (``range``...) are left out. Raises :class:`jinja2.TemplateSyntaxError`.
    """
    tree = STRICT.parse(source)
    free = meta.find_undeclared_variables(tree) - set(STRICT.globals)
    return tuple(use for use in _paths(tree) if use.path[0] in free)


def private_attributes(source: str) -> tuple[tuple[str, int], ...]:
    """``(attribute, line)`` of every ``_``-prefixed attribute ``source`` reaches for; the
    sandbox refuses them at render, ``hub check`` refuses them before."""
    tree = STRICT.parse(source)
    found: list[tuple[str, int]] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            name: str | None = node.attr
        else:
            name = _const_key(node) if isinstance(node, nodes.Getitem) else None
        if name is not None and name.startswith("_"):
            found.append((name, node.lineno))
    return tuple(found)


def _paths(node: nodes.Node) -> Iterator[VariableUse]:
    path = _path(node)
    if path is not None:
        yield VariableUse(path, node.lineno)
        return
    for child in node.iter_child_nodes():
        yield from _paths(child)


def _path(node: nodes.Node) -> tuple[str, ...] | None:
    if isinstance(node, nodes.Name):
        return (node.name,) if node.ctx == "load" else None
    if isinstance(node, nodes.Getattr):
        base = _path(node.node)
        return (*base, node.attr) if base is not None else None
    if isinstance(node, nodes.Getitem):
        key = _const_key(node)
        base = _path(node.node) if key is not None else None
        return (*base, key) if base is not None and key is not None else None
    return None


def _const_key(node: nodes.Getitem) -> str | None:
    arg = node.arg
    return arg.value if isinstance(arg, nodes.Const) and isinstance(arg.value, str) else None
