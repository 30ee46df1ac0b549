"""Operator-written message templates, rendered in Jinja2's sandbox.

Operator text is never passed to ``str.format``: a sandboxed template cannot reach
attributes such as ``__class__`` or call unsafe methods, whatever the operator writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jinja2 import ChainableUndefined, TemplateError, Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from automations.errors import ActionError


class _Sandbox(SandboxedEnvironment):
    """Missing values print as nothing, however deep (``{{ contact.company.name }}``), but
    a blocked attribute (``__class__``...) is an error the operator sees, not a blank."""

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe."
        )


_ENV = _Sandbox(autoescape=False, keep_trailing_newline=True, undefined=ChainableUndefined)


_SIMPLE = re.compile(r"\{\{\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\s*\}\}")
_MISSING = object()


class Template:
    """A text compiled once.

    Plain texts skip Jinja entirely; texts whose only tags are ``{{ a.b.c }}`` lookups are
    rendered by walking mappings (what Jinja would print, several times faster on the rule
    engine's hot path); anything else (filters, ``{% if %}``) goes through the sandbox.
    """

    __slots__ = ("_compiled", "_parts", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._parts: tuple[str | tuple[str, ...], ...] | None = None
        self._compiled = None
        if "{{" not in source and "{%" not in source and "{#" not in source:
            return
        pieces = _SIMPLE.split(source)
        literals = pieces[0::2]
        if not any("{{" in t or "{%" in t or "{#" in t or "}}" in t for t in literals):
            self._parts = tuple(
                piece if index % 2 == 0 else tuple(piece.split("."))
                for index, piece in enumerate(pieces)
                if piece
            )
        else:
            try:
                self._compiled = _ENV.from_string(source)
            except TemplateError as exc:
                raise ActionError(f"template error: {exc}") from exc

    def render(self, context: Mapping[str, Any]) -> str:
        if self._parts is not None:
            return "".join(
                part if isinstance(part, str) else _lookup(context, part) for part in self._parts
            )
        if self._compiled is None:
            return self.source
        try:
            return self._compiled.render(context)
        except TemplateError as exc:
            raise ActionError(f"template error: {exc}") from exc


def _lookup(context: Mapping[str, Any], path: tuple[str, ...]) -> str:
    """Mapping lookups only (no attributes: nothing to escape from); missing -> ""."""
    value: Any = context
    for key in path:
        value = value.get(key, _MISSING) if isinstance(value, Mapping) else _MISSING
        if value is _MISSING:
            return ""
    return str(value)


def render_text(source: str, context: Mapping[str, Any]) -> str:
    """Render a one-off text (built-in messages with parameters)."""
    return Template(source).render(context)
